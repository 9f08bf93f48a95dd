// Growable writer for DNS wire data, with name compression (RFC 1035 §4.1.4).
//
// Compression: every name written (compressed or not) registers the offsets of its suffixes,
// keyed by a hash of the case-folded suffix, so later names may point at it; a hit is confirmed
// by comparing the labels in the output (a hash collision only costs a missed compression). Only offsets below 0x4000 fit
// in the 14-bit pointer. Whether a given name may itself be compressed is the caller's decision:
// owner names and the RFC 1035 rdata names yes, names in newer types no (RFC 3597 §4).
//
// Truncation support: `mark()` / `rollback(mark)` undo everything written after a mark, including
// compression-table entries that would point into the discarded octets; `maxSize` is the budget
// the message encoder checks (the writer itself never refuses to grow up to 65535 octets).
//
// Output buffer: the writer writing now owns one module scratch buffer of 65535 octets (as it owns
// the compression table), so a message costs one exact-size copy in `finish` instead of a 512-octet
// buffer (and its regrowths) per writer. A new writer takes the scratch from an unfinished one,
// which first moves its octets into a private buffer of its own and goes on there.

import { WireError } from '../core/errors.js';
import { lowerOctet } from './name.js';
import type { Name } from './name.js';

/** Largest DNS message (RFC 1035 §4.2.2: the TCP length prefix is 16 bits). */
export const MAX_MESSAGE = 65535;

// Scratch for one name at a time (writers are synchronous and never re-entered).
const LABEL_AT = new Int32Array(128);
const HASH_AT = new Int32Array(128);

// The compression table lives in module scratch, not in a Map and a list per writer: a message is
// written synchronously, so the writer writing now owns the table. Open addressing on the suffix
// hash with linear probing; a slot counts only when its stamp is the owner's epoch, so handing the
// table to another writer clears it in O(1). A writer that finds another owner starts an empty
// table of its own: it loses compression targets, never correctness, as every entry was written by
// the owner into its own buffer (and sameSuffix confirms each hit). Entries exist only for offsets
// below 0x4000 and each takes a label of at least two octets, so at most 8,192: with 16,384 slots
// the table is never more than half full and keeps every entry a Map would.
const SLOT_BITS = 14;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const SLOT_HASH = new Int32Array(1 << SLOT_BITS);
const SLOT_OFFSET = new Int32Array(1 << SLOT_BITS);
const SLOT_STAMP = new Int32Array(1 << SLOT_BITS);
/** Slots filled by the owner, in order, for rollback (insertions undone last-in first-out). */
const JOURNAL = new Int32Array(1 << (SLOT_BITS - 1));
/** The id of the writer that owns the table (0: none). */
let tableOwner = 0;
let lastWriterId = 0;
let epoch = 0;
let journalLength = 0;

/** The shared output buffer (allocated at the first writer) and the writer writing into it. */
let scratch: Uint8Array | undefined;
let scratchHolder: WireWriter | undefined;

/** First slot to probe for a suffix hash. */
function slotOf(hash: number): number {
  return (hash ^ (hash >>> SLOT_BITS)) & SLOT_MASK;
}

/** The offset registered for `hash` in the owner's table, or -1. */
function tableGet(hash: number): number {
  for (let i = slotOf(hash); SLOT_STAMP[i] === epoch; i = (i + 1) & SLOT_MASK) {
    if (SLOT_HASH[i] === hash) return SLOT_OFFSET[i]!;
  }
  return -1;
}

/** Registers `offset` for `hash` unless the hash is there already (the first suffix stays). */
function tableAdd(hash: number, offset: number): void {
  let i = slotOf(hash);
  for (; SLOT_STAMP[i] === epoch; i = (i + 1) & SLOT_MASK) if (SLOT_HASH[i] === hash) return;
  SLOT_HASH[i] = hash;
  SLOT_OFFSET[i] = offset;
  SLOT_STAMP[i] = epoch;
  JOURNAL[journalLength++] = i;
}

/** Hands the shared output buffer to `writer` (its previous holder has left it). */
function takeScratch(writer: WireWriter): Uint8Array {
  scratch ??= new Uint8Array(MAX_MESSAGE);
  scratchHolder = writer;
  return scratch;
}

export interface WireWriterOptions {
  /** Size budget checked by `overflowed` (default 65535). */
  readonly maxSize?: number;
  /**
   * Size of the private buffer the writer moves to when a newer writer takes the shared scratch
   * while this one is unfinished (default 512); it grows from there as needed.
   */
  readonly initialSize?: number;
}

export class WireWriter {
  private buf: Uint8Array;
  private len = 0;
  readonly maxSize: number;
  /** Identifies this writer as the owner of the compression table. */
  private readonly id = ++lastWriterId;
  /** Size of the private buffer taken when the scratch is handed on (the `initialSize` option). */
  private readonly privateSize: number;

  constructor(options: WireWriterOptions = {}) {
    this.maxSize = Math.min(options.maxSize ?? MAX_MESSAGE, MAX_MESSAGE);
    this.privateSize = Math.max(16, options.initialSize ?? 512);
    if (scratchHolder !== undefined) scratchHolder.leaveScratch();
    this.buf = takeScratch(this);
    this.claimTable();
  }

  /** Moves the octets written so far out of the shared scratch into a buffer of this writer's own. */
  private leaveScratch(): void {
    let size = this.privateSize;
    while (size < this.len) size *= 2;
    const own = new Uint8Array(Math.min(size, MAX_MESSAGE));
    own.set(this.buf.subarray(0, this.len));
    this.buf = own;
    scratchHolder = undefined;
  }

  /**
   * Makes the compression table (case-folded suffix hash → offset of the first suffix written
   * with that hash) this writer's, empty.
   */
  private claimTable(): void {
    if (epoch === 0x7fffffff) {
      SLOT_STAMP.fill(0);
      epoch = 0;
    }
    epoch++;
    journalLength = 0;
    tableOwner = this.id;
  }

  /** Octets written so far. */
  get length(): number {
    return this.len;
  }

  /** True when more than `maxSize` octets have been written. */
  get overflowed(): boolean {
    return this.len > this.maxSize;
  }

  private ensure(n: number): void {
    const need = this.len + n;
    if (need > MAX_MESSAGE) throw new RangeError(`DNS message would exceed ${MAX_MESSAGE} octets`);
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(Math.min(size, MAX_MESSAGE));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    const b = this.buf;
    b[this.len] = (v >>> 8) & 0xff;
    b[this.len + 1] = v & 0xff;
    this.len += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    const p = this.len;
    b[p] = (v >>> 24) & 0xff;
    b[p + 1] = (v >>> 16) & 0xff;
    b[p + 2] = (v >>> 8) & 0xff;
    b[p + 3] = v & 0xff;
    this.len = p + 4;
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Octets `start` to `end` (exclusive) of `data`, copied without a view of them. */
  bytesOf(data: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n < 0 || start < 0 || end > data.length) throw new RangeError(`octets ${start}..${end} outside ${data.length}`);
    this.ensure(n);
    const buf = this.buf;
    let o = this.len;
    for (let i = start; i < end; i++) buf[o++] = data[i]!;
    this.len = o;
  }

  /** Overwrites the u16 at `offset` (already written), e.g. an RDLENGTH or a section count. */
  setU16(offset: number, v: number): void {
    if (offset < 0 || offset + 2 > this.len) throw new RangeError(`setU16 at ${offset} outside ${this.len} octets`);
    this.buf[offset] = (v >>> 8) & 0xff;
    this.buf[offset + 1] = v & 0xff;
  }

  /** Reads back a u16 already written. */
  getU16(offset: number): number {
    if (offset < 0 || offset + 2 > this.len) throw new RangeError(`getU16 at ${offset} outside ${this.len} octets`);
    return (this.buf[offset]! << 8) | this.buf[offset + 1]!;
  }

  /**
   * Writes a name. With `compress`, the longest suffix already in the message is replaced by a
   * pointer. Either way the suffixes written here become pointer targets for later names.
   */
  name(n: Name, compress: boolean): void {
    this.nameWire(n.wire, 0, compress);
  }

  /**
   * Writes the uncompressed name found in `src` at `start` (as `name` does) and returns the offset
   * just after it in `src`. Lets rdata names be compressed without building Name objects.
   */
  nameWire(src: Uint8Array, start: number, compress: boolean): number {
    // Label offsets and suffix hashes, computed right to left (case-folded, RFC 4343).
    let count = 0;
    let p = start;
    while (true) {
      if (p >= src.length) throw new WireError('name overruns the data', p);
      const len = src[p]!;
      if (len === 0) break;
      if (len > 63 || count === 127) throw new WireError('malformed name', p);
      LABEL_AT[count++] = p;
      p += len + 1;
    }
    const end = p + 1;
    if (end - start > 255) throw new WireError('name longer than 255 octets', start);
    if (count === 0) {
      this.u8(0);
      return end;
    }
    // The hash folds with `| 0x20`, which maps A-Z onto a-z (RFC 4343 §3) and also merges some
    // other octet pairs: names equal but for case still hash alike, and a merged pair is only a
    // collision, which sameSuffix rejects (a missed compression, never a wrong pointer).
    let h = 0x2b;
    for (let i = count - 1; i >= 0; i--) {
      const at = LABEL_AT[i]!;
      const stop = at + 1 + src[at]!;
      h = Math.imul(h ^ src[at]!, 0x01000193);
      for (let j = at + 1; j < stop; j++) h = Math.imul(h ^ (src[j]! | 0x20), 0x01000193);
      HASH_AT[i] = h & 0x3fffffff;
    }
    let first = count;
    let target = -1;
    if (tableOwner !== this.id) this.claimTable();
    if (compress) {
      for (let i = 0; i < count; i++) {
        const t = tableGet(HASH_AT[i]!);
        if (t >= 0 && this.sameSuffix(src, LABEL_AT[i]!, t)) {
          first = i;
          target = t;
          break;
        }
      }
    }
    const prefix = first === count ? end - start : LABEL_AT[first]! - start;
    this.ensure(prefix + 2);
    const base = this.len;
    for (let i = 0; i < first; i++) {
      const at = base + LABEL_AT[i]! - start;
      if (at >= 0x4000) break;
      tableAdd(HASH_AT[i]!, at);
    }
    // An octet loop, not set(subarray()): a name is short, and subarray allocates a view.
    const b = this.buf;
    for (let k = 0; k < prefix; k++) b[base + k] = src[start + k]!;
    this.len = base + prefix;
    if (target >= 0) {
      this.buf[this.len] = 0xc0 | (target >>> 8);
      this.buf[this.len + 1] = target & 0xff;
      this.len += 2;
    }
    return end;
  }

  /** True when the name suffix at `src[at]` equals the name written at `off` (case-folded). */
  private sameSuffix(src: Uint8Array, at: number, off: number): boolean {
    const b = this.buf;
    let q = off;
    let p = at;
    // Our own output: pointers go backwards, so this terminates.
    while (true) {
      let len = b[q]!;
      while (len >= 0xc0) {
        q = ((len & 0x3f) << 8) | b[q + 1]!;
        len = b[q]!;
      }
      if (len !== src[p]) return false;
      if (len === 0) return true;
      for (let j = 1; j <= len; j++) if (lowerOctet(b[q + j]!) !== lowerOctet(src[p + j]!)) return false;
      p += len + 1;
      q += len + 1;
    }
  }

  /** A position to come back to with `rollback`. */
  mark(): number {
    return this.len;
  }

  /** Discards everything written after `mark`, including compression targets inside it. */
  rollback(mark: number): void {
    if (mark < 0 || mark > this.len) throw new RangeError(`rollback to ${mark} of ${this.len}`);
    this.len = mark;
    if (tableOwner !== this.id) return;
    // Offsets grow with the journal: undo the entries at or after the mark, newest first, which
    // leaves the probe sequences exactly as they were before those insertions.
    while (journalLength > 0 && SLOT_OFFSET[JOURNAL[journalLength - 1]!]! >= mark) {
      SLOT_STAMP[JOURNAL[--journalLength]!] = 0;
    }
  }

  /**
   * The octets written: an exact-size copy when the writer held the scratch, else a view of its
   * private buffer. The writer should not be used after (it lets go of the table and the scratch).
   */
  finish(): Uint8Array {
    if (tableOwner === this.id) tableOwner = 0;
    if (scratchHolder === this) {
      // The one copy of the message: exactly its size, no longer tied to the scratch.
      this.buf = this.buf.slice(0, this.len);
      scratchHolder = undefined;
      return this.buf;
    }
    return this.buf.subarray(0, this.len);
  }
}
