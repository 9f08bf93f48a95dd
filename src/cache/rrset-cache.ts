// RRset cache: one entry per (owner, type, class), holding the RRset, its RRSIGs, the security
// status the validator gave it (RFC 4035 §4.3), the RFC 2181 §5.4.1 credibility of the data it
// came from, the expiry time and, for bogus data, the reason (RFC 8914 EDE).
//
// Replacement policy (`admit` below), first rule that applies wins:
//  1. Nothing cached, or the cached entry has expired: store.
//  2. Cached entry bogus: any non-bogus data replaces it; bogus data replaces it only when the
//     RDATA differs, so re-fetching the same bogus data never extends its life (as Unbound).
//  3. Rank: credibility tier (RFC 2181 §5.4.1: additional/glue < authority non-authoritative <
//     answer non-authoritative < authority authoritative < answer authoritative), with validated
//     (secure) data ranking above every unvalidated tier, as Unbound's `rrset_trust_validated`;
//     among secure data the tiers still order. New data of rank >= the cached rank replaces it
//     (RFC 2181 §5.4.1: "data of higher or equal credibility").
//  4. Lower rank: a secure cached RRset receiving identical RDATA (as a set) from unvalidated data
//     of the same or a higher tier keeps its status and signatures and only has its expiry
//     refreshed (still capped by the RRSIG expiration). Anything else is refused — in particular
//     unvalidated data never overwrites a live secure RRset, which is what keeps a spoofed
//     unsigned answer from downgrading validated data.
//
// Expiry: the data TTL clamped into [minTtl, maxTtl]; secure data also capped at the earliest
// RRSIG expiration (RFC 4035 §5.3.3); and at the insert's `notAfter` when the resolver gives one.
// Bogus data lives `bogusTtl` seconds (default 60, Unbound's val-bogus-ttl), never its data TTL. A TTL of zero is not cached (RFC 1035 §3.2.1). The remaining
// TTL is computed at lookup from the injected clock.
//
// Storage: an entry keeps its owner name, RDATAs and RRSIG RDATAs as octets packed into a shared
// ByteArena (byte-arena.ts), not as the decoded objects it was given: those are views into the
// whole upstream message, and a cached RRset held through them kept every message it came from
// alive (measured: ~450 octets per cached name). A lookup hands out views of the packed octets.
// Size is bounded in bytes: the arena's chunks at full size plus a per-entry estimate for the
// entry object, its Map slot and its key. Eviction is CLOCK (second chance), as the answer cache:
// a hit sets a flag; the sweep walks the entries in insertion order, re-queues flagged entries once
// and drops the rest — close to LRU at one property write per hit.
//
// Index: a Map from the owner's case-folded key (Name.key, computed once per Name and cached on
// it) to the few entries of that owner, scanned for (type, class); no string is built per lookup
// or insert. A Set of the entries keeps the CLOCK order (insertion order, re-queue by delete+add),
// the same order the former single Map of (owner, type, class) strings gave.

import type { Clock } from '../core/clock.js';
import { ByteArena, type ArenaChunk, type ArenaSlot } from './byte-arena.js';
import { RRClass, RRType } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import { bytesEqual } from '../wire/record.js';
import { clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type CacheReason, type SignedRRset } from './types.js';
import { clockSweep } from './clock-sweep.js';

/** RFC 2181 §5.4.1 credibility tiers used by the cache, lowest first. */
export const Credibility = {
  /** Additional-section data and glue. */
  additional: 0,
  authorityNonAuthoritative: 1,
  answerNonAuthoritative: 2,
  authorityAuthoritative: 3,
  answerAuthoritative: 4,
} as const;
export type Credibility = (typeof Credibility)[keyof typeof Credibility];

/** Offset that lifts secure data above every unvalidated tier. */
const VALIDATED = 8;

/** The rank the replacement policy compares: validated above every unvalidated tier. */
export function credibilityRank(credibility: Credibility, status: SecurityStatus): number {
  return status === SecurityStatus.secure ? VALIDATED + credibility : credibility;
}

export const InsertOutcome = {
  stored: 'stored',
  /** Identical RDATA under a secure entry: only the expiry moved. */
  refreshed: 'refreshed',
  /** The cached entry outranks the new data (or the TTL was zero). */
  rejected: 'rejected',
} as const;
export type InsertOutcome = (typeof InsertOutcome)[keyof typeof InsertOutcome];

export interface RRsetCacheOptions {
  readonly clock: Clock;
  /** Size bound in bytes (estimated from RDATA lengths plus overhead). Default 32 MiB. */
  readonly maxBytes?: number;
  /** Lower TTL clamp in seconds. Default 0. */
  readonly minTtl?: number;
  /** Upper TTL clamp in seconds. Default 86400 (one day, as Unbound). */
  readonly maxTtl?: number;
  /** Lifetime of bogus entries in seconds. Default 60. */
  readonly bogusTtl?: number;
}

export const RRSET_CACHE_DEFAULTS = {
  maxBytes: 32 * 1024 * 1024,
  minTtl: 0,
  maxTtl: 86400,
  bogusTtl: 60,
} as const;

export interface RRsetInsert extends SignedRRset {
  readonly credibility: Credibility;
  readonly status: SecurityStatus;
  /** For bogus (or indeterminate) data: why. */
  readonly reason?: CacheReason | undefined;
  /**
   * Latest expiry (ms since the epoch), whatever the TTL says: data learnt from a zone's servers
   * lives no longer than the delegation that led to them (the resolver's ghost-domain rule).
   */
  readonly notAfter?: number | undefined;
}

/** A cache hit. `rrset.ttl` is the TTL as received; `ttl` is what is left (serve with it). */
export interface CachedRRset extends SignedRRset {
  readonly status: SecurityStatus;
  readonly credibility: Credibility;
  readonly reason: CacheReason | undefined;
  /** Absolute expiry, ms since the epoch. */
  readonly expiresAt: number;
  /** Remaining TTL in whole seconds at lookup time. */
  readonly ttl: number;
}

/** A live cached RRset as returned by `RRsetCache.handle`: compare by identity. */
export interface RRsetHandle {
  readonly status: SecurityStatus;
}

const NO_SIGS: readonly Uint8Array[] = [];

/** Per-entry estimate besides the packed octets and the key: the entry object and its Map slot. */
const ENTRY_OVERHEAD = 200;

/** A cached RRset: its octets live in the arena (owner wire, then u16-length-prefixed RDATAs, then RRSIGs). */
class Entry implements ArenaSlot {
  chunk!: ArenaChunk;
  start = 0;
  readonly length: number;
  readonly nameLength: number;
  readonly rdataCount: number;
  readonly sigCount: number;
  readonly type: number;
  readonly cls: number;
  readonly ttl: number;
  /** -1 when unknown. */
  readonly rrsigTtl: number;
  readonly status: SecurityStatus;
  readonly credibility: Credibility;
  readonly reason: CacheReason | undefined;
  readonly size: number;
  expiresAt: number;
  /** CLOCK reference flag. */
  hot = false;
  /** The owner's case-folded key (Name.key): the index slot this entry sits in. */
  readonly nameKey: string;

  constructor(data: RRsetInsert, expiresAt: number, nameKey: string) {
    // Size estimate as for a key of the owner plus two code units (rrsetKey), unchanged.
    const keyLength = nameKey.length + 2;
    this.nameKey = nameKey;
    const { rrset, rrsigs } = data;
    let length = rrset.name.wire.length;
    for (const rd of rrset.rdatas) length += 2 + rd.length;
    for (const rd of rrsigs) length += 2 + rd.length;
    this.length = length;
    this.nameLength = rrset.name.wire.length;
    this.rdataCount = rrset.rdatas.length;
    this.sigCount = rrsigs.length;
    this.type = rrset.type;
    this.cls = rrset.class;
    this.ttl = rrset.ttl;
    this.rrsigTtl = data.rrsigTtl ?? -1;
    this.status = data.status;
    this.credibility = data.credibility;
    this.reason = data.reason;
    this.expiresAt = expiresAt;
    this.size = ENTRY_OVERHEAD + keyLength * 2 + (data.reason?.detail.length ?? 0) * 2;
  }

  /** Writes the octets into the placed slot. */
  fill(data: RRsetInsert): void {
    const b = this.chunk.buf;
    let p = this.start;
    b.set(data.rrset.name.wire, p);
    p += this.nameLength;
    for (const list of [data.rrset.rdatas, data.rrsigs]) {
      for (const rd of list) {
        b[p] = rd.length >>> 8;
        b[p + 1] = rd.length & 0xff;
        b.set(rd, p + 2);
        p += 2 + rd.length;
      }
    }
  }

  /** The owner name: `asked` itself when the stored octets are the same (same letter case). */
  owner(asked: Name): Name {
    const b = this.chunk.buf;
    const w = asked.wire;
    const s = this.start;
    if (w.length === this.nameLength) {
      let i = 0;
      while (i < w.length && w[i] === b[s + i]) i++;
      if (i === w.length) return asked;
    }
    return Name.fromWire(b.slice(s, s + this.nameLength));
  }

  /** Views of the stored RDATAs (`sigs` false) or RRSIG RDATAs (`sigs` true). */
  list(sigs: boolean): Uint8Array[] {
    const b = this.chunk.buf;
    let p = this.start + this.nameLength;
    if (sigs) {
      for (let i = 0; i < this.rdataCount; i++) p += 2 + ((b[p]! << 8) | b[p + 1]!);
    }
    const count = sigs ? this.sigCount : this.rdataCount;
    const out = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) {
      const len = (b[p]! << 8) | b[p + 1]!;
      out[i] = b.subarray(p + 2, p + 2 + len);
      p += 2 + len;
    }
    return out;
  }
}

/** The cache key of (owner, type, class): the case-folded owner wire plus two code units. */
export function rrsetKey(name: Name, type: number, cls: number): string {
  return name.key + String.fromCharCode(type, cls);
}

/** True when two RDATA lists hold the same set of octet strings (RFC 2181 §5: order is not data). */
export function sameRdataSet(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  outer: for (const x of a) {
    for (const y of b) if (bytesEqual(x, y)) continue outer;
    return false;
  }
  return true;
}

export class RRsetCache {
  private readonly clock: Clock;
  /** The TTL clamps, seconds (read by the resolver for answers it gives before caching). */
  readonly minTtl: number;
  readonly maxTtl: number;
  private readonly bogusTtl: number;
  private readonly maxBytes: number;
  /** Owner key (Name.key) -> that owner's entries, one per (type, class). */
  private readonly byName = new Map<string, Entry[]>();
  /** Every entry, in CLOCK order. */
  private readonly order = new Set<Entry>();
  private readonly changeListeners: ((key: string) => void)[] = [];
  private readonly arena: ByteArena;
  /** Entry estimates (objects, Map slots, keys); the arena counts the octets. */
  private entryBytes = 0;
  /** DNAME entries held (expired ones included until dropped): none, and no lookup need ask for one. */
  private dnames = 0;

  constructor(options: RRsetCacheOptions) {
    this.clock = options.clock;
    this.minTtl = options.minTtl ?? RRSET_CACHE_DEFAULTS.minTtl;
    this.maxTtl = options.maxTtl ?? RRSET_CACHE_DEFAULTS.maxTtl;
    this.bogusTtl = options.bogusTtl ?? RRSET_CACHE_DEFAULTS.bogusTtl;
    this.maxBytes = options.maxBytes ?? RRSET_CACHE_DEFAULTS.maxBytes;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    this.arena = new ByteArena(Math.min(64 * 1024, Math.max(256, this.maxBytes >>> 6)));
  }

  /** Entries held (expired ones included until touched or evicted). */
  get count(): number {
    return this.order.size;
  }

  /**
   * True when a DNAME RRset may be held: false means every DNAME lookup misses, so a resolver
   * can skip looking for one at each ancestor of a name (most caches never hold any).
   */
  get mayHoldDname(): boolean {
    return this.dnames > 0;
  }

  /** Bytes held: the arena's chunks plus the per-entry estimates. */
  get bytes(): number {
    return this.arena.bytes + this.entryBytes;
  }

  /** Expiry (ms) the policy gives new data stored now. */
  private expiryFor(data: RRsetInsert, now: number): number {
    if (data.status === SecurityStatus.bogus) return now + this.bogusTtl * 1000;
    const ttl = clampTtl(signedTtl(data), this.minTtl, this.maxTtl);
    if (ttl === 0) return now;
    const at = data.notAfter !== undefined && data.notAfter < now + ttl * 1000 ? data.notAfter : now + ttl * 1000;
    if (data.status !== SecurityStatus.secure) return at;
    return Math.min(at, signatureDeadline(data.rrsigs, now));
  }

  /** Offers data to the cache; the replacement policy in the module header decides. */
  insert(data: RRsetInsert): InsertOutcome {
    const now = this.clock.now();
    const { rrset } = data;
    const nameKey = rrset.name.key;
    const expiresAt = this.expiryFor(data, now);
    if (expiresAt <= now) return InsertOutcome.rejected;
    const cached = this.find(nameKey, rrset.type, rrset.class);
    const verdict = cached === undefined ? InsertOutcome.stored : admit(cached, data, now);
    if (verdict === InsertOutcome.rejected) return verdict;
    if (verdict === InsertOutcome.refreshed && cached !== undefined) {
      // Same data, still validated: a new expiry, bounded by the cached signatures.
      const ttl = clampTtl(signedTtl(data), this.minTtl, this.maxTtl);
      cached.expiresAt = Math.min(now + ttl * 1000, signatureDeadline(cached.list(true), now), data.notAfter ?? Infinity);
      cached.hot = true;
      return verdict;
    }
    const entry = new Entry(data, expiresAt, nameKey);
    if (entry.size + entry.length > this.maxBytes) return InsertOutcome.rejected;
    // A live RRset replaced by other data: whatever was built from it is out of date.
    const changed = cached !== undefined && cached.expiresAt > now && this.changeListeners.length > 0 && !sameRdataSet(cached.list(false), rrset.rdatas);
    if (cached !== undefined) this.remove(cached);
    this.arena.place(entry);
    entry.fill(data);
    const list = this.byName.get(nameKey);
    if (list === undefined) this.byName.set(nameKey, [entry]);
    else list.push(entry);
    this.order.add(entry);
    this.entryBytes += entry.size;
    if (entry.type === RRType.DNAME) this.dnames++;
    if (this.bytes > this.maxBytes) this.evict(now);
    if (changed) {
      const key = rrsetKey(rrset.name, rrset.type, rrset.class);
      for (const listener of this.changeListeners) listener(key);
    }
    return InsertOutcome.stored;
  }

  /**
   * Calls `listener` with the RRset's key (rrsetKey) whenever a live RRset is replaced by one with
   * other RDATA, so that caches of whole answers built from it drop them (answer-cache.ts).
   */
  onChange(listener: (key: string) => void): void {
    this.changeListeners.push(listener);
  }

  /** The live entry for (name, type, class), or undefined. Expired entries are dropped here. */
  lookup(name: Name, type: number, cls: number = RRClass.IN): CachedRRset | undefined {
    const e = this.find(name.key, type, cls);
    if (e === undefined) return undefined;
    const now = this.clock.now();
    if (e.expiresAt <= now) {
      this.remove(e);
      return undefined;
    }
    e.hot = true;
    const rrset = { name: e.owner(name), type: e.type, class: e.cls, ttl: e.ttl, rdatas: e.list(false) };
    const rrsigs = e.sigCount === 0 ? NO_SIGS : e.list(true);
    const ttl = remainingTtl(e.expiresAt, now);
    const { status, credibility, reason, expiresAt } = e;
    return e.rrsigTtl < 0
      ? { rrset, rrsigs, status, credibility, reason, expiresAt, ttl }
      : { rrset, rrsigs, status, credibility, reason, expiresAt, ttl, rrsigTtl: e.rrsigTtl };
  }

  /**
   * The live entry for (name, type, class) as an opaque handle, or undefined: a lookup (the entry
   * counts as used, an expired one is dropped) without building the hit. A handle stays the same
   * object for as long as the cache holds the same data: any replacement, expiry, eviction or
   * delete makes the next call return another handle or none, so a result derived from cached
   * RRsets can be reused while the handles it was built from are still returned.
   */
  handle(name: Name, type: number, cls: number = RRClass.IN): RRsetHandle | undefined {
    const e = this.find(name.key, type, cls);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.remove(e);
      return undefined;
    }
    e.hot = true;
    return e;
  }

  /** Views of the RDATAs of a handle's RRset (as `lookup(...).rrset.rdatas`). */
  handleRdatas(h: RRsetHandle): Uint8Array[] {
    if (!(h instanceof Entry)) throw new TypeError('handleRdatas: not a handle of an RRset cache');
    return h.list(false);
  }

  delete(name: Name, type: number, cls: number = RRClass.IN): boolean {
    const e = this.find(name.key, type, cls);
    if (e === undefined) return false;
    this.remove(e);
    return true;
  }

  clear(): void {
    this.byName.clear();
    this.order.clear();
    this.arena.clear();
    this.entryBytes = 0;
    this.dnames = 0;
  }

  /** Drops every expired entry; returns how many went. Call from maintenance, not per query. */
  prune(): number {
    const now = this.clock.now();
    let n = 0;
    for (const e of this.order) {
      if (e.expiresAt <= now) {
        this.remove(e);
        n++;
      }
    }
    return n;
  }

  /** The entry of (owner key, type, class), expired or not. */
  private find(nameKey: string, type: number, cls: number): Entry | undefined {
    const list = this.byName.get(nameKey);
    if (list === undefined) return undefined;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (e.type === type && e.cls === cls) return e;
    }
    return undefined;
  }

  private remove(e: Entry): void {
    const list = this.byName.get(e.nameKey);
    if (list !== undefined) {
      const i = list.indexOf(e);
      if (i >= 0) {
        if (list.length === 1) this.byName.delete(e.nameKey);
        else {
          list[i] = list[list.length - 1]!;
          list.pop();
        }
      }
    }
    this.order.delete(e);
    this.arena.free(e);
    this.entryBytes -= e.size;
    if (e.type === RRType.DNAME) this.dnames--;
  }

  /** CLOCK sweep until the size bound holds again; expired entries go first as they are met. */
  private evict(now: number): void {
    clockSweep(this.order, now, () => this.bytes <= this.maxBytes, (e) => {
      this.remove(e);
    });
  }

}

/** The replacement decision of the module header for a cached entry and new data. */
function admit(cached: Entry, data: RRsetInsert, now: number): InsertOutcome {
  if (cached.expiresAt <= now) return InsertOutcome.stored;
  const same = sameRdataSet(cached.list(false), data.rrset.rdatas);
  if (cached.status === SecurityStatus.bogus) {
    if (data.status !== SecurityStatus.bogus) return InsertOutcome.stored;
    return same ? InsertOutcome.rejected : InsertOutcome.stored;
  }
  if (credibilityRank(data.credibility, data.status) >= credibilityRank(cached.credibility, cached.status)) {
    return InsertOutcome.stored;
  }
  if (
    same &&
    cached.status === SecurityStatus.secure &&
    data.status !== SecurityStatus.bogus &&
    data.credibility >= cached.credibility
  ) {
    return InsertOutcome.refreshed;
  }
  return InsertOutcome.rejected;
}
