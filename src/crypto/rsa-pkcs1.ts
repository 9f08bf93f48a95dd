// RSASSA-PKCS1-v1_5 verification in BigInt (RFC 8017 §8.2.2), as DNSSEC uses it for RSA/SHA-1
// (RFC 3110 §3), RSA/SHA-256 and RSA/SHA-512 (RFC 5702 §3). The pure-JS half of the differential
// pair; it compares the whole encoded message, never parses it (RFC 8017 §8.2.2 step 3-4), so
// there is no padding-oracle or lax-ASN.1 surface.

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bigIntToBytes, bytesToBigInt, concatBytes, equalBytes } from './bytes.js';
import { modPow } from './modular.js';

export type RsaHash = 'sha1' | 'sha256' | 'sha512';

/** DigestInfo DER prefixes (RFC 8017 §9.2 note 1); the digest follows. */
export const DIGEST_INFO_PREFIX: Readonly<Record<RsaHash, Uint8Array>> = {
  sha1: Uint8Array.from(Buffer.from('3021300906052b0e03021a05000414', 'hex')),
  sha256: Uint8Array.from(Buffer.from('3031300d060960864801650304020105000420', 'hex')),
  sha512: Uint8Array.from(Buffer.from('3051300d060960864801650304020305000440', 'hex')),
};

/** Digest lengths in octets. */
export const RSA_DIGEST_LENGTH: Readonly<Record<RsaHash, number>> = { sha1: 20, sha256: 32, sha512: 64 };

const HASH: Readonly<Record<RsaHash, (m: Uint8Array) => Uint8Array>> = {
  sha1: (m) => sha1(m),
  sha256: (m) => sha256(m),
  sha512: (m) => sha512(m),
};

/** EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) of `data` into `k` octets, or undefined if k is too short. */
export function emsaPkcs1v15(hash: RsaHash, data: Uint8Array, k: number): Uint8Array | undefined {
  const t = concatBytes(DIGEST_INFO_PREFIX[hash], HASH[hash](data));
  if (k < t.length + 11) return undefined;
  const em = new Uint8Array(k);
  em[1] = 0x01;
  em.fill(0xff, 2, k - t.length - 1);
  em[k - t.length - 1] = 0x00;
  em.set(t, k - t.length);
  return em;
}

/**
 * RSASSA-PKCS1-v1_5-VERIFY with public key (n, e) given as big-endian octets without leading
 * zeros. The signature may be shorter than the modulus (same integer); it must be below n.
 */
export function rsaPkcs1Verify(
  hash: RsaHash,
  modulus: Uint8Array,
  exponent: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const k = modulus.length;
  const n = bytesToBigInt(modulus);
  const e = bytesToBigInt(exponent);
  const s = bytesToBigInt(signature);
  if (s >= n) return false; // RSAVP1 step 1 (RFC 8017 §5.2.2)
  const em = bigIntToBytes(modPow(s, e, n), k);
  const expected = emsaPkcs1v15(hash, data, k);
  if (em === undefined || expected === undefined) return false;
  return equalBytes(em, expected);
}
