import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { NegativeCache, NegativeKind, negativeTtl, soaMinimum } from '../../src/cache/negative-cache.js';
import { SecurityStatus, type SignedRRset } from '../../src/cache/types.js';
import { EdeTag } from '../../src/dnssec/ede-tags.js';
import { reason } from '../../src/dnssec/verdict.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { T0, T0_SEC, a, n, nsec, rrset, soa, withSigExpiry } from './fixtures.js';

const { secure, insecure, bogus } = SecurityStatus;

function setup(opts: { maxNegativeTtl?: number; minNegativeTtl?: number; bogusTtl?: number; belowNxdomain?: boolean } = {}) {
  const clock = new ManualClock(T0);
  return { clock, cache: new NegativeCache({ clock, ...opts }) };
}

test('SOA MINIMUM is read from the RDATA; negative TTL = min(SOA TTL, MINIMUM, proof TTLs)', () => {
  const s = soa('example.', 3600, 300);
  assert.equal(soaMinimum(s.rrset.rdatas[0]!), 300);
  assert.equal(soaMinimum(new Uint8Array(10)), undefined);
  assert.equal(negativeTtl(s), 300);
  assert.equal(negativeTtl(soa('example.', 120, 300)), 120);
  assert.equal(negativeTtl(s, [nsec('a.example.', 'c.example.', [RRType.A], 'example.', 200)]), 200);
});

test('NXDOMAIN denies every type at the name, with the SOA and proofs kept; TTL counts down', () => {
  const { clock, cache } = setup();
  const proof = nsec('a.example.', 'c.example.', [RRType.A], 'example.', 3600);
  assert.ok(cache.insert({ kind: NegativeKind.nxdomain, name: n('b.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, 900), proofs: [proof], status: secure }));
  for (const t of [RRType.A, RRType.AAAA, RRType.MX]) {
    const hit = cache.lookup(n('B.example.'), t);
    assert.equal(hit?.kind, NegativeKind.nxdomain);
    assert.equal(hit.ttl, 900);
    assert.ok(hit.proofs[0]?.rrset.name.equals(proof.rrset.name), 'the proof is kept');
    assert.equal(hit.proofs[0]?.rrset.ttl, 3600, 'the proof keeps its own TTL, not the negative TTL');
    assert.equal(hit.soa?.rrset.type, RRType.SOA);
    assert.equal(hit.inferred, false);
  }
  clock.advance(600_500);
  const later = cache.lookup(n('b.example.'), RRType.A);
  assert.equal(later?.ttl, 299, 'the negative TTL counts down');
  assert.equal(later.proofs[0]?.rrset.ttl, 3000, 'and so does the proof, from its own TTL (RFC 9077 §4 bounds its use, not its TTL)');
  clock.advance(299_499);
  assert.equal(cache.lookup(n('b.example.'), RRType.A)?.ttl, 0);
  clock.advance(1);
  assert.equal(cache.lookup(n('b.example.'), RRType.A), undefined);
});

test('a negative answer without SOA is kept noSoaTtl seconds (default 5, as Unbound NORR_TTL); 0 does not cache it', () => {
  const { clock, cache } = setup();
  assert.ok(cache.insert({ kind: NegativeKind.nxdomain, name: n('ns1.example.'), type: RRType.A, class: RRClass.IN, soa: undefined, status: insecure }));
  const hit = cache.lookup(n('ns1.example.'), RRType.AAAA);
  assert.equal(hit?.kind, NegativeKind.nxdomain, 'the NXDOMAIN denies every type');
  assert.equal(hit.ttl, 5);
  assert.equal(hit.soa, undefined, 'no SOA to serve');
  assert.equal(cache.ttlOf(undefined), 5);
  clock.advance(5_000);
  assert.equal(cache.lookup(n('ns1.example.'), RRType.A), undefined, 'gone after 5 s');
  const strict = new NegativeCache({ clock, noSoaTtl: 0 });
  assert.equal(strict.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: undefined, status: insecure }), false, 'RFC 2308 §5 to the letter');
  assert.equal(strict.lookup(n('a.example.'), RRType.A), undefined, 'nothing cached');
  const clamped = new NegativeCache({ clock, noSoaTtl: 5, minNegativeTtl: 30 });
  assert.equal(clamped.ttlOf(undefined), 30, 'the clamps apply as to any negative TTL');
});

test('NODATA is per type', () => {
  const { cache } = setup();
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.AAAA, class: RRClass.IN, soa: soa('example.', 3600, 600), status: insecure });
  assert.equal(cache.lookup(n('a.example.'), RRType.AAAA)?.kind, NegativeKind.nodata);
  assert.equal(cache.lookup(n('a.example.'), RRType.A), undefined);
  assert.equal(cache.lookup(n('a.example.'), RRType.AAAA, RRClass.CH), undefined);
});

test('negative TTL clamps: max (default 3600) and min', () => {
  const { cache } = setup();
  cache.insert({ kind: NegativeKind.nxdomain, name: n('x.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 86400, 86400), status: insecure });
  assert.equal(cache.lookup(n('x.example.'), RRType.A)?.ttl, 3600);
  const low = setup({ maxNegativeTtl: 60, minNegativeTtl: 30 }).cache;
  low.insert({ kind: NegativeKind.nxdomain, name: n('x.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 86400, 86400), status: insecure });
  assert.equal(low.lookup(n('x.example.'), RRType.A)?.ttl, 60);
  low.insert({ kind: NegativeKind.nxdomain, name: n('y.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 5, 5), status: insecure });
  assert.equal(low.lookup(n('y.example.'), RRType.A)?.ttl, 30);
  // Zero is not cached.
  const plain = setup().cache;
  assert.equal(plain.insert({ kind: NegativeKind.nxdomain, name: n('z.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 0, 300), status: insecure }), false);
});

test('secure entries are capped by the RRSIG expiration of the SOA and of the proofs', () => {
  const { cache } = setup();
  const p = nsec('a.example.', 'c.example.', [RRType.A], 'example.');
  cache.insert({ kind: NegativeKind.nxdomain, name: n('b.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 3600), proofs: [p], status: secure });
  assert.equal(cache.lookup(n('b.example.'), RRType.A)?.ttl, 3600);
  cache.insert({ kind: NegativeKind.nxdomain, name: n('d.example.'), type: 0, class: RRClass.IN, soa: withSigExpiry(soa('example.', 3600, 3600), T0_SEC + 42), proofs: [p], status: secure });
  assert.equal(cache.lookup(n('d.example.'), RRType.A)?.ttl, 42);
  cache.insert({ kind: NegativeKind.nxdomain, name: n('e.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 3600), proofs: [withSigExpiry(p, T0_SEC + 17)], status: secure });
  assert.equal(cache.lookup(n('e.example.'), RRType.A)?.ttl, 17);
});

test('bogus negative entries live bogusTtl and keep the reason', () => {
  const { cache } = setup({ bogusTtl: 45 });
  const why = reason(EdeTag.NSEC_NXDOMAIN_NOT_COVERED, 'no NSEC covers the name');
  cache.insert({ kind: NegativeKind.nxdomain, name: n('b.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 3600), status: bogus, reason: why });
  const hit = cache.lookup(n('b.example.'), RRType.A)!;
  assert.equal(hit.ttl, 45);
  assert.equal(hit.status, bogus);
  assert.deepEqual(hit.reason, why);
});

test('a live secure entry is not replaced by unvalidated data', () => {
  const { cache } = setup();
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, 600), status: secure });
  assert.equal(cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, 60), status: insecure }), false);
  assert.equal(cache.lookup(n('a.example.'), RRType.A)?.status, secure);
  assert.ok(cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, 60), status: secure }));
  assert.equal(cache.lookup(n('a.example.'), RRType.A)?.ttl, 60);
});

test('names below a secure NXDOMAIN are denied too (RFC 8020); insecure ones and the option off are not', () => {
  const { cache } = setup();
  cache.insert({ kind: NegativeKind.nxdomain, name: n('gone.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 600), status: secure });
  const hit = cache.lookup(n('deep.below.gone.example.'), RRType.TXT);
  assert.equal(hit?.kind, NegativeKind.nxdomain);
  assert.equal(hit.inferred, true);
  assert.ok(hit.name.equals(n('gone.example.')));
  assert.equal(cache.lookup(n('example.'), RRType.A), undefined, 'not upwards');
  cache.insert({ kind: NegativeKind.nxdomain, name: n('plain.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 600), status: insecure });
  assert.equal(cache.lookup(n('x.plain.example.'), RRType.A), undefined);
  const off = setup({ belowNxdomain: false }).cache;
  off.insert({ kind: NegativeKind.nxdomain, name: n('gone.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 3600, 600), status: secure });
  assert.equal(off.lookup(n('x.gone.example.'), RRType.A), undefined);
});

test("an entry shows its zone's newer SOA with that SOA's TTL, and keeps its own expiry (Unbound's message cache)", () => {
  const { clock, cache } = setup();
  const changed: string[] = [];
  cache.onZoneSoaChange((zone) => changed.push(zone.toString()));
  const serial = (s: SignedRRset | undefined): number | undefined => {
    const rd = s?.rrset.rdatas[0];
    return rd === undefined ? undefined : new DataView(rd.buffer, rd.byteOffset + rd.length - 20).getUint32(0);
  };
  cache.insert({ kind: NegativeKind.nxdomain, name: n('nx1.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 10, 10, 15), status: insecure });
  assert.deepEqual(changed, ['example.'], 'the first SOA of the zone is announced');
  clock.advance(5_000);
  assert.equal(cache.lookup(n('nx1.example.'), RRType.A)?.ttl, 5);
  // The same SOA again changes nothing: no announcement, the entry keeps showing its own.
  cache.insert({ kind: NegativeKind.nxdomain, name: n('nx0.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 10, 10, 15), status: insecure });
  assert.equal(changed.length, 1, 'no announcement for the same SOA');
  // A newer serial from another negative answer of the zone.
  cache.insert({ kind: NegativeKind.nxdomain, name: n('nx2.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 10, 10, 17), status: insecure });
  assert.deepEqual(changed, ['example.', 'example.'], 'the change is announced');
  const hit = cache.lookup(n('nx1.example.'), RRType.A);
  assert.equal(serial(hit?.soa), 17, 'the older entry shows the newest SOA');
  assert.equal(hit?.ttl, 10, "with the newer SOA's own negative TTL");
  assert.equal(hit.life, 5, 'the entry itself still ends 10 s after it was stored');
  clock.advance(5_000);
  assert.equal(cache.lookup(n('nx1.example.'), RRType.A), undefined, 'gone at its own expiry, though the SOA it showed lives on');
  assert.equal(serial(cache.lookup(n('nx2.example.'), RRType.A)?.soa), 17);
});

test('a secure entry shows only a secure newer SOA; an insecure one does not replace a live secure record', () => {
  const { clock, cache } = setup();
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 600, 600, 1), status: secure });
  clock.advance(1_000);
  cache.insert({ kind: NegativeKind.nodata, name: n('b.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 600, 600, 2), status: insecure });
  const a = cache.lookup(n('a.example.'), RRType.A);
  assert.equal(a?.soa?.rrset.rdatas[0]?.[a.soa.rrset.rdatas[0].length - 17], 1, 'the secure entry keeps its own (serial 1) SOA');
  assert.equal(a.ttl, 599);
  const b = cache.lookup(n('b.example.'), RRType.A);
  assert.equal(b?.soa?.rrset.rdatas[0]?.[b.soa.rrset.rdatas[0].length - 17], 2, 'the insecure entry shows its own');
  clock.advance(1_000);
  cache.insert({ kind: NegativeKind.nodata, name: n('c.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 600, 600, 3), status: secure });
  const a2 = cache.lookup(n('a.example.'), RRType.A);
  assert.equal(a2?.soa?.rrset.rdatas[0]?.[a2.soa.rrset.rdatas[0].length - 17], 3, 'a newer secure SOA is shown by the secure entry');
  const b2 = cache.lookup(n('b.example.'), RRType.A);
  assert.equal(b2?.soa?.rrset.rdatas[0]?.[b2.soa.rrset.rdatas[0].length - 17], 3, 'and by the insecure one');
});

test('the NS RRset kept with a negative answer is served counted down, and not for names below an NXDOMAIN', () => {
  const { clock, cache } = setup();
  const ns = { rrset: rrset('example.', RRType.NS, 3600, [n('ns.example.').wire]), rrsigs: [] };
  const glue = { rrset: rrset('ns.example.', RRType.A, 3600, a('192.0.2.53')), rrsigs: [] };
  cache.insert({ kind: NegativeKind.nxdomain, name: n('gone.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 600, 600), status: secure, extra: { authority: [ns], additional: [glue] } });
  clock.advance(100_000);
  const hit = cache.lookup(n('gone.example.'), RRType.A);
  assert.equal(hit?.extra?.authority[0]?.rrset.ttl, 3500, 'the NS counts down from its own TTL');
  assert.equal(hit.extra.additional[0]?.rrset.ttl, 3500);
  const below = cache.lookup(n('x.gone.example.'), RRType.A);
  assert.equal(below?.inferred, true);
  assert.equal(below.extra, undefined, 'an inferred denial carries no NS of its own');
});

test('delete, prune, clear', () => {
  const { clock, cache } = setup();
  cache.insert({ kind: NegativeKind.nxdomain, name: n('b.example.'), type: 0, class: RRClass.IN, soa: soa('example.', 10, 10), status: insecure });
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 100, 100), status: insecure });
  clock.advance(11_000);
  assert.equal(cache.prune(), 1);
  cache.delete(n('a.example.'), RRType.A);
  assert.equal(cache.count, 0);
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 100, 100), status: insecure });
  assert.ok(cache.bytes > 0);
  cache.clear();
  assert.equal(cache.count, 0);
});

test('the order the server gave (proofs before the SOA) is kept with the entry', () => {
  const { cache } = setup();
  const proof = nsec('a.example.', 'c.example.', [RRType.A], 'example.', 3600);
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.TXT, class: RRClass.IN, soa: soa('example.', 3600, 900), proofs: [proof], status: secure, soaLast: true });
  cache.insert({ kind: NegativeKind.nodata, name: n('a.example.'), type: RRType.MX, class: RRClass.IN, soa: soa('example.', 3600, 900), proofs: [proof], status: secure });
  assert.equal(cache.lookup(n('a.example.'), RRType.TXT)?.soaLast, true, 'proofs first');
  assert.equal(cache.lookup(n('a.example.'), RRType.MX)?.soaLast, false, 'SOA first by default');
});

test('a name below a secure NXDOMAIN stops being denied when that entry leaves the cache (deleted, expired, evicted, cleared)', () => {
  const nx = (cache: NegativeCache, name: string, status: SecurityStatus, ttl = 3600): void => {
    cache.insert({ kind: NegativeKind.nxdomain, name: n(name), type: 0, class: RRClass.IN, soa: soa('example.', ttl, ttl), status });
  };
  const below = (cache: NegativeCache): boolean => cache.lookup(n('x.gone.example.'), RRType.A)?.inferred === true;
  const { clock, cache } = setup();
  nx(cache, 'gone.example.', secure);
  assert.equal(below(cache), true, 'denied below the secure NXDOMAIN');
  cache.delete(n('gone.example.'), RRType.A);
  assert.equal(below(cache), false, 'not after delete');
  nx(cache, 'gone.example.', secure);
  nx(cache, 'gone.example.', secure);
  assert.equal(below(cache), true, 'still denied after the entry was replaced by a new one');
  assert.equal(cache.lookup(n('gone.example.'), RRType.A)?.kind, NegativeKind.nxdomain, 'the name itself too');
  cache.delete(n('gone.example.'), RRType.A);
  assert.equal(below(cache), false, 'an entry replaced by a new one counts once');
  nx(cache, 'gone.example.', secure, 10);
  clock.advance(11_000);
  assert.equal(cache.lookup(n('gone.example.'), RRType.A), undefined, 'expired entry dropped');
  assert.equal(below(cache), false, 'not after expiry');
  nx(cache, 'gone.example.', secure);
  nx(cache, 'other.gone.example.', secure);
  assert.equal(below(cache), true, 'an NXDOMAIN at another depth does not hide it');
  cache.clear();
  assert.equal(below(cache), false, 'not after clear');
  nx(cache, 'gone.example.', secure);
  assert.equal(below(cache), true, 'counted again after clear');
  assert.equal(cache.lookup(n('GONE.example.'), RRType.MX)?.kind, NegativeKind.nxdomain, 'the name itself, in any case');
  cache.insert({ kind: NegativeKind.nodata, name: n('gone.example.'), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, 600), status: secure });
  cache.delete(n('gone.example.'), RRType.MX);
  assert.equal(cache.lookup(n('gone.example.'), RRType.A)?.kind, NegativeKind.nodata, 'a NODATA left after its name lost its NXDOMAIN');
  const small = new NegativeCache({ clock, maxBytes: 3000 });
  nx(small, 'gone.example.', secure);
  assert.equal(below(small), true, 'small cache holds it');
  for (let i = 0; i < 20; i++) nx(small, `filler${i}.example.`, insecure);
  assert.equal(small.lookup(n('gone.example.'), RRType.A), undefined, 'evicted by the fillers');
  assert.equal(below(small), false, 'not after eviction');
});

test('under churn (replacements, evictions, deletes) every entry still reads back its own name, SOA and proof', () => {
  // Slot numbers are reused and mostly-free arena chunks evacuated: no entry may see another's octets.
  const clock = new ManualClock(T0);
  const cache = new NegativeCache({ clock, maxBytes: 64 * 1024 });
  const kept = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const k = i % 700;
    const name = `h${k}.example.`;
    if (i % 11 === 0) {
      cache.delete(n(name), RRType.A);
      kept.delete(name);
      continue;
    }
    const minimum = 100 + (i % 50);
    const proof = nsec(`h${k}.example.`, `h${k}a.example.`, [RRType.MX], 'example.', 3600);
    cache.insert({ kind: NegativeKind.nodata, name: n(name), type: RRType.A, class: RRClass.IN, soa: soa('example.', 3600, minimum), proofs: [proof], status: insecure });
    kept.set(name, minimum);
  }
  let found = 0;
  for (const [name, minimum] of kept) {
    const hit = cache.lookup(n(name), RRType.A);
    if (hit === undefined) continue; // evicted by the byte bound
    found++;
    assert.equal(hit.ttl, minimum, `${name}: its own SOA MINIMUM`);
    assert.ok(hit.proofs[0]?.rrset.name.equals(n(name)), `${name}: its own proof`);
  }
  assert.ok(found > 50 && found < kept.size, `some entries kept, some evicted by the bound: ${found} of ${kept.size}`);
});
