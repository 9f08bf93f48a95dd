#!/usr/bin/env node
// Entry point installed as `anchord`: runs the compiled CLI from dist/ (npm run build).
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
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';

const SERVERS = new Set(['serve', 'serve-auth', 'demo']);
const args = process.argv.slice(2);
if (SERVERS.has(args[0] ?? '') && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  const env = process.env.ANCHORD_HEAP_GROWING_PERCENT;
  const percent = env === undefined || env === '' ? 40 : Number(env);
  if (Number.isInteger(percent) && percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`anchord: ${main} is missing; run "npm run build" first\n`);
  process.exit(2);
}
const { runCli } = await import(main);
process.exitCode = await runCli(args);
