// The little ASN.1 DER (ITU-T X.690 §10) that the crypto layer needs: building DSA SubjectPublicKeyInfo
// (RFC 5280 §4.1, RFC 3279 §2.3.2) and PKCS #8 private keys (RFC 5208 §5, RFC 5915 §3, RFC 8410 §7)
// for node:crypto, and reading DSA/ECDSA signatures that arrive as DER SEQUENCE { r, s }
// (RFC 3279 §2.2.2). The reader is strict and never throws: it returns undefined on anything
// that is not minimal, definite-length DER.

import { concatBytes, stripLeadingZeros } from './bytes.js';

function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** A TLV with the given tag and contents. */
export function derTlv(tag: number, contents: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeLength(contents.length), contents);
}

export function derSequence(...parts: readonly Uint8Array[]): Uint8Array {
  return derTlv(0x30, concatBytes(...parts));
}

/** INTEGER from a big-endian unsigned value: minimal, with a 0x00 prefix when the top bit is set. */
export function derUnsignedInteger(value: Uint8Array): Uint8Array {
  const v = stripLeadingZeros(value);
  if (v.length === 0) return Uint8Array.of(0x02, 0x01, 0x00);
  const body = (v[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), v) : v;
  return derTlv(0x02, body);
}

export function derSmallInteger(n: number): Uint8Array {
  return Uint8Array.of(0x02, 0x01, n & 0xff);
}

export function derOctetString(contents: Uint8Array): Uint8Array {
  return derTlv(0x04, contents);
}

/** BIT STRING with no unused bits. */
export function derBitString(contents: Uint8Array): Uint8Array {
  return derTlv(0x03, concatBytes(Uint8Array.of(0), contents));
}

/** An OBJECT IDENTIFIER given as its encoded contents in hex (the TLV is added here). */
export function derOid(contentsHex: string): Uint8Array {
  return derTlv(0x06, new Uint8Array(Buffer.from(contentsHex, 'hex')));
}

export interface Tlv {
  readonly tag: number;
  readonly contents: Uint8Array;
  readonly end: number;
}

/** Reads one TLV at `offset`; undefined if it is truncated or its length is not minimal DER. */
export function readTlv(buf: Uint8Array, offset: number): Tlv | undefined {
  if (offset + 2 > buf.length) return undefined;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len >= 0x80) {
    const count = len & 0x7f;
    // Long form must be needed (X.690 §10.1); nothing we read is over 16 MiB.
    if (count === 0 || count > 3 || p + count > buf.length) return undefined;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[p + i]!;
    if (buf[p] === 0 || len < 0x80) return undefined;
    p += count;
  }
  if (p + len > buf.length) return undefined;
  return { tag, contents: buf.subarray(p, p + len), end: p + len };
}

/** All TLVs in `contents` (e.g. a SEQUENCE's members), or undefined if any is malformed. */
export function readChildren(contents: Uint8Array): Tlv[] | undefined {
  const out: Tlv[] = [];
  let off = 0;
  while (off < contents.length) {
    const t = readTlv(contents, off);
    if (t === undefined) return undefined;
    out.push(t);
    off = t.end;
  }
  return out;
}

/** A non-negative minimal INTEGER's magnitude (leading sign octet removed), else undefined. */
export function readUnsignedInteger(tlv: Tlv): Uint8Array | undefined {
  const c = tlv.contents;
  if (tlv.tag !== 0x02 || c.length === 0) return undefined;
  if ((c[0]! & 0x80) !== 0) return undefined; // negative
  if (c.length > 1 && c[0] === 0 && (c[1]! & 0x80) === 0) return undefined; // not minimal
  return c[0] === 0 ? c.subarray(1) : c;
}

/**
 * Reads a DER `SEQUENCE { INTEGER r, INTEGER s }` (RFC 3279 §2.2.2 Dss-Sig-Value, ECDSA-Sig-Value)
 * occupying the whole input. Returns the magnitudes, or undefined for anything else.
 */
export function parseDerSignature(sig: Uint8Array): { r: Uint8Array; s: Uint8Array } | undefined {
  const seq = readTlv(sig, 0);
  if (seq?.tag !== 0x30 || seq.end !== sig.length) return undefined;
  const rTlv = readTlv(seq.contents, 0);
  if (rTlv === undefined) return undefined;
  const sTlv = readTlv(seq.contents, rTlv.end);
  if (sTlv?.end !== seq.contents.length) return undefined;
  const r = readUnsignedInteger(rTlv);
  const s = readUnsignedInteger(sTlv);
  if (r === undefined || s === undefined) return undefined;
  return { r, s };
}
