// anchord's command line (yargs). Each sub-command lives in src/cli/commands/<name>.ts and is
// listed in commands.ts; this module only parses and dispatches, and maps errors to exit codes.

import { AnchordError } from '../core/errors.js';
import { loadCommands } from './commands.js';
import { processIO, type CommandIO, type CommandModule } from './command.js';
import { parsePlainArgs } from './plain-args.js';

/** Applies the command's `argvAliases` (see command.ts) to the words after its name. */
export function rewriteArgv(argv: readonly string[], commands: readonly CommandModule[]): string[] {
  const out = [...argv];
  const at = out.findIndex((w) => !w.startsWith('-'));
  const cmd = at < 0 ? undefined : commands.find((c) => c.command.split(' ')[0] === out[at]);
  const aliases = cmd?.argvAliases;
  if (aliases === undefined) return out;
  for (let i = at + 1; i < out.length && out[i] !== '--'; i++) {
    const renamed = aliases[out[i]!];
    if (renamed === undefined) continue;
    // An alias ending in `=` takes the next word as its value (so that `-` stays a value).
    if (renamed.endsWith('=') && i + 1 < out.length) out.splice(i, 2, renamed + out[i + 1]!);
    else out[i] = renamed;
  }
  return out;
}

/** Runs the CLI with the given arguments; resolves to the process exit code. */
export async function runCli(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  let exitCode = 0;
  const commands = await loadCommands(argv);
  const words = rewriteArgv(argv, commands);
  const first = commands.find((c) => c.command.split(' ')[0] === words[0]);
  const plain = first?.plainArgs === true ? parsePlainArgs(first, words.slice(1)) : undefined;
  if (first !== undefined && plain !== undefined) {
    try {
      return await first.run(plain, io);
    } catch (error) {
      if (error instanceof AnchordError) {
        io.err(`anchord: ${error.message}`);
        return 1;
      }
      throw error;
    }
  }
  // yargs is loaded only here: see plain-args.ts for what it costs.
  const { default: yargs } = await import('yargs');
  let parser = yargs(words)
    .scriptName('anchord')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .version(false)
    .wrap(100)
    .fail((msg: string | null, error: Error | undefined) => {
      if (error) throw error;
      io.err(`anchord: ${msg ?? "usage error"}`);
      exitCode = 2;
    });
  for (const cmd of commands) {
    parser = parser.command(
      cmd.command,
      cmd.describe,
      (y) => cmd.builder(y),
      async (args) => {
        exitCode = await cmd.run(args, io);
      },
    );
  }
  try {
    await parser.parseAsync();
  } catch (error) {
    if (error instanceof AnchordError) {
      io.err(`anchord: ${error.message}`);
      return 1;
    }
    throw error;
  }
  return exitCode;
}
