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
// For the long-running servers (serve, serve-auth, demo) it first fixes V8's old-generation growth:
// after each full GC V8 lets the heap grow to the live size times a factor it picks between 1.1 and
// 4 from GC and mutator speed, and for a cache filling steadily the process held 2-4x its live data
// (bench world, 100k cached names, RSS growth per name: 2,931-4,676 octets against ~750 live after
// a full GC). A factor fixed at 1.4 (--heap-growing-percent=40) brought that to 1,409 octets per
// name. The caches have since moved their records out of the JS heap (live heap after a full GC:
// ~67 octets per cached name; RSS ~840 per name at 40 %, Unbound's ~850), so the factor now sizes a
// small heap of mostly short-lived query state promoted by scavenges, and at 1.4 it cost CPU: a
// cold pass (cold.txt, 36k queries) keeps ~24 MiB live and ran 19 full GCs at 40 % against 10 at
// 100 % (--trace-gc), the concurrent marking on V8's platform threads being ~15 % of all anchord
// CPU. At 100 % (factor 2), measured against 40 % on a shared box (cold-cpu.sh, same runs): cold
// CPU per query over all threads 192.5 -> 181.9 us, medians of 7 passes (off the main thread 89.7
// -> 83.8: passes at 100 % 81-86 us, at 40 % 84-93; in three earlier runs of 3, 3 and 5 passes the
// median fell 22, 5 and 8 us; 14 of 18 paired passes lower; with other benchmarks held off by the
// bench lock, 3 passes each: 163-183 -> 157-159 us, QPS 3,285 -> 3,529, medians); cache-hot CPU per
// query unchanged (4.3 -> 4.3 us, medians of 5); RSS per cached name 838-846 -> 955-986 octets
// (mem-breakdown.sh, 4 runs each; up to 1.16x Unbound). 60 %: ~5 us less per cold query for 876
// octets; V8's own factor: no less CPU than 100 % (178 against 175 us, 3 passes) and 1,044-1,280
// octets. V8 reads this flag each time it sets a heap limit, so setting it here, before the CLI
// loads, applies to the whole run. A flag given to node itself wins; ANCHORD_HEAP_GROWING_PERCENT
// overrides the value (0: V8's own).
// --max-semi-space-size stays V8's (16 MiB): 1-8 MiB saved RSS per young space but promoted more
// short-lived query state, which cost more (old-space growth and CPU) than it saved (32 MiB, which
// node must be given at start: no clear gain). Tried for cold CPU and left at V8's defaults (no
// gain beyond the pass-to-pass spread, or a loss): inlining budgets
// (--max-inlined-bytecode-size-cumulative=300 or 460), --interrupt-budget 2x and 4x (fewer TurboFan
// jobs, slower main thread), --single-threaded-gc, --concurrent-marking-max-worker-num=1,
// --no-parallel-scavenge, --no-minor-gc-task or --minor-gc-task-trigger=95 (scavenge only when the
// young space is full: 197 and 193 against 191 us, 5 passes, at 100 %), and node's --v8-pool-size=1
// (GC and compilation move onto the main thread and cost more there).
'use strict';
const { existsSync } = require('node:fs');
const { availableParallelism } = require('node:os');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { setFlagsFromString } = require('node:v8');

/** --heap-growing-percent for the servers (the comment above). */
const HEAP_GROWING_PERCENT = 100;

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

/** True when node was started with V8 flag NAME (`--name`, `--name=V`, `--no-name`; `_` or `-`). */
function givenToNode(execArgv, name) {
  return execArgv.some((a) => {
    const flag = a.replace(/_/g, '-').replace(/=.*$/s, '');
    return flag === `--${name}` || flag === `--no-${name}`;
  });
}

/**
 * The V8 flags the launcher sets for COMMAND (see the comment above): none for a command that is
 * not a long-running server, none for a flag given to node itself, and ENV's override
 * (ANCHORD_HEAP_GROWING_PERCENT: 0 leaves V8's own; a value that is not a whole number is
 * reported in WARNINGS and the launcher's value kept).
 */
function serverV8Flags(command, env, execArgv, warnings = []) {
  if (!SERVERS.has(command) || givenToNode(execArgv, 'heap-growing-percent')) return [];
  const text = env.ANCHORD_HEAP_GROWING_PERCENT;
  let percent = HEAP_GROWING_PERCENT;
  if (text !== undefined && text !== '') {
    if (/^[0-9]{1,4}$/.test(text)) percent = Number(text);
    else warnings.push(`ANCHORD_HEAP_GROWING_PERCENT=${text} is not a whole number of percent; using ${percent}`);
  }
  return percent > 0 ? [`--heap-growing-percent=${percent}`] : [];
}

if (require.main !== module) {
  module.exports = { serverV8Flags, HEAP_GROWING_PERCENT };
  return;
}

const args = process.argv.slice(2);
const at = args.findIndex((w) => !w.startsWith('-'));
const command = at < 0 ? '' : args[at];
const warnings = [];
for (const flag of serverV8Flags(command, process.env, process.execArgv, warnings)) setFlagsFromString(flag);
for (const w of warnings) process.stderr.write(`anchord: ${w}\n`);
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
