// RRset cache: one entry per (owner, type, class), holding the RRset, its RRSIGs, the security
// status the validator gave it (RFC 4035 §4.3), the RFC 2181 §5.4.1 credibility of the data it
// came from, the expiry time and, for bogus data, the reason (RFC 8914 EDE).
//
// Replacement policy (`admit` below), first rule that applies wins:
//  1. Nothing cached, or the cached entry has expired: store.
//  2. Cached entry bogus: any non-bogus data replaces it; bogus data replaces it only when the
//     RDATA differs, so re-fetching the same bogus data never extends its life (as Unbound).
//  3. Same data again: identical RDATA (as a set) at the same rank and with the same status as a
//     live cached entry leaves that entry as it is, its expiry included (outcome `kept`): the
//     cached data is as good and already counting down. This is what Unbound does for equal trust
//     and equal data (need_to_update_rrset returns "cache is superior", and its TTL is not moved),
//     and it keeps the entry's handle, so results built from it stay valid (each authoritative
//     answer re-sends its zone's apex NS RRset, which would otherwise be re-stored every time).
//  4. Rank: credibility tier (RFC 2181 §5.4.1: additional/glue < authority non-authoritative <
//     answer non-authoritative < authority authoritative < answer authoritative), with validated
//     (secure) data ranking above every unvalidated tier, as Unbound's `rrset_trust_validated`;
//     among secure data the tiers still order. New data of rank >= the cached rank replaces it
//     (RFC 2181 §5.4.1: "data of higher or equal credibility").
//  5. Lower rank: a secure cached RRset receiving identical RDATA (as a set) from unvalidated data
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
// arena (slot-arena.ts), not as the decoded objects it was given: those are views into the whole
// upstream message, and a cached RRset held through them kept every message it came from alive
// (measured: ~450 octets per cached name). A lookup hands out views of the packed octets.
// Everything else about an entry lives in typed arrays indexed by its slot number (struct of
// arrays): no object, string, boxed number or Map/Set entry exists per cached RRset, so an entry
// costs ~60 octets besides its packed octets (it cost ~450 as an object with its owner key string,
// index list, Map and Set slots and boxed expiry), and a full GC has nothing per entry to mark.
// Expiry times are kept unboxed in a Float64Array. A bogus entry's reason sits in a side Map (few).
// Size is bounded in bytes: the arena's chunks at full size (the packed octets, with the slack of
// the chunk being filled and of half-empty ones not yet evacuated) plus, per entry, the octets of
// its slot in every per-slot typed array here, in the arena and in the CLOCK order (`slotBytes`,
// ~66), and a bogus entry's reason text. The arrays' spare capacity (they double, so up to half
// of them) is not charged: eviction cannot give it back. Eviction is CLOCK (second
// chance), as the answer cache: a hit sets a flag; the sweep walks the entries in insertion order,
// re-queues flagged entries once and drops the rest — close to LRU at one write per hit
// (clock-sweep.ts).
//
// Index: a hash table over (case-folded owner octets, type, class) with chaining through a typed
// array: a lookup hashes the asked name's wire form and compares the stored owner octets
// ASCII-case-insensitively (RFC 4343), so no string is built or kept per lookup or entry.

import type { Clock } from '../core/clock.js';
import { SlotArena } from './slot-arena.js';
import { RRClass, RRType } from '../wire/constants.js';
import { Name, lowerOctet } from '../wire/name.js';
import { clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type CacheReason, type SignedRRset } from './types.js';
import { ClockOrder } from './clock-sweep.js';

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
  /** Identical RDATA at the same rank and status as the live entry: left as it was (rule 3). */
  kept: 'kept',
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

/** Charged besides its detail text for a bogus entry's reason: the object and its side-Map entry. */
const REASON_OVERHEAD = 64;

/** No slot (end of a hash chain or of the free list). */
const NIL = -1;

/** Slots of a new cache; the arrays double as needed. */
const INITIAL_SLOTS = 64;

/** Bits of an entry's flags octet: the CLOCK reference flag, whether rrsigTtl is known, status and credibility codes. */
const HOT = 1;
const HAS_RRSIG_TTL = 2;
const STATUS_SHIFT = 2;
const CREDIBILITY_SHIFT = 5;

/** Security statuses by their 3-bit code in the flags octet. */
const STATUSES: readonly SecurityStatus[] = [
  SecurityStatus.secure,
  SecurityStatus.insecure,
  SecurityStatus.bogus,
  SecurityStatus.indeterminate,
  SecurityStatus.unchecked,
];

function statusCode(status: SecurityStatus): number {
  const code = STATUSES.indexOf(status);
  if (code < 0) throw new TypeError(`RRsetCache: unknown security status ${status}`);
  return code;
}

/**
 * FNV-1a over the ASCII-lower-cased octets of an owner's wire form (RFC 4343: names compare
 * case-insensitively): the part of an entry's hash that depends on the name only.
 */
function nameHash(w: Uint8Array): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ lowerOctet(w[i]!), 0x01000193);
  return h;
}

/** The hash of (owner, type, class) from the owner's nameHash, with a final mix so the low bits index well. */
function ownerHash(nh: number, type: number, cls: number): number {
  let h = Math.imul(nh ^ type ^ (cls << 16), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** A handle (RRsetCache.handle): one object per slot while the slot holds the same data. */
class SlotHandle implements RRsetHandle {
  readonly status: SecurityStatus;
  readonly slot: number;
  constructor(status: SecurityStatus, slot: number) {
    this.status = status;
    this.slot = slot;
  }
}

/** The cache key of (owner, type, class): the case-folded owner wire plus two code units. */
export function rrsetKey(name: Name, type: number, cls: number): string {
  return name.key + String.fromCharCode(type, cls);
}

export class RRsetCache {
  private readonly clock: Clock;
  /** The TTL clamps, seconds (read by the resolver for answers it gives before caching). */
  readonly minTtl: number;
  readonly maxTtl: number;
  private readonly bogusTtl: number;
  private readonly maxBytes: number;
  private readonly changeListeners: ((key: string) => void)[] = [];
  private readonly arena: SlotArena;
  /** Every entry, in CLOCK order. */
  private readonly order = new ClockOrder();
  /** Octets of one slot in every per-slot array (module header), charged per entry. */
  private readonly slotBytes: number;
  /** Reason texts charged (bogus entries); the arena counts the packed octets. */
  private reasonBytes = 0;
  /** DNAME entries held (expired ones included until dropped): none, and no lookup need ask for one. */
  private dnames = 0;

  // ---- Entries as slots (struct of arrays); see the module header ----
  private capacity = 0;
  /** Slots handed out so far (free ones below it are on the free list). */
  private top = 0;
  /** Free list head, linked through `chain`. */
  private freeHead = NIL;
  /** Hash buckets (power-of-two count, at least `capacity`): first slot of each chain. */
  private buckets = new Int32Array(0);
  /** Per slot: ownerHash of its key, next slot in its bucket (or the free list). */
  private hashOf = new Int32Array(0);
  private chain = new Int32Array(0);
  private typeOf = new Uint16Array(0);
  private classOf = new Uint16Array(0);
  private rdataCount = new Uint16Array(0);
  private sigCount = new Uint16Array(0);
  /** Owner wire length (the owner's octets open the slot's packed octets). */
  private nameLength = new Uint8Array(0);
  /** HOT, HAS_RRSIG_TTL, status and credibility codes. */
  private flags = new Uint8Array(0);
  /** The TTL as received and the RRSIG records' TTL (wire values, 32 bits). */
  private ttlOf = new Uint32Array(0);
  private rrsigTtlOf = new Uint32Array(0);
  /** Absolute expiry, ms since the epoch (unboxed). */
  private expires = new Float64Array(0);
  /** Reasons of bogus (or indeterminate) entries that have one. */
  private readonly reasons = new Map<number, CacheReason>();
  /** Handles given out (RRsetCache.handle), dropped with their entry. */
  private readonly handles = new Map<number, SlotHandle>();

  constructor(options: RRsetCacheOptions) {
    this.clock = options.clock;
    this.minTtl = options.minTtl ?? RRSET_CACHE_DEFAULTS.minTtl;
    this.maxTtl = options.maxTtl ?? RRSET_CACHE_DEFAULTS.maxTtl;
    this.bogusTtl = options.bogusTtl ?? RRSET_CACHE_DEFAULTS.bogusTtl;
    this.maxBytes = options.maxBytes ?? RRSET_CACHE_DEFAULTS.maxBytes;
    // Chunks small against the bound, so a small cache is not one half-empty chunk.
    this.arena = new SlotArena(Math.min(64 * 1024, Math.max(256, this.maxBytes >>> 6)));
    this.grow(INITIAL_SLOTS);
    const perSlot = [this.hashOf, this.chain, this.typeOf, this.classOf, this.rdataCount, this.sigCount, this.nameLength, this.flags, this.ttlOf, this.rrsigTtlOf, this.expires];
    // Each array's element plus a bucket (as many buckets as slots), the arena's and the order's.
    this.slotBytes = perSlot.reduce((n, a) => n + a.BYTES_PER_ELEMENT, 0) + Int32Array.BYTES_PER_ELEMENT + SlotArena.SLOT_BYTES + ClockOrder.SLOT_BYTES;
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

  /** Bytes held: the arena's chunks, each entry's slot in the per-slot arrays, and reason texts (module header). */
  get bytes(): number {
    return this.arena.bytes + this.order.size * this.slotBytes + this.reasonBytes;
  }

  /** Expiry (ms) the policy gives new data stored now. */
  private expiryFor(set: SignedRRset, status: SecurityStatus, notAfter: number | undefined, now: number): number {
    if (status === SecurityStatus.bogus) return now + this.bogusTtl * 1000;
    const ttl = clampTtl(signedTtl(set), this.minTtl, this.maxTtl);
    if (ttl === 0) return now;
    const at = notAfter !== undefined && notAfter < now + ttl * 1000 ? notAfter : now + ttl * 1000;
    if (status !== SecurityStatus.secure) return at;
    return Math.min(at, signatureDeadline(set.rrsigs, now));
  }

  /** Offers data to the cache; the replacement policy in the module header decides. */
  insert(data: RRsetInsert): InsertOutcome {
    return this.insertSet(data, data.credibility, data.status, data.reason, data.notAfter);
  }

  /**
   * insert() with the fields of RRsetInsert as arguments, for callers that hold a SignedRRset: no
   * insert object is built around it. `owner`: the name to store the RRset under when not its own
   * (a wildcard expansion cached as the wildcard).
   */
  insertSet(
    set: SignedRRset,
    credibility: Credibility,
    status: SecurityStatus,
    reason?: CacheReason,
    notAfter?: number,
    owner: Name = set.rrset.name,
  ): InsertOutcome {
    const now = this.clock.now();
    const { rrset, rrsigs } = set;
    const w = owner.wire;
    const expiresAt = this.expiryFor(set, status, notAfter, now);
    if (expiresAt <= now) return InsertOutcome.rejected;
    const hash = ownerHash(nameHash(w), rrset.type, rrset.class);
    const cached = this.findHashed(hash, w, rrset.type, rrset.class);
    const verdict = cached === NIL ? InsertOutcome.stored : this.admit(cached, rrset.rdatas, credibility, status, now);
    if (verdict === InsertOutcome.rejected) return verdict;
    if (verdict === InsertOutcome.kept) {
      // Offered again: counts as used, as a re-store at the tail of the CLOCK order did.
      this.flags[cached]! |= HOT;
      return verdict;
    }
    if (verdict === InsertOutcome.refreshed && cached !== NIL) {
      // Same data, still validated: a new expiry, bounded by the cached signatures.
      const ttl = clampTtl(signedTtl(set), this.minTtl, this.maxTtl);
      this.expires[cached] = Math.min(now + ttl * 1000, signatureDeadline(this.list(cached, true), now), notAfter ?? Infinity);
      this.flags[cached]! |= HOT;
      return verdict;
    }
    let length = w.length;
    for (const rd of rrset.rdatas) length += 2 + rd.length;
    for (const rd of rrsigs) length += 2 + rd.length;
    const size = this.slotBytes + reasonSize(reason);
    if (size + length > this.maxBytes) return InsertOutcome.rejected;
    // A live RRset replaced by other data: whatever was built from it is out of date.
    const changed =
      cached !== NIL && this.expires[cached]! > now && this.changeListeners.length > 0 && !this.holdsSame(cached, rrset.rdatas);
    if (cached !== NIL) this.remove(cached);
    const s = this.allocate();
    this.hashOf[s] = hash;
    this.typeOf[s] = rrset.type;
    this.classOf[s] = rrset.class;
    this.rdataCount[s] = rrset.rdatas.length;
    this.sigCount[s] = rrsigs.length;
    this.nameLength[s] = w.length;
    this.ttlOf[s] = rrset.ttl;
    this.rrsigTtlOf[s] = set.rrsigTtl ?? 0;
    this.flags[s] = (set.rrsigTtl === undefined ? 0 : HAS_RRSIG_TTL) | (statusCode(status) << STATUS_SHIFT) | (credibility << CREDIBILITY_SHIFT);
    this.expires[s] = expiresAt;
    if (reason !== undefined) this.reasons.set(s, reason);
    this.arena.place(s, length);
    this.fill(s, w, set);
    const b = hash & (this.buckets.length - 1);
    this.chain[s] = this.buckets[b]!;
    this.buckets[b] = s;
    this.order.append(s);
    if (reason !== undefined) this.reasonBytes += reasonSize(reason);
    if (rrset.type === RRType.DNAME) this.dnames++;
    if (this.bytes > this.maxBytes) this.evict(now);
    if (changed) {
      const key = rrsetKey(owner, rrset.type, rrset.class);
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
    const s = this.find(name, type, cls);
    if (s === NIL) return undefined;
    const now = this.clock.now();
    const expiresAt = this.expires[s]!;
    if (expiresAt <= now) {
      this.remove(s);
      return undefined;
    }
    const f = (this.flags[s]! |= HOT);
    const rrset = { name: this.owner(s, name), type: this.typeOf[s]!, class: this.classOf[s]!, ttl: this.ttlOf[s]!, rdatas: this.list(s, false) };
    const rrsigs = this.sigCount[s] === 0 ? NO_SIGS : this.list(s, true);
    const ttl = remainingTtl(expiresAt, now);
    const status = STATUSES[(f >>> STATUS_SHIFT) & 7]!;
    const credibility = ((f >>> CREDIBILITY_SHIFT) & 7) as Credibility;
    const reason = this.reasons.size === 0 ? undefined : this.reasons.get(s);
    return (f & HAS_RRSIG_TTL) === 0
      ? { rrset, rrsigs, status, credibility, reason, expiresAt, ttl }
      : { rrset, rrsigs, status, credibility, reason, expiresAt, ttl, rrsigTtl: this.rrsigTtlOf[s]! };
  }

  /**
   * The live entry for (name, type, class) as an opaque handle, or undefined: a lookup (the entry
   * counts as used, an expired one is dropped) without building the hit. A handle stays the same
   * object for as long as the cache holds the same data: any replacement, expiry, eviction or
   * delete makes the next call return another handle or none, so a result derived from cached
   * RRsets can be reused while the handles it was built from are still returned.
   */
  handle(name: Name, type: number, cls: number = RRClass.IN): RRsetHandle | undefined {
    const s = this.find(name, type, cls);
    if (s === NIL) return undefined;
    if (this.expires[s]! <= this.clock.now()) {
      this.remove(s);
      return undefined;
    }
    this.flags[s]! |= HOT;
    let h = this.handles.get(s);
    if (h === undefined) {
      h = new SlotHandle(STATUSES[(this.flags[s]! >>> STATUS_SHIFT) & 7]!, s);
      this.handles.set(s, h);
    }
    return h;
  }

  /**
   * True when `handle(name, type, cls)` for the handle's own RRset would return this handle now,
   * with the same effects (the entry counts as used; an expired one is dropped), found from the
   * handle's slot without hashing the owner: the cache holds one entry per (owner, type, class),
   * and a handle lives exactly as long as the entry it was made for.
   */
  handleHeld(h: RRsetHandle): boolean {
    if (!(h instanceof SlotHandle)) throw new TypeError('handleHeld: not a handle of an RRset cache');
    const s = h.slot;
    if (this.handles.get(s) !== h) return false;
    if (this.expires[s]! <= this.clock.now()) {
      this.remove(s);
      return false;
    }
    this.flags[s]! |= HOT;
    return true;
  }

  /**
   * The absolute expiry (ms) of a handle's RRset (as `lookup(...).expiresAt`), without building the
   * hit; undefined once its entry is gone.
   */
  handleExpiresAt(h: RRsetHandle): number | undefined {
    if (!(h instanceof SlotHandle)) throw new TypeError('handleExpiresAt: not a handle of an RRset cache');
    return this.handles.get(h.slot) === h ? this.expires[h.slot] : undefined;
  }

  /** Views of the RDATAs of a handle's RRset (as `lookup(...).rrset.rdatas`); none once its entry is gone. */
  handleRdatas(h: RRsetHandle): Uint8Array[] {
    if (!(h instanceof SlotHandle)) throw new TypeError('handleRdatas: not a handle of an RRset cache');
    return this.handles.get(h.slot) === h ? this.list(h.slot, false) : [];
  }

  delete(name: Name, type: number, cls: number = RRClass.IN): boolean {
    const s = this.find(name, type, cls);
    if (s === NIL) return false;
    this.remove(s);
    return true;
  }

  clear(): void {
    this.buckets.fill(NIL);
    this.order.clear();
    this.arena.clear();
    this.reasons.clear();
    this.handles.clear();
    this.top = 0;
    this.freeHead = NIL;
    this.reasonBytes = 0;
    this.dnames = 0;
  }

  /** Drops every expired entry; returns how many went. Call from maintenance, not per query. */
  prune(): number {
    const now = this.clock.now();
    let n = 0;
    this.order.forEach((s) => {
      if (this.expires[s]! <= now) {
        this.remove(s);
        n++;
      }
    });
    return n;
  }

  /** The slot of (owner, type, class), expired or not, or NIL. */
  private find(name: Name, type: number, cls: number): number {
    const w = name.wire;
    return this.findHashed(ownerHash(nameHash(w), type, cls), w, type, cls);
  }



  private findHashed(hash: number, w: Uint8Array, type: number, cls: number): number {
    for (let s = this.buckets[hash & (this.buckets.length - 1)]!; s !== NIL; s = this.chain[s]!) {
      if (this.hashOf[s] === hash && this.typeOf[s] === type && this.classOf[s] === cls && this.ownerIs(s, w)) return s;
    }
    return NIL;
  }

  /** True when slot `s`'s owner is the name `w` (wire form) in any letter case (RFC 4343). */
  private ownerIs(s: number, w: Uint8Array): boolean {
    if (this.nameLength[s] !== w.length) return false;
    const b = this.arena.buf(s);
    const at = this.arena.start(s);
    for (let i = 0; i < w.length; i++) {
      const x = b[at + i]!;
      const y = w[i]!;
      // Equal octets (the usual case: the same name in the same case) need no folding.
      if (x !== y && lowerOctet(x) !== lowerOctet(y)) return false;
    }
    return true;
  }

  /** The owner name: `asked` itself when the stored octets are the same (same letter case). */
  private owner(s: number, asked: Name): Name {
    const b = this.arena.buf(s);
    const w = asked.wire;
    const at = this.arena.start(s);
    let i = 0;
    while (i < w.length && w[i] === b[at + i]) i++;
    return i === w.length ? asked : Name.fromWire(b.slice(at, at + this.nameLength[s]!));
  }

  /** Writes the entry's octets (owner wire, then u16-length-prefixed RDATAs, then RRSIGs) into its placed slot. */
  private fill(s: number, owner: Uint8Array, data: SignedRRset): void {
    const b = this.arena.buf(s);
    let p = this.arena.start(s);
    b.set(owner, p);
    p += this.nameLength[s]!;
    p = putList(b, p, data.rrset.rdatas);
    putList(b, p, data.rrsigs);
  }

  /**
   * True when slot `s` holds the same set of RDATA octet strings as `rdatas` (RFC 2181 §5: order is
   * not data), compared in the arena's octets without a list of views (an insert over a cached entry
   * asks it once or twice).
   */
  private holdsSame(s: number, rdatas: readonly Uint8Array[]): boolean {
    const count = this.rdataCount[s]!;
    if (count !== rdatas.length) return false;
    const b = this.arena.buf(s);
    let p = this.arena.start(s) + this.nameLength[s]!;
    outer: for (let i = 0; i < count; i++) {
      const len = (b[p]! << 8) | b[p + 1]!;
      const at = p + 2;
      p = at + len;
      for (const y of rdatas) if (y.length === len && octetsAt(b, at, y)) continue outer;
      return false;
    }
    return true;
  }

  /** Views of the stored RDATAs (`sigs` false) or RRSIG RDATAs (`sigs` true). */
  private list(s: number, sigs: boolean): Uint8Array[] {
    const b = this.arena.buf(s);
    let p = this.arena.start(s) + this.nameLength[s]!;
    const rdatas = this.rdataCount[s]!;
    if (sigs) {
      for (let i = 0; i < rdatas; i++) p += 2 + ((b[p]! << 8) | b[p + 1]!);
    }
    const count = sigs ? this.sigCount[s]! : rdatas;
    const out = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) {
      const len = (b[p]! << 8) | b[p + 1]!;
      out[i] = b.subarray(p + 2, p + 2 + len);
      p += 2 + len;
    }
    return out;
  }

  /** A free slot number, growing the arrays when none is left. */
  private allocate(): number {
    if (this.freeHead !== NIL) {
      const s = this.freeHead;
      this.freeHead = this.chain[s]!;
      return s;
    }
    if (this.top === this.capacity) this.grow(this.capacity * 2);
    return this.top++;
  }

  /** Doubles the slot arrays (copying them) and rehashes the live slots into as many buckets. */
  private grow(capacity: number): void {
    const copy = <A extends Int32Array | Uint16Array | Uint8Array | Uint32Array | Float64Array>(old: A, make: (n: number) => A): A => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.hashOf = copy(this.hashOf, (n) => new Int32Array(n));
    this.chain = copy(this.chain, (n) => new Int32Array(n));
    this.typeOf = copy(this.typeOf, (n) => new Uint16Array(n));
    this.classOf = copy(this.classOf, (n) => new Uint16Array(n));
    this.rdataCount = copy(this.rdataCount, (n) => new Uint16Array(n));
    this.sigCount = copy(this.sigCount, (n) => new Uint16Array(n));
    this.nameLength = copy(this.nameLength, (n) => new Uint8Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.ttlOf = copy(this.ttlOf, (n) => new Uint32Array(n));
    this.rrsigTtlOf = copy(this.rrsigTtlOf, (n) => new Uint32Array(n));
    this.expires = copy(this.expires, (n) => new Float64Array(n));
    this.arena.grow(capacity);
    this.order.grow(capacity);
    this.capacity = capacity;
    // Rehash: every live slot is in the CLOCK order; free slots keep their free-list links.
    this.buckets = new Int32Array(capacity).fill(NIL);
    const mask = capacity - 1;
    this.order.forEach((s) => {
      const b = this.hashOf[s]! & mask;
      this.chain[s] = this.buckets[b]!;
      this.buckets[b] = s;
    });
  }

  private remove(s: number): void {
    const b = this.hashOf[s]! & (this.buckets.length - 1);
    let p = this.buckets[b]!;
    if (p === s) this.buckets[b] = this.chain[s]!;
    else {
      while (p !== NIL && this.chain[p] !== s) p = this.chain[p]!;
      if (p !== NIL) this.chain[p] = this.chain[s]!;
    }
    this.order.unlink(s);
    this.arena.free(s);
    const reason = this.reasons.size === 0 ? undefined : this.reasons.get(s);
    if (reason !== undefined) {
      this.reasonBytes -= reasonSize(reason);
      this.reasons.delete(s);
    }
    if (this.handles.size > 0) this.handles.delete(s);
    if (this.typeOf[s] === RRType.DNAME) this.dnames--;
    this.chain[s] = this.freeHead;
    this.freeHead = s;
  }

  /** CLOCK sweep until the size bound holds again; expired entries go first as they are met. */
  private evict(now: number): void {
    this.order.sweep(
      () => this.bytes <= this.maxBytes,
      (s) => {
        const f = this.flags[s]!;
        if ((f & HOT) === 0 || this.expires[s]! <= now) return false;
        this.flags[s] = f & ~HOT;
        return true;
      },
      (s) => {
        this.remove(s);
      },
    );
  }

  /** The replacement decision of the module header for a cached entry and new data. */
  private admit(cached: number, rdatas: readonly Uint8Array[], newCredibility: Credibility, newStatus: SecurityStatus, now: number): InsertOutcome {
    if (this.expires[cached]! <= now) return InsertOutcome.stored;
    const same = this.holdsSame(cached, rdatas);
    const f = this.flags[cached]!;
    const status = STATUSES[(f >>> STATUS_SHIFT) & 7]!;
    const credibility = ((f >>> CREDIBILITY_SHIFT) & 7) as Credibility;
    if (status === SecurityStatus.bogus) {
      if (newStatus !== SecurityStatus.bogus) return InsertOutcome.stored;
      return same ? InsertOutcome.rejected : InsertOutcome.stored;
    }
    const rank = credibilityRank(credibility, status);
    const newRank = credibilityRank(newCredibility, newStatus);
    // Rule 3 (module header): the same data at the same rank and status stays as cached.
    if (same && newRank === rank && newStatus === status) return InsertOutcome.kept;
    if (newRank >= rank) return InsertOutcome.stored;
    if (same && status === SecurityStatus.secure && newStatus !== SecurityStatus.bogus && newCredibility >= credibility) {
      return InsertOutcome.refreshed;
    }
    return InsertOutcome.rejected;
  }
}

/** Octets charged for a bogus entry's reason (none without one). */
function reasonSize(reason: CacheReason | undefined): number {
  return reason === undefined ? 0 : REASON_OVERHEAD + reason.detail.length * 2;
}

/** Writes u16-length-prefixed `list` into `b` at `p`; returns the offset after it. */
function putList(b: Uint8Array, p: number, list: readonly Uint8Array[]): number {
  for (const rd of list) {
    b[p] = rd.length >>> 8;
    b[p + 1] = rd.length & 0xff;
    b.set(rd, p + 2);
    p += 2 + rd.length;
  }
  return p;
}

/** True when `b` holds the octets of `y` at `at`. */
function octetsAt(b: Uint8Array, at: number, y: Uint8Array): boolean {
  for (let i = 0; i < y.length; i++) if (b[at + i] !== y[i]) return false;
  return true;
}
