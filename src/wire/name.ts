// Domain names as byte labels (DESIGN.md convention 3; RFC 1035 §3.1, RFC 4343).
//
// A Name holds its uncompressed wire form with the original case. Comparisons use a separate
// case-folded key (ASCII only, RFC 4343 §3), and canonical ordering follows RFC 4034 §6.1.
// Presentation strings exist only at the edges: `Name.parse` and `toString` implement the
// RFC 1035 §5.1 escapes (`\.`, `\\`, `\DDD`) so that every byte value round-trips.

import { PresentationError } from '../core/errors.js';

/** RFC 1035 §2.3.4 limits. */
export const MAX_LABEL = 63;
export const MAX_NAME = 255;

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i + 0x20 : i;

/** ASCII lower-casing of one octet (RFC 4343 §3: only A-Z fold). */
// Scratch space for building keys (synchronous, never re-entered).
const KEY_SCRATCH = Buffer.alloc(MAX_NAME);

export function lowerOctet(b: number): number {
  return LOWER[b]!;
}

export class Name {
  /** Uncompressed wire form, original case, ending with the root label (a zero octet). */
  readonly wire: Uint8Array;
  /**
   * Number of labels, root excluded. Label offsets are not kept: most names a resolver decodes
   * are only compared, keyed, tested for ancestry or written, and what needs a label's place walks
   * the wire form's length octets (a plain array of offsets per name cost ~70 heap octets).
   */
  private readonly count: number;
  private keyCache: string | undefined;

  static readonly ROOT: Name = new Name(new Uint8Array([0]), 0);

  private constructor(wire: Uint8Array, count: number) {
    this.wire = wire;
    this.count = count;
  }

  /** Where label `i` (0 = leftmost; `count`: the root label) starts in `wire`. */
  private labelStart(i: number): number {
    const w = this.wire;
    let at = 0;
    for (let k = 0; k < i; k++) at += w[at]! + 1;
    return at;
  }

  /**
   * Builds a name from uncompressed wire bytes that the caller has already checked (the wire
   * reader does). Throws PresentationError when the bytes are not a well-formed name.
   */
  static fromWire(wire: Uint8Array): Name {
    // One pass checks and counts the labels (no offsets are kept: see `count`).
    let i = 0;
    let count = 0;
    if (wire.length > MAX_NAME) throw new PresentationError(`name longer than ${MAX_NAME} octets`);
    while (true) {
      if (i >= wire.length) throw new PresentationError('name has no root label');
      const len = wire[i]!;
      if (len === 0) break;
      if (len > MAX_LABEL) throw new PresentationError(`label longer than ${MAX_LABEL} octets`);
      count++;
      i += len + 1;
    }
    if (i !== wire.length - 1) throw new PresentationError('trailing octets after the root label');
    if (count === 0) return Name.ROOT;
    return new Name(wire, count);
  }

  /** Builds a name from its labels, most specific first. */
  static fromLabels(labels: readonly Uint8Array[]): Name {
    let total = 1;
    for (const l of labels) {
      if (l.length === 0) throw new PresentationError('empty label');
      if (l.length > MAX_LABEL) throw new PresentationError(`label longer than ${MAX_LABEL} octets`);
      total += l.length + 1;
    }
    if (total > MAX_NAME) throw new PresentationError(`name longer than ${MAX_NAME} octets`);
    if (labels.length === 0) return Name.ROOT;
    const wire = new Uint8Array(total);
    let p = 0;
    for (const l of labels) {
      wire[p] = l.length;
      wire.set(l, p + 1);
      p += l.length + 1;
    }
    wire[p] = 0;
    return new Name(wire, labels.length);
  }

  /**
   * Parses presentation format (RFC 1035 §5.1). A name not ending in an unescaped dot is relative
   * and gets `origin` appended; without an origin it is an error. `@` alone stands for the origin.
   */
  static parse(text: string, origin?: Name): Name {
    if (text === '@') {
      if (origin === undefined) throw new PresentationError('"@" used with no origin');
      return origin;
    }
    if (text === '.') return Name.ROOT;
    if (text.length === 0) throw new PresentationError('empty name');
    const labels: Uint8Array[] = [];
    let cur: number[] = [];
    let absolute = false;
    let i = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x2e /* . */) {
        if (cur.length === 0) throw new PresentationError(`empty label in "${text}"`);
        labels.push(Uint8Array.from(cur));
        cur = [];
        i++;
        if (i === text.length) absolute = true;
        continue;
      }
      if (c === 0x5c /* \ */) {
        const d = text.slice(i + 1, i + 4);
        if (/^[0-9]{3}$/.test(d)) {
          const v = Number(d);
          if (v > 255) throw new PresentationError(`escape \\${d} out of range in "${text}"`);
          cur.push(v);
          i += 4;
        } else if (i + 1 < text.length) {
          const e = text.charCodeAt(i + 1);
          if (e > 0x7f) throw new PresentationError(`non-ASCII character in "${text}"`);
          cur.push(e);
          i += 2;
        } else {
          throw new PresentationError(`dangling backslash in "${text}"`);
        }
      } else {
        if (c > 0x7f) throw new PresentationError(`non-ASCII character in "${text}" (use \\DDD escapes)`);
        cur.push(c);
        i++;
      }
      if (cur.length > MAX_LABEL) throw new PresentationError(`label longer than ${MAX_LABEL} octets in "${text}"`);
    }
    if (cur.length > 0) labels.push(Uint8Array.from(cur));
    if (absolute) return Name.fromLabels(labels);
    if (origin === undefined) throw new PresentationError(`relative name "${text}" with no origin`);
    return Name.fromLabels([...labels, ...origin.labels()]);
  }

  /** Number of labels, not counting the root (RFC 4034 §3.1.3 counts the same way). */
  get labelCount(): number {
    return this.count;
  }

  /** Length of the uncompressed wire form. */
  get length(): number {
    return this.wire.length;
  }

  isRoot(): boolean {
    return this.count === 0;
  }

  /** Label `i` (0 = leftmost) as a view of the wire bytes. */
  label(i: number): Uint8Array {
    if (!(i >= 0 && i < this.count && Number.isInteger(i))) throw new RangeError(`label ${i} of ${this.count}`);
    const off = this.labelStart(i);
    return this.wire.subarray(off + 1, off + 1 + this.wire[off]!);
  }

  labels(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const w = this.wire;
    for (let i = 0, at = 0; i < this.count; i++) {
      out.push(w.subarray(at + 1, at + 1 + w[at]!));
      at += w[at]! + 1;
    }
    return out;
  }

  /** True when the leftmost label is `*` (RFC 4592). */
  isWildcard(): boolean {
    return this.count > 0 && this.wire[0] === 1 && this.wire[1] === 0x2a;
  }

  /**
   * The case-folded comparison key: the lower-cased wire form as a latin1 string. Equal keys mean
   * equal names (RFC 4343); use it for Map keys.
   */
  get key(): string {
    if (this.keyCache === undefined) {
      // The lowered octets go into scratch space and come out as one latin1 string: no array is
      // allocated per name (the key is computed for most names a resolver decodes).
      const w = this.wire;
      for (let i = 0; i < w.length; i++) KEY_SCRATCH[i] = LOWER[w[i]!]!;
      this.keyCache = KEY_SCRATCH.toString('latin1', 0, w.length);
    }
    return this.keyCache;
  }

  /** The lower-cased wire form (RFC 4034 §6.2 item 3). */
  canonicalWire(): Uint8Array {
    const out = new Uint8Array(this.wire.length);
    for (let i = 0; i < out.length; i++) out[i] = LOWER[this.wire[i]!]!;
    return out;
  }

  /** The same name with every label lower-cased. */
  toLowerCase(): Name {
    return new Name(this.canonicalWire(), this.count);
  }

  equals(other: Name): boolean {
    if (this === other) return true;
    if (this.wire.length !== other.wire.length) return false;
    for (let i = 0; i < this.wire.length; i++) {
      if (LOWER[this.wire[i]!] !== LOWER[other.wire[i]!]) return false;
    }
    return true;
  }

  /** True when `wire` is this name's uncompressed wire form, letter case aside (RFC 4343). */
  equalsWire(wire: Uint8Array): boolean {
    const w = this.wire;
    if (w.length !== wire.length) return false;
    for (let i = 0; i < w.length; i++) {
      if (LOWER[w[i]!] !== LOWER[wire[i]!]) return false;
    }
    return true;
  }

  /** True when this name is `other` or below it. */
  isSubdomainOf(other: Name): boolean {
    const skip = this.count - other.count;
    if (skip < 0) return false;
    const start = this.labelStart(skip);
    if (this.wire.length - start !== other.wire.length) return false;
    for (let i = 0; i < other.wire.length; i++) {
      if (LOWER[this.wire[start + i]!] !== LOWER[other.wire[i]!]) return false;
    }
    return true;
  }

  /**
   * Canonical order (RFC 4034 §6.1), as compareNames: labels compared in place in the wire forms,
   * from the rightmost (no label views made).
   */
  static compare(a: Name, b: Name): number {
    const oa = labelOffsets(a.wire, a.count, OFFSETS_A);
    const ob = labelOffsets(b.wire, b.count, OFFSETS_B);
    const wa = a.wire;
    const wb = b.wire;
    const na = a.count;
    const nb = b.count;
    const n = Math.min(na, nb);
    for (let i = 1; i <= n; i++) {
      const pa = oa[na - i]!;
      const pb = ob[nb - i]!;
      const la = wa[pa]!;
      const lb = wb[pb]!;
      const m = Math.min(la, lb);
      for (let j = 1; j <= m; j++) {
        const d = LOWER[wa[pa + j]!]! - LOWER[wb[pb + j]!]!;
        if (d !== 0) return d;
      }
      if (la !== lb) return la - lb;
    }
    return na - nb;
  }

  /** Number of rightmost labels two names share, letter case aside (RFC 4343). */
  static commonLabels(a: Name, b: Name): number {
    const oa = labelOffsets(a.wire, a.count, OFFSETS_A);
    const ob = labelOffsets(b.wire, b.count, OFFSETS_B);
    const wa = a.wire;
    const wb = b.wire;
    const na = a.count;
    const nb = b.count;
    const n = Math.min(na, nb);
    let i = 0;
    for (; i < n; i++) {
      const pa = oa[na - 1 - i]!;
      const pb = ob[nb - 1 - i]!;
      const len = wa[pa]!;
      if (len !== wb[pb]!) break;
      let same = true;
      for (let j = 1; j <= len; j++) {
        if (LOWER[wa[pa + j]!] !== LOWER[wb[pb + j]!]) {
          same = false;
          break;
        }
      }
      if (!same) break;
    }
    return i;
  }

  /** The ancestor with `count` labels (count <= labelCount). */
  suffix(count: number): Name {
    const n = this.count;
    if (count < 0 || count > n) throw new RangeError(`suffix(${count}) of a ${n}-label name`);
    if (count === n) return this;
    if (count === 0) return Name.ROOT;
    return new Name(this.wire.subarray(this.labelStart(n - count)), count);
  }

  /** The parent name; the root has none. */
  parent(): Name | undefined {
    return this.count === 0 ? undefined : this.suffix(this.count - 1);
  }

  /** This name with one more label on the left. */
  prepend(label: Uint8Array): Name {
    // As fromLabels([label, ...this.labels()]) with the same checks, in one copy of the wire form
    // and without a view per label or a list of them (wildcardOf runs this for every denial proof and synthesis).
    if (label.length === 0) throw new PresentationError('empty label');
    if (label.length > MAX_LABEL) throw new PresentationError(`label longer than ${MAX_LABEL} octets`);
    const w = this.wire;
    const shift = label.length + 1;
    if (w.length + shift > MAX_NAME) throw new PresentationError(`name longer than ${MAX_NAME} octets`);
    const wire = new Uint8Array(w.length + shift);
    wire[0] = label.length;
    wire.set(label, 1);
    wire.set(w, shift);
    return new Name(wire, this.count + 1);
  }

  /** This name (relative part) followed by `origin`: used for names like `*.<zone>`. */
  concat(origin: Name): Name {
    return Name.fromLabels([...this.labels(), ...origin.labels()]);
  }

  /** Presentation format, absolute with the trailing dot, RFC 1035 §5.1 escapes. */
  toString(): string {
    if (this.count === 0) return '.';
    const w = this.wire;
    let s = '';
    for (let i = 0, at = 0; i < this.count; i++) {
      s += escapeLabel(w.subarray(at + 1, at + 1 + w[at]!));
      s += '.';
      at += w[at]! + 1;
    }
    return s;
  }

  /** Presentation relative to `origin` when below it (`@` for the origin itself). */
  toRelativeString(origin: Name): string {
    if (!this.isSubdomainOf(origin)) return this.toString();
    const keep = this.count - origin.count;
    if (keep === 0) return '@';
    const parts: string[] = [];
    for (let i = 0; i < keep; i++) parts.push(escapeLabel(this.label(i)));
    return parts.join('.');
  }
}

// Label offsets of the two names Name.compare and Name.commonLabels walk (synchronous, never
// re-entered; a name has at most 127 labels, RFC 1035 §2.3.4).
const OFFSETS_A = new Int32Array(128);
const OFFSETS_B = new Int32Array(128);

/** Fills `out` with the offsets of the `count` labels' length octets in `wire`; returns `out`. */
function labelOffsets(wire: Uint8Array, count: number, out: Int32Array): Int32Array {
  for (let k = 0, at = 0; k < count; k++) {
    out[k] = at;
    at += wire[at]! + 1;
  }
  return out;
}

/** Escapes one label for presentation: printable ASCII as is, specials with `\`, others `\DDD`. */
export function escapeLabel(label: Uint8Array): string {
  let s = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24) {
      s += '\\' + String.fromCharCode(b);
    } else if (b > 0x20 && b < 0x7f) {
      s += String.fromCharCode(b);
    } else {
      s += '\\' + b.toString().padStart(3, '0');
    }
  }
  return s;
}

/**
 * Canonical DNS name order (RFC 4034 §6.1): compare label by label from the rightmost, each label
 * as a case-folded octet string where a shorter label that is a prefix sorts first; a name that is
 * a proper suffix of the other sorts first. Returns <0, 0 or >0.
 */
export function compareNames(a: Name, b: Name): number {
  return Name.compare(a, b);
}
