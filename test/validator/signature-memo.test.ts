// The signature memo (src/dnssec/signature-memo.ts): a check that passed is answered again without
// the crypto, and only an exactly equal check is; every other rule is still applied on each use.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { RRType } from '../../src/wire/constants.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import { SignatureMemo } from '../../src/dnssec/signature-memo.js';
import {
  createValidationEnv,
  validatorOptions,
  validateRRset,
  type SignatureVerifier,
  type SignedRRset,
  type ZoneKeySet,
} from '../../src/dnssec/rrset-validator.js';
import { NOW, editSigs, loadVector, renamed, utc } from './helpers/zone-data.js';

const backend = createNodeBackend();
const zone = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
const keysV = validateDnskeys(createValidationEnv(NOW, backend), zone.dnskeys(), zone.trust(), backend);
assert.equal(keysV.status, 'secure', 'the vector keys validate');
const keys: ZoneKeySet = keysV.keys;

/** The node backend, counting the checks it is asked for. */
function counting(): SignatureVerifier & { calls: number } {
  const v = {
    calls: 0,
    supportsVerify: (a: number) => backend.supportsVerify(a),
    verify(a: number, k: Uint8Array, d: Uint8Array, s: Uint8Array): boolean {
      v.calls++;
      return backend.verify(a, k, d, s);
    },
  };
  return v;
}

function soa(): SignedRRset {
  return zone.get('@', RRType.SOA);
}

test('a proof RRset checked twice: the second verdict is the same, with no crypto', () => {
  const memo = new SignatureMemo();
  const v = counting();
  const first = validateRRset(createValidationEnv(NOW, v, undefined, memo), soa(), keys, v);
  assert.equal(first.status, 'secure', 'SOA validates');
  assert.equal(v.calls, 1, 'one check the first time');
  const second = validateRRset(createValidationEnv(NOW + 10, v, undefined, memo), soa(), keys, v);
  assert.equal(v.calls, 1, 'no check the second time');
  assert.equal(memo.hits, 1, 'one memo hit');
  assert.equal(second.status, 'secure', 'still secure');
  // The TTL cap uses the current time (RFC 4035 §5.3.3), as without the memo.
  const plain = validateRRset(createValidationEnv(NOW + 10, backend), soa(), keys, backend);
  assert.deepEqual(second, plain, 'same verdict as a fresh check');
});

test('the memo never widens what validates: expired, other data, other signature, other key', () => {
  const memo = new SignatureMemo();
  const v = counting();
  assert.equal(validateRRset(createValidationEnv(NOW, v, undefined, memo), soa(), keys, v).status, 'secure', 'SOA validates');
  // Expired: refused by the time check before the memo is asked.
  const late = validateRRset(createValidationEnv(utc(2037, 1, 2), v, undefined, memo), soa(), keys, v);
  assert.equal(late.status === 'bogus' && late.reason.tag, 'V-RRSIG-EXP', 'expired stays expired');
  // Other RDATA under the same signature: the signed data differs, so the crypto decides (bogus).
  const s = soa();
  const rd = s.rrset.rdatas[0]!.slice();
  rd[rd.length - 1] = rd[rd.length - 1]! ^ 1;
  const changed: SignedRRset = { ...s, rrset: { ...s.rrset, rdatas: [rd] } };
  const before = v.calls;
  const c = validateRRset(createValidationEnv(NOW, v, undefined, memo), changed, keys, v);
  assert.equal(c.status === 'bogus' && c.reason.tag, 'V-RRSIG-CRYPTO', 'changed data is bogus');
  assert.equal(v.calls, before + 1, 'the changed data was checked');
  // A flipped signature: checked (and failed), and the failure is not remembered.
  const flipped = editSigs(soa(), { flipSignature: true });
  for (let i = 0; i < 2; i++) {
    const f = validateRRset(createValidationEnv(NOW, v, undefined, memo), flipped, keys, v);
    assert.equal(f.status === 'bogus' && f.reason.tag, 'V-RRSIG-CRYPTO', 'flipped signature is bogus');
  }
  assert.equal(v.calls, before + 3, 'each failing check reached the crypto');
  // The same bytes under another key are not the same check.
  const k0 = keys.keys[0]!;
  assert.equal(memo.has(k0.algorithm, new Uint8Array(k0.publicKey.length), new Uint8Array(8), new Uint8Array(256)), false, 'unknown');
});

test('answer RRsets are not remembered (only recurring proof and key material is)', () => {
  const memo = new SignatureMemo();
  const v = counting();
  const www = zone.get('www', RRType.A);
  for (let i = 0; i < 2; i++) {
    assert.equal(validateRRset(createValidationEnv(NOW, v, undefined, memo), www, keys, v).status, 'secure', 'www validates');
  }
  assert.equal(v.calls, 2, 'checked both times');
  assert.equal(memo.size, 0, 'nothing remembered');
});

test('bounded: two generations; what is used again survives, the rest ages out', () => {
  const memo = new SignatureMemo(2);
  const sig = (n: number): Uint8Array => new Uint8Array([n, n + 1, n + 2, n + 3]);
  const key = new Uint8Array([1, 2, 3]);
  const data = new Uint8Array([9]);
  memo.add(8, key, data, sig(1));
  for (let n = 2; n <= 7; n++) {
    assert.equal(memo.has(8, key, data, sig(1)), true, `entry 1 kept while used (${n})`);
    memo.add(8, key, data, sig(n * 10));
  }
  assert.ok(memo.size <= 4, `at most two generations: ${memo.size}`);
  assert.equal(memo.has(8, key, data, sig(20)), false, 'an entry not used again aged out');
  assert.equal(memo.has(13, key, data, sig(1)), false, 'another algorithm is another check');
  assert.throws(() => new SignatureMemo(0), RangeError);
});

test('wildcard expansions are remembered: each name the wildcard answers has the same signed data', () => {
  const memo = new SignatureMemo();
  const v = counting();
  const wild = zone.get('*.wild', RRType.TXT);
  const names = ['a.wild', 'b.wild', 'c.d.wild'].map((n) => zone.name(n));
  const verdicts = names.map((n) => validateRRset(createValidationEnv(NOW, v, undefined, memo), renamed(wild, n), keys, v));
  for (const [i, x] of verdicts.entries()) {
    assert.equal(x.status, 'secure', `expansion ${i} validates`);
    assert.equal(x.wildcardParent?.toString(), 'wild.example.', `expansion ${i} is from *.wild`);
  }
  assert.equal(v.calls, 1, 'one check for three expansions');
  assert.equal(memo.hits, 2, 'two memo hits');
});

test('a key or signed data that is a view into a larger message is remembered as a copy of its octets', () => {
  const memo = new SignatureMemo();
  const message = new Uint8Array(4096).fill(7);
  const key = message.subarray(100, 164);
  const data = message.subarray(200, 300);
  const sig = new Uint8Array(64).fill(3);
  memo.add(13, key, data, sig);
  assert.equal(memo.has(13, key, data, sig), true, 'the same check is remembered');
  const keyBefore = key.slice();
  const dataBefore = data.slice();
  message.fill(9); // the message buffer is reused for another response
  assert.equal(memo.has(13, key, data, sig), false, 'the memo did not keep views into the message');
  assert.equal(memo.has(13, keyBefore, dataBefore, sig), true, 'the octets as they were are still remembered');
  const ownKey = new Uint8Array(64).fill(5);
  memo.add(13, ownKey, dataBefore, new Uint8Array(64).fill(4));
  assert.equal(memo.has(13, ownKey, dataBefore, new Uint8Array(64).fill(4)), true, 'a key owning its buffer is kept by reference');
});

test('a hit on the inputs as received builds no signed data; the verdict is that of a fresh check', () => {
  const memo = new SignatureMemo();
  const v = counting();
  assert.equal(validateRRset(createValidationEnv(NOW, v, undefined, memo), soa(), keys, v).status, 'secure', 'SOA validates');
  assert.equal(memo.inputHits, 0, 'nothing answered from inputs the first time');
  const again = validateRRset(createValidationEnv(NOW + 10, v, undefined, memo), soa(), keys, v);
  assert.equal(v.calls, 1, 'no crypto the second time');
  assert.equal(memo.hits, 1, 'one memo hit');
  assert.equal(memo.inputHits, 1, 'answered from the identical inputs, without the canonical form');
  const plain = validateRRset(createValidationEnv(NOW + 10, backend), soa(), keys, backend);
  assert.deepEqual(again, plain, 'same verdict as a fresh check');
  // Wildcard expansions: the owner used for signing is the wildcard's (RFC 4035 §5.3.2), so
  // every name the wildcard answers has the same inputs.
  const wild = zone.get('*.wild', RRType.TXT);
  const w1 = validateRRset(createValidationEnv(NOW, v, undefined, memo), renamed(wild, zone.name('a.wild')), keys, v);
  const w2 = validateRRset(createValidationEnv(NOW, v, undefined, memo), renamed(wild, zone.name('b.c.wild')), keys, v);
  assert.equal(w1.status === 'secure' && w2.status === 'secure', true, 'both expansions validate');
  assert.equal(v.calls, 2, 'one check for both expansions');
  assert.equal(memo.inputHits, 2, 'the second expansion answered from its inputs');
  assert.deepEqual(w2, validateRRset(createValidationEnv(NOW, backend), renamed(wild, zone.name('b.c.wild')), keys, backend), 'same verdict');
});

test('inputs that differ in any way take the signed-data path: owner case, record order, one octet, an RRSIG field', () => {
  const memo = new SignatureMemo();
  const v = counting();
  const env = (): ReturnType<typeof createValidationEnv> => createValidationEnv(NOW, v, undefined, memo);
  const s = soa();
  assert.equal(validateRRset(env(), s, keys, v).status, 'secure', 'SOA validates');
  // Owner in other case: the same canonical form (RFC 4034 §6.2), found by its signed data.
  const upper = renamed(s, zone.name('EXAMPLE.'));
  assert.equal(upper.rrset.name.wire[1], 'E'.charCodeAt(0), 'the owner is upper-case as received');
  assert.equal(validateRRset(env(), upper, keys, v).status, 'secure', 'upper-case owner validates');
  assert.equal(v.calls, 1, 'no crypto: the signed data is the same');
  assert.deepEqual([memo.hits, memo.inputHits], [1, 0], 'a signed-data hit, not an input hit');
  // Records in another order: the same canonical RRset (RFC 4034 §6.3), found by its signed data.
  const dk = zone.dnskeys();
  assert.ok(dk.rrset.rdatas.length > 1, 'the DNSKEY RRset has several records');
  assert.equal(validateRRset(env(), dk, keys, v).status, 'secure', 'DNSKEY RRset validates');
  const calls = v.calls;
  const reversed: SignedRRset = { ...dk, rrset: { ...dk.rrset, rdatas: [...dk.rrset.rdatas].reverse() } };
  assert.equal(validateRRset(env(), reversed, keys, v).status, 'secure', 'reordered DNSKEY RRset validates');
  assert.equal(v.calls, calls, 'no crypto for the reordered set');
  assert.deepEqual([memo.hits, memo.inputHits], [2, 0], 'reordered: a signed-data hit, not an input hit');
  assert.equal(validateRRset(env(), dk, keys, v).status, 'secure', 'the set as first received validates');
  assert.deepEqual([memo.hits, memo.inputHits], [3, 1], 'as first received: an input hit');
  // One RDATA octet: other signed data, so the crypto decides (bogus), nothing answered from memory.
  const rd = s.rrset.rdatas[0]!.slice();
  rd[rd.length - 1] = rd[rd.length - 1]! ^ 1;
  const octet = validateRRset(env(), { ...s, rrset: { ...s.rrset, rdatas: [rd] } }, keys, v);
  assert.equal(octet.status === 'bogus' && octet.reason.tag, 'V-RRSIG-CRYPTO', 'one octet changed is bogus');
  assert.equal(v.calls, calls + 1, 'the changed octet reached the crypto');
  // An RRSIG field (Original TTL) changed under the same signature: bogus, checked.
  const ttl = validateRRset(env(), editSigs(s, { originalTtl: 1 }), keys, v);
  assert.equal(ttl.status === 'bogus' && ttl.reason.tag, 'V-RRSIG-CRYPTO', 'another Original TTL is bogus');
  assert.equal(v.calls, calls + 2, 'the changed RRSIG reached the crypto');
  // Another class: other inputs (and other signed data).
  const chaos = validateRRset(env(), { ...s, rrset: { ...s.rrset, class: 3 } }, keys, v);
  assert.equal(chaos.status === 'bogus' && chaos.reason.tag, 'V-RRSIG-CRYPTO', 'another class is bogus');
  assert.equal(v.calls, calls + 3, 'the other class reached the crypto');
  assert.deepEqual([memo.hits, memo.inputHits], [3, 1], 'no further hits');
});

test('a hit on the inputs as received still counts against the budget', () => {
  const memo = new SignatureMemo();
  const v = counting();
  const one = validatorOptions({ budget: { maxValidationsPerResponse: 1 } });
  assert.equal(validateRRset(createValidationEnv(NOW, v, undefined, memo), soa(), keys, v).status, 'secure', 'SOA validates');
  const env = createValidationEnv(NOW, v, one, memo);
  assert.equal(validateRRset(env, soa(), keys, v).status, 'secure', 'the first check of the response is allowed');
  assert.equal(memo.inputHits, 1, 'answered from the inputs');
  const second = validateRRset(env, soa(), keys, v);
  assert.equal(second.status === 'bogus' && second.reason.tag, 'V-BUDGET-VALIDATIONS', 'the second check of the response is over budget');
  assert.equal(memo.inputHits, 1, 'the over-budget check was not answered from memory');
  const expired = validateRRset(createValidationEnv(utc(2037, 1, 2), v, undefined, memo), soa(), keys, v);
  assert.equal(expired.status === 'bogus' && expired.reason.tag, 'V-RRSIG-EXP', 'the validity window is still checked');
});
