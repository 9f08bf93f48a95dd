import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { AggressiveNsecCache, type Nsec3Prover, validatorNsec3Prover } from '../../src/cache/aggressive-nsec.js';
import { canonicalSortKey } from '../../src/cache/canonical-key.js';
import { SecurityStatus } from '../../src/cache/types.js';
import type { DenialResult } from '../../src/dnssec/nsec-proof.js';
import { nsec3Records, type Nsec3Record } from '../../src/dnssec/nsec3-proof.js';
import { nsec3Hash, nsec3OwnerName } from '../../src/dnssec/nsec3-hash.js';
import { validatorOptions as validatorOptionsFor } from '../../src/dnssec/rrset-validator.js';
import { RRType } from '../../src/wire/constants.js';
import { compareNames, type Name } from '../../src/wire/name.js';
import { compareBytes } from '../../src/wire/record.js';
import { T0, a, n, nsec, nsec3, rrset, signed, soa } from './fixtures.js';

const { secure, insecure } = SecurityStatus;
const Z = n('example.');
const APEX_TYPES = [RRType.SOA, RRType.NS, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY];

function setup(opts: { nsec3Prover?: Nsec3Prover; maxBytes?: number; maxNsec3Iterations?: number } = {}) {
  const clock = new ManualClock(T0);
  const { maxNsec3Iterations, ...rest } = opts;
  const validatorOptions = maxNsec3Iterations === undefined ? undefined : validatorOptionsFor({ nsec3: { maxIterations: maxNsec3Iterations } });
  return { clock, cache: new AggressiveNsecCache({ clock, ...rest, ...(validatorOptions === undefined ? {} : { validatorOptions }) }) };
}

/** example. → a → c → x.y → (wrap to) example.; y.example. is an empty non-terminal. */
function loadChain(cache: AggressiveNsecCache, withApex = true): void {
  const s = soa('example.', 3600, 300);
  if (withApex) assert.ok(cache.insertNsec(Z, nsec('example.', 'a.example.', APEX_TYPES, 'example.'), secure, s));
  assert.ok(cache.insertNsec(Z, nsec('a.example.', 'c.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s));
  assert.ok(cache.insertNsec(Z, nsec('c.example.', 'x.y.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s));
  assert.ok(cache.insertNsec(Z, nsec('x.y.example.', 'example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s));
}

test('canonical sort keys order names as RFC 4034 §6.1', () => {
  // The RFC 4034 §6.1 example, in order.
  const names = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'].map((t) => n(t));
  for (let i = 1; i < names.length; i++) {
    assert.ok(canonicalSortKey(names[i - 1]!) < canonicalSortKey(names[i]!), `${names[i - 1]!.toString()} < ${names[i]!.toString()}`);
    assert.ok(compareNames(names[i - 1]!, names[i]!) < 0);
  }
  assert.equal(canonicalSortKey(n('A.Example.')), canonicalSortKey(n('a.example.')));
});

test('NSEC covering lookups, including the wrap-around of the last NSEC to the apex', () => {
  const { cache } = setup();
  loadChain(cache);
  const owner = (name: string) => cache.findCoveringNsec(Z, n(name))?.record.owner.toString();
  assert.equal(owner('b.example.'), 'a.example.');
  assert.equal(owner('B.EXAMPLE.'), 'a.example.');
  assert.equal(owner('aa.example.'), 'a.example.');
  assert.equal(owner('sub.a.example.'), 'a.example.');
  assert.equal(owner('d.example.'), 'c.example.');
  assert.equal(owner('y.example.'), 'c.example.', 'the empty non-terminal sits in a span');
  assert.equal(owner('z.example.'), 'x.y.example.', 'past the last owner: the wrapping NSEC');
  assert.equal(owner('zz.x.y.example.'), 'x.y.example.');
  assert.equal(owner('a.example.'), undefined, 'an owner is matched, not covered');
  assert.equal(owner('example.'), undefined);
  assert.equal(cache.findCoveringNsec(Z, n('b.other.')), undefined);
  assert.equal(cache.findMatchingNsec(n('A.example.'))?.record.next.toString(), 'c.example.');
  assert.equal(cache.findMatchingNsec(n('c.example.'), Z)?.record.owner.toString(), 'c.example.');
  assert.equal(cache.findMatchingNsec(n('b.example.')), undefined);
});

test('without the apex NSEC, names before the first owner are not covered', () => {
  const { cache } = setup();
  loadChain(cache, false);
  assert.equal(cache.findCoveringNsec(Z, n('0.example.')), undefined);
  assert.equal(cache.findCoveringNsec(Z, n('z.example.'))?.record.owner.toString(), 'x.y.example.');
});

test('only secure, well-placed NSEC records are stored', () => {
  const { cache } = setup();
  assert.equal(cache.insertNsec(Z, nsec('a.example.', 'c.example.', [RRType.A], 'example.'), insecure), false);
  assert.equal(cache.insertNsec(Z, nsec('a.other.', 'c.other.', [RRType.A], 'other.'), secure), false);
  assert.equal(cache.insertNsec(Z, nsec('a.example.', 'c.other.', [RRType.A], 'example.'), secure), false);
  assert.equal(cache.count, 0);
});

test('records expire at min(NSEC TTL, SOA MINIMUM, SOA TTL) and are then unusable', () => {
  const { clock, cache } = setup();
  loadChain(cache);
  const r = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(r.kind, 'nxdomain');
  assert.equal(r.ttl, 300);
  assert.ok(r.proofs.length > 0, 'proofs are given');
  for (const p of r.proofs) assert.equal(p.rrset.ttl, 3600, 'each proof keeps its own TTL (RFC 9077 §4 bounds its use only)');
  clock.advance(100_000);
  const later = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(later.kind, 'nxdomain');
  assert.equal(later.ttl, 200, 'the use counts down from the negative TTL');
  for (const p of later.proofs) assert.equal(p.rrset.ttl, 3500, 'the proof TTL counts down from its own');
  clock.advance(200_000);
  assert.equal(cache.findCoveringNsec(Z, n('b.example.')), undefined);
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'none');
  // Without an SOA, the NSEC TTL rules (clamped to maxTtl).
  const other = setup().cache;
  other.insertNsec(Z, nsec('a.example.', 'c.example.', [RRType.A], 'example.', 120), secure);
  assert.ok(other.findCoveringNsec(Z, n('b.example.')));
});

test('synthesis with the validator NSEC proofs: NXDOMAIN, NODATA, empty non-terminal', () => {
  const { cache } = setup();
  loadChain(cache);
  const nx = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(nx.kind, 'nxdomain');
  assert.equal(nx.facts.kind, 'nxdomain');
  assert.ok(nx.zone.equals(Z));
  // The covering NSEC of the name and the apex NSEC covering *.example.
  assert.deepEqual(nx.proofs.map((p) => p.rrset.name.toString()).sort(), ['a.example.', 'example.']);
  assert.equal(nx.soa?.rrset.type, RRType.SOA);

  const nodata = cache.synthesize(n('a.example.'), RRType.AAAA);
  assert.equal(nodata.kind, 'nodata');
  assert.equal(nodata.facts.kind, 'nodata');
  assert.equal(cache.synthesize(n('a.example.'), RRType.A).kind, 'none', 'the type exists');

  const ent = cache.synthesize(n('y.example.'), RRType.A);
  assert.equal(ent.kind, 'nodata');
  assert.equal(ent.facts.kind, 'ent-nodata');

  assert.equal(cache.synthesize(n('b.other.'), RRType.A).kind, 'none', 'no records for the zone');
  const partial = setup().cache;
  loadChain(partial, false);
  assert.equal(partial.synthesize(n('b.example.'), RRType.A).kind, 'none', 'the wildcard is not proven absent');
});

test("the zone's SOA: the same SOA offered again keeps the copy held, another one replaces it", () => {
  const { cache, clock } = setup();
  loadChain(cache);
  const first = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(first.kind, 'nxdomain', 'synthesised from the chain');
  const held = first.soa;
  assert.ok(held !== undefined, 'the SOA goes with the answer');
  clock.advance(1000);
  // An equal SOA in new octets, as each NSEC of the next response brings it.
  assert.ok(cache.insertNsec(Z, nsec('a.example.', 'c.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, soa('example.', 3600, 300)));
  const again = cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(again.kind !== 'none' && again.soa === held, 'the same SOA: no new copy');
  clock.advance(1000);
  assert.ok(cache.insertNsec(Z, nsec('a.example.', 'c.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, soa('example.', 3600, 300, 2)));
  const changed = cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(changed.kind !== 'none' && changed.soa !== undefined && changed.soa !== held, 'a new serial replaces the copy');
  assert.notDeepEqual(changed.soa.rrset.rdatas[0], held.rrset.rdatas[0], 'and the new SOA is served');
});

test("the zone's SOA offered as one object with every record of a response: read once, the same expiry and copy as offered one by one", () => {
  const records = (): ReturnType<typeof nsec>[] => [
    nsec('example.', 'a.example.', APEX_TYPES, 'example.'),
    nsec('a.example.', 'c.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'),
    nsec('c.example.', 'x.y.example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.', 120),
  ];
  const shared = setup();
  const fresh = setup();
  const one = soa('example.', 3600, 300);
  for (const r of records()) {
    assert.ok(shared.cache.insertNsec(Z, r, secure, one), 'stored with the shared SOA object');
    assert.ok(fresh.cache.insertNsec(Z, r, secure, soa('example.', 3600, 300)), 'stored with an SOA object of its own');
  }
  for (const probe of ['b.example.', 'bb.example.', 'd.example.']) {
    const a = shared.cache.synthesize(n(probe), RRType.A);
    const b = fresh.cache.synthesize(n(probe), RRType.A);
    assert.ok(a.kind !== 'none' && b.kind !== 'none', `${probe} synthesised by both`);
    assert.equal(a.ttl, b.ttl, `${probe}: the same TTL`);
    assert.deepEqual(a.soa, b.soa, `${probe}: the same SOA`);
  }
  const held = shared.cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(held.kind !== 'none' && held.soa !== undefined, 'an SOA held');
  // The same object a second later: read again at the new second, the copy kept; a changed SOA
  // object then replaces it, and the first object again brings the first SOA back.
  shared.clock.advance(1000);
  assert.ok(shared.cache.insertNsec(Z, records()[1]!, secure, one), 'the same SOA object a second later');
  const later = shared.cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(later.kind !== 'none' && later.soa === held.soa, 'the held copy serves');
  const other = soa('example.', 3600, 300, 2);
  assert.ok(shared.cache.insertNsec(Z, records()[1]!, secure, other), 'a new serial');
  const changed = shared.cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(changed.kind !== 'none' && changed.soa !== undefined && changed.soa !== held.soa, 'a new serial replaces the copy');
  assert.ok(shared.cache.insertNsec(Z, records()[1]!, secure, one), 'the first SOA object again');
  const back = shared.cache.synthesize(n('b.example.'), RRType.A);
  assert.ok(back.kind !== 'none' && back.soa !== undefined, 'an SOA held');
  assert.deepEqual(back.soa.rrset.rdatas, held.soa.rrset.rdatas, 'the first SOA is served again');
  assert.ok(back.soa !== changed.soa, 'not the replaced copy');
});

test('synthesis from a wildcard: answer to expand, or wildcard NODATA', () => {
  const { cache } = setup();
  const s = soa('example.', 3600, 600);
  cache.insertNsec(Z, nsec('example.', '*.example.', APEX_TYPES, 'example.'), secure, s);
  cache.insertNsec(Z, nsec('*.example.', 'a.example.', [RRType.A, RRType.TXT, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s);
  cache.insertNsec(Z, nsec('a.example.', 'example.', [RRType.A, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s);
  const w = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(w.kind, 'wildcard');
  assert.equal(w.wildcard.toString(), '*.example.');
  assert.deepEqual(w.proofs.map((p) => p.rrset.name.toString()), ['a.example.']);
  const wn = cache.synthesize(n('b.example.'), RRType.MX);
  assert.equal(wn.kind, 'nodata');
  assert.equal(wn.facts.kind, 'wildcard-nodata');
});

test('delegations: DS NODATA from the parent side; nothing below the cut', () => {
  const { cache } = setup();
  const s = soa('example.', 3600, 600);
  cache.insertNsec(Z, nsec('example.', 'sub.example.', APEX_TYPES, 'example.'), secure, s);
  cache.insertNsec(Z, nsec('sub.example.', 'example.', [RRType.NS, RRType.RRSIG, RRType.NSEC], 'example.'), secure, s);
  assert.equal(cache.zoneFor(n('sub.example.'), RRType.DS)?.zone.toString(), 'example.');
  assert.equal(cache.synthesize(n('sub.example.'), RRType.DS).kind, 'nodata');
  assert.equal(cache.synthesize(n('sub.example.'), RRType.A).kind, 'none', 'parent-side NSEC denies only DS');
  assert.equal(cache.synthesize(n('www.sub.example.'), RRType.A).kind, 'none', 'below the cut is another zone');
  // With the child's own chain held, names below the cut use it; DS still goes to the parent.
  const child = n('sub.example.');
  cache.insertNsec(child, nsec('sub.example.', 'sub.example.', [...APEX_TYPES], 'sub.example.'), secure);
  assert.equal(cache.zoneFor(n('www.sub.example.'))?.zone.toString(), 'sub.example.');
  assert.equal(cache.synthesize(n('www.sub.example.'), RRType.A).kind, 'nxdomain');
  assert.equal(cache.synthesize(n('sub.example.'), RRType.DS).kind, 'nodata');
});

test('zoneFor: the deepest zone held at or above the name, at any depth, and none once its records are gone', () => {
  const { cache, clock } = setup();
  const root = n('.');
  assert.equal(cache.zoneFor(n('a.b.c.example.')), undefined, 'nothing held');
  assert.ok(cache.insertNsec(root, nsec('.', 'aaa.', [RRType.NS, RRType.SOA], '.', 100), secure), 'root NSEC stored');
  assert.equal(cache.zoneFor(n('a.b.c.example.'))?.zone.toString(), '.', 'the root encloses everything');
  assert.equal(cache.zoneFor(root)?.zone.toString(), '.', 'the root itself');
  assert.equal(cache.zoneFor(root, RRType.DS)?.zone.toString(), '.', 'DS of the root: no parent to start at');
  assert.ok(cache.insertNsec(n('c.example.'), nsec('c.example.', 'x.c.example.', [RRType.NS, RRType.SOA], 'c.example.', 1000), secure), 'deep zone stored');
  assert.equal(cache.zoneFor(n('a.b.c.example.'))?.zone.toString(), 'c.example.', 'the deeper zone');
  assert.equal(cache.zoneFor(n('c.example.'))?.zone.toString(), 'c.example.', 'its apex');
  assert.equal(cache.zoneFor(n('c.example.'), RRType.DS)?.zone.toString(), '.', 'DS at the apex: from the parent side');
  assert.equal(cache.zoneFor(n('d.example.'))?.zone.toString(), '.', 'a sibling falls back to the root');
  clock.advance(200_000);
  assert.equal(cache.prune(), 1, 'the root NSEC expired');
  assert.equal(cache.zoneFor(n('d.example.')), undefined, 'no zone left above the sibling');
  assert.equal(cache.zoneFor(n('a.b.c.example.'))?.zone.toString(), 'c.example.', 'the deep zone stays');
  cache.clear();
  assert.equal(cache.zoneFor(n('a.b.c.example.')), undefined, 'cleared');
});

test('a newer NSEC evicts the older records it contradicts', () => {
  const { cache } = setup();
  cache.insertNsec(Z, nsec('a.example.', 'd.example.', [RRType.A], 'example.'), secure);
  // b now exists: the old a→d span is stale.
  cache.insertNsec(Z, nsec('b.example.', 'd.example.', [RRType.A], 'example.'), secure);
  assert.equal(cache.findMatchingNsec(n('a.example.'), Z), undefined);
  assert.equal(cache.findCoveringNsec(Z, n('c.example.'))?.record.owner.toString(), 'b.example.');
  // m→z says nothing exists between: p and q go.
  cache.insertNsec(Z, nsec('p.example.', 'q.example.', [RRType.A], 'example.'), secure);
  cache.insertNsec(Z, nsec('q.example.', 'r.example.', [RRType.A], 'example.'), secure);
  cache.insertNsec(Z, nsec('m.example.', 'z.example.', [RRType.A], 'example.'), secure);
  assert.equal(cache.findMatchingNsec(n('p.example.'), Z), undefined);
  assert.equal(cache.findMatchingNsec(n('q.example.'), Z), undefined);
  assert.equal(cache.count, 2);
  // Same owner: replaced, not duplicated.
  cache.insertNsec(Z, nsec('m.example.', 'n.example.', [RRType.A], 'example.'), secure);
  assert.equal(cache.count, 2);
  assert.equal(cache.findCoveringNsec(Z, n('o.example.')), undefined);
});

// ---- NSEC3 -------------------------------------------------------------------------------------

const SALT = Uint8Array.of(0xaa, 0xbb);
const ITER = 1;
const h = (name: string): Uint8Array => nsec3Hash(n(name), SALT, ITER);

/** An NSEC3 chain over the given names (sorted by hash, last wraps to first). */
function loadNsec3(cache: AggressiveNsecCache, names: string[], opts: { optOut?: boolean; typesFor?: (name: string) => number[] } = {}): { hash: Uint8Array; name: string }[] {
  const chain = names.map((name) => ({ name, hash: h(name) })).sort((x, y) => compareBytes(x.hash, y.hash));
  chain.forEach((e, i) => {
    const next = chain[(i + 1) % chain.length]!.hash;
    const types = opts.typesFor?.(e.name) ?? [RRType.A, RRType.RRSIG];
    const set = nsec3(nsec3OwnerName(e.hash, Z), next, types, 'example.', { salt: SALT, iterations: ITER, ...(opts.optOut === true ? { optOut: true } : {}) });
    assert.ok(cache.insertNsec3(Z, set, secure, soa('example.', 3600, 900)));
  });
  return chain;
}

test('NSEC and NSEC3 RDATA that does not read (bad bitmap, short hash, compressed name) is not stored', () => {
  const { cache } = setup();
  const withRdata = (s: ReturnType<typeof nsec>, rd: Uint8Array): ReturnType<typeof nsec> => ({ ...s, rrset: { ...s.rrset, rdatas: [rd] } });
  const good = nsec('a.example.', 'c.example.', [RRType.A], 'example.');
  const nsecBad: [string, Uint8Array][] = [
    ['bitmap windows out of order', Uint8Array.of(1, 0x63, 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0, 0, 1, 0x40, 0, 1, 0x40)],
    ['compressed next name', Uint8Array.of(0xc0, 12, 0, 1, 0x40)],
    ['next name overruns', Uint8Array.of(5, 0x61)],
  ];
  for (const [what, rd] of nsecBad) assert.equal(cache.insertNsec(Z, withRdata(good, rd), secure), false, `NSEC: ${what}`);
  const good3 = nsec3(nsec3OwnerName(h('a.example.'), Z), h('b.example.'), [RRType.A], 'example.', { salt: SALT, iterations: ITER });
  const head = Uint8Array.of(1, 0, 0, ITER, 2, ...SALT);
  const nsec3Bad: [string, Uint8Array][] = [
    ['bitmap length 0', Uint8Array.of(...head, 20, ...h('b.example.'), 0, 0)],
    ['next hashed owner shorter than the owner hash', Uint8Array.of(...head, 19, ...h('b.example.').subarray(1), 0, 1, 0x40)],
    ['empty next hashed owner', Uint8Array.of(...head, 0, 0, 1, 0x40)],
    ['salt overruns', Uint8Array.of(1, 0, 0, ITER, 9, 1)],
  ];
  for (const [what, rd] of nsec3Bad) assert.equal(cache.insertNsec3(Z, withRdata(good3, rd), secure), false, `NSEC3: ${what}`);
  assert.equal(cache.count, 0, 'nothing stored');
  assert.ok(cache.insertNsec(Z, good, secure), 'the well-formed NSEC is stored');
  assert.ok(cache.insertNsec3(Z, good3, secure), 'the well-formed NSEC3 is stored');
  assert.equal(cache.findCoveringNsec(Z, n('b.example.'))?.record.next.toString(), 'c.example.', 'NSEC next name as stored');
  assert.deepEqual(cache.findMatchingNsec3(Z, h('a.example.'))?.record.nextHashed, h('b.example.'), 'NSEC3 next hash as stored');
});

test('NSEC3 covering and matching lookups by hash, with wrap-around', () => {
  const { cache } = setup();
  const chain = loadNsec3(cache, ['example.', 'a.example.', 'c.example.', 'x.y.example.', 'y.example.']);
  assert.deepEqual(cache.nsec3Params(Z), { algorithm: 1, iterations: ITER, salt: SALT });
  for (const e of chain) {
    const m = cache.findMatchingNsec3(Z, e.hash);
    assert.ok(m, `matching NSEC3 of ${e.name}`);
    // Read back from the stored octets and key: what the validator's reader makes of the RRset.
    assert.deepEqual(m.record, nsec3Records([m.signed.rrset], Z)[0], `record of ${e.name} as nsec3Records reads it`);
    assert.equal(cache.findCoveringNsec3(Z, e.hash), undefined);
  }
  for (const probe of ['b.example.', 'd.example.', 'www.example.', 'q.x.y.example.', '*.example.', 'zz.example.']) {
    const ph = cache.nsec3HashFor(Z, n(probe))!;
    assert.deepEqual(ph, h(probe));
    const got = cache.findCoveringNsec3(Z, ph)!;
    // Brute force: the chain element just below the hash, or the last one when none is.
    const below = chain.filter((e) => compareBytes(e.hash, ph) < 0);
    const expect = below.length > 0 ? below[below.length - 1]! : chain[chain.length - 1]!;
    assert.deepEqual(got.record.hash, expect.hash, probe);
  }
  const min = new Uint8Array(20);
  const max = new Uint8Array(20).fill(0xff);
  assert.deepEqual(cache.findCoveringNsec3(Z, min)?.record.hash, chain[chain.length - 1]!.hash, 'before the first hash: the wrapping record');
  assert.deepEqual(cache.findCoveringNsec3(Z, max)?.record.hash, chain[chain.length - 1]!.hash, 'after the last hash: the wrapping record');
});

test('NSEC3 records over the iteration cap, with unknown flags or other parameters', () => {
  const { cache } = setup({ maxNsec3Iterations: 10 });
  const big = nsec3(nsec3OwnerName(h('a.example.'), Z), h('b.example.'), [RRType.A], 'example.', { iterations: 11 });
  assert.equal(cache.insertNsec3(Z, big, secure), false);
  assert.equal(cache.insertNsec3(Z, nsec3(n('not.hashed.example.'), h('b.example.'), [RRType.A], 'example.'), secure), false);
  assert.equal(cache.insertNsec3(Z, nsec3(nsec3OwnerName(h('a.example.'), Z), h('b.example.'), [RRType.A], 'example.', { salt: SALT, iterations: ITER }), insecure), false);
  assert.equal(cache.insertNsec3(Z, nsec3(nsec3OwnerName(h('a.example.'), Z), h('b.example.'), [RRType.A], 'example.', { salt: SALT, iterations: ITER, flags: 2 }), secure), false);
  loadNsec3(cache, ['example.', 'a.example.']);
  assert.equal(cache.count, 2);
  // A record of a new chain (other salt) replaces the old index.
  const other = nsec3(nsec3OwnerName(nsec3Hash(n('a.example.'), new Uint8Array(0), 0), Z), h('b.example.'), [RRType.A], 'example.');
  assert.ok(cache.insertNsec3(Z, other, secure));
  assert.equal(cache.count, 1);
  assert.equal(cache.nsec3Params(Z)?.salt.length, 0);
});

function stubProver(result: (kind: string, nsec3s: readonly Nsec3Record[], qname: Name) => DenialResult, calls: string[]): Nsec3Prover {
  return {
    proveNxdomain: (s, q) => {
      calls.push(`nxdomain:${s.length}`);
      return result('nxdomain', s, q);
    },
    proveNodata: (s, q) => {
      calls.push(`nodata:${s.length}`);
      return result('nodata', s, q);
    },
    proveWildcardAnswer: (s, q) => {
      calls.push(`wildcard:${s.length}`);
      return result('wildcard-answer', s, q);
    },
  };
}

const secureAs = (kind: string, _s: readonly Nsec3Record[], qname: Name): DenialResult =>
  ({ status: 'secure', facts: { kind, name: qname, via: 'nsec3', optOut: false } }) as DenialResult;

test('NSEC3 synthesis gathers the closest encloser proof and asks the prover', () => {
  const calls: string[] = [];
  const { cache } = setup({ nsec3Prover: stubProver(secureAs, calls) });
  loadNsec3(cache, ['example.', 'a.example.', 'c.example.']);
  const r = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(r.kind, 'nxdomain');
  assert.equal(r.ttl, 900);
  // Closest encloser example. (match), next closer b.example. (cover), *.example. (cover).
  const owners = new Set(r.proofs.map((p) => p.rrset.name.key));
  assert.ok(owners.has(nsec3OwnerName(h('example.'), Z).key));
  assert.ok(r.proofs.length >= 2 && r.proofs.length <= 3);
  assert.deepEqual(calls, [`nxdomain:${r.proofs.length}`]);
  calls.length = 0;
  assert.equal(cache.synthesize(n('a.example.'), RRType.AAAA).kind, 'nodata');
  assert.deepEqual(calls, ['nodata:1']);
  // A prover that says no means no.
  const refusing = setup({ nsec3Prover: stubProver(() => ({ status: 'bogus', reason: { tag: 'V-NSEC3-NC', ede: 12, detail: 'x' } }), []) }).cache;
  loadNsec3(refusing, ['example.', 'a.example.', 'c.example.']);
  assert.equal(refusing.synthesize(n('b.example.'), RRType.A).kind, 'none');
});

test('NSEC3 synthesis hands the proof the hashes it computed, keyed as the validator keeps them, and the validator proof uses them', () => {
  const seen: Map<string, Uint8Array>[] = [];
  const recording: Nsec3Prover = {
    proveNxdomain: (records, qname, zone, known) => {
      if (known !== undefined) seen.push(known);
      return validatorNsec3Prover(new ManualClock(T0)).proveNxdomain(records, qname, zone, known);
    },
    proveNodata: () => ({ status: 'bogus', reason: { tag: 'V-NSEC3-NC', ede: 12, detail: 'x' } }),
    proveWildcardAnswer: () => ({ status: 'bogus', reason: { tag: 'V-NSEC3-NC', ede: 12, detail: 'x' } }),
  };
  const { cache } = setup({ nsec3Prover: recording });
  loadNsec3(cache, ['example.', 'a.example.', 'c.example.']);
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'nxdomain', 'proven with the hashes handed over');
  assert.equal(seen.length, 1, 'the proof was handed hashes');
  const prefix = `${ITER}/${Buffer.from(SALT).toString('hex')}/`;
  for (const name of ['b.example.', 'example.', '*.example.']) {
    assert.deepEqual(seen[0]!.get(prefix + n(name).key), h(name), `the hash of ${name}`);
  }
  // The validator's proof reads them: a wrong hash for the name (one that an NSEC3 owns) turns the NXDOMAIN proof down.
  const records = ['example.', 'a.example.', 'c.example.'].map((x) => cache.findMatchingNsec3(Z, h(x))!.record);
  const prover = validatorNsec3Prover(new ManualClock(T0));
  assert.equal(prover.proveNxdomain(records, n('b.example.'), Z).status, 'secure', 'proven when it hashes itself');
  const wrong = new Map([[prefix + n('b.example.').key, h('a.example.')]]);
  assert.notEqual(prover.proveNxdomain(records, n('b.example.'), Z, wrong).status, 'secure', 'a handed hash is taken as given');
});

test('an opt-out NSEC3 span never yields a synthesised NXDOMAIN (RFC 8198 §5.2)', () => {
  const calls: string[] = [];
  const { cache } = setup({ nsec3Prover: stubProver(secureAs, calls) });
  loadNsec3(cache, ['example.', 'a.example.', 'c.example.'], { optOut: true });
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'none');
  assert.deepEqual(calls, [], 'refused before asking');
  // A prover reporting opt-out is refused too.
  const flagged = setup({ nsec3Prover: stubProver((kind, _s, q) => ({ status: 'secure', facts: { kind, name: q, via: 'nsec3', optOut: true } }) as DenialResult, []) }).cache;
  loadNsec3(flagged, ['example.', 'a.example.', 'c.example.']);
  assert.equal(flagged.synthesize(n('b.example.'), RRType.A).kind, 'none');
});

test('NSEC3 wildcard: the wildcard name to expand, proven by the next closer cover', () => {
  const calls: string[] = [];
  const { cache } = setup({ nsec3Prover: stubProver(secureAs, calls) });
  loadNsec3(cache, ['example.', '*.example.', 'a.example.'], { typesFor: (name) => (name === '*.example.' ? [RRType.TXT, RRType.RRSIG] : [RRType.A, RRType.RRSIG]) });
  const r = cache.synthesize(n('b.example.'), RRType.TXT);
  assert.equal(r.kind, 'wildcard');
  assert.equal(r.wildcard.toString(), '*.example.');
  assert.deepEqual(calls, ['wildcard:1']);
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'nodata');
});

test('NSEC3 wildcard known from a validated expansion: no NSEC3 needed at the closest encloser or the wildcard (RFC 8198 §5.3)', () => {
  // What a wildcard answer leaves behind: NSEC3 covering next closer names, none matching the apex
  // or *.example. (RFC 5155 §7.2.6), and the wildcard RRset of the expansion. The validator's prover.
  const { clock, cache } = setup();
  loadNsec3(cache, ['a.example.', 'c.example.']);
  const wildSet = signed(rrset('*.example.', RRType.A, 600, a('192.0.2.7')), 'example.');
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'none', 'nothing shows example. or *.example. exist');
  assert.equal(cache.noteWildcard(Z, n('*.example.'), wildSet, insecure), false, 'only a secure wildcard counts');
  assert.equal(cache.noteWildcard(n('other.'), n('*.other.'), wildSet, secure), false, 'only for a zone whose NSEC3 chain is held');
  assert.equal(cache.noteWildcard(Z, n('www.example.'), wildSet, secure), false, 'only a wildcard owner');
  assert.ok(cache.noteWildcard(Z, n('*.example.'), wildSet, secure));
  for (const q of ['b.example.', 'x.b.example.']) {
    const r = cache.synthesize(n(q), RRType.A);
    assert.equal(r.kind, 'wildcard', q);
    assert.equal(r.wildcard.toString(), '*.example.');
    assert.equal(r.proofs.length, 1, `${q}: the NSEC3 covering the next closer name`);
  }
  clock.advance(600_000);
  assert.equal(cache.synthesize(n('b.example.'), RRType.A).kind, 'none', 'not past the wildcard RRset TTL');
  const optOut = setup().cache;
  loadNsec3(optOut, ['a.example.', 'c.example.'], { optOut: true });
  assert.ok(optOut.noteWildcard(Z, n('*.example.'), wildSet, secure));
  assert.equal(optOut.synthesize(n('b.example.'), RRType.A).kind, 'none', 'an opt-out cover proves nothing (RFC 8198 §5.2)');
});

test('the byte budget holds; least recently used zones go', () => {
  const { cache } = setup({ maxBytes: 12_000 });
  for (let z = 0; z < 10; z++) {
    const zone = n(`z${z}.test.`);
    for (let i = 0; i < 5; i++) cache.insertNsec(zone, nsec(`h${i}.z${z}.test.`, `h${i}a.z${z}.test.`, [RRType.A], `z${z}.test.`), secure);
    assert.ok(cache.bytes <= 12_000, `${cache.bytes}`);
  }
  assert.ok(cache.findMatchingNsec(n('h0.z9.test.')));
  assert.equal(cache.findMatchingNsec(n('h0.z0.test.')), undefined);
  assert.equal(cache.prune(), 0);
  cache.clear();
  assert.equal(cache.bytes, 0);
});

test('NSEC3 synthesis with the validator proofs: NXDOMAIN, NODATA, wildcard, empty non-terminal', () => {
  const { cache } = setup();
  loadNsec3(cache, ['example.', 'a.example.', 'c.example.', 'x.y.example.', 'y.example.'], {
    typesFor: (name) => (name === 'example.' ? [RRType.SOA, RRType.NS, RRType.RRSIG, RRType.DNSKEY, RRType.NSEC3PARAM] : name === 'y.example.' ? [] : [RRType.A, RRType.RRSIG]),
  });
  const nx = cache.synthesize(n('b.example.'), RRType.A);
  assert.equal(nx.kind, 'nxdomain');
  assert.equal(nx.facts.via, 'nsec3');
  assert.equal(nx.facts.closestEncloser?.toString(), 'example.');
  const owners = nx.proofs.map((p) => p.rrset.name.key);
  assert.equal(new Set(owners).size, owners.length, `each NSEC3 goes once: ${owners.length}`);
  const deep = cache.synthesize(n('deep.b.example.'), RRType.A);
  assert.equal(deep.kind, 'nxdomain', 'two labels below the closest encloser');
  assert.equal(deep.facts.closestEncloser?.toString(), 'example.', 'the apex encloses it');
  // Asked again, the apex hash held for the chain serves: the same outcome.
  const deepAgain = cache.synthesize(n('deep.b.example.'), RRType.A);
  assert.equal(deepAgain.kind, 'nxdomain', 'asked again');
  assert.deepEqual(deepAgain.proofs, deep.proofs, 'the same proofs');
  const nodata = cache.synthesize(n('a.example.'), RRType.MX);
  assert.equal(nodata.kind, 'nodata');
  assert.equal(nodata.proofs.length, 1);
  assert.equal(cache.synthesize(n('a.example.'), RRType.A).kind, 'none');
  const ent = cache.synthesize(n('y.example.'), RRType.A);
  assert.equal(ent.kind, 'nodata');
  assert.equal(ent.facts.kind, 'ent-nodata');

  const wc = setup().cache;
  loadNsec3(wc, ['example.', '*.example.', 'a.example.'], { typesFor: (name) => (name === '*.example.' ? [RRType.TXT, RRType.RRSIG] : [RRType.A, RRType.RRSIG]) });
  const w = wc.synthesize(n('b.example.'), RRType.TXT);
  assert.equal(w.kind, 'wildcard');
  assert.equal(w.wildcard.toString(), '*.example.');
  const wn = wc.synthesize(n('b.example.'), RRType.A);
  assert.equal(wn.kind, 'nodata');
  assert.equal(wn.facts.kind, 'wildcard-nodata');

  const oo = setup().cache;
  loadNsec3(oo, ['example.', 'a.example.', 'c.example.'], { optOut: true });
  assert.equal(oo.synthesize(n('b.example.'), RRType.A).kind, 'none', 'opt-out: the name may be an unsigned delegation');
  assert.equal(oo.synthesize(n('b.example.'), RRType.DS).kind, 'none', 'opt-out DS denial is insecure, not secure');
});
