// Known-answer tests: the RFC 5702, RFC 6605 and RFC 8080 examples verify with every backend
// (node, noble, and native when the addon is built),
// the private keys give the published DNSKEYs, and deterministic schemes reproduce the published
// signatures byte for byte. RFC 6979 checks the deterministic ECDSA nonces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBindPrivateKey } from '../../src/crypto/bind-private-key.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { createNobleBackend, createNobleSigner } from '../../src/crypto/noble-backend.js';
import { createNodeBackend, createNodeSigner } from '../../src/crypto/node-backend.js';
import { createSigner, publicKeyFromPrivateKey } from '../../src/crypto/signer.js';
import { RFC6979_EXAMPLES, RFC_EXAMPLES } from '../vectors/crypto-rfc-examples.js';
import { nativeBackends } from './native-backends.js';
import { b64, exampleSignedData, hex } from './signed-data.js';

const backends: readonly CryptoBackend[] = [createNodeBackend(), createNobleBackend(), ...nativeBackends()];

for (const ex of RFC_EXAMPLES) {
  const publicKey = b64(ex.publicKey);
  const signature = b64(ex.signature);
  const data = exampleSignedData(ex);

  test(`${ex.name}: published signature verifies with both backends`, () => {
    for (const be of backends) {
      assert.equal(be.verify(ex.algorithm, publicKey, data, signature), true, be.name);
    }
  });

  test(`${ex.name}: any change to data, signature or key fails`, () => {
    const badData = data.slice();
    badData[badData.length - 1]! ^= 0x01; // last rdata octet
    const badTtl = exampleSignedData(ex, { originalTtl: ex.rrsig.originalTtl + 1 });
    const badSig = signature.slice();
    badSig[Math.floor(badSig.length / 2)]! ^= 0x40;
    const badKey = publicKey.slice();
    badKey[badKey.length - 2]! ^= 0x02;
    for (const be of backends) {
      assert.equal(be.verify(ex.algorithm, publicKey, badData, signature), false, `${be.name} data`);
      assert.equal(be.verify(ex.algorithm, publicKey, badTtl, signature), false, `${be.name} ttl`);
      assert.equal(be.verify(ex.algorithm, publicKey, data, badSig), false, `${be.name} signature`);
      assert.equal(be.verify(ex.algorithm, badKey, data, signature), false, `${be.name} key`);
    }
  });

  test(`${ex.name}: private key gives the published DNSKEY and signs`, () => {
    const file = parseBindPrivateKey(ex.privateKeyFile, ex.name);
    assert.equal(file.algorithm, ex.algorithm);
    assert.deepEqual(publicKeyFromPrivateKey(file.key), publicKey);
    const signers = [createNodeSigner(file.key)];
    if (file.key.type === 'ecdsa' || file.key.type === 'eddsa') signers.push(createNobleSigner(file.key));
    for (const signer of signers) {
      assert.deepEqual(signer.publicKey, publicKey, `${signer.backend} public key`);
      const mine = signer.sign(data);
      for (const be of backends) {
        assert.equal(be.verify(ex.algorithm, publicKey, data, mine), true, `${signer.backend} → ${be.name}`);
      }
      if (ex.deterministic) {
        assert.equal(signer.deterministic, true);
        assert.deepEqual(mine, signature, `${signer.backend} reproduces the published signature`);
      }
    }
  });

  if (ex.publishedSignature !== undefined) {
    const published = b64(ex.publishedSignature);
    test(`${ex.name}: RFC text signature is over labels = 3 (erratum 4935)`, () => {
      const data3 = exampleSignedData(ex, { labels: 3 });
      for (const be of backends) {
        assert.equal(be.verify(ex.algorithm, publicKey, data3, published), true, `${be.name} published, labels 3`);
        assert.equal(be.verify(ex.algorithm, publicKey, data, published), false, `${be.name} published, labels 2`);
        assert.equal(be.verify(ex.algorithm, publicKey, data3, signature), false, `${be.name} erratum, labels 3`);
      }
      const key = parseBindPrivateKey(ex.privateKeyFile).key;
      assert.deepEqual(createSigner(key).sign(data3), published);
    });
  }
}

test('RFC 6605 examples: deterministic signer is stable, node signer is randomised', () => {
  for (const ex of RFC_EXAMPLES.filter((e) => e.algorithm === 13 || e.algorithm === 14)) {
    const key = parseBindPrivateKey(ex.privateKeyFile).key;
    const data = exampleSignedData(ex);
    const det = createSigner(key, { deterministic: true });
    assert.equal(det.backend, 'noble');
    assert.deepEqual(det.sign(data), det.sign(data));
    const rnd = createSigner(key);
    assert.equal(rnd.backend, 'node');
    assert.equal(rnd.deterministic, false);
    assert.notDeepEqual(rnd.sign(data), rnd.sign(data));
  }
});

for (const v of RFC6979_EXAMPLES) {
  test(`${v.name}: deterministic signature and both verifiers`, () => {
    const key = { type: 'ecdsa' as const, algorithm: v.algorithm, privateKey: hex(v.privateKeyHex) };
    const signer = createSigner(key, { deterministic: true });
    assert.deepEqual(signer.publicKey, hex(v.publicKeyHex));
    const msg = new Uint8Array(Buffer.from(v.message, 'ascii'));
    const sig = signer.sign(msg);
    assert.deepEqual(sig, hex(v.signatureHex));
    for (const be of backends) assert.equal(be.verify(v.algorithm, signer.publicKey, msg, sig), true, be.name);
  });
}
