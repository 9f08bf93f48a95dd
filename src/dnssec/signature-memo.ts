// Signature checks already passed, remembered so that the same check is not made twice.
//
// A signature check is a pure function of (algorithm, public key, signed data, signature): the
// signed data (RFC 4034 §3.1.8.1) holds the whole RRSIG RDATA but the signature, so its validity
// window, signer and labels, and the RRset in canonical form with the Original TTL. When a check
// with exactly these four inputs succeeded before, it succeeds again; the memo answers it without
// the public-key operation. Everything RFC 4035 §5.3.1 asks besides the cryptography (validity
// window against the current time, key usable, signer the zone, labels in range) is still checked
// by the caller on every use, and the work budget still counts the check (budget.ts), so a memo hit
// changes the cost of a verdict and never the verdict.
//
// What recurs across the responses of a zone is the proof material: the SOA and the NSEC/NSEC3
// records that cover the apex and the wildcard come back in every negative answer of the zone,
// DNSKEY and DS RRsets with every re-fetch. Unbound gets the same effect from its RRset cache
// (rrset_check_sec_status: an RRset equal to a cached secure one, signatures included, takes its
// status). Which RRsets are remembered is the caller's choice (rrset-validator.ts: those types).
//
// Only successes are remembered: a failed check proves nothing about the next one, and KeyTrap
// work is bounded by the budget, not by a cache. Lookups compare all four inputs in full; the
// index is a 31-bit value taken from the signature's last octets (signatures are uniformly
// distributed; a collision only replaces an entry). Bounded: two generations of `generation`
// entries; an entry found in the old generation moves to the new one, so what recurs stays and the
// rest ages out (a cold stream of unique answers never evicts a zone's SOA while it is in use).
//
// The signed data is itself a pure function of the inputs it is built from as they arrived: the
// RRSIG RDATA but the signature, the owner used for signing (its rightmost Labels labels, behind
// `*.` when Labels is smaller than the owner's count, RFC 4035 §5.3.2), the type, the class, and the
// RDATA of the records (RFC 4034 §3.1.8.1, §6.2, §6.3). An entry added with those inputs also
// keeps them, octet for octet and in the order received; a later check whose inputs are identical
// builds the same signed data, so `knowsInputs`/`hasInputs` answer it without building the
// canonical form at all. Anything not identical (owner case, record order, one octet) takes the
// signed-data path as before, which may still find the entry by its signed data.
//
// Pure module: no I/O, no clock.

import type { Name } from '../wire/name.js';
import type { RRset } from '../wire/record.js';
import { bytesEqual } from '../wire/record.js';

interface MemoEntry {
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
  /** The inputs of `data` as received (inputsOf), when the check was added with them. */
  readonly inputs: Uint8Array | undefined;
}

/** Where the owner used for signing starts in `owner`'s wire form: after its first (count - labels) labels. */
function signingOwnerFrom(owner: Name, labels: number): number {
  const wire = owner.wire;
  let from = 0;
  for (let k = owner.labelCount - labels; k > 0; k--) from += wire[from]! + 1;
  return from;
}

/**
 * The inputs the signed data of `rrsigRdata` over `rrset` is built from, as one octet string:
 * the RRSIG RDATA up to the signature (its Labels field included), a wildcard flag (Labels smaller
 * than the owner's count), the owner used for signing as received, type, class, the record count,
 * then each RDATA with its length, in the order received. Equal strings give equal signed data
 * (canonical.ts signedData reads nothing else).
 */
function inputsOf(rrsigRdata: Uint8Array, signatureLength: number, rrset: RRset): Uint8Array {
  const head = rrsigRdata.length - signatureLength;
  const owner = rrset.name;
  const labels = rrsigRdata[3]!;
  const from = signingOwnerFrom(owner, labels);
  const wire = owner.wire;
  const rdatas = rrset.rdatas;
  let total = 2 + head + 1 + (wire.length - from) + 6;
  for (const r of rdatas) total += 2 + r.length;
  const out = new Uint8Array(total);
  let p = 0;
  out[p++] = head >>> 8;
  out[p++] = head & 0xff;
  out.set(rrsigRdata.subarray(0, head), p);
  p += head;
  out[p++] = labels < owner.labelCount ? 1 : 0;
  out.set(wire.subarray(from), p);
  p += wire.length - from;
  out[p++] = rrset.type >>> 8;
  out[p++] = rrset.type & 0xff;
  out[p++] = rrset.class >>> 8;
  out[p++] = rrset.class & 0xff;
  out[p++] = rdatas.length >>> 8;
  out[p++] = rdatas.length & 0xff;
  for (const r of rdatas) {
    out[p++] = r.length >>> 8;
    out[p++] = r.length & 0xff;
    out.set(r, p);
    p += r.length;
  }
  return out;
}

/** True when `inputs` (inputsOf) are exactly those of `rrsigRdata` over `rrset`; allocates nothing. */
function sameInputs(inputs: Uint8Array, rrsigRdata: Uint8Array, signatureLength: number, rrset: RRset): boolean {
  const head = rrsigRdata.length - signatureLength;
  if (head < 4 || inputs.length < 2 || ((inputs[0]! << 8) | inputs[1]!) !== head) return false;
  let p = 2;
  if (inputs.length < p + head) return false;
  for (let i = 0; i < head; i++) if (inputs[p + i] !== rrsigRdata[i]) return false;
  p += head;
  const owner = rrset.name;
  const labels = rrsigRdata[3]!;
  if (labels > owner.labelCount) return false;
  if (inputs[p++] !== (labels < owner.labelCount ? 1 : 0)) return false;
  const wire = owner.wire;
  const from = signingOwnerFrom(owner, labels);
  const ownerLength = wire.length - from;
  if (inputs.length < p + ownerLength + 6) return false;
  for (let i = 0; i < ownerLength; i++) if (inputs[p + i] !== wire[from + i]) return false;
  p += ownerLength;
  const rdatas = rrset.rdatas;
  if (
    inputs[p] !== rrset.type >>> 8 ||
    inputs[p + 1] !== (rrset.type & 0xff) ||
    inputs[p + 2] !== rrset.class >>> 8 ||
    inputs[p + 3] !== (rrset.class & 0xff) ||
    ((inputs[p + 4]! << 8) | inputs[p + 5]!) !== rdatas.length
  ) {
    return false;
  }
  p += 6;
  for (const r of rdatas) {
    if (inputs.length < p + 2 + r.length || ((inputs[p]! << 8) | inputs[p + 1]!) !== r.length) return false;
    p += 2;
    for (let i = 0; i < r.length; i++) if (inputs[p + i] !== r[i]) return false;
    p += r.length;
  }
  return p === inputs.length;
}

/** Index of a signature: its length and last three octets, as a small integer. */
function indexOf(signature: Uint8Array): number {
  const n = signature.length;
  if (n < 3) return n;
  return ((signature[n - 1]! << 21) ^ (signature[n - 2]! << 13) ^ (signature[n - 3]! << 5) ^ n) >>> 0;
}

/** `bytes` itself when it spans its whole buffer, else a copy of just its octets. */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

export class SignatureMemo {
  private readonly generation: number;
  private current = new Map<number, MemoEntry>();
  private previous = new Map<number, MemoEntry>();
  /** Checks answered from the memo, for metrics and tests. */
  hits = 0;
  /** Of `hits`, those answered from the inputs as received, with no signed data built. */
  inputHits = 0;

  /** `generation`: entries per generation (the memo holds up to twice as many), 1..1,000,000. */
  constructor(generation = 2048) {
    if (!Number.isInteger(generation) || generation < 1 || generation > 1_000_000) {
      throw new RangeError(`signature memo generation must be 1..1000000, got ${String(generation)}`);
    }
    this.generation = generation;
  }

  /** Entries held. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** True when this exact check succeeded before (and is still remembered). */
  has(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    const i = indexOf(signature);
    const e = this.current.get(i) ?? this.previous.get(i);
    if (
      e === undefined ||
      e.algorithm !== algorithm ||
      !bytesEqual(e.signature, signature) ||
      !(e.publicKey === publicKey || bytesEqual(e.publicKey, publicKey)) ||
      !bytesEqual(e.data, data)
    ) {
      return false;
    }
    this.used(i, e);
    return true;
  }

  /**
   * The public key of a remembered check whose signed data was built from exactly these inputs
   * (RRSIG RDATA `rrsigRdata`, whose last `signature` octets are the signature, over `rrset`), or
   * undefined. Changes nothing: the caller then asks `hasInputs` for the key it is at.
   */
  knowsInputs(algorithm: number, signature: Uint8Array, rrsigRdata: Uint8Array, rrset: RRset): Uint8Array | undefined {
    const e = this.findInputs(algorithm, signature, rrsigRdata, rrset);
    return e?.publicKey;
  }

  /**
   * True when the check of `signature` by `publicKey` over the signed data of `rrsigRdata` and
   * `rrset` succeeded before with these very inputs: the same answer as `has` with that signed
   * data, which need not be built.
   */
  hasInputs(algorithm: number, publicKey: Uint8Array, signature: Uint8Array, rrsigRdata: Uint8Array, rrset: RRset): boolean {
    const e = this.findInputs(algorithm, signature, rrsigRdata, rrset);
    if (e === undefined || !(e.publicKey === publicKey || bytesEqual(e.publicKey, publicKey))) return false;
    this.inputHits++;
    this.used(indexOf(signature), e);
    return true;
  }

  private findInputs(algorithm: number, signature: Uint8Array, rrsigRdata: Uint8Array, rrset: RRset): MemoEntry | undefined {
    const i = indexOf(signature);
    const e = this.current.get(i) ?? this.previous.get(i);
    if (
      e === undefined ||
      e.inputs === undefined ||
      e.algorithm !== algorithm ||
      !bytesEqual(e.signature, signature) ||
      !sameInputs(e.inputs, rrsigRdata, signature.length, rrset)
    ) {
      return undefined;
    }
    return e;
  }

  /** Counts a hit on entry `e` at index `i`; an entry found in the old generation moves to the new one. */
  private used(i: number, e: MemoEntry): void {
    if (this.current.get(i) !== e) {
      this.previous.delete(i);
      this.put(i, e);
    }
    this.hits++;
  }

  /**
   * Remembers a check that succeeded. The signature is copied, as it is a view into a received
   * message. The key and the signed data are kept by reference when they own their whole buffer
   * (the key then belongs to a validated key set the key cache holds anyway, and the same object
   * comes back with every use of that set: a fast identity compare) and copied when they are views
   * into a larger one, so that a remembered check never keeps a whole upstream message alive.
   * `from`: the RRSIG RDATA (ending in `signature`) and the RRset `data` was built from, kept as
   * octets (inputsOf) so that the same inputs are known again without building `data`.
   */
  add(
    algorithm: number,
    publicKey: Uint8Array,
    data: Uint8Array,
    signature: Uint8Array,
    from?: { readonly rrsigRdata: Uint8Array; readonly rrset: RRset },
  ): void {
    const inputs = from === undefined ? undefined : inputsOf(from.rrsigRdata, signature.length, from.rrset);
    this.put(indexOf(signature), { algorithm, publicKey: owned(publicKey), data: owned(data), signature: signature.slice(), inputs });
  }

  private put(i: number, e: MemoEntry): void {
    if (this.current.size >= this.generation && !this.current.has(i)) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(i, e);
  }
}
