// The zone signer: an unsigned (or previously signed) zone and its keys in, a signed zone out,
// as dnssec-signzone makes it (BIND 9 ARM §5.1.4, §5.4.2).
//
// - DNSKEY RRset at the apex (RFC 4035 §2.1): the zone's own DNSKEYs plus every published key;
//   with timing metadata (smart signing, auth/key-timing.ts) a key may be published without
//   signing (stand-by), signing, inactive (published, not signing), revoked (REVOKE bit set,
//   signs the DNSKEY RRset only, RFC 5011 §2.1 and §7) or deleted (gone).
// - RRSIGs (RFC 4034 §3, RFC 4035 §2.2) on every authoritative RRset: not on glue or occluded
//   data, not on the NS RRset of a delegation point, but on its DS (RFC 4035 §2.2). Key roles:
//   KSKs (SEP flag, RFC 4034 §2.1.1) sign the key-material RRsets (DNSKEY, CDS, CDNSKEY), ZSKs
//   everything else and, unless -x, the DNSKEY RRset too; an algorithm with no active ZSK is
//   signed entirely by its KSKs (a CSK); -z ignores the flag. RRSIG TTL and Original TTL are the
//   RRset's TTL; Labels omits a leading `*` (RFC 4034 §3.1.3); the signer's name is the apex.
// - Denial of existence: an NSEC chain (RFC 4034 §4) or an NSEC3 chain with NSEC3PARAM
//   (RFC 5155 §7.1), see auth/denial-chain.ts. NSEC/NSEC3 TTL = min(SOA TTL, SOA MINIMUM)
//   (RFC 9077 §3.3); NSEC3PARAM TTL 0 as BIND writes it.
// - Signature validity: inception, expiration (minus a random jitter up to -j, so signatures do
//   not all expire at once), and a refresh interval (-i): when the input is already signed, an
//   RRSIG is reused when it is by a key that still signs that RRset, verifies over the current
//   data, started already and expires later than now + refresh; everything else is re-signed.
// - CDS/CDNSKEY (RFC 7344 §4, RFC 8078): for KSKs whose SyncPublish time has come.
//
// Streaming: the zone's nodes are walked in canonical order (twice for NSEC3: once to hash the
// chain names, RFC 5155 §7.1) and the signed records come out in that order as batches of
// signatures complete, so memory holds the input zone, the NSEC3 hashes and the batches in
// flight, never the whole signed zone (startSigning). signZone collects everything for callers
// that want it in memory.
//
// Pure module: keys reach it through SigningKey (a sign function) or a BatchSigner (a worker pool
// in src/crypto); the time and randomness are parameters. The work is split into batches so a
// pool can sign one batch while the next is prepared.

import { CryptoError, KeyFileError, AnchordError, ErrorCode } from '../core/errors.js';
import { signedData } from '../dnssec/canonical.js';
import { makeDsRdata } from '../dnssec/ds.js';
import { keyTag } from '../dnssec/key-tag.js';
import type { SignatureVerifier } from '../dnssec/zone-verify.js';
import { RRType } from '../wire/constants.js';
import { compareNames, Name } from '../wire/name.js';
import { bytesEqual, compareBytes, type ResourceRecord, type RRset } from '../wire/record.js';
import { nsec3Hash, NSEC3_SHA1_LENGTH } from '../dnssec/nsec3-hash.js';
import { encodeTypeBitmap } from '../wire/rdata.js';
import { NodeKind, Zone, type ZoneNode, type ZoneProblem } from '../zone/zone.js';
import { nsec3ParamRdata, nsecRdata, type Nsec3Params } from './denial-chain.js';
import { DnskeyFlag, dnskeyFlags, withFlags } from './key-file-text.js';
import { keyStateAt, type KeyTiming } from './key-timing.js';

/** A key as the signer sees it. */
export interface SigningKey {
  /** DNSKEY RDATA as in the key file (the signer sets the REVOKE bit when the timing says so). */
  readonly dnskey: Uint8Array;
  /** The key's owner; checked against the zone apex when given. */
  readonly owner?: Name;
  readonly timing?: KeyTiming;
  /** Role override (dnssec-signzone -k); default: KSK when the SEP flag is set. */
  readonly ksk?: boolean;
  /** TTL from the key file (dnssec-keygen -L), used for the DNSKEY RRset when nothing else sets it. */
  readonly ttl?: number;
  /**
   * Signs data (the RRSIG signature field). Absent: the key can be published but not sign (also
   * with a BatchSigner, which signs in its place).
   */
  readonly sign?: (data: Uint8Array) => Uint8Array;
  /** A label for messages (the key file's base name). */
  readonly label?: string;
}

/** One signature to make: `key` indexes the keys given to signZone. */
export interface SignJob {
  readonly key: number;
  readonly data: Uint8Array;
}

/** Signs many jobs at once (a worker pool); results in job order. */
export interface BatchSigner {
  signBatch(jobs: readonly SignJob[]): Promise<Uint8Array[]>;
  /** True when every signature is verified before it is returned (verifyGenerated is then done). */
  readonly verifies?: boolean;
}

export type DenialOptions = { readonly type: 'nsec' } | ({ readonly type: 'nsec3' } & Nsec3Params);

export const SerialFormat = {
  Keep: 'keep',
  Increment: 'increment',
  UnixTime: 'unixtime',
  Date: 'date',
} as const;
export type SerialFormat = (typeof SerialFormat)[keyof typeof SerialFormat];

export interface SyncOptions {
  /** CDS digest types (default [2], SHA-256). Empty: no CDS. */
  readonly cdsDigests?: readonly number[];
  /** Publish CDNSKEY too (default true). */
  readonly cdnskey?: boolean;
  /** Publish CDS/CDNSKEY for every active KSK, whatever its SyncPublish time. */
  readonly allKsks?: boolean;
}

export interface SignZoneOptions {
  /** The current time, seconds since the epoch. */
  readonly now: number;
  /** RRSIG inception (default now - 1 hour, as dnssec-signzone). */
  readonly inception?: number;
  /** RRSIG expiration (default inception + 30 days). */
  readonly expiration?: number;
  /** Expiration for the DNSKEY/CDS/CDNSKEY RRSIGs (dnssec-signzone -X; default `expiration`). */
  readonly keyExpiration?: number;
  /** Re-sign when an RRSIG expires within this many seconds (default a quarter of the validity). */
  readonly refresh?: number;
  /** Subtract up to this many seconds from each expiration (dnssec-signzone -j). */
  readonly jitter?: number;
  /** Random integer in [0, n) for the jitter. Required when jitter > 0. */
  readonly random?: (n: number) => number;
  /** Default NSEC. */
  readonly denial?: DenialOptions;
  /** -x: only KSKs sign the DNSKEY RRset. */
  readonly keysetKskOnly?: boolean;
  /** -z: ignore the KSK flag; every active key signs everything. */
  readonly ignoreKskFlag?: boolean;
  /** TTL for the DNSKEY RRset (dnssec-signzone -T). */
  readonly dnskeyTtl?: number;
  /** SOA serial update (dnssec-signzone -N; default keep). */
  readonly serial?: SerialFormat;
  /** CDS/CDNSKEY publication; without it the zone's own CDS/CDNSKEY RRsets are kept as data. */
  readonly sync?: SyncOptions;
  /** Checks RRSIGs found in the input so they can be reused; without it all are redone. */
  readonly verifier?: SignatureVerifier;
  /** -a: check every new signature with `verifier` (a failure throws CryptoError). */
  readonly verifyGenerated?: boolean;
  /** -Q: drop signatures of keys that are published but no longer active. */
  readonly removeInactiveSignatures?: boolean;
  /** -R: drop signatures of keys that are not in the DNSKEY RRset's key list (unknown keys). */
  readonly removeUnknownSignatures?: boolean;
  /** Signs in batches instead of calling each key's sign(). */
  readonly batchSigner?: BatchSigner;
  /** RRsets per batch (default 2048). */
  readonly batchSize?: number;
  /** Batches in flight at once with a batchSigner (default 4). */
  readonly concurrency?: number;
}

export interface SignStats {
  /** RRSIGs made now. */
  generated: number;
  /** RRSIGs from the input kept. */
  retained: number;
  /** RRSIGs from the input dropped (expiring, invalid, or of keys that no longer sign). */
  dropped: number;
  /** Input RRSIGs checked with the verifier, and how many of those failed. */
  verified: number;
  verifyFailed: number;
  /** New signatures checked (verifyGenerated). */
  generatedVerified: number;
  /** RRsets signed (each by one or more keys). */
  signedRRsets: number;
  /** NSEC or NSEC3 records in the chain. */
  chainRecords: number;
}

/** The state of one key in this signing run. */
export interface KeyUse {
  readonly index: number;
  /** DNSKEY RDATA as published (REVOKE bit included when revoked). */
  readonly rdata: Uint8Array;
  readonly tag: number;
  readonly algorithm: number;
  readonly ksk: boolean;
  readonly published: boolean;
  /** Signs zone data (as its role allows). */
  readonly active: boolean;
  readonly revoked: boolean;
  readonly sync: boolean;
}

export interface SignedZone {
  readonly origin: Name;
  readonly class: number;
  readonly stats: SignStats;
  readonly keys: readonly KeyUse[];
  /** The final DNSKEY RRset. */
  readonly dnskeys: RRset;
  /** SOA serial after the -N update. */
  readonly serial: number;
  /** Every record in canonical order, the printer's order (zone/printer.ts compareRecords). */
  records(): IterableIterator<ResourceRecord>;
  /** Number of records records() yields. */
  readonly recordCount: number;
}

/**
 * What the signer reads: the zone's nodes in canonical order, empty non-terminals included, with
 * their kinds (zone/zone.ts), walked once or twice; and RRset lookups at the apex. The zone model
 * (zoneInput) and the compact zone (auth/compact-zone.ts) both provide it.
 */
export interface SignerInput {
  readonly origin: Name;
  readonly class: number;
  readonly problems: readonly ZoneProblem[];
  nodes(): Iterable<ZoneNode>;
  rrset(name: Name, type: number): RRset | undefined;
}

/** The zone model as signer input. */
export function zoneInput(zone: Zone): SignerInput {
  return { origin: zone.origin, class: zone.class, problems: zone.problems, nodes: () => zone.nodes, rrset: (n, t) => zone.rrset(n, t) };
}

/**
 * A signing run started by startSigning: what was decided before any signature (keys, DNSKEY
 * RRset, serial) and the signed records as they are produced, in canonical order. `stats` is
 * complete once `records` is exhausted; `records` can be walked once.
 */
export interface SigningRun {
  readonly origin: Name;
  readonly class: number;
  readonly stats: SignStats;
  readonly keys: readonly KeyUse[];
  readonly dnskeys: RRset;
  readonly serial: number;
  records(): AsyncGenerator<ResourceRecord, void, undefined>;
  /** The same records in batches (cheaper to consume than one by one). Use either, once. */
  chunks(): AsyncGenerator<ResourceRecord[], void, undefined>;
}

const DEFAULT_VALIDITY = 30 * 86400;
const KEY_MATERIAL = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);
/** Types the signer rebuilds itself; input copies are dropped (their RRSIGs may be reused). */
const REBUILT = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/** One RRset in the output with its RRSIG RDATAs. */
interface OutSet {
  readonly set: RRset;
  readonly sigs: Uint8Array[];
  /** Sign with these key indexes. */
  signers: readonly number[];
  /** Input RRSIGs covering this RRset at this owner. */
  old: readonly Uint8Array[] | undefined;
}

interface OutNode {
  readonly name: Name;
  readonly sets: OutSet[];
}

/** A node prepared for signing: what is rebuilt stripped, the apex extras added. */
interface Prepared {
  readonly node: ZoneNode;
  readonly out: OutNode;
  /** Authoritative data (not glue/occluded) after stripping. */
  readonly hasData: boolean;
  /** Input RRSIGs at this owner. */
  readonly oldSigs: readonly Uint8Array[] | undefined;
}

/** SOA serial after -N (RFC 1982 arithmetic; a result of 0 is skipped, as BIND does). */
export function nextSerial(serial: number, format: SerialFormat, now: number): number {
  const inc = (s: number): number => {
    const v = (s + 1) >>> 0;
    return v === 0 ? 1 : v;
  };
  const newer = (candidate: number): number => {
    // Serial arithmetic (RFC 1982 §3.2): take the candidate only when it is greater.
    const d = (candidate - serial) >>> 0;
    return d !== 0 && d < 0x80000000 ? candidate : inc(serial);
  };
  switch (format) {
    case 'keep':
      return serial;
    case 'increment':
      return inc(serial);
    case 'unixtime':
      return newer(now >>> 0);
    case 'date': {
      const iso = new Date(now * 1000).toISOString();
      const base = Number(iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10)) * 100;
      return newer(base);
    }
  }
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}
function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** Serial-number "a < b" on 32-bit RRSIG times (RFC 4034 §3.1.5, RFC 1982). */
function timeBefore(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/** The RRSIG RDATA before the signature field (RFC 4034 §3.1). */
export function rrsigHeader(set: RRset, algorithm: number, tag: number, inception: number, expiration: number, signer: Name): Uint8Array {
  const wildcard = set.name.isWildcard();
  const labels = set.name.labelCount - (wildcard ? 1 : 0);
  const out = new Uint8Array(18 + signer.wire.length);
  out[0] = set.type >>> 8;
  out[1] = set.type & 0xff;
  out[2] = algorithm;
  out[3] = labels;
  const ttl = set.ttl >>> 0;
  out[4] = ttl >>> 24;
  out[5] = (ttl >>> 16) & 0xff;
  out[6] = (ttl >>> 8) & 0xff;
  out[7] = ttl & 0xff;
  const exp = expiration >>> 0;
  out[8] = exp >>> 24;
  out[9] = (exp >>> 16) & 0xff;
  out[10] = (exp >>> 8) & 0xff;
  out[11] = exp & 0xff;
  const inc = inception >>> 0;
  out[12] = inc >>> 24;
  out[13] = (inc >>> 16) & 0xff;
  out[14] = (inc >>> 8) & 0xff;
  out[15] = inc & 0xff;
  out[16] = tag >>> 8;
  out[17] = tag & 0xff;
  out.set(signer.wire, 18);
  return out;
}

/** The same DNSKEY apart from the REVOKE bit. */
function sameKeyIgnoringRevoke(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || a[0] !== b[0] || ((a[1]! ^ b[1]!) & ~DnskeyFlag.REVOKE) !== 0) return false;
  for (let i = 2; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sortUnique(rdatas: Uint8Array[]): Uint8Array[] {
  rdatas.sort(compareBytes);
  return rdatas.filter((r, i) => i === 0 || !bytesEqual(r, rdatas[i - 1]!));
}

/**
 * Starts signing `input` with `keys`. Everything that can be wrong with the keys or the zone is
 * thrown here, before any record is produced: KeyFileError for key problems (a key for another
 * zone, no key able to sign, a key that must sign but has no private half, a KSK-only algorithm
 * without -z), AnchordError(ZoneFile) for a zone with errors. Signing failures (CryptoError)
 * surface from `records()`.
 */
export function startSigning(input: SignerInput, keys: readonly SigningKey[], options: SignZoneOptions): SigningRun {
  const errors = input.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new AnchordError(ErrorCode.ZoneFile, `cannot sign ${input.origin.toString()}: ${errors.map((e) => e.message).join('; ')}`);
  const origin = input.origin;
  const cls = input.class;
  const now = options.now;
  const inception = options.inception ?? now - 3600;
  const expiration = options.expiration ?? inception + DEFAULT_VALIDITY;
  const keyExpiration = options.keyExpiration ?? expiration;
  if (!timeBefore(inception, expiration)) throw new AnchordError(ErrorCode.Usage, 'signature expiration is not after inception');
  const refresh = options.refresh ?? Math.floor((expiration - inception) / 4);
  const jitter = options.jitter ?? 0;
  if (jitter > 0 && options.random === undefined) throw new AnchordError(ErrorCode.Usage, 'jitter needs a random source');
  const denial: DenialOptions = options.denial ?? { type: 'nsec' };
  const stats: SignStats = { generated: 0, retained: 0, dropped: 0, verified: 0, verifyFailed: 0, generatedVerified: 0, signedRRsets: 0, chainRecords: 0 };

  // ---- Keys -----------------------------------------------------------------------------------
  const uses: KeyUse[] = keys.map((k, index) => {
    if (k.owner !== undefined && !k.owner.equals(origin)) {
      throw new KeyFileError(`key ${k.label ?? index} is for ${k.owner.toString()}, not for the zone ${origin.toString()}`);
    }
    const state = keyStateAt(k.timing ?? {}, now);
    let rdata = k.dnskey;
    const flags = dnskeyFlags(rdata);
    if (state.revoked && (flags & DnskeyFlag.REVOKE) === 0) rdata = withFlags(rdata, flags | DnskeyFlag.REVOKE);
    const revoked = (dnskeyFlags(rdata) & DnskeyFlag.REVOKE) !== 0;
    return {
      index,
      rdata,
      tag: keyTag(rdata),
      algorithm: rdata[3]!,
      ksk: k.ksk ?? (flags & DnskeyFlag.SEP) !== 0,
      published: state.published,
      active: state.signing && state.published,
      revoked: revoked && state.published,
      sync: state.sync,
    };
  });
  const signing = uses.filter((u) => u.active);
  if (signing.filter((u) => !u.revoked).length === 0) throw new KeyFileError(`no active key to sign ${origin.toString()} with`);
  const batch = options.batchSigner;
  for (const u of signing) {
    // A batch signer holds the private keys itself, but `sign` still tells which keys have one.
    if (keys[u.index]!.sign === undefined) {
      throw new KeyFileError(`key ${keys[u.index]!.label ?? u.tag} must sign but its private key is missing`);
    }
  }
  const byTag = new Map<string, KeyUse>();
  for (const u of uses) byTag.set(`${u.algorithm}/${u.tag}`, u);
  const ignoreKsk = options.ignoreKskFlag === true;
  const kskOnly = options.keysetKskOnly === true;
  const activeZskAlgs = new Set(signing.filter((u) => !u.revoked && (!u.ksk || ignoreKsk)).map((u) => u.algorithm));
  const activeKskAlgs = new Set(signing.filter((u) => !u.revoked && u.ksk).map((u) => u.algorithm));
  if (!ignoreKsk) {
    for (const alg of activeKskAlgs) {
      // As dnssec-signzone: a KSK-only (CSK) zone is signed with -z, which dnssec-verify expects too.
      if (!activeZskAlgs.has(alg)) throw new KeyFileError("No non-KSK DNSKEY found; supply a ZSK or use '-z'.");
    }
  }
  const signerCache = new Map<string, readonly number[]>();
  const signersFor = (type: number, atApex: boolean): readonly number[] => {
    const cacheKey = `${type}/${atApex}`;
    const cached = signerCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const out: number[] = [];
    const keyMaterial = atApex && KEY_MATERIAL.has(type);
    for (const u of signing) {
      if (u.revoked) {
        if (atApex && type === RRType.DNSKEY) out.push(u.index);
        continue;
      }
      const isZsk = ignoreKsk || !u.ksk;
      if (keyMaterial) {
        if (u.ksk || !activeKskAlgs.has(u.algorithm) || (isZsk && !kskOnly)) out.push(u.index);
      } else if (isZsk || !activeZskAlgs.has(u.algorithm)) {
        out.push(u.index);
      }
    }
    signerCache.set(cacheKey, out);
    return out;
  };

  // ---- SOA, TTLs ------------------------------------------------------------------------------
  const soa = input.rrset(origin, RRType.SOA)!;
  const soaRdata = soa.rdatas[0]!;
  const minimum = u32(soaRdata, soaRdata.length - 4);
  const oldSerial = u32(soaRdata, soaRdata.length - 20);
  const serial = nextSerial(oldSerial, options.serial ?? 'keep', now);
  const denialTtl = Math.min(soa.ttl, minimum);

  // ---- DNSKEY, CDS, CDNSKEY, NSEC3PARAM at the apex --------------------------------------------
  const zoneKeys = input.rrset(origin, RRType.DNSKEY);
  const dnskeyRdatas: Uint8Array[] = [];
  for (const r of zoneKeys?.rdatas ?? []) if (!uses.some((u) => sameKeyIgnoringRevoke(u.rdata, r))) dnskeyRdatas.push(r);
  for (const u of uses) if (u.published) dnskeyRdatas.push(u.rdata);
  const keyTtls = keys.map((k) => k.ttl).filter((t): t is number => t !== undefined);
  const dnskeyTtl = options.dnskeyTtl ?? zoneKeys?.ttl ?? (keyTtls.length > 0 ? Math.min(...keyTtls) : soa.ttl);
  const dnskeys: RRset = { name: origin, type: RRType.DNSKEY, class: cls, ttl: dnskeyTtl, rdatas: sortUnique(dnskeyRdatas) };

  const apexExtra: RRset[] = [dnskeys];
  if (options.sync !== undefined) {
    const sync = options.sync;
    const syncKeys = uses.filter((u) => u.published && !u.revoked && u.ksk && (u.sync || (sync.allKsks === true && u.active)));
    const cds: Uint8Array[] = [];
    const cdnskey: Uint8Array[] = [];
    for (const u of syncKeys) {
      for (const d of sync.cdsDigests ?? [2]) cds.push(makeDsRdata(origin, u.rdata, d));
      if (sync.cdnskey !== false) cdnskey.push(u.rdata);
    }
    if (cds.length > 0) apexExtra.push({ name: origin, type: RRType.CDS, class: cls, ttl: dnskeyTtl, rdatas: sortUnique(cds) });
    if (cdnskey.length > 0) apexExtra.push({ name: origin, type: RRType.CDNSKEY, class: cls, ttl: dnskeyTtl, rdatas: sortUnique(cdnskey) });
  }
  if (denial.type === 'nsec3') {
    apexExtra.push({ name: origin, type: RRType.NSEC3PARAM, class: cls, ttl: 0, rdatas: [nsec3ParamRdata(denial)] });
  }
  const apexDropped = new Set<number>([RRType.DNSKEY, RRType.NSEC3PARAM]);
  if (options.sync !== undefined) {
    apexDropped.add(RRType.CDS);
    apexDropped.add(RRType.CDNSKEY);
  }
  let newSoa: RRset | undefined;
  if (serial !== oldSerial) {
    const r = soaRdata.slice();
    const at = r.length - 20;
    r[at] = serial >>> 24;
    r[at + 1] = (serial >>> 16) & 0xff;
    r[at + 2] = (serial >>> 8) & 0xff;
    r[at + 3] = serial & 0xff;
    newSoa = { ...soa, rdatas: [r] };
  }

  // ---- Per node: strip what is rebuilt, keep the old RRSIGs for reuse --------------------------
  const prepare = (node: ZoneNode): Prepared => {
    const isApex = node.kind === NodeKind.Apex;
    const sets: OutSet[] = [];
    let oldSigs: Uint8Array[] | undefined;
    for (const set of node.rrsets.values()) {
      if (set.type === RRType.RRSIG) {
        oldSigs = [...set.rdatas];
        continue;
      }
      if (REBUILT.has(set.type)) continue;
      if (isApex && apexDropped.has(set.type)) continue;
      const s = isApex && set.type === RRType.SOA && newSoa !== undefined ? newSoa : set;
      sets.push({ set: s, sigs: [], signers: NO_SIGNERS, old: undefined });
    }
    if (isApex) {
      for (const extra of apexExtra) sets.push({ set: extra, sigs: [], signers: NO_SIGNERS, old: undefined });
      sets.sort((a, b) => a.set.type - b.set.type);
    }
    const hasData = node.kind !== NodeKind.Occluded && sets.length > 0;
    if (node.kind !== NodeKind.Occluded) {
      for (const os of sets) {
        if (node.kind === NodeKind.Delegation && os.set.type !== RRType.DS) continue;
        os.signers = signersFor(os.set.type, isApex);
        if (oldSigs !== undefined) os.old = oldSigs.filter((r) => u16(r, 0) === os.set.type);
      }
    }
    return { node, out: { name: node.name, sets }, hasData, oldSigs };
  };

  // ---- Denial chain membership ----------------------------------------------------------------------
  const nsec3 = denial.type === 'nsec3' ? denial : undefined;
  const optOut = nsec3?.optOut === true;
  const isSecureCut = (w: Prepared): boolean => w.out.sets.some((s) => s.set.type === RRType.DS);
  const inChainAsData = (w: Prepared): boolean => {
    if (!w.hasData) return false;
    if (w.node.kind === NodeKind.Delegation) return !optOut || isSecureCut(w);
    return true;
  };
  /** Types listed in this node's NSEC/NSEC3 bitmap (RFC 4034 §4.1.2; at a cut only NS and DS). */
  const chainTypes = (w: Prepared): number[] => {
    const types: number[] = [];
    let signedHere = false;
    for (const os of w.out.sets) {
      if (w.node.kind === NodeKind.Delegation && os.set.type !== RRType.NS && os.set.type !== RRType.DS) continue;
      types.push(os.set.type);
      if (os.signers.length > 0) signedHere = true;
    }
    if (nsec3 === undefined) types.push(RRType.NSEC, RRType.RRSIG);
    else if (signedHere) types.push(RRType.RRSIG);
    return types;
  };

  // NSEC3 (RFC 5155 §7.1): a first walk hashes every chain name, empty non-terminals that lead to
  // chain names included (a stack of the empty non-terminals on the current path).
  const table = nsec3 === undefined ? undefined : new Nsec3Table(origin, nsec3, denialTtl, cls);
  if (table !== undefined) {
    const ents: { name: Name; needed: boolean }[] = [];
    const popTo = (name: Name | undefined): void => {
      while (ents.length > 0 && (name === undefined || !name.isSubdomainOf(ents[ents.length - 1]!.name))) {
        const e = ents.pop()!;
        if (e.needed) table.add(e.name, []);
      }
    };
    for (const node of input.nodes()) {
      if (node.kind === NodeKind.Occluded) continue;
      const w = prepare(node);
      popTo(node.name);
      if (inChainAsData(w)) {
        for (let i = ents.length - 1; i >= 0 && !ents[i]!.needed; i--) ents[i]!.needed = true;
        table.add(node.name, chainTypes(w));
      } else if (!w.hasData && node.kind !== NodeKind.Apex) {
        ents.push({ name: node.name, needed: false });
      }
    }
    popTo(undefined);
    table.finish();
    stats.chainRecords = table.size;
  }

  // ---- Output nodes in canonical order, NSEC added (one chain name of lookahead) or NSEC3 merged ---
  let oldTotal = 0;
  function* outNodes(): Generator<OutNode, void, undefined> {
    const nsecSigners = signersFor(RRType.NSEC, false);
    const nsec3Signers = signersFor(RRType.NSEC3, false);
    let pending: Prepared | undefined;
    let pendingTypes: number[] = [];
    let queue: OutNode[] = [];
    let firstChainName: Name | undefined;
    const attachNsec = (w: Prepared, types: number[], next: Name): void => {
      const set: RRset = { name: w.node.name, type: RRType.NSEC, class: cls, ttl: denialTtl, rdatas: [nsecRdata(next, types)] };
      const os: OutSet = { set, sigs: [], signers: nsecSigners, old: w.oldSigs?.filter((r) => u16(r, 0) === RRType.NSEC) };
      const sets = w.out.sets;
      let at = sets.length;
      while (at > 0 && sets[at - 1]!.set.type > RRType.NSEC) at--;
      sets.splice(at, 0, os);
      stats.chainRecords++;
    };
    // The next NSEC3 in hash order and its owner name, made once per entry.
    let next3 = 0;
    let owner3 = table !== undefined && table.size > 0 ? table.owner(0) : undefined;
    const take3 = (old: readonly Uint8Array[] | undefined): OutNode => {
      const out = table!.node(next3, nsec3Signers, old, owner3);
      next3++;
      owner3 = next3 < table!.size ? table!.owner(next3) : undefined;
      return out;
    };
    for (const node of input.nodes()) {
      const w = prepare(node);
      if (w.oldSigs !== undefined) oldTotal += w.oldSigs.length;
      if (table !== undefined) {
        while (owner3 !== undefined && compareNames(owner3, node.name) < 0) yield take3(undefined);
        if (owner3 !== undefined && compareNames(owner3, node.name) === 0) {
          // The input's own NSEC3 at this hashed name: its RRSIGs may be reused.
          yield take3(w.oldSigs?.filter((r) => u16(r, 0) === RRType.NSEC3));
        }
        if (w.out.sets.length > 0) yield w.out;
        continue;
      }
      if (node.kind !== NodeKind.Occluded && w.hasData) {
        firstChainName ??= node.name;
        if (pending !== undefined) {
          attachNsec(pending, pendingTypes, node.name);
          yield pending.out;
          yield* queue;
          queue = [];
        }
        pending = w;
        pendingTypes = chainTypes(w);
      } else if (w.out.sets.length > 0) {
        if (pending === undefined) yield w.out;
        else queue.push(w.out);
      }
    }
    if (table !== undefined) {
      while (owner3 !== undefined) yield take3(undefined);
    } else if (pending !== undefined) {
      attachNsec(pending, pendingTypes, firstChainName!);
      yield pending.out;
      yield* queue;
    }
  }

  // ---- Signatures -----------------------------------------------------------------------------------
  const verifier = options.verifier;
  const dnskeySet = new Map<string, Uint8Array>();
  for (const r of dnskeys.rdatas) dnskeySet.set(`${r[3]!}/${keyTag(r)}`, r);
  const exp = (type: number, atApex: boolean): number => {
    const base = atApex && KEY_MATERIAL.has(type) ? keyExpiration : expiration;
    return jitter > 0 ? base - options.random!(jitter + 1) : base;
  };
  const refreshLimit = now + refresh;
  const originWire = origin.canonicalWire();
  const apexLabels = origin.labelCount;

  /** Decides about the input RRSIGs of one RRset; returns the key indexes still to sign with. */
  const reuse = (os: OutSet): readonly number[] => {
    if (os.old === undefined || os.old.length === 0) return os.signers;
    const need = new Set(os.signers);
    for (const r of os.old) {
      const alg = r[2]!;
      const id = `${alg}/${u16(r, 16)}`;
      const use = byTag.get(id);
      const inDnskey = dnskeySet.get(id);
      const fresh = timeBefore(refreshLimit, u32(r, 8)) && !timeBefore(now, u32(r, 12)) && u32(r, 4) === os.set.ttl && signerIs(r, originWire);
      if (!fresh || verifier === undefined || inDnskey === undefined) continue;
      const wanted = use !== undefined && need.has(use.index);
      const unknown = use === undefined;
      const inactive = use !== undefined && !use.active;
      const allowed = wanted || (unknown && options.removeUnknownSignatures !== true) || (inactive && options.removeInactiveSignatures !== true);
      if (!allowed) continue;
      stats.verified++;
      let ok: boolean;
      try {
        const sigStart = 18 + signerLength(r);
        ok = verifier.verify(alg, inDnskey.subarray(4), signedData(r.subarray(0, sigStart), os.set), r.subarray(sigStart));
      } catch {
        // Malformed input RRSIG: not reusable.
        ok = false;
      }
      if (!ok) {
        stats.verifyFailed++;
        continue;
      }
      os.sigs.push(r);
      stats.retained++;
      if (use !== undefined) need.delete(use.index);
    }
    return [...need];
  };

  const checkNew = options.verifyGenerated === true && batch?.verifies !== true ? verifier : undefined;
  const batchVerified = options.verifyGenerated === true && batch?.verifies === true;
  const batchSize = options.batchSize ?? 2048;
  const concurrency = batch === undefined ? 1 : (options.concurrency ?? 4);

  interface Job {
    readonly os: OutSet;
    readonly header: Uint8Array;
    readonly key: number;
    readonly data: Uint8Array;
  }
  const runBatch = async (jobs: readonly Job[]): Promise<void> => {
    if (jobs.length === 0) return;
    let sigs: Uint8Array[];
    if (batch !== undefined) {
      sigs = await batch.signBatch(jobs.map((j) => ({ key: j.key, data: j.data })));
      if (sigs.length !== jobs.length) throw new CryptoError(`batch signer returned ${sigs.length} signatures for ${jobs.length} jobs`);
    } else {
      sigs = jobs.map((j) => keys[j.key]!.sign!(j.data));
    }
    // The batch's RRSIG RDATAs (header and signature) share one buffer: one allocation per batch.
    let total = 0;
    for (let i = 0; i < jobs.length; i++) total += jobs[i]!.header.length + sigs[i]!.length;
    const arena = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      const sig = sigs[i]!;
      if (checkNew !== undefined) {
        const u = uses[j.key]!;
        if (!checkNew.verify(u.algorithm, u.rdata.subarray(4), j.data, sig)) {
          throw new CryptoError(`new signature by key ${u.tag} over ${j.os.set.name.toString()}/${j.os.set.type} does not verify`);
        }
        stats.generatedVerified++;
      }
      const start = at;
      arena.set(j.header, at);
      at += j.header.length;
      arena.set(sig, at);
      at += sig.length;
      j.os.sigs.push(arena.subarray(start, at));
    }
    stats.generated += jobs.length;
    if (batchVerified) stats.generatedVerified += jobs.length;
  };

  async function* records(): AsyncGenerator<ResourceRecord, void, undefined> {
    for await (const chunk of chunks()) yield* chunk;
  }

  async function* chunks(): AsyncGenerator<ResourceRecord[], void, undefined> {
    const fifo: { nodes: OutNode[]; done: Promise<void> }[] = [];
    let nodes: OutNode[] = [];
    let jobs: Job[] = [];
    const dispatch = (): void => {
      const done = runBatch(jobs);
      // Awaited in order below; this only keeps a later batch's failure from being "unhandled".
      done.catch(() => undefined);
      fifo.push({ nodes, done });
      nodes = [];
      jobs = [];
    };
    for (const node of outNodes()) {
      // Every other name of the zone has more labels than the apex.
      const atApex = node.name.labelCount === apexLabels;
      for (const os of node.sets) {
        if (os.signers.length === 0) continue;
        stats.signedRRsets++;
        for (const k of reuse(os)) {
          const u = uses[k]!;
          const header = rrsigHeader(os.set, u.algorithm, u.tag, inception, exp(os.set.type, atApex), origin);
          jobs.push({ os, header, key: k, data: signedData(header, os.set) });
        }
      }
      nodes.push(node);
      if (jobs.length >= batchSize || nodes.length >= 4 * batchSize) {
        dispatch();
        while (fifo.length >= concurrency) {
          const b = fifo.shift()!;
          await b.done;
          yield emit(b.nodes);
        }
      }
    }
    dispatch();
    while (fifo.length > 0) {
      const b = fifo.shift()!;
      await b.done;
      yield emit(b.nodes);
    }
    stats.dropped = oldTotal - stats.retained;
  }

  /** The records of finished nodes in the printer's order: SOA first, then by type; RRSIGs together, by RDATA. */
  function emit(nodes: readonly OutNode[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const node of nodes) {
      const name = node.name;
      const sigs: { rdata: Uint8Array; ttl: number }[] = [];
      for (const os of node.sets) for (const r of os.sigs) sigs.push({ rdata: r, ttl: os.set.ttl });
      // Insertion sort: a handful of signatures per name, and Array.prototype.sort allocates.
      for (let i = 1; i < sigs.length; i++) {
        const s = sigs[i]!;
        let j = i - 1;
        for (; j >= 0 && compareBytes(sigs[j]!.rdata, s.rdata) > 0; j--) sigs[j + 1] = sigs[j]!;
        sigs[j + 1] = s;
      }
      let sigsDone = sigs.length === 0;
      const soaSet = node.sets.find((s) => s.set.type === RRType.SOA);
      if (soaSet !== undefined) for (const r of soaSet.set.rdatas) out.push({ name, type: RRType.SOA, class: cls, ttl: soaSet.set.ttl, rdata: r });
      for (const os of node.sets) {
        if (os === soaSet) continue;
        if (!sigsDone && os.set.type > RRType.RRSIG) {
          for (const s of sigs) out.push({ name, type: RRType.RRSIG, class: cls, ttl: s.ttl, rdata: s.rdata });
          sigsDone = true;
        }
        for (const r of os.set.rdatas) out.push({ name, type: os.set.type, class: cls, ttl: os.set.ttl, rdata: r });
      }
      if (!sigsDone) for (const s of sigs) out.push({ name, type: RRType.RRSIG, class: cls, ttl: s.ttl, rdata: s.rdata });
    }
    return out;
  }

  return { origin, class: cls, stats, keys: uses, dnskeys, serial, records, chunks };
}

/**
 * Signs a zone and collects the result (fine for zones that fit in memory several times over;
 * for large zones use startSigning and write the records as they come).
 */
export async function signZone(zone: Zone | SignerInput, keys: readonly SigningKey[], options: SignZoneOptions): Promise<SignedZone> {
  const input: SignerInput = zone instanceof Zone ? zoneInput(zone) : zone;
  const run = startSigning(input, keys, options);
  const out: ResourceRecord[] = [];
  for await (const chunk of run.chunks()) for (const rr of chunk) out.push(rr);
  return {
    origin: run.origin,
    class: run.class,
    stats: run.stats,
    keys: run.keys,
    dnskeys: run.dnskeys,
    serial: run.serial,
    records: () => out.values(),
    recordCount: out.length,
  };
}

/**
 * The NSEC3 chain under construction and then in hash order (RFC 5155 §7.1): hashes and bitmaps
 * in two byte arenas, one entry per chain name, so a million names cost about 40 MB.
 */
class Nsec3Table {
  private hashBytes: Uint8Array = new Uint8Array(1 << 16);
  private bitmapBytes: Uint8Array = new Uint8Array(1 << 16);
  private bitmapLength = 0;
  // Typed arrays, not number[]: a JS array that lives through the whole first walk is promoted
  // and copied on every growth inside V8's heap; these grow outside it.
  private bitmapEnds: Uint32Array = new Uint32Array(1 << 12);
  private order: Uint32Array = new Uint32Array(0);
  private readonly origin: Name;
  private readonly params: Nsec3Params;
  private readonly ttl: number;
  private readonly cls: number;
  size = 0;

  constructor(origin: Name, params: Nsec3Params, ttl: number, cls: number) {
    this.origin = origin;
    this.params = params;
    this.ttl = ttl;
    this.cls = cls;
  }

  add(name: Name, types: readonly number[]): void {
    const h = nsec3Hash(name, this.params.salt, this.params.iterations);
    const i = this.size++;
    if ((i + 1) * NSEC3_SHA1_LENGTH > this.hashBytes.length) this.hashBytes = grow(this.hashBytes, (i + 1) * NSEC3_SHA1_LENGTH);
    this.hashBytes.set(h, i * NSEC3_SHA1_LENGTH);
    const bitmap = encodeTypeBitmap(types);
    if (this.bitmapLength + bitmap.length > this.bitmapBytes.length) this.bitmapBytes = grow(this.bitmapBytes, this.bitmapLength + bitmap.length);
    this.bitmapBytes.set(bitmap, this.bitmapLength);
    this.bitmapLength += bitmap.length;
    if (i === this.bitmapEnds.length) {
      const next = new Uint32Array(this.bitmapEnds.length * 2);
      next.set(this.bitmapEnds);
      this.bitmapEnds = next;
    }
    this.bitmapEnds[i] = this.bitmapLength;
  }

  /** Sorts by hash; two equal hashes are a collision (RFC 5155 §7.1: choose another salt). */
  finish(): void {
    const hb = this.hashBytes;
    const cmp = (a: number, b: number): number => {
      const pa = a * NSEC3_SHA1_LENGTH;
      const pb = b * NSEC3_SHA1_LENGTH;
      for (let k = 0; k < NSEC3_SHA1_LENGTH; k++) {
        const d = hb[pa + k]! - hb[pb + k]!;
        if (d !== 0) return d;
      }
      return 0;
    };
    const idx = new Uint32Array(this.size);
    for (let i = 0; i < idx.length; i++) idx[i] = i;
    idx.sort(cmp);
    for (let i = 1; i < idx.length; i++) {
      if (cmp(idx[i - 1]!, idx[i]!) === 0) throw new AnchordError(ErrorCode.ZoneFile, 'NSEC3 hash collision between two names of the zone; use another salt');
    }
    this.order = idx;
  }

  private hashAt(sorted: number): Uint8Array {
    const e = this.order[sorted]!;
    return this.hashBytes.subarray(e * NSEC3_SHA1_LENGTH, (e + 1) * NSEC3_SHA1_LENGTH);
  }

  /** The hashed owner name of the entry at this position. */
  owner(sorted: number): Name {
    // One label of 32 base32hex digits (RFC 5155 §3.3, lower case) in front of the apex.
    const h = this.hashAt(sorted);
    const apex = this.origin.wire;
    const wire = new Uint8Array(33 + apex.length);
    wire[0] = 32;
    let p = 1;
    for (let i = 0; i < NSEC3_SHA1_LENGTH; i += 5) {
      const hi = (h[i]! << 12) | (h[i + 1]! << 4) | (h[i + 2]! >>> 4);
      const lo = ((h[i + 2]! & 15) << 16) | (h[i + 3]! << 8) | h[i + 4]!;
      for (let k = 15; k >= 0; k -= 5) wire[p++] = B32HEX_LOWER.charCodeAt((hi >>> k) & 31);
      for (let k = 15; k >= 0; k -= 5) wire[p++] = B32HEX_LOWER.charCodeAt((lo >>> k) & 31);
    }
    wire.set(apex, 33);
    return Name.fromWire(wire);
  }

  /** The output node for the entry at this position: its NSEC3 RRset, to be signed. */
  node(sorted: number, signers: readonly number[], old: readonly Uint8Array[] | undefined, owner?: Name): OutNode {
    const e = this.order[sorted]!;
    const next = this.hashAt((sorted + 1) % this.size);
    const bitmap = this.bitmapBytes.subarray(e === 0 ? 0 : this.bitmapEnds[e - 1]!, this.bitmapEnds[e]);
    const p = this.params;
    const saltLen = p.salt.length;
    const rdata = new Uint8Array(6 + saltLen + NSEC3_SHA1_LENGTH + bitmap.length);
    rdata[0] = 1;
    rdata[1] = p.optOut ? 1 : 0;
    rdata[2] = p.iterations >>> 8;
    rdata[3] = p.iterations & 0xff;
    rdata[4] = saltLen;
    rdata.set(p.salt, 5);
    rdata[5 + saltLen] = NSEC3_SHA1_LENGTH;
    rdata.set(next, 6 + saltLen);
    rdata.set(bitmap, 6 + saltLen + NSEC3_SHA1_LENGTH);
    const name = owner ?? this.owner(sorted);
    const set: RRset = { name, type: RRType.NSEC3, class: this.cls, ttl: this.ttl, rdatas: [rdata] };
    return { name, sets: [{ set, sigs: [], signers, old }] };
  }
}

/** base32hex digits (RFC 4648 §7), lower case. */
const B32HEX_LOWER = '0123456789abcdefghijklmnopqrstuv';

function grow(buf: Uint8Array, need: number): Uint8Array {
  let size = buf.length * 2;
  while (size < need) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf);
  return next;
}

const NO_SIGNERS: readonly number[] = [];

/** True when the RRSIG's signer's name is `apex` (given lower-cased): RFC 4035 §2.2. */
function signerIs(rrsig: Uint8Array, apex: Uint8Array): boolean {
  if (rrsig.length < 18 + apex.length) return false;
  for (let i = 0; i < apex.length; i++) {
    let b = rrsig[18 + i]!;
    if (b >= 0x41 && b <= 0x5a) b |= 0x20;
    if (b !== apex[i]) return false;
  }
  return true;
}

/** Length of the signer's name in an RRSIG RDATA (uncompressed, starts at offset 18). */
function signerLength(rrsig: Uint8Array): number {
  let p = 18;
  while (p < rrsig.length) {
    const l = rrsig[p]!;
    if (l === 0) return p + 1 - 18;
    p += l + 1;
  }
  return rrsig.length - 18;
}
