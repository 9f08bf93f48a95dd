// Canonical form of RDATA and the signature input of an RRSIG: the one place anchord computes
// them (DESIGN.md convention 4), shared by the signer, the validator and verify-zone.
//
// - Canonical RDATA (RFC 4034 §6.2 item 3): names embedded in the RDATA of the types RFC 4034
//   lists are lower-cased, except the NSEC next owner name (RFC 6840 §5.1 narrows the list) and
//   the names in types that RFC 3597 §7 leaves alone (types defined later, and unknown types,
//   are hashed as their octets). Which name fields are lower-cased is the `lower` flag in
//   wire/rdata-schema.ts; this module only walks field lengths on the bytes, with no decode.
// - Signature input (RFC 4034 §3.1.8.1): the RRSIG RDATA without the Signature field, signer's
//   name lower-cased, followed by every RR of the RRset in canonical form (RFC 4034 §6.2): owner
//   lower-cased, or `*.` plus the rightmost Labels labels when the RRSIG Labels field is smaller
//   than the owner's label count (the answer came from a wildcard, RFC 4035 §5.3.2); the RRSIG's
//   Original TTL in place of the TTL; canonical RDATA. The RRs are sorted by canonical RDATA as
//   left-justified octet strings and duplicates are dropped (RFC 4034 §6.3).
//
// Pure module: no I/O, no clock. RDATA is uncompressed wire form (wire/record.ts); a name that
// runs past the RDATA or carries a compression pointer is malformed input and throws WireError.

import { WireError } from '../core/errors.js';
import type { Name } from '../wire/name.js';
import { NameFlag, schemaFor, type FieldKind } from '../wire/rdata-schema.js';
import { compareBytes, type RRset } from '../wire/record.js';

// A plan is the list of fields up to and including the last lower-cased name, each as a step:
// a positive number is a fixed width to skip, or one of these codes.
const NAME_KEEP = -1;
const NAME_LOWER = -2;
const LEN8 = -3;

/** Plans by type, built on first use; null means "no name to lower-case: RDATA is canonical". */
const plans = new Map<number, readonly number[] | null>();

function fixedWidth(kind: FieldKind): number | undefined {
  switch (kind) {
    case 'u8':
      return 1;
    case 'u16':
    case 'type':
      return 2;
    case 'u32':
    case 'time':
    case 'ttl':
    case 'ipv4':
      return 4;
    case 'ipv6':
      return 16;
    default:
      return undefined;
  }
}

function planFor(type: number): readonly number[] | null {
  const cached = plans.get(type);
  if (cached !== undefined) return cached;
  let plan: number[] | null = null;
  const schema = schemaFor(type);
  if (schema !== undefined) {
    const steps: number[] = [];
    let lastLower = -1;
    for (const field of schema.fields) {
      const w = fixedWidth(field.kind);
      if (w !== undefined) {
        steps.push(w);
      } else if (field.kind === 'name') {
        if (((field.flags ?? 0) & NameFlag.lower) !== 0) {
          steps.push(NAME_LOWER);
          lastLower = steps.length;
        } else {
          steps.push(NAME_KEEP);
        }
      } else if (field.kind === 'string' || field.kind === 'tag' || field.kind === 'hex8' || field.kind === 'base32hex8') {
        steps.push(LEN8);
      } else {
        // A "rest" field: always last, and nothing after it can be a name.
        break;
      }
    }
    if (lastLower > 0) plan = steps.slice(0, lastLower);
  }
  plans.set(type, plan);
  return plan;
}

/**
 * The offset just after the uncompressed name that starts at `p` in `rdata`. Throws WireError
 * when the name runs past the RDATA or is compressed or malformed.
 */
function nameEnd(rdata: Uint8Array, p: number): number {
  const len = rdata.length;
  while (true) {
    if (p >= len) throw new WireError('name runs past the RDATA', p);
    const l = rdata[p]!;
    if (l === 0) return p + 1;
    // Uncompressed RDATA only: 0xC0 pointers (and the reserved 0x40/0x80 forms) are malformed.
    if (l > 63) throw new WireError('compressed or malformed name in RDATA', p);
    const end = p + 1 + l;
    if (end > len) throw new WireError('label runs past the RDATA', p);
    p = end;
  }
}

/** True when `bytes[from, to)` holds an upper-case ASCII letter. */
function hasUpper(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b >= 0x41 && b <= 0x5a) return true;
  }
  return false;
}

/**
 * Lower-cases the ASCII letters of `bytes[from, to)` in place (RFC 4034 §6.2 item 3, RFC 4343 §3:
 * only A-Z fold). Over a whole name this leaves the length octets alone: they are at most 63,
 * below 'A'.
 */
function lowerInPlace(bytes: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b >= 0x41 && b <= 0x5a) bytes[i] = b | 0x20;
  }
}

/**
 * The canonical form of one RDATA (RFC 4034 §6.2): the names the schema flags `lower` are
 * lower-cased, everything else is left as it is. Returns `rdata` itself when nothing changes
 * (no such names, or they are already lower case), a new array otherwise.
 */
export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const plan = planFor(type);
  if (plan === null) return rdata;
  let out: Uint8Array | undefined;
  let p = 0;
  for (const step of plan) {
    if (step > 0) {
      p += step;
    } else if (step === LEN8) {
      if (p >= rdata.length) throw new WireError('field runs past the RDATA', p);
      p += 1 + rdata[p]!;
    } else {
      const end = nameEnd(rdata, p);
      // Copied on the first upper-case octet of a name to lower-case.
      if (step === NAME_LOWER && hasUpper(rdata, p, end)) lowerInPlace((out ??= rdata.slice()), p, end);
      p = end;
    }
  }
  if (p > rdata.length) throw new WireError('field runs past the RDATA', rdata.length);
  return out ?? rdata;
}

/**
 * The RDATAs of an RRset in canonical form and canonical order (RFC 4034 §6.3): sorted as
 * left-justified octet strings, duplicates dropped.
 */
export function canonicalRRsetRdatas(type: number, rdatas: readonly Uint8Array[]): Uint8Array[] {
  // A loop, not rdatas.map: V8's optimised map makes a holey array where the unoptimised one
  // makes a packed one, and each change of kind deoptimised the code reading `list` ("wrong map").
  const list: Uint8Array[] = [];
  for (const r of rdatas) list.push(canonicalRdata(type, r));
  if (list.length < 2) return list;
  list.sort(compareBytes);
  let w = 1;
  for (let i = 1; i < list.length; i++) {
    if (compareBytes(list[i]!, list[w - 1]!) !== 0) list[w++] = list[i]!;
  }
  list.length = w;
  return list;
}

/** Length of the fixed RRSIG RDATA fields before the signer's name (RFC 4034 §3.1). */
const RRSIG_FIXED = 18;

/**
 * The data an RRSIG signs (RFC 4034 §3.1.8.1) for `rrset`, built in one buffer.
 *
 * `rrsigRdata` is the RRSIG's wire RDATA; its Signature field is ignored (it may be empty, as
 * when signing). `owner` defaults to the RRset's owner; pass it when the records were received
 * under another spelling of the name. When the RRSIG Labels field is smaller than the owner's
 * label count the owner is replaced by the wildcard that generated it, `*.` followed by the
 * rightmost Labels labels (RFC 4035 §5.3.2). A Labels field larger than the owner's label count
 * makes the RRSIG invalid (RFC 4035 §5.3.1); that check is the caller's, and here the owner is
 * used as it is.
 */
export function signedData(rrsigRdata: Uint8Array, rrset: RRset, owner: Name = rrset.name): Uint8Array {
  if (rrsigRdata.length < RRSIG_FIXED + 1) throw new WireError('RRSIG RDATA too short', rrsigRdata.length);
  const labels = rrsigRdata[3]!;
  const headerEnd = nameEnd(rrsigRdata, RRSIG_FIXED);

  // Owner in canonical form, wildcard-expanded per the Labels field: `*.` and the rightmost
  // Labels labels of the owner, which start after its first (count - Labels) labels.
  const ownerWire = owner.wire;
  const wildcard = labels < owner.labelCount;
  let ownerFrom = 0;
  if (wildcard) for (let k = owner.labelCount - labels; k > 0; k--) ownerFrom += ownerWire[ownerFrom]! + 1;
  const ownerLength = (wildcard ? 2 : 0) + ownerWire.length - ownerFrom;

  // One RDATA (the usual RRset) needs no list to sort.
  const type = rrset.type;
  const many = rrset.rdatas.length === 1 ? undefined : canonicalRRsetRdatas(type, rrset.rdatas);
  const one = many === undefined ? canonicalRdata(type, rrset.rdatas[0]!) : undefined;
  const count = many === undefined ? 1 : many.length;
  let total = headerEnd;
  for (let k = 0; k < count; k++) total += ownerLength + 10 + (many === undefined ? one! : many[k]!).length;

  // The RRSIG RDATA up to the signature, its signer's name lower-cased (RFC 4034 §3.1.8.1).
  const out = new Uint8Array(total);
  for (let i = 0; i < headerEnd; i++) out[i] = rrsigRdata[i]!;
  lowerInPlace(out, RRSIG_FIXED, headerEnd);
  let p = headerEnd;
  const ownerAt = p;
  const klass = rrset.class;
  for (let k = 0; k < count; k++) {
    const r = many === undefined ? one! : many[k]!;
    if (k === 0) {
      if (wildcard) {
        out[p++] = 1;
        out[p++] = 0x2a; // '*'
      }
      for (let i = ownerFrom; i < ownerWire.length; i++) out[p++] = ownerWire[i]!;
      lowerInPlace(out, ownerAt, p);
    } else {
      out.copyWithin(p, ownerAt, ownerAt + ownerLength);
      p += ownerLength;
    }
    out[p++] = type >>> 8;
    out[p++] = type & 0xff;
    out[p++] = klass >>> 8;
    out[p++] = klass & 0xff;
    // Original TTL, RDATA octets 4-7, copied as they are.
    out[p++] = rrsigRdata[4]!;
    out[p++] = rrsigRdata[5]!;
    out[p++] = rrsigRdata[6]!;
    out[p++] = rrsigRdata[7]!;
    out[p++] = r.length >>> 8;
    out[p++] = r.length & 0xff;
    out.set(r, p);
    p += r.length;
  }
  return out;
}
