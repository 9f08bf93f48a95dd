// Resource records and RRsets as anchord passes them around (RFC 1035 §3.2.1, RFC 2181 §5).
// RDATA is always the uncompressed wire form: names inside it are expanded when a message is read,
// so the same bytes serve hashing, signing, comparison and re-encoding.

import type { Name } from './name.js';

export interface ResourceRecord {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
  /** TTL in seconds; a received TTL with the top bit set is read as 0 (RFC 2181 §8). */
  readonly ttl: number;
  /** Uncompressed wire RDATA. */
  readonly rdata: Uint8Array;
}

/** Records with the same owner, class and type (RFC 2181 §5). The TTL is the set's one TTL. */
export interface RRset {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdatas: readonly Uint8Array[];
}

/** Byte-wise equality of two octet strings. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Octet-string order: the order RFC 4034 §6.3 uses for RDATA in canonical RRsets. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Groups records into RRsets by (owner, class, type), keeping first-seen order. Duplicate RDATA
 * inside a set is dropped (RFC 2181 §5); the set's TTL is the smallest seen (RFC 2181 §5.2).
 */
export function groupRRsets(records: readonly ResourceRecord[]): RRset[] {
  if (records.length <= SMALL_GROUP) return groupFew(records);
  const sets = new Map<string, { name: Name; type: number; class: number; ttl: number; rdatas: Uint8Array[] }>();
  for (const rr of records) {
    const key = `${rr.name.key}/${rr.class}/${rr.type}`;
    const cur = sets.get(key);
    if (cur === undefined) {
      sets.set(key, { name: rr.name, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata] });
    } else {
      if (rr.ttl < cur.ttl) cur.ttl = rr.ttl;
      if (!cur.rdatas.some((r) => bytesEqual(r, rr.rdata))) cur.rdatas.push(rr.rdata);
    }
  }
  return [...sets.values()];
}

/** Up to this many records are grouped by comparing with the sets found so far (no keys built). */
const SMALL_GROUP = 16;

/** Scratch for groupFew (synchronous, so one per process): each record's set, each set's first record and size. */
const fewSetOf = new Int32Array(SMALL_GROUP);
const fewFirst = new Int32Array(SMALL_GROUP);
const fewCount = new Int32Array(SMALL_GROUP);

/**
 * groupRRsets for a few records: a linear search over the sets, same order and result. Sets are
 * found first and then made at their exact size (a list grown by push takes room for 16 more).
 */
function groupFew(records: readonly ResourceRecord[]): RRset[] {
  let nSets = 0;
  for (let i = 0; i < records.length; i++) {
    const rr = records[i]!;
    let s = 0;
    for (; s < nSets; s++) {
      const f = records[fewFirst[s]!]!;
      if (f.type === rr.type && f.class === rr.class && f.name.equals(rr.name)) break;
    }
    if (s === nSets) {
      fewFirst[s] = i;
      fewCount[s] = 0;
      nSets++;
    }
    fewSetOf[i] = s;
    fewCount[s]!++;
  }
  const sets = new Array<{ name: Name; type: number; class: number; ttl: number; rdatas: Uint8Array[] }>(nSets);
  for (let s = 0; s < nSets; s++) {
    const f = records[fewFirst[s]!]!;
    sets[s] = { name: f.name, type: f.type, class: f.class, ttl: f.ttl, rdatas: new Array<Uint8Array>(fewCount[s]!) };
    fewCount[s] = 0;
  }
  for (let i = 0; i < records.length; i++) {
    const rr = records[i]!;
    const s = fewSetOf[i]!;
    const cur = sets[s]!;
    if (rr.ttl < cur.ttl) cur.ttl = rr.ttl;
    const n = fewCount[s]!;
    if (!holdsBytes(cur.rdatas, n, rr.rdata)) {
      cur.rdatas[n] = rr.rdata;
      fewCount[s] = n + 1;
    }
  }
  // Duplicates dropped: the list ends at the records kept.
  for (let s = 0; s < nSets; s++) if (sets[s]!.rdatas.length !== fewCount[s]) sets[s]!.rdatas.length = fewCount[s]!;
  return sets;
}

/** True when the first `n` entries of `list` hold octets equal to `b`. */
function holdsBytes(list: readonly Uint8Array[], n: number, b: Uint8Array): boolean {
  for (let i = 0; i < n; i++) if (bytesEqual(list[i]!, b)) return true;
  return false;
}
