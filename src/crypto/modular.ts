// Modular arithmetic on BigInt for the pure-JS RSA and DSA paths (RFC 8017 §5.2.2 RSAVP1,
// FIPS 186-4 §4.7 DSA verification) and DSA key generation. Public data only: none of this needs
// to be constant-time.

/** base^exponent mod modulus, left-to-right square and multiply. modulus > 1, exponent ≥ 0. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  const b = ((base % modulus) + modulus) % modulus;
  const bits = exponent.toString(2);
  for (let i = 0; i < bits.length; i++) {
    result = (result * result) % modulus;
    if (bits.charCodeAt(i) === 49) result = (result * b) % modulus;
  }
  return result;
}

/** The inverse of a mod m (extended Euclid), or undefined if gcd(a, m) ≠ 1. */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}
