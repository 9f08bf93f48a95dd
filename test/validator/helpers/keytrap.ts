// KeyTrap material (CVE-2023-50387): many DNSKEYs sharing one key tag and algorithm, and many
// RRSIGs naming that tag, so that every pairing looks worth a signature check.
import { parseDnskey, type ZoneKey } from '../../../src/dnssec/rrset-validator.js';
import type { SignedRRset } from '../../../src/dnssec/rrset-validator.js';

/**
 * `n` distinct RSA DNSKEYs with the tag and algorithm of `base`: the key tag (RFC 4034 Appendix B)
 * sums even-offset and odd-offset octets separately, so swapping two octets of the same parity
 * keeps it. Octets of the modulus are swapped, away from its first and last octets, so each is a
 * usable RSA key of the same size whose check costs a full modular exponentiation.
 */
export function collidingRsaKeys(base: ZoneKey, n: number): ZoneKey[] {
  const out: ZoneKey[] = [];
  const r = base.rdata;
  const start = 4 + 1 + r[4]! + 2; // flags, protocol, algorithm | exponent length, exponent | skip 2 modulus octets
  const end = r.length - 2;
  for (let a = start; a < end && out.length < n; a += 2) {
    for (let b = a + 2; b < end && out.length < n; b += 2) {
      if (r[a] === r[b]) continue;
      const c = r.slice();
      c[a] = r[b]!;
      c[b] = r[a]!;
      const k = parseDnskey(c)!;
      if (k.tag !== base.tag) throw new Error('tag changed');
      out.push(k);
    }
  }
  if (out.length < n) throw new Error(`only ${out.length} colliding keys`);
  return out;
}

/** `m` distinct RRSIGs over the set, all naming `keyTag`, each with a different wrong signature. */
export function manyRrsigs(set: SignedRRset, keyTag: number, m: number): Uint8Array[] {
  const base = set.rrsigs[0];
  if (base === undefined) throw new Error('no RRSIG to copy');
  const out: Uint8Array[] = [];
  for (let i = 0; i < m; i++) {
    const s = base.slice();
    s[16] = keyTag >>> 8;
    s[17] = keyTag & 0xff;
    s[s.length - 1 - (i % 64)]! ^= 1 + (i >>> 6);
    out.push(s);
  }
  return out;
}
