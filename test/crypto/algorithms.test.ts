// src/dnssec/algorithms.ts: registry lookups (IANA and BIND spellings) and the RFC 8624 policy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_ALGORITHM_POLICY,
  DnssecAlgorithm,
  DsDigestType,
  algorithmBindName,
  algorithmFromText,
  algorithmInfo,
  algorithmMnemonic,
  canSign,
  canValidate,
  canValidateDigest,
  createAlgorithmPolicy,
  digestTypeFromText,
  digestTypeInfo,
  digestTypeName,
} from '../../src/dnssec/algorithms.js';

test('algorithm numbers match the IANA registry', () => {
  assert.deepEqual(
    [
      DnssecAlgorithm.RSAMD5,
      DnssecAlgorithm.DSA,
      DnssecAlgorithm.RSASHA1,
      DnssecAlgorithm.DSA_NSEC3_SHA1,
      DnssecAlgorithm.RSASHA1_NSEC3_SHA1,
      DnssecAlgorithm.RSASHA256,
      DnssecAlgorithm.RSASHA512,
      DnssecAlgorithm.ECC_GOST,
      DnssecAlgorithm.ECDSAP256SHA256,
      DnssecAlgorithm.ECDSAP384SHA384,
      DnssecAlgorithm.ED25519,
      DnssecAlgorithm.ED448,
    ],
    [1, 3, 5, 6, 7, 8, 10, 12, 13, 14, 15, 16],
  );
});

test('mnemonics: IANA and BIND spellings, any case, and numbers', () => {
  const cases: [string, number | undefined][] = [
    ['RSASHA256', 8],
    ['rsasha256', 8],
    ['RsaSha512', 10],
    ['ECDSAP256SHA256', 13],
    ['ecdsap384sha384', 14],
    ['ED25519', 15],
    ['Ed448', 16],
    ['DSA', 3],
    ['DSA-NSEC3-SHA1', 6],
    ['NSEC3DSA', 6],
    ['RSASHA1-NSEC3-SHA1', 7],
    ['NSEC3RSASHA1', 7],
    ['ECC-GOST', 12],
    ['ECCGOST', 12],
    ['RSAMD5', 1],
    ['PRIVATEOID', 254],
    ['8', 8],
    ['013', 13],
    ['0', 0],
    ['255', 255],
    ['256', undefined],
    ['-1', undefined],
    ['1e1', undefined],
    ['', undefined],
    ['SHA256', undefined],
    ['RSASHA256 ', 8],
  ];
  for (const [text, want] of cases) assert.equal(algorithmFromText(text), want, text);
});

test('printing: IANA mnemonic, BIND name, number for unknown', () => {
  assert.equal(algorithmMnemonic(7), 'RSASHA1-NSEC3-SHA1');
  assert.equal(algorithmBindName(7), 'NSEC3RSASHA1');
  assert.equal(algorithmBindName(6), 'NSEC3DSA');
  assert.equal(algorithmMnemonic(13), 'ECDSAP256SHA256');
  assert.equal(algorithmMnemonic(200), '200');
  assert.equal(algorithmBindName(4), '4');
  for (let n = 0; n < 256; n++) {
    const m = algorithmMnemonic(n);
    assert.equal(algorithmFromText(m), n, `round trip ${n}`);
    assert.equal(algorithmFromText(algorithmBindName(n)), n, `BIND round trip ${n}`);
  }
});

test('algorithm facts', () => {
  assert.equal(algorithmInfo(8)?.hash, 'sha256');
  assert.equal(algorithmInfo(8)?.family, 'rsa');
  assert.equal(algorithmInfo(5)?.nsec3Capable, false);
  assert.equal(algorithmInfo(7)?.nsec3Capable, true);
  assert.equal(algorithmInfo(15)?.hash, null);
  assert.equal(algorithmInfo(2)?.zoneSigning, false);
  assert.equal(algorithmInfo(9), undefined);
});

test('DS digest types', () => {
  assert.deepEqual([DsDigestType.SHA1, DsDigestType.SHA256, DsDigestType.GOST, DsDigestType.SHA384], [1, 2, 3, 4]);
  assert.equal(digestTypeName(2), 'SHA-256');
  assert.equal(digestTypeName(4), 'SHA-384');
  assert.equal(digestTypeName(9), '9');
  assert.equal(digestTypeInfo(1)?.length, 20);
  assert.equal(digestTypeInfo(4)?.hash, 'sha384');
  assert.equal(digestTypeInfo(3)?.hash, null);
  assert.equal(digestTypeFromText('SHA-256'), 2);
  assert.equal(digestTypeFromText('sha384'), 4);
  assert.equal(digestTypeFromText('sha_1'), 1);
  assert.equal(digestTypeFromText('GOST'), 3);
  assert.equal(digestTypeFromText('2'), 2);
  assert.equal(digestTypeFromText('md5'), undefined);
});

test('default policy follows RFC 8624 with SHA-1 on and DSA off', () => {
  const p = DEFAULT_ALGORITHM_POLICY;
  assert.deepEqual([...p.validate], [5, 7, 8, 10, 13, 14, 15, 16]);
  assert.deepEqual([...p.sign], [8, 10, 13, 14, 15, 16]);
  for (const a of [1, 3, 6, 12, 2, 252]) assert.equal(canValidate(p, a), false, `validate ${a}`);
  for (const a of [1, 3, 5, 6, 7, 12]) assert.equal(canSign(p, a), false, `sign ${a}`);
  assert.deepEqual([...p.validateDigests], [1, 2, 4]);
  assert.deepEqual([...p.createDigests], [2, 4]);
  assert.equal(canValidateDigest(p, 3), false);
  assert.equal(p.minRsaBitsValidate, 512);
  assert.equal(p.maxRsaBitsValidate, 4096);
  assert.ok(Object.isFrozen(p));
});

test('policy switches: DSA on, SHA-1 off, explicit sets', () => {
  const dsa = createAlgorithmPolicy({ validateDsa: true });
  assert.deepEqual([...dsa.validate], [3, 5, 6, 7, 8, 10, 13, 14, 15, 16]);
  const noSha1 = createAlgorithmPolicy({ validateSha1: false, validateSha1Digest: false });
  assert.deepEqual([...noSha1.validate], [8, 10, 13, 14, 15, 16]);
  assert.equal(canValidateDigest(noSha1, 1), false);
  const sha1Sign = createAlgorithmPolicy({ signSha1: true });
  assert.equal(canSign(sha1Sign, 7), true);
  const only = createAlgorithmPolicy({ validate: [13, 15], sign: [13] });
  assert.deepEqual([...only.validate], [13, 15]);
  assert.deepEqual([...only.sign], [13]);
  assert.throws(() => createAlgorithmPolicy({ minRsaBitsValidate: 2048, maxRsaBitsValidate: 1024 }), RangeError);
  assert.throws(() => createAlgorithmPolicy({ minRsaBitsSign: 0 }), RangeError);
});
