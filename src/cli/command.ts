// The shape every anchord sub-command module exports. Commands are plain objects so main.ts can
// register them with yargs and tests can call `run` directly with parsed arguments.

import type { Argv } from 'yargs';
import type { Args } from './args.js';

/** Where a command writes: injected so tests capture output instead of touching the process. */
export interface CommandIO {
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CommandIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export interface CommandModule {
  /** yargs command string, e.g. `verify-zone <file>`. */
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv;
  /**
   * Flags yargs cannot take as written, renamed before parsing: BIND's digit flags (`-1`, `-2`,
   * `-3`) read as negative numbers, so e.g. `{ '-1': '--sha1' }`. A name ending in `=` takes the
   * next word as its value (`{ '-3': '--nsec3-salt=' }`: `-3 -` keeps `-` as the value). Applied to
   * the words after the command name up to `--`.
   */
  readonly argvAliases?: Readonly<Record<string, string>>;
  /**
   * Read a simple command line without loading yargs (cli/plain-args.ts: about 10 MiB less RSS);
   * other lines still go through yargs.
   */
  readonly plainArgs?: boolean;
  /** Runs the command; resolves to the process exit code. */
  readonly run: (args: Args, io: CommandIO) => Promise<number>;
}
