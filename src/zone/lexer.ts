// Master-file lexer (RFC 1035 §5.1): splits zone text into entries, one per logical record or
// directive, each a list of tokens with their line and column.
//
// - Parentheses group tokens across line ends (they may nest, as in BIND); a line end outside
//   them ends the entry.
// - `;` starts a comment that runs to the end of the line (outside quotes).
// - `"` starts a quoted string, which ends at the next unescaped `"` on the same line.
// - `\X` and `\DDD` escapes are kept verbatim in the token text (the field parsers interpret them,
//   because a name needs `\.` preserved while a character string needs it decoded); the lexer only
//   makes sure an escaped character never ends a token or opens a comment, quote or parenthesis.
// - An entry whose first line starts with a space or tab has no owner field: the previous owner
//   applies (RFC 1035 §5.1, "blank" owner).
//
// Bounded work: every character is looked at a constant number of times; an entry longer than
// `maxEntryLength` characters (typically an unbalanced parenthesis swallowing the file) is an error
// as soon as the limit is crossed, so memory held by one entry stays bounded. Control characters,
// NUL and U+FFFD (what a UTF-8 decoder leaves for invalid bytes) are rejected outside comments.

import { ErrorCode, FileError } from '../core/errors.js';
import type { Token } from '../wire/rdata-text.js';

export interface LexedEntry {
  readonly tokens: readonly Token[];
  /** The first line started with white space: the owner field is omitted (RFC 1035 §5.1). */
  readonly blankOwner: boolean;
  /** Line of the first token. */
  readonly line: number;
}

export interface LexerOptions {
  /** Maximum characters in one entry, parentheses included (default 1 MiB). */
  readonly maxEntryLength?: number;
}

export const DEFAULT_MAX_ENTRY_LENGTH = 1 << 20;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const TAB = 0x09;
const QUOTE = 0x22;
const LPAREN = 0x28;
const RPAREN = 0x29;
const SEMI = 0x3b;
const BACKSLASH = 0x5c;
const DEL = 0x7f;
const REPLACEMENT = 0xfffd;
const BOM = 0xfeff;

/** True for characters that end an unquoted token. */
function isDelimiter(c: number): boolean {
  return c === SP || c === TAB || c === LF || c === CR || c === SEMI || c === LPAREN || c === RPAREN || c === QUOTE;
}

function describeChar(c: number): string {
  if (c === REPLACEMENT) return 'invalid UTF-8 (U+FFFD replacement character)';
  return `control character U+${c.toString(16).toUpperCase().padStart(4, '0')} (use a \\DDD escape)`;
}

/** Characters never allowed raw in a token: C0 controls other than tab, DEL, U+FFFD. */
function isForbidden(c: number): boolean {
  return (c < SP && c !== TAB) || c === DEL || c === REPLACEMENT;
}

/**
 * Lexes master-file text into entries. `file` names the source in errors (FileError with
 * ErrorCode.ZoneFile). A generator: the caller pulls one entry at a time.
 */
export function* lexZone(text: string, file: string, options: LexerOptions = {}): Generator<LexedEntry, void, undefined> {
  const maxEntry = options.maxEntryLength ?? DEFAULT_MAX_ENTRY_LENGTH;
  const n = text.length;
  let i = n > 0 && text.charCodeAt(0) === BOM ? 1 : 0;
  let line = 1;
  let lineStart = i;
  const fail = (l: number, col: number, msg: string): never => {
    throw new FileError(ErrorCode.ZoneFile, file, l, col, msg);
  };

  while (i < n) {
    const entryStart = i;
    const first = text.charCodeAt(i);
    const blankOwner = first === SP || first === TAB;
    const tokens: Token[] = [];
    let depth = 0;
    let openLine = 0;
    let openCol = 0;

    entry: while (i < n) {
      if (i - entryStart > maxEntry) {
        fail(line, i - lineStart + 1, depth > 0
          ? `entry longer than ${maxEntry} characters (parenthesis opened at line ${openLine}:${openCol} not closed?)`
          : `entry longer than ${maxEntry} characters`);
      }
      const c = text.charCodeAt(i);
      switch (c) {
        case LF:
          i++;
          line++;
          lineStart = i;
          if (depth === 0) break entry;
          continue;
        case SP:
        case TAB:
        case CR:
          i++;
          continue;
        case SEMI:
          while (i < n && text.charCodeAt(i) !== LF) i++;
          continue;
        case LPAREN:
          if (depth === 0) {
            openLine = line;
            openCol = i - lineStart + 1;
          }
          depth++;
          i++;
          continue;
        case RPAREN:
          if (depth === 0) fail(line, i - lineStart + 1, 'unbalanced ")"');
          depth--;
          i++;
          continue;
        case QUOTE: {
          const col = i - lineStart + 1;
          let j = i + 1;
          for (;;) {
            if (j >= n) fail(line, col, 'unterminated quoted string');
            const d = text.charCodeAt(j);
            if (d === QUOTE) break;
            if (d === LF) fail(line, col, 'unterminated quoted string (a line ends inside it)');
            if (d === BACKSLASH) {
              if (j + 1 >= n || text.charCodeAt(j + 1) === LF) fail(line, j - lineStart + 1, 'backslash at end of line');
              const e = text.charCodeAt(j + 1);
              if (isForbidden(e) && e !== CR) fail(line, j - lineStart + 2, describeChar(e));
              j += 2;
              continue;
            }
            if (isForbidden(d)) fail(line, j - lineStart + 1, describeChar(d));
            j++;
          }
          tokens.push({ text: text.slice(i + 1, j), quoted: true, line, column: col });
          i = j + 1;
          continue;
        }
        default: {
          const col = i - lineStart + 1;
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === BACKSLASH) {
              if (j + 1 >= n || text.charCodeAt(j + 1) === LF || text.charCodeAt(j + 1) === CR) {
                fail(line, j - lineStart + 1, 'backslash at end of line');
              }
              const e = text.charCodeAt(j + 1);
              if (isForbidden(e)) fail(line, j - lineStart + 2, describeChar(e));
              j += 2;
              continue;
            }
            if (isDelimiter(d)) break;
            if (isForbidden(d)) fail(line, j - lineStart + 1, describeChar(d));
            j++;
          }
          tokens.push({ text: text.slice(i, j), quoted: false, line, column: col });
          i = j;
        }
      }
    }
    if (depth > 0) fail(openLine, openCol, 'unterminated parenthesis');
    if (tokens.length > 0) yield { tokens, blankOwner, line: tokens[0]!.line };
  }
}
