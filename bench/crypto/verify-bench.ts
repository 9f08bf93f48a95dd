// Verify throughput per DNSSEC algorithm and backend, next to `openssl speed` on the same machine.
//
//   npx tsx bench/crypto/verify-bench.ts [--seconds 2] [--rounds 3] [--no-write]
//
// For each algorithm (RSA-2048 with SHA-256 and SHA-512, P-256, P-384, Ed25519, Ed448) it signs a
// set of 128-octet messages (the size of a typical RRSIG signed data) and counts verifies for a
// fixed time with: the native backend (src/crypto/native-backend.ts: the N-API addon for RSA and
// ECDSA, node for EdDSA) with its key cache warm, in single calls and in batches of 16 (one
// crossing into the addon per batch), the node backend with its key cache warm (the resolver's
// steady state),
// node:crypto called directly with a KeyObject made once (the floor under the node backend), the
// node backend importing the key on every call (cache of one, two keys alternating), and the
// noble backend. The native rows need the addon built (npm ci, or npm run build:native); without it
// they read "–". Each round also runs
// `openssl speed -seconds N rsa2048 ecdsap256 ecdsap384 ed25519 ed448` and reads its verify/s
// column. Rates are per second of user CPU time, as openssl speed counts them, and every figure
// is the best of the rounds, for OpenSSL and for us alike. It prints a Markdown table with
// node/openssl ratios and writes it to bench/RESULTS.md under "## Crypto verify (bench/crypto)"
// (only that section is replaced).

import { execFileSync } from 'node:child_process';
import { createPublicKey, verify as nodeVerify, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import { writeResultsSection } from '../results-file.js';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { SeededRandom } from '../../src/core/random.js';
import type { CryptoBackend, Signer } from '../../src/crypto/backend.js';
import { createNobleBackend } from '../../src/crypto/noble-backend.js';
import { createNativeBackend, type NativeCryptoBackend } from '../../src/crypto/native-backend.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';
import { algorithmMnemonic } from '../../src/dnssec/algorithms.js';
import { decodeRsaPublicKey } from '../../src/crypto/dnskey-public-key.js';

interface Case {
  readonly algorithm: number;
  readonly label: string;
  readonly bits?: number;
  /** `openssl speed` row label and the algorithm argument that produces it. */
  readonly opensslRow: RegExp;
  readonly opensslArg: string;
}

const CASES: readonly Case[] = [
  { algorithm: 8, label: 'RSASHA256 (RSA-2048)', bits: 2048, opensslRow: /^rsa 2048 bits/, opensslArg: 'rsa2048' },
  { algorithm: 10, label: 'RSASHA512 (RSA-2048)', bits: 2048, opensslRow: /^rsa 2048 bits/, opensslArg: 'rsa2048' },
  { algorithm: 13, label: 'ECDSAP256SHA256', opensslRow: /ecdsa \(nistp256\)/, opensslArg: 'ecdsap256' },
  { algorithm: 14, label: 'ECDSAP384SHA384', opensslRow: /ecdsa \(nistp384\)/, opensslArg: 'ecdsap384' },
  { algorithm: 15, label: 'ED25519', opensslRow: /EdDSA \(Ed25519\)/, opensslArg: 'ed25519' },
  { algorithm: 16, label: 'ED448', opensslRow: /EdDSA \(Ed448\)/, opensslArg: 'ed448' },
];

const args = process.argv.slice(2);
const secondsArg = args.indexOf('--seconds');
const SECONDS = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 2;
const roundsArg = args.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 3;
const WRITE = !args.includes('--no-write');
if (!(SECONDS > 0)) throw new Error('--seconds must be positive');
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('--rounds must be a positive integer');

const MESSAGES = 16;

interface Prepared {
  readonly signer: Signer;
  readonly other: Signer;
  readonly data: Uint8Array[];
  readonly sigs: Uint8Array[];
  readonly otherSigs: Uint8Array[];
}

function prepare(c: Case, rnd: SeededRandom): Prepared {
  const make = (): Signer => {
    const key = c.algorithm >= 13 ? generatePrivateKey(c.algorithm, { random: rnd }) : generatePrivateKey(c.algorithm, { bits: c.bits ?? 2048 });
    return createSigner(key);
  };
  const signer = make();
  const other = make();
  const data = Array.from({ length: MESSAGES }, () => rnd.fill(new Uint8Array(128)));
  return { signer, other, data, sigs: data.map((d) => signer.sign(d)), otherSigs: data.map((d) => other.sign(d)) };
}

/**
 * Verifies per second of user CPU time, over about `seconds` of it, checking every answer.
 * `openssl speed` divides by user CPU time too (unless given -elapsed), so both figures are
 * per CPU-second and other load on the machine slows neither.
 */
function measure(seconds: number, verifyOne: (i: number) => boolean): number {
  // Warm-up: JIT, key import, caches.
  for (let i = 0; i < 200; i++) if (!verifyOne(i)) throw new Error('verify failed during warm-up');
  const budget = seconds * 1e6;
  const wallLimit = performance.now() + seconds * 20_000;
  const start = process.cpuUsage();
  let n = 0;
  for (;;) {
    // Read the CPU clock every 64 calls so reading it costs nothing measurable.
    for (let k = 0; k < 64; k++, n++) if (!verifyOne(n)) throw new Error('verify failed');
    const used = process.cpuUsage(start).user;
    if (used >= budget || performance.now() > wallLimit) return (n * 1e6) / used;
  }
}

function warm(be: CryptoBackend, p: Prepared, alg: number, seconds: number): number {
  return measure(seconds, (i) => be.verify(alg, p.signer.publicKey, p.data[i % MESSAGES]!, p.sigs[i % MESSAGES]!));
}

/** The native backend's synchronous batch form, MESSAGES jobs per call; counts verifies. */
function batched(be: NativeCryptoBackend, p: Prepared, alg: number, seconds: number): number {
  const jobs = p.data.map((data, i) => ({ algorithm: alg, publicKey: p.signer.publicKey, data, signature: p.sigs[i]! }));
  return MESSAGES * measure(seconds, () => be.verifyMany(jobs).every((ok) => ok));
}

/**
 * node:crypto with no backend around it: a KeyObject made once and `crypto.verify` called
 * directly. The floor for anything built on node's one-shot API.
 */
function raw(p: Prepared, alg: number, seconds: number): number {
  const pk = p.signer.publicKey;
  const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  let key: KeyObject | VerifyKeyObjectInput;
  let hash: string | null = null;
  if (alg === 8 || alg === 10) {
    const k = decodeRsaPublicKey(pk)!;
    key = createPublicKey({ key: { kty: 'RSA', n: b64u(k.modulus), e: b64u(k.exponent) }, format: 'jwk' });
    hash = alg === 8 ? 'sha256' : 'sha512';
  } else if (alg === 13 || alg === 14) {
    const h = pk.length / 2;
    const crv = alg === 13 ? 'P-256' : 'P-384';
    const ko = createPublicKey({ key: { kty: 'EC', crv, x: b64u(pk.subarray(0, h)), y: b64u(pk.subarray(h)) }, format: 'jwk' });
    key = { key: ko, dsaEncoding: 'ieee-p1363' };
    hash = alg === 13 ? 'sha256' : 'sha384';
  } else {
    key = createPublicKey({ key: { kty: 'OKP', crv: alg === 15 ? 'Ed25519' : 'Ed448', x: b64u(pk) }, format: 'jwk' });
  }
  return measure(seconds, (i) => nodeVerify(hash, p.data[i % MESSAGES]!, key, p.sigs[i % MESSAGES]!));
}

function cold(p: Prepared, alg: number, seconds: number): number {
  const be = createNodeBackend({ keyCacheSize: 1 });
  return measure(seconds, (i) =>
    (i & 1) === 0
      ? be.verify(alg, p.signer.publicKey, p.data[i % MESSAGES]!, p.sigs[i % MESSAGES]!)
      : be.verify(alg, p.other.publicKey, p.data[i % MESSAGES]!, p.otherSigs[i % MESSAGES]!),
  );
}

function opensslSpeed(seconds: number): { command: string; verify: Map<string, number>; version: string } {
  const algs = [...new Set(CASES.map((c) => c.opensslArg))];
  const argv = ['speed', '-seconds', String(seconds), ...algs];
  const command = `openssl ${argv.join(' ')}`;
  const out = execFileSync('openssl', argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const verify = new Map<string, number>();
  for (const line of out.split('\n')) {
    const c = CASES.find((x) => x.opensslRow.test(line.trim()));
    if (c === undefined) continue;
    const nums = line.trim().split(/\s+/).map(Number).filter((x) => Number.isFinite(x));
    const v = nums[nums.length - 1]; // last column is verify/s
    if (v !== undefined) verify.set(c.opensslArg, v);
  }
  const version = execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim();
  return { command, verify, version };
}

function fmt(n: number | undefined): string {
  if (n === undefined) return '–';
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

function main(): void {
  const rnd = new SeededRandom(20261122);
  const node = createNodeBackend();
  const noble = createNobleBackend();
  const madeNative = createNativeBackend();
  const native = 'backend' in madeNative ? madeNative.backend : undefined;
  if (native === undefined) process.stderr.write(`no native rows: ${'reason' in madeNative ? madeNative.reason : ''}\n`);
  const loadStart = loadavg()[0]!;
  const prepared = CASES.map((c) => prepare(c, rnd));
  const rows = CASES.map((c) => ({ c, native: 0, nativeBatch: 0, node: 0, raw: 0, cold: 0, noble: 0 }));
  const best = new Map<string, number>();
  let ssl: ReturnType<typeof opensslSpeed> | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, c] of CASES.entries()) {
      const p = prepared[i]!;
      const r = rows[i]!;
      if (native !== undefined) {
        r.native = Math.max(r.native, warm(native, p, c.algorithm, SECONDS));
        r.nativeBatch = Math.max(r.nativeBatch, batched(native, p, c.algorithm, SECONDS));
      }
      r.node = Math.max(r.node, warm(node, p, c.algorithm, SECONDS));
      r.raw = Math.max(r.raw, raw(p, c.algorithm, SECONDS));
      r.cold = Math.max(r.cold, cold(p, c.algorithm, Math.min(SECONDS, 1)));
      r.noble = Math.max(r.noble, warm(noble, p, c.algorithm, SECONDS));
      process.stderr.write(`round ${round} ${c.label}: native ${fmt(r.native)}/s, native batch ${fmt(r.nativeBatch)}/s, node ${fmt(r.node)}/s, raw ${fmt(r.raw)}/s, node cold key ${fmt(r.cold)}/s, noble ${fmt(r.noble)}/s (best so far)\n`);
    }
    process.stderr.write(`round ${round}: openssl speed (${SECONDS} s per operation)...\n`);
    ssl = opensslSpeed(SECONDS);
    for (const [alg, v] of ssl.verify) best.set(alg, Math.max(best.get(alg) ?? 0, v));
  }
  if (ssl === undefined) throw new Error('no rounds ran');
  const loadEnd = loadavg()[0]!;

  const cmd = `npx tsx bench/crypto/verify-bench.ts --seconds ${SECONDS} --rounds ${ROUNDS}`;
  const lines = [
    '## Crypto verify (bench/crypto)',
    '',
    `Single thread, verifies per second of user CPU time (how \`openssl speed\` counts by default),`,
    `best of ${ROUNDS} rounds; 128-octet signed data, ${MESSAGES} messages per key.`,
    '"native" is the native backend (N-API addon, native/anchord_verify.c: one ready OpenSSL verify',
    'context per DNSKEY, the digest computed with a kept EVP_MD_CTX; EdDSA goes through node) with its',
    `key cache warm, one \`verify\` call per check; "native, batch" is its \`verifyMany\` with ${MESSAGES} checks`,
    'per call into the addon (what the worker pool does per message). "node" is the node:crypto',
    'backend with its KeyObject cache warm; "raw node:crypto" is `crypto.verify` called directly with',
    "a KeyObject made once, the floor for anything built on node's one-shot API; \"node, cold key\"",
    'imports the key on every call (two keys alternating through a cache of one); "noble" is the',
    'pure-JS backend. `openssl speed` verifies a precomputed digest with a context it keeps; node',
    'sets up a new OpenSSL context on every call (~4 µs), which the native backend does not.',
    '',
    `- Command: \`flock /tmp/anchord-bench.lock ${cmd}\` (runs \`${ssl.command}\` once per round, in the same process tree)`,
    `- Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} CPUs, load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at the end; Node ${process.version}, node OpenSSL ${process.versions.openssl}; CLI ${ssl.version}`,
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    '| Algorithm | native | native, batch | node | raw node:crypto | node, cold key | noble | openssl speed | native / openssl | native batch / openssl | node / openssl | raw / openssl | noble / openssl |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const o = best.get(r.c.opensslArg);
    const ratio = (v: number): string => (o === undefined || v === 0 ? '–' : (v / o).toFixed(2));
    const n = (v: number): string => (v === 0 ? '–' : fmt(v));
    lines.push(
      `| ${r.c.algorithm} ${algorithmMnemonic(r.c.algorithm)}${r.c.bits !== undefined ? ` (RSA-${r.c.bits})` : ''} | ${n(r.native)} | ${n(r.nativeBatch)} | ${fmt(r.node)} | ${fmt(r.raw)} | ${fmt(r.cold)} | ${fmt(r.noble)} | ${fmt(o)} | ${ratio(r.native)} | ${ratio(r.nativeBatch)} | ${ratio(r.node)} | ${ratio(r.raw)} | ${ratio(r.noble)} |`,
    );
  }
  lines.push('');
  const section = lines.join('\n');
  process.stdout.write(section + '\n');

  if (WRITE) {
    const path = writeResultsSection('## Crypto verify (bench/crypto)', section);
    process.stderr.write(`wrote ${path}\n`);
  }
}

main();
