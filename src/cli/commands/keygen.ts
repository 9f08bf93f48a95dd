// `anchord keygen`: makes a DNSSEC key pair as BIND's dnssec-keygen does (BIND 9 ARM §5.1.1,
// §5.4.2): `K<zone>+<alg>+<tag>.key` and `.private` (Private-key-format v1.3 with timing
// metadata) in the -K directory, and prints the base name.
//
// Flags as dnssec-keygen: -a ALG (mnemonic or number), -b BITS (RSA), -f KSK|REVOKE, -K DIR,
// -L TTL, -n ZONE (only ZONE keys are made), -P/-A/-R/-I/-D time (YYYYMMDD[HHMMSS], now, none,
// +offset, now+offset), -G (no Publish/Activate), -C (no timing at all), -q, zone positional.
// --sync-publish/--sync-delete stand for dnssec-keygen's `-P sync`/`-D sync`.
//
// A new key whose tag collides with a key of the same zone and algorithm already in the directory,
// directly or after revoking either key (RFC 5011 §7, ARM §5.4.2), is thrown away and another
// one generated, as dnssec-keygen does.

import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { DnskeyFlag, keyTagsCollide, makeDnskeyRdata } from '../../auth/key-file-text.js';
import { parseKeyTime, type KeyTiming } from '../../auth/key-timing.js';
import { generatePrivateKey, publicKeyFromPrivateKey } from '../../crypto/signer.js';
import type { PrivateKey } from '../../crypto/private-key.js';
import { algorithmFromText, algorithmInfo, algorithmMnemonic } from '../../dnssec/algorithms.js';
import { RRClass } from '../../wire/constants.js';
import { parseTtl } from '../../wire/rdata-text.js';
import { flag, optNumber, optString, reqString, zoneName, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { readZoneKeys, writeKeyPair } from '../key-files.js';

/** Algorithms anchord makes keys for (RFC 8624 §3.1 "MUST/RECOMMENDED to sign" and more). */
const KEYGEN_ALGORITHMS = new Set([5, 7, 8, 10, 13, 14, 15, 16]);

/** How many fresh keys to try before giving up on tag collisions. */
const MAX_ATTEMPTS = 100;

export interface KeygenDeps {
  readonly now: () => number;
  readonly generate: (algorithm: number, bits: number | undefined) => PrivateKey;
}

const defaultDeps: KeygenDeps = {
  now: () => Math.floor(Date.now() / 1000),
  generate: (algorithm, bits) => generatePrivateKey(algorithm, bits === undefined ? {} : { bits }),
};

/** A zone argument as an absolute name. */
/** Parses -a: a mnemonic (BIND or IANA spelling) or a number. */
export function parseAlgorithm(text: string): number {
  const n = /^[0-9]{1,3}$/.test(text) ? Number(text) : algorithmFromText(text);
  if (n === undefined || !KEYGEN_ALGORITHMS.has(n)) throw new AnchordError(ErrorCode.Usage, `unsupported algorithm "${text}"`);
  return n;
}

function timingArg(args: Args, key: string, now: number): number | null | undefined {
  const v = optString(args, key);
  if (v === undefined) return undefined;
  try {
    return parseKeyTime(v, now);
  } catch (error) {
    throw new AnchordError(ErrorCode.Usage, `-${key}: ${(error as Error).message}`);
  }
}

/** Runs keygen; resolves to the exit code. */
export function runKeygen(args: Args, io: CommandIO, deps: KeygenDeps = defaultDeps): Promise<number> {
  const zone = zoneName(reqString(args, 'zone'));
  const algText = optString(args, 'a');
  if (algText === undefined) throw new AnchordError(ErrorCode.Usage, 'no algorithm specified (-a)');
  const algorithm = parseAlgorithm(algText);
  const nameType = (optString(args, 'n') ?? 'ZONE').toUpperCase();
  if (nameType !== 'ZONE') throw new AnchordError(ErrorCode.Usage, `-n ${nameType}: only ZONE keys (DNSKEY) are supported`);
  const bits = optNumber(args, 'b');
  const info = algorithmInfo(algorithm);
  if (bits !== undefined && info?.family === 'rsa' && (bits < 1024 || bits > 4096)) {
    throw new AnchordError(ErrorCode.Usage, `RSA key size ${bits} out of range (1024..4096)`);
  }
  let flags: number = DnskeyFlag.ZONE;
  for (const f of optStringsUpper(args, 'f')) {
    if (f === 'KSK') flags |= DnskeyFlag.SEP;
    else if (f === 'REVOKE') flags |= DnskeyFlag.REVOKE;
    else throw new AnchordError(ErrorCode.Usage, `-f ${f}: expected KSK or REVOKE`);
  }
  const ttlText = optString(args, 'L');
  const ttl = ttlText === undefined ? undefined : parseTtl(ttlText);
  const dir = optString(args, 'K') ?? '.';
  const now = deps.now();

  const timing = new Map<keyof KeyTiming, number>();
  if (!flag(args, 'C')) {
    timing.set('created', now);
    if (!flag(args, 'G')) {
      timing.set('publish', now);
      timing.set('activate', now);
    }
    const set = (field: keyof KeyTiming, key: string): void => {
      const v = timingArg(args, key, now);
      if (v === undefined) return;
      if (v === null) timing.delete(field);
      else timing.set(field, v);
    };
    set('publish', 'P');
    set('activate', 'A');
    set('revoke', 'R');
    set('inactive', 'I');
    set('delete', 'D');
    set('syncPublish', 'sync-publish');
    set('syncDelete', 'sync-delete');
    if (timing.has('revoke') && (flags & DnskeyFlag.SEP) === 0) {
      io.err('anchord keygen: warning: Key is not flagged as a KSK, but -R was used. Revoking a ZSK is legal, but undefined.');
    }
    const at = (f: keyof KeyTiming): number | undefined => timing.get(f);
    if (at('activate') !== undefined && at('inactive') !== undefined && at('inactive')! <= at('activate')!) {
      throw new AnchordError(ErrorCode.Usage, 'inactivation date is not after the activation date');
    }
    if (at('publish') !== undefined && at('delete') !== undefined && at('delete')! <= at('publish')!) {
      throw new AnchordError(ErrorCode.Usage, 'deletion date is not after the publication date');
    }
  }

  const existing = readZoneKeys(dir, zone, (b, e) => {
    io.err(`anchord keygen: warning: ignoring ${b}: ${e.message}`);
  }).map((k) => k.publicKey.rdata);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const key = deps.generate(algorithm, bits);
    const rdata = makeDnskeyRdata(flags, algorithm, publicKeyFromPrivateKey(key));
    if (existing.some((e) => keyTagsCollide(rdata, e))) {
      if (flag(args, 'v')) io.err(`anchord keygen: key tag collides with an existing ${algorithmMnemonic(algorithm)} key; generating another`);
      continue;
    }
    const basename = writeKeyPair(dir, { owner: zone, ttl, class: RRClass.IN, rdata }, key, Object.fromEntries(timing));
    io.out(basename);
    return Promise.resolve(0);
  }
  throw new AnchordError(ErrorCode.KeyFile, `could not generate a key whose tag does not collide after ${MAX_ATTEMPTS} attempts`);
}

function optStringsUpper(args: Args, key: string): string[] {
  const v = args[key];
  if (v === undefined || v === null) return [];
  const list: unknown[] = Array.isArray(v) ? v : [v];
  return list.map((x) => String(x).toUpperCase());
}

export const keygenCommand: CommandModule = {
  command: 'keygen <zone>',
  describe: 'generate a DNSSEC key pair (K<zone>+<alg>+<tag>.key/.private), like dnssec-keygen',
  builder: (y: Argv) =>
    y
      .positional('zone', { type: 'string', describe: 'zone the key is for' })
      .option('a', { type: 'string', describe: 'algorithm: RSASHA256 RSASHA512 ECDSAP256SHA256 ECDSAP384SHA384 ED25519 ED448 (or number)' })
      .option('b', { type: 'number', describe: 'key size in bits (RSA: 1024..4096, default 2048)' })
      .option('f', { type: 'string', describe: 'key flag: KSK or REVOKE' })
      .option('K', { type: 'string', describe: 'directory to write the key files in (default .)' })
      .option('L', { type: 'string', describe: 'TTL of the DNSKEY record in the .key file' })
      .option('n', { type: 'string', describe: 'name type (only ZONE)' })
      .option('P', { type: 'string', describe: 'publication time (default now)' })
      .option('A', { type: 'string', describe: 'activation time (default now)' })
      .option('R', { type: 'string', describe: 'revocation time' })
      .option('I', { type: 'string', describe: 'inactivation time' })
      .option('D', { type: 'string', describe: 'deletion time' })
      .option('sync-publish', { type: 'string', describe: 'CDS/CDNSKEY publication time (dnssec-keygen -P sync)' })
      .option('sync-delete', { type: 'string', describe: 'CDS/CDNSKEY deletion time (dnssec-keygen -D sync)' })
      .option('G', { type: 'boolean', default: false, describe: 'set no publication or activation time' })
      .option('C', { type: 'boolean', default: false, describe: 'write no timing metadata at all' })
      .option('q', { type: 'boolean', default: false, describe: 'quiet' })
      .option('v', { type: 'boolean', default: false, describe: 'verbose' }),
  run: (args, io) => runKeygen(args, io),
};
