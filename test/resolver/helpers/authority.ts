// A tiny authoritative responder for the resolver tests (RFC 1034 §4.3.2, RFC 4035 §3.1): answers
// one query from the records of one zone (signed or not) — answers with their RRSIGs, referrals
// with DS or the NSEC/NSEC3 proof of no DS and in-zone glue, CNAME chains inside the zone, DNAME
// substitution, wildcard expansion with its NSEC proof, NODATA and NXDOMAIN with NSEC or NSEC3
// proofs. It is deliberately plain: it is the test's picture of a correct server, not a product.
import { RRClass, Rcode, RRType } from '../../../src/wire/constants.js';
import { makeResponse, type Message, type MessageInit } from '../../../src/wire/message.js';
import { compareNames, Name } from '../../../src/wire/name.js';
import { decodeTyped } from '../../../src/wire/rdata.js';
import { compareBytes, type ResourceRecord } from '../../../src/wire/record.js';
import { nsec3Hash, nsec3HashFromOwner } from '../../../src/dnssec/nsec3-hash.js';

function covered(r: ResourceRecord): number {
  return (r.rdata[0]! << 8) | r.rdata[1]!;
}

interface Nsec3Entry {
  readonly hash: Uint8Array;
  readonly records: ResourceRecord[];
}

export class AuthZone {
  readonly origin: Name;
  /** Records by owner key, then by type (RRSIGs under the type they cover, flagged). */
  private readonly byName = new Map<string, { name: Name; records: ResourceRecord[] }>();
  private readonly existing = new Set<string>();
  private readonly nsecOwners: Name[] = [];
  private readonly nsec3: Nsec3Entry[] = [];
  private readonly nsec3Params: { salt: Uint8Array; iterations: number } | undefined;

  constructor(origin: Name, records: readonly ResourceRecord[]) {
    this.origin = origin;
    let params: { salt: Uint8Array; iterations: number } | undefined;
    for (const r of records) {
      if (r.type === RRType.NSEC3 || (r.type === RRType.RRSIG && covered(r) === RRType.NSEC3)) {
        const hash = nsec3HashFromOwner(r.name, origin)!;
        let e = this.nsec3.find((x) => compareBytes(x.hash, hash) === 0);
        if (e === undefined) this.nsec3.push((e = { hash, records: [] }));
        e.records.push(r);
        if (r.type === RRType.NSEC3 && params === undefined) {
          const d = decodeTyped(RRType.NSEC3, r.rdata);
          params = { salt: d.salt, iterations: d.iterations };
        }
        continue;
      }
      let e = this.byName.get(r.name.key);
      if (e === undefined) this.byName.set(r.name.key, (e = { name: r.name, records: [] }));
      e.records.push(r);
      if (r.type === RRType.NSEC && !this.nsecOwners.some((n) => n.equals(r.name))) this.nsecOwners.push(r.name);
      for (let n: Name | undefined = r.name; n !== undefined && n.isSubdomainOf(origin); n = n.parent()) this.existing.add(n.key);
    }
    this.nsecOwners.sort(compareNames);
    this.nsec3.sort((a, b) => compareBytes(a.hash, b.hash));
    this.nsec3Params = params;
  }

  private rrs(name: Name, type: number, dnssecOk: boolean): ResourceRecord[] {
    const e = this.byName.get(name.key);
    if (e === undefined) return [];
    const data = e.records.filter((r) => r.type === type);
    if (!dnssecOk || data.length === 0) return data;
    return [...data, ...e.records.filter((r) => r.type === RRType.RRSIG && covered(r) === type)];
  }

  private has(name: Name, type: number): boolean {
    return this.byName.get(name.key)?.records.some((r) => r.type === type) ?? false;
  }

  private nsecAt(name: Name): ResourceRecord[] {
    return this.rrs(name, RRType.NSEC, true);
  }

  /** The NSEC whose span covers `name` (canonical order, wrapping). */
  private nsecCovering(name: Name): ResourceRecord[] {
    let owner: Name | undefined;
    for (const o of this.nsecOwners) if (compareNames(o, name) < 0) owner = o;
    owner ??= this.nsecOwners.at(-1);
    return owner === undefined ? [] : this.nsecAt(owner);
  }

  private nsec3Hash(name: Name): Uint8Array {
    const p = this.nsec3Params!;
    return nsec3Hash(name, p.salt, p.iterations);
  }

  private nsec3Matching(name: Name): ResourceRecord[] {
    const h = this.nsec3Hash(name);
    return this.nsec3.find((e) => compareBytes(e.hash, h) === 0)?.records ?? [];
  }

  private nsec3Covering(name: Name): ResourceRecord[] {
    const h = this.nsec3Hash(name);
    let pick: Nsec3Entry | undefined;
    for (const e of this.nsec3) if (compareBytes(e.hash, h) < 0) pick = e;
    pick ??= this.nsec3.at(-1);
    return pick?.records ?? [];
  }

  private get usesNsec3(): boolean {
    return this.nsec3.length > 0;
  }

  private get signed(): boolean {
    return this.usesNsec3 || this.nsecOwners.length > 0;
  }

  /** Closest encloser proof (RFC 5155 §7.2.1): CE match, next closer covered. */
  private nsec3CeProof(qname: Name): { records: ResourceRecord[]; ce: Name } {
    let ce = qname;
    while (!this.existing.has(ce.key) && !ce.equals(this.origin)) ce = ce.parent()!;
    const nextCloser = qname.suffix(ce.labelCount + 1);
    return { records: [...this.nsec3Matching(ce), ...this.nsec3Covering(nextCloser)], ce };
  }

  /** The SOA for a negative answer, with its RRSIG under DO. */
  private soa(dnssecOk: boolean): ResourceRecord[] {
    return this.rrs(this.origin, RRType.SOA, dnssecOk);
  }

  private glueFor(ns: readonly ResourceRecord[]): ResourceRecord[] {
    const out: ResourceRecord[] = [];
    for (const r of ns) {
      const host = decodeTyped(RRType.NS, r.rdata).host;
      if (!host.isSubdomainOf(this.origin)) continue;
      out.push(...this.rrs(host, RRType.A, false), ...this.rrs(host, RRType.AAAA, false));
    }
    return out;
  }

  /** The response to `q` (one question, class IN). */
  answer(q: MessageInit): MessageInit {
    const question = q.question[0]!;
    const qname = question.name;
    const qtype = question.type;
    const dnssecOk = q.edns?.dnssecOk === true;
    if (!qname.isSubdomainOf(this.origin) || question.class !== RRClass.IN) return makeResponse(q, { rcode: Rcode.REFUSED });
    // Zone cuts and DNAMEs on the way down.
    for (let k = this.origin.labelCount + 1; k <= qname.labelCount; k++) {
      const n = qname.suffix(k);
      if (this.has(n, RRType.NS)) {
        if (n.equals(qname) && qtype === RRType.DS) break;
        return this.referral(q, n, dnssecOk);
      }
      if (this.has(n, RRType.DNAME) && !n.equals(qname)) {
        const dname = this.rrs(n, RRType.DNAME, dnssecOk);
        const target = decodeTyped(RRType.DNAME, dname[0]!.rdata).target;
        const keep = qname.labels().slice(0, qname.labelCount - n.labelCount);
        const synth = Name.fromLabels([...keep, ...target.labels()]);
        const cname: ResourceRecord = { name: qname, type: RRType.CNAME, class: RRClass.IN, ttl: dname[0]!.ttl, rdata: synth.wire.slice() };
        return makeResponse(q, { aa: true, answer: [...dname, cname] });
      }
    }
    const answer: ResourceRecord[] = [];
    let name = qname;
    for (let hops = 0; hops < 8; hops++) {
      if (!name.isSubdomainOf(this.origin)) break;
      const exact = this.byName.get(name.key);
      if (exact !== undefined) {
        if (qtype === RRType.ANY) {
          answer.push(...exact.records.filter((r) => dnssecOk || r.type !== RRType.RRSIG));
          return makeResponse(q, { aa: true, answer });
        }
        const data = this.rrs(name, qtype, dnssecOk);
        if (data.length > 0) {
          const additional = qtype === RRType.NS ? this.glueFor(data.filter((r) => r.type === RRType.NS)) : [];
          return makeResponse(q, { aa: true, answer: [...answer, ...data], additional });
        }
        const cname = this.rrs(name, RRType.CNAME, dnssecOk);
        if (cname.length > 0 && qtype !== RRType.CNAME) {
          answer.push(...cname);
          name = decodeTyped(RRType.CNAME, cname[0]!.rdata).target;
          continue;
        }
        const authority = [...this.soa(dnssecOk)];
        if (dnssecOk) authority.push(...(this.usesNsec3 ? this.nsec3Matching(name) : this.nsecAt(name)));
        return makeResponse(q, { aa: true, answer, authority });
      }
      if (this.existing.has(name.key)) {
        // Empty non-terminal: NODATA.
        const authority = [...this.soa(dnssecOk)];
        if (dnssecOk) authority.push(...(this.usesNsec3 ? this.nsec3Matching(name) : this.nsecCovering(name)));
        return makeResponse(q, { aa: true, answer, authority });
      }
      let ce = name.parent()!;
      while (!this.existing.has(ce.key) && !ce.equals(this.origin)) ce = ce.parent()!;
      const wild = ce.prepend(Uint8Array.of(0x2a));
      if (this.byName.has(wild.key)) {
        // The type at the wildcard, else its CNAME (whose target this helper does not follow).
        const own = this.rrs(wild, qtype, dnssecOk);
        const data = (own.length > 0 || qtype === RRType.CNAME ? own : this.rrs(wild, RRType.CNAME, dnssecOk)).map((r) => ({ ...r, name }));
        if (data.length > 0) {
          const authority = dnssecOk ? (this.usesNsec3 ? this.nsec3Covering(name.suffix(ce.labelCount + 1)) : this.nsecCovering(name)) : [];
          return makeResponse(q, { aa: true, answer: [...answer, ...data], authority });
        }
        // Wildcard NODATA (RFC 4035 §3.1.3.4, RFC 5155 §7.2.5): the name denied, the wildcard matched.
        const authority = [...this.soa(dnssecOk)];
        if (dnssecOk) {
          const denied = this.usesNsec3 ? [...this.nsec3CeProof(name).records, ...this.nsec3Matching(wild)] : [...this.nsecCovering(name), ...this.nsecAt(wild)];
          authority.push(...dedupe(denied));
        }
        return makeResponse(q, { aa: true, answer, authority });
      }
      const authority = [...this.soa(dnssecOk)];
      if (dnssecOk && this.signed) {
        if (this.usesNsec3) {
          const p = this.nsec3CeProof(name);
          authority.push(...dedupe([...p.records, ...this.nsec3Covering(p.ce.prepend(Uint8Array.of(0x2a)))]));
        } else {
          authority.push(...dedupe([...this.nsecCovering(name), ...this.nsecCovering(wild)]));
        }
      }
      return makeResponse(q, { aa: true, rcode: Rcode.NXDOMAIN, answer, authority });
    }
    return makeResponse(q, { aa: true, answer });
  }

  private referral(q: MessageInit, cut: Name, dnssecOk: boolean): MessageInit {
    const ns = this.rrs(cut, RRType.NS, false);
    const authority = [...ns];
    if (dnssecOk) {
      const ds = this.rrs(cut, RRType.DS, true);
      if (ds.length > 0) authority.push(...ds);
      else if (this.usesNsec3) {
        const m = this.nsec3Matching(cut);
        authority.push(...(m.length > 0 ? m : this.nsec3CeProof(cut).records));
      } else authority.push(...this.nsecAt(cut));
    }
    return makeResponse(q, { answer: [], authority, additional: this.glueFor(ns) });
  }
}

function dedupe(records: ResourceRecord[]): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const r of records) {
    if (!out.some((o) => o.type === r.type && o.name.equals(r.name) && compareBytes(o.rdata, r.rdata) === 0)) out.push(r);
  }
  return out;
}

/** Picks the zone of a server that answers `q`: the deepest holding the name; DS from the parent. */
export function pickZone(zones: readonly AuthZone[], q: Message): AuthZone | undefined {
  const question = q.question[0];
  if (question === undefined) return undefined;
  let best: AuthZone | undefined;
  for (const z of zones) {
    if (!question.name.isSubdomainOf(z.origin)) continue;
    if (question.type === RRType.DS && question.name.equals(z.origin) && !z.origin.isRoot()) {
      if (zones.some((p) => p !== z && question.name.isSubdomainOf(p.origin) && !question.name.equals(p.origin))) continue;
    }
    if (best === undefined || z.origin.labelCount > best.origin.labelCount) best = z;
  }
  return best;
}
