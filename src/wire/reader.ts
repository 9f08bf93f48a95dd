// The one bounds-checked reader for untrusted wire bytes (DESIGN.md convention 2).
//
// Implements RFC 1035 §4.1.4 name decompression with the defences RFC 9267 asks for:
// - a compression pointer must point strictly before the start of the name fragment that holds
//   it (the name's own start, or the previous pointer's target). Targets therefore strictly
//   decrease, which rules out forward pointers and loops and bounds the work by construction;
// - a pointer may not point into the 12-octet message header (no name can live there);
// - labels are at most 63 octets and the whole name at most 255 octets (RFC 1035 §2.3.4),
//   counted on the expanded form;
// - the label types 0x40 (RFC 6891 §5: extended labels, deprecated) and 0x80 (reserved) are refused.
// Every overrun throws WireError carrying the offset in the message where it was found.

import { WireError } from '../core/errors.js';
import { Name } from './name.js';

/** Size of the DNS message header (RFC 1035 §4.1.1); compression pointers may not point inside it. */
export const HEADER_SIZE = 12;

const MAX_NAME = 255;

// Scratch space for names being expanded. Readers are synchronous and never re-entered, and a
// name is copied out before anything else runs, so one buffer serves every reader.
const SCRATCH = new Uint8Array(MAX_NAME + 1);

/** Memo entries a reader keeps per message (see WireReader.name). */
export const NAME_MEMO_LIMIT = 64;

// The name memo (see WireReader.name) lives in module scratch, not in arrays per reader: one
// message's decoding is synchronous, so the reader decoding now owns it. A reader that finds
// another owner starts an empty memo of its own; only identity sharing is lost, never a check,
// since every entry was read by its owner from its own buffer. One more slot than the limit: a
// bare pointer adds two entries.
const MEMO_AT = new Int32Array(NAME_MEMO_LIMIT + 1);
const MEMO_NAME: (Name | undefined)[] = new Array<Name | undefined>(NAME_MEMO_LIMIT + 1).fill(undefined);
/** The id of the reader that owns the memo (0: none). */
let memoOwner = 0;
let memoCount = 0;
let lastReaderId = 0;

export class WireReader {
  /** The whole message; compression pointers are offsets into it. */
  readonly buf: Uint8Array;
  /** Current read position. */
  pos: number;
  /**
   * End of the current window (exclusive). Sequential reads may not pass it; rdata parsing narrows
   * it to the end of RDATA and restores it afterwards.
   */
  end: number;
  /** End of the message: compression pointer targets are followed up to here. */
  readonly size: number;
  /** Identifies this reader as the owner of the name memo. */
  private readonly id = ++lastReaderId;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    if (end > buf.length || pos < 0 || pos > end) throw new RangeError('reader window out of range');
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.size = end;
  }

  /** Octets left in the current window. */
  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) throw new WireError(`${what} overruns the data`, this.pos);
  }

  u8(): number {
    if (this.pos >= this.end) throw new WireError('u8 overruns the data', this.pos);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2, 'u16');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(): number {
    this.need(4, 'u32');
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
  }

  /** `n` octets as a view of the message buffer (no copy): copy it if it must outlive the buffer. */
  bytes(n: number): Uint8Array {
    if (n < 0) throw new WireError('negative length', this.pos);
    this.need(n, `${n}-octet field`);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /** Advances past `n` octets. */
  skip(n: number): void {
    this.need(n, `${n}-octet field`);
    this.pos += n;
  }

  /**
   * Reads a domain name. With `decompress` false a compression pointer is an error (RFC 3597 §4:
   * names in newer types are never compressed).
   *
   * Names already read are remembered by an offset where they start (module scratch searched
   * linearly, no Map or arrays per message). A response holds a few dozen names; a hostile one
   * can hold thousands (a 65,535-octet TCP message of 2-octet pointers), so only the first
   * NAME_MEMO_LIMIT entries are kept and each search stays bounded: names past them are decoded
   * in full, as without a memo.
   */
  name(decompress = true): Name {
    const buf = this.buf;
    const p = this.pos;
    const mine = memoOwner === this.id;
    // A name that is just a pointer to where an earlier name was read yields that same (immutable)
    // Name: the expansion from an offset never depends on how it was reached.
    const pointer = decompress && p + 1 < this.end && buf[p]! >= 0xc0;
    const target = pointer ? ((buf[p]! & 0x3f) << 8) | buf[p + 1]! : -1;
    if (pointer && mine && target < p) {
      for (let k = 0; k < memoCount; k++) {
        if (MEMO_AT[k] === target) {
          this.pos = p + 2;
          return MEMO_NAME[k]!;
        }
      }
    }
    const len = this.nameInto(SCRATCH, 0, decompress);
    // The root (a lone zero octet) needs no copy: fromWire would return Name.ROOT for it anyway.
    const name = len === 1 ? Name.ROOT : ((mine ? sameAs(len) : undefined) ?? interned(len));
    // Only a reader that decompresses can meet a pointer to this name later (RDATA names of
    // newer types are never compressed): others keep no memo.
    if (decompress) {
      if (!mine) this.claimMemo();
      if (memoCount < NAME_MEMO_LIMIT) {
        MEMO_AT[memoCount] = p;
        MEMO_NAME[memoCount++] = name;
        // A name that is just a pointer is the name at its target (nameInto checked the target):
        // later pointers there (e.g. to a name first met inside an NS record's RDATA, as glue
        // owners are) yield it too.
        if (pointer) {
          MEMO_AT[memoCount] = target;
          MEMO_NAME[memoCount++] = name;
        }
      }
    }
    return name;
  }

  /** Makes the name memo this reader's, empty. */
  private claimMemo(): void {
    MEMO_NAME.fill(undefined, 0, memoCount);
    memoCount = 0;
    memoOwner = this.id;
  }

  /**
   * Lets go of the name memo when this reader holds it (its names and this reader's buffer stay
   * reachable from module scratch otherwise, until the next message is read). Reading names
   * afterwards still works; their sharing starts again from an empty memo.
   */
  release(): void {
    if (memoOwner !== this.id) return;
    MEMO_NAME.fill(undefined, 0, memoCount);
    memoCount = 0;
    memoOwner = 0;
  }

  /**
   * Reads a domain name and writes its expanded, uncompressed wire form into `out` at `o`;
   * returns the position after it. `out` needs room for 255 octets from `o`. The stream position
   * moves past the name as it appears in the message (up to and including the first pointer).
   */
  nameInto(out: Uint8Array, o: number, decompress: boolean): number {
    const buf = this.buf;
    let p = this.pos;
    let end = this.end;
    let fragment = p;
    let jumped = false;
    let total = 0;
    while (true) {
      if (p >= end) throw new WireError('name overruns the data', p);
      const len = buf[p]!;
      if (len === 0) {
        out[o++] = 0;
        if (!jumped) this.pos = p + 1;
        return o;
      }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (!decompress) throw new WireError('compression pointer in a name that may not be compressed', p);
        if (p + 1 >= end) throw new WireError('compression pointer overruns the data', p);
        const target = ((len & 0x3f) << 8) | buf[p + 1]!;
        // RFC 1035 §4.1.4 only says a pointer refers to a prior occurrence; requiring it to precede
        // the current fragment makes the chain strictly decreasing, so it always terminates.
        if (target >= fragment) throw new WireError('forward or looping compression pointer', p);
        if (target < HEADER_SIZE) throw new WireError('compression pointer into the header', p);
        if (!jumped) {
          this.pos = p + 2;
          jumped = true;
        }
        p = target;
        fragment = target;
        end = this.size;
        continue;
      }
      if (kind !== 0) throw new WireError(`unsupported label type 0x${kind.toString(16)}`, p);
      // len <= 63 here because both top bits are clear.
      total += len + 1;
      if (total + 1 > MAX_NAME) throw new WireError(`name longer than ${MAX_NAME} octets`, p);
      if (p + 1 + len > end) throw new WireError('label overruns the data', p);
      out[o++] = len;
      const stop = p + 1 + len;
      for (let i = p + 1; i < stop; i++) out[o++] = buf[i]!;
      p = stop;
    }
  }
}

/**
 * A name in the memo whose expanded wire form is exactly the `len` octets in SCRATCH (same
 * octets, same case), reached through another chain of pointers or written out twice; undefined
 * when there is none. Names are immutable, so sharing one changes nothing.
 */
function sameAs(len: number): Name | undefined {
  for (let k = 0; k < memoCount; k++) {
    const w = MEMO_NAME[k]!.wire;
    if (w.length !== len) continue;
    let i = 0;
    while (i < len && w[i] === SCRATCH[i]) i++;
    if (i === len) return MEMO_NAME[k];
  }
  return undefined;
}

/** Names kept across messages (see interned): a power of two. */
export const NAME_TABLE_SIZE = 4096;

// Recently decoded names, across messages, in a table indexed by a hash of their wire octets
// (one name per slot, the last one decoded there). The same names come back in response after
// response: the question asked again at each zone cut, a zone's apex in every denial, a server's
// host name as glue. Names are immutable and a slot is used only when its name's octets are
// exactly the ones just read, so sharing changes nothing but the number of copies (and a name's
// key, computed once). The table holds names only, never a message's buffer; a hostile message can
// only replace entries.
const NAME_TABLE: (Name | undefined)[] = new Array<Name | undefined>(NAME_TABLE_SIZE).fill(undefined);

/**
 * The name whose expanded wire form is the `len` octets in SCRATCH: the table's name for them
 * when it has one with exactly these octets (same case), else a new one, which takes the slot.
 */
function interned(len: number): Name {
  return sharedName(SCRATCH, 0, len);
}

/**
 * The name whose uncompressed wire form is `src[start..end)`, which the caller has checked to be
 * one well-formed name (RDATA names of RRSIG, NS, CNAME...): the table's name for exactly these
 * octets when it has one, else Name.fromWire of a copy of them, which takes the slot.
 */
export function sharedName(src: Uint8Array, start: number, end: number): Name {
  const len = end - start;
  // FNV-1a over the octets (case kept: names differing in case are different names here).
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ src[i]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (NAME_TABLE_SIZE - 1);
  const held = NAME_TABLE[slot];
  if (held !== undefined) {
    const w = held.wire;
    if (w.length === len) {
      let i = 0;
      while (i < len && w[i] === src[start + i]) i++;
      if (i === len) return held;
    }
  }
  const name = Name.fromWire(src.slice(start, end));
  NAME_TABLE[slot] = name;
  return name;
}
