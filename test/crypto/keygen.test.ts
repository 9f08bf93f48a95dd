// Key generation and the signer façade: sizes, injected randomness for reproducible EC/EdDSA keys,
// refusals as CryptoError, and which backend signs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { decodeRsaPublicKey } from '../../src/crypto/dnskey-public-key.js';
import { createNobleBackend } from '../../src/crypto/noble-backend.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey, publicKeyFromPrivateKey } from '../../src/crypto/signer.js';

const node = createNodeBackend();
const noble = createNobleBackend();

test('RSA keys: default 2048 bits, exponent 65537, size option', () => {
  const key = generatePrivateKey(8);
  const pub = decodeRsaPublicKey(publicKeyFromPrivateKey(key))!;
  assert.equal(pub.bits, 2048);
  assert.deepEqual(pub.exponent, Uint8Array.of(1, 0, 1));
  assert.equal(decodeRsaPublicKey(publicKeyFromPrivateKey(generatePrivateKey(10, { bits: 1024 })))!.bits, 1024);
  for (const bits of [512, 1023.5, 4097, 8192]) {
    assert.throws(() => generatePrivateKey(8, { bits }), CryptoError, String(bits));
  }
  assert.throws(() => generatePrivateKey(8, { random: new SeededRandom(1) }), CryptoError);
});

test('EC and EdDSA keys from an injected Random are reproducible', () => {
  for (const alg of [13, 14, 15, 16]) {
    const a = generatePrivateKey(alg, { random: new SeededRandom(42) });
    const b = generatePrivateKey(alg, { random: new SeededRandom(42) });
    const c = generatePrivateKey(alg, { random: new SeededRandom(43) });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.deepEqual(createSigner(a, { deterministic: true }).publicKey, publicKeyFromPrivateKey(a));
  }
});

test('fresh keys for every algorithm sign and verify in both backends', () => {
  const data = new Uint8Array(Buffer.from('example.com. 3600 IN SOA ...'));
  for (const alg of [3, 5, 6, 7, 8, 10, 13, 14, 15, 16]) {
    const key = generatePrivateKey(alg, alg === 3 || alg === 6 ? {} : alg < 13 ? { bits: 1024 } : {});
    assert.equal(key.algorithm, alg);
    for (const deterministic of [false, true]) {
      const signer = createSigner(key, { deterministic });
      const sig = signer.sign(data);
      assert.equal(node.verify(alg, signer.publicKey, data, sig), true, `node ${alg}`);
      assert.equal(noble.verify(alg, signer.publicKey, data, sig), true, `noble ${alg}`);
      if (deterministic) assert.equal(signer.deterministic, alg !== 3 && alg !== 6, `deterministic flag ${alg}`);
    }
  }
});

test('which backend signs', () => {
  const ec = generatePrivateKey(13);
  assert.equal(createSigner(ec).backend, 'node');
  assert.equal(createSigner(ec, { deterministic: true }).backend, 'noble');
  const ed = generatePrivateKey(15);
  assert.equal(createSigner(ed, { deterministic: true }).backend, 'node');
  assert.equal(createSigner(ed).deterministic, true);
});

test('signBatch gives the same signatures as sign', async () => {
  const signer = createSigner(generatePrivateKey(15));
  const data = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(1000)];
  assert.deepEqual(await signer.signBatch(data), data.map((d) => signer.sign(d)));
});

test('algorithms without key generation are CryptoError', () => {
  for (const alg of [0, 1, 2, 12, 17, 253]) assert.throws(() => generatePrivateKey(alg), CryptoError, String(alg));
  assert.throws(() => generatePrivateKey(3, { random: new SeededRandom(1) }), CryptoError);
});
