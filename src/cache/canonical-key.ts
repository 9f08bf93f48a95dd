// String keys that make name lookups cheap in the caches.
//
// 1. `canonicalSortKey(name)`: a string whose plain JavaScript order (`<`, code-unit order) is the
//    canonical DNS name order of RFC 4034 §6.1. Labels are written rightmost first; each octet is
//    lower-cased (RFC 4034 §6.2 item 3, ASCII only per RFC 4343) and shifted up by one, and each
//    label is closed by a 0 code unit. A label that is a prefix of another then sorts first (its
//    0 terminator is below any shifted octet), and a name that is a proper suffix of another
//    sorts first (its key is a prefix of the other's). Binary searches over sorted NSEC owners
//    compare these strings instead of walking labels.
// 2. Ancestor keys: `Name.key` is the lower-cased wire form as a latin1 string, so the key of every
//    ancestor is a suffix of it starting at a label-length octet. `ancestorKeyStarts` lists those
//    starting offsets, most specific first, root included.

import { lowerOctet, type Name } from '../wire/name.js';

export function canonicalSortKey(name: Name): string {
  const codes: number[] = [];
  for (let i = name.labelCount - 1; i >= 0; i--) {
    const label = name.label(i);
    for (const b of label) codes.push(lowerOctet(b) + 1);
    codes.push(0);
  }
  return String.fromCharCode(...codes);
}

/** Offsets in `key` (a Name.key) where each ancestor's key starts: the name itself first, root last. */
export function ancestorKeyStarts(key: string): number[] {
  const out: number[] = [];
  let i = 0;
  while (i < key.length) {
    out.push(i);
    const len = key.charCodeAt(i);
    if (len === 0) break;
    i += len + 1;
  }
  return out;
}
