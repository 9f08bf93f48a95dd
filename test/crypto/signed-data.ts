// Builds RRSIG signed data by hand for the crypto tests (RFC 4034 §3.1.8.1): the RRSIG rdata
// without the signature field, then each RR of the RRset in canonical form (§6.2: owner in
// lower case without compression, type, class, original TTL, RDLENGTH, rdata). The crypto layer
// does not depend on the wire codec, so its tests do not either.

import type { RfcExample, RrsigFields } from '../vectors/crypto-rfc-examples.js';

/** A fully qualified presentation name (plain LDH labels only) in canonical wire form. */
export function nameWire(name: string): Uint8Array {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const out: number[] = [];
  for (const l of labels) {
    const b = Buffer.from(l.toLowerCase(), 'ascii');
    out.push(b.length, ...b);
  }
  out.push(0);
  return Uint8Array.from(out);
}

function u16(n: number): number[] {
  return [(n >>> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

/** RRSIG rdata up to and including the signer's name (RFC 4034 §3.1). */
export function rrsigPrefix(r: RrsigFields): Uint8Array {
  return Uint8Array.from([
    ...u16(r.typeCovered),
    r.algorithm,
    r.labels,
    ...u32(r.originalTtl),
    ...u32(r.expiration),
    ...u32(r.inception),
    ...u16(r.keyTag),
    ...nameWire(r.signer),
  ]);
}

/** One RR in canonical form with class IN. */
export function canonicalRr(owner: string, type: number, ttl: number, rdata: Uint8Array): Uint8Array {
  return Uint8Array.from([...nameWire(owner), ...u16(type), ...u16(1), ...u32(ttl), ...u16(rdata.length), ...rdata]);
}

export function signedData(rrsig: RrsigFields, owner: string, type: number, rdatas: readonly Uint8Array[]): Uint8Array {
  const sorted = [...rdatas].sort((a, b) => Buffer.compare(a, b));
  return Uint8Array.from([...rrsigPrefix(rrsig), ...sorted.flatMap((rd) => [...canonicalRr(owner, type, rrsig.originalTtl, rd)])]);
}

/** The signed data for an RFC example, optionally with different RRSIG fields. */
export function exampleSignedData(ex: RfcExample, rrsig: Partial<RrsigFields> = {}): Uint8Array {
  return signedData({ ...ex.rrsig, ...rrsig }, ex.owner, ex.type, [Uint8Array.from(Buffer.from(ex.rdataHex, 'hex'))]);
}

export function b64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'base64'));
}

export function hex(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
