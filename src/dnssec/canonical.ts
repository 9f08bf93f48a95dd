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
 * Walks one uncompressed name starting at `p`; when `out` is given, lower-cases its labels there
 * (copying `rdata` into a fresh array on the first upper-case octet). Returns the offset after the
 * name and the output array so far.
 */
function walkName(
  rdata: Uint8Array,
  p: number,
  lower: boolean,
  out: Uint8Array | undefined,
): { end: number; out: Uint8Array | undefined } {
  const len = rdata.length;
  while (true) {
    if (p >= len) throw new WireError('name runs past the RDATA', p);
    const l = rdata[p]!;
    if (l === 0) return { end: p + 1, out };
    // Uncompressed RDATA only: 0xC0 pointers (and the reserved 0x40/0x80 forms) are malformed.
    if (l > 63) throw new WireError('compressed or malformed name in RDATA', p);
    const end = p + 1 + l;
    if (end > len) throw new WireError('label runs past the RDATA', p);
    if (lower) {
      for (let i = p + 1; i < end; i++) {
        const b = rdata[i]!;
        if (b >= 0x41 && b <= 0x5a) {
          out ??= rdata.slice();
          out[i] = b | 0x20;
        }
      }
    }
    p = end;
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
      const r = walkName(rdata, p, step === NAME_LOWER, out);
      p = r.end;
      out = r.out;
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
  const list = rdatas.map((r) => canonicalRdata(type, r));
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
  const signer = walkName(rrsigRdata, RRSIG_FIXED, true, undefined);
  const headerEnd = signer.end;
  const header = signer.out ?? rrsigRdata;

  // Owner in canonical form, wildcard-expanded per the Labels field.
  const ownerCount = owner.labelCount;
  let ownerWire: Uint8Array;
  if (labels < ownerCount) {
    const suffix = owner.suffix(labels).canonicalWire();
    ownerWire = new Uint8Array(2 + suffix.length);
    ownerWire[0] = 1;
    ownerWire[1] = 0x2a; // '*'
    ownerWire.set(suffix, 2);
  } else {
    ownerWire = owner.canonicalWire();
  }

  const rdatas = canonicalRRsetRdatas(rrset.type, rrset.rdatas);
  const perRecord = ownerWire.length + 10;
  let total = headerEnd;
  for (const r of rdatas) total += perRecord + r.length;

  const out = new Uint8Array(total);
  out.set(header.subarray(0, headerEnd), 0);
  let p = headerEnd;
  const type = rrset.type;
  const klass = rrset.class;
  for (const r of rdatas) {
    out.set(ownerWire, p);
    p += ownerWire.length;
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
