// Hostile and broken inputs: malformed DNSKEY public keys and signatures are `false` in every
// backend (node, noble, native when built), never an exception; programmer errors (unsupported algorithm, wrong argument types)
// are CryptoError. Also the public key field codecs and the key cache bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CryptoError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { concatBytes } from '../../src/crypto/bytes.js';
import {
  decodeDsaPublicKey,
  decodeRsaPublicKey,
  encodeDsaPublicKey,
  encodeRsaPublicKey,
  publicKeyBits,
  rsaKeyUsable,
} from '../../src/crypto/dnskey-public-key.js';
import { KeyCache, PublicKeyCache } from '../../src/crypto/key-cache.js';
import { createNobleBackend } from '../../src/crypto/noble-backend.js';
import { NodeCryptoBackend, createNodeBackend, createNodeSigner } from '../../src/crypto/node-backend.js';
import type { PrivateKey, RsaPrivateKey } from '../../src/crypto/private-key.js';
import { generatePrivateKey } from '../../src/crypto/signer.js';
import { RFC_EXAMPLES } from '../vectors/crypto-rfc-examples.js';
import { nativeBackends } from './native-backends.js';
import { b64, exampleSignedData } from './signed-data.js';

const backends: readonly CryptoBackend[] = [createNodeBackend(), createNobleBackend(), ...nativeBackends()];
const ALL = [3, 5, 6, 7, 8, 10, 13, 14, 15, 16];

function allFalse(alg: number, pk: Uint8Array, data: Uint8Array, sig: Uint8Array, what: string): void {
  for (const be of backends) {
    let got: boolean | undefined;
    assert.doesNotThrow(() => {
      got = be.verify(alg, pk, data, sig);
    }, `${be.name}: ${what}`);
    assert.equal(got, false, `${be.name}: ${what}`);
  }
}

const rsa = RFC_EXAMPLES.find((e) => e.algorithm === 8)!;
const rsaKey = b64(rsa.publicKey);
const rsaData = exampleSignedData(rsa);
const rsaSig = b64(rsa.signature);

test('both backends support the same algorithms; RSAMD5 and GOST are not among them', () => {
  for (const be of backends) {
    for (let a = 0; a < 256; a++) assert.equal(be.supportsVerify(a), ALL.includes(a), `${be.name} ${a}`);
  }
});

test('unsupported algorithms and non-byte arguments are CryptoError', () => {
  const u = new Uint8Array(4);
  for (const be of backends) {
    for (const alg of [0, 1, 2, 4, 12, 17, 253, 254, 255]) {
      assert.throws(() => be.verify(alg, u, u, u), CryptoError, `${be.name} ${alg}`);
    }
    for (const alg of [-1, 256, 1.5, Number.NaN]) assert.throws(() => be.verify(alg, u, u, u), CryptoError);
    assert.throws(() => be.verify(8, 'key' as unknown as Uint8Array, u, u), CryptoError);
    assert.throws(() => be.verify(8, u, null as unknown as Uint8Array, u), CryptoError);
  }
});

test('RSA keys: truncated, empty, bad exponent length, zero exponent → false', () => {
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['one octet', Uint8Array.of(3)],
    ['exponent only', rsaKey.subarray(0, 4)],
    ['truncated modulus', rsaKey.subarray(0, 40)],
    ['exponent length past the end', concatBytes(Uint8Array.of(200), rsaKey.subarray(1))],
    ['exponent length 0 in long form', concatBytes(Uint8Array.of(0, 0, 0), rsaKey.subarray(1))],
    ['long form truncated', Uint8Array.of(0, 1)],
    ['exponent swallows the key', concatBytes(Uint8Array.of(rsaKey.length - 1), rsaKey.subarray(1))],
    ['zero exponent', concatBytes(Uint8Array.of(3, 0, 0, 0), rsaKey.subarray(4))],
    ['exponent 1', concatBytes(Uint8Array.of(1, 1), rsaKey.subarray(4))],
    ['even exponent', concatBytes(Uint8Array.of(3, 1, 0, 0), rsaKey.subarray(4))],
    ['even modulus', concatBytes(rsaKey.subarray(0, rsaKey.length - 1), Uint8Array.of(rsaKey[rsaKey.length - 1]! ^ 1))],
    ['all-zero modulus', concatBytes(rsaKey.subarray(0, 4), new Uint8Array(64))],
    ['exponent over 64 bits', concatBytes(Uint8Array.of(9, 1, 0, 0, 0, 0, 0, 0, 0, 1), rsaKey.subarray(4))],
    ['modulus under 512 bits', concatBytes(rsaKey.subarray(0, 4), rsaKey.subarray(5))],
  ];
  for (const [what, pk] of cases) allFalse(8, pk, rsaData, rsaSig, what);
});

test('RSA keys: the three-octet exponent length form and leading zeros decode to the same key', () => {
  const long = concatBytes(Uint8Array.of(0, 0, 3), rsaKey.subarray(1));
  const zeros = concatBytes(Uint8Array.of(4, 0), rsaKey.subarray(1, 4), Uint8Array.of(0), rsaKey.subarray(4));
  for (const be of backends) {
    assert.equal(be.verify(8, long, rsaData, rsaSig), true, `${be.name} long form`);
    assert.equal(be.verify(8, zeros, rsaData, rsaSig), true, `${be.name} leading zeros`);
  }
  const k = decodeRsaPublicKey(long)!;
  assert.equal(k.bits, 512);
  assert.equal(k.exponentBits, 17);
  assert.deepEqual(encodeRsaPublicKey(k.exponent, k.modulus), rsaKey);
  const bigE = new Uint8Array(300).fill(1);
  const enc = encodeRsaPublicKey(bigE, k.modulus);
  assert.deepEqual(enc.subarray(0, 3), Uint8Array.of(0, 1, 44));
  assert.deepEqual(decodeRsaPublicKey(enc)?.exponent, bigE);
});

test('RSA size limits are options; 4097 bits and 511 bits are refused by default', () => {
  assert.equal(rsaKeyUsable(decodeRsaPublicKey(rsaKey)!), true);
  assert.equal(rsaKeyUsable(decodeRsaPublicKey(rsaKey)!, { minBits: 1024, maxBits: 4096, maxExponentBits: 64 }), false);
  const strict = new NodeCryptoBackend({ rsaLimits: { minBits: 1024 } });
  assert.equal(strict.verify(8, rsaKey, rsaData, rsaSig), false);
  const big = concatBytes(Uint8Array.of(1, 3), Uint8Array.of(1), new Uint8Array(511), Uint8Array.of(1));
  assert.equal(decodeRsaPublicKey(big)?.bits, 4097);
  allFalse(8, big, rsaData, new Uint8Array(513), '4097-bit modulus');
});

test('RSA signatures: empty, too long, equal to or above the modulus → false', () => {
  const k = decodeRsaPublicKey(rsaKey)!;
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['too long', concatBytes(Uint8Array.of(1), rsaSig)],
    ['modulus', k.modulus],
    ['all ones', new Uint8Array(64).fill(0xff)],
    ['zero', new Uint8Array(64)],
    ['one', concatBytes(new Uint8Array(63), Uint8Array.of(1))],
  ];
  for (const [what, sig] of cases) allFalse(8, rsaKey, rsaData, sig, what);
});

test('ECDSA and EdDSA keys: wrong lengths, not on the curve, zeros → false', () => {
  for (const ex of RFC_EXAMPLES.filter((e) => e.algorithm >= 13)) {
    const pk = b64(ex.publicKey);
    const data = exampleSignedData(ex);
    const sig = b64(ex.signature);
    const offCurve = pk.slice();
    offCurve[pk.length - 1]! ^= 1;
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['truncated', pk.subarray(0, pk.length - 1)],
      ['one extra octet', concatBytes(pk, Uint8Array.of(0))],
      ['SEC1 prefix added', concatBytes(Uint8Array.of(4), pk)],
      ['all zero', new Uint8Array(pk.length)],
      ['all ones', new Uint8Array(pk.length).fill(0xff)],
      ['modified', offCurve],
    ];
    for (const [what, key] of cases) allFalse(ex.algorithm, key, data, sig, `${ex.name} key ${what}`);
    const sigCases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['truncated', sig.subarray(1)],
      ['extended', concatBytes(sig, Uint8Array.of(0))],
      ['zero', new Uint8Array(sig.length)],
      ['ones', new Uint8Array(sig.length).fill(0xff)],
    ];
    for (const [what, s] of sigCases) allFalse(ex.algorithm, pk, data, s, `${ex.name} signature ${what}`);
  }
});

test('DSA keys and signatures: bad T, lengths, parameters → false', () => {
  const key = decodeDsaPublicKey(
    createNodeSigner(generatePrivateKey(3)).publicKey,
  )!;
  const field = encodeDsaPublicKey(key.q, key.p, key.g, key.y)!;
  assert.equal(field.length, 405);
  assert.equal(publicKeyBits(3, field), 1024);
  const data = new Uint8Array(10);
  const sig = concatBytes(Uint8Array.of(8), new Uint8Array(40).fill(1));
  const tBad = field.slice();
  tBad[0] = 9;
  const yOne = field.slice();
  yOne.fill(0, 405 - 128);
  yOne[404] = 1;
  const evenQ = field.slice();
  evenQ[20]! &= 0xfe;
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array(0)],
    ['T = 9', tBad],
    ['truncated', field.subarray(0, 404)],
    ['extended', concatBytes(field, Uint8Array.of(0))],
    ['y = 1', yOne],
    ['even q', evenQ],
  ];
  for (const [what, pk] of cases) {
    assert.equal(decodeDsaPublicKey(pk), undefined, what);
    allFalse(3, pk, data, sig, what);
  }
  for (const [what, s] of [
    ['empty', new Uint8Array(0)],
    ['40 octets', new Uint8Array(40)],
    ['r = 0', concatBytes(Uint8Array.of(8), new Uint8Array(20), new Uint8Array(20).fill(1))],
    ['r ≥ q', concatBytes(Uint8Array.of(8), new Uint8Array(20).fill(0xff), new Uint8Array(20).fill(1))],
    ['DER with trailing garbage', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x00)],
    ['DER truncated', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x01)],
    ['DER negative r', Uint8Array.of(0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01)],
  ] as const) {
    allFalse(3, field, data, s, what);
  }
});

test('fuzz: random keys, data and signatures never throw in either backend', () => {
  const rnd = new SeededRandom(99);
  for (let i = 0; i < 3000; i++) {
    const alg = ALL[rnd.below(ALL.length)]!;
    const pk = rnd.fill(new Uint8Array(rnd.below(rnd.below(2) === 0 ? 70 : 600)));
    const sig = rnd.fill(new Uint8Array(rnd.below(rnd.below(2) === 0 ? 70 : 600)));
    if (rnd.below(4) === 0 && sig.length > 2) {
      sig[0] = 0x30; // steer some into the DER path
      sig[1] = sig.length - 2;
    }
    const data = rnd.fill(new Uint8Array(rnd.below(64)));
    for (const be of backends) assert.equal(be.verify(alg, pk, data, sig), false);
  }
});

test('the node key cache is bounded and remembers keys that failed to import', () => {
  const be = createNodeBackend({ keyCacheSize: 4 });
  const rnd = new SeededRandom(5);
  for (let i = 0; i < 10; i++) be.verify(13, rnd.fill(new Uint8Array(64)), new Uint8Array(1), new Uint8Array(64));
  assert.equal(be.cacheStats().size, 4);
  const bad = rnd.fill(new Uint8Array(64));
  be.verify(13, bad, new Uint8Array(1), new Uint8Array(64));
  const before = be.cacheStats().hits;
  be.verify(13, bad, new Uint8Array(1), new Uint8Array(64));
  assert.equal(be.cacheStats().hits, before + 1);
  // Same bytes under another algorithm are another entry.
  be.verify(8, rsaKey, rsaData, rsaSig);
  assert.equal(be.verify(8, rsaKey, rsaData, rsaSig), true);
  // Oversized key fields are refused without touching the cache.
  const misses = be.cacheStats().misses;
  assert.equal(be.verify(8, new Uint8Array(70000), rsaData, rsaSig), false);
  assert.equal(be.cacheStats().misses, misses);
  assert.throws(() => createNodeBackend({ keyCacheSize: 0 }), RangeError);
});

test('verifyBatch answers in order and rejects on programmer errors', async () => {
  const jobs = RFC_EXAMPLES.map((ex) => ({
    algorithm: ex.algorithm,
    publicKey: b64(ex.publicKey),
    data: exampleSignedData(ex),
    signature: b64(ex.signature),
  }));
  const withBad = [...jobs, { ...jobs[0]!, signature: new Uint8Array(3) }];
  for (const be of backends) {
    assert.deepEqual(await be.verifyBatch(withBad), [...jobs.map(() => true), false]);
    assert.deepEqual(await be.verifyBatch([]), []);
    await assert.rejects(be.verifyBatch([{ ...jobs[0]!, algorithm: 12 }]), CryptoError);
  }
});

test('publicKeyBits reports sizes as tools do', () => {
  assert.equal(publicKeyBits(8, rsaKey), 512);
  assert.equal(publicKeyBits(13, new Uint8Array(64)), 256);
  assert.equal(publicKeyBits(14, new Uint8Array(96)), 384);
  assert.equal(publicKeyBits(15, new Uint8Array(32)), 256);
  assert.equal(publicKeyBits(16, new Uint8Array(57)), 456);
  assert.equal(publicKeyBits(13, new Uint8Array(63)), undefined);
  assert.equal(publicKeyBits(8, new Uint8Array(0)), undefined);
  assert.equal(publicKeyBits(99, new Uint8Array(10)), undefined);
});

test('signing with unusable material is CryptoError', () => {
  const rsaMaterial = generatePrivateKey(8, { bits: 1024 }) as RsaPrivateKey;
  const cases: PrivateKey[] = [
    { type: 'ecdsa', algorithm: 13, privateKey: new Uint8Array(32) },
    { type: 'ecdsa', algorithm: 13, privateKey: new Uint8Array(32).fill(0xff) },
    { type: 'ecdsa', algorithm: 14, privateKey: new Uint8Array(49).fill(1) },
    { type: 'eddsa', algorithm: 15, privateKey: new Uint8Array(31) },
    { type: 'eddsa', algorithm: 16, privateKey: new Uint8Array(32) },
    { ...rsaMaterial, prime1: rsaMaterial.prime2 },
    { ...rsaMaterial, algorithm: 13 },
    { ...rsaMaterial, algorithm: 1 },
  ];
  for (const key of cases) assert.throws(() => createNodeSigner(key), CryptoError, JSON.stringify([key.type, key.algorithm]));
});

test('KeyCache evicts entries not used since they last came round', () => {
  const c = new KeyCache<number>(3);
  c.set('a', 1);
  c.set('b', 2);
  c.set('c', 3);
  assert.equal(c.get('a'), 1); // a gets a second chance
  c.set('d', 4); // evicts b (oldest unused)
  assert.equal(c.get('b'), undefined);
  assert.equal(c.get('a'), 1);
  assert.equal(c.get('c'), 3);
  assert.equal(c.get('d'), 4);
  c.set('e', 5); // all used: a, c, d get flags cleared in turn, then a goes
  assert.equal(c.size, 3);
  assert.equal(c.get('e'), 5);
  assert.equal([c.get('a'), c.get('c'), c.get('d')].filter((v) => v !== undefined).length, 2);
  c.set('e', 6);
  assert.equal(c.get('e'), 6);
  assert.equal(c.size, 3);
  c.clear();
  assert.equal(c.size, 0);
});

test('PublicKeyCache: found by algorithm and bytes (any view of them), keeps its own copy, bounded', () => {
  const c = new PublicKeyCache<string>(2);
  const key = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
  c.set(8, key, 'rsa');
  const big = concatBytes(Uint8Array.of(9, 9), key, Uint8Array.of(9));
  assert.equal(c.get(8, big.subarray(2, 9)), 'rsa', 'a subarray with the same bytes is a hit');
  assert.equal(c.get(13, key), undefined, 'same bytes, other algorithm');
  assert.equal(c.get(8, key.subarray(1)), undefined, 'a prefix is another key');
  key[0] = 0xff;
  assert.equal(c.get(8, key), undefined, 'changing the caller array does not change the stored key');
  assert.equal(c.get(8, Uint8Array.of(1, 2, 3, 4, 5, 6, 7)), 'rsa');
  c.set(13, Uint8Array.of(1), 'a');
  c.set(13, Uint8Array.of(2), 'b');
  assert.equal(c.size, 2);
  assert.deepEqual([c.hits, c.misses], [2, 3]);
});
