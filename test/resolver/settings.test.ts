// Resolver settings the scenarios and operators use: per-server ports, stub zones, negative trust
// anchors (RFC 7646), permissive glue, and replacing the trust anchors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyCache } from '../../src/cache/key-cache.js';
import { RRsetCache } from '../../src/cache/rrset-cache.js';
import { ManualClock } from '../../src/core/clock.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { makeQuery, makeResponse, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { validatorOptions } from '../../src/dnssec/rrset-validator.js';
import { classify, scrub } from '../../src/resolver/classify.js';
import { parseServerKey, resolverOptions, serverKey } from '../../src/resolver/options.js';
import { ChainOfTrust } from '../../src/resolver/trust.js';
import { parseZoneText } from '../../src/zone/parser.js';

const n = (t: string): Name => Name.parse(t);
const hints = parseZoneText('. 3600 NS a.root.\na.root. 3600 A 127.0.0.1\n').records;

test('server keys carry a port only when the server has its own', () => {
  assert.equal(serverKey({ address: '192.0.2.1' }), '192.0.2.1', 'no port: the address alone');
  assert.equal(serverKey({ address: '2001:db8::1', port: 5353 }), '2001:db8::1@5353', 'a port after @');
  assert.deepEqual(parseServerKey('2001:db8::1@5353', 53), { address: '2001:db8::1', port: 5353 }, 'IPv6 with a port');
  assert.deepEqual(parseServerKey('192.0.2.1', 53), { address: '192.0.2.1', port: 53 }, 'the default port');
});

test('options: stub zones, negative trust anchors and harden-glue default and pass through', () => {
  const d = resolverOptions({ rootHints: hints });
  assert.ok(d.hardenGlue && d.stubZones.length === 0 && d.negativeTrustAnchors.length === 0, 'defaults: hardened glue, no stubs, no NTAs');
  assert.throws(
    () => resolverOptions({ rootHints: hints, stubZones: [{ zone: n('example.'), servers: [{ address: '192.0.2.1', port: 0 }] }] }),
    RangeError,
    'a stub server port out of range is refused',
  );
});

test('a negative trust anchor makes names at and below it insecure, unless a deeper anchor covers them', () => {
  const clock = new ManualClock(0);
  const trust = new ChainOfTrust({
    clock,
    crypto: { verify: () => Promise.resolve([]) } as never,
    keys: new KeyCache({ clock }),
    rrsets: new RRsetCache({ clock }),
    anchors: [{ zone: Name.ROOT, ds: [] }, { zone: n('secure.nta.example.'), ds: [] }],
    negativeAnchors: [n('nta.example.')],
    validator: validatorOptions({}),
    fetch: () => Promise.reject(new Error('no fetch in this test')),
  });
  assert.ok(trust.anchorFor(n('www.example.'))?.zone.isRoot() === true, 'outside the NTA: the root anchor');
  assert.equal(trust.anchorFor(n('a.nta.example.')), undefined, 'below the NTA: no anchor');
  assert.ok(trust.anchorFor(n('x.secure.nta.example.'))?.zone.equals(n('secure.nta.example.')) === true, 'a deeper anchor wins');
  trust.setAnchors([]);
  assert.ok(!trust.enabled, 'setAnchors replaces the anchors');
});

test('harden-glue off keeps glue owned outside the bailiwick', () => {
  const q = makeQuery(n('www.example.'), RRType.A, { id: 1 });
  const records = parseZoneText('example. 300 NS ns.other.\nns.other. 300 A 192.0.2.7\n').records;
  const msg: Message = { ...makeResponse(q, { rcode: Rcode.NOERROR, authority: [records[0]!], additional: [records[1]!] }), malformed: [], trailing: 0 };
  const fromRoot = classify(scrub(msg, n('www.example.'), RRType.A, Name.ROOT), n('www.example.'), RRType.A, Name.ROOT);
  assert.ok(fromRoot.kind === 'referral' && fromRoot.glue.size === 1, 'from the root, ns.other. is in the bailiwick');
  const fromExample = scrub(msg, n('www.example.'), RRType.A, n('example.'));
  assert.equal(fromExample.additional.length, 0, 'hardened: an address outside example. is dropped');
  const permissive = scrub(msg, n('www.example.'), RRType.A, n('example.'), false);
  assert.equal(permissive.additional.length, 1, 'harden-glue off: the address stays');
});

test('harden-unverified-glue drops sibling glue of a referral and keeps in-domain glue', () => {
  const q = makeQuery(n('www.example.com.'), RRType.A, { id: 1 });
  const records = parseZoneText(
    'example.com. 300 NS ns1.sibling.com.\nexample.com. 300 NS ns2.example.com.\nns1.sibling.com. 300 A 192.0.2.7\nns2.example.com. 300 A 192.0.2.8\n',
  ).records;
  const msg: Message = {
    ...makeResponse(q, { rcode: Rcode.NOERROR, authority: records.slice(0, 2), additional: records.slice(2) }),
    malformed: [],
    trailing: 0,
  };
  const plain = classify(scrub(msg, n('www.example.com.'), RRType.A, n('com.')), n('www.example.com.'), RRType.A, n('com.'));
  assert.ok(plain.kind === 'referral' && plain.glue.size === 2, 'by default sibling glue in the bailiwick of com. is used');
  const hardened = classify(scrub(msg, n('www.example.com.'), RRType.A, n('com.'), true, false, true), n('www.example.com.'), RRType.A, n('com.'));
  assert.ok(hardened.kind === 'referral', 'still a referral');
  assert.deepEqual([...hardened.glue.keys()], [n('ns2.example.com.').key], 'only the glue below example.com. stays');
  assert.equal(resolverOptions({ rootHints: hints }).hardenUnverifiedGlue, false, 'off by default, as in Unbound');
});

test('iter-scrub-ns: an NS RRset keeps its first maxNsRecords records (default 20)', () => {
  const q = makeQuery(Name.ROOT, RRType.NS, { id: 1 });
  const ns = Array.from({ length: 25 }, (_, i) => parseZoneText(`. 3600 NS ns${i}.root.\n`).records[0]!);
  const msg: Message = { ...makeResponse(q, { rcode: Rcode.NOERROR, aa: true, answer: ns }), malformed: [], trailing: 0 };
  assert.equal(scrub(msg, Name.ROOT, RRType.NS, Name.ROOT).answer.length, 20, 'the default keeps 20');
  const one = scrub(msg, Name.ROOT, RRType.NS, Name.ROOT, true, false, false, 1);
  assert.deepEqual(one.answer.map((r) => r.rdata), [ns[0]!.rdata], 'iter-scrub-ns 1: the first record only');
  assert.equal(resolverOptions({ rootHints: hints }).maxNsRecords, 20, 'Unbound default');
  assert.throws(() => resolverOptions({ rootHints: hints, maxNsRecords: 0 }), RangeError, 'at least one');
});
