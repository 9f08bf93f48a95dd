// Denial of existence with NSEC3 (RFC 5155 §7.2 and §8, RFC 9276 §3.2), over NSEC3 records whose
// signatures the caller has already validated, all from one zone.
//
// - Which records count (§8.1, §8.2): hash algorithm 1 only, and a Flags field of 0 or 1 (only
//   Opt-Out defined); others are ignored, and a response left with none is bogus ("responses
//   containing only such NSEC3 RRs will generally be considered bogus"). Records are grouped by
//   parameters (iterations, salt): a proof uses one group.
// - Parameter caps (RFC 9276 §3.2, budget.ts Nsec3Limits): a group with iterations over the cap,
//   or a salt over the cap, is not hashed; if no usable group proves the denial and such a group
//   exists, the answer is insecure with EDE 27 (bogus over the hard cap). The signatures were
//   checked first, so a forged count cannot strip security.
// - Closest encloser proof (§8.3, §7.2.1): walking up from the name, the first ancestor whose hash
//   matches an NSEC3 is the closest encloser; the name one label longer, the next closer name,
//   must be covered. A closest encloser whose NSEC3 has NS without SOA (the parent side of a
//   delegation) or DNAME cannot enclose anything in this zone (RFC 5155 §8.3, RFC 6840 §4.1).
// - Opt-Out (§6, §9.2): an NSEC3 with the Opt-Out flag covering a name says nothing about
//   whether an unsigned delegation exists there. §9.2: the AD bit MUST NOT be set when the NSEC3
//   covering the next closer name of a closest encloser proof has Opt-Out. So every proof that
//   rests on such a span is at best insecure, never secure (as Unbound: "nc has optout"):
//   NXDOMAIN, wildcard NODATA, DS NODATA, wildcard answers and referrals. Opt-Out on a record that
//   matches a name (NODATA, ENT, the delegation itself) is irrelevant: the match proves the name.
// - NXDOMAIN (§8.4): closest encloser proof, and `*.` + closest encloser covered; insecure when the
//   next closer's record has Opt-Out (§9.2: an unsigned delegation may exist at or above the name).
// - NODATA (§8.5): the NSEC3 matching the name lacks the type and CNAME; for types other than DS it
//   must not be a delegation (NS without SOA); an empty non-terminal has an NSEC3 with no types.
// - DS NODATA (§8.6): the matching NSEC3 lacks DS and, except at the root, SOA (a child apex record
//   cannot deny its DS); or no match, a closest encloser proof, and Opt-Out on the record covering
//   the next closer: then an unsigned delegation may exist, unauthenticated (§9.2), so the answer
//   is insecure. Opt-Out never proves NODATA for other types (§8.5 needs a match; Unbound returns
//   insecure there, anchord bogus, because the name may well exist and be signed).
// - Wildcard NODATA (§8.7): closest encloser proof and an NSEC3 matching `*.` + closest encloser
//   without the type and CNAME; insecure when the next closer's record has Opt-Out (the name
//   could be an unsigned delegation, and then the wildcard would not apply).
// - Wildcard answer (§8.8): the next closer name, from the closest encloser the RRSIG Labels field
//   gives, is covered; insecure when the covering record has Opt-Out (same reason).
// - Referral to an unsigned child (§8.9): the NSEC3 matching the delegation has NS and neither DS
//   nor SOA; or a closest encloser proof with Opt-Out covering the next closer (insecure).
//
// Hashing goes through the response's NSEC3 budget and cache (budget.ts): CVE-2023-50868.
//
// Pure module: node:crypto hashing (nsec3-hash.ts), no I/O, no clock.

import { RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { decodeTyped, nsec3Head, TypeBitmap, type TypeSet } from '../wire/rdata.js';
import { compareBytes, bytesEqual, type RRset } from '../wire/record.js';
import { EdeTag } from './ede-tags.js';
import { memoNsec3Hash, nsec3Hash, nsec3HashFromOwner, nsec3MemoPrefix } from './nsec3-hash.js';
import { wildcardOf, type DenialFacts, type DenialResult } from './nsec-proof.js';
import type { ValidationEnv } from './rrset-validator.js';
import { reason, type VerdictReason } from './verdict.js';

/** NSEC3 flag bits (RFC 5155 §3.1.2). */
export const Nsec3Flag = {
  OPT_OUT: 0x01,
} as const;

export interface Nsec3Record {
  readonly owner: Name;
  /** The hash in the owner's first label. */
  readonly hash: Uint8Array;
  readonly hashAlgorithm: number;
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly nextHashed: Uint8Array;
  /** The types its bitmap lists (RFC 5155 §3.2.1), asked of the bitmap's octets. */
  readonly types: TypeSet;
}

/**
 * One NSEC3 record from its owner, the hash its owner's first label carries and its RDATA (RFC 5155
 * §3.2); throws on RDATA it cannot read.
 */
export function nsec3Record(owner: Name, hash: Uint8Array, rdata: Uint8Array): Nsec3Record {
  // The fields as decodeRdata reads them, the types left in the (checked) bitmap: a proof asks
  // whether one or two types are there, which the octets answer without a list or a Set.
  const h = nsec3Head(rdata);
  if (h !== undefined) {
    return {
      owner,
      hash,
      hashAlgorithm: h.hashAlgorithm,
      flags: h.flags,
      iterations: h.iterations,
      salt: h.salt,
      nextHashed: h.nextHashed,
      types: new TypeBitmap(rdata, h.bitmapAt, rdata.length),
    };
  }
  // Not of the shape read directly: the schema walk decides (and reports what is wrong).
  const d = decodeTyped(RRType.NSEC3, rdata);
  return {
    owner,
    hash,
    hashAlgorithm: d.hashAlgorithm,
    flags: d.flags,
    iterations: d.iterations,
    salt: d.salt,
    nextHashed: d.nextHashed,
    types: new Set(d.types),
  };
}

/** Decodes the NSEC3 records of validated RRsets owned one label below `zone`; others left out. */
export function nsec3Records(rrsets: readonly RRset[], zone: Name): Nsec3Record[] {
  const out: Nsec3Record[] = [];
  for (const set of rrsets) {
    if (set.type !== RRType.NSEC3) continue;
    const hash = nsec3HashFromOwner(set.name, zone);
    if (hash === undefined) continue;
    for (const rdata of set.rdatas) {
      try {
        out.push(nsec3Record(set.name, hash, rdata));
      } catch {
        // A record we cannot read proves nothing.
      }
    }
  }
  return out;
}

/** Hash-order cover test: owner < hash < next, with the wrap of the last record (RFC 5155 §7.2). */
export function nsec3Covers(rec: Nsec3Record, hash: Uint8Array): boolean {
  const afterOwner = compareBytes(rec.hash, hash) < 0;
  const beforeNext = compareBytes(hash, rec.nextHashed) < 0;
  if (compareBytes(rec.hash, rec.nextHashed) < 0) return afterOwner && beforeNext;
  return afterOwner || beforeNext;
}

/**
 * One parameter group of NSEC3 records and the hashing that goes with it. When the hash budget is
 * spent, `hash` answers undefined and `spent` is set: nothing matches or covers any more, the proof
 * fails, and the entry point reports the budget instead of the proof's failure.
 */
class Group {
  readonly records: Nsec3Record[] = [];
  spent = false;
  readonly iterations: number;
  readonly salt: Uint8Array;
  private readonly env: ValidationEnv;
  private readonly prefix: string;

  constructor(env: ValidationEnv, first: Nsec3Record) {
    this.env = env;
    this.iterations = first.iterations;
    this.salt = first.salt;
    this.prefix = nsec3MemoPrefix(first.iterations, first.salt);
  }

  sameParams(r: Nsec3Record): boolean {
    return r.iterations === this.iterations && bytesEqual(r.salt, this.salt);
  }

  /**
   * `recurs`: a name hashed for many responses of the zone (its apex, a wildcard), taken from the
   * memo across responses (nsec3-hash.ts) once the budget has been charged for it.
   */
  hash(name: Name, recurs = false): Uint8Array | undefined {
    if (this.spent) return undefined;
    const key = this.prefix + name.key;
    const cached = this.env.nsec3Cache?.get(key);
    if (cached !== undefined) return cached;
    if (!this.env.meter.spendNsec3Hash(name)) {
      this.spent = true;
      return undefined;
    }
    const h = recurs ? memoNsec3Hash(key, name, this.salt, this.iterations) : nsec3Hash(name, this.salt, this.iterations);
    (this.env.nsec3Cache ??= new Map()).set(key, h);
    return h;
  }

  matchHash(h: Uint8Array | undefined): Nsec3Record | undefined {
    return h === undefined ? undefined : this.records.find((r) => bytesEqual(r.hash, h));
  }

  match(name: Name, recurs = false): Nsec3Record | undefined {
    return this.matchHash(this.hash(name, recurs));
  }

  cover(h: Uint8Array | undefined): Nsec3Record | undefined {
    return h === undefined ? undefined : this.records.find((r) => nsec3Covers(r, h));
  }
}

interface Prepared {
  readonly usable: Group[];
  /** Set when a group was left out for its parameters: what to answer if no usable group proves. */
  readonly capped?: DenialResult;
}

function prepare(env: ValidationEnv, records: readonly Nsec3Record[], facts: { owner: Name; type?: number }): Prepared | DenialResult {
  const groups: Group[] = [];
  for (const r of records) {
    // RFC 5155 §8.1-§8.2: unknown hash algorithms and unknown flags are ignored.
    if (r.hashAlgorithm !== 1 || (r.flags & ~Nsec3Flag.OPT_OUT) !== 0) continue;
    let g = groups.find((x) => x.sameParams(r));
    if (g === undefined) {
      g = new Group(env, r);
      groups.push(g);
    }
    g.records.push(r);
  }
  if (groups.length === 0) {
    return { status: 'bogus', reason: reason(EdeTag.NSEC3_NO_USABLE, 'no NSEC3 with a known hash algorithm and flags', facts) };
  }
  const limits = env.options.nsec3;
  const usable: Group[] = [];
  let capped: DenialResult | undefined;
  for (const g of groups) {
    if (g.iterations > limits.bogusIterationsAbove) {
      capped = {
        status: 'bogus',
        reason: reason(EdeTag.NSEC3_ITERATIONS_BOGUS, `${g.iterations} iterations > ${limits.bogusIterationsAbove}`, {
          ...facts,
          bound: 'iterations',
        }),
      };
    } else if (g.iterations > limits.maxIterations) {
      capped ??= {
        status: 'insecure',
        reason: reason(EdeTag.NSEC3_ITERATIONS, `${g.iterations} iterations > ${limits.maxIterations}`, { ...facts, bound: 'iterations' }),
      };
    } else if (g.salt.length > limits.maxSaltLength) {
      capped ??= {
        status: 'insecure',
        reason: reason(EdeTag.NSEC3_SALT, `salt of ${g.salt.length} octets > ${limits.maxSaltLength}`, { ...facts, bound: 'salt' }),
      };
    } else {
      usable.push(g);
    }
  }
  return capped === undefined ? { usable } : { usable, capped };
}

function isPrepared(p: Prepared | DenialResult): p is Prepared {
  return 'usable' in p;
}

/** Runs `prove` on each usable group; the first secure or insecure answer wins. */
function overGroups(
  env: ValidationEnv,
  records: readonly Nsec3Record[],
  facts: { owner: Name; type?: number },
  prove: (g: Group) => DenialResult,
): DenialResult {
  const p = prepare(env, records, facts);
  if (!isPrepared(p)) return p;
  // A capped group wins over a usable one that failed: the proof may be in the capped group.
  let failure: DenialResult | undefined = p.capped;
  for (const g of p.usable) {
    const r = prove(g);
    if (g.spent) {
      return {
        status: 'bogus',
        reason: reason(EdeTag.BUDGET_NSEC3_HASHES, `more than ${env.options.budget.maxNsec3HashesPerResponse} NSEC3 hashes`, {
          ...facts,
          bound: 'maxNsec3HashesPerResponse',
        }),
      };
    }
    if (r.status !== 'bogus') return r;
    failure ??= r;
  }
  // Every group is either usable (and failed) or capped, so there is a failure to report.
  return failure!;
}

type CeOutcome =
  | { readonly kind: 'proof'; readonly ce: Name; readonly nc: Name; readonly ceRecord: Nsec3Record; readonly ncRecord: Nsec3Record }
  | { readonly kind: 'fail'; readonly reason: VerdictReason };

function isDelegation(types: TypeSet): boolean {
  return types.has(RRType.NS) && !types.has(RRType.SOA);
}

/**
 * The closest encloser proof for `name` (RFC 5155 §8.3), walking up from the name. A match on the
 * name itself fails the proof: the name exists.
 */
function closestEncloser(g: Group, name: Name, zone: Name, facts: { owner: Name; type?: number }): CeOutcome {
  let child: Name | undefined;
  let childHash: Uint8Array | undefined;
  const top = name.isSubdomainOf(zone) ? zone.labelCount : name.labelCount + 1;
  for (let n = name.labelCount; n >= top; n--) {
    const cand = name.suffix(n);
    const h = g.hash(cand, n === zone.labelCount);
    if (h === undefined) break;
    const m = g.matchHash(h);
    if (m !== undefined) {
      if (child === undefined || childHash === undefined) {
        return { kind: 'fail', reason: reason(EdeTag.NSEC3_NXDOMAIN_EXISTS, 'an NSEC3 matches the name', facts) };
      }
      if (isDelegation(m.types) || m.types.has(RRType.DNAME)) {
        return {
          kind: 'fail',
          reason: reason(EdeTag.NSEC3_CLOSEST_ENCLOSER_PARENT_SIDE, `closest encloser ${cand.toString()} is a delegation or DNAME`, facts),
        };
      }
      const cover = g.cover(childHash);
      if (cover === undefined) {
        return {
          kind: 'fail',
          reason: reason(EdeTag.NSEC3_NEXT_CLOSER_NOT_COVERED, `no NSEC3 covers the next closer ${child.toString()}`, facts),
        };
      }
      return { kind: 'proof', ce: cand, nc: child, ceRecord: m, ncRecord: cover };
    }
    child = cand;
    childHash = h;
  }
  return { kind: 'fail', reason: reason(EdeTag.NSEC3_NO_CLOSEST_ENCLOSER, 'no NSEC3 matches an ancestor of the name in the zone', facts) };
}

function optOut(r: Nsec3Record): boolean {
  return (r.flags & Nsec3Flag.OPT_OUT) !== 0;
}

function bogus(r: VerdictReason): DenialResult {
  return { status: 'bogus', reason: r };
}

/** NXDOMAIN (RFC 5155 §8.4). */
export function proveNxdomainNsec3(env: ValidationEnv, records: readonly Nsec3Record[], qname: Name, zone: Name): DenialResult {
  const facts = { owner: qname };
  return overGroups(env, records, facts, (g) => {
    const ce = closestEncloser(g, qname, zone, facts);
    if (ce.kind === 'fail') return bogus(ce.reason);
    const wild = wildcardOf(ce.ce);
    if (g.cover(g.hash(wild, true)) === undefined) {
      return bogus(reason(EdeTag.NSEC3_WILDCARD_NOT_COVERED, `no NSEC3 covers ${wild.toString()}`, facts));
    }
    const denied: DenialFacts = { kind: 'nxdomain', name: qname, via: 'nsec3', optOut: optOut(ce.ncRecord), closestEncloser: ce.ce };
    // RFC 5155 §9.2: an opt-out span over the next closer name leaves room for an unsigned
    // delegation, so the name error is not authenticated.
    return { status: denied.optOut ? 'insecure' : 'secure', facts: denied };
  });
}

/** NODATA, DS NODATA and wildcard NODATA (RFC 5155 §8.5-§8.7). */
export function proveNodataNsec3(
  env: ValidationEnv,
  records: readonly Nsec3Record[],
  qname: Name,
  qtype: number,
  zone: Name,
): DenialResult {
  const facts = { owner: qname, type: qtype };
  return overGroups(env, records, facts, (g) => {
    const m = g.match(qname);
    if (m !== undefined) {
      if (m.types.has(qtype) || (qtype !== RRType.CNAME && m.types.has(RRType.CNAME))) {
        return bogus(reason(EdeTag.NSEC3_NODATA_TYPE_PRESENT, 'the NSEC3 at the name lists the type or CNAME', facts));
      }
      if (qtype === RRType.DS) {
        if (m.types.has(RRType.SOA) && !qname.isRoot()) {
          return bogus(reason(EdeTag.NSEC3_NODATA_CHILD_SIDE, 'the child apex NSEC3 cannot deny the DS', facts));
        }
      } else if (isDelegation(m.types)) {
        return bogus(reason(EdeTag.NSEC3_NODATA_PARENT_SIDE, 'a parent-side NSEC3 denies only DS', facts));
      }
      const kind = m.types.size === 0 ? 'ent-nodata' : 'nodata';
      return { status: 'secure', facts: { kind, name: qname, via: 'nsec3', optOut: optOut(m), types: [...m.types] } };
    }
    const ce = closestEncloser(g, qname, zone, facts);
    if (ce.kind === 'fail') return bogus(ce.reason);
    const wm = g.match(wildcardOf(ce.ce), true);
    if (wm !== undefined) {
      if (wm.types.has(qtype) || (qtype !== RRType.CNAME && wm.types.has(RRType.CNAME))) {
        return bogus(reason(EdeTag.NSEC3_WILDCARD_NODATA_TYPE, 'the NSEC3 at the wildcard lists the type or CNAME', facts));
      }
      const f: DenialFacts = {
        kind: 'wildcard-nodata',
        name: qname,
        via: 'nsec3',
        optOut: optOut(ce.ncRecord),
        closestEncloser: ce.ce,
        types: [...wm.types],
      };
      // RFC 5155 §9.2: with Opt-Out on the next closer's span, the name may be an unsigned
      // delegation, and the wildcard would not apply to it: not authenticated.
      return { status: f.optOut ? 'insecure' : 'secure', facts: f };
    }
    if (optOut(ce.ncRecord)) {
      // RFC 5155 §8.6: a DS NODATA may rest on an opt-out span over the next closer: the name is
      // (at most) an unsigned delegation, so the DS is denied insecurely. For another type the
      // same span says the name may sit below an unsigned delegation whose data this zone does not
      // sign (answers collated through CNAMEs, forwarders): nothing is proven either way, so the
      // NODATA is insecure too, never secure (RFC 5155 §9.2; Unbound's nsec3_do_prove_nodata).
      const f: DenialFacts =
        qtype === RRType.DS
          ? { kind: 'no-ds', name: qname, via: 'nsec3', optOut: true, closestEncloser: ce.ce }
          : { kind: 'nodata', name: qname, via: 'nsec3', optOut: true, closestEncloser: ce.ce };
      return { status: 'insecure', facts: f };
    }
    return bogus(reason(EdeTag.NSEC3_NODATA_NO_PROOF, 'no NSEC3 matches the name or its wildcard', facts));
  });
}

/** A wildcard answer at `qname` synthesised from `*.` + `wildcardParent` (RFC 5155 §8.8). */
export function proveWildcardAnswerNsec3(
  env: ValidationEnv,
  records: readonly Nsec3Record[],
  qname: Name,
  wildcardParent: Name,
  zone: Name,
): DenialResult {
  const facts = { owner: qname };
  return overGroups(env, records, facts, (g) => {
    // The wildcard's parent comes from the RRSIG Labels field: an ancestor of the name, in the zone.
    const valid = qname.isSubdomainOf(wildcardParent) && qname.labelCount > wildcardParent.labelCount && wildcardParent.isSubdomainOf(zone);
    const nc = valid ? qname.suffix(wildcardParent.labelCount + 1) : qname;
    const cover = valid ? g.cover(g.hash(nc)) : undefined;
    if (cover === undefined) {
      return bogus(reason(EdeTag.NSEC3_WILDCARD_ANSWER_NO_PROOF, `no NSEC3 covers the next closer ${nc.toString()}`, facts));
    }
    const f: DenialFacts = { kind: 'wildcard-answer', name: qname, via: 'nsec3', optOut: optOut(cover), closestEncloser: wildcardParent };
    // RFC 5155 §9.2: an opt-out span over the next closer name does not prove that no closer
    // (unsigned) name exists, so the expansion is not authenticated.
    return { status: f.optOut ? 'insecure' : 'secure', facts: f };
  });
}

/** A referral to an unsigned child (RFC 5155 §8.9). */
export function proveNoDsAtReferralNsec3(env: ValidationEnv, records: readonly Nsec3Record[], delegation: Name, zone: Name): DenialResult {
  const facts = { owner: delegation, type: RRType.DS };
  return overGroups(env, records, facts, (g) => {
    const m = g.match(delegation);
    if (m !== undefined) {
      if (!m.types.has(RRType.NS) || m.types.has(RRType.DS) || m.types.has(RRType.SOA)) {
        return bogus(reason(EdeTag.NSEC3_REFERRAL_NOT_DELEGATION, 'the NSEC3 at the delegation lacks NS or has DS or SOA', facts));
      }
      return { status: 'secure', facts: { kind: 'no-ds', name: delegation, via: 'nsec3', optOut: optOut(m), types: [...m.types] } };
    }
    const ce = closestEncloser(g, delegation, zone, facts);
    if (ce.kind === 'fail') return bogus(ce.reason);
    if (!optOut(ce.ncRecord)) {
      return bogus(reason(EdeTag.NSEC3_REFERRAL_NO_OPT_OUT, 'the NSEC3 covering the delegation is not opt-out', facts));
    }
    return { status: 'insecure', facts: { kind: 'no-ds', name: delegation, via: 'nsec3', optOut: true, closestEncloser: ce.ce } };
  });
}
