// Private key material, independent of any backend: the numbers a BIND `.private` file carries
// (RSA: RFC 8017 §3.2 second form with CRT values; DSA: FIPS 186 x with its domain parameters;
// ECDSA: the scalar d, RFC 6605 §4 curves; EdDSA: the RFC 8032 §5.1.5/§5.2.5 secret seed).
// All integers are big-endian unsigned octet strings. Backends turn this into signers.

import { algorithmMnemonic } from '../dnssec/algorithms.js';
import { bitLength, bytesToBigInt, stripLeadingZeros } from './bytes.js';

export interface RsaPrivateKey {
  readonly type: 'rsa';
  /** 1, 5, 7, 8 or 10. */
  readonly algorithm: number;
  readonly modulus: Uint8Array;
  readonly publicExponent: Uint8Array;
  readonly privateExponent: Uint8Array;
  readonly prime1: Uint8Array;
  readonly prime2: Uint8Array;
  readonly exponent1: Uint8Array;
  readonly exponent2: Uint8Array;
  readonly coefficient: Uint8Array;
}

export interface DsaPrivateKey {
  readonly type: 'dsa';
  /** 3 or 6. */
  readonly algorithm: number;
  /** p */
  readonly prime: Uint8Array;
  /** q */
  readonly subprime: Uint8Array;
  /** g */
  readonly base: Uint8Array;
  /** x */
  readonly privateValue: Uint8Array;
  /** y = g^x mod p */
  readonly publicValue: Uint8Array;
}

export interface EcdsaPrivateKey {
  readonly type: 'ecdsa';
  readonly algorithm: 13 | 14;
  /** The scalar d, 32 (P-256) or 48 (P-384) octets. */
  readonly privateKey: Uint8Array;
}

export interface EddsaPrivateKey {
  readonly type: 'eddsa';
  readonly algorithm: 15 | 16;
  /** The secret key seed, 32 (Ed25519) or 57 (Ed448) octets. */
  readonly privateKey: Uint8Array;
}

export type PrivateKey = RsaPrivateKey | DsaPrivateKey | EcdsaPrivateKey | EddsaPrivateKey;

/** The material type an algorithm number uses, or undefined if anchord cannot hold its keys. */
export function privateKeyTypeFor(algorithm: number): PrivateKey['type'] | undefined {
  switch (algorithm) {
    case 1:
    case 5:
    case 7:
    case 8:
    case 10:
      return 'rsa';
    case 3:
    case 6:
      return 'dsa';
    case 13:
    case 14:
      return 'ecdsa';
    case 15:
    case 16:
      return 'eddsa';
    default:
      return undefined;
  }
}

// Group orders (SEC 2 §2.4.2 and §2.5.1) for the range check of ECDSA scalars.
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P384_N =
  0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;

/** Expected scalar/seed length for the fixed-size algorithms. */
export function privateKeyLength(algorithm: number): number | undefined {
  switch (algorithm) {
    case 13:
      return 32;
    case 14:
      return 48;
    case 15:
      return 32;
    case 16:
      return 57;
    default:
      return undefined;
  }
}

/**
 * Describes what is wrong with key material, or returns undefined if it looks usable. Checks
 * shapes and ranges cheaply; it does not prove that RSA primes multiply to the modulus (the
 * backend import does that).
 */
export function privateKeyProblem(key: PrivateKey): string | undefined {
  if (privateKeyTypeFor(key.algorithm) !== key.type) {
    return `${key.type} key material does not fit algorithm ${algorithmMnemonic(key.algorithm)}`;
  }
  switch (key.type) {
    case 'rsa': {
      const fields = [
        ['Modulus', key.modulus],
        ['PublicExponent', key.publicExponent],
        ['PrivateExponent', key.privateExponent],
        ['Prime1', key.prime1],
        ['Prime2', key.prime2],
        ['Exponent1', key.exponent1],
        ['Exponent2', key.exponent2],
        ['Coefficient', key.coefficient],
      ] as const;
      for (const [name, v] of fields) {
        if (stripLeadingZeros(v).length === 0) return `${name} is zero or empty`;
      }
      const bits = bitLength(key.modulus);
      if (bits < 512 || bits > 4096) return `RSA modulus of ${bits} bits is outside 512..4096 (RFC 3110 §2)`;
      if (bitLength(key.publicExponent) > 64) return 'RSA public exponent is longer than 64 bits';
      if (bytesToBigInt(key.prime1) * bytesToBigInt(key.prime2) !== bytesToBigInt(key.modulus)) {
        return 'RSA primes do not multiply to the modulus';
      }
      return undefined;
    }
    case 'dsa': {
      const q = bytesToBigInt(key.subprime);
      const p = bytesToBigInt(key.prime);
      const x = bytesToBigInt(key.privateValue);
      if (bitLength(key.subprime) !== 160) return 'DSA subprime must be 160 bits (RFC 2536 §2)';
      const pBytes = stripLeadingZeros(key.prime).length;
      if (pBytes < 64 || pBytes > 128 || pBytes % 8 !== 0) return 'DSA prime must be 512..1024 bits in steps of 64';
      if (x <= 0n || x >= q) return 'DSA private value out of range';
      const y = bytesToBigInt(key.publicValue);
      const g = bytesToBigInt(key.base);
      if (g <= 1n || g >= p || y <= 1n || y >= p) return 'DSA base or public value out of range';
      return undefined;
    }
    case 'ecdsa': {
      const len = key.algorithm === 13 ? 32 : 48;
      const d = stripLeadingZeros(key.privateKey);
      if (d.length > len) return `ECDSA private key longer than ${len} octets`;
      const v = bytesToBigInt(d);
      const n = key.algorithm === 13 ? P256_N : P384_N;
      if (v <= 0n || v >= n) return 'ECDSA private key out of range';
      return undefined;
    }
    case 'eddsa': {
      const len = key.algorithm === 15 ? 32 : 57;
      if (key.privateKey.length !== len) {
        return `${algorithmMnemonic(key.algorithm)} private key must be ${len} octets, got ${key.privateKey.length}`;
      }
      return undefined;
    }
  }
}

/** The ECDSA scalar in exactly the curve's length (BIND may drop leading zero octets). */
export function ecdsaScalar(key: EcdsaPrivateKey): Uint8Array {
  const len = key.algorithm === 13 ? 32 : 48;
  const d = stripLeadingZeros(key.privateKey);
  const out = new Uint8Array(len);
  out.set(d.subarray(Math.max(0, d.length - len)), len - Math.min(len, d.length));
  return out;
}
