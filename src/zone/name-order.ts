// Canonical name order (RFC 4034 §6.1) as a string sort key, for sorting many names at once.
//
// compareNames (wire/name.ts) is the definition; this key orders names identically under plain
// string comparison, and is computed once per name instead of once per comparison (sorting a
// million names with compareNames allocates a label view per label per comparison). The key lists
// the labels from the rightmost, each as its lower-cased octets shifted up by one (so 0x00 becomes
// U+0001) and followed by U+0000: a label that is a prefix of another sorts first, and a name that
// is a suffix of another (fewer labels) is a prefix of its key and sorts first.

import type { Name } from '../wire/name.js';

/** The sort key of a name; `a < b` on keys iff compareNames(a, b) < 0. */
export function canonicalSortKey(name: Name): string {
  const wire = name.wire;
  const starts: number[] = [];
  for (let p = 0; wire[p]! !== 0; p += wire[p]! + 1) starts.push(p);
  const codes = new Array<number>(wire.length);
  let o = 0;
  for (let i = starts.length - 1; i >= 0; i--) {
    const s = starts[i]!;
    const end = s + 1 + wire[s]!;
    for (let j = s + 1; j < end; j++) {
      const b = wire[j]!;
      codes[o++] = (b >= 0x41 && b <= 0x5a ? b + 0x20 : b) + 1;
    }
    codes[o++] = 0;
  }
  codes.length = o;
  // At most 255 codes (RFC 1035 §2.3.4), well within the argument limit.
  return String.fromCharCode(...codes);
}

/** Compares two sort keys (plain code-unit order). */
export function compareSortKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// The same order on bytes, for sorting without one string per name (a million sort keys as
// strings live through the whole load in V8's heap; these live in one byte arena outside it).
// The byte key is the name's labels from the rightmost, each as its length octet followed by its
// lower-cased octets: the wire form with the labels reversed and no root label. One name is an
// ancestor of another (or the same) iff its byte key is a prefix of the other's.

/** Writes the byte key of the name whose wire form starts at `wire[at]`; returns its length (wire length - 1). */
export function writeCanonicalKey(wire: Uint8Array, at: number, out: Uint8Array, outAt: number): number {
  let end = at;
  while (wire[end]! !== 0) end += wire[end]! + 1;
  const length = end - at;
  // Each label goes to the mirror position: the first label ends the key, the last starts it.
  let o = outAt + length;
  for (let p = at; p < end; ) {
    const len = wire[p]!;
    o -= len + 1;
    out[o] = len;
    for (let j = 1; j <= len; j++) {
      const b = wire[p + j]!;
      out[o + j] = b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
    }
    p += len + 1;
  }
  return length;
}

/** Compares two byte keys in `buf` (RFC 4034 §6.1 order, as compareNames). */
export function compareCanonicalKeys(buf: Uint8Array, aAt: number, aLen: number, bAt: number, bLen: number): number {
  let pa = aAt;
  let pb = bAt;
  const ea = aAt + aLen;
  const eb = bAt + bLen;
  while (pa < ea && pb < eb) {
    const la = buf[pa]!;
    const lb = buf[pb]!;
    const n = la < lb ? la : lb;
    for (let i = 1; i <= n; i++) {
      const d = buf[pa + i]! - buf[pb + i]!;
      if (d !== 0) return d;
    }
    // A label that is a prefix of the other sorts first.
    if (la !== lb) return la - lb;
    pa += la + 1;
    pb += lb + 1;
  }
  // All labels so far equal: the name with fewer labels (the ancestor) sorts first.
  return ea - pa - (eb - pb);
}

/** True when the key at `a` is a prefix of the key at `b` (the name at `a` is `b` or one of its ancestors). */
export function isKeyPrefix(buf: Uint8Array, aAt: number, aLen: number, bAt: number, bLen: number): boolean {
  if (aLen > bLen) return false;
  for (let i = 0; i < aLen; i++) if (buf[aAt + i] !== buf[bAt + i]) return false;
  return true;
}
