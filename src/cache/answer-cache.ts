// Message-level answer cache: ready-to-send responses keyed by the question (see query-key.ts),
// so that a cache-hot query costs one parse of the question, one Map lookup, one copy and a few
// octet patches — no message decoding or encoding.
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
// Size is bounded in bytes. Eviction is CLOCK (second chance): a hit sets a flag, eviction walks
// the Map in insertion order, gives flagged entries another round and drops the rest — close to
// LRU, but a hit costs one property write instead of a Map delete and re-insert.
//
// Storage: each entry's octets — the response, then its TTL field offsets (u16) and stored TTLs
// (u32) — are one slot in a ByteArena (byte-arena.ts), not a Buffer and two typed arrays of its
// own (measured: ~240 heap octets per small typed array besides its data). The bound counts the
// arena's chunks at full size plus a per-entry estimate for the entry object, Map slot and key.
//
// Invalidation: an entry may be stored with a tag (the zone whose SOA a negative answer shows);
// `invalidate(tag)` drops every entry stored with it, when the data it was built from changes
// (NegativeCache.onZoneSoaChange). Only tagged entries pay for the index; the hit path never
// looks at it.
//
// Pure: no clock of its own; callers pass `now` in ms (from the injected Clock), so the server can
// read the clock once per batch of packets.

import { ByteArena, type ArenaChunk, type ArenaSlot } from './byte-arena.js';
import { parseQueryKey, QueryInfo } from './query-key.js';
import { clockSweep } from './clock-sweep.js';

export interface AnswerCacheOptions {
  /** Size bound in bytes (responses plus bookkeeping). Default 16 MiB. */
  readonly maxBytes?: number;
  /** Upper bound on an entry's lifetime in seconds. Default 86400. */
  readonly maxTtl?: number;
  /** Treat queries whose OPT carries options (cookies...) as misses. Default false. */
  readonly optionsToSlowPath?: boolean;
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
  /** Dropped by `invalidate(tag)` (module comment). */
  readonly tag?: string | undefined;
}

export interface AnswerCacheStats {
  hits: number;
  misses: number;
  expired: number;
  evictions: number;
}

/** Per-entry estimate besides the octets and the key: the entry object and its Map slot. */
const ENTRY_OVERHEAD = 160;

/** A stored response: `wireLength` octets of response, then n × u16 TTL offsets, then n × u32 TTLs. */
class Entry implements ArenaSlot {
  chunk!: ArenaChunk;
  start = 0;
  readonly length: number;
  readonly wireLength: number;
  readonly ttlCount: number;
  readonly storedAt: number;
  readonly expiresAt: number;
  readonly secure: boolean;
  readonly size: number;
  /** Elapsed seconds the TTLs in the stored response currently reflect. */
  patched = 0;
  /** CLOCK reference flag. Unreferenced until its first hit: a burst of one-off answers cannot flush the hot set. */
  hot = false;
  /** The invalidation tag it was stored with. */
  tag: string | undefined = undefined;

  constructor(wireLength: number, ttlCount: number, storedAt: number, expiresAt: number, secure: boolean, keyLength: number) {
    this.wireLength = wireLength;
    this.ttlCount = ttlCount;
    this.length = wireLength + ttlCount * 6;
    this.storedAt = storedAt;
    this.expiresAt = expiresAt;
    this.secure = secure;
    this.size = ENTRY_OVERHEAD + keyLength * 2;
  }
}

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
  const b = e.chunk.buf;
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
  private readonly map = new Map<string, Entry>();
  private readonly maxBytes: number;
  private readonly maxTtl: number;
  private readonly optionsToSlowPath: boolean;
  private readonly info = new QueryInfo();
  private readonly arena: ByteArena;
  /** Entry estimates (objects, Map slots, keys); the arena counts the octets. */
  private entryBytes = 0;
  /** Keys of the entries stored with each tag. */
  private readonly tagged = new Map<string, Set<string>>();
  readonly stats: AnswerCacheStats = { hits: 0, misses: 0, expired: 0, evictions: 0 };

  constructor(options: AnswerCacheOptions = {}) {
    this.maxBytes = options.maxBytes ?? ANSWER_CACHE_DEFAULTS.maxBytes;
    this.maxTtl = options.maxTtl ?? ANSWER_CACHE_DEFAULTS.maxTtl;
    this.optionsToSlowPath = options.optionsToSlowPath ?? ANSWER_CACHE_DEFAULTS.optionsToSlowPath;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    this.arena = new ByteArena(Math.min(64 * 1024, Math.max(256, this.maxBytes >>> 6)));
  }

  get count(): number {
    return this.map.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.arena.bytes + this.entryBytes;
  }

  /**
   * Stores a ready-to-send response under `key` (from `parseQueryKey` or `questionKey`). The bytes
   * are copied. Returns false when the response is not cacheable: malformed, truncated, question
   * not matching the key, lifetime zero, or larger than the whole cache.
   */
  store(key: string, response: Uint8Array, now: number, options: AnswerStoreOptions = {}): boolean {
    const scan = scanResponse(response);
    if (scan === undefined || !questionMatchesKey(response, key)) return false;
    let ttl = scan.minTtl;
    if (ttl === Infinity) ttl = options.ttl ?? 0;
    else if (options.ttl !== undefined && options.ttl < ttl) ttl = options.ttl;
    if (ttl > this.maxTtl) ttl = this.maxTtl;
    if (!(ttl > 0)) return false;
    const n = scan.offsets.length;
    const entry = new Entry(response.length, n, now, now + ttl * 1000, options.secure ?? false, key.length);
    if (entry.size + entry.length > this.maxBytes) return false;
    const old = this.map.get(key);
    if (old !== undefined) this.remove(key, old);
    this.arena.place(entry);
    const b = entry.chunk.buf;
    const base = entry.start;
    b.set(response, base);
    // AD is decided per hit.
    b[base + 3] = b[base + 3]! & ~FLAG_AD;
    const offs = base + response.length;
    const ttls = offs + n * 2;
    for (let i = 0; i < n; i++) {
      const o = scan.offsets[i]!;
      const t = scan.ttls[i]!;
      b[offs + i * 2] = o >>> 8;
      b[offs + i * 2 + 1] = o & 0xff;
      b[ttls + i * 4] = t >>> 24;
      b[ttls + i * 4 + 1] = (t >>> 16) & 0xff;
      b[ttls + i * 4 + 2] = (t >>> 8) & 0xff;
      b[ttls + i * 4 + 3] = t & 0xff;
    }
    this.map.set(key, entry);
    this.entryBytes += entry.size;
    if (options.tag !== undefined) {
      entry.tag = options.tag;
      let keys = this.tagged.get(options.tag);
      if (keys === undefined) this.tagged.set(options.tag, (keys = new Set()));
      keys.add(key);
    }
    if (this.bytes > this.maxBytes) this.evict(now);
    return true;
  }

  /**
   * The stored response for `key` with its TTLs counted down to `now`, as a fresh copy (header as
   * stored, AD clear). Undefined on a miss or once expired.
   */
  lookup(key: string, now: number): Buffer | undefined {
    const e = this.live(key, now);
    if (e === undefined) return undefined;
    const out = Buffer.allocUnsafe(e.wireLength);
    out.set(e.chunk.buf.subarray(e.start, e.start + e.wireLength));
    return out;
  }

  /**
   * The hit path: raw query bytes in, response bytes out (ID, RD, CD, AD and the question's letter
   * case taken from the query, TTLs counted down). Undefined when the query is not for the fast
   * path, on a miss, or when the response would not fit the requestor's UDP size (`tcp` false).
   */
  respond(query: Uint8Array, now: number, tcp = false): Buffer | undefined {
    const info = this.info;
    if (!parseQueryKey(query, info)) return undefined;
    if (info.hasOptions && this.optionsToSlowPath) return undefined;
    const e = this.live(info.key, now);
    if (e === undefined) return undefined;
    const len = e.wireLength;
    if (!tcp && len > (info.edns ? info.udpSize : 512)) return undefined;
    const out = Buffer.allocUnsafe(len);
    // A plain loop: TypedArray#set would need a subarray view (an allocation) of the arena chunk.
    const b = e.chunk.buf;
    for (let i = 0, j = e.start; i < len; i++, j++) out[i] = b[j]!;
    out[0] = query[0]!;
    out[1] = query[1]!;
    const q3 = query[3]!;
    out[2] = (out[2]! & ~FLAG_RD) | (query[2]! & FLAG_RD);
    out[3] = (out[3]! & ~(FLAG_AD | FLAG_CD)) | (q3 & FLAG_CD) | (e.secure && (info.do || (q3 & FLAG_AD) !== 0) ? FLAG_AD : 0);
    for (let i = 13, end = info.qnameEnd; i < end; i++) out[i] = query[i]!;
    return out;
  }

  /** The QueryInfo of the last `respond` call (valid until the next one). */
  get lastQuery(): Readonly<QueryInfo> {
    return this.info;
  }

  delete(key: string): boolean {
    const e = this.map.get(key);
    if (e === undefined) return false;
    this.remove(key, e);
    return true;
  }

  /** Drops every entry stored with `tag`; returns how many went. */
  invalidate(tag: string): number {
    const keys = this.tagged.get(tag);
    if (keys === undefined) return 0;
    let n = 0;
    for (const key of [...keys]) {
      const e = this.map.get(key);
      if (e === undefined) continue;
      this.remove(key, e);
      n++;
    }
    this.tagged.delete(tag);
    return n;
  }

  clear(): void {
    this.tagged.clear();
    this.map.clear();
    this.arena.clear();
    this.entryBytes = 0;
  }

  /** Drops every expired entry; returns how many went. */
  prune(now: number): number {
    let n = 0;
    for (const [key, e] of this.map) {
      if (e.expiresAt <= now) {
        this.remove(key, e);
        n++;
      }
    }
    return n;
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.map.get(key);
    if (e === undefined) {
      this.stats.misses++;
      return undefined;
    }
    if (now >= e.expiresAt) {
      this.remove(key, e);
      this.stats.expired++;
      this.stats.misses++;
      return undefined;
    }
    let elapsed = Math.floor((now - e.storedAt) / 1000);
    if (elapsed < 0) elapsed = 0;
    if (elapsed !== e.patched) writeTtls(e, elapsed);
    e.hot = true;
    this.stats.hits++;
    return e;
  }

  private remove(key: string, e: Entry): void {
    if (e.tag !== undefined) {
      const keys = this.tagged.get(e.tag);
      keys?.delete(key);
      if (keys?.size === 0) this.tagged.delete(e.tag);
    }
    this.map.delete(key);
    this.arena.free(e);
    this.entryBytes -= e.size;
  }

  /** CLOCK sweep until the size bound holds again; expired entries go first as they are met. */
  private evict(now: number): void {
    clockSweep(this.map, now, () => this.bytes <= this.maxBytes, (key, e) => {
      this.remove(key, e);
      this.stats.evictions++;
    });
  }

}
