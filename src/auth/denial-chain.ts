// Authenticated denial of existence chains for a signed zone:
//
// - NSEC (RFC 4034 §4, RFC 4035 §2.3): one NSEC per authoritative owner name and delegation point
//   (not glue, not empty non-terminals), in canonical order (RFC 4034 §6.1), each naming the next
//   owner and the types present there; the last one points back to the apex. The type bitmap
//   (RFC 4034 §4.1.2) includes NSEC and RRSIG themselves; at a delegation point only the NS, DS
//   and the denial/signature types are the parent's (RFC 4034 §4.1.2, RFC 4035 §2.3).
// - NSEC3 (RFC 5155 §7.1): one NSEC3 per authoritative name, empty non-terminals included, at
//   the hashed owner name `base32hex(H(name)).<apex>`, sorted by hash, each pointing at the next
//   hash (the last at the first). With Opt-Out (RFC 5155 §6) insecure delegations (no DS) are left
//   out, and so are empty non-terminals that only lead to them (RFC 5155 §7.1), and every NSEC3
//   carries the Opt-Out flag. The bitmap lists the original owner's types (never NSEC3 itself);
//   an empty non-terminal's bitmap is empty.
//
// Pure module: names and types in, RDATA out.

import { nsec3Hash, nsec3OwnerName, NSEC3_SHA1_LENGTH } from '../dnssec/nsec3-hash.js';
import { RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { encodeTypeBitmap } from '../wire/rdata.js';
import { compareBytes } from '../wire/record.js';

/** One name of a chain and the types its bitmap lists (RRSIG/NSEC included by the caller). */
export interface ChainName {
  readonly name: Name;
  readonly types: readonly number[];
}

/** NSEC RDATA: next owner name (uncompressed, original case, RFC 6840 §5.1) then the bitmap. */
export function nsecRdata(next: Name, types: readonly number[]): Uint8Array {
  const bitmap = encodeTypeBitmap(types);
  const out = new Uint8Array(next.wire.length + bitmap.length);
  out.set(next.wire, 0);
  out.set(bitmap, next.wire.length);
  return out;
}

/**
 * NSEC RDATA for every name of a chain already in canonical order with the apex first; the
 * last points back to the apex (RFC 4034 §4.1.1).
 */
export function buildNsecChain(names: readonly ChainName[]): Uint8Array[] {
  const out: Uint8Array[] = new Array<Uint8Array>(names.length);
  for (let i = 0; i < names.length; i++) {
    const next = names[i + 1] ?? names[0]!;
    out[i] = nsecRdata(next.name, names[i]!.types);
  }
  return out;
}

export interface Nsec3Params {
  /** Additional iterations (RFC 5155 §3.1.5; RFC 9276 §3.1 recommends 0). */
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly optOut: boolean;
}

/** NSEC3PARAM RDATA: SHA-1, flags 0 (RFC 5155 §4.1.2), iterations, salt. */
export function nsec3ParamRdata(p: Nsec3Params): Uint8Array {
  const out = new Uint8Array(5 + p.salt.length);
  out[0] = 1;
  out[1] = 0;
  out[2] = p.iterations >>> 8;
  out[3] = p.iterations & 0xff;
  out[4] = p.salt.length;
  out.set(p.salt, 5);
  return out;
}

/** One record of an NSEC3 chain. */
export interface Nsec3Entry {
  /** The hashed owner name. */
  readonly owner: Name;
  readonly hash: Uint8Array;
  /** The original owner (the name the hash is of). */
  readonly original: Name;
  readonly rdata: Uint8Array;
}

/** Two names hash to the same value (RFC 5155 §7.1: choose another salt). */
export class Nsec3CollisionError extends Error {
  constructor(a: Name, b: Name) {
    super(`NSEC3 hash collision between ${a.toString()} and ${b.toString()}; use another salt`);
    this.name = 'Nsec3CollisionError';
  }
}

/**
 * The NSEC3 chain over `names` (any order) for the zone `apex`, sorted by hash. Throws
 * Nsec3CollisionError when two names hash alike.
 */
export function buildNsec3Chain(names: readonly ChainName[], apex: Name, p: Nsec3Params): Nsec3Entry[] {
  const hashed = names.map((n) => ({ n, hash: nsec3Hash(n.name, p.salt, p.iterations) }));
  hashed.sort((a, b) => compareBytes(a.hash, b.hash));
  for (let i = 1; i < hashed.length; i++) {
    if (compareBytes(hashed[i - 1]!.hash, hashed[i]!.hash) === 0) throw new Nsec3CollisionError(hashed[i - 1]!.n.name, hashed[i]!.n.name);
  }
  const flags = p.optOut ? 1 : 0;
  const out: Nsec3Entry[] = new Array<Nsec3Entry>(hashed.length);
  for (let i = 0; i < hashed.length; i++) {
    const cur = hashed[i]!;
    const next = (hashed[i + 1] ?? hashed[0]!).hash;
    const bitmap = encodeTypeBitmap(cur.n.types);
    const saltLen = p.salt.length;
    const rdata = new Uint8Array(6 + saltLen + NSEC3_SHA1_LENGTH + bitmap.length);
    rdata[0] = 1;
    rdata[1] = flags;
    rdata[2] = p.iterations >>> 8;
    rdata[3] = p.iterations & 0xff;
    rdata[4] = saltLen;
    rdata.set(p.salt, 5);
    rdata[5 + saltLen] = next.length;
    rdata.set(next, 6 + saltLen);
    rdata.set(bitmap, 6 + saltLen + next.length);
    out[i] = { owner: nsec3OwnerName(cur.hash, apex), hash: cur.hash, original: cur.n.name, rdata };
  }
  return out;
}

/** Types whose presence at a delegation point is the parent's (RFC 4035 §2.3, RFC 4034 §4.1.2). */
export const PARENT_SIDE_AT_CUT: ReadonlySet<number> = new Set<number>([RRType.NS, RRType.DS]);
