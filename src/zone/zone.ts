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
import type { Name } from '../wire/name.js';
import { bytesEqual, compareBytes } from '../wire/record.js';
import type { ResourceRecord, RRset } from '../wire/record.js';
import { canonicalSortKey, compareSortKeys } from './name-order.js';

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
  /** RRsets in type order. Empty for an empty non-terminal. */
  readonly rrsets: readonly RRset[];
  readonly kind: NodeKind;
  /** For Occluded nodes: the delegation point or DNAME owner above. */
  readonly cut: Name | undefined;
}

/** The RRset of a type at a node (binary search over the type-ordered list), or undefined. */
export function nodeRRset(node: ZoneNode, type: number): RRset | undefined {
  const sets = node.rrsets;
  let lo = 0;
  let hi = sets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = sets[mid]!.type;
    if (t === type) return sets[mid];
    if (t < type) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
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

/** A node while the zone is built: the records collected for it, then its RRsets. */
interface MutableNode {
  name: Name;
  rrsets: RRset[];
  kind: NodeKind;
  cut: Name | undefined;
  items: ResourceRecord[];
}

const NO_ITEMS: ResourceRecord[] = [];

function compareItems(a: ResourceRecord, b: ResourceRecord): number {
  return a.type - b.type || compareBytes(a.rdata, b.rdata);
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

  private constructor(origin: Name, cls: number, nodes: readonly ZoneNode[], byKey: ReadonlyMap<string, ZoneNode>, cuts: Name[], problems: ZoneProblem[]) {
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
      const node = map.get(rr.name.key);
      if (node === undefined) map.set(rr.name.key, { name: rr.name, rrsets: [], kind: NodeKind.Authoritative, cut: undefined, items: [rr] });
      else node.items.push(rr);
    }

    // RRsets: RDATA sorted, duplicates dropped (RFC 2181 §5), TTL the smallest (RFC 2181 §5.2).
    for (const node of map.values()) {
      const items = node.items;
      node.items = NO_ITEMS;
      if (items.length > 1) items.sort(compareItems);
      for (let i = 0; i < items.length; ) {
        const type = items[i]!.type;
        let ttl = items[i]!.ttl;
        let mismatch = false;
        const rdatas: Uint8Array[] = [items[i]!.rdata];
        let j = i + 1;
        for (; j < items.length && items[j]!.type === type; j++) {
          const it = items[j]!;
          if (it.ttl !== ttl) {
            mismatch = true;
            if (it.ttl < ttl) ttl = it.ttl;
          }
          if (!bytesEqual(rdatas[rdatas.length - 1]!, it.rdata)) rdatas.push(it.rdata);
        }
        if (mismatch) {
          problem(ProblemCode.TtlMismatch, 'warning', node.name, type, `${node.name.toString()} ${typeToString(type)}: TTLs differ within the RRset; using ${ttl} (RFC 2181 §5.2)`);
        }
        node.rrsets.push({ name: node.name, type, class: cls, ttl, rdatas });
        i = j;
      }
    }

    // Empty non-terminals: walk up from every name until a known name or the apex. The parent's
    // key is the child's key without its first label (keys are lower-cased wire form).
    const apexLength = origin.wire.length;
    for (const node of [...map.values()]) {
      let key = node.name.key;
      let name: Name | undefined;
      for (;;) {
        if (key.length <= apexLength) break;
        key = key.slice(key.charCodeAt(0) + 1);
        if (map.has(key)) break;
        name = (name ?? node.name).parent()!;
        map.set(key, { name, rrsets: [], kind: NodeKind.Authoritative, cut: undefined, items: NO_ITEMS });
      }
    }

    // Canonical order through precomputed sort keys (one per name, not one per comparison).
    const keyed = [...map.values()].map((node) => ({ key: canonicalSortKey(node.name), node }));
    keyed.sort((a, b) => compareSortKeys(a.key, b.key));
    const sorted = keyed.map((x) => x.node);

    // Classification in one pass: in canonical order a name's descendants follow it directly.
    const cuts: Name[] = [];
    let cut: Name | undefined;
    let cutIsDname = false;
    for (const node of sorted) {
      if (cut !== undefined && node.name.isSubdomainOf(cut)) {
        node.kind = NodeKind.Occluded;
        node.cut = cut;
        for (const set of node.rrsets) {
          if (cutIsDname || !isAddress(set.type)) {
            problem(ProblemCode.OccludedData, 'warning', node.name, set.type, `${node.name.toString()} ${typeToString(set.type)} is below the ${cutIsDname ? 'DNAME' : 'delegation'} at ${cut.toString()} and is not served`);
          }
        }
        continue;
      }
      cut = undefined;
      const isApex = node.name.labelCount === origin.labelCount;
      if (isApex) node.kind = NodeKind.Apex;
      else if (nodeRRset(node, RRType.NS) !== undefined) {
        node.kind = NodeKind.Delegation;
        cuts.push(node.name);
        cut = node.name;
        cutIsDname = false;
        for (const set of node.rrsets) {
          if (!AT_CUT.has(set.type) && !isAddress(set.type)) {
            problem(ProblemCode.OccludedData, 'warning', node.name, set.type, `${node.name.toString()} ${typeToString(set.type)} is at a delegation point and is not served`);
          }
        }
      }
      if (cut === undefined && nodeRRset(node, RRType.DNAME) !== undefined) {
        cut = node.name;
        cutIsDname = true;
      }
      checkNode(node, problem);
    }

    // Apex checks.
    const apex = map.get(origin.key);
    const soa = apex === undefined ? undefined : nodeRRset(apex, RRType.SOA);
    if (soa === undefined) problem(ProblemCode.NoSoa, 'error', origin, RRType.SOA, `no SOA record at the apex ${origin.toString()}`);
    else if (soa.rdatas.length > 1) problem(ProblemCode.MultipleSoa, 'error', origin, RRType.SOA, `${soa.rdatas.length} SOA records at the apex; exactly one is allowed`);
    if (apex === undefined || nodeRRset(apex, RRType.NS) === undefined) problem(ProblemCode.NoApexNs, 'error', origin, RRType.NS, `no NS records at the apex ${origin.toString()}`);
    for (const node of sorted) {
      if (node.kind !== NodeKind.Apex && nodeRRset(node, RRType.SOA) !== undefined) {
        problem(ProblemCode.SoaNotAtApex, 'error', node.name, RRType.SOA, `SOA record at ${node.name.toString()}, below the apex`);
      }
    }

    return new Zone(origin, cls, sorted, map, cuts, problems);
  }

  /** The node for a name (empty non-terminals included), or undefined. */
  node(name: Name): ZoneNode | undefined {
    return this.byKey.get(name.key);
  }

  /** The RRset of a name and type, or undefined. */
  rrset(name: Name, type: number): RRset | undefined {
    const node = this.byKey.get(name.key);
    return node === undefined ? undefined : nodeRRset(node, type);
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
    return n !== undefined && n.rrsets.length === 0;
  }

  /** Empty non-terminals in canonical order (occluded ones included; check `node().kind`). */
  emptyNonTerminals(): Name[] {
    return this.nodes.filter((n) => n.rrsets.length === 0).map((n) => n.name);
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
      for (const set of n.rrsets) if (isAddress(set.type)) out.push(set);
    }
    return out;
  }

  /** RRsets that are neither authoritative nor glue (below a cut or DNAME, or misplaced at a cut). */
  occluded(): RRset[] {
    const out: RRset[] = [];
    for (const n of this.nodes) {
      if (n.kind === NodeKind.Occluded) {
        const dname = n.cut !== undefined && this.byKey.get(n.cut.key)?.kind !== NodeKind.Delegation;
        for (const set of n.rrsets) if (dname || !isAddress(set.type)) out.push(set);
      } else if (n.kind === NodeKind.Delegation) {
        for (const set of n.rrsets) if (!AT_CUT.has(set.type) && !isAddress(set.type)) out.push(set);
      }
    }
    return out;
  }

  /** Every RRset in canonical order (names in order, types ascending). */
  *rrsets(): Generator<RRset, void, undefined> {
    for (const n of this.nodes) yield* n.rrsets;
  }

  /** Every record in canonical order. */
  *records(): Generator<ResourceRecord, void, undefined> {
    for (const set of this.rrsets()) {
      for (const rdata of set.rdatas) yield { name: set.name, type: set.type, class: set.class, ttl: set.ttl, rdata };
    }
  }
}

function checkNode(node: ZoneNode, problem: (code: ProblemCode, severity: 'error' | 'warning', name: Name, type: number | undefined, message: string) => void): void {
  const cname = nodeRRset(node, RRType.CNAME);
  if (cname !== undefined) {
    if (cname.rdatas.length > 1) problem(ProblemCode.MultipleCname, 'error', node.name, RRType.CNAME, `${cname.rdatas.length} CNAME records at ${node.name.toString()}`);
    for (const set of node.rrsets) {
      if (!WITH_CNAME.has(set.type)) {
        problem(ProblemCode.CnameAndOtherData, 'error', node.name, set.type, `${node.name.toString()} has a CNAME and ${typeToString(set.type)} data (RFC 2181 §10.1)`);
      }
    }
  }
  const dname = nodeRRset(node, RRType.DNAME);
  if (dname !== undefined && dname.rdatas.length > 1) {
    problem(ProblemCode.MultipleDname, 'error', node.name, RRType.DNAME, `${dname.rdatas.length} DNAME records at ${node.name.toString()} (RFC 6672 §2.4)`);
  }
}
