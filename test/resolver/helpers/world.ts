// A small signed DNS hierarchy served by scripted in-process servers, for the resolver tests:
//
//   .            127.0.0.1   signed (NSEC), the trust anchor's zone
//   test.        127.0.1.1   signed (NSEC)
//     example.test.   127.0.2.1   signed (NSEC): www, CNAME chains, wildcard, wildcard CNAME to other., DNAME
//       un.example.test.  unsigned child served by the same server, no DS
//     n3.test.        127.0.2.2   signed (NSEC3); wildcard *.w
//     insecure.test.  127.0.2.3   unsigned, no DS (insecure delegation)
//     expired.test.   127.0.2.4   signed, www's RRSIG expired
//     badds.test.     127.0.2.5   signed, the DS in test. matches no key
//     oob.test.       ns.other. (127.0.3.1), no glue; test.'s referral adds poisoned out-of-bailiwick glue
//     lame.test.      127.0.5.1 (broken) and 127.0.5.2 (good)
//     noedns.test.    127.0.6.1   answers FORMERR to EDNS
//     tcp.test.       127.0.6.2   truncates every UDP reply
//     loop.test.      127.0.7.1   refers every name one label deeper, forever
//     nxns.test.      ten NS names under other. that do not exist (NXNS)
//     oo.test.        127.0.2.6   signed (NSEC3, every record Opt-Out): www, wildcard
//     cap.test.       127.0.2.7   signed (NSEC3, 60 iterations: over the validator's cap), wildcard
//     co.test.        127.0.3.1   signed (NSEC): a CNAME and a DNAME into other., which the same
//                                 server serves and follows the chain into (as NSD and BIND do)
//   other.       127.0.3.1   signed (NSEC); the same server hosts oob.test. (with a CNAME into other.)
//   127.0.9.9    a "poisoned" server answering 6.6.6.6 for everything
import { makeDsRdata } from '../../../src/dnssec/ds.js';
import { ManualClock } from '../../../src/core/clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { createNodeBackend } from '../../../src/crypto/node-backend.js';
import { RRType } from '../../../src/wire/constants.js';
import { Name } from '../../../src/wire/name.js';
import { decodeTyped } from '../../../src/wire/rdata.js';
import type { ResourceRecord } from '../../../src/wire/record.js';
import { parseZoneText } from '../../../src/zone/parser.js';
import { Resolver, createResolverCaches, type ResolverCaches } from '../../../src/resolver/resolver.js';
import { resolverOptions, trustAnchorsFromRecords, type ResolverOptionsInit } from '../../../src/resolver/options.js';
import { buildSignedZone, isSigFor, makeKey, rrsigFor, type TestKey } from '../../dnssec/zone-signer-for-tests.js';
import type { Transport } from '../../../src/resolver/transport.js';
import { AuthZone } from './authority.js';
import { FakeNetwork } from './network.js';

/** 2025-06-01T00:00:00Z. */
export const NOW = Date.UTC(2025, 5, 1) / 1000;
const INCEPTION = NOW - 86400;
const EXPIRATION = NOW + 30 * 86400;

export const n = (text: string): Name => Name.parse(text);

interface Signed {
  readonly records: ResourceRecord[];
  readonly ksk: TestKey;
  readonly zsk: TestKey;
  readonly dsLine: (owner: string) => string;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex').toUpperCase();
}

function dsLineFor(origin: Name, key: TestKey): (owner: string) => string {
  const d = decodeTyped(RRType.DS, makeDsRdata(origin, key.rdata, 2));
  return (owner) => `${owner} 3600 DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${hex(d.digest)}`;
}

function sign(origin: string, text: string, denial: 'nsec' | 'nsec3' = 'nsec', nsec3: { optOut?: boolean; iterations?: number } = {}): Signed {
  const o = n(origin);
  const ksk = makeKey(257, 15);
  const zsk = makeKey(256, 15);
  const records = buildSignedZone(text, { origin: o, ksks: [ksk], zsks: [zsk], denial, ...nsec3, inception: INCEPTION, expiration: EXPIRATION });
  return { records, ksk, zsk, dsLine: dsLineFor(o, ksk) };
}

function plain(origin: string, text: string): ResourceRecord[] {
  return parseZoneText(text, { origin: n(origin) }).records;
}

const soa = (ns: string): string => `@ 3600 SOA ${ns} hostmaster 1 7200 3600 1209600 300`;

export interface World {
  readonly net: FakeNetwork;
  readonly hints: ResourceRecord[];
  readonly anchor: ResourceRecord[];
  readonly zones: Map<string, AuthZone>;
}

let cached: { zones: Map<string, ResourceRecord[]>; hints: ResourceRecord[]; anchor: ResourceRecord[] } | undefined;

/** Builds (once; keys are slow-ish) the signed zone data. */
function zoneData(): { zones: Map<string, ResourceRecord[]>; hints: ResourceRecord[]; anchor: ResourceRecord[] } {
  if (cached !== undefined) return cached;
  const example = sign(
    'example.test.',
    `${soa('ns')}
@ 3600 NS ns
ns 3600 A 127.0.2.1
www 3600 A 192.0.2.1
www 3600 AAAA 2001:db8::1
alias 3600 CNAME www.other.
alias2 3600 CNAME alias
*.wild 3600 A 192.0.2.9
*.wc 3600 CNAME www.other.
dn 3600 DNAME other.
un 3600 NS ns
big 3600 TXT ${Array.from({ length: 12 }, (_, i) => `"${String(i).padStart(2, '0')}${'x'.repeat(150)}"`).join(' ')}
`,
  );
  const n3 = sign('n3.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.2\nwww 3600 A 192.0.2.3\nsub.deep 3600 A 192.0.2.13\n*.w 3600 A 192.0.2.17\n`, 'nsec3');
  const expired = sign('expired.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.4\nwww 3600 A 192.0.2.5\n`);
  // Re-sign www's A RRset with a signature that expired yesterday.
  {
    const www = n('www.expired.test.');
    const a = expired.records.filter((r) => r.type === RRType.A && r.name.equals(www));
    const sig = rrsigFor({ name: www, type: RRType.A, class: 1, ttl: 3600, rdatas: a.map((r) => r.rdata) }, expired.zsk, n('expired.test.'), {
      inception: NOW - 10 * 86400,
      expiration: NOW - 86400,
    });
    const kept = expired.records.filter((r) => !isSigFor(r, www, RRType.A));
    expired.records.length = 0;
    expired.records.push(...kept, { name: www, type: RRType.RRSIG, class: 1, ttl: 3600, rdata: sig });
  }
  const oo = sign('oo.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.6\nwww 3600 A 192.0.2.14\n*.wild 3600 A 192.0.2.15\n`, 'nsec3', { optOut: true });
  const cap = sign('cap.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.7\n*.wild 3600 A 192.0.2.16\n`, 'nsec3', { iterations: 60 });
  const co = sign('co.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.3.1\nxdangling 3600 CNAME nothere.other.\ndn 3600 DNAME other.\n`);
  const badds = sign('badds.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.5\nwww 3600 A 192.0.2.6\n`);
  const stranger = makeKey(257, 15);
  const other = sign('other.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.3.1\nwww 3600 A 192.0.2.2\n`);
  const test = sign(
    'test.',
    `${soa('ns1')}
@ 3600 NS ns1
ns1 3600 A 127.0.1.1
example 3600 NS ns.example
ns.example 3600 A 127.0.2.1
${example.dsLine('example')}
n3 3600 NS ns.n3
ns.n3 3600 A 127.0.2.2
${n3.dsLine('n3')}
insecure 3600 NS ns.insecure
ns.insecure 3600 A 127.0.2.3
expired 3600 NS ns.expired
ns.expired 3600 A 127.0.2.4
${expired.dsLine('expired')}
badds 3600 NS ns.badds
ns.badds 3600 A 127.0.2.5
${dsLineFor(n('badds.test.'), stranger)('badds')}
oob 3600 NS ns.other.
lame 3600 NS ns1.lame
lame 3600 NS ns2.lame
ns1.lame 3600 A 127.0.5.1
ns2.lame 3600 A 127.0.5.2
noedns 3600 NS ns.noedns
ns.noedns 3600 A 127.0.6.1
tcp 3600 NS ns.tcp
ns.tcp 3600 A 127.0.6.2
loop 3600 NS ns.loop
ns.loop 3600 A 127.0.7.1
${Array.from({ length: 10 }, (_, i) => `nxns 3600 NS ns${i}.nowhere.other.`).join('\n')}
oo 3600 NS ns.oo
ns.oo 3600 A 127.0.2.6
${oo.dsLine('oo')}
cap 3600 NS ns.cap
ns.cap 3600 A 127.0.2.7
${cap.dsLine('cap')}
co 3600 NS ns.co
ns.co 3600 A 127.0.3.1
${co.dsLine('co')}
`,
  );
  const root = sign(
    '.',
    `@ 86400 SOA a.root-servers. hostmaster 1 1800 900 604800 86400
@ 86400 NS a.root-servers.
a.root-servers. 86400 A 127.0.0.1
test. 86400 NS ns1.test.
ns1.test. 86400 A 127.0.1.1
${test.dsLine('test.')}
other. 86400 NS ns.other.
ns.other. 86400 A 127.0.3.1
${other.dsLine('other.')}
`,
  );
  const zones = new Map<string, ResourceRecord[]>([
    ['.', root.records],
    ['test.', test.records],
    ['example.test.', example.records],
    ['n3.test.', n3.records],
    ['expired.test.', expired.records],
    ['badds.test.', badds.records],
    ['other.', other.records],
    ['oo.test.', oo.records],
    ['cap.test.', cap.records],
    ['co.test.', co.records],
    ['insecure.test.', plain('insecure.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.3\nwww 3600 A 192.0.2.4\n`)],
    ['un.example.test.', plain('un.example.test.', `${soa('ns.example.test.')}\n@ 3600 NS ns.example.test.\nwww 3600 A 192.0.2.12\n`)],
    ['oob.test.', plain('oob.test.', `${soa('ns.other.')}\n@ 3600 NS ns.other.\nwww 3600 A 192.0.2.7\nxdangling 3600 CNAME nothere.other.\n`)],
    ['lame.test.', plain('lame.test.', `${soa('ns1')}\n@ 3600 NS ns1\n@ 3600 NS ns2\nns1 3600 A 127.0.5.1\nns2 3600 A 127.0.5.2\nwww 3600 A 192.0.2.8\n`)],
    ['noedns.test.', plain('noedns.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.6.1\nwww 3600 A 192.0.2.10\n`)],
    ['tcp.test.', plain('tcp.test.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.6.2\nwww 3600 A 192.0.2.11\n`)],
    ['poison.', plain('.', `@ 3600 SOA x. y. 1 1 1 1 1\n*.oob.test. 60 A 6.6.6.6\n`)],
  ]);
  const hints = parseZoneText('. 3600000 NS a.root-servers.\na.root-servers. 3600000 A 127.0.0.1\n').records;
  const rootKsk = root.ksk;
  const anchor: ResourceRecord[] = [{ name: Name.ROOT, type: RRType.DS, class: 1, ttl: 3600, rdata: makeDsRdata(Name.ROOT, rootKsk.rdata, 2) }];
  cached = { zones, hints, anchor };
  return cached;
}

/** A fresh network serving the hierarchy (servers can then be broken one by one). */
export function buildWorld(): World {
  const data = zoneData();
  const zones = new Map<string, AuthZone>();
  for (const [k, records] of data.zones) zones.set(k, new AuthZone(k === 'poison.' ? Name.ROOT : n(k), records));
  const z = (k: string): AuthZone => zones.get(k)!;
  const net = new FakeNetwork();
  net.add('127.0.0.1', [z('.')]);
  net.add('127.0.1.1', [z('test.')], 'ok', {
    extraAdditional: [{ name: n('ns.other.'), type: RRType.A, class: 1, ttl: 3600, rdata: Uint8Array.of(127, 0, 9, 9) }],
  });
  net.add('127.0.2.1', [z('example.test.'), z('un.example.test.')]);
  net.add('127.0.2.2', [z('n3.test.')]);
  net.add('127.0.2.3', [z('insecure.test.')]);
  net.add('127.0.2.4', [z('expired.test.')]);
  net.add('127.0.2.5', [z('badds.test.')]);
  net.add('127.0.2.6', [z('oo.test.')]);
  net.add('127.0.2.7', [z('cap.test.')]);
  net.add('127.0.3.1', [z('other.'), z('oob.test.'), z('co.test.')], 'ok', { followChains: true });
  net.add('127.0.5.1', [z('lame.test.')], 'timeout');
  net.add('127.0.5.2', [z('lame.test.')]);
  net.add('127.0.6.1', [z('noedns.test.')], 'formerr-edns');
  net.add('127.0.6.2', [z('tcp.test.')], 'tc-udp');
  net.add('127.0.7.1', [], 'refer-deeper', { referTo: { ns: n('ns.loop.test.'), address: '127.0.7.1' } });
  net.add('127.0.9.9', [z('poison.')]);
  return { net, hints: data.hints, anchor: data.anchor, zones };
}

export interface TestResolver {
  readonly resolver: Resolver;
  readonly world: World;
  readonly net: FakeNetwork;
  readonly clock: ManualClock;
  readonly caches: ResolverCaches;
}

/** A validating resolver over a fresh world, with a fake clock at NOW. */
export function makeResolver(
  init: Partial<ResolverOptionsInit> = {},
  world: World = buildWorld(),
  wrap?: (net: FakeNetwork, clock: ManualClock) => Transport,
): TestResolver {
  const clock = new ManualClock(NOW * 1000);
  const random = new SeededRandom(42);
  const opts: ResolverOptionsInit = { rootHints: world.hints, trustAnchors: trustAnchorsFromRecords(world.anchor), ...init };
  const caches = createResolverCaches(clock, random, resolverOptions(opts));
  const transport = wrap === undefined ? world.net : wrap(world.net, clock);
  const resolver = new Resolver({ transport, clock, random, crypto: createNodeBackend(), caches, options: opts });
  return { resolver, world, net: world.net, clock, caches };
}
