#!/usr/bin/env node
// Entry point installed as `anchord`: runs the compiled CLI from dist/ (npm run build).
//
// A CommonJS file (bin/package.json), so that it runs before Node has used libuv's threadpool:
// loading an ES module reads its file through the threadpool, and libuv sizes the pool from
// UV_THREADPOOL_SIZE once, at its first use. `anchord signzone` signs on that pool (node:crypto's
// callback form, crypto/callback-signer.ts), so its -n (dnssec-signzone's thread count; default:
// the number of CPUs, as dnssec-signzone) becomes UV_THREADPOOL_SIZE here, before the CLI module
// is imported. signzone warns when it finds the pool sized otherwise (the CLI run some other way).
//
// For the long-running servers (serve, serve-auth, demo) it first narrows V8's old-generation
// growth: after each full GC V8 lets the heap grow to the live size times a factor it picks
// between 1.1 and 4 from GC and mutator speed, and for a cache filling steadily the process held
// 2-4x its live data (bench world, 100k cached names, RSS growth per name: 2,931-4,676 octets
// against ~750 live after a full GC). With the factor fixed at 1.4 (--heap-growing-percent=40)
// the same fill, in the same run, held 1,409 octets per name for ~13 % more CPU per query during
// the fill (more full GCs; 30 %: ~1,330-1,440 octets, 50 %: ~1,500); the cache-hot path promotes
// almost nothing and does not notice. V8 reads this flag each time it
// sets a heap limit, so setting it here, before the CLI loads, applies to the whole run. A flag
// given to node itself wins; ANCHORD_HEAP_GROWING_PERCENT overrides the value (0: V8's own).
// --max-semi-space-size stays V8's (16 MiB): 1-8 MiB saved RSS per young space but promoted more
// short-lived query state, which cost more (old-space growth and CPU) than it saved.
'use strict';
const { existsSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { setFlagsFromString } = require('node:v8');

/**
 * signzone's signing threads from its arguments (the words after the command): `-n N`, `-n=N`,
 * `-nN`, `--n N`, `--n=N`. Default: the number of CPUs. A value
 * that is not a whole number is left to signzone to refuse.
 */
function signingThreads(words) {
  let n = availableParallelism();
  for (let i = 0; i < words.length && words[i] !== '--'; i++) {
    const m = /^--?n(?:=?(.*))?$/.exec(words[i]);
    if (m === null) continue;
    const text = m[1] === undefined || m[1] === '' ? words[++i] : m[1];
    if (text !== undefined && /^[0-9]+$/.test(text) && Number(text) >= 1) n = Math.min(Number(text), 1024);
  }
  return n;
}

const SERVERS = new Set(['serve', 'serve-auth', 'demo']);
const args = process.argv.slice(2);
const at = args.findIndex((w) => !w.startsWith('-'));
const command = at < 0 ? '' : args[at];
if (SERVERS.has(command) && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  const env = process.env.ANCHORD_HEAP_GROWING_PERCENT;
  const percent = env === undefined || env === '' ? 40 : Number(env);
  if (Number.isInteger(percent) && percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
if (command === 'signzone') process.env.UV_THREADPOOL_SIZE = String(signingThreads(args.slice(at + 1)));

const main = join(dirname(__dirname), 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`anchord: ${main} is missing; run "npm run build" first\n`);
  process.exit(2);
}
import(pathToFileURL(main).href).then(
  async ({ runCli }) => {
    process.exitCode = await runCli(args);
  },
  (error) => {
    process.stderr.write(`anchord: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
