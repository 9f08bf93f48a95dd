// DNSKEY key tags (RFC 4034 §3.1.6 and Appendix B): the 16-bit hint that RRSIG and DS records
// carry to say which key they refer to. Tags collide; a match only narrows the keys to try.
//
// - Appendix B: a ones'-complement-like sum over the DNSKEY RDATA, even octets as the high byte,
//   odd octets as the low byte, with the carry folded in once.
// - Appendix B.1: algorithm 1 (RSA/MD5) instead takes the most significant 16 bits of the least
//   significant 24 bits of the public-key modulus, i.e. the third- and second-last RDATA octets.
//
// Pure module: no I/O, no clock.

import { WireError } from '../core/errors.js';

/** DNSKEY RDATA is flags (2), protocol (1), algorithm (1), then the public key (RFC 4034 §2.1). */
const DNSKEY_FIXED = 4;

/** The key tag of a DNSKEY (or CDNSKEY) given its wire RDATA. */
export function keyTag(dnskeyRdata: Uint8Array): number {
  const n = dnskeyRdata.length;
  if (n < DNSKEY_FIXED) throw new WireError('DNSKEY RDATA too short', n);
  if (dnskeyRdata[3] === 1) {
    // RFC 4034 Appendix B.1: the modulus ends the RDATA (RFC 3110 §2 layout).
    if (n < DNSKEY_FIXED + 3) return 0;
    return (dnskeyRdata[n - 3]! << 8) | dnskeyRdata[n - 2]!;
  }
  let ac = 0;
  for (let i = 0; i < n; i++) ac += (i & 1) === 0 ? dnskeyRdata[i]! << 8 : dnskeyRdata[i]!;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}
