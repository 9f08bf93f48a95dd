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
// Pure module: keys reach it through SigningKey (a sign function) or a BatchSigner (a worker pool
// in src/crypto); the time and randomness are parameters. The work is split into batches so a
// pool can sign one batch while the next is prepared.

import { CryptoError, KeyFileError, AnchordError, ErrorCode } from '../core/errors.js';
import { signedData } from '../dnssec/canonical.js';
import { makeDsRdata } from '../dnssec/ds.js';
import { keyTag } from '../dnssec/key-tag.js';
import type { SignatureVerifier } from '../dnssec/zone-verify.js';
import { RRType } from '../wire/constants.js';
import { compareNames, type Name } from '../wire/name.js';
import { bytesEqual, compareBytes, type ResourceRecord, type RRset } from '../wire/record.js';
import { NodeKind, type Zone, type ZoneNode } from '../zone/zone.js';
import { buildNsec3Chain, buildNsecChain, nsec3ParamRdata, type ChainName, type Nsec3Params } from './denial-chain.js';
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
  /** Signs data (the RRSIG signature field). Absent: the key can be published but not sign. */
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
  records(): Generator<ResourceRecord, void, undefined>;
  /** Number of records records() yields. */
  readonly recordCount: number;
}

const DEFAULT_VALIDITY = 30 * 86400;
const KEY_MATERIAL = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);
/** Types the signer rebuilds itself; input copies are dropped (their RRSIGs may be reused). */
const REBUILT = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/** One RRset in the output with its RRSIG RDATAs. */
interface OutSet {
  set: RRset;
  sigs: Uint8Array[];
  /** Sign with these key indexes (filled in planning). */
  signers: number[];
  /** Input RRSIGs covering this RRset at this owner. */
  old: Uint8Array[] | undefined;
}

interface OutNode {
  readonly name: Name;
  readonly sets: OutSet[];
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
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
 * Signs `zone` with `keys`. Throws KeyFileError for key problems (a key for another zone, no key
 * able to sign, a key that must sign but has no private half), AnchordError(ZoneFile) for a zone
 * with errors, CryptoError when signing fails.
 */
export async function signZone(zone: Zone, keys: readonly SigningKey[], options: SignZoneOptions): Promise<SignedZone> {
  const errors = zone.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new AnchordError(ErrorCode.ZoneFile, `cannot sign ${zone.origin.toString()}: ${errors.map((e) => e.message).join('; ')}`);
  const origin = zone.origin;
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
    if (batch === undefined && keys[u.index]!.sign === undefined) {
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
  const signersFor = (type: number, atApex: boolean): number[] => {
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
    return out;
  };

  // ---- SOA, TTLs ------------------------------------------------------------------------------
  const soa = zone.soa!;
  const soaRdata = soa.rdatas[0]!;
  const minimum = u32(soaRdata, soaRdata.length - 4);
  const oldSerial = u32(soaRdata, soaRdata.length - 20);
  const serial = nextSerial(oldSerial, options.serial ?? 'keep', now);
  const denialTtl = Math.min(soa.ttl, minimum);

  // ---- DNSKEY, CDS, CDNSKEY, NSEC3PARAM at the apex --------------------------------------------
  const zoneKeys = zone.rrset(origin, RRType.DNSKEY);
  const dnskeyRdatas: Uint8Array[] = [];
  for (const r of zoneKeys?.rdatas ?? []) if (!uses.some((u) => sameKeyIgnoringRevoke(u.rdata, r))) dnskeyRdatas.push(r);
  for (const u of uses) if (u.published) dnskeyRdatas.push(u.rdata);
  const keyTtls = keys.map((k) => k.ttl).filter((t): t is number => t !== undefined);
  const dnskeyTtl = options.dnskeyTtl ?? zoneKeys?.ttl ?? (keyTtls.length > 0 ? Math.min(...keyTtls) : soa.ttl);
  const dnskeys: RRset = { name: origin, type: RRType.DNSKEY, class: zone.class, ttl: dnskeyTtl, rdatas: sortUnique(dnskeyRdatas) };

  const apexExtra = new Map<number, RRset>();
  apexExtra.set(RRType.DNSKEY, dnskeys);
  if (options.sync !== undefined) {
    const sync = options.sync;
    const syncKeys = uses.filter((u) => u.published && !u.revoked && u.ksk && (u.sync || (sync.allKsks === true && u.active)));
    const cds: Uint8Array[] = [];
    const cdnskey: Uint8Array[] = [];
    for (const u of syncKeys) {
      for (const d of sync.cdsDigests ?? [2]) cds.push(makeDsRdata(origin, u.rdata, d));
      if (sync.cdnskey !== false) cdnskey.push(u.rdata);
    }
    if (cds.length > 0) apexExtra.set(RRType.CDS, { name: origin, type: RRType.CDS, class: zone.class, ttl: dnskeyTtl, rdatas: sortUnique(cds) });
    if (cdnskey.length > 0) apexExtra.set(RRType.CDNSKEY, { name: origin, type: RRType.CDNSKEY, class: zone.class, ttl: dnskeyTtl, rdatas: sortUnique(cdnskey) });
  }
  if (denial.type === 'nsec3') {
    apexExtra.set(RRType.NSEC3PARAM, { name: origin, type: RRType.NSEC3PARAM, class: zone.class, ttl: 0, rdatas: [nsec3ParamRdata(denial)] });
  }
  const apexDropped = new Set<number>([RRType.DNSKEY, RRType.NSEC3PARAM]);
  if (options.sync !== undefined) {
    apexDropped.add(RRType.CDS);
    apexDropped.add(RRType.CDNSKEY);
  }

  // ---- Nodes: strip what is rebuilt, keep the old RRSIGs for reuse -----------------------------
  interface Work {
    node: ZoneNode;
    out: OutNode;
    /** Authoritative data (not glue/occluded) present after stripping. */
    hasData: boolean;
  }
  const works: Work[] = [];
  const oldSigsByOwner = new Map<string, Uint8Array[]>();
  const apexKey = origin.key;
  for (const node of zone.nodes) {
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
      let s = set;
      if (isApex && set.type === RRType.SOA && serial !== oldSerial) {
        const r = soaRdata.slice();
        const at = r.length - 20;
        r[at] = serial >>> 24;
        r[at + 1] = (serial >>> 16) & 0xff;
        r[at + 2] = (serial >>> 8) & 0xff;
        r[at + 3] = serial & 0xff;
        s = { ...set, rdatas: [r] };
      }
      sets.push({ set: s, sigs: [], signers: [], old: undefined });
    }
    if (isApex) for (const extra of apexExtra.values()) sets.push({ set: extra, sigs: [], signers: [], old: undefined });
    sets.sort((a, b) => a.set.type - b.set.type);
    if (oldSigs !== undefined) oldSigsByOwner.set(node.name.key, oldSigs);
    const hasData = node.kind !== NodeKind.Occluded && sets.length > 0;
    works.push({ node, out: { name: node.name, sets }, hasData });
  }

  // ---- Which names are in the denial chain ------------------------------------------------------
  const nsec3 = denial.type === 'nsec3' ? denial : undefined;
  const optOut = nsec3?.optOut === true;
  const isSecureCut = (w: Work): boolean => w.out.sets.some((s) => s.set.type === RRType.DS);
  // Names that carry a chain entry for data of their own (not empty non-terminals).
  const inChainAsData = (w: Work): boolean => {
    if (!w.hasData) return false;
    if (w.node.kind === NodeKind.Delegation) return !optOut || isSecureCut(w);
    return true;
  };
  // Empty non-terminals needed by NSEC3 (RFC 5155 §7.1): ancestors of chain names.
  const neededEnts = new Set<string>();
  if (nsec3 !== undefined) {
    for (const w of works) {
      if (!inChainAsData(w)) continue;
      for (let p = w.node.name.parent(); p !== undefined && p.key !== apexKey && p.labelCount > origin.labelCount; p = p.parent()) {
        if (neededEnts.has(p.key)) break;
        neededEnts.add(p.key);
      }
    }
  }

  // ---- Signing plan per RRset ----------------------------------------------------------------------
  const chain: ChainName[] = [];
  const chainWorks: Work[] = [];
  for (const w of works) {
    const kind = w.node.kind;
    if (kind === NodeKind.Occluded) continue;
    const isApex = kind === NodeKind.Apex;
    let signedHere = false;
    const old = oldSigsByOwner.get(w.node.name.key);
    for (const os of w.out.sets) {
      if (kind === NodeKind.Delegation && os.set.type !== RRType.DS) continue;
      os.signers = signersFor(os.set.type, isApex);
      if (os.signers.length > 0) signedHere = true;
      if (old !== undefined) os.old = old.filter((r) => u16(r, 0) === os.set.type);
    }
    if (nsec3 === undefined) {
      if (!w.hasData) continue;
      const types = new Set<number>();
      for (const os of w.out.sets) if (kind !== NodeKind.Delegation || os.set.type === RRType.NS || os.set.type === RRType.DS) types.add(os.set.type);
      types.add(RRType.NSEC);
      types.add(RRType.RRSIG);
      chain.push({ name: w.node.name, types: [...types] });
      chainWorks.push(w);
    } else {
      const include = inChainAsData(w) || (!w.hasData && neededEnts.has(w.node.name.key));
      if (!include) continue;
      const types: number[] = [];
      for (const os of w.out.sets) if (kind !== NodeKind.Delegation || os.set.type === RRType.NS || os.set.type === RRType.DS) types.push(os.set.type);
      if (signedHere) types.push(RRType.RRSIG);
      chain.push({ name: w.node.name, types });
    }
  }

  // ---- Denial records ----------------------------------------------------------------------------
  const nsec3Nodes: OutNode[] = [];
  if (nsec3 === undefined) {
    const rdatas = buildNsecChain(chain);
    chainWorks.forEach((w, i) => {
      const set: RRset = { name: w.node.name, type: RRType.NSEC, class: zone.class, ttl: denialTtl, rdatas: [rdatas[i]!] };
      const os: OutSet = { set, sigs: [], signers: signersFor(RRType.NSEC, false), old: oldSigsByOwner.get(w.node.name.key)?.filter((r) => u16(r, 0) === RRType.NSEC) };
      const sets = w.out.sets;
      let at = sets.length;
      while (at > 0 && sets[at - 1]!.set.type > RRType.NSEC) at--;
      sets.splice(at, 0, os);
    });
    stats.chainRecords = rdatas.length;
  } else {
    const entries = buildNsec3Chain(chain, origin, nsec3);
    const signers = signersFor(RRType.NSEC3, false);
    for (const e of entries) {
      const set: RRset = { name: e.owner, type: RRType.NSEC3, class: zone.class, ttl: denialTtl, rdatas: [e.rdata] };
      nsec3Nodes.push({ name: e.owner, sets: [{ set, sigs: [], signers, old: oldSigsByOwner.get(e.owner.key)?.filter((r) => u16(r, 0) === RRType.NSEC3) }] });
    }
    stats.chainRecords = entries.length;
  }

  // ---- Output nodes in canonical order: zone names merged with NSEC3 owners --------------------
  const outNodes: OutNode[] = [];
  {
    let j = 0;
    const zoneOut = works.filter((w) => w.out.sets.length > 0).map((w) => w.out);
    for (const n of zoneOut) {
      while (j < nsec3Nodes.length && compareNames(nsec3Nodes[j]!.name, n.name) < 0) outNodes.push(nsec3Nodes[j++]!);
      outNodes.push(n);
    }
    while (j < nsec3Nodes.length) outNodes.push(nsec3Nodes[j++]!);
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

  /** Decides about the input RRSIGs of one RRset; returns the key indexes still to sign with. */
  const reuse = (os: OutSet): number[] => {
    const need = new Set(os.signers);
    for (const r of os.old ?? []) {
      const alg = r[2]!;
      const tag = u16(r, 16);
      const id = `${alg}/${tag}`;
      const use = byTag.get(id);
      const inDnskey = dnskeySet.get(id);
      let keep = false;
      const fresh =
        timeBefore(refreshLimit, u32(r, 8)) && !timeBefore(now, u32(r, 12)) && u32(r, 4) === os.set.ttl && signerIs(r, originWire);
      if (fresh && verifier !== undefined && inDnskey !== undefined) {
        const wanted = use !== undefined && need.has(use.index);
        const unknown = use === undefined;
        const inactive = use !== undefined && !use.active;
        const allowed = wanted || (unknown && options.removeUnknownSignatures !== true) || (inactive && options.removeInactiveSignatures !== true);
        if (allowed) {
          stats.verified++;
          let ok: boolean;
          try {
            const sigStart = 18 + signerLength(r);
            ok = verifier.verify(alg, inDnskey.subarray(4), signedData(r.subarray(0, sigStart), os.set), r.subarray(sigStart));
          } catch {
            // Malformed input RRSIG: not reusable.
            ok = false;
          }
          if (ok) keep = true;
          else stats.verifyFailed++;
        }
      }
      if (keep) {
        os.sigs.push(r);
        stats.retained++;
        if (use !== undefined) need.delete(use.index);
      }
    }
    return [...need];
  };

  const checkNew = options.verifyGenerated === true ? verifier : undefined;
  const batchSize = options.batchSize ?? 2048;
  const concurrency = batch === undefined ? 1 : (options.concurrency ?? 4);
  const inflight: Promise<void>[] = [];
  let pending: { os: OutSet; header: Uint8Array; key: number; data: Uint8Array }[] = [];
  let pendingSets = 0;

  const flush = async (): Promise<void> => {
    const jobs = pending;
    pending = [];
    pendingSets = 0;
    if (jobs.length === 0) return;
    let sigs: Uint8Array[];
    if (batch !== undefined) {
      sigs = await batch.signBatch(jobs.map((j) => ({ key: j.key, data: j.data })));
      if (sigs.length !== jobs.length) throw new CryptoError(`batch signer returned ${sigs.length} signatures for ${jobs.length} jobs`);
    } else {
      sigs = jobs.map((j) => keys[j.key]!.sign!(j.data));
    }
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      if (checkNew !== undefined) {
        const u = uses[j.key]!;
        if (!checkNew.verify(u.algorithm, u.rdata.subarray(4), j.data, sigs[i]!)) {
          throw new CryptoError(`new signature by key ${u.tag} over ${j.os.set.name.toString()}/${j.os.set.type} does not verify`);
        }
        stats.generatedVerified++;
      }
      j.os.sigs.push(concat(j.header, sigs[i]!));
    }
    stats.generated += jobs.length;
  };

  for (const node of outNodes) {
    const atApex = node.name.key === apexKey;
    for (const os of node.sets) {
      if (os.signers.length === 0) continue;
      stats.signedRRsets++;
      const todo = reuse(os);
      for (const k of todo) {
        const u = uses[k]!;
        const header = rrsigHeader(os.set, u.algorithm, u.tag, inception, exp(os.set.type, atApex), origin);
        pending.push({ os, header, key: k, data: signedData(header, os.set) });
      }
      pendingSets++;
      if (pendingSets >= batchSize) {
        inflight.push(flush());
        if (inflight.length >= concurrency) await inflight.shift();
      }
    }
  }
  inflight.push(flush());
  await Promise.all(inflight);
  let oldTotal = 0;
  for (const list of oldSigsByOwner.values()) oldTotal += list.length;
  stats.dropped = oldTotal - stats.retained;

  // ---- Output ---------------------------------------------------------------------------------------
  let recordCount = 0;
  for (const node of outNodes) for (const os of node.sets) recordCount += os.set.rdatas.length + os.sigs.length;
  const cls = zone.class;
  function* records(): Generator<ResourceRecord, void, undefined> {
    for (const node of outNodes) {
      // Printer order: SOA first, then by type; RRSIGs (type 46) of all RRsets together, by RDATA.
      const sigs: { rdata: Uint8Array; ttl: number }[] = [];
      for (const os of node.sets) for (const r of os.sigs) sigs.push({ rdata: r, ttl: os.set.ttl });
      if (sigs.length > 1) sigs.sort((a, b) => compareBytes(a.rdata, b.rdata));
      let sigsDone = sigs.length === 0;
      const soaSet = node.sets.find((s) => s.set.type === RRType.SOA);
      if (soaSet !== undefined) for (const r of soaSet.set.rdatas) yield { name: node.name, type: RRType.SOA, class: cls, ttl: soaSet.set.ttl, rdata: r };
      for (const os of node.sets) {
        if (os === soaSet) continue;
        if (!sigsDone && os.set.type > RRType.RRSIG) {
          for (const s of sigs) yield { name: node.name, type: RRType.RRSIG, class: cls, ttl: s.ttl, rdata: s.rdata };
          sigsDone = true;
        }
        for (const r of os.set.rdatas) yield { name: node.name, type: os.set.type, class: cls, ttl: os.set.ttl, rdata: r };
      }
      if (!sigsDone) for (const s of sigs) yield { name: node.name, type: RRType.RRSIG, class: cls, ttl: s.ttl, rdata: s.rdata };
    }
  }

  return { origin, class: cls, stats, keys: uses, dnskeys, serial, records, recordCount };
}

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
