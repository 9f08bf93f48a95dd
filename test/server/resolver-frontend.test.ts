// The resolver front end: ACL, FORMERR/NOTIMP/BADVERS, answer cache, AD, EDE and truncation, over
// the scripted hierarchy of the resolver tests (no sockets).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache } from '../../src/cache/answer-cache.js';
import { ResolverFrontend } from '../../src/server/resolver-frontend.js';
import { compileAcl, defaultAcl, DEFAULT_ACL_RULES, type AclRule } from '../../src/transport/acl.js';
import { REPLY_LATER, type ClientInfo, type DatagramReply, type DatagramSender } from '../../src/transport/handler.js';
import { parseIp } from '../../src/transport/address.js';
import { NativeSender } from '../../src/transport/native-udp.js';
import { randomBytes } from 'node:crypto';
import { EdeCode, EdnsOption, Rcode, RRType } from '../../src/wire/constants.js';
import { parseEde } from '../../src/wire/edns.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { makeResolver, type TestResolver } from '../resolver/helpers/world.js';
import { NegativeKind } from '../../src/cache/negative-cache.js';
import { SecurityStatus } from '../../src/cache/types.js';
import { RRClass } from '../../src/wire/constants.js';
import { encodeRdata } from '../../src/wire/rdata.js';

const LOCAL: ClientInfo = { address: '127.0.0.1', port: 40000, transport: 'udp' };

function frontend(withCache = true, rules: readonly AclRule[] = []): { fe: ResolverFrontend; upstream: () => number; t: TestResolver } {
  const t = makeResolver();
  const fe = new ResolverFrontend(t.resolver, withCache ? new AnswerCache() : undefined, t.clock, {
    acl: rules.length === 0 ? defaultAcl() : compileAcl([...DEFAULT_ACL_RULES, ...rules]),
    maxConcurrent: 100,
    udpSize: 1232,
    servfailTtl: 5,
  });
  return { fe, upstream: () => t.net.log.length, t };
}

async function ask(fe: ResolverFrontend, bytes: Uint8Array, client: ClientInfo = LOCAL): Promise<Message | undefined> {
  const out = await fe.handle(bytes, client);
  return out === undefined ? undefined : decodeMessage(out);
}

function query(name: string, type: number, opts: Parameters<typeof makeQuery>[2] = { id: 4242 }): Uint8Array {
  return encodeMessage(makeQuery(Name.parse(name), type, { rd: true, ...opts })).bytes;
}

describe('resolver front end', () => {
  it('answers a secure name with AD for a DO client, then from the answer cache with a new ID', async () => {
    const { fe, upstream } = frontend();
    const r1 = await ask(fe, query('www.example.test.', RRType.A, { id: 1, do: true }));
    assert.ok(r1 !== undefined, 'an answer');
    assert.equal(r1.rcode, Rcode.NOERROR);
    assert.equal(r1.flags.ad, true);
    assert.equal(r1.flags.ra, true);
    assert.equal(r1.id, 1);
    const sent = upstream();
    const r2 = await ask(fe, query('WWW.example.test.', RRType.A, { id: 2, do: true }));
    assert.ok(r2 !== undefined, 'an answer');
    assert.equal(r2.id, 2);
    assert.equal(r2.question[0]?.name.toString(), 'WWW.example.test.');
    assert.equal(fe.stats.cacheHits, 1);
    assert.equal(upstream(), sent, 'no upstream traffic for a cache hit');
  });

  it('refuses clients outside the ACL and drops responses and runts', async () => {
    const { fe } = frontend();
    const r = await ask(fe, query('www.example.test.', RRType.A), { address: '192.0.2.77', port: 1, transport: 'udp' });
    assert.equal(r?.rcode, Rcode.REFUSED);
    const response = query('www.example.test.', RRType.A);
    response[2]! |= 0x80;
    assert.equal(await ask(fe, response), undefined);
    assert.equal(await ask(fe, Uint8Array.of(1, 2, 3)), undefined);
  });

  it('the ACL decides per client address even when clients alternate and the answer is cached', async () => {
    const { fe } = frontend(true, [{ netblock: '198.51.100.0/24', action: 'deny' }]);
    const outside: ClientInfo = { address: '192.0.2.77', port: 1, transport: 'udp' };
    const denied: ClientInfo = { address: '198.51.100.9', port: 1, transport: 'udp' };
    assert.equal((await ask(fe, query('www.example.test.', RRType.A)))?.rcode, Rcode.NOERROR, 'resolved for a local client');
    for (let round = 0; round < 3; round++) {
      assert.equal((await ask(fe, query('www.example.test.', RRType.A), outside))?.rcode, Rcode.REFUSED, `refused outside (${round})`);
      assert.equal((await ask(fe, query('www.example.test.', RRType.A)))?.rcode, Rcode.NOERROR, `local hit (${round})`);
      assert.equal(await ask(fe, query('www.example.test.', RRType.A), denied), undefined, `dropped (${round})`);
      assert.equal(await ask(fe, query('www.example.test.', RRType.A), denied), undefined, `dropped again (${round})`);
    }
    assert.equal(fe.stats.cacheHits, 3);
    assert.equal(fe.stats.refused, 3);
    assert.equal(fe.stats.dropped, 6);
  });

  it('FORMERR for a broken body, NOTIMP for other opcodes, BADVERS for EDNS version 1', async () => {
    const { fe } = frontend(false);
    const good = query('www.example.test.', RRType.A);
    const broken = good.slice(0, good.length - 3);
    const r1 = await ask(fe, broken);
    assert.equal(r1?.rcode, Rcode.FORMERR);
    const status = query('www.example.test.', RRType.A);
    status[2] = (status[2]! & 0x87) | (2 << 3);
    assert.equal((await ask(fe, status))?.rcode, Rcode.NOTIMP);
    const v1 = encodeMessage({ ...makeQuery(Name.parse('www.example.test.'), RRType.A, { id: 5 }), edns: { udpSize: 1232, version: 1, dnssecOk: false, flags: 0, options: [] } }).bytes;
    assert.equal((await ask(fe, v1))?.rcode, Rcode.BADVERS);
    const axfr = query('example.test.', RRType.AXFR);
    assert.equal((await ask(fe, axfr))?.rcode, Rcode.REFUSED);
  });

  it('SERVFAIL with the validator EDE for a bogus name', async () => {
    const { fe } = frontend();
    const r = await ask(fe, query('www.expired.test.', RRType.A, { id: 9, do: true }));
    assert.ok(r !== undefined, 'an answer');
    assert.equal(r.rcode, Rcode.SERVFAIL);
    const edes = (r.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data));
    assert.ok(edes.some((e) => e.infoCode === EdeCode.SIGNATURE_EXPIRED), JSON.stringify(edes));
  });
});

describe('resolver front end, RD clear (cache snooping) and negative answers', () => {
  const edesOf = (r: Message | undefined): number[] =>
    (r?.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data).infoCode);

  it('allow: RD clear is REFUSED with EDE 20, even when the answer is cached; RD set is served', async () => {
    const { fe, upstream } = frontend();
    const warm = await ask(fe, query('www.example.test.', RRType.A, { id: 1, edns: true }));
    assert.equal(warm?.rcode, Rcode.NOERROR);
    const sent = upstream();
    const norec = await ask(fe, query('www.example.test.', RRType.A, { id: 2, rd: false, edns: true }));
    assert.equal(norec?.rcode, Rcode.REFUSED, 'not answered from the answer cache either');
    assert.deepEqual(edesOf(norec), [EdeCode.NOT_AUTHORITATIVE]);
    assert.equal(norec.flags.rd, false);
    assert.equal(upstream(), sent, 'nothing asked upstream');
  });

  it('allow_snoop: RD clear is answered from the caches, a miss with the closest cached delegation, never stored', async () => {
    const { fe, upstream } = frontend(true, [{ netblock: '127.0.0.1', action: 'allow_snoop' }]);
    await ask(fe, query('www.example.test.', RRType.A, { id: 1 }));
    const sent = upstream();
    const hit = await ask(fe, query('www.example.test.', RRType.A, { id: 2, rd: false }));
    assert.equal(hit?.rcode, Rcode.NOERROR);
    assert.equal(hit.flags.rd, false);
    assert.equal(hit.answer.length, 1, 'the cached answer');
    const miss = await ask(fe, query('other.example.test.', RRType.A, { id: 3, rd: false }));
    assert.equal(miss?.rcode, Rcode.NOERROR);
    assert.deepEqual(miss.answer, []);
    assert.deepEqual([...new Set(miss.authority.map((r) => `${r.name.toString()} ${r.type}`))], ['example.test. 2'], 'the example.test. NS RRset');
    assert.ok(miss.additional.some((r) => r.type === RRType.A && r.name.toString() === 'ns.example.test.'), 'with its server address');
    assert.equal(miss.flags.aa, false);
    assert.equal(upstream(), sent, 'no upstream query for RD clear');
    // The referral was not stored: a recursive query for the name resolves it.
    const rec = await ask(fe, query('other.example.test.', RRType.A, { id: 4 }));
    assert.equal(rec?.rcode, Rcode.NXDOMAIN);
    assert.ok(upstream() > sent, 'asked upstream');
  });

  it("a stored negative answer is dropped when its zone's SOA changes, and then shows the new SOA", async () => {
    const { fe, t } = frontend();
    const serialOf = (r: Message | undefined): number | undefined => {
      const rd = r?.authority.find((x) => x.type === RRType.SOA)?.rdata;
      return rd === undefined ? undefined : new DataView(rd.buffer, rd.byteOffset + rd.length - 20).getUint32(0);
    };
    const first = await ask(fe, query('nx.example.test.', RRType.A, { id: 1 }));
    assert.equal(first?.rcode, Rcode.NXDOMAIN);
    assert.equal(serialOf(first), 1);
    await ask(fe, query('nx.example.test.', RRType.A, { id: 2 }));
    assert.equal(fe.stats.cacheHits, 1, 'served from the answer cache');
    t.clock.advance(1_000);
    // Another negative answer of the zone brings serial 2 (as a zone update would).
    const rdata = encodeRdata(RRType.SOA, {
      mname: Name.parse('ns.example.test.'),
      rname: Name.parse('hostmaster.example.test.'),
      serial: 2,
      refresh: 7200,
      retry: 3600,
      expire: 1209600,
      minimum: 300,
    });
    const soa = { rrset: { name: Name.parse('example.test.'), type: RRType.SOA, class: RRClass.IN, ttl: 3600, rdatas: [rdata] }, rrsigs: [] };
    t.caches.negative.insert({ kind: NegativeKind.nxdomain, name: Name.parse('other.example.test.'), type: 0, class: RRClass.IN, soa, status: SecurityStatus.insecure });
    const again = await ask(fe, query('nx.example.test.', RRType.A, { id: 3 }));
    assert.equal(fe.stats.cacheHits, 2, 'an insecure SOA does not replace the secure one: the stored answer stands');
    assert.equal(serialOf(again), 1);
    t.caches.negative.insert({ kind: NegativeKind.nxdomain, name: Name.parse('other.example.test.'), type: 0, class: RRClass.IN, soa, status: SecurityStatus.secure });
    const third = await ask(fe, query('nx.example.test.', RRType.A, { id: 4 }));
    assert.equal(fe.stats.cacheHits, 2, 'the stored answer was dropped');
    assert.equal(third?.rcode, Rcode.NXDOMAIN);
    assert.equal(serialOf(third), 2, 'the newer secure SOA');
    assert.equal(third.authority.find((x) => x.type === RRType.SOA)?.ttl, 300, "with that SOA's negative TTL");
  });
});

describe('resolver front end, edge failures', () => {
  it('answers SERVFAIL (EDE 5, not cached) when resolution throws, and recovers', async () => {
    const t = makeResolver();
    let fail = true;
    const real = t.resolver.resolve.bind(t.resolver);
    t.resolver.resolve = (q, f) => (fail ? Promise.reject(new Error('crypto worker died')) : real(q, f));
    const fe = new ResolverFrontend(t.resolver, new AnswerCache(), t.clock, { acl: defaultAcl(), maxConcurrent: 10, udpSize: 1232, servfailTtl: 5 });
    const r1 = await ask(fe, query('www.example.test.', RRType.A, { id: 1, do: true }));
    assert.ok(r1 !== undefined, 'an answer');
    assert.equal(r1.rcode, Rcode.SERVFAIL);
    const edes = (r1.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data));
    assert.ok(edes.some((e) => e.infoCode === EdeCode.DNSSEC_INDETERMINATE), JSON.stringify(edes));
    fail = false;
    const r2 = await ask(fe, query('www.example.test.', RRType.A, { id: 2, do: true }));
    assert.equal(r2?.rcode, Rcode.NOERROR, 'the failure was not cached');
  });
});

/** A listener's DatagramReply that records what it is given, and resolves when `n` requests have finished. */
function recordingReply(): { reply: DatagramReply; done: { via: unknown; from: DatagramSender; answer?: Uint8Array | undefined; error?: unknown }[]; finished: (n: number) => Promise<void> } {
  const done: { via: unknown; from: DatagramSender; answer?: Uint8Array | undefined; error?: unknown }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const check = (): void => {
    for (const w of waiters) if (done.length >= w.n) w.resolve();
  };
  return {
    done,
    reply: {
      answer: (via, from, answer) => {
        done.push({ via, from, answer });
        check();
      },
      fail: (via, from, error) => {
        done.push({ via, from, error });
        check();
      },
    },
    finished: (n) =>
      new Promise<void>((resolve) => {
        waiters.push({ n, resolve });
        check();
      }),
  };
}

describe('resolver front end, datagrams answered through the listener\'s DatagramReply', () => {
  it('a miss returns REPLY_LATER and its answer goes to the reply target with the via and sender given; a hit stays synchronous', async () => {
    const { fe } = frontend();
    const r = recordingReply();
    const via = { socket: 'the listener\'s' };
    const from = new NativeSender(0x7f000001, undefined, 40005);
    const out = fe.handleDatagram(query('www.example.test.', RRType.A, { id: 21, do: true }), from, r.reply, via);
    assert.equal(out, REPLY_LATER, 'a miss is answered later');
    await r.finished(1);
    assert.equal(r.done.length, 1, 'one completion');
    assert.equal(r.done[0]!.via, via, 'the via given');
    assert.equal(r.done[0]!.from, from, 'the sender given');
    assert.ok(r.done[0]!.answer !== undefined, 'an answer');
    const m = decodeMessage(r.done[0]!.answer);
    assert.equal(m.id, 21, 'its ID');
    assert.equal(m.rcode, Rcode.NOERROR, 'NOERROR');
    assert.equal(m.flags.ad, true, 'AD for a DO client');
    const hit = fe.handleDatagram(query('www.example.test.', RRType.A, { id: 22, do: true }), from, r.reply, via);
    assert.ok(hit instanceof Uint8Array, 'a hit is returned, not handed to the target');
    assert.equal(decodeMessage(hit).id, 22, 'the hit\'s ID');
    const refused = fe.handleDatagram(query('www.example.test.', RRType.A, { id: 23, rd: false }), from, r.reply, via);
    assert.ok(refused instanceof Uint8Array && decodeMessage(refused).rcode === Rcode.REFUSED, 'RD clear: refused at once');
    assert.equal(r.done.length, 1, 'the target was called for the miss only');
  });

  it('a resolver throw is a SERVFAIL (EDE 5, counted, not cached) to the target; a throw while answering goes to fail', async () => {
    const t = makeResolver();
    let mode: 'throw' | 'ok' = 'throw';
    let tagsThrow = false;
    const real = t.resolver.resolve.bind(t.resolver);
    t.resolver.resolve = (q, f) => (mode === 'throw' ? Promise.reject(new Error('crypto worker died')) : real(q, f));
    const fe = new ResolverFrontend(t.resolver, new AnswerCache(), t.clock, {
      acl: defaultAcl(),
      maxConcurrent: 10,
      udpSize: 1232,
      servfailTtl: 5,
      rootKeyTags: () => {
        if (tagsThrow) throw new Error('anchors unreadable');
        return [];
      },
    });
    const r = recordingReply();
    const from = { address: '127.0.0.1', port: 40006 };
    assert.equal(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 31, do: true }), from, r.reply, 'via'), REPLY_LATER, 'later');
    await r.finished(1);
    const sf = r.done[0]!;
    assert.equal(sf.error, undefined, 'a resolver throw is an answer, not a failure');
    assert.ok(sf.answer !== undefined, 'an answer');
    const m = decodeMessage(sf.answer);
    assert.equal(m.rcode, Rcode.SERVFAIL, 'SERVFAIL');
    const edes = (m.edns?.options ?? []).filter((o) => o.code === EdnsOption.EDE).map((o) => parseEde(o.data));
    assert.ok(edes.some((e) => e.infoCode === EdeCode.DNSSEC_INDETERMINATE), JSON.stringify(edes));
    assert.equal(fe.stats.servfail, 1, 'counted');
    mode = 'ok';
    tagsThrow = true;
    assert.equal(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 32, do: true }), from, r.reply, 'via'), REPLY_LATER, 'not cached: resolved again');
    await r.finished(2);
    assert.equal(r.done[1]!.answer, undefined, 'no answer');
    assert.ok(r.done[1]!.error instanceof Error && r.done[1]!.error.message === 'anchors unreadable', `the throw goes to fail: ${String(r.done[1]!.error)}`);
    tagsThrow = false;
    assert.equal(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 33, do: true }), from, r.reply, 'via'), REPLY_LATER, 'resolved again');
    await r.finished(3);
    assert.equal(r.done[2]!.answer === undefined ? undefined : decodeMessage(r.done[2]!.answer).rcode, Rcode.NOERROR, 'and answered');
    assert.equal(r.done.length, 3, 'each request finished once');
  });

  it('queries waiting for the target count against maxConcurrent until they finish', async () => {
    const t = makeResolver();
    const release = deferred();
    const real = t.resolver.resolve.bind(t.resolver);
    t.resolver.resolve = async (q, f) => {
      await release.promise;
      return real(q, f);
    };
    const fe = new ResolverFrontend(t.resolver, new AnswerCache(), t.clock, { acl: defaultAcl(), maxConcurrent: 1, udpSize: 1232, servfailTtl: 5 });
    const r = recordingReply();
    const from = { address: '127.0.0.1', port: 40007 };
    assert.equal(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 41 }), from, r.reply, 'via'), REPLY_LATER, 'the first waits');
    const busy = fe.handleDatagram(query('example.test.', RRType.SOA, { id: 42 }), from, r.reply, 'via');
    assert.ok(busy instanceof Uint8Array, 'over the limit: answered at once');
    assert.equal(decodeMessage(busy).rcode, Rcode.REFUSED, 'REFUSED');
    assert.equal(fe.stats.overloaded, 1, 'counted');
    release.resolve();
    await r.finished(1);
    assert.equal(fe.handleDatagram(query('example.test.', RRType.SOA, { id: 43 }), from, r.reply, 'via'), REPLY_LATER, 'after it finished, the next one is taken');
    await r.finished(2);
    assert.equal(r.done.map((d) => (d.answer === undefined ? -1 : decodeMessage(d.answer).id)).join(','), '41,43', 'both answered');
  });
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('resolver front end, the UDP entry and the clock per event-loop turn', () => {
  it('handleDatagram answers as handle does, hits and misses, with only an address and a port', async () => {
    const { fe } = frontend();
    const from = { address: '127.0.0.1', port: 40001, family: 'IPv4', size: 0 };
    const miss = await fe.handleDatagram(query('www.example.test.', RRType.A, { id: 7, do: true }), from);
    assert.ok(miss !== undefined, 'an answer');
    assert.equal(decodeMessage(miss).rcode, Rcode.NOERROR);
    const hit = fe.handleDatagram(query('www.example.test.', RRType.A, { id: 8, do: true }), from);
    assert.ok(hit instanceof Uint8Array, 'a hit is answered synchronously');
    assert.equal(decodeMessage(hit).id, 8);
    assert.equal(fe.stats.cacheHits, 1);
    // UDP limits apply: no EDNS, 512 octets (RFC 1035 §4.2.1).
    const refused = await fe.handleDatagram(query('www.example.test.', RRType.A, { id: 9, rd: false }), from);
    assert.equal(refused === undefined ? undefined : decodeMessage(refused).rcode, Rcode.REFUSED, 'RD clear refused (allow)');
    const outside = fe.handleDatagram(query('www.example.test.', RRType.A, { id: 10 }), { address: '192.0.2.1', port: 53 });
    const answer = outside instanceof Promise ? await outside : outside;
    assert.equal(answer === undefined ? undefined : decodeMessage(answer).rcode, Rcode.REFUSED, 'outside the ACL');
  });

  it('clockPerTurn: the hits of one turn share one clock reading; the next turn reads it again', async () => {
    const t = makeResolver();
    const fe = new ResolverFrontend(t.resolver, new AnswerCache(), t.clock, { acl: defaultAcl(), maxConcurrent: 10, udpSize: 1232, servfailTtl: 5, clockPerTurn: true });
    const from = { address: '127.0.0.1', port: 40002 };
    const ttlOf = (bytes: Uint8Array | Promise<Uint8Array | undefined> | undefined): number => {
      assert.ok(bytes instanceof Uint8Array, 'a synchronous hit');
      return decodeMessage(bytes).answer[0]!.ttl;
    };
    await fe.handleDatagram(query('www.example.test.', RRType.A, { id: 1 }), from);
    // A new turn, so the stored answer's time and the first hit's reading agree.
    await new Promise((resolve) => setImmediate(resolve));
    const first = ttlOf(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 2 }), from));
    t.clock.advance(5_000);
    assert.equal(ttlOf(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 3 }), from)), first, 'same turn: the reading of its first hit');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(ttlOf(fe.handleDatagram(query('www.example.test.', RRType.A, { id: 4 }), from)), first - 5, 'next turn: the clock read again');
    // Without the option every hit reads the clock.
    const { fe: plain, t: t2 } = frontend();
    await plain.handleDatagram(query('www.example.test.', RRType.A, { id: 1 }), from);
    const p1 = ttlOf(plain.handleDatagram(query('www.example.test.', RRType.A, { id: 2 }), from));
    t2.clock.advance(5_000);
    assert.equal(ttlOf(plain.handleDatagram(query('www.example.test.', RRType.A, { id: 3 }), from)), p1 - 5);
  });

  it('a native sender: the ACL decides from its address bytes, and a hit or a drop makes no address text', async () => {
    const { fe } = frontend(true, [{ netblock: '198.51.100.0/24', action: 'deny' }, { netblock: '2001:db8:1::/48', action: 'allow' }]);
    let texts = 0;
    /** A NativeSender whose text is counted when made. */
    class CountingSender extends NativeSender {
      override get address(): string {
        texts++;
        return super.address;
      }
    }
    const v4 = (a: number, b: number, c: number, d: number): CountingSender => new CountingSender(((a << 24) | (b << 16) | (c << 8) | d) >>> 0, undefined, 40000);
    const v6 = (text: string): CountingSender => new CountingSender(-1, parseIp(text), 40000);
    const rcodeOf = async (from: CountingSender, id: number): Promise<number | undefined> => {
      const out = await fe.handleDatagram(query('www.example.test.', RRType.A, { id }), from);
      return out === undefined ? undefined : decodeMessage(out).rcode;
    };
    assert.equal(await rcodeOf(v4(127, 0, 0, 1), 1), Rcode.NOERROR, 'resolved for loopback');
    texts = 0;
    assert.equal(await rcodeOf(v4(127, 0, 0, 1), 2), Rcode.NOERROR, 'a hit for loopback');
    assert.equal(await rcodeOf(v4(10, 1, 2, 3), 3), Rcode.NOERROR, 'a hit for 10/8');
    assert.equal(await rcodeOf(v6('::1'), 4), Rcode.NOERROR, 'a hit for ::1');
    assert.equal(await rcodeOf(v6('::ffff:192.168.1.1'), 5), Rcode.NOERROR, 'an IPv4-mapped sender follows the IPv4 rules');
    assert.equal(await rcodeOf(v6('2001:db8:1::5'), 6), Rcode.NOERROR, 'a hit for an allowed IPv6 block');
    assert.equal(await rcodeOf(v4(198, 51, 100, 9), 7), undefined, 'deny: dropped');
    assert.equal(texts, 0, 'no address text for hits and drops');
    assert.equal(fe.stats.cacheHits, 5, 'five hits');
    assert.equal(await rcodeOf(v4(192, 0, 2, 77), 8), Rcode.REFUSED, 'outside the ACL: refused');
    assert.equal(await rcodeOf(v6('2001:db8:2::5'), 9), Rcode.REFUSED, 'outside the IPv6 block: refused');
    assert.equal(await rcodeOf(v4(127, 0, 0, 1), 10), Rcode.NOERROR, 'the last-IPv4 memo moves on with the sender');
    assert.equal(await rcodeOf(v4(198, 51, 100, 9), 11), undefined, 'and back to the denied one');
  });

  it('random datagrams from a native sender never make the front end throw', async () => {
    const { fe } = frontend();
    const seed = query('www.example.test.', RRType.A, { id: 1, do: true });
    await fe.handleDatagram(seed, new NativeSender(0x7f000001, undefined, 1));
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 2000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = randomBytes(i % 300);
      } else {
        // A real query with a few octets changed: deep enough to reach the decoder and the cache.
        bytes = Uint8Array.from(seed);
        for (let k = 0; k < 3; k++) bytes[(i * 7 + k * 13) % bytes.length] = (i * 31 + k) & 0xff;
      }
      const from = i % 3 === 0 ? new NativeSender(-1, parseIp('::1'), 1) : new NativeSender(0x7f000001, undefined, 1);
      let out: ReturnType<ResolverFrontend['handleDatagram']>;
      assert.doesNotThrow(() => {
        out = fe.handleDatagram(bytes, from);
      }, `datagram ${i}`);
      if (out! instanceof Promise) pending.push(out);
    }
    const settled = await Promise.allSettled(pending);
    assert.deepEqual(settled.filter((r) => r.status === 'rejected'), [], 'no rejections');
    assert.equal(fe.stats.queries, 2001, 'every datagram counted');
  });
});
