// BIND key files, the public half: the `K<zone>+<alg>+<tag>` base name and the `.key` text
// (BIND 9 ARM §5.1.1; lib/dns/dst_api.c write_public_key): comment lines saying what the key is
// and its timing, then one DNSKEY record `<zone> [TTL] IN DNSKEY <flags> 3 <alg> <key>` with the
// base64 key in 56-character groups. The `.private` half is crypto/bind-private-key.ts; the files
// themselves are written by cli/key-files.ts.
//
// Also the key tag rules around revocation (RFC 5011 §7, ARM §5.4.2): setting the REVOKE bit
// (0x0080) changes the key tag, usually by +128; a new key may not collide with an existing key of
// the same zone and algorithm, neither by tag nor by tag after revocation of either key.
//
// Pure module: text in, text out.

import { KeyFileError } from '../core/errors.js';
import { keyTag } from '../dnssec/key-tag.js';
import { classFromString, classToString, RRClass, RRType, typeFromString } from '../wire/constants.js';
import { Name } from '../wire/name.js';
import { bytesToBase64, parseNameText, parseRdata, parseTtl } from '../wire/rdata-text.js';
import { lexZone } from '../zone/lexer.js';
import { ctimeUtc, formatKeyTime, KEY_TIMING_TAGS, type KeyTiming } from './key-timing.js';

/** DNSKEY flag bits (RFC 4034 §2.1.1, RFC 5011 §3). */
export const DnskeyFlag = {
  ZONE: 0x0100,
  REVOKE: 0x0080,
  SEP: 0x0001,
} as const;

/** The DNSKEY RDATA for a key: flags, protocol 3 (RFC 4034 §2.1.2), algorithm, public key. */
export function makeDnskeyRdata(flags: number, algorithm: number, publicKey: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + publicKey.length);
  out[0] = (flags >>> 8) & 0xff;
  out[1] = flags & 0xff;
  out[2] = 3;
  out[3] = algorithm;
  out.set(publicKey, 4);
  return out;
}

export function dnskeyFlags(rdata: Uint8Array): number {
  return (rdata[0]! << 8) | rdata[1]!;
}

export function dnskeyAlgorithm(rdata: Uint8Array): number {
  return rdata[3]!;
}

/** The same DNSKEY RDATA with other flags. */
export function withFlags(rdata: Uint8Array, flags: number): Uint8Array {
  const out = rdata.slice();
  out[0] = (flags >>> 8) & 0xff;
  out[1] = flags & 0xff;
  return out;
}

/** The key tag the key would have with the REVOKE bit set (RFC 5011 §7). */
export function revokedKeyTag(rdata: Uint8Array): number {
  return keyTag(withFlags(rdata, dnskeyFlags(rdata) | DnskeyFlag.REVOKE));
}

/** The key tag of the key without the REVOKE bit (its tag before revocation). */
export function unrevokedKeyTag(rdata: Uint8Array): number {
  return keyTag(withFlags(rdata, dnskeyFlags(rdata) & ~DnskeyFlag.REVOKE));
}

/**
 * True when a new key would be confused with an existing one of the same algorithm (ARM §5.4.2,
 * as dnssec-keygen checks): equal tags, or the tag of either after revocation equals the other's
 * tag. Both keys are compared in their unrevoked and revoked forms.
 */
export function keyTagsCollide(candidate: Uint8Array, existing: Uint8Array): boolean {
  if (dnskeyAlgorithm(candidate) !== dnskeyAlgorithm(existing)) return false;
  const a = [unrevokedKeyTag(candidate), revokedKeyTag(candidate)];
  const b = [unrevokedKeyTag(existing), revokedKeyTag(existing)];
  return a.some((x) => b.includes(x));
}

/** `K<zone>+<alg:3 digits>+<tag:5 digits>` (ARM §5.1.1); the zone is absolute, `.` for the root. */
export function keyBasename(owner: Name, algorithm: number, tag: number): string {
  return `K${owner.toString()}+${String(algorithm).padStart(3, '0')}+${String(tag).padStart(5, '0')}`;
}

/** Parses a key base name back; undefined when `basename` is not of that form. */
export function parseKeyBasename(basename: string): { owner: Name; algorithm: number; tag: number } | undefined {
  const m = /^K(.+)\+([0-9]{3})\+([0-9]{5})$/.exec(basename);
  if (m === null) return undefined;
  let owner: Name;
  try {
    owner = Name.parse(m[1]!.endsWith('.') ? m[1]! : `${m[1]!}.`);
  } catch {
    return undefined;
  }
  return { owner, algorithm: Number(m[2]), tag: Number(m[3]) };
}

/** Base64 in 56-character groups separated by spaces, as BIND prints key material. */
export function groupedBase64(bytes: Uint8Array, group = 56): string {
  const s = bytesToBase64(bytes);
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += group) parts.push(s.slice(i, i + group));
  return parts.join(' ');
}

/** The public key as a `.key` file holds it. */
export interface PublicKeyFile {
  readonly owner: Name;
  /** TTL when the file gives one (dnssec-keygen -L). */
  readonly ttl: number | undefined;
  readonly class: number;
  /** DNSKEY RDATA. */
  readonly rdata: Uint8Array;
}

/** The DNSKEY record line of a `.key` file (no newline). */
export function formatDnskeyLine(key: PublicKeyFile): string {
  const r = key.rdata;
  const ttl = key.ttl === undefined ? '' : ` ${key.ttl}`;
  return `${key.owner.toString()}${ttl} ${classToString(key.class)} DNSKEY ${dnskeyFlags(r)} ${r[2]!} ${r[3]!} ${groupedBase64(r.subarray(4))}`;
}

/**
 * The whole `.key` file text as dnssec-keygen writes it: `; This is a [revoked ]key-signing key,
 * keyid N, for ZONE` (or zone-signing), one `; Tag: YYYYMMDDHHMMSS (ctime)` line per timing value
 * set, then the DNSKEY line.
 */
export function formatPublicKeyFile(key: PublicKeyFile, timing: KeyTiming = {}): string {
  const flags = dnskeyFlags(key.rdata);
  const revoked = (flags & DnskeyFlag.REVOKE) !== 0 ? 'revoked ' : '';
  const kind = (flags & DnskeyFlag.SEP) !== 0 ? 'key' : 'zone';
  const lines = [`; This is a ${revoked}${kind}-signing key, keyid ${keyTag(key.rdata)}, for ${key.owner.toString()}`];
  for (const [field, tag] of KEY_TIMING_TAGS) {
    const t = timing[field];
    if (t !== undefined) lines.push(`; ${tag}: ${formatKeyTime(t)} (${ctimeUtc(t)})`);
  }
  lines.push(formatDnskeyLine(key));
  return lines.join('\n') + '\n';
}

/**
 * Reads a `.key` file (or any text holding exactly one DNSKEY record, comments allowed). The owner
 * must be absolute. Throws KeyFileError with `file:line` on anything else.
 */
export function parsePublicKeyFile(text: string, file = '<key file>'): PublicKeyFile {
  let found: PublicKeyFile | undefined;
  try {
    for (const entry of lexZone(text, file)) {
      const t = entry.tokens;
      if (t.length === 0) continue;
      if (entry.blankOwner) throw new KeyFileError(`${file}:${entry.line}: the DNSKEY record needs an owner name`);
      if (t[0]!.text.startsWith('$')) throw new KeyFileError(`${file}:${entry.line}: directives are not allowed in a key file`);
      const owner = parseNameText(t[0]!.text, undefined);
      let i = 1;
      let ttl: number | undefined;
      let cls: number = RRClass.IN;
      for (; i < t.length && i < 3; i++) {
        const tok = t[i]!.text;
        const c = classFromString(tok);
        if (c !== undefined) {
          cls = c;
          continue;
        }
        if (/^[0-9]/.test(tok)) {
          ttl = parseTtl(tok);
          continue;
        }
        break;
      }
      const typeTok = t[i];
      const type = typeTok === undefined ? undefined : typeFromString(typeTok.text);
      if (type !== RRType.DNSKEY) throw new KeyFileError(`${file}:${entry.line}: expected a DNSKEY record`);
      const rdata = parseRdata(RRType.DNSKEY, t.slice(i + 1), owner);
      if (found !== undefined) throw new KeyFileError(`${file}:${entry.line}: more than one DNSKEY record`);
      if (rdata.length < 5) throw new KeyFileError(`${file}:${entry.line}: DNSKEY without a public key`);
      found = { owner, ttl, class: cls, rdata };
    }
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(`${file}: ${(error as Error).message}`, { cause: error });
  }
  if (found === undefined) throw new KeyFileError(`${file}: no DNSKEY record`);
  return found;
}
