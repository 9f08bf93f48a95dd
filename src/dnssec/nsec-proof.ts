// Denial of existence with NSEC (RFC 4034 §4, RFC 4035 §3.1.3 and §5.4, RFC 6840 §4.1 §4.3 §4.4),
// over NSEC records whose signatures the caller has already validated, all from one zone.
//
// An NSEC at owner O with next name N says: O exists with the types in its bitmap, and no name
// exists strictly between O and N in canonical order (RFC 4034 §6.1); the last NSEC of the zone
// wraps around to the apex. On top of that ordering:
// - a name strictly below an NSEC owner that is a delegation (NS without SOA: the record is the
//   parent side of a zone cut) or has a DNAME is not in this zone, so that NSEC proves nothing
//   about it (RFC 6840 §4.1);
// - a name whose covering NSEC has a next name below it is an empty non-terminal: it exists, with
//   no types (RFC 4035 §3.1.3.2, RFC 4592 §2.2.2);
// - the closest encloser of a name the NSEC covers is the longer of its common ancestors with the
//   owner and with the next name (RFC 4035 §5.4, as Unbound and BIND derive it).
//
// - an NSEC whose owner or next name lies outside the zone that signed it says nothing about that
//   zone's names: its span would reach into names the signer is not authoritative for (RFC 4035
//   §5.4 reads the span within one zone; Unbound's val_nsec checks the same), so such records take
//   part in no proof;
//
// Proofs:
// - NXDOMAIN (RFC 4035 §3.1.3.2, §5.4): an NSEC covers the name, and an NSEC covers the wildcard
//   `*.` + closest encloser (the same record or another);
// - NODATA (§3.1.3.1): the NSEC at the name lacks the type and, unless the type is CNAME, lacks
//   CNAME (RFC 6840 §4.3); an NSEC at a delegation point (NS without SOA) comes from the parent and
//   can deny only DS; a child apex NSEC (SOA) cannot deny a DS (RFC 6840 §4.1, §4.4); an empty
//   non-terminal is NODATA for every type;
// - wildcard NODATA (§3.1.3.4): an NSEC covers the name and the NSEC at `*.` + closest encloser
//   lacks the type and CNAME;
// - wildcard answer (§3.1.3.3, §5.3.4): an NSEC covers the name, and the closest encloser it shows
//   is the wildcard's parent (otherwise a closer name exists and the wildcard did not apply);
// - insecure delegation at a referral (RFC 6840 §4.4): the NSEC at the delegation has NS and
//   neither DS nor SOA.
//
// Pure module: no I/O, no clock.

import { RRType } from '../wire/constants.js';
import { Name, compareNames } from '../wire/name.js';
import { decodeTyped, nsecTyped, type TypeSet } from '../wire/rdata.js';
import type { RRset } from '../wire/record.js';
import { EdeTag } from './ede-tags.js';
import { reason, type VerdictReason } from './verdict.js';

export interface NsecRecord {
  readonly owner: Name;
  readonly next: Name;
  /** The types its bitmap lists (RFC 4034 §4.1.2), asked of the bitmap's octets when decoded here. */
  readonly types: TypeSet;
}

/** What a successful denial established (shared by NSEC and NSEC3 proofs). */
export type DenialKind = 'nxdomain' | 'nodata' | 'ent-nodata' | 'wildcard-nodata' | 'wildcard-answer' | 'no-ds';

export interface DenialFacts {
  readonly kind: DenialKind;
  /** The name the proof is about (the query name, the delegation, or the wildcard answer owner). */
  readonly name: Name;
  readonly via: 'nsec' | 'nsec3';
  /** Set when the proof rests on an opt-out NSEC3 span (RFC 5155 §6). */
  readonly optOut: boolean;
  /** The closest encloser, when the proof shows it. */
  readonly closestEncloser?: Name;
  /** Types at the name when a record matches it (NODATA, no-DS). */
  readonly types?: readonly number[];
}

/** The outcome of a denial proof. */
export type DenialResult =
  | { readonly status: 'secure'; readonly facts: DenialFacts }
  | { readonly status: 'insecure'; readonly facts?: DenialFacts; readonly reason?: VerdictReason }
  | { readonly status: 'bogus'; readonly reason: VerdictReason };

/** Decodes the NSEC RDATAs of validated RRsets; malformed records are left out. */
export function nsecRecords(rrsets: readonly RRset[]): NsecRecord[] {
  const out: NsecRecord[] = [];
  for (const set of rrsets) {
    if (set.type !== RRType.NSEC) continue;
    for (const rdata of set.rdatas) {
      try {
        out.push(nsecRecord(set.name, rdata));
      } catch {
        // A record we cannot read proves nothing.
      }
    }
  }
  return out;
}

/**
 * One NSEC record from its owner and RDATA (RFC 4034 §4.1): the next name, and the types left in
 * the (checked) bitmap, which answers a proof's one or two questions without a list or a Set.
 * Throws on RDATA it cannot read.
 */
export function nsecRecord(owner: Name, rdata: Uint8Array): NsecRecord {
  const t = nsecTyped(rdata);
  if (t !== undefined) return { owner, next: t.next, types: t.types };
  // Not of the shape read directly: the schema walk decides (and reports what is wrong).
  const d = decodeTyped(RRType.NSEC, rdata);
  return { owner, next: d.next, types: new Set(d.types) };
}

/** Number of rightmost labels two names share (case-insensitive). */
export function commonLabels(a: Name, b: Name): number {
  return Name.commonLabels(a, b);
}

/** `*.` + name. */
export function wildcardOf(name: Name): Name {
  return name.prepend(Uint8Array.of(0x2a));
}

/** Pure canonical-order cover test: owner < name < next, with the wrap of the last NSEC. */
export function nsecCovers(nsec: NsecRecord, name: Name): boolean {
  const afterOwner = compareNames(nsec.owner, name) < 0;
  const beforeNext = compareNames(name, nsec.next) < 0;
  if (compareNames(nsec.owner, nsec.next) < 0) return afterOwner && beforeNext;
  return afterOwner || beforeNext;
}

/** True when the NSEC's owner and next name are both within `zone` (the signer's zone). */
export function nsecInZone(nsec: NsecRecord, zone: Name): boolean {
  return nsec.owner.isSubdomainOf(zone) && nsec.next.isSubdomainOf(zone);
}

function inZone(nsecs: readonly NsecRecord[], zone: Name): NsecRecord[] {
  return nsecs.filter((n) => nsecInZone(n, zone));
}

function isDelegation(types: TypeSet): boolean {
  return types.has(RRType.NS) && !types.has(RRType.SOA);
}

/**
 * True when this NSEC proves `name` absent: it covers the name, the name is not below a
 * delegation or DNAME at the owner (RFC 6840 §4.1), and the name is not an empty non-terminal
 * above the next name.
 */
export function nsecProvesAbsent(nsec: NsecRecord, name: Name, zone: Name): boolean {
  if (!name.isSubdomainOf(zone) || !nsecInZone(nsec, zone)) return false;
  if (!nsecCovers(nsec, name)) return false;
  if (name.isSubdomainOf(nsec.owner) && (isDelegation(nsec.types) || nsec.types.has(RRType.DNAME))) return false;
  if (nsec.next.isSubdomainOf(name) && !nsec.next.equals(name)) return false;
  return true;
}

/** True when the NSEC covers `name` and its next name is below it: `name` is an empty non-terminal. */
function showsEmptyNonTerminal(nsec: NsecRecord, name: Name): boolean {
  return nsecCovers(nsec, name) && nsec.next.isSubdomainOf(name) && !nsec.next.equals(name);
}

/** The closest encloser of `name` as a covering NSEC shows it. */
export function nsecClosestEncloser(nsec: NsecRecord, name: Name): Name {
  const n = Math.max(commonLabels(name, nsec.owner), commonLabels(name, nsec.next));
  return name.suffix(Math.min(n, name.labelCount));
}

function findMatch(nsecs: readonly NsecRecord[], name: Name): NsecRecord | undefined {
  return nsecs.find((n) => n.owner.equals(name));
}

function findAbsent(nsecs: readonly NsecRecord[], name: Name, zone: Name): NsecRecord | undefined {
  return nsecs.find((n) => nsecProvesAbsent(n, name, zone));
}

function bogus(r: VerdictReason): DenialResult {
  return { status: 'bogus', reason: r };
}

/** NXDOMAIN: the name and the source of synthesis at its closest encloser are both absent. */
export function proveNxdomainNsec(all: readonly NsecRecord[], qname: Name, zone: Name): DenialResult {
  const nsecs = inZone(all, zone);
  const facts = { owner: qname };
  if (findMatch(nsecs, qname) !== undefined || nsecs.some((n) => showsEmptyNonTerminal(n, qname))) {
    return bogus(reason(EdeTag.NSEC_NXDOMAIN_EXISTS, 'an NSEC shows the name exists', facts));
  }
  const cover = findAbsent(nsecs, qname, zone);
  if (cover === undefined) {
    // A validated NSEC that would cover the name but reaches outside the zone is a wrong record,
    // not a missing one: EDE 6 rather than 12 (as Unbound reports it).
    if (all.some((n) => !nsecInZone(n, zone) && nsecCovers(n, qname))) {
      return bogus(reason(EdeTag.NSEC_OUT_OF_ZONE, `the NSEC covering the name reaches outside ${zone.toString()}`, facts));
    }
    return bogus(reason(EdeTag.NSEC_NXDOMAIN_NOT_COVERED, 'no NSEC covers the name', facts));
  }
  const ce = nsecClosestEncloser(cover, qname);
  const wild = wildcardOf(ce);
  if (findMatch(nsecs, wild) !== undefined) {
    return bogus(reason(EdeTag.NSEC_NXDOMAIN_WILDCARD_EXISTS, `${wild.toString()} exists and would have answered`, facts));
  }
  if (findAbsent(nsecs, wild, zone) === undefined) {
    return bogus(reason(EdeTag.NSEC_NXDOMAIN_WILDCARD, `no NSEC proves ${wild.toString()} absent`, facts));
  }
  return { status: 'secure', facts: { kind: 'nxdomain', name: qname, via: 'nsec', optOut: false, closestEncloser: ce } };
}

/**
 * NODATA for `qtype` at `qname`: a matching NSEC without the type, an empty non-terminal, or a
 * wildcard NODATA.
 */
export function proveNodataNsec(all: readonly NsecRecord[], qname: Name, qtype: number, zone: Name): DenialResult {
  const nsecs = inZone(all, zone);
  const facts = { owner: qname, type: qtype };
  const m = findMatch(nsecs, qname);
  if (m !== undefined) {
    if (m.types.has(qtype) || (qtype !== RRType.CNAME && m.types.has(RRType.CNAME))) {
      return bogus(reason(EdeTag.NSEC_NODATA_TYPE_PRESENT, 'the NSEC at the name lists the type or CNAME', facts));
    }
    if (qtype === RRType.DS) {
      if (m.types.has(RRType.SOA) && !qname.isRoot()) {
        return bogus(reason(EdeTag.NSEC_NODATA_CHILD_SIDE, 'the child apex NSEC cannot deny the DS', facts));
      }
    } else if (isDelegation(m.types)) {
      return bogus(reason(EdeTag.NSEC_NODATA_PARENT_SIDE, 'a parent-side NSEC denies only DS', facts));
    }
    return { status: 'secure', facts: { kind: 'nodata', name: qname, via: 'nsec', optOut: false, types: [...m.types] } };
  }
  if (nsecs.some((n) => showsEmptyNonTerminal(n, qname) && qname.isSubdomainOf(zone))) {
    return { status: 'secure', facts: { kind: 'ent-nodata', name: qname, via: 'nsec', optOut: false, types: [] } };
  }
  const cover = findAbsent(nsecs, qname, zone);
  if (cover !== undefined) {
    const ce = nsecClosestEncloser(cover, qname);
    const wm = findMatch(nsecs, wildcardOf(ce));
    if (wm !== undefined) {
      if (wm.types.has(qtype) || (qtype !== RRType.CNAME && wm.types.has(RRType.CNAME))) {
        return bogus(reason(EdeTag.NSEC_WILDCARD_NODATA_TYPE, 'the NSEC at the wildcard lists the type or CNAME', facts));
      }
      return {
        status: 'secure',
        facts: { kind: 'wildcard-nodata', name: qname, via: 'nsec', optOut: false, closestEncloser: ce, types: [...wm.types] },
      };
    }
  }
  return bogus(reason(EdeTag.NSEC_NODATA_NO_PROOF, 'no NSEC matches the name, shows it empty, or matches its wildcard', facts));
}

/**
 * A wildcard answer at `qname` synthesised from `*.` + `wildcardParent`: an NSEC must cover
 * `qname` and show `wildcardParent` as the closest encloser (no closer name exists).
 */
export function proveWildcardAnswerNsec(all: readonly NsecRecord[], qname: Name, wildcardParent: Name, zone: Name): DenialResult {
  const nsecs = inZone(all, zone);
  const facts = { owner: qname };
  let closer = false;
  for (const n of nsecs) {
    if (!nsecProvesAbsent(n, qname, zone)) continue;
    const ce = nsecClosestEncloser(n, qname);
    if (ce.labelCount === wildcardParent.labelCount && ce.equals(wildcardParent)) {
      return {
        status: 'secure',
        facts: { kind: 'wildcard-answer', name: qname, via: 'nsec', optOut: false, closestEncloser: wildcardParent },
      };
    }
    closer = true;
  }
  if (closer) {
    return bogus(reason(EdeTag.NSEC_WILDCARD_CLOSER, `the NSEC shows a closer encloser than ${wildcardParent.toString()}`, facts));
  }
  return bogus(reason(EdeTag.NSEC_WILDCARD_NO_PROOF, 'no NSEC covers the name of the wildcard answer', facts));
}

/** Insecure delegation at a referral: the NSEC at `delegation` has NS and neither DS nor SOA. */
export function proveNoDsAtReferralNsec(nsecs: readonly NsecRecord[], delegation: Name, zone: Name): DenialResult {
  const facts = { owner: delegation, type: RRType.DS };
  const m = findMatch(inZone(nsecs, zone), delegation);
  if (m === undefined) return bogus(reason(EdeTag.NSEC_REFERRAL_NO_PROOF, 'no NSEC at the delegation', facts));
  if (!m.types.has(RRType.NS) || m.types.has(RRType.DS) || m.types.has(RRType.SOA)) {
    return bogus(reason(EdeTag.NSEC_REFERRAL_NOT_DELEGATION, 'the NSEC at the delegation lacks NS or has DS or SOA', facts));
  }
  return { status: 'secure', facts: { kind: 'no-ds', name: delegation, via: 'nsec', optOut: false, types: [...m.types] } };
}
