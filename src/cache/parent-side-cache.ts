// Parent-side glue: the addresses a parent zone's referral gave for a name server name, kept apart
// from the RRset cache. There the child's authoritative A/AAAA RRset replaces the glue (RFC 2181
// §5.4.1 ranks it higher), which is right for answers, but a resolver whose servers all fail needs
// the parent side's view too (RFC 1034 §4.2.2: the parent's glue and the child's data may
// disagree, and either may be the working one). Unbound keeps the same knowledge as "parent-side"
// entries for its last resort (iter_store_parentside_rrset, iter_lookup_parent_glue_from_cache).
//
// Per NS name (lower-cased key): the addresses from the latest referral glue, each with the glue
// record's TTL clamped into [0, maxTtl]. Per zone: the parent's NS names, stored when the
// resolver asked the parent again after the child's servers failed (Unbound's parent-side NS,
// iter_store_parentside_NS), so that the next failure uses them without asking again.
// Bounded by entry count (lru-cache), expiry kept in the entry itself (DESIGN.md: lru-cache with
// an injected clock needs our own `expiresAt`).
// Pure: the clock is injected.

import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';
import type { Name } from '../wire/name.js';
import { clampTtl } from './ttl-policy.js';

export interface ParentSideCacheOptions {
  readonly clock: Clock;
  /** Bound on the number of NS names kept. Default 10000. */
  readonly maxEntries?: number;
  /** Upper TTL clamp, seconds. Default 86400. */
  readonly maxTtl?: number;
}

interface Entry {
  readonly address: string;
  readonly expiresAt: number;
}

export class ParentSideCache {
  private readonly clock: Clock;
  private readonly maxTtl: number;
  private readonly entries: LRUCache<string, Entry[]>;
  private readonly nsSets: LRUCache<string, { readonly names: readonly Name[]; readonly expiresAt: number }>;

  constructor(options: ParentSideCacheOptions) {
    this.clock = options.clock;
    this.maxTtl = options.maxTtl ?? 86400;
    this.entries = new LRUCache<string, Entry[]>({ max: Math.max(1, options.maxEntries ?? 10000) });
    this.nsSets = new LRUCache({ max: Math.max(1, options.maxEntries ?? 10000) });
  }

  /** Records the parent's NS names for `zone`, for `ttl` seconds. */
  insertNs(zone: Name, names: readonly Name[], ttl: number): void {
    if (names.length === 0) return;
    this.nsSets.set(zone.key, { names: [...names], expiresAt: this.clock.now() + clampTtl(ttl, 0, this.maxTtl) * 1000 });
  }

  /** The parent's NS names for `zone` while they live, else undefined. */
  lookupNs(zone: Name): readonly Name[] | undefined {
    const e = this.nsSets.get(zone.key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= this.clock.now()) {
      this.nsSets.delete(zone.key);
      return undefined;
    }
    return e.names;
  }

  /**
   * Records glue addresses for `name` from one referral, each with its TTL (seconds). They replace
   * what the name had: a referral carries the parent's whole glue RRset for it.
   */
  insert(name: Name, glue: readonly { readonly address: string; readonly ttl: number }[]): void {
    if (glue.length === 0) return;
    const now = this.clock.now();
    const list: Entry[] = [];
    for (const g of glue) {
      if (list.some((e) => e.address === g.address)) continue;
      list.push({ address: g.address, expiresAt: now + clampTtl(g.ttl, 0, this.maxTtl) * 1000 });
    }
    this.entries.set(name.key, list);
  }

  /** The live glue addresses for `name` (empty when none). */
  lookup(name: Name): string[] {
    const list = this.entries.get(name.key);
    if (list === undefined) return [];
    const now = this.clock.now();
    const live = list.filter((e) => e.expiresAt > now);
    if (live.length === 0) this.entries.delete(name.key);
    return live.map((e) => e.address);
  }
}
