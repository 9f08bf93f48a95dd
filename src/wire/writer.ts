// Growable writer for DNS wire data, with name compression (RFC 1035 §4.1.4).
//
// Compression: every name written (compressed or not) registers the offsets of its suffixes,
// keyed by the case-folded suffix, so later names may point at it. Only offsets below 0x4000 fit
// in the 14-bit pointer. Whether a given name may itself be compressed is the caller's decision:
// owner names and the RFC 1035 rdata names yes, names in newer types no (RFC 3597 §4).
//
// Truncation support: `mark()` / `rollback(mark)` undo everything written after a mark, including
// compression-table entries that would point into the discarded octets; `maxSize` is the budget
// the message encoder checks (the writer itself never refuses to grow up to 65535 octets).

import type { Name } from './name.js';

/** Largest DNS message (RFC 1035 §4.2.2: the TCP length prefix is 16 bits). */
export const MAX_MESSAGE = 65535;

export interface WireWriterOptions {
  /** Size budget checked by `overflowed` (default 65535). */
  readonly maxSize?: number;
  /** Initial buffer size (default 512). */
  readonly initialSize?: number;
}

export class WireWriter {
  private buf: Uint8Array;
  private len = 0;
  readonly maxSize: number;
  private readonly table = new Map<string, number>();
  /** Compression entries in the order they were added, for rollback. */
  private readonly journal: { key: string; offset: number }[] = [];

  constructor(options: WireWriterOptions = {}) {
    this.maxSize = Math.min(options.maxSize ?? MAX_MESSAGE, MAX_MESSAGE);
    this.buf = new Uint8Array(Math.max(16, options.initialSize ?? 512));
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
    const wire = n.wire;
    if (wire.length === 1) {
      this.u8(0);
      return;
    }
    const key = n.key;
    let off = 0;
    // Labels before the matched suffix are written; the suffix becomes a pointer.
    while (wire[off] !== 0) {
      if (compress) {
        const target = this.table.get(off === 0 ? key : key.substring(off));
        if (target !== undefined) {
          this.ensure(off + 2);
          this.register(key, wire, off);
          this.buf.set(wire.subarray(0, off), this.len);
          this.len += off;
          this.buf[this.len] = 0xc0 | (target >>> 8);
          this.buf[this.len + 1] = target & 0xff;
          this.len += 2;
          return;
        }
      }
      off += wire[off]! + 1;
    }
    this.register(key, wire, wire.length - 1);
    this.bytes(wire);
  }

  /** Records the suffixes starting before `stop` (label offsets) as written at the current length. */
  private register(key: string, wire: Uint8Array, stop: number): void {
    const base = this.len;
    let off = 0;
    while (off < stop) {
      const at = base + off;
      if (at >= 0x4000) return;
      const k = off === 0 ? key : key.substring(off);
      if (!this.table.has(k)) {
        this.table.set(k, at);
        this.journal.push({ key: k, offset: at });
      }
      off += wire[off]! + 1;
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
    const j = this.journal;
    while (j.length > 0 && j[j.length - 1]!.offset >= mark) {
      const e = j.pop()!;
      this.table.delete(e.key);
    }
  }

  /** The octets written, as a view of the internal buffer; the writer should not be used after. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}
