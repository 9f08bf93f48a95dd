// Message-level answer cache: ready-to-send responses keyed by the question (see query-key.ts),
// so that a cache-hot query costs one pass over the question, one hash-table probe, one copy and a
// few octet patches — no message decoding or encoding, and no allocation but the response Buffer.
//
// Each entry keeps the encoded response, the offset of every TTL field in it (all records except
// OPT, whose TTL field holds EDNS flags: RFC 6891 §6.1.3), the TTLs as stored and the time stored.
// On a hit the TTLs are rewritten as original − elapsed whole seconds, never below zero (RFC 1035
// §3.2.1; RFC 2308 §5 counts the negative TTL of the SOA down the same way). The rewrite is done in
// the stored copy at most once per elapsed second, so most hits are a plain copy. RRSIG original-TTL
// fields live in RDATA and are left alone (RFC 4034 §3.1.4). The entry expires when its smallest TTL
// runs out; afterwards it is a miss.
//
// Header bits patched on a hit: ID from the query; RD copied from the query (RFC 1035 §4.1.1); CD
// copied (RFC 4035 §3.2.2, and it is in the key); AD set only for data stored as secure and a query
// that set DO or AD (RFC 6840 §5.7). The question is echoed with the query's own letter case (0x20
// clients compare it; the key is case-folded, so the lengths are equal). A response larger than
// the requestor's UDP payload size (512 octets without EDNS, RFC 1035 §4.2.1; RFC 6891 §6.2.5)
// is a miss on UDP, so the slow path can truncate it.
//
// Lookup: an open-addressing hash table (linear probing, at most half full, deletion by backward
// shift so there are no tombstones) indexed by the seeded key hash parseQueryKey computes while it
// walks the question (query-key.ts). A hit compares the query's question octets, case-folded, with
// the stored response's question (stored lower-cased) and the key flags octet: no key string, no
// Map. An entry is never placed more than MAX_PROBE slots from its home slot (a store that would be
// is refused), so a lookup reads at most that many slots even if a client finds names that collide.
//
// Size is bounded in bytes. Eviction is CLOCK (second chance) over a queue of the entries in the
// order they were stored: a hit sets a flag; the sweep moves flagged live entries to the back with
// the flag cleared and drops the rest, expired ones included — close to LRU, but a hit costs one
// write. (As clock-sweep.ts does for the RRset cache's entry Set, with the queue standing in for
// the Map's insertion order. Walking the table's slots instead was tried: the hand leaves the slots
// behind it nearly empty and those ahead of it nearly full, and linear probing there degrades.)
// Entries that leave otherwise (expiry, replacement, delete) are skipped when the hand meets them,
// and the queue is compacted once they are the majority, so it stays within twice the entries.
//
// Storage, with no object per entry (struct of arrays; the heap holds a few typed arrays however
// many answers are cached, and the garbage collector has nothing per entry to mark): each entry is
// one record in a chunk of octets (64 KiB, or a chunk of its own for a large response):
//   a 40-octet header — key hash, response length and TTL count, question length, key flags,
//   secure and referenced bits, the elapsed seconds the stored TTLs reflect, the entry id, its tag
//   group, the times stored and expiring (float64, ms) — then the response, then its TTL field
//   offsets (u16) and stored TTLs (u32), padded to 8 octets.
// A table slot is two int32s: the key hash and the record's place (chunk number and offset), so a
// hit reads the table, then one record whose header sits in front of the octets it copies.
// Each entry also has a small integer id (ids are reused), used by the eviction queue (an Int32Array
// of ids; a queue position is current when the id's recorded position is that one) and by the
// tag index. When a chunk's live octets fall below half, its live records are moved to the chunk
// being filled (their table slots updated) and the chunk is dropped, as slot-arena.ts does; the
// bound counts chunks at full size plus a per-entry estimate for the table and id arrays.
// Records start on 8-octet boundaries, so every response is word-aligned in its chunk.
//
// Output: a hit's response is copied a 32-bit word at a time into a pool of its own (64 KiB, never
// rewritten: a region is handed out once, as a Uint8Array view, and the pool is replaced when
// full, as Buffer.allocUnsafe does with its 8 KiB pool). Measured on Node 20 for 100 octets: ~57 ns
// against ~155 for an octet loop into Buffer.allocUnsafe; responses above 256 octets are copied
// with TypedArray#set (memcpy) instead. A view may be held as long as the caller likes (a queued
// UDP send, a TCP write): nothing writes to it again.
//
// Invalidation: an entry may be stored with tags (the zone whose SOA a negative answer shows, the
// RRsets of its authority and additional sections); `invalidate(tag)` drops every entry stored with
// it, when the data it was built from changes (NegativeCache.onZoneSoaChange,
// RRsetCache.onChange). Entries stored with the same tag list share one tag group (the negative
// answers of one zone, say), which holds the set of their ids; an entry holds only its group's
// number. Only tagged entries pay for the index; the hit path never looks at it.
//
// Pure: no clock of its own; callers pass `now` in ms (from the injected Clock), so the server can
// read the clock once per batch of packets.

import { keyHash, parseQueryKey, questionHash, QueryInfo } from './query-key.js';
import { lowerOctet } from '../wire/name.js';

export interface AnswerCacheOptions {
  /** Size bound in bytes (responses plus bookkeeping). Default 16 MiB. */
  readonly maxBytes?: number;
  /** Upper bound on an entry's lifetime in seconds. Default 86400. */
  readonly maxTtl?: number;
  /** Treat queries whose OPT carries options (cookies...) as misses. Default false. */
  readonly optionsToSlowPath?: boolean;
  /** Seed of the key hash (a random 32-bit value in production, so collisions cannot be aimed). Default 0. */
  readonly hashSeed?: number;
}

export const ANSWER_CACHE_DEFAULTS = {
  maxBytes: 16 * 1024 * 1024,
  maxTtl: 86400,
  optionsToSlowPath: false,
} as const;

export interface AnswerStoreOptions {
  /** The response's data validated as secure: AD may be set on hits (RFC 6840 §5.7). */
  readonly secure?: boolean;
  /**
   * Lifetime cap in seconds; for a response with no records at all (e.g. a SERVFAIL) it is the
   * lifetime, and without it such a response is not stored.
   */
  readonly ttl?: number | undefined;
  /** Dropped by `invalidate(tag)` for any of these (module comment). */
  readonly tags?: readonly string[] | undefined;
  /**
   * Record TTLs above this many seconds are stored as it (and the entry lives at most as long):
   * the data behind the response was cached with a shorter life than its TTLs say, and hits show
   * what the cache holds.
   */
  readonly recordTtlCap?: number | undefined;
}

export interface AnswerCacheStats {
  hits: number;
  misses: number;
  expired: number;
  evictions: number;
  /** Stores refused because the entry would sit more than MAX_PROBE slots from its home slot. */
  probeLimit: number;
}

/**
 * Per-entry estimate besides its record: its share of the table (at most 4 slots of 8 octets right
 * after a resize; the table never shrinks, but it only grows with the entry count, which the bound
 * limits) and of the id arrays (place, queue position, free list) and the queue (at most 2 ids).
 */
const ENTRY_OVERHEAD = 64;
/** Farthest an entry may sit from its home slot (linear probing at load <= 1/2 averages ~1.5). */
export const MAX_PROBE = 32;
const MIN_CAPACITY = 16;

// Record header (module comment), in 32-bit words from the record's start, then float64 slots.
/** Key hash (never 0). */
const H_HASH = 0;
/** Response length (low 16 bits) and TTL count (high 16 bits). */
const H_LENS = 1;
/** Question length: QNAME + QTYPE + QCLASS (low 16 bits); key flags (bits 16-23); I_SECURE, I_HOT. */
const H_INFO = 2;
/** Elapsed seconds the TTLs in the stored response currently reflect. */
const H_PATCHED = 3;
/** The entry id, -1 once the record is freed. */
const H_ID = 4;
/** The tag group, -1 for none. */
const H_GROUP = 5;
/** Float64 slots (from the record's start, in 8-octet units): stored at, expires at (ms). */
const F_STORED = 3;
const F_EXPIRES = 4;
const HEADER = 40;
/** The response's data validated as secure (AD may be set on hits). */
const I_SECURE = 1 << 24;
/** CLOCK reference flag. Clear until the first hit: a burst of one-off answers cannot flush the hot set. */
const I_HOT = 1 << 25;
/** A record's place: chunk number << PLACE_BITS | offset / 8 (chunks are at most 64 KiB, or hold one record). */
const PLACE_BITS = 13;
const MAX_CHUNKS = 1 << (31 - PLACE_BITS);
const CHUNK_MAX = 64 * 1024;
/**
 * Slots of the front index (AnswerCache.front): 32 KiB. On the bench's Zipf query file (5,100
 * names) a direct-mapped index of 1024 / 4096 / 8192 slots finds 66 / 85 / 91 % of the queries;
 * profiled under dnsperf, 4096 spent the least in the hit path (8192 more: it no longer stays in
 * the core's caches).
 */
const FRONT = 4096;
const FRONT_MASK = FRONT - 1;

/** Octets of the record holding a response of `wireLength` octets with `ttlCount` TTLs. */
function recordLength(wireLength: number, ttlCount: number): number {
  return (HEADER + wireLength + ttlCount * 6 + 7) & ~7;
}

class Chunk {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** Octets handed out, and those of records still live. */
  used = 0;
  live = 0;
  readonly no: number;
  constructor(no: number, size: number) {
    const buf = new ArrayBuffer(size);
    this.no = no;
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
  }
}

/** Entries stored with the same tag list. */
interface TagGroup {
  readonly key: string;
  readonly tags: readonly string[];
  readonly ids: Set<number>;
}

const NO_OCTETS = new Uint8Array(0);
const NO_WORDS = new Int32Array(0);
/** Size of the output pool hits are copied into. */
const OUT_POOL = 64 * 1024;
/** Responses up to this size are copied word by word; larger ones with TypedArray#set. */
const WORD_COPY_MAX = 256;
const OPT = 41;
const FLAG_QR = 0x80;
const FLAG_TC = 0x02;
const FLAG_RD = 0x01;
const FLAG_AD = 0x20;
const FLAG_CD = 0x10;

interface Scan {
  readonly offsets: number[];
  readonly ttls: number[];
  readonly minTtl: number;
}

/** Skips a possibly compressed name at `p`; returns the offset after it, or -1 when malformed. */
function skipName(b: Uint8Array, p: number): number {
  const n = b.length;
  let count = 0;
  while (p < n) {
    const len = b[p]!;
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2 <= n ? p + 2 : -1;
    if (len > 63) return -1;
    p += len + 1;
    if (++count > 127) return -1;
  }
  return -1;
}

/**
 * What scanInto found: the first `count` entries of `offsets` and `ttls` (later ones are left over
 * from earlier scans: the arrays are overwritten in place, not emptied, as emptying a JS array drops
 * its backing store and the next scan would allocate it again).
 */
class ScanState {
  readonly offsets: number[];
  readonly ttls: number[];
  count = 0;
  minTtl = Infinity;

  constructor(offsets: number[], ttls: number[]) {
    this.offsets = offsets;
    this.ttls = ttls;
  }
}

/**
 * Walks a response and finds the TTL field of every record but OPT. Undefined when it is not a
 * cacheable response (not QR, truncated, not exactly one question, malformed, trailing octets).
 * The offsets and TTLs go into the arrays given (emptied first), fresh ones by default.
 */
export function scanResponse(b: Uint8Array, offsets: number[] = [], ttls: number[] = []): Scan | undefined {
  const state = new ScanState(offsets, ttls);
  const count = scanInto(b, state);
  if (count < 0) return undefined;
  offsets.length = count;
  ttls.length = count;
  return { offsets, ttls, minTtl: state.minTtl };
}

/** scanResponse into `into` (its count and minimum TTL set); the record count, or -1 when not cacheable. */
function scanInto(b: Uint8Array, into: ScanState): number {
  const offsets = into.offsets;
  const ttls = into.ttls;
  const n = b.length;
  if (n < 12) return -1;
  if ((b[2]! & FLAG_QR) === 0 || (b[2]! & FLAG_TC) !== 0) return -1;
  if (b[4] !== 0 || b[5] !== 1) return -1;
  const records = ((b[6]! << 8) | b[7]!) + ((b[8]! << 8) | b[9]!) + ((b[10]! << 8) | b[11]!);
  let p = 12;
  // The question must be uncompressed so a query's QNAME can be copied over it.
  while (true) {
    if (p >= n) return -1;
    const len = b[p]!;
    if (len === 0) break;
    if (len > 63) return -1;
    p += len + 1;
  }
  p += 5;
  if (p > n) return -1;
  let k = 0;
  let minTtl = Infinity;
  for (let r = 0; r < records; r++) {
    p = skipName(b, p);
    if (p < 0 || p + 10 > n) return -1;
    const type = (b[p]! << 8) | b[p + 1]!;
    const rdlen = (b[p + 8]! << 8) | b[p + 9]!;
    if (type !== OPT) {
      let ttl = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      if (ttl > 0x7fffffff) ttl = 0;
      if (p + 4 > 0xffff) return -1;
      offsets[k] = p + 4;
      ttls[k++] = ttl;
      if (ttl < minTtl) minTtl = ttl;
    }
    p += 10 + rdlen;
    if (p > n) return -1;
  }
  if (p !== n) return -1;
  into.count = k;
  into.minTtl = minTtl;
  return k;
}

/** True when the response's question matches the key's QNAME (case-folded), QTYPE and QCLASS. */
function questionMatchesKey(b: Uint8Array, key: string): boolean {
  // Key layout: QNAME wire (lower-cased) + QTYPE(2) + QCLASS(2) + flags(1).
  const qlen = key.length - 5;
  if (qlen < 1 || 12 + qlen + 4 > b.length) return false;
  for (let i = 0; i < qlen + 4; i++) {
    let c = b[12 + i]!;
    if (i < qlen && c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== key.charCodeAt(i)) return false;
  }
  return true;
}

/** Rewrites the TTL fields of the record at `start` as stored TTL − elapsed, never below 0. */
function writeTtls(c: Chunk, start: number, elapsed: number): void {
  const b = c.u8;
  const lens = c.i32[(start >>> 2) + H_LENS]!;
  const base = start + HEADER;
  const n = lens >>> 16;
  const offs = base + (lens & 0xffff);
  const ttls = offs + n * 2;
  for (let i = 0; i < n; i++) {
    const t = ttls + i * 4;
    let v = ((b[t]! << 24) | (b[t + 1]! << 16) | (b[t + 2]! << 8) | b[t + 3]!) - elapsed;
    if (v < 0) v = 0;
    const o = base + ((b[offs + i * 2]! << 8) | b[offs + i * 2 + 1]!);
    b[o] = v >>> 24;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
  }
  c.i32[(start >>> 2) + H_PATCHED] = elapsed;
}

export class AnswerCache {
  /**
   * Open-addressing table: slot i is table[2i] (the entry's key hash; 0 for an empty slot, keyHash
   * is never 0) and table[2i + 1] (its record's place). Capacity a power of two, at most half full.
   */
  private table = new Int32Array(MIN_CAPACITY * 2);
  private mask = MIN_CAPACITY - 1;
  private size = 0;
  /** Chunks by number (undefined where dropped); free numbers; the chunk being filled. */
  private chunks: (Chunk | undefined)[] = [];
  private freeChunks: number[] = [];
  private current: Chunk | undefined = undefined;
  /** Octets held in chunks (the filling one counted whole). */
  private held = 0;
  private readonly chunkSize: number;
  /** Records above this size get a chunk of their own. */
  private readonly largeAt: number;
  /** Per entry id: its record's place (-1: id free) and its current position in `order`. */
  private idPlace = new Int32Array(64).fill(-1);
  private idPos = new Int32Array(64);
  private freeIds: number[] = [];
  private nextId = 0;
  /** Eviction queue of ids (storage order), its length, and the hand's position in it. */
  private order = new Int32Array(64);
  private orderLength = 0;
  private hand = 0;
  /** Removed entries whose queue position is still past the hand. */
  private dead = 0;
  /** Tag groups by number (undefined where free), by tag list, and by tag. */
  private groups: (TagGroup | undefined)[] = [];
  private freeGroups: number[] = [];
  private readonly groupByKey = new Map<string, number>();
  private readonly groupsByTag = new Map<string, Set<number>>();
  private readonly maxBytes: number;
  private readonly maxTtl: number;
  private readonly optionsToSlowPath: boolean;
  private readonly seed: number;
  private readonly info = new QueryInfo();
  /** store()'s scratch for scanInto (numbers only, overwritten by each scan): no arrays per stored response. */
  private readonly scan = new ScanState([], []);
  /**
   * A small direct-mapped index in front of the table, (hash, place) pairs by the hash's low bits,
   * set by each hit found in the table: the hottest answers are found without reading the table,
   * one memory stall less (profiled: the table read and the record read were most of a hit's
   * cost). An entry is cleared when its record is freed and follows it when it moves, so it always
   * names a live record with that hash; the question is compared all the same.
   */
  private front = new Int32Array(FRONT * 2);
  /** Set by findQuery: the query's QNAME octets equal the stored (lower-case) ones, no folding needed. */
  private exact = false;
  /** Output pool (module comment): its octets, as words, and the next free offset (a multiple of 8). */
  private outPool = NO_OCTETS.buffer;
  private out8 = NO_OCTETS;
  private out32 = NO_WORDS;
  private outPos = OUT_POOL;
  readonly stats: AnswerCacheStats = { hits: 0, misses: 0, expired: 0, evictions: 0, probeLimit: 0 };

  constructor(options: AnswerCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes;
    this.maxTtl = options.maxTtl ?? ANSWER_CACHE_DEFAULTS.maxTtl;
    this.optionsToSlowPath = options.optionsToSlowPath ?? ANSWER_CACHE_DEFAULTS.optionsToSlowPath;
    this.seed = (options.hashSeed ?? 0) | 0;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    // Multiples of 8 octets, so records keep every response word-aligned.
    this.chunkSize = Math.min(CHUNK_MAX, Math.max(256, this.maxBytes >>> 6)) & ~7;
    this.largeAt = this.chunkSize >>> 2;
  }

  get count(): number {
    return this.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.held + this.size * ENTRY_OVERHEAD;
  }

  /** Slots in the hash table (for tests of the resize rule). */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * Stores a ready-to-send response under `key` (from `questionKey`, or `queryKeyString` after
   * `parseQueryKey`). The bytes are copied. Returns false when the response is not cacheable:
   * malformed, truncated, question not matching the key, lifetime zero, larger than the whole
   * cache, or (hash collisions) too far from its home slot.
   */
  store(key: string, response: Uint8Array, now: number, options: AnswerStoreOptions = {}): boolean {
    const scan = this.scan;
    if (scanInto(response, scan) < 0 || !questionMatchesKey(response, key)) return false;
    const qlength = key.length - 1;
    const flags = key.charCodeAt(qlength);
    // The question octets are the key's (questionMatchesKey above): hashed from them, as parseQueryKey does.
    const hash = questionHash(response, qlength - 4, flags, this.seed);
    return this.put(response, scan, qlength, flags, hash, this.findKey(key, hash), now, options);
  }

  /**
   * Stores a ready-to-send response under its own question (QNAME folded to lower case, RFC 4343;
   * QTYPE, QCLASS) and `keyFlags` (KeyFlag bits of the query it answers): `store` with the key
   * read from the response instead of a key string. `hash`: the key's hash as `respond` computed
   * it for the query this answers (`missHash`), or 0 to compute it here; a hash that is not the
   * key's leaves the entry where no lookup finds it, never serving it for another question
   * (hits compare the question octets).
   */
  storeResponse(response: Uint8Array, keyFlags: number, now: number, options: AnswerStoreOptions = {}, hash = 0): boolean {
    const scan = this.scan;
    if (scanInto(response, scan) < 0) return false;
    // scanResponse checked the question: uncompressed labels, then QTYPE and QCLASS.
    let p = 12;
    while (response[p] !== 0) p += response[p]! + 1;
    const qlength = p + 1 - 12 + 4;
    const flags = keyFlags & 0xff;
    if (hash === 0) hash = questionHash(response, qlength - 4, flags, this.seed);
    return this.put(response, scan, qlength, flags, hash, this.findQuestion(response, qlength, flags, hash), now, options);
  }

  /**
   * `store`'s common part: `qlength` octets of question (QNAME, QTYPE, QCLASS) from offset 12,
   * `old` the slot of the entry this one replaces (-1: none).
   */
  private put(response: Uint8Array, scan: ScanState, qlength: number, flags: number, hash: number, old: number, now: number, options: AnswerStoreOptions): boolean {
    const cap = options.recordTtlCap ?? Infinity;
    let ttl = scan.minTtl;
    if (ttl === Infinity) ttl = options.ttl ?? 0;
    else if (options.ttl !== undefined && options.ttl < ttl) ttl = options.ttl;
    if (cap < ttl) ttl = cap;
    if (ttl > this.maxTtl) ttl = this.maxTtl;
    if (!(ttl > 0)) return false;
    const n = scan.count;
    const length = recordLength(response.length, n);
    if (ENTRY_OVERHEAD + length > this.maxBytes || response.length > 0xffff || n > 0xffff) return false;
    if (old >= 0) this.removeAt(old);
    if ((this.size + 1) * 2 > this.capacity) this.resize(this.capacity * 2);
    const slot = this.freeSlot(hash);
    if (slot < 0) {
      this.stats.probeLimit++;
      return false;
    }
    // Placing may move other records (their slots are updated; `slot` stays free).
    const place = this.place(length);
    if (place < 0) return false;
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    const id = this.allocId(place);
    const h = start >>> 2;
    c.i32[h + H_HASH] = hash;
    c.i32[h + H_LENS] = response.length | (n << 16);
    c.i32[h + H_INFO] = qlength | (flags << 16) | (options.secure === true ? I_SECURE : 0);
    c.i32[h + H_PATCHED] = 0;
    c.i32[h + H_ID] = id;
    c.i32[h + H_GROUP] = -1;
    c.f64[(start >>> 3) + F_STORED] = now;
    c.f64[(start >>> 3) + F_EXPIRES] = now + ttl * 1000;
    const b = c.u8;
    const base = start + HEADER;
    b.set(response, base);
    // AD is decided per hit.
    b[base + 3] = b[base + 3]! & ~FLAG_AD;
    // The question is kept case-folded, as the key is; hits copy the query's own case over it.
    for (let i = base + 12, end = base + 12 + qlength - 4; i < end; i++) b[i] = lowerOctet(b[i]!);
    const offs = base + response.length;
    const ttls = offs + n * 2;
    for (let i = 0; i < n; i++) {
      const o = scan.offsets[i]!;
      let t = scan.ttls[i]!;
      if (t > cap) {
        t = cap;
        b[base + o] = t >>> 24;
        b[base + o + 1] = (t >>> 16) & 0xff;
        b[base + o + 2] = (t >>> 8) & 0xff;
        b[base + o + 3] = t & 0xff;
      }
      b[offs + i * 2] = o >>> 8;
      b[offs + i * 2 + 1] = o & 0xff;
      b[ttls + i * 4] = t >>> 24;
      b[ttls + i * 4 + 1] = (t >>> 16) & 0xff;
      b[ttls + i * 4 + 2] = (t >>> 8) & 0xff;
      b[ttls + i * 4 + 3] = t & 0xff;
    }
    this.table[slot * 2] = hash;
    this.table[slot * 2 + 1] = place;
    this.size++;
    this.enqueue(id);
    if (options.tags !== undefined && options.tags.length > 0) c.i32[h + H_GROUP] = this.joinGroup(options.tags, id);
    if (this.bytes > this.maxBytes) this.evict(now, id);
    return true;
  }

  /**
   * The stored response for `key` with its TTLs counted down to `now`, as a fresh copy (header as
   * stored, AD clear, question lower-cased). Undefined on a miss or once expired.
   */
  lookup(key: string, now: number): Buffer | undefined {
    const i = this.findKey(key, keyHash(key, this.seed));
    const place = i < 0 ? -1 : this.live(this.table[i * 2 + 1]!, now);
    if (place < 0) {
      this.stats.misses++;
      return undefined;
    }
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = ((place & ((1 << PLACE_BITS) - 1)) << 3) + HEADER;
    const len = c.i32[((start - HEADER) >>> 2) + H_LENS]! & 0xffff;
    const out = Buffer.allocUnsafe(len);
    out.set(c.u8.subarray(start, start + len));
    return out;
  }

  /**
   * The hit path: raw query bytes in, response bytes out (ID, RD, CD, AD and the question's letter
   * case taken from the query, TTLs counted down). Undefined when the query is not for the fast
   * path, on a miss, or when the response would not fit the requestor's UDP size (`tcp` false).
   */
  respond(query: Uint8Array, now: number, tcp = false): Uint8Array | undefined {
    const info = this.info;
    this.lastMissHash = 0;
    if (!parseQueryKey(query, info, this.seed)) return undefined;
    if (info.hasOptions && this.optionsToSlowPath) return undefined;
    const found = this.findQuery(query, info);
    const place = found < 0 ? -1 : this.live(found, now);
    if (place < 0) {
      this.stats.misses++;
      this.lastMissHash = info.hash;
      return undefined;
    }
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    const h = start >>> 2;
    const len = c.i32[h + H_LENS]! & 0xffff;
    if (!tcp && len > (info.edns ? info.udpSize : 512)) return undefined;
    const out = this.copyOut(c, start + HEADER, len);
    out[0] = query[0]!;
    out[1] = query[1]!;
    const q3 = query[3]!;
    const secure = (c.i32[h + H_INFO]! & I_SECURE) !== 0;
    out[2] = (out[2]! & ~FLAG_RD) | (query[2]! & FLAG_RD);
    out[3] = (out[3]! & ~(FLAG_AD | FLAG_CD)) | (q3 & FLAG_CD) | (secure && (info.do || (q3 & FLAG_AD) !== 0) ? FLAG_AD : 0);
    if (!this.exact) for (let k = 13, end = info.qnameEnd; k < end; k++) out[k] = query[k]!;
    return out;
  }

  /** A fresh view holding `len` octets of chunk `c` from `from` (module comment, "Output"). */
  private copyOut(c: Chunk, from: number, len: number): Uint8Array {
    const padded = (len + 7) & ~7;
    if (padded > OUT_POOL >>> 2) {
      const own = Buffer.allocUnsafe(len);
      own.set(c.u8.subarray(from, from + len));
      return own;
    }
    let pos = this.outPos;
    if (pos + padded > OUT_POOL) {
      const pool = Buffer.allocUnsafeSlow(OUT_POOL).buffer;
      this.outPool = pool;
      this.out8 = new Uint8Array(pool);
      this.out32 = new Int32Array(pool);
      pos = 0;
    }
    this.outPos = pos + padded;
    if (len <= WORD_COPY_MAX) {
      const o = this.out32;
      const src = c.i32;
      const words = (len + 3) >>> 2;
      // `from` and pos are multiples of 8: the record is padded, so its last word is inside it.
      for (let k = 0, w = pos >>> 2, j = from >>> 2; k < words; k++) o[w + k] = src[j + k]!;
    } else {
      this.out8.set(c.u8.subarray(from, from + len), pos);
    }
    return new Uint8Array(this.outPool, pos, len);
  }

  private lastMissHash = 0;

  /**
   * The key hash of the query the last `respond` call parsed and found no live entry for (for
   * `storeResponse`, so the response's key is not hashed again); 0 when that call returned
   * before the lookup or hit.
   */
  get missHash(): number {
    return this.lastMissHash;
  }

  /** The QueryInfo of the last `respond` call (valid until the next one). */
  get lastQuery(): Readonly<QueryInfo> {
    return this.info;
  }

  delete(key: string): boolean {
    const i = this.findKey(key, keyHash(key, this.seed));
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }

  /** Drops every entry stored with `tag`; returns how many went. */
  invalidate(tag: string): number {
    const groups = this.groupsByTag.get(tag);
    if (groups === undefined) return 0;
    let n = 0;
    for (const g of [...groups]) {
      const group = this.groups[g];
      if (group === undefined) continue;
      for (const id of [...group.ids]) {
        const place = this.idPlace[id]!;
        if (place < 0) continue;
        this.removeAt(this.slotOf(place));
        n++;
      }
    }
    this.groupsByTag.delete(tag);
    return n;
  }

  clear(): void {
    this.table = new Int32Array(MIN_CAPACITY * 2);
    this.front.fill(0);
    this.mask = MIN_CAPACITY - 1;
    this.size = 0;
    this.chunks = [];
    this.freeChunks = [];
    this.current = undefined;
    this.held = 0;
    this.idPlace = new Int32Array(64).fill(-1);
    this.idPos = new Int32Array(64);
    this.freeIds = [];
    this.nextId = 0;
    this.order = new Int32Array(64);
    this.orderLength = 0;
    this.hand = 0;
    this.dead = 0;
    this.groups = [];
    this.freeGroups = [];
    this.groupByKey.clear();
    this.groupsByTag.clear();
  }

  /** Drops every expired entry; returns how many went. */
  prune(now: number): number {
    let n = 0;
    for (let i = 0; i <= this.mask; ) {
      if (this.table[i * 2] !== 0 && this.expiresAt(this.table[i * 2 + 1]!) <= now) {
        // The backward shift may move a later entry into slot i: look at it again. An entry
        // shifted from the start of the table to its end (a cluster wrapping around) is met then.
        this.removeAt(i);
        n++;
      } else {
        i++;
      }
    }
    return n;
  }

  private expiresAt(place: number): number {
    const c = this.chunks[place >>> PLACE_BITS]!;
    return c.f64[((place & ((1 << PLACE_BITS) - 1)) >>> 0) + F_EXPIRES]!;
  }

  /** The place of the entry for a parsed query, or -1; sets `exact`. Looks in `front` first. */
  private findQuery(q: Uint8Array, info: QueryInfo): number {
    const hash = info.hash;
    const front = this.front;
    const f = (hash & FRONT_MASK) * 2;
    if (front[f] === hash) {
      const place = front[f + 1]!;
      if (this.questionAt(place, q, info)) return place;
    }
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (let d = 0; d <= MAX_PROBE; d++, i = (i + 1) & mask) {
      const h = table[i * 2]!;
      if (h === 0) return -1;
      if (h !== hash) continue;
      const place = table[i * 2 + 1]!;
      if (this.questionAt(place, q, info)) {
        front[f] = hash;
        front[f + 1] = place;
        return place;
      }
    }
    return -1;
  }

  /** Whether the record at `place` holds the question (and key flags) of a parsed query; sets `exact`. */
  private questionAt(place: number, q: Uint8Array, info: QueryInfo): boolean {
    const qlength = info.qnameEnd + 4 - 12;
    const nameEnd = info.qnameEnd - 12;
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    if ((c.i32[(start >>> 2) + H_INFO]! & 0xffffff) !== (qlength | (info.keyFlags << 16))) return false;
    const b = c.u8;
    const base = start + HEADER + 12;
    let exact = true;
    let k = 0;
    for (; k < nameEnd; k++) {
      const o = q[12 + k]!;
      if (b[base + k] !== o) {
        if (b[base + k] !== lowerOctet(o)) return false;
        exact = false;
      }
    }
    for (; k < qlength; k++) if (b[base + k] !== q[12 + k]) return false;
    this.exact = exact;
    return true;
  }

  /**
   * Probe step `d` from the hash's home slot: the table index to look at, whether the probe ends
   * there (an empty slot: the entry is absent), and otherwise, when the slot's hash and the
   * entry's question length and flags (`want`) match, where its question starts (`probeBase` in
   * `probeBytes`) for the caller to compare. Returns the index, -1 to stop, -2 to go on.
   */
  private probeAt(hash: number, want: number, d: number): number {
    const i = (hash + d) & this.mask;
    const h = this.table[i * 2]!;
    if (h === 0) return -1;
    if (h !== hash) return -2;
    const place = this.table[i * 2 + 1]!;
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    if ((c.i32[(start >>> 2) + H_INFO]! & 0xffffff) !== want) return -2;
    this.probeBytes = c.u8;
    this.probeBase = start + HEADER + 12;
    return i;
  }

  private probeBytes: Uint8Array = new Uint8Array(0);
  private probeBase = 0;

  /** The slot holding the entry for a key string, or -1. */
  private findKey(key: string, hash: number): number {
    const qlength = key.length - 1;
    if (qlength < 5) return -1;
    const want = qlength | (key.charCodeAt(qlength) << 16);
    for (let d = 0; d <= MAX_PROBE; d++) {
      const i = this.probeAt(hash, want, d);
      if (i === -1) return -1;
      if (i === -2) continue;
      const b = this.probeBytes;
      const base = this.probeBase;
      let k = 0;
      for (; k < qlength; k++) if (b[base + k] !== key.charCodeAt(k)) break;
      if (k === qlength) return i;
    }
    return -1;
  }

  /**
   * The slot holding the entry for the question of message `b` (`qlength` octets from offset 12,
   * QNAME compared case-insensitively, RFC 4343) and key flags `flags`, or -1.
   */
  private findQuestion(b: Uint8Array, qlength: number, flags: number, hash: number): number {
    const want = qlength | (flags << 16);
    const nameEnd = qlength - 4;
    for (let d = 0; d <= MAX_PROBE; d++) {
      const i = this.probeAt(hash, want, d);
      if (i === -1) return -1;
      if (i === -2) continue;
      const s = this.probeBytes;
      const base = this.probeBase;
      let k = 0;
      for (; k < nameEnd; k++) if (s[base + k] !== lowerOctet(b[12 + k]!)) break;
      if (k < nameEnd) continue;
      for (; k < qlength; k++) if (s[base + k] !== b[12 + k]) break;
      if (k === qlength) return i;
    }
    return -1;
  }

  /** The first empty slot within MAX_PROBE of the hash's home slot, or -1. */
  private freeSlot(hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    for (let d = 0; d <= MAX_PROBE; d++, i = (i + 1) & mask) if (table[i * 2] === 0) return i;
    return -1;
  }

  /** The slot holding the record at `place` (an entry known to be in the table). */
  private slotOf(place: number): number {
    const c = this.chunks[place >>> PLACE_BITS]!;
    const hash = c.i32[(((place & ((1 << PLACE_BITS) - 1)) << 3) >>> 2) + H_HASH]!;
    const table = this.table;
    const mask = this.mask;
    let i = hash & mask;
    while (table[i * 2 + 1] !== place || table[i * 2] !== hash) i = (i + 1) & mask;
    return i;
  }

  /** Rehashes every entry into a table of `capacity` slots; an entry that no longer fits is dropped. */
  private resize(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(capacity * 2);
    this.mask = capacity - 1;
    // Records are freed once the new table is whole (freeing may move records, which looks them up).
    const dropped: number[] = [];
    for (let s = 0; s < old.length; s += 2) {
      const hash = old[s]!;
      if (hash === 0) continue;
      const place = old[s + 1]!;
      const i = this.freeSlot(hash);
      if (i >= 0) {
        this.table[i * 2] = hash;
        this.table[i * 2 + 1] = place;
      } else {
        // A larger table spreads clusters out, so this takes colliding hashes beyond MAX_PROBE.
        this.size--;
        dropped.push(place);
        this.stats.probeLimit++;
      }
    }
    const touched = new Set<Chunk>();
    for (const place of dropped) {
      touched.add(this.chunks[place >>> PLACE_BITS]!);
      this.release(place, false);
      this.retire();
    }
    for (const c of touched) if (this.chunks[c.no] === c) this.checkChunk(c);
  }

  /**
   * `place` if its entry is still live at `now` (TTLs brought up to date, marked referenced), else
   * -1; expired ones go.
   */
  private live(place: number, now: number): number {
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    const f = start >>> 3;
    if (now >= c.f64[f + F_EXPIRES]!) {
      this.removeAt(this.slotOf(place));
      this.stats.expired++;
      return -1;
    }
    let elapsed = Math.floor((now - c.f64[f + F_STORED]!) / 1000);
    if (elapsed < 0) elapsed = 0;
    const h = start >>> 2;
    if (elapsed !== c.i32[h + H_PATCHED]) writeTtls(c, start, elapsed);
    c.i32[h + H_INFO] = c.i32[h + H_INFO]! | I_HOT;
    this.stats.hits++;
    return place;
  }

  /** Removes the entry in slot i for good (it leaves the eviction queue lazily). */
  private removeAt(i: number): void {
    this.unlink(i);
    this.retire();
  }

  /**
   * Empties slot i, closes the gap by backward shift (Knuth 6.4, algorithm R: each later entry of
   * the cluster whose home slot is not cyclically in (hole, its slot] moves into the hole), frees
   * the entry's record and returns its id.
   */
  private unlink(i: number): number {
    const table = this.table;
    const mask = this.mask;
    const gone = table[i * 2 + 1]!;
    let hole = i;
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      const h = table[j * 2]!;
      if (h === 0) break;
      const home = h & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      table[hole * 2] = h;
      table[hole * 2 + 1] = table[j * 2 + 1]!;
      hole = j;
    }
    table[hole * 2] = 0;
    table[hole * 2 + 1] = 0;
    this.size--;
    return this.release(gone);
  }

  /**
   * Frees the record at `place` (its tag group membership and its id too); returns the id. Its
   * chunk is then dropped or evacuated if it qualifies, unless `check` is false.
   */
  private release(place: number, check = true): number {
    const c = this.chunks[place >>> PLACE_BITS]!;
    const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
    const h = start >>> 2;
    const id = c.i32[h + H_ID]!;
    const g = c.i32[h + H_GROUP]!;
    if (g >= 0) this.leaveGroup(g, id);
    const f = (c.i32[h + H_HASH]! & FRONT_MASK) * 2;
    if (this.front[f + 1] === place) this.front[f] = this.front[f + 1] = 0;
    c.i32[h + H_ID] = -1;
    this.idPlace[id] = -1;
    this.freeIds.push(id);
    const lens = c.i32[h + H_LENS]!;
    c.live -= recordLength(lens & 0xffff, lens >>> 16);
    if (check) this.checkChunk(c);
    return id;
  }

  /** An id for a new entry at `place`. */
  private allocId(place: number): number {
    let id = this.freeIds.pop();
    if (id === undefined) {
      id = this.nextId++;
      if (id >= this.idPlace.length) {
        const places = new Int32Array(this.idPlace.length * 2).fill(-1);
        places.set(this.idPlace);
        this.idPlace = places;
        const pos = new Int32Array(this.idPos.length * 2);
        pos.set(this.idPos);
        this.idPos = pos;
      }
    }
    this.idPlace[id] = place;
    return id;
  }

  /** Puts an id at the back of the eviction queue. */
  private enqueue(id: number): void {
    if (this.orderLength === this.order.length) {
      const grown = new Int32Array(this.order.length * 2);
      grown.set(this.order);
      this.order = grown;
    }
    this.idPos[id] = this.orderLength;
    this.order[this.orderLength++] = id;
  }

  /** Whether the queue position p holds its id's current entry. */
  private queued(p: number): boolean {
    const id = this.order[p]!;
    return this.idPlace[id]! >= 0 && this.idPos[id] === p;
  }

  /** Notes an entry that left the table while still queued; compacts the queue when most of it is dead. */
  private retire(): void {
    this.dead++;
    const queued = this.orderLength - this.hand;
    if (this.dead > 64 && this.dead * 2 > queued) this.compactQueue();
  }

  /** Keeps only the current entries past the hand, in order, from position 0. */
  private compactQueue(): void {
    const order = this.order;
    let w = 0;
    for (let p = this.hand; p < this.orderLength; p++) {
      if (!this.queued(p)) continue;
      const id = order[p]!;
      order[w] = id;
      this.idPos[id] = w++;
    }
    this.orderLength = w;
    this.hand = 0;
    this.dead = 0;
  }

  /**
   * CLOCK sweep until the size bound holds again: expired or unreferenced entries go, referenced
   * ones lose their flag and go to the back. `keep` (the id just stored) is passed over.
   */
  private evict(now: number, keep: number): void {
    while (this.bytes > this.maxBytes && this.size > 1 && this.hand < this.orderLength) {
      const p = this.hand++;
      if (!this.queued(p)) {
        this.dead--;
        continue;
      }
      const id = this.order[p]!;
      const place = this.idPlace[id]!;
      const c = this.chunks[place >>> PLACE_BITS]!;
      const start = (place & ((1 << PLACE_BITS) - 1)) << 3;
      const h = start >>> 2;
      const infoWord = c.i32[h + H_INFO]!;
      if (id === keep || ((infoWord & I_HOT) !== 0 && c.f64[(start >>> 3) + F_EXPIRES]! > now)) {
        c.i32[h + H_INFO] = infoWord & ~I_HOT;
        this.enqueue(id);
      } else {
        this.unlink(this.slotOf(place));
        this.stats.evictions++;
      }
    }
    // The passed-over part of the queue goes once it is half of it.
    if (this.hand > 64 && this.hand * 2 > this.orderLength) this.compactQueue();
  }

  // ---- tag groups ----

  private joinGroup(tags: readonly string[], id: number): number {
    const key = tags.join('\n');
    let g = this.groupByKey.get(key);
    if (g === undefined) {
      g = this.freeGroups.pop() ?? this.groups.length;
      this.groups[g] = { key, tags: [...tags], ids: new Set() };
      this.groupByKey.set(key, g);
      for (const tag of tags) {
        let set = this.groupsByTag.get(tag);
        if (set === undefined) this.groupsByTag.set(tag, (set = new Set()));
        set.add(g);
      }
    }
    this.groups[g]!.ids.add(id);
    return g;
  }

  private leaveGroup(g: number, id: number): void {
    const group = this.groups[g]!;
    group.ids.delete(id);
    if (group.ids.size > 0) return;
    this.groups[g] = undefined;
    this.freeGroups.push(g);
    this.groupByKey.delete(group.key);
    for (const tag of group.tags) {
      const set = this.groupsByTag.get(tag);
      set?.delete(g);
      if (set?.size === 0) this.groupsByTag.delete(tag);
    }
  }

  // ---- record storage (as slot-arena.ts, with places in the records' own headers) ----

  /** Reserves `length` octets (a multiple of 8) and returns their place, or -1 when out of chunk numbers. */
  private place(length: number): number {
    let c: Chunk | undefined;
    if (length > this.largeAt) {
      c = this.newChunk(length);
    } else {
      const old = this.current;
      if (old !== undefined && old.used + length <= old.u8.length) {
        c = old;
      } else {
        c = this.current = this.newChunk(this.chunkSize);
        // The chunk just left may already be mostly free.
        if (c !== undefined && old !== undefined) this.checkChunk(old);
      }
    }
    if (c === undefined) return -1;
    const start = c.used;
    c.used += length;
    c.live += length;
    return (c.no << PLACE_BITS) | (start >>> 3);
  }

  private newChunk(size: number): Chunk | undefined {
    const no = this.freeChunks.pop() ?? this.chunks.length;
    if (no >= MAX_CHUNKS) return undefined;
    const c = new Chunk(no, size);
    this.chunks[no] = c;
    this.held += size;
    return c;
  }

  /** Drops an empty chunk; moves the live records out of one that is mostly free (not the one being filled). */
  private checkChunk(c: Chunk): void {
    if (c.live === 0) {
      if (c === this.current) this.current = undefined;
      this.dropChunk(c);
      return;
    }
    if (c === this.current || c.live * 2 >= c.u8.length || c.u8.length > this.chunkSize) return;
    // Evacuate. The chunk is no longer counted nor the one being filled, so the placements below
    // cannot pick it; its number is freed only at the end, so no record placed meanwhile shares it.
    this.held -= c.u8.length;
    const i32 = c.i32;
    for (let start = 0; start < c.used; ) {
      const h = start >>> 2;
      const lens = i32[h + H_LENS]!;
      const length = recordLength(lens & 0xffff, lens >>> 16);
      const id = i32[h + H_ID]!;
      if (id >= 0) {
        const from = (c.no << PLACE_BITS) | (start >>> 3);
        const slot = this.slotOf(from);
        const to = this.place(length);
        if (to < 0) {
          // Out of chunk numbers (a cache of many GiB): keep the chunk with what is left in it.
          this.held += c.u8.length;
          return;
        }
        const d = this.chunks[to >>> PLACE_BITS]!;
        d.u8.set(c.u8.subarray(start, start + length), (to & ((1 << PLACE_BITS) - 1)) << 3);
        this.table[slot * 2 + 1] = to;
        this.idPlace[id] = to;
        const f = (i32[h + H_HASH]! & FRONT_MASK) * 2;
        if (this.front[f + 1] === from && this.front[f] !== 0) this.front[f + 1] = to;
        i32[h + H_ID] = -1;
        c.live -= length;
      }
      start += length;
    }
    this.chunks[c.no] = undefined;
    this.freeChunks.push(c.no);
  }

  private dropChunk(c: Chunk): void {
    this.held -= c.u8.length;
    this.chunks[c.no] = undefined;
    this.freeChunks.push(c.no);
  }
}
