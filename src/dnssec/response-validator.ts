// Judging a whole response (RFC 4035 §5, RFC 5155 §8, RFC 6672 §5.3.3, RFC 6840 §4-§5): the
// answer's CNAME/DNAME chain link by link, wildcard expansions with their proofs, NXDOMAIN and
// NODATA proofs, and the DS or no-DS proof of a referral. The resolver drives it.
//
// ## Interface
//
//   const env = createValidationEnv(nowSeconds, backend, options);   // one per call
//   const out = validateResponse(response, keysFor, env, backend);    // or validateResponseAsync
//
// - `response`: the question (qname, qtype), the rcode, and the answer and authority sections as
//   SignedRRsets (`groupSigned(records)` builds them from decoded records: each RRset with the
//   RRSIGs that cover it). The additional section is not judged (glue is unsigned by design).
// - `keysFor(name)`: the resolver's knowledge of the zone that contains `name`, i.e. the zone
//   whose apex is the deepest known zone cut at or above it. Answer `{ status: 'secure', keys }`
//   with the validated ZoneKeySet of that zone (`keys.zone` is its apex; build it with
//   key-validator.ts), `insecure` (below an insecure delegation or no trust anchor covers it as
//   secure), `bogus` (the chain of trust is broken; pass the reason), `indeterminate`, or
//   `undefined` when not yet known. It is asked about: each RRSIG signer name (when the resolver
//   answers with the keys of an ancestor zone instead, the signer is not a zone apex and the
//   signature is bogus, so establish whether a signer name is a zone cut before answering); the
//   owner of an unsigned RRset (its parent for a DS RRset, which lives on the parent side); the
//   final name of a negative answer (its parent for qtype DS); the parent of a referral's
//   delegation name.
// - The result is `{ status: 'need-keys', zones }` when some `keysFor` answered undefined (no
//   signature was checked yet: fetch and validate those zones' keys, then call again), or a
//   ResponseVerdict: the overall status (the weakest of the parts: bogus > indeterminate >
//   insecure > secure) with the reason of the first part that has that status; the kind of
//   response (answer, nxdomain, nodata, referral, yxdomain when a DNAME's substitution would be too
//   long (RFC 6672 §2.2), or partial when the chain ends at a name the response does not answer); the chain of names from qname through each CNAME/DNAME target; each
//   judged RRset with its own status and TTL (answer and proof records; a DNAME-synthesised CNAME
//   takes the DNAME's); the minimum TTL over them (RFC 4035 §5.3.3 caps applied); the denial proof
//   facts (for aggressive NSEC caching, RFC 8198); the delegation facts of a referral (child
//   secure with the validated DS, or insecure, or bogus); and the work counters.
//
// ## Rules
//
// - Each link of a CNAME/DNAME chain is judged on its own, in the zone that signed it: a secure
//   CNAME to an insecure zone gives an insecure answer, not a bogus one. A DNAME (RFC 6672) is
//   validated and the CNAME it implies is synthesised; the unsigned CNAME that accompanies it must
//   say the same (RFC 6672 §5.3.3), and is then as secure as the DNAME. A question for type CNAME
//   below a DNAME is answered by that synthesised CNAME (the DNAME applies first, RFC 6672 §2.4).
// - An RRset whose RRSIG Labels field shows a wildcard expansion needs a proof that no closer name
//   exists (RFC 4035 §5.3.4, RFC 5155 §8.8), from the same zone's NSEC/NSEC3 in the authority.
// - Negative answers need NSEC (RFC 4035 §5.4) or NSEC3 (RFC 5155 §8.4-§8.7) proofs from the
//   zone of the final name, validated first; a secure zone's negative answer without any is bogus
//   with EDE 12. NSEC is tried before NSEC3 when both are present. An NXDOMAIN whose proofs
//   securely show a NODATA instead (the name exists, e.g. as an empty non-terminal) is judged a
//   NODATA (kind 'nodata'), so the answer's RCODE follows the proof (as Unbound).
// - A denial or wildcard proof whose next closer name is covered by an opt-out NSEC3 is insecure,
//   not secure (RFC 5155 §9.2: no AD), and so is the answer it is part of (nsec3-proof.ts).
// - Authority SOA, NSEC, NSEC3 and DS RRsets of a zone whose proof is needed are all validated and
//   any failure makes the response bogus (as Unbound); other authority RRsets are ignored.
// - A referral (NOERROR, no answer for the final name, no SOA, an NS RRset at or above it) is
//   secure with a validated DS RRset, secure-insecure with an NSEC/NSEC3 no-DS proof (RFC 6840
//   §4.4, RFC 5155 §8.9), insecure under opt-out, bogus with neither (EDE 12). The NS RRset itself
//   is never signed (RFC 4035 §2.2) and not judged.
// - qtype ANY: every RRset at qname in the answer is judged; no chain is followed.
// - Records of the answer not on the chain are not judged and should be dropped by the caller.
//
// Each verdict (not need-keys) is published on the `anchord:validation` diagnostics channel as
// { status, ede, tag, owner, type } for metrics and logs; budget trips on `anchord:budget-trip`.
//
// Pure module: no I/O, no clock; signature checks through the step protocol (rrset-validator.ts).

import { Channel, hasSubscribers, publish } from '../core/diagnostics.js';
import { Rcode, RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { Name as NameClass } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import { groupRRsets, type RRset, type ResourceRecord } from '../wire/record.js';
import type { WorkCounters } from './budget.js';
import { EdeTag } from './ede-tags.js';
import {
  nsecRecords,
  proveNoDsAtReferralNsec,
  proveNodataNsec,
  proveNxdomainNsec,
  proveWildcardAnswerNsec,
  type DenialFacts,
  type DenialResult,
} from './nsec-proof.js';
import {
  nsec3Records,
  proveNoDsAtReferralNsec3,
  proveNodataNsec3,
  proveNxdomainNsec3,
  proveWildcardAnswerNsec3,
} from './nsec3-proof.js';
import {
  inParallel,
  rrsetSteps,
  rrsigOf,
  runSteps,
  runStepsAsync,
  type BatchSignatureVerifier,
  type BatchSteps,
  type RRsetVerdict,
  type SignatureVerifier,
  type SignedRRset,
  type Steps,
  type VerifyJob,
  type ValidationEnv,
  type ZoneStatus,
} from './rrset-validator.js';
import { reason, weakest, type Security, type VerdictReason } from './verdict.js';

// ---- Interface types -------------------------------------------------------------------------

export interface ResponseToValidate {
  readonly qname: Name;
  readonly qtype: number;
  readonly rcode: number;
  readonly answer: readonly SignedRRset[];
  readonly authority: readonly SignedRRset[];
  /**
   * For a CNAME question: follow the chain as for any other type (the server did, and its RCODE
   * is the last name's, RFC 6604 §2), instead of taking QNAME's CNAME as the answer.
   */
  readonly chaseCname?: boolean;
}

export type { ZoneStatus };

export type KeysFor = (name: Name) => ZoneStatus | undefined;

export type RRsetRole = 'answer' | 'cname' | 'dname' | 'synthesized-cname' | 'proof' | 'ds';

export interface JudgedRRset {
  readonly section: 'answer' | 'authority';
  readonly role: RRsetRole;
  readonly rrset: RRset;
  readonly status: Security;
  /** TTL to cache with: capped per RFC 4035 §5.3.3 when secure, the RRset's TTL otherwise. */
  readonly ttl: number;
  readonly reason?: VerdictReason;
  /**
   * Set for a wildcard expansion whose signatures verified: the wildcard was `*.` + this name.
   * `status` is then that of the proof that the expansion applied (RFC 4035 §5.3.4).
   */
  readonly wildcardParent?: Name;
}

export type ResponseKind = 'answer' | 'nxdomain' | 'nodata' | 'referral' | 'partial' | 'yxdomain';

export interface DelegationFacts {
  readonly name: Name;
  /** What the child zone is: secure (validate its DNSKEYs against `ds`), insecure, bogus... */
  readonly child: Security;
  /** The validated DS RRset, when the child is secure. */
  readonly ds?: RRset;
}

export interface ResponseVerdict {
  readonly status: Security;
  readonly reason?: VerdictReason;
  readonly kind: ResponseKind;
  /** qname, then each CNAME/DNAME target in order. */
  readonly chain: readonly Name[];
  /** Minimum TTL over the judged RRsets (0 when there are none). */
  readonly ttl: number;
  readonly rrsets: readonly JudgedRRset[];
  /** The proof of a negative answer. */
  readonly denial?: DenialFacts;
  /** The proofs of the wildcard expansions on the chain. */
  readonly wildcardProofs: readonly DenialFacts[];
  readonly delegation?: DelegationFacts;
  readonly work: WorkCounters;
  /**
   * The response's answer and authority sections as judged (ResponseToValidate's, RRSIGs
   * attached): the caller caches from them without grouping the records again.
   */
  readonly answer: readonly SignedRRset[];
  readonly authority: readonly SignedRRset[];
}

export interface NeedKeys {
  readonly status: 'need-keys';
  /** Names to pass to keysFor again once known (deduplicated, in first-asked order). */
  readonly zones: readonly Name[];
}

export type ResponseOutcome = ResponseVerdict | NeedKeys;

// ---- Grouping --------------------------------------------------------------------------------

/**
 * Groups decoded records into RRsets (RFC 2181 §5) and attaches to each the RRSIGs that cover it
 * (same owner and class, Type Covered equal to its type). RRSIGs covering nothing present form
 * RRSIG-typed RRsets of their own, unsigned (the answer to a query for type RRSIG); the validator
 * ignores them for any other question.
 */
export function groupSigned(records: readonly ResourceRecord[]): SignedRRset[] {
  // The data records in a list of their exact number, or the section itself when it holds no
  // RRSIG (a list grown by push from empty takes room for 16).
  const n = records.length;
  let sigCount = 0;
  for (const r of records) if (r.type === RRType.RRSIG) sigCount++;
  let data: readonly ResourceRecord[] = records;
  if (sigCount > 0) {
    const some = new Array<ResourceRecord>(n - sigCount);
    let k = 0;
    for (const r of records) if (r.type !== RRType.RRSIG) some[k++] = r;
    data = some;
  }
  // The RRSIG groups, one per (owner, class, type covered), found into scratch: each record's
  // group, each group's first record, size and smallest TTL. The RDATA list of a group is made at
  // its exact size when an RRset takes it.
  if (sigGroupOf.length < n) sigGroupOf = new Int32Array(Math.max(n, 2 * sigGroupOf.length));
  if (groupFirst.length < sigCount) {
    const size = Math.max(sigCount, 2 * groupFirst.length);
    groupFirst = new Int32Array(size);
    groupSize = new Int32Array(size);
    groupTtl = new Float64Array(size);
    groupUsed = new Uint8Array(size);
  }
  let groups = 0;
  let index: Map<string, number> | undefined;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    sigGroupOf[i] = -1;
    if (r.type !== RRType.RRSIG || r.rdata.length < 2) continue;
    const covered = coveredOf(r.rdata);
    // A few RRSIG groups (the usual response) are found by comparison, many through keys.
    if (index === undefined && groups >= SMALL_SIG_GROUPS) {
      index = new Map();
      for (let g = 0; g < groups; g++) {
        const f = records[groupFirst[g]!]!;
        index.set(sigKey(f.name, f.class, coveredOf(f.rdata)), g);
      }
    }
    let g = index === undefined ? findSigGroup(records, groups, r.name, r.class, covered) : (index.get(sigKey(r.name, r.class, covered)) ?? -1);
    if (g < 0) {
      g = groups++;
      groupFirst[g] = i;
      groupSize[g] = 0;
      groupTtl[g] = r.ttl;
      groupUsed[g] = 0;
      index?.set(sigKey(r.name, r.class, covered), g);
    } else if (r.ttl < groupTtl[g]!) {
      groupTtl[g] = r.ttl;
    }
    groupSize[g]!++;
    sigGroupOf[i] = g;
  }
  const sets = groupRRsets(data);
  const out: SignedRRset[] = new Array<SignedRRset>(sets.length);
  for (let k = 0; k < sets.length; k++) {
    const rrset = sets[k]!;
    const g =
      groups === 0
        ? -1
        : index === undefined
          ? findSigGroup(records, groups, rrset.name, rrset.class, rrset.type)
          : (index.get(sigKey(rrset.name, rrset.class, rrset.type)) ?? -1);
    if (g < 0) {
      out[k] = { rrset, rrsigs: [] };
    } else {
      groupUsed[g] = 1;
      const rrsigs = new Array<Uint8Array>(groupSize[g]!);
      for (let i = groupFirst[g]!, m = 0; m < rrsigs.length; i++) if (sigGroupOf[i] === g) rrsigs[m++] = records[i]!.rdata;
      out[k] = { rrset, rrsigs, rrsigTtl: groupTtl[g]! };
    }
  }
  // RRSIGs covering nothing present, group by group.
  let orphans: ResourceRecord[] | undefined;
  for (let g = 0; g < groups; g++) {
    if (groupUsed[g] === 1) continue;
    for (let i = groupFirst[g]!, m = 0; m < groupSize[g]!; i++) {
      if (sigGroupOf[i] !== g) continue;
      (orphans ??= []).push(records[i]!);
      m++;
    }
  }
  if (orphans !== undefined) for (const rrset of groupRRsets(orphans)) out.push({ rrset, rrsigs: [] });
  return out;
}

// Scratch for groupSigned (synchronous, never re-entered; groupRRsets keeps its own), grown on need.
let sigGroupOf = new Int32Array(64);
let groupFirst = new Int32Array(16);
let groupSize = new Int32Array(16);
let groupTtl = new Float64Array(16);
let groupUsed = new Uint8Array(16);

/** Type Covered of RRSIG RDATA of at least two octets (RFC 4034 §3.1.1). */
function coveredOf(rdata: Uint8Array): number {
  return (rdata[0]! << 8) | rdata[1]!;
}

/** Up to this many RRSIG groups are searched by comparison (no key strings built). */
const SMALL_SIG_GROUPS = 8;

function sigKey(name: Name, cls: number, covered: number): string {
  return `${name.key}/${cls}/${covered}`;
}

/** The group of the first `groups` in scratch with this owner, class and type covered, or -1. */
function findSigGroup(records: readonly ResourceRecord[], groups: number, name: Name, cls: number, covered: number): number {
  for (let g = 0; g < groups; g++) {
    const f = records[groupFirst[g]!]!;
    if (coveredOf(f.rdata) === covered && f.class === cls && f.name.equals(name)) return g;
  }
  return -1;
}

// ---- Internals -------------------------------------------------------------------------------

type Link =
  | { readonly kind: 'answer'; readonly set: SignedRRset }
  | { readonly kind: 'cname'; readonly set: SignedRRset }
  | { readonly kind: 'dname'; readonly set: SignedRRset; readonly name: Name; readonly target: Name; readonly cname?: SignedRRset };

/** The deepest RRSIG signer that is the owner or an ancestor of it; null when none is. */
function signerOf(set: SignedRRset): Name | null {
  let best: Name | null = null;
  for (const rdata of set.rrsigs) {
    const d = rrsigOf(rdata);
    if (d === undefined || d.typeCovered !== set.rrset.type) continue;
    const signer = d.signerName;
    if (!set.rrset.name.isSubdomainOf(signer)) continue;
    if (best === null || signer.labelCount > best.labelCount) best = signer;
  }
  return best;
}

/** Where an unsigned RRset of this type lives: DS on the parent side of its owner. */
function zoneNameForUnsigned(owner: Name, type: number): Name {
  return type === RRType.DS ? (owner.parent() ?? owner) : owner;
}

function targetOf(set: SignedRRset): Name | undefined {
  const rdata = set.rrset.rdatas[0];
  if (rdata === undefined) return undefined;
  try {
    return decodeTyped(RRType.CNAME, rdata).target;
  } catch {
    return undefined;
  }
}

/** The name a DNAME at `owner` with `target` maps `name` to (RFC 6672 §2.2); undefined if too long. */
function dnameSubstitute(name: Name, owner: Name, target: Name): Name | undefined {
  const keep = name.labelCount - owner.labelCount;
  const labels = name.labels().slice(0, keep);
  try {
    return NameClass.fromLabels([...labels, ...target.labels()]);
  } catch {
    return undefined;
  }
}

function isAuthorityProofType(type: number): boolean {
  return type === RRType.NSEC || type === RRType.NSEC3 || type === RRType.SOA || type === RRType.DS;
}

/**
 * The proof zone an authority RRset belongs to: the one its signer names, or for an unsigned
 * RRset the deepest proof zone holding it (a DS is held by the parent side of its owner). An
 * unsigned proof record of a secure zone is then judged, and is bogus (RRSIGs missing).
 */
function proofZoneOf(set: SignedRRset, zones: readonly SecureZone[]): SecureZone | undefined {
  const owner = set.rrset.name;
  if (set.rrsigs.length > 0) {
    const signer = signerOf(set);
    if (signer === null) return undefined;
    for (const z of zones) if (z.keys.zone.equals(signer) && owner.isSubdomainOf(z.keys.zone)) return z;
    return undefined;
  }
  const holder = zoneNameForUnsigned(owner, set.rrset.type);
  let best: SecureZone | undefined;
  for (const z of zones) {
    if (holder.isSubdomainOf(z.keys.zone) && (best === undefined || z.keys.zone.labelCount > best.keys.zone.labelCount)) best = z;
  }
  return best;
}

/** A zone known secure, with its validated keys. */
type SecureZone = Extract<ZoneStatus, { readonly status: 'secure' }>;

/** True when `zones` holds a zone with the apex of `zs`. */
function holdsZone(zones: readonly SecureZone[], zs: SecureZone): boolean {
  for (const z of zones) if (z.keys.zone.equals(zs.keys.zone)) return true;
  return false;
}

/** `zones` with `zs` added when it is secure and its apex is not there yet; made at the first. */
function withSecureZone(zones: SecureZone[] | undefined, zs: ZoneStatus | undefined): SecureZone[] | undefined {
  if (zs?.status !== 'secure') return zones;
  if (zones === undefined) return [zs];
  if (!holdsZone(zones, zs)) zones.push(zs);
  return zones;
}

/** `list` with `item` appended; a list of exactly one when there was none. */
function withItem<T>(list: T[] | undefined, item: T): T[] {
  if (list === undefined) return [item];
  list.push(item);
  return list;
}

const NO_LINKS: readonly Link[] = Object.freeze([]);
const NO_PENDINGS: readonly Pending[] = Object.freeze([]);
const NO_DENIALS: readonly DenialFacts[] = Object.freeze([]);

interface PartJudgement {
  readonly status: Security;
  readonly ttl: number;
  readonly reason?: VerdictReason;
  readonly wildcardParent?: Name;
  readonly signer?: Name;
}

/** The judgement a non-secure zone imposes on everything in it (one site for its tags). */
function zoneJudgement(zs: Exclude<ZoneStatus, { status: 'secure' }>, ttl: number): PartJudgement {
  switch (zs.status) {
    case 'insecure':
      return zs.reason === undefined ? { status: 'insecure', ttl } : { status: 'insecure', ttl, reason: zs.reason };
    case 'bogus':
      return { status: 'bogus', ttl, reason: zs.reason ?? reason(EdeTag.ZONE_BOGUS, 'the zone keys are bogus') };
    case 'indeterminate':
      return { status: 'indeterminate', ttl, reason: zs.reason ?? reason(EdeTag.ZONE_INDETERMINATE, 'no trust anchor covers the zone') };
  }
}

function fromVerdict(v: RRsetVerdict, fallbackTtl: number): PartJudgement {
  if (v.status === 'bogus') return { status: 'bogus', ttl: fallbackTtl, reason: v.reason };
  const base = { status: 'secure' as const, ttl: v.ttl, signer: v.signer };
  return v.wildcardParent === undefined ? base : { ...base, wildcardParent: v.wildcardParent };
}

/** Everything a part needs to be judged: its zone status and, when secure, its pending verdict. */
interface Pending {
  readonly set: SignedRRset;
  readonly zone: ZoneStatus | undefined;
  /** A decided judgement (zone not secure, signer problems), when no signature check is needed. */
  decided: PartJudgement | undefined;
  /** Index into the parallel validations, when one is needed; -1 otherwise. */
  job: number;
  /** The judgement of an authority part, once judged (phase C). */
  judged: PartJudgement | undefined;
}

/**
 * A part to judge. Every field is set here, so that a Pending has one shape from the start (a
 * field added later to an object literal moves it to a new map and a property array).
 */
function pendingOf(set: SignedRRset, zone: ZoneStatus | undefined, decided: PartJudgement | undefined): Pending {
  return { set, zone, decided, job: -1, judged: undefined };
}

// ---- The validator ---------------------------------------------------------------------------

/**
 * The response validator as steps (see the module header for the protocol): phase A plans (the
 * chain, the kind of response, the zones and the checks), phase B runs every signature check in
 * parallel, phase C judges. Only phase B is a generator: a generator keeps all its registers in
 * the heap while it runs, so the planning and judging run as plain functions around it.
 */
export function* responseSteps(env: ValidationEnv, resp: ResponseToValidate, keysFor: KeysFor): BatchSteps<ResponseOutcome> {
  const plan = planResponse(env, resp, keysFor);
  if (plan.status === 'need-keys') return plan;
  // ---- Phase B: every signature check, in parallel.
  const verdicts = yield* inParallel(plan.steps);
  return judgeResponse(env, resp, plan, verdicts);
}

/** What phase A found: the chain and kind of the response, the parts to judge and their checks. */
interface ResponsePlan {
  readonly status: 'plan';
  readonly links: readonly Link[];
  readonly chain: Name[];
  readonly tail: Name;
  readonly kind: ResponseKind;
  readonly delegationName: Name | undefined;
  readonly negName: Name | undefined;
  readonly negZone: ZoneStatus | undefined;
  readonly refZone: ZoneStatus | undefined;
  readonly linkPendings: readonly Pending[];
  readonly overflowPending: Pending | undefined;
  /** Authority proof parts, each of a secure zone (`zone` is secure). */
  readonly authPendings: readonly Pending[];
  readonly incidental: readonly Pending[];
  /** The signature checks, one per pending part with a `job`. */
  readonly steps: readonly Steps<RRsetVerdict>[];
}

/** Phase A of responseSteps, with the setting up of phase B's checks. */
function planResponse(env: ValidationEnv, resp: ResponseToValidate, keysFor: KeysFor): ResponsePlan | NeedKeys {
  const { qname, qtype } = resp;
  const chase = qtype === RRType.CNAME && resp.chaseCname === true;
  // RRSIG-typed RRsets (signatures without their data) are the answer only to a question for
  // type RRSIG.
  const answers = qtype === RRType.RRSIG ? resp.answer : withoutRrsigSets(resp.answer);

  // ---- Phase A: the chain, the kind of response, the zones to ask about.
  // Made at the first link, of exactly one (a list grown by push from empty takes room for 17).
  let links: Link[] | undefined;
  const chain: Name[] = [qname];
  let tail = qname;
  /** A DNAME whose substitution would be too long for the tail (RFC 6672 §2.2: YXDOMAIN). */
  let overflow: SignedRRset | undefined;
  /** A CNAME question answered by a DNAME's synthesised CNAME. */
  let cnameByDname = false;
  if (qtype === RRType.ANY) {
    for (const s of answers) if (s.rrset.name.equals(qname)) links = withItem(links, { kind: 'answer', set: s });
  } else {
    // Names on the chain so far, to stop at a loop; made when the chain gets a second name.
    let seen: Set<string> | undefined;
    for (let guard = 0; guard <= answers.length; guard++) {
      // A CNAME beside data of the type at one name (RFC 2181 §10.1 forbids it): the RRset that
      // comes first in the answer section decides, as the resolver's scrub does.
      // One pass over the answer RRsets at the tail (no closure per step of the chain).
      let cnameAt = -1;
      let exactAt = -1;
      for (let i = 0; i < answers.length; i++) {
        const s = answers[i]!;
        if (!s.rrset.name.equals(tail)) continue;
        if (s.rrset.type === RRType.CNAME && cnameAt < 0) cnameAt = i;
        if (s.rrset.type === qtype && exactAt < 0) exactAt = i;
      }
      const cnameFirst = qtype !== RRType.CNAME && cnameAt >= 0 && cnameAt < exactAt;
      const hasExact = !(chase || cnameFirst) && exactAt >= 0;
      let next: Name | undefined;
      // A DNAME at an ancestor applies before any CNAME (RFC 6672 §3.2); the deepest one wins.
      let dname: SignedRRset | undefined;
      for (const s of answers) {
        if (s.rrset.type !== RRType.DNAME || !tail.isSubdomainOf(s.rrset.name) || tail.equals(s.rrset.name)) continue;
        if (dname === undefined || s.rrset.name.labelCount > dname.rrset.name.labelCount) dname = s;
      }
      // No data exists below a DNAME owner (RFC 6672 §2.4): a CNAME question below one is answered
      // through the DNAME, even when the server sent the synthesised CNAME first.
      const underDname = qtype === RRType.CNAME && dname !== undefined;
      if (hasExact && !underDname) {
        for (let i = exactAt; i < answers.length; i++) {
          const s = answers[i]!;
          if (s.rrset.type === qtype && s.rrset.name.equals(tail)) links = withItem(links, { kind: 'answer', set: s });
        }
        break;
      }
      const cname = cnameAt >= 0 ? answers[cnameAt] : undefined;
      if (dname !== undefined) {
        const dtarget = targetOf(dname);
        next = dtarget === undefined ? undefined : dnameSubstitute(tail, dname.rrset.name, dtarget);
        if (next === undefined) {
          // The substitution overflows (RFC 6672 §2.2): YXDOMAIN, with the DNAME as its answer.
          overflow = dname;
          break;
        }
        links = withItem(
          links,
          cname === undefined
            ? { kind: 'dname', set: dname, name: tail, target: next }
            : { kind: 'dname', set: dname, name: tail, target: next, cname },
        );
        // A question for type CNAME is answered by the CNAME the DNAME implies (RFC 6672 §3.2):
        // the chain ends there, that CNAME is the answer, as secure as the DNAME.
        if (qtype === RRType.CNAME && !chase) {
          cnameByDname = true;
          break;
        }
      } else if (cname !== undefined && (qtype !== RRType.CNAME || chase)) {
        next = targetOf(cname);
        if (next === undefined) break;
        links = withItem(links, { kind: 'cname', set: cname });
      } else {
        break;
      }
      chain.push(next);
      tail = next;
      seen ??= new Set<string>([qname.key]);
      if (seen.has(next.key)) break;
      seen.add(next.key);
    }
  }
  const linkList: readonly Link[] = links ?? NO_LINKS;
  let hasAnswer = cnameByDname;
  for (const l of linkList) if (l.kind === 'answer') hasAnswer = true;
  const auth = withoutRrsigSets(resp.authority);
  let hasSoa = false;
  for (const s of auth) if (s.rrset.type === RRType.SOA) hasSoa = true;
  let kind: ResponseKind;
  let delegationName: Name | undefined;
  if (hasAnswer) {
    kind = 'answer';
  } else if (overflow !== undefined && resp.rcode === Rcode.YXDOMAIN) {
    kind = 'yxdomain';
  } else if (resp.rcode === Rcode.NXDOMAIN) {
    kind = 'nxdomain';
  } else if (resp.rcode === Rcode.NOERROR) {
    let ns: SignedRRset | undefined;
    if (!hasSoa) {
      for (const s of auth) {
        if (s.rrset.type === RRType.NS && tail.isSubdomainOf(s.rrset.name)) {
          ns = s;
          break;
        }
      }
    }
    if (ns !== undefined) {
      kind = 'referral';
      delegationName = ns.rrset.name;
    } else if (hasSoa || linkList.length === 0) {
      kind = 'nodata';
    } else {
      // A chain that ends with no answer, SOA or referral: its last name is for the resolver to
      // ask. NSEC/NSEC3 records here prove the wildcard expansions on the chain (a wildcard CNAME
      // to another zone), not a NODATA for a name whose zone may not even be this one.
      kind = 'partial';
    }
  } else {
    kind = 'partial';
  }

  const missing: Name[] = [];
  const ask = (name: Name): ZoneStatus | undefined => {
    const zs = keysFor(name);
    if (zs === undefined && !missing.some((m) => m.equals(name))) missing.push(name);
    return zs;
  };
  const pend = (set: SignedRRset): Pending => {
    let p: Pending;
    if (set.rrset.type === RRType.RRSIG) {
      // RRSIG RRsets are not signed (RFC 4035 §2.2): an answer of them cannot be authenticated,
      // and each signature is checked only with the RRset it covers. Insecure, as resolvers serve
      // them; no keys are needed.
      p = pendingOf(set, undefined, { status: 'insecure', ttl: set.rrset.ttl });
    } else if (set.rrsigs.length === 0) {
      p = pendingOf(set, ask(zoneNameForUnsigned(set.rrset.name, set.rrset.type)), undefined);
    } else {
      const signer = signerOf(set);
      if (signer === null) {
        p = pendingOf(set, undefined, {
          status: 'bogus',
          ttl: set.rrset.ttl,
          reason: reason(EdeTag.SIGNER_OUT_OF_SCOPE, 'no RRSIG signer encloses the owner', {
            owner: set.rrset.name,
            type: set.rrset.type,
          }),
        });
      } else {
        const zone = ask(signer);
        p = pendingOf(set, zone, undefined);
        if (zone?.status === 'secure' && !zone.keys.zone.equals(signer)) {
          p.decided = {
            status: 'bogus',
            ttl: set.rrset.ttl,
            reason: reason(EdeTag.SIGNER_NOT_ZONE, `signer ${signer.toString()} is not a zone apex (zone ${zone.keys.zone.toString()})`, {
              owner: set.rrset.name,
              type: set.rrset.type,
            }),
          };
        }
      }
    }
    return p;
  };
  const linkPendings = new Array<Pending>(linkList.length);
  for (let i = 0; i < linkList.length; i++) linkPendings[i] = pend(linkList[i]!.set);
  const overflowPending = kind === 'yxdomain' && overflow !== undefined ? pend(overflow) : undefined;
  let negZone: ZoneStatus | undefined;
  const negName = kind === 'nxdomain' || kind === 'nodata' ? (qtype === RRType.DS ? (tail.parent() ?? tail) : tail) : undefined;
  if (negName !== undefined) negZone = ask(negName);
  let refZone: ZoneStatus | undefined;
  if (delegationName !== undefined) refZone = ask(delegationName.parent() ?? delegationName);
  if (missing.length > 0) return { status: 'need-keys', zones: missing };

  // The zones whose authority records are needed: negative and referral proofs, and wildcards.
  // (Lists made at their first entry.)
  let proofZones = withSecureZone(undefined, negZone);
  proofZones = withSecureZone(proofZones, refZone);
  // Wildcard expansions are only known after validation; their zone is the signer's, so collect
  // the secure signer zones of links whose RRSIG Labels field is below the owner's count.
  for (let i = 0; i < linkList.length; i++) {
    const zs = linkPendings[i]!.zone;
    if (zs?.status === 'secure' && mayBeWildcard(linkList[i]!.set)) proofZones = withSecureZone(proofZones, zs);
  }
  let authPendings: Pending[] | undefined;
  if (proofZones !== undefined) {
    for (const s of auth) {
      if (!isAuthorityProofType(s.rrset.type)) continue;
      const zone = proofZoneOf(s, proofZones);
      if (zone !== undefined) authPendings = withItem(authPendings, pendingOf(s, zone, undefined));
    }
  }
  // Signed NSEC/NSEC3 of a secure link's zone that no proof here needs: checked all the same, so
  // the resolver may keep them for aggressive use (RFC 8198; e.g. to deny a later DS question, as
  // Unbound's negative cache does). They never change the verdict.
  let linkZones: SecureZone[] | undefined;
  for (const p of linkPendings) {
    const zs = p.zone;
    if (zs?.status !== 'secure' || (proofZones !== undefined && holdsZone(proofZones, zs))) continue;
    linkZones = withSecureZone(linkZones, zs);
  }
  let incidental: Pending[] | undefined;
  if (linkZones !== undefined) {
    for (const s of auth) {
      if ((s.rrset.type !== RRType.NSEC && s.rrset.type !== RRType.NSEC3) || s.rrsigs.length === 0) continue;
      const zone = proofZoneOf(s, linkZones);
      if (zone !== undefined) incidental = withItem(incidental, pendingOf(s, zone, undefined));
    }
  }

  // Phase B's checks: one per part of a secure zone not decided already, in the order the parts
  // were made (links, overflow, authority proofs, incidental), in a list of exactly their number.
  const parts = linkPendings.length + (overflowPending === undefined ? 0 : 1) + (authPendings?.length ?? 0) + (incidental?.length ?? 0);
  const steps = new Array<Steps<RRsetVerdict>>(parts);
  let jobs = 0;
  for (const p of linkPendings) jobs = schedule(env, p, steps, jobs);
  if (overflowPending !== undefined) jobs = schedule(env, overflowPending, steps, jobs);
  if (authPendings !== undefined) for (const p of authPendings) jobs = schedule(env, p, steps, jobs);
  if (incidental !== undefined) for (const p of incidental) jobs = schedule(env, p, steps, jobs);
  steps.length = jobs;
  return {
    status: 'plan',
    links: linkList,
    chain,
    tail,
    kind,
    delegationName,
    negName,
    negZone,
    refZone,
    linkPendings,
    overflowPending,
    authPendings: authPendings ?? NO_PENDINGS,
    incidental: incidental ?? NO_PENDINGS,
    steps,
  };
}

/**
 * Decides a part of a zone that is not secure, or gives a part of a secure zone its signature
 * check as job `jobs` in `steps`; returns the number of jobs so far.
 */
function schedule(env: ValidationEnv, p: Pending, steps: Steps<RRsetVerdict>[], jobs: number): number {
  if (p.decided !== undefined) return jobs;
  const zs = p.zone;
  if (zs === undefined) return jobs;
  if (zs.status !== 'secure') {
    p.decided = zoneJudgement(zs, p.set.rrset.ttl);
    return jobs;
  }
  p.job = jobs;
  steps[jobs] = rrsetSteps(env, p.set, zs.keys);
  return jobs + 1;
}

/** Phase C of responseSteps: the parts judged with the answers of the checks (`verdicts`, by job). */
function judgeResponse(env: ValidationEnv, resp: ResponseToValidate, plan: ResponsePlan, verdicts: readonly RRsetVerdict[]): ResponseVerdict {
  const { qtype } = resp;
  const { links, chain, tail, delegationName, negName, negZone, refZone, linkPendings, overflowPending, authPendings, incidental } = plan;
  let kind = plan.kind;
  const judge = (p: Pending): PartJudgement => {
    if (p.decided !== undefined) return p.decided;
    const v = p.job < 0 ? undefined : verdicts[p.job];
    // Every pending got either a decision or a job above.
    return fromVerdict(v!, p.set.rrset.ttl);
  };

  // ---- Phase C: judge the parts, into a list with room for every part that can be recorded
  // (a link and the CNAME its DNAME implies, the overflow, authority and incidental parts),
  // trimmed to those recorded at the end (a list grown by push from empty takes room for 17).
  const judgedSets = new Array<JudgedRRset>(2 * links.length + 1 + authPendings.length + incidental.length);
  let judged = 0;
  let status: Security = 'secure';
  let firstReason: VerdictReason | undefined;
  let firstReasonStatus: Security = 'secure';
  const note = (j: { status: Security; reason?: VerdictReason | undefined }): void => {
    status = weakest(status, j.status);
    if (j.reason !== undefined && (firstReason === undefined || weakest(firstReasonStatus, j.status) !== firstReasonStatus)) {
      firstReason = j.reason;
      firstReasonStatus = j.status;
    }
  };
  const record = (section: 'answer' | 'authority', role: RRsetRole, rrset: RRset, j: PartJudgement): void => {
    const out: {
      section: 'answer' | 'authority';
      role: RRsetRole;
      rrset: RRset;
      status: Security;
      ttl: number;
      reason?: VerdictReason;
      wildcardParent?: Name;
    } = { section, role, rrset, status: j.status, ttl: j.ttl };
    if (j.reason !== undefined) out.reason = j.reason;
    if (j.wildcardParent !== undefined) out.wildcardParent = j.wildcardParent;
    judgedSets[judged++] = out;
    note(j);
  };

  // Validated proof material per zone (recorded after the answer, below).
  let secureAuth: Map<string, RRset[]> | undefined;
  for (const p of authPendings) {
    const j = judge(p);
    p.judged = j;
    if (j.status !== 'secure') continue;
    // An NSEC or NSEC3 RRset validated as a wildcard expansion (RRSIG Labels below the owner's
    // count) has a synthesised owner: the span it states belongs to the wildcard, not to the
    // name, so it takes part in no denial (RFC 4592 §4.7: a synthesised NSEC is never used for a
    // negative response). Unbound refuses it too, e.g. to deny the DS of a wildcard delegation.
    if (j.wildcardParent !== undefined && (p.set.rrset.type === RRType.NSEC || p.set.rrset.type === RRType.NSEC3)) continue;
    // Authority parts are made with a secure zone (planResponse).
    if (p.zone?.status !== 'secure') continue;
    secureAuth ??= new Map();
    const zoneKey = p.zone.keys.zone.key;
    const list = secureAuth.get(zoneKey);
    if (list === undefined) secureAuth.set(zoneKey, [p.set.rrset]);
    else list.push(p.set.rrset);
  }
  const proofSets = (zone: Name): RRset[] => secureAuth?.get(zone.key) ?? [];

  let wildcardProofs: DenialFacts[] | undefined;
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    const p = linkPendings[i]!;
    let j = judge(p);
    if (j.status === 'secure' && j.wildcardParent !== undefined && p.zone?.status === 'secure') {
      const proof = proveWildcard(env, proofSets(p.zone.keys.zone), l.set.rrset.name, j.wildcardParent, p.zone.keys.zone);
      if (proof.status === 'secure') wildcardProofs = withItem(wildcardProofs, proof.facts);
      else j = { ...j, status: proof.status, ...(proof.reason === undefined ? {} : { reason: proof.reason }) };
    }
    const role: RRsetRole = l.kind === 'answer' ? 'answer' : l.kind === 'cname' ? 'cname' : 'dname';
    record('answer', role, l.set.rrset, j);
    if (l.kind === 'dname' && l.cname !== undefined) {
      const said = targetOf(l.cname);
      if (said?.equals(l.target) === true) {
        record('answer', 'synthesized-cname', l.cname.rrset, { ...j, ttl: Math.min(j.ttl, l.cname.rrset.ttl) });
      } else {
        record('answer', 'synthesized-cname', l.cname.rrset, {
          status: 'bogus',
          ttl: l.cname.rrset.ttl,
          reason: reason(EdeTag.DNAME_SYNTHESIS, `the CNAME does not follow from the DNAME (expected ${l.target.toString()})`, {
            owner: l.name,
            type: RRType.CNAME,
          }),
        });
      }
    }
  }

  if (overflowPending !== undefined) record('answer', 'dname', overflowPending.set.rrset, judge(overflowPending));

  for (const p of authPendings) record('authority', p.set.rrset.type === RRType.DS ? 'ds' : 'proof', p.set.rrset, p.judged!);

  let denial: DenialFacts | undefined;
  if (negName !== undefined && negZone !== undefined) {
    const facts = { owner: tail, type: qtype };
    if (negZone.status !== 'secure') {
      note(zoneJudgement(negZone, 0));
    } else {
      const zone = negZone.keys.zone;
      const sets = proofSets(zone);
      const nsecs = nsecRecords(sets);
      const nsec3s = nsec3Records(sets, zone);
      if (nsecs.length === 0 && nsec3s.length === 0) {
        note({ status: 'bogus', reason: reason(EdeTag.NEGATIVE_NO_PROOF, `no validated NSEC or NSEC3 from ${zone.toString()}`, facts) });
      } else {
        let r: DenialResult | undefined;
        if (nsecs.length > 0) {
          r = kind === 'nxdomain' ? proveNxdomainNsec(nsecs, tail, zone) : proveNodataNsec(nsecs, tail, qtype, zone);
        }
        if ((r === undefined || r.status === 'bogus') && nsec3s.length > 0) {
          const r3 = kind === 'nxdomain' ? proveNxdomainNsec3(env, nsec3s, tail, zone) : proveNodataNsec3(env, nsec3s, tail, qtype, zone);
          if (r === undefined || r3.status !== 'bogus') r = r3;
        }
        // One of the two branches ran: there were NSEC or NSEC3 records.
        let res = r!;
        if (kind === 'nxdomain' && res.status === 'bogus' && res.reason.bound === undefined) {
          // An NXDOMAIN whose own validated records prove the name exists (often an empty
          // non-terminal, RFC 8020 §2) but lacks the type: what is proven is a NODATA, and that is
          // the answer, as Unbound is lenient with the RCODE of NSEC name errors. Only a secure
          // NODATA proof turns it; anything less leaves the name error bogus. A tripped work
          // budget is final (no second proof attempt).
          const nodata = nsecs.length > 0 ? proveNodataNsec(nsecs, tail, qtype, zone) : proveNodataNsec3(env, nsec3s, tail, qtype, zone);
          if (nodata.status === 'secure') {
            res = nodata;
            kind = 'nodata';
          }
        }
        if (res.status !== 'bogus' && res.facts !== undefined) denial = res.facts;
        note(res);
      }
    }
  }

  let delegation: DelegationFacts | undefined;
  if (delegationName !== undefined && refZone !== undefined) {
    if (refZone.status !== 'secure') {
      const j = zoneJudgement(refZone, 0);
      note(j);
      delegation = { name: delegationName, child: j.status };
    } else {
      const zone = refZone.keys.zone;
      let dsJudged: JudgedRRset | undefined;
      for (let i = 0; i < judged && dsJudged === undefined; i++) {
        const s = judgedSets[i]!;
        if (s.role === 'ds' && s.rrset.name.equals(delegationName)) dsJudged = s;
      }
      if (dsJudged !== undefined) {
        delegation =
          dsJudged.status === 'secure'
            ? { name: delegationName, child: 'secure', ds: dsJudged.rrset }
            : { name: delegationName, child: dsJudged.status };
      } else {
        const sets = proofSets(zone);
        const nsecs = nsecRecords(sets);
        const nsec3s = nsec3Records(sets, zone);
        let r: DenialResult;
        if (nsecs.length > 0) r = proveNoDsAtReferralNsec(nsecs, delegationName, zone);
        else if (nsec3s.length > 0) r = proveNoDsAtReferralNsec3(env, nsec3s, delegationName, zone);
        else {
          r = {
            status: 'bogus',
            reason: reason(EdeTag.REFERRAL_NO_DS_PROOF, 'referral without DS or a proof of no DS', {
              owner: delegationName,
              type: RRType.DS,
            }),
          };
        }
        note(r);
        if (r.status !== 'bogus' && r.facts !== undefined) denial = r.facts;
        delegation = { name: delegationName, child: r.status === 'bogus' ? 'bogus' : 'insecure' };
      }
    }
  }

  let ttl = Infinity;
  for (let i = 0; i < judged; i++) ttl = Math.min(ttl, judgedSets[i]!.ttl);
  for (const p of incidental) {
    const j = judge(p);
    // A synthesised (wildcard-expanded) NSEC or NSEC3 takes part in no denial (RFC 4592 §4.7).
    if (j.status !== 'secure' || j.wildcardParent !== undefined) continue;
    judgedSets[judged++] = { section: 'authority', role: 'proof', rrset: p.set.rrset, status: 'secure', ttl: j.ttl };
  }
  judgedSets.length = judged;
  const verdict: {
    status: Security;
    reason?: VerdictReason;
    kind: ResponseKind;
    chain: readonly Name[];
    ttl: number;
    rrsets: readonly JudgedRRset[];
    denial?: DenialFacts;
    wildcardProofs: readonly DenialFacts[];
    delegation?: DelegationFacts;
    work: WorkCounters;
    answer: readonly SignedRRset[];
    authority: readonly SignedRRset[];
  } = {
    status,
    kind,
    chain,
    ttl: ttl === Infinity ? 0 : ttl,
    rrsets: judgedSets,
    wildcardProofs: wildcardProofs ?? NO_DENIALS,
    work: env.meter.counters(),
    answer: resp.answer,
    authority: resp.authority,
  };
  if (firstReason !== undefined) verdict.reason = firstReason;
  if (denial !== undefined) verdict.denial = denial;
  if (delegation !== undefined) verdict.delegation = delegation;
  return verdict;
}

/** The RRsets that are not RRSIG-typed: the list itself when it has none (the usual case). */
function withoutRrsigSets(list: readonly SignedRRset[]): readonly SignedRRset[] {
  for (const s of list) if (s.rrset.type === RRType.RRSIG) return list.filter((t) => t.rrset.type !== RRType.RRSIG);
  return list;
}

/** True when some RRSIG over the set has a Labels field below the owner's label count. */
function mayBeWildcard(set: SignedRRset): boolean {
  const n = set.rrset.name.labelCount - (set.rrset.name.isWildcard() ? 1 : 0);
  return set.rrsigs.some((r) => r.length > 3 && r[3]! < n);
}

function proveWildcard(env: ValidationEnv, sets: readonly RRset[], qname: Name, parent: Name, zone: Name): DenialResult {
  const nsecs = nsecRecords(sets);
  if (nsecs.length > 0) {
    const r = proveWildcardAnswerNsec(nsecs, qname, parent, zone);
    if (r.status !== 'bogus') return r;
    const nsec3s = nsec3Records(sets, zone);
    return nsec3s.length > 0 ? proveWildcardAnswerNsec3(env, nsec3s, qname, parent, zone) : r;
  }
  const nsec3s = nsec3Records(sets, zone);
  if (nsec3s.length > 0) return proveWildcardAnswerNsec3(env, nsec3s, qname, parent, zone);
  return {
    status: 'bogus',
    reason: reason(EdeTag.WILDCARD_NO_PROOF, `no validated NSEC or NSEC3 from ${zone.toString()} for the wildcard answer`, {
      owner: qname,
    }),
  };
}

// ---- Entry points ----------------------------------------------------------------------------

/** Publishes a verdict on `anchord:validation` (DESIGN.md convention 10) when someone listens. */
function published(resp: ResponseToValidate, out: ResponseOutcome): ResponseOutcome {
  if (out.status !== 'need-keys' && hasSubscribers(Channel.validation)) {
    publish(Channel.validation, {
      status: out.status,
      ede: out.reason?.ede,
      tag: out.reason?.tag,
      owner: resp.qname.toString(),
      type: resp.qtype,
    });
  }
  return out;
}

/** Validates a response with a synchronous verifier. */
export function validateResponse(
  resp: ResponseToValidate,
  keysFor: KeysFor,
  env: ValidationEnv,
  verifier: SignatureVerifier,
): ResponseOutcome {
  return published(resp, runSteps(responseSteps(env, resp, keysFor), verifier));
}

/**
 * validateResponseAsync's outcome, without a promise when the validation ends before any batch of
 * checks: the keys of a zone are missing (need-keys), the signature memo answered every check, or
 * nothing needed one. A caller awaits only a promise, so most responses' first round costs no
 * async frames or microtasks. Same outcome, same published verdict, as validateResponseAsync.
 */
export function validateResponseSoon(
  resp: ResponseToValidate,
  keysFor: KeysFor,
  env: ValidationEnv,
  verifier: BatchSignatureVerifier,
): ResponseOutcome | Promise<ResponseOutcome> {
  const steps = responseSteps(env, resp, keysFor);
  const r = steps.next();
  if (r.done === true) return published(resp, r.value);
  return finishSteps(resp, steps, r.value, verifier);
}

/** validateResponseSoon's rest, from the first batch of checks the steps asked for. */
async function finishSteps(
  resp: ResponseToValidate,
  steps: BatchSteps<ResponseOutcome>,
  first: readonly VerifyJob[],
  verifier: BatchSignatureVerifier,
): Promise<ResponseOutcome> {
  let r = steps.next(await verifier.verifyBatch(first));
  while (r.done !== true) r = steps.next(await verifier.verifyBatch(r.value));
  return published(resp, r.value);
}

/** Validates a response with a batching verifier (the checks of all RRsets share batches). */
export async function validateResponseAsync(
  resp: ResponseToValidate,
  keysFor: KeysFor,
  env: ValidationEnv,
  verifier: BatchSignatureVerifier,
): Promise<ResponseOutcome> {
  return published(resp, await runStepsAsync(responseSteps(env, resp, keysFor), verifier));
}
