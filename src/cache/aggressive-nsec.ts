// Aggressive use of DNSSEC-validated NSEC and NSEC3 records (RFC 8198, TTLs per RFC 9077): the
// cache keeps the secure denial records it has seen, per zone, and answers names they cover
// without asking upstream. This is what blunts random-subdomain floods against signed zones.
//
// Indexes:
// - NSEC: per zone, the records sorted in canonical order of their owners (RFC 4034 §6.1, through
//   canonical-key.ts sort keys), so "which NSEC covers name X" is one binary search, O(log n). The
//   last NSEC of a zone wraps: its next name is the apex (RFC 4034 §4.1.1).
// - NSEC3: per zone, the records sorted by hashed owner (octet order, the order of RFC 5155 §3.1.7
//   next hashed owner names), with the zone's parameters (algorithm, iterations, salt); "which
//   NSEC3 covers hash H" is one binary search. A record with other parameters than the index's
//   means the zone changed its chain: the old index is dropped. Records with unknown flags are
//   ignored (RFC 5155 §8.2), and so are chains over the iteration cap (RFC 9276 §3.2: such answers
//   are insecure, never secure, so they are never synthesised).
// A new record evicts older ones it contradicts (owners inside its span, or a predecessor whose span
// covers its owner): the newest validated data wins.
// - Known wildcards: per NSEC3 zone, the wildcard owners that validated expansions showed to exist
//   (noteWildcard). A wildcard answer carries only the NSEC3 covering its next closer name (RFC 5155
//   §7.2.6), so without them a cached expansion could never be repeated for another name.
//
// Only records the validator found secure are stored (RFC 8198 §4). Each expires at its TTL, which
// is min(NSEC TTL, SOA MINIMUM, SOA TTL) when the SOA that came with it is known (RFC 8198 §5.4 as
// updated by RFC 9077 §3.3), clamped to `maxTtl`, and never past the RRSIG expiration.
//
// Decisions are not made here: `synthesize` gathers the records a proof would use and hands them to
// the validator's proof functions (dnssec/nsec-proof.ts, dnssec/nsec3-proof.ts), then only returns
// what they call secure. It also refuses, on its own account:
// - any proof resting on an opt-out NSEC3 span (RFC 8198 §5.2: an opt-out NSEC3 covering the next
//   closer name does not prove that the name is absent; it may be an unsigned delegation);
// - names in a zone for which it holds no records (nothing to synthesise from).
//
// A stored record is its signed RRset packed into octets of its own (packed-rrsets.ts), read back
// (RRset and NSEC/NSEC3 record) when a lookup uses it; a zone's SOA is a detached copy. The decoded
// RRsets offered are views into their whole upstream message, which a kept record would otherwise
// keep alive, with a dozen objects per record for the garbage collector to mark on each full GC.
// Size is bounded in bytes (the same estimates as before); over budget, expired records go first, then whole zones, least recently
// used first. Pure: clock injected; NSEC3 hashing is node:crypto through dnssec/nsec3-hash.ts.

import { nowSeconds, type Clock } from '../core/clock.js';
import {
  type DenialFacts,
  type DenialResult,
  type NsecRecord,
  nsecClosestEncloser,
  nsecRecord,
  proveNodataNsec,
  proveNxdomainNsec,
  proveWildcardAnswerNsec,
  wildcardOf,
} from '../dnssec/nsec-proof.js';
import { memoNsec3Hash, nsec3Hash, nsec3HashFromOwner, nsec3MemoPrefix } from '../dnssec/nsec3-hash.js';
import { Nsec3Flag, type Nsec3Record, nsec3Record, nsec3Records, proveNodataNsec3, proveNxdomainNsec3, proveWildcardAnswerNsec3 } from '../dnssec/nsec3-proof.js';
import { createValidationEnv, DEFAULT_VALIDATOR_OPTIONS, type ValidatorOptions } from '../dnssec/rrset-validator.js';
import { RRClass, RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { decodeTyped, nsec3Head, nsecNext, type Nsec3Head } from '../wire/rdata.js';
import { ancestorKeyStarts, canonicalSortKey } from './canonical-key.js';
import { negativeTtl } from './negative-cache.js';
import { detachSigned, packedLength, packSigned, unpackSigned } from './packed-rrsets.js';
import { agedCopy, clampTtl, remainingTtl, signatureDeadline, signedTtl } from './ttl-policy.js';
import { SecurityStatus, type SignedRRset } from './types.js';

/**
 * The NSEC3 denial proofs the cache asks, over validated NSEC3 records of one zone. The default is
 * the validator's (dnssec/nsec3-proof.ts); tests may substitute their own.
 */
export interface Nsec3Prover {
  proveNxdomain(records: readonly Nsec3Record[], qname: Name, zone: Name, known?: Map<string, Uint8Array>): DenialResult;
  proveNodata(records: readonly Nsec3Record[], qname: Name, qtype: number, zone: Name, known?: Map<string, Uint8Array>): DenialResult;
  proveWildcardAnswer(records: readonly Nsec3Record[], qname: Name, wildcardParent: Name, zone: Name, known?: Map<string, Uint8Array>): DenialResult;
}

/**
 * The NSEC3 hashes one synthesis computed, by label count (the wildcard's at -1), and the same as
 * the validator's per-call hash cache holds them (ValidationEnv.nsec3Cache: the chain's parameter
 * prefix and the name's key), for the proof to start from.
 */
class Hashed {
  readonly keys: (string | undefined)[] = [];
  private readonly names: Name[] = [];
  private readonly hashes: Uint8Array[] = [];
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Notes `name`'s hash; returns it as an index key. */
  add(labels: number, name: Name, hash: Uint8Array): string {
    const key = bytesKey(hash);
    if (labels >= 0) this.keys[labels] = key;
    this.names.push(name);
    this.hashes.push(hash);
    return key;
  }

  known(): Map<string, Uint8Array> {
    const m = new Map<string, Uint8Array>();
    for (let i = 0; i < this.names.length; i++) m.set(this.prefix + this.names[i]!.key, this.hashes[i]!);
    return m;
  }
}

/**
 * The validator's NSEC3 proofs, each call with a fresh validation environment (its own NSEC3 hash
 * budget, RFC 9276 caps from `options`). Denial proofs check no signatures: no verifier is needed.
 */
export function validatorNsec3Prover(clock: Clock, options: ValidatorOptions = DEFAULT_VALIDATOR_OPTIONS): Nsec3Prover {
  const noVerifier = { supportsVerify: (): boolean => false };
  // `known`: hashes the cache computed for this proof, as the env's per-call hash cache holds them;
  // the proof hashes only what is not there (and only that counts against its budget).
  const env = (known: Map<string, Uint8Array> | undefined) => {
    const e = createValidationEnv(nowSeconds(clock), noVerifier, options);
    e.nsec3Cache = known;
    return e;
  };
  return {
    proveNxdomain: (records, qname, zone, known) => proveNxdomainNsec3(env(known), records, qname, zone),
    proveNodata: (records, qname, qtype, zone, known) => proveNodataNsec3(env(known), records, qname, qtype, zone),
    proveWildcardAnswer: (records, qname, parent, zone, known) => proveWildcardAnswerNsec3(env(known), records, qname, parent, zone),
  };
}

export interface AggressiveNsecOptions {
  readonly clock: Clock;
  /** Size bound in bytes. Default 8 MiB. */
  readonly maxBytes?: number;
  /** Upper bound on a record's lifetime, seconds. Default 3600 (the negative TTL cap). */
  readonly maxTtl?: number;
  /**
   * The validator's options: NSEC3 iteration and salt caps (RFC 9276 §3.2; chains over them are
   * not stored) and the per-call NSEC3 hash budget (also the cap on hashes one `synthesize` call
   * computes to find records). Default DEFAULT_VALIDATOR_OPTIONS.
   */
  readonly validatorOptions?: ValidatorOptions;
  /** The NSEC3 proofs. Default: the validator's, `validatorNsec3Prover`. */
  readonly nsec3Prover?: Nsec3Prover;
}

export const AGGRESSIVE_NSEC_DEFAULTS = {
  maxBytes: 8 * 1024 * 1024,
  maxTtl: 3600,
} as const;

export interface CachedNsec {
  readonly zone: Name;
  readonly record: NsecRecord;
  readonly signed: SignedRRset;
  readonly expiresAt: number;
  /** When it was stored (ms): its own TTL counts down from here when it goes out as a proof. */
  readonly storedAt: number;
}

export interface Nsec3Params {
  readonly algorithm: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
}

export interface CachedNsec3 {
  readonly zone: Name;
  readonly record: Nsec3Record;
  readonly optOut: boolean;
  readonly signed: SignedRRset;
  readonly expiresAt: number;
  /** When it was stored (ms). */
  readonly storedAt: number;
}

/** What the cache can answer for a question. */
export type Synthesis =
  | {
      /** NXDOMAIN, or NODATA (facts.kind: nodata, ent-nodata or wildcard-nodata). */
      readonly kind: 'nxdomain' | 'nodata';
      readonly zone: Name;
      /** The zone's SOA when known (negative answers carry it, RFC 2308 §3). */
      readonly soa: SignedRRset | undefined;
      /** The NSEC/NSEC3 RRsets (with RRSIGs) that prove it. */
      readonly proofs: readonly SignedRRset[];
      /** Remaining TTL of the synthesised answer, seconds. */
      readonly ttl: number;
      readonly facts: DenialFacts;
    }
  | {
      /** The name is covered by a wildcard: expand `wildcard`'s RRset (from the RRset cache). */
      readonly kind: 'wildcard';
      readonly zone: Name;
      readonly wildcard: Name;
      readonly soa: SignedRRset | undefined;
      readonly proofs: readonly SignedRRset[];
      readonly ttl: number;
      readonly facts: DenialFacts;
    }
  | { readonly kind: 'none' };

const NONE: Synthesis = { kind: 'none' };

/** Known wildcard owners kept per zone (noteWildcard). */
const MAX_WILDCARDS_PER_ZONE = 256;

/**
 * A stored record: its sort keys, size, times and its signed RRset packed into octets of its own
 * (packed-rrsets.ts). `signed` and `record` are decoded from those octets at each read (a
 * synthesis reads a few records), so a stored record is a handful of objects, none of them a view
 * into the message it came in.
 */
abstract class PackedEntry {
  readonly zone: Name;
  readonly expiresAt: number;
  readonly storedAt: number;
  readonly key: string;
  readonly nextKey: string;
  readonly size: number;
  private readonly packed: Uint8Array;

  constructor(zone: Name, offered: SignedRRset, expiresAt: number, storedAt: number, key: string, nextKey: string, size: number) {
    this.zone = zone;
    this.expiresAt = expiresAt;
    this.storedAt = storedAt;
    this.key = key;
    this.nextKey = nextKey;
    this.size = size;
    this.packed = new Uint8Array(packedLength(offered));
    packSigned(this.packed, 0, offered);
  }

  /** The NSEC or NSEC3 RRset with its RRSIGs, as views of the packed octets. */
  get signed(): SignedRRset {
    return unpackSigned(this.packed, 0)[0];
  }
}

/** A stored record read once for a synthesis: its RRset and record decoded together (one unpack). */
interface Read<R> {
  readonly entry: NsecEntry | Nsec3Entry;
  readonly signed: SignedRRset;
  readonly record: R;
  readonly expiresAt: number;
  readonly storedAt: number;
}

class NsecEntry extends PackedEntry implements CachedNsec {
  /** The NSEC RDATA read again (it read when stored). */
  get record(): NsecRecord {
    return this.read().record;
  }

  read(): Read<NsecRecord> {
    const signed = this.signed;
    const { rrset } = signed;
    return { entry: this, signed, record: nsecRecord(rrset.name, rrset.rdatas[0]!), expiresAt: this.expiresAt, storedAt: this.storedAt };
  }
}

class Nsec3Entry extends PackedEntry implements CachedNsec3 {
  readonly optOut: boolean;

  constructor(zone: Name, offered: SignedRRset, optOut: boolean, expiresAt: number, storedAt: number, key: string, nextKey: string, size: number) {
    super(zone, offered, expiresAt, storedAt, key, nextKey, size);
    this.optOut = optOut;
  }

  /** The NSEC3 record read again (it read when stored). */
  get record(): Nsec3Record {
    return this.read().record;
  }

  /**
   * As nsec3Records reads it (it did when stored, which checked the owner and the RDATA), but the
   * owner's hash from the entry's key (its octets as code units) rather than from base32hex again.
   */
  read(): Read<Nsec3Record> {
    const signed = this.signed;
    const { rrset } = signed;
    const hash = new Uint8Array(this.key.length);
    for (let i = 0; i < hash.length; i++) hash[i] = this.key.charCodeAt(i);
    const record = nsec3Record(rrset.name, hash, rrset.rdatas[0]!);
    return { entry: this, signed, record, expiresAt: this.expiresAt, storedAt: this.storedAt };
  }
}

interface SoaEntry {
  readonly signed: SignedRRset;
  readonly expiresAt: number;
}

/** What expiryFor reads from an offered SOA: by object and second, so the same reads the same. */
interface SoaRead {
  readonly soa: SignedRRset;
  /** The second (clock.now() / 1000, floored) `deadline` was read at (RFC 1982 serial time). */
  readonly nowSec: number;
  readonly negativeTtl: number;
  /** signedTtl of the SOA. */
  readonly ttl: number;
  /** signatureDeadline of its RRSIGs at `nowSec`. */
  readonly deadline: number;
  /** The zone's held copy, once found equal to (or made from) this SOA. */
  held: SignedRRset | undefined;
}

interface ZoneIndex<E> {
  readonly zone: Name;
  readonly keys: string[];
  readonly entries: E[];
  bytes: number;
}

interface Nsec3ZoneIndex extends ZoneIndex<Nsec3Entry> {
  readonly params: Nsec3Params;
  /** The apex's hash under `params`, computed at the first synthesis that needs it (every miss in the zone asks for it). */
  apexHash: Uint8Array | undefined;
  /** How the validator's NSEC3 proofs key a hash under `params` (nsec3-proof.ts): iterations/salt hex/, then the name's key. */
  readonly hashPrefix: string;
}

function signedSize(s: SignedRRset): number {
  let n = 160 + s.rrset.name.length * 2;
  for (const rd of s.rrset.rdatas) n += rd.length + 48;
  for (const rd of s.rrsigs) n += rd.length + 48;
  return n;
}

function bytesKey(b: Uint8Array): string {
  // apply, not a spread: a spread walks a typed array through the iterator protocol.
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/** Index of the first key > k (keys sorted ascending). */
function upperBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether the span (ownerKey, nextKey) covers k, with the wrap of the last record. */
function spanCovers(ownerKey: string, nextKey: string, k: string): boolean {
  if (ownerKey < nextKey) return ownerKey < k && k < nextKey;
  return k > ownerKey || k < nextKey;
}

/** The entry whose span covers k (k not an owner), or undefined. */
function coveringIn<E extends { key: string; nextKey: string }>(idx: ZoneIndex<E>, k: string): { entry: E; pos: number } | undefined {
  const n = idx.keys.length;
  if (n === 0) return undefined;
  const ub = upperBound(idx.keys, k);
  if (ub > 0 && idx.keys[ub - 1] === k) return undefined;
  // Before every owner only the last record's wrap can cover it.
  const pos = ub > 0 ? ub - 1 : n - 1;
  const entry = idx.entries[pos]!;
  return spanCovers(entry.key, entry.nextKey, k) ? { entry, pos } : undefined;
}

function matchingIn<E>(idx: ZoneIndex<E>, k: string): { entry: E; pos: number } | undefined {
  const ub = upperBound(idx.keys, k);
  if (ub > 0 && idx.keys[ub - 1] === k) return { entry: idx.entries[ub - 1]!, pos: ub - 1 };
  return undefined;
}

export class AggressiveNsecCache {
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly maxTtl: number;
  private readonly maxIterations: number;
  private readonly maxSalt: number;
  private readonly maxHashes: number;
  private readonly nsec3Prover: Nsec3Prover;
  /** Zone key → index; Map order is recency (touched zones move to the end). */
  private readonly nsecZones = new Map<string, ZoneIndex<NsecEntry>>();
  private readonly nsec3Zones = new Map<string, Nsec3ZoneIndex>();
  private readonly soas = new Map<string, SoaEntry>();
  /** The SOA offered with the last record and what expiryFor read from it (one, the latest). */
  private lastSoa: SoaRead | undefined;
  /**
   * Wildcard owners known to exist, per NSEC3 zone: learnt from validated wildcard expansions (the
   * RRSIG Labels field names the wildcard, RFC 4035 §5.3.4), kept until the expansion's expiry.
   * A wildcard answer carries only the NSEC3 covering the next closer name (RFC 5155 §7.2.6), so
   * this is what shows the closest encloser (the wildcard's parent) and the wildcard exist.
   */
  private readonly wildcards = new Map<string, Map<string, { readonly name: Name; readonly expiresAt: number }>>();
  private used = 0;
  /**
   * Zone indexes held (NSEC and NSEC3), per label count of the zone's name: zoneFor looks a name's
   * ancestors up only at label counts where a zone is held (most names have no zone at their own
   * depth), with no key sliced for the others.
   */
  private readonly zonesAt = new Uint32Array(256);

  constructor(options: AggressiveNsecOptions) {
    this.clock = options.clock;
    this.maxBytes = options.maxBytes ?? AGGRESSIVE_NSEC_DEFAULTS.maxBytes;
    this.maxTtl = options.maxTtl ?? AGGRESSIVE_NSEC_DEFAULTS.maxTtl;
    const v = options.validatorOptions ?? DEFAULT_VALIDATOR_OPTIONS;
    this.maxIterations = v.nsec3.maxIterations;
    this.maxSalt = v.nsec3.maxSaltLength;
    this.maxHashes = v.budget.maxNsec3HashesPerResponse;
    this.nsec3Prover = options.nsec3Prover ?? validatorNsec3Prover(this.clock, v);
  }

  /** Estimated bytes held. */
  get bytes(): number {
    return this.used;
  }

  /** Records held (NSEC and NSEC3, expired ones included until met). */
  get count(): number {
    let n = 0;
    for (const z of this.nsecZones.values()) n += z.entries.length;
    for (const z of this.nsec3Zones.values()) n += z.entries.length;
    return n;
  }

  // ---- Insertion -----------------------------------------------------------------------------

  /**
   * Offers an NSEC RRset of `zone` (class IN). Stored only when `status` is secure, the owner is
   * in the zone and the RDATA reads. `soa` is the zone's SOA from the same response, when there
   * was one: it caps the TTL (RFC 9077) and is kept to go with synthesised negative answers.
   */
  insertNsec(zone: Name, signed: SignedRRset, status: SecurityStatus, soa?: SignedRRset): boolean {
    const { rrset } = signed;
    if (status !== SecurityStatus.secure || rrset.type !== RRType.NSEC || rrset.class !== RRClass.IN) return false;
    if (rrset.rdatas.length !== 1 || !rrset.name.isSubdomainOf(zone)) return false;
    let next: Name;
    try {
      // The next name alone (the types are read when the record is used), as decodeTyped reads it.
      const rdata = rrset.rdatas[0]!;
      next = nsecNext(rdata) ?? decodeTyped(RRType.NSEC, rdata).next;
    } catch {
      return false;
    }
    if (!next.isSubdomainOf(zone)) return false;
    const now = this.clock.now();
    const expiresAt = this.expiryFor(zone, signed, soa, now);
    if (expiresAt <= now) return false;
    const zkey = zone.key;
    let idx = this.nsecZones.get(zkey);
    if (idx === undefined) {
      idx = { zone, keys: [], entries: [], bytes: 0 };
      this.nsecZones.set(zkey, idx);
      this.zonesAt[zone.labelCount]!++;
    }
    const entry = new NsecEntry(idx.zone, signed, expiresAt, now, canonicalSortKey(rrset.name), canonicalSortKey(next), signedSize(signed) + next.length * 2);
    this.place(idx, entry);
    this.touch(this.nsecZones, zkey, idx);
    this.enforceBudget(now);
    return true;
  }

  /**
   * Notes that the wildcard `wildcard` (`*.` + its parent) of the NSEC3 zone `zone` exists: `signed`
   * is the wildcard RRset of a validated expansion, secure (only such are taken). Bounded per zone.
   */
  noteWildcard(zone: Name, wildcard: Name, signed: SignedRRset, status: SecurityStatus): boolean {
    if (status !== SecurityStatus.secure || !wildcard.isWildcard() || !wildcard.isSubdomainOf(zone)) return false;
    // Only for a zone whose NSEC3 chain is held: that bounds the number of zones kept here.
    if (!this.nsec3Zones.has(zone.key)) return false;
    const now = this.clock.now();
    const expiresAt = Math.min(now + clampTtl(signedTtl(signed), 0, this.maxTtl) * 1000, signatureDeadline(signed.rrsigs, now));
    if (expiresAt <= now) return false;
    let m = this.wildcards.get(zone.key);
    if (m === undefined) {
      m = new Map();
      this.wildcards.set(zone.key, m);
    }
    if (m.size >= MAX_WILDCARDS_PER_ZONE && !m.has(wildcard.key)) {
      for (const [k, w] of m) if (w.expiresAt <= now) m.delete(k);
      if (m.size >= MAX_WILDCARDS_PER_ZONE) return false;
    }
    m.set(wildcard.key, { name: wildcard, expiresAt });
    return true;
  }

  private knownWildcard(zone: Name, wildcard: Name, now: number): boolean {
    const w = this.wildcards.get(zone.key)?.get(wildcard.key);
    return w !== undefined && w.expiresAt > now;
  }

  /**
   * Offers an NSEC3 RRset of `zone` (class IN); same rules as insertNsec. Records of unknown hash
   * algorithm or flags (RFC 5155 §8.1, §8.2) and chains over the iteration or salt caps are refused.
   */
  insertNsec3(zone: Name, signed: SignedRRset, status: SecurityStatus, soa?: SignedRRset): boolean {
    const { rrset } = signed;
    if (status !== SecurityStatus.secure || rrset.type !== RRType.NSEC3 || rrset.class !== RRClass.IN) return false;
    if (rrset.rdatas.length !== 1) return false;
    // The owner's hash and the fields before the type bitmap: what nsec3Records reads, but the
    // types (read when the record is used).
    const hash = nsec3HashFromOwner(rrset.name, zone);
    if (hash === undefined) return false;
    let rec: Omit<Nsec3Head, 'bitmapAt'> | undefined;
    try {
      rec = nsec3Head(rrset.rdatas[0]!) ?? nsec3Records([rrset], zone)[0];
    } catch {
      return false;
    }
    if (rec === undefined) return false;
    if ((rec.flags & ~Nsec3Flag.OPT_OUT) !== 0 || rec.hashAlgorithm !== 1) return false;
    if (rec.iterations > this.maxIterations || rec.salt.length > this.maxSalt || rec.nextHashed.length !== hash.length) return false;
    const now = this.clock.now();
    const expiresAt = this.expiryFor(zone, signed, soa, now);
    if (expiresAt <= now) return false;
    const zkey = zone.key;
    let idx = this.nsec3Zones.get(zkey);
    if (idx !== undefined && !sameParams(idx.params, rec)) {
      // The zone moved to another chain: the old records prove nothing about the new one.
      this.dropZone(this.nsec3Zones, zkey, idx);
      idx = undefined;
    }
    if (idx === undefined) {
      const params = { algorithm: rec.hashAlgorithm, iterations: rec.iterations, salt: rec.salt.slice() };
      idx = { zone, keys: [], entries: [], bytes: 0, params, apexHash: undefined, hashPrefix: nsec3MemoPrefix(params.iterations, params.salt) };
      this.nsec3Zones.set(zkey, idx);
      this.zonesAt[zone.labelCount]!++;
    }
    const optOut = (rec.flags & Nsec3Flag.OPT_OUT) !== 0;
    const entry = new Nsec3Entry(idx.zone, signed, optOut, expiresAt, now, bytesKey(hash), bytesKey(rec.nextHashed), signedSize(signed) + 120);
    this.place(idx, entry);
    this.touch(this.nsec3Zones, zkey, idx);
    this.enforceBudget(now);
    return true;
  }

  // ---- Lookups -------------------------------------------------------------------------------

  /** The live NSEC of `zone` whose span covers `name` (owner < name < next, with wrap-around). */
  findCoveringNsec(zone: Name, name: Name): CachedNsec | undefined {
    const idx = this.nsecZones.get(zone.key);
    if (idx === undefined || !name.isSubdomainOf(zone)) return undefined;
    const hit = coveringIn(idx, canonicalSortKey(name));
    return hit === undefined ? undefined : this.alive(idx, hit.entry, hit.pos);
  }

  /**
   * The live NSEC owned by `name`: in `zone` when given, else in the deepest zone holding one
   * (at a zone cut both the parent's and the child's exist; pass the zone to choose).
   */
  findMatchingNsec(name: Name, zone?: Name): CachedNsec | undefined {
    const k = canonicalSortKey(name);
    if (zone !== undefined) {
      const idx = this.nsecZones.get(zone.key);
      const hit = idx === undefined ? undefined : matchingIn(idx, k);
      return hit === undefined ? undefined : this.alive(idx!, hit.entry, hit.pos);
    }
    const key = name.key;
    for (const start of ancestorKeyStarts(key)) {
      const idx = this.nsecZones.get(key.slice(start));
      if (idx === undefined) continue;
      const hit = matchingIn(idx, k);
      const live = hit === undefined ? undefined : this.alive(idx, hit.entry, hit.pos);
      if (live !== undefined) return live;
    }
    return undefined;
  }

  /** The NSEC3 parameters of the chain held for `zone`. */
  nsec3Params(zone: Name): Nsec3Params | undefined {
    return this.nsec3Zones.get(zone.key)?.params;
  }

  /** The NSEC3 hash of `name` with the parameters of the chain held for `zone`. */
  nsec3HashFor(zone: Name, name: Name): Uint8Array | undefined {
    const p = this.nsec3Params(zone);
    return p === undefined ? undefined : nsec3Hash(name, p.salt, p.iterations, p.algorithm);
  }

  /** The live NSEC3 of `zone` whose span covers `hash` (owner hash < hash < next, wrapping). */
  findCoveringNsec3(zone: Name, hash: Uint8Array): CachedNsec3 | undefined {
    const idx = this.nsec3Zones.get(zone.key);
    if (idx === undefined) return undefined;
    const hit = coveringIn(idx, bytesKey(hash));
    return hit === undefined ? undefined : this.alive(idx, hit.entry, hit.pos);
  }

  /** The live NSEC3 of `zone` whose hashed owner is `hash`. */
  findMatchingNsec3(zone: Name, hash: Uint8Array): CachedNsec3 | undefined {
    const idx = this.nsec3Zones.get(zone.key);
    if (idx === undefined) return undefined;
    const hit = matchingIn(idx, bytesKey(hash));
    return hit === undefined ? undefined : this.alive(idx, hit.entry, hit.pos);
  }

  /**
   * The deepest zone at or above `name` for which records are held, and which kind. For DS the
   * search starts at the parent: the DS record set lives on the parent side (RFC 4035 §2.4).
   */
  zoneFor(name: Name, qtype: number = RRType.A): { zone: Name; kind: 'nsec' | 'nsec3' } | undefined {
    const key = name.key;
    // `at`: where the ancestor with `labels` labels starts in the key (Name.key is the wire form).
    let labels = name.labelCount;
    let at = 0;
    if (qtype === RRType.DS && labels > 0) {
      at = key.charCodeAt(0) + 1;
      labels--;
    }
    for (;;) {
      if (this.zonesAt[labels] !== 0) {
        const zk = at === 0 ? key : key.slice(at);
        const nsec = this.nsecZones.get(zk);
        if (nsec !== undefined && nsec.entries.length > 0) return { zone: nsec.zone, kind: 'nsec' };
        const nsec3 = this.nsec3Zones.get(zk);
        if (nsec3 !== undefined && nsec3.entries.length > 0) return { zone: nsec3.zone, kind: 'nsec3' };
      }
      if (labels === 0) return undefined;
      at += key.charCodeAt(at) + 1;
      labels--;
    }
  }

  // ---- Synthesis -----------------------------------------------------------------------------

  /**
   * Whether the cache alone can answer `qname`/`qtype` (class IN): NXDOMAIN, NODATA, or a wildcard
   * expansion (RFC 8198 §5.1-§5.3). The proof functions decide; only secure outcomes count.
   */
  synthesize(qname: Name, qtype: number): Synthesis {
    const z = this.zoneFor(qname, qtype);
    if (z === undefined) return NONE;
    return z.kind === 'nsec' ? this.synthesizeNsec(z.zone, qname, qtype) : this.synthesizeNsec3(z.zone, qname, qtype);
  }

  private synthesizeNsec(zone: Name, qname: Name, qtype: number): Synthesis {
    const idx = this.nsecZones.get(zone.key);
    if (idx === undefined) return NONE;
    // The name's sort key once for both searches; each record used is decoded once.
    const k = canonicalSortKey(qname);
    const match = this.liveIn(idx, matchingIn(idx, k));
    if (match !== undefined) {
      // The name exists: only a NODATA can come of it.
      const m = match.read();
      return this.outcome(zone, proveNodataNsec([m.record], qname, qtype, zone), [m], undefined);
    }
    const coverEntry = this.liveIn(idx, coveringIn(idx, k));
    if (coverEntry === undefined) return NONE;
    const cover = coverEntry.read();
    const ce = nsecClosestEncloser(cover.record, qname);
    const wild = wildcardOf(ce);
    const wk = wild.isSubdomainOf(zone) ? canonicalSortKey(wild) : undefined;
    const wildMatchEntry = wk === undefined ? undefined : this.liveIn(idx, matchingIn(idx, wk));
    if (wildMatchEntry === undefined) {
      const wildCoverEntry = wk === undefined ? undefined : this.liveIn(idx, coveringIn(idx, wk));
      const used = wildCoverEntry === undefined || wildCoverEntry === coverEntry ? [cover] : [cover, wildCoverEntry.read()];
      const nx = proveNxdomainNsec(
        recordsOf(used),
        qname,
        zone,
      );
      if (nx.status === 'secure') return this.outcome(zone, nx, used, undefined);
      // An empty non-terminal: the covering NSEC's next name is below the name.
      return this.outcome(zone, proveNodataNsec([cover.record], qname, qtype, zone), [cover], undefined);
    }
    const wildMatch = wildMatchEntry.read();
    if (wildMatch.record.types.has(qtype) || (qtype !== RRType.CNAME && wildMatch.record.types.has(RRType.CNAME))) {
      return this.outcome(zone, proveWildcardAnswerNsec([cover.record], qname, ce, zone), [cover], wild);
    }
    return this.outcome(zone, proveNodataNsec([cover.record, wildMatch.record], qname, qtype, zone), [cover, wildMatch], undefined);
  }

  private synthesizeNsec3(zone: Name, qname: Name, qtype: number): Synthesis {
    const prover = this.nsec3Prover;
    const idx = this.nsec3Zones.get(zone.key);
    if (idx === undefined) return NONE;
    const { salt, iterations, algorithm } = idx.params;
    const zoneLabels = zone.labelCount;
    // Hashes by label count: each name on the way from qname to the apex is hashed at most once
    // per call, the apex once per chain (it is every miss's last ancestor), and the proof is handed
    // them (`known`) instead of hashing the same names again. The budget counts hashes asked for,
    // computed or not.
    const hashed = new Hashed(idx.hashPrefix);
    let hashes = 0;
    const keyOf = (labels: number): string | undefined => {
      if (++hashes > this.maxHashes) return undefined;
      let key = hashed.keys[labels];
      if (key === undefined) {
        const name = labels === qname.labelCount ? qname : labels === zoneLabels ? zone : qname.suffix(labels);
        let h = labels === zoneLabels ? idx.apexHash : undefined;
        if (h === undefined) {
          h = nsec3Hash(name, salt, iterations, algorithm);
          if (labels === zoneLabels) idx.apexHash = h;
        }
        key = hashed.add(labels, name, h);
      }
      return key;
    };
    const qk = keyOf(qname.labelCount);
    if (qk === undefined) return NONE;
    const match = this.liveIn(idx, matchingIn(idx, qk));
    if (match !== undefined) {
      const m = match.read();
      return this.outcome3(zone, prover.proveNodata([m.record], qname, qtype, zone, hashed.known()), [m], undefined);
    }
    // Closest encloser proof (RFC 5155 §8.3): the deepest ancestor with a matching NSEC3 whose
    // next closer name (one label longer, towards qname) is covered.
    let nextCloserKey = qk;
    let ceMatch: Nsec3Entry | undefined;
    let ce: Name | undefined;
    for (let labels = qname.labelCount - 1; labels >= zoneLabels; labels--) {
      const h = keyOf(labels);
      if (h === undefined) return NONE;
      const m = this.liveIn(idx, matchingIn(idx, h));
      if (m !== undefined) {
        ceMatch = m;
        ce = qname.suffix(labels);
        break;
      }
      nextCloserKey = h;
    }
    if (ceMatch === undefined || ce === undefined) return this.viaKnownWildcard(idx, qname, keyOf, hashed);
    const ncCoverEntry = this.liveIn(idx, coveringIn(idx, nextCloserKey));
    if (ncCoverEntry === undefined) return NONE;
    // RFC 8198 §5.2: an opt-out span over the next closer name proves nothing about it.
    if (ncCoverEntry.optOut) return NONE;
    const wild = wildcardOf(ce);
    if (++hashes > this.maxHashes) return NONE;
    // The wildcard at a closest encloser recurs for every name below it: from the memo (nsec3-hash.ts).
    const wh = hashed.add(-1, wild, memoNsec3Hash(idx.hashPrefix + wild.key, wild, salt, iterations));
    const wildMatchEntry = this.liveIn(idx, matchingIn(idx, wh));
    const ncCover = ncCoverEntry.read();
    if (wildMatchEntry !== undefined) {
      const wildMatch = wildMatchEntry.read();
      const used = uniqReads([ceMatch.read(), ncCover, wildMatch]);
      if (wildMatch.record.types.has(qtype) || (qtype !== RRType.CNAME && wildMatch.record.types.has(RRType.CNAME))) {
        return this.outcome3(zone, prover.proveWildcardAnswer([ncCover.record], qname, ce, zone, hashed.known()), [ncCover], wild);
      }
      return this.outcome3(
        zone,
        prover.proveNodata(
          recordsOf(used),
          qname,
          qtype,
          zone,
          hashed.known(),
        ),
        used,
        undefined,
      );
    }
    const wildCoverEntry = this.liveIn(idx, coveringIn(idx, wh));
    if (wildCoverEntry === undefined || wildCoverEntry.optOut) return NONE;
    const used = uniqReads([ceMatch.read(), ncCover, wildCoverEntry.read()]);
    return this.outcome3(
      zone,
      prover.proveNxdomain(
        recordsOf(used),
        qname,
        zone,
        hashed.known(),
      ),
      used,
      undefined,
    );
  }

  /**
   * A wildcard answer without a matching NSEC3 for the closest encloser (RFC 8198 §5.3): a wildcard
   * `*.A` known to exist (noteWildcard) shows A exists; a non-opt-out NSEC3 covering A's child on
   * the way to qname (the next closer name) shows nothing exists from there down, so A is the
   * closest encloser and `*.A` the source of synthesis (RFC 4592 §3.3.1). The deepest such A is
   * tried first; the prover checks the cover as for an upstream wildcard answer.
   */
  private viaKnownWildcard(idx: Nsec3ZoneIndex, qname: Name, keyOf: (labels: number) => string | undefined, hashed: Hashed): Synthesis {
    const zone = idx.zone;
    const now = this.clock.now();
    for (let labels = qname.labelCount - 1; labels >= zone.labelCount; labels--) {
      const anc = qname.suffix(labels);
      const wild = wildcardOf(anc);
      if (!this.knownWildcard(zone, wild, now)) continue;
      const h = keyOf(labels + 1);
      if (h === undefined) return NONE;
      const cover = this.liveIn(idx, coveringIn(idx, h));
      if (cover === undefined || cover.optOut) return NONE;
      const c = cover.read();
      return this.outcome3(zone, this.nsec3Prover.proveWildcardAnswer([c.record], qname, anc, zone, hashed.known()), [c], wild);
    }
    return NONE;
  }

  private outcome(zone: Name, result: DenialResult, used: readonly Read<NsecRecord>[], wildcard: Name | undefined): Synthesis {
    if (result.status !== 'secure') return NONE;
    return this.result(zone, result.facts, used, wildcard);
  }

  private outcome3(zone: Name, result: DenialResult, used: readonly Read<Nsec3Record>[], wildcard: Name | undefined): Synthesis {
    if (result.status !== 'secure' || result.facts.optOut) return NONE;
    return this.result(zone, result.facts, used, wildcard);
  }

  private result(
    zone: Name,
    facts: DenialFacts,
    used: readonly Read<NsecRecord | Nsec3Record>[],
    wildcard: Name | undefined,
  ): Synthesis {
    const now = this.clock.now();
    let expiresAt = Infinity;
    for (const u of used) if (u.expiresAt < expiresAt) expiresAt = u.expiresAt;
    const soaEntry = this.soas.get(zone.key);
    const soa = soaEntry !== undefined && soaEntry.expiresAt > now ? soaEntry : undefined;
    if (soa !== undefined && soa.expiresAt < expiresAt) expiresAt = soa.expiresAt;
    const ttl = remainingTtl(expiresAt, now);
    if (ttl <= 0) return NONE;
    // Each proof goes out with what is left of its own TTL (agedCopy, RFC 9077 §3-§4); how long
    // it may be used is `ttl`, bounded by the negative TTL when it was stored (expiryFor).
    const proofs: SignedRRset[] = [];
    for (let i = 0; i < used.length; i++) {
      const u = used[i]!;
      // A record that plays two parts (say, a cover that is also the wildcard's match) goes once.
      let seen = false;
      for (let j = 0; j < i; j++) if (used[j]!.entry === u.entry) seen = true;
      if (!seen) proofs.push(agedCopy(u.signed, u.storedAt, now));
    }
    if (wildcard !== undefined && facts.kind === 'wildcard-answer') {
      return { kind: 'wildcard', zone, wildcard, soa: soa?.signed, proofs, ttl, facts };
    }
    const kind = facts.kind === 'nxdomain' ? 'nxdomain' : 'nodata';
    return { kind, zone, soa: soa?.signed, proofs, ttl, facts };
  }

  // ---- Maintenance ---------------------------------------------------------------------------

  /** Drops every expired record; returns how many went. */
  prune(): number {
    const now = this.clock.now();
    let n = 0;
    for (const [zk, idx] of this.nsecZones) n += this.pruneZone(this.nsecZones, zk, idx, now);
    for (const [zk, idx] of this.nsec3Zones) n += this.pruneZone(this.nsec3Zones, zk, idx, now);
    for (const [zk, s] of this.soas) if (s.expiresAt <= now) this.soas.delete(zk);
    for (const [zk, m] of this.wildcards) {
      for (const [k, w] of m) if (w.expiresAt <= now) m.delete(k);
      if (m.size === 0) this.wildcards.delete(zk);
    }
    return n;
  }

  clear(): void {
    this.nsecZones.clear();
    this.nsec3Zones.clear();
    this.zonesAt.fill(0);
    this.soas.clear();
    this.wildcards.clear();
    this.used = 0;
  }

  private expiryFor(zone: Name, signed: SignedRRset, soa: SignedRRset | undefined, now: number): number {
    let ttl = signedTtl(signed);
    if (soa !== undefined && soa.rrset.type === RRType.SOA && soa.rrset.name.equals(zone)) {
      // Each NSEC or NSEC3 of a response comes with the same SOA object: what was read from it
      // for the previous record serves (the same object in the same second reads the same).
      const nowSec = Math.floor(now / 1000);
      let read = this.lastSoa;
      if (read === undefined || read.soa !== soa || read.nowSec !== nowSec) {
        read = { soa, nowSec, negativeTtl: negativeTtl(soa), ttl: signedTtl(soa), deadline: signatureDeadline(soa.rrsigs, now), held: undefined };
        this.lastSoa = read;
      }
      ttl = Math.min(ttl, read.negativeTtl);
      const soaExpires = Math.min(now + clampTtl(read.ttl, 0, this.maxTtl) * 1000, read.deadline);
      const zk = zone.key;
      const cur = this.soas.get(zk);
      if (cur === undefined || cur.expiresAt <= soaExpires) {
        // The same SOA again: the copy held serves, with the new expiry. `held` is a copy already
        // found to be (or made from) this SOA, so it needs no comparison of the octets.
        const same = cur !== undefined && (cur.signed === read.held || sameSigned(cur.signed, soa));
        const keep = same ? cur.signed : detachSigned(soa);
        read.held = keep;
        this.soas.set(zk, { signed: keep, expiresAt: soaExpires });
      }
    }
    return Math.min(now + clampTtl(ttl, 0, this.maxTtl) * 1000, signatureDeadline(signed.rrsigs, now));
  }

  /** Inserts or replaces `entry` in its sorted index and evicts the records it contradicts. */
  private place<E extends NsecEntry | Nsec3Entry>(idx: ZoneIndex<E>, entry: E): void {
    const { keys, entries } = idx;
    let pos = upperBound(keys, entry.key);
    if (pos > 0 && keys[pos - 1] === entry.key) {
      pos--;
      idx.bytes -= entries[pos]!.size;
      this.used -= entries[pos]!.size;
      entries[pos] = entry;
    } else {
      keys.splice(pos, 0, entry.key);
      entries.splice(pos, 0, entry);
    }
    idx.bytes += entry.size;
    this.used += entry.size;
    // Owners inside the new span no longer exist.
    const wraps = entry.nextKey <= entry.key;
    const after = pos + 1;
    while (after < keys.length && (wraps || keys[after]! < entry.nextKey)) this.removeAt(idx, after);
    if (wraps) {
      while (keys.length > 0 && keys[0]! < entry.nextKey && keys[0] !== entry.key) {
        this.removeAt(idx, 0);
        pos--;
      }
    }
    // A predecessor whose span says the new owner does not exist is stale.
    const predPos = pos > 0 ? pos - 1 : keys.length - 1;
    if (predPos !== pos) {
      const pred = entries[predPos]!;
      if (spanCovers(pred.key, pred.nextKey, entry.key)) this.removeAt(idx, predPos);
    }
  }

  private removeAt<E extends { size: number }>(idx: ZoneIndex<E>, pos: number): void {
    const e = idx.entries[pos]!;
    idx.keys.splice(pos, 1);
    idx.entries.splice(pos, 1);
    idx.bytes -= e.size;
    this.used -= e.size;
  }

  /** The entry of a search hit if still live; an expired one is removed on the way. */
  private liveIn<E extends NsecEntry | Nsec3Entry>(idx: ZoneIndex<E>, hit: { entry: E; pos: number } | undefined): E | undefined {
    return hit === undefined ? undefined : this.alive(idx, hit.entry, hit.pos);
  }

  /** The entry if still live; an expired one is removed on the way. */
  private alive<E extends NsecEntry | Nsec3Entry>(idx: ZoneIndex<E>, entry: E, pos: number): E | undefined {
    if (entry.expiresAt > this.clock.now()) return entry;
    this.removeAt(idx, pos);
    return undefined;
  }

  private touch<I>(map: Map<string, I>, key: string, idx: I): void {
    map.delete(key);
    map.set(key, idx);
  }

  private dropZone<E extends { size: number }>(map: Map<string, ZoneIndex<E>>, key: string, idx: ZoneIndex<E>): void {
    map.delete(key);
    this.zonesAt[idx.zone.labelCount]!--;
    this.used -= idx.bytes;
    // The wildcards known for an NSEC3 zone go with its chain (noteWildcard needs one).
    if ((map as Map<string, unknown>) === this.nsec3Zones) this.wildcards.delete(key);
  }

  private pruneZone<E extends { size: number; expiresAt: number }>(map: Map<string, ZoneIndex<E>>, key: string, idx: ZoneIndex<E>, now: number): number {
    let n = 0;
    for (let i = idx.entries.length - 1; i >= 0; i--) {
      if (idx.entries[i]!.expiresAt <= now) {
        this.removeAt(idx, i);
        n++;
      }
    }
    if (idx.entries.length === 0) {
      map.delete(key);
      this.zonesAt[idx.zone.labelCount]!--;
    }
    return n;
  }

  /** Over budget: prune expired records, then drop least recently used zones. */
  private enforceBudget(now: number): void {
    if (this.used <= this.maxBytes) return;
    for (const [zk, idx] of this.nsecZones) this.pruneZone(this.nsecZones, zk, idx, now);
    for (const [zk, idx] of this.nsec3Zones) this.pruneZone(this.nsec3Zones, zk, idx, now);
    while (this.used > this.maxBytes) {
      const a = this.nsecZones.entries().next();
      const b = this.nsec3Zones.entries().next();
      // The maps are in recency order; drop from whichever has more to give back, the oldest first.
      const pick = a.done === true ? b : b.done === true ? a : a.value[1].bytes >= b.value[1].bytes ? a : b;
      if (pick.done === true) break;
      const [zk, idx] = pick.value;
      if (pick === a) this.dropZone(this.nsecZones, zk, idx as ZoneIndex<NsecEntry>);
      else this.dropZone(this.nsec3Zones, zk, idx as Nsec3ZoneIndex);
      this.soas.delete(zk);
    }
  }
}

function sameParams(p: Nsec3Params, d: Omit<Nsec3Head, 'bitmapAt'>): boolean {
  if (p.algorithm !== d.hashAlgorithm || p.iterations !== d.iterations || p.salt.length !== d.salt.length) return false;
  for (let i = 0; i < p.salt.length; i++) if (p.salt[i] !== d.salt[i]) return false;
  return true;
}

/** True when `x` and `y` are the same signed RRset octet for octet: owner, TTLs, RDATAs and RRSIGs. */
function sameSigned(x: SignedRRset, y: SignedRRset): boolean {
  const a = x.rrset;
  const b = y.rrset;
  if (a.ttl !== b.ttl || x.rrsigTtl !== y.rrsigTtl || a.type !== b.type || a.class !== b.class) return false;
  return sameOctets(a.name.wire, b.name.wire) && sameLists(a.rdatas, b.rdatas) && sameLists(x.rrsigs, y.rrsigs);
}

function sameLists(x: readonly Uint8Array[], y: readonly Uint8Array[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameOctets(x[i]!, y[i]!)) return false;
  return true;
}

function sameOctets(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The reads of distinct records, first of each kept (as the records were listed). */
/**
 * The records of `used`, in order. A loop, not `.map`: V8's optimised map makes a holey array where
 * the unoptimised one makes a packed one, and the proofs reading the list (findMatch, findAbsent)
 * were deoptimised by the change of kind ("wrong map") and compiled again.
 */
function recordsOf<R>(used: readonly Read<R>[]): R[] {
  const out: R[] = [];
  for (const u of used) out.push(u.record);
  return out;
}

function uniqReads<R>(list: readonly Read<R>[]): Read<R>[] {
  return list.filter((u, i) => list.findIndex((v) => v.entry === u.entry) === i);
}
