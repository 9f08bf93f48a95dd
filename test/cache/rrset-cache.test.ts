import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { Credibility, InsertOutcome, RRsetCache, credibilityRank } from '../../src/cache/rrset-cache.js';
import { SecurityStatus } from '../../src/cache/types.js';
import { EdeTag } from '../../src/dnssec/ede-tags.js';
import { reason } from '../../src/dnssec/verdict.js';
import { RRType } from '../../src/wire/constants.js';
import { T0, T0_SEC, a, n, rrset, signed, unsigned } from './fixtures.js';

const { secure, insecure, bogus, unchecked } = SecurityStatus;

function setup(opts: { minTtl?: number; maxTtl?: number; bogusTtl?: number; maxBytes?: number } = {}) {
  const clock = new ManualClock(T0);
  return { clock, cache: new RRsetCache({ clock, ...opts }) };
}

const www = (ttl: number, ...addrs: string[]) => rrset('www.example.', RRType.A, ttl, a(...(addrs.length > 0 ? addrs : ['192.0.2.1'])));

test('remaining TTL counts down with the clock and the entry expires', () => {
  const { clock, cache } = setup();
  assert.equal(cache.insert({ ...unsigned(www(300)), credibility: Credibility.answerAuthoritative, status: insecure }), InsertOutcome.stored);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 300);
  clock.advance(100_500);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 199);
  clock.advance(199_499);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 0);
  clock.advance(1);
  assert.equal(cache.lookup(n('www.example.'), RRType.A), undefined);
  assert.equal(cache.count, 0, 'an expired entry is dropped when met');
});

test('notAfter caps the expiry below the TTL (the delegation the data came through), never raises it', () => {
  const { clock, cache } = setup();
  cache.insert({ ...unsigned(rrset('example.', RRType.NS, 86400, [n('ns.example.').wire])), credibility: Credibility.answerAuthoritative, status: unchecked, notAfter: T0 + 5_000 });
  assert.equal(cache.lookup(n('example.'), RRType.NS)?.ttl, 5);
  cache.insert({ ...unsigned(rrset('www.example.', RRType.A, 60, a('192.0.2.1'))), credibility: Credibility.answerAuthoritative, status: unchecked, notAfter: T0 + 3_600_000 });
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 60, 'a later cap changes nothing');
  clock.advance(5_000);
  assert.equal(cache.lookup(n('example.'), RRType.NS), undefined, 'gone with the delegation');
});

test('onChange reports a live RRset replaced by other RDATA, not a refresh of the same data or a replaced expired one', () => {
  const { clock, cache } = setup();
  const changed: string[] = [];
  cache.onChange((key) => changed.push(key));
  const ns = (...hosts: string[]) => ({ ...unsigned(rrset('example.', RRType.NS, 60, hosts.map((h) => n(h).wire))), credibility: Credibility.answerAuthoritative, status: unchecked });
  cache.insert(ns('ns.example.'));
  cache.insert(ns('ns.example.'));
  assert.equal(changed.length, 0, 'first store and same data: nothing to report');
  cache.insert(ns('ns.example.', 'ns2.example.'));
  assert.equal(changed.length, 1, 'other data replaced a live RRset');
  clock.advance(61_000);
  cache.insert(ns('ns3.example.'));
  assert.equal(changed.length, 1, 'the old one had expired');
});

test('the stored RDATA set is compared as a set: another order is the same data, one changed octet is not', () => {
  const { cache } = setup();
  const changed: string[] = [];
  cache.onChange((key) => changed.push(key));
  const addrs = (...list: string[]) => ({ ...unsigned(www(60, ...list)), credibility: Credibility.answerAuthoritative, status: unchecked });
  cache.insert(addrs('192.0.2.1', '192.0.2.2'));
  cache.insert(addrs('192.0.2.2', '192.0.2.1'));
  assert.equal(changed.length, 0, 'the same set in another order (RFC 2181 §5) is no change');
  cache.insert(addrs('192.0.2.2', '192.0.2.3'));
  assert.equal(changed.length, 1, 'one address of the same length changed');
  cache.insert(addrs('192.0.2.2', '192.0.2.3', '192.0.2.4'));
  assert.equal(changed.length, 2, 'one address more');
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.rrset.rdatas.length, 3, 'the last data is held');
});

test('insertSet stores a SignedRRset under another owner when given one (a wildcard expansion as the wildcard)', () => {
  const { cache } = setup();
  const set = unsigned(www(60, '192.0.2.7'));
  assert.equal(cache.insertSet(set, Credibility.answerAuthoritative, insecure, undefined, T0 + 10_000, n('*.example.')), InsertOutcome.stored);
  assert.equal(cache.lookup(n('www.example.'), RRType.A), undefined, 'not under the expanded name');
  const hit = cache.lookup(n('*.example.'), RRType.A);
  assert.ok(hit !== undefined, 'stored under the owner given');
  assert.equal(hit.rrset.name.toString(), '*.example.', 'under the owner given');
  assert.deepEqual(hit.rrset.rdatas, a('192.0.2.7'), 'with its RDATA');
  assert.equal(hit.ttl, 10, 'notAfter caps it as in insert()');
  assert.equal(hit.credibility, Credibility.answerAuthoritative, 'with the credibility given');
});

test('keys are case-insensitive and distinguish type and class', () => {
  const { cache } = setup();
  cache.insert({ ...unsigned(www(300)), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.ok(cache.lookup(n('WWW.Example.'), RRType.A));
  assert.equal(cache.lookup(n('www.example.'), RRType.AAAA), undefined);
  assert.equal(cache.lookup(n('www.example.'), RRType.A, 3), undefined);
});

test('TTL clamps: min raises, max lowers, zero is not cached', () => {
  const { cache } = setup({ minTtl: 60, maxTtl: 3600 });
  cache.insert({ ...unsigned(www(5)), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 60);
  cache.insert({ ...unsigned(rrset('big.example.', RRType.A, 604800, a('192.0.2.2'))), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.equal(cache.lookup(n('big.example.'), RRType.A)?.ttl, 3600);
  const plain = setup();
  assert.equal(plain.cache.insert({ ...unsigned(www(0)), credibility: Credibility.answerAuthoritative, status: insecure }), InsertOutcome.rejected);
  // A TTL with the top bit set counts as zero (RFC 2181 §8).
  assert.equal(plain.cache.insert({ ...unsigned(www(0x80000000)), credibility: Credibility.answerAuthoritative, status: insecure }), InsertOutcome.rejected);
});

test('credibility: additional data never overrides an answer; higher or equal rank replaces', () => {
  const { cache } = setup();
  cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.equal(cache.insert({ ...unsigned(www(300, '198.51.100.1')), credibility: Credibility.additional, status: unchecked }), InsertOutcome.rejected);
  assert.equal(cache.insert({ ...unsigned(www(300, '198.51.100.1')), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.rejected);
  assert.deepEqual(cache.lookup(n('www.example.'), RRType.A)?.rrset.rdatas, a('192.0.2.1'));
  assert.equal(cache.insert({ ...unsigned(www(300, '198.51.100.2')), credibility: Credibility.answerAuthoritative, status: insecure }), InsertOutcome.stored);
  assert.deepEqual(cache.lookup(n('www.example.'), RRType.A)?.rrset.rdatas, a('198.51.100.2'));

  const glue = setup().cache;
  glue.insert({ ...unsigned(www(300, '192.0.2.9')), credibility: Credibility.additional, status: unchecked });
  for (const c of [Credibility.authorityNonAuthoritative, Credibility.answerNonAuthoritative, Credibility.authorityAuthoritative]) {
    assert.equal(glue.insert({ ...unsigned(www(300, `192.0.2.${c}`)), credibility: c, status: unchecked }), InsertOutcome.stored);
    assert.equal(glue.lookup(n('www.example.'), RRType.A)?.credibility, c);
  }
});

test('rank order: tiers ascend, validated above every unvalidated tier', () => {
  const tiers = [Credibility.additional, Credibility.authorityNonAuthoritative, Credibility.answerNonAuthoritative, Credibility.authorityAuthoritative, Credibility.answerAuthoritative];
  for (let i = 1; i < tiers.length; i++) assert.ok(credibilityRank(tiers[i]!, unchecked) > credibilityRank(tiers[i - 1]!, unchecked));
  for (const t of tiers) assert.ok(credibilityRank(t, secure) > credibilityRank(Credibility.answerAuthoritative, insecure));
  assert.ok(credibilityRank(Credibility.answerAuthoritative, secure) > credibilityRank(Credibility.additional, secure));
});

test('a live secure RRset is not replaced by unvalidated data; identical RDATA refreshes its expiry', () => {
  const { clock, cache } = setup();
  const s = signed(www(300, '192.0.2.1'), 'example.');
  cache.insert({ ...s, credibility: Credibility.answerAuthoritative, status: secure });
  // Different data, same tier, unvalidated (a spoofed unsigned answer): refused.
  assert.equal(cache.insert({ ...unsigned(www(300, '203.0.113.66')), credibility: Credibility.answerAuthoritative, status: unchecked }), InsertOutcome.rejected);
  assert.equal(cache.insert({ ...unsigned(www(300, '203.0.113.66')), credibility: Credibility.answerAuthoritative, status: insecure }), InsertOutcome.rejected);
  // Bogus data with the same RDATA does not refresh it either.
  clock.advance(200_000);
  assert.equal(cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: bogus }), InsertOutcome.rejected);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 100);
  // Identical RDATA, unvalidated, same tier: status and signatures kept, expiry refreshed.
  assert.equal(cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: unchecked }), InsertOutcome.refreshed);
  const hit = cache.lookup(n('www.example.'), RRType.A)!;
  assert.equal(hit.status, secure);
  assert.equal(hit.ttl, 300);
  assert.equal(hit.rrsigs.length, 1);
  // Identical RDATA from a lower tier (glue) does not refresh.
  clock.advance(100_000);
  assert.equal(cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.additional, status: unchecked }), InsertOutcome.rejected);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 200);
  // Secure data replaces secure data.
  assert.equal(cache.insert({ ...signed(www(300, '192.0.2.7'), 'example.'), credibility: Credibility.answerAuthoritative, status: secure }), InsertOutcome.stored);
  // Once expired, anything goes.
  clock.advance(301_000);
  assert.equal(cache.insert({ ...unsigned(www(300, '203.0.113.66')), credibility: Credibility.additional, status: unchecked }), InsertOutcome.stored);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.status, unchecked);
});

test('secure data is promoted over unvalidated data of any tier', () => {
  const { cache } = setup();
  cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.equal(cache.insert({ ...signed(www(300, '192.0.2.1'), 'example.'), credibility: Credibility.authorityAuthoritative, status: secure }), InsertOutcome.stored);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.status, secure);
});

test('bogus entries live bogusTtl, never the data TTL, keep their reason, and yield to good data', () => {
  const { clock, cache } = setup({ bogusTtl: 30 });
  const why = reason(EdeTag.RRSIG_EXPIRED, 'all signatures expired');
  cache.insert({ ...signed(www(86400), 'example.'), credibility: Credibility.answerAuthoritative, status: bogus, reason: why });
  const hit = cache.lookup(n('www.example.'), RRType.A)!;
  assert.equal(hit.ttl, 30);
  assert.deepEqual(hit.reason, why);
  // Re-fetching the same bogus data does not extend it.
  clock.advance(20_000);
  assert.equal(cache.insert({ ...signed(www(86400), 'example.'), credibility: Credibility.answerAuthoritative, status: bogus, reason: why }), InsertOutcome.rejected);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 10);
  // Anything not bogus replaces it, even of a lower tier.
  assert.equal(cache.insert({ ...unsigned(www(300)), credibility: Credibility.additional, status: unchecked }), InsertOutcome.stored);
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.status, unchecked);
  // Bogus data (short-lived) never displaces a secure entry.
  const other = setup().cache;
  other.insert({ ...signed(www(300), 'example.'), credibility: Credibility.answerAuthoritative, status: secure });
  assert.equal(other.insert({ ...signed(www(300, '203.0.113.1'), 'example.'), credibility: Credibility.answerAuthoritative, status: bogus, reason: why }), InsertOutcome.rejected);
});

test('secure entries do not outlive their signatures (RFC 4035 §5.3.3)', () => {
  const { cache } = setup();
  cache.insert({ ...signed(www(3600), 'example.', T0_SEC + 120), credibility: Credibility.answerAuthoritative, status: secure });
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 120);
  // The RRSIG record TTL caps too.
  cache.insert({ ...signed(rrset('mx.example.', RRType.A, 3600, a('192.0.2.3')), 'example.'), rrsigTtl: 50, credibility: Credibility.answerAuthoritative, status: secure });
  assert.equal(cache.lookup(n('mx.example.'), RRType.A)?.ttl, 50);
  // A TTL stretched past the signed Original TTL is cut back to it.
  const stretched = signed(rrset('ns.example.', RRType.A, 300, a('192.0.2.4')), 'example.');
  cache.insert({ ...stretched, rrset: { ...stretched.rrset, ttl: 86400 }, credibility: Credibility.answerAuthoritative, status: secure });
  assert.equal(cache.lookup(n('ns.example.'), RRType.A)?.ttl, 300);
});

test('size stays within maxBytes; least recently used entries go first', () => {
  const { cache } = setup({ maxBytes: 20_000 });
  for (let i = 0; i < 500; i++) {
    cache.insert({ ...unsigned(rrset(`h${i}.example.`, RRType.A, 300, a('192.0.2.1'))), credibility: Credibility.answerAuthoritative, status: insecure });
    if (i >= 1) cache.lookup(n('h0.example.'), RRType.A);
    assert.ok(cache.bytes <= 20_000);
  }
  assert.ok(cache.count < 500 && cache.count > 10, `count ${cache.count}`);
  assert.ok(cache.lookup(n('h0.example.'), RRType.A), 'recently used survives');
  assert.equal(cache.lookup(n('h1.example.'), RRType.A), undefined);
  assert.ok(cache.lookup(n('h499.example.'), RRType.A));
});

test("bytes: the packed octets plus a slot's share of the typed arrays per entry, not an estimate of objects", () => {
  const { cache } = setup({ maxBytes: 1 << 30 });
  let packed = 0;
  const count = 2000;
  for (let i = 0; i < count; i++) {
    const set = signed(rrset(`host-${i}.zone${i % 7}.example.`, RRType.A, 300, a('192.0.2.1', '192.0.2.2')), `zone${i % 7}.example.`);
    cache.insertSet(set, Credibility.answerAuthoritative, secure);
    // As stored: the owner's wire form, then each RDATA and RRSIG RDATA behind a 2-octet length.
    packed += set.rrset.name.wire.length + [...set.rrset.rdatas, ...set.rrsigs].reduce((sum, rd) => sum + 2 + rd.length, 0);
  }
  assert.equal(cache.count, count, 'every entry held');
  const perEntry = (cache.bytes - packed) / count;
  // The arena's 64 KiB chunks: the one being filled is charged whole.
  const chunkSlack = (64 * 1024) / count;
  // Eleven per-slot arrays (34 octets), a bucket, the arena's place and member record, the order's links: 66.
  assert.ok(perEntry >= 60, `each entry charged its slots in the typed arrays: ${perEntry.toFixed(1)} octets`);
  assert.ok(perEntry <= 70 + chunkSlack, `no per-entry charge for objects an entry no longer has: ${perEntry.toFixed(1)} octets`);
  const before = cache.bytes;
  cache.insertSet(
    { rrset: rrset('bogus.example.', RRType.A, 300, a('192.0.2.9')), rrsigs: [] },
    Credibility.answerAuthoritative,
    bogus,
    reason(EdeTag.RRSIG_EXPIRED, 'x'.repeat(100)),
  );
  assert.ok(cache.bytes - before >= 66 + 200, `a bogus entry is charged its reason text too: ${cache.bytes - before}`);
  assert.ok(cache.delete(n('bogus.example.'), RRType.A), 'the bogus entry is held');
  assert.equal(cache.bytes, before, 'deleting it gives back all it was charged');
});

test('the byte bound admits entries by what they hold: a bound of N times (packed octets + 100) keeps well over N/2 entries', () => {
  const maxBytes = 256 * 1024;
  const { cache } = setup({ maxBytes });
  const set = (i: number) => signed(rrset(`host-${i}.example.`, RRType.A, 300, a('192.0.2.1')), 'example.');
  const one = set(0);
  const packed = one.rrset.name.wire.length + 2 + one.rrset.rdatas[0]!.length + 2 + one.rrsigs[0]!.length;
  for (let i = 0; i < 5000; i++) {
    cache.insertSet(set(i), Credibility.answerAuthoritative, secure);
    assert.ok(cache.bytes <= maxBytes, `within the bound after insert ${i}: ${cache.bytes}`);
  }
  // The old per-entry estimate (200 octets plus twice the key) admitted fewer than N/2 of these.
  const n100 = Math.floor(maxBytes / (packed + 100));
  assert.ok(cache.count > n100 / 2 + n100 / 4, `entries held: ${cache.count} of ${n100} at packed + 100 octets each`);
});

test('prune drops expired entries; delete and clear', () => {
  const { clock, cache } = setup();
  cache.insert({ ...unsigned(www(10)), credibility: Credibility.answerAuthoritative, status: insecure });
  cache.insert({ ...unsigned(rrset('b.example.', RRType.A, 100, a('192.0.2.2'))), credibility: Credibility.answerAuthoritative, status: insecure });
  clock.advance(11_000);
  assert.equal(cache.prune(), 1);
  assert.equal(cache.count, 1);
  assert.ok(cache.delete(n('b.example.'), RRType.A));
  cache.insert({ ...unsigned(www(10)), credibility: Credibility.answerAuthoritative, status: insecure });
  cache.clear();
  assert.equal(cache.count, 0);
});

// The per-owner index (several types under one owner key, CLOCK order in a Set).
test('per-owner index: several types of one owner, any letter case, each expiring and replaced on its own', () => {
  const { clock, cache } = setup();
  const put = (owner: string, type: number, ttl: number, rdatas: Uint8Array[]) =>
    cache.insert({ ...unsigned(rrset(owner, type, ttl, rdatas)), credibility: Credibility.answerAuthoritative, status: insecure });
  put('Mixed.Example.', RRType.A, 100, a('192.0.2.1'));
  put('mixed.example.', RRType.NS, 300, [n('ns.example.').wire]);
  put('MIXED.EXAMPLE.', RRType.TXT, 200, [Uint8Array.of(1, 120)]);
  assert.equal(cache.count, 3, 'three types under one owner are three entries');
  assert.equal(cache.lookup(n('mIxEd.example.'), RRType.A)?.rrset.rdatas.length, 1, 'A found under another case');
  assert.equal(cache.lookup(n('mixed.EXAMPLE.'), RRType.TXT)?.ttl, 200, 'TXT found under another case');
  assert.equal(cache.lookup(n('mixed.example.'), RRType.MX), undefined, 'a type not held misses');
  // Replacement of one type leaves the others.
  put('mixed.example.', RRType.A, 100, a('192.0.2.9'));
  assert.deepEqual([...cache.lookup(n('MIXED.example.'), RRType.A)!.rrset.rdatas[0]!], [192, 0, 2, 9], 'A replaced');
  assert.equal(cache.count, 3, 'replacement keeps one entry per type');
  // Expiry of one type leaves the others.
  clock.advance(100_000);
  assert.equal(cache.lookup(n('mixed.example.'), RRType.A), undefined, 'A expired');
  assert.equal(cache.lookup(n('mixed.example.'), RRType.TXT)?.ttl, 100, 'TXT still live');
  assert.equal(cache.count, 2, 'the expired A was dropped when met');
  assert.equal(cache.delete(n('MIXED.example.'), RRType.TXT), true, 'delete under another case');
  assert.equal(cache.lookup(n('mixed.example.'), RRType.NS)?.ttl, 200, 'NS untouched by the delete');
  assert.equal(cache.prune(), 0, 'nothing expired left');
  clock.advance(200_000);
  assert.equal(cache.prune(), 1, 'NS pruned');
  assert.equal(cache.count, 0, 'empty');
  put('mixed.example.', RRType.A, 100, a('192.0.2.3'));
  assert.equal(cache.lookup(n('Mixed.Example.'), RRType.A)?.ttl, 100, 'the owner can be stored again after its last entry went');
});

test('per-owner index: eviction under the byte bound drops single types, referenced ones last, and keeps lookups consistent', () => {
  const { cache } = setup({ maxBytes: 8 * 1024 });
  const put = (owner: string, type: number) =>
    cache.insert({ ...unsigned(rrset(owner, type, 300, type === RRType.A ? a('192.0.2.1') : [new Uint8Array(16)])), credibility: Credibility.answerAuthoritative, status: insecure });
  put('keep.example.', RRType.A);
  put('keep.example.', RRType.AAAA);
  for (let i = 0; i < 200; i++) {
    put(`h${i}.example.`, RRType.A);
    put(`H${i}.EXAMPLE.`, RRType.AAAA);
    // Referenced on every round: the CLOCK sweep gives it a second chance each time it comes round.
    assert.notEqual(cache.lookup(n('KEEP.example.'), RRType.A), undefined, `keep A still held at round ${i}`);
    assert.ok(cache.bytes <= 8 * 1024, `within the bound at round ${i}: ${cache.bytes}`);
  }
  assert.ok(cache.count < 400, `entries were evicted: ${cache.count}`);
  assert.equal(cache.lookup(n('keep.example.'), RRType.AAAA), undefined, 'the unreferenced AAAA of the same owner went');
  assert.notEqual(cache.lookup(n('h199.example.'), RRType.AAAA), undefined, 'the newest entry is held');
  assert.equal(cache.lookup(n('h0.example.'), RRType.A), undefined, 'the oldest unreferenced entry went');
  let held = 0;
  for (let i = 0; i < 200; i++) {
    for (const type of [RRType.A, RRType.AAAA]) if (cache.lookup(n(`h${i}.example.`), type) !== undefined) held++;
  }
  assert.equal(held + 1, cache.count, 'every counted entry is found by lookup, and no other');
});

test('handle: the same object while the same data is held; another or none after replacement, expiry or delete', () => {
  const { clock, cache } = setup();
  const put = (addr: string, status: SecurityStatus = insecure, credibility: Credibility = Credibility.answerAuthoritative) =>
    cache.insert({ ...unsigned(www(100, addr)), credibility, status });
  assert.equal(cache.handle(n('www.example.'), RRType.A), undefined, 'nothing held: no handle');
  put('192.0.2.1');
  const h1 = cache.handle(n('www.example.'), RRType.A);
  assert.notEqual(h1, undefined, 'held: a handle');
  assert.equal(cache.handle(n('WWW.Example.'), RRType.A), h1, 'same handle under another letter case');
  assert.deepEqual(cache.handleRdatas(h1!).map((rd) => [...rd]), [[192, 0, 2, 1]], 'its RDATAs');
  assert.equal(cache.handle(n('www.example.'), RRType.AAAA), undefined, 'another type: none');
  put('192.0.2.2');
  const h2 = cache.handle(n('www.example.'), RRType.A);
  assert.notEqual(h2, h1, 'replaced data: another handle');
  assert.equal(put('192.0.2.3', insecure, Credibility.additional), InsertOutcome.rejected, 'lower rank refused');
  assert.equal(cache.handle(n('www.example.'), RRType.A), h2, 'refused data leaves the handle');
  clock.advance(100_000);
  assert.equal(cache.handle(n('www.example.'), RRType.A), undefined, 'expired: none');
  assert.equal(cache.count, 0, 'the expired entry was dropped when met');
  put('192.0.2.2');
  const h3 = cache.handle(n('www.example.'), RRType.A);
  assert.ok(h3 !== undefined && h3 !== h2, 'stored again: a new handle');
  assert.equal(h3.status, insecure, 'the handle carries the status');
  cache.delete(n('www.example.'), RRType.A);
  assert.equal(cache.handle(n('www.example.'), RRType.A), undefined, 'deleted: none');
});

test('handleRdatas: none for a handle whose entry is gone, an error for something not a handle', () => {
  const { cache } = setup();
  cache.insert({ ...unsigned(www(100, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: insecure });
  const h = cache.handle(n('www.example.'), RRType.A);
  assert.ok(h !== undefined, 'held: a handle');
  cache.delete(n('www.example.'), RRType.A);
  cache.insert({ ...unsigned(www(100, '192.0.2.9')), credibility: Credibility.answerAuthoritative, status: insecure });
  assert.deepEqual(cache.handleRdatas(h), [], 'the old handle reads nothing, not the data now in its place');
  assert.throws(() => cache.handleRdatas({ status: insecure }), TypeError, 'a look-alike object is refused');
});

test('identical RDATA at the same rank and status keeps the entry: same handle, expiry unchanged (as Unbound)', () => {
  const { clock, cache } = setup();
  const ns = (ttl: number, ...hosts: string[]) => unsigned(rrset('example.', RRType.NS, ttl, hosts.map((h) => n(h).wire)));
  assert.equal(cache.insert({ ...ns(300, 'a.ns.example.', 'b.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.stored, 'first store');
  const h1 = cache.handle(n('example.'), RRType.NS);
  assert.ok(h1 !== undefined, 'held: a handle');
  const expiry = cache.handleExpiresAt(h1);
  clock.advance(100_000);
  // The same set (another order is the same data, RFC 2181 §5) with a fresh TTL, as the authority
  // section of every authoritative answer brings it.
  assert.equal(cache.insert({ ...ns(300, 'b.ns.example.', 'a.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.kept, 'same data, rank and status: kept');
  assert.equal(cache.handle(n('example.'), RRType.NS), h1, 'the handle is kept');
  assert.equal(cache.handleExpiresAt(h1), expiry, 'the expiry is not moved');
  assert.equal(cache.lookup(n('example.'), RRType.NS)?.ttl, 200, 'the TTL keeps counting down from the first store');
  // A longer TTL does not extend it either; a shorter one does not cut it.
  assert.equal(cache.insert({ ...ns(3600, 'a.ns.example.', 'b.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.kept, 'longer TTL: kept');
  assert.equal(cache.insert({ ...ns(5, 'a.ns.example.', 'b.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.kept, 'shorter TTL: kept');
  assert.equal(cache.lookup(n('example.'), RRType.NS)?.ttl, 200, 'TTL as before');
  assert.equal(cache.count, 1, 'one entry');
  // Once it has expired, the same data is stored afresh under a new handle.
  clock.advance(201_000);
  assert.equal(cache.insert({ ...ns(300, 'a.ns.example.', 'b.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.stored, 'expired: stored');
  const h2 = cache.handle(n('example.'), RRType.NS);
  assert.ok(h2 !== undefined && h2 !== h1, 'stored again: a new handle');
  assert.equal(cache.lookup(n('example.'), RRType.NS)?.ttl, 300, 'with the new TTL');
});

test('identical RDATA: a higher rank or another status replaces, a lower rank does not; other RDATA at the same rank replaces', () => {
  const { clock, cache } = setup();
  const ns = (ttl: number, ...hosts: string[]) => unsigned(rrset('example.', RRType.NS, ttl, hosts.map((h) => n(h).wire)));
  cache.insert({ ...ns(300, 'a.ns.example.'), credibility: Credibility.authorityNonAuthoritative, status: unchecked });
  const referral = cache.handle(n('example.'), RRType.NS);
  clock.advance(10_000);
  // Glue-tier copy of the same data: lower rank, refused, nothing moves.
  assert.equal(cache.insert({ ...ns(300, 'a.ns.example.'), credibility: Credibility.additional, status: unchecked }), InsertOutcome.rejected, 'lower rank: refused');
  assert.equal(cache.handle(n('example.'), RRType.NS), referral, 'lower rank leaves the handle');
  assert.equal(cache.lookup(n('example.'), RRType.NS)?.ttl, 290, 'lower rank leaves the expiry');
  // The zone's own (authoritative) copy: higher rank replaces, with its TTL and credibility.
  assert.equal(cache.insert({ ...ns(600, 'a.ns.example.'), credibility: Credibility.authorityAuthoritative, status: unchecked }), InsertOutcome.stored, 'higher rank: stored');
  const auth = cache.handle(n('example.'), RRType.NS);
  assert.ok(auth !== undefined && auth !== referral, 'higher rank: a new handle');
  let hit = cache.lookup(n('example.'), RRType.NS)!;
  assert.equal(hit.ttl, 600, 'higher rank: its TTL');
  assert.equal(hit.credibility, Credibility.authorityAuthoritative, 'higher rank: its credibility');
  // Same rank, same data, another unvalidated status (insecure proven vs unchecked): replaces.
  assert.equal(cache.insert({ ...ns(600, 'a.ns.example.'), credibility: Credibility.authorityAuthoritative, status: insecure }), InsertOutcome.stored, 'another status: stored');
  const insec = cache.handle(n('example.'), RRType.NS);
  assert.ok(insec !== undefined && insec !== auth && insec.status === insecure, 'another status: a new handle with it');
  // Same rank and status, other RDATA: replaces.
  assert.equal(cache.insert({ ...ns(600, 'b.ns.example.'), credibility: Credibility.authorityAuthoritative, status: insecure }), InsertOutcome.stored, 'other RDATA: stored');
  assert.notEqual(cache.handle(n('example.'), RRType.NS), insec, 'other RDATA: a new handle');
  hit = cache.lookup(n('example.'), RRType.NS)!;
  assert.deepEqual(hit.rrset.rdatas.map((rd) => [...rd]), [[...n('b.ns.example.').wire]], 'other RDATA: the new data is held');
});

test('identical RDATA: secure data re-validated is kept with its signatures; bogus rules unchanged', () => {
  const { clock, cache } = setup();
  const s = signed(www(300, '192.0.2.1'), 'example.');
  assert.equal(cache.insert({ ...s, credibility: Credibility.answerAuthoritative, status: secure }), InsertOutcome.stored, 'first store');
  const h = cache.handle(n('www.example.'), RRType.A);
  clock.advance(50_000);
  assert.equal(cache.insert({ ...s, credibility: Credibility.answerAuthoritative, status: secure }), InsertOutcome.kept, 'secure again at the same tier: kept');
  assert.equal(cache.handle(n('www.example.'), RRType.A), h, 'secure kept: same handle');
  assert.equal(cache.lookup(n('www.example.'), RRType.A)?.ttl, 250, 'secure kept: expiry not moved');
  // The same signed data validated from a lower tier (authority section) is a lower rank: refused.
  assert.equal(cache.insert({ ...s, credibility: Credibility.authorityAuthoritative, status: secure }), InsertOutcome.rejected, 'lower secure tier: refused');
  assert.equal(cache.handle(n('www.example.'), RRType.A), h, 'lower secure tier: same handle');
  // Bogus cached: the same bogus data neither replaces nor refreshes it (its life stays bogusTtl).
  const b = setup({ bogusTtl: 60 });
  b.cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: bogus });
  const hb = b.cache.handle(n('www.example.'), RRType.A);
  b.clock.advance(30_000);
  assert.equal(b.cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: bogus }), InsertOutcome.rejected, 'same bogus data: refused');
  assert.equal(b.cache.handle(n('www.example.'), RRType.A), hb, 'same bogus data: handle kept');
  assert.equal(b.cache.lookup(n('www.example.'), RRType.A)?.ttl, 30, 'same bogus data: no refresh');
  // Non-bogus data (even identical) replaces bogus data.
  assert.equal(b.cache.insert({ ...unsigned(www(300, '192.0.2.1')), credibility: Credibility.answerAuthoritative, status: unchecked }), InsertOutcome.stored, 'unchecked over bogus: stored');
  assert.equal(b.cache.lookup(n('www.example.'), RRType.A)?.status, unchecked, 'bogus replaced');
});

test('handleHeld: true exactly when handle() by name would return the handle, with the same effects', () => {
  const { clock, cache } = setup();
  const put = (addr: string) => cache.insert({ ...unsigned(www(100, addr)), credibility: Credibility.answerAuthoritative, status: insecure });
  put('192.0.2.1');
  const h1 = cache.handle(n('www.example.'), RRType.A);
  assert.ok(h1 !== undefined, 'held: a handle');
  assert.equal(cache.handleHeld(h1), true, 'the entry it was made for is held');
  put('192.0.2.2');
  assert.equal(cache.handleHeld(h1), false, 'replaced data: the old handle is not held');
  const h2 = cache.handle(n('www.example.'), RRType.A)!;
  assert.equal(cache.handleHeld(h2), true, 'the new handle is');
  clock.advance(100_000);
  assert.equal(cache.count, 1, 'the expired entry is still there until met');
  assert.equal(cache.handleHeld(h2), false, 'expired: not held');
  assert.equal(cache.count, 0, 'the expired entry was dropped when met, as handle() drops it');
  put('192.0.2.2');
  const h3 = cache.handle(n('www.example.'), RRType.A)!;
  cache.delete(n('www.example.'), RRType.A);
  put('192.0.2.2');
  assert.equal(cache.handleHeld(h3), false, 'deleted and stored again: the old handle is not held, though the data is the same');
  assert.throws(() => cache.handleHeld({ status: insecure }), TypeError, 'a look-alike object is refused');
});

test('handleHeld counts as a use for the CLOCK sweep, as handle() does', () => {
  const { cache } = setup({ maxBytes: 8 * 1024 });
  const put = (owner: string) => cache.insert({ ...unsigned(rrset(owner, RRType.A, 300, a('192.0.2.1'))), credibility: Credibility.answerAuthoritative, status: insecure });
  put('keep.example.');
  put('idle.example.');
  const keep = cache.handle(n('keep.example.'), RRType.A);
  assert.ok(keep !== undefined, 'held: a handle');
  for (let i = 0; i < 400; i++) {
    put(`h${i}.example.`);
    // Used through the handle on every round: the sweep gives it a second chance each time.
    assert.ok(cache.handleHeld(keep), `keep still held at round ${i}`);
  }
  assert.equal(cache.handle(n('idle.example.'), RRType.A), undefined, 'the entry never used went');
  assert.equal(cache.handle(n('keep.example.'), RRType.A), keep, 'the entry used through handleHeld stayed, same handle');
});
