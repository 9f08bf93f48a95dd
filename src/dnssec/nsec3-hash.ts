// NSEC3 hashed owner names (RFC 5155 §5): IH(salt, x, 0) = H(x | salt) and
// IH(salt, x, k) = H(IH(salt, x, k-1) | salt), the result being IH(salt, owner, iterations) with
// `owner` in canonical (lower-cased wire) form. The only hash algorithm is 1, SHA-1
// (RFC 5155 §11). The hashed owner name of an NSEC3 record is the base32hex encoding of the
// hash as a label in front of the zone apex (RFC 5155 §3, §7.1).
//
// The cost of a hash grows with `iterations`; the iteration cap (RFC 9276 §3.2) is the caller's
// budget, applied before calling here.
//
// Pure module: node:crypto hashing only (crypto.hash, Node >= 20.12, is the fastest one-shot
// form), no I/O, no clock.

import { hash } from 'node:crypto';
import { CryptoError } from '../core/errors.js';
import { lowerOctet, Name } from '../wire/name.js';
import { base32hexDecodeFirstLabel, base32hexEncode } from '../wire/base32hex.js';

/** NSEC3 hash algorithm numbers (IANA "DNSSEC NSEC3 Hash Algorithms", RFC 5155 §11). */
export const Nsec3HashAlgorithm = {
  SHA1: 1,
} as const;
export type Nsec3HashAlgorithm = (typeof Nsec3HashAlgorithm)[keyof typeof Nsec3HashAlgorithm];

/** Length in octets of an SHA-1 NSEC3 hash. */
export const NSEC3_SHA1_LENGTH = 20;

/**
 * The NSEC3 hash of `name` (RFC 5155 §5) with the given salt and number of additional
 * iterations. Only algorithm 1 (SHA-1) exists; any other throws CryptoError.
 */
export function nsec3Hash(name: Name, salt: Uint8Array, iterations: number, algorithm: number = Nsec3HashAlgorithm.SHA1): Uint8Array {
  if (algorithm !== Nsec3HashAlgorithm.SHA1) throw new CryptoError(`unsupported NSEC3 hash algorithm ${algorithm}`);
  if (!Number.isInteger(iterations) || iterations < 0 || iterations > 0xffff) {
    throw new RangeError(`NSEC3 iterations out of range: ${iterations}`);
  }
  // owner in canonical form (lower-cased in place, RFC 4034 §6.2) | salt, in one buffer.
  const owner = name.wire;
  const first = new Uint8Array(owner.length + salt.length);
  for (let i = 0; i < owner.length; i++) first[i] = lowerOctet(owner[i]!);
  first.set(salt, owner.length);
  let digest: Uint8Array = hash('sha1', first, 'buffer');
  if (iterations > 0) {
    // One buffer reused for every further round: digest | salt.
    const buf = new Uint8Array(NSEC3_SHA1_LENGTH + salt.length);
    buf.set(salt, NSEC3_SHA1_LENGTH);
    for (let k = 0; k < iterations; k++) {
      buf.set(digest, 0);
      digest = hash('sha1', buf, 'buffer');
    }
  }
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.length);
}

// ---- Names hashed again and again --------------------------------------------------------------
//
// Every NXDOMAIN proof of a zone hashes its apex (the usual closest encloser) and `*.` + apex (the
// source of synthesis, RFC 5155 §8.4), in the validator and in the aggressive cache alike, while
// the query names themselves come once. Those recurring names are remembered here, by the memo key
// `nsec3MemoPrefix(iterations, salt) + name.key`: the key holds every input of the hash (the owner
// lower-cased, RFC 4034 §6.2), so a remembered hash is exactly what hashing again would give.
// Callers charge their hash budget as if they hashed (RFC 9276 §3.2, CVE-2023-50868): the memo
// changes the cost of a proof, never its outcome. Bounded: two generations of MEMO_GENERATION
// entries; a hit in the old one moves to the new one, so what recurs stays and the rest ages out.
// One per thread (module state, created on first use).

/** Entries per memo generation (the memo holds up to twice as many). */
export const NSEC3_MEMO_GENERATION = 1024;

let memoCurrent: Map<string, Uint8Array> | undefined;
let memoPrevious = new Map<string, Uint8Array>();

/** The part of a memo key that stands for the parameters: `<iterations>/<salt in hex>/`. */
export function nsec3MemoPrefix(iterations: number, salt: Uint8Array): string {
  let hex = '';
  for (const b of salt) hex += b.toString(16).padStart(2, '0');
  return `${iterations}/${hex}/`;
}

/**
 * nsec3Hash(name, salt, iterations) with SHA-1, from the memo when this name was hashed with these
 * parameters before. `key` must be `nsec3MemoPrefix(iterations, salt) + name.key`. For names that
 * recur (an apex, a wildcard); the returned bytes are shared and must not be written to.
 */
export function memoNsec3Hash(key: string, name: Name, salt: Uint8Array, iterations: number): Uint8Array {
  const cur = (memoCurrent ??= new Map<string, Uint8Array>());
  let h = cur.get(key);
  if (h !== undefined) return h;
  h = memoPrevious.get(key);
  if (h === undefined) h = nsec3Hash(name, salt, iterations);
  if (cur.size >= NSEC3_MEMO_GENERATION) {
    memoPrevious = cur;
    memoCurrent = new Map<string, Uint8Array>([[key, h]]);
  } else {
    cur.set(key, h);
  }
  return h;
}

/** The NSEC3 owner name for a hash: its lower-case base32hex label in front of `zone`. */
export function nsec3OwnerName(hashValue: Uint8Array, zone: Name): Name {
  const label = new TextEncoder().encode(base32hexEncode(hashValue, true));
  return Name.fromLabels([label, ...zone.labels()]);
}

/**
 * The hash an NSEC3 owner name carries: the base32hex-decoded first label, when `owner` is
 * exactly one label below `zone`. Undefined when it is not (wrong place, or not base32hex).
 */
export function nsec3HashFromOwner(owner: Name, zone: Name): Uint8Array | undefined {
  if (owner.labelCount !== zone.labelCount + 1 || !owner.isSubdomainOf(zone)) return undefined;
  // The first label, read where it lies in the owner's wire form (no view of it).
  return base32hexDecodeFirstLabel(owner.wire);
}
