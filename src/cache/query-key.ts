// The answer cache's key, taken straight from the bytes of a client query without decoding a
// Message: the 12-octet header (RFC 1035 §4.1.1), the one question (§4.1.2) and at most one
// additional record, which must be an OPT (RFC 6891 §6.1). Everything is bounds-checked; any query
// this fast path does not fully understand (another opcode, QR set, several questions, records in
// the answer or authority section, compression in the question, a TSIG, EDNS version != 0,
// trailing octets) yields `false` so the caller takes the full decode path, which owns the
// FORMERR/NOTIMP/BADVERS answers.
//
// The key is the lower-cased QNAME wire form (RFC 4343: names compare case-insensitively), QTYPE,
// QCLASS, and one octet of the query properties that change the response bytes:
// - DO (RFC 3225 §3): whether RRSIGs and proofs are included;
// - CD (RFC 4035 §3.2.2): whether unvalidated (possibly bogus) data may be returned;
// - EDNS present (RFC 6891 §7): whether the response carries an OPT record.
// RD and AD in the query only change header bits, which are patched at hit time.
//
// The hit path never builds the key as a string: parseQueryKey folds the key octets into a seeded
// 32-bit hash as it walks the question (`keyHash` gives the same value for the key as a latin1
// string, which is how `questionKey` builds it from a decoded question on the store path), and the
// answer cache compares the query's question octets with the stored response's in place. The seed
// is the cache's own, drawn from the injected randomness, so a client cannot aim many names at
// one hash bucket without knowing it.

import { lowerOctet, type Name } from '../wire/name.js';

export const KeyFlag = {
  do: 1,
  cd: 2,
  edns: 4,
} as const;

/**
 * Fields of a parsed query, filled in place so the hot path allocates nothing. (It holds numbers
 * only: keeping a reference to each new query in this long-lived object would cost a write-barrier
 * record per query.)
 */
export class QueryInfo {
  /** keyHash of the key under the seed parseQueryKey was given. */
  hash = 0;
  /** The key's last octet: KeyFlag bits. */
  keyFlags = 0;
  id = 0;
  /** Header octets 2 and 3 as received. */
  flags = 0;
  qtype = 0;
  qclass = 0;
  /** Offset just past the QNAME (its wire form is query[12, qnameEnd)). */
  qnameEnd = 0;
  edns = false;
  do = false;
  /** Requestor's UDP payload size (512 without EDNS, RFC 6891 §6.2.5: values below 512 count as 512). */
  udpSize = 512;
  /** The OPT record carries options (cookies, padding...): callers may want the slow path. */
  hasOptions = false;
}

/**
 * The key of query `q`, just parsed into `info`, as a latin1 string (`questionKey`'s form, what
 * `AnswerCache.store` takes); built on demand, not for the hot path.
 */
export function queryKeyString(q: Uint8Array, info: QueryInfo): string {
  let s = '';
  for (let i = 12; i < info.qnameEnd; i++) s += String.fromCharCode(lowerOctet(q[i]!));
  for (let i = info.qnameEnd; i < info.qnameEnd + 4; i++) s += String.fromCharCode(q[i]!);
  return s + String.fromCharCode(info.keyFlags);
}

const OPT = 41;
const MAX_NAME = 255;
const FNV_PRIME = 0x01000193;

/**
 * Finishes a hash (murmur3's fmix32) so that its low bits, which pick the table slot, mix every
 * octet. A signed 32-bit value, never 0 (the answer cache marks empty slots with 0).
 */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h = (h ^ (h >>> 16)) | 0;
  return h === 0 ? 1 : h;
}

/**
 * The hash parseQueryKey computes, for a key held as a latin1 string (from `questionKey` or
 * `QueryInfo.key`): FNV-1a over the key octets starting from `seed`, then a finishing mix.
 */
export function keyHash(key: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ (key.charCodeAt(i) & 0xff), FNV_PRIME);
  return finish(h);
}

/**
 * keyHash of a key whose QNAME, QTYPE and QCLASS are the `qlength + 4` octets of `b` from offset
 * 12 (the question of a message, RFC 1035 §4.1.2; the QNAME lower-cased here as in the key) and
 * whose last octet is `flags`: the hash of a response's own key read from its octets, without
 * walking a key string built by concatenation.
 */
export function questionHash(b: Uint8Array, qlength: number, flags: number, seed: number): number {
  let h = seed | 0;
  const end = 12 + qlength;
  for (let i = 12; i < end; i++) h = Math.imul(h ^ lowerOctet(b[i]!), FNV_PRIME);
  for (let i = end; i < end + 4; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return finish(Math.imul(h ^ (flags & 0xff), FNV_PRIME));
}

/** Header octet 3 bits (RFC 1035 §4.1.1, RFC 4035 §3.2). */
const FLAG_CD = 0x10;

/**
 * Parses a client query for the answer cache. Returns false when the query is not a plain one
 * the fast path handles (see the module header).
 */
export function parseQueryKey(q: Uint8Array, info: QueryInfo, seed = 0): boolean {
  const n = q.length;
  if (n < 17) return false;
  const f2 = q[2]!;
  // QR must be 0 and OPCODE 0 (QUERY).
  if ((f2 & 0xf8) !== 0) return false;
  if (q[4] !== 0 || q[5] !== 1 || q[6] !== 0 || q[7] !== 0 || q[8] !== 0 || q[9] !== 0 || q[10] !== 0) return false;
  const arcount = q[11]!;
  if (arcount > 1) return false;
  let h = seed | 0;
  let i = 12;
  while (true) {
    if (i >= n) return false;
    const len = q[i]!;
    if (len === 0) break;
    // Also rejects compression pointers (0xC0) and extended label types.
    if (len > 63) return false;
    const end = i + 1 + len;
    // The name's wire length so far plus this label and the root octet stays within 255.
    if (end >= n || end - 12 >= MAX_NAME) return false;
    h = Math.imul(h ^ len, FNV_PRIME);
    for (let j = i + 1; j < end; j++) h = Math.imul(h ^ lowerOctet(q[j]!), FNV_PRIME);
    i = end;
  }
  h = Math.imul(h, FNV_PRIME); // the root octet (0): h ^ 0 === h
  const qnameEnd = i + 1;
  let p = qnameEnd + 4;
  if (p > n) return false;
  const t0 = q[qnameEnd]!;
  const t1 = q[qnameEnd + 1]!;
  const c0 = q[qnameEnd + 2]!;
  const c1 = q[qnameEnd + 3]!;
  let edns = false;
  let dnssecOk = false;
  let udpSize = 512;
  let hasOptions = false;
  if (arcount === 1) {
    // OPT: root owner, TYPE 41, CLASS = payload size, TTL = ext-rcode, version, flags.
    if (p + 11 > n || q[p] !== 0 || q[p + 1] !== 0 || q[p + 2] !== OPT) return false;
    if (q[p + 6] !== 0) return false;
    const size = (q[p + 3]! << 8) | q[p + 4]!;
    udpSize = size < 512 ? 512 : size;
    dnssecOk = (q[p + 7]! & 0x80) !== 0;
    const rdlen = (q[p + 9]! << 8) | q[p + 10]!;
    p += 11 + rdlen;
    if (p > n) return false;
    hasOptions = rdlen > 0;
    edns = true;
  }
  if (p !== n) return false;
  const f3 = q[3]!;
  const keyFlags = (dnssecOk ? KeyFlag.do : 0) | ((f3 & FLAG_CD) !== 0 ? KeyFlag.cd : 0) | (edns ? KeyFlag.edns : 0);
  h = Math.imul(h ^ t0, FNV_PRIME);
  h = Math.imul(h ^ t1, FNV_PRIME);
  h = Math.imul(h ^ c0, FNV_PRIME);
  h = Math.imul(h ^ c1, FNV_PRIME);
  h = Math.imul(h ^ keyFlags, FNV_PRIME);
  info.hash = finish(h);
  info.keyFlags = keyFlags;
  info.id = (q[0]! << 8) | q[1]!;
  info.flags = (f2 << 8) | f3;
  info.qtype = (t0 << 8) | t1;
  info.qclass = (c0 << 8) | c1;
  info.qnameEnd = qnameEnd;
  info.edns = edns;
  info.do = dnssecOk;
  info.udpSize = udpSize;
  info.hasOptions = hasOptions;
  return true;
}

export interface QuestionKeyFlags {
  readonly do: boolean;
  readonly cd: boolean;
  readonly edns: boolean;
}

/** The key `parseQueryKey` gives for the same question and flags, built from a decoded question. */
export function questionKey(qname: Name, qtype: number, qclass: number, flags: QuestionKeyFlags): string {
  return (
    qname.key +
    String.fromCharCode(
      qtype >>> 8,
      qtype & 0xff,
      qclass >>> 8,
      qclass & 0xff,
      (flags.do ? KeyFlag.do : 0) | (flags.cd ? KeyFlag.cd : 0) | (flags.edns ? KeyFlag.edns : 0),
    )
  );
}
