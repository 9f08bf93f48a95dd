#!/usr/bin/env node
// Runs every test file under test/ (or under the paths given) with node:test and the tsx loader.
// Node 20 neither expands globs nor finds .ts tests by itself, and exits 0 when no test ran,
// so this script lists the files itself and fails when the count of tests run is zero.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const roots = args.length > 0 ? args : ['test'];

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (entry === 'node_modules' || entry.startsWith('.')) continue;
      collect(join(path, entry), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
}

const files = [];
for (const r of roots) collect(join(root, r), files);
if (files.length === 0) {
  console.error(`run-tests: no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
console.log(`run-tests: ${files.length} test files`);

// The native verifier (native/, built by `npm ci`) is missing in a fresh work tree or a checkout
// that skipped install scripts, or is older than its C source: build it first, so the tests
// exercise what a user gets. A failed build is reported by test/crypto/native-addon.test.ts.
spawnSync(process.execPath, [join(root, 'scripts', 'build-native.mjs'), '--if-missing'], { cwd: root, stdio: 'inherit' });

const child = spawn(process.execPath, [
  '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000',
  ...files.map((f) => relative(root, f)),
], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

// A watchdog: a test stuck in a synchronous loop is not stopped by --test-timeout, so the whole
// run is bounded too (CI allows 30 minutes for everything).
const WATCHDOG_MS = Number(process.env.ANCHORD_TEST_WATCHDOG_MS ?? 25 * 60 * 1000);
const watchdog = setTimeout(() => {
  console.error(`run-tests: still running after ${WATCHDOG_MS / 1000} s; killing the test run`);
  child.kill('SIGKILL');
}, WATCHDOG_MS);
watchdog.unref();

// The count of tests run, from node's closing summary (`ℹ tests N`), read line by line as it
// streams so that long failure output cannot push it out of view.
let count = 0;
let pending = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^ℹ tests (\d+)$/.exec(line.trim());
    if (m) count = Number(m[1]);
  }
});
child.on('close', (code) => {
  clearTimeout(watchdog);
  const m = /^ℹ tests (\d+)$/.exec(pending.trim());
  if (m) count = Number(m[1]);
  if (count === 0) {
    console.error('run-tests: zero tests ran; failing');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
