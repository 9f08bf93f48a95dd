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
// Pure module: no I/O, no clock.

import { bytesEqual } from '../wire/record.js';

interface MemoEntry {
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
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
    let e = this.current.get(i);
    let old = false;
    if (e === undefined) {
      e = this.previous.get(i);
      if (e === undefined) return false;
      old = true;
    }
    if (
      e.algorithm !== algorithm ||
      !bytesEqual(e.signature, signature) ||
      !(e.publicKey === publicKey || bytesEqual(e.publicKey, publicKey)) ||
      !bytesEqual(e.data, data)
    ) {
      return false;
    }
    if (old) {
      this.previous.delete(i);
      this.put(i, e);
    }
    this.hits++;
    return true;
  }

  /**
   * Remembers a check that succeeded. The signature is copied, as it is a view into a received
   * message. The key and the signed data are kept by reference when they own their whole buffer
   * (the key then belongs to a validated key set the key cache holds anyway, and the same object
   * comes back with every use of that set: a fast identity compare) and copied when they are views
   * into a larger one, so that a remembered check never keeps a whole upstream message alive.
   */
  add(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): void {
    this.put(indexOf(signature), { algorithm, publicKey: owned(publicKey), data: owned(data), signature: signature.slice() });
  }

  private put(i: number, e: MemoEntry): void {
    if (this.current.size >= this.generation && !this.current.has(i)) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(i, e);
  }
}
