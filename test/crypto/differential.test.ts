// Differential tests: node:crypto (OpenSSL), the pure-JS backend and (when built) the native
// addon must agree on every answer.
// Keys and messages come from a seeded generator where the algorithm allows it, so a failure
// repeats; each backend's signatures must verify in the other, and every corruption must fail in
// both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import type { Signer } from '../../src/crypto/backend.js';
import { bigIntToBytes, bytesToBigInt, concatBytes } from '../../src/crypto/bytes.js';
import { derSequence, derUnsignedInteger } from '../../src/crypto/der.js';
import { encodeDsaSignature } from '../../src/crypto/dsa-signature.js';
import { createNobleBackend, createNobleSigner } from '../../src/crypto/noble-backend.js';
import { createNodeBackend, createNodeSigner } from '../../src/crypto/node-backend.js';
import type { RsaPrivateKey } from '../../src/crypto/private-key.js';
import { generatePrivateKey } from '../../src/crypto/signer.js';
import { dsaSignRaw, makeDsaKey } from './dsa-test-key.js';
import { nativeBackends } from './native-backends.js';

const node = createNodeBackend();
const noble = createNobleBackend();
const native = nativeBackends();

function messages(rnd: SeededRandom, count: number): Uint8Array[] {
  const out: Uint8Array[] = [new Uint8Array(0)];
  for (let i = 1; i < count; i++) out.push(rnd.fill(new Uint8Array(rnd.below(600))));
  return out;
}

/** Both backends give `want` for this job. */
function agree(alg: number, pk: Uint8Array, data: Uint8Array, sig: Uint8Array, want: boolean, what: string): void {
  assert.equal(node.verify(alg, pk, data, sig), want, `node: ${what}`);
  assert.equal(noble.verify(alg, pk, data, sig), want, `noble: ${what}`);
  for (const be of native) assert.equal(be.verify(alg, pk, data, sig), want, `native: ${what}`);
}

function corruptions(rnd: SeededRandom, sig: Uint8Array): Uint8Array[] {
  const flip = sig.slice();
  flip[rnd.below(sig.length)]! ^= 1 << rnd.below(8);
  const first = sig.slice();
  first[0]! ^= 0x80;
  const last = sig.slice();
  last[last.length - 1]! ^= 0x01;
  return [flip, first, last, sig.subarray(0, sig.length - 1), concatBytes(sig, Uint8Array.of(0)), new Uint8Array(sig.length)];
}

function exercise(signers: readonly Signer[], rnd: SeededRandom, count: number): void {
  for (const signer of signers) {
    const alg = signer.algorithm;
    for (const msg of messages(rnd, count)) {
      const sig = signer.sign(msg);
      agree(alg, signer.publicKey, msg, sig, true, `${signer.backend} signature, ${msg.length} octets`);
      for (const bad of corruptions(rnd, sig)) agree(alg, signer.publicKey, msg, bad, false, `${signer.backend} corrupted`);
      const other = concatBytes(msg, Uint8Array.of(rnd.below(256)));
      agree(alg, signer.publicKey, other, sig, false, `${signer.backend} other message`);
    }
  }
}

for (const alg of [13, 14, 15, 16]) {
  test(`algorithm ${alg}: node and noble sign, both verify, corruptions fail in both`, () => {
    const rnd = new SeededRandom(1000 + alg);
    for (let k = 0; k < 3; k++) {
      const key = generatePrivateKey(alg, { random: rnd });
      const n = createNodeSigner(key);
      const j = createNobleSigner(key);
      assert.deepEqual(n.publicKey, j.publicKey, 'both derive the same public key');
      exercise([n, j], rnd, 8);
    }
  });
}

test('ECDSA: high-S signatures (as OpenSSL makes half the time) verify in both', () => {
  const rnd = new SeededRandom(77);
  for (const alg of [13, 14] as const) {
    const n = alg === 13
      ? 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
      : 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;
    const len = alg === 13 ? 32 : 48;
    const signer = createNobleSigner(generatePrivateKey(alg, { random: rnd }));
    for (const msg of messages(rnd, 6)) {
      const sig = signer.sign(msg);
      const s = bytesToBigInt(sig.subarray(len));
      const flipped = concatBytes(sig.subarray(0, len), bigIntToBytes(n - s, len)!);
      agree(alg, signer.publicKey, msg, sig, true, 'original');
      agree(alg, signer.publicKey, msg, flipped, true, 's → n - s');
      // r or s equal to n (out of range) is invalid in both.
      agree(alg, signer.publicKey, msg, concatBytes(sig.subarray(0, len), bigIntToBytes(n, len)!), false, 's = n');
      agree(alg, signer.publicKey, msg, concatBytes(bigIntToBytes(0n, len)!, sig.subarray(len)), false, 'r = 0');
    }
  }
});

test('RSA (5, 7, 8, 10): node signs, both verify; corruptions fail in both', () => {
  const rnd = new SeededRandom(8);
  const k1024 = generatePrivateKey(8, { bits: 1024 }) as RsaPrivateKey;
  const k2048 = generatePrivateKey(8, { bits: 2048 }) as RsaPrivateKey;
  for (const alg of [5, 7, 8, 10]) {
    for (const base of [k1024, k2048]) {
      const key: RsaPrivateKey = { ...base, algorithm: alg };
      exercise([createNodeSigner(key)], rnd, 4);
    }
  }
});

test('RSA: a 4096-bit key verifies in both', () => {
  const rnd = new SeededRandom(4096);
  const key = generatePrivateKey(10, { bits: 4096 });
  exercise([createNodeSigner(key)], rnd, 2);
});

test('RSA: signatures with a leading zero octet verify with or without it', () => {
  const key = generatePrivateKey(8, { bits: 1024 });
  const signer = createNodeSigner(key);
  const rnd = new SeededRandom(3);
  let found = 0;
  for (let i = 0; i < 4000 && found < 2; i++) {
    const msg = rnd.fill(new Uint8Array(32));
    const sig = signer.sign(msg);
    if (sig[0] !== 0) continue;
    found++;
    assert.equal(sig.length, 128, 'node output is padded to the modulus length');
    agree(8, signer.publicKey, msg, sig, true, 'full length');
    agree(8, signer.publicKey, msg, sig.subarray(1), true, 'leading zero dropped');
    agree(8, signer.publicKey, msg, concatBytes(Uint8Array.of(0), sig), true, 'extra leading zero');
  }
  assert.ok(found > 0, 'found a signature with a leading zero octet');
});

test('DSA (3, 6): 512..1024-bit keys, RFC 2536 and DER signatures agree in both', () => {
  const rnd = new SeededRandom(2536);
  for (const t of [0, 4, 8]) {
    for (const alg of [3, 6]) {
      const key = makeDsaKey(rnd, t, alg);
      const signer = createNodeSigner(key); // node only exports the public key field here
      const pk = signer.publicKey;
      assert.equal(pk[0], t);
      assert.equal(pk.length, 1 + 20 + 3 * (64 + 8 * t));
      for (const msg of messages(rnd, 4)) {
        const { r, s } = dsaSignRaw(key, msg, rnd);
        const sig = encodeDsaSignature(t, r, s);
        agree(alg, pk, msg, sig, true, `T=${t} RFC 2536 form`);
        const der = derSequence(derUnsignedInteger(r), derUnsignedInteger(s));
        agree(alg, pk, msg, der, true, `T=${t} DER form`);
        for (const bad of corruptions(rnd, sig)) agree(alg, pk, msg, bad, false, `T=${t} corrupted`);
        const badDer = der.slice();
        badDer[badDer.length - 1]! ^= 1;
        agree(alg, pk, msg, badDer, false, `T=${t} corrupted DER`);
        // Non-minimal DER (an extra leading zero in r) is refused by both.
        const sloppy = derSequence(Uint8Array.of(0x02, r.length + 1, 0, ...r), derUnsignedInteger(s));
        if ((r[0]! & 0x80) === 0) agree(alg, pk, msg, sloppy, false, `T=${t} non-minimal DER`);
      }
    }
  }
});

test('DSA: node signs with a 1024-bit key it generated; both verify', () => {
  const rnd = new SeededRandom(6);
  const key = generatePrivateKey(3);
  const signer = createNodeSigner(key);
  assert.equal(signer.publicKey[0], 8);
  exercise([signer], rnd, 4);
});

test('differential fuzz: random keys and signatures give the same answer in both', () => {
  const rnd = new SeededRandom(424242);
  const lengths: Record<number, number[]> = {
    3: [213, 405],
    5: [67, 131, 260],
    8: [67, 131, 260],
    10: [131],
    13: [64],
    14: [96],
    15: [32],
    16: [57],
  };
  const sigLengths: Record<number, number[]> = { 3: [41, 46], 5: [64, 128], 8: [64, 128, 256], 10: [128], 13: [64], 14: [96], 15: [64], 16: [114] };
  for (const [algText, keyLens] of Object.entries(lengths)) {
    const alg = Number(algText);
    for (const kl of keyLens) {
      for (let i = 0; i < 12; i++) {
        const pk = rnd.fill(new Uint8Array(kl));
        if (alg === 5 || alg === 8 || alg === 10) pk[0] = 3; // plausible RFC 3110 layout
        const data = rnd.fill(new Uint8Array(rnd.below(100)));
        for (const sl of sigLengths[alg]!) {
          const sig = rnd.fill(new Uint8Array(sl));
          const a = node.verify(alg, pk, data, sig);
          const b = noble.verify(alg, pk, data, sig);
          assert.equal(a, b, `alg ${alg} key ${kl} sig ${sl}`);
          assert.equal(a, false);
        }
      }
    }
  }
});
