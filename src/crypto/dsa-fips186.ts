// DSA verification in BigInt (FIPS 186-4 §4.7) with SHA-1, as DNSSEC algorithms 3 and 6 use it
// (RFC 2536 §3: the hash is SHA-1 of the signed data; Q is 160 bits so no truncation is needed).

import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToBigInt } from './bytes.js';
import type { DsaPublicKey } from './dnskey-public-key.js';
import { modInverse, modPow } from './modular.js';

/** True if (r, s) is a valid DSA signature over `data` for the decoded key. */
export function dsaVerify(key: DsaPublicKey, data: Uint8Array, rBytes: Uint8Array, sBytes: Uint8Array): boolean {
  const p = bytesToBigInt(key.p);
  const q = bytesToBigInt(key.q);
  const g = bytesToBigInt(key.g);
  const y = bytesToBigInt(key.y);
  const r = bytesToBigInt(rBytes);
  const s = bytesToBigInt(sBytes);
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false; // §4.7 step 1
  const w = modInverse(s, q);
  if (w === undefined) return false;
  const z = bytesToBigInt(sha1(data));
  const u1 = (z * w) % q;
  const u2 = (r * w) % q;
  const v = ((modPow(g, u1, p) * modPow(y, u2, p)) % p) % q;
  return v === r;
}
