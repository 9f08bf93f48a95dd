// A zone indexed for authoritative answering: the zone model (zone/zone.ts: names in canonical
// order, delegations, glue, occluded data, empty non-terminals) plus what DNSSEC answers need:
//
// - RRSIGs by owner and type covered, each with its own TTL (RFC 4035 §3.1.1: an RRset goes out
//   with its RRSIGs);
// - the NSEC owners in canonical order, to find the NSEC that matches or covers a name
//   (RFC 4035 §3.1.3);
// - the NSEC3 chain sorted by hash with its parameters from NSEC3PARAM, to find the NSEC3 that
//   matches or covers a hashed name (RFC 5155 §7.2). NSEC3 owner names are not names of the zone:
//   a query for one is answered as for any name that does not exist (RFC 5155 §7.2.8).
//
// Pure module: records in, lookups out.

import { nsec3Hash, nsec3HashFromOwner } from '../dnssec/nsec3-hash.js';
import { RRType } from '../wire/constants.js';
import { compareNames, type Name } from '../wire/name.js';
import { compareBytes, type ResourceRecord, type RRset } from '../wire/record.js';
import { NodeKind, Zone, type ZoneProblem } from '../zone/zone.js';

/** An RRSIG record as served: its RDATA and its TTL. */
export interface SigRecord {
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

export interface AuthNode {
  readonly name: Name;
  readonly kind: NodeKind;
  readonly sets: ReadonlyMap<number, RRset>;
  /** RRSIGs at this owner by type covered. */
  readonly sigs: ReadonlyMap<number, readonly SigRecord[]>;
}

/** One NSEC3 of the chain. */
export interface Nsec3Record {
  readonly hash: Uint8Array;
  readonly set: RRset;
  readonly sigs: readonly SigRecord[];
}

export interface Nsec3ChainInfo {
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** Sorted by hash. */
  readonly records: readonly Nsec3Record[];
}

const EMPTY_SIGS: readonly SigRecord[] = [];
const NO_SIGS: ReadonlyMap<number, readonly SigRecord[]> = new Map();

export class AuthZone {
  readonly origin: Name;
  readonly class: number;
  readonly problems: readonly ZoneProblem[];
  /** NSEC3 chain announced by the apex NSEC3PARAM, if any. */
  readonly nsec3: Nsec3ChainInfo | undefined;
  private readonly nodes: ReadonlyMap<string, AuthNode>;
  /** Names that own an NSEC, canonical order. */
  private readonly nsecOwners: readonly Name[];

  private constructor(origin: Name, cls: number, problems: readonly ZoneProblem[], nodes: Map<string, AuthNode>, nsecOwners: Name[], nsec3: Nsec3ChainInfo | undefined) {
    this.origin = origin;
    this.class = cls;
    this.problems = problems;
    this.nodes = nodes;
    this.nsecOwners = nsecOwners;
    this.nsec3 = nsec3;
  }

  /** Indexes the records of a (signed or unsigned) zone. */
  static fromRecords(origin: Name, records: Iterable<ResourceRecord>, cls = 1): AuthZone {
    const plain: ResourceRecord[] = [];
    const sigs = new Map<string, Map<number, SigRecord[]>>();
    const nsec3Sets: ResourceRecord[] = [];
    const nsec3Sigs = new Map<string, SigRecord[]>();
    for (const rr of records) {
      if (rr.type === RRType.NSEC3) {
        nsec3Sets.push(rr);
        continue;
      }
      if (rr.type === RRType.RRSIG && rr.rdata.length >= 2) {
        const covered = (rr.rdata[0]! << 8) | rr.rdata[1]!;
        const sig = { ttl: rr.ttl, rdata: rr.rdata };
        if (covered === RRType.NSEC3) {
          const list = nsec3Sigs.get(rr.name.key);
          if (list === undefined) nsec3Sigs.set(rr.name.key, [sig]);
          else list.push(sig);
          continue;
        }
        let byType = sigs.get(rr.name.key);
        if (byType === undefined) {
          byType = new Map<number, SigRecord[]>();
          sigs.set(rr.name.key, byType);
        }
        const list = byType.get(covered);
        if (list === undefined) byType.set(covered, [sig]);
        else list.push(sig);
        continue;
      }
      plain.push(rr);
    }
    const zone = Zone.fromRecords(origin, plain, { class: cls });
    const nodes = new Map<string, AuthNode>();
    const nsecOwners: Name[] = [];
    for (const n of zone.nodes) {
      const sets = new Map<number, RRset>();
      for (const s of n.rrsets.values()) sets.set(s.type, s);
      nodes.set(n.name.key, { name: n.name, kind: n.kind, sets, sigs: sigs.get(n.name.key) ?? NO_SIGS });
      if (sets.has(RRType.NSEC) && n.kind !== NodeKind.Occluded) nsecOwners.push(n.name);
    }

    let nsec3: Nsec3ChainInfo | undefined;
    const param = zone.rrset(origin, RRType.NSEC3PARAM)?.rdatas.find((r) => r[0] === 1 && r[1] === 0);
    if (param !== undefined) {
      const iterations = (param[2]! << 8) | param[3]!;
      const salt = param.slice(5, 5 + param[4]!);
      const byOwner = new Map<string, { name: Name; ttl: number; rdatas: Uint8Array[] }>();
      for (const rr of nsec3Sets) {
        const r = rr.rdata;
        // Only the chain NSEC3PARAM announces (RFC 5155 §7.2: same algorithm, iterations, salt).
        if (r[0] !== 1 || ((r[2]! << 8) | r[3]!) !== iterations || r[4] !== salt.length || compareBytes(r.subarray(5, 5 + salt.length), salt) !== 0) continue;
        const cur = byOwner.get(rr.name.key);
        if (cur === undefined) byOwner.set(rr.name.key, { name: rr.name, ttl: rr.ttl, rdatas: [rr.rdata] });
        else cur.rdatas.push(rr.rdata);
      }
      const list: Nsec3Record[] = [];
      for (const [key, o] of byOwner) {
        const hash = nsec3HashFromOwner(o.name, origin);
        if (hash === undefined) continue;
        list.push({ hash, set: { name: o.name, type: RRType.NSEC3, class: cls, ttl: o.ttl, rdatas: o.rdatas }, sigs: nsec3Sigs.get(key) ?? EMPTY_SIGS });
      }
      list.sort((a, b) => compareBytes(a.hash, b.hash));
      nsec3 = { iterations, salt, records: list };
    }
    return new AuthZone(origin, cls, zone.problems, nodes, nsecOwners, nsec3);
  }

  /** The node of a name (empty non-terminals included), undefined when the name does not exist. */
  node(name: Name): AuthNode | undefined {
    return this.nodes.get(name.key);
  }

  /** The apex SOA RRset. */
  get soa(): RRset | undefined {
    return this.nodes.get(this.origin.key)?.sets.get(RRType.SOA);
  }

  /** True when the zone is signed: a DNSKEY RRset at the apex. */
  get signed(): boolean {
    return this.nodes.get(this.origin.key)?.sets.has(RRType.DNSKEY) === true;
  }

  /** RRSIGs at `name` covering `type`. */
  sigsFor(name: Name, type: number): readonly SigRecord[] {
    return this.nodes.get(name.key)?.sigs.get(type) ?? EMPTY_SIGS;
  }

  /**
   * The NSEC owner that matches `name` or, when none does, covers it: the last NSEC owner at or
   * before `name` in canonical order (RFC 4034 §6.1); the apex NSEC covers names after the last.
   */
  nsecFor(name: Name): AuthNode | undefined {
    const owners = this.nsecOwners;
    if (owners.length === 0) return undefined;
    let lo = 0;
    let hi = owners.length - 1;
    let found = owners.length - 1;
    if (compareNames(name, owners[0]!) < 0) return this.nodes.get(owners[owners.length - 1]!.key);
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareNames(owners[mid]!, name);
      if (c === 0) return this.nodes.get(owners[mid]!.key);
      if (c < 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return this.nodes.get(owners[found]!.key);
  }

  /** The NSEC3 whose hash matches `name`'s, or undefined. */
  nsec3Match(name: Name): Nsec3Record | undefined {
    const chain = this.nsec3;
    if (chain === undefined) return undefined;
    const h = nsec3Hash(name, chain.salt, chain.iterations);
    const i = this.nsec3Index(h);
    const rec = chain.records[i];
    return rec !== undefined && compareBytes(rec.hash, h) === 0 ? rec : undefined;
  }

  /** The NSEC3 matching `name`'s hash, or else the one covering it (RFC 5155 §3.1.7 order, wrapping). */
  nsec3MatchOrCover(name: Name): { record: Nsec3Record; match: boolean } | undefined {
    const chain = this.nsec3;
    if (chain === undefined || chain.records.length === 0) return undefined;
    const h = nsec3Hash(name, chain.salt, chain.iterations);
    const i = this.nsec3Index(h);
    const rec = chain.records[i];
    if (rec !== undefined && compareBytes(rec.hash, h) === 0) return { record: rec, match: true };
    const prev = chain.records[(i - 1 + chain.records.length) % chain.records.length]!;
    return { record: prev, match: false };
  }

  /** Index of the first NSEC3 whose hash is >= h. */
  private nsec3Index(h: Uint8Array): number {
    const recs = this.nsec3!.records;
    let lo = 0;
    let hi = recs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(recs[mid]!.hash, h) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
