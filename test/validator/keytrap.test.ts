// KeyTrap (CVE-2023-50387): 64 DNSKEYs with one key tag and 64 RRSIGs naming it would be 4096
// RSA checks. The budgets stop the work; the tests assert which limit tripped and how much work
// was done, never a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import {
  ZoneKeySet,
  createValidationEnv,
  validateRRset,
  validatorOptions,
  type SignedRRset,
} from '../../src/dnssec/rrset-validator.js';
import { validateResponse } from '../../src/dnssec/response-validator.js';
import { collidingRsaKeys, manyRrsigs } from './helpers/keytrap.js';
import { NOW, keysTable, loadVector, response, secureZone, withSigs } from './helpers/zone-data.js';

const backend = createNodeBackend();
const rsa = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
const real = validateDnskeys(createValidationEnv(NOW, backend), rsa.dnskeys(), rsa.trust(), backend);
assert.equal(real.status, 'secure');
const zsk = real.keys.keys.find((k) => (k.flags & 1) === 0)!;
const trapKeys = collidingRsaKeys(zsk, 64);
const trapSet = new ZoneKeySet(rsa.origin, trapKeys);
const www = rsa.get('www', RRType.A);
const trapped: SignedRRset = withSigs(www, manyRrsigs(www, zsk.tag, 64));

test('64 colliding keys are distinct and share the tag', () => {
  assert.equal(new Set(trapKeys.map((k) => k.rdata.join(','))).size, 64);
  assert.ok(trapKeys.every((k) => k.tag === zsk.tag && k.algorithm === 8));
  assert.equal(trapSet.find(zsk.tag, 8).length, 64);
});

test('one RRset: keys per signature and signatures per RRset trip; 32 checks, not 4096', () => {
  const env = createValidationEnv(NOW, backend);
  const v = validateRRset(env, trapped, trapSet, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-BUDGET-KEYS');
  assert.equal(v.reason.ede, 6);
  assert.equal(v.reason.bound, 'maxKeysPerSignature');
  const w = env.meter.counters();
  assert.equal(w.validations, 32);
  assert.equal(w.trips.maxKeysPerSignature, 8);
  assert.equal(w.trips.maxSignaturesPerRRset, 1);
});

test('the failed-checks budget holds when the per-RRset limits are lifted: 32 checks, not 4096', () => {
  const opts = validatorOptions({ budget: { maxSignaturesPerRRset: 1000, maxKeysPerSignature: 1000 } });
  const kf = keysTable([
    [Name.ROOT, { status: 'insecure' }],
    [rsa.origin, secureZone(trapSet)],
  ]);
  const v = validateResponse(response(www.rrset.name, RRType.A, Rcode.NOERROR, [trapped]), kf, createValidationEnv(NOW, backend, opts), backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason?.tag, 'V-BUDGET-FAILURES', 'the KeyTrap work is failed checks');
  assert.equal(v.reason.bound, 'maxValidationFailuresPerResponse');
  assert.equal(v.work.validations, 32, 'every check made failed, and no more were made');
  assert.equal(v.work.failures, 32, 'the failures counted');
  assert.equal(v.work.trips.maxValidationFailuresPerResponse, 1, 'tripped once');
});

test('the real key hidden behind 63 colliding ones is still found when it comes early enough', () => {
  // Budgets bound work; they do not change the answer for a zone that stays within them.
  const keys = new ZoneKeySet(rsa.origin, [...trapKeys.slice(0, 3), zsk]);
  const v = validateRRset(createValidationEnv(NOW, backend), www, keys, backend);
  assert.equal(v.status, 'secure');
});

test('DNSKEY RRset: designated keys that fail stop at maxDsMatchFailures', () => {
  const env = createValidationEnv(NOW, backend);
  const dk = rsa.dnskeys();
  const anchors = trapKeys.slice(0, 10).map((k) => k.rdata);
  const v = validateDnskeys(env, withSigs(dk, manyRrsigs(dk, zsk.tag, 10)), { zone: rsa.origin, ds: [], dnskeys: anchors }, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-BUDGET-DSMATCH');
  assert.equal(env.meter.counters().trips.maxDsMatchFailures, 1);
  assert.ok(env.meter.validations <= 32);
});

test('trips and verdicts are published on the diagnostics channels', () => {
  const trips: unknown[] = [];
  const verdicts: unknown[] = [];
  const onTrip = (m: unknown): void => {
    trips.push(m);
  };
  const onVerdict = (m: unknown): void => {
    verdicts.push(m);
  };
  subscribe('anchord:budget-trip', onTrip);
  subscribe('anchord:validation', onVerdict);
  try {
    const kf = keysTable([[rsa.origin, secureZone(trapSet)]]);
    validateResponse(response(www.rrset.name, RRType.A, Rcode.NOERROR, [trapped]), kf, createValidationEnv(NOW, backend), backend);
  } finally {
    unsubscribe('anchord:budget-trip', onTrip);
    unsubscribe('anchord:validation', onVerdict);
  }
  assert.equal(trips.length, 9);
  assert.deepEqual(trips[0], { budget: 'maxKeysPerSignature', owner: 'www.example.' });
  assert.deepEqual(verdicts, [{ status: 'bogus', ede: 6, tag: 'V-BUDGET-KEYS', owner: 'www.example.', type: 1 }]);
});
