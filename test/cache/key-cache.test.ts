import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { KeyCache } from '../../src/cache/key-cache.js';
import { SecurityStatus } from '../../src/cache/types.js';
import { EdeTag } from '../../src/dnssec/ede-tags.js';
import { reason } from '../../src/dnssec/verdict.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { T0, T0_SEC, n, nsec, rrset, signed, withSigExpiry } from './fixtures.js';

const { secure, insecure, bogus } = SecurityStatus;

const dnskeys = (zone: string, ttl = 3600) =>
  signed(rrset(zone, RRType.DNSKEY, ttl, [encodeRdata(RRType.DNSKEY, { flags: 257, protocol: 3, algorithm: 13, publicKey: new Uint8Array(64).fill(1) })]), zone);
const ds = (zone: string, parent: string, ttl = 3600) =>
  signed(rrset(zone, RRType.DS, ttl, [encodeRdata(RRType.DS, { keyTag: 1, algorithm: 13, digestType: 2, digest: new Uint8Array(32).fill(2) })]), parent);

function setup(opts: { bogusTtl?: number; maxTtl?: number } = {}) {
  const clock = new ManualClock(T0);
  return { clock, cache: new KeyCache({ clock, ...opts }) };
}

test('secure DNSKEY and DS results per zone, with remaining TTLs', () => {
  const { clock, cache } = setup();
  assert.ok(cache.putKeys(n('example.'), { status: secure, rrset: dnskeys('example.', 3600) }));
  assert.ok(cache.putDs(n('example.'), { status: secure, rrset: ds('example.', '.', 7200) }));
  clock.advance(600_000);
  const k = cache.lookup(n('EXAMPLE.'))!;
  assert.equal(k.dnskey?.status, secure);
  assert.equal(k.dnskey.ttl, 3000);
  assert.equal(k.dnskey.rrset?.rrset.type, RRType.DNSKEY);
  assert.equal(k.ds?.ttl, 6600);
  clock.advance(3000_000);
  const later = cache.lookup(n('example.'))!;
  assert.equal(later.dnskey, undefined, 'DNSKEY expired');
  assert.equal(later.ds?.status, secure);
  clock.advance(3600_000);
  assert.equal(cache.lookup(n('example.')), undefined);
  assert.equal(cache.count, 0);
});

test('insecure (proven unsigned) results keep their proof and the given TTL', () => {
  const { cache } = setup();
  const proof = nsec('sub.example.', 'z.example.', [RRType.NS, RRType.RRSIG, RRType.NSEC], 'example.');
  assert.ok(cache.putDs(n('sub.example.'), { status: insecure, proofs: [proof], ttl: 900 }));
  assert.ok(cache.putKeys(n('sub.example.'), { status: insecure, ttl: 900 }));
  const k = cache.lookup(n('sub.example.'))!;
  assert.equal(k.ds?.status, insecure);
  // Kept as a copy of its own (not a view into the message): the same records.
  const kept = k.ds.proofs[0];
  assert.ok(kept?.rrset.name.equals(proof.rrset.name) === true && kept.rrset.type === proof.rrset.type, 'the proof RRset is kept');
  assert.deepEqual([kept.rrset.rdatas, kept.rrsigs].map((l) => l.map((rd) => [...rd])), [proof.rrset.rdatas, proof.rrsigs].map((l) => l.map((rd) => [...rd])), 'with its RDATA and RRSIGs');
  assert.equal(k.ds.ttl, 900);
  assert.equal(k.dnskey?.status, insecure);
  assert.equal(cache.putKeys(n('zero.example.'), { status: insecure }), false, 'no TTL, not cached');
});

test('bogus results live bogusTtl with their reason', () => {
  const { clock, cache } = setup({ bogusTtl: 20 });
  const why = reason(EdeTag.DNSKEY_NO_DS_MATCH, 'no DNSKEY matches the DS');
  cache.putKeys(n('broken.example.'), { status: bogus, rrset: dnskeys('broken.example.', 86400), reason: why });
  const k = cache.lookup(n('broken.example.'))!;
  assert.equal(k.dnskey?.ttl, 20);
  assert.deepEqual(k.dnskey.reason, why);
  clock.advance(20_000);
  assert.equal(cache.lookup(n('broken.example.')), undefined);
});

test('secure keys are capped by their signature expiration and maxTtl', () => {
  const { cache } = setup({ maxTtl: 1800 });
  cache.putKeys(n('a.example.'), { status: secure, rrset: withSigExpiry(dnskeys('a.example.', 3600), T0_SEC + 100) });
  assert.equal(cache.lookup(n('a.example.'))?.dnskey?.ttl, 100);
  cache.putKeys(n('b.example.'), { status: secure, rrset: dnskeys('b.example.', 3600) });
  assert.equal(cache.lookup(n('b.example.'))?.dnskey?.ttl, 1800);
});

test('closestKnown finds the deepest zone at or above a name with a live DNSKEY result', () => {
  const { cache } = setup();
  cache.putKeys(n('.'), { status: secure, rrset: dnskeys('.') });
  cache.putKeys(n('example.'), { status: secure, rrset: dnskeys('example.') });
  cache.putDs(n('sub.example.'), { status: secure, rrset: ds('sub.example.', 'example.') });
  assert.equal(cache.closestKnown(n('www.sub.example.'))?.zone.toString(), 'example.', 'a DS alone does not count');
  assert.equal(cache.closestKnown(n('example.'))?.zone.toString(), 'example.');
  assert.equal(cache.closestKnown(n('www.other.'))?.zone.toString(), '.');
  cache.putKeys(n('sub.example.'), { status: secure, rrset: dnskeys('sub.example.') });
  assert.equal(cache.closestKnown(n('www.sub.example.'))?.zone.toString(), 'sub.example.');
  assert.ok(cache.delete(n('sub.example.')));
  assert.equal(cache.closestKnown(n('www.sub.example.'))?.zone.toString(), 'example.');
  cache.clear();
  assert.equal(cache.closestKnown(n('www.sub.example.')), undefined);
});

test('a later result replaces the earlier one; the other half is kept', () => {
  const { cache } = setup();
  cache.putKeys(n('example.'), { status: secure, rrset: dnskeys('example.') });
  cache.putDs(n('example.'), { status: secure, rrset: ds('example.', '.') });
  cache.putKeys(n('example.'), { status: bogus, reason: reason(EdeTag.RRSIG_CRYPTO, 'x') });
  const k = cache.lookup(n('example.'))!;
  assert.equal(k.dnskey?.status, bogus);
  assert.equal(k.ds?.status, secure);
  assert.ok(cache.bytes > 0);
});

test('classes are kept apart: IN and CH results for one zone are separate entries, closestKnown asks its own class', () => {
  const { cache } = setup();
  assert.ok(cache.putKeys(n('example.'), { status: secure, rrset: dnskeys('example.') }), 'IN stored');
  assert.equal(cache.lookup(n('example.'), RRClass.CH), undefined, 'nothing for CH yet');
  assert.ok(cache.putKeys(n('example.'), { status: insecure, ttl: 300 }, RRClass.CH), 'CH stored');
  assert.equal(cache.count, 2, 'two entries');
  assert.equal(cache.lookup(n('example.'))?.dnskey?.status, secure, 'IN keeps its own');
  assert.equal(cache.lookup(n('example.'), RRClass.CH)?.dnskey?.status, insecure, 'CH keeps its own');
  assert.equal(cache.closestKnown(n('a.b.example.'))?.dnskey?.status, secure, 'IN ancestor');
  assert.equal(cache.closestKnown(n('a.b.example.'), RRClass.CH)?.dnskey?.status, insecure, 'CH ancestor');
  assert.equal(cache.closestKnown(n('example.'), RRClass.CH)?.dnskey?.status, insecure, 'the name itself');
  assert.ok(cache.delete(n('example.'), RRClass.CH), 'CH deleted');
  assert.equal(cache.closestKnown(n('a.b.example.'), RRClass.CH), undefined, 'no CH ancestor left');
  assert.equal(cache.lookup(n('example.'))?.dnskey?.status, secure, 'IN untouched');
});

test('dnskey and status give what lookup gives, and drop an entry with nothing live as lookup does', () => {
  const { clock, cache } = setup({ bogusTtl: 60 });
  const zone = n('example.');
  assert.equal(cache.dnskey(zone), undefined, 'nothing cached: no DNSKEY result');
  assert.equal(cache.status(zone, 'ds'), undefined, 'nothing cached: no DS status');
  assert.ok(cache.putKeys(zone, { status: secure, rrset: dnskeys('example.', 3600) }), 'DNSKEY result stored');
  assert.ok(cache.putDs(zone, { status: bogus, rrset: ds('example.', '.', 7200), reason: reason(EdeTag.DNSKEY_NO_DS_MATCH, 'test') }), 'DS result stored');
  clock.advance(30_000);
  assert.deepEqual(cache.dnskey(n('EXAMPLE.')), cache.lookup(zone)?.dnskey, 'dnskey() is lookup().dnskey, any letter case');
  assert.equal(cache.status(zone, 'dnskey'), secure, 'DNSKEY status');
  assert.equal(cache.status(zone, 'ds'), bogus, 'DS status');
  clock.advance(60_000);
  assert.equal(cache.status(zone, 'ds'), undefined, 'the bogus DS result expired after bogusTtl');
  assert.equal(cache.status(zone, 'dnskey'), secure, 'the DNSKEY result still lives');
  assert.equal(cache.count, 1, 'the entry stays while its DNSKEY result lives');
  clock.advance(3600_000);
  assert.equal(cache.status(zone, 'dnskey'), undefined, 'the DNSKEY result expired');
  assert.equal(cache.count, 0, 'an entry with nothing live is dropped, as lookup drops it');
  assert.equal(cache.dnskey(zone), undefined, 'gone for dnskey() too');
});

test('status and dnskey ask their own class', () => {
  const { cache } = setup();
  assert.ok(cache.putKeys(n('example.'), { status: secure, rrset: dnskeys('example.') }, RRClass.CH), 'CH result stored');
  assert.equal(cache.status(n('example.'), 'dnskey'), undefined, 'no IN result');
  assert.equal(cache.dnskey(n('example.')), undefined, 'no IN DNSKEY');
  assert.equal(cache.status(n('example.'), 'dnskey', RRClass.CH), secure, 'the CH result');
  assert.equal(cache.dnskey(n('example.'), RRClass.CH)?.status, secure, 'the CH DNSKEY');
});
