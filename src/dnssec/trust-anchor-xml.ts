// IANA's root trust anchor publication format, root-anchors.xml (RFC 9718 §2; RFC 7958 before it):
//
//   <TrustAnchor id="..." source="...">
//     <Zone>.</Zone>
//     <KeyDigest id="..." validFrom="2017-02-02T00:00:00+00:00" [validUntil="..."]>
//       <KeyTag>20326</KeyTag> <Algorithm>8</Algorithm> <DigestType>2</DigestType>
//       <Digest>E06D...</Digest> [<PublicKey>AwEAA...</PublicKey> <Flags>257</Flags>]
//     </KeyDigest> ...
//   </TrustAnchor>
//
// Each KeyDigest is a DS record for the zone (RFC 9718 §2.2); RFC 9718 added PublicKey and Flags,
// the DNSKEY the digest was made from. A KeyDigest is valid from validFrom to validUntil (absent:
// no end), and a relying party uses the ones valid now (RFC 9718 §3.2).
//
// The format is small and fixed, so this is a strict tokenizer, not an XML library: an optional
// XML declaration, comments, elements with quoted attributes, text with the five predefined
// entities and character references. DOCTYPE (entity expansion), CDATA, processing instructions,
// namespaces, unknown elements and attributes, and mixed content are rejected. Input size, element
// count and nesting depth are bounded before any work scales with them. A PublicKey/Flags pair must
// hash to the KeyDigest's own digest and key tag (checked here, so a file cannot pair a DS with
// another key).
//
// Pure module: node:crypto hashing through ds.ts; no I/O, no clock ("now" is a parameter).

import { AnchordError, ErrorCode } from '../core/errors.js';
import { Name } from '../wire/name.js';
import { base64ToBytes, hexToBytes } from '../wire/rdata-text.js';
import { bytesEqual } from '../wire/record.js';
import { dsDigestLength, makeDsRdata } from './ds.js';
import { keyTag } from './key-tag.js';
import type { TrustPoint } from './key-validator.js';

/** Largest document accepted (IANA's is under 3 KB). */
export const MAX_ANCHOR_XML_BYTES = 256 * 1024;
const MAX_ELEMENTS = 4096;
const MAX_DEPTH = 8;
const MAX_KEY_DIGESTS = 256;

export interface KeyDigest {
  readonly id: string;
  /** Seconds since the epoch. */
  readonly validFrom: number;
  readonly validUntil?: number;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
  /** DS RDATA built from the fields above. */
  readonly ds: Uint8Array;
  /** DNSKEY RDATA from PublicKey and Flags (RFC 9718), when the KeyDigest has them. */
  readonly dnskey?: Uint8Array;
}

export interface RootAnchors {
  readonly id: string;
  readonly source?: string;
  readonly zone: Name;
  readonly digests: readonly KeyDigest[];
}

function fail(message: string, line: number): never {
  throw new AnchordError(ErrorCode.Syntax, `root-anchors.xml:${line}: ${message}`);
}

// ---- Tokenizer -------------------------------------------------------------------------------

interface Element {
  readonly name: string;
  readonly attrs: Map<string, string>;
  readonly children: Element[];
  text: string;
  readonly line: number;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.:-]*/;

function decodeEntities(raw: string, line: number): string {
  if (raw.includes('<')) fail('"<" in text or attribute', line);
  return raw.replace(/&([^;&\s]{0,10});?/g, (m, body: string) => {
    if (!m.endsWith(';')) fail(`bad entity reference "${m}"`, line);
    switch (body) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (num === null) fail(`unknown entity "&${body};"`, line);
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail(`bad character reference "&${body};"`, line);
    return String.fromCodePoint(cp);
  });
}

/** Parses the document into one root element (strict subset of XML 1.0, module header). */
function tokenize(text: string): Element {
  if (text.length > MAX_ANCHOR_XML_BYTES) fail(`document larger than ${MAX_ANCHOR_XML_BYTES} bytes`, 1);
  let i = 0;
  let line = 1;
  const advance = (n: number): void => {
    for (let k = 0; k < n; k++) if (text.charCodeAt(i + k) === 10) line++;
    i += n;
  };
  const skipSpace = (): void => {
    while (i < text.length && /[ \t\r\n]/.test(text[i]!)) advance(1);
  };
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  if (text.startsWith('<?xml', i)) {
    const end = text.indexOf('?>', i);
    if (end < 0) fail('unterminated XML declaration', line);
    const decl = text.slice(i, end);
    const enc = /encoding\s*=\s*["']([^"']*)["']/.exec(decl);
    if (enc !== null && !/^utf-?8$/i.test(enc[1]!)) fail(`encoding ${enc[1]!} (only UTF-8)`, line);
    advance(end + 2 - i);
  }
  const stack: Element[] = [];
  let root: Element | undefined;
  let count = 0;
  while (i < text.length) {
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment', line);
      advance(end + 3 - i);
      continue;
    }
    if (text.startsWith('<!', i)) fail('DOCTYPE, CDATA and other declarations are not accepted', line);
    if (text.startsWith('<?', i)) fail('processing instructions are not accepted', line);
    if (text.startsWith('</', i)) {
      const m = NAME_RE.exec(text.slice(i + 2, i + 66));
      if (m === null) fail('bad end tag', line);
      const top = stack.pop();
      if (top?.name !== m[0]) fail(`</${m[0]}> does not close <${top?.name ?? '(nothing)'}>`, line);
      advance(2 + m[0].length);
      skipSpace();
      if (text[i] !== '>') fail(`bad end tag </${m[0]}`, line);
      advance(1);
      continue;
    }
    if (text[i] === '<') {
      const m = NAME_RE.exec(text.slice(i + 1, i + 65));
      if (m === null) fail('bad start tag', line);
      if (m[0].includes(':')) fail('namespaces are not accepted', line);
      if (++count > MAX_ELEMENTS) fail(`more than ${MAX_ELEMENTS} elements`, line);
      if (stack.length >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`, line);
      const el: Element = { name: m[0], attrs: new Map(), children: [], text: '', line };
      advance(1 + m[0].length);
      let selfClosing = false;
      for (;;) {
        const before = i;
        skipSpace();
        if (text.startsWith('/>', i)) {
          selfClosing = true;
          advance(2);
          break;
        }
        if (text[i] === '>') {
          advance(1);
          break;
        }
        if (i === before) fail(`bad attribute list in <${el.name}>`, line);
        const a = NAME_RE.exec(text.slice(i, i + 64));
        if (a === null) fail(`bad attribute in <${el.name}>`, line);
        advance(a[0].length);
        skipSpace();
        if (text[i] !== '=') fail(`attribute ${a[0]} has no value`, line);
        advance(1);
        skipSpace();
        const q = text[i];
        if (q !== '"' && q !== "'") fail(`attribute ${a[0]} value is not quoted`, line);
        const end = text.indexOf(q, i + 1);
        if (end < 0) fail(`unterminated attribute ${a[0]}`, line);
        if (el.attrs.has(a[0])) fail(`duplicate attribute ${a[0]}`, line);
        el.attrs.set(a[0], decodeEntities(text.slice(i + 1, end), line));
        advance(end + 1 - i);
      }
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (root !== undefined) fail('more than one root element', el.line);
        root = el;
      } else {
        if (parent.text.trim() !== '') fail(`<${parent.name}> mixes text and elements`, el.line);
        parent.children.push(el);
      }
      if (!selfClosing) stack.push(el);
      continue;
    }
    // Character data up to the next markup.
    let end = text.indexOf('<', i);
    if (end < 0) end = text.length;
    const raw = text.slice(i, end);
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (raw.trim() !== '') fail('text outside the root element', line);
    } else {
      if (top.children.length > 0 && raw.trim() !== '') fail(`<${top.name}> mixes text and elements`, line);
      top.text += decodeEntities(raw, line);
    }
    advance(end - i);
  }
  if (stack.length > 0) fail(`<${stack[stack.length - 1]!.name}> is not closed`, line);
  if (root === undefined) fail('no root element', line);
  return root;
}

// ---- Interpretation --------------------------------------------------------------------------

function only(el: Element, allowed: readonly string[]): void {
  for (const k of el.attrs.keys()) if (!allowed.includes(k)) fail(`unknown attribute ${k} on <${el.name}>`, el.line);
}

function leafText(el: Element): string {
  if (el.children.length > 0) fail(`<${el.name}> must hold text only`, el.line);
  if (el.attrs.size > 0) fail(`<${el.name}> takes no attributes`, el.line);
  return el.text.trim();
}

function integer(el: Element, max: number): number {
  const t = leafText(el);
  if (!/^[0-9]{1,6}$/.test(t) || Number(t) > max) fail(`<${el.name}> must be an integer 0..${max}, got "${t.slice(0, 20)}"`, el.line);
  return Number(t);
}

/** xsd:dateTime as IANA writes it: YYYY-MM-DDThh:mm:ss with an optional fraction and a zone. */
function dateTime(text: string, what: string, line: number): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) fail(`${what} "${text.slice(0, 40)}" is not an xsd:dateTime with a time zone`, line);
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) fail(`${what} "${text}" is out of range`, line);
  let ms = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59));
  const check = new Date(ms);
  if (check.getUTCDate() !== d) fail(`${what} "${text}" is not a calendar date`, line);
  const zone = m[7]!;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 14 || zm > 59) fail(`${what} "${text}" has a bad zone offset`, line);
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return Math.floor(ms / 1000);
}

function keyDigest(el: Element, zone: Name): KeyDigest {
  only(el, ['id', 'validFrom', 'validUntil']);
  const id = el.attrs.get('id');
  const from = el.attrs.get('validFrom');
  if (id === undefined || id === '') fail('<KeyDigest> without id', el.line);
  if (from === undefined) fail(`<KeyDigest id="${id}"> without validFrom`, el.line);
  const validFrom = dateTime(from, 'validFrom', el.line);
  const until = el.attrs.get('validUntil');
  const validUntil = until === undefined ? undefined : dateTime(until, 'validUntil', el.line);
  const fields = new Map<string, Element>();
  for (const c of el.children) {
    if (!['KeyTag', 'Algorithm', 'DigestType', 'Digest', 'PublicKey', 'Flags'].includes(c.name)) {
      fail(`unknown element <${c.name}> in <KeyDigest>`, c.line);
    }
    if (fields.has(c.name)) fail(`<${c.name}> twice in <KeyDigest id="${id}">`, c.line);
    fields.set(c.name, c);
  }
  const need = (name: string): Element => fields.get(name) ?? fail(`<KeyDigest id="${id}"> lacks <${name}>`, el.line);
  const tag = integer(need('KeyTag'), 65535);
  const algorithm = integer(need('Algorithm'), 255);
  const digestType = integer(need('DigestType'), 255);
  const digestEl = need('Digest');
  const hex = leafText(digestEl).replace(/\s+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length === 0 || hex.length % 2 !== 0 || hex.length > 256) {
    fail(`<Digest> is not hexadecimal`, digestEl.line);
  }
  const digest = hexToBytes(hex);
  const want = dsDigestLength(digestType);
  if (want !== undefined && digest.length !== want) fail(`<Digest> of ${digest.length} octets for digest type ${digestType}`, digestEl.line);
  const ds = new Uint8Array(4 + digest.length);
  ds[0] = tag >>> 8;
  ds[1] = tag & 0xff;
  ds[2] = algorithm;
  ds[3] = digestType;
  ds.set(digest, 4);
  const pkEl = fields.get('PublicKey');
  const flagsEl = fields.get('Flags');
  const base = { id, validFrom, ...(validUntil === undefined ? {} : { validUntil }), keyTag: tag, algorithm, digestType, digest, ds };
  if (pkEl === undefined && flagsEl === undefined) return base;
  if (pkEl === undefined || flagsEl === undefined) fail(`<KeyDigest id="${id}"> has only one of <PublicKey> and <Flags>`, el.line);
  const flags = integer(flagsEl, 65535);
  let publicKey: Uint8Array;
  try {
    publicKey = base64ToBytes(leafText(pkEl).replace(/\s+/g, ''));
  } catch {
    fail('<PublicKey> is not base64', pkEl.line);
  }
  if (publicKey.length === 0) fail('<PublicKey> is empty', pkEl.line);
  const dnskey = new Uint8Array(4 + publicKey.length);
  dnskey[0] = flags >>> 8;
  dnskey[1] = flags & 0xff;
  dnskey[2] = 3;
  dnskey[3] = algorithm;
  dnskey.set(publicKey, 4);
  if (keyTag(dnskey) !== tag) fail(`<KeyDigest id="${id}">: the key's tag is ${keyTag(dnskey)}, not ${tag}`, el.line);
  if (want !== undefined && !bytesEqual(makeDsRdata(zone, dnskey, digestType), ds)) {
    fail(`<KeyDigest id="${id}">: <Digest> is not the digest of <PublicKey>`, el.line);
  }
  return { ...base, dnskey };
}

/** Parses root-anchors.xml. Throws AnchordError (ERR_SYNTAX) with a line number. */
export function parseRootAnchorsXml(text: string): RootAnchors {
  const root = tokenize(text);
  if (root.name !== 'TrustAnchor') fail(`root element is <${root.name}>, not <TrustAnchor>`, root.line);
  only(root, ['id', 'source']);
  const id = root.attrs.get('id');
  if (id === undefined) fail('<TrustAnchor> without id', root.line);
  const source = root.attrs.get('source');
  let zone: Name | undefined;
  const digests: KeyDigest[] = [];
  for (const c of root.children) {
    if (c.name === 'Zone') {
      if (zone !== undefined) fail('<Zone> twice', c.line);
      try {
        zone = Name.parse(leafText(c));
      } catch {
        fail(`<Zone> "${c.text.trim().slice(0, 64)}" is not a domain name`, c.line);
      }
      if (digests.length > 0) fail('<Zone> must come before <KeyDigest>', c.line);
    } else if (c.name === 'KeyDigest') {
      if (zone === undefined) fail('<KeyDigest> before <Zone>', c.line);
      if (digests.length >= MAX_KEY_DIGESTS) fail(`more than ${MAX_KEY_DIGESTS} <KeyDigest>`, c.line);
      const d = keyDigest(c, zone);
      if (digests.some((x) => x.id === d.id)) fail(`two <KeyDigest> with id "${d.id}"`, c.line);
      digests.push(d);
    } else {
      fail(`unknown element <${c.name}> in <TrustAnchor>`, c.line);
    }
  }
  if (zone === undefined) fail('no <Zone>', root.line);
  if (root.text.trim() !== '') fail('text in <TrustAnchor>', root.line);
  return { id, ...(source === undefined ? {} : { source }), zone, digests };
}

/** True when the KeyDigest is valid at `now` (seconds): validFrom <= now < validUntil (RFC 9718 §3.2). */
export function keyDigestValidAt(d: KeyDigest, now: number): boolean {
  return d.validFrom <= now && (d.validUntil === undefined || now < d.validUntil);
}

/** The trust point for the KeyDigests valid at `now`: their DS records (RFC 9718 §3.2). */
export function rootAnchorsTrustPoint(doc: RootAnchors, now: number): TrustPoint {
  return { zone: doc.zone, ds: doc.digests.filter((d) => keyDigestValidAt(d, now)).map((d) => d.ds) };
}
