// RRset validation (RFC 4035 §5.3) on the BIND-signed vectors, broken one way at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { RRType } from '../../src/wire/constants.js';
import { createAlgorithmPolicy } from '../../src/dnssec/algorithms.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import {
  ZoneKeySet,
  createValidationEnv,
  now32,
  parseDnskey,
  serialDiff,
  validateRRset,
  validatorOptions,
  type RRsetVerdict,
  type ZoneKey,
} from '../../src/dnssec/rrset-validator.js';
import { NOW, editSigs, loadVector, stripSigs, utc, withSigs, type SignedZone } from './helpers/zone-data.js';

const backend = createNodeBackend();
const ecdsa = loadVector('example.ecdsap256sha256-nsec.signed', 'keys/ECDSAP256SHA256/dsset-example.');
const rsa = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
const ed = loadVector('example.ed25519-nsec3-salt-optout.signed', 'keys/ED25519/dsset-example.');

function keysOf(z: SignedZone): ZoneKeySet {
  const v = validateDnskeys(createValidationEnv(NOW, backend), z.dnskeys(), z.trust(), backend);
  assert.equal(v.status, 'secure');
  return v.keys;
}
const K = { ecdsa: keysOf(ecdsa), rsa: keysOf(rsa), ed: keysOf(ed) };

function check(z: SignedZone, keys: ZoneKeySet, name: string, type: number, now = NOW, opts = validatorOptions()): RRsetVerdict {
  return validateRRset(createValidationEnv(now, backend, opts), z.get(name, type), keys, backend);
}

function bogus(v: RRsetVerdict, tag: string, ede: number): void {
  assert.equal(v.status, 'bogus', `expected ${tag}`);
  assert.equal(v.reason.tag, tag);
  assert.equal(v.reason.ede, ede);
}

test('every signed RRset of the three vectors validates (ECDSA P-256, RSA/SHA-256, Ed25519)', () => {
  for (const [z, keys] of [
    [ecdsa, K.ecdsa],
    [rsa, K.rsa],
    [ed, K.ed],
  ] as const) {
    let n = 0;
    for (const s of z.sets) {
      if (s.rrsigs.length === 0) continue; // delegation NS and glue are not signed
      const v = validateRRset(createValidationEnv(NOW, backend), s, keys, backend);
      assert.equal(v.status, 'secure', `${s.rrset.name.toString()} ${s.rrset.type}: ${JSON.stringify(v)}`);
      n++;
    }
    assert.ok(n > 30, `${n} RRsets`);
  }
});

test('the secure verdict: signer, key, and the TTL capped by the Original TTL and the time left (RFC 4035 §5.3.3)', () => {
  const www = ecdsa.get('www', RRType.A);
  const v = validateRRset(createValidationEnv(NOW, backend), www, K.ecdsa, backend);
  assert.equal(v.status, 'secure');
  assert.equal(v.signer.toString(), 'example.');
  assert.equal(v.ttl, 3600);
  assert.equal(v.wildcardParent, undefined);
  // Received with a larger TTL than the Original TTL: capped.
  const big = validateRRset(createValidationEnv(NOW, backend), { ...www, rrset: { ...www.rrset, ttl: 86400 } }, K.ecdsa, backend);
  assert.equal(big.status === 'secure' && big.ttl, 3600);
  // 100 seconds before expiration (2037-01-01): 100.
  const late = validateRRset(createValidationEnv(utc(2037, 1, 1) - 100, backend), www, K.ecdsa, backend);
  assert.equal(late.status === 'secure' && late.ttl, 100);
  // The RRSIG record's own TTL caps too.
  const small = validateRRset(createValidationEnv(NOW, backend), { ...www, rrsigTtl: 60 }, K.ecdsa, backend);
  assert.equal(small.status === 'secure' && small.ttl, 60);
});

test('expired: EDE 7, bound expiration; within the clock skew it still validates', () => {
  bogus(check(ecdsa, K.ecdsa, 'www', RRType.A, utc(2037, 1, 2)), 'V-RRSIG-EXP', 7);
  const v = check(ecdsa, K.ecdsa, 'www', RRType.A, utc(2037, 1, 1) + 200);
  assert.equal(v.status, 'secure');
  assert.equal(v.ttl, 0);
  bogus(check(ecdsa, K.ecdsa, 'www', RRType.A, utc(2037, 1, 1) + 200, validatorOptions({ clockSkew: 0 })), 'V-RRSIG-EXP', 7);
});

test('not yet valid: EDE 8, bound inception', () => {
  const v = check(ecdsa, K.ecdsa, 'www', RRType.A, utc(2023, 12, 31));
  bogus(v, 'V-RRSIG-NYV', 8);
  assert.equal(v.status === 'bogus' && v.reason.bound, 'inception');
});

test('serial-number arithmetic: the 32-bit fields wrap in 2106 and still compare (RFC 4034 §3.1.5)', () => {
  const wrap = 2 ** 32;
  assert.equal(now32(wrap + 5), 5);
  assert.ok(serialDiff(5, 0xfffffff0) > 0); // 5 (after the wrap) is later than 0xfffffff0
  assert.ok(serialDiff(0xfffffff0, 5) < 0);
  // A signature valid from 2106-02-07 (just before the wrap) to after it, checked after the wrap.
  const www = ecdsa.get('www', RRType.A);
  const moved = editSigs(www, { inception: 0xffffff00, expiration: 0x00001000 });
  const v = validateRRset(createValidationEnv(wrap + 0x100, backend), moved, K.ecdsa, backend);
  // The times are in the signed data, so the signature no longer verifies, but no time bound fails.
  bogus(v, 'V-RRSIG-CRYPTO', 6);
  const reversed = editSigs(www, { inception: 0x00001000, expiration: 0xffffff00 });
  bogus(validateRRset(createValidationEnv(wrap + 0x100, backend), reversed, K.ecdsa, backend), 'V-RRSIG-EXP-INC', 25);
});

test('missing RRSIG: EDE 10', () => {
  bogus(validateRRset(createValidationEnv(NOW, backend), stripSigs(ecdsa.get('www', RRType.A)), K.ecdsa, backend), 'V-RRSIG-NONE', 10);
});

test('wrong key: the keys of another zone → EDE 9 (signer is right, no key with the tag)', () => {
  const other = new ZoneKeySet(ecdsa.origin, K.ed.keys);
  bogus(check(ecdsa, other, 'www', RRType.A), 'V-RRSIG-NOKEY', 9);
});

test('corrupted signature: EDE 6', () => {
  bogus(
    validateRRset(createValidationEnv(NOW, backend), editSigs(rsa.get('www', RRType.A), { flipSignature: true }), K.rsa, backend),
    'V-RRSIG-CRYPTO',
    6,
  );
});

test('labels field lying: larger than the owner → EDE 6 (labels); smaller → a wildcard that was not signed → EDE 6', () => {
  const www = ecdsa.get('www', RRType.A);
  const big = validateRRset(createValidationEnv(NOW, backend), editSigs(www, { labels: 3 }), K.ecdsa, backend);
  bogus(big, 'V-RRSIG-LABELS', 6);
  assert.equal(big.status === 'bogus' && big.reason.bound, 'labels');
  // Labels 1 claims *.example. signed this: the rebuilt owner changes the signed data.
  bogus(validateRRset(createValidationEnv(NOW, backend), editSigs(www, { labels: 1 }), K.ecdsa, backend), 'V-RRSIG-CRYPTO', 6);
  // Labels 0 would put the wildcard above the signer: refused before any crypto.
  bogus(validateRRset(createValidationEnv(NOW, backend), editSigs(www, { labels: 0 }), K.ecdsa, backend), 'V-RRSIG-LABELS', 6);
});

test('a wildcard expansion validates and reports the wildcard parent', () => {
  const wild = ecdsa.get('*.wild', RRType.TXT);
  const expanded = { ...wild, rrset: { ...wild.rrset, name: ecdsa.name('a.b.wild') } };
  const v = validateRRset(createValidationEnv(NOW, backend), expanded, K.ecdsa, backend);
  assert.equal(v.status, 'secure');
  assert.equal(v.wildcardParent?.toString(), 'wild.example.');
  // The literal wildcard owner is not an expansion.
  const lit = validateRRset(createValidationEnv(NOW, backend), wild, K.ecdsa, backend);
  assert.equal(lit.status === 'secure' && lit.wildcardParent, undefined);
});

test('signer not the zone of the keys: EDE 6', () => {
  const www = ecdsa.get('www', RRType.A);
  const keysElsewhere = new ZoneKeySet(ecdsa.name('www'), K.ecdsa.keys);
  bogus(validateRRset(createValidationEnv(NOW, backend), www, keysElsewhere, backend), 'V-RRSIG-SIGNER', 6);
});

test('an algorithm the policy does not validate: EDE 10 (no usable RRSIG)', () => {
  const opts = validatorOptions({ policy: createAlgorithmPolicy({ validate: [8] }) });
  bogus(check(ecdsa, K.ecdsa, 'www', RRType.A, NOW, opts), 'V-RRSIG-ALG', 10);
});

test('a malformed RRSIG is skipped; another good one still validates (RFC 6840 §5.11: any valid signature)', () => {
  const www = ecdsa.get('www', RRType.A);
  const junk = Uint8Array.of(0, 1, 13);
  bogus(validateRRset(createValidationEnv(NOW, backend), withSigs(www, [junk]), K.ecdsa, backend), 'V-RRSIG-MALFORMED', 6);
  const v = validateRRset(createValidationEnv(NOW, backend), withSigs(www, [junk, ...www.rrsigs]), K.ecdsa, backend);
  assert.equal(v.status, 'secure');
});

test('several signatures: a bad one first, then a good one → secure; every pairing is tried', () => {
  const www = ecdsa.get('www', RRType.A);
  const bad = editSigs(www, { flipSignature: true }).rrsigs;
  const env = createValidationEnv(NOW, backend);
  const v = validateRRset(env, withSigs(www, [...bad, ...www.rrsigs]), K.ecdsa, backend);
  assert.equal(v.status, 'secure');
  assert.equal(env.meter.validations, 2);
});

test('key tag collision: a second key with the same tag and algorithm is tried too', () => {
  const zsk = K.ecdsa.keys.find((k) => (k.flags & 1) === 0)!;
  // A different key forced to the same tag: flip key bytes, then fix the checksum with two more.
  const forged = forgeSameTag(zsk);
  assert.equal(forged.tag, zsk.tag);
  assert.notDeepEqual(forged.publicKey, zsk.publicKey);
  const env = createValidationEnv(NOW, backend);
  const v = validateRRset(env, ecdsa.get('www', RRType.A), new ZoneKeySet(ecdsa.origin, [forged, zsk]), backend);
  assert.equal(v.status, 'secure');
  assert.equal(env.meter.validations, 2);
});

test('revoked or non-zone keys are not used for validation', () => {
  const zsk = K.ecdsa.keys.find((k) => (k.flags & 1) === 0)!;
  for (const flags of [0x0000, 0x0180]) {
    const r = zsk.rdata.slice();
    r[0] = flags >>> 8;
    r[1] = flags & 0xff;
    const k = { ...parseDnskey(r)!, tag: zsk.tag };
    bogus(check(ecdsa, new ZoneKeySet(ecdsa.origin, [k]), 'www', RRType.A), 'V-RRSIG-NOKEY', 9);
  }
});

/** A DNSKEY with different key bytes and the same key tag (RFC 4034 Appendix B checksum). */
export function forgeSameTag(k: ZoneKey, salt = 1): ZoneKey {
  const r = k.rdata.slice();
  const n = r.length;
  // Change two bytes at even offsets by +salt and -salt: the 16-bit sum is unchanged.
  const i = n - 8;
  const j = n - 6;
  r[i] = (r[i]! + salt) & 0xff;
  r[j] = (r[j]! - salt) & 0xff;
  const out = parseDnskey(r)!;
  if (out.tag !== k.tag) {
    // A carry moved: fall back to swapping two bytes of the same parity.
    const s = k.rdata.slice();
    const a = s[n - 8]!;
    s[n - 8] = s[n - 10]!;
    s[n - 10] = a;
    return parseDnskey(s)!;
  }
  return out;
}
