// TTL arithmetic shared by the caches.
//
// - Clamping to configured bounds (Unbound's cache-min-ttl / cache-max-ttl, BIND's max-cache-ttl).
// - Remaining TTL at lookup: whole seconds left, counted down from the moment of storing, never
//   below zero (RFC 1035 §3.2.1 TTL semantics; RFC 2308 §5 decrements negative TTLs the same way).
// - Signature lifetime: a validated RRset must not outlive its RRSIGs (RFC 4035 §5.3.3: the TTL is
//   capped at the time left until the signature expiration, and at the RRSIG Original TTL). RRSIG times are 32-bit serial numbers
//   (RFC 4034 §3.1.5, RFC 1982), compared against "now" with serial arithmetic.

import type { SignedRRset } from './types.js';

/** Clamps `ttl` (seconds) into [min, max]; a TTL with the top bit set counts as 0 (RFC 2181 §8). */
export function clampTtl(ttl: number, min: number, max: number): number {
  const t = ttl > 0x7fffffff || ttl < 0 ? 0 : ttl;
  if (t < min) return min > max ? max : min;
  return t > max ? max : t;
}

/** Whole seconds left until `expiresAt` (ms), never negative. */
export function remainingTtl(expiresAt: number, now: number): number {
  const ms = expiresAt - now;
  return ms <= 0 ? 0 : Math.floor(ms / 1000);
}

/** The Signature Expiration field of an RRSIG RDATA (RFC 4034 §3.1: octets 8..11), if present. */
export function rrsigExpiration(rdata: Uint8Array): number | undefined {
  if (rdata.length < 12) return undefined;
  return ((rdata[8]! << 24) | (rdata[9]! << 16) | (rdata[10]! << 8) | rdata[11]!) >>> 0;
}

/**
 * The earliest signature expiration among `rrsigs`, in ms since the epoch, read with serial
 * arithmetic around `now` (ms). Infinity when there are no signatures.
 */
export function signatureDeadline(rrsigs: readonly Uint8Array[], now: number): number {
  const nowSec = Math.floor(now / 1000);
  let deadline = Infinity;
  for (const rd of rrsigs) {
    const exp = rrsigExpiration(rd);
    if (exp === undefined) continue;
    // RFC 1982 serial difference, as a signed 32-bit value.
    const diff = (exp - nowSec) | 0;
    const at = (nowSec + diff) * 1000;
    if (at < deadline) deadline = at;
  }
  return deadline;
}

/** The Original TTL field of an RRSIG RDATA (RFC 4034 §3.1.4: octets 4..7), if present. */
export function rrsigOriginalTtl(rdata: Uint8Array): number | undefined {
  if (rdata.length < 8) return undefined;
  return ((rdata[4]! << 24) | (rdata[5]! << 16) | (rdata[6]! << 8) | rdata[7]!) >>> 0;
}

/**
 * The TTL an RRset may be cached with: its own, lowered to its RRSIG records' TTL when known and
 * to the Original TTL its signatures state (RFC 4035 §5.3.3: a server may not stretch a signed
 * RRset's lifetime past what the zone signed). The cache does not know which signature
 * validated, so the smallest value counts: an added RRSIG can only shorten the lifetime, which
 * whoever can add one could do through the TTL anyway.
 */
export function signedTtl(s: SignedRRset): number {
  let t = s.rrset.ttl;
  if (s.rrsigTtl !== undefined && s.rrsigTtl < t) t = s.rrsigTtl;
  for (const rd of s.rrsigs) {
    const o = rrsigOriginalTtl(rd);
    if (o !== undefined && o < t) t = o;
  }
  return t;
}

/**
 * A copy of `s` whose TTL is what is left of its own signed TTL (signedTtl) after the time since
 * `storedAt` (ms): how a cached proof record goes out again (RFC 1035 §3.2.1 countdown). The
 * record keeps its own TTL rather than the negative answer's: RFC 9077 §3 sets the TTL an
 * authoritative server gives NSEC/NSEC3, and §4 bounds how long a resolver *uses* them (the caches'
 * expiresAt); neither rewrites the TTL of the records a resolver passes on.
 */
export function agedCopy(s: SignedRRset, storedAt: number, now: number): SignedRRset {
  const elapsed = now > storedAt ? Math.floor((now - storedAt) / 1000) : 0;
  const ttl = Math.max(0, signedTtl(s) - elapsed);
  return { rrset: { ...s.rrset, ttl }, rrsigs: s.rrsigs };
}
