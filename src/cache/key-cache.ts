// Key cache: what the validator has established about each zone's keys, so the chain of trust
// (RFC 4035 §5) is walked once per TTL and not per query. Per zone (and class) it keeps
// - the DNSKEY result: secure (the validated DNSKEY RRset with its RRSIGs), insecure (the zone is
//   provably unsigned: RFC 4035 §5.2, an NSEC/NSEC3-proven absence of DS at the parent), bogus
//   with the reason (RFC 8914 EDE), or indeterminate;
// - the DS result at the parent side: the validated DS RRset, or the proof that there is none.
// The resolver asks `lookup(zone)` ("what do I know about the keys of zone Z") and
// `closestKnown(name)` (the deepest zone at or above a name whose keys are known, where a chain
// walk can start instead of at the trust anchor).
//
// Expiry: the RRset TTL clamped into [minTtl, maxTtl] (secure data also capped at the RRSIG
// expiration, RFC 4035 §5.3.3); insecure results use the TTL of the proof they rest on (given by
// the caller, e.g. the negative TTL of the DS denial); bogus results live `bogusTtl` seconds
// (as Unbound's key cache keeps "bad keys" briefly, so a broken zone is not revalidated per query).
// The latest result for a zone replaces the earlier one: the resolver fetches keys again only
// when the cached result is gone, so there is nothing to rank.
// Size is bounded in bytes (an estimate per entry), with CLOCK eviction (clock-map.ts).

import type { Clock } from '../core/clock.js';
import { RRClass } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { ancestorKeyStarts } from './canonical-key.js';
import { ClockMap } from './clock-map.js';
import { detachSigned } from './packed-rrsets.js';
import { clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type CacheReason, type SignedRRset } from './types.js';

/** Key results: the security statuses except `unchecked`. */
export type KeyStatus = Exclude<SecurityStatus, 'unchecked'>;

export interface KeyCacheOptions {
  readonly clock: Clock;
  /** Size bound in bytes. Default 4 MiB. */
  readonly maxBytes?: number;
  /** Lower TTL clamp, seconds. Default 0. */
  readonly minTtl?: number;
  /** Upper TTL clamp, seconds. Default 86400. */
  readonly maxTtl?: number;
  /** Lifetime of bogus results, seconds. Default 60. */
  readonly bogusTtl?: number;
}

export const KEY_CACHE_DEFAULTS = {
  maxBytes: 4 * 1024 * 1024,
  minTtl: 0,
  maxTtl: 86400,
  bogusTtl: 60,
} as const;

export interface KeyResultInsert {
  readonly status: KeyStatus;
  /** Secure (or bogus, for diagnostics): the RRset with its RRSIGs. */
  readonly rrset?: SignedRRset | undefined;
  /** For a DS result: the NSEC/NSEC3 records proving there is no DS (insecure delegation). */
  readonly proofs?: readonly SignedRRset[] | undefined;
  readonly reason?: CacheReason | undefined;
  /** TTL in seconds when there is no RRset to take it from (insecure, indeterminate). */
  readonly ttl?: number | undefined;
}

export interface KeyResult {
  readonly status: KeyStatus;
  readonly rrset: SignedRRset | undefined;
  readonly proofs: readonly SignedRRset[];
  readonly reason: CacheReason | undefined;
  readonly expiresAt: number;
  /** Remaining TTL in whole seconds. */
  readonly ttl: number;
}

/** Everything live about one zone's keys. */
export interface ZoneKeyKnowledge {
  readonly zone: Name;
  /** The zone's DNSKEY result. */
  readonly dnskey: KeyResult | undefined;
  /** The DS result for the zone (from its parent). */
  readonly ds: KeyResult | undefined;
}

interface Stored {
  readonly status: KeyStatus;
  readonly rrset: SignedRRset | undefined;
  readonly proofs: readonly SignedRRset[];
  readonly reason: CacheReason | undefined;
  readonly expiresAt: number;
}

interface ZoneEntry {
  readonly zone: Name;
  dnskey: Stored | undefined;
  ds: Stored | undefined;
}

function signedBytes(s: SignedRRset | undefined): number {
  if (s === undefined) return 0;
  let n = 64 + s.rrset.name.length;
  for (const rd of s.rrset.rdatas) n += rd.length + 48;
  for (const rd of s.rrsigs) n += rd.length + 48;
  return n;
}

function storedBytes(s: Stored | undefined): number {
  if (s === undefined) return 0;
  let n = 80 + signedBytes(s.rrset) + (s.reason?.detail.length ?? 0) * 2;
  for (const p of s.proofs) n += signedBytes(p);
  return n;
}

/**
 * The LRU key of a zone's entry: for class IN the name's key itself (the string the Name holds,
 * whose hash V8 keeps once computed: no string is built per lookup), for another class the key
 * and one code unit for the class (never a name's key: nothing follows a name's root octet).
 */
function zoneKey(zone: Name, cls: number): string {
  return cls === RRClass.IN ? zone.key : zone.key + String.fromCharCode(cls);
}

export class KeyCache {
  private readonly clock: Clock;
  private readonly minTtl: number;
  private readonly maxTtl: number;
  private readonly bogusTtl: number;
  private readonly lru: ClockMap<ZoneEntry>;

  constructor(options: KeyCacheOptions) {
    this.clock = options.clock;
    this.minTtl = options.minTtl ?? KEY_CACHE_DEFAULTS.minTtl;
    this.maxTtl = options.maxTtl ?? KEY_CACHE_DEFAULTS.maxTtl;
    this.bogusTtl = options.bogusTtl ?? KEY_CACHE_DEFAULTS.bogusTtl;
    this.lru = new ClockMap<ZoneEntry>(options.maxBytes ?? KEY_CACHE_DEFAULTS.maxBytes, (e, key) => 120 + key.length * 2 + storedBytes(e.dnskey) + storedBytes(e.ds));
  }

  get count(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /** Records the DNSKEY result for `zone`. Returns false when its lifetime would be zero. */
  putKeys(zone: Name, result: KeyResultInsert, cls: number = RRClass.IN): boolean {
    return this.put(zone, cls, result, 'dnskey');
  }

  /** Records the DS result for `zone` (the child zone whose DS it is). */
  putDs(zone: Name, result: KeyResultInsert, cls: number = RRClass.IN): boolean {
    return this.put(zone, cls, result, 'ds');
  }

  /** What is known and live about the keys of `zone`; undefined when nothing is. */
  lookup(zone: Name, cls: number = RRClass.IN): ZoneKeyKnowledge | undefined {
    return this.knowledge(zoneKey(zone, cls), this.clock.now());
  }

  /** `lookup(zone)?.dnskey`, without building the rest of the knowledge. */
  dnskey(zone: Name, cls: number = RRClass.IN): KeyResult | undefined {
    const now = this.clock.now();
    const e = this.live(zoneKey(zone, cls), now);
    return e?.dnskey !== undefined && e.dnskey.expiresAt > now ? view(e.dnskey, now) : undefined;
  }

  /**
   * The statuses of `lookup(zone)?.dnskey` and `lookup(zone)?.ds` (undefined for one not live),
   * without building any result: `which` picks one.
   */
  status(zone: Name, which: 'dnskey' | 'ds', cls: number = RRClass.IN): KeyStatus | undefined {
    const now = this.clock.now();
    const s = this.live(zoneKey(zone, cls), now)?.[which];
    return s !== undefined && s.expiresAt > now ? s.status : undefined;
  }

  /**
   * The deepest zone at or above `name` with a live DNSKEY result: where a chain-of-trust walk
   * for `name` can resume.
   */
  closestKnown(name: Name, cls: number = RRClass.IN): ZoneKeyKnowledge | undefined {
    const now = this.clock.now();
    const key = name.key;
    const tail = cls === RRClass.IN ? '' : String.fromCharCode(cls);
    for (const start of ancestorKeyStarts(key)) {
      const k = start === 0 ? key + tail : key.slice(start) + tail;
      const found = this.knowledge(k, now);
      if (found?.dnskey !== undefined) return found;
    }
    return undefined;
  }

  delete(zone: Name, cls: number = RRClass.IN): boolean {
    return this.lru.delete(zoneKey(zone, cls));
  }

  clear(): void {
    this.lru.clear();
  }

  private put(zone: Name, cls: number, r: KeyResultInsert, which: 'dnskey' | 'ds'): boolean {
    const now = this.clock.now();
    let expiresAt: number;
    if (r.status === SecurityStatus.bogus) {
      expiresAt = now + this.bogusTtl * 1000;
    } else {
      const raw = r.rrset !== undefined ? signedTtl(r.rrset) : (r.ttl ?? 0);
      expiresAt = now + clampTtl(raw, this.minTtl, this.maxTtl) * 1000;
      if (r.status === SecurityStatus.secure) {
        expiresAt = Math.min(expiresAt, signatureDeadline(r.rrset?.rrsigs ?? [], now));
        for (const p of r.proofs ?? []) expiresAt = Math.min(expiresAt, signatureDeadline(p.rrsigs, now));
      }
    }
    if (expiresAt <= now) return false;
    const key = zoneKey(zone, cls);
    // Copies in octets of their own (packed-rrsets.ts): the RRsets given are views into the whole
    // message they came in, which a result kept for a TTL would otherwise keep alive.
    const stored: Stored = {
      status: r.status,
      rrset: r.rrset === undefined ? undefined : detachSigned(r.rrset),
      proofs: (r.proofs ?? []).map(detachSigned),
      reason: r.reason,
      expiresAt,
    };
    const cur = this.lru.get(key);
    const next: ZoneEntry = {
      zone,
      dnskey: cur !== undefined && cur.dnskey !== undefined && cur.dnskey.expiresAt > now ? cur.dnskey : undefined,
      ds: cur !== undefined && cur.ds !== undefined && cur.ds.expiresAt > now ? cur.ds : undefined,
    };
    next[which] = stored;
    // set() again so the map recomputes the entry's size.
    this.lru.set(key, next);
    return true;
  }

  private knowledge(key: string, now: number): ZoneKeyKnowledge | undefined {
    const e = this.live(key, now);
    if (e === undefined) return undefined;
    const dnskey = e.dnskey !== undefined && e.dnskey.expiresAt > now ? view(e.dnskey, now) : undefined;
    const ds = e.ds !== undefined && e.ds.expiresAt > now ? view(e.ds, now) : undefined;
    return { zone: e.zone, dnskey, ds };
  }

  /** The entry of `key` when one of its results is live; an entry with none is dropped. */
  private live(key: string, now: number): ZoneEntry | undefined {
    const e = this.lru.get(key);
    if (e === undefined) return undefined;
    if ((e.dnskey === undefined || e.dnskey.expiresAt <= now) && (e.ds === undefined || e.ds.expiresAt <= now)) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }
}

function view(s: Stored, now: number): KeyResult {
  return {
    status: s.status,
    rrset: s.rrset,
    proofs: s.proofs,
    reason: s.reason,
    expiresAt: s.expiresAt,
    ttl: remainingTtl(s.expiresAt, now),
  };
}
