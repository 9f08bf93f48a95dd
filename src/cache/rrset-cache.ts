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
// RRSIG expiration (RFC 4035 §5.3.3). Bogus data lives `bogusTtl` seconds (default 60, Unbound's
// val-bogus-ttl), never its data TTL. A TTL of zero is not cached (RFC 1035 §3.2.1). The remaining
// TTL is computed at lookup from the injected clock. Size is bounded in bytes (lru-cache maxSize;
// lru-cache is used for the size bound and recency only, expiry is ours).

import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';
import { RRClass } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { bytesEqual, type RRset } from '../wire/record.js';
import { clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type CacheReason, type SignedRRset } from './types.js';

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

interface Entry {
  readonly rrset: RRset;
  readonly rrsigs: readonly Uint8Array[];
  readonly status: SecurityStatus;
  readonly credibility: Credibility;
  readonly reason: CacheReason | undefined;
  expiresAt: number;
}

/** Per-entry bookkeeping estimate: Map slot, entry object, RRset object, arrays. */
const ENTRY_OVERHEAD = 200;
/** Per-RDATA estimate: the Uint8Array object and its backing store header. */
const RDATA_OVERHEAD = 48;

function entrySize(e: Entry, key: string): number {
  let n = ENTRY_OVERHEAD + key.length * 2 + e.rrset.name.length + (e.reason?.detail.length ?? 0) * 2;
  for (const rd of e.rrset.rdatas) n += rd.length + RDATA_OVERHEAD;
  for (const rd of e.rrsigs) n += rd.length + RDATA_OVERHEAD;
  return n;
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
  private readonly lru: LRUCache<string, Entry>;

  constructor(options: RRsetCacheOptions) {
    this.clock = options.clock;
    this.minTtl = options.minTtl ?? RRSET_CACHE_DEFAULTS.minTtl;
    this.maxTtl = options.maxTtl ?? RRSET_CACHE_DEFAULTS.maxTtl;
    this.bogusTtl = options.bogusTtl ?? RRSET_CACHE_DEFAULTS.bogusTtl;
    this.lru = new LRUCache<string, Entry>({
      maxSize: options.maxBytes ?? RRSET_CACHE_DEFAULTS.maxBytes,
      sizeCalculation: entrySize,
    });
  }

  /** Entries held (expired ones included until touched or evicted). */
  get count(): number {
    return this.lru.size;
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Expiry (ms) the policy gives new data stored now. */
  private expiryFor(data: RRsetInsert, now: number): number {
    if (data.status === SecurityStatus.bogus) return now + this.bogusTtl * 1000;
    const ttl = clampTtl(signedTtl(data), this.minTtl, this.maxTtl);
    if (ttl === 0) return now;
    const at = now + ttl * 1000;
    if (data.status !== SecurityStatus.secure) return at;
    return Math.min(at, signatureDeadline(data.rrsigs, now));
  }

  /** Offers data to the cache; the replacement policy in the module header decides. */
  insert(data: RRsetInsert): InsertOutcome {
    const now = this.clock.now();
    const { rrset } = data;
    const key = rrsetKey(rrset.name, rrset.type, rrset.class);
    const expiresAt = this.expiryFor(data, now);
    if (expiresAt <= now) return InsertOutcome.rejected;
    const cached = this.lru.peek(key);
    const verdict = cached === undefined ? InsertOutcome.stored : admit(cached, data, now);
    if (verdict === InsertOutcome.rejected) return verdict;
    if (verdict === InsertOutcome.refreshed && cached !== undefined) {
      // Same data, still validated: a new expiry, bounded by the cached signatures.
      const ttl = clampTtl(signedTtl(data), this.minTtl, this.maxTtl);
      cached.expiresAt = Math.min(now + ttl * 1000, signatureDeadline(cached.rrsigs, now));
      this.lru.get(key);
      return verdict;
    }
    this.lru.set(key, {
      rrset,
      rrsigs: data.rrsigs,
      status: data.status,
      credibility: data.credibility,
      reason: data.reason,
      expiresAt,
    });
    return InsertOutcome.stored;
  }

  /** The live entry for (name, type, class), or undefined. Expired entries are dropped here. */
  lookup(name: Name, type: number, cls: number = RRClass.IN): CachedRRset | undefined {
    const key = rrsetKey(name, type, cls);
    const e = this.lru.get(key);
    if (e === undefined) return undefined;
    const now = this.clock.now();
    if (e.expiresAt <= now) {
      this.lru.delete(key);
      return undefined;
    }
    return {
      rrset: e.rrset,
      rrsigs: e.rrsigs,
      status: e.status,
      credibility: e.credibility,
      reason: e.reason,
      expiresAt: e.expiresAt,
      ttl: remainingTtl(e.expiresAt, now),
    };
  }

  delete(name: Name, type: number, cls: number = RRClass.IN): boolean {
    return this.lru.delete(rrsetKey(name, type, cls));
  }

  clear(): void {
    this.lru.clear();
  }

  /** Drops every expired entry; returns how many went. Call from maintenance, not per query. */
  prune(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [key, e] of this.lru.entries()) {
      if (e.expiresAt <= now) {
        this.lru.delete(key);
        n++;
      }
    }
    return n;
  }
}

/** The replacement decision of the module header for a cached entry and new data. */
function admit(cached: Entry, data: RRsetInsert, now: number): InsertOutcome {
  if (cached.expiresAt <= now) return InsertOutcome.stored;
  const same = sameRdataSet(cached.rrset.rdatas, data.rrset.rdatas);
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
