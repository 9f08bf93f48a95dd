// Delegation Signer digests (RFC 4034 §5.1.4): digest = H(canonical owner name | DNSKEY RDATA),
// for digest types 1 SHA-1 (RFC 4034 §5.1.3), 2 SHA-256 (RFC 4509 §2.1) and 4 SHA-384
// (RFC 6605 §2). Type 3 (GOST R 34.11-94, RFC 5933) has no node:crypto hash and is unsupported:
// a validator treats a DS set with only unsupported digests as insecure (RFC 4035 §5.2), so
// unsupported is reported as such, never as a mismatch.
//
// DNSKEY RDATA holds no names, so it is hashed as it is; the owner is lower-cased (RFC 4034
// §6.2). DS RDATA is key tag (2), algorithm (1), digest type (1), digest (RFC 4034 §5.1).
//
// Pure module: node:crypto hashing only, no I/O, no clock.

import { createHash } from 'node:crypto';
import { CryptoError, WireError } from '../core/errors.js';
import type { Name } from '../wire/name.js';
import { bytesEqual } from '../wire/record.js';
import { keyTag } from './key-tag.js';

const DIGESTS: ReadonlyMap<number, { readonly hash: string; readonly length: number }> = new Map([
  [1, { hash: 'sha1', length: 20 }],
  [2, { hash: 'sha256', length: 32 }],
  [4, { hash: 'sha384', length: 48 }],
]);

/** True for the digest types computeDsDigest supports (1, 2 and 4). */
export function dsDigestSupported(digestType: number): boolean {
  return DIGESTS.has(digestType);
}

/** Digest length in octets for a supported digest type, undefined otherwise. */
export function dsDigestLength(digestType: number): number | undefined {
  return DIGESTS.get(digestType)?.length;
}

/**
 * The DS digest of a DNSKEY owned by `owner` (RFC 4034 §5.1.4). Throws CryptoError for a digest
 * type other than 1, 2 or 4.
 */
export function computeDsDigest(owner: Name, dnskeyRdata: Uint8Array, digestType: number): Uint8Array {
  const d = DIGESTS.get(digestType);
  if (d === undefined) throw new CryptoError(`unsupported DS digest type ${digestType}`);
  const h = createHash(d.hash);
  h.update(owner.canonicalWire());
  h.update(dnskeyRdata);
  const out = h.digest();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The DS RDATA for a DNSKEY: key tag, algorithm, digest type, digest (RFC 4034 §5.1). */
export function makeDsRdata(owner: Name, dnskeyRdata: Uint8Array, digestType: number): Uint8Array {
  if (dnskeyRdata.length < 4) throw new WireError('DNSKEY RDATA too short', dnskeyRdata.length);
  const digest = computeDsDigest(owner, dnskeyRdata, digestType);
  const tag = keyTag(dnskeyRdata);
  const out = new Uint8Array(4 + digest.length);
  out[0] = tag >>> 8;
  out[1] = tag & 0xff;
  out[2] = dnskeyRdata[3]!;
  out[3] = digestType;
  out.set(digest, 4);
  return out;
}

/**
 * True when the DS record describes this DNSKEY: same key tag and algorithm, and the digest
 * matches (RFC 4035 §5.2). False for malformed RDATA and for unsupported digest types — check
 * {@link dsDigestSupported} first to tell "unsupported" from "does not match".
 */
export function dsMatchesKey(dsRdata: Uint8Array, owner: Name, dnskeyRdata: Uint8Array): boolean {
  if (dsRdata.length < 4 || dnskeyRdata.length < 4) return false;
  const d = DIGESTS.get(dsRdata[3]!);
  if (d === undefined || dsRdata.length !== 4 + d.length) return false;
  if (dsRdata[2] !== dnskeyRdata[3]) return false;
  if (((dsRdata[0]! << 8) | dsRdata[1]!) !== keyTag(dnskeyRdata)) return false;
  return bytesEqual(dsRdata.subarray(4), computeDsDigest(owner, dnskeyRdata, dsRdata[3]!));
}
