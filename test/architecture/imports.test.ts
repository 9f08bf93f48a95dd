// Enforces the dependency table of DESIGN.md ("Layout"): which src/ folder may import which,
// and that the pure folders touch no sockets, files, threads, wall clock or randomness.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * Allowed imports per folder. Deviations from DESIGN.md, with reasons:
 * - cli may import everything: one-shot tools (verify-zone, keygen, signzone) compose the pure
 *   modules with crypto and files, as server does for the daemon.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  wire: ['core'],
  zone: ['wire', 'core'],
  dnssec: ['wire', 'core'],
  crypto: ['dnssec', 'core'],
  cache: ['dnssec', 'wire', 'core'],
  resolver: ['cache', 'dnssec', 'wire', 'core'],
  auth: ['zone', 'dnssec', 'wire', 'core'],
  transport: ['wire', 'core'],
  telemetry: ['wire', 'core'],
  config: ['core'],
  server: ['*'],
  cli: ['*'],
};

const PURE = ['core', 'wire', 'zone', 'dnssec', 'cache', 'resolver', 'auth'];
const IMPURE_MODULES = /^(node:)?(dgram|net|tls|http2|fs|fs\/promises|worker_threads|cluster|child_process)$|^(pino|prom-client)/;
const IMPURE_CALLS = /\bDate\.now\(\)|\bMath\.random\(\)|\bsetTimeout\(|\bsetInterval\(|\bnew Date\(\)/;

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source)) !== null) specs.push(m[1] ?? m[2]!);
  return specs;
}

const files = walk(SRC, []);

test('source tree is not empty', () => {
  assert.ok(files.length > 0);
});

test('every src folder is in the dependency table', () => {
  for (const f of files) {
    const top = relative(SRC, f).split('/')[0]!;
    assert.ok(top in ALLOWED, `${relative(SRC, f)}: folder "${top}" is not in the table`);
  }
});

test('folders import only what the dependency table allows', () => {
  const faults: string[] = [];
  for (const f of files) {
    const from = relative(SRC, f).split('/')[0]!;
    const allowed = ALLOWED[from] ?? [];
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      if (spec.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(f), spec));
        if (target.startsWith('..')) {
          faults.push(`${relative(SRC, f)} imports outside src: ${spec}`);
          continue;
        }
        const to = target.split('/')[0]!;
        if (to !== from && !allowed.includes('*') && !allowed.includes(to)) {
          faults.push(`${relative(SRC, f)} (${from}) imports ${to}: ${spec}`);
        }
      } else if (PURE.includes(from) && IMPURE_MODULES.test(spec)) {
        faults.push(`${relative(SRC, f)} (pure folder) imports ${spec}`);
      }
    }
  }
  assert.deepEqual(faults, []);
});

test('pure folders read no wall clock, randomness or timers', () => {
  const faults: string[] = [];
  for (const f of files) {
    const from = relative(SRC, f).split('/')[0]!;
    if (!PURE.includes(from)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (IMPURE_CALLS.test(line.replace(/\/\/.*$/, ''))) faults.push(`${relative(SRC, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(faults, []);
});

test('the checker itself catches a forbidden import', () => {
  assert.deepEqual(importsOf("import { x } from '../cache/y.js';\nexport type { Z } from './z.js';"), ['../cache/y.js', './z.js']);
  assert.ok(IMPURE_MODULES.test('node:dgram'));
  assert.ok(!IMPURE_MODULES.test('node:crypto'));
});
