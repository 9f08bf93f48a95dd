// Authoritative answers: a query message and the zones served in, a response message out.
//
// - The lookup is RFC 1034 §4.3.2 (steps 3a-3c) for the zone that encloses the query name most
//   closely: an exact match answers (following a CNAME inside the zone, RFC 1034 §3.6.2); a zone
//   cut above the name gives a referral with AA clear; a name that does not exist is matched
//   against the wildcard at its closest encloser (RFC 4592 §3.3.1) or answered NXDOMAIN (RFC 6604:
//   the RCODE is that of the last name in a CNAME chain). A DNAME above the name (RFC 6672 §3.1)
//   gives the DNAME and a synthesized, unsigned CNAME, and the lookup continues at the new name;
//   YXDOMAIN when the new name would be too long. An empty non-terminal has no data (NODATA,
//   RFC 4592 §2.2.2). A DS query at a zone apex is answered by the parent zone when that is also
//   served (RFC 4035 §3.1.4.1).
// - With the DO bit (RFC 3225, RFC 4035 §3.1): RRSIGs go with every signed RRset (§3.1.1); a
//   referral carries the DS RRset and its RRSIGs, or the NSEC/NSEC3 proving there is none
//   (§3.1.4, RFC 5155 §7.2.7; with Opt-Out the closest provable encloser proof, §7.2.4 and
//   §7.2.1); NODATA and NXDOMAIN carry the SOA and their NSEC proofs (§3.1.3.1-§3.1.3.4) or
//   NSEC3 proofs (RFC 5155 §7.2.2-§7.2.6); a wildcard answer carries the proof that the query
//   name itself does not exist (RFC 4035 §3.1.3.3, RFC 5155 §7.2.6). The negative-answer SOA's TTL
//   is min(SOA TTL, SOA MINIMUM) (RFC 2308 §3).
// - REFUSED for names no served zone holds and for zone transfers; FORMERR for malformed queries
//   (RFC 1035 §4.1.1, RFC 6891 §6.1.1); NOTIMP for other opcodes; BADVERS for EDNS versions other
//   than 0 (RFC 6891 §6.1.3). EDNS responses echo DO (RFC 3225 §3); truncation is the encoder's
//   (wire/message.ts: whole RRsets dropped, TC when answer or authority data is lost).
//
// Pure module: messages and zones in, a message out.

import { RRClass, RRType, Rcode } from '../wire/constants.js';
import type { Message, MessageInit } from '../wire/message.js';
import { makeResponse } from '../wire/message.js';
import { MAX_NAME, Name } from '../wire/name.js';
import type { ResourceRecord, RRset } from '../wire/record.js';
import { NodeKind } from '../zone/zone.js';
import type { AuthNode, AuthZone, Nsec3Record, SigRecord } from './auth-zone.js';

/** The zones a server answers for. */
export interface ZoneLookup {
  /** The served zone that encloses `name` most closely, or undefined. */
  find(name: Name): AuthZone | undefined;
}

export interface AnswerOptions {
  /** Our EDNS UDP payload size in responses (default 1232). */
  readonly udpSize?: number;
  /** Longest CNAME/DNAME chain followed inside a zone (default 16). */
  readonly maxChain?: number;
}

/** What kind of answer was given, for logs and metrics. */
export type AnswerKind = 'answer' | 'nodata' | 'nxdomain' | 'referral' | 'refused' | 'formerr' | 'notimp' | 'badvers' | 'yxdomain';

export interface AuthAnswer {
  readonly message: MessageInit;
  readonly kind: AnswerKind;
  /** The zone that answered. */
  readonly zone: AuthZone | undefined;
}

const WILDCARD_LABEL = Uint8Array.of(0x2a);

/** Collects the sections, one copy of each RRset per section. */
class Sections {
  readonly answer: ResourceRecord[] = [];
  readonly authority: ResourceRecord[] = [];
  readonly additional: ResourceRecord[] = [];
  private readonly seen = new Set<string>();

  readonly dnssec: boolean;

  constructor(dnssec: boolean) {
    this.dnssec = dnssec;
  }

  /** Adds an RRset (as `owner`, default its own) and, with DO, its RRSIGs. Returns false if already there. */
  add(section: 'answer' | 'authority' | 'additional', set: RRset, sigs: readonly SigRecord[], owner: Name = set.name, ttl: number = set.ttl): boolean {
    const key = `${section}/${owner.key}/${set.type}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    const list = this[section];
    for (const rdata of set.rdatas) list.push({ name: owner, type: set.type, class: set.class, ttl, rdata });
    if (this.dnssec) {
      for (const s of sigs) list.push({ name: owner, type: RRType.RRSIG, class: set.class, ttl: Math.min(s.ttl, ttl), rdata: s.rdata });
    }
    return true;
  }

  has(section: 'answer' | 'authority' | 'additional', owner: Name, type: number): boolean {
    return this.seen.has(`${section}/${owner.key}/${type}`);
  }
}

function rrset(name: Name, type: number, cls: number, ttl: number, rdatas: Uint8Array[]): RRset {
  return { name, type, class: cls, ttl, rdatas };
}

/** The SOA for a negative answer: TTL min(SOA TTL, MINIMUM) (RFC 2308 §3). */
function addNegativeSoa(zone: AuthZone, out: Sections): void {
  const soa = zone.soa;
  if (soa === undefined) return;
  const r = soa.rdatas[0]!;
  const minimum = ((r[r.length - 4]! << 24) | (r[r.length - 3]! << 16) | (r[r.length - 2]! << 8) | r[r.length - 1]!) >>> 0;
  out.add('authority', soa, zone.sigsFor(zone.origin, RRType.SOA), soa.name, Math.min(soa.ttl, minimum));
}

function addNsecOf(zone: AuthZone, node: AuthNode | undefined, out: Sections): void {
  const set = node?.sets.get(RRType.NSEC);
  if (node === undefined || set === undefined) return;
  out.add('authority', set, zone.sigsFor(node.name, RRType.NSEC));
}

function addNsec3(rec: Nsec3Record | undefined, out: Sections): void {
  if (rec !== undefined) out.add('authority', rec.set, rec.sigs);
}

/** The NSEC3 of the closest provable encloser of `name` (RFC 5155 §7.2.1), walking up from `start`. */
function closestProvableEncloser(zone: AuthZone, name: Name, start: Name): { encloser: Name; record: Nsec3Record } | undefined {
  for (let n: Name | undefined = start; n !== undefined && n.isSubdomainOf(zone.origin); n = n.parent()) {
    if (n.labelCount >= name.labelCount && !n.equals(name)) continue;
    const rec = zone.nsec3Match(n);
    if (rec !== undefined) return { encloser: n, record: rec };
  }
  return undefined;
}

/** Closest encloser proof (RFC 5155 §7.2.1): the encloser's NSEC3 and the one covering the next closer name. Returns the encloser. */
function addClosestEncloserProof(zone: AuthZone, name: Name, start: Name, out: Sections): Name | undefined {
  const cpe = closestProvableEncloser(zone, name, start);
  if (cpe === undefined) return undefined;
  addNsec3(cpe.record, out);
  if (cpe.encloser.labelCount < name.labelCount) {
    const nextCloser = name.suffix(cpe.encloser.labelCount + 1);
    addNsec3(zone.nsec3MatchOrCover(nextCloser)?.record, out);
  }
  return cpe.encloser;
}

/** Proof that `name` has no `type` (NODATA), RFC 4035 §3.1.3.1 / RFC 5155 §7.2.3-§7.2.4. */
function addNodataProof(zone: AuthZone, name: Name, node: AuthNode, out: Sections): void {
  if (zone.nsec3 !== undefined) {
    const rec = zone.nsec3Match(name);
    if (rec !== undefined) addNsec3(rec, out);
    else addClosestEncloserProof(zone, name, name.parent() ?? name, out);
    return;
  }
  // An empty non-terminal has no NSEC of its own: the one before it covers it (RFC 4035 §3.1.3.2 notes).
  addNsecOf(zone, node.sets.has(RRType.NSEC) ? node : zone.nsecFor(name), out);
}

/** Deepest existing ancestor of a name that does not exist (its closest encloser, RFC 4592 §3.3.1). */
function closestEncloser(zone: AuthZone, name: Name): Name {
  for (let n = name.parent(); n !== undefined; n = n.parent()) {
    if (zone.node(n) !== undefined) return n;
    if (n.labelCount <= zone.origin.labelCount) break;
  }
  return zone.origin;
}

/** The first zone cut or DNAME strictly above `name` (or a cut at `name` unless the query is for DS). */
function findCut(zone: AuthZone, name: Name, qtype: number): { node: AuthNode; kind: 'delegation' | 'dname' } | undefined {
  const top = zone.origin.labelCount;
  for (let k = top; k <= name.labelCount; k++) {
    const node = zone.node(k === name.labelCount ? name : name.suffix(k));
    if (node === undefined) return undefined;
    const below = k < name.labelCount;
    if (node.kind === NodeKind.Delegation && (below || qtype !== RRType.DS)) return { node, kind: 'delegation' };
    if (below && node.sets.has(RRType.DNAME)) return { node, kind: 'dname' };
  }
  return undefined;
}

/** Address records for names in `targets` that the zone holds (authoritative data or glue). */
function addAddresses(zone: AuthZone, targets: Iterable<Name>, out: Sections): void {
  for (const t of targets) {
    if (!t.isSubdomainOf(zone.origin)) continue;
    const node = zone.node(t);
    if (node === undefined) continue;
    const authoritative = node.kind === NodeKind.Authoritative || node.kind === NodeKind.Apex;
    for (const type of [RRType.A, RRType.AAAA]) {
      const set = node.sets.get(type);
      if (set !== undefined) out.add('additional', set, authoritative ? node.sigs.get(type) ?? [] : []);
    }
  }
}

/** Names the RDATA of NS, MX and SRV records point at (for additional section processing). */
function targetsOf(set: RRset): Name[] {
  const out: Name[] = [];
  for (const r of set.rdatas) {
    const at = set.type === RRType.NS ? 0 : set.type === RRType.MX ? 2 : set.type === RRType.SRV ? 6 : -1;
    if (at < 0) continue;
    try {
      out.push(readName(r, at));
    } catch {
      // Malformed RDATA in a zone: no additional data for it.
    }
  }
  return out;
}

/** An uncompressed name inside RDATA. */
function readName(rdata: Uint8Array, at: number): Name {
  let p = at;
  while (rdata[p] !== 0) {
    if (p >= rdata.length) throw new RangeError('name runs past the RDATA');
    p += rdata[p]! + 1;
  }
  return Name.fromWire(rdata.slice(at, p + 1));
}

/** `name` with its `owner` suffix replaced by `target` (RFC 6672 §2.2), or undefined when too long. */
function substitute(name: Name, owner: Name, target: Name): Name | undefined {
  const keep = name.labelCount - owner.labelCount;
  const labels = [...name.labels().slice(0, keep), ...target.labels()];
  let len = 1;
  for (const l of labels) len += l.length + 1;
  if (len > MAX_NAME) return undefined;
  return Name.fromLabels(labels);
}

function referral(zone: AuthZone, cut: AuthNode, out: Sections): void {
  const ns = cut.sets.get(RRType.NS)!;
  out.add('authority', ns, []);
  if (out.dnssec) {
    const ds = cut.sets.get(RRType.DS);
    if (ds !== undefined) out.add('authority', ds, cut.sigs.get(RRType.DS) ?? []);
    else if (zone.nsec3 !== undefined) {
      const rec = zone.nsec3Match(cut.name);
      if (rec !== undefined) addNsec3(rec, out);
      // Opt-Out (RFC 5155 §7.2.7 via §7.2.4): the closest provable encloser and the covering NSEC3.
      else addClosestEncloserProof(zone, cut.name, cut.name.parent() ?? cut.name, out);
    } else {
      addNsecOf(zone, cut, out);
    }
  }
  addAddresses(zone, targetsOf(ns), out);
}

interface LookupResult {
  rcode: number;
  kind: AnswerKind;
  aa: boolean;
}

/** RFC 1034 §4.3.2 inside one zone, with the DNSSEC additions of RFC 4035 §3.1. */
function lookup(zone: AuthZone, zones: ZoneLookup, qname: Name, qtype: number, out: Sections, maxChain: number): LookupResult {
  let name = qname;
  const visited = new Set<string>();
  for (let step = 0; ; step++) {
    if (step > maxChain || visited.has(name.key)) return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
    visited.add(name.key);
    const cut = findCut(zone, name, qtype);
    if (cut?.kind === 'delegation') {
      referral(zone, cut.node, out);
      return { rcode: Rcode.NOERROR, kind: out.answer.length > 0 ? 'answer' : 'referral', aa: out.answer.length > 0 };
    }
    if (cut?.kind === 'dname') {
      const dname = cut.node.sets.get(RRType.DNAME)!;
      out.add('answer', dname, cut.node.sigs.get(RRType.DNAME) ?? []);
      const target = readName(dname.rdatas[0]!, 0);
      const next = substitute(name, cut.node.name, target);
      if (next === undefined) return { rcode: Rcode.YXDOMAIN, kind: 'yxdomain', aa: true };
      out.add('answer', rrset(name, RRType.CNAME, dname.class, dname.ttl, [next.wire]), []);
      if (!continuesHere(zone, zones, next)) return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
      name = next;
      continue;
    }

    const node = zone.node(name);
    if (node !== undefined) {
      if (qtype === RRType.ANY) {
        let any = false;
        for (const set of node.sets.values()) any = out.add('answer', set, node.sigs.get(set.type) ?? []) || any;
        if (any) return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
      } else {
        const set = node.sets.get(qtype);
        if (set !== undefined) {
          out.add('answer', set, node.sigs.get(qtype) ?? []);
          addAddresses(zone, targetsOf(set), out);
          return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
        }
        const cname = node.sets.get(RRType.CNAME);
        if (cname !== undefined && qtype !== RRType.CNAME) {
          out.add('answer', cname, node.sigs.get(RRType.CNAME) ?? []);
          const target = readName(cname.rdatas[0]!, 0);
          if (!continuesHere(zone, zones, target)) return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
          name = target;
          continue;
        }
        if (qtype === RRType.RRSIG && node.sigs.size > 0) {
          const all: Uint8Array[] = [];
          let ttl = Infinity;
          for (const sigs of node.sigs.values()) {
            for (const s of sigs) {
              all.push(s.rdata);
              ttl = Math.min(ttl, s.ttl);
            }
          }
          out.add('answer', rrset(name, RRType.RRSIG, zone.class, ttl, all), [], name);
          return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
        }
      }
      // NODATA (RFC 2308 §2.2; RFC 4035 §3.1.3.1).
      addNegativeSoa(zone, out);
      if (out.dnssec) addNodataProof(zone, name, node, out);
      return { rcode: Rcode.NOERROR, kind: out.answer.length > 0 ? 'answer' : 'nodata', aa: true };
    }

    // The name does not exist: wildcard (RFC 4592 §3.3.1) or NXDOMAIN.
    const ce = closestEncloser(zone, name);
    const wildName = ce.prepend(WILDCARD_LABEL);
    const wild = zone.node(wildName);
    if (wild !== undefined && wild.sets.size > 0) {
      const set = qtype === RRType.ANY ? undefined : wild.sets.get(qtype);
      const cname = wild.sets.get(RRType.CNAME);
      const synth = (s: RRset): void => {
        out.add('answer', s, wild.sigs.get(s.type) ?? [], name);
      };
      const proveNoName = (): void => {
        if (!out.dnssec) return;
        if (zone.nsec3 !== undefined) {
          // RFC 5155 §7.2.6: the NSEC3 covering the next closer name.
          addNsec3(zone.nsec3MatchOrCover(name.suffix(ce.labelCount + 1))?.record, out);
        } else {
          addNsecOf(zone, zone.nsecFor(name), out);
        }
      };
      if (qtype === RRType.ANY) {
        for (const s of wild.sets.values()) synth(s);
        proveNoName();
        return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
      }
      if (set !== undefined) {
        synth(set);
        proveNoName();
        return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
      }
      if (cname !== undefined && qtype !== RRType.CNAME) {
        synth(cname);
        proveNoName();
        const target = readName(cname.rdatas[0]!, 0);
        if (!continuesHere(zone, zones, target)) return { rcode: Rcode.NOERROR, kind: 'answer', aa: true };
        name = target;
        continue;
      }
      // Wildcard NODATA (RFC 4035 §3.1.3.4, RFC 5155 §7.2.5).
      addNegativeSoa(zone, out);
      if (out.dnssec) {
        if (zone.nsec3 !== undefined) {
          addNsec3(zone.nsec3Match(ce), out);
          addNsec3(zone.nsec3MatchOrCover(name.suffix(ce.labelCount + 1))?.record, out);
          addNsec3(zone.nsec3Match(wildName), out);
        } else {
          addNsecOf(zone, zone.nsecFor(name), out);
          addNsecOf(zone, wild, out);
        }
      }
      return { rcode: Rcode.NOERROR, kind: out.answer.length > 0 ? 'answer' : 'nodata', aa: true };
    }

    // NXDOMAIN (RFC 4035 §3.1.3.2, RFC 5155 §7.2.2).
    addNegativeSoa(zone, out);
    if (out.dnssec) {
      if (zone.nsec3 !== undefined) {
        const encloser = addClosestEncloserProof(zone, name, ce, out) ?? ce;
        addNsec3(zone.nsec3MatchOrCover(encloser.prepend(WILDCARD_LABEL))?.record, out);
      } else {
        addNsecOf(zone, zone.nsecFor(name), out);
        addNsecOf(zone, zone.nsecFor(wildName), out);
      }
    }
    return { rcode: Rcode.NXDOMAIN, kind: 'nxdomain', aa: true };
  }
}

/** A CNAME/DNAME target is followed only inside the same zone (and not into a child zone served here). */
function continuesHere(zone: AuthZone, zones: ZoneLookup, target: Name): boolean {
  return target.isSubdomainOf(zone.origin) && zones.find(target) === zone;
}

function errorResponse(query: Message, rcode: number, kind: AnswerKind, udpSize: number): AuthAnswer {
  const question = query.question.length === 1 ? query.question : [];
  const message = makeResponse({ ...query, question }, { rcode, udpSize });
  return { message, kind, zone: undefined };
}

/**
 * Answers one query. Returns undefined for messages that get no answer at all (responses,
 * QR set). The caller encodes with the client's size limit (encodeMessage maxSize).
 */
export function answerQuery(query: Message, zones: ZoneLookup, options: AnswerOptions = {}): AuthAnswer | undefined {
  const udpSize = options.udpSize ?? 1232;
  if (query.flags.qr) return undefined;
  if (query.formErr !== undefined || query.question.length !== 1) return errorResponse(query, Rcode.FORMERR, 'formerr', udpSize);
  if (query.flags.opcode !== 0) return errorResponse(query, Rcode.NOTIMP, 'notimp', udpSize);
  if (query.edns !== undefined && query.edns.version !== 0) {
    // RFC 6891 §6.1.3: BADVERS, and our version (0) in the OPT.
    const message = makeResponse({ ...query, edns: { ...query.edns, version: 0 } }, { rcode: Rcode.BADVERS, udpSize });
    return { message, kind: 'badvers', zone: undefined };
  }
  const q = query.question[0]!;
  if (q.type === RRType.OPT || q.type === 0) return errorResponse(query, Rcode.FORMERR, 'formerr', udpSize);
  if (q.class !== RRClass.IN && q.class !== RRClass.ANY) return errorResponse(query, Rcode.REFUSED, 'refused', udpSize);
  // Zone transfers are not offered; MAILA/MAILB are obsolete meta types.
  if (q.type === RRType.AXFR || q.type === RRType.IXFR || q.type === RRType.MAILB || q.type === RRType.MAILA) return errorResponse(query, Rcode.REFUSED, 'refused', udpSize);

  let zone = zones.find(q.name);
  if (zone !== undefined && q.type === RRType.DS && zone.origin.equals(q.name) && !q.name.isRoot()) {
    // RFC 4035 §3.1.4.1: the DS RRset is the parent's.
    const parent = zones.find(q.name.parent()!);
    if (parent !== undefined) zone = parent;
  }
  if (zone === undefined) return errorResponse(query, Rcode.REFUSED, 'refused', udpSize);

  const dnssec = (query.edns?.dnssecOk ?? false) && zone.signed;
  const out = new Sections(dnssec);
  const result = lookup(zone, zones, q.name, q.type, out, options.maxChain ?? 16);
  const message = makeResponse(query, {
    rcode: result.rcode,
    aa: result.aa,
    answer: out.answer,
    authority: out.authority,
    additional: out.additional,
    udpSize,
  });
  return { message, kind: result.kind, zone };
}
