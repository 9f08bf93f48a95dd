// BIND `K<name>+<alg>+<tag>.private` files ("Private-key-format: v1.x"), read into key material
// and written back.
//
// The format is BIND's own (lib/dns/dst_parse.c); RFC 5702 §6, RFC 6605 §6 and RFC 8080 §6 print
// examples of it. A file is: the format line, an `Algorithm: <n> (<mnemonic>)` line, the key
// material as base64 fields (RSA: Modulus, PublicExponent, PrivateExponent, Prime1, Prime2,
// Exponent1, Exponent2, Coefficient; DSA: Prime(p), Subprime(q), Base(g), Private_value(x),
// Public_value(y); ECDSA and EdDSA: PrivateKey), then metadata: timing (Created, Publish,
// Activate, Revoke, Inactive, Delete, DSPublish, SyncPublish, SyncDelete... as YYYYMMDDHHMMSS
// UTC) and numbers (Predecessor, Successor, MaxTTL, RollPeriod, Lifetime...). Metadata is kept
// as written, in order, so printing a parsed file gives the same lines back.
//
// Input is untrusted text: every problem is a KeyFileError whose message starts with file:line,
// and nothing here throws anything else.

import { KeyFileError } from '../core/errors.js';
import { algorithmBindName, algorithmFromText, algorithmMnemonic } from '../dnssec/algorithms.js';
import { stripLeadingZeros } from './bytes.js';
import { ecdsaScalar, privateKeyProblem, privateKeyTypeFor, type PrivateKey } from './private-key.js';

export interface BindMetadata {
  /** Tag as written, without the colon (`Created`, `Publish`, `MaxTTL`...). */
  readonly tag: string;
  /** Value as written (a YYYYMMDDHHMMSS time for timing tags). */
  readonly value: string;
}

export interface BindPrivateKeyFile {
  /** Format version from the first line, e.g. `v1.3`. */
  readonly format: string;
  readonly algorithm: number;
  /** Key material, ready for `createSigner`. */
  readonly key: PrivateKey;
  /** Metadata lines after the key material (timing, numeric, HSM label...), in file order. */
  readonly metadata: readonly BindMetadata[];
}

/** Timing tags BIND writes in `.private` files; values are YYYYMMDDHHMMSS (UTC). */
export const BIND_TIMING_TAGS: readonly string[] = [
  'Created',
  'Publish',
  'Activate',
  'Revoke',
  'Inactive',
  'Delete',
  'DSPublish',
  'SyncPublish',
  'SyncDelete',
  'DSDelete',
  'DSRemoved',
];

/** Numeric metadata tags BIND may write. */
export const BIND_NUMERIC_TAGS: readonly string[] = [
  'Predecessor',
  'Successor',
  'MaxTTL',
  'RollPeriod',
  'Lifetime',
  'DSPubCount',
  'DSRemCount',
];

/** The largest file we read: real ones are under 4 KiB (RSA-4096 with metadata). */
const MAX_TEXT_LENGTH = 64 * 1024;

type MaterialField = readonly [tag: string, property: string];

const RSA_FIELDS: readonly MaterialField[] = [
  ['Modulus', 'modulus'],
  ['PublicExponent', 'publicExponent'],
  ['PrivateExponent', 'privateExponent'],
  ['Prime1', 'prime1'],
  ['Prime2', 'prime2'],
  ['Exponent1', 'exponent1'],
  ['Exponent2', 'exponent2'],
  ['Coefficient', 'coefficient'],
];
const DSA_FIELDS: readonly MaterialField[] = [
  ['Prime(p)', 'prime'],
  ['Subprime(q)', 'subprime'],
  ['Base(g)', 'base'],
  ['Private_value(x)', 'privateValue'],
  ['Public_value(y)', 'publicValue'],
];
const EC_FIELDS: readonly MaterialField[] = [['PrivateKey', 'privateKey']];

function materialFields(type: PrivateKey['type']): readonly MaterialField[] {
  switch (type) {
    case 'rsa':
      return RSA_FIELDS;
    case 'dsa':
      return DSA_FIELDS;
    case 'ecdsa':
    case 'eddsa':
      return EC_FIELDS;
  }
}

function fail(file: string, line: number, detail: string): KeyFileError {
  return new KeyFileError(`${file}:${line}: ${detail}`);
}

/** Strict base64 (RFC 4648 §4, padded, canonical), or undefined. */
function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-zero pad bits decode fine but do not re-encode the same: refuse them.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes);
}

function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Seconds since the epoch for a YYYYMMDDHHMMSS time (UTC), or undefined if it is not a valid
 * calendar time. Values up to year 9999 are accepted; RRSIG arithmetic (RFC 4034 §3.1.5) is the
 * caller's business.
 */
export function bindTimeToSeconds(text: string): number | undefined {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 31 February over into March; a round trip catches that.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms / 1000;
}

/** YYYYMMDDHHMMSS (UTC) for seconds since the epoch. */
export function secondsToBindTime(seconds: number): string {
  if (!Number.isFinite(seconds)) throw new RangeError(`not a time: ${seconds}`);
  const iso = new Date(Math.floor(seconds) * 1000).toISOString(); // 2026-11-22T05:00:43.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19);
}

/** The value of a metadata tag (case-insensitive), if present. */
export function bindMetadataValue(file: Pick<BindPrivateKeyFile, 'metadata'>, tag: string): string | undefined {
  const t = tag.toLowerCase();
  return file.metadata.find((m) => m.tag.toLowerCase() === t)?.value;
}

interface RawLine {
  readonly line: number;
  readonly tag: string;
  value: string;
}

/**
 * Parses a `.private` file. `fileName` only labels error messages. Throws KeyFileError (with
 * `file:line:` in the message) for anything it cannot use: wrong format, unknown or unsupported
 * algorithm, missing or malformed key material, HSM-only keys, bad timing values.
 */
export function parseBindPrivateKey(text: string, fileName = '<private key>'): BindPrivateKeyFile {
  if (typeof text !== 'string') throw fail(fileName, 0, 'not text');
  if (text.length > MAX_TEXT_LENGTH) throw fail(fileName, 1, `file larger than ${MAX_TEXT_LENGTH} characters`);

  // Logical lines: `Tag: value`, with indented continuation lines joined (RFC examples wrap long
  // base64 values that way; BIND itself writes one line per field).
  const lines: RawLine[] = [];
  const physical = text.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    const raw = physical[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    if (/^[ \t]/.test(raw)) {
      const prev = lines[lines.length - 1];
      if (prev === undefined) throw fail(fileName, lineNo, 'continuation line before any field');
      prev.value += raw.trim();
      continue;
    }
    const m = /^([A-Za-z0-9_()-]+):[ \t]*(.*)$/.exec(raw);
    if (m === null) throw fail(fileName, lineNo, 'expected "Tag: value"');
    lines.push({ line: lineNo, tag: m[1]!, value: m[2]!.trim() });
  }

  const first = lines[0];
  if (first?.tag.toLowerCase() !== 'private-key-format') {
    throw fail(fileName, first?.line ?? 1, 'first line must be "Private-key-format: v1.x"');
  }
  if (!/^v1\.[0-9]{1,3}$/.test(first.value)) {
    throw fail(fileName, first.line, `unsupported private key format "${first.value}" (expected v1.x)`);
  }

  const algLine = lines[1];
  if (algLine?.tag.toLowerCase() !== 'algorithm') {
    throw fail(fileName, algLine?.line ?? first.line + 1, 'second field must be "Algorithm:"');
  }
  const am = /^([0-9]{1,3})(?:[ \t]+\(([^()]*)\))?$/.exec(algLine.value);
  if (am === null) throw fail(fileName, algLine.line, `malformed Algorithm value "${algLine.value}"`);
  const algorithm = Number(am[1]);
  if (algorithm > 255) throw fail(fileName, algLine.line, `algorithm ${algorithm} out of range`);
  const mnemonic = am[2]?.trim();
  if (mnemonic !== undefined && mnemonic !== '') {
    const named = algorithmFromText(mnemonic);
    if (named !== undefined && named !== algorithm) {
      throw fail(fileName, algLine.line, `algorithm number ${algorithm} does not match mnemonic ${mnemonic}`);
    }
  }
  const type = privateKeyTypeFor(algorithm);
  if (type === undefined) {
    throw fail(fileName, algLine.line, `unsupported algorithm ${algorithmMnemonic(algorithm)}`);
  }

  const fields = materialFields(type);
  const material = new Map<string, { bytes: Uint8Array; line: number }>();
  const metadata: BindMetadata[] = [];
  const seen = new Set<string>();
  let hsmLabel: RawLine | undefined;

  for (const l of lines.slice(2)) {
    const lower = l.tag.toLowerCase();
    if (seen.has(lower)) throw fail(fileName, l.line, `duplicate field ${l.tag}`);
    seen.add(lower);
    const field = fields.find(([tag]) => tag.toLowerCase() === lower);
    if (field !== undefined) {
      const bytes = decodeBase64(l.value);
      if (bytes === undefined) throw fail(fileName, l.line, `${field[0]} is not valid base64`);
      material.set(field[1], { bytes, line: l.line });
      continue;
    }
    if (lower === 'private-key-format' || lower === 'algorithm') {
      throw fail(fileName, l.line, `${l.tag} may appear only at the top`);
    }
    if (BIND_TIMING_TAGS.some((t) => t.toLowerCase() === lower)) {
      if (bindTimeToSeconds(l.value) === undefined) {
        throw fail(fileName, l.line, `${l.tag} must be a YYYYMMDDHHMMSS time, got "${l.value}"`);
      }
    } else if (BIND_NUMERIC_TAGS.some((t) => t.toLowerCase() === lower)) {
      if (!/^[0-9]{1,10}$/.test(l.value)) throw fail(fileName, l.line, `${l.tag} must be a number, got "${l.value}"`);
    } else if (lower === 'label' || lower === 'engine') {
      hsmLabel ??= l;
    } else if (material.size === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(l.value) && l.value.length >= 16) {
      // A base64 field we do not know, where key material belongs: most likely the wrong key type.
      throw fail(fileName, l.line, `unexpected field ${l.tag} for ${algorithmMnemonic(algorithm)}`);
    }
    metadata.push({ tag: l.tag, value: l.value });
  }

  const missing = fields.filter(([, prop]) => !material.has(prop)).map(([tag]) => tag);
  if (missing.length > 0) {
    if (hsmLabel !== undefined && material.size === 0) {
      throw fail(fileName, hsmLabel.line, `key is held by an HSM (${hsmLabel.tag}: ${hsmLabel.value}); no key material in the file`);
    }
    throw fail(fileName, algLine.line, `missing ${missing.join(', ')} for ${algorithmMnemonic(algorithm)}`);
  }

  const get = (prop: string): Uint8Array => material.get(prop)!.bytes;
  let key: PrivateKey;
  switch (type) {
    case 'rsa':
      key = {
        type,
        algorithm,
        modulus: get('modulus'),
        publicExponent: get('publicExponent'),
        privateExponent: get('privateExponent'),
        prime1: get('prime1'),
        prime2: get('prime2'),
        exponent1: get('exponent1'),
        exponent2: get('exponent2'),
        coefficient: get('coefficient'),
      };
      break;
    case 'dsa':
      key = {
        type,
        algorithm,
        prime: get('prime'),
        subprime: get('subprime'),
        base: get('base'),
        privateValue: get('privateValue'),
        publicValue: get('publicValue'),
      };
      break;
    case 'ecdsa':
      key = { type, algorithm: algorithm as 13 | 14, privateKey: get('privateKey') };
      break;
    case 'eddsa':
      key = { type, algorithm: algorithm as 15 | 16, privateKey: get('privateKey') };
      break;
  }
  const problem = privateKeyProblem(key);
  if (problem !== undefined) {
    const firstLine = Math.min(...[...material.values()].map((v) => v.line));
    throw fail(fileName, firstLine, problem);
  }
  return Object.freeze({ format: first.value, algorithm, key, metadata: Object.freeze(metadata) });
}

export interface PrintBindPrivateKeyOptions {
  /** Format version to write; default `v1.3` (BIND 9.10 and later). */
  readonly format?: string;
  /** Metadata lines to append after the key material, in order. */
  readonly metadata?: readonly BindMetadata[];
}

/**
 * Writes key material as a `.private` file, the way BIND does: format line, algorithm with BIND's
 * mnemonic, one base64 line per field, then metadata. ECDSA scalars are written without leading
 * zero octets, as BIND writes them (OpenSSL's BN_bn2bin: a scalar below 2^248 takes 31 octets), so
 * a key file rewritten by anchord is byte-identical to BIND's; the reader accepts either length.
 * Throws KeyFileError if a metadata value could not be read back.
 */
export function printBindPrivateKey(key: PrivateKey, options: PrintBindPrivateKeyOptions = {}): string {
  const format = options.format ?? 'v1.3';
  if (!/^v1\.[0-9]{1,3}$/.test(format)) throw new KeyFileError(`unsupported private key format "${format}"`);
  const out = [`Private-key-format: ${format}`, `Algorithm: ${key.algorithm} (${algorithmBindName(key.algorithm)})`];
  const record = key as unknown as Readonly<Record<string, Uint8Array>>;
  for (const [tag, prop] of materialFields(key.type)) {
    const bytes = key.type === 'ecdsa' ? stripLeadingZeros(ecdsaScalar(key)) : record[prop]!;
    out.push(`${tag}: ${encodeBase64(bytes)}`);
  }
  for (const m of options.metadata ?? []) {
    if (!/^[A-Za-z0-9_()-]+$/.test(m.tag) || /[\r\n]/.test(m.value)) {
      throw new KeyFileError(`metadata ${JSON.stringify(m.tag)} cannot be written`);
    }
    out.push(`${m.tag}: ${m.value}`);
  }
  return out.join('\n') + '\n';
}

/** Prints a parsed file back (same format line and metadata). */
export function printBindPrivateKeyFile(file: BindPrivateKeyFile): string {
  return printBindPrivateKey(file.key, { format: file.format, metadata: file.metadata });
}
