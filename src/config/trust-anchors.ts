// Trust anchor configuration as BIND 9 writes it (named.conf `trust-anchors`, and the older
// `managed-keys` / `trusted-keys`), and the YAML form of the same under `resolver:`:
//
//   trust-anchors {                                   # BIND syntax, e.g. BIND's own bind.keys
//       . initial-key 257 3 8 "AwEAAaz/tAm8y...";      # RFC 5011-managed, from a DNSKEY
//       . initial-ds 20326 8 2 "E06D44B80B8F...";      # RFC 5011-managed, from a DS
//       example.net. static-key 257 3 13 "...";       # never changes
//       example.org. static-ds 12345 13 2 "...";       # never changes
//   };
//   managed-keys { . initial-key 257 3 8 "..."; };     # = trust-anchors with initial-* entries
//   trusted-keys { . 257 3 8 "..."; };                 # = static-key entries
//
//   resolver:                                         # YAML
//     trust-anchors:
//       - { name: ., type: initial-ds, rdata: "20326 8 2 E06D44B8..." }
//     trust-anchors-file: [/etc/anchord/bind.keys]     # files in the BIND syntax above
//     auto-trust-anchor-file: /var/lib/anchord/trust-anchors.json   # RFC 5011 state
//     add-holddown: 30d
//     del-holddown: 30d
//     keep-missing: 0
//     trust-anchor-signaling: yes   # RFC 8145 §5 key tag queries
//     edns-key-tag: yes             # RFC 8145 §4 key tag option on trust-anchor DNSKEY queries
//     root-key-sentinel: yes        # RFC 8509
//
// Several entries per name are allowed; a name's entries must be all static or all initial (BIND
// refuses the mix). This module turns text into raw entries with positions (names and RDATA still
// text); dnssec/trust-anchor-spec.ts turns those into wire form. Comments: `#`, `//`, `/* */`.
//
// Config layer: imports only core (DESIGN.md layout).

import { AnchordError, ErrorCode } from '../core/errors.js';
import { bool, duration, list, obj, oneOf, optional, str, withDefault } from './schema.js';

export const TRUST_ANCHOR_TYPES = ['static-key', 'static-ds', 'initial-key', 'initial-ds'] as const;
export type TrustAnchorType = (typeof TRUST_ANCHOR_TYPES)[number];

/** One anchor as written: name and RDATA in presentation form, and where it was found. */
export interface RawTrustAnchor {
  readonly name: string;
  readonly type: TrustAnchorType;
  /** The RDATA fields, whitespace-separated (`257 3 8 AwEAA...` or `20326 8 2 E06D...`). */
  readonly rdata: string;
  /** `file:line` of the entry. */
  readonly where: string;
}

export const MAX_BIND_ANCHOR_TEXT = 1024 * 1024;
const MAX_ENTRIES = 1000;

// ---- YAML fragment ---------------------------------------------------------------------------

const DAY_MS = 86_400_000;

export const trustAnchorEntrySchema = obj({
  name: str(),
  type: oneOf(TRUST_ANCHOR_TYPES),
  rdata: str((v) => (v.length > 8192 ? 'rdata longer than 8192 characters' : undefined)),
});

/**
 * Fields for the `resolver:` mapping of anchord-config.ts (spread into its `obj({...})`), with
 * {@link trustAnchorConfigDefaults} spread into its default.
 */
export const trustAnchorConfigFields = {
  'trust-anchors': optional(list(trustAnchorEntrySchema, MAX_ENTRIES)),
  'trust-anchors-file': optional(list(str(), 64)),
  'auto-trust-anchor-file': optional(str()),
  'add-holddown': withDefault(duration(0, 3650 * DAY_MS), 30 * DAY_MS),
  'del-holddown': withDefault(duration(0, 3650 * DAY_MS), 30 * DAY_MS),
  'keep-missing': withDefault(duration(0, 3650 * DAY_MS), 0),
  'trust-anchor-signaling': withDefault(bool(), true),
  'edns-key-tag': withDefault(bool(), true),
  'root-key-sentinel': withDefault(bool(), true),
};

export function trustAnchorConfigDefaults(): {
  'trust-anchors': undefined;
  'trust-anchors-file': undefined;
  'auto-trust-anchor-file': undefined;
  'add-holddown': number;
  'del-holddown': number;
  'keep-missing': number;
  'trust-anchor-signaling': boolean;
  'edns-key-tag': boolean;
  'root-key-sentinel': boolean;
} {
  return {
    'trust-anchors': undefined,
    'trust-anchors-file': undefined,
    'auto-trust-anchor-file': undefined,
    'add-holddown': 30 * DAY_MS,
    'del-holddown': 30 * DAY_MS,
    'keep-missing': 0,
    'trust-anchor-signaling': true,
    'edns-key-tag': true,
    'root-key-sentinel': true,
  };
}

// ---- BIND syntax -----------------------------------------------------------------------------

interface Tok {
  readonly kind: 'word' | 'string' | '{' | '}' | ';';
  readonly text: string;
  readonly line: number;
}

function fail(file: string, line: number, message: string): never {
  throw new AnchordError(ErrorCode.Config, `${file}:${line}: ${message}`);
}

function tokenize(text: string, file: string): Tok[] {
  if (text.length > MAX_BIND_ANCHOR_TEXT) fail(file, 1, `larger than ${MAX_BIND_ANCHOR_TEXT} bytes`);
  const out: Tok[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#' || text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) fail(file, line, 'unterminated /* comment');
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if (c === '{' || c === '}' || c === ';') {
      out.push({ kind: c, text: c, line });
      i++;
    } else if (c === '"') {
      const start = line;
      let s = '';
      i++;
      for (;;) {
        if (i >= text.length) fail(file, start, 'unterminated string');
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length) {
          s += text[i + 1]!;
          i += 2;
          continue;
        }
        if (d === '\n') line++;
        s += d;
        i++;
      }
      i++;
      out.push({ kind: 'string', text: s, line: start });
    } else {
      let s = '';
      while (i < text.length && !/[\s{};"#]/.test(text[i]!) && !text.startsWith('//', i) && !text.startsWith('/*', i)) s += text[i++]!;
      out.push({ kind: 'word', text: s, line });
    }
  }
  return out;
}

/**
 * Parses `trust-anchors`, `managed-keys` and `trusted-keys` statements (module header). Any other
 * statement is an error: the file holds anchors only. Throws AnchordError (ERR_CONFIG) at file:line.
 */
export function parseBindTrustAnchors(text: string, file: string): RawTrustAnchor[] {
  const toks = tokenize(text, file);
  const out: RawTrustAnchor[] = [];
  let p = 0;
  const next = (what: string): Tok => {
    const t = toks[p++];
    if (t === undefined) fail(file, toks[toks.length - 1]?.line ?? 1, `unexpected end of file, expected ${what}`);
    return t;
  };
  while (p < toks.length) {
    const kw = next('a statement');
    if (kw.kind !== 'word' || !['trust-anchors', 'managed-keys', 'trusted-keys'].includes(kw.text)) {
      fail(file, kw.line, `expected trust-anchors, managed-keys or trusted-keys, found "${kw.text.slice(0, 40)}"`);
    }
    const open = next('{');
    if (open.kind !== '{') fail(file, open.line, `expected "{" after ${kw.text}`);
    for (;;) {
      const first = next('an anchor or "}"');
      if (first.kind === '}') break;
      if (first.kind !== 'word' && first.kind !== 'string') fail(file, first.line, `expected a domain name, found "${first.text}"`);
      const name = first.text;
      let type: TrustAnchorType;
      if (kw.text === 'trusted-keys') {
        type = 'static-key';
      } else {
        const t = next('an anchor type');
        if (t.kind !== 'word' || !(TRUST_ANCHOR_TYPES as readonly string[]).includes(t.text)) {
          fail(file, t.line, `expected ${TRUST_ANCHOR_TYPES.join(', ')} after ${name}, found "${t.text.slice(0, 40)}"`);
        }
        type = t.text as TrustAnchorType;
        if (kw.text === 'managed-keys' && type.startsWith('static')) fail(file, t.line, `managed-keys takes initial-key or initial-ds, not ${type}`);
      }
      const fields: string[] = [];
      for (;;) {
        const t = next('";"');
        if (t.kind === ';') break;
        if (t.kind !== 'word' && t.kind !== 'string') fail(file, t.line, `unexpected "${t.text}" in the anchor for ${name}`);
        const words = t.text.split(/\s+/).filter((w) => w !== '');
        fields.push(...(t.kind === 'string' ? [words.join('')] : words));
        if (fields.length > 64) fail(file, t.line, `too many fields in the anchor for ${name}`);
      }
      if (out.length >= MAX_ENTRIES) fail(file, first.line, `more than ${MAX_ENTRIES} anchors`);
      out.push({ name, type, rdata: fields.join(' '), where: `${file}:${first.line}` });
    }
    const semi = next('";"');
    if (semi.kind !== ';') fail(file, semi.line, `expected ";" after the ${kw.text} block`);
  }
  return out;
}
