// A trust anchor whose name does not exist (trust.ts fetchKeys/deniedAbove; RFC 4035 §4.3, §5.4):
// when the zone of an anchor above securely proves the anchor's name absent, the anchor does not
// apply and the NXDOMAIN is judged, securely, in that zone. Without such a proof the anchor stays
// and its missing DNSKEY RRset is bogus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import type { TrustAnchor } from '../../src/resolver/options.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { makeResolver, n } from './helpers/world.js';

/** An anchor for `zone` with a DS of a key nobody publishes. */
function strayAnchor(zone: string): TrustAnchor {
  const key = Uint8Array.of(1, 1, 3, 15, ...new Uint8Array(32).fill(9));
  return { zone: n(zone), ds: [makeDsRdata(n(zone), key, 2)] };
}

function rootAnchor(): TrustAnchor {
  const { world } = makeResolver();
  return { zone: Name.ROOT, ds: world.anchor.map((r) => r.rdata) };
}

test('an anchor below the root anchor whose name does not exist: secure NXDOMAIN from the parent zone', async () => {
  const { resolver, net } = makeResolver();
  resolver.setTrustAnchors([rootAnchor(), strayAnchor('nothere.example.test.')]);
  const a = await resolver.resolve({ name: n('www.nothere.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.NXDOMAIN, `NXDOMAIN, not SERVFAIL (ede ${JSON.stringify(a.ede)})`);
  assert.equal(a.security, 'secure', 'proven by example.test., validated from the root anchor');
  assert.equal(a.ad, true, 'AD set');
  assert.ok(
    net.log.some((q) => q.qname === 'nothere.example.test.' && q.qtype === RRType.DNSKEY),
    'the anchor was primed first (its DNSKEY asked)',
  );
});

test('the same anchor without an anchor above: nothing proves the name absent, the anchor stays bogus', async () => {
  const { resolver } = makeResolver();
  resolver.setTrustAnchors([strayAnchor('nothere.example.test.')]);
  const a = await resolver.resolve({ name: n('www.nothere.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.SERVFAIL, 'no DNSKEY RRset for the anchor: SERVFAIL');
});

test('an anchor at a name that exists but is no zone (NODATA for its DNSKEY) stays and is bogus', async () => {
  const { resolver } = makeResolver();
  resolver.setTrustAnchors([rootAnchor(), strayAnchor('www.example.test.')]);
  const a = await resolver.resolve({ name: n('x.www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(a.rcode, Rcode.SERVFAIL, 'the anchor is not set aside by a NODATA');
});
