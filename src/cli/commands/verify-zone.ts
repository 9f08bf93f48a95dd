// `anchord verify-zone <zonefile>`: checks a signed zone the way BIND's dnssec-verify does
// (dnssec/zone-verify.ts has the rules and their RFC sections). Prints one line per fault,
// `owner type: reason` (warnings as `owner type: warning: reason`), then a summary line; exits 0
// when there is no error, 1 when there is one, 2 on a usage error.
//
// Options follow dnssec-verify: -o origin, -z (ignore the KSK flag), -x (DNSKEY signed by KSKs
// only); --now fixes the time signatures are judged at (for tests and for checking a zone ahead
// of publication).

import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { createPreferredBackend } from '../../crypto/native-backend.js';
import { algorithmMnemonic } from '../../dnssec/algorithms.js';
import { verifyZone, type KeyCounts, type ZoneVerifyResult } from '../../dnssec/zone-verify.js';
import { typeToString } from '../../wire/constants.js';
import { Name } from '../../wire/name.js';
import { parseZoneText, resolveIncludePath } from '../../zone/parser.js';
import { flag, optString, reqString, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';

/** Parses `--now`: seconds since the epoch, or YYYYMMDDHHmmSS in UTC (RFC 4034 §3.2 style). */
export function parseNow(text: string): number {
  if (/^[0-9]{14}$/.test(text)) {
    const f = (a: number, b: number): number => Number(text.slice(a, b));
    const ms = Date.UTC(f(0, 4), f(4, 6) - 1, f(6, 8), f(8, 10), f(10, 12), f(12, 14));
    if (Number.isFinite(ms)) return Math.floor(ms / 1000);
  } else if (/^[0-9]{1,10}$/.test(text)) {
    return Number(text);
  }
  throw new AnchordError(ErrorCode.Usage, `--now takes seconds since the epoch or YYYYMMDDHHmmSS, not "${text}"`);
}

/** The one-line summary for a verified (or failed) zone. */
export function summaryLine(result: ZoneVerifyResult): string {
  const s = result.summary;
  if (!s.ok) return `${s.origin.toString()}: ${s.errors} error(s), ${s.warnings} warning(s): zone NOT verified`;
  const denial =
    s.nsec3Chains.length > 0
      ? s.nsec3Chains
          .map((c) => `NSEC3 ${c.hashAlgorithm} ${c.iterations} ${c.salt.length === 0 ? '-' : Buffer.from(c.salt).toString('hex')}${c.optOut ? ' opt-out' : ''}`)
          .join(', ')
      : 'NSEC';
  const counts = (c: KeyCounts): string =>
    [`${c.active} active`, c.standby > 0 ? `${c.standby} stand-by` : '', c.revoked > 0 ? `${c.revoked} revoked` : ''].filter((x) => x !== '').join(', ');
  const keys = s.algorithms.map((a) => `${algorithmMnemonic(a.algorithm)} (KSKs ${counts(a.ksk)}; ZSKs ${counts(a.zsk)})`).join(', ');
  const warn = s.warnings > 0 ? `, ${s.warnings} warning(s)` : '';
  return `${s.origin.toString()}: zone verified: ${denial}; ${keys}; ${s.names} names, ${s.signedRRsets} signed RRsets, ${s.goodSignatures} signatures${warn}`;
}

/** Runs verify-zone with parsed arguments; resolves to the exit code. */
export function runVerifyZone(args: Args, io: CommandIO, nowSeconds: () => number = () => Math.floor(Date.now() / 1000)): Promise<number> {
  const file = reqString(args, 'zonefile');
  const originText = optString(args, 'origin');
  const nowText = optString(args, 'now');
  const now = nowText === undefined ? nowSeconds() : parseNow(nowText);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AnchordError(ErrorCode.ZoneFile, `cannot read ${file}: ${(error as Error).message}`);
  }
  const origin = originText === undefined ? undefined : Name.parse(originText.endsWith('.') ? originText : `${originText}.`);
  const zone = parseZoneText(text, {
    file,
    ...(origin === undefined ? {} : { origin }),
    readFile: (path, from) => readFileSync(resolveIncludePath(path, from), 'utf8'),
  });
  if (zone.origin === undefined) throw new AnchordError(ErrorCode.Usage, `${file}: no SOA record and no --origin`);
  const result = verifyZone(zone.records, zone.origin, createPreferredBackend(), now, {
    ignoreKskFlag: flag(args, 'z'),
    keysetKskOnly: flag(args, 'x'),
  });
  const quiet = flag(args, 'quiet');
  for (const f of result.faults) {
    if (quiet && f.severity === 'warning') continue;
    const line = `${f.owner.toString()} ${typeToString(f.type)}: ${f.severity === 'warning' ? 'warning: ' : ''}${f.reason}`;
    io.out(line);
  }
  if (!quiet || !result.summary.ok) io.out(summaryLine(result));
  return Promise.resolve(result.summary.ok ? 0 : 1);
}

export const verifyZoneCommand: CommandModule = {
  command: 'verify-zone <zonefile>',
  describe: 'check the DNSSEC signatures and NSEC/NSEC3 chain of a signed zone file (like dnssec-verify)',
  builder: (y: Argv) =>
    y
      .positional('zonefile', { type: 'string', describe: 'signed zone in master-file format' })
      .option('origin', { alias: 'o', type: 'string', describe: 'zone origin (default: the owner of the SOA)' })
      .option('now', { type: 'string', describe: 'judge signature validity at this time (seconds or YYYYMMDDHHmmSS, UTC)' })
      .option('z', { type: 'boolean', default: false, describe: 'ignore the KSK flag: any active key makes its algorithm required' })
      .option('x', { type: 'boolean', default: false, describe: 'the DNSKEY RRset is signed by KSKs only (no ZSK pairing check)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only errors (and the summary on failure)' }),
  run: (args, io) => runVerifyZone(args, io),
};
