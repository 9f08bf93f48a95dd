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
