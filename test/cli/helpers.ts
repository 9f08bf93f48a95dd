// Helpers for the CLI tests: run anchord in-process with captured output, find peer programs,
// run them, and make temporary directories.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

/** Runs `anchord <argv>` in this process; errors thrown by commands become exit code 1 as in main. */
export async function anchord(argv: readonly string[], cwd?: string): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const prev = process.cwd();
  if (cwd !== undefined) process.chdir(cwd);
  try {
    const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out, err };
  } finally {
    if (cwd !== undefined) process.chdir(prev);
  }
}

/** Absolute path of a peer program (PATH or /usr/sbin), or a failure naming the setup step. */
export function tool(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name} || { test -x /usr/sbin/${name} && echo /usr/sbin/${name}; }`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === '') assert.fail(`${name} is not installed: run \`npm run test:setup\` (scripts/setup-peers.mjs)`);
  return path;
}

/** Runs a peer program; returns stdout, fails the test with its stderr on a non-zero exit. */
export function run(name: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(tool(name), args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    assert.fail(`${name} ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

/** Runs a peer program and returns its exit status and output without failing. */
export function tryRun(name: string, args: readonly string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(tool(name), args, { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `anchord-${prefix}-`));
}
