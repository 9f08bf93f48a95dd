// Error classes with stable codes (DESIGN.md convention 5): exceptions are for bugs and for
// failures at the edges (bad input files, bad packets, bad config). Validation outcomes are values,
// never exceptions. Every code anchord can throw is declared here, once.

export const ErrorCode = {
  /** Untrusted wire bytes that cannot be parsed (truncation, bad pointer, overlong name...). */
  Wire: 'ERR_WIRE',
  /** A presentation-format name or field that cannot be parsed. */
  Syntax: 'ERR_SYNTAX',
  /** A zone (master) file that cannot be parsed; carries file:line:column. */
  ZoneFile: 'ERR_ZONE_FILE',
  /** A key file (BIND .key/.private) that cannot be used. */
  KeyFile: 'ERR_KEY_FILE',
  /** Configuration that is not valid; carries file:line. */
  Config: 'ERR_CONFIG',
  /** A cryptographic operation that cannot be carried out (unsupported algorithm, bad key). */
  Crypto: 'ERR_CRYPTO',
  /** A scenario (.rpl) file that cannot be parsed; carries file:line. */
  Scenario: 'ERR_SCENARIO',
  /** A state file (trust anchors, key state) that cannot be read. */
  State: 'ERR_STATE',
  /** Command-line usage errors. */
  Usage: 'ERR_USAGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AnchordError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed wire data; `offset` is the byte offset in the message where the problem was found. */
export class WireError extends AnchordError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(ErrorCode.Wire, `${message} (at offset ${offset})`);
    this.offset = offset;
  }
}

/** Malformed presentation-format text (a name, an rdata field). Zone parsing adds the position. */
export class PresentationError extends AnchordError {
  constructor(message: string) {
    super(ErrorCode.Syntax, message);
  }
}

/** An error at a position in a text file: `file:line:column: message`. */
export class FileError extends AnchordError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  constructor(code: ErrorCode, file: string, line: number, column: number, detail: string) {
    super(code, `${file}:${line}${column > 0 ? `:${column}` : ''}: ${detail}`);
    this.file = file;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

export class CryptoError extends AnchordError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.Crypto, message, options);
  }
}

export class KeyFileError extends AnchordError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCode.KeyFile, message, options);
  }
}
