#!/usr/bin/env node
// Builds native/anchord_verify.node (the N-API verifier, src/crypto/native-addon.ts) with node-gyp
// against the headers of the Node that runs this script, offline: no header download.
//
//   node scripts/build-native.mjs [--strict] [--if-missing]
//
// Run by `npm ci` / `npm install` (the package's `install` script) and by scripts/run-tests.mjs
// when the addon is missing. Without --strict a failed build is not an error: anchord then
// verifies with node:crypto and says so in its log; the output of the build is kept in
// native/build-native.log, and test/crypto/native-addon.test.ts fails on a machine that has the
// build tools but no addon. --if-missing does nothing when the addon is there and newer than its
// sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const native = join(root, 'native');
const addon = join(native, 'build', 'Release', 'anchord_verify.node');
const logPath = join(native, 'build-native.log');
const strict = process.argv.includes('--strict');

/** The addon exists and is newer than its sources. */
function upToDate() {
  if (!existsSync(addon)) return false;
  const built = statSync(addon).mtimeMs;
  return ['anchord_verify.c', 'anchord_udp.c', 'anchord_udp.h', 'binding.gyp'].every((f) => statSync(join(native, f)).mtimeMs <= built);
}

if (process.argv.includes('--if-missing') && upToDate()) process.exit(0);

/** node-gyp: npm's own (npm passes its path to scripts), else the one beside this node's npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    resolve(process.execPath, '../../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    resolve(process.execPath, '../node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  return candidates.find((c) => c !== undefined && c !== '' && existsSync(c));
}

/** The installed headers of the running node (<prefix>/include/node), so nothing is downloaded. */
function findNodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm !== undefined && existsSync(join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = resolve(process.execPath, '../..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function fail(reason, output = '') {
  mkdirSync(native, { recursive: true });
  writeFileSync(logPath, `${reason}\n${output}`);
  const msg = `anchord: native verifier not built: ${reason} (details in native/build-native.log); node:crypto will verify instead`;
  console.error(msg);
  process.exit(strict ? 1 : 0);
}

const gyp = findNodeGyp();
if (gyp === undefined) fail('node-gyp not found (it ships with npm)');
const nodedir = findNodeDir();
if (nodedir === undefined) fail(`no node headers (include/node/node_api.h) under ${resolve(process.execPath, '../..')}`);

const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${nodedir}`, '--loglevel=warn'], {
  cwd: native,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
if (r.error !== undefined) fail(`node-gyp did not run: ${r.error.message}`, output);
if (r.status !== 0 || !existsSync(addon)) fail(`node-gyp exited with ${r.status ?? r.signal}`, output);
writeFileSync(logPath, output);
console.error(`anchord: built ${addon.slice(root.length + 1)}`);
