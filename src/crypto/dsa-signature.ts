// DSA signature field (RFC 2536 §3): T (1 octet), R (20), S (20). Some old test material carries
// the DER form (RFC 3279 §2.2.2 Dss-Sig-Value) instead; both decode here to R and S as 20 octets.

import { concatBytes, fitUnsigned } from './bytes.js';
import { parseDerSignature } from './der.js';

/** R and S (20 octets each) from an RFC 2536 or DER signature, or undefined if it is neither. */
export function decodeDsaSignature(sig: Uint8Array): { r: Uint8Array; s: Uint8Array } | undefined {
  // A DER SEQUENCE starts with 0x30, which is never a valid T (0..8).
  if (sig.length === 41 && sig[0]! <= 8) return { r: sig.subarray(1, 21), s: sig.subarray(21, 41) };
  const der = parseDerSignature(sig);
  if (der === undefined) return undefined;
  const r = fitUnsigned(der.r, 20);
  const s = fitUnsigned(der.s, 20);
  if (r === undefined || s === undefined) return undefined;
  return { r, s };
}

/** The RFC 2536 §3 signature field. */
export function encodeDsaSignature(t: number, r: Uint8Array, s: Uint8Array): Uint8Array {
  const rr = fitUnsigned(r, 20);
  const ss = fitUnsigned(s, 20);
  if (rr === undefined || ss === undefined) throw new RangeError('DSA r or s longer than 20 octets');
  return concatBytes(Uint8Array.of(t), rr, ss);
}
