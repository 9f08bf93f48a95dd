// Base 32 with the extended hex alphabet (RFC 4648 §7), as NSEC3 uses it for hashed owner names
// and the Next Hashed Owner Name field (RFC 5155 §1.3, §3.3). The alphabet keeps the sort order
// of the octets, which is what makes hashed owner names sort like the hashes (RFC 5155 §1.3).
//
// Encoding writes no padding (RFC 5155 §3.3 presentation has none). Decoding is case-insensitive
// (owner names are compared case-insensitively, RFC 4343), accepts no padding and no white space,
// and rejects input that is not the canonical encoding of some octets (RFC 4648 §3.5: lengths
// that leave a partial octet, or non-zero bits left over after the last octet).
//
// Pure module: no I/O, no clock.

import { PresentationError } from '../core/errors.js';

const UPPER_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
const LOWER_ALPHABET = '0123456789abcdefghijklmnopqrstuv';

/** Value of each character code, -1 for characters outside the alphabet (either case). */
let decodeTable: Int8Array | undefined;
function table(): Int8Array {
  if (decodeTable === undefined) {
    const t = new Int8Array(128).fill(-1);
    for (let i = 0; i < 32; i++) {
      t[UPPER_ALPHABET.charCodeAt(i)] = i;
      t[LOWER_ALPHABET.charCodeAt(i)] = i;
    }
    decodeTable = t;
  }
  return decodeTable;
}

/** Number of characters that `n` octets encode to without padding. */
export function base32hexLength(n: number): number {
  return Math.ceil((n * 8) / 5);
}

/**
 * Encodes octets as base32hex without padding. Upper case by default, as RFC 4648 and the NSEC3
 * RDATA presentation print it; `lower` gives the lower-case form used for owner-name labels.
 */
export function base32hexEncode(bytes: Uint8Array, lower = false): string {
  const alphabet = lower ? LOWER_ALPHABET : UPPER_ALPHABET;
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += alphabet[(buffer >>> bits) & 31]!;
    }
  }
  if (bits > 0) out += alphabet[(buffer << (5 - bits)) & 31]!;
  return out;
}

/**
 * Decodes the `length` character codes at `codes[from..]` as unpadded base32hex; undefined when
 * they are not a canonical encoding. Shared by the string and label entry points (a label is read
 * where it lies, in the name's wire form: no view or closure per call).
 */
function decodeCodes(codes: Uint8Array, from: number, length: number): Uint8Array | undefined {
  // RFC 4648 §6: a final quantum of 2, 4, 5 or 7 characters carries 1, 2, 3 or 4 octets;
  // 1, 3 or 6 leftover characters cannot come from any octet string.
  const rem = length % 8;
  if (rem === 1 || rem === 3 || rem === 6) return undefined;
  const t = table();
  const out = new Uint8Array(Math.floor((length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let o = 0;
  for (let i = from; i < from + length; i++) {
    const c = codes[i]!;
    const v = c < 128 ? t[c]! : -1;
    if (v < 0) return undefined;
    buffer = ((buffer << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >>> bits) & 0xff;
    }
  }
  // The bits left over must be zero for the encoding to be the canonical one (RFC 4648 §3.5).
  if ((buffer & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** Decodes unpadded base32hex (either case); undefined when `text` is not valid. */
export function base32hexTryDecode(text: string): Uint8Array | undefined {
  // Character codes past 127 are never base32hex: kept as 255 (also never base32hex).
  const codes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = Math.min(text.charCodeAt(i), 255);
  return decodeCodes(codes, 0, codes.length);
}

/** Decodes unpadded base32hex (either case); throws PresentationError when `text` is not valid. */
export function base32hexDecode(text: string): Uint8Array {
  const out = base32hexTryDecode(text);
  if (out === undefined) throw new PresentationError(`not a base32hex string: "${text}"`);
  return out;
}

/** Decodes a label's octets read as base32hex text (an NSEC3 owner label); undefined when invalid. */
export function base32hexDecodeLabel(label: Uint8Array): Uint8Array | undefined {
  return decodeCodes(label, 0, label.length);
}

/**
 * base32hexDecodeLabel of the first label of a name in wire form (its length octet at 0), read in
 * place.
 */
export function base32hexDecodeFirstLabel(wire: Uint8Array): Uint8Array | undefined {
  return decodeCodes(wire, 1, wire[0]!);
}
