// Signed RRsets packed as octets, for caches that keep them for a while. Decoded RRsets are views
// into the whole upstream message they came in (the reader slices nothing), and each carries a
// dozen objects (the RRset, its Name with its own wire buffer and label offsets, arrays of RDATA
// and RRSIG views): a cache entry holding them keeps the whole message alive, and the garbage
// collector marks every one of those objects on each full GC. Packed, an entry holds its octets
// only; readers get fresh views of them (valid for as long as they are held).
//
// Layout of one signed RRset: owner wire form (original case, RFC 1035 §3.1, uncompressed), type
// u16, class u16, TTL u32, RRSIG-records TTL flag u8 and value u32 (SignedRRset.rrsigTtl, kept
// only when known), RDATA count u16 and each RDATA as u16 length + octets, then the RRSIG RDATAs
// the same way. TTLs are the 32-bit wire values (RFC 2181 §8).

import { Name } from '../wire/name.js';
import type { SignedRRset } from './types.js';

/** Octets `s` takes packed. */
export function packedLength(s: SignedRRset): number {
  let n = s.rrset.name.wire.length + 2 + 2 + 4 + 1 + 4 + 2 + 2;
  for (const rd of s.rrset.rdatas) n += 2 + rd.length;
  for (const rd of s.rrsigs) n += 2 + rd.length;
  return n;
}

function put16(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 8) & 0xff;
  b[p + 1] = v & 0xff;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 0xff;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}

function get16(b: Uint8Array, p: number): number {
  return (b[p]! << 8) | b[p + 1]!;
}

function get32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}

/** Writes `s` at `b[p...]` (room for packedLength(s) octets); returns the offset after it. */
export function packSigned(b: Uint8Array, p: number, s: SignedRRset): number {
  const { rrset } = s;
  b.set(rrset.name.wire, p);
  p += rrset.name.wire.length;
  put16(b, p, rrset.type);
  put16(b, p + 2, rrset.class);
  put32(b, p + 4, rrset.ttl);
  b[p + 8] = s.rrsigTtl === undefined ? 0 : 1;
  put32(b, p + 9, s.rrsigTtl ?? 0);
  p += 13;
  for (const list of [rrset.rdatas, s.rrsigs]) {
    put16(b, p, list.length);
    p += 2;
    for (const rd of list) {
      put16(b, p, rd.length);
      b.set(rd, p + 2);
      p += 2 + rd.length;
    }
  }
  return p;
}

/** Length of the uncompressed wire name at `b[p...]` (packed by packSigned, so well formed). */
function nameLength(b: Uint8Array, p: number): number {
  let i = p;
  while (b[i] !== 0) i += b[i]! + 1;
  return i + 1 - p;
}

/** Where the list viewList read last ends. */
let listEnd = 0;

/** The count-prefixed list of length-prefixed octet strings at `b[p...]`, as views of `b`; sets listEnd. */
function viewList(b: Uint8Array, p: number): Uint8Array[] {
  const count = get16(b, p);
  p += 2;
  const list = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const n = get16(b, p);
    list[i] = b.subarray(p + 2, p + 2 + n);
    p += 2 + n;
  }
  listEnd = p;
  return list;
}

/** Reads the signed RRset packed at `b[p...]`: its RDATAs are views of `b`. Returns it and the offset after it. */
export function unpackSigned(b: Uint8Array, p: number): [SignedRRset, number] {
  const len = nameLength(b, p);
  const name = Name.fromWire(b.subarray(p, p + len));
  p += len;
  const type = get16(b, p);
  const cls = get16(b, p + 2);
  const ttl = get32(b, p + 4);
  const hasRrsigTtl = b[p + 8] === 1;
  const rrsigTtl = get32(b, p + 9);
  p += 13;
  // The RDATAs, then the RRSIG RDATAs: each a count and length-prefixed octets, read into lists of
  // exactly their size (no list of the two lists).
  const rdatas = viewList(b, p);
  const rrsigs = viewList(b, listEnd);
  p = listEnd;
  const rrset = { name, type, class: cls, ttl, rdatas };
  const signed: SignedRRset = hasRrsigTtl ? { rrset, rrsigs, rrsigTtl } : { rrset, rrsigs };
  return [signed, p];
}

/** A copy of `s` in octets of its own: nothing of the message it came in stays reachable. */
export function detachSigned(s: SignedRRset): SignedRRset {
  const b = new Uint8Array(packedLength(s));
  packSigned(b, 0, s);
  return unpackSigned(b, 0)[0];
}
