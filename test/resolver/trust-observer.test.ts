// The trust-point observer (trust.ts module header; RFC 5011 §2.3): each DNSKEY RRset fetched to
// prime a trust anchor goes to the observer before it is judged, and what the observer does to the
// anchors applies to that very query: kept, replaced, or withdrawn (then the next anchor above, or
// insecure without one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SignedRRset } from '../../src/dnssec/rrset-validator.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import type { TrustAnchor } from '../../src/resolver/options.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { makeResolver, n } from './helpers/world.js';

test('the observer sees the trust anchor zone DNSKEY RRset, once, and nothing else', async () => {
  const { resolver } = makeResolver();
  const seen: { zone: string; set: SignedRRset }[] = [];
  resolver.setTrustPointObserver((zone, set) => seen.push({ zone: zone.toString(), set }));
  const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, 'answered');
  assert.equal(a.security, 'secure', 'validated with the unchanged root anchor');
  assert.deepEqual(seen.map((s) => s.zone), ['.'], 'the root (the only anchor) and not test. or example.test.');
  const set = seen[0]!.set;
  assert.equal(set.rrset.type, RRType.DNSKEY, 'a DNSKEY RRset');
  assert.ok(set.rrsigs.length > 0, 'with its RRSIGs, unvalidated as fetched');
  // Primed once: the key cache answers the next query.
  await resolver.resolve({ name: n('www.other.'), type: RRType.A }, { do: true });
  assert.equal(seen.length, 1, 'no second prime while the keys are cached');
});

test('an anchor withdrawn by the observer makes the same query insecure (no anchor above)', async () => {
  const { resolver } = makeResolver();
  resolver.setTrustPointObserver(() => resolver.setTrustAnchors([]));
  const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, 'answered');
  assert.equal(a.security, 'insecure', 'no trust anchor left: insecure, not bogus');
  assert.equal(a.ad, false, 'no AD');
});

test('an anchor replaced by the observer is the one this query validates with', async () => {
  const { resolver } = makeResolver();
  // A DS for a key the root does not publish: the RRset fetched now no longer validates.
  const wrongKey = Uint8Array.of(1, 1, 3, 13, ...new Uint8Array(64).fill(7));
  const wrong: TrustAnchor = { zone: Name.ROOT, ds: [makeDsRdata(Name.ROOT, wrongKey, 2)] };
  resolver.setTrustPointObserver(() => resolver.setTrustAnchors([wrong]));
  const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.SERVFAIL, 'the replaced anchor matches no key');
});

test('a deeper anchor withdrawn by the observer: the walk starts over from the root anchor', async () => {
  const probe = makeResolver();
  const keys = await probe.resolver.resolve({ name: n('example.test.'), type: RRType.DNSKEY }, { do: true });
  const dnskeys = keys.answer.filter((r) => r.type === RRType.DNSKEY).map((r) => r.rdata);
  assert.ok(dnskeys.length > 0, 'example.test. keys fetched');
  const { resolver } = makeResolver();
  const root: TrustAnchor[] = [];
  const seen: string[] = [];
  resolver.setTrustPointObserver((zone) => {
    seen.push(zone.toString());
    if (zone.equals(n('example.test.'))) resolver.setTrustAnchors(root);
  });
  // The root anchor as the world configures it, plus example.test.'s own keys.
  const world = makeResolver().world;
  root.push({ zone: Name.ROOT, ds: world.anchor.map((r) => r.rdata) });
  resolver.setTrustAnchors([...root, { zone: n('example.test.'), ds: [], dnskeys }]);
  const a = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NOERROR, 'answered');
  assert.equal(a.security, 'secure', 'validated through the root anchor after example.test. was withdrawn');
  assert.deepEqual([...seen].sort(), ['.', 'example.test.'], 'both anchors primed once (the root for the referrals)');
});
