// Verify throughput of the CryptoBackend forms behind `verifyBatch` (crypto/verify-pool.ts):
// inline (node backend on the main thread), node:crypto's callback form on libuv's threadpool,
// the native addon's async batches on one libuv thread (the resolver's default), and
// worker_threads pools of 1 and 2 workers, for P-256 and RSA-2048, at 1, 8 and 32 jobs per
// `verifyBatch` call. The pools' workers use the native backend when the addon is built.
//
//   npx tsx bench/crypto/pool-bench.ts [--seconds 1] [--rounds 3] [--in-flight 8] [--no-write]
//
// Each cell keeps `--in-flight` calls outstanding (a resolver has many queries validating at once)
// for about `--seconds` of wall time and counts verifies per wall-clock second (the workers'
// CPU counts too, so not CPU time as verify-bench.ts does). "main µs/verify" is the main thread's
// busy time per verify (event-loop utilisation), i.e. what is left of the cost on the thread that
// also parses and answers queries; "per CPU-s" counts verifies per second of process CPU time
// (all threads), the forms' efficiency, robust to a shared machine. Best of the rounds. Every answer is checked (all must be true).
// Writes the table to bench/RESULTS.md under "## Crypto verify pool (bench/crypto)" (only that
// section is replaced; appended if absent).

import { writeResultsSection } from '../results-file.js';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '../../src/core/random.js';
import type { CryptoBackend, VerifyJob } from '../../src/crypto/backend.js';
import { createNativeBackend } from '../../src/crypto/native-backend.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';
import {
  NativeAsyncVerifier,
  createCallbackVerifier,
  createNativeAsyncVerifier,
  createVerifyPool,
  type ClosableCryptoBackend,
} from '../../src/crypto/verify-pool.js';

const args = process.argv.slice(2);
function numArg(name: string, dflt: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : dflt;
  if (!(v > 0)) throw new Error(`${name} must be positive`);
  return v;
}
const SECONDS = numArg('--seconds', 1);
const ROUNDS = numArg('--rounds', 3);
const IN_FLIGHT = numArg('--in-flight', 8);
const WRITE = !args.includes('--no-write');
const BATCHES = [1, 8, 32] as const;
const MESSAGES = 64;

interface Alg {
  readonly algorithm: number;
  readonly label: string;
}
const ALGS: readonly Alg[] = [
  { algorithm: 13, label: 'P-256 (13)' },
  { algorithm: 8, label: 'RSA-2048 (8)' },
];

interface Form {
  readonly label: string;
  make(): CryptoBackend & Partial<ClosableCryptoBackend>;
}
const nativeMade = createNativeBackend();
const FORMS: readonly Form[] = [
  { label: 'inline (node)', make: () => createNodeBackend() },
  ...('backend' in nativeMade ? [{ label: 'inline (native)', make: () => nativeMade.backend }] : []),
  { label: 'callback (libuv)', make: () => createCallbackVerifier() },
  ...('backend' in nativeMade && nativeMade.backend.asyncRunner() !== undefined
    ? [{ label: 'native async (libuv)', make: () => createNativeAsyncVerifier() as NativeAsyncVerifier }]
    : []),
  { label: 'pool x1', make: () => createVerifyPool({ workers: 1 }) },
  { label: 'pool x2', make: () => createVerifyPool({ workers: 2 }) },
];

function jobsFor(alg: Alg, rnd: SeededRandom): VerifyJob[] {
  const key = alg.algorithm === 8 ? generatePrivateKey(8, { bits: 2048 }) : generatePrivateKey(alg.algorithm, { random: rnd });
  const signer = createSigner(key);
  return Array.from({ length: MESSAGES }, () => {
    const data = rnd.fill(new Uint8Array(128));
    return { algorithm: alg.algorithm, publicKey: signer.publicKey, data, signature: signer.sign(data) };
  });
}

interface Cell {
  rate: number;
  /** Verifies per second of process CPU time (all threads). */
  cpuRate: number;
  mainUs: number;
}

/** Verifies per wall second with IN_FLIGHT calls of `batch` jobs outstanding. */
async function measure(backend: CryptoBackend, jobs: readonly VerifyJob[], batch: number): Promise<Cell> {
  const batches: VerifyJob[][] = [];
  for (let i = 0; i < jobs.length; i += batch) batches.push(jobs.slice(i, i + batch));
  // Warm the key caches (every worker) and the workers themselves.
  for (let i = 0; i < 4; i++) await Promise.all(batches.map((b) => backend.verifyBatch(b)));
  let done = 0;
  let bad = 0;
  let next = 0;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      const b = batches[next++ % batches.length]!;
      const ok = await backend.verifyBatch(b);
      for (const x of ok) if (!x) bad++;
      done += ok.length;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const secs = (performance.now() - t0) / 1000;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  if (bad > 0) throw new Error(`${bad} valid signatures failed to verify`);
  return { rate: done / secs, cpuRate: done / ((cpu.user + cpu.system) / 1e6), mainUs: (elu.active * 1000) / done };
}

const rnd = new SeededRandom(0x9001);
const prepared = ALGS.map((a) => ({ alg: a, jobs: jobsFor(a, rnd) }));
const best = new Map<string, Cell>();
const load0 = loadavg()[0]!;
for (let round = 0; round < ROUNDS; round++) {
  for (const form of FORMS) {
    const backend = form.make();
    for (const { alg, jobs } of prepared) {
      for (const batch of BATCHES) {
        const cell = await measure(backend, jobs, batch);
        const k = `${alg.label}|${form.label}|${batch}`;
        const prev = best.get(k);
        // Best of the rounds for each figure on its own (the machine may be shared).
        best.set(
          k,
          prev === undefined
            ? cell
            : { rate: Math.max(prev.rate, cell.rate), cpuRate: Math.max(prev.cpuRate, cell.cpuRate), mainUs: Math.min(prev.mainUs, cell.mainUs) },
        );
        console.error(
          `round ${round + 1} ${alg.label} ${form.label} batch ${batch}: ${Math.round(cell.rate)}/s wall, ${Math.round(cell.cpuRate)}/CPU-s, main ${cell.mainUs.toFixed(1)} µs/verify`,
        );
      }
    }
    await backend.close?.();
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const lines: string[] = [];
lines.push('| Algorithm | form | wall/s, 1 job/call | 8 jobs/call | 32 jobs/call | per CPU-s, 1 / 8 / 32 | main µs/verify, 1 / 8 / 32 |');
lines.push('|---|---|---:|---:|---:|---:|---:|');
for (const { alg } of prepared) {
  for (const form of FORMS) {
    const cells = BATCHES.map((b) => best.get(`${alg.label}|${form.label}|${b}`)!);
    lines.push(
      `| ${alg.label} | ${form.label} | ${cells.map((c) => fmt(c.rate)).join(' | ')} | ${cells.map((c) => fmt(c.cpuRate)).join(' / ')} | ${cells.map((c) => c.mainUs.toFixed(1)).join(' / ')} |`,
    );
  }
}
const table = lines.join('\n');
console.log(table);

if (WRITE) {
  const heading = '## Crypto verify pool (bench/crypto)';
  const section = [
    heading,
    '',
    `Verifies per wall-clock second through \`verifyBatch\`, ${IN_FLIGHT} calls in flight, best of ${ROUNDS} rounds of ${SECONDS} s;`,
    `${MESSAGES} different 128-octet messages per key, one key per algorithm (key caches warm). "inline (node)" is the node`,
    'backend on the main thread, "inline (native)" the native one (N-API addon, src/crypto/native-backend.ts); "callback',
    '(libuv)" is `crypto.verify(..., callback)` on libuv\'s threadpool (default 4 threads) with keys imported on the main',
    `thread; "pool xN" is crypto/verify-pool.ts with N worker_threads, each with the ${'backend' in nativeMade ? 'native' : 'node'} backend: calls made in one microtask`,
    'checkpoint are coalesced into one message per worker used (a second worker only for chunks of 8 or more), so with',
    `${IN_FLIGHT} calls in flight even 1-job calls travel in batches. "main µs/verify" is main-thread busy time per verify`,
    '(event-loop utilisation): the cost left on the thread that also parses and answers queries. "per CPU-s" is verifies',
    'per second of process CPU time, all threads: the efficiency of each form (messaging and hand-off overhead), which a',
    'shared machine disturbs far less than wall-clock rates. Each figure is the best of the rounds on its own.',
    '',
    `- Command: \`npx tsx bench/crypto/pool-bench.ts --seconds ${SECONDS} --rounds ${ROUNDS} --in-flight ${IN_FLIGHT}\``,
    `- Machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} CPUs, load average ${load0.toFixed(1)} at start; Node ${process.version}, OpenSSL ${process.versions.openssl}`,
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    '',
    table,
    '',
  ].join('\n');
  const path = writeResultsSection(heading, section);
  console.error(`wrote ${path}`);
}
