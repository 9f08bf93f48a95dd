// The `anchord` launcher (bin/anchord.js) sizes libuv's threadpool, where signzone signs, from
// signzone's -n (default: the number of CPUs, as dnssec-signzone) before the CLI module loads.
// The parallelism is checked without timing: the launcher runs under a preload that counts the
// process's threads before anything has used the pool, and a stand-in for dist/cli/main.js counts
// them again once the pool has started (libuv starts all of the pool's threads at its first use);
// the difference is the pool. The real signzone then runs in that process (through tsx) and must
// find the pool it was given (no warning) and sign.
// For the long-running servers it also sets V8's --heap-growing-percent: V8 flags cannot be read
// back from JS, so the choice (serverV8Flags, exported when the launcher is required rather than
// run) is checked as a function, and a run of the launcher checks its warning for a bad override.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { threadpoolSize } from '../../src/crypto/callback-signer.js';
import { anchord, tempDir } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TSX_API = import.meta.resolve('tsx/esm/api');

/** A copy of the launcher whose dist/cli/main.js reports the pool and then runs the real CLI. */
function launcherCopy(dir: string): string {
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'anchord.js'), join(dir, 'bin', 'anchord.js'));
  copyFileSync(join(ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  writeFileSync(
    join(dir, 'probe.cjs'),
    "globalThis.anchordThreadsBefore = require('node:fs').readdirSync('/proc/self/task').length;\n",
  );
  writeFileSync(
    join(dir, 'dist', 'cli', 'main.js'),
    `import { pbkdf2 } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
export async function runCli(args) {
  await new Promise((resolve, reject) => pbkdf2('p', 's', 1, 8, 'sha256', (e) => (e ? reject(e) : resolve())));
  const pool = readdirSync('/proc/self/task').length - globalThis.anchordThreadsBefore;
  writeFileSync(${JSON.stringify(join(dir, 'pool.json'))}, JSON.stringify({ pool, env: process.env.UV_THREADPOOL_SIZE ?? null }));
  const { tsImport } = await import(${JSON.stringify(TSX_API)});
  const cli = await tsImport(${JSON.stringify(pathToFileURL(join(ROOT, 'src', 'cli', 'main.ts')).href)}, import.meta.url);
  return cli.runCli(args);
}
`,
  );
  return join(dir, 'bin', 'anchord.js');
}

interface Launched {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pool: number;
  readonly env: string | null;
}

function launch(dir: string, launcher: string, args: readonly string[], env: Record<string, string> = {}): Launched {
  rmSync(join(dir, 'pool.json'), { force: true });
  const base = { ...process.env };
  delete base.UV_THREADPOOL_SIZE;
  const r = spawnSync(process.execPath, ['--require', join(dir, 'probe.cjs'), launcher, ...args], { cwd: dir, encoding: 'utf8', env: { ...base, ...env } });
  assert.ok(existsSync(join(dir, 'pool.json')), `the launcher did not reach the CLI: ${r.stderr}`);
  const seen = JSON.parse(readFileSync(join(dir, 'pool.json'), 'utf8')) as { pool: number; env: string | null };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ...seen };
}

test('libuv threadpool size by libuv rules', () => {
  assert.equal(threadpoolSize({}), 4, 'unset');
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: '2' }), 2, '2');
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: '0' }), 1, '0 counts as 1');
  assert.equal(threadpoolSize({ UV_THREADPOOL_SIZE: '5000' }), 1024, 'capped');
});

/** A KSK and a ZSK for example. in DIR/keys and the example zone in DIR; returns the keys folder. */
async function keysAndZone(dir: string): Promise<string> {
  const keys = join(dir, 'keys');
  mkdirSync(keys);
  for (const extra of [['-f', 'KSK'], []]) {
    const k = await anchord(['keygen', '-q', '-K', keys, '-a', 'ECDSAP256SHA256', ...extra, 'example.']);
    assert.equal(k.code, 0, k.err.join('\n'));
  }
  copyFileSync(join(ROOT, 'test', 'vectors', 'zones', 'example.zone'), join(dir, 'example.zone'));
  return keys;
}

test('signzone -n N gives libuv threadpool N threads; the default is the number of CPUs; other commands keep the pool as it was', async () => {
  const dir = tempDir('launcher');
  try {
    const launcher = launcherCopy(dir);
    const keys = await keysAndZone(dir);
    const signzone = (more: readonly string[]): string[] => ['signzone', '-S', '-K', keys, '-d', dir, '-o', 'example.', ...more, '-f', join(dir, 'out.zone'), join(dir, 'example.zone')];

    for (const [args, expected] of [
      [['-n', '3'], 3],
      [['-n5'], 5],
      [['-n=4'], 4],
      [[], availableParallelism()],
    ] as const) {
      // A UV_THREADPOOL_SIZE in the environment does not override -n (nor the default).
      const r = launch(dir, launcher, signzone(args), { UV_THREADPOOL_SIZE: '7' });
      assert.equal(r.status, 0, `signzone ${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.pool, expected, `threadpool threads with ${args.join(' ') || 'no -n'}`);
      assert.equal(r.env, String(expected), 'UV_THREADPOOL_SIZE as the CLI sees it');
      assert.doesNotMatch(r.stderr, /threadpool/, 'signzone finds the pool it asked for');
      assert.match(readFileSync(join(dir, 'out.zone'), 'utf8'), /\tRRSIG\t/, 'signed output');
    }

    const other = launch(dir, launcher, ['dsfromkey', '--help'], { UV_THREADPOOL_SIZE: '3' });
    assert.equal(other.pool, 3, 'another command leaves UV_THREADPOOL_SIZE alone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('signzone warns when the threadpool does not match -n (run without the launcher)', async () => {
  const dir = tempDir('launcher-warn');
  try {
    const keys = await keysAndZone(dir);
    const n = threadpoolSize() + 1;
    const r = await anchord(['signzone', '-q', '-n', String(n), '-S', '-K', keys, '-d', dir, '-o', 'example.', '-f', join(dir, 'out.zone'), join(dir, 'example.zone')]);
    assert.equal(r.code, 0, r.err.join('\n'));
    assert.match(r.err.join('\n'), new RegExp(`-n ${n}, but libuv's threadpool has ${threadpoolSize()} threads`), 'warning');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The launcher's choice of V8 flags, as bin/anchord.js exports it when required rather than run. */
const launcherModule = createRequire(import.meta.url)(join(ROOT, 'bin', 'anchord.js')) as {
  serverV8Flags: (command: string, env: Record<string, string | undefined>, execArgv: readonly string[], warnings?: string[]) => string[];
  HEAP_GROWING_PERCENT: number;
};

test('the servers get --heap-growing-percent; ANCHORD_HEAP_GROWING_PERCENT overrides it, 0 leaves V8 its own; a flag given to node wins', () => {
  const { serverV8Flags, HEAP_GROWING_PERCENT } = launcherModule;
  const fixed = [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
  assert.ok(Number.isInteger(HEAP_GROWING_PERCENT) && HEAP_GROWING_PERCENT > 0, `default ${HEAP_GROWING_PERCENT} is a whole percent`);
  for (const command of ['serve', 'serve-auth', 'demo']) {
    assert.deepEqual(serverV8Flags(command, {}, []), fixed, `${command}: the launcher's value`);
  }
  for (const command of ['signzone', 'keygen', '', 'dsfromkey']) {
    assert.deepEqual(serverV8Flags(command, { ANCHORD_HEAP_GROWING_PERCENT: '70' }, []), [], `${command || 'no command'}: no V8 flags`);
  }
  assert.deepEqual(serverV8Flags('serve', { ANCHORD_HEAP_GROWING_PERCENT: '70' }, []), ['--heap-growing-percent=70'], 'environment override');
  assert.deepEqual(serverV8Flags('serve', { ANCHORD_HEAP_GROWING_PERCENT: '0' }, []), [], '0: V8 picks its own factor');
  assert.deepEqual(serverV8Flags('serve', { ANCHORD_HEAP_GROWING_PERCENT: '' }, []), fixed, 'empty: the launcher value');
  for (const given of ['--heap-growing-percent=25', '--heap_growing_percent=25', '--no-heap-growing-percent']) {
    assert.deepEqual(serverV8Flags('serve', { ANCHORD_HEAP_GROWING_PERCENT: '70' }, ['--expose-gc', given]), [], `node ${given} wins over the launcher and the environment`);
  }
  assert.deepEqual(serverV8Flags('serve', {}, ['--heap-growing-percent-x=1']), fixed, 'a different flag with the same prefix is not the flag');
  for (const bad of ['abc', '-5', '1.5', '12345', '40%']) {
    const warnings: string[] = [];
    assert.deepEqual(serverV8Flags('serve', { ANCHORD_HEAP_GROWING_PERCENT: bad }, [], warnings), fixed, `${bad}: the launcher value`);
    assert.equal(warnings.length, 1, `${bad}: one warning`);
    assert.match(warnings[0] ?? '', /ANCHORD_HEAP_GROWING_PERCENT=.* is not a whole number/, `${bad}: the warning names the variable`);
  }
});

test('the launcher reports a bad ANCHORD_HEAP_GROWING_PERCENT and still runs the server command', () => {
  const dir = tempDir('launcher-v8');
  try {
    const launcher = launcherCopy(dir);
    const bad = launch(dir, launcher, ['serve', '--help'], { ANCHORD_HEAP_GROWING_PERCENT: 'lots' });
    assert.equal(bad.status, 0, `serve --help: ${bad.stderr}`);
    assert.match(bad.stderr, /anchord: ANCHORD_HEAP_GROWING_PERCENT=lots is not a whole number/, 'warning on stderr');
    const good = launch(dir, launcher, ['serve', '--help'], { ANCHORD_HEAP_GROWING_PERCENT: '70' });
    assert.equal(good.status, 0, `serve --help: ${good.stderr}`);
    assert.doesNotMatch(good.stderr, /ANCHORD_HEAP_GROWING_PERCENT/, 'no warning for a whole number');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
