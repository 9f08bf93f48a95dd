// The DS walk and the delegations the iterator followed (trust.ts walk/knownCut; RFC 4035 §5.2:
// the chain of trust goes through delegation points). When the RRset cache holds the delegation
// below the cursor zone and no other between, the walk asks that cut's DS of the parent directly
// instead of each empty non-terminal in between; only a DS or denial the parent's signatures
// prove is taken, anything else falls back to the label-by-label walk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { buildSignedZone, makeKey, type TestKey } from '../dnssec/zone-signer-for-tests.js';
import { AuthZone } from './helpers/authority.js';
import { FakeNetwork } from './helpers/network.js';
import { NOW, makeResolver, n, type World } from './helpers/world.js';

const soa = (ns: string): string => `@ 3600 SOA ${ns} hostmaster 1 7200 3600 1209600 300`;

function sign(origin: string, text: string): { records: ResourceRecord[]; ds: (owner: string) => string; ksk: TestKey } {
  const o = n(origin);
  const ksk = makeKey(257, 15);
  const zsk = makeKey(256, 15);
  const records = buildSignedZone(text, { origin: o, ksks: [ksk], zsks: [zsk], denial: 'nsec', inception: NOW - 86400, expiration: NOW + 30 * 86400 });
  const d = decodeTyped(RRType.DS, makeDsRdata(o, ksk.rdata, 2));
  const ds = (owner: string) => `${owner} 3600 DS ${d.keyTag} ${d.algorithm} ${d.digestType} ${Buffer.from(d.digest).toString('hex')}`;
  return { records, ds, ksk };
}

//   .              127.0.0.1
//   example.       127.0.1.1   delegates c.b.example. (b.example. is an empty non-terminal) and b2.example.
//   c.b.example.   127.0.2.1
//   b2.example.    127.0.3.1   delegates c.b2.example.
//   c.b2.example.  127.0.2.2
function buildCutWorld(): World {
  const cb = sign('c.b.example.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.1\nwww 3600 A 192.0.2.1\nwww2 3600 A 192.0.2.2\n`);
  const cb2 = sign('c.b2.example.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.2.2\nwww 3600 A 192.0.2.3\nwww2 3600 A 192.0.2.4\n`);
  const b2 = sign('b2.example.', `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.3.1\nc 3600 NS ns.c\nns.c 3600 A 127.0.2.2\n${cb2.ds('c')}\n`);
  const example = sign(
    'example.',
    `${soa('ns')}\n@ 3600 NS ns\nns 3600 A 127.0.1.1\nc.b 3600 NS ns.c.b\nns.c.b 3600 A 127.0.2.1\n${cb.ds('c.b')}\nb2 3600 NS ns.b2\nns.b2 3600 A 127.0.3.1\n${b2.ds('b2')}\n`,
  );
  const root = sign(
    '.',
    `@ 86400 SOA a.root-servers. hostmaster 1 1800 900 604800 86400\n@ 86400 NS a.root-servers.\na.root-servers. 86400 A 127.0.0.1\nexample. 86400 NS ns.example.\nns.example. 86400 A 127.0.1.1\n${example.ds('example.')}\n`,
  );
  const zones = new Map<string, AuthZone>([
    ['.', new AuthZone(Name.ROOT, root.records)],
    ['example.', new AuthZone(n('example.'), example.records)],
    ['c.b.example.', new AuthZone(n('c.b.example.'), cb.records)],
    ['b2.example.', new AuthZone(n('b2.example.'), b2.records)],
    ['c.b2.example.', new AuthZone(n('c.b2.example.'), cb2.records)],
  ]);
  const net = new FakeNetwork();
  net.add('127.0.0.1', [zones.get('.')!]);
  net.add('127.0.1.1', [zones.get('example.')!]);
  net.add('127.0.2.1', [zones.get('c.b.example.')!]);
  net.add('127.0.3.1', [zones.get('b2.example.')!]);
  net.add('127.0.2.2', [zones.get('c.b2.example.')!]);
  const hints = parseZoneText('. 3600000 NS a.root-servers.\na.root-servers. 3600000 A 127.0.0.1\n').records;
  const anchor: ResourceRecord[] = [{ name: Name.ROOT, type: RRType.DS, class: 1, ttl: 3600, rdata: makeDsRdata(Name.ROOT, root.ksk.rdata, 2) }];
  return { net, hints, anchor, zones };
}

const dsAsked = (log: readonly { qname: string; qtype: number }[], name: string): boolean =>
  log.some((q) => q.qname === name && q.qtype === RRType.DS);

test('a cached delegation two labels below the parent: its DS is asked directly, not the empty non-terminal', async () => {
  const { resolver, net, caches } = makeResolver({}, buildCutWorld());
  const first = await resolver.resolve({ name: n('www.c.b.example.'), type: RRType.A }, { do: true });
  assert.equal(first.security, 'secure', 'the referral carried the DS: secure');
  // The DS learnt from the referral is gone (as when a referral leaves it out); the NS stays.
  caches.keys.delete(n('c.b.example.'));
  const mark = net.log.length;
  const a = await resolver.resolve({ name: n('www2.c.b.example.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, 'answered');
  assert.equal(a.security, 'secure', 'the chain of trust goes from example. to c.b.example.');
  const log = net.since(mark);
  assert.ok(dsAsked(log, 'c.b.example.'), 'the DS of the cut is asked');
  assert.ok(!dsAsked(log, 'b.example.'), 'no DS query for the empty non-terminal b.example.');
});

test('a cached delegation whose parent is not the cursor zone: the unproven DS falls back to the walk by label', async () => {
  const { resolver, net, caches } = makeResolver({}, buildCutWorld());
  const first = await resolver.resolve({ name: n('www.c.b2.example.'), type: RRType.A }, { do: true });
  assert.equal(first.security, 'secure', 'secure through b2.example.');
  // The intermediate zone's keys, DS and delegation are forgotten; c.b2.example.'s NS stays.
  caches.keys.delete(n('b2.example.'));
  caches.keys.delete(n('c.b2.example.'));
  caches.rrsets.delete(n('b2.example.'), RRType.NS);
  const mark = net.log.length;
  const a = await resolver.resolve({ name: n('www2.c.b2.example.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, `answered (ede ${JSON.stringify(a.ede)})`);
  assert.equal(a.security, 'secure', 'the DS signed by b2.example. is not taken as example.\'s; the walk finds b2.example.');
  const ds = net.since(mark).filter((q) => q.qtype === RRType.DS).map((q) => q.qname);
  assert.equal(ds[0], 'c.b2.example.', `the cached cut's DS was tried first (${ds.join(' ')})`);
  assert.ok(dsAsked(net.since(mark), 'b2.example.'), 'the walk by label asked the DS of b2.example.');
});
