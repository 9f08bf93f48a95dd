// RDATA presentation format, driven by the schema table (rdata-schema.ts): tokens → wire RDATA
// and wire RDATA → BIND-like text. The binary side is rdata.ts; this module only converts between
// presentation text and the decoded field values.
//
// Sources: RFC 1035 §5.1 (character strings, `\X` and `\DDD` escapes), RFC 3597 §5 (the generic
// `\# <length> <hex>` form, accepted for every type; for known types the octets must then decode),
// RFC 4034 §2.2/§3.2/§4.2/§5.3 (DNSKEY, RRSIG times YYYYMMDDHHmmSS or decimal, NSEC bitmaps as
// mnemonics, DS digest hex), RFC 5155 §3.3/§4.3 (NSEC3 salt hex or `-`, next hashed owner in
// base32hex without padding), RFC 4648 §4/§7 (base64, base32hex), RFC 9460 §2.1 and appendix A
// (SvcParams as key=value, value lists with `\,`), RFC 8659 §4.1 (CAA tag and value), RFC 2308 §4
// and BIND (TTL units 1w2d3h4m5s).
//
// Printing is BIND-like: names absolute, character strings always quoted with `\"`, `\\` and
// `\DDD` escapes, hex upper case, base64 unbroken, RRSIG times as YYYYMMDDHHmmSS, NSEC3 next
// hashed owner upper case. Whatever cannot be printed so that it parses back to the same octets
// (unknown types, RDATA that does not decode, empty fields that have no textual form) is printed
// in the RFC 3597 generic form, so print → parse is always the identity on the octets.

import { AnchordError, PresentationError } from '../core/errors.js';
import { algorithmFromMnemonic, RRType, typeFromString, typeToString } from './constants.js';
import { Name } from './name.js';
import { schemaFor, type FieldSpec, type FieldValue, type SvcParam } from './rdata-schema.js';
import { decodeRdata, encodeRdata, ipv4FromText, ipv4ToText, ipv6FromText, ipv6ToText } from './rdata.js';
import { base32hexDecode, base32hexEncode } from './base32hex.js';
import { concatBytes } from '../core/bytes.js';

/** One presentation token as the zone lexer (or any other tokenizer) produced it. */
export interface Token {
  /**
   * The raw text: escapes (`\X`, `\DDD`) are NOT interpreted; for a quoted token, the characters
   * between the quotes.
   */
  readonly text: string;
  readonly quoted: boolean;
  /** 1-based line and column of the token's first character (the quote for quoted tokens). */
  readonly line: number;
  readonly column: number;
}

/** A presentation error tied to the token (when there is one) where it was found. */
export class RdataTextError extends PresentationError {
  readonly token: Token | undefined;
  constructor(message: string, token: Token | undefined) {
    super(message);
    this.token = token;
  }
}

/** Largest RDATA (RFC 1035 §3.2.1: RDLENGTH is 16 bits). */
const MAX_RDATA = 65535;
/** Types whose `algorithm` field is a DNSSEC algorithm, writable as a mnemonic (RFC 4034 §A.1). */
const ALGORITHM_TYPES: ReadonlySet<number> = new Set<number>([
  RRType.DS, RRType.CDS, RRType.TA, RRType.DLV, RRType.DNSKEY, RRType.CDNSKEY, RRType.RRSIG,
]);
const U32_MAX = 0xffffffff;

// ---- Numbers, TTLs, times --------------------------------------------------------------------

const DIGITS = /^[0-9]+$/;

/** An unsigned decimal integer no larger than `max`; undefined when the text is not one. */
export function parseDecimal(text: string, max: number): number | undefined {
  if (!DIGITS.test(text) || text.length > 10) return undefined;
  const v = Number(text);
  return v <= max ? v : undefined;
}

const TTL_UNITS: Readonly<Record<string, number>> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/**
 * A TTL-like duration: decimal seconds, or BIND units (`1w2d3h4m5s`, case-insensitive, each
 * number followed by its unit). Throws PresentationError above 2^32-1 or on bad syntax.
 */
export function parseTtl(text: string): number {
  let total = 0;
  if (DIGITS.test(text)) {
    total = text.length > 10 ? Infinity : Number(text);
  } else {
    const re = /([0-9]{1,10})([wdhms])/giy;
    let last = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      total += Number(m[1]) * TTL_UNITS[m[2]!.toLowerCase()]!;
      last = re.lastIndex;
    }
    if (last !== text.length || text.length === 0) throw new PresentationError(`bad TTL "${text}"`);
  }
  if (total > U32_MAX) throw new PresentationError(`TTL "${text}" exceeds 2^32-1 seconds`);
  return total;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/**
 * An RRSIG time (RFC 4034 §3.2): YYYYMMDDHHmmSS in UTC, or decimal seconds since the epoch. The
 * value is kept modulo 2^32, as serial arithmetic (RFC 4034 §3.1.5) reads it.
 */
export function parseTime(text: string): number {
  if (text.length === 14 && DIGITS.test(text)) {
    const y = Number(text.slice(0, 4));
    const mo = Number(text.slice(4, 6));
    const d = Number(text.slice(6, 8));
    const h = Number(text.slice(8, 10));
    const mi = Number(text.slice(10, 12));
    const s = Number(text.slice(12, 14));
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
      throw new PresentationError(`bad date "${text}" (YYYYMMDDHHmmSS)`);
    }
    const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return ((secs % 2 ** 32) + 2 ** 32) % 2 ** 32;
  }
  const v = parseDecimal(text, U32_MAX);
  if (v === undefined) throw new PresentationError(`bad time "${text}" (YYYYMMDDHHmmSS or seconds)`);
  return v;
}

/** YYYYMMDDHHmmSS (UTC) for a u32 time, read as seconds since 1970 (the 1970-2106 window). */
export function formatTime(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

// ---- Character strings -----------------------------------------------------------------------

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * Decodes the escapes of a character string (RFC 1035 §5.1): `\DDD` is the octet DDD (three
 * digits, at most 255), `\X` is X. Characters outside ASCII become their UTF-8 octets.
 */
export function unescapeText(text: string): Uint8Array {
  const out: number[] = [];
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= n) throw new PresentationError('backslash at the end of a string');
      const e = text.charCodeAt(i + 1);
      if (isDigit(e)) {
        if (i + 3 >= n) throw new PresentationError(`bad escape "${text.slice(i, i + 4)}" (\\DDD needs three digits)`);
        const d2 = text.charCodeAt(i + 2);
        const d3 = text.charCodeAt(i + 3);
        if (!isDigit(d2) || !isDigit(d3)) throw new PresentationError(`bad escape "${text.slice(i, i + 4)}" (\\DDD needs three digits)`);
        const v = (e - 0x30) * 100 + (d2 - 0x30) * 10 + (d3 - 0x30);
        if (v > 255) throw new PresentationError(`escape "\\${text.slice(i + 1, i + 4)}" is above 255`);
        out.push(v);
        i += 4;
        continue;
      }
      const cp = text.codePointAt(i + 1)!;
      pushUtf8(out, cp);
      i += cp > 0xffff ? 3 : 2;
      continue;
    }
    if (c < 0x80) {
      out.push(c);
      i++;
      continue;
    }
    const cp = text.codePointAt(i)!;
    pushUtf8(out, cp);
    i += cp > 0xffff ? 2 : 1;
  }
  return Uint8Array.from(out);
}

/** Escapes octets for use inside quotes: `"` and `\` with a backslash, the rest non-printable as `\DDD`. */
export function escapeText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += '\\' + b.toString().padStart(3, '0');
  }
  return s;
}

/** A quoted character string. */
export function quoteText(bytes: Uint8Array): string {
  return `"${escapeText(bytes)}"`;
}

// ---- Hex, base64, base32hex (RFC 4648) -------------------------------------------------------

const HEX_UPPER = '0123456789ABCDEF';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Hex digits (either case) to octets; throws on odd length or a non-hex character. */
export function hexToBytes(text: string): Uint8Array {
  if (text.length % 2 !== 0) throw new PresentationError('odd number of hex digits');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexValue(text.charCodeAt(2 * i));
    const lo = hexValue(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new PresentationError(`bad hex digit in "${text.length > 40 ? text.slice(0, 40) + '...' : text}"`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX_UPPER[b >> 4]! + HEX_UPPER[b & 15]!;
  return s;
}

function b64Value(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41;
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26;
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52;
  if (c === 0x2b) return 62;
  if (c === 0x2f) return 63;
  return -1;
}

/** Strict base64 (RFC 4648 §4): length a multiple of 4, `=` padding only at the end. */
export function base64ToBytes(text: string): Uint8Array {
  const n = text.length;
  if (n % 4 !== 0) throw new PresentationError('base64 length is not a multiple of 4');
  let pad = 0;
  if (n > 0 && text.charCodeAt(n - 1) === 0x3d) pad = n > 1 && text.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  const out = new Uint8Array((n / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 === n;
    let acc = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      let v: number;
      if (c === 0x3d && last && k >= 4 - pad) v = 0;
      else {
        v = b64Value(c);
        if (v < 0) throw new PresentationError(`bad base64 character "${text[i + k]!}"`);
      }
      acc = (acc << 6) | v;
    }
    out[o++] = acc >> 16;
    if (o < out.length) out[o++] = (acc >> 8) & 0xff;
    if (o < out.length) out[o++] = acc & 0xff;
  }
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + B64[v & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    s += B64[v >> 18]! + B64[(v >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    s += B64[v >> 18]! + B64[(v >> 12) & 63]! + B64[(v >> 6) & 63]! + '=';
  }
  return s;
}

// ---- Names -----------------------------------------------------------------------------------

/**
 * A domain name in presentation form, relative to `origin`. Beyond Name.parse, a `\` followed by
 * a digit must be a full `\DDD` escape (as BIND requires).
 */
export function parseNameText(text: string, origin: Name | undefined): Name {
  if (text.includes('\\')) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) !== 0x5c) continue;
      const e = text.charCodeAt(i + 1);
      if (isDigit(e) && !(isDigit(text.charCodeAt(i + 2)) && isDigit(text.charCodeAt(i + 3)))) {
        throw new PresentationError(`bad escape "${text.slice(i, i + 4)}" in "${text}" (\\DDD needs three digits)`);
      }
      i++;
    }
  }
  return Name.parse(text, origin);
}

// ---- SvcParams (RFC 9460) --------------------------------------------------------------------

export const SvcParamKey = {
  mandatory: 0,
  alpn: 1,
  'no-default-alpn': 2,
  port: 3,
  ipv4hint: 4,
  ech: 5,
  ipv6hint: 6,
} as const;

const SVC_KEY_NAMES = new Map<number, string>(Object.entries(SvcParamKey).map(([k, v]) => [v, k]));

/** Presentation name of a SvcParamKey: a registered name or keyNNNNN (RFC 9460 §2.1). */
export function svcKeyToString(key: number): string {
  return SVC_KEY_NAMES.get(key) ?? `key${key}`;
}

/** SvcParamKey number for a name or keyNNNNN; key65535 is reserved ("Invalid key"). */
export function svcKeyFromString(text: string): number | undefined {
  const lower = text.toLowerCase();
  const known = (SvcParamKey as Record<string, number>)[lower];
  if (known !== undefined) return known;
  const m = /^key([0-9]{1,5})$/.exec(lower);
  if (m === null) return undefined;
  const v = Number(m[1]);
  return v < 65535 ? v : undefined;
}

/** Splits an unescaped value on commas; `\,` and `\\` escape (RFC 9460 appendix A.1 value-list). */
function splitValueList(value: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    if (b === 0x5c) {
      if (i + 1 >= value.length) throw new PresentationError('backslash at the end of a value list');
      cur.push(value[++i]!);
    } else if (b === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else {
      cur.push(b);
    }
  }
  items.push(Uint8Array.from(cur));
  return items;
}

function ascii(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

function u16(v: number): Uint8Array {
  return Uint8Array.of(v >> 8, v & 0xff);
}

/** Encodes one SvcParam value from its unescaped presentation (RFC 9460 §7). */
function svcValueFromText(key: number, value: Uint8Array | undefined): Uint8Array {
  const name = svcKeyToString(key);
  const need = (): Uint8Array => {
    if (value === undefined || value.length === 0) throw new PresentationError(`SvcParam ${name} needs a value`);
    return value;
  };
  switch (key) {
    case SvcParamKey.mandatory: {
      const keys = ascii(need()).split(',').map((k) => {
        const v = svcKeyFromString(k);
        if (v === undefined) throw new PresentationError(`unknown SvcParamKey "${k}" in mandatory`);
        if (v === SvcParamKey.mandatory) throw new PresentationError('mandatory must not list itself (RFC 9460 §8)');
        return v;
      });
      keys.sort((a, b) => a - b);
      for (let i = 1; i < keys.length; i++) {
        if (keys[i] === keys[i - 1]) throw new PresentationError(`key ${svcKeyToString(keys[i]!)} listed twice in mandatory`);
      }
      return concatBytes(...keys.map(u16));
    }
    case SvcParamKey.alpn: {
      const ids = splitValueList(need());
      return concatBytes(...ids.map((id) => {
        if (id.length === 0 || id.length > 255) throw new PresentationError('alpn ids must be 1 to 255 octets');
        return concatBytes(Uint8Array.of(id.length), id);
      }));
    }
    case SvcParamKey['no-default-alpn']:
      if (value !== undefined && value.length > 0) throw new PresentationError('no-default-alpn takes no value');
      return new Uint8Array(0);
    case SvcParamKey.port: {
      const p = parseDecimal(ascii(need()), 0xffff);
      if (p === undefined) throw new PresentationError(`bad port "${ascii(need())}"`);
      return u16(p);
    }
    case SvcParamKey.ipv4hint:
      return concatBytes(...ascii(need()).split(',').map((a) => ipv4FromText(a)));
    case SvcParamKey.ipv6hint:
      return concatBytes(...ascii(need()).split(',').map((a) => ipv6FromText(a)));
    case SvcParamKey.ech:
      return base64ToBytes(ascii(need()));
    default:
      return value ?? new Uint8Array(0);
  }
}

function escapeValueListItem(item: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (const b of item) {
    if (b === 0x2c || b === 0x5c) out.push(0x5c);
    out.push(b);
  }
  return Uint8Array.from(out);
}

/** Thrown internally when a field has no textual form that parses back to the same octets. */
class Unprintable extends Error {}

function svcParamToText(p: SvcParam): string {
  const name = svcKeyToString(p.key);
  const v = p.value;
  switch (p.key) {
    case SvcParamKey.mandatory: {
      if (v.length === 0 || v.length % 2 !== 0) throw new Unprintable();
      const keys: string[] = [];
      for (let i = 0; i < v.length; i += 2) keys.push(svcKeyToString((v[i]! << 8) | v[i + 1]!));
      return `${name}=${keys.join(',')}`;
    }
    case SvcParamKey.alpn: {
      const items: Uint8Array[] = [];
      for (let i = 0; i < v.length; ) {
        const len = v[i]!;
        if (len === 0 || i + 1 + len > v.length) throw new Unprintable();
        items.push(escapeValueListItem(v.subarray(i + 1, i + 1 + len)));
        i += 1 + len;
      }
      if (items.length === 0) throw new Unprintable();
      const joined: Uint8Array[] = [];
      items.forEach((it, idx) => {
        if (idx > 0) joined.push(Uint8Array.of(0x2c));
        joined.push(it);
      });
      return `${name}=${quoteText(concatBytes(...joined))}`;
    }
    case SvcParamKey['no-default-alpn']:
      if (v.length !== 0) throw new Unprintable();
      return name;
    case SvcParamKey.port:
      if (v.length !== 2) throw new Unprintable();
      return `${name}=${(v[0]! << 8) | v[1]!}`;
    case SvcParamKey.ipv4hint: {
      if (v.length === 0 || v.length % 4 !== 0) throw new Unprintable();
      const a: string[] = [];
      for (let i = 0; i < v.length; i += 4) a.push(ipv4ToText(v.subarray(i, i + 4)));
      return `${name}=${a.join(',')}`;
    }
    case SvcParamKey.ipv6hint: {
      if (v.length === 0 || v.length % 16 !== 0) throw new Unprintable();
      const a: string[] = [];
      for (let i = 0; i < v.length; i += 16) a.push(ipv6ToText(v.subarray(i, i + 16)));
      return `${name}=${a.join(',')}`;
    }
    case SvcParamKey.ech:
      if (v.length === 0) throw new Unprintable();
      return `${name}=${bytesToBase64(v)}`;
    default:
      return v.length === 0 ? name : `${name}=${quoteText(v)}`;
  }
}

// ---- Parsing ---------------------------------------------------------------------------------

function fail(message: string, token: Token | undefined): never {
  throw new RdataTextError(message, token);
}

/** Runs `fn`, turning a PresentationError (or RangeError from a helper) into one naming the field. */
function inField<T>(spec: FieldSpec, token: Token | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RdataTextError) throw err;
    if (err instanceof PresentationError || err instanceof RangeError) {
      fail(`field ${spec.name}: ${err.message}`, token);
    }
    throw err;
  }
}

function uint(text: string, max: number, what: string): number {
  const v = parseDecimal(text, max);
  if (v === undefined) throw new PresentationError(`"${text}" is not ${what}`);
  return v;
}

function charString(t: Token): Uint8Array {
  const b = unescapeText(t.text);
  if (b.length > 255) throw new PresentationError(`character string longer than 255 octets (${b.length})`);
  return b;
}

function parseSvcParams(tokens: readonly Token[], start: number, spec: FieldSpec): SvcParam[] {
  const params: SvcParam[] = [];
  const seen = new Set<number>();
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.quoted) fail(`field ${spec.name}: SvcParam key expected, found a quoted string`, t);
    const eq = t.text.indexOf('=');
    const keyText = eq < 0 ? t.text : t.text.slice(0, eq);
    const key = svcKeyFromString(keyText);
    if (key === undefined) fail(`field ${spec.name}: unknown SvcParamKey "${keyText}"`, t);
    if (seen.has(key)) fail(`field ${spec.name}: SvcParamKey ${svcKeyToString(key)} appears twice`, t);
    seen.add(key);
    let value: Uint8Array | undefined;
    if (eq >= 0) {
      const raw = t.text.slice(eq + 1);
      const next = tokens[k + 1];
      if (raw === '' && next?.quoted === true) {
        value = inField(spec, next, () => unescapeText(next.text));
        k++;
      } else {
        value = inField(spec, t, () => unescapeText(raw));
      }
    }
    params.push({ key, value: inField(spec, t, () => svcValueFromText(key, value)) });
  }
  params.sort((a, b) => a.key - b.key);
  const mandatory = params.find((p) => p.key === SvcParamKey.mandatory);
  if (mandatory !== undefined) {
    for (let i = 0; i < mandatory.value.length; i += 2) {
      const key = (mandatory.value[i]! << 8) | mandatory.value[i + 1]!;
      if (!seen.has(key)) fail(`field ${spec.name}: mandatory key ${svcKeyToString(key)} is missing (RFC 9460 §8)`, tokens[start]);
    }
  }
  return params;
}

/** The RFC 3597 generic form: `\# <length> <hex>...`. */
function parseGeneric(type: number, tokens: readonly Token[]): Uint8Array {
  const lenTok = tokens[1];
  if (lenTok === undefined) fail('\\# needs an RDATA length', tokens[0]);
  const len = parseDecimal(lenTok.text, MAX_RDATA);
  if (len === undefined || lenTok.quoted) fail(`bad RDATA length "${lenTok.text}" after \\#`, lenTok);
  let hex = '';
  for (let k = 2; k < tokens.length; k++) hex += tokens[k]!.text;
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(hex);
  } catch (err) {
    fail(`\\# data: ${(err as Error).message}`, tokens[2]);
  }
  if (bytes.length !== len) fail(`\\# length ${len} does not match the ${bytes.length} octets of data`, lenTok);
  if (schemaFor(type) !== undefined) {
    try {
      decodeRdata(type, bytes);
    } catch (err) {
      fail(`\\# data is not valid ${typeToString(type)} RDATA: ${(err as Error).message}`, tokens[2] ?? lenTok);
    }
  }
  return bytes;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Parses the value of one single-token field. Throws PresentationError (or RangeError). */
function singleField(type: number, spec: FieldSpec, tk: Token, origin: Name | undefined): FieldValue {
  const text = tk.text;
  switch (spec.kind) {
    case 'u8':
      if (spec.name === 'algorithm' && ALGORITHM_TYPES.has(type)) {
        const alg = algorithmFromMnemonic(text);
        if (alg === undefined) throw new RdataTextError(`${spec.name}: expected an algorithm number or mnemonic, got "${text}"`, tk);
        return alg;
      }
      return uint(text, 0xff, 'an 8-bit number');
    case 'u16':
      return uint(text, 0xffff, 'a 16-bit number');
    case 'u32':
      return uint(text, U32_MAX, 'a 32-bit number');
    case 'ttl':
      return parseTtl(text);
    case 'time':
      return parseTime(text);
    case 'type': {
      const ty = tk.quoted ? undefined : typeFromString(text);
      if (ty === undefined) throw new PresentationError(`unknown type "${text}"`);
      return ty;
    }
    case 'name':
      return parseNameText(text, origin);
    case 'ipv4':
      ipv4FromText(text);
      return text;
    case 'ipv6':
      ipv6FromText(text);
      return text;
    case 'string':
      return charString(tk);
    case 'hex8': {
      if (text === '-') return new Uint8Array(0);
      const b = hexToBytes(text);
      if (b.length > 255) throw new PresentationError('longer than 255 octets');
      return b;
    }
    case 'base32hex8': {
      const b = base32hexDecode(text);
      if (b.length === 0 || b.length > 255) throw new PresentationError('must be 1 to 255 octets');
      return b;
    }
    case 'tag': {
      const b = unescapeText(text);
      if (b.length === 0 || b.length > 255 || !b.every(isAlnum)) {
        throw new PresentationError(`"${text}" is not an alphanumeric tag (RFC 8659 §4.1)`);
      }
      return b;
    }
    case 'text':
      return unescapeText(text);
    default:
      throw new TypeError(`field kind ${spec.kind} takes the rest of the tokens`);
  }
}

function joinTexts(tokens: readonly Token[], from: number): string {
  let s = '';
  for (let i = from; i < tokens.length; i++) s += tokens[i]!.text;
  return s;
}

/**
 * Parses the RDATA tokens of one record of `type` into uncompressed wire RDATA. Relative names
 * are completed with `origin`. Errors are RdataTextError (a PresentationError) naming the field
 * and carrying the token where it went wrong.
 */
export function parseRdata(type: number, tokens: readonly Token[], origin: Name | undefined): Uint8Array {
  const first = tokens[0];
  if (first !== undefined && !first.quoted && first.text === '\\#') return parseGeneric(type, tokens);
  const schema = schemaFor(type);
  if (schema === undefined) fail(`type ${typeToString(type)} has no known presentation format; use the RFC 3597 \\# form`, first);
  const fields: Record<string, FieldValue> = {};
  const n = tokens.length;
  let k = 0;
  let spec: FieldSpec | undefined;
  let cur: Token | undefined;
  try {
    for (spec of schema.fields) {
      cur = tokens[k];
      if (cur === undefined && spec.kind !== 'bitmap' && spec.kind !== 'svcparams') {
        fail(`missing field ${spec.name} of ${typeToString(type)}`, tokens[n - 1]);
      }
      let v: FieldValue;
      switch (spec.kind) {
        case 'strings': {
          const list: Uint8Array[] = [];
          for (; k < n; k++) {
            cur = tokens[k]!;
            list.push(charString(cur));
          }
          v = list;
          break;
        }
        case 'hex':
          v = hexToBytes(joinTexts(tokens, k));
          k = n;
          break;
        case 'base64':
          v = base64ToBytes(joinTexts(tokens, k));
          k = n;
          break;
        case 'bitmap': {
          const types: number[] = [];
          for (; k < n; k++) {
            cur = tokens[k]!;
            const ty = cur.quoted ? undefined : typeFromString(cur.text);
            if (ty === undefined) throw new PresentationError(`unknown type "${cur.text}"`);
            types.push(ty);
          }
          v = types;
          break;
        }
        case 'svcparams':
          v = parseSvcParams(tokens, k, spec);
          k = n;
          break;
        default:
          v = singleField(type, spec, cur!, origin);
          k++;
      }
      fields[spec.name] = v;
    }
  } catch (err) {
    if (err instanceof RdataTextError) throw err;
    if ((err instanceof PresentationError || err instanceof RangeError) && spec !== undefined) {
      fail(`field ${spec.name}: ${err.message}`, cur);
    }
    throw err;
  }
  const extra = tokens[k];
  if (extra !== undefined) {
    fail(`unexpected "${extra.text}" after the last field of ${typeToString(type)}`, extra);
  }
  try {
    return encodeRdata(type, fields);
  } catch (err) {
    if (err instanceof PresentationError || err instanceof RangeError) fail(`${typeToString(type)}: ${err.message}`, first);
    throw err;
  }
}

// ---- Printing --------------------------------------------------------------------------------

/** The RFC 3597 generic form `\# <length> <HEX>` (`\# 0` when empty). */
export function printGenericRdata(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${bytesToHex(rdata)}`;
}

function fieldToText(spec: FieldSpec, v: FieldValue | undefined): string {
  if (v === undefined) throw new Unprintable();
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 'ttl':
      return (v as number).toString();
    case 'time':
      return formatTime(v as number);
    case 'type':
      return typeToString(v as number);
    case 'name':
      return (v as Name).toString();
    case 'ipv4':
    case 'ipv6':
      return v as string;
    case 'string':
    case 'text':
      return quoteText(v as Uint8Array);
    case 'strings': {
      const list = v as readonly Uint8Array[];
      if (list.length === 0) throw new Unprintable();
      return list.map(quoteText).join(' ');
    }
    case 'hex': {
      const b = v as Uint8Array;
      if (b.length === 0) throw new Unprintable();
      return bytesToHex(b);
    }
    case 'base64': {
      const b = v as Uint8Array;
      if (b.length === 0) throw new Unprintable();
      return bytesToBase64(b);
    }
    case 'hex8': {
      const b = v as Uint8Array;
      return b.length === 0 ? '-' : bytesToHex(b);
    }
    case 'base32hex8': {
      const b = v as Uint8Array;
      if (b.length === 0) throw new Unprintable();
      return base32hexEncode(b);
    }
    case 'bitmap':
      return (v as readonly number[]).map(typeToString).join(' ');
    case 'svcparams':
      return (v as readonly SvcParam[]).map(svcParamToText).join(' ');
    case 'tag': {
      const b = v as Uint8Array;
      if (b.length === 0 || !b.every(isAlnum)) {
        throw new Unprintable();
      }
      return ascii(b);
    }
  }
}

/**
 * Presentation text of wire RDATA (BIND-like; see the module comment). Unknown types, RDATA that
 * does not decode, and values without a faithful textual form come out in the RFC 3597 form.
 */
export function printRdata(type: number, rdata: Uint8Array): string {
  const schema = schemaFor(type);
  if (schema === undefined) return printGenericRdata(rdata);
  try {
    const fields = decodeRdata(type, rdata);
    const parts: string[] = [];
    for (const spec of schema.fields) {
      const s = fieldToText(spec, fields[spec.name]);
      if (s !== '') parts.push(s);
    }
    return parts.join(' ');
  } catch (err) {
    if (err instanceof Unprintable || err instanceof AnchordError || err instanceof RangeError) return printGenericRdata(rdata);
    throw err;
  }
}
