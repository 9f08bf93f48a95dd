// DSA keys and signatures of any RFC 2536 size for tests. OpenSSL 3 refuses to generate DSA
// parameters under 1024 bits, but old zones carry 512..1024-bit keys (RFC 2536 §2: T = 0..8),
// so the tests make their own with BigInt from a seeded generator (FIPS 186-4 §4.6 signing).

import { createHash } from 'node:crypto';
import type { Random } from '../../src/core/random.js';
import { bigIntToBytes, bytesToBigInt } from '../../src/crypto/bytes.js';
import { modInverse, modPow } from '../../src/crypto/modular.js';
import type { DsaPrivateKey } from '../../src/crypto/private-key.js';

function randomBits(rnd: Random, bits: number): bigint {
  const bytes = rnd.fill(new Uint8Array(Math.ceil(bits / 8)));
  bytes[0]! |= 0x80 >> ((8 - (bits % 8)) % 8); // top bit set
  return bytesToBigInt(bytes) & ((1n << BigInt(bits)) - 1n);
}

function isProbablePrime(n: bigint, rnd: Random): boolean {
  if (n < 2n) return false;
  for (const p of [2n, 3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n]) {
    if (n % p === 0n) return n === p;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  for (let i = 0; i < 24; i++) {
    const a = 2n + (randomBits(rnd, 64) % (n - 4n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    let composite = true;
    for (let j = 1; j < s; j++) {
      x = (x * x) % n;
      if (x === n - 1n) {
        composite = false;
        break;
      }
    }
    if (composite) return false;
  }
  return true;
}

/** A DSA key with a (512 + 64*t)-bit prime p and 160-bit q. */
export function makeDsaKey(rnd: Random, t: number, algorithm = 3): DsaPrivateKey {
  const pBits = 512 + 64 * t;
  let q: bigint;
  do q = randomBits(rnd, 160) | 1n;
  while (!isProbablePrime(q, rnd));
  let p: bigint;
  for (;;) {
    const x = randomBits(rnd, pBits);
    p = x - (x % (2n * q)) + 1n;
    if (p.toString(2).length === pBits && isProbablePrime(p, rnd)) break;
  }
  let g = 1n;
  for (let h = 2n; g === 1n; h++) g = modPow(h, (p - 1n) / q, p);
  const x = 1n + (randomBits(rnd, 160) % (q - 1n));
  const y = modPow(g, x, p);
  const size = pBits / 8;
  return {
    type: 'dsa',
    algorithm,
    prime: bigIntToBytes(p, size)!,
    subprime: bigIntToBytes(q, 20)!,
    base: bigIntToBytes(g, size)!,
    privateValue: bigIntToBytes(x, 20)!,
    publicValue: bigIntToBytes(y, size)!,
  };
}

/** r and s (20 octets each) over SHA-1(data) with a nonce from `rnd`. */
export function dsaSignRaw(key: DsaPrivateKey, data: Uint8Array, rnd: Random): { r: Uint8Array; s: Uint8Array } {
  const p = bytesToBigInt(key.prime);
  const q = bytesToBigInt(key.subprime);
  const g = bytesToBigInt(key.base);
  const x = bytesToBigInt(key.privateValue);
  const z = bytesToBigInt(new Uint8Array(createHash('sha1').update(data).digest()));
  for (;;) {
    const k = 1n + (randomBits(rnd, 160) % (q - 1n));
    const r = modPow(g, k, p) % q;
    const kInv = modInverse(k, q)!;
    const s = (kInv * (z + x * r)) % q;
    if (r !== 0n && s !== 0n) return { r: bigIntToBytes(r, 20)!, s: bigIntToBytes(s, 20)! };
  }
}
