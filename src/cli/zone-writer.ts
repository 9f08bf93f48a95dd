// Master-file lines for a signed zone, fast: the same text as zone/printer.ts printRecord
// (`owner TTL CLASS TYPE RDATA`, tab-separated, absolute names; RFC 1035 §5.1, RFC 4034 §3.2,
// §4.2, §2.2 and RFC 5155 §3.3 presentation of RRSIG, NSEC, DNSKEY and NSEC3) for the records a
// signer produces by the million. The owner name is turned into text once per owner, RRSIG times
// are cached, and RRSIG, NSEC, NSEC3, DNSKEY and A RDATA are written directly; every other type
// goes through the general presentation code (wire/rdata-text.ts printRdata).

import { classToString, RRType, typeToString } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import { bytesToHex, formatTime, printRdata } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';

const B32 = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

function base64(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('base64');
}

function base32hex(b: Uint8Array, start: number, end: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (let i = start; i < end; i++) {
    acc = ((acc << 8) | b[i]!) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31]!;
  return out;
}

function bitmapText(b: Uint8Array, start: number): string {
  let out = '';
  let p = start;
  while (p + 1 < b.length) {
    const base = b[p]! << 8;
    const len = b[p + 1]!;
    for (let j = 0; j < len; j++) {
      const v = b[p + 2 + j]!;
      if (v === 0) continue;
      for (let bit = 0; bit < 8; bit++) if ((v & (0x80 >>> bit)) !== 0) out += ' ' + typeToString(base + j * 8 + bit);
    }
    p += 2 + len;
  }
  return out;
}

function nameEnd(b: Uint8Array, at: number): number {
  let p = at;
  while (p < b.length && b[p] !== 0) p += b[p]! + 1;
  return p + 1;
}

/** Turns records into master-file lines (with the newline), caching per owner and per time. */
export class ZoneLineWriter {
  private lastName: Name | undefined;
  private lastOwner = '';
  private readonly times = new Map<number, string>();
  private lastSigner: Uint8Array | undefined;
  private lastSignerText = '';

  private time(t: number): string {
    let s = this.times.get(t);
    if (s === undefined) {
      if (this.times.size > 4096) this.times.clear();
      s = formatTime(t);
      this.times.set(t, s);
    }
    return s;
  }

  private signer(b: Uint8Array, start: number, end: number): string {
    const last = this.lastSigner;
    if (last?.length === end - start) {
      let same = true;
      for (let i = 0; i < last.length; i++) {
        if (last[i] !== b[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastSignerText;
    }
    this.lastSigner = b.slice(start, end);
    this.lastSignerText = Name.fromWire(this.lastSigner).toString();
    return this.lastSignerText;
  }

  /** The RDATA text of a record; the fast forms fall back to printRdata on anything odd. */
  rdataText(type: number, r: Uint8Array): string {
    try {
      switch (type) {
        case RRType.RRSIG: {
          if (r.length < 19) break;
          const u32 = (o: number): number => ((r[o]! << 24) | (r[o + 1]! << 16) | (r[o + 2]! << 8) | r[o + 3]!) >>> 0;
          const end = nameEnd(r, 18);
          if (end > r.length) break;
          return `${typeToString((r[0]! << 8) | r[1]!)} ${r[2]!} ${r[3]!} ${u32(4)} ${this.time(u32(8))} ${this.time(u32(12))} ${(r[16]! << 8) | r[17]!} ${this.signer(r, 18, end)} ${base64(r, end, r.length)}`;
        }
        case RRType.NSEC: {
          const end = nameEnd(r, 0);
          if (end > r.length) break;
          return Name.fromWire(r.subarray(0, end)).toString() + bitmapText(r, end);
        }
        case RRType.NSEC3: {
          if (r.length < 6) break;
          const saltLen = r[4]!;
          const hashAt = 5 + saltLen;
          const hashLen = r[hashAt]!;
          if (hashAt + 1 + hashLen > r.length) break;
          const salt = saltLen === 0 ? '-' : bytesToHex(r.subarray(5, hashAt)).toUpperCase();
          return `${r[0]!} ${r[1]!} ${(r[2]! << 8) | r[3]!} ${salt} ${base32hex(r, hashAt + 1, hashAt + 1 + hashLen)}${bitmapText(r, hashAt + 1 + hashLen)}`;
        }
        case RRType.DNSKEY:
          if (r.length < 5) break;
          return `${(r[0]! << 8) | r[1]!} ${r[2]!} ${r[3]!} ${base64(r, 4, r.length)}`;
        case RRType.A:
          if (r.length !== 4) break;
          return `${r[0]!}.${r[1]!}.${r[2]!}.${r[3]!}`;
        default:
          break;
      }
    } catch {
      // Fall through to the general form.
    }
    return printRdata(type, r);
  }

  /** One record as a line, with the newline. */
  line(rr: ResourceRecord): string {
    if (rr.name !== this.lastName) {
      this.lastName = rr.name;
      this.lastOwner = rr.name.toString();
    }
    return `${this.lastOwner}\t${rr.ttl}\t${rr.class === 1 ? 'IN' : classToString(rr.class)}\t${typeToString(rr.type)}\t${this.rdataText(rr.type, rr.rdata)}\n`;
  }
}
