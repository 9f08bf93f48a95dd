// A zone held compactly for signing large zones: the same structure as the zone model
// (zone/zone.ts: names in canonical order, RFC 4034 §6.1; RRsets with sorted, de-duplicated RDATA,
// RFC 2181 §5; delegation points, occluded data below cuts and DNAMEs, empty non-terminals; the
// same problems reported) but stored in a few growing byte and integer arrays instead of one
// object per name, record and RRset. A million-record zone costs tens of bytes per record here
// instead of about a kilobyte; nodes are materialized one at a time as the signer walks them.
//
// Building: records stream in (a parser generator is consumed once); each owner name's wire form
// goes to a name arena (consecutive records of one owner share an entry), RDATA to an RDATA
// arena, and the canonical byte key (zone/name-order.ts writeCanonicalKey) to a key arena kept
// until the nodes are built. Equal keys (an owner whose records were not together in the file)
// merge into one node. Nothing per record or per name lives in V8's heap while the file is read:
// whatever survives there is copied by every young-generation collection, and V8 grows its young
// generation with the bytes that survive (one string sort key per name took it from 4 to 32 MiB
// at 100k records).
//
// Pure module: records in, nodes out.

import { RRType, typeToString } from '../wire/constants.js';
import { compareNames, Name } from '../wire/name.js';
import { compareBytes, type ResourceRecord, type RRset } from '../wire/record.js';
import { compareCanonicalKeys, isKeyPrefix, writeCanonicalKey } from '../zone/name-order.js';
import { NodeKind, ProblemCode, type ZoneNode, type ZoneProblem } from '../zone/zone.js';

// The arenas start at the size the caller expects (CompactZone.fromRecords' `expectedRecords`)
// and grow by doubling past it. Every growth leaves the old buffer as garbage outside V8's heap,
// which V8 collects late (external memory), so for a zone file of known size the guess spares
// tens of MiB of peak RSS at 100k records. A finished arena that is mostly full is returned as a
// view instead of a copy, for the same reason.

function finished<T extends Uint8Array | Uint32Array>(buf: T, length: number): T {
  return (length >= buf.length - (buf.length >>> 2) ? buf.subarray(0, length) : buf.slice(0, length)) as T;
}

/** A growing byte arena. */
class Bytes {
  buf: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(1 << 12, capacity));
  }
  push(b: Uint8Array): number {
    const at = this.length;
    if (at + b.length > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + b.length) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    this.buf.set(b, at);
    this.length = at + b.length;
    return at;
  }
  pushByte(v: number): void {
    this.buf[this.reserve(1)] = v;
    this.length++;
  }
  /** Makes room for `n` more octets; returns where they start (the caller fills them, then sets `length`). */
  reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
    }
    return at;
  }
  finish(): Uint8Array {
    return finished(this.buf, this.length);
  }
}

/** A growing array of unsigned 32-bit integers. */
class U32 {
  buf: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint32Array(Math.max(1 << 8, capacity));
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  finish(): Uint32Array {
    return finished(this.buf, this.length);
  }
}

const WITH_CNAME = new Set<number>([RRType.CNAME, RRType.RRSIG, RRType.NSEC]);
const AT_CUT = new Set<number>([RRType.NS, RRType.DS, RRType.NSEC, RRType.RRSIG]);

function isAddress(type: number): boolean {
  return type === RRType.A || type === RRType.AAAA;
}

function nameLength(wire: Uint8Array, at: number): number {
  let p = at;
  while (wire[p] !== 0) p += wire[p]! + 1;
  return p + 1 - at;
}

export class CompactZone {
  readonly origin: Name;
  readonly class: number;
  readonly problems: readonly ZoneProblem[];
  /** Number of nodes (empty non-terminals and occluded names included). */
  readonly size: number;
  /** Number of records kept (after de-duplication). */
  readonly recordCount: number;
  private readonly names: Uint8Array;
  private readonly rdata: Uint8Array;
  // Per record (in node order): type, TTL, RDATA offset and length.
  private readonly recType: Uint16Array;
  private readonly recTtl: Uint32Array;
  private readonly recOff: Uint32Array;
  private readonly recLen: Uint16Array;
  // Per node: name offset in `names`, kind, first record, end of records.
  private readonly nodeName: Uint32Array;
  private readonly nodeKind: Uint8Array;
  private readonly nodeStart: Uint32Array;
  private readonly nodeEnd: Uint32Array;

  private constructor(
    origin: Name,
    cls: number,
    problems: ZoneProblem[],
    names: Uint8Array,
    rdata: Uint8Array,
    rec: { type: Uint16Array; ttl: Uint32Array; off: Uint32Array; len: Uint16Array },
    node: { name: Uint32Array; kind: Uint8Array; start: Uint32Array; end: Uint32Array },
  ) {
    this.origin = origin;
    this.class = cls;
    this.problems = problems;
    this.names = names;
    this.rdata = rdata;
    this.recType = rec.type;
    this.recTtl = rec.ttl;
    this.recOff = rec.off;
    this.recLen = rec.len;
    this.nodeName = node.name;
    this.nodeKind = node.kind;
    this.nodeStart = node.start;
    this.nodeEnd = node.end;
    this.size = node.name.length;
    this.recordCount = rec.type.length;
  }

  /** Builds the compact zone from records in any order (consumed once). */
  static fromRecords(origin: Name, records: Iterable<ResourceRecord>, options: { class?: number; expectedRecords?: number } = {}): CompactZone {
    const cls = options.class ?? 1;
    // Sizes for the arenas (see finished()): names and RDATA average well under 16 octets a record.
    const expect = Math.min(Math.max(0, Math.floor(options.expectedRecords ?? 0)), 1 << 26);
    const problems: ZoneProblem[] = [];
    const problem = (code: ProblemCode, severity: 'error' | 'warning', name: Name, type: number | undefined, message: string): void => {
      problems.push({ code, severity, name, type, message });
    };

    // ---- Ingest ----------------------------------------------------------------------------------
    const names = new Bytes(expect * 16);
    const rdata = new Bytes(expect * 16);
    const entryName = new U32(expect); // name offset per entry
    const keyBytes = new Bytes(expect * 16); // byte key per entry
    const entryKey = new U32(expect); // key offset per entry (its length: the name's wire length - 1)
    const recEntry = new U32(expect);
    const recType = new U32(expect);
    const recTtl = new U32(expect);
    const recOff = new U32(expect);
    const recLen = new U32(expect);
    let prev: Name | undefined;
    for (const rr of records) {
      if (!rr.name.isSubdomainOf(origin)) {
        problem(ProblemCode.OutOfZone, 'error', rr.name, rr.type, `${rr.name.toString()} ${typeToString(rr.type)} is outside the zone ${origin.toString()}`);
        continue;
      }
      if (rr.class !== cls) {
        problem(ProblemCode.WrongClass, 'error', rr.name, rr.type, `${rr.name.toString()} ${typeToString(rr.type)} has class ${rr.class}, the zone ${cls}`);
        continue;
      }
      if (prev === undefined || (rr.name !== prev && !rr.name.equals(prev))) {
        entryName.push(names.push(rr.name.wire));
        const at = keyBytes.reserve(rr.name.wire.length);
        keyBytes.length = at + writeCanonicalKey(rr.name.wire, 0, keyBytes.buf, at);
        entryKey.push(at);
        prev = rr.name;
      }
      recEntry.push(entryKey.length - 1);
      recType.push(rr.type);
      recTtl.push(rr.ttl >>> 0);
      recOff.push(rdata.push(rr.rdata));
      recLen.push(rr.rdata.length);
    }
    const nameBytes = names.finish();
    const rdataBytes = rdata.finish();
    // The apex's key goes last in the arena, so that every key compared below is in one buffer.
    const originKeyAt = keyBytes.reserve(origin.wire.length);
    const originKeyLen = writeCanonicalKey(origin.wire, 0, keyBytes.buf, originKeyAt);
    keyBytes.length = originKeyAt + originKeyLen;
    const kb = keyBytes.buf;
    const nEntries = entryKey.length;
    const keyAt = entryKey.buf;
    const keyLen = (e: number): number => (e + 1 < nEntries ? keyAt[e + 1]! : originKeyAt) - keyAt[e]!;
    const nRecords = recType.length;

    // Records grouped by entry (counting sort).
    const firstOf = new Uint32Array(nEntries + 1);
    for (let i = 0; i < nRecords; i++) firstOf[recEntry.buf[i]! + 1]!++;
    for (let e = 0; e < nEntries; e++) firstOf[e + 1]! += firstOf[e]!;
    const byEntry = new Uint32Array(nRecords);
    const fill = firstOf.slice(0, nEntries);
    for (let i = 0; i < nRecords; i++) byEntry[fill[recEntry.buf[i]!]!++] = i;

    // Entries in canonical order.
    const order = new Uint32Array(nEntries);
    for (let e = 0; e < nEntries; e++) order[e] = e;
    order.sort((a, b) => compareCanonicalKeys(kb, keyAt[a]!, keyLen(a), keyAt[b]!, keyLen(b)));

    // ---- Nodes ---------------------------------------------------------------------------------------
    const outType = new U32(expect);
    const outTtl = new U32(expect);
    const outOff = new U32(expect);
    const outLen = new U32(expect);
    const nodeName = new U32(expect);
    const nodeKind = new Bytes(expect);
    const nodeStart = new U32(expect);
    const nodeEnd = new U32(expect);
    // The path from the apex to the current node: its keys (offset and length in the key arena).
    const pathAt: number[] = [];
    const pathLen: number[] = [];
    // The key of the current cut (a delegation or DNAME), length -1 when there is none.
    let cutAt = 0;
    let cutLen = -1;
    let cutName: Name | undefined;
    let cutIsDname = false;
    const apex = { seen: false, ns: false, soaCount: 0 };
    const view = (off: number): Name => Name.fromWire(nameBytes.subarray(off, off + nameLength(nameBytes, off)));

    const items: number[] = [];
    const wireLabels: number[] = [];
    for (let i = 0; i < nEntries; ) {
      const first = order[i]!;
      const key = keyAt[first]!;
      const len = keyLen(first);
      items.length = 0;
      let j = i;
      for (; j < nEntries; j++) {
        const e = order[j]!;
        if (e !== first && (keyLen(e) !== len || !isKeyPrefix(kb, key, len, keyAt[e]!, len))) break;
        for (let r = firstOf[e]!; r < firstOf[e + 1]!; r++) items.push(byEntry[r]!);
      }
      i = j;
      const nameOff = entryName.buf[first]!;

      // Empty non-terminals between the path and this name (their keys are prefixes of `key`).
      while (pathAt.length > 0 && !isKeyPrefix(kb, pathAt[pathAt.length - 1]!, pathLen[pathLen.length - 1]!, key, len)) {
        pathAt.pop();
        pathLen.pop();
      }
      if (len !== originKeyLen) {
        const parentLen = pathLen.length > 0 ? pathLen[pathLen.length - 1]! : -1;
        wireLabels.length = 0;
        for (let p = nameOff; nameBytes[p] !== 0; p += nameBytes[p]! + 1) wireLabels.push(p);
        const labelCount = wireLabels.length;
        // Each label boundary of this name's key short of its end is an ancestor's key.
        let count = 0;
        for (let end = 0; ; ) {
          end += kb[key + end]! + 1;
          count++;
          if (end >= len) break;
          if (end <= originKeyLen || parentLen >= end) continue;
          // The ancestor with `count` labels from the right.
          addNode(wireLabels[labelCount - count]!, key, end, []);
        }
      }
      items.sort((a, b) => recType.buf[a]! - recType.buf[b]! || compareBytes(rdataBytes.subarray(recOff.buf[a], recOff.buf[a]! + recLen.buf[a]!), rdataBytes.subarray(recOff.buf[b], recOff.buf[b]! + recLen.buf[b]!)));
      addNode(nameOff, key, len, items);
    }

    function addNode(nameOff: number, key: number, len: number, recs: readonly number[]): void {
      const index = nodeName.length;
      nodeName.push(nameOff);
      nodeStart.push(outType.length);
      // RRsets: RDATA de-duplicated (already sorted), TTL the smallest (RFC 2181 §5.2).
      const types: number[] = [];
      let name: Name | undefined;
      const nodeNameObj = (): Name => (name ??= view(nameOff));
      for (let k = 0; k < recs.length; ) {
        const type = recType.buf[recs[k]!]!;
        const setStart = outType.length;
        let ttl = recTtl.buf[recs[k]!]!;
        let mismatch = false;
        let last = -1;
        for (; k < recs.length && recType.buf[recs[k]!] === type; k++) {
          const r = recs[k]!;
          const off = recOff.buf[r]!;
          const len = recLen.buf[r]!;
          if (recTtl.buf[r] !== ttl) {
            mismatch = true;
            if (recTtl.buf[r]! < ttl) ttl = recTtl.buf[r]!;
          }
          if (last >= 0 && recLen.buf[last] === len && compareBytes(rdataBytes.subarray(recOff.buf[last], recOff.buf[last]! + len), rdataBytes.subarray(off, off + len)) === 0) continue;
          last = r;
          outType.push(type);
          outTtl.push(0);
          outOff.push(off);
          outLen.push(len);
        }
        for (let x = setStart; x < outType.length; x++) outTtl.buf[x] = ttl;
        if (mismatch) problem(ProblemCode.TtlMismatch, 'warning', nodeNameObj(), type, `${nodeNameObj().toString()} ${typeToString(type)}: TTLs differ within the RRset; using ${ttl} (RFC 2181 §5.2)`);
        types.push(type);
      }
      nodeEnd.push(outType.length);

      // Classification, as zone/zone.ts: descendants of a cut follow it directly.
      let kind: NodeKind = NodeKind.Authoritative;
      if (cutLen >= 0 && isKeyPrefix(kb, cutAt, cutLen, key, len)) {
        kind = NodeKind.Occluded;
        for (const t of types) {
          if (cutIsDname || !isAddress(t)) problem(ProblemCode.OccludedData, 'warning', nodeNameObj(), t, `${nodeNameObj().toString()} ${typeToString(t)} is below the ${cutIsDname ? 'DNAME' : 'delegation'} at ${cutName!.toString()} and is not served`);
        }
      } else {
        cutLen = -1;
        if (len === originKeyLen) {
          kind = NodeKind.Apex;
          apex.seen = true;
          apex.ns = types.includes(RRType.NS);
        } else if (types.includes(RRType.NS)) {
          kind = NodeKind.Delegation;
          cutAt = key;
          cutLen = len;
          cutName = nodeNameObj();
          cutIsDname = false;
          for (const t of types) {
            if (!AT_CUT.has(t) && !isAddress(t)) problem(ProblemCode.OccludedData, 'warning', nodeNameObj(), t, `${nodeNameObj().toString()} ${typeToString(t)} is at a delegation point and is not served`);
          }
        }
        if (cutLen < 0 && types.includes(RRType.DNAME)) {
          cutAt = key;
          cutLen = len;
          cutName = nodeNameObj();
          cutIsDname = true;
        }
        if (types.includes(RRType.CNAME)) {
          const n = outRecordsOf(index, RRType.CNAME);
          if (n > 1) problem(ProblemCode.MultipleCname, 'error', nodeNameObj(), RRType.CNAME, `${n} CNAME records at ${nodeNameObj().toString()}`);
          for (const t of types) {
            if (!WITH_CNAME.has(t)) problem(ProblemCode.CnameAndOtherData, 'error', nodeNameObj(), t, `${nodeNameObj().toString()} has a CNAME and ${typeToString(t)} data (RFC 2181 §10.1)`);
          }
        }
        if (types.includes(RRType.DNAME) && outRecordsOf(index, RRType.DNAME) > 1) {
          problem(ProblemCode.MultipleDname, 'error', nodeNameObj(), RRType.DNAME, `${outRecordsOf(index, RRType.DNAME)} DNAME records at ${nodeNameObj().toString()} (RFC 6672 §2.4)`);
        }
      }
      if (types.includes(RRType.SOA)) {
        if (kind !== NodeKind.Apex) problem(ProblemCode.SoaNotAtApex, 'error', nodeNameObj(), RRType.SOA, `SOA record at ${nodeNameObj().toString()}, below the apex`);
        else apex.soaCount = outRecordsOf(index, RRType.SOA);
      }
      nodeKind.pushByte(kind === NodeKind.Apex ? 0 : kind === NodeKind.Authoritative ? 1 : kind === NodeKind.Delegation ? 2 : 3);
      pathAt.push(key);
      pathLen.push(len);
    }

    function outRecordsOf(index: number, type: number): number {
      let n = 0;
      for (let r = nodeStart.buf[index]!; r < outType.length; r++) if (outType.buf[r] === type) n++;
      return n;
    }

    if (!apex.seen || apex.soaCount === 0) problem(ProblemCode.NoSoa, 'error', origin, RRType.SOA, `no SOA record at the apex ${origin.toString()}`);
    else if (apex.soaCount > 1) problem(ProblemCode.MultipleSoa, 'error', origin, RRType.SOA, `${apex.soaCount} SOA records at the apex; exactly one is allowed`);
    if (!apex.ns) problem(ProblemCode.NoApexNs, 'error', origin, RRType.NS, `no NS records at the apex ${origin.toString()}`);

    return new CompactZone(
      origin,
      cls,
      problems,
      nameBytes,
      rdataBytes,
      { type: Uint16Array.from(outType.finish()), ttl: outTtl.finish(), off: outOff.finish(), len: Uint16Array.from(outLen.finish()) },
      { name: nodeName.finish(), kind: nodeKind.finish(), start: nodeStart.finish(), end: nodeEnd.finish() },
    );
  }

  private nameAt(i: number): Name {
    const off = this.nodeName[i]!;
    return Name.fromWire(this.names.subarray(off, off + nameLength(this.names, off)));
  }

  private kindAt(i: number): NodeKind {
    const k = this.nodeKind[i]!;
    return k === 0 ? NodeKind.Apex : k === 1 ? NodeKind.Authoritative : k === 2 ? NodeKind.Delegation : NodeKind.Occluded;
  }

  /** Node `i` materialized: its name, kind and RRsets (RDATA are views into the arena). */
  node(i: number): ZoneNode {
    const name = this.nameAt(i);
    const rrsets: RRset[] = [];
    const end = this.nodeEnd[i]!;
    for (let r = this.nodeStart[i]!; r < end; ) {
      const type = this.recType[r]!;
      const rdatas: Uint8Array[] = [];
      const ttl = this.recTtl[r]!;
      for (; r < end && this.recType[r] === type; r++) {
        const off = this.recOff[r]!;
        rdatas.push(this.rdata.subarray(off, off + this.recLen[r]!));
      }
      rrsets.push({ name, type, class: this.class, ttl, rdatas });
    }
    return { name, rrsets, kind: this.kindAt(i), cut: undefined };
  }

  /** Every node in canonical order, materialized one at a time. */
  *nodes(): Generator<ZoneNode, void, undefined> {
    for (let i = 0; i < this.size; i++) yield this.node(i);
  }

  /** The RRset of a name and type (binary search over the nodes). */
  rrset(name: Name, type: number): RRset | undefined {
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareNames(this.nameAt(mid), name);
      if (c === 0) return this.node(mid).rrsets.find((s) => s.type === type);
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  get soa(): RRset | undefined {
    return this.size > 0 ? this.node(0).rrsets.find((s) => s.type === RRType.SOA) : undefined;
  }
}
