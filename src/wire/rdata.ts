// Binary RDATA codec driven by the schema table in rdata-schema.ts.
//
// - readRdata: untrusted RDATA from a message → uncompressed RDATA octets, after checking every
//   field of a known type (RFC 1035 §3.3 and the RFCs listed in rdata-schema.ts). Names are
//   decompressed only in fields flagged `decompress` (RFC 3597 §4); a pointer anywhere else is an
//   error. Unknown types are opaque octets (RFC 3597 §4).
// - writeRdata: RDLENGTH + RDATA into a message, compressing only `compress`-flagged names.
// - decodeRdata / decodeTyped / encodeRdata: uncompressed RDATA ↔ field values (rdata-schema.ts
//   documents the value type of each field kind). Unknown types decode to `{ data: Uint8Array }`
//   and encode from the same shape.
// - Type bitmaps (RFC 4034 §4.1.2, shared by NSEC, NSEC3 RFC 5155 §3.2.1 and CSYNC RFC 7477 §2.1.2),
//   SvcParams (RFC 9460 §2.2, §7), IPv4 text and RFC 5952 canonical IPv6 text.

import { PresentationError, WireError } from '../core/errors.js';
import { RRType } from './constants.js';
import { Name } from './name.js';
import { sharedName, WireReader } from './reader.js';
import type { WireWriter } from './writer.js';
import { NameFlag, schemaFor } from './rdata-schema.js';
import type { FieldKind, FieldValue, RdataFields, RdataTypeMap, SvcParam } from './rdata-schema.js';

// ---- Compiled plans --------------------------------------------------------------------------

const K = {
  u8: 0,
  u16: 1,
  u32: 2,
  name: 3,
  ipv4: 4,
  ipv6: 5,
  string: 6,
  strings: 7,
  rest: 8,
  len8: 9,
  base32hex8: 10,
  bitmap: 11,
  svcparams: 12,
  tag: 13,
} as const;
type K = (typeof K)[keyof typeof K];

const KIND_CODE: Readonly<Record<FieldKind, K>> = {
  u8: K.u8,
  u16: K.u16,
  u32: K.u32,
  time: K.u32,
  ttl: K.u32,
  type: K.u16,
  name: K.name,
  ipv4: K.ipv4,
  ipv6: K.ipv6,
  string: K.string,
  strings: K.strings,
  hex: K.rest,
  base64: K.rest,
  text: K.rest,
  hex8: K.len8,
  base32hex8: K.base32hex8,
  bitmap: K.bitmap,
  svcparams: K.svcparams,
  tag: K.tag,
};

interface Plan {
  readonly names: readonly string[];
  readonly kinds: readonly K[];
  readonly flags: readonly number[];
  /** Some name field may arrive compressed. */
  readonly decompress: boolean;
  /** Some name field may be compressed when writing. */
  readonly compress: boolean;
  readonly nameCount: number;
}

const PLANS = new Map<number, Plan | null>();

function planFor(type: number): Plan | undefined {
  const cached = PLANS.get(type);
  if (cached !== undefined) return cached ?? undefined;
  const s = schemaFor(type);
  if (s === undefined) {
    PLANS.set(type, null);
    return undefined;
  }
  const flags = s.fields.map((f) => f.flags ?? 0);
  const plan: Plan = {
    names: s.fields.map((f) => f.name),
    kinds: s.fields.map((f) => KIND_CODE[f.kind]),
    flags,
    decompress: s.fields.some((f, i) => f.kind === 'name' && (flags[i]! & NameFlag.decompress) !== 0),
    compress: s.fields.some((f, i) => f.kind === 'name' && (flags[i]! & NameFlag.compress) !== 0),
    nameCount: s.fields.filter((f) => f.kind === 'name').length,
  };
  PLANS.set(type, plan);
  return plan;
}

const NAME_SCRATCH = new Uint8Array(256);

// ---- Validation ------------------------------------------------------------------------------

/**
 * Walks one field at r.pos (r.end is the end of RDATA) and checks it. Names are expanded into
 * `out` at `o` when `out` is given; the return value is the new output position.
 */
function walkField(r: WireReader, kind: K, flags: number, allowDecompress: boolean, out: Uint8Array | null, o: number): number {
  const buf = r.buf;
  const start = r.pos;
  switch (kind) {
    case K.u8:
      r.skip(1);
      break;
    case K.u16:
      r.skip(2);
      break;
    case K.u32:
    case K.ipv4:
      r.skip(4);
      break;
    case K.ipv6:
      r.skip(16);
      break;
    case K.name: {
      const decompress = allowDecompress && (flags & NameFlag.decompress) !== 0;
      if (out !== null) return r.nameInto(out, o, decompress);
      r.nameInto(NAME_SCRATCH, 0, decompress);
      return o;
    }
    case K.string:
    case K.len8:
      r.skip(r.u8());
      break;
    case K.base32hex8: {
      const n = r.u8();
      if (n === 0) throw new WireError('empty hash field', start);
      r.skip(n);
      break;
    }
    case K.tag: {
      const n = r.u8();
      if (n === 0) throw new WireError('empty tag', start);
      r.skip(n);
      // RFC 8659 §4.1: the tag is US-ASCII letters and digits.
      for (let i = start + 1; i < r.pos; i++) {
        const c = buf[i]! | 0x20;
        if (!((c >= 0x61 && c <= 0x7a) || (buf[i]! >= 0x30 && buf[i]! <= 0x39))) {
          throw new WireError('tag is not alphanumeric', i);
        }
      }
      break;
    }
    case K.strings:
      // RFC 1035 §3.3.14: one or more <character-string>s filling RDATA.
      if (r.pos >= r.end) throw new WireError('no character-string', start);
      while (r.pos < r.end) r.skip(r.u8());
      break;
    case K.rest:
      r.pos = r.end;
      break;
    case K.bitmap:
      checkTypeBitmap(buf, r.pos, r.end);
      r.pos = r.end;
      break;
    case K.svcparams:
      checkSvcParams(buf, r.pos, r.end);
      r.pos = r.end;
      break;
  }
  if (out !== null) {
    for (let i = start; i < r.pos; i++) out[o++] = buf[i]!;
  }
  return o;
}

/** RFC 4034 §4.1.2: windows in strictly increasing order, bitmap lengths 1..32. */
function checkTypeBitmap(buf: Uint8Array, pos: number, end: number): void {
  let last = -1;
  let p = pos;
  while (p < end) {
    if (p + 2 > end) throw new WireError('type bitmap window header overruns RDATA', p);
    const window = buf[p]!;
    const len = buf[p + 1]!;
    if (window <= last) throw new WireError('type bitmap windows out of order', p);
    if (len < 1 || len > 32) throw new WireError(`type bitmap length ${len} outside 1..32`, p + 1);
    if (p + 2 + len > end) throw new WireError('type bitmap overruns RDATA', p);
    last = window;
    p += 2 + len;
  }
}

/** SvcParamKey values with a defined wire format (RFC 9460 §7, §14.3.2). */
const SvcKey = { mandatory: 0, alpn: 1, noDefaultAlpn: 2, port: 3, ipv4hint: 4, ech: 5, ipv6hint: 6, invalid: 65535 } as const;

/**
 * RFC 9460 §2.2: keys strictly increasing, each value inside RDATA; §7 value formats for the keys
 * defined there (a client treats a violation as a malformed RR, §2.2 and §8).
 */
function checkSvcParams(buf: Uint8Array, pos: number, end: number): void {
  let last = -1;
  let p = pos;
  while (p < end) {
    if (p + 4 > end) throw new WireError('SvcParam header overruns RDATA', p);
    const key = (buf[p]! << 8) | buf[p + 1]!;
    const len = (buf[p + 2]! << 8) | buf[p + 3]!;
    if (key <= last) throw new WireError('SvcParamKeys not in strictly increasing order', p);
    if (key === SvcKey.invalid) throw new WireError('SvcParamKey 65535 is reserved', p);
    const v = p + 4;
    const vend = v + len;
    if (vend > end) throw new WireError('SvcParamValue overruns RDATA', p);
    switch (key) {
      case SvcKey.mandatory: {
        if (len === 0 || len % 2 !== 0) throw new WireError('bad mandatory SvcParam length', p);
        let prev = -1;
        for (let i = v; i < vend; i += 2) {
          const k = (buf[i]! << 8) | buf[i + 1]!;
          if (k <= prev || k === SvcKey.mandatory) throw new WireError('bad mandatory key list', i);
          prev = k;
        }
        break;
      }
      case SvcKey.alpn: {
        if (len === 0) throw new WireError('empty alpn SvcParam', p);
        let i = v;
        while (i < vend) {
          const n = buf[i]!;
          if (n === 0 || i + 1 + n > vend) throw new WireError('bad alpn id', i);
          i += 1 + n;
        }
        break;
      }
      case SvcKey.noDefaultAlpn:
        if (len !== 0) throw new WireError('no-default-alpn must be empty', p);
        break;
      case SvcKey.port:
        if (len !== 2) throw new WireError('port SvcParam must be 2 octets', p);
        break;
      case SvcKey.ipv4hint:
        if (len === 0 || len % 4 !== 0) throw new WireError('bad ipv4hint length', p);
        break;
      case SvcKey.ipv6hint:
        if (len === 0 || len % 16 !== 0) throw new WireError('bad ipv6hint length', p);
        break;
      default:
        break;
    }
    last = key;
    p = vend;
  }
}

// ---- Reading from a message ------------------------------------------------------------------

// Scratch space for RDATA whose names are being expanded. readRdata is synchronous and copies the
// result out before returning, so one buffer serves every call (grown for the rare long RDATA).
let RDATA_SCRATCH = new Uint8Array(1024);

/**
 * Reads RDLENGTH octets of RDATA at r.pos and returns the uncompressed RDATA: a fresh copy, or with
 * `view`, for types without compressed names, a view of the message buffer (no copy; the caller
 * keeps the buffer alive and unchanged for as long as it keeps the RDATA).
 * Known types are checked field by field; any inconsistency throws WireError. On return, or on
 * a throw, r.pos is just after the RDATA when it lies inside the window.
 */
export function readRdata(r: WireReader, type: number, rdlength: number, view = false): Uint8Array {
  const start = r.pos;
  const end = start + rdlength;
  if (end > r.end) throw new WireError('RDATA overruns the message', start);
  const plan = planFor(type);
  if (plan === undefined) {
    r.pos = end;
    return view ? r.buf.subarray(start, end) : r.buf.slice(start, end);
  }
  const savedEnd = r.end;
  r.end = end;
  try {
    const { kinds, flags } = plan;
    if (!plan.decompress) {
      for (let i = 0; i < kinds.length; i++) walkField(r, kinds[i]!, flags[i]!, false, null, 0);
      if (r.pos !== end) throw new WireError('trailing octets in RDATA', r.pos);
      return view ? r.buf.subarray(start, end) : r.buf.slice(start, end);
    }
    // Expanded into scratch space first, then copied out once at its final length.
    const need = rdlength + 255 * plan.nameCount;
    if (RDATA_SCRATCH.length < need) RDATA_SCRATCH = new Uint8Array(need);
    let o = 0;
    for (let i = 0; i < kinds.length; i++) o = walkField(r, kinds[i]!, flags[i]!, true, RDATA_SCRATCH, o);
    if (r.pos !== end) throw new WireError('trailing octets in RDATA', r.pos);
    return RDATA_SCRATCH.slice(0, o);
  } finally {
    r.end = savedEnd;
    r.pos = end;
  }
}

/**
 * Checks uncompressed RDATA of a type against its schema (no compression pointers allowed).
 * Throws WireError, offsets relative to the start of `rdata`.
 */
export function validateRdata(type: number, rdata: Uint8Array): void {
  const plan = planFor(type);
  if (plan === undefined) return;
  const r = new WireReader(rdata);
  for (let i = 0; i < plan.kinds.length; i++) walkField(r, plan.kinds[i]!, plan.flags[i]!, false, null, 0);
  if (r.pos !== rdata.length) throw new WireError('trailing octets in RDATA', r.pos);
}

// ---- Writing into a message ------------------------------------------------------------------

/**
 * Writes RDLENGTH and RDATA (uncompressed input). With `compress`, names in fields flagged
 * `compress` (RFC 1035 types) are compressed against the message; all other octets are copied.
 */
export function writeRdata(w: WireWriter, type: number, rdata: Uint8Array, compress: boolean): void {
  const plan = compress ? planFor(type) : undefined;
  if (plan === undefined || !plan.compress) {
    if (rdata.length > 0xffff) throw new RangeError('RDATA longer than 65535 octets');
    w.u16(rdata.length);
    w.bytes(rdata);
    return;
  }
  const lenAt = w.length;
  w.u16(0);
  const r = new WireReader(rdata);
  const { kinds, flags } = plan;
  // Fields other than names are copied as they are, each run of them in one copy (an SOA's five
  // counters after its names: one copy, no view per field).
  let run = -1;
  for (let i = 0; i < kinds.length; i++) {
    const kind = kinds[i]!;
    if (kind === K.name) {
      if (run >= 0) w.bytesOf(rdata, run, r.pos);
      run = -1;
      r.pos = w.nameWire(rdata, r.pos, (flags[i]! & NameFlag.compress) !== 0);
    } else {
      if (run < 0) run = r.pos;
      walkField(r, kind, flags[i]!, false, null, 0);
    }
  }
  if (run >= 0) w.bytesOf(rdata, run, r.pos);
  if (r.pos !== rdata.length) throw new WireError('trailing octets in RDATA', r.pos);
  w.setU16(lenAt, w.length - lenAt - 2);
}

// ---- Field values ----------------------------------------------------------------------------

/**
 * Decodes uncompressed RDATA into field values keyed by schema field name. Unknown types give
 * `{ data }`. Octet fields are views of `rdata` (no copy). Throws WireError when the RDATA does not
 * match the type.
 */
export function decodeRdata(type: number, rdata: Uint8Array): RdataFields {
  // The types a resolver decodes per query, read directly (same result as the schema walk below,
  // which still reports what is wrong with bad RDATA).
  switch (type) {
    case RRType.NS:
      if (wellFormedName(rdata)) return { host: sharedName(rdata, 0, rdata.length) };
      break;
    case RRType.CNAME:
    case RRType.DNAME:
    case RRType.PTR:
      if (wellFormedName(rdata)) return { target: sharedName(rdata, 0, rdata.length) };
      break;
    case RRType.A:
      if (rdata.length === 4) return { address: ipv4ToText(rdata) };
      break;
    case RRType.NSEC: {
      // RFC 4034 §4.1: the next owner name (never compressed), then the type bitmap.
      const end = nameEndIn(rdata, 0);
      if (end < 0) break;
      checkTypeBitmap(rdata, end, rdata.length);
      return { next: Name.fromWire(rdata.slice(0, end)), types: typesIn(rdata, end, rdata.length) };
    }
    case RRType.NSEC3: {
      // RFC 5155 §3.2: algorithm, flags, iterations, salt (length-prefixed), next hashed owner
      // (length-prefixed, not empty), type bitmap. Anything else is left to the schema walk.
      const hashEnd = nsec3HashEnd(rdata);
      if (hashEnd < 0) break;
      const saltEnd = 5 + rdata[4]!;
      return {
        hashAlgorithm: rdata[0]!,
        flags: rdata[1]!,
        iterations: (rdata[2]! << 8) | rdata[3]!,
        salt: rdata.subarray(5, saltEnd),
        nextHashed: rdata.subarray(saltEnd + 1, hashEnd),
        types: typesIn(rdata, hashEnd, rdata.length),
      };
    }
    case RRType.RRSIG: {
      // RFC 4034 §3.1: 18 octets of fixed fields, the signer's name (never compressed, RFC 3597
      // §4), the signature (the rest). Read with one object of one shape (no reader, no fields
      // added one by one); anything malformed is left to the schema walk below to report.
      const end = nameEndIn(rdata, RRSIG_SIGNER);
      if (end < 0) break;
      return {
        typeCovered: (rdata[0]! << 8) | rdata[1]!,
        algorithm: rdata[2]!,
        labels: rdata[3]!,
        originalTtl: u32At(rdata, 4),
        expiration: u32At(rdata, 8),
        inception: u32At(rdata, 12),
        keyTag: (rdata[16]! << 8) | rdata[17]!,
        signerName: sharedName(rdata, RRSIG_SIGNER, end),
        signature: rdata.subarray(end),
      };
    }
  }
  const plan = planFor(type);
  if (plan === undefined) return { data: rdata };
  validateRdata(type, rdata);
  const r = new WireReader(rdata);
  const out: Record<string, FieldValue> = {};
  const { kinds, names } = plan;
  for (let i = 0; i < kinds.length; i++) {
    const name = names[i]!;
    switch (kinds[i]!) {
      case K.u8:
        out[name] = r.u8();
        break;
      case K.u16:
        out[name] = r.u16();
        break;
      case K.u32:
        out[name] = r.u32();
        break;
      case K.name:
        out[name] = r.name(false);
        break;
      case K.ipv4:
        out[name] = ipv4ToText(r.bytes(4));
        break;
      case K.ipv6:
        out[name] = ipv6ToText(r.bytes(16));
        break;
      case K.string:
      case K.len8:
      case K.base32hex8:
      case K.tag:
        out[name] = r.bytes(r.u8());
        break;
      case K.strings: {
        const list: Uint8Array[] = [];
        while (r.pos < r.end) list.push(r.bytes(r.u8()));
        out[name] = list;
        break;
      }
      case K.rest:
        out[name] = r.bytes(r.remaining);
        break;
      case K.bitmap:
        out[name] = decodeTypeBitmap(r.bytes(r.remaining));
        break;
      case K.svcparams: {
        const list: SvcParam[] = [];
        while (r.pos < r.end) {
          const key = r.u16();
          list.push({ key, value: r.bytes(r.u16()) });
        }
        out[name] = list;
        break;
      }
    }
  }
  return out;
}

/** Offset of the signer's name in RRSIG RDATA (RFC 4034 §3.1). */
const RRSIG_SIGNER = 18;

/** The unsigned 32-bit value at `p` (which the caller knows is in range). */
function u32At(b: Uint8Array, p: number): number {
  return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
}

/**
 * The offset just after the uncompressed name at `start` in `rdata` (labels of 1-63 octets, the
 * root last, 255 octets at most, RFC 1035 §3.1), or -1 when there is no such name there.
 */
function nameEndIn(rdata: Uint8Array, start: number): number {
  const n = rdata.length;
  let i = start;
  while (i < n) {
    const len = rdata[i]!;
    if (len === 0) return i + 1 - start > 255 ? -1 : i + 1;
    if (len > 63) return -1;
    i += len + 1;
  }
  return -1;
}

/** True when `rdata` is exactly one uncompressed name (RFC 1035 §3.1: labels of 1-63 octets, root last, 255 at most). */
function wellFormedName(rdata: Uint8Array): boolean {
  const n = rdata.length;
  if (n > 255) return false;
  let i = 0;
  while (i < n) {
    const len = rdata[i]!;
    if (len === 0) return i === n - 1;
    if (len > 63) return false;
    i += len + 1;
  }
  return false;
}

/** decodeRdata with the typed view for the types listed in RdataTypeMap. */
export function decodeTyped<T extends keyof RdataTypeMap>(type: T, rdata: Uint8Array): RdataTypeMap[T] {
  return decodeRdata(type, rdata) as unknown as RdataTypeMap[T];
}

function fieldError(type: number, field: string, why: string): PresentationError {
  return new PresentationError(`type ${type} field ${field}: ${why}`);
}

function num(type: number, field: string, v: FieldValue | undefined, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw fieldError(type, field, `expected an integer 0..${max}`);
  }
  return v;
}

function octets(type: number, field: string, v: FieldValue | undefined, max: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw fieldError(type, field, 'expected octets');
  if (v.length > max) throw fieldError(type, field, `longer than ${max} octets`);
  return v;
}

/**
 * Encodes field values into uncompressed RDATA. Throws PresentationError for a missing or
 * out-of-range value, or when the result would not pass readRdata's checks. SvcParams are sorted
 * by key (RFC 9460 §2.2 wire order); duplicate keys are an error.
 */
export function encodeRdata(type: number, fields: RdataFields): Uint8Array {
  const plan = planFor(type);
  if (plan === undefined) {
    const data = fields.data;
    if (!(data instanceof Uint8Array)) throw fieldError(type, 'data', 'expected octets for an unknown type');
    if (data.length > 0xffff) throw fieldError(type, 'data', 'longer than 65535 octets');
    return data.slice();
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  const push = (b: Uint8Array): void => {
    parts.push(b);
    total += b.length;
  };
  const { kinds, names } = plan;
  for (let i = 0; i < kinds.length; i++) {
    const field = names[i]!;
    const v = fields[field];
    switch (kinds[i]!) {
      case K.u8:
        push(Uint8Array.of(num(type, field, v, 0xff)));
        break;
      case K.u16: {
        const n = num(type, field, v, 0xffff);
        push(Uint8Array.of(n >>> 8, n & 0xff));
        break;
      }
      case K.u32: {
        const n = num(type, field, v, 0xffffffff);
        push(Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff));
        break;
      }
      case K.name:
        if (!(v instanceof Name)) throw fieldError(type, field, 'expected a Name');
        push(v.wire);
        break;
      case K.ipv4:
        if (typeof v !== 'string') throw fieldError(type, field, 'expected an IPv4 address');
        push(ipv4FromText(v));
        break;
      case K.ipv6:
        if (typeof v !== 'string') throw fieldError(type, field, 'expected an IPv6 address');
        push(ipv6FromText(v));
        break;
      case K.string:
      case K.len8:
      case K.base32hex8:
      case K.tag: {
        const b = octets(type, field, v, 255);
        push(Uint8Array.of(b.length));
        push(b);
        break;
      }
      case K.strings: {
        if (!Array.isArray(v) || v.length === 0) throw fieldError(type, field, 'expected one or more strings');
        for (const s of v as readonly unknown[]) {
          if (!(s instanceof Uint8Array)) throw fieldError(type, field, 'expected octet strings');
          if (s.length > 255) throw fieldError(type, field, 'character-string longer than 255 octets');
          push(Uint8Array.of(s.length));
          push(s);
        }
        break;
      }
      case K.rest:
        push(octets(type, field, v, 0xffff));
        break;
      case K.bitmap:
        if (!Array.isArray(v)) throw fieldError(type, field, 'expected a list of types');
        push(encodeTypeBitmap(v as number[]));
        break;
      case K.svcparams:
        if (!Array.isArray(v)) throw fieldError(type, field, 'expected SvcParams');
        push(encodeSvcParams(type, field, v as SvcParam[]));
        break;
    }
  }
  if (total > 0xffff) throw fieldError(type, 'rdata', 'longer than 65535 octets');
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  try {
    validateRdata(type, out);
  } catch (e) {
    if (e instanceof WireError) throw new PresentationError(`type ${type}: ${e.message}`);
    throw e;
  }
  return out;
}

function encodeSvcParams(type: number, field: string, params: readonly SvcParam[]): Uint8Array {
  const sorted = [...params].sort((a, b) => a.key - b.key);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    num(type, field, p.key, 0xffff);
    if (i > 0 && sorted[i - 1]!.key === p.key) throw fieldError(type, field, `duplicate SvcParamKey ${p.key}`);
    octets(type, field, p.value, 0xffff);
    total += 4 + p.value.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of sorted) {
    out[o] = p.key >>> 8;
    out[o + 1] = p.key & 0xff;
    out[o + 2] = p.value.length >>> 8;
    out[o + 3] = p.value.length & 0xff;
    out.set(p.value, o + 4);
    o += 4 + p.value.length;
  }
  return out;
}

// ---- Type bitmaps (RFC 4034 §4.1.2) ----------------------------------------------------------

/** Encodes a set of types (any order, duplicates ignored) as windowed bitmaps. */
export function encodeTypeBitmap(types: readonly number[]): Uint8Array {
  for (const t of types) {
    if (!Number.isInteger(t) || t < 0 || t > 0xffff) throw new PresentationError(`type ${t} out of range`);
  }
  // The bits go to a shared scratch bitmap (no sorted copy of the types per call: the signer makes
  // one bitmap per name of the zone); only the windows touched are written out and cleared.
  const bits = BITMAP_SCRATCH;
  const lengths = BITMAP_WINDOW_LENGTHS;
  let first = 256;
  let last = -1;
  for (const t of types) {
    const window = t >>> 8;
    const byte = (t & 0xff) >>> 3;
    bits[window * 32 + byte]! |= 0x80 >>> (t & 7);
    if (byte + 1 > lengths[window]!) lengths[window] = byte + 1;
    if (window < first) first = window;
    if (window > last) last = window;
  }
  let size = 0;
  for (let w = first; w <= last; w++) if (lengths[w]! > 0) size += 2 + lengths[w]!;
  const out = new Uint8Array(size);
  let o = 0;
  for (let w = first; w <= last; w++) {
    const len = lengths[w]!;
    if (len === 0) continue;
    out[o] = w;
    out[o + 1] = len;
    out.set(bits.subarray(w * 32, w * 32 + len), o + 2);
    bits.fill(0, w * 32, w * 32 + len);
    lengths[w] = 0;
    o += 2 + len;
  }
  return out;
}

/** encodeTypeBitmap's scratch: 256 windows of 32 octets, and the length used in each. */
const BITMAP_SCRATCH = new Uint8Array(256 * 32);
const BITMAP_WINDOW_LENGTHS = new Uint8Array(256);

/** Decodes windowed bitmaps into a sorted list of types. Throws WireError when malformed. */
export function decodeTypeBitmap(bytes: Uint8Array): number[] {
  checkTypeBitmap(bytes, 0, bytes.length);
  return typesIn(bytes, 0, bytes.length);
}

/**
 * The types of the (checked) bitmap in `buf[from, to)`, in a list of exactly their number (a
 * list grown by push takes room for 17 more).
 */
function typesIn(buf: Uint8Array, from: number, to: number): number[] {
  let count = 0;
  for (let p = from; p < to; p += 2 + buf[p + 1]!) {
    const stop = p + 2 + buf[p + 1]!;
    for (let i = p + 2; i < stop; i++) count += BITS_SET[buf[i]!]!;
  }
  const types = new Array<number>(count);
  let k = 0;
  let p = from;
  while (p < to) {
    const base = buf[p]! << 8;
    const len = buf[p + 1]!;
    for (let j = 0; j < len; j++) {
      const b = buf[p + 2 + j]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((b & (0x80 >>> bit)) !== 0) types[k++] = base + j * 8 + bit;
    }
    p += 2 + len;
  }
  return types;
}

/** Number of bits set in each octet value. */
const BITS_SET = new Uint8Array(256);
for (let v = 1; v < 256; v++) BITS_SET[v] = (v & 1) + BITS_SET[v >>> 1]!;

/** An NSEC3 RDATA's fields before its type bitmap (RFC 5155 §3.2). */
export interface Nsec3Head {
  readonly hashAlgorithm: number;
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  readonly nextHashed: Uint8Array;
  /** Where the (checked) type bitmap starts in the RDATA; it runs to the RDATA's end. */
  readonly bitmapAt: number;
}

/**
 * Where an NSEC3 RDATA's type bitmap starts (RFC 5155 §3.2: algorithm, flags, iterations, salt
 * with its length octet, next hashed owner with its length octet, not empty), after checking that
 * bitmap (a bad one throws as in decodeRdata); -1 when the fields before it do not fit the RDATA.
 */
function nsec3HashEnd(rdata: Uint8Array): number {
  const n = rdata.length;
  if (n < 5) return -1;
  const saltEnd = 5 + rdata[4]!;
  if (saltEnd >= n) return -1;
  const hashEnd = saltEnd + 1 + rdata[saltEnd]!;
  if (hashEnd === saltEnd + 1 || hashEnd > n) return -1;
  checkTypeBitmap(rdata, hashEnd, n);
  return hashEnd;
}

/**
 * What decodeRdata(NSEC3) reads but the type list, for callers that do not need the types: the
 * same fields, views of `rdata`. The type bitmap is checked all the same, and a bad one throws as
 * in decodeRdata. Undefined when the RDATA is not of the shape decodeRdata reads directly: decode
 * it then (decodeRdata reports what is wrong with it).
 */
export function nsec3Head(rdata: Uint8Array): Nsec3Head | undefined {
  const hashEnd = nsec3HashEnd(rdata);
  if (hashEnd < 0) return undefined;
  const saltEnd = 5 + rdata[4]!;
  return {
    hashAlgorithm: rdata[0]!,
    flags: rdata[1]!,
    iterations: (rdata[2]! << 8) | rdata[3]!,
    salt: rdata.subarray(5, saltEnd),
    nextHashed: rdata.subarray(saltEnd + 1, hashEnd),
    bitmapAt: hashEnd,
  };
}

/**
 * What decodeRdata(NSEC) reads as the next owner name (RFC 4034 §4.1), without the type list; the
 * type bitmap is checked all the same (a bad one throws as in decodeRdata). Undefined when the
 * RDATA does not start with an uncompressed name: decode it then.
 */
export function nsecNext(rdata: Uint8Array): Name | undefined {
  const end = nameEndIn(rdata, 0);
  if (end < 0) return undefined;
  checkTypeBitmap(rdata, end, rdata.length);
  return Name.fromWire(rdata.slice(0, end));
}

/**
 * What decodeRdata(NSEC) reads, with the types as a TypeBitmap over the RDATA's own octets instead
 * of a list. Undefined when the RDATA does not start with an uncompressed name (decode it then, as
 * nsecNext); a bad type bitmap throws as in decodeRdata.
 */
export function nsecTyped(rdata: Uint8Array): { readonly next: Name; readonly types: TypeBitmap } | undefined {
  const end = nameEndIn(rdata, 0);
  if (end < 0) return undefined;
  checkTypeBitmap(rdata, end, rdata.length);
  return { next: Name.fromWire(rdata.slice(0, end)), types: new TypeBitmap(rdata, end, rdata.length) };
}

/** The questions a proof asks of the types an NSEC/NSEC3 lists; a ReadonlySet<number> answers them too. */
export interface TypeSet extends Iterable<number> {
  has(type: number): boolean;
  readonly size: number;
}

/**
 * The types of a type bitmap (RFC 4034 §4.1.2, RFC 5155 §3.2.1) answered from its octets, a view
 * of `buf[from, to)` that the caller has checked (checkTypeBitmap): `has` finds the type's window
 * (windows are in increasing order) and tests its bit; a window's octets past its length are 0.
 * Iteration gives the types in increasing order, as decodeTypeBitmap lists them.
 */
export class TypeBitmap implements TypeSet {
  private readonly buf: Uint8Array;
  private readonly from: number;
  private readonly to: number;

  constructor(buf: Uint8Array, from: number, to: number) {
    this.buf = buf;
    this.from = from;
    this.to = to;
  }

  has(type: number): boolean {
    // As Set.has: anything but a type number (an integer 0..65535) is not there.
    if (!Number.isInteger(type) || type < 0 || type > 0xffff) return false;
    const window = type >>> 8;
    const octet = (type & 0xff) >>> 3;
    const buf = this.buf;
    for (let p = this.from; p < this.to; p += 2 + buf[p + 1]!) {
      const w = buf[p]!;
      if (w < window) continue;
      return w === window && octet < buf[p + 1]! && (buf[p + 2 + octet]! & (0x80 >>> (type & 7))) !== 0;
    }
    return false;
  }

  /** Number of types listed (bits set). */
  get size(): number {
    const buf = this.buf;
    let count = 0;
    for (let p = this.from; p < this.to; p += 2 + buf[p + 1]!) {
      const stop = p + 2 + buf[p + 1]!;
      for (let i = p + 2; i < stop; i++) count += BITS_SET[buf[i]!]!;
    }
    return count;
  }

  [Symbol.iterator](): Iterator<number> {
    return typesIn(this.buf, this.from, this.to)[Symbol.iterator]();
  }
}

/** True when `type` is set in a (well-formed) bitmap, without decoding the whole list. */
export function bitmapHasType(bytes: Uint8Array, type: number): boolean {
  const window = type >>> 8;
  const byte = (type & 0xff) >>> 3;
  let p = 0;
  while (p + 1 < bytes.length) {
    const w = bytes[p]!;
    const len = bytes[p + 1]!;
    if (w === window) return byte < len && p + 2 + byte < bytes.length && (bytes[p + 2 + byte]! & (0x80 >>> (type & 7))) !== 0;
    if (w > window) return false;
    p += 2 + len;
  }
  return false;
}

// ---- Addresses -------------------------------------------------------------------------------

/** Dotted-quad text of 4 octets. */
export function ipv4ToText(b: Uint8Array): string {
  if (b.length !== 4) throw new RangeError('IPv4 address must be 4 octets');
  return `${b[0]!}.${b[1]!}.${b[2]!}.${b[3]!}`;
}

/** Parses a dotted quad (four decimal octets, no leading zeros). */
export function ipv4FromText(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new PresentationError(`bad IPv4 address "${text}"`);
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) throw new PresentationError(`bad IPv4 address "${text}"`);
    out[i] = Number(p);
  }
  return out;
}

/** RFC 5952 §4 canonical text of 16 octets; IPv4-mapped addresses in mixed notation (§5). */
export function ipv6ToText(b: Uint8Array): string {
  if (b.length !== 16) throw new RangeError('IPv6 address must be 16 octets');
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10 && mapped; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return `::ffff:${b[12]!}.${b[13]!}.${b[14]!}.${b[15]!}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // §4.2.2/§4.2.3: compress the longest run of two or more zero groups, the first when tied.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return `${g.slice(0, bestStart).map(hex).join(':')}::${g.slice(bestStart + bestLen).map(hex).join(':')}`;
}

/** Parses RFC 4291 §2.2 text (with `::` and a trailing dotted quad). */
export function ipv6FromText(text: string): Uint8Array {
  const bad = (): PresentationError => new PresentationError(`bad IPv6 address "${text}"`);
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.includes('::', dbl + 1)) throw bad();
  const groups = (part: string, allowV4: boolean): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (allowV4 && i === items.length - 1 && it.includes('.')) {
        const v4 = ipv4FromText(it);
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(it)) throw bad();
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  let all: number[];
  try {
    if (dbl === -1) {
      all = groups(text, true);
      if (all.length !== 8) throw bad();
    } else {
      const head = groups(text.slice(0, dbl), false);
      const tail = groups(text.slice(dbl + 2), true);
      const zeros = 8 - head.length - tail.length;
      if (zeros < 1) throw bad();
      all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
    }
  } catch {
    throw bad();
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = all[i]! >>> 8;
    out[2 * i + 1] = all[i]! & 0xff;
  }
  return out;
}
