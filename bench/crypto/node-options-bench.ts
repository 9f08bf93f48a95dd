// The cheapest pure-Node ways to verify RSA-2048 and P-256 signatures, per second of CPU time,
// beside `openssl speed` in the same run: the figures that decided whether anchord needs its own
// native verifier (src/crypto/native-backend.ts; bench/README.md "Crypto verify").
//
//   npx tsx bench/crypto/node-options-bench.ts [--seconds 2] [--rounds 2] [--no-write]
//
// Forms measured, each with the key imported once:
// - verify:        crypto.verify(hash, data, KeyObject, sig), the one-shot API;
// - verify-buf:    the same with a Buffer in and out (no Uint8Array → Buffer conversions);
// - createVerify:  the streaming Verify object (update + verify);
// - decrypt-raw:   RSA only: publicDecrypt with RSA_NO_PADDING (RSAVP1) + hash + compare of the
//                  whole EMSA-PKCS1-v1_5 encoding (what the node backend does);
// - decrypt-pkcs1: RSA only: publicDecrypt with RSA_PKCS1_PADDING (OpenSSL checks the type-1
//                  padding) + compare DigestInfo || hash;
// - callback:      crypto.verify's callback form on libuv's threadpool, 64 in flight, counted per
//                  second of process CPU time (user + system, all threads).
// Sync forms count per second of user CPU time, as `openssl speed` does. Best of the rounds, for
// OpenSSL too. Writes the table to bench/RESULTS.md under "## Crypto verify: pure-Node forms
// (bench/crypto)" (only that section is replaced; appended if absent).

import { execFileSync } from 'node:child_process';
import { writeResultsSection } from '../results-file.js';
import { cpus, loadavg } from 'node:os';
import { constants, createPublicKey, createVerify, hash as nodeHash, publicDecrypt, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { SeededRandom } from '../../src/core/random.js';
import { decodeRsaPublicKey } from '../../src/crypto/dnskey-public-key.js';
import { DIGEST_INFO_PREFIX } from '../../src/crypto/rsa-pkcs1.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';

const args = process.argv.slice(2);
const num = (name: string, d: number): number => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : d;
  if (!(v > 0)) throw new Error(`${name} must be positive`);
  return v;
};
const SECONDS = num('--seconds', 2);
const ROUNDS = num('--rounds', 2);
const WRITE = !args.includes('--no-write');
const N = 16;

function measure(verifyOne: (i: number) => boolean): number {
  for (let i = 0; i < 200; i++) if (!verifyOne(i)) throw new Error('verify failed during warm-up');
  const start = process.cpuUsage();
  let n = 0;
  for (;;) {
    for (let k = 0; k < 64; k++, n++) if (!verifyOne(n)) throw new Error('verify failed');
    const used = process.cpuUsage(start).user;
    if (used >= SECONDS * 1e6) return (n * 1e6) / used;
  }
}

async function measureCallback(hash: string, data: Buffer[], key: KeyObject | { key: KeyObject; dsaEncoding: 'ieee-p1363' }, sigs: Buffer[]): Promise<number> {
  const run = (count: number): Promise<void> =>
    new Promise((resolve, reject) => {
      let issued = 0;
      let done = 0;
      const issue = (): void => {
        const i = issued++;
        nodeVerify(hash, data[i % N]!, key, sigs[i % N]!, (err, ok) => {
          if (err !== null || !ok) {
            reject(err ?? new Error('verify failed'));
            return;
          }
          if (++done === count) resolve();
          else if (issued < count) issue();
        });
      };
      for (let k = 0; k < 64 && k < count; k++) issue();
    });
  await run(500);
  const start = process.cpuUsage();
  let n = 0;
  for (;;) {
    await run(2000);
    n += 2000;
    const u = process.cpuUsage(start);
    if (u.user + u.system >= SECONDS * 1e6) return (n * 1e6) / (u.user + u.system);
  }
}

function openssl(): Map<string, number> {
  const out = execFileSync('openssl', ['speed', '-seconds', String(Math.max(1, Math.round(SECONDS))), 'rsa2048', 'ecdsap256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const nums = line.trim().split(/\s+/).map(Number).filter(Number.isFinite);
    if (/^rsa 2048 bits/.test(line.trim())) m.set('rsa', nums[nums.length - 1]!);
    if (/ecdsa \(nistp256\)/.test(line)) m.set('p256', nums[nums.length - 1]!);
  }
  return m;
}

async function main(): Promise<void> {
  const rnd = new SeededRandom(7);
  const rsaSigner = createSigner(generatePrivateKey(8, { bits: 2048 }));
  const ecSigner = createSigner(generatePrivateKey(13, { random: rnd }));
  const data = Array.from({ length: N }, () => Buffer.from(rnd.fill(new Uint8Array(128))));
  const dataU8 = data.map((d) => new Uint8Array(d));
  const rsaSigs = data.map((d) => Buffer.from(rsaSigner.sign(d)));
  const ecSigs = data.map((d) => Buffer.from(ecSigner.sign(d)));
  const rsaSigsU8 = rsaSigs.map((s) => new Uint8Array(s));
  const ecSigsU8 = ecSigs.map((s) => new Uint8Array(s));
  const rk = decodeRsaPublicKey(rsaSigner.publicKey)!;
  const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
  const rsaKey = createPublicKey({ key: { kty: 'RSA', n: b64(rk.modulus), e: b64(rk.exponent) }, format: 'jwk' });
  const ecPk = ecSigner.publicKey;
  const ecKo = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(ecPk.subarray(0, 32)), y: b64(ecPk.subarray(32)) }, format: 'jwk' });
  const ecKey = { key: ecKo, dsaEncoding: 'ieee-p1363' as const };
  const k = rk.modulus.length;
  const info = DIGEST_INFO_PREFIX.sha256;
  const prefix = Buffer.alloc(k - 32, 0xff);
  prefix[0] = 0;
  prefix[1] = 1;
  prefix[k - 32 - info.length - 1] = 0;
  prefix.set(info, k - 32 - info.length);
  const rawKey = { key: rsaKey, padding: constants.RSA_NO_PADDING };
  const pkcs1Key = { key: rsaKey, padding: constants.RSA_PKCS1_PADDING };

  const forms: [string, string, () => number | Promise<number>][] = [
    ['rsa', 'verify', () => measure((i) => nodeVerify('sha256', dataU8[i % N]!, rsaKey, rsaSigsU8[i % N]!))],
    ['rsa', 'verify-buf', () => measure((i) => nodeVerify('sha256', data[i % N]!, rsaKey, rsaSigs[i % N]!))],
    ['rsa', 'createVerify', () => measure((i) => createVerify('sha256').update(data[i % N]!).verify(rsaKey, rsaSigs[i % N]!))],
    [
      'rsa',
      'decrypt-raw',
      () =>
        measure((i) => {
          const em = publicDecrypt(rawKey, rsaSigs[i % N]!);
          if (em.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return false;
          const h = nodeHash('sha256', data[i % N]!, 'buffer');
          return em.compare(h, 0, 32, prefix.length, k) === 0;
        }),
    ],
    [
      'rsa',
      'decrypt-pkcs1',
      () =>
        measure((i) => {
          const t = publicDecrypt(pkcs1Key, rsaSigs[i % N]!);
          if (t.length !== info.length + 32 || t.compare(info, 0, info.length, 0, info.length) !== 0) return false;
          const h = nodeHash('sha256', data[i % N]!, 'buffer');
          return t.compare(h, 0, 32, info.length, t.length) === 0;
        }),
    ],
    ['rsa', 'callback', () => measureCallback('sha256', data, rsaKey, rsaSigs)],
    ['p256', 'verify', () => measure((i) => nodeVerify('sha256', dataU8[i % N]!, ecKey, ecSigsU8[i % N]!))],
    ['p256', 'verify-buf', () => measure((i) => nodeVerify('sha256', data[i % N]!, ecKey, ecSigs[i % N]!))],
    ['p256', 'createVerify', () => measure((i) => createVerify('sha256').update(data[i % N]!).verify(ecKey, ecSigs[i % N]!))],
    ['p256', 'callback', () => measureCallback('sha256', data, ecKey, ecSigs)],
  ];
  const best = new Map<string, number>();
  const ssl = new Map<string, number>();
  const load0 = loadavg()[0]!;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [alg, form, run] of forms) {
      const v = await run();
      best.set(`${alg} ${form}`, Math.max(best.get(`${alg} ${form}`) ?? 0, v));
    }
    for (const [a, v] of openssl()) ssl.set(a, Math.max(ssl.get(a) ?? 0, v));
  }
  const load1 = loadavg()[0]!;
  const lines = ['| algorithm | form | per CPU-s | / openssl speed |', '|---|---|---:|---:|'];
  for (const [alg, form] of forms) {
    const v = best.get(`${alg} ${form}`)!;
    lines.push(`| ${alg === 'rsa' ? 'RSA-2048 (8)' : 'P-256 (13)'} | ${form} | ${Math.round(v).toLocaleString('en-US')} | ${(v / ssl.get(alg)!).toFixed(2)} |`);
  }
  lines.push(`| RSA-2048 | openssl speed | ${Math.round(ssl.get('rsa')!).toLocaleString('en-US')} | 1.00 |`);
  lines.push(`| P-256 | openssl speed | ${Math.round(ssl.get('p256')!).toLocaleString('en-US')} | 1.00 |`);
  const table = lines.join('\n');
  console.log(table);
  if (!WRITE) return;
  const heading = '## Crypto verify: pure-Node forms (bench/crypto)';
  const section = [
    heading,
    '',
    'The cheapest ways to verify with node:crypto alone, each with the key imported once, per second of',
    'CPU time (the callback form: all threads, user + system), next to `openssl speed` in the same run;',
    `best of ${ROUNDS} rounds of ${SECONDS} s. Forms: see bench/crypto/node-options-bench.ts. None reaches 0.8 for RSA-2048,`,
    'which is why anchord verifies RSA and ECDSA with its own addon (bench/README.md, "Crypto verify").',
    '',
    `- Command: \`flock /tmp/anchord-bench.lock npx tsx bench/crypto/node-options-bench.ts --seconds ${SECONDS} --rounds ${ROUNDS}\``,
    `- Machine: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${cpus().length} CPUs, load average ${load0.toFixed(2)} at start, ${load1.toFixed(2)} at the end; Node ${process.version}, OpenSSL ${process.versions.openssl}`,
    `- Date: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    table,
    '',
  ].join('\n');
  // A new section goes right after "Crypto verify", which it explains.
  const path = writeResultsSection(heading, section, '## Crypto verify (bench/crypto)');
  console.error(`wrote ${path}`);
}

await main();
