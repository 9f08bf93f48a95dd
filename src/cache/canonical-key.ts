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

// Scratch space for the UTF-16 code units of one key (a name has at most 255 octets, so at most
// 255 code units: one per label octet plus one per label), written through a 16-bit view where
// the host is little-endian (as 'utf16le' reads them) and octet by octet elsewhere. Synchronous,
// never re-entered.
const SORT_SCRATCH = Buffer.alloc(2 * 256);
const SORT_UNITS = new Uint16Array(SORT_SCRATCH.buffer, SORT_SCRATCH.byteOffset, 256);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function putUnit(i: number, unit: number): void {
  if (LITTLE_ENDIAN) SORT_UNITS[i] = unit;
  else SORT_SCRATCH.writeUInt16LE(unit, 2 * i);
}

export function canonicalSortKey(name: Name): string {
  const w = name.wire;
  // Label starts, leftmost first, read from the wire form (no label views made).
  const starts: number[] = [];
  for (let p = 0; w[p]! !== 0; p += w[p]! + 1) starts.push(p);
  let o = 0;
  for (let i = starts.length - 1; i >= 0; i--) {
    const p = starts[i]!;
    const end = p + 1 + w[p]!;
    for (let j = p + 1; j < end; j++) putUnit(o++, lowerOctet(w[j]!) + 1);
    putUnit(o++, 0);
  }
  return SORT_SCRATCH.toString('utf16le', 0, 2 * o);
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
