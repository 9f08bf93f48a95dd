// Key files on disk: finding, reading and writing BIND's `K<zone>+<alg>+<tag>.key` / `.private`
// pairs (BIND 9 ARM §5.1.1) for keygen, revoke, dsfromkey and signzone.
//
// Durable state is written atomically (DESIGN.md convention 11) by server/atomic-file.ts: a
// temporary file in the same directory, fsync, rename over the target, fsync of the directory. A
// `.private` file is created with mode 0600 from the start, so the key material is never readable
// by others, not even for the instant between write and chmod.
//
// The `.key` text and tag rules are auth/key-file-text.ts, the `.private` format is
// crypto/bind-private-key.ts; the timing metadata (Created, Publish, Activate, Revoke, Inactive,
// Delete, SyncPublish, SyncDelete) lives in the `.private` file, as BIND reads it.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename as pathBasename, dirname, join } from 'node:path';
import { writeAtomic, writeFileAtomic, writeTextAtomic } from '../server/atomic-file.js';
import { KeyFileError } from '../core/errors.js';
import { formatPublicKeyFile, keyBasename, parseKeyBasename, parsePublicKeyFile, type PublicKeyFile } from '../auth/key-file-text.js';
import { KEY_TIMING_TAGS, type KeyTiming, type KeyTimingField } from '../auth/key-timing.js';
import { bindTimeToSeconds, parseBindPrivateKey, printBindPrivateKey, secondsToBindTime, type BindMetadata, type BindPrivateKeyFile } from '../crypto/bind-private-key.js';
import type { PrivateKey } from '../crypto/private-key.js';
import type { Signer } from '../crypto/backend.js';
import { createNodeSigner } from '../crypto/node-backend.js';
import type { SigningKey } from '../auth/signer.js';
import { keyTag } from '../dnssec/key-tag.js';
import type { Name } from '../wire/name.js';

export { writeFileAtomic, writeTextAtomic };

/**
 * writeTextAtomic for bytes produced asynchronously (a signing run's output): `produce` calls
 * `write` with each piece, which is written at once (the piece may be reused after it returns).
 */
export function writeAtomicStream(path: string, produce: (write: (bytes: Uint8Array) => void) => Promise<void>, mode = 0o644): Promise<void> {
  return writeAtomic(path, (write) => produce(write), mode);
}

/** A key pair read from disk. */
export interface KeyFilePair {
  /** `K<zone>+<alg>+<tag>`. */
  readonly basename: string;
  readonly dir: string;
  readonly publicKey: PublicKeyFile;
  /** Undefined when only the `.key` file exists. */
  readonly privateKey: BindPrivateKeyFile | undefined;
  readonly timing: KeyTiming;
}

/** Timing values from `.private` metadata. */
export function timingFromMetadata(metadata: readonly BindMetadata[]): KeyTiming {
  const out: Partial<Record<KeyTimingField, number>> = {};
  for (const m of metadata) {
    const entry = KEY_TIMING_TAGS.find(([, tag]) => tag.toLowerCase() === m.tag.toLowerCase());
    if (entry === undefined) continue;
    const v = bindTimeToSeconds(m.value);
    if (v !== undefined) out[entry[0]] = v;
  }
  return out;
}

/**
 * `.private` metadata for `timing`, in BIND's order, followed by the other (non-timing) entries of
 * `keep` as they were.
 */
export function metadataFromTiming(timing: KeyTiming, keep: readonly BindMetadata[] = []): BindMetadata[] {
  const out: BindMetadata[] = [];
  for (const [field, tag] of KEY_TIMING_TAGS) {
    const v = timing[field];
    if (v !== undefined) out.push({ tag, value: secondsToBindTime(v) });
  }
  for (const m of keep) {
    if (!KEY_TIMING_TAGS.some(([, tag]) => tag.toLowerCase() === m.tag.toLowerCase())) out.push(m);
  }
  return out;
}

/**
 * Splits a key argument into directory and base name: accepts `Kzone+alg+tag`, with `.key` or
 * `.private` (or a trailing dot), with or without a directory part. A bare name is looked up in
 * `dir` (dnssec-* -K).
 */
export function resolveKeyPath(spec: string, dir = '.'): { dir: string; basename: string } {
  let base = pathBasename(spec);
  const part = dirname(spec);
  base = base.replace(/\.(key|private|state)$/, '');
  const d = spec.includes('/') ? part : dir;
  return { dir: d, basename: base };
}

/**
 * Reads a key pair. With `requirePrivate` a missing `.private` file is an error; a `.private`
 * whose algorithm or public key does not match the `.key` is always an error.
 */
export function readKeyPair(spec: string, dir = '.', options: { requirePrivate?: boolean } = {}): KeyFilePair {
  const { dir: d, basename } = resolveKeyPath(spec, dir);
  const keyPath = join(d, `${basename}.key`);
  const privPath = join(d, `${basename}.private`);
  let keyText: string;
  try {
    keyText = readFileSync(keyPath, 'utf8');
  } catch (error) {
    throw new KeyFileError(`cannot read ${keyPath}: ${(error as Error).message}`);
  }
  const publicKey = parsePublicKeyFile(keyText, keyPath);
  let privateKey: BindPrivateKeyFile | undefined;
  if (existsSync(privPath)) {
    let privText: string;
    try {
      privText = readFileSync(privPath, 'utf8');
    } catch (error) {
      throw new KeyFileError(`cannot read ${privPath}: ${(error as Error).message}`);
    }
    privateKey = parseBindPrivateKey(privText, privPath);
    if (privateKey.algorithm !== publicKey.rdata[3]) {
      throw new KeyFileError(`${privPath}: algorithm ${privateKey.algorithm} does not match ${keyPath} (${publicKey.rdata[3]!})`);
    }
  } else if (options.requirePrivate === true) {
    throw new KeyFileError(`missing private key ${privPath} for ${keyPath}`);
  }
  const parsed = parseKeyBasename(basename);
  const tag = keyTag(publicKey.rdata);
  if (parsed !== undefined && (parsed.tag !== tag || parsed.algorithm !== publicKey.rdata[3] || !parsed.owner.equals(publicKey.owner))) {
    throw new KeyFileError(`${keyPath}: the DNSKEY (${publicKey.owner.toString()} algorithm ${publicKey.rdata[3]!} tag ${tag}) does not match the file name`);
  }
  return { basename, dir: d, publicKey, privateKey, timing: privateKey === undefined ? {} : timingFromMetadata(privateKey.metadata) };
}

/** Base names of the `.key` files in `dir` for `owner` (any algorithm), sorted. */
export function listKeyBasenames(dir: string, owner: Name): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new KeyFileError(`cannot read key directory ${dir}: ${(error as Error).message}`);
  }
  const out: string[] = [];
  for (const e of entries) {
    if (!e.startsWith('K') || !e.endsWith('.key')) continue;
    const p = parseKeyBasename(e.slice(0, -4));
    if (p !== undefined && p.owner.equals(owner)) out.push(e.slice(0, -4));
  }
  return out.sort();
}

/** Reads every key pair of `owner` in `dir` (files that do not parse are reported to `onBad`). */
export function readZoneKeys(dir: string, owner: Name, onBad?: (basename: string, error: Error) => void): KeyFilePair[] {
  const out: KeyFilePair[] = [];
  for (const b of listKeyBasenames(dir, owner)) {
    try {
      out.push(readKeyPair(b, dir));
    } catch (error) {
      if (onBad === undefined) throw error;
      onBad(b, error as Error);
    }
  }
  return out;
}

export interface WriteKeyPairOptions {
  /** Overwrite existing files (dnssec-revoke -f). */
  readonly force?: boolean;
  /** `.private` metadata that is not timing (kept as it was). */
  readonly keepMetadata?: readonly BindMetadata[];
}

/**
 * Writes `.key` (0644) and `.private` (0600) atomically, private first so that a `.key` never
 * appears without its private half. Returns the base name. Refuses to overwrite unless `force`.
 */
export function writeKeyPair(dir: string, publicKey: PublicKeyFile, privateKey: PrivateKey, timing: KeyTiming, options: WriteKeyPairOptions = {}): string {
  const basename = keyBasename(publicKey.owner, publicKey.rdata[3]!, keyTag(publicKey.rdata));
  const keyPath = join(dir, `${basename}.key`);
  const privPath = join(dir, `${basename}.private`);
  if (options.force !== true) {
    for (const p of [keyPath, privPath]) {
      if (existsSync(p)) throw new KeyFileError(`key file ${p} already exists; use -f to force overwrite`);
    }
  }
  const privText = printBindPrivateKey(privateKey, { metadata: metadataFromTiming(timing, options.keepMetadata) });
  writeFileAtomic(privPath, privText, 0o600);
  writeFileAtomic(keyPath, formatPublicKeyFile(publicKey, timing), 0o644);
  return basename;
}

/** Makes the signer for a private key (crypto/signer.ts createSigner, or a fixed backend). */
export type SignerFactory = (key: PrivateKey) => Signer;

/**
 * The signer's view of a key pair: DNSKEY, owner, timing, TTL, and a sign function when the
 * private half is there, made by `signer` (default: node:crypto, crypto/node-backend.ts; for
 * reproducible zones pass crypto/signer.ts createSigner with `deterministic`, RFC 6979 ECDSA
 * through noble). This module does not import noble itself: loading it costs about 10 MiB of RSS,
 * which `signzone` pays only with --deterministic.
 */
export function signingKeyFromPair(pair: KeyFilePair, options: { ksk?: boolean; signer?: SignerFactory } = {}): SigningKey {
  const base = {
    dnskey: pair.publicKey.rdata,
    owner: pair.publicKey.owner,
    timing: pair.timing,
    label: pair.basename,
    ...(pair.publicKey.ttl === undefined ? {} : { ttl: pair.publicKey.ttl }),
    ...(options.ksk === undefined ? {} : { ksk: options.ksk }),
  };
  if (pair.privateKey === undefined) return base;
  const signer = (options.signer ?? createNodeSigner)(pair.privateKey.key);
  const expected = pair.publicKey.rdata.subarray(4);
  const actual = signer.publicKey;
  if (expected.length !== actual.length || !expected.every((b, i) => b === actual[i])) {
    throw new KeyFileError(`${join(pair.dir, pair.basename)}.private does not hold the private key of ${pair.basename}.key`);
  }
  return { ...base, sign: (data) => signer.sign(data) };
}
