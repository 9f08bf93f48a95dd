// `anchord revoke`: sets the REVOKE bit (0x0080, RFC 5011 §2.1) on a key, as BIND's
// dnssec-revoke does (BIND 9 ARM §5.4.2): the key gets a new tag (usually +128, RFC 5011 §7),
// both files are rewritten under the new name with Revoke set to now, and the old files are left
// in place (so the pre-revocation key stays available), or removed with -r. Existing files with
// the new name are not overwritten without -f. A key already revoked is an error.
//
// Flags as dnssec-revoke: -K DIR, -f (force overwrite), -r (remove the old files), keyfile.

import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { DnskeyFlag, dnskeyFlags, withFlags } from '../../auth/key-file-text.js';
import { algorithmBindName } from '../../dnssec/algorithms.js';
import { keyTag } from '../../dnssec/key-tag.js';
import { flag, optString, reqString, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { readKeyPair, writeKeyPair } from '../key-files.js';

export interface RevokeDeps {
  readonly now: () => number;
}

const defaultDeps: RevokeDeps = { now: () => Math.floor(Date.now() / 1000) };

/** Runs revoke; resolves to the exit code. */
export function runRevoke(args: Args, io: CommandIO, deps: RevokeDeps = defaultDeps): Promise<number> {
  const spec = reqString(args, 'keyfile');
  const dirOpt = optString(args, 'K');
  const pair = readKeyPair(spec, dirOpt ?? '.', { requirePrivate: true });
  const flags = dnskeyFlags(pair.publicKey.rdata);
  const owner = pair.publicKey.owner;
  const alg = pair.publicKey.rdata[3]!;
  if ((flags & DnskeyFlag.REVOKE) !== 0) {
    throw new AnchordError(ErrorCode.KeyFile, `Key ${owner.toString().replace(/\.$/, '') || '.'}/${algorithmBindName(alg)}/${keyTag(pair.publicKey.rdata)} is already revoked`);
  }
  if ((flags & DnskeyFlag.SEP) === 0) io.err('anchord revoke: warning: Key is not flagged as a KSK. Revoking a ZSK is legal, but undefined.');
  const rdata = withFlags(pair.publicKey.rdata, flags | DnskeyFlag.REVOKE);
  const timing = { ...pair.timing, revoke: deps.now() };
  const basename = writeKeyPair(pair.dir, { ...pair.publicKey, rdata }, pair.privateKey!.key, timing, {
    force: flag(args, 'f'),
    keepMetadata: pair.privateKey!.metadata,
  });
  if (flag(args, 'r')) {
    for (const ext of ['.key', '.private']) unlinkSync(join(pair.dir, pair.basename + ext));
  }
  io.out(pair.dir === '.' && !spec.startsWith('./') ? basename : join(pair.dir, basename));
  return Promise.resolve(0);
}

export const revokeCommand: CommandModule = {
  command: 'revoke <keyfile>',
  describe: 'set the REVOKE bit on a key and rewrite its files under the new tag, like dnssec-revoke',
  builder: (y: Argv) =>
    y
      .positional('keyfile', { type: 'string', describe: 'K<zone>+<alg>+<tag>[.key|.private]' })
      .option('K', { type: 'string', describe: 'directory of the key files (default .)' })
      .option('f', { type: 'boolean', default: false, describe: 'overwrite existing files of the revoked key' })
      .option('r', { type: 'boolean', default: false, describe: 'remove the old key files after writing the revoked ones' }),
  run: (args, io) => runRevoke(args, io),
};
