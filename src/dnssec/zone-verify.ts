// Whole-zone DNSSEC verification, the check behind `anchord verify-zone`: given every record of a
// signed zone, report what a validator would trip over. It follows BIND's dnssec-verify
// (lib/dns/zoneverify.c) where that tool has a rule, and is stricter where the RFCs are:
//
// - Keys (RFC 4034 §2.1.1, RFC 5011 §2.1, RFC 4035 §2.2): the apex must hold a DNSKEY RRset and
//   an SOA, both signed. A zone key (Zone Key flag) with the SEP flag is a KSK, otherwise a ZSK. A
//   key is active when it signs the DNSKEY RRset (a ZSK also when it signs the SOA), stand-by
//   otherwise; a revoked KSK must still sign the DNSKEY RRset. As in dnssec-verify, the algorithms
//   every RRset must be signed with are those of the active KSKs (with `ignoreKskFlag`, `-z`:
//   of any active key), at least one self-signed KSK must exist, and unless `-z` or `-x`
//   (`keysetKskOnly`) is given each such algorithm needs an active ZSK and vice versa.
// - Signatures (RFC 4034 §3, RFC 4035 §5.3): every RRSIG at an authoritative name is checked:
//   it must cover an RRset present at its owner, name the apex as signer, have a Labels field no
//   larger than the owner's label count, carry the RRset's TTL as original TTL, be valid at `now`
//   (RFC 4034 §3.1.5 serial arithmetic), match a zone key by algorithm and key tag, and verify
//   over the canonical RRset (canonical.ts). Every authoritative RRset — at a delegation only DS
//   and NSEC (RFC 4035 §2.2: delegation NS and glue are not signed) — needs a good signature with
//   each required algorithm. Signatures over delegation NS, glue or occluded data are warnings, as
//   in dnssec-verify.
// - NSEC (RFC 4034 §4, RFC 4035 §2.3): one NSEC at every authoritative name, in canonical order
//   (RFC 4034 §6.1), each pointing at the next and the last at the apex, type bitmaps naming
//   exactly the types present plus RRSIG and NSEC (at a delegation: NS, DS, RRSIG, NSEC only); no
//   NSEC below a zone cut.
// - NSEC3 (RFC 5155 §7.1, §8): for each NSEC3PARAM with flags 0 and hash 1 at the apex, one
//   NSEC3 with the same parameters for every authoritative name and every empty non-terminal;
//   names whose only content is insecure delegations may be left out only under an NSEC3 with
//   the Opt-Out flag covering them; bitmaps naming the types present; no NSEC3 for names that do
//   not exist; the hashes in order with each Next Hashed Owner Name pointing at the following hash
//   and the last at the first.
//
// Pure module: records, origin, the signature checker and `now` (seconds) come in as values.

import { WireError } from '../core/errors.js';
import { RRType, typeToString } from '../wire/constants.js';
import { compareNames, type Name } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import type { Nsec3Data, Nsec3ParamData, RrsigData } from '../wire/rdata-schema.js';
import { bytesEqual, compareBytes, type ResourceRecord, type RRset } from '../wire/record.js';
import { algorithmMnemonic } from './algorithms.js';
import { base32hexEncode } from '../wire/base32hex.js';
import { signedData } from './canonical.js';
import { keyTag } from './key-tag.js';
import { nsec3Hash, nsec3HashFromOwner } from './nsec3-hash.js';

/**
 * What zone verification needs from a crypto backend (crypto/backend.ts CryptoBackend fits;
 * dnssec may not import crypto, so the shape is restated here).
 */
export interface SignatureVerifier {
  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  supportsVerify?(algorithm: number): boolean;
}

export interface ZoneVerifyOptions {
  /** dnssec-verify `-z`: any active key makes its algorithm required, and KSK/ZSK pairing is not checked. */
  readonly ignoreKskFlag?: boolean;
  /** dnssec-verify `-x`: the DNSKEY RRset is signed by KSKs only; KSK/ZSK pairing is not checked. */
  readonly keysetKskOnly?: boolean;
}

export type FaultSeverity = 'error' | 'warning';

export interface ZoneFault {
  readonly owner: Name;
  /** The RR type concerned: for a signature fault, the type the RRSIG covers. */
  readonly type: number;
  readonly reason: string;
  readonly severity: FaultSeverity;
}

export interface KeyCounts {
  readonly active: number;
  readonly standby: number;
  readonly revoked: number;
}

export interface AlgorithmSummary {
  readonly algorithm: number;
  readonly ksk: KeyCounts;
  readonly zsk: KeyCounts;
}

export interface Nsec3ChainSummary {
  readonly hashAlgorithm: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** NSEC3 records in the chain. */
  readonly records: number;
  /** True when some NSEC3 of the chain has the Opt-Out flag. */
  readonly optOut: boolean;
}

export interface ZoneVerifySummary {
  readonly origin: Name;
  /** Which denial-of-existence chains the apex announces. */
  readonly denial: 'nsec' | 'nsec3' | 'nsec+nsec3' | 'none';
  readonly nsec3Chains: readonly Nsec3ChainSummary[];
  /** Algorithms every authoritative RRset must be signed with. */
  readonly requiredAlgorithms: readonly number[];
  readonly algorithms: readonly AlgorithmSummary[];
  /** Authoritative owner names (apex and delegations included, glue and empty non-terminals not). */
  readonly names: number;
  /** RRsets that must be signed. */
  readonly signedRRsets: number;
  /** RRSIG records checked, and of those the good ones. */
  readonly signatures: number;
  readonly goodSignatures: number;
  readonly errors: number;
  readonly warnings: number;
  /** True when there is no error (warnings allowed). */
  readonly ok: boolean;
}

export interface ZoneVerifyResult {
  readonly faults: readonly ZoneFault[];
  readonly summary: ZoneVerifySummary;
}

// ---- Internal model ------------------------------------------------------------------------

const ZONE_KEY = 0x0100;
const REVOKE = 0x0080;
const SEP = 0x0001;
const OPT_OUT = 0x01;

interface KeyInfo {
  readonly rdata: Uint8Array;
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly tag: number;
}

interface Node {
  readonly name: Name;
  /** RRsets by type; RRSIG and NSEC3 are kept apart. */
  readonly sets: Map<number, RRset>;
  /** RRSIG RDATAs by covered type, with the TTL of each. */
  readonly sigs: Map<number, Uint8Array[]>;
  /** The NSEC3 RRset at this owner, if any (a hashed name, RFC 5155 §7.1). */
  nsec3: RRset | undefined;
  kind: 'apex' | 'delegation' | 'normal' | 'occluded';
}

/** Per RRset: algorithms with a good signature, and algorithms with any signature. */
interface SetSigs {
  readonly good: Set<number>;
  readonly present: Set<number>;
  /** Keys (indexes into the DNSKEY list) that made a good signature. */
  readonly goodKeys: Set<number>;
}

/** RRSIG times (RFC 4034 §3.2 presentation) for messages. */
function formatTime(t: number): string {
  return new Date(t * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
}

function saltText(salt: Uint8Array): string {
  return salt.length === 0 ? '-' : hexOf(salt);
}

function typeList(types: Iterable<number>): string {
  return [...types].sort((a, b) => a - b).map(typeToString).join(' ');
}

/** Types an NSEC at a delegation may list (RFC 4035 §2.3; BIND's "zone cut authoritative" set). */
const AT_CUT = new Set<number>([RRType.NS, RRType.DS, RRType.RRSIG, RRType.NSEC]);

class Verifier {
  readonly faults: ZoneFault[] = [];
  readonly origin: Name;
  readonly crypto: SignatureVerifier;
  readonly now: number;
  readonly options: ZoneVerifyOptions;
  keys: KeyInfo[] = [];
  signatures = 0;
  goodSignatures = 0;
  /** Per node key and type: signature outcome. */
  readonly setSigs = new Map<string, SetSigs>();
  readonly unsupported = new Set<number>();

  constructor(origin: Name, crypto: SignatureVerifier, now: number, options: ZoneVerifyOptions) {
    this.origin = origin;
    this.crypto = crypto;
    this.now = now >>> 0;
    this.options = options;
  }

  fault(owner: Name, type: number, reason: string, severity: FaultSeverity = 'error'): void {
    this.faults.push({ owner, type, reason, severity });
  }

  /** Checks one RRSIG over `set`, reporting what is wrong with it, and records the outcome. */
  checkSignature(owner: Name, set: RRset, rdata: Uint8Array, outcome: SetSigs): void {
    this.signatures++;
    let sig: RrsigData;
    try {
      sig = decodeTyped(RRType.RRSIG, rdata);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      this.fault(owner, set.type, `malformed RRSIG: ${e.message}`);
      return;
    }
    const alg = algorithmMnemonic(sig.algorithm);
    const what = `RRSIG ${alg} key ${sig.keyTag}`;
    outcome.present.add(sig.algorithm);
    if (!sig.signerName.equals(this.origin)) {
      this.fault(owner, set.type, `${what}: signer ${sig.signerName.toString()} is not the zone apex`);
      return;
    }
    // RFC 4034 §3.1.3: the owner's label count, a leading `*` not counted. In zone data it is
    // exact; a smaller value would claim the RRset was synthesised from a wildcard.
    const labels = owner.labelCount - (owner.isWildcard() ? 1 : 0);
    if (sig.labels !== labels) {
      this.fault(owner, set.type, `${what}: labels field ${sig.labels}, expected ${labels}`);
      return;
    }
    if (sig.originalTtl !== set.ttl) {
      this.fault(owner, set.type, `${what}: original TTL ${sig.originalTtl} differs from the RRset TTL ${set.ttl}`);
      return;
    }
    // RFC 4034 §3.1.5: times compare in serial number arithmetic (RFC 1982) around `now`.
    if (((this.now - sig.inception) | 0) < 0) {
      this.fault(owner, set.type, `${what}: not yet valid (inception ${formatTime(sig.inception)})`);
      return;
    }
    if (((sig.expiration - this.now) | 0) < 0) {
      this.fault(owner, set.type, `${what}: expired (expiration ${formatTime(sig.expiration)})`);
      return;
    }
    const candidates: number[] = [];
    this.keys.forEach((k, i) => {
      if (k.algorithm === sig.algorithm && k.tag === sig.keyTag && (k.flags & ZONE_KEY) !== 0 && k.protocol === 3) candidates.push(i);
    });
    if (candidates.length === 0) {
      this.fault(owner, set.type, `${what}: no zone DNSKEY with this algorithm and key tag`);
      return;
    }
    if (this.crypto.supportsVerify !== undefined && !this.crypto.supportsVerify(sig.algorithm)) {
      if (!this.unsupported.has(sig.algorithm)) {
        this.unsupported.add(sig.algorithm);
        this.fault(this.origin, RRType.DNSKEY, `algorithm ${alg} is not supported here: its signatures are not checked`, 'warning');
      }
      return;
    }
    const data = signedData(rdata, set, owner);
    for (const i of candidates) {
      const k = this.keys[i]!;
      if (this.crypto.verify(k.algorithm, k.publicKey, data, sig.signature)) {
        this.goodSignatures++;
        outcome.good.add(sig.algorithm);
        outcome.goodKeys.add(i);
        return;
      }
    }
    this.fault(owner, set.type, `${what}: signature does not verify`);
  }

  /** Checks every RRSIG covering `set` at `node`; returns (and remembers) the outcome. */
  checkSet(node: Node, set: RRset): SetSigs {
    const id = `${node.name.key}/${set.type}`;
    const done = this.setSigs.get(id);
    if (done !== undefined) return done;
    const outcome: SetSigs = { good: new Set(), present: new Set(), goodKeys: new Set() };
    for (const rdata of node.sigs.get(set.type) ?? []) this.checkSignature(node.name, set, rdata, outcome);
    this.setSigs.set(id, outcome);
    return outcome;
  }
}

/** True when a node holds data other than an NSEC3 RRset and its signatures. */
function hasRegularData(n: Node): boolean {
  if (n.sets.size > 0) return true;
  for (const t of n.sigs.keys()) if (t !== RRType.NSEC3) return true;
  return false;
}

function parseKey(rdata: Uint8Array): KeyInfo | undefined {
  if (rdata.length < 4) return undefined;
  return {
    rdata,
    flags: (rdata[0]! << 8) | rdata[1]!,
    protocol: rdata[2]!,
    algorithm: rdata[3]!,
    publicKey: rdata.subarray(4),
    tag: keyTag(rdata),
  };
}

function bump(map: Map<number, { active: number; standby: number; revoked: number }>, alg: number, field: 'active' | 'standby' | 'revoked'): void {
  let c = map.get(alg);
  if (c === undefined) {
    c = { active: 0, standby: 0, revoked: 0 };
    map.set(alg, c);
  }
  c[field]++;
}

/**
 * Verifies a signed zone. `records` are the zone's records (any order; duplicates are folded as
 * in an RRset), `origin` its apex, `now` the time in seconds since the epoch at which signature
 * validity is judged.
 */
export function verifyZone(
  records: readonly ResourceRecord[],
  origin: Name,
  crypto: SignatureVerifier,
  now: number,
  options: ZoneVerifyOptions = {},
): ZoneVerifyResult {
  const v = new Verifier(origin, crypto, now, options);

  // ---- Group records into nodes -------------------------------------------------------------
  const apexClass = records.find((r) => r.type === RRType.SOA && r.name.equals(origin))?.class ?? 1;
  const nodes = new Map<string, Node>();
  const building = new Map<string, { name: Name; type: number; class: number; ttl: number; rdatas: Uint8Array[] }>();
  let outOfZone = 0;
  let otherClass = 0;
  for (const rr of records) {
    if (!rr.name.isSubdomainOf(origin)) {
      outOfZone++;
      continue;
    }
    if (rr.class !== apexClass) {
      otherClass++;
      continue;
    }
    let node = nodes.get(rr.name.key);
    if (node === undefined) {
      node = { name: rr.name, sets: new Map(), sigs: new Map(), nsec3: undefined, kind: 'normal' };
      nodes.set(rr.name.key, node);
    }
    if (rr.type === RRType.RRSIG) {
      if (rr.rdata.length < 2) {
        v.fault(rr.name, RRType.RRSIG, 'malformed RRSIG: RDATA too short');
        continue;
      }
      const covered = (rr.rdata[0]! << 8) | rr.rdata[1]!;
      const list = node.sigs.get(covered);
      if (list === undefined) node.sigs.set(covered, [rr.rdata]);
      else if (!list.some((x) => bytesEqual(x, rr.rdata))) list.push(rr.rdata);
      continue;
    }
    const id = `${rr.name.key}/${rr.type}`;
    const cur = building.get(id);
    if (cur === undefined) {
      const set = { name: rr.name, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata] };
      building.set(id, set);
      if (rr.type === RRType.NSEC3) node.nsec3 = set;
      else node.sets.set(rr.type, set);
    } else {
      if (rr.ttl !== cur.ttl) {
        v.fault(rr.name, rr.type, `records of one RRset have different TTLs (${cur.ttl} and ${rr.ttl}); using the smaller`, 'warning');
        cur.ttl = Math.min(cur.ttl, rr.ttl);
      }
      if (!cur.rdatas.some((x) => bytesEqual(x, rr.rdata))) cur.rdatas.push(rr.rdata);
    }
  }
  if (outOfZone > 0) v.fault(origin, RRType.SOA, `${outOfZone} record(s) outside the zone ignored`, 'warning');
  if (otherClass > 0) v.fault(origin, RRType.SOA, `${otherClass} record(s) of another class ignored`, 'warning');

  const sorted = [...nodes.values()].sort((a, b) => compareNames(a.name, b.name));
  const apex = nodes.get(origin.key);

  const summaryOf = (extra: Partial<ZoneVerifySummary>): ZoneVerifySummary => {
    const errors = v.faults.filter((f) => f.severity === 'error').length;
    return {
      origin,
      denial: 'none',
      nsec3Chains: [],
      requiredAlgorithms: [],
      algorithms: [],
      names: 0,
      signedRRsets: 0,
      signatures: v.signatures,
      goodSignatures: v.goodSignatures,
      errors,
      warnings: v.faults.length - errors,
      ok: errors === 0,
      ...extra,
    };
  };

  const soa = apex?.sets.get(RRType.SOA);
  if (apex === undefined || soa === undefined) {
    v.fault(origin, RRType.SOA, 'no SOA record at the zone apex');
    return { faults: v.faults, summary: summaryOf({}) };
  }
  const dnskeySet = apex.sets.get(RRType.DNSKEY);
  if (dnskeySet === undefined) {
    v.fault(origin, RRType.DNSKEY, 'the zone contains no DNSKEY records');
    return { faults: v.faults, summary: summaryOf({}) };
  }
  apex.kind = 'apex';

  // ---- Keys ---------------------------------------------------------------------------------
  for (const rdata of dnskeySet.rdatas) {
    const k = parseKey(rdata);
    if (k === undefined) v.fault(origin, RRType.DNSKEY, 'malformed DNSKEY: RDATA too short');
    else v.keys.push(k);
  }
  const keySigs = v.checkSet(apex, dnskeySet);
  const soaSigs = v.checkSet(apex, soa);
  if (apex.sigs.get(RRType.DNSKEY) === undefined) v.fault(origin, RRType.DNSKEY, 'the DNSKEY RRset is not signed');
  if (apex.sigs.get(RRType.SOA) === undefined) v.fault(origin, RRType.SOA, 'the SOA RRset is not signed');

  const kskCounts = new Map<number, { active: number; standby: number; revoked: number }>();
  const zskCounts = new Map<number, { active: number; standby: number; revoked: number }>();
  let goodKsk = false;
  let goodZsk = false;
  for (let i = 0; i < v.keys.length; i++) {
    const k = v.keys[i]!;
    if ((k.flags & ZONE_KEY) === 0) continue;
    const ksk = (k.flags & SEP) !== 0;
    const selfSigns = keySigs.goodKeys.has(i);
    if ((k.flags & REVOKE) !== 0) {
      // RFC 5011 §2.1: a revoked key signs the DNSKEY RRset so resolvers see the revocation.
      if (ksk && !selfSigns) v.fault(origin, RRType.DNSKEY, `revoked KSK ${k.tag} (${algorithmMnemonic(k.algorithm)}) does not sign the DNSKEY RRset`);
      bump(ksk ? kskCounts : zskCounts, k.algorithm, 'revoked');
      continue;
    }
    if (selfSigns || (!ksk && soaSigs.goodKeys.has(i))) {
      bump(ksk ? kskCounts : zskCounts, k.algorithm, 'active');
      if (ksk && selfSigns) goodKsk = true;
      if (!ksk && selfSigns) goodZsk = true;
    } else {
      bump(ksk ? kskCounts : zskCounts, k.algorithm, 'standby');
    }
  }
  const ignoreKsk = options.ignoreKskFlag === true;
  if (ignoreKsk ? !goodKsk && !goodZsk : !goodKsk) {
    v.fault(origin, RRType.DNSKEY, ignoreKsk ? 'no self-signed DNSKEY found' : 'no self-signed KSK DNSKEY found (use -z for a zone signed with one key type)');
  }
  const required = new Set<number>();
  for (const [alg, c] of kskCounts) if (c.active > 0) required.add(alg);
  if (ignoreKsk) for (const [alg, c] of zskCounts) if (c.active > 0) required.add(alg);
  if (!ignoreKsk && options.keysetKskOnly !== true) {
    const algs = new Set([...kskCounts.keys(), ...zskCounts.keys()]);
    for (const alg of algs) {
      const hasKsk = (kskCounts.get(alg)?.active ?? 0) > 0;
      const hasZsk = (zskCounts.get(alg)?.active ?? 0) > 0;
      if (hasKsk !== hasZsk) {
        v.fault(origin, RRType.DNSKEY, `missing ${hasKsk ? 'an active ZSK' : 'a self-signed KSK'} for algorithm ${algorithmMnemonic(alg)} (use -z for a zone signed with one key type)`);
      }
    }
  }

  // ---- Zone cuts ----------------------------------------------------------------------------
  let cut: Name | undefined;
  for (const node of sorted) {
    if (node === apex) continue;
    if (cut !== undefined && node.name.isSubdomainOf(cut)) {
      node.kind = 'occluded';
      continue;
    }
    cut = undefined;
    if (node.sets.has(RRType.NS)) {
      node.kind = 'delegation';
      cut = node.name;
    } else if (node.sets.has(RRType.DNAME)) {
      // RFC 6672 §2.4: names below a DNAME are occluded; the DNAME owner itself is authoritative.
      cut = node.name;
    }
  }
  /** Nodes with data other than NSEC3: the names of the zone proper. */
  const regular = sorted.filter(hasRegularData);
  const authoritative = regular.filter((n) => n.kind !== 'occluded');

  // ---- Signatures ---------------------------------------------------------------------------
  let signedRRsets = 0;
  const requireSigned = (node: Node, set: RRset): void => {
    signedRRsets++;
    const s = v.checkSet(node, set);
    if (s.present.size === 0) {
      if (required.size > 0) v.fault(node.name, set.type, 'no RRSIG');
      return;
    }
    for (const alg of required) {
      if (!s.present.has(alg)) v.fault(node.name, set.type, `no RRSIG with algorithm ${algorithmMnemonic(alg)}`);
    }
  };
  for (const node of sorted) {
    if (node.kind === 'occluded') {
      for (const covered of node.sigs.keys()) v.fault(node.name, covered, 'RRSIG over data below a zone cut (glue or occluded)', 'warning');
    } else {
      for (const set of node.sets.values()) {
        if (node.kind === 'delegation' && set.type !== RRType.DS && set.type !== RRType.NSEC) {
          if (node.sigs.has(set.type)) v.fault(node.name, set.type, 'RRSIG over non-authoritative data at a delegation', 'warning');
          continue;
        }
        requireSigned(node, set);
      }
    }
    if (node.nsec3 !== undefined) requireSigned(node, node.nsec3);
    for (const covered of node.sigs.keys()) {
      const has = covered === RRType.NSEC3 ? node.nsec3 !== undefined : node.sets.has(covered);
      if (!has) v.fault(node.name, covered, `RRSIG covers ${typeToString(covered)} but there is no such RRset here`);
    }
  }

  // ---- NSEC chain ---------------------------------------------------------------------------
  const hasNsec = apex.sets.has(RRType.NSEC);
  if (hasNsec) {
    for (let i = 0; i < authoritative.length; i++) {
      const node = authoritative[i]!;
      const next = authoritative[(i + 1) % authoritative.length]!.name;
      const set = node.sets.get(RRType.NSEC);
      if (set === undefined) {
        v.fault(node.name, RRType.NSEC, 'no NSEC record');
        continue;
      }
      if (set.rdatas.length > 1) {
        v.fault(node.name, RRType.NSEC, `${set.rdatas.length} NSEC records at one name`);
        continue;
      }
      let nsec;
      try {
        nsec = decodeTyped(RRType.NSEC, set.rdatas[0]!);
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        v.fault(node.name, RRType.NSEC, `malformed NSEC: ${e.message}`);
        continue;
      }
      if (!nsec.next.equals(next)) {
        v.fault(node.name, RRType.NSEC, `next name ${nsec.next.toString()}, expected ${next.toString()}`);
      }
      const expected = new Set<number>([RRType.RRSIG, RRType.NSEC]);
      for (const t of node.sets.keys()) if (node.kind !== 'delegation' || AT_CUT.has(t)) expected.add(t);
      compareBitmap(v, node.name, RRType.NSEC, expected, nsec.types);
    }
  }
  for (const node of regular) {
    if (node.sets.has(RRType.NSEC) && (!hasNsec || node.kind === 'occluded')) {
      v.fault(node.name, RRType.NSEC, node.kind === 'occluded' ? 'NSEC below a zone cut' : 'NSEC record but the apex has no NSEC chain');
    }
  }

  // ---- NSEC3 chains -------------------------------------------------------------------------
  const nsec3Chains = verifyNsec3(v, apex, authoritative, sorted);

  const denial = hasNsec ? (nsec3Chains.length > 0 ? 'nsec+nsec3' : 'nsec') : nsec3Chains.length > 0 ? 'nsec3' : 'none';
  if (denial === 'none') v.fault(origin, RRType.NSEC, 'no NSEC or NSEC3 chain (no NSEC and no usable NSEC3PARAM at the apex)');

  const algorithms: AlgorithmSummary[] = [...new Set([...kskCounts.keys(), ...zskCounts.keys()])]
    .sort((a, b) => a - b)
    .map((alg) => ({
      algorithm: alg,
      ksk: kskCounts.get(alg) ?? { active: 0, standby: 0, revoked: 0 },
      zsk: zskCounts.get(alg) ?? { active: 0, standby: 0, revoked: 0 },
    }));

  return {
    faults: v.faults,
    summary: summaryOf({
      denial,
      nsec3Chains,
      requiredAlgorithms: [...required].sort((a, b) => a - b),
      algorithms,
      names: authoritative.length,
      signedRRsets,
    }),
  };
}

function compareBitmap(v: Verifier, owner: Name, type: number, expected: ReadonlySet<number>, actual: readonly number[]): void {
  const have = new Set(actual);
  const missing = [...expected].filter((t) => !have.has(t));
  const extra = actual.filter((t) => !expected.has(t));
  if (missing.length === 0 && extra.length === 0) return;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`missing ${typeList(missing)}`);
  if (extra.length > 0) parts.push(`lists absent ${typeList(extra)}`);
  v.fault(owner, type, `type bitmap wrong: ${parts.join('; ')}`);
}

interface ExpectedName {
  readonly name: Name;
  /** Types the NSEC3 bitmap must list. */
  readonly types: ReadonlySet<number>;
  /** May be absent when an Opt-Out NSEC3 covers it (insecure delegations and ENTs above only those). */
  readonly optional: boolean;
}

interface FoundNsec3 {
  readonly owner: Name;
  readonly hash: Uint8Array;
  readonly data: Nsec3Data;
}

function verifyNsec3(v: Verifier, apex: Node, authoritative: readonly Node[], all: readonly Node[]): Nsec3ChainSummary[] {
  const origin = v.origin;
  const chains: Nsec3ChainSummary[] = [];

  // Every NSEC3 record in the zone, decoded, with its owner hash.
  const found: FoundNsec3[] = [];
  for (const node of all) {
    if (node.nsec3 === undefined) continue;
    const hash = nsec3HashFromOwner(node.name, origin);
    if (hash === undefined) {
      v.fault(node.name, RRType.NSEC3, 'NSEC3 owner is not a base32hex hash label directly below the apex');
      continue;
    }
    for (const rdata of node.nsec3.rdatas) {
      try {
        found.push({ owner: node.name, hash, data: decodeTyped(RRType.NSEC3, rdata) });
      } catch (e) {
        if (!(e instanceof WireError)) throw e;
        v.fault(node.name, RRType.NSEC3, `malformed NSEC3: ${e.message}`);
      }
    }
  }

  const paramSet = apex.sets.get(RRType.NSEC3PARAM);
  const params: Nsec3ParamData[] = [];
  for (const rdata of paramSet?.rdatas ?? []) {
    try {
      params.push(decodeTyped(RRType.NSEC3PARAM, rdata));
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      v.fault(origin, RRType.NSEC3PARAM, `malformed NSEC3PARAM: ${e.message}`);
    }
  }
  const sameParams = (a: { hashAlgorithm: number; iterations: number; salt: Uint8Array }, b: typeof a): boolean =>
    a.hashAlgorithm === b.hashAlgorithm && a.iterations === b.iterations && bytesEqual(a.salt, b.salt);

  if (found.length > 0 && params.length === 0 && !apex.sets.has(RRType.NSEC)) {
    v.fault(origin, RRType.NSEC3PARAM, 'NSEC3 records but no NSEC3PARAM at the apex');
  }
  // NSEC3 records whose parameters match no NSEC3PARAM (a chain being built has a NSEC3PARAM
  // with non-zero flags, RFC 5155 §4.1.2, and is left alone).
  const strays = new Map<string, FoundNsec3>();
  for (const f of found) {
    if (!params.some((p) => sameParams(p, f.data))) strays.set(`${f.data.hashAlgorithm}/${f.data.iterations}/${hexOf(f.data.salt)}`, f);
  }
  for (const f of strays.values()) {
    v.fault(f.owner, RRType.NSEC3, `NSEC3 chain (${f.data.hashAlgorithm} ${f.data.iterations} ${saltText(f.data.salt)}) has no NSEC3PARAM`, 'warning');
  }

  // The names each chain must cover: authoritative names and the empty non-terminals above them.
  const expectedNames: ExpectedName[] = [];
  const existing = new Set(all.filter(hasRegularData).map((n) => n.name.key));
  const ents = new Map<string, { name: Name; required: boolean }>();
  for (const node of authoritative) {
    const insecureDelegation = node.kind === 'delegation' && !node.sets.has(RRType.DS);
    const types = new Set<number>();
    for (const t of node.sets.keys()) if (node.kind !== 'delegation' || AT_CUT.has(t)) types.add(t);
    if ([...node.sigs.keys()].some((t) => t !== RRType.NSEC3)) types.add(RRType.RRSIG);
    expectedNames.push({ name: node.name, types, optional: insecureDelegation });
    if (node === apex) continue;
    for (let p = node.name.parent(); p !== undefined && !p.equals(origin); p = p.parent()) {
      if (existing.has(p.key)) break;
      const e = ents.get(p.key);
      if (e === undefined) ents.set(p.key, { name: p, required: !insecureDelegation });
      else if (!insecureDelegation) e.required = true;
    }
  }
  for (const e of ents.values()) expectedNames.push({ name: e.name, types: new Set(), optional: !e.required });

  for (const p of params) {
    if (p.flags !== 0) continue;
    if (p.hashAlgorithm !== 1) {
      v.fault(origin, RRType.NSEC3PARAM, `NSEC3 hash algorithm ${p.hashAlgorithm} is not supported: chain not checked`, 'warning');
      continue;
    }
    const chain = found.filter((f) => sameParams(f.data, p)).sort((a, b) => compareBytes(a.hash, b.hash));
    const byHash = new Map<string, FoundNsec3>();
    for (const f of chain) {
      const h = hexOf(f.hash);
      if (byHash.has(h)) v.fault(f.owner, RRType.NSEC3, 'more than one NSEC3 record with the same parameters');
      else byHash.set(h, f);
    }
    const chainLabel = `(${p.hashAlgorithm} ${p.iterations} ${saltText(p.salt)})`;

    // Every name that must be covered.
    const expectedHashes = new Set<string>();
    for (const e of expectedNames) {
      const hash = nsec3Hash(e.name, p.salt, p.iterations);
      const h = hexOf(hash);
      expectedHashes.add(h);
      const rec = byHash.get(h);
      if (rec === undefined) {
        if (e.optional && coveringOptOut(chain, hash)) continue;
        const why = e.optional ? ' and no Opt-Out NSEC3 covers it' : '';
        v.fault(e.name, RRType.NSEC3, `no NSEC3 record ${chainLabel} for hash ${base32hexEncode(hash, true)}${why}`);
        continue;
      }
      compareBitmap(v, e.name, RRType.NSEC3, e.types, rec.data.types);
    }

    // Every NSEC3 of the chain must stand for a name, and the chain must be one cycle.
    const unique = [...byHash.values()];
    unique.forEach((f, i) => {
      if (!expectedHashes.has(hexOf(f.hash))) v.fault(f.owner, RRType.NSEC3, `NSEC3 record ${chainLabel} for a hash of no name in the zone`);
      const next = unique[(i + 1) % unique.length]!;
      if (!bytesEqual(f.data.nextHashed, next.hash)) {
        v.fault(f.owner, RRType.NSEC3, `next hashed owner ${base32hexEncode(f.data.nextHashed, true)}, expected ${base32hexEncode(next.hash, true)}`);
      }
    });
    chains.push({
      hashAlgorithm: p.hashAlgorithm,
      iterations: p.iterations,
      salt: p.salt,
      records: unique.length,
      optOut: unique.some((f) => (f.data.flags & OPT_OUT) !== 0),
    });
  }
  return chains;
}

/** True when the NSEC3 whose owner hash precedes `hash` (cyclically) has the Opt-Out flag. */
function coveringOptOut(chain: readonly FoundNsec3[], hash: Uint8Array): boolean {
  if (chain.length === 0) return false;
  let cover = chain[chain.length - 1]!;
  for (const f of chain) {
    if (compareBytes(f.hash, hash) < 0) cover = f;
    else break;
  }
  return (cover.data.flags & OPT_OUT) !== 0;
}
