import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache, MAX_PROBE, scanResponse } from '../../src/cache/answer-cache.js';
import { QueryInfo, keyHash, parseQueryKey, queryKeyString, questionHash, questionKey } from '../../src/cache/query-key.js';
import { RRClass, RRType, Rcode } from '../../src/wire/constants.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { T0, a, n, query, response, soa, ttlsOf } from './fixtures.js';

function keyOf(q: Uint8Array): string {
  const info = new QueryInfo();
  assert.ok(parseQueryKey(q, info));
  return queryKeyString(q, info);
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
  assert.equal(queryKeyString(q, info), questionKey(n('www.example.'), RRType.AAAA, RRClass.IN, { do: true, cd: true, edns: true }));
  assert.equal(keyOf(query('www.example.', RRType.AAAA, { edns: true, do: true, cd: true })), queryKeyString(q, info));
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

test('storeResponse keys a response by its own question and the given flags; a miss tells the hash to store with', () => {
  const cache = new AnswerCache({ hashSeed: 0x5eed });
  const asked = query('WWW.Example.', RRType.A, { id: 7, edns: true, do: true });
  assert.equal(cache.respond(asked, T0), undefined, 'empty cache: a miss');
  const hash = cache.missHash;
  const info = new QueryInfo();
  assert.ok(parseQueryKey(asked, info, 0x5eed), 'the query parses');
  assert.equal(hash, info.hash, 'missHash is the key hash of the query missed');
  // The response shows the client's own case in its question: the key folds it (RFC 4343).
  const cased = response('WWW.Example.', RRType.A, {
    edns: true,
    answer: [{ name: 'WWW.Example.', type: RRType.A, ttl: 300, rdata: A1 }],
  });
  assert.ok(cache.storeResponse(cased, 1 | 4, T0, { secure: true }, hash), 'stored with the hash from the miss');
  const r = cache.respond(query('www.example.', RRType.A, { id: 9, edns: true, do: true }), T0);
  assert.ok(r !== undefined, 'a query differing in case hits');
  assert.equal(cache.missHash, 0, 'a hit leaves no miss hash');
  assert.equal(cache.lookup(keyOf(query('www.example.', RRType.A, { edns: true, do: true })), T0)?.length, cased.length, 'found under the key string too');
  assert.equal(cache.respond(query('www.example.', RRType.A, { edns: true }), T0), undefined, 'other key flags: a miss');
  // Without a hash it is computed: the same entry is replaced, not stored twice.
  assert.ok(cache.storeResponse(wwwAnswer(), 1 | 4, T0 + 1000, { secure: true }), 'stored again, hash computed');
  assert.equal(cache.count, 1, 'the entry replaced');
  assert.deepEqual(ttlsOf(cache.respond(asked, T0 + 1000)!), [300, 60, -0x8000], 'the new response served');
  // store(key) and storeResponse find each other's entries.
  assert.ok(cache.store(keyOf(asked), cased, T0 + 2000, { secure: true }), 'stored by key string');
  assert.equal(cache.count, 1, 'store(key) replaced the storeResponse entry');
  assert.ok(cache.storeResponse(cased, 4, T0 + 2000), 'EDNS without DO: a separate entry');
  assert.equal(cache.count, 2, 'two entries, one per key flags');
  // A query the fast path does not parse leaves no hash.
  assert.equal(cache.respond(Uint8Array.of(1, 2, 3), T0), undefined, 'unparsable: no answer');
  assert.equal(cache.missHash, 0, 'unparsable: no hash');
  assert.equal(cache.storeResponse(cased.subarray(0, 20), 4, T0), false, 'a cut-short response is refused');
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
  assert.ok(cache.store(k1, nxFor('nx1.example.'), T0, { tags: ['soa/example'] }));
  assert.ok(cache.store(k2, nxFor('nx2.example.'), T0, { tags: ['soa/example'] }));
  assert.ok(cache.store(k3, nxFor('nx3.example.'), T0, { tags: ['soa/other'] }));
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
  // An entry with several tags goes with any of them, and leaves the other tags' index.
  assert.ok(cache.store(k1, nxFor('nx1.example.'), T0, { tags: ['soa/example', 'rrset/ns'] }));
  assert.equal(cache.invalidate('rrset/ns'), 1);
  assert.equal(cache.invalidate('soa/example'), 0, 'already gone');
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

test('recordTtlCap stores every record TTL at most the cap, and the entry lives at most as long', () => {
  const cache = new AnswerCache();
  const key = keyOf(query('www.example.', RRType.A));
  assert.ok(cache.store(key, wwwAnswer([7200, 2]), T0, { recordTtlCap: 4 }));
  assert.deepEqual(ttlsOf(cache.respond(query('www.example.', RRType.A), T0)!).slice(0, 2), [4, 2], 'capped, and smaller TTLs kept');
  assert.deepEqual(ttlsOf(cache.respond(query('www.example.', RRType.A), T0 + 1_000)!).slice(0, 2), [3, 1]);
  assert.equal(cache.respond(query('www.example.', RRType.A), T0 + 2_000), undefined, 'the smallest TTL still ends it');
  assert.ok(cache.store(key, wwwAnswer([7200, 7200]), T0, { recordTtlCap: 4 }));
  assert.ok(cache.respond(query('www.example.', RRType.A), T0 + 3_999));
  assert.equal(cache.respond(query('www.example.', RRType.A), T0 + 4_000), undefined, 'the cap ends it');
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
  // Into arrays given: emptied first, so a scan after a longer one holds only its own records.
  const offsets = [1, 2, 3, 4, 5];
  const ttls = [9, 9, 9, 9, 9];
  const again = scanResponse(wwwAnswer([30, 20]), offsets, ttls);
  assert.ok(again?.offsets === offsets && again.ttls === ttls, 'the arrays given are filled');
  assert.deepEqual(ttls, [30, 20], 'only this response');
  assert.deepEqual(offsets, scan.offsets, 'the same TTL fields');
});

test('stores one after another (the scan arrays reused) each keep their own records and TTLs', () => {
  const cache = new AnswerCache();
  const two = wwwAnswer([300, 60]);
  const one = response('one.example.', RRType.A, { answer: [{ name: 'one.example.', type: RRType.A, ttl: 120, rdata: A1 }] });
  assert.ok(cache.store(keyOf(query('www.example.', RRType.A)), two, T0), 'two records stored');
  assert.ok(cache.store(keyOf(query('one.example.', RRType.A)), one, T0), 'one record stored');
  const r1 = cache.respond(query('one.example.', RRType.A), T0 + 10_000);
  const r2 = cache.respond(query('www.example.', RRType.A), T0 + 10_000);
  assert.ok(r1 !== undefined && r2 !== undefined, 'both hit');
  assert.deepEqual(ttlsOf(r1), [110], 'the one-record answer counts down its own TTL');
  assert.deepEqual(ttlsOf(r2).slice(0, 2), [290, 50], 'the two-record answer keeps both');
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

// The hash table under the cache (no timing here: behaviour only).
const aResp = (name: string, ttl = 300) => response(name, RRType.A, { answer: [{ name, type: RRType.A, ttl, rdata: A1 }] });

/** Names `p0.example.`, `p1.example.`... whose key hashes (seed 0, no EDNS, A/IN) agree in their low `bits` bits with the first. */
function sameHome(count: number, bits: number): string[] {
  const mask = (1 << bits) - 1;
  const out: string[] = [];
  let home = -1;
  for (let i = 0; out.length < count; i++) {
    const name = `p${i}.example.`;
    const h = keyHash(keyOf(query(name, RRType.A)), 0) & mask;
    if (home < 0) home = h;
    if (h === home) out.push(name);
  }
  return out;
}

test('keyHash of the key string equals the hash parseQueryKey computes from the query bytes, for any seed', () => {
  for (const seed of [0, 1, 0x7fffffff, -1, 0xdeadbeef | 0]) {
    const info = new QueryInfo();
    for (const q of [query('WwW.Example.', RRType.AAAA, { edns: true, do: true, cd: true }), query('.', RRType.NS), query('x.', RRType.A, { class: RRClass.CH })]) {
      assert.ok(parseQueryKey(q, info, seed), 'parsed');
      assert.equal(keyHash(queryKeyString(q, info), seed), info.hash, `seed ${seed}`);
      // As store() hashes a response's key: from its question octets (case folded) and the flags.
      assert.equal(questionHash(q, info.qnameEnd - 12, info.keyFlags, seed), info.hash, `questionHash, seed ${seed}`);
    }
  }
  const info = new QueryInfo();
  assert.ok(parseQueryKey(query('www.example.', RRType.A), info, 1), 'parsed');
  const h1 = info.hash;
  assert.ok(parseQueryKey(query('www.example.', RRType.A), info, 2), 'parsed');
  assert.notEqual(info.hash, h1, 'the seed changes the hash');
});

test('entries sharing a home slot are all found, and deleting from the middle of a cluster keeps the rest reachable', () => {
  const cache = new AnswerCache();
  const names = sameHome(12, 6);
  for (const name of names) assert.ok(cache.store(keyOf(query(name, RRType.A)), aResp(name), T0), name);
  assert.equal(cache.count, 12);
  for (const name of names) assert.ok(cache.respond(query(name.toUpperCase(), RRType.A), T0), `hit ${name}`);
  // Remove every other one; the others must still be found (backward-shift deletion).
  for (let i = 0; i < names.length; i += 2) assert.ok(cache.delete(keyOf(query(names[i]!, RRType.A))), `delete ${names[i]}`);
  for (let i = 0; i < names.length; i++) {
    const hit = cache.respond(query(names[i]!, RRType.A), T0);
    if (i % 2 === 0) assert.equal(hit, undefined, `deleted ${names[i]}`);
    else assert.ok(hit, `kept ${names[i]}`);
  }
  // Same name, other type or flags: different keys, no false hits.
  assert.equal(cache.respond(query(names[1]!, RRType.AAAA), T0), undefined, 'other type');
  assert.equal(cache.respond(query(names[1]!, RRType.A, { edns: true }), T0), undefined, 'EDNS differs');
});

test('two keys with the same 32-bit hash are told apart by their octets', () => {
  // Found once by a birthday search over `c<N>.example.` (seed 0); the assertion below keeps it honest.
  const x = 'c1412789.example.';
  const y = 'c1649192.example.';
  assert.equal(keyHash(keyOf(query(x, RRType.A)), 0), keyHash(keyOf(query(y, RRType.A)), 0), 'the two keys share a hash (if keyHash changed, find a new pair)');
  const cache = new AnswerCache();
  assert.ok(cache.store(keyOf(query(x, RRType.A)), aResp(x), T0), 'store x');
  assert.equal(cache.respond(query(y, RRType.A), T0), undefined, 'y is not x');
  const yResp = response(y, RRType.A, { answer: [{ name: y, type: RRType.A, ttl: 300, rdata: A2 }] });
  assert.ok(cache.store(keyOf(query(y, RRType.A)), yResp, T0), 'store y');
  assert.equal(cache.count, 2);
  const rx = cache.respond(query(x, RRType.A), T0);
  const ry = cache.respond(query(y, RRType.A), T0);
  assert.deepEqual([...(rx ?? Buffer.alloc(0)).subarray(-4)], [192, 0, 2, 1], 'x answered with its own response');
  assert.deepEqual([...(ry ?? Buffer.alloc(0)).subarray(-4)], [192, 0, 2, 2], 'y answered with its own response');
  assert.ok(cache.delete(keyOf(query(x, RRType.A))), 'delete x');
  assert.ok(cache.respond(query(y, RRType.A), T0), 'y survives');
});

test('the table doubles before it is half full and keeps every entry across resizes', () => {
  const cache = new AnswerCache();
  assert.equal(cache.capacity, 16);
  for (let i = 0; i < 1000; i++) {
    assert.ok(cache.store(keyOf(query(`r${i}.example.`, RRType.A)), aResp(`r${i}.example.`), T0), `store ${i}`);
    assert.ok(cache.count * 2 <= cache.capacity, `load ${cache.count}/${cache.capacity}`);
  }
  assert.equal(cache.capacity, 2048);
  for (let i = 0; i < 1000; i++) assert.ok(cache.respond(query(`r${i}.example.`, RRType.A), T0), `hit ${i}`);
  // Replacing an entry does not add one.
  assert.ok(cache.store(keyOf(query('r5.example.', RRType.A)), aResp('r5.example.', 60), T0), 'replace');
  assert.equal(cache.count, 1000);
  assert.deepEqual(ttlsOf(cache.respond(query('r5.example.', RRType.A), T0)!), [60]);
  cache.clear();
  assert.equal(cache.capacity, 16);
  assert.equal(cache.respond(query('r5.example.', RRType.A), T0), undefined);
});

test('no entry sits more than MAX_PROBE slots from its home slot: colliding stores beyond it are refused', () => {
  const cache = new AnswerCache();
  // 40 names with one home slot in tables of up to 256 slots; 40 entries make a 128-slot table.
  const names = sameHome(40, 8);
  let stored = 0;
  for (const name of names) if (cache.store(keyOf(query(name, RRType.A)), aResp(name), T0)) stored++;
  assert.equal(cache.capacity, 128);
  assert.equal(stored, MAX_PROBE + 1);
  assert.equal(cache.stats.probeLimit, 40 - stored);
  for (let i = 0; i < stored; i++) assert.ok(cache.respond(query(names[i]!, RRType.A), T0), `hit ${i}`);
  for (let i = stored; i < 40; i++) assert.equal(cache.respond(query(names[i]!, RRType.A), T0), undefined, `refused ${i}`);
});

test('expired entries leave the table on a hit, on prune and first in a sweep', () => {
  const cache = new AnswerCache({ maxBytes: 20_000 });
  const names = sameHome(6, 4);
  names.forEach((name, i) => cache.store(keyOf(query(name, RRType.A)), aResp(name, i % 2 === 0 ? 10 : 300), T0));
  assert.equal(cache.count, 6);
  // One expired entry in the middle of the cluster goes on its own lookup; the rest stay reachable.
  assert.equal(cache.respond(query(names[2]!, RRType.A), T0 + 10_000), undefined);
  assert.equal(cache.count, 5);
  assert.equal(cache.prune(T0 + 10_000), 2);
  for (const i of [1, 3, 5]) assert.ok(cache.respond(query(names[i]!, RRType.A), T0 + 10_000), `live ${i}`);
  // The sweep meets the oldest entries first and takes expired ones even when they were hit, while
  // live entries that were hit get a second round.
  const many = new AnswerCache({ maxBytes: 20_000 });
  for (let i = 0; i < 40; i++) many.store(keyOf(query(`e${i}.example.`, RRType.A)), aResp(`e${i}.example.`, i % 2 === 0 ? 10 : 300), T0);
  for (let i = 0; i < 40; i++) assert.ok(many.respond(query(`e${i}.example.`, RRType.A), T0), `hit e${i}`);
  const evictionsBefore = many.stats.evictions;
  for (let i = 0; many.stats.evictions < evictionsBefore + 20; i++) {
    many.store(keyOf(query(`f${i}.example.`, RRType.A)), aResp(`f${i}.example.`, 300), T0 + 20_000);
  }
  for (let i = 0; i < 40; i++) {
    const there = many.lookup(keyOf(query(`e${i}.example.`, RRType.A)), T0) !== undefined;
    assert.equal(there, i % 2 === 1, `e${i}: ${i % 2 === 0 ? 'expired, evicted though hit' : 'live and hit, kept'}`);
  }
});

test('eviction keeps the bytes bound under churn and spares recently hit entries', () => {
  const cache = new AnswerCache({ maxBytes: 50_000 });
  const hot = ['hot1.example.', 'hot2.example.', 'hot3.example.'];
  for (const name of hot) cache.store(keyOf(query(name, RRType.A)), aResp(name), T0);
  for (let i = 0; i < 5000; i++) {
    const name = `churn${i}.example.`;
    assert.ok(cache.store(keyOf(query(name, RRType.A)), aResp(name), T0), `store ${i}`);
    assert.ok(cache.bytes <= 50_000, `bound at ${i}: ${cache.bytes}`);
    for (const h of hot) assert.ok(cache.respond(query(h, RRType.A), T0), `${h} stays (${i})`);
  }
  assert.ok(cache.respond(query('churn4999.example.', RRType.A), T0), 'the newest entry survives');
  assert.ok(cache.stats.evictions > 4000, `${cache.stats.evictions}`);
  assert.ok(cache.count < 400, `${cache.count}`);
});

test('a hit copies every octet whatever the response length, and answers handed out earlier are never overwritten', () => {
  const cache = new AnswerCache();
  const sizes: number[] = [];
  // TXT strings of 0..260 octets (word copy) and 300/2000/20000 octets (set, and a buffer of its own).
  const lengths = [...Array.from({ length: 261 }, (_, i) => i), 300, 2000, 20000];
  for (const n of lengths) {
    const name = `t${n}.example.`;
    const strings: Uint8Array[] = [new Uint8Array(0)];
    for (let left = n; left > 0; left -= 255) strings.push(new Uint8Array(Math.min(255, left)).map((_, k) => (k * 7 + n) & 0xff));
    const r = response(name, RRType.TXT, { answer: [{ name, type: RRType.TXT, ttl: 300, rdata: encodeRdata(RRType.TXT, { strings }) }] });
    assert.ok(cache.store(keyOf(query(name, RRType.TXT)), r, T0), `store ${n}`);
    sizes.push(r.length);
  }
  const first = lengths.map((n) => cache.respond(query(`T${n}.example.`, RRType.TXT, { id: n }), T0, true));
  const copies = first.map((r) => Uint8Array.from(r ?? []));
  for (let round = 0; round < 20; round++) {
    for (const n of lengths) {
      const r = cache.respond(query(`t${n}.example.`, RRType.TXT, { id: 0xffff - n }), T0, true);
      const stored = cache.lookup(keyOf(query(`t${n}.example.`, RRType.TXT)), T0);
      assert.ok(r !== undefined && stored !== undefined, `hit ${n}`);
      assert.equal(r.length, stored.length, `length ${n}`);
      assert.deepEqual([...r.subarray(4)], [...stored.subarray(4)], `octets after the ID and flags, ${n}`);
    }
  }
  first.forEach((r, i) => { assert.deepEqual([...(r ?? [])], [...copies[i]!], `answer ${i} handed out first is unchanged`); });
  assert.equal(first[0]![12 + 1], 'T'.charCodeAt(0), 'question case as asked');
  assert.ok(sizes.some((s) => s % 4 !== 0), 'lengths that are not whole words were covered');
});

test('random stores, hits, deletes, invalidations and expiry under a small bound agree with a plain model', () => {
  // Records move between chunks as chunks empty out (module comment, "Storage"); whatever moved,
  // a hit must return the response last stored for its key, and nothing removed may come back.
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const cache = new AnswerCache({ maxBytes: 30_000 });
  const model = new Map<string, { rdata: number; expires: number; tag: string | undefined }>();
  const name = (i: number): string => `m${i}.example.`;
  let now = T0;
  let hits = 0;
  for (let step = 0; step < 6000; step++) {
    const i = rnd(300);
    const key = keyOf(query(name(i), RRType.A));
    const op = rnd(10);
    if (op < 4) {
      const rdata = rnd(250);
      const ttl = 1 + rnd(30);
      const tag = rnd(3) === 0 ? `soa/z${i % 7}` : undefined;
      const r = response(name(i), RRType.A, { answer: [{ name: name(i), type: RRType.A, ttl, rdata: Uint8Array.of(192, 0, 2, rdata) }] });
      assert.ok(cache.store(key, r, now, tag === undefined ? {} : { tags: [tag] }), `store ${step}`);
      model.set(key, { rdata, expires: now + ttl * 1000, tag });
      assert.ok(cache.bytes <= 30_000, `bound at ${step}: ${cache.bytes}`);
    } else if (op < 8) {
      const r = cache.respond(query(name(i), RRType.A, { id: step & 0xffff }), now);
      const m = model.get(key);
      if (r !== undefined) {
        hits++;
        assert.ok(m !== undefined && now < m.expires, `step ${step}: ${name(i)} answered after it left`);
        assert.equal(r[r.length - 1], m.rdata, `step ${step}: ${name(i)} answered with its last response`);
        assert.equal((r[0]! << 8) | r[1]!, step & 0xffff, 'ID from the query');
      }
    } else if (op === 8) {
      const m = model.get(key);
      if (rnd(2) === 0) {
        cache.delete(key);
        model.delete(key);
        assert.equal(cache.delete(key), false, 'deleted once');
      } else if (m?.tag !== undefined) {
        cache.invalidate(m.tag);
        for (const [k, v] of model) if (v.tag === m.tag) model.delete(k);
      }
    } else {
      now += rnd(3000);
    }
  }
  assert.ok(hits > 200, `hits ${hits}`);
  assert.ok(cache.stats.evictions > 0, 'the bound was reached');
  // Everything still cached is in the model, with its last response.
  for (const [key, m] of model) {
    const r = cache.lookup(key, now);
    if (r !== undefined) assert.equal(r[r.length - 1], m.rdata, 'last response');
  }
  cache.clear();
  assert.equal(cache.bytes, 0);
});
