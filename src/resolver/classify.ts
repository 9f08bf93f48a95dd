// What a reply from an authoritative server means for the iteration (RFC 1034 §5.3.3 step 4),
// after dropping what that server may not say (RFC 2181 §5.4.1 and Unbound's iter_scrub.c):
//
// RRSIGs first join their RRsets' section when a server put them elsewhere (`pairSignatures`).
// Scrubbing, relative to the zone the server was asked as (the delegation point, its bailiwick):
// - answer: only RRsets on the chain from QNAME (the name, each CNAME target, each name a DNAME at
//   an ancestor maps it to, RFC 6672 §3.2), with owners in the bailiwick; CNAME and DNAME targets
//   outside it end the chain there, and the resolver asks for them from their own servers; the
//   rest of a chain after its first link is not authoritative data (RFC 2181 §5.4.1) and is cut
//   too, unless it is signed data a validating resolver judges on its signatures;
// - rcode: in a response with a chain, NXDOMAIN is about the last name of the chain (RFC 6604 §2,
//   RFC 1034 §4.3.2 step 3). When the chain leaves the bailiwick, that name is one this server
//   may not speak for (a server that also serves the target's zone follows the chain into it and
//   answers there): the rcode goes with the dropped records and becomes NOERROR, so the target is
//   resolved from its own zone's servers (as Unbound's scrubber and iterator do);
// - authority: only NS, SOA, NSEC, NSEC3, DS and their RRSIGs, owned in the bailiwick; NS only
//   at an ancestor-or-self of the last chain name;
// - additional: only A and AAAA in the bailiwick (glue "in bailiwick"), with the RRSIGs that cover
//   them (served when responses are not minimal, answer.ts); everything else there is
//   dropped, so out-of-bailiwick addresses can never poison the delegation. With `hardenGlue`
//   off (Unbound `harden-glue: no`), A and AAAA records are kept wherever they are owned. With
//   `hardenUnverifiedGlue` (Unbound `harden-unverified-glue`, default off) glue is kept only for
//   NS names at or below the zone the NS RRset delegates (in-domain glue, RFC 9471 §2): sibling
//   glue, which the parent holds for a name in another of its child zones, is dropped and the
//   name's address looked up from its own zone.
// - NS RRsets (answer and authority) keep at most `maxNsRecords` records, in the order received
//   (Unbound `iter-scrub-ns`, default 20): a delegation with hundreds of NS names is an NXNS-style
//   amplification lever (CVE-2020-12662) and no zone needs that many.
//
// Then (RFC 1034 §5.3.3, RFC 2308 §2):
// - `answer`: data or a chain for QNAME, NXDOMAIN, YXDOMAIN with the DNAME that overflows, or NODATA (SOA in authority, AA with nothing,
//   or NSEC/NSEC3 in authority without AA: servers that leave AA off, as Unbound accepts) — the iteration ends and the resolver validates and caches it;
// - `referral`: NOERROR, no answer, no SOA, an NS RRset strictly below the zone the server was
//   asked as, at or above the name (a downward referral);
// - `lame`: a referral sideways or upward, a non-authoritative empty reply, REFUSED or NOTAUTH
//   (RFC 1034 §4.2.2 "lame delegation"): the server is no use for this zone;
// - `retry`: SERVFAIL and other rcodes: ask another server, without marking this one lame.
//
// Pure module.

import { Rcode, RRType } from '../wire/constants.js';
import { messageWith, type Message } from '../wire/message.js';
import { Name } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import type { ResourceRecord } from '../wire/record.js';
import { groupSigned } from '../dnssec/response-validator.js';
import type { SignedRRset } from '../dnssec/rrset-validator.js';

/** Addresses of one name server name. */
export interface NsAddresses {
  readonly v4: string[];
  readonly v6: string[];
}

export type Classified =
  | {
      readonly kind: 'answer';
      readonly msg: Message;
      /** A CNAME question whose server followed the chain (`chasesChain`): the resolver follows it too. */
      readonly chase?: boolean;
    }
  | {
      readonly kind: 'referral';
      readonly msg: Message;
      /** The child zone. */
      readonly child: Name;
      readonly nsNames: readonly Name[];
      /** In-bailiwick glue by NS name key. */
      readonly glue: ReadonlyMap<string, NsAddresses>;
    }
  | { readonly kind: 'lame'; readonly reason: string }
  | { readonly kind: 'retry'; readonly reason: string };

const MAX_CHAIN = 32;

function coveredType(r: ResourceRecord): number {
  return r.rdata.length >= 2 ? (r.rdata[0]! << 8) | r.rdata[1]! : -1;
}

/** The type a record stands for: its own, or the covered type for an RRSIG. */
function effectiveType(r: ResourceRecord): number {
  return r.type === RRType.RRSIG ? coveredType(r) : r.type;
}

function targetOf(r: ResourceRecord): Name | undefined {
  try {
    return decodeTyped(RRType.CNAME, r.rdata).target;
  } catch {
    return undefined;
  }
}

/** RFC 6672 §2.2 substitution; undefined when the result would be too long. */
export function dnameSubstitute(name: Name, owner: Name, target: Name): Name | undefined {
  const keep = name.labelCount - owner.labelCount;
  try {
    return Name.fromLabels([...name.labels().slice(0, keep), ...target.labels()]);
  } catch {
    return undefined;
  }
}

/**
 * True for a reply to a CNAME question that is NXDOMAIN beside a CNAME at QNAME or a DNAME above
 * it: the server followed the chain (RFC 6604 §2: the RCODE is the last name's), so the question
 * is resolved as one for another type would be, the chain followed to the name the NXDOMAIN is
 * about (as Unbound does); the CNAME itself, when cached, still answers a later CNAME question.
 */
export function chasesChain(msg: Message, qname: Name, qtype: number): boolean {
  if (qtype !== RRType.CNAME || msg.rcode !== Rcode.NXDOMAIN) return false;
  return msg.answer.some(
    (r) => (r.type === RRType.CNAME && r.name.equals(qname)) || (r.type === RRType.DNAME && qname.isSubdomainOf(r.name) && !qname.equals(r.name)),
  );
}

/**
 * The chain of names from qname through CNAMEs and DNAMEs in `answer` (records in bailiwick). A
 * CNAME question's chain stops at QNAME's CNAME unless `chase` (`chasesChain`).
 */
export function answerChain(answer: readonly ResourceRecord[], qname: Name, qtype: number, chase = false): Name[] {
  const chain: Name[] = [qname];
  let tail = qname;
  for (let i = 0; i < MAX_CHAIN; i++) {
    if (qtype === RRType.ANY) break;
    // A CNAME and other data at one name (RFC 2181 §10.1 forbids it): whichever the server put
    // first decides, as Unbound's scrubber follows the answer section in order.
    let first: ResourceRecord | undefined;
    for (const r of answer) {
      if (r.name.equals(tail) && (r.type === qtype || r.type === RRType.CNAME)) {
        first = r;
        break;
      }
    }
    if (!chase && first !== undefined && first.type === qtype) break;
    let next: Name | undefined;
    let dname: ResourceRecord | undefined;
    for (const r of answer) {
      if (r.type !== RRType.DNAME || !tail.isSubdomainOf(r.name) || tail.equals(r.name)) continue;
      if (dname === undefined || r.name.labelCount > dname.name.labelCount) dname = r;
    }
    if (dname !== undefined) {
      const t = targetOf(dname);
      next = t === undefined ? undefined : dnameSubstitute(tail, dname.name, t);
    } else if (qtype !== RRType.CNAME || chase) {
      let c: ResourceRecord | undefined;
      for (const r of answer) {
        if (r.type === RRType.CNAME && r.name.equals(tail)) {
          c = r;
          break;
        }
      }
      next = c === undefined ? undefined : targetOf(c);
    }
    if (next === undefined || onList(chain, next)) break;
    chain.push(next);
    tail = next;
  }
  return chain;
}

/** True when `name` is one of `names`. */
function onList(names: readonly Name[], name: Name): boolean {
  for (const n of names) if (n.equals(name)) return true;
  return false;
}

/**
 * True for a record the chain uses: at a name the chain goes on from, only its CNAME (other data
 * beside a CNAME is not data of that name, RFC 2181 §10.1); at the last name, anything; DNAMEs
 * above any name of the chain.
 */
function onChain(r: ResourceRecord, chain: readonly Name[]): boolean {
  const t = effectiveType(r);
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i]!;
    if (r.name.equals(n) && (i === chain.length - 1 || t === RRType.CNAME)) return true;
    if (t === RRType.DNAME && n.isSubdomainOf(r.name)) return true;
  }
  return false;
}

const AUTHORITY_TYPES = new Set<number>([RRType.NS, RRType.SOA, RRType.NSEC, RRType.NSEC3, RRType.DS]);

/**
 * The message with each RRSIG moved to the section of the RRset it covers (same owner, covered
 * type), when that RRset sits in another section. RFC 4035 §3.1.1 puts them together; servers
 * that do not are still understood, as Unbound's parser pairs an RRSIG with its RRset wherever it
 * is. An RRSIG whose RRset is in its own section, or nowhere, stays.
 */
export function pairSignatures(msg: Message): Message {
  const sections = [msg.answer, msg.authority, msg.additional];
  // Most messages need no move: look for one first, and build new sections only then.
  let first = -1;
  for (let i = 0; i < sections.length && first < 0; i++) {
    const sec = sections[i]!;
    for (const r of sec) {
      if (r.type === RRType.RRSIG && !hasCovered(sec, r) && sections.some((other) => hasCovered(other, r))) {
        first = i;
        break;
      }
    }
  }
  if (first < 0) return msg;
  const out: ResourceRecord[][] = [[], [], []];
  for (let i = 0; i < sections.length; i++) {
    const sec = sections[i]!;
    for (const r of sec) {
      let to = i;
      if (r.type === RRType.RRSIG && !hasCovered(sec, r)) {
        const j = sections.findIndex((other) => hasCovered(other, r));
        if (j >= 0) to = j;
      }
      out[to]!.push(r);
    }
  }
  return messageWith(msg, msg.rcode, out[0]!, out[1]!, out[2]!);
}

/** True when `sec` holds a record of the RRset `sig` covers (same owner, the covered type). */
function hasCovered(sec: readonly ResourceRecord[], sig: ResourceRecord): boolean {
  const t = coveredType(sig);
  for (const r of sec) if (r.type === t && r.type !== RRType.RRSIG && r.name.equals(sig.name)) return true;
  return false;
}

/**
 * True when the records of the chain beyond its first link may stay: when validating, and every
 * RRset among them is signed, the validator judges them on their signatures; otherwise they are
 * only as credible as the AA bit, which RFC 2181 §5.4.1 denies the rest of a chain.
 */
function remainderSigned(remainder: readonly ResourceRecord[]): boolean {
  for (const r of remainder) {
    if (r.type === RRType.RRSIG) continue;
    if (!remainder.some((s) => s.type === RRType.RRSIG && s.name.equals(r.name) && coveredType(s) === r.type)) return false;
  }
  return true;
}

/** The records with each NS RRset cut to its first `max` records (Unbound iter-scrub-ns). */
function limitNs(records: readonly ResourceRecord[], max: number): readonly ResourceRecord[] {
  let ns = 0;
  for (const r of records) if (r.type === RRType.NS) ns++;
  if (ns <= max) return records;
  const seen = new Map<string, number>();
  return records.filter((r) => {
    if (r.type !== RRType.NS) return true;
    const n = (seen.get(r.name.key) ?? 0) + 1;
    seen.set(r.name.key, n);
    return n <= max;
  });
}

/**
 * The records `keep` accepts: `list` itself when it accepts them all (no copy, the usual case).
 * The predicate takes its context as an argument: a module-level function, no closure per call
 * (scrub runs for every reply).
 */
function retained<C>(list: readonly ResourceRecord[], keep: (r: ResourceRecord, c: C) => boolean, c: C): readonly ResourceRecord[] {
  for (let i = 0; i < list.length; i++) {
    if (keep(list[i]!, c)) continue;
    const out = list.slice(0, i);
    for (let j = i + 1; j < list.length; j++) if (keep(list[j]!, c)) out.push(list[j]!);
    return out;
  }
  return list;
}

function inZone(r: ResourceRecord, zone: Name): boolean {
  return r.name.isSubdomainOf(zone);
}

/** What scrub's authority filter needs to know. */
interface AuthorityScope {
  readonly zone: Name;
  /** The chain was cut after its first link: SOA and NS are about a name no longer reached. */
  readonly cut: boolean;
  /** The last name the answer reaches. */
  readonly tail: Name;
}

/** An authority record scrub keeps (module header). */
function keptInAuthority(r: ResourceRecord, s: AuthorityScope): boolean {
  if (!r.name.isSubdomainOf(s.zone)) return false;
  const t = effectiveType(r);
  if (!AUTHORITY_TYPES.has(t)) return false;
  if (s.cut && (t === RRType.SOA || t === RRType.NS)) return false;
  if (t === RRType.NS) return s.tail.isSubdomainOf(r.name);
  return true;
}

/** An additional record scrub keeps: an address (or its RRSIG), in the zone under hardenGlue. */
function keptAsGlue(r: ResourceRecord, zone: Name | undefined): boolean {
  const t = effectiveType(r);
  return (t === RRType.A || t === RRType.AAAA) && (zone === undefined || r.name.isSubdomainOf(zone));
}

/** An RRSIG stays in the additional section only beside the address RRset it covers. */
function besideItsRRset(r: ResourceRecord, additional: readonly ResourceRecord[]): boolean {
  if (r.type !== RRType.RRSIG) return true;
  const t = effectiveType(r);
  for (const a of additional) if (a.type === t && a.name.equals(r.name)) return true;
  return false;
}

/**
 * The message with out-of-bailiwick and off-chain records dropped (module header). `validating`:
 * a trust anchor is configured, so a signed chain is kept whole for the validator.
 */
export function scrub(
  original: Message,
  qname: Name,
  qtype: number,
  zone: Name,
  hardenGlue = true,
  validating = false,
  hardenUnverifiedGlue = false,
  maxNsRecords = 20,
): Message {
  const msg = pairSignatures(original);
  const raw = retained(msg.answer, inZone, zone);
  const chain = answerChain(raw, qname, qtype, chasesChain(msg, qname, qtype));
  // Only the chain's links that are in bailiwick: a target outside it ends the chain.
  let end = chain.length;
  for (let i = 1; i < chain.length; i++) {
    if (!chain[i]!.isSubdomainOf(zone)) {
      end = i;
      break;
    }
  }
  // The rest of a chain after its first link (the CNAME at QNAME, or the DNAME above it with the
  // CNAME it implies) is not authoritative data even in an authoritative answer (RFC 2181 §5.4.1):
  // unless it is signed data the validator judges, it is cut off (a negative answer for a later
  // name of the chain too) and the first target asked for on its own (as
  // Unbound's scrubber cuts the remainder of chains for its iterator to resolve). What the
  // authority section says (SOA, NS) is then about a name this answer no longer reaches; NSEC and
  // NSEC3 stay for a wildcard proof of the first link.
  // (A chain of one name, the usual case, has no remainder: no lists made for it.)
  const first = chain.length === 1 ? chain : chain.slice(0, 1);
  const inBailiwick = end === chain.length ? chain : chain.slice(0, end);
  const linked = retained(raw, onChain, inBailiwick);
  let cut = false;
  if (end > 1) {
    const remainder = linked.filter((r) => !onChain(r, first));
    cut = !(validating && remainder.length > 0 && remainderSigned(remainder));
  }
  const kept = cut ? first : inBailiwick;
  const answer = limitNs(cut ? linked.filter((r) => onChain(r, first)) : linked, maxNsRecords);
  const tail = kept[kept.length - 1]!;
  const authority = retained<AuthorityScope>(limitNs(msg.authority, maxNsRecords), keptInAuthority, { zone, cut, tail });
  let additional = retained(msg.additional, keptAsGlue, hardenGlue ? zone : undefined);
  if (hardenUnverifiedGlue) {
    // Glue of an NS name outside the zone its NS RRset delegates is sibling or out-of-zone glue.
    const ns = authority.filter((r) => r.type === RRType.NS);
    additional = additional.filter((r) => {
      const delegating = ns.filter((n) => decodeTyped(RRType.NS, n.rdata).host.equals(r.name));
      return delegating.length === 0 || delegating.some((n) => r.name.isSubdomainOf(n.name));
    });
  }
  // An RRSIG stays only beside the address RRset it covers.
  additional = retained(additional, besideItsRRset, additional);
  // The chain was cut at a target outside the bailiwick: an NXDOMAIN is that target's (module header).
  const rcode = (cut || end < chain.length) && msg.rcode === Rcode.NXDOMAIN ? Rcode.NOERROR : msg.rcode;
  // The reply itself when nothing was dropped (the usual case): no copy.
  return messageWith(msg, rcode, answer, authority, additional);
}

/**
 * Classifies a scrubbed reply from a forwarder (a query sent with RD set): NOERROR and NXDOMAIN
 * answer the question, whatever AA and the authority section say (a recursive server's answer is
 * not authoritative, and a NODATA from it may carry NS records); other rcodes (SERVFAIL, REFUSED)
 * send the question to the next forwarder. Nothing is lame: the forwarder is the configured truth.
 */
export function classifyForwarded(msg: Message): Classified {
  if (msg.rcode === Rcode.NOERROR || msg.rcode === Rcode.NXDOMAIN) return { kind: 'answer', msg };
  return { kind: 'retry', reason: `forwarder rcode ${msg.rcode}` };
}

/** Classifies a scrubbed reply to (qname, qtype) from a server of `zone`. */
export function classify(msg: Message, qname: Name, qtype: number, zone: Name): Classified {
  if (msg.rcode === Rcode.REFUSED || msg.rcode === Rcode.NOTAUTH) return { kind: 'lame', reason: `rcode ${msg.rcode}` };
  if (msg.rcode === Rcode.YXDOMAIN) {
    // A DNAME whose substitution would overflow the name: YXDOMAIN is the answer, passed on with
    // the DNAME (RFC 6672 §2.2), not a server failure to retry elsewhere.
    const tail = answerChain(msg.answer, qname, qtype).at(-1)!;
    const dname = msg.answer.some((r) => r.type === RRType.DNAME && tail.isSubdomainOf(r.name) && !tail.equals(r.name));
    if (dname) return { kind: 'answer', msg };
  }
  if (msg.rcode !== Rcode.NOERROR && msg.rcode !== Rcode.NXDOMAIN) return { kind: 'retry', reason: `rcode ${msg.rcode}` };
  if (msg.answer.length > 0 || msg.rcode === Rcode.NXDOMAIN) return { kind: 'answer', msg };
  const tail = answerChain(msg.answer, qname, qtype).at(-1)!;
  if (msg.authority.some((r) => r.type === RRType.SOA && tail.isSubdomainOf(r.name))) return { kind: 'answer', msg };
  let child: Name | undefined;
  for (const r of msg.authority) {
    if (r.type !== RRType.NS) continue;
    if (r.name.labelCount <= zone.labelCount) continue;
    if (child === undefined || r.name.labelCount > child.labelCount) child = r.name;
  }
  if (child !== undefined) {
    if (qtype === RRType.DS && child.equals(qname)) {
      // A referral to the child for a DS query: the DS RRset it carries (RFC 4035 §3.1.4) is the
      // answer, as Unbound takes it; without one the server is lame for the question.
      const ds = msg.authority.filter((r) => r.name.equals(qname) && effectiveType(r) === RRType.DS);
      if (!ds.some((r) => r.type === RRType.DS)) return { kind: 'lame', reason: 'referral to the child for a DS query' };
      return { kind: 'answer', msg: { ...msg, answer: ds, authority: msg.authority.filter((r) => !ds.includes(r)) } };
    }
    const nsNames: Name[] = [];
    for (const r of msg.authority) {
      if (r.type !== RRType.NS || !r.name.equals(child)) continue;
      try {
        const host = decodeTyped(RRType.NS, r.rdata).host;
        if (!nsNames.some((n) => n.equals(host))) nsNames.push(host);
      } catch {
        // An unreadable NS record names no server.
      }
    }
    if (nsNames.length === 0) return { kind: 'lame', reason: 'referral without usable NS records' };
    const glue = new Map<string, NsAddresses>();
    for (const r of msg.additional) {
      if ((r.type !== RRType.A && r.type !== RRType.AAAA) || !nsNames.some((n) => n.equals(r.name))) continue;
      let e = glue.get(r.name.key);
      if (e === undefined) glue.set(r.name.key, (e = { v4: [], v6: [] }));
      try {
        if (r.type === RRType.A) e.v4.push(decodeTyped(RRType.A, r.rdata).address);
        else e.v6.push(decodeTyped(RRType.AAAA, r.rdata).address);
      } catch {
        // Malformed addresses are not glue.
      }
    }
    return { kind: 'referral', msg, child, nsNames, glue };
  }
  if (msg.authority.some((r) => r.type === RRType.NS)) {
    if (msg.flags.aa) return { kind: 'answer', msg };
    // The zone's own NS RRset without AA, no answer and no SOA: a "referral" to the zone the
    // server was asked as. It says nothing about the question, nor that the server is lame for
    // the zone (a server may answer from its glue); another server is asked, and this one is not
    // marked (Unbound throws such a reply away).
    if (msg.authority.some((r) => r.type === RRType.NS && r.name.equals(zone))) return { kind: 'retry', reason: 'referral to the zone itself' };
    return { kind: 'lame', reason: 'upward or sideways referral' };
  }
  if (msg.flags.aa) return { kind: 'answer', msg };
  // NSEC/NSEC3 from the zone without AA: a NODATA whose server left AA off; it is judged as an
  // answer (Unbound's response type "answer" for it), and the validator decides what it proves.
  if (msg.authority.some((r) => r.type === RRType.NSEC || r.type === RRType.NSEC3)) return { kind: 'answer', msg };
  return { kind: 'lame', reason: 'empty non-authoritative reply' };
}

/**
 * The NS RRsets of a scrubbed response's authority section and the address RRsets (with their
 * RRSIGs) of its additional section for the NS names inside the NS RRset's zone, in the
 * response's order: what a positive or NODATA answer carries when responses are not minimal
 * (answer.ts). Out-of-zone glue, which the scrubber keeps for the delegation when harden-glue is
 * off, is not passed on (Unbound's scrub_sanitize stores it and removes it from the message).
 * Undefined when there is no NS RRset.
 */
export function extraSections(
  msg: Message,
  grouped?: readonly SignedRRset[],
): { authority: SignedRRset[]; additional: SignedRRset[] } | undefined {
  const authority = (grouped ?? groupSigned(msg.authority)).filter((s) => s.rrset.type === RRType.NS);
  if (authority.length === 0) return undefined;
  const additional = groupSigned(msg.additional).filter(
    (s) => (s.rrset.type === RRType.A || s.rrset.type === RRType.AAAA) && servesInZone(authority, s.rrset.name),
  );
  return { authority, additional };
}

/**
 * True when some NS record of `authority` names `host` and `host` lies in that NS RRset's zone.
 * The RDATA of a decoded NS record is its target's uncompressed wire form, compared as such
 * (RFC 4343 letter case): a record that equals a well-formed name is that name, so no name is
 * decoded, and an unreadable one names no server.
 */
function servesInZone(authority: readonly SignedRRset[], host: Name): boolean {
  for (const s of authority) {
    if (!host.isSubdomainOf(s.rrset.name)) continue;
    for (const rd of s.rrset.rdatas) if (host.equalsWire(rd)) return true;
  }
  return false;
}
