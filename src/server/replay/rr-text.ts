// RR lines of scenario entries, before and after the zone parser (FORMAT.md §3.1, §10):
// - algorithm mnemonics in the DS/RRSIG/DNSKEY algorithm field (RFC 4034 §2.2, §3.2, §5.3 allow a
//   mnemonic or a number there; Deckard and Unbound scenario files use `DSA`, `RSASHA1`) become
//   numbers;
// - type mnemonics of the IANA registry that anchord's codec has no constant for (e.g. PX, RFC
//   2163) become RFC 3597 `TYPEnnn`;
// - records malformed on purpose (a `\#` RDATA that is wrong for its type, an RRSIG whose
//   signature field is empty or not valid base64) are kept with the octets as written, because
//   the scenario is about how the resolver treats them.

import { algorithmFromText } from '../../dnssec/algorithms.js';
import { classFromString, RRClass, RRType, typeFromString } from '../../wire/constants.js';
import type { Name } from '../../wire/name.js';
import { parseNameText, parseTtl } from '../../wire/rdata-text.js';
import type { ResourceRecord } from '../../wire/record.js';

/** IANA RR type mnemonics missing from wire/constants.ts. */
const EXTRA_TYPES: Readonly<Record<string, number>> = {
  X25: 19,
  ISDN: 20,
  RT: 21,
  NSAP: 22,
  'NSAP-PTR': 23,
  PX: 26,
  GPOS: 27,
  EID: 31,
  NIMLOC: 32,
  ATMA: 34,
  A6: 38,
  SINK: 40,
  NINFO: 56,
  RKEY: 57,
  TALINK: 58,
  UINFO: 100,
  UID: 101,
  GID: 102,
  UNSPEC: 103,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  AVC: 258,
  DOA: 259,
  AMTRELAY: 260,
};

/** A type mnemonic, including the extra ones, or undefined. */
export function scenarioType(text: string): number | undefined {
  return typeFromString(text) ?? EXTRA_TYPES[text.toUpperCase()];
}

interface Tok {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly quoted: boolean;
}

function tokens(line: string): Tok[] {
  const out: Tok[] = [];
  const re = /"(?:\\.|[^"\\])*"?|\S+/g;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length, quoted: m[0].startsWith('"') });
  }
  return out;
}

function isTtlText(t: string): boolean {
  return /^[0-9]/.test(t);
}

/** Index of the type token: after the owner, at most one TTL and one class. */
function typeIndex(toks: readonly Tok[]): number | undefined {
  let i = 1;
  let ttl = false;
  let cls = false;
  while (i < toks.length) {
    const t = toks[i]!.text;
    if (!ttl && isTtlText(t)) ttl = true;
    else if (!cls && classFromString(t) !== undefined && scenarioType(t) === undefined) cls = true;
    else break;
    i++;
  }
  return i < toks.length ? i : undefined;
}

/** Offset (from the type token) of the algorithm field, per type. */
function algorithmField(type: number): number | undefined {
  switch (type) {
    case RRType.DS:
    case RRType.CDS:
    case RRType.DLV:
    case RRType.TA:
    case RRType.RRSIG:
    case RRType.SIG:
      return 2;
    case RRType.DNSKEY:
    case RRType.CDNSKEY:
    case RRType.KEY:
      return 3;
    default:
      return undefined;
  }
}

/** The line with mnemonics the codec cannot read replaced (module comment). */
export function normaliseRRText(line: string): string {
  const toks = tokens(line);
  const ti = typeIndex(toks);
  if (ti === undefined) return line;
  const repl = new Map<number, string>();
  for (let i = ti; i < toks.length; i++) {
    const t = toks[i]!;
    if (t.quoted || typeFromString(t.text) !== undefined) continue;
    const extra = EXTRA_TYPES[t.text.toUpperCase()];
    if (extra !== undefined) repl.set(i, `TYPE${extra}`);
  }
  const type = scenarioType(toks[ti]!.text);
  const af = type === undefined ? undefined : algorithmField(type);
  if (af !== undefined) {
    const a = toks[ti + af];
    if (a !== undefined && !/^[0-9]+$/.test(a.text)) {
      const n = algorithmFromText(a.text);
      if (n !== undefined) repl.set(ti + af, String(n));
    }
  }
  if (repl.size === 0) return line;
  let out = '';
  let pos = 0;
  for (const [i, text] of [...repl.entries()].sort((a, b) => a[0] - b[0])) {
    const t = toks[i]!;
    out += line.slice(pos, t.start) + text;
    pos = t.end;
  }
  return out + line.slice(pos);
}

/** Types whose RDATA ends in a base64 field, with the number of fields before it. */
const BASE64_TAIL_AFTER = new Map<number, number>([
  [RRType.RRSIG, 8],
  [RRType.SIG, 8],
  [RRType.DNSKEY, 3],
  [RRType.CDNSKEY, 3],
  [RRType.KEY, 3],
]);

function lenientBase64(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64'));
}

/**
 * A record the zone parser refused, kept with its octets as written: a `\#` RDATA of any length
 * for any type, or an RRSIG signature or DNSKEY public key that is empty or not valid base64
 * (decoded leniently: characters outside the alphabet dropped). `parse` parses a
 * (rewritten) line with the zone parser. Undefined when neither applies.
 */
export function lenientRecord(
  line: string,
  origin: Name,
  defaultTtl: number,
  parse: (text: string) => ResourceRecord | undefined,
): ResourceRecord | undefined {
  const toks = tokens(line);
  const ti = typeIndex(toks);
  if (ti === undefined) return undefined;
  const type = scenarioType(toks[ti]!.text);
  if (type === undefined) return undefined;
  if (toks[ti + 1]?.text === '\\#') {
    const len = Number(toks[ti + 2]?.text);
    const hex = toks
      .slice(ti + 3)
      .map((t) => t.text)
      .join('');
    if (!Number.isInteger(len) || !/^[0-9a-fA-F]*$/.test(hex) || hex.length !== 2 * len) return undefined;
    let name: Name;
    let ttl = defaultTtl;
    let cls: number = RRClass.IN;
    try {
      name = parseNameText(toks[0]!.text, origin);
      for (let i = 1; i < ti; i++) {
        const t = toks[i]!.text;
        if (isTtlText(t)) ttl = parseTtl(t);
        else cls = classFromString(t) ?? cls;
      }
    } catch {
      return undefined;
    }
    return { name, type, class: cls, ttl, rdata: Uint8Array.from(Buffer.from(hex, 'hex')) };
  }
  const fixedFields = BASE64_TAIL_AFTER.get(type);
  if (fixedFields !== undefined) {
    if (toks.length < ti + 1 + fixedFields) return undefined;
    const sigStart = ti + 1 + fixedFields;
    const sig = toks
      .slice(sigStart)
      .map((t) => t.text)
      .join('');
    const base = line.slice(0, toks[sigStart - 1]!.end) + ' AA==';
    const r = parse(base);
    if (r === undefined) return undefined;
    const head = r.rdata.subarray(0, r.rdata.length - 1);
    const tail = lenientBase64(sig);
    const out = new Uint8Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    return { ...r, rdata: out };
  }
  return undefined;
}
