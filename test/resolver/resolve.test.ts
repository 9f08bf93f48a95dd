// End to end over the scripted hierarchy of helpers/world.ts: iteration, validation in the loop,
// caching, limits. No sockets, no timers: the network is in-process and the clock is fake.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EdeCode, Rcode, RRType } from '../../src/wire/constants.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import { decodeMessage, encodeMessage, makeQuery, makeResponse } from '../../src/wire/message.js';
import type { ResolverAnswer } from '../../src/resolver/answer.js';
import type { ManualClock } from '../../src/core/clock.js';
import type { Transport } from '../../src/resolver/transport.js';
import { buildWorld, makeResolver, n } from './helpers/world.js';
import { AuthZone } from './helpers/authority.js';
import { parseZoneText } from '../../src/zone/parser.js';

function addresses(a: ResolverAnswer): string[] {
  return a.answer.filter((r) => r.type === RRType.A).map((r) => decodeTyped(RRType.A, r.rdata).address);
}

function types(records: ResolverAnswer['answer']): string[] {
  return records.map((r) => `${r.name.toString()} ${r.type}`);
}

const A = RRType.A;

describe('secure answers', () => {
  it('answers a name in a signed zone with AD and its RRSIGs under DO', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.example.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(addresses(a), ['192.0.2.1']);
    assert.equal(a.security, 'secure');
    assert.equal(a.ad, true);
    assert.ok(a.answer.some((r) => r.type === RRType.RRSIG));
    assert.deepEqual(a.ede, []);
  });

  it('sets AD only for clients that set DO or AD (RFC 6840 §5.7), and leaves out RRSIGs without DO', async () => {
    const { resolver } = makeResolver();
    const plain = await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    assert.equal(plain.security, 'secure');
    assert.equal(plain.ad, false);
    assert.ok(!plain.answer.some((r) => r.type === RRType.RRSIG));
    const ad = await resolver.resolve({ name: n('www.example.test.'), type: A }, { ad: true });
    assert.equal(ad.ad, true);
  });

  it('NXDOMAIN from an NSEC zone is secure, with SOA and NSEC proofs under DO', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('nx.example.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN);
    assert.equal(a.security, 'secure');
    assert.equal(a.ad, true);
    assert.ok(a.authority.some((r) => r.type === RRType.SOA));
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC));
  });

  it('NXDOMAIN and answers from an NSEC3 zone are secure', async () => {
    const { resolver } = makeResolver();
    const nx = await resolver.resolve({ name: n('nx.n3.test.'), type: A }, { do: true });
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.security, 'secure');
    assert.ok(nx.authority.some((r) => r.type === RRType.NSEC3));
    const www = await resolver.resolve({ name: n('www.n3.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(www), ['192.0.2.3']);
    assert.equal(www.ad, true);
  });

  it('NODATA is secure', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.TXT }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR);
    assert.equal(a.answer.length, 0);
    assert.equal(a.security, 'secure');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC));
  });

  it('a wildcard expansion is secure and carries its NSEC proof under DO', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('anything.wild.example.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.9']);
    assert.equal(a.security, 'secure');
    assert.ok(a.answer.every((r) => r.name.equals(n('anything.wild.example.test.'))));
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC));
  });

  it('follows a CNAME chain across zones, each link validated in its own zone', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('alias2.example.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.NOERROR);
    assert.deepEqual(types(a.answer), ['alias2.example.test. 5', 'alias.example.test. 5', 'www.other. 1']);
    assert.equal(a.security, 'secure');
  });

  it('a wildcard CNAME to another zone: the expansion is proven in its zone, then the target is asked for', async () => {
    const { resolver } = makeResolver();
    for (const name of ['x.wc.example.test.', 'y.wc.example.test.']) {
      const a = await resolver.resolve({ name: n(name), type: A }, { do: true });
      assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
      assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), [`${name} 5`, 'www.other. 1']);
      assert.equal(a.security, 'secure');
      assert.ok(
        a.authority.some((r) => r.type === RRType.NSEC && r.name.isSubdomainOf(n('example.test.'))),
        `${name}: the NSEC proving the expansion goes with it under DO`,
      );
    }
  });

  it('follows a DNAME (RFC 6672): the DNAME, the synthesised CNAME, then the target', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.dn.example.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(
      types(a.answer.filter((r) => r.type !== RRType.RRSIG)),
      ['dn.example.test. 39', 'www.dn.example.test. 5', 'www.other. 1'],
    );
    assert.equal(a.security, 'secure');
  });

  it('a CNAME beside a secure DNAME that does not follow from it makes the answer bogus, not AD (RFC 6672 §3.2)', async () => {
    // The server's CNAME is unsigned: only the DNAME vouches for it. A forged target must not go
    // out under AD even though the resolver itself follows the DNAME's substitution.
    const spoof: Transport = {
      query: async (server, query, options) => {
        const r = await world.net.query(server, query, options);
        if (r.kind !== 'reply') return r;
        const msg = decodeMessage(r.bytes);
        const forged = msg.answer.map((rr) => (rr.type === RRType.CNAME ? { ...rr, rdata: n('evil.other.').wire.slice() } : rr));
        return { ...r, bytes: encodeMessage({ ...msg, answer: forged }).bytes };
      },
    };
    const world = buildWorld();
    const { resolver } = makeResolver({}, world, () => spoof);
    const a = await resolver.resolve({ name: n('www.dn.example.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.SERVFAIL, `forged DNAME synthesis answered ${a.rcode}`);
    assert.equal(a.ad, false, 'no AD over a forged CNAME');
    assert.ok(
      !a.answer.some((r) => r.type === RRType.CNAME),
      'the forged CNAME does not reach the client',
    );
    assert.ok(a.ede.some((e) => e.extraText.startsWith('V-DNAME-SYNTH')), `EDE names the DNAME check: ${JSON.stringify(a.ede)}`);
  });
});

describe('insecure and bogus', () => {
  it('an unsigned delegation (NSEC proof of no DS) answers without AD', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.insecure.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.4']);
    assert.equal(a.security, 'insecure');
    assert.equal(a.ad, false);
  });

  it('an unsigned child served by its secure parent\'s server is insecure, not bogus', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('www.un.example.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.12']);
    assert.equal(a.security, 'insecure');
    assert.ok(net.log.some((q) => q.qname === 'un.example.test.' && q.qtype === RRType.DS), 'the DS walk found the cut');
  });

  it('an expired signature is bogus: SERVFAIL with EDE 7 and the validator tag', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.expired.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.equal(a.ede.length, 1);
    assert.equal(a.ede[0]!.infoCode, EdeCode.SIGNATURE_EXPIRED);
    assert.match(a.ede[0]!.extraText, /^V-RRSIG-EXP /);
    // Other names of the zone are fine.
    const ns = await resolver.resolve({ name: n('ns.expired.test.'), type: A }, { do: true });
    assert.equal(ns.security, 'secure');
  });

  it('CD=1 gets bogus data instead of SERVFAIL, without AD', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.expired.test.'), type: A }, { do: true, cd: true });
    assert.equal(a.rcode, Rcode.NOERROR);
    assert.deepEqual(addresses(a), ['192.0.2.5']);
    assert.equal(a.ad, false);
  });

  it('a DS that matches no DNSKEY makes the zone bogus: SERVFAIL with EDE 9', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('www.badds.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.equal(a.ede[0]!.infoCode, EdeCode.DNSKEY_MISSING);
    assert.match(a.ede[0]!.extraText, /^V-DNSKEY-NOMATCH /);
  });

  it('bogus answers are cached briefly, not forever', async () => {
    const { resolver, net, clock } = makeResolver();
    await resolver.resolve({ name: n('www.expired.test.'), type: A }, {});
    const mark = net.log.length;
    const again = await resolver.resolve({ name: n('www.expired.test.'), type: A }, {});
    assert.equal(again.rcode, Rcode.SERVFAIL);
    assert.equal(again.ede[0]!.infoCode, EdeCode.SIGNATURE_EXPIRED);
    assert.equal(net.since(mark).length, 0, 'served from the cache');
    clock.advance(61_000);
    const later = await resolver.resolve({ name: n('www.expired.test.'), type: A }, {});
    assert.equal(later.rcode, Rcode.SERVFAIL);
    assert.ok(net.since(mark).some((q) => q.qname === 'www.expired.test.'), 'asked again after the bogus TTL');
  });

  it('without trust anchors nothing is validated and nothing is secure', async () => {
    const { resolver } = makeResolver({ trustAnchors: [] });
    const a = await resolver.resolve({ name: n('www.expired.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR);
    assert.equal(a.security, 'insecure');
    assert.equal(a.ad, false);
  });
});

describe('iteration', () => {
  it('primes the root from the hints and starts at the deepest cached zone cut', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    assert.deepEqual(net.log[0], { address: '127.0.0.1', qname: '.', qtype: RRType.NS, tcp: false, edns: true, dnssecOk: true });
    const mark = net.log.length;
    await resolver.resolve({ name: n('ns.example.test.'), type: RRType.AAAA }, {});
    const later = net.since(mark);
    assert.ok(later.length > 0);
    assert.ok(later.every((q) => q.address === '127.0.2.1'), 'straight to the example.test. servers');
  });

  it('minimises QNAME by default (RFC 9156) and not when told not to', async () => {
    const min = makeResolver();
    await min.resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    const toRoot = min.net.log.filter((q) => q.address === '127.0.0.1' && q.qtype !== RRType.NS && q.qtype !== RRType.DNSKEY);
    assert.deepEqual(toRoot.map((q) => q.qname), ['test.']);
    const full = makeResolver({ qnameMinimisation: false });
    await full.resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    const toRoot2 = full.net.log.filter((q) => q.address === '127.0.0.1' && q.qtype === A);
    assert.deepEqual(toRoot2.map((q) => q.qname), ['www.example.test.']);
  });

  it('asks the whole name with QTYPE A before the real QTYPE, unless the cache holds that A answer (RFC 9156 §3 steps 5-6)', async () => {
    const { resolver, net } = makeResolver();
    const txt = await resolver.resolve({ name: n('www.example.test.'), type: RRType.TXT }, {});
    assert.equal(txt.rcode, Rcode.NOERROR);
    const asked = net.log.filter((q) => q.qname === 'www.example.test.').map((q) => q.qtype);
    assert.deepEqual(asked, [A, RRType.TXT], 'the probe, then the real question');
    await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    const mark = net.log.length;
    await resolver.resolve({ name: n('www.example.test.'), type: RRType.AAAA }, {});
    assert.deepEqual(net.since(mark).filter((q) => q.qname === 'www.example.test.').map((q) => q.qtype), [RRType.AAAA], 'the cached A answer stands for the probe');
    const knot = makeResolver({ qnameMinimisationHideQtype: false });
    await knot.resolver.resolve({ name: n('www.example.test.'), type: RRType.TXT }, {});
    assert.deepEqual(knot.net.log.filter((q) => q.qname === 'www.example.test.').map((q) => q.qtype), [RRType.TXT], 'hide-qtype off: no probe');
  });

  it('ignores out-of-bailiwick glue and looks the name server up itself', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('www.oob.test.'), type: A }, {});
    assert.deepEqual(addresses(a), ['192.0.2.7']);
    assert.ok(!net.log.some((q) => q.address === '127.0.9.9'), 'the poisoned address is never used');
    assert.ok(net.log.some((q) => q.qname === 'ns.other.' && q.address === '127.0.3.1'));
  });

  it('moves on from a server that times out, and remembers it in the infra cache', async () => {
    const { resolver, net, caches } = makeResolver();
    const a = await resolver.resolve({ name: n('www.lame.test.'), type: A }, {});
    assert.deepEqual(addresses(a), ['192.0.2.8']);
    assert.ok(net.log.some((q) => q.address === '127.0.5.1'));
    assert.ok((caches.infra.info('127.0.5.1')?.timeouts ?? 0) > 0);
  });

  it('marks a REFUSED server lame for the zone and uses the other', async () => {
    const world = buildWorld();
    world.net.servers.get('127.0.5.1')!.mode = 'refused';
    const { resolver, caches } = makeResolver({}, world);
    const a = await resolver.resolve({ name: n('www.lame.test.'), type: A }, {});
    assert.deepEqual(addresses(a), ['192.0.2.8']);
    assert.ok(world.net.log.some((q) => q.address === '127.0.5.1'));
    assert.ok(caches.infra.isLame('127.0.5.1', n('lame.test.')));
  });

  it('asks again over TCP after a truncated UDP reply', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('www.tcp.test.'), type: A }, {});
    assert.deepEqual(addresses(a), ['192.0.2.11']);
    const toServer = net.log.filter((q) => q.address === '127.0.6.2');
    assert.deepEqual(toServer.map((q) => q.tcp), [false, true]);
    const big = await resolver.resolve({ name: n('big.example.test.'), type: RRType.TXT }, { do: true });
    assert.equal(big.security, 'secure');
    assert.ok(net.log.some((q) => q.qname === 'big.example.test.' && q.tcp));
  });

  it('falls back to plain DNS for a server that answers FORMERR to EDNS, and remembers', async () => {
    const { resolver, net, caches } = makeResolver();
    const a = await resolver.resolve({ name: n('www.noedns.test.'), type: A }, {});
    assert.deepEqual(addresses(a), ['192.0.2.10']);
    assert.equal(caches.infra.ednsStatus('127.0.6.1'), 'no-edns');
    const mark = net.log.length;
    await resolver.resolve({ name: n('ns.noedns.test.'), type: RRType.TXT }, {});
    const later = net.since(mark).filter((q) => q.address === '127.0.6.1');
    assert.ok(later.length > 0);
    assert.ok(later.every((q) => !q.edns), 'no EDNS attempt any more');
  });

  it('0x20: queries in random case still resolve', async () => {
    const { resolver } = makeResolver({ use0x20: true });
    const a = await resolver.resolve({ name: n('www.example.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.1']);
    assert.equal(a.security, 'secure');
  });

  it('no server reachable: SERVFAIL with EDE 22', async () => {
    const world = buildWorld();
    world.net.servers.get('127.0.0.1')!.mode = 'timeout';
    const { resolver } = makeResolver({}, world);
    const a = await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.equal(a.ede[0]!.infoCode, EdeCode.NO_REACHABLE_AUTHORITY);
    assert.match(a.ede[0]!.extraText, /^R-NOREACH/);
  });
});

describe('work limits', () => {
  it('endless referrals trip the referral limit: SERVFAIL with its EDE, counted', async () => {
    const { resolver } = makeResolver({ limits: { maxReferrals: 5 } });
    const a = await resolver.resolve({ name: n('a.b.c.d.e.f.g.h.i.loop.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.equal(a.ede[0]!.infoCode, EdeCode.OTHER);
    assert.match(a.ede[0]!.extraText, /^R-LIMIT-REFERRALS/);
    assert.equal(resolver.stats.trips.maxReferrals, 1);
  });

  it('NS names resolved per delegation are capped (NXNS)', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('www.nxns.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.equal(a.ede[0]!.infoCode, EdeCode.NO_REACHABLE_AUTHORITY);
    assert.match(a.ede[0]!.extraText, /^R-LIMIT-NSNAMES/);
    const looked = new Set(net.log.filter((q) => /^ns[0-9]\.nowhere\.other\.$/.test(q.qname)).map((q) => q.qname));
    assert.equal(looked.size, 5);
    assert.equal(resolver.stats.trips.maxNsNamesPerDelegation, 1);
  });

  it('CNAME links are capped', async () => {
    const { resolver } = makeResolver({ limits: { maxCnameChain: 1 } });
    const a = await resolver.resolve({ name: n('alias2.example.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.match(a.ede[0]!.extraText, /^R-LIMIT-CNAME/);
  });

  it('upstream queries are capped', async () => {
    const { resolver, net } = makeResolver({ limits: { maxUpstreamQueries: 3 } });
    const a = await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.match(a.ede[0]!.extraText, /^R-LIMIT-UPSTREAM/);
    assert.equal(net.log.length, 3);
  });

  it('wall time comes from the injected clock', async () => {
    const slow = (net: Transport, clock: ManualClock): Transport => ({
      query: (server, bytes, o) => {
        clock.advance(1000);
        return net.query(server, bytes, o);
      },
    });
    const { resolver } = makeResolver({ limits: { wallTimeMs: 2500 } }, buildWorld(), slow);
    const a = await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.SERVFAIL);
    assert.match(a.ede[0]!.extraText, /^R-LIMIT-TIME/);
    assert.equal(resolver.stats.trips.wallTimeMs, 1);
  });
});

describe('caching', () => {
  it('a repeated question is answered from the cache with no upstream query', async () => {
    const { resolver, net, clock } = makeResolver();
    const first = await resolver.resolve({ name: n('alias2.example.test.'), type: A }, { do: true });
    assert.equal(first.fromCache, false);
    const mark = net.log.length;
    clock.advance(10_000);
    const second = await resolver.resolve({ name: n('alias2.example.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0);
    assert.equal(second.fromCache, true);
    assert.equal(second.ad, true);
    assert.deepEqual(types(second.answer), types(first.answer));
    assert.ok(second.answer.every((r) => r.ttl <= 3600 - 10), 'TTLs count down');
    assert.equal(resolver.stats.cacheAnswers, 1);
  });

  it('negative answers are cached (RFC 2308)', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('nx.example.test.'), type: A }, {});
    await resolver.resolve({ name: n('www.example.test.'), type: RRType.TXT }, {});
    const mark = net.log.length;
    const nx = await resolver.resolve({ name: n('nx.example.test.'), type: A }, { do: true });
    const nodata = await resolver.resolve({ name: n('www.example.test.'), type: RRType.TXT }, {});
    assert.equal(net.since(mark).length, 0);
    assert.equal(nx.rcode, Rcode.NXDOMAIN);
    assert.equal(nx.ad, true);
    assert.equal(nodata.rcode, Rcode.NOERROR);
    assert.equal(nodata.answer.length, 0);
  });

  it('aggressive NSEC (RFC 8198): a name covered by a cached NSEC is answered without asking', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('nx.example.test.'), type: A }, {});
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n('nz.example.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0);
    assert.equal(a.rcode, Rcode.NXDOMAIN);
    assert.equal(a.security, 'secure');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC));
  });

  it('aggressive NSEC3: a name whose hash a cached NSEC3 covers is answered without asking', async () => {
    const { resolver, net, caches } = makeResolver();
    await resolver.resolve({ name: n('nx.n3.test.'), type: A }, {});
    let covered: string | undefined;
    for (let i = 0; i < 200 && covered === undefined; i++) {
      const name = `c${i}.n3.test.`;
      if (caches.aggressive!.synthesize(n(name), A).kind === 'nxdomain') covered = name;
    }
    assert.ok(covered !== undefined);
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n(covered), type: A }, {});
    assert.equal(net.since(mark).length, 0);
    assert.equal(a.rcode, Rcode.NXDOMAIN);
    assert.equal(a.security, 'secure');
  });

  it('aggressive NSEC3 wildcard: a validated expansion lets other names under the wildcard be answered without asking', async () => {
    const { resolver, net, caches } = makeResolver();
    const first = await resolver.resolve({ name: n('x.w.n3.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(first), ['192.0.2.17']);
    assert.equal(first.security, 'secure');
    // The answer carried one NSEC3 (covering the next closer name) and none for w.n3.test. or
    // *.w.n3.test. (RFC 5155 §7.2.6): the wildcard is known from the expansion itself.
    let covered: string | undefined;
    for (let i = 0; i < 200 && covered === undefined; i++) {
      const name = `c${i}.w.n3.test.`;
      if (caches.aggressive!.synthesize(n(name), A).kind === 'wildcard') covered = name;
    }
    assert.ok(covered !== undefined, 'some name under *.w is covered by the cached NSEC3 and expanded');
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n(covered), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0, 'answered from the cache');
    assert.deepEqual(addresses(a), ['192.0.2.17']);
    assert.equal(a.security, 'secure');
    assert.ok(a.answer.every((r) => r.name.equals(n(covered))), 'the expansion carries the name asked');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC3), 'with the NSEC3 proving it under DO');
  });

  it('a minimised step answered before (the empty non-terminal above a wildcard) is not asked again (RFC 9156 §3, as Unbound)', async () => {
    const { resolver, net, clock, caches } = makeResolver();
    const first = await resolver.resolve({ name: n('x.w.n3.test.'), type: A }, {});
    assert.deepEqual(addresses(first), ['192.0.2.17']);
    const toN3 = (from: number): string[] => net.since(from).filter((q) => q.address === '127.0.2.2' && q.qtype === A).map((q) => q.qname);
    assert.deepEqual(toN3(0), ['w.n3.test.', 'x.w.n3.test.'], 'first descent: the non-terminal, then the name');
    // Names the cached NSEC3 does not cover, so that the resolver asks for them (RFC 8198 aside).
    const uncovered: string[] = [];
    for (let i = 0; i < 200 && uncovered.length < 2; i++) {
      const name = `c${i}.w.n3.test.`;
      if (caches.aggressive!.synthesize(n(name), A).kind === 'none') uncovered.push(name);
    }
    assert.equal(uncovered.length, 2, `two names under *.w not covered by the cached NSEC3: ${uncovered.join(' ')}`);
    let mark = net.log.length;
    const second = await resolver.resolve({ name: n(uncovered[0]!), type: A }, {});
    assert.deepEqual(addresses(second), ['192.0.2.17'], 'the same answer');
    assert.equal(second.security, first.security, 'with the same security');
    assert.deepEqual(toN3(mark), [uncovered[0]], 'w.n3.test. is not asked again');
    // The NODATA for w.n3.test. A lives min(SOA TTL, MINIMUM) (RFC 2308 §5); after that it is asked again.
    clock.advance(4000 * 1000);
    mark = net.log.length;
    await resolver.resolve({ name: n(uncovered[1]!), type: A }, {});
    assert.deepEqual(toN3(mark).slice(0, 1), ['w.n3.test.'], 'asked again once the step has expired');
  });

  it('wildcard answers come from the cached wildcard with their NSEC proof', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('anything.wild.example.test.'), type: A }, { do: true });
    const mark = net.log.length;
    for (const name of ['anything.wild.example.test.', 'other.wild.example.test.']) {
      const a = await resolver.resolve({ name: n(name), type: A }, { do: true });
      assert.deepEqual(addresses(a), ['192.0.2.9']);
      assert.equal(a.security, 'secure');
      assert.ok(a.answer.every((r) => r.name.equals(n(name))));
      assert.ok(a.authority.some((r) => r.type === RRType.NSEC), `${name}: the proof goes with it`);
    }
    assert.equal(net.since(mark).length, 0);
  });

  it('a wildcard CNAME is expanded from the cache for another name, with its NSEC proof (RFC 8198 §5.3)', async () => {
    const { resolver, net } = makeResolver();
    // The expansion for x.wc carries the NSEC at *.wc (it covers every name below wc), which both
    // shows the wildcard exists and covers y.wc; the wildcard CNAME is cached as *.wc.
    await resolver.resolve({ name: n('x.wc.example.test.'), type: A }, { do: true });
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n('y.wc.example.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['y.wc.example.test. 5', 'www.other. 1']);
    assert.equal(a.security, 'secure');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC), 'the proof of the expansion goes with it under DO');
    assert.equal(net.since(mark).length, 0, 'nothing asked: the CNAME came from the cached wildcard, the target from the cache');
  });

  it('identical questions in flight share one resolution', async () => {
    const { resolver, net } = makeResolver();
    const [a, b] = await Promise.all([
      resolver.resolve({ name: n('www.example.test.'), type: A }, { do: true }),
      resolver.resolve({ name: n('www.example.test.'), type: A }, {}),
    ]);
    assert.deepEqual(addresses(a), addresses(b));
    assert.equal(resolver.stats.coalesced, 1);
    assert.equal(net.log.filter((q) => q.qname === 'www.example.test.').length, 1);
    assert.ok(a.answer.some((r) => r.type === RRType.RRSIG));
    assert.ok(!b.answer.some((r) => r.type === RRType.RRSIG), 'DO is per client');
  });

  it('refuses other classes and meta-types other than ANY, without upstream traffic', async () => {
    const { resolver, net } = makeResolver();
    const ch = await resolver.resolve({ name: n('version.bind.'), type: RRType.TXT, class: 3 }, {});
    const axfr = await resolver.resolve({ name: n('example.test.'), type: 252 }, {});
    assert.equal(ch.rcode, Rcode.REFUSED);
    assert.equal(axfr.rcode, Rcode.REFUSED);
    assert.equal(net.log.length, 0);
  });

  it('an ancestor\'s secure NXDOMAIN does not deny names under a stub zone below it (RFC 8020 §2)', async () => {
    const world = buildWorld();
    const stub = n('sub.nothere.example.test.');
    const records = parseZoneText(
      'sub.nothere.example.test. 3600 SOA ns.stub. h.stub. 1 1 1 1 1\nsub.nothere.example.test. 3600 NS ns.stub.\nwww.sub.nothere.example.test. 3600 A 192.0.2.99\n',
    ).records;
    world.net.add('127.0.8.1', [new AuthZone(stub, records)]);
    const { resolver, net } = makeResolver({ stubZones: [{ zone: stub, servers: [{ address: '127.0.8.1' }] }], negativeTrustAnchors: [stub] }, world);
    const nx = await resolver.resolve({ name: n('nothere.example.test.'), type: A }, { do: true });
    assert.equal(nx.rcode, Rcode.NXDOMAIN, 'the ancestor does not exist in the public tree');
    assert.equal(nx.security, 'secure', 'and that is proven');
    const before = net.log.length;
    const inferred = await resolver.resolve({ name: n('x.nothere.example.test.'), type: A }, {});
    assert.equal(inferred.rcode, Rcode.NXDOMAIN, 'a name below it is denied from the cache');
    assert.equal(net.log.length, before, 'without asking anyone');
    const below = await resolver.resolve({ name: n('www.sub.nothere.example.test.'), type: A }, {});
    assert.equal(below.rcode, Rcode.NOERROR, 'the stub zone answers for its names');
    assert.deepEqual(addresses(below), ['192.0.2.99']);
  });

  it('answers QCLASS ANY with the class IN data (RFC 1035 §3.2.5), validated as for IN', async () => {
    const { resolver } = makeResolver();
    const any = await resolver.resolve({ name: n('www.example.test.'), type: A, class: 255 }, { do: true });
    assert.equal(any.rcode, Rcode.NOERROR, 'not refused');
    assert.ok(any.ad, 'validated like the IN question');
    assert.ok(any.answer.some((r) => r.type === A && r.class === 1), 'the class IN records');
  });

  it('fetchFresh asks upstream even when the answer is cached (RFC 5011 probes)', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('example.test.'), type: RRType.DNSKEY }, { do: true });
    const before = net.log.length;
    const msg = await resolver.fetchFresh(n('example.test.'), RRType.DNSKEY);
    assert.ok(net.log.length > before, 'an upstream query was sent despite the cached DNSKEY RRset');
    assert.ok(msg?.answer.some((r) => r.type === RRType.DNSKEY) === true, 'the response holds the DNSKEY RRset');
  });

  it('RD=0 answers from the cache only; a miss gets the closest cached delegation as a referral', async () => {
    const { resolver, net } = makeResolver();
    // Nothing cached: the root hints are the closest delegation known (no upstream query, no AD).
    const cold = await resolver.resolve({ name: n('www.example.test.'), type: A }, { rd: false, ad: true, do: true });
    assert.equal(cold.rcode, Rcode.NOERROR, 'a referral, not an error');
    assert.equal(net.log.length, 0, 'no upstream query without RD');
    assert.ok(!cold.ad, 'a referral from the caches is never AD');
    assert.deepEqual(cold.answer, [], 'no answer records');
    assert.ok(cold.authority.length > 0 && cold.authority.every((r) => r.type === RRType.NS && r.name.isRoot()), 'the root NS from the hints');
    await resolver.resolve({ name: n('www.example.test.'), type: A }, {});
    const warm = await resolver.resolve({ name: n('www.example.test.'), type: A }, { rd: false });
    assert.deepEqual(addresses(warm), ['192.0.2.1']);
    // Another name of the zone, not cached: the example.test. delegation with its server's address.
    const sent = net.log.length;
    const ref = await resolver.resolve({ name: n('nothere.example.test.'), type: A }, { rd: false, do: true });
    assert.equal(net.log.length, sent, 'still no upstream query');
    assert.equal(ref.rcode, Rcode.NOERROR);
    assert.equal(ref.ad, false);
    assert.deepEqual([...new Set(ref.authority.filter((r) => r.type === RRType.NS).map((r) => r.name.toString()))], ['example.test.']);
    assert.ok(ref.authority.some((r) => r.type === RRType.DS && r.name.toString() === 'example.test.'), 'the validated DS of the cut goes with it (DO)');
    assert.ok(
      ref.additional.some((r) => r.type === A && r.name.toString() === 'ns.example.test.'),
      `the server's cached address in ADDITIONAL: ${ref.additional.map((r) => r.name.toString()).join(', ')}`,
    );
    // A DS question's referral is the parent's side of the cut (RFC 4035 §3.1.4.1).
    const ds = await resolver.resolve({ name: n('sub.example.test.'), type: RRType.DS }, { rd: false });
    assert.ok(ds.authority.some((r) => r.type === RRType.NS && r.name.toString() === 'example.test.'), 'the delegation above the DS owner');
  });
});

describe('opt-out NSEC3 (RFC 5155 §9.2: no AD when an opt-out span covers the next closer name)', () => {
  it('NXDOMAIN under an opt-out span is insecure, from upstream and from the caches', async () => {
    const { resolver, net, caches } = makeResolver();
    const a = await resolver.resolve({ name: n('nx.oo.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.equal(a.security, 'insecure');
    assert.equal(a.ad, false);
    assert.deepEqual(a.ede, [], 'opt-out is no error: no EDE');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC3), 'the proof still goes to DO clients');
    const mark = net.log.length;
    const again = await resolver.resolve({ name: n('nx.oo.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0, 'answered from the negative cache');
    assert.equal(again.rcode, Rcode.NXDOMAIN);
    assert.equal(again.ad, false, 'the negative cache keeps it insecure');
    // Neither the negative cache (RFC 8020 needs a secure NXDOMAIN) nor the aggressive cache
    // (RFC 8198 §5.2: no synthesis from opt-out spans) makes a secure denial of it.
    assert.equal(caches.aggressive!.synthesize(n('ny.oo.test.'), A).kind, 'none');
    for (const name of ['below.nx.oo.test.', 'ny.oo.test.']) {
      const m = net.log.length;
      const r = await resolver.resolve({ name: n(name), type: A }, { do: true });
      assert.equal(r.rcode, Rcode.NXDOMAIN, name);
      assert.equal(r.ad, false, `${name}: not secure`);
      assert.ok(net.since(m).length > 0, `${name}: asked upstream, not synthesised`);
    }
  });

  it('a wildcard answer and a wildcard NODATA resting on an opt-out span are insecure', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('foo.wild.oo.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.15']);
    assert.equal(a.security, 'insecure');
    assert.equal(a.ad, false);
    const other = await resolver.resolve({ name: n('bar.wild.oo.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(other), ['192.0.2.15']);
    assert.equal(other.ad, false, 'no secure expansion from the cached wildcard either');
    const nodata = await resolver.resolve({ name: n('foo.wild.oo.test.'), type: RRType.TXT }, { do: true });
    assert.equal(nodata.rcode, Rcode.NOERROR, JSON.stringify(nodata.ede));
    assert.equal(nodata.answer.length, 0);
    assert.equal(nodata.security, 'insecure');
    assert.equal(nodata.ad, false);
    // Names the zone's NSEC3 records match are still secure: the flag does not matter there.
    const www = await resolver.resolve({ name: n('www.oo.test.'), type: A }, { do: true });
    assert.equal(www.ad, true);
    const wwwNodata = await resolver.resolve({ name: n('www.oo.test.'), type: RRType.TXT }, { do: true });
    assert.equal(wwwNodata.security, 'secure', 'NODATA from the NSEC3 matching www');
    // The wildcard RRset itself is signed data: asked for by its own name it is secure.
    const mark = net.log.length;
    const literal = await resolver.resolve({ name: n('*.wild.oo.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0, 'the wildcard came from the expansion, cached as the wildcard');
    assert.equal(literal.ad, true);
    assert.deepEqual(literal.ede, []);
  });
});

describe('what an expansion leaves in the cache', () => {
  it('the wildcard owner asked after an insecure expansion is secure, and its EDE never names the expansion', async () => {
    const { resolver, net } = makeResolver();
    const exp = await resolver.resolve({ name: n('a.b.wild.cap.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(exp), ['192.0.2.16']);
    assert.equal(exp.security, 'insecure', '60 NSEC3 iterations are over the cap (RFC 9276 §3.2)');
    assert.equal(exp.ede[0]?.infoCode, EdeCode.UNSUPPORTED_NSEC3_ITERATIONS);
    assert.ok(exp.ede[0].extraText.includes('a.b.wild.cap.test.'), `the EDE names the queried name: ${exp.ede[0].extraText}`);
    const mark = net.log.length;
    const literal = await resolver.resolve({ name: n('*.wild.cap.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0, 'from the cache');
    assert.deepEqual(addresses(literal), ['192.0.2.16']);
    assert.equal(literal.security, 'secure', 'no proof is needed for the wildcard owner itself');
    assert.deepEqual(literal.ede, [], 'no EDE borrowed from a.b.wild.cap.test.');
    const again = await resolver.resolve({ name: n('c.wild.cap.test.'), type: A }, { do: true });
    assert.equal(again.security, 'insecure');
    assert.ok(again.ede[0]?.extraText.includes('c.wild.cap.test.') === true, `the EDE names c.wild: ${JSON.stringify(again.ede)}`);
  });
});

describe('the rest of a CNAME chain (RFC 2181 §5.4.1)', () => {
  it('is not taken from the answer that carries the first CNAME: the target is asked for on its own', async () => {
    const world = buildWorld();
    const chain: Transport = {
      query: async (server, query, options) => {
        const q = decodeMessage(query);
        const qn = q.question[0]!.name;
        if (server.address !== '127.0.2.3' || !qn.equals(n('alias.insecure.test.'))) return world.net.query(server, query, options);
        const answer = [
          { name: qn, type: RRType.CNAME, class: 1, ttl: 300, rdata: n('www.insecure.test.').wire.slice() },
          { name: n('www.insecure.test.'), type: A, class: 1, ttl: 300, rdata: Uint8Array.of(6, 6, 6, 6) },
        ];
        const reply = makeResponse(makeQuery(qn, q.question[0]!.type, { id: q.id }), { aa: true, answer });
        return { kind: 'reply', bytes: encodeMessage(reply).bytes, rttMs: 1, tcp: false };
      },
    };
    const { resolver, net } = makeResolver({}, world, () => chain);
    const a = await resolver.resolve({ name: n('alias.insecure.test.'), type: A }, {});
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(addresses(a), ['192.0.2.4'], 'the address from www.insecure.test.\'s own answer, not the one riding along');
    assert.ok(net.log.some((x) => x.qname === 'www.insecure.test.' && x.qtype === A), 'the target was asked for');
  });
});

describe('validated NSEC records already held deny a DS (RFC 8198, as Unbound\'s negative cache)', () => {
  it('a delegation proven unsigned by an earlier NXDOMAIN\'s NSEC needs no DS query', async () => {
    // Referrals without their NSEC proof (a server minimising its responses): the walk would ask
    // the parent for the DS, unless the NSEC at the delegation is already held.
    const world = buildWorld();
    const minimal: Transport = {
      query: async (server, query, options) => {
        const r = await world.net.query(server, query, options);
        if (r.kind !== 'reply') return r;
        const m = decodeMessage(r.bytes);
        if (m.answer.length > 0 || !m.authority.some((x) => x.type === RRType.NS)) return r;
        const authority = m.authority.filter((x) => x.type === RRType.NS);
        return { ...r, bytes: encodeMessage({ ...m, authority }).bytes };
      },
    };
    const { resolver, net } = makeResolver({}, world, () => minimal);
    const nx = await resolver.resolve({ name: n('uo.example.test.'), type: A }, { do: true });
    assert.equal(nx.rcode, Rcode.NXDOMAIN, JSON.stringify(nx.ede));
    assert.ok(nx.authority.some((r) => r.type === RRType.NSEC && r.name.equals(n('un.example.test.'))), 'the NSEC at un.example.test. came with it');
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n('www.un.example.test.'), type: A }, { do: true });
    assert.deepEqual(addresses(a), ['192.0.2.12'], JSON.stringify(a.ede));
    assert.equal(a.ad, false, 'below an unsigned delegation');
    assert.ok(
      !net.since(mark).some((x) => x.qname === 'un.example.test.' && x.qtype === RRType.DS),
      `no DS query: ${JSON.stringify(net.since(mark))}`,
    );
  });
});

describe('a DS question and a cached CNAME', () => {
  it('is not redirected by the CNAME owned by the name: it is asked of the parent side (RFC 4035 §3.1.4.1)', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('alias2.example.test.'), type: A }, { do: true });
    const mark = net.log.length;
    await resolver.resolve({ name: n('alias2.example.test.'), type: RRType.DS }, { do: true });
    assert.ok(
      net.since(mark).some((x) => x.qname === 'alias2.example.test.' && x.qtype === RRType.DS),
      `the DS question went upstream for the name itself: ${JSON.stringify(net.since(mark))}`,
    );
    assert.ok(!net.since(mark).some((x) => x.qname === 'alias.example.test.' && x.qtype === RRType.DS), 'not for the CNAME target');
  });
});

describe('questions answered through a DNAME (RFC 6672)', () => {
  it('a CNAME question below a DNAME: the DNAME and the CNAME it implies, secure, then the same from the cache', async () => {
    const { resolver, net } = makeResolver();
    const q = { name: n('www.dn.example.test.'), type: RRType.CNAME };
    const a = await resolver.resolve(q, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, JSON.stringify(a.ede));
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['dn.example.test. 39', 'www.dn.example.test. 5']);
    assert.equal(a.ad, true, 'the CNAME is as secure as the signed DNAME');
    assert.ok(!net.log.some((x) => x.qname === 'www.other.'), 'the CNAME target is not asked for');
    const mark = net.log.length;
    const other = await resolver.resolve({ name: n('ftp.dn.example.test.'), type: RRType.CNAME }, { do: true });
    assert.equal(net.since(mark).length, 0, 'synthesised from the cached DNAME');
    assert.deepEqual(types(other.answer.filter((r) => r.type !== RRType.RRSIG)), ['dn.example.test. 39', 'ftp.dn.example.test. 5']);
    assert.equal(decodeTyped(RRType.CNAME, other.answer.find((r) => r.type === RRType.CNAME)!.rdata).target.toString(), 'ftp.other.');
    assert.equal(other.ad, true);
  });

  it('a DNAME question below a cached DNAME is redirected by it (the DNAME at the ancestor applies first)', async () => {
    const { resolver, net } = makeResolver();
    await resolver.resolve({ name: n('www.dn.example.test.'), type: A }, { do: true });
    const mark = net.log.length;
    const a = await resolver.resolve({ name: n('sub.dn.example.test.'), type: RRType.DNAME }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['dn.example.test. 39', 'sub.dn.example.test. 5']);
    assert.ok(
      net.since(mark).every((x) => x.qname !== 'sub.dn.example.test.'),
      'the name below the DNAME is not asked for again: the cached DNAME answers for it',
    );
    assert.ok(net.since(mark).some((x) => x.qname === 'sub.other.'), 'the substituted name is');
  });

  it('a CNAME question whose server chased the CNAME to an NXDOMAIN: NXDOMAIN proven at the target; later from the cache, the CNAME', async () => {
    // co.test.'s server follows chains into other. (which it serves too) for every type, CNAME
    // included, as the servers of Unbound's val_cnameqtype do: it answers the A question's reply.
    const world = buildWorld();
    const chasing: Transport = {
      query: async (server, query, options) => {
        const q = decodeMessage(query);
        const question = q.question[0]!;
        if (server.address !== '127.0.3.1' || question.type !== RRType.CNAME || !question.name.isSubdomainOf(n('co.test.'))) {
          return world.net.query(server, query, options);
        }
        const asA = encodeMessage({ ...q, question: [{ ...question, type: A }] }).bytes;
        const r = await world.net.query(server, asA, options);
        if (r.kind !== 'reply') return r;
        const m = decodeMessage(r.bytes);
        return { ...r, bytes: encodeMessage({ ...m, question: [question] }).bytes };
      },
    };
    const { resolver, net } = makeResolver({}, world, () => chasing);
    const q = { name: n('xdangling.co.test.'), type: RRType.CNAME };
    const a = await resolver.resolve(q, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.equal(a.ad, true, 'the NXDOMAIN is proven in other.');
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['xdangling.co.test. 5']);
    assert.ok(a.authority.some((r) => r.type === RRType.SOA && r.name.equals(n('other.'))), 'other.\'s SOA');
    assert.ok(net.log.some((x) => x.qname === 'nothere.other.' && x.qtype === RRType.CNAME), 'the target asked for at its own zone');
    const mark = net.log.length;
    const again = await resolver.resolve(q, { do: true });
    assert.equal(net.since(mark).length, 0, 'from the cache');
    assert.equal(again.rcode, Rcode.NOERROR, 'the cached CNAME answers the CNAME question');
    assert.equal(again.ad, true);
  });

  it('YXDOMAIN from a DNAME is passed on with the DNAME, not retried (RFC 6672 §2.2)', async () => {
    const world = buildWorld();
    const dname = { name: n('yx.insecure.test.'), type: RRType.DNAME, class: 1, ttl: 300, rdata: n(`${'t'.repeat(60)}.${'u'.repeat(60)}.insecure.test.`).wire.slice() };
    let asked = 0;
    const wrap: Transport = {
      query: async (server, query, options) => {
        const q = decodeMessage(query);
        const qn = q.question[0]!.name;
        if (server.address !== '127.0.2.3' || !qn.isSubdomainOf(dname.name) || qn.equals(dname.name)) return world.net.query(server, query, options);
        asked++;
        const reply = makeResponse(makeQuery(qn, q.question[0]!.type, { id: q.id }), { aa: true, rcode: Rcode.YXDOMAIN, answer: [dname] });
        return { kind: 'reply', bytes: encodeMessage(reply).bytes, rttMs: 1, tcp: false };
      },
    };
    const { resolver } = makeResolver({}, world, () => wrap);
    const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(50)}.yx.insecure.test.`;
    const a = await resolver.resolve({ name: n(long), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.YXDOMAIN, JSON.stringify(a.ede));
    assert.deepEqual(types(a.answer), ['yx.insecure.test. 39']);
    assert.equal(a.ad, false, 'from an unsigned zone');
    assert.equal(asked, 1, 'asked once: YXDOMAIN is the answer, not a server failure');
    const again = await resolver.resolve({ name: n(long), type: RRType.TXT }, {});
    assert.equal(again.rcode, Rcode.YXDOMAIN, 'from the cached DNAME');
    assert.equal(asked, 1);
  });
});

describe('a chain into another zone of the same server (RFC 1034 §4.3.2, RFC 6604)', () => {
  it('CNAME to a name that does not exist: the target is asked for at its own zone, the NXDOMAIN validates there', async () => {
    const { resolver, net } = makeResolver();
    const a = await resolver.resolve({ name: n('xdangling.co.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.equal(a.security, 'secure');
    assert.equal(a.ad, true);
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['xdangling.co.test. 5']);
    assert.ok(a.authority.some((r) => r.type === RRType.SOA && r.name.equals(n('other.'))), 'other.\'s SOA');
    assert.ok(a.authority.some((r) => r.type === RRType.NSEC), 'other.\'s NSEC proof');
    assert.ok(
      net.log.some((q) => q.qname === 'nothere.other.' && q.qtype === A),
      'the target was asked for as a question of its own',
    );
    const mark = net.log.length;
    const again = await resolver.resolve({ name: n('xdangling.co.test.'), type: A }, { do: true });
    assert.equal(net.since(mark).length, 0);
    assert.equal(again.rcode, Rcode.NXDOMAIN);
    assert.equal(again.ad, true);
  });

  it('DNAME to a zone of the same server: NXDOMAIN for the substituted name, secure', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('nx.dn.co.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.equal(a.security, 'secure');
    assert.deepEqual(types(a.answer.filter((r) => r.type !== RRType.RRSIG)), ['dn.co.test. 39', 'nx.dn.co.test. 5']);
  });

  it('from an unsigned zone: NXDOMAIN without AD; without trust anchors, NXDOMAIN all the same', async () => {
    const { resolver } = makeResolver();
    const a = await resolver.resolve({ name: n('xdangling.oob.test.'), type: A }, { do: true });
    assert.equal(a.rcode, Rcode.NXDOMAIN, JSON.stringify(a.ede));
    assert.equal(a.security, 'insecure');
    assert.equal(a.ad, false);
    const plain = makeResolver({ trustAnchors: [] });
    const b = await plain.resolver.resolve({ name: n('xdangling.oob.test.'), type: A }, {});
    assert.equal(b.rcode, Rcode.NXDOMAIN, JSON.stringify(b.ede));
    assert.ok(
      plain.net.log.some((q) => q.qname === 'nothere.other.'),
      'the NXDOMAIN cached for nothere.other. came from a question about it, not from oob.test.\'s reply',
    );
  });
});
