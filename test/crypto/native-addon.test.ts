// The native verifier (native/anchord_verify.c through src/crypto/native-backend.ts):
// - it is built wherever it can be: on a machine with python3, make, a C compiler, node-gyp and
//   node's headers, a missing addon is a failure that says what is missing;
// - it answers exactly as the node backend for every algorithm, one check at a time and in batches
//   (the RFC vectors, malformed input and the node/noble differential runs include it as well:
//   rfc-vectors, malformed and differential tests);
// - ECDSA signatures whose r or s need DER padding or lose leading zeros (the addon re-encodes
//   r || s as DER) verify;
// - without the addon the preferred backend is node:crypto and the log says so once;
// - EdDSA goes through the addon itself (edKey, RFC 8080 §6 examples), with lengths checked;
// - verifyAsync runs one batch at a time on a copy of its bytes, and NativeAsyncVerifier built on
//   it answers as node, coalesces the calls of one tick, stays bounded and closes cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CryptoError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import type { Signer, VerifyJob } from '../../src/crypto/backend.js';
import { concatBytes } from '../../src/crypto/bytes.js';
import { decodeRsaPublicKey } from '../../src/crypto/dnskey-public-key.js';
import { loadNativeAddon, nativeAddonPath } from '../../src/crypto/native-addon.js';
import { createNativeBackend, createPreferredBackend, type NativeCryptoBackend } from '../../src/crypto/native-backend.js';
import { createNobleSigner } from '../../src/crypto/noble-backend.js';
import { createNodeBackend, createNodeSigner } from '../../src/crypto/node-backend.js';
import type { RsaPrivateKey } from '../../src/crypto/private-key.js';
import { generatePrivateKey } from '../../src/crypto/signer.js';
import { MAX_ASYNC_BATCH_BYTES, NativeAsyncVerifier, createNativeAsyncVerifier, createVerifyPool } from '../../src/crypto/verify-pool.js';
import { makeDsaKey, dsaSignRaw } from './dsa-test-key.js';
import { encodeDsaSignature } from '../../src/crypto/dsa-signature.js';
import { RFC_EXAMPLES } from '../vectors/crypto-rfc-examples.js';
import { b64, exampleSignedData } from './signed-data.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Which build prerequisites this machine lacks (empty: the addon can be built here). */
function missingBuildTools(): string[] {
  const missing: string[] = [];
  const runs = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  if (!runs('python3', ['--version'])) missing.push('python3');
  if (!runs('make', ['--version'])) missing.push('make');
  if (!runs('cc', ['--version']) && !runs('gcc', ['--version'])) missing.push('a C compiler (cc)');
  if (!existsSync(resolve(process.execPath, '../../include/node/node_api.h'))) missing.push(`node headers (${resolve(process.execPath, '../../include/node')})`);
  const gyp = [
    resolve(process.execPath, '../../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    resolve(process.execPath, '../node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
  ];
  if (!gyp.some((p) => existsSync(p))) missing.push('node-gyp (ships with npm)');
  return missing;
}

const load = loadNativeAddon();
const made = createNativeBackend();
const native: NativeCryptoBackend | undefined = 'backend' in made ? made.backend : undefined;
/** The native backend, or a failure saying why it is not here (a test never skips for a missing piece). */
function requireNative(): NativeCryptoBackend {
  assert.ok(native !== undefined, `native verifier not loaded (${load.ok ? '' : load.reason}); see the first test's message`);
  return native;
}

test('the native verifier is built wherever the build tools are', () => {
  assert.notEqual(
    process.env.ANCHORD_NATIVE_CRYPTO,
    '0',
    'ANCHORD_NATIVE_CRYPTO=0 turns the addon off: the suite tests the native verifier (the fallback has its own test), unset it',
  );
  const missing = missingBuildTools();
  assert.deepEqual(
    missing,
    [],
    `the native verifier cannot be built here, missing: ${missing.join(', ')} (npm test's setup installs g++, make and python3; rerun it as root)`,
  );
  assert.ok(
    load.ok,
    `native verifier missing at ${nativeAddonPath()} although python3, make, cc, node-gyp and node's headers are here ` +
      `(${load.ok ? '' : load.reason}); the last build's output is in native/build-native.log`,
  );
  assert.equal(native?.name, 'native', 'createNativeBackend gives the native backend');
});

const rnd = new SeededRandom(0xad0);

function corrupt(sig: Uint8Array): Uint8Array[] {
  const flip = sig.slice();
  flip[rnd.below(sig.length)]! ^= 1 << rnd.below(8);
  return [flip, sig.subarray(1), concatBytes(sig, Uint8Array.of(0)), new Uint8Array(sig.length), new Uint8Array(sig.length).fill(0xff), new Uint8Array(0)];
}

/** Valid, corrupted and cross-key jobs for every algorithm the node backend verifies. */
function jobsForAll(): VerifyJob[] {
  const signers: Signer[] = [];
  const rsa1024 = generatePrivateKey(8, { bits: 1024 }) as RsaPrivateKey;
  const rsa2048 = generatePrivateKey(8, { bits: 2048 }) as RsaPrivateKey;
  for (const alg of [5, 7, 8, 10]) for (const base of [rsa1024, rsa2048]) signers.push(createNodeSigner({ ...base, algorithm: alg }));
  for (const alg of [13, 14, 15, 16]) signers.push(createNodeSigner(generatePrivateKey(alg, { random: rnd })));
  const jobs: VerifyJob[] = [];
  for (const s of signers) {
    for (let i = 0; i < 4; i++) {
      const data = rnd.fill(new Uint8Array(rnd.below(700)));
      const signature = s.sign(data);
      const ok = { algorithm: s.algorithm, publicKey: s.publicKey, data, signature };
      jobs.push(ok, { ...ok, data: concatBytes(data, Uint8Array.of(1)) });
      for (const bad of corrupt(signature)) jobs.push({ ...ok, signature: bad });
      const key = s.publicKey.slice();
      key[key.length - 1]! ^= 2;
      jobs.push({ ...ok, publicKey: key });
    }
  }
  // DSA goes through node inside the native backend.
  const dsa = makeDsaKey(rnd, 0, 3);
  const dsaPk = createNodeSigner(dsa).publicKey;
  const dsaData = rnd.fill(new Uint8Array(50));
  const { r, s } = dsaSignRaw(dsa, dsaData, rnd);
  jobs.push({ algorithm: 3, publicKey: dsaPk, data: dsaData, signature: encodeDsaSignature(0, r, s) });
  return jobs;
}

test('native answers as node for every algorithm, singly and in one batch', async () => {
  const be = requireNative();
  const node = createNodeBackend();
  const jobs = jobsForAll();
  const want = jobs.map((j) => node.verify(j.algorithm, j.publicKey, j.data, j.signature));
  assert.ok(want.filter(Boolean).length >= 40, 'the job set holds valid signatures');
  assert.ok(want.filter((w) => !w).length >= 300, 'the job set holds invalid signatures');
  const single = jobs.map((j) => be.verify(j.algorithm, j.publicKey, j.data, j.signature));
  assert.deepEqual(single, want, 'verify agrees with node');
  assert.deepEqual(await be.verifyBatch(jobs), want, 'verifyBatch agrees with node');
  // Shuffled, so batches mix algorithms and keys in every order.
  const order = jobs.map((_, i) => i).sort(() => rnd.below(3) - 1);
  assert.deepEqual(be.verifyMany(order.map((i) => jobs[i]!)), order.map((i) => want[i]), 'shuffled batch');
  assert.deepEqual(await be.verifyBatch([]), [], 'empty batch');
});

test('native: unsupported algorithms and bad arguments are CryptoError, in verify and verifyBatch', async () => {
  const be = requireNative();
  const u = new Uint8Array(64);
  for (const alg of [0, 1, 2, 4, 12, 17, 255]) assert.throws(() => be.verify(alg, u, u, u), CryptoError, `algorithm ${alg}`);
  assert.throws(() => be.verify(8, 'x' as unknown as Uint8Array, u, u), CryptoError, 'string key');
  await assert.rejects(be.verifyBatch([{ algorithm: 13, publicKey: u, data: u, signature: u }, { algorithm: 1, publicKey: u, data: u, signature: u }]), CryptoError);
});

test('native: ECDSA r and s with leading zero octets or the top bit set (DER re-encoding) verify', () => {
  const be = requireNative();
  const node = createNodeBackend();
  for (const alg of [13, 14] as const) {
    const len = alg === 13 ? 32 : 48;
    const signer = createNobleSigner(generatePrivateKey(alg, { random: rnd }));
    const seen = { rZero: 0, sZero: 0, rHigh: 0, sHigh: 0 };
    for (let i = 0; i < 3000 && (seen.rZero === 0 || seen.sZero === 0); i++) {
      const data = rnd.fill(new Uint8Array(24));
      const sig = signer.sign(data);
      const kinds = { rZero: sig[0] === 0, sZero: sig[len] === 0, rHigh: sig[0]! >= 0x80, sHigh: sig[len]! >= 0x80 };
      if (!Object.values(kinds).some(Boolean)) continue;
      for (const k of Object.keys(kinds) as (keyof typeof kinds)[]) if (kinds[k]) seen[k]++;
      assert.equal(be.verify(alg, signer.publicKey, data, sig), true, `alg ${alg} ${JSON.stringify(kinds)}`);
      assert.equal(node.verify(alg, signer.publicKey, data, sig), true, `node alg ${alg}`);
    }
    for (const [k, n] of Object.entries(seen)) assert.ok(n > 0, `alg ${alg}: met a signature with ${k}`);
  }
});

test('native: RSA signatures shorter than the modulus, equal to it, or above it', () => {
  const be = requireNative();
  const signer = createNodeSigner(generatePrivateKey(8, { bits: 1024 }));
  const n = decodeRsaPublicKey(signer.publicKey)!.modulus;
  let found = false;
  for (let i = 0; i < 4000 && !found; i++) {
    const data = rnd.fill(new Uint8Array(16));
    const sig = signer.sign(data);
    if (sig[0] !== 0) continue;
    found = true;
    assert.equal(be.verify(8, signer.publicKey, data, sig.subarray(1)), true, 'leading zero dropped');
    assert.equal(be.verify(8, signer.publicKey, data, concatBytes(Uint8Array.of(0, 0), sig)), true, 'extra zeros');
    assert.equal(be.verify(8, signer.publicKey, data, n), false, 'signature = n');
    const above = n.slice();
    above[n.length - 1]! += 2;
    assert.equal(be.verify(8, signer.publicKey, data, above), false, 'signature > n');
    assert.equal(be.verify(8, signer.publicKey, data, concatBytes(Uint8Array.of(1), sig)), false, 'one octet too long');
  }
  assert.ok(found, 'met a signature with a leading zero octet');
});

test('native: a key cache miss that OpenSSL refuses is remembered; the cache is bounded', () => {
  const made2 = createNativeBackend({ keyCacheSize: 3 });
  assert.ok('backend' in made2, 'native backend');
  const be = made2.backend;
  const offCurve = new Uint8Array(64).fill(7);
  be.verify(13, offCurve, new Uint8Array(1), new Uint8Array(64));
  const hits = be.cacheStats().hits;
  assert.equal(be.verify(13, offCurve, new Uint8Array(1), new Uint8Array(64)), false);
  assert.equal(be.cacheStats().hits, hits + 1, 'second lookup is a hit');
  for (let i = 0; i < 10; i++) be.verify(13, rnd.fill(new Uint8Array(64)), new Uint8Array(1), new Uint8Array(64));
  assert.equal(be.cacheStats().size, 3);
});

test('native: the worker pool uses the addon and answers as node', async () => {
  const pool = createVerifyPool({ workers: 1 });
  try {
    assert.equal(pool.name, 'pool(native x1)');
    const jobs = jobsForAll().slice(0, 120);
    const node = createNodeBackend();
    assert.deepEqual(await pool.verifyBatch(jobs), jobs.map((j) => node.verify(j.algorithm, j.publicKey, j.data, j.signature)));
  } finally {
    await pool.close();
  }
});

test('without the addon the preferred backend is node:crypto and the log says so once', () => {
  // A fresh process with the addon turned off, listening to the log channel.
  const script = `
    import { subscribe } from 'node:diagnostics_channel';
    import { Channel } from './src/core/diagnostics.ts';
    import { createPreferredBackend } from './src/crypto/native-backend.ts';
    const logs = [];
    subscribe(Channel.log, (m) => logs.push(m));
    const a = createPreferredBackend();
    const b = createPreferredBackend();
    console.log(JSON.stringify({ names: [a.name, b.name], logs }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, ANCHORD_NATIVE_CRYPTO: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `child failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { names: string[]; logs: { level: string; msg: string; reason: string }[] };
  assert.deepEqual(out.names, ['node', 'node']);
  assert.equal(out.logs.length, 1, `one log record: ${JSON.stringify(out.logs)}`);
  assert.match(out.logs[0]!.msg, /native verifier not available/);
  assert.match(out.logs[0]!.reason, /ANCHORD_NATIVE_CRYPTO=0/);
  // And with the addon there, no such record (checked in-process: this thread loaded it or not).
  if (native !== undefined) assert.equal(createPreferredBackend().name, 'native');
});

test('native: RFC 8080 §6 Ed25519 and Ed448 examples verify through the addon itself (edKey), and every change fails', () => {
  requireNative();
  assert.ok(load.ok, 'addon loaded');
  const addon = load.addon;
  assert.equal(typeof addon.edKey, 'function', 'the addon does EdDSA (stale build? npm run build:native)');
  const eddsa = RFC_EXAMPLES.filter((ex) => ex.algorithm === 15 || ex.algorithm === 16);
  assert.equal(eddsa.length, 4, 'two Ed25519 and two Ed448 examples');
  for (const ex of eddsa) {
    const key = addon.edKey!(ex.algorithm as 15 | 16, b64(ex.publicKey));
    assert.ok(key !== null, `${ex.name}: key imported`);
    const data = exampleSignedData(ex);
    const sig = b64(ex.signature);
    assert.equal(addon.verify(key, data, sig), true, `${ex.name}: verifies`);
    // The kept context answers again after a failure and after another success.
    const badData = data.slice();
    badData[badData.length - 1]! ^= 1;
    const badSig = sig.slice();
    badSig[5]! ^= 0x10;
    assert.equal(addon.verify(key, badData, sig), false, `${ex.name}: data changed`);
    assert.equal(addon.verify(key, data, badSig), false, `${ex.name}: signature changed`);
    assert.equal(addon.verify(key, data, sig.subarray(1)), false, `${ex.name}: signature one octet short`);
    assert.equal(addon.verify(key, data, concatBytes(sig, Uint8Array.of(0))), false, `${ex.name}: one octet long`);
    assert.equal(addon.verify(key, data, new Uint8Array(0)), false, `${ex.name}: empty signature`);
    assert.equal(addon.verify(key, data, sig), true, `${ex.name}: verifies again`);
    const out = new Uint8Array(3);
    addon.verifyBatch([key, key, key], [data, badData, data], [sig, sig, badSig], out);
    assert.deepEqual([...out], [1, 0, 0], `${ex.name}: batch`);
  }
});

test('native: EdDSA keys of the wrong length are null, keys that are not points verify nothing, bad arguments throw', () => {
  requireNative();
  assert.ok(load.ok, 'addon loaded');
  const addon = load.addon;
  for (const [alg, len] of [[15, 32], [16, 57]] as const) {
    for (const l of [0, 1, len - 1, len + 1, 64, 114]) assert.equal(addon.edKey!(alg, new Uint8Array(l)), null, `alg ${alg} length ${l}`);
  }
  // y = 2 is not on edwards25519 (no x solves the curve equation): a key, but nothing verifies.
  const notPoint = new Uint8Array(32);
  notPoint[0] = 2;
  const k = addon.edKey!(15, notPoint);
  if (k !== null) assert.equal(addon.verify(k, new Uint8Array(10), new Uint8Array(64).fill(1)), false, 'not a point');
  assert.throws(() => addon.edKey!(13 as 15, new Uint8Array(32)), TypeError, 'algorithm 13 is not EdDSA');
  assert.throws(() => addon.edKey!(15, 'x' as unknown as Uint8Array), TypeError, 'string key');
  const be = requireNative();
  const node = createNodeBackend();
  for (let i = 0; i < 50; i++) {
    const key = rnd.fill(new Uint8Array(32));
    const data = rnd.fill(new Uint8Array(40));
    const sig = rnd.fill(new Uint8Array(64));
    assert.equal(be.verify(15, key, data, sig), node.verify(15, key, data, sig), 'random key and signature: as node');
  }
});

test('native verifyAsync: one batch at a time, bytes copied when queued, answers as verify', async () => {
  requireNative();
  assert.ok(load.ok, 'addon loaded');
  const addon = load.addon;
  assert.equal(typeof addon.verifyAsync, 'function', 'the addon has verifyAsync (stale build? npm run build:native)');
  const be = requireNative();
  const jobs = jobsForAll().filter((j) => j.algorithm !== 3);
  const prepared = jobs.map((j) => be.prepare(j.algorithm, j.publicKey, j.data, j.signature));
  const idx = prepared.map((p, i) => (typeof p === 'boolean' ? -1 : i)).filter((i) => i >= 0);
  assert.ok(idx.length > 100, 'most jobs reach the addon');
  const keys = idx.map((i) => (prepared[i] as Exclude<(typeof prepared)[number], boolean>).key);
  const sigs = idx.map((i) => (prepared[i] as Exclude<(typeof prepared)[number], boolean>).signature.slice());
  const data = idx.map((i) => jobs[i]!.data.slice());
  const want = idx.map((_, k) => (be.verifyPrepared(keys[k]!, data[k]!, sigs[k]!) ? 1 : 0));
  const answer = new Promise<Uint8Array | null>((resolve) => {
    assert.equal(addon.verifyAsync!(keys, data, sigs, resolve), true, 'queued');
  });
  assert.equal(addon.verifyAsync!(keys.slice(0, 1), data.slice(0, 1), sigs.slice(0, 1), () => undefined), false, 'a second batch is refused while one runs');
  // Changing the inputs after queueing changes nothing: the batch has its own copy.
  for (const d of data) d.fill(0);
  for (const s of sigs) s.fill(0);
  const out = await answer;
  assert.ok(out !== null, 'the batch ran');
  assert.deepEqual([...out], want, 'answers as verify');
  assert.throws(() => addon.verifyAsync!([], [], [], () => undefined), TypeError, 'empty batch');
  assert.throws(() => addon.verifyAsync!(keys.slice(0, 2), data.slice(0, 1), sigs.slice(0, 2), () => undefined), TypeError, 'lengths differ');
  assert.throws(() => addon.verifyAsync!([{} as (typeof keys)[number]], data.slice(0, 1), sigs.slice(0, 1), () => undefined), TypeError, 'not a key');
  // After the refusals the addon takes a batch again.
  const again = await new Promise<Uint8Array | null>((resolve) => {
    assert.equal(addon.verifyAsync!(keys.slice(0, 1), [jobs[idx[0]!]!.data], [sigs[0]!], resolve), true, 'queued again');
  });
  assert.ok(again !== null && again.length === 1, 'one answer');
});

test('NativeAsyncVerifier: answers as node for every algorithm; calls of one tick share a batch; bounded; closes', async () => {
  requireNative();
  const made2 = createNativeAsyncVerifier();
  assert.ok(made2 instanceof NativeAsyncVerifier, `native async verifier (${'reason' in made2 ? made2.reason : ''})`);
  const v = made2;
  const node = createNodeBackend();
  const jobs = jobsForAll();
  const want = jobs.map((j) => node.verify(j.algorithm, j.publicKey, j.data, j.signature));
  try {
    assert.equal(v.name, 'native-async');
    assert.deepEqual(await v.verifyBatch(jobs), want, 'one call');
    // Many calls in one tick (as many queries continued by one answer): few batches, right answers.
    const before = v.batches;
    const parts: Promise<boolean[]>[] = [];
    for (let i = 0; i < jobs.length; i += 7) parts.push(v.verifyBatch(jobs.slice(i, i + 7)));
    assert.deepEqual((await Promise.all(parts)).flat(), want, 'calls of one tick');
    assert.ok(v.batches - before <= 2, `${parts.length} calls went in ${v.batches - before} batches`);
    assert.equal(v.queuedJobs, 0, 'nothing left queued');
    // Bad arguments reject the call, as verify throws, and leave nothing of it queued.
    const u = new Uint8Array(64);
    await assert.rejects(v.verifyBatch([jobs[0]!, { algorithm: 1, publicKey: u, data: u, signature: u }]), CryptoError);
    assert.equal(v.queuedJobs, 0, 'the refused call left nothing queued');
    assert.deepEqual(await v.verifyBatch(jobs.slice(0, 5)), want.slice(0, 5), 'works after a refused call');
    assert.deepEqual(await v.verifyBatch([]), [], 'empty call');
    assert.equal(v.verify(jobs[0]!.algorithm, jobs[0]!.publicKey, jobs[0]!.data, jobs[0]!.signature), want[0], 'sync verify inline');
  } finally {
    await v.close();
  }
  await assert.rejects(v.verifyBatch(jobs.slice(0, 1)), CryptoError, 'closed');
  // Bounded: beyond maxQueuedJobs the caller's thread answers, with the same answers.
  const small = createNativeAsyncVerifier({ maxQueuedJobs: 3 });
  assert.ok(small instanceof NativeAsyncVerifier, 'small verifier');
  try {
    const parts = [small.verifyBatch(jobs.slice(0, 40)), small.verifyBatch(jobs.slice(40, 80))];
    assert.ok(small.queuedJobs <= 3, `at most 3 queued, saw ${small.queuedJobs}`);
    assert.deepEqual((await Promise.all(parts)).flat(), want.slice(0, 80), 'bounded answers');
  } finally {
    await small.close();
  }
});

test('NativeAsyncVerifier: closing rejects the checks not yet sent; a running batch still answers', async () => {
  requireNative();
  const v = createNativeAsyncVerifier();
  assert.ok(v instanceof NativeAsyncVerifier, 'native async verifier');
  const jobs = jobsForAll().filter((j) => j.algorithm === 13 || j.algorithm === 8);
  const node = createNodeBackend();
  const first = v.verifyBatch(jobs);
  await Promise.resolve(); // the first call's batch is handed over at the end of this tick
  await Promise.resolve();
  const second = v.verifyBatch(jobs.slice(0, 3));
  await v.close();
  await assert.rejects(second, CryptoError, 'queued behind the running batch: rejected');
  assert.deepEqual(await first, jobs.map((j) => node.verify(j.algorithm, j.publicKey, j.data, j.signature)), 'the running batch answers');
});

test('NativeAsyncVerifier: checks over MAX_ASYNC_BATCH_BYTES go in several batches, all answered', async () => {
  requireNative();
  const v = createNativeAsyncVerifier();
  assert.ok(v instanceof NativeAsyncVerifier, 'native async verifier');
  const signer = createNodeSigner(generatePrivateKey(13, { random: rnd }));
  const big = rnd.fill(new Uint8Array(MAX_ASYNC_BATCH_BYTES / 4 + 1));
  const jobs: VerifyJob[] = [];
  for (let i = 0; i < 10; i++) {
    const data = big.slice();
    data[i]! ^= 1;
    const signature = signer.sign(data);
    jobs.push({ algorithm: 13, publicKey: signer.publicKey, data, signature });
    jobs.push({ algorithm: 13, publicKey: signer.publicKey, data: big, signature });
  }
  try {
    const before = v.batches;
    const answers = await Promise.all([v.verifyBatch(jobs.slice(0, 7)), v.verifyBatch(jobs.slice(7))]);
    assert.deepEqual(answers.flat(), jobs.map((_, i) => i % 2 === 0), 'every check answered');
    assert.ok(v.batches - before >= 5, `20 checks of over a quarter of the bound went in ${v.batches - before} batches`);
    assert.equal(v.queuedJobs, 0, 'nothing left');
  } finally {
    await v.close();
  }
});
