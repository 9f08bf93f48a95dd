// Master-file lines for a signed zone, written as bytes: the same text as zone/printer.ts
// printRecord (`owner TTL CLASS TYPE RDATA`, tab-separated, absolute names; RFC 1035 §5.1, RFC 4034
// §3.2, §4.2, §2.2 and RFC 5155 §3.3 presentation of RRSIG, NSEC, DNSKEY and NSEC3) for the records
// a signer produces by the million, encoded straight into an output buffer that is handed to a
// sink when full. No string is built per record for the common types: names are written from
// their wire form (RFC 1035 §5.1 escapes, as wire/name.ts escapeLabel), numbers digit by digit,
// base64 (RFC 4648 §4) and base32hex (§7) from the RDATA bytes, RRSIG times from a per-value cache.
// Every other type goes through the general presentation code (wire/rdata-text.ts printRdata).
// A string per line was most of what signing 100k records allocated in V8's heap (~400 MB of
// ~1 GB), and the young generation grows with the allocation that survives it.

import { classToString, RRType, typeToString } from '../wire/constants.js';
import { formatTime, printRdata } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
const HEX = '0123456789ABCDEF';
const B64_CODES = Uint8Array.from(B64, (c) => c.charCodeAt(0));
const B32_CODES = Uint8Array.from(B32, (c) => c.charCodeAt(0));
const HEX_CODES = Uint8Array.from(HEX, (c) => c.charCodeAt(0));
const TAB = 0x09;
const LF = 0x0a;
const SPACE = 0x20;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/** Octets a name's text can take: 255 wire octets, each at most `\DDD`. */
const NAME_TEXT_MAX = 255 * 4 + 1;

/** Takes a filled part of the output buffer; the buffer is reused once it returns. */
export type ByteSink = (bytes: Uint8Array) => void;

/** Characters that are escaped with a backslash in a label (wire/name.ts escapeLabel). */
function escapedChar(b: number): boolean {
  return b === 0x2e || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24;
}

function nameEnd(b: Uint8Array, at: number): number {
  let p = at;
  while (p < b.length && b[p] !== 0) p += b[p]! + 1;
  return p + 1;
}

/** Writes master-file lines for records into `sink`, a buffer at a time. */
export class ZoneByteWriter {
  private readonly sink: ByteSink;
  private readonly buf: Buffer;
  private at = 0;
  private readonly ascii = new Map<string, Uint8Array>();
  private readonly times = new Map<number, Uint8Array>();
  private lastOwner: Uint8Array | undefined;
  private lastOwnerText = new Uint8Array(0);

  constructor(sink: ByteSink, size = 1 << 18) {
    this.sink = sink;
    this.buf = Buffer.allocUnsafe(Math.max(size, 1 << 14));
  }

  /** Hands what is buffered to the sink. */
  flush(): void {
    if (this.at > 0) this.sink(this.buf.subarray(0, this.at));
    this.at = 0;
  }

  /** Makes room for `n` octets (flushing); false when a line that long does not fit at all. */
  private room(n: number): boolean {
    if (this.at + n <= this.buf.length) return true;
    this.flush();
    return n <= this.buf.length;
  }

  private text(s: string): void {
    let bytes = this.ascii.get(s);
    if (bytes === undefined) {
      bytes = Buffer.from(s, 'latin1');
      if (this.ascii.size > 4096) this.ascii.clear();
      this.ascii.set(s, bytes);
    }
    this.bytes(bytes);
  }

  private bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  private byte(b: number): void {
    this.buf[this.at++] = b;
  }

  private uint(n: number): void {
    if (n < 10) {
      this.buf[this.at++] = 0x30 + n;
      return;
    }
    let digits = 1;
    for (let v = n; v >= 10; v = Math.floor(v / 10)) digits++;
    let p = this.at + digits;
    this.at = p;
    for (let v = n; p > this.at - digits; v = Math.floor(v / 10)) this.buf[--p] = 0x30 + (v % 10);
  }

  /** A name in presentation form from its wire form at `b[start]` (absolute, trailing dot). */
  private name(b: Uint8Array, start: number): void {
    const buf = this.buf;
    let o = this.at;
    let p = start;
    if (b[p] === 0) {
      buf[o++] = DOT;
      this.at = o;
      return;
    }
    while (b[p] !== 0) {
      const end = p + 1 + b[p]!;
      for (let i = p + 1; i < end; i++) {
        const c = b[i]!;
        if (escapedChar(c)) {
          buf[o++] = BACKSLASH;
          buf[o++] = c;
        } else if (c > 0x20 && c < 0x7f) {
          buf[o++] = c;
        } else {
          buf[o++] = BACKSLASH;
          buf[o++] = 0x30 + Math.floor(c / 100);
          buf[o++] = 0x30 + (Math.floor(c / 10) % 10);
          buf[o++] = 0x30 + (c % 10);
        }
      }
      buf[o++] = DOT;
      p = end;
    }
    this.at = o;
  }

  private owner(wire: Uint8Array): void {
    if (wire !== this.lastOwner) {
      const start = this.at;
      this.name(wire, 0);
      this.lastOwner = wire;
      this.lastOwnerText = Uint8Array.from(this.buf.subarray(start, this.at));
      return;
    }
    this.bytes(this.lastOwnerText);
  }

  private time(t: number): void {
    let s = this.times.get(t);
    if (s === undefined) {
      if (this.times.size > 4096) this.times.clear();
      s = Buffer.from(formatTime(t), 'latin1');
      this.times.set(t, s);
    }
    this.bytes(s);
  }

  private base64(b: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let o = this.at;
    let i = start;
    for (; i + 3 <= end; i += 3) {
      const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
      buf[o++] = B64_CODES[v >>> 18]!;
      buf[o++] = B64_CODES[(v >>> 12) & 63]!;
      buf[o++] = B64_CODES[(v >>> 6) & 63]!;
      buf[o++] = B64_CODES[v & 63]!;
    }
    const left = end - i;
    if (left > 0) {
      const v = (b[i]! << 16) | (left > 1 ? b[i + 1]! << 8 : 0);
      buf[o++] = B64_CODES[v >>> 18]!;
      buf[o++] = B64_CODES[(v >>> 12) & 63]!;
      buf[o++] = left > 1 ? B64_CODES[(v >>> 6) & 63]! : 0x3d;
      buf[o++] = 0x3d;
    }
    this.at = o;
  }

  private base32hex(b: Uint8Array, start: number, end: number): void {
    let acc = 0;
    let bits = 0;
    for (let i = start; i < end; i++) {
      acc = ((acc << 8) | b[i]!) & 0xffff;
      bits += 8;
      while (bits >= 5) {
        this.buf[this.at++] = B32_CODES[(acc >>> (bits - 5)) & 31]!;
        bits -= 5;
      }
    }
    if (bits > 0) this.buf[this.at++] = B32_CODES[(acc << (5 - bits)) & 31]!;
  }

  private bitmap(b: Uint8Array, start: number): void {
    let p = start;
    while (p + 1 < b.length) {
      const base = b[p]! << 8;
      const len = b[p + 1]!;
      for (let j = 0; j < len; j++) {
        const v = b[p + 2 + j]!;
        if (v === 0) continue;
        for (let bit = 0; bit < 8; bit++) {
          if ((v & (0x80 >>> bit)) !== 0) {
            this.byte(SPACE);
            this.text(typeToString(base + j * 8 + bit));
          }
        }
      }
      p += 2 + len;
    }
  }

  /** The fast RDATA forms; false (nothing written) when the RDATA is not one of them or is odd. */
  private rdata(type: number, r: Uint8Array): boolean {
    switch (type) {
      case RRType.RRSIG: {
        if (r.length < 19) return false;
        const end = nameEnd(r, 18);
        if (end > r.length) return false;
        const u32 = (o: number): number => ((r[o]! << 24) | (r[o + 1]! << 16) | (r[o + 2]! << 8) | r[o + 3]!) >>> 0;
        this.text(typeToString((r[0]! << 8) | r[1]!));
        this.byte(SPACE);
        this.uint(r[2]!);
        this.byte(SPACE);
        this.uint(r[3]!);
        this.byte(SPACE);
        this.uint(u32(4));
        this.byte(SPACE);
        this.time(u32(8));
        this.byte(SPACE);
        this.time(u32(12));
        this.byte(SPACE);
        this.uint((r[16]! << 8) | r[17]!);
        this.byte(SPACE);
        this.name(r, 18);
        this.byte(SPACE);
        this.base64(r, end, r.length);
        return true;
      }
      case RRType.NSEC: {
        const end = nameEnd(r, 0);
        if (end > r.length) return false;
        this.name(r, 0);
        this.bitmap(r, end);
        return true;
      }
      case RRType.NSEC3: {
        if (r.length < 6) return false;
        const saltLen = r[4]!;
        const hashAt = 5 + saltLen;
        if (hashAt >= r.length) return false;
        const hashLen = r[hashAt]!;
        if (hashAt + 1 + hashLen > r.length) return false;
        this.uint(r[0]!);
        this.byte(SPACE);
        this.uint(r[1]!);
        this.byte(SPACE);
        this.uint((r[2]! << 8) | r[3]!);
        this.byte(SPACE);
        if (saltLen === 0) this.byte(0x2d);
        for (let i = 5; i < hashAt; i++) {
          this.byte(HEX_CODES[r[i]! >>> 4]!);
          this.byte(HEX_CODES[r[i]! & 15]!);
        }
        this.byte(SPACE);
        this.base32hex(r, hashAt + 1, hashAt + 1 + hashLen);
        this.bitmap(r, hashAt + 1 + hashLen);
        return true;
      }
      case RRType.DNSKEY:
        if (r.length < 5) return false;
        this.uint((r[0]! << 8) | r[1]!);
        this.byte(SPACE);
        this.uint(r[2]!);
        this.byte(SPACE);
        this.uint(r[3]!);
        this.byte(SPACE);
        this.base64(r, 4, r.length);
        return true;
      case RRType.A:
        if (r.length !== 4) return false;
        for (let i = 0; i < 4; i++) {
          if (i > 0) this.byte(DOT);
          this.uint(r[i]!);
        }
        return true;
      default:
        return false;
    }
  }

  /** Writes one record as a line (with the newline). */
  record(rr: ResourceRecord): void {
    const r = rr.rdata;
    // The fast forms write at most 4 octets per RDATA octet (names with \DDD), plus names and
    // numbers; a type bitmap up to 80 (a type mnemonic and a space per bit).
    const perOctet = rr.type === RRType.NSEC || rr.type === RRType.NSEC3 ? 80 : 4;
    if (!this.room(3 * NAME_TEXT_MAX + 64 + perOctet * r.length)) {
      this.sink(Buffer.from(`${rr.name.toString()}\t${rr.ttl}\t${classToString(rr.class)}\t${typeToString(rr.type)}\t${printRdata(rr.type, r)}\n`, 'utf8'));
      return;
    }
    const lineStart = this.at;
    this.owner(rr.name.wire);
    this.byte(TAB);
    this.uint(rr.ttl);
    this.byte(TAB);
    this.text(rr.class === 1 ? 'IN' : classToString(rr.class));
    this.byte(TAB);
    this.text(typeToString(rr.type));
    this.byte(TAB);
    const rdataStart = this.at;
    if (!this.rdata(rr.type, r)) {
      this.at = rdataStart;
      const text = printRdata(rr.type, r);
      if (this.at + text.length * 3 + 1 > this.buf.length) {
        // The line's start goes to the front of an empty buffer, or with the text straight to the sink.
        const head = Buffer.from(this.buf.subarray(lineStart, rdataStart));
        this.at = lineStart;
        this.flush();
        if (head.length + text.length * 3 + 1 > this.buf.length) {
          this.sink(head);
          this.sink(Buffer.from(`${text}\n`, 'utf8'));
          return;
        }
        this.bytes(head);
      }
      this.at += this.buf.write(text, this.at, 'utf8');
    }
    this.byte(LF);
  }
}
