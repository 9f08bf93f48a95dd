// Zone model: the records of one zone grouped into RRsets by owner name, names in canonical order
// (RFC 4034 §6.1), with the structure the signer and the authoritative server need:
//
// - apex checks: exactly one SOA RR, at the apex (RFC 1035 §5.2, RFC 2181 §6.1), NS at the apex;
// - zone cuts: NS RRsets below the apex are delegation points (RFC 1034 §4.2.1); data below a
//   cut is not authoritative: address records there (and at the cut) are glue, anything else is
//   occluded; at a cut only NS, DS, NSEC and RRSIG (RFC 4035 §2.2) and glue belong;
// - DNAME (RFC 6672 §2.3): names below a DNAME owner are occluded;
// - CNAME (RFC 1034 §3.6.2, RFC 2181 §10.1, RFC 4035 §2.5): no other data at a CNAME owner than
//   RRSIG and NSEC, and one CNAME RR at most;
// - empty non-terminals (RFC 5155 §7.1, RFC 4592 §2.2.2): names with no RRsets but with
//   descendants that have some, between those descendants and the apex.
//
// Building is O(n log n) in the number of records; RRsets keep their RDATA sorted as octet
// strings and without duplicates (RFC 2181 §5). Problems are reported as values, not thrown: the
// caller decides which ones stop a zone load.

import { RRType, typeToString } from '../wire/constants.js';
import { compareNames } from '../wire/name.js';
import type { Name } from '../wire/name.js';
import { bytesEqual, compareBytes } from '../wire/record.js';
import type { ResourceRecord, RRset } from '../wire/record.js';

export const NodeKind = {
  /** The zone apex. */
  Apex: 'apex',
  /** An authoritative name inside the zone. */
  Authoritative: 'authoritative',
  /** A delegation point: NS below the apex (the NS and DS there are the zone's; the rest is glue/occluded). */
  Delegation: 'delegation',
  /** A name below a delegation point or below a DNAME owner: glue or occluded data only. */
  Occluded: 'occluded',
} as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

export interface ZoneNode {
  readonly name: Name;
  /** RRsets by type, in type order. Empty for an empty non-terminal. */
  readonly rrsets: ReadonlyMap<number, RRset>;
  readonly kind: NodeKind;
  /** For Occluded nodes: the delegation point or DNAME owner above. */
  readonly cut: Name | undefined;
}

export const ProblemCode = {
  NoSoa: 'no-soa',
  MultipleSoa: 'multiple-soa',
  SoaNotAtApex: 'soa-not-at-apex',
  NoApexNs: 'no-apex-ns',
  OutOfZone: 'out-of-zone',
  WrongClass: 'wrong-class',
  CnameAndOtherData: 'cname-and-other-data',
  MultipleCname: 'multiple-cname',
  MultipleDname: 'multiple-dname',
  TtlMismatch: 'ttl-mismatch',
  OccludedData: 'occluded-data',
} as const;
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode];

export interface ZoneProblem {
  readonly code: ProblemCode;
  /** Errors make the zone unusable as it is; warnings are data a server ignores. */
  readonly severity: 'error' | 'warning';
  readonly name: Name;
  readonly type: number | undefined;
  readonly message: string;
}

/** Types allowed at a CNAME owner besides the CNAME (RFC 4035 §2.5, RFC 4034 §4). */
const WITH_CNAME = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);
/** Types that belong to the parent at a delegation point (RFC 4035 §2.2, RFC 4034 §4). */
const AT_CUT = new Set<number>([RRType.NS, RRType.DS, RRType.NSEC, RRType.RRSIG]);

function isAddress(type: number): boolean {
  return type === RRType.A || type === RRType.AAAA;
}

interface MutableSet {
  ttl: number;
  rdatas: Uint8Array[];
  ttlMismatch: boolean;
}

interface MutableNode {
  name: Name;
  sets: Map<number, MutableSet>;
  rrsets: Map<number, RRset>;
  kind: NodeKind;
  cut: Name | undefined;
}

export interface ZoneBuildOptions {
  /** Zone class (default IN); records of another class are reported and left out. */
  readonly class?: number;
}

export class Zone {
  readonly origin: Name;
  readonly class: number;
  /** Every node, empty non-terminals included, in canonical order. */
  readonly nodes: readonly ZoneNode[];
  readonly problems: readonly ZoneProblem[];
  private readonly byKey: ReadonlyMap<string, ZoneNode>;
  private readonly cuts: readonly Name[];

  private constructor(origin: Name, cls: number, nodes: ZoneNode[], byKey: Map<string, ZoneNode>, cuts: Name[], problems: ZoneProblem[]) {
    this.origin = origin;
    this.class = cls;
    this.nodes = nodes;
    this.byKey = byKey;
    this.cuts = cuts;
    this.problems = problems;
  }

  /**
   * Builds the model from records (any order; a parser generator works and is consumed once).
   * Records outside the zone or of another class are left out and reported in `problems`.
   */
  static fromRecords(origin: Name, records: Iterable<ResourceRecord>, options: ZoneBuildOptions = {}): Zone {
    const cls = options.class ?? 1;
    const problems: ZoneProblem[] = [];
    const map = new Map<string, MutableNode>();
    const problem = (code: ProblemCode, severity: 'error' | 'warning', name: Name, type: number | undefined, message: string): void => {
      problems.push({ code, severity, name, type, message });
    };

    for (const rr of records) {
      if (!rr.name.isSubdomainOf(origin)) {
        problem(ProblemCode.OutOfZone, 'error', rr.name, rr.type, `${rr.name.toString()} ${typeToString(rr.type)} is outside the zone ${origin.toString()}`);
        continue;
      }
      if (rr.class !== cls) {
        problem(ProblemCode.WrongClass, 'error', rr.name, rr.type, `${rr.name.toString()} ${typeToString(rr.type)} has class ${rr.class}, the zone ${cls}`);
        continue;
      }
      let node = map.get(rr.name.key);
      if (node === undefined) {
        node = { name: rr.name, sets: new Map(), rrsets: new Map(), kind: NodeKind.Authoritative, cut: undefined };
        map.set(rr.name.key, node);
      }
      const set = node.sets.get(rr.type);
      if (set === undefined) node.sets.set(rr.type, { ttl: rr.ttl, rdatas: [rr.rdata], ttlMismatch: false });
      else {
        if (rr.ttl !== set.ttl) {
          set.ttlMismatch = true;
          if (rr.ttl < set.ttl) set.ttl = rr.ttl;
        }
        set.rdatas.push(rr.rdata);
      }
    }

    // RRsets: RDATA sorted, duplicates dropped (RFC 2181 §5), TTL the smallest (RFC 2181 §5.2).
    for (const node of map.values()) {
      const types = [...node.sets.keys()].sort((a, b) => a - b);
      for (const type of types) {
        const s = node.sets.get(type)!;
        s.rdatas.sort(compareBytes);
        const rdatas: Uint8Array[] = [];
        for (const r of s.rdatas) if (rdatas.length === 0 || !bytesEqual(rdatas[rdatas.length - 1]!, r)) rdatas.push(r);
        if (s.ttlMismatch) {
          problem(ProblemCode.TtlMismatch, 'warning', node.name, type, `${node.name.toString()} ${typeToString(type)}: TTLs differ within the RRset; using ${s.ttl} (RFC 2181 §5.2)`);
        }
        node.rrsets.set(type, { name: node.name, type, class: cls, ttl: s.ttl, rdatas });
      }
      node.sets.clear();
    }

    // Empty non-terminals: walk up from every name until a known name or the apex.
    for (const node of [...map.values()]) {
      let p = node.name.parent();
      while (p !== undefined && p.labelCount >= origin.labelCount && !map.has(p.key)) {
        map.set(p.key, { name: p, sets: new Map(), rrsets: new Map(), kind: NodeKind.Authoritative, cut: undefined });
        p = p.parent();
      }
    }

    const sorted = [...map.values()].sort((a, b) => compareNames(a.name, b.name));

    // Classification in one pass: in canonical order a name's descendants follow it directly.
    const cuts: Name[] = [];
    let cut: Name | undefined;
    let cutIsDname = false;
    for (const node of sorted) {
      if (cut !== undefined && node.name.isSubdomainOf(cut)) {
        node.kind = NodeKind.Occluded;
        node.cut = cut;
        for (const type of node.rrsets.keys()) {
          if (cutIsDname || !isAddress(type)) {
            problem(ProblemCode.OccludedData, 'warning', node.name, type, `${node.name.toString()} ${typeToString(type)} is below the ${cutIsDname ? 'DNAME' : 'delegation'} at ${cut.toString()} and is not served`);
          }
        }
        continue;
      }
      cut = undefined;
      const isApex = node.name.labelCount === origin.labelCount;
      if (isApex) node.kind = NodeKind.Apex;
      else if (node.rrsets.has(RRType.NS)) {
        node.kind = NodeKind.Delegation;
        cuts.push(node.name);
        cut = node.name;
        cutIsDname = false;
        for (const type of node.rrsets.keys()) {
          if (!AT_CUT.has(type) && !isAddress(type)) {
            problem(ProblemCode.OccludedData, 'warning', node.name, type, `${node.name.toString()} ${typeToString(type)} is at a delegation point and is not served`);
          }
        }
      }
      if (cut === undefined && node.rrsets.has(RRType.DNAME)) {
        cut = node.name;
        cutIsDname = true;
      }
      checkNode(node, problem);
    }

    // Apex checks.
    const apex = map.get(origin.key);
    const soa = apex?.rrsets.get(RRType.SOA);
    if (soa === undefined) problem(ProblemCode.NoSoa, 'error', origin, RRType.SOA, `no SOA record at the apex ${origin.toString()}`);
    else if (soa.rdatas.length > 1) problem(ProblemCode.MultipleSoa, 'error', origin, RRType.SOA, `${soa.rdatas.length} SOA records at the apex; exactly one is allowed`);
    if (apex?.rrsets.has(RRType.NS) !== true) problem(ProblemCode.NoApexNs, 'error', origin, RRType.NS, `no NS records at the apex ${origin.toString()}`);
    for (const node of sorted) {
      if (node.kind !== NodeKind.Apex && node.rrsets.has(RRType.SOA)) {
        problem(ProblemCode.SoaNotAtApex, 'error', node.name, RRType.SOA, `SOA record at ${node.name.toString()}, below the apex`);
      }
    }

    const nodes: ZoneNode[] = sorted.map((n) => ({ name: n.name, rrsets: n.rrsets, kind: n.kind, cut: n.cut }));
    const byKey = new Map<string, ZoneNode>();
    for (const n of nodes) byKey.set(n.name.key, n);
    return new Zone(origin, cls, nodes, byKey, cuts, problems);
  }

  /** The node for a name (empty non-terminals included), or undefined. */
  node(name: Name): ZoneNode | undefined {
    return this.byKey.get(name.key);
  }

  /** The RRset of a name and type, or undefined. */
  rrset(name: Name, type: number): RRset | undefined {
    return this.byKey.get(name.key)?.rrsets.get(type);
  }

  /** The apex SOA RRset. */
  get soa(): RRset | undefined {
    return this.rrset(this.origin, RRType.SOA);
  }

  /** The apex NS RRset. */
  get apexNs(): RRset | undefined {
    return this.rrset(this.origin, RRType.NS);
  }

  /** Delegation points (NS below the apex, not themselves occluded), in canonical order. */
  get delegations(): readonly Name[] {
    return this.cuts;
  }

  /** True when the name is an empty non-terminal: a node without RRsets. */
  isEmptyNonTerminal(name: Name): boolean {
    const n = this.byKey.get(name.key);
    return n !== undefined && n.rrsets.size === 0;
  }

  /** Empty non-terminals in canonical order (occluded ones included; check `node().kind`). */
  emptyNonTerminals(): Name[] {
    return this.nodes.filter((n) => n.rrsets.size === 0).map((n) => n.name);
  }

  /**
   * The delegation point at or above `name` (below the apex), if any: the closest enclosing cut
   * for answering, found by walking up the name (O(labels) lookups).
   */
  findDelegation(name: Name): Name | undefined {
    let found: Name | undefined;
    for (let n: Name | undefined = name; n !== undefined && n.labelCount > this.origin.labelCount; n = n.parent()) {
      const node = this.byKey.get(n.key);
      if (node?.kind === NodeKind.Delegation) found = n;
    }
    return found;
  }

  /** Glue: address RRsets at or below delegation points (not below a DNAME), canonical order. */
  glue(): RRset[] {
    const out: RRset[] = [];
    for (const n of this.nodes) {
      const belowDelegation = n.kind === NodeKind.Delegation || (n.kind === NodeKind.Occluded && n.cut !== undefined && this.byKey.get(n.cut.key)?.kind === NodeKind.Delegation);
      if (!belowDelegation) continue;
      for (const [type, set] of n.rrsets) if (isAddress(type)) out.push(set);
    }
    return out;
  }

  /** RRsets that are neither authoritative nor glue (below a cut or DNAME, or misplaced at a cut). */
  occluded(): RRset[] {
    const out: RRset[] = [];
    for (const n of this.nodes) {
      if (n.kind === NodeKind.Occluded) {
        const dname = n.cut !== undefined && this.byKey.get(n.cut.key)?.kind !== NodeKind.Delegation;
        for (const [type, set] of n.rrsets) if (dname || !isAddress(type)) out.push(set);
      } else if (n.kind === NodeKind.Delegation) {
        for (const [type, set] of n.rrsets) if (!AT_CUT.has(type) && !isAddress(type)) out.push(set);
      }
    }
    return out;
  }

  /** Every RRset in canonical order (names in order, types ascending). */
  *rrsets(): Generator<RRset, void, undefined> {
    for (const n of this.nodes) yield* n.rrsets.values();
  }

  /** Every record in canonical order. */
  *records(): Generator<ResourceRecord, void, undefined> {
    for (const set of this.rrsets()) {
      for (const rdata of set.rdatas) yield { name: set.name, type: set.type, class: set.class, ttl: set.ttl, rdata };
    }
  }
}

function checkNode(node: MutableNode, problem: (code: ProblemCode, severity: 'error' | 'warning', name: Name, type: number | undefined, message: string) => void): void {
  const cname = node.rrsets.get(RRType.CNAME);
  if (cname !== undefined) {
    if (cname.rdatas.length > 1) problem(ProblemCode.MultipleCname, 'error', node.name, RRType.CNAME, `${cname.rdatas.length} CNAME records at ${node.name.toString()}`);
    for (const type of node.rrsets.keys()) {
      if (!WITH_CNAME.has(type)) {
        problem(ProblemCode.CnameAndOtherData, 'error', node.name, type, `${node.name.toString()} has a CNAME and ${typeToString(type)} data (RFC 2181 §10.1)`);
      }
    }
  }
  const dname = node.rrsets.get(RRType.DNAME);
  if (dname !== undefined && dname.rdatas.length > 1) {
    problem(ProblemCode.MultipleDname, 'error', node.name, RRType.DNAME, `${dname.rdatas.length} DNAME records at ${node.name.toString()} (RFC 6672 §2.4)`);
  }
}
