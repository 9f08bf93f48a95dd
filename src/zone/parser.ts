// Master-file parser (RFC 1035 §5): entries from the lexer → resource records with wire RDATA.
//
// Implemented:
// - `$ORIGIN <name>` (RFC 1035 §5.1; a relative name is completed with the current origin).
// - `$TTL <ttl>` (RFC 2308 §4), TTLs in seconds or BIND units (1w2d3h4m5s).
// - `$INCLUDE <file> [<origin>]` (RFC 1035 §5.1) through an injected reader (this module does no
//   I/O). The included file starts with the given origin (else the current one) and no previous
//   owner; when it ends, the including file's origin and owner are back in force. $TTL and the
//   last TTL carry over both ways, as in BIND. Nesting is limited (`maxIncludeDepth`) and a file
//   that includes itself, directly or not, is an error.
// - `$GENERATE <start>-<stop>[/<step>] <lhs> [<ttl>] [<class>] <type> <rhs>` (a BIND extension):
//   `$` is the counter, `${offset[,width[,base]]}` with base d, o, x, X, n or N (nibbles), `\$` a
//   literal dollar. A quoted rhs is split into fields after substitution, so `"10 mx$"` works.
// - Owner: a name, `@` (the origin), relative names, or omitted (the entry starts with white
//   space: the previous owner in the same file).
// - TTL and class in either order before the type, both optional (RFC 1035 §5.1).
// - Omitted TTL, as BIND does: the $TTL when set; else the last TTL (explicit or derived) in the
//   zone (RFC 1035 §5.1); else, for an SOA, its MINIMUM field, which then also becomes the
//   default (BIND's "using SOA MINTTL"); else an error.
// - Omitted class: the zone class (`options.class`, else the first class written, else IN); a
//   record of another class is an error.
// - TTLs above 2^31-1 are an error (RFC 2181 §8 gives them no meaning; BIND would warn and use 0).
// - RDATA: rdata-text.ts, every type in the schema plus the RFC 3597 `\#` form for every type.
//
// Output is a generator of records, so a zone of any size parses with bounded extra memory; each
// record carries the file and line where it was written, for later error messages. Every error is a
// FileError (ErrorCode.ZoneFile) with file, line and column.

import { ErrorCode, FileError, PresentationError } from '../core/errors.js';
import { classFromString, classToString, isMetaType, RRClass, RRType, typeFromString, typeToString } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { parseNameText, parseRdata, parseTtl, RdataTextError } from '../wire/rdata-text.js';
import type { Token } from '../wire/rdata-text.js';
import type { ResourceRecord } from '../wire/record.js';
import { lexZone } from './lexer.js';
import type { LexedEntry } from './lexer.js';

/** A record with the place it was read from. */
export interface ParsedRecord extends ResourceRecord {
  readonly file: string;
  readonly line: number;
}

/**
 * Reads an $INCLUDE target. `path` is the file name as written; `from` is the name of the including
 * file (as the parser names it), for resolving a relative path against its directory. Throwing is
 * fine: the parser reports it as an error at the $INCLUDE line.
 */
export type ReadFile = (path: string, from: string) => string;

export interface ZoneParseOptions {
  /** Name of the text's file, used in errors and to resolve $INCLUDE paths (default `<zone>`). */
  readonly file?: string;
  /** Initial origin; without one, relative names are errors until a $ORIGIN. */
  readonly origin?: Name | string;
  /** Zone class (default: the first class written, else IN). */
  readonly class?: number;
  /** Initial default TTL, as if the text began with $TTL. */
  readonly defaultTtl?: number;
  /** $INCLUDE reader; without it $INCLUDE is an error. */
  readonly readFile?: ReadFile;
  /** Maximum $INCLUDE nesting (default 8). */
  readonly maxIncludeDepth?: number;
  /** Maximum records in the zone, included files and $GENERATE counted (default unlimited). */
  readonly maxRecords?: number;
  /** Maximum records one $GENERATE may produce (default 65536). */
  readonly maxGenerate?: number;
  /** Maximum characters in one entry (lexer limit, default 1 MiB). */
  readonly maxEntryLength?: number;
}

export const DEFAULT_MAX_INCLUDE_DEPTH = 8;
export const DEFAULT_MAX_GENERATE = 65536;
/** RFC 2181 §8. */
export const MAX_TTL = 0x7fffffff;

/** Joins an $INCLUDE path to the directory of the including file (POSIX separators). */
export function resolveIncludePath(path: string, from: string): string {
  if (path.startsWith('/')) return path;
  const slash = from.lastIndexOf('/');
  return slash < 0 ? path : from.slice(0, slash + 1) + path;
}

interface SharedState {
  defaultTtl: number | undefined;
  lastTtl: number | undefined;
  zoneClass: number | undefined;
  count: number;
  readonly maxRecords: number;
  readonly maxDepth: number;
  readonly maxGenerate: number;
  readonly maxEntryLength: number;
  readonly readFile: ReadFile | undefined;
}

interface FileContext {
  readonly file: string;
  origin: Name | undefined;
  owner: Name | undefined;
  readonly stack: readonly string[];
}

function fileError(ctx: FileContext, line: number, column: number, message: string): FileError {
  return new FileError(ErrorCode.ZoneFile, ctx.file, line, column, message);
}

/** Turns a PresentationError into a FileError at its token (or at `at`). */
function located(ctx: FileContext, err: unknown, at: Token, prefix = ''): unknown {
  if (err instanceof RdataTextError) {
    const t = err.token ?? at;
    return fileError(ctx, t.line, t.column, prefix + err.message);
  }
  if (err instanceof PresentationError) return fileError(ctx, at.line, at.column, prefix + err.message);
  return err;
}

function checkedTtl(ctx: FileContext, tok: Token, text: string): number {
  let v: number;
  try {
    v = parseTtl(text);
  } catch (err) {
    throw located(ctx, err, tok);
  }
  if (v > MAX_TTL) throw fileError(ctx, tok.line, tok.column, `TTL ${v} is above 2^31-1 (RFC 2181 §8)`);
  return v;
}

function nameAt(ctx: FileContext, tok: Token, text: string, what: string): Name {
  try {
    return parseNameText(text, ctx.origin);
  } catch (err) {
    throw located(ctx, err, tok, `${what}: `);
  }
}

/** A class that data can have: NONE and ANY (RFC 2136 §2.4, RFC 1035 §3.2.5) are query-only. */
function dataClass(text: string): number | undefined {
  const c = classFromString(text);
  return c === RRClass.NONE || c === RRClass.ANY ? undefined : c;
}

function isDigitStart(text: string): boolean {
  const c = text.charCodeAt(0);
  return c >= 0x30 && c <= 0x39;
}

/**
 * Parses master-file text into records, one at a time. The text must already be decoded (UTF-8
 * is expected: characters outside ASCII in character strings become their UTF-8 octets; U+FFFD,
 * what a decoder leaves for invalid bytes, is rejected).
 */
export function* parseZone(text: string, options: ZoneParseOptions = {}): Generator<ParsedRecord, void, undefined> {
  const file = options.file ?? '<zone>';
  const shared: SharedState = {
    defaultTtl: options.defaultTtl,
    lastTtl: undefined,
    zoneClass: options.class,
    count: 0,
    maxRecords: options.maxRecords ?? Infinity,
    maxDepth: options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH,
    maxGenerate: options.maxGenerate ?? DEFAULT_MAX_GENERATE,
    maxEntryLength: options.maxEntryLength ?? 1 << 20,
    readFile: options.readFile,
  };
  let origin: Name | undefined;
  if (options.origin !== undefined) {
    try {
      origin = typeof options.origin === 'string' ? parseNameText(options.origin, undefined) : options.origin;
    } catch (err) {
      throw new FileError(ErrorCode.ZoneFile, file, 0, 0, `bad origin option: ${(err as Error).message}`);
    }
  }
  yield* parseFile(text, { file, origin, owner: undefined, stack: [file] }, shared);
}

function* parseFile(text: string, ctx: FileContext, shared: SharedState): Generator<ParsedRecord, void, undefined> {
  for (const entry of lexZone(text, ctx.file, { maxEntryLength: shared.maxEntryLength })) {
    const first = entry.tokens[0]!;
    if (!first.quoted && first.text.startsWith('$')) {
      const directive = first.text.toUpperCase();
      switch (directive) {
        case '$ORIGIN':
          directiveArgs(ctx, entry, 1, 1);
          ctx.origin = nameAt(ctx, entry.tokens[1]!, entry.tokens[1]!.text, '$ORIGIN');
          break;
        case '$TTL':
          directiveArgs(ctx, entry, 1, 1);
          shared.defaultTtl = checkedTtl(ctx, entry.tokens[1]!, entry.tokens[1]!.text);
          break;
        case '$INCLUDE':
          yield* include(ctx, entry, shared);
          break;
        case '$GENERATE':
          yield* generate(ctx, entry, shared);
          break;
        default:
          throw fileError(ctx, first.line, first.column, `unknown directive ${first.text}`);
      }
      continue;
    }
    let owner: Name;
    let k = 0;
    if (entry.blankOwner) {
      if (ctx.owner === undefined) {
        throw fileError(ctx, entry.line, 1, 'no owner name: the entry starts with white space but there is no previous owner');
      }
      owner = ctx.owner;
    } else {
      owner = nameAt(ctx, first, first.text, 'owner');
      ctx.owner = owner;
      k = 1;
    }
    yield record(ctx, shared, owner, entry.tokens, k, first, undefined);
  }
}

function directiveArgs(ctx: FileContext, entry: LexedEntry, min: number, max: number): void {
  const n = entry.tokens.length - 1;
  const d = entry.tokens[0]!;
  if (n < min) throw fileError(ctx, d.line, d.column, `${d.text} needs ${min === max ? min : `at least ${min}`} argument${min === 1 ? '' : 's'}`);
  if (n > max) {
    const t = entry.tokens[max + 1]!;
    throw fileError(ctx, t.line, t.column, `unexpected "${t.text}" after ${d.text} arguments`);
  }
}

/**
 * Builds one record from `[ttl] [class] type rdata...` at tokens[start...]; `at` is the entry's
 * first token (for errors), `line` overrides the line recorded with the record.
 */
function record(
  ctx: FileContext,
  shared: SharedState,
  owner: Name,
  tokens: readonly Token[],
  start: number,
  at: Token,
  line: number | undefined,
): ParsedRecord {
  let k = start;
  let ttl: number | undefined;
  let cls: number | undefined;
  for (let n = 0; n < 2; n++) {
    const t = tokens[k];
    if (t === undefined || t.quoted) break;
    if (ttl === undefined && isDigitStart(t.text)) {
      ttl = checkedTtl(ctx, t, t.text);
      k++;
    } else if (cls === undefined) {
      const c = dataClass(t.text);
      if (c === undefined) break;
      cls = c;
      k++;
    } else {
      break;
    }
  }
  const typeTok = tokens[k];
  if (typeTok === undefined) {
    const last = tokens[tokens.length - 1] ?? at;
    throw fileError(ctx, last.line, last.column, 'missing record type');
  }
  const type = typeTok.quoted ? undefined : typeFromString(typeTok.text);
  if (type === undefined) {
    const c = typeTok.quoted ? undefined : classFromString(typeTok.text);
    if (c !== undefined) {
      throw fileError(ctx, typeTok.line, typeTok.column, dataClass(typeTok.text) === undefined ? `class ${typeTok.text} cannot appear in zone data` : `a second class "${typeTok.text}"`);
    }
    throw fileError(ctx, typeTok.line, typeTok.column, `unknown record type "${typeTok.text}"${isDigitStart(typeTok.text) ? ' (or a second TTL)' : ''}`);
  }
  if (isMetaType(type)) {
    throw fileError(ctx, typeTok.line, typeTok.column, `type ${typeToString(type)} cannot appear in zone data`);
  }
  k++;

  if (cls === undefined) cls = shared.zoneClass ?? RRClass.IN;
  if (shared.zoneClass === undefined) shared.zoneClass = cls;
  else if (cls !== shared.zoneClass) {
    throw fileError(ctx, at.line, at.column, `class ${classToString(cls)} differs from the zone class ${classToString(shared.zoneClass)}`);
  }

  let rdata: Uint8Array;
  try {
    rdata = parseRdata(type, tokens.slice(k), ctx.origin);
  } catch (err) {
    throw located(ctx, err, tokens[k] ?? typeTok, `${typeToString(type)}: `);
  }

  if (ttl !== undefined) {
    shared.lastTtl = ttl;
  } else if (shared.defaultTtl !== undefined) {
    ttl = shared.defaultTtl;
  } else if (shared.lastTtl !== undefined) {
    ttl = shared.lastTtl;
  } else if (type === RRType.SOA && rdata.length >= 4) {
    // BIND: no TTL anywhere yet, so the SOA MINIMUM serves as this TTL and as the default.
    const m = rdata.length - 4;
    ttl = ((rdata[m]! << 24) | (rdata[m + 1]! << 16) | (rdata[m + 2]! << 8) | rdata[m + 3]!) >>> 0;
    if (ttl > MAX_TTL) throw fileError(ctx, typeTok.line, typeTok.column, `SOA MINIMUM ${ttl} used as TTL is above 2^31-1`);
    shared.defaultTtl = ttl;
    shared.lastTtl = ttl;
  } else {
    throw fileError(ctx, typeTok.line, typeTok.column, 'no TTL given and no $TTL or previous TTL to use');
  }

  shared.count++;
  if (shared.count > shared.maxRecords) {
    throw fileError(ctx, at.line, at.column, `more than ${shared.maxRecords} records`);
  }
  return { name: owner, type, class: cls, ttl, rdata, file: ctx.file, line: line ?? at.line };
}

function* include(ctx: FileContext, entry: LexedEntry, shared: SharedState): Generator<ParsedRecord, void, undefined> {
  directiveArgs(ctx, entry, 1, 2);
  const d = entry.tokens[0]!;
  const pathTok = entry.tokens[1]!;
  if (shared.readFile === undefined) throw fileError(ctx, d.line, d.column, '$INCLUDE is not allowed here (no file reader)');
  if (ctx.stack.length > shared.maxDepth) {
    throw fileError(ctx, d.line, d.column, `$INCLUDE nested more than ${shared.maxDepth} deep`);
  }
  const path = pathTok.text;
  const name = resolveIncludePath(path, ctx.file);
  if (ctx.stack.includes(name)) {
    throw fileError(ctx, pathTok.line, pathTok.column, `$INCLUDE loop: ${[...ctx.stack, name].join(' -> ')}`);
  }
  const originTok = entry.tokens[2];
  const origin = originTok === undefined ? ctx.origin : nameAt(ctx, originTok, originTok.text, '$INCLUDE origin');
  let text: string;
  try {
    text = shared.readFile(path, ctx.file);
  } catch (err) {
    throw fileError(ctx, pathTok.line, pathTok.column, `cannot read $INCLUDE file "${path}": ${err instanceof Error ? err.message : String(err)}`);
  }
  yield* parseFile(text, { file: name, origin, owner: undefined, stack: [...ctx.stack, name] }, shared);
}

// ---- $GENERATE -------------------------------------------------------------------------------

/** BIND's nibble mode: hex digits least significant first, dot separated, padded to `width`. */
function nibbles(value: number, width: number, upper: boolean): string {
  const digits = upper ? '0123456789ABCDEF' : '0123456789abcdef';
  let s = '';
  let w = width;
  let v = value;
  do {
    s += digits[v & 15]!;
    v = Math.floor(v / 16);
    if (w > 0) w--;
    if (w > 0 || v !== 0) {
      s += '.';
      if (w > 0) w--;
    }
  } while (v !== 0 || w > 0);
  return s;
}

/** Substitutes the $GENERATE counter into one template. Throws PresentationError. */
export function substituteGenerate(template: string, value: number): string {
  if (!template.includes('$')) return template;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\') {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    let offset = 0;
    let width = 0;
    let base = 'd';
    if (template[i + 1] === '{') {
      const end = template.indexOf('}', i + 2);
      if (end < 0) throw new PresentationError(`unterminated \${ in "${template}"`);
      const m = /^(-?[0-9]{1,10})(?:,([0-9]{1,3})(?:,([doxXnN]))?)?$/.exec(template.slice(i + 2, end));
      if (m === null) throw new PresentationError(`bad modifier "${template.slice(i, end + 1)}" (\${offset[,width[,base]]})`);
      offset = Number(m[1]);
      width = m[2] === undefined ? 0 : Number(m[2]);
      base = m[3] ?? 'd';
      i = end;
    }
    const v = value + offset;
    if (v < 0 || v > 0xffffffff) throw new PresentationError(`$GENERATE value ${v} out of range`);
    let s: string;
    switch (base) {
      case 'o':
        s = v.toString(8);
        break;
      case 'x':
        s = v.toString(16);
        break;
      case 'X':
        s = v.toString(16).toUpperCase();
        break;
      case 'n':
      case 'N':
        out += nibbles(v, width, base === 'N');
        continue;
      default:
        s = v.toString(10);
    }
    out += s.padStart(width, '0');
  }
  return out;
}

function* generate(ctx: FileContext, entry: LexedEntry, shared: SharedState): Generator<ParsedRecord, void, undefined> {
  const d = entry.tokens[0]!;
  const toks = entry.tokens;
  if (toks.length < 5) throw fileError(ctx, d.line, d.column, '$GENERATE needs a range, an owner, a type and data');
  const rangeTok = toks[1]!;
  const m = /^([0-9]{1,10})-([0-9]{1,10})(?:\/([0-9]{1,10}))?$/.exec(rangeTok.text);
  const start = Number(m?.[1]);
  const stop = Number(m?.[2]);
  const step = m?.[3] === undefined ? 1 : Number(m[3]);
  if (m === null || start > stop || step < 1 || stop > 0xffffffff) {
    throw fileError(ctx, rangeTok.line, rangeTok.column, `bad $GENERATE range "${rangeTok.text}" (start-stop[/step])`);
  }
  const count = Math.floor((stop - start) / step) + 1;
  if (count > shared.maxGenerate) {
    throw fileError(ctx, rangeTok.line, rangeTok.column, `$GENERATE range makes ${count} records, more than ${shared.maxGenerate}`);
  }
  const lhsTok = toks[2]!;
  // The fields between the owner and the rdata: [ttl] [class] type. Find the type's index.
  let k = 3;
  for (let n = 0; n < 2 && k < toks.length; n++) {
    const t = toks[k]!;
    if (isDigitStart(t.text) || dataClass(t.text) !== undefined) k++;
    else break;
  }
  const typeIdx = k;
  const rhs = toks.slice(typeIdx + 1);
  if (rhs.length === 0) throw fileError(ctx, d.line, d.column, '$GENERATE needs data after the type');
  const savedOwner = ctx.owner;
  for (let v = start; v <= stop; v += step) {
    const sub = (t: Token): Token => {
      try {
        return { text: substituteGenerate(t.text, v), quoted: t.quoted, line: t.line, column: t.column };
      } catch (err) {
        throw located(ctx, err, t, '$GENERATE: ');
      }
    };
    const ownerTok = sub(lhsTok);
    const owner = nameAt(ctx, ownerTok, ownerTok.text, '$GENERATE owner');
    let data: Token[];
    if (rhs.length === 1 && rhs[0]!.quoted) {
      const one = sub(rhs[0]!);
      data = [];
      try {
        for (const e of lexZone(one.text, ctx.file)) {
          for (const t of e.tokens) data.push({ text: t.text, quoted: t.quoted, line: one.line, column: one.column + t.column });
        }
      } catch (err) {
        if (err instanceof FileError) throw fileError(ctx, one.line, one.column, `$GENERATE data: ${err.detail}`);
        throw err;
      }
    } else {
      data = rhs.map(sub);
    }
    const fields = [...toks.slice(3, typeIdx + 1), ...data];
    yield record(ctx, shared, owner, fields, 0, lhsTok, d.line);
  }
  ctx.owner = savedOwner;
}

/** A whole zone in memory: the records and the origin. */
export interface ParsedZone {
  /** `options.origin` when given, else the owner of the first SOA record, else undefined. */
  readonly origin: Name | undefined;
  readonly records: ParsedRecord[];
}

/** parseZone collected into an array (fine for small and medium zones). */
export function parseZoneText(text: string, options: ZoneParseOptions = {}): ParsedZone {
  const records: ParsedRecord[] = [];
  let soaOwner: Name | undefined;
  for (const rr of parseZone(text, options)) {
    if (soaOwner === undefined && rr.type === RRType.SOA) soaOwner = rr.name;
    records.push(rr);
  }
  let origin = soaOwner;
  if (options.origin !== undefined) origin = typeof options.origin === 'string' ? parseNameText(options.origin, undefined) : options.origin;
  return { origin, records };
}
