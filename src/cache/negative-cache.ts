// Negative cache (RFC 2308): NXDOMAIN entries per (name, class), which deny every type at that
// name (RFC 2308 §5), and NODATA entries per (name, type, class). Each keeps what a response
// needs to be rebuilt from it: the SOA with its RRSIGs and the denial proof (NSEC/NSEC3 RRsets with
// their RRSIGs, RFC 4035 §3.1.3), plus the security status and, when bogus, the reason.
//
// TTL (RFC 2308 §5, as restated by RFC 9077 §3): min(SOA TTL, SOA MINIMUM), and no longer than any
// proof record it will be served with; then clamped into [minNegativeTtl, maxNegativeTtl]
// (default max 3600 s, as Unbound's cache-max-negative-ttl and BIND's max-ncache-ttl). Bogus
// entries live `bogusTtl` seconds. A negative answer without an SOA has no negative TTL; RFC 2308
// §5 advises against caching it at all, because two servers could hand it back and forth forever.
// Like Unbound (NORR_TTL, 5 s) and Knot Resolver (its 5 s minimum TTL), it is kept `noSoaTtl`
// seconds (default 5; 0 follows RFC 2308 §5 to the letter): short enough that no loop lives on, and
// long enough that a burst of queries for a name that does not exist (the NXNS pattern, one name
// server name after another) is answered from the cache.
//
// Names below a secure NXDOMAIN: RFC 8020 §2 says nothing exists under a name that does not
// exist. With `belowNxdomain` (default on, as Unbound's harden-below-nxdomain) a lookup also
// finds a secure NXDOMAIN entry for an ancestor; the ancestor's denial proof covers the
// descendant too (its closest encloser and wildcard are the same), so the entry can be served.
// Only secure entries are used that way (RFC 8020 §4: resolvers may limit it to DNSSEC-signed data).
//
// The zone's newest SOA: each negative answer that carries an SOA also records it as its zone's
// latest SOA. An entry stored before that record shows the newer SOA, with what is left of the
// newer one's negative TTL, while the entry keeps its own expiry: RFC 2308 §5 ties a negative
// answer to the SOA it came with only through the TTL, and the zone's current SOA (serial, timers)
// is what a client asking later should see. This is Unbound's message cache, whose entries point
// into the RRset cache and so show the zone's current SOA RRset. A secure entry shows only a
// secure newer SOA, and an entry of another status only one of its own status or a secure one. A
// different SOA (or a different status) replaces the record; the same SOA again does not (its
// countdown goes on). Every replacement is announced to `onZoneSoaChange` listeners, so that
// caches of whole answers built from the old one (answer-cache.ts) drop them.
//
// Storage: an entry keeps the denied name, SOA, proofs and NS RRsets as octets packed into a shared
// SlotArena (packed-rrsets.ts layout), not as the decoded objects it was given: those are views
// into the whole upstream message, so each entry kept its message alive along with a few dozen
// objects for the garbage collector to mark. A lookup decodes fresh views of the packed octets. The
// size charged against the bound is the same estimate as before (the bound admits the same entries).

import { LRUCache } from 'lru-cache';
import type { Clock } from '../core/clock.js';
import { RRClass } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import { SlotArena } from './slot-arena.js';
import { ancestorKeyStarts } from './canonical-key.js';
import { detachSigned, packedLength, packSigned, unpackSigned } from './packed-rrsets.js';
import { agedCopy, clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type CacheReason, type SignedRRset } from './types.js';

export const NegativeKind = {
  nxdomain: 'nxdomain',
  nodata: 'nodata',
} as const;
export type NegativeKind = (typeof NegativeKind)[keyof typeof NegativeKind];

export interface NegativeCacheOptions {
  readonly clock: Clock;
  /** Size bound in bytes. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Lower clamp for negative TTLs, seconds. Default 0. */
  readonly minNegativeTtl?: number;
  /** Upper clamp for negative TTLs, seconds. Default 3600. */
  readonly maxNegativeTtl?: number;
  /** Lifetime of bogus entries in seconds. Default 60. */
  readonly bogusTtl?: number;
  /** Serve a secure NXDOMAIN for the names below it (RFC 8020). Default true. */
  readonly belowNxdomain?: boolean;
  /** Seconds a negative answer without an SOA is kept (then clamped like the others). Default 5. */
  readonly noSoaTtl?: number;
  /** Zones whose newest SOA is remembered (least recently used go first). Default 10000. */
  readonly maxZones?: number;
}

export const NEGATIVE_CACHE_DEFAULTS = {
  maxBytes: 8 * 1024 * 1024,
  minNegativeTtl: 0,
  maxNegativeTtl: 3600,
  bogusTtl: 60,
  belowNxdomain: true,
  noSoaTtl: 5,
  maxZones: 10_000,
} as const;

export interface NegativeInsert {
  readonly kind: NegativeKind;
  /** The name denied (for NXDOMAIN, the last name of the CNAME chain that does not exist). */
  readonly name: Name;
  /** The type denied; ignored for NXDOMAIN. */
  readonly type: number;
  readonly class: number;
  /** The zone's SOA from the authority section, with its RRSIGs; undefined when it had none. */
  readonly soa: SignedRRset | undefined;
  /** NSEC/NSEC3 RRsets with their RRSIGs proving the denial. */
  readonly proofs?: readonly SignedRRset[] | undefined;
  readonly status: SecurityStatus;
  readonly reason?: CacheReason | undefined;
  /** The server put its NSEC/NSEC3 before the SOA (kept for the answer's record order). */
  readonly soaLast?: boolean | undefined;
  /** The NS RRsets beside the SOA and their addresses, when the answer is to carry them. */
  readonly extra?: NegativeExtra | undefined;
}

/** NS RRsets the authoritative server gave with a negative answer, and their addresses. */
export interface NegativeExtra {
  readonly authority: readonly SignedRRset[];
  readonly additional: readonly SignedRRset[];
}

export interface CachedNegative {
  readonly kind: NegativeKind;
  /** The name the entry was stored for (an ancestor of the query name when inferred). */
  readonly name: Name;
  readonly type: number;
  readonly soa: SignedRRset | undefined;
  readonly proofs: readonly SignedRRset[];
  readonly status: SecurityStatus;
  readonly reason: CacheReason | undefined;
  readonly expiresAt: number;
  /**
   * Remaining TTL in whole seconds of the SOA served (RFC 2308 §5): the entry's own, or the zone's
   * newer SOA's when it shows that one (module comment).
   */
  readonly ttl: number;
  /** Whole seconds the entry itself lives on (its own expiry, whatever SOA it shows). */
  readonly life: number;
  readonly extra: NegativeExtra | undefined;
  /** True when the entry is an ancestor's NXDOMAIN applied to a name below it (RFC 8020). */
  readonly inferred: boolean;
  /** The server put its NSEC/NSEC3 before the SOA. */
  readonly soaLast: boolean;
}

/** What an entry holds besides its octets, unpacked for a lookup. */
interface Unpacked {
  readonly name: Name;
  readonly soa: SignedRRset | undefined;
  readonly proofs: readonly SignedRRset[];
  readonly extra: NegativeExtra | undefined;
}

/**
 * A cached negative answer. Its octets (in the arena): the denied name's wire form, a flags octet
 * (1: has an SOA, 2: has extra NS data), u16 counts of proofs, authority and additional RRsets,
 * then the SOA, the proofs, the authority and the additional RRsets, each packed (packed-rrsets.ts).
 */
class Entry {
  /** Its slot in the cache's arena (a number the cache hands out and takes back). */
  readonly slot: number;
  readonly length: number;
  readonly kind: NegativeKind;
  readonly type: number;
  readonly status: SecurityStatus;
  readonly reason: CacheReason | undefined;
  readonly expiresAt: number;
  /** When it was stored (ms): the proofs' own TTLs count down from here. */
  readonly storedAt: number;
  readonly soaLast: boolean;
  /** The denied name's key (Name.key, the string the `names` index holds too) and label count. */
  readonly nameKey: string;
  readonly labelCount: number;
  /** The size charged against the bound (entrySize). */
  readonly size: number;

  constructor(slot: number, data: NegativeInsert, type: number, proofs: readonly SignedRRset[], expiresAt: number, now: number, size: number) {
    this.slot = slot;
    this.kind = data.kind;
    this.type = type;
    this.status = data.status;
    this.reason = data.reason;
    this.expiresAt = expiresAt;
    this.storedAt = now;
    this.soaLast = data.soaLast === true;
    this.nameKey = data.name.key;
    this.labelCount = data.name.labelCount;
    this.size = size;
    let n = data.name.wire.length + 7;
    if (data.soa !== undefined) n += packedLength(data.soa);
    for (const p of proofs) n += packedLength(p);
    if (data.extra !== undefined) for (const x of [...data.extra.authority, ...data.extra.additional]) n += packedLength(x);
    this.length = n;
  }

  /** Writes the octets into the placed slot (`b` from `p` on: the arena's buf and start of it). */
  fill(b: Uint8Array, p: number, data: NegativeInsert, proofs: readonly SignedRRset[]): void {
    b.set(data.name.wire, p);
    p += data.name.wire.length;
    const { soa, extra } = data;
    b[p] = (soa === undefined ? 0 : 1) | (extra === undefined ? 0 : 2);
    const authority = extra?.authority ?? [];
    const additional = extra?.additional ?? [];
    for (const [i, count] of [proofs.length, authority.length, additional.length].entries()) {
      b[p + 1 + 2 * i] = count >>> 8;
      b[p + 2 + 2 * i] = count & 0xff;
    }
    p += 7;
    if (soa !== undefined) p = packSigned(b, p, soa);
    for (const list of [proofs, authority, additional]) for (const s of list) p = packSigned(b, p, s);
  }

  /** The name, SOA, proofs and extra RRsets, as fresh views of the packed octets. */
  unpack(b: Uint8Array, p: number): Unpacked {
    let end = p;
    while (b[end] !== 0) end += b[end]! + 1;
    const name = Name.fromWire(b.subarray(p, end + 1));
    p = end + 1;
    const flags = b[p]!;
    const counts = [0, 1, 2].map((i) => (b[p + 1 + 2 * i]! << 8) | b[p + 2 + 2 * i]!);
    p += 7;
    let soa: SignedRRset | undefined;
    if ((flags & 1) !== 0) [soa, p] = unpackSigned(b, p);
    const lists: SignedRRset[][] = [];
    for (const count of counts) {
      const list: SignedRRset[] = [];
      for (let i = 0; i < count; i++) {
        let s: SignedRRset;
        [s, p] = unpackSigned(b, p);
        list.push(s);
      }
      lists.push(list);
    }
    const extra = (flags & 2) !== 0 ? { authority: lists[1]!, additional: lists[2]! } : undefined;
    return { name, soa, proofs: lists[0]!, extra };
  }
}

/** The newest SOA seen for a zone in a negative answer (module comment). */
interface ZoneSoa {
  readonly soa: SignedRRset;
  readonly status: SecurityStatus;
  readonly storedAt: number;
  readonly expiresAt: number;
}

function sameSoa(x: SignedRRset, y: SignedRRset): boolean {
  const a = x.rrset.rdatas[0];
  const b = y.rrset.rdatas[0];
  if (a === undefined || b === undefined || a.length !== b.length || x.rrset.ttl !== y.rrset.ttl) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The MINIMUM field of an SOA RDATA: its last four octets (RFC 1035 §3.3.13). */
export function soaMinimum(rdata: Uint8Array): number | undefined {
  // Two names (at least one octet each) and five 32-bit fields.
  if (rdata.length < 22) return undefined;
  const p = rdata.length - 4;
  return ((rdata[p]! << 24) | (rdata[p + 1]! << 16) | (rdata[p + 2]! << 8) | rdata[p + 3]!) >>> 0;
}

/**
 * The negative TTL of RFC 2308 §5 before clamping: min(SOA TTL, SOA MINIMUM), lowered to the TTL of
 * any proof RRset (RFC 9077 §3: the denial must not outlive the records that prove it).
 */
export function negativeTtl(soa: SignedRRset, proofs: readonly SignedRRset[] = []): number {
  let ttl = signedTtl(soa);
  const rd = soa.rrset.rdatas[0];
  const min = rd === undefined ? undefined : soaMinimum(rd);
  if (min !== undefined && min < ttl) ttl = min;
  for (const p of proofs) {
    const t = signedTtl(p);
    if (t < ttl) ttl = t;
  }
  return ttl;
}

const NXDOMAIN_TYPE = 0;

function negKey(nameKey: string, type: number, cls: number): string {
  return nameKey + String.fromCharCode(type, cls);
}

function signedBytes(s: SignedRRset): number {
  let n = 64 + s.rrset.name.length;
  for (const rd of s.rrset.rdatas) n += rd.length + 48;
  for (const rd of s.rrsigs) n += rd.length + 48;
  return n;
}

/** The size an entry is charged: an estimate of the decoded objects it once held (kept, so the bound admits the same entries). */
function entrySize(data: NegativeInsert, proofs: readonly SignedRRset[], key: string): number {
  let n = 200 + key.length * 2 + (data.soa === undefined ? 0 : signedBytes(data.soa)) + (data.reason?.detail.length ?? 0) * 2;
  for (const p of proofs) n += signedBytes(p);
  if (data.extra !== undefined) for (const s of [...data.extra.authority, ...data.extra.additional]) n += signedBytes(s);
  return n;
}

export class NegativeCache {
  private readonly clock: Clock;
  /** The TTL clamps, seconds (read by the resolver for answers it gives before caching). */
  readonly minTtl: number;
  readonly maxTtl: number;
  private readonly bogusTtl: number;
  private readonly belowNxdomain: boolean;
  private readonly noSoaTtl: number;
  private readonly lru: LRUCache<string, Entry>;
  private readonly zones: LRUCache<string, ZoneSoa>;
  private readonly soaListeners: ((zone: Name) => void)[] = [];
  /**
   * Secure NXDOMAIN entries held, per label count of their name: a lookup asks for an ancestor's
   * NXDOMAIN (RFC 8020) only at label counts where one may be held, not once per ancestor.
   */
  private readonly secureNx = new Uint32Array(128);
  /** Entries held per name key: a lookup for a name with none asks the LRU nothing. */
  private readonly names = new Map<string, number>();
  /** The entries' packed octets. */
  private readonly arena: SlotArena;
  /** Arena slot numbers: handed out below `slotTop`, freed ones kept for reuse. */
  private readonly freeSlots: number[] = [];
  private slotTop = 0;
  private arenaCapacity = 0;

  constructor(options: NegativeCacheOptions) {
    this.clock = options.clock;
    this.minTtl = options.minNegativeTtl ?? NEGATIVE_CACHE_DEFAULTS.minNegativeTtl;
    this.maxTtl = options.maxNegativeTtl ?? NEGATIVE_CACHE_DEFAULTS.maxNegativeTtl;
    this.bogusTtl = options.bogusTtl ?? NEGATIVE_CACHE_DEFAULTS.bogusTtl;
    this.belowNxdomain = options.belowNxdomain ?? NEGATIVE_CACHE_DEFAULTS.belowNxdomain;
    this.noSoaTtl = options.noSoaTtl ?? NEGATIVE_CACHE_DEFAULTS.noSoaTtl;
    const maxBytes = options.maxBytes ?? NEGATIVE_CACHE_DEFAULTS.maxBytes;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    this.arena = new SlotArena(Math.min(64 * 1024, Math.max(256, maxBytes >>> 6)));
    this.lru = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: (e) => e.size,
      // Every way out of the cache (replaced, evicted, deleted) passes here.
      dispose: (e) => {
        this.release(e.slot);
        if (isSecureNx(e)) this.secureNx[e.labelCount]!--;
        const k = e.nameKey;
        const left = (this.names.get(k) ?? 1) - 1;
        if (left > 0) this.names.set(k, left);
        else this.names.delete(k);
      },
    });
    this.zones = new LRUCache<string, ZoneSoa>({ max: options.maxZones ?? NEGATIVE_CACHE_DEFAULTS.maxZones });
  }

  /** Calls `listener` with the zone each time the zone's newest SOA is replaced (module comment). */
  onZoneSoaChange(listener: (zone: Name) => void): void {
    this.soaListeners.push(listener);
  }

  /**
   * The clamped TTL of a negative answer (RFC 2308 §5): from its SOA and proofs, or `noSoaTtl`
   * without an SOA (0 stays 0: not cached).
   */
  ttlOf(soa: SignedRRset | undefined, proofs: readonly SignedRRset[] = []): number {
    if (soa === undefined) return this.noSoaTtl === 0 ? 0 : clampTtl(this.noSoaTtl, this.minTtl, this.maxTtl);
    return clampTtl(negativeTtl(soa, proofs), this.minTtl, this.maxTtl);
  }

  get count(): number {
    return this.lru.size;
  }

  get bytes(): number {
    return this.lru.calculatedSize;
  }

  /**
   * Stores a negative answer. Returns false when it cannot be cached (TTL zero after clamping).
   * A newer entry for the same key replaces the older one, except that unvalidated data does not
   * replace a live secure entry (the same downgrade guard as the RRset cache).
   */
  insert(data: NegativeInsert): boolean {
    const now = this.clock.now();
    const proofs = data.proofs ?? [];
    let expiresAt: number;
    if (data.status === SecurityStatus.bogus) {
      expiresAt = now + this.bogusTtl * 1000;
    } else {
      expiresAt = now + this.ttlOf(data.soa, proofs) * 1000;
      if (data.status === SecurityStatus.secure) {
        if (data.soa !== undefined) expiresAt = Math.min(expiresAt, signatureDeadline(data.soa.rrsigs, now));
        for (const p of proofs) expiresAt = Math.min(expiresAt, signatureDeadline(p.rrsigs, now));
      }
    }
    if (expiresAt <= now) return false;
    const type = data.kind === NegativeKind.nxdomain ? NXDOMAIN_TYPE : data.type;
    const key = negKey(data.name.key, type, data.class);
    const cached = this.lru.peek(key);
    if (
      cached !== undefined &&
      cached.expiresAt > now &&
      cached.status === SecurityStatus.secure &&
      data.status !== SecurityStatus.secure
    ) {
      return false;
    }
    const entry = new Entry(this.takeSlot(), data, type, proofs, expiresAt, now, entrySize(data, proofs, key));
    this.arena.place(entry.slot, entry.length);
    entry.fill(this.arena.buf(entry.slot), this.arena.start(entry.slot), data, proofs);
    this.lru.set(key, entry);
    // Counted once stored (an entry larger than the whole cache is not, and is never disposed of).
    if (this.lru.peek(key) === entry) {
      if (isSecureNx(entry)) this.secureNx[entry.labelCount]!++;
      this.names.set(entry.nameKey, (this.names.get(entry.nameKey) ?? 0) + 1);
    } else {
      this.release(entry.slot);
    }
    if (data.soa !== undefined && data.status !== SecurityStatus.bogus) this.noteZoneSoa(data.soa, data.status, now);
    return true;
  }

  /** Records `soa` as its zone's newest SOA unless the record already holds it (module comment). */
  private noteZoneSoa(soa: SignedRRset, status: SecurityStatus, now: number): void {
    const key = soa.rrset.name.key;
    const old = this.zones.get(key);
    const live = old !== undefined && old.expiresAt > now;
    if (live && old.status === SecurityStatus.secure && status !== SecurityStatus.secure) return;
    if (live && old.status === status && sameSoa(old.soa, soa)) return;
    let expiresAt = now + this.ttlOf(soa) * 1000;
    if (status === SecurityStatus.secure) expiresAt = Math.min(expiresAt, signatureDeadline(soa.rrsigs, now));
    if (expiresAt <= now) return;
    // A copy of its own: the record outlives the message the SOA came in.
    this.zones.set(key, { soa: detachSigned(soa), status, storedAt: now, expiresAt });
    for (const listener of this.soaListeners) listener(soa.rrset.name);
  }

  /** The zone's newer SOA an entry shows instead of its own, or undefined (module comment). */
  private newerSoa(e: Entry, soa: SignedRRset | undefined, now: number): ZoneSoa | undefined {
    if (soa === undefined) return undefined;
    const z = this.zones.get(soa.rrset.name.key);
    if (z === undefined || z.expiresAt <= now || z.storedAt <= e.storedAt) return undefined;
    if (z.status !== e.status && z.status !== SecurityStatus.secure) return undefined;
    return z;
  }

  /**
   * What the cache knows denies (name, type, class): an NXDOMAIN for the name, a secure NXDOMAIN
   * for an ancestor (when `belowNxdomain`), or a NODATA for the type. Undefined when none is live.
   */
  lookup(name: Name, type: number, cls: number = RRClass.IN): CachedNegative | undefined {
    const now = this.clock.now();
    const nameKey = name.key;
    if (this.names.has(nameKey)) {
      const nx = this.live(negKey(nameKey, NXDOMAIN_TYPE, cls), now);
      if (nx !== undefined) return this.view(nx, now, false);
      const nodata = this.live(negKey(nameKey, type, cls), now);
      if (nodata !== undefined) return this.view(nodata, now, false);
    }
    if (this.belowNxdomain && this.secureNxAbove(name.labelCount)) {
      const starts = ancestorKeyStarts(nameKey);
      for (let i = 1; i < starts.length; i++) {
        // starts[i] begins the ancestor with i labels fewer.
        if (this.secureNx[name.labelCount - i] === 0) continue;
        const e = this.live(negKey(nameKey.slice(starts[i]), NXDOMAIN_TYPE, cls), now);
        if (e !== undefined && e.status === SecurityStatus.secure) return this.view(e, now, true);
      }
    }
    return undefined;
  }

  /** Forgets what is cached about the name: its NXDOMAIN and its NODATA for `type`. */
  delete(name: Name, type: number, cls: number = RRClass.IN): void {
    this.lru.delete(negKey(name.key, NXDOMAIN_TYPE, cls));
    this.lru.delete(negKey(name.key, type, cls));
  }

  /** True when a secure NXDOMAIN entry is held for some name of fewer than `labels` labels. */
  private secureNxAbove(labels: number): boolean {
    for (let i = 0; i < labels; i++) if (this.secureNx[i] !== 0) return true;
    return false;
  }

  /** A free arena slot number, the arena grown to hold it. */
  private takeSlot(): number {
    const free = this.freeSlots.pop();
    if (free !== undefined) return free;
    const s = this.slotTop++;
    if (s >= this.arenaCapacity) {
      this.arenaCapacity = Math.max(64, this.arenaCapacity * 2);
      this.arena.grow(this.arenaCapacity);
    }
    return s;
  }

  /** Frees a slot's octets and takes the number back. */
  private release(s: number): void {
    this.arena.free(s);
    this.freeSlots.push(s);
  }

  clear(): void {
    this.lru.clear();
    this.arena.clear();
    this.freeSlots.length = 0;
    this.slotTop = 0;
    this.secureNx.fill(0);
    this.names.clear();
    this.zones.clear();
  }

  prune(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [key, e] of this.lru.entries()) {
      if (e.expiresAt <= now) {
        this.lru.delete(key);
        n++;
      }
    }
    for (const [key, z] of this.zones.entries()) if (z.expiresAt <= now) this.zones.delete(key);
    return n;
  }

  /** The hit for an entry: its packed RRsets decoded, the zone's newer SOA when it shows one, TTLs counted down. */
  private view(e: Entry, now: number, inferred: boolean): CachedNegative {
    const { name, soa, proofs, extra } = e.unpack(this.arena.buf(e.slot), this.arena.start(e.slot));
    const newer = this.newerSoa(e, soa, now);
    return {
      kind: e.kind,
      name,
      type: e.type,
      soa: newer === undefined ? soa : newer.soa,
      // Each proof with what is left of its own TTL (ttl-policy.ts agedCopy, RFC 9077 §3-§4): the
      // entry's expiresAt already bounds how long the denial is used.
      proofs: proofs.map((p) => agedCopy(p, e.storedAt, now)),
      status: e.status,
      reason: e.reason,
      expiresAt: e.expiresAt,
      ttl: remainingTtl(newer === undefined ? e.expiresAt : newer.expiresAt, now),
      life: remainingTtl(e.expiresAt, now),
      // Counted down like the proofs; an ancestor's NXDOMAIN applied below it carries none.
      extra:
        extra === undefined || inferred
          ? undefined
          : { authority: extra.authority.map((s) => agedCopy(s, e.storedAt, now)), additional: extra.additional.map((s) => agedCopy(s, e.storedAt, now)) },
      inferred,
      soaLast: e.soaLast,
    };
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.lru.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now) {
      this.lru.delete(key);
      return undefined;
    }
    return e;
  }
}

function isSecureNx(e: Entry): boolean {
  return e.kind === NegativeKind.nxdomain && e.status === SecurityStatus.secure;
}
