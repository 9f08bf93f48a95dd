// `anchord replay <file.rpl|dir>...`: runs Deckard/Unbound replay scenarios against anchord's
// resolver in-process (issue 6; src/server/replay has the runner and FORMAT.md's rules). Prints one
// line per scenario, `PASS <file>` or `FAIL <file> step N: why`, then the totals strict and
// relaxed. Exits 1 when a scenario fails (by the relaxed verdict, or the strict one with
// --strict), 0 with --report-only; 2 on a usage error. --trace prints every upstream exchange (the
// scripted server's answer or timeout) and every client answer with its EDE, to debug a failure.

import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { createNodeBackend } from '../../crypto/node-backend.js';
import { collectScenarioFiles, replayFile, resultLine, totals, totalsLine, type FileResult } from '../../server/replay/replay-files.js';
import { Dialect } from '../../server/replay/scenario.js';
import { flag, optString, optStrings, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';

export async function runReplay(args: Args, io: CommandIO): Promise<number> {
  const paths = optStrings(args, 'scenarios');
  if (paths.length === 0) throw new AnchordError(ErrorCode.Usage, 'give at least one scenario file or directory');
  const d = optString(args, 'dialect');
  if (d !== undefined && d !== Dialect.deckard && d !== Dialect.unbound) {
    throw new AnchordError(ErrorCode.Usage, `--dialect is deckard or unbound, not "${d}"`);
  }
  const strict = flag(args, 'strict');
  const files = collectScenarioFiles(paths);
  if (files.length === 0) throw new AnchordError(ErrorCode.Usage, 'no .rpl or .crpl files found');
  const crypto = createNodeBackend();
  const results: FileResult[] = [];
  const trace = flag(args, 'trace')
    ? (line: string): void => {
        io.out(line);
      }
    : undefined;
  for (const f of files) {
    if (trace !== undefined) io.out(`== ${f}`);
    const r = await replayFile(f, { crypto, dialect: d, strict, trace });
    results.push(r);
    io.out(resultLine(r, strict));
  }
  const t = totals(results);
  io.out(totalsLine(t));
  if (flag(args, 'report-only')) return 0;
  const passed = strict ? t.strict : t.relaxed;
  return passed === t.files ? 0 : 1;
}

export const replayCommand: CommandModule = {
  command: 'replay <scenarios..>',
  describe: 'run Deckard/Unbound .rpl replay scenarios against the resolver in-process',
  builder: (y: Argv) =>
    y
      .positional('scenarios', { type: 'string', array: true, describe: '.rpl/.crpl files or directories' })
      .option('dialect', { type: 'string', choices: [Dialect.deckard, Dialect.unbound], describe: 'force the dialect (default: from the folder name)' })
      .option('strict', { type: 'boolean', default: false, describe: 'judge PASS/FAIL by the strict verdict (default: relaxed)' })
      .option('report-only', { type: 'boolean', default: false, describe: 'exit 0 even when scenarios fail' })
      .option('trace', { type: 'boolean', default: false, describe: 'print every upstream exchange and client answer' }),
  run: (args, io) => runReplay(args, io),
};
