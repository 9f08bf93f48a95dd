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
// shift so there are no tombstones) of entries, indexed by the seeded key hash parseQueryKey
// computes while it walks the question (query-key.ts). A hit compares the query's question octets,
// case-folded, with the stored response's question (stored lower-cased) and the key flags octet:
// no key string, no Map. An entry is never placed more than MAX_PROBE slots from its home slot (a
// store that would be is refused), so a lookup reads at most that many slots even if a client
// finds names that collide.
//
// Size is bounded in bytes. Eviction is CLOCK (second chance) over a queue of the entries in the
// order they were stored: a hit sets a flag; the sweep moves flagged live entries to the back with
// the flag cleared and drops the rest, expired ones included — close to LRU, but a hit costs one
// property write. (As clock-sweep.ts does for the RRset cache's entry Set, with the queue standing in for
// the Map's insertion order. Walking the table's slots instead was tried: the hand leaves the slots
// behind it nearly empty and those ahead of it nearly full, and linear probing there degrades.)
// Entries that leave otherwise (expiry, replacement, delete) are skipped when the hand meets them,
// and the queue is compacted once they are the majority, so it stays within twice the entries.
//
// Storage: each entry's octets — the response, then its TTL field offsets (u16) and stored TTLs
// (u32) — are one slot in a ByteArena (byte-arena.ts), not a Buffer and two typed arrays of its
// own (measured: ~240 heap octets per small typed array besides its data). The bound counts the
// arena's chunks at full size plus a per-entry estimate for the entry object and its table slots.
// Slots are padded to 8 octets, so every response starts on a word boundary of its chunk.
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
// RRsetCache.onChange). Only tagged entries pay for the index; the hit path never
// looks at it.
//
// Pure: no clock of its own; callers pass `now` in ms (from the injected Clock), so the server can
// read the clock once per batch of packets.

import { ByteArena, type ArenaChunk, type ArenaSlot } from './byte-arena.js';
import { keyHash, parseQueryKey, QueryInfo } from './query-key.js';
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
 * Per-entry estimate besides the octets: the entry object (~100 octets) and its share of the
 * table (at most 4 slots of 8 octets right after a resize; the table never shrinks, but it only
 * grows with the entry count, which the bound limits).
 */
const ENTRY_OVERHEAD = 136;
/** Farthest an entry may sit from its home slot (linear probing at load <= 1/2 averages ~1.5). */
export const MAX_PROBE = 32;
const MIN_CAPACITY = 16;

/** A stored response: `wireLength` octets of response, then n × u16 TTL offsets, then n × u32 TTLs. */
class Entry implements ArenaSlot {
  /** The arena chunk's octets, kept beside the chunk so a hit reads them with one load less. */
  buf: Uint8Array = NO_OCTETS;
  /** The same chunk as 32-bit words (shared by every entry in the chunk), for the hit's copy. */
  words: Uint32Array = NO_WORDS;
  private home: ArenaChunk | undefined = undefined;
  start = 0;
  readonly length: number;
  /** keyHash of the key; its low bits pick the home slot. */
  readonly hash: number;
  /** Length of the question: QNAME + QTYPE + QCLASS (response octets 12 .. 12 + qlength). */
  readonly qlength: number;
  /** The key's flags octet (KeyFlag). */
  readonly keyFlags: number;
  readonly wireLength: number;
  readonly ttlCount: number;
  /** Milliseconds since the cache's epoch (see AnswerCache.epoch), when stored and when it expires. */
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly secure: boolean;
  readonly size: number;
  /** Elapsed seconds the TTLs in the stored response currently reflect. */
  patched = 0;
  /** CLOCK reference flag. Unreferenced until its first hit: a burst of one-off answers cannot flush the hot set. */
  hot = false;
  get chunk(): ArenaChunk {
    return this.home!;
  }
  /** Set by the arena when it places or moves the entry's octets. */
  set chunk(c: ArenaChunk) {
    this.home = c;
    this.buf = c.buf;
    this.words = wordsOf(c);
  }
  /** Out of the table (its place in the eviction queue is skipped). */
  removed = false;
  /** The invalidation tags it was stored with. */
  tags: readonly string[] | undefined = undefined;

  constructor(hash: number, qlength: number, keyFlags: number, wireLength: number, ttlCount: number, storedAt: number, expiresAt: number, secure: boolean) {
    this.hash = hash;
    this.qlength = qlength;
    this.keyFlags = keyFlags;
    this.wireLength = wireLength;
    this.ttlCount = ttlCount;
    this.length = (wireLength + ttlCount * 6 + 7) & ~7;
    this.storedAt = storedAt;
    this.expiresAt = expiresAt;
    this.secure = secure;
    this.size = ENTRY_OVERHEAD;
  }
}

const NO_OCTETS = new Uint8Array(0);
const NO_WORDS = new Uint32Array(0);
/** Word views of the arena's chunks, made once per chunk (store path only). */
const chunkWords = new WeakMap<ArenaChunk, Uint32Array>();
function wordsOf(c: ArenaChunk): Uint32Array {
  let w = chunkWords.get(c);
  if (w === undefined) {
    // Chunks own their whole ArrayBuffer (byte-arena.ts) and are sized in multiples of 8 here.
    w = new Uint32Array(c.buf.buffer, c.buf.byteOffset, c.buf.length >>> 2);
    chunkWords.set(c, w);
  }
  return w;
}
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
 * Walks a response and finds the TTL field of every record but OPT. Undefined when it is not a
 * cacheable response (not QR, truncated, not exactly one question, malformed, trailing octets).
 */
export function scanResponse(b: Uint8Array): Scan | undefined {
  const n = b.length;
  if (n < 12) return undefined;
  if ((b[2]! & FLAG_QR) === 0 || (b[2]! & FLAG_TC) !== 0) return undefined;
  if (b[4] !== 0 || b[5] !== 1) return undefined;
  const records = ((b[6]! << 8) | b[7]!) + ((b[8]! << 8) | b[9]!) + ((b[10]! << 8) | b[11]!);
  let p = 12;
  // The question must be uncompressed so a query's QNAME can be copied over it.
  while (true) {
    if (p >= n) return undefined;
    const len = b[p]!;
    if (len === 0) break;
    if (len > 63) return undefined;
    p += len + 1;
  }
  p += 5;
  if (p > n) return undefined;
  const offsets: number[] = [];
  const ttls: number[] = [];
  let minTtl = Infinity;
  for (let r = 0; r < records; r++) {
    p = skipName(b, p);
    if (p < 0 || p + 10 > n) return undefined;
    const type = (b[p]! << 8) | b[p + 1]!;
    const rdlen = (b[p + 8]! << 8) | b[p + 9]!;
    if (type !== OPT) {
      let ttl = ((b[p + 4]! << 24) | (b[p + 5]! << 16) | (b[p + 6]! << 8) | b[p + 7]!) >>> 0;
      // RFC 2181 §8: a TTL with the top bit set is treated as zero.
      if (ttl > 0x7fffffff) ttl = 0;
      if (p + 4 > 0xffff) return undefined;
      offsets.push(p + 4);
      ttls.push(ttl);
      if (ttl < minTtl) minTtl = ttl;
    }
    p += 10 + rdlen;
    if (p > n) return undefined;
  }
  if (p !== n) return undefined;
  return { offsets, ttls, minTtl };
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

function writeTtls(e: Entry, elapsed: number): void {
  const b = e.buf;
  const base = e.start;
  const n = e.ttlCount;
  const offs = base + e.wireLength;
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
  e.patched = elapsed;
}

export class AnswerCache {
  /** Open-addressing table: an entry or null per slot; capacity a power of two, at most half full. */
  private slots: (Entry | null)[] = new Array<Entry | null>(MIN_CAPACITY).fill(null);
  /**
   * Each slot's entry hash (keyHash is never 0), 0 for an empty slot: probing reads this dense
   * array and touches an entry only when the hash matches.
   */
  private hashes = new Int32Array(MIN_CAPACITY);
  private mask = MIN_CAPACITY - 1;
  private size = 0;
  /** Eviction queue (storage order; null where the hand has passed) and the hand's position in it. */
  private order: (Entry | null)[] = [];
  private hand = 0;
  /** Removed entries still in `order` past the hand. */
  private dead = 0;
  /** The entries stored with each tag. */
  private readonly tagged = new Map<string, Set<Entry>>();
  private readonly maxBytes: number;
  private readonly maxTtl: number;
  private readonly optionsToSlowPath: boolean;
  private readonly seed: number;
  /**
   * The `now` of the first store: entry times are kept as milliseconds since then, small integers
   * that V8 keeps in the entry itself (a clock reading, ~1.7e12, is a double: a boxed number, one
   * more memory load per read on the hit path). Past ~24 days of uptime they become doubles too;
   * nothing else changes.
   */
  private epoch = NaN;
  private readonly info = new QueryInfo();
  private readonly arena: ByteArena;
  /** Output pool (module comment): its octets, as words, and the next free offset (a multiple of 8). */
  private outPool = NO_OCTETS.buffer;
  private out8 = NO_OCTETS;
  private out32 = NO_WORDS;
  private outPos = OUT_POOL;
  /** Entry estimates (objects and table slots); the arena counts the octets. */
  private entryBytes = 0;
  readonly stats: AnswerCacheStats = { hits: 0, misses: 0, expired: 0, evictions: 0, probeLimit: 0 };

  constructor(options: AnswerCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes;
    this.maxTtl = options.maxTtl ?? ANSWER_CACHE_DEFAULTS.maxTtl;
    this.optionsToSlowPath = options.optionsToSlowPath ?? ANSWER_CACHE_DEFAULTS.optionsToSlowPath;
    this.seed = (options.hashSeed ?? 0) | 0;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    // Multiples of 8 octets, so padded slots keep every response word-aligned.
    this.arena = new ByteArena(Math.min(64 * 1024, Math.max(256, this.maxBytes >>> 6)) & ~7);
  }

  get count(): number {
    return this.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.arena.bytes + this.entryBytes;
  }

  /** Slots in the hash table (for tests of the resize rule). */
  get capacity(): number {
    return this.slots.length;
  }

  /**
   * Stores a ready-to-send response under `key` (from `questionKey`, or `queryKeyString` after
   * `parseQueryKey`). The bytes are copied. Returns false when the response is not cacheable:
   * malformed, truncated, question not matching the key, lifetime zero, larger than the whole
   * cache, or (hash collisions) too far from its home slot.
   */
  store(key: string, response: Uint8Array, now: number, options: AnswerStoreOptions = {}): boolean {
    const scan = scanResponse(response);
    if (scan === undefined || !questionMatchesKey(response, key)) return false;
    const cap = options.recordTtlCap ?? Infinity;
    let ttl = scan.minTtl;
    if (ttl === Infinity) ttl = options.ttl ?? 0;
    else if (options.ttl !== undefined && options.ttl < ttl) ttl = options.ttl;
    if (cap < ttl) ttl = cap;
    if (ttl > this.maxTtl) ttl = this.maxTtl;
    if (!(ttl > 0)) return false;
    const n = scan.offsets.length;
    const hash = keyHash(key, this.seed);
    if (Number.isNaN(this.epoch)) this.epoch = now;
    const t = now - this.epoch;
    const entry = new Entry(hash, key.length - 1, key.charCodeAt(key.length - 1), response.length, n, t, t + ttl * 1000, options.secure ?? false);
    if (entry.size + entry.length > this.maxBytes) return false;
    const old = this.findKey(key, hash);
    if (old >= 0) this.removeAt(old);
    if ((this.size + 1) * 2 > this.slots.length) this.resize(this.slots.length * 2);
    const slot = this.freeSlot(hash);
    if (slot < 0) {
      this.stats.probeLimit++;
      return false;
    }
    this.arena.place(entry);
    const b = entry.buf;
    const base = entry.start;
    b.set(response, base);
    // AD is decided per hit.
    b[base + 3] = b[base + 3]! & ~FLAG_AD;
    // The question is kept case-folded, as the key is; hits copy the query's own case over it.
    for (let i = base + 12, end = base + 12 + entry.qlength - 4; i < end; i++) b[i] = lowerOctet(b[i]!);
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
    this.slots[slot] = entry;
    this.hashes[slot] = hash;
    this.size++;
    this.order.push(entry);
    this.entryBytes += entry.size;
    if (options.tags !== undefined && options.tags.length > 0) entry.tags = options.tags;
    for (const tag of entry.tags ?? []) {
      let set = this.tagged.get(tag);
      if (set === undefined) this.tagged.set(tag, (set = new Set()));
      set.add(entry);
    }
    if (this.bytes > this.maxBytes) this.evict(now, entry);
    return true;
  }

  /**
   * The stored response for `key` with its TTLs counted down to `now`, as a fresh copy (header as
   * stored, AD clear, question lower-cased). Undefined on a miss or once expired.
   */
  lookup(key: string, now: number): Buffer | undefined {
    const i = this.findKey(key, keyHash(key, this.seed));
    const e = i < 0 ? undefined : this.live(i, now);
    if (e === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const out = Buffer.allocUnsafe(e.wireLength);
    out.set(e.buf.subarray(e.start, e.start + e.wireLength));
    return out;
  }

  /**
   * The hit path: raw query bytes in, response bytes out (ID, RD, CD, AD and the question's letter
   * case taken from the query, TTLs counted down). Undefined when the query is not for the fast
   * path, on a miss, or when the response would not fit the requestor's UDP size (`tcp` false).
   */
  respond(query: Uint8Array, now: number, tcp = false): Uint8Array | undefined {
    const info = this.info;
    if (!parseQueryKey(query, info, this.seed)) return undefined;
    if (info.hasOptions && this.optionsToSlowPath) return undefined;
    const i = this.findQuery(query, info);
    const e = i < 0 ? undefined : this.live(i, now);
    if (e === undefined) {
      this.stats.misses++;
      return undefined;
    }
    const len = e.wireLength;
    if (!tcp && len > (info.edns ? info.udpSize : 512)) return undefined;
    const out = this.copyOut(e, len);
    out[0] = query[0]!;
    out[1] = query[1]!;
    const q3 = query[3]!;
    out[2] = (out[2]! & ~FLAG_RD) | (query[2]! & FLAG_RD);
    out[3] = (out[3]! & ~(FLAG_AD | FLAG_CD)) | (q3 & FLAG_CD) | (e.secure && (info.do || (q3 & FLAG_AD) !== 0) ? FLAG_AD : 0);
    for (let k = 13, end = info.qnameEnd; k < end; k++) out[k] = query[k]!;
    return out;
  }

  /** A fresh view holding the entry's first `len` octets (module comment, "Output"). */
  private copyOut(e: Entry, len: number): Uint8Array {
    const padded = (len + 7) & ~7;
    if (padded > OUT_POOL >>> 2) {
      const own = Buffer.allocUnsafe(len);
      own.set(e.buf.subarray(e.start, e.start + len));
      return own;
    }
    let pos = this.outPos;
    if (pos + padded > OUT_POOL) {
      const pool = Buffer.allocUnsafeSlow(OUT_POOL).buffer;
      this.outPool = pool;
      this.out8 = new Uint8Array(pool);
      this.out32 = new Uint32Array(pool);
      pos = 0;
    }
    this.outPos = pos + padded;
    if (len <= WORD_COPY_MAX) {
      const o = this.out32;
      const src = e.words;
      const words = (len + 3) >>> 2;
      // e.start and pos are multiples of 8: the slot is padded, so its last word is inside it.
      for (let k = 0, w = pos >>> 2, j = e.start >>> 2; k < words; k++) o[w + k] = src[j + k]!;
    } else {
      this.out8.set(e.buf.subarray(e.start, e.start + len), pos);
    }
    return new Uint8Array(this.outPool, pos, len);
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
    const set = this.tagged.get(tag);
    if (set === undefined) return 0;
    let n = 0;
    for (const e of [...set]) {
      if (e.removed) continue;
      this.removeAt(this.slotOf(e));
      n++;
    }
    this.tagged.delete(tag);
    return n;
  }

  clear(): void {
    this.tagged.clear();
    this.slots = new Array<Entry | null>(MIN_CAPACITY).fill(null);
    this.hashes = new Int32Array(MIN_CAPACITY);
    this.mask = MIN_CAPACITY - 1;
    this.size = 0;
    this.order = [];
    this.hand = 0;
    this.dead = 0;
    this.arena.clear();
    this.entryBytes = 0;
  }

  /** Drops every expired entry; returns how many went. */
  prune(now: number): number {
    let n = 0;
    const slots = this.slots;
    for (let i = 0; i < slots.length; ) {
      const e = slots[i];
      if (e !== null && e !== undefined && e.expiresAt <= now - this.epoch) {
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

  /** The slot holding the entry for a parsed query, or -1. */
  private findQuery(q: Uint8Array, info: QueryInfo): number {
    const hashes = this.hashes;
    const mask = this.mask;
    const hash = info.hash;
    const qlength = info.qnameEnd + 4 - 12;
    const nameEnd = info.qnameEnd - 12;
    let i = hash & mask;
    for (let d = 0; d <= MAX_PROBE; d++, i = (i + 1) & mask) {
      const h = hashes[i]!;
      if (h === 0) return -1;
      if (h !== hash) continue;
      const e = this.slots[i]!;
      if (e.qlength !== qlength || e.keyFlags !== info.keyFlags) continue;
      const b = e.buf;
      const base = e.start + 12;
      let k = 0;
      for (; k < nameEnd; k++) if (b[base + k] !== lowerOctet(q[12 + k]!)) break;
      if (k < nameEnd) continue;
      for (; k < qlength; k++) if (b[base + k] !== q[12 + k]) break;
      if (k === qlength) return i;
    }
    return -1;
  }

  /** The slot holding the entry for a key string, or -1. */
  private findKey(key: string, hash: number): number {
    const qlength = key.length - 1;
    if (qlength < 5) return -1;
    const keyFlags = key.charCodeAt(qlength);
    const hashes = this.hashes;
    const mask = this.mask;
    let i = hash & mask;
    for (let d = 0; d <= MAX_PROBE; d++, i = (i + 1) & mask) {
      const h = hashes[i]!;
      if (h === 0) return -1;
      if (h !== hash) continue;
      const e = this.slots[i]!;
      if (e.qlength !== qlength || e.keyFlags !== keyFlags) continue;
      const b = e.buf;
      const base = e.start + 12;
      let k = 0;
      for (; k < qlength; k++) if (b[base + k] !== key.charCodeAt(k)) break;
      if (k === qlength) return i;
    }
    return -1;
  }

  /** The first empty slot within MAX_PROBE of the hash's home slot, or -1. */
  private freeSlot(hash: number): number {
    const hashes = this.hashes;
    const mask = this.mask;
    let i = hash & mask;
    for (let d = 0; d <= MAX_PROBE; d++, i = (i + 1) & mask) if (hashes[i] === 0) return i;
    return -1;
  }

  /** Rehashes every entry into a table of `capacity` slots; an entry that no longer fits is dropped. */
  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Array<Entry | null>(capacity).fill(null);
    this.hashes = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (const e of old) {
      if (e === null) continue;
      const i = this.freeSlot(e.hash);
      if (i >= 0) {
        this.slots[i] = e;
        this.hashes[i] = e.hash;
      } else {
        // A larger table spreads clusters out, so this takes colliding hashes beyond MAX_PROBE.
        this.size--;
        this.arena.free(e);
        this.entryBytes -= e.size;
        this.retire(e);
        this.stats.probeLimit++;
      }
    }
  }

  /** The entry in slot i if still live at `now` (TTLs brought up to date, marked referenced); expired ones go. */
  private live(i: number, now: number): Entry | undefined {
    const e = this.slots[i]!;
    const t = now - this.epoch;
    if (t >= e.expiresAt) {
      this.removeAt(i);
      this.stats.expired++;
      return undefined;
    }
    let elapsed = Math.floor((t - e.storedAt) / 1000);
    if (elapsed < 0) elapsed = 0;
    if (elapsed !== e.patched) writeTtls(e, elapsed);
    e.hot = true;
    this.stats.hits++;
    return e;
  }

  /** Removes the entry in slot i for good (it leaves the eviction queue lazily). */
  private removeAt(i: number): void {
    this.retire(this.unlink(i));
  }

  /**
   * Empties slot i, closes the gap by backward shift (Knuth 6.4, algorithm R: each later entry of
   * the cluster whose home slot is not cyclically in (hole, its slot] moves into the hole), frees
   * the entry's octets and returns it.
   */
  private unlink(i: number): Entry {
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    const gone = slots[i]!;
    let hole = i;
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      const h = hashes[j]!;
      if (h === 0) break;
      const home = h & mask;
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (stays) continue;
      slots[hole] = slots[j]!;
      hashes[hole] = h;
      hole = j;
    }
    slots[hole] = null;
    hashes[hole] = 0;
    this.size--;
    this.arena.free(gone);
    this.entryBytes -= gone.size;
    for (const tag of gone.tags ?? []) {
      const set = this.tagged.get(tag);
      set?.delete(gone);
      if (set?.size === 0) this.tagged.delete(tag);
    }
    return gone;
  }

  /** Marks an entry that left the table while still queued; compacts the queue when most of it is dead. */
  private retire(e: Entry): void {
    e.removed = true;
    this.dead++;
    const queued = this.order.length - this.hand;
    if (this.dead > 64 && this.dead * 2 > queued) {
      const live: Entry[] = [];
      for (let k = this.hand; k < this.order.length; k++) {
        const x = this.order[k];
        if (x !== null && x !== undefined && !x.removed) live.push(x);
      }
      this.order = live;
      this.hand = 0;
      this.dead = 0;
    }
  }

  /** The slot of an entry known to be in the table. */
  private slotOf(e: Entry): number {
    const slots = this.slots;
    const mask = this.mask;
    let i = e.hash & mask;
    while (slots[i] !== e) i = (i + 1) & mask;
    return i;
  }

  /**
   * CLOCK sweep until the size bound holds again: expired or unreferenced entries go, referenced
   * ones lose their flag and go to the back. `keep` (the entry just stored) is passed over.
   */
  private evict(now: number, keep: Entry): void {
    const t = now - this.epoch;
    while (this.bytes > this.maxBytes && this.size > 1 && this.hand < this.order.length) {
      const order = this.order;
      const e = order[this.hand];
      order[this.hand++] = null;
      if (e === null || e === undefined) continue;
      if (e.removed) {
        this.dead--;
        continue;
      }
      if (e === keep || (e.hot && e.expiresAt > t)) {
        e.hot = false;
        order.push(e);
      } else {
        this.unlink(this.slotOf(e));
        e.removed = true;
        this.stats.evictions++;
      }
    }
    // The passed-over part of the queue goes once it is half of it.
    if (this.hand > 64 && this.hand * 2 > this.order.length) {
      this.order = this.order.slice(this.hand);
      this.hand = 0;
    }
  }
}
