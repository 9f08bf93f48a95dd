// `anchord dsfromkey`: DS (or CDS) records for keys, as BIND's dnssec-dsfromkey prints them
// (BIND 9 ARM §5.2; DS digests RFC 4034 §5.1.4, RFC 4509 SHA-256, RFC 6605 SHA-384; CDS RFC 7344):
// `<owner> [TTL ]IN DS <tag> <alg> <digest type> <HEX>`, one line per key and digest type.
//
// Flags as dnssec-dsfromkey: -1 (SHA-1), -2 (SHA-256, the default), -a ALG (SHA-1, SHA-256,
// SHA-384, or a number; may repeat), -C (CDS instead of DS), -T TTL, -K DIR, -f ZONEFILE
// [ZONENAME] (DNSKEYs at the zone name from a zone file; KSKs only unless -A), keyfile.
// Revoked keys are skipped, as dnssec-dsfromkey does. Digests print in type order.

import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { DnskeyFlag, dnskeyFlags } from '../../auth/key-file-text.js';
import { digestTypeFromText } from '../../dnssec/algorithms.js';
import { makeDsRdata } from '../../dnssec/ds.js';
import { RRType } from '../../wire/constants.js';
import type { Name } from '../../wire/name.js';
import { bytesToHex, parseTtl } from '../../wire/rdata-text.js';
import { bytesEqual, compareBytes } from '../../wire/record.js';
import { parseZoneText, resolveIncludePath } from '../../zone/parser.js';
import { flag, optString, optStrings, zoneName, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { readKeyPair } from '../key-files.js';

/** The digest types asked for, in type order; SHA-256 when none is. */
export function digestTypes(args: Args): number[] {
  const set = new Set<number>();
  if (flag(args, 'sha1')) set.add(1);
  if (flag(args, 'sha256')) set.add(2);
  for (const a of optStrings(args, 'a')) {
    const t = /^[0-9]+$/.test(a) ? Number(a) : digestTypeFromText(a);
    if (t !== 1 && t !== 2 && t !== 4) throw new AnchordError(ErrorCode.Usage, `unsupported digest algorithm "${a}" (SHA-1, SHA-256 or SHA-384)`);
    set.add(t);
  }
  if (set.size === 0) set.add(2);
  return [...set].sort((a, b) => a - b);
}

/** One DS/CDS line for a DNSKEY. */
export function dsLine(owner: Name, dnskey: Uint8Array, digestType: number, ttl: number | undefined, cds: boolean): string {
  const ds = makeDsRdata(owner, dnskey, digestType);
  const tag = (ds[0]! << 8) | ds[1]!;
  return `${owner.toString()} ${ttl === undefined ? '' : `${ttl} `}IN ${cds ? 'CDS' : 'DS'} ${tag} ${ds[2]!} ${ds[3]!} ${bytesToHex(ds.subarray(4)).toUpperCase()}`;
}

/** Runs dsfromkey; resolves to the exit code. */
export function runDsfromkey(args: Args, io: CommandIO): Promise<number> {
  const types = digestTypes(args);
  const ttlText = optString(args, 'T');
  const ttl = ttlText === undefined ? undefined : parseTtl(ttlText);
  const cds = flag(args, 'C');
  const dir = optString(args, 'K') ?? '.';
  const zonefile = optString(args, 'f');
  if (types.includes(1)) io.err('WARNING: DS digest type 1 is deprecated');

  let owner: Name;
  let keys: Uint8Array[];
  if (zonefile !== undefined) {
    const nameText = optString(args, 'keyfile') ?? zonefile;
    owner = zoneName(nameText);
    let text: string;
    try {
      text = readFileSync(zonefile, 'utf8');
    } catch (error) {
      throw new AnchordError(ErrorCode.ZoneFile, `cannot read ${zonefile}: ${(error as Error).message}`);
    }
    const zone = parseZoneText(text, { file: zonefile, origin: owner, readFile: (p, from) => readFileSync(resolveIncludePath(p, from), 'utf8') });
    const all = zone.records.filter((r) => r.type === RRType.DNSKEY && r.name.equals(owner)).map((r) => r.rdata);
    if (all.length === 0) throw new AnchordError(ErrorCode.ZoneFile, `no DNSKEY RR for ${owner.toString()} in ${zonefile}`);
    all.sort(compareBytes);
    keys = all.filter((r, i) => i === 0 || !bytesEqual(r, all[i - 1]!));
    if (!flag(args, 'A')) keys = keys.filter((r) => (dnskeyFlags(r) & DnskeyFlag.SEP) !== 0);
  } else {
    const spec = optString(args, 'keyfile');
    if (spec === undefined) throw new AnchordError(ErrorCode.Usage, 'give a key file, or -f zonefile');
    const pair = readKeyPair(spec, dir);
    owner = pair.publicKey.owner;
    keys = [pair.publicKey.rdata];
  }
  for (const key of keys) {
    if ((dnskeyFlags(key) & DnskeyFlag.REVOKE) !== 0) continue;
    for (const t of types) io.out(dsLine(owner, key, t, ttl, cds));
  }
  return Promise.resolve(0);
}

export const dsfromkeyCommand: CommandModule = {
  command: 'dsfromkey [keyfile]',
  describe: 'print DS (or CDS) records for a key file or the KSKs of a zone file, like dnssec-dsfromkey',
  builder: (y: Argv) =>
    y
      .positional('keyfile', { type: 'string', describe: 'K<zone>+<alg>+<tag>[.key|.private], or the zone name with -f' })
      .option('sha1', { type: 'boolean', default: false, describe: 'SHA-1 digest, deprecated (BIND: -1)' })
      .option('sha256', { type: 'boolean', default: false, describe: 'SHA-256 digest, the default (BIND: -2)' })
      .option('a', { type: 'string', describe: 'digest algorithm: SHA-1, SHA-256 or SHA-384 (may repeat)' })
      .option('C', { type: 'boolean', default: false, describe: 'print CDS records' })
      .option('T', { type: 'string', describe: 'TTL of the output records (omitted by default)' })
      .option('K', { type: 'string', describe: 'directory of the key files (default .)' })
      .option('f', { type: 'string', describe: 'read the DNSKEYs from this zone file' })
      .option('A', { type: 'boolean', default: false, describe: 'with -f: all keys, not just KSKs' }),
  argvAliases: { '-1': '--sha1', '-2': '--sha256' },
  run: (args, io) => runDsfromkey(args, io),
};
