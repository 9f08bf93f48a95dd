// The list of sub-commands, in the order `anchord --help` shows them. Each is loaded only when
// it runs (or for --help and unknown commands, all of them): a command's imports — the resolver
// and server for `serve`, the YAML config reader, the signer — cost start-up time and tens of MiB
// of memory that another command does not need (`signzone`'s peak RSS is a benchmark figure).

import type { CommandModule } from './command.js';

export interface CommandEntry {
  /** The command's name, the first word of its yargs command string. */
  readonly name: string;
  readonly load: () => Promise<CommandModule>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'serve', load: async () => (await import('./commands/serve.js')).serveCommand },
  { name: 'verify-zone', load: async () => (await import('./commands/verify-zone.js')).verifyZoneCommand },
  { name: 'keygen', load: async () => (await import('./commands/keygen.js')).keygenCommand },
  { name: 'signzone', load: async () => (await import('./commands/signzone.js')).signzoneCommand },
  { name: 'revoke', load: async () => (await import('./commands/revoke.js')).revokeCommand },
  { name: 'dsfromkey', load: async () => (await import('./commands/dsfromkey.js')).dsfromkeyCommand },
  { name: 'serve-auth', load: async () => (await import('./commands/serve-auth.js')).serveAuthCommand },
  { name: 'replay', load: async () => (await import('./commands/replay.js')).replayCommand },
  { name: 'demo', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'trust-anchors', load: async () => (await import('./commands/trust-anchors.js')).trustAnchorsCommand },
];

/**
 * The commands to register for these arguments: only the named one when the first word that is
 * not a flag names a command, otherwise all (help, a typo to suggest a correction for).
 */
export async function loadCommands(argv: readonly string[]): Promise<CommandModule[]> {
  const word = argv.find((w) => !w.startsWith('-'));
  const named = commands.find((c) => c.name === word);
  if (named !== undefined) return [await named.load()];
  return Promise.all(commands.map((c) => c.load()));
}
