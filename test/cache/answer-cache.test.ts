import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache, scanResponse } from '../../src/cache/answer-cache.js';
import { QueryInfo, parseQueryKey, questionKey } from '../../src/cache/query-key.js';
import { RRClass, RRType, Rcode } from '../../src/wire/constants.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { T0, a, n, query, response, soa, ttlsOf } from './fixtures.js';

function keyOf(q: Uint8Array): string {
  const info = new QueryInfo();
  assert.ok(parseQueryKey(q, info));
  return info.key;
}

const A1 = a('192.0.2.1')[0]!;
const A2 = a('192.0.2.2')[0]!;
const wwwAnswer = (ttls: [number, number] = [300, 60]) =>
  response('www.example.', RRType.A, {
    edns: true,
    answer: [
      { name: 'www.example.', type: RRType.A, ttl: ttls[0], rdata: A1 },
      { name: 'www.example.', type: RRType.A, ttl: ttls[1], rdata: A2 },
    ],
  });

test('parseQueryKey reads header, question and OPT; the key matches questionKey and folds case', () => {
  const info = new QueryInfo();
  const q = query('WwW.Example.', RRType.AAAA, { id: 0xbeef, edns: true, do: true, cd: true, udpSize: 4096 });
  assert.ok(parseQueryKey(q, info));
  assert.equal(info.id, 0xbeef);
  assert.equal(info.qtype, RRType.AAAA);
  assert.equal(info.qclass, RRClass.IN);
  assert.equal(info.edns, true);
  assert.equal(info.do, true);
  assert.equal(info.udpSize, 4096);
  assert.equal(info.hasOptions, false);
  assert.equal(info.qnameEnd, 12 + n('www.example.').length);
  assert.equal(info.key, questionKey(n('www.example.'), RRType.AAAA, RRClass.IN, { do: true, cd: true, edns: true }));
  assert.equal(keyOf(query('www.example.', RRType.AAAA, { edns: true, do: true, cd: true })), info.key);
  // Each flag that changes the response changes the key; RD and AD do not.
  const keys = new Set([
    keyOf(query('www.example.', RRType.A)),
    keyOf(query('www.example.', RRType.A, { edns: true })),
    keyOf(query('www.example.', RRType.A, { edns: true, do: true })),
    keyOf(query('www.example.', RRType.A, { cd: true })),
    keyOf(query('www.example.', RRType.AAAA)),
    keyOf(query('www.example.', RRType.A, { class: RRClass.CH })),
  ]);
  assert.equal(keys.size, 6);
  assert.equal(keyOf(query('www.example.', RRType.A, { rd: false, ad: true })), keyOf(query('www.example.', RRType.A)));
  // Small payload sizes count as 512 (RFC 6891 §6.2.5); options are noticed.
  assert.ok(parseQueryKey(query('x.', RRType.A, { edns: true, udpSize: 100, options: Uint8Array.of(0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8) }), info));
  assert.equal(info.udpSize, 512);
  assert.equal(info.hasOptions, true);
});

test('parseQueryKey sends anything unusual to the slow path', () => {
  const info = new QueryInfo();
  const good = query('www.example.', RRType.A, { edns: true });
  const mutate = (f: (b: Uint8Array) => void, from: Uint8Array = good): Uint8Array => {
    const b = from.slice();
    f(b);
    return b;
  };
  assert.ok(parseQueryKey(good, info));
  assert.ok(parseQueryKey(query('.', RRType.NS), info), 'the root');
  const bad: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['header only', good.subarray(0, 12)],
    ['QR set', mutate((b) => (b[2] = b[2]! | 0x80))],
    ['opcode NOTIFY', mutate((b) => (b[2] = b[2]! | (4 << 3)))],
    ['two questions', mutate((b) => (b[5] = 2))],
    ['answer records', mutate((b) => (b[7] = 1))],
    ['authority records', mutate((b) => (b[9] = 1))],
    ['two additional', mutate((b) => (b[11] = 2))],
    ['truncated question', good.subarray(0, 20)],
    ['truncated OPT', good.subarray(0, good.length - 3)],
    ['trailing octet', Uint8Array.of(...good, 0)],
    ['compression pointer', mutate((b) => { b[12] = 0xc0; b[13] = 0x0c; }, query('a.', RRType.A))],
    ['label type 0x40', mutate((b) => (b[12] = 0x41), query('a.', RRType.A))],
    ['EDNS version 1', mutate((b) => (b[good.length - 5] = 1))],
    ['additional not OPT', mutate((b) => (b[good.length - 9] = 250))],
    ['OPT owner not root', mutate((b) => (b[good.length - 11] = 1))],
  ];
  for (const [why, b] of bad) assert.equal(parseQueryKey(b, info), false, why);
  // A name of 255 octets is fine; one more label is not.
  const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`;
  assert.ok(parseQueryKey(query(long, RRType.A), info));
});

test('a hit copies the response and patches ID, RD, CD, AD and the question case from the query', () => {
  const cache = new AnswerCache();
  const key = keyOf(query('www.example.', RRType.A, { edns: true, do: true }));
  assert.ok(cache.store(key, wwwAnswer(), T0, { secure: true }));
  const q = query('WWW.example.', RRType.A, { id: 0x4242, edns: true, do: true, rd: false });
  const r = cache.respond(q, T0)!;
  assert.ok(r);
  assert.equal((r[0]! << 8) | r[1]!, 0x4242);
  assert.equal(r[2]! & 0x01, 0, 'RD copied (clear)');
  assert.equal(r[2]! & 0x80, 0x80, 'QR kept');
  assert.equal(r[3]! & 0x20, 0x20, 'AD: secure and DO');
  assert.deepEqual([...r.subarray(12, 12 + 13)], [...q.subarray(12, 12 + 13)], 'question echoed as asked');
  assert.deepEqual(ttlsOf(r), [300, 60, -0x8000]);
  const r2 = cache.respond(query('www.example.', RRType.A, { id: 1, edns: true, do: true }), T0)!;
  assert.equal(r2[2]! & 0x01, 0x01, 'RD copied (set)');
  assert.notEqual(r2, r, 'fresh buffer per hit');
  // Not secure: no AD even for a DO query; secure but the client set neither DO nor AD: no AD.
  const plainKey = keyOf(query('www.example.', RRType.A, { edns: true }));
  cache.store(plainKey, wwwAnswer(), T0, { secure: true });
  assert.equal(cache.respond(query('www.example.', RRType.A, { edns: true }), T0)![3]! & 0x20, 0);
  assert.equal(cache.respond(query('www.example.', RRType.A, { edns: true, ad: true }), T0)![3]! & 0x20, 0x20);
  const insecureKey = keyOf(query('www.example.', RRType.A, { edns: true, do: true, cd: true }));
  cache.store(insecureKey, wwwAnswer(), T0, { secure: false });
  const r3 = cache.respond(query('www.example.', RRType.A, { edns: true, do: true, cd: true }), T0)!;
  assert.equal(r3[3]! & 0x20, 0);
  assert.equal(r3[3]! & 0x10, 0x10, 'CD copied');
});

test('TTLs count down with elapsed whole seconds, never below 0, and expiry at the smallest TTL is a miss', () => {
  const cache = new AnswerCache();
  const key = keyOf(query('www.example.', RRType.A, { edns: true }));
  cache.store(key, wwwAnswer([300, 60]), T0);
  const ask = (t: number) => cache.respond(query('www.example.', RRType.A, { edns: true }), t);
  assert.deepEqual(ttlsOf(ask(T0 + 999)!), [300, 60, -0x8000]);
  assert.deepEqual(ttlsOf(ask(T0 + 1000)!), [299, 59, -0x8000]);
  assert.deepEqual(ttlsOf(ask(T0 + 10_500)!), [290, 50, -0x8000]);
  assert.deepEqual(ttlsOf(ask(T0 + 59_999)!), [241, 1, -0x8000]);
  // A clock that steps back reads as no time elapsed.
  assert.deepEqual(ttlsOf(ask(T0 - 5000)!), [300, 60, -0x8000]);
  assert.equal(ask(T0 + 60_000), undefined, 'expired at the smallest TTL');
  assert.equal(cache.count, 0);
  assert.equal(cache.stats.expired, 1);
  // lookup(): the same countdown, stored header, fresh copy.
  cache.store(key, wwwAnswer([300, 60]), T0);
  const l = cache.lookup(key, T0 + 30_000)!;
  assert.deepEqual(ttlsOf(l), [270, 30, -0x8000]);
  l.fill(0);
  assert.deepEqual(ttlsOf(cache.lookup(key, T0 + 30_000)!), [270, 30, -0x8000]);
  assert.equal(cache.lookup('nope', T0), undefined);
});

test('negative answers count down the SOA TTL; a response without records needs an explicit lifetime', () => {
  const cache = new AnswerCache();
  const s = soa('example.', 900, 900);
  const key = keyOf(query('nx.example.', RRType.A));
  const nx = response('nx.example.', RRType.A, { rcode: Rcode.NXDOMAIN, authority: [{ name: 'example.', type: RRType.SOA, ttl: 900, rdata: s.rrset.rdatas[0]! }] });
  assert.ok(cache.store(key, nx, T0));
  assert.deepEqual(ttlsOf(cache.respond(query('nx.example.', RRType.A), T0 + 100_000)!), [800]);
  const sf = response('fail.example.', RRType.A, { rcode: Rcode.SERVFAIL });
  const sfKey = keyOf(query('fail.example.', RRType.A));
  assert.equal(cache.store(sfKey, sf, T0), false);
  assert.ok(cache.store(sfKey, sf, T0, { ttl: 5 }));
  assert.ok(cache.respond(query('fail.example.', RRType.A), T0 + 4999));
  assert.equal(cache.respond(query('fail.example.', RRType.A), T0 + 5000), undefined);
});

test('invalidate(tag) drops exactly the entries stored with the tag; replaced and evicted entries leave the index', () => {
  const cache = new AnswerCache();
  const s = soa('example.', 900, 900);
  const nxFor = (name: string): Uint8Array =>
    response(name, RRType.A, { rcode: Rcode.NXDOMAIN, authority: [{ name: 'example.', type: RRType.SOA, ttl: 900, rdata: s.rrset.rdatas[0]! }] });
  const k1 = keyOf(query('nx1.example.', RRType.A));
  const k2 = keyOf(query('nx2.example.', RRType.A));
  const k3 = keyOf(query('nx3.example.', RRType.A));
  assert.ok(cache.store(k1, nxFor('nx1.example.'), T0, { tag: 'soa/example' }));
  assert.ok(cache.store(k2, nxFor('nx2.example.'), T0, { tag: 'soa/example' }));
  assert.ok(cache.store(k3, nxFor('nx3.example.'), T0, { tag: 'soa/other' }));
  assert.ok(cache.store(keyOf(query('www.example.', RRType.A)), wwwAnswer(), T0));
  // nx2 stored again without a tag: no longer dropped with the zone's entries.
  assert.ok(cache.store(k2, nxFor('nx2.example.'), T0));
  assert.equal(cache.invalidate('soa/example'), 1, 'only nx1 carried the tag still');
  assert.equal(cache.respond(query('nx1.example.', RRType.A), T0), undefined, 'nx1 dropped');
  assert.ok(cache.respond(query('nx2.example.', RRType.A), T0), 'nx2 kept');
  assert.ok(cache.respond(query('nx3.example.', RRType.A), T0), 'another tag kept');
  assert.ok(cache.respond(query('www.example.', RRType.A), T0), 'untagged kept');
  assert.equal(cache.invalidate('soa/example'), 0, 'nothing left under the tag');
  cache.delete(k3);
  assert.equal(cache.invalidate('soa/other'), 0, 'a deleted entry left the index');
});

test('a lifetime cap shorter than the TTLs ends the entry first (a negative entry showing a newer SOA)', () => {
  const cache = new AnswerCache();
  const s = soa('example.', 10, 10);
  const key = keyOf(query('nx.example.', RRType.A));
  const nx = response('nx.example.', RRType.A, { rcode: Rcode.NXDOMAIN, authority: [{ name: 'example.', type: RRType.SOA, ttl: 10, rdata: s.rrset.rdatas[0]! }] });
  assert.ok(cache.store(key, nx, T0, { ttl: 5 }));
  assert.deepEqual(ttlsOf(cache.respond(query('nx.example.', RRType.A), T0 + 4_999)!), [6], 'the SOA TTL shown counts down from its own value');
  assert.equal(cache.respond(query('nx.example.', RRType.A), T0 + 5_000), undefined, 'gone when the cap runs out');
});

test('store refuses what it cannot serve safely; lifetimes are capped', () => {
  const cache = new AnswerCache({ maxTtl: 100 });
  const key = keyOf(query('www.example.', RRType.A, { edns: true }));
  assert.equal(cache.store(key, response('www.example.', RRType.A, { tc: true, answer: [{ name: 'www.example.', type: RRType.A, ttl: 300, rdata: A1 }] }), T0), false, 'TC');
  assert.equal(cache.store(key, response('other.example.', RRType.A, { answer: [{ name: 'other.example.', type: RRType.A, ttl: 300, rdata: A1 }] }), T0), false, 'question differs');
  assert.equal(cache.store(key, response('www.example.', RRType.AAAA), T0, { ttl: 5 }), false, 'type differs');
  assert.equal(cache.store(key, wwwAnswer([0, 60]), T0), false, 'a zero TTL');
  assert.equal(cache.store(key, wwwAnswer().subarray(0, 40), T0), false, 'malformed');
  assert.equal(cache.store(key, query('www.example.', RRType.A, { edns: true }), T0), false, 'not a response');
  assert.ok(cache.store(key, response('WWW.EXAMPLE.', RRType.A, { edns: true, answer: [{ name: 'www.example.', type: RRType.A, ttl: 300, rdata: A1 }] }), T0), 'question case does not matter');
  assert.equal(cache.respond(query('www.example.', RRType.A, { edns: true }), T0 + 100_000), undefined, 'maxTtl 100');
  cache.store(key, wwwAnswer([300, 300]), T0, { ttl: 10 });
  assert.equal(cache.respond(query('www.example.', RRType.A, { edns: true }), T0 + 10_000), undefined, 'per-store cap');
  const scan = scanResponse(wwwAnswer());
  assert.equal(scan?.offsets.length, 2, 'the OPT TTL field is not a TTL');
});

test('responses larger than the UDP payload size are misses on UDP, hits on TCP', () => {
  const cache = new AnswerCache();
  const txt = encodeRdata(RRType.TXT, { strings: [new Uint8Array(250).fill(0x61), new Uint8Array(250).fill(0x62)] });
  const big = response('big.example.', RRType.TXT, { answer: [{ name: 'big.example.', type: RRType.TXT, ttl: 60, rdata: txt }] });
  assert.ok(big.length > 512);
  cache.store(keyOf(query('big.example.', RRType.TXT)), big, T0);
  assert.equal(cache.respond(query('big.example.', RRType.TXT), T0), undefined);
  assert.ok(cache.respond(query('big.example.', RRType.TXT), T0, true));
  const bigEdns = response('big.example.', RRType.TXT, { edns: true, answer: [{ name: 'big.example.', type: RRType.TXT, ttl: 60, rdata: txt }] });
  cache.store(keyOf(query('big.example.', RRType.TXT, { edns: true })), bigEdns, T0);
  assert.ok(cache.respond(query('big.example.', RRType.TXT, { edns: true, udpSize: 1232 }), T0));
  assert.equal(cache.respond(query('big.example.', RRType.TXT, { edns: true, udpSize: 512 }), T0), undefined);
});

test('queries with EDNS options can be sent to the slow path', () => {
  const cookie = Uint8Array.of(0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8);
  const fast = new AnswerCache();
  const slow = new AnswerCache({ optionsToSlowPath: true });
  const key = keyOf(query('www.example.', RRType.A, { edns: true }));
  fast.store(key, wwwAnswer(), T0);
  slow.store(key, wwwAnswer(), T0);
  assert.ok(fast.respond(query('www.example.', RRType.A, { edns: true, options: cookie }), T0));
  assert.equal(slow.respond(query('www.example.', RRType.A, { edns: true, options: cookie }), T0), undefined);
  assert.ok(slow.respond(query('www.example.', RRType.A, { edns: true }), T0));
});

test('size stays within maxBytes; entries hit since the last sweep survive it', () => {
  const cache = new AnswerCache({ maxBytes: 20_000 });
  const resp = (i: number) => response(`h${i}.example.`, RRType.A, { answer: [{ name: `h${i}.example.`, type: RRType.A, ttl: 300, rdata: A1 }] });
  for (let i = 0; i < 400; i++) {
    assert.ok(cache.store(keyOf(query(`h${i}.example.`, RRType.A)), resp(i), T0));
    assert.ok(cache.bytes <= 20_000, `${cache.bytes}`);
    if (i > 0) assert.ok(cache.respond(query('h0.example.', RRType.A), T0), `h0 survives (i=${i})`);
  }
  assert.ok(cache.stats.evictions > 0);
  assert.ok(cache.respond(query('h399.example.', RRType.A), T0), 'the newest survives');
  assert.equal(cache.respond(query('h1.example.', RRType.A), T0), undefined);
  assert.equal(cache.store('x', resp(1), T0), false, 'key does not match');
  const tiny = new AnswerCache({ maxBytes: 100 });
  assert.equal(tiny.store(keyOf(query('h1.example.', RRType.A)), resp(1), T0), false, 'larger than the cache');
});

test('delete, prune, clear and the statistics', () => {
  const cache = new AnswerCache();
  const k1 = keyOf(query('www.example.', RRType.A, { edns: true }));
  cache.store(k1, wwwAnswer([10, 10]), T0);
  const k2 = keyOf(query('nx.example.', RRType.A));
  cache.store(k2, response('nx.example.', RRType.A, { rcode: Rcode.NXDOMAIN }), T0, { ttl: 100 });
  assert.equal(cache.prune(T0 + 10_000), 1);
  assert.ok(cache.delete(k2));
  assert.equal(cache.delete(k2), false);
  assert.equal(cache.count, 0);
  assert.equal(cache.bytes, 0);
  cache.store(k1, wwwAnswer(), T0);
  cache.respond(query('www.example.', RRType.A, { edns: true }), T0);
  cache.respond(query('zzz.example.', RRType.A, { edns: true }), T0);
  assert.equal(cache.stats.hits, 1);
  assert.equal(cache.stats.misses, 1);
  assert.equal(cache.lastQuery.qtype, RRType.A);
  cache.clear();
  assert.equal(cache.count, 0);
});
