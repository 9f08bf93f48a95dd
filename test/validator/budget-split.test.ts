// Failed and successful signature checks are budgeted apart (dnssec/budget.ts): KeyTrap's work is
// failed checks (keytrap.test.ts shows that bound), while a large answer whose RRsets all carry real
// signatures, such as qtype ANY over a name with many RRsets, validates within the higher total.
// The total still bounds successful checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { groupSigned, validateResponse } from '../../src/dnssec/response-validator.js';
import { DEFAULT_VALIDATION_BUDGET } from '../../src/dnssec/budget.js';
import { ZoneKeySet, createValidationEnv, validatorOptions } from '../../src/dnssec/rrset-validator.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { buildSignedZone, makeKey } from '../dnssec/zone-signer-for-tests.js';
import { keysTable, response, secureZone } from './helpers/zone-data.js';

const backend = createNodeBackend();
const NOW = Date.UTC(2025, 5, 1) / 1000;
const origin = Name.parse('many.example.');
const RRSETS = 60;
const text = [
  '@ 3600 SOA ns hostmaster 1 7200 3600 1209600 300',
  '@ 3600 NS ns',
  'ns 3600 A 192.0.2.1',
  ...Array.from({ length: RRSETS }, (_, i) => `@ 3600 TYPE${4001 + i} \\# 1 01`),
].join('\n');
const records = buildSignedZone(text, {
  origin,
  ksks: [makeKey(257, 15)],
  zsks: [makeKey(256, 15)],
  denial: 'nsec',
  inception: NOW - 86400,
  expiration: NOW + 86400,
});
const apex = groupSigned(records.filter((r) => r.name.equals(origin) && r.type !== RRType.NSEC && (r.type !== RRType.RRSIG || r.rdata[1] !== RRType.NSEC)));
const keys = ZoneKeySet.fromRdatas(
  origin,
  records.filter((r) => r.type === RRType.DNSKEY).map((r) => r.rdata),
);
const kf = keysTable([[origin, secureZone(keys)]]);

test('an ANY answer of more RRsets than the failed-checks budget validates: every check succeeds', () => {
  assert.ok(apex.length > DEFAULT_VALIDATION_BUDGET.maxValidationFailuresPerResponse, `${apex.length} signed RRsets at the apex`);
  assert.ok(apex.every((s) => s.rrsigs.length === 1), 'each RRset signed once');
  const v = validateResponse(response(origin, RRType.ANY, Rcode.NOERROR, apex), kf, createValidationEnv(NOW, backend), backend);
  if (v.status === 'need-keys') assert.fail('every zone has keys');
  assert.equal(v.status, 'secure', `secure (${v.reason?.tag ?? ''})`);
  assert.equal(v.work.validations, apex.length, 'one check per RRset');
  assert.equal(v.work.failures, 0, 'none failed');
});

test('the total budget still bounds successful checks', () => {
  const opts = validatorOptions({ budget: { maxValidationsPerResponse: 20 } });
  const v = validateResponse(response(origin, RRType.ANY, Rcode.NOERROR, apex), kf, createValidationEnv(NOW, backend, opts), backend);
  assert.equal(v.status, 'bogus', 'over the total: bogus');
  assert.equal(v.reason?.tag, 'V-BUDGET-VALIDATIONS', 'the total tripped, not the failures');
  assert.equal(v.work.validations, 20, 'no check past the total');
  assert.equal(v.work.failures, 0, 'none failed');
});
