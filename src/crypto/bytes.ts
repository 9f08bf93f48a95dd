// Small byte helpers shared by the crypto backends: big-endian integers (RFC 8017 §4 OS2IP/I2OSP),
// base64 for JWK (RFC 7518 §6 uses base64url without padding), comparisons.

/** OS2IP (RFC 8017 §4.2): a big-endian unsigned integer. The empty string is 0. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt('0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'));
}

/**
 * I2OSP (RFC 8017 §4.1): `n` as `length` big-endian octets, or the minimal length when omitted
 * (at least one octet). Returns undefined if `n` is negative or does not fit.
 */
export function bigIntToBytes(n: bigint, length?: number): Uint8Array | undefined {
  if (n < 0n) return undefined;
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = '0' + hex;
  const raw = Buffer.from(hex, 'hex');
  if (length === undefined) return new Uint8Array(raw);
  if (raw.length > length) return undefined;
  const out = new Uint8Array(length);
  out.set(raw, length - raw.length);
  return out;
}

/** The bytes without leading zero octets (a view, not a copy). */
export function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * The same unsigned integer in exactly `length` octets: zero-padded on the left, or with surplus
 * leading zero octets removed. Undefined if the value needs more than `length` octets.
 */
export function fitUnsigned(bytes: Uint8Array, length: number): Uint8Array | undefined {
  if (bytes.length === length) return bytes;
  if (bytes.length < length) {
    const out = new Uint8Array(length);
    out.set(bytes, length - bytes.length);
    return out;
  }
  const surplus = bytes.length - length;
  for (let i = 0; i < surplus; i++) if (bytes[i] !== 0) return undefined;
  return bytes.subarray(surplus);
}

/** Number of significant bits of a big-endian unsigned integer. */
export function bitLength(bytes: Uint8Array): number {
  const s = stripLeadingZeros(bytes);
  if (s.length === 0) return 0;
  return (s.length - 1) * 8 + (32 - Math.clz32(s[0]!));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export { concatBytes } from '../core/bytes.js';

/** A Buffer view over the same memory (no copy), for node:crypto calls and encoders. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** base64url without padding (RFC 4648 §5), as JWK members are written. */
export function toBase64Url(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64url');
}

/** Decodes a JWK member; node writes them itself, so this never sees hostile text. */
export function fromBase64Url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/** Lower-case hex, for messages and tests. */
export function toHex(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('hex');
}
