// The plain command-line reader (cli/plain-args.ts) gives signzone what yargs gives it, for the
// lines it reads, and leaves every other line to yargs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import yargs from 'yargs';
import { signzoneCommand } from '../../src/cli/commands/signzone.js';
import type { CommandModule } from '../../src/cli/command.js';
import { rewriteArgv } from '../../src/cli/main.js';
import { parsePlainArgs } from '../../src/cli/plain-args.js';

function viaYargs(cmd: CommandModule, words: readonly string[]): Record<string, unknown> {
  let got: Record<string, unknown> | undefined;
  void yargs([...words])
    .strict()
    .command(
      cmd.command,
      cmd.describe,
      (y) => cmd.builder(y),
      (a) => {
        got = a;
      },
    )
    .fail((msg: string | null, err: Error | undefined) => {
      throw err ?? new Error(msg ?? 'yargs failed');
    })
    .parse();
  assert.ok(got !== undefined, `yargs ran no command for ${words.join(' ')}`);
  return got;
}

/** The values signzone reads: its options and positionals by their declared names. */
function readable(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const names = ['zonefile', 'keys', 'o', 'f', 'K', 'd', 'S', 'k', 's', 'e', 'X', 'i', 'j', 'x', 'z', 'nsec3-salt', 'H', 'A', 'N', 'O', 'D', 'T', 'Q', 'R', 'P', 'a', 'full-verify', 't', 'u', 'n', 'q', 'deterministic', 'now', 'cds', 'cdnskey'];
  return Object.fromEntries(names.map((n) => [n, args[n]]));
}

test('simple signzone lines read as yargs reads them', () => {
  const lines = [
    ['signzone', '-S', '-K', 'keys', '-o', 'example.', '-f', 'out.zone', 'example.zone'],
    ['signzone', '-q', '-P', '-n', '2', '-S', '-K', '/k', '-d', '/d', '-o', 'bench.', '-f', '/o', '-3', '-', '-H', '0', '/z'],
    ['signzone', 'zone', 'Kexample.+013+12345', 'Kexample.+013+23456', '-k', 'K1', '-k', 'K2', '-f', '-'],
    ['signzone', '--now=20260101000000', '-e', '+86400', '-s=now-3600', '-j', '60', '--deterministic', '--cds', '-x', 'z.zone'],
    ['signzone', '-A', '-3', 'C0FFEE', '-H', '5', '-N', 'increment', '-T', '300', '-O', 'full', '-D', '--full-verify', 'z'],
    ['signzone', '-n', 'abc', 'z'],
  ];
  for (const line of lines) {
    const words = rewriteArgv(line, [signzoneCommand]);
    const plain = parsePlainArgs(signzoneCommand, words.slice(1));
    assert.ok(plain !== undefined, `read without yargs: ${line.join(' ')}`);
    assert.deepEqual(readable(plain), readable(viaYargs(signzoneCommand, words)), line.join(' '));
  }
});

test('other lines are left to yargs', () => {
  for (const line of [
    ['signzone', '--help'],
    ['signzone', '-Sq', 'z'],
    ['signzone', '--bogus', 'z'],
    ['signzone', '-S', 'true', 'z'],
    ['signzone', '--no-S', 'z'],
    ['signzone', '-o'],
    ['signzone', '-s', '-3600', 'z'],
    ['signzone', '-S'],
    ['signzone', '-S', '-S', 'z'],
    ['signzone', 'z', '--', 'K1'],
  ]) {
    assert.equal(parsePlainArgs(signzoneCommand, rewriteArgv(line, [signzoneCommand]).slice(1)), undefined, line.join(' '));
  }
});
