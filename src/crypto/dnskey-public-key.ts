// The DNSKEY public key field, per algorithm family: decoding it into key parameters, encoding
// parameters back, and the key size a human (or a policy) cares about.
//
// - RSA, RFC 3110 §2: exponent length (1 octet, or 0 followed by 2 octets), exponent, modulus.
// - DSA, RFC 2536 §2: T (1 octet, 0..8), Q (20), P, G, Y (64 + T*8 octets each).
// - ECDSA, RFC 6605 §4: the point as x || y (32 or 48 octets each), no SEC1 prefix octet.
// - EdDSA, RFC 8080 §3: the RFC 8032 public key encoding (32 or 57 octets).
//
// Decoders take hostile bytes and return undefined rather than throw.

import { bitLength, concatBytes, stripLeadingZeros } from './bytes.js';

export interface RsaPublicKey {
  /** Exponent without leading zero octets. */
  readonly exponent: Uint8Array;
  /** Modulus without leading zero octets. */
  readonly modulus: Uint8Array;
  /** Significant bits of the modulus. */
  readonly bits: number;
  /** Significant bits of the exponent. */
  readonly exponentBits: number;
}

/** Decodes an RSA DNSKEY public key field (RFC 3110 §2). Undefined if the layout is broken. */
export function decodeRsaPublicKey(field: Uint8Array): RsaPublicKey | undefined {
  if (field.length < 1) return undefined;
  let expLen = field[0]!;
  let off = 1;
  if (expLen === 0) {
    // Three-octet form: a zero octet, then a 16-bit length.
    if (field.length < 3) return undefined;
    expLen = (field[1]! << 8) | field[2]!;
    off = 3;
  }
  if (expLen === 0 || off + expLen >= field.length) return undefined; // the modulus must not be empty
  const exponent = stripLeadingZeros(field.subarray(off, off + expLen));
  const modulus = stripLeadingZeros(field.subarray(off + expLen));
  if (exponent.length === 0 || modulus.length === 0) return undefined;
  return { exponent, modulus, bits: bitLength(modulus), exponentBits: bitLength(exponent) };
}

/** Encodes exponent and modulus (big-endian, leading zeros removed) as RFC 3110 §2 lays them out. */
export function encodeRsaPublicKey(exponent: Uint8Array, modulus: Uint8Array): Uint8Array {
  const e = stripLeadingZeros(exponent);
  const n = stripLeadingZeros(modulus);
  const prefix = e.length <= 255 ? Uint8Array.of(e.length) : Uint8Array.of(0, e.length >> 8, e.length & 0xff);
  return concatBytes(prefix, e, n);
}

/** Limits on RSA keys accepted for verification. */
export interface RsaLimits {
  /** Smallest modulus in bits (RFC 3110 §2: 512). */
  readonly minBits: number;
  /** Largest modulus in bits (RFC 3110 §2: 4096). */
  readonly maxBits: number;
  /**
   * Largest public exponent in bits. RFC 3110 allows up to 4096, but verification cost grows with
   * the exponent, so a hostile zone could make each check cost as much as a private-key operation.
   * OpenSSL refuses exponents over 64 bits for moduli over 3072 bits; we apply that bound always.
   */
  readonly maxExponentBits: number;
}

export const DEFAULT_RSA_LIMITS: RsaLimits = Object.freeze({ minBits: 512, maxBits: 4096, maxExponentBits: 64 });

/**
 * Whether a decoded RSA key may be used to verify: modulus size within limits and odd (a real RSA
 * modulus is a product of odd primes), exponent odd, at least 3 and within the bit limit.
 */
export function rsaKeyUsable(key: RsaPublicKey, limits: RsaLimits = DEFAULT_RSA_LIMITS): boolean {
  if (key.bits < limits.minBits || key.bits > limits.maxBits) return false;
  if ((key.modulus[key.modulus.length - 1]! & 1) === 0) return false;
  if (key.exponentBits > limits.maxExponentBits) return false;
  if ((key.exponent[key.exponent.length - 1]! & 1) === 0) return false;
  if (key.exponentBits < 2) return false; // e = 1 (e = 0 and 2 are even)
  return true;
}

export interface DsaPublicKey {
  /** RFC 2536 key size parameter, 0..8; P, G and Y are 64 + 8*T octets. */
  readonly t: number;
  readonly q: Uint8Array;
  readonly p: Uint8Array;
  readonly g: Uint8Array;
  readonly y: Uint8Array;
}

/**
 * Decodes a DSA DNSKEY public key field (RFC 2536 §2) and checks the domain parameters enough that
 * both backends agree: T ≤ 8, exact length, Q a 160-bit odd number, P odd, 1 < G < P, 1 < Y < P.
 */
export function decodeDsaPublicKey(field: Uint8Array): DsaPublicKey | undefined {
  if (field.length < 1) return undefined;
  const t = field[0]!;
  if (t > 8) return undefined;
  const size = 64 + t * 8;
  if (field.length !== 1 + 20 + 3 * size) return undefined;
  const q = field.subarray(1, 21);
  const p = field.subarray(21, 21 + size);
  const g = field.subarray(21 + size, 21 + 2 * size);
  const y = field.subarray(21 + 2 * size, 21 + 3 * size);
  if (bitLength(q) !== 160 || (q[19]! & 1) === 0) return undefined;
  if ((p[size - 1]! & 1) === 0 || bitLength(p) < 8 * size - 7) return undefined;
  if (!between1AndP(g, p) || !between1AndP(y, p)) return undefined;
  return { t, q, p, g, y };
}

/** 1 < v < p for same-length big-endian values. */
function between1AndP(v: Uint8Array, p: Uint8Array): boolean {
  if (bitLength(v) < 2) return false; // 0 or 1
  for (let i = 0; i < v.length; i++) {
    if (v[i]! !== p[i]!) return v[i]! < p[i]!;
  }
  return false; // equal
}

/** Encodes DSA parameters as RFC 2536 §2 lays them out; undefined if the sizes do not fit a T. */
export function encodeDsaPublicKey(q: Uint8Array, p: Uint8Array, g: Uint8Array, y: Uint8Array): Uint8Array | undefined {
  const pStripped = stripLeadingZeros(p);
  const size = Math.max(64, Math.ceil(pStripped.length / 8) * 8);
  const t = (size - 64) / 8;
  if (t > 8) return undefined;
  const fit = (v: Uint8Array, n: number): Uint8Array | undefined => {
    const s = stripLeadingZeros(v);
    if (s.length > n) return undefined;
    const out = new Uint8Array(n);
    out.set(s, n - s.length);
    return out;
  };
  const parts = [fit(q, 20), fit(p, size), fit(g, size), fit(y, size)];
  if (parts.some((x) => x === undefined)) return undefined;
  return concatBytes(Uint8Array.of(t), ...(parts as Uint8Array[]));
}

/** Public key field length for the fixed-size algorithms (RFC 6605 §4, RFC 8080 §3). */
export function fixedPublicKeyLength(algorithm: number): number | undefined {
  switch (algorithm) {
    case 13:
      return 64;
    case 14:
      return 96;
    case 15:
      return 32;
    case 16:
      return 57;
    default:
      return undefined;
  }
}

/** Signature field length for the fixed-size algorithms (RFC 2536 §3, RFC 6605 §4, RFC 8080 §4). */
export function fixedSignatureLength(algorithm: number): number | undefined {
  switch (algorithm) {
    case 3:
    case 6:
      return 41;
    case 13:
      return 64;
    case 14:
      return 96;
    case 15:
      return 64;
    case 16:
      return 114;
    default:
      return undefined;
  }
}

/**
 * The key size in bits as tools report it (RSA modulus bits, DSA prime bits, curve size; 456 for
 * Ed448 as BIND prints it). Undefined for malformed keys and algorithms we do not know.
 */
export function publicKeyBits(algorithm: number, field: Uint8Array): number | undefined {
  switch (algorithm) {
    case 1:
    case 5:
    case 7:
    case 8:
    case 10:
      return decodeRsaPublicKey(field)?.bits;
    case 3:
    case 6: {
      const k = decodeDsaPublicKey(field);
      return k === undefined ? undefined : k.p.length * 8;
    }
    case 13:
      return field.length === 64 ? 256 : undefined;
    case 14:
      return field.length === 96 ? 384 : undefined;
    case 15:
      return field.length === 32 ? 256 : undefined;
    case 16:
      return field.length === 57 ? 456 : undefined;
    default:
      return undefined;
  }
}
