// crypto/verify-pool.ts: the worker_threads pool and the libuv callback form answer exactly as
// the inline node backend does (valid, corrupted and malformed inputs), keep their queue bound,
// recover from a worker that dies, and fail pending work cleanly on close().

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CryptoError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import type { VerifyJob } from '../../src/crypto/backend.js';
import { loadNativeAddon } from '../../src/crypto/native-addon.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';
import {
  createCallbackVerifier,
  createVerifyBackend,
  createVerifyPool,
  DEFAULT_VERIFY_OFFLOAD,
  defaultVerifyWorkers,
  packVerifyJobs,
  VERIFY_META_WORDS,
} from '../../src/crypto/verify-pool.js';

const rnd = new SeededRandom(0x5eed);

function flip(b: Uint8Array, at: number): Uint8Array {
  const c = b.slice();
  c[at % c.length]! ^= 0x01;
  return c;
}

/** Valid and corrupted checks for RSA/SHA-256, P-256 and Ed25519, plus malformed keys and signatures. */
function makeJobs(): VerifyJob[] {
  const keys = [
    generatePrivateKey(8, { bits: 1024 }),
    generatePrivateKey(13, { random: rnd }),
    generatePrivateKey(15, { random: rnd }),
  ];
  const jobs: VerifyJob[] = [];
  for (const key of keys) {
    const signer = createSigner(key);
    for (let i = 0; i < 6; i++) {
      const data = rnd.fill(new Uint8Array(40 + i * 7));
      const signature = signer.sign(data);
      const job = { algorithm: signer.algorithm, publicKey: signer.publicKey, data, signature };
      jobs.push(job);
      jobs.push({ ...job, signature: flip(signature, i * 5) });
      jobs.push({ ...job, data: flip(data, i) });
      jobs.push({ ...job, publicKey: flip(signer.publicKey, 3 + i) });
      jobs.push({ ...job, signature: signature.subarray(1) });
      jobs.push({ ...job, publicKey: new Uint8Array(0) });
    }
  }
  return jobs;
}

const jobs = makeJobs();
const expected = jobs.map((j) => createNodeBackend().verify(j.algorithm, j.publicKey, j.data, j.signature));

describe('verify pool and callback verifier', () => {
  const pool = createVerifyPool({ workers: 2 });
  const callback = createCallbackVerifier();
  after(async () => {
    await pool.close();
    await callback.close();
  });

  it('the fixture has both answers', () => {
    assert.ok(expected.includes(true), 'some checks are valid');
    assert.ok(expected.includes(false), 'some checks are corrupted');
  });

  it('packs jobs into one meta array and one byte buffer', () => {
    const packed = packVerifyJobs(jobs, 2, 5);
    assert.equal(packed.meta.length, 3 * VERIFY_META_WORDS);
    const total = jobs.slice(2, 5).reduce((n, j) => n + j.publicKey.length + j.data.length + j.signature.length, 0);
    assert.equal(packed.bytes.byteLength, total);
  });

  for (const backend of [pool, callback]) {
    it(`${backend.name}: verifyBatch equals the inline backend on valid, corrupted and malformed input`, async () => {
      assert.deepEqual(await backend.verifyBatch(jobs), expected);
      for (const size of [1, 8, 32]) {
        const parts: Promise<boolean[]>[] = [];
        for (let i = 0; i < jobs.length; i += size) parts.push(backend.verifyBatch(jobs.slice(i, i + size)));
        assert.deepEqual((await Promise.all(parts)).flat(), expected, `batches of ${size}`);
      }
      assert.deepEqual(await backend.verifyBatch([]), []);
    });

    it(`${backend.name}: sync verify stays inline and agrees`, () => {
      const got = jobs.map((j) => backend.verify(j.algorithm, j.publicKey, j.data, j.signature));
      assert.deepEqual(got, expected);
    });

    it(`${backend.name}: an unsupported algorithm rejects with CryptoError, as inline verify throws`, async () => {
      const bad = { ...jobs[0]!, algorithm: 253 };
      await assert.rejects(backend.verifyBatch([jobs[0]!, bad]), CryptoError);
      assert.ok(!backend.supportsVerify(253), 'PRIVATEDNS is not supported');
    });
  }

  it('pool: calls made together travel together (one message per worker used)', async () => {
    const one = createVerifyPool({ workers: 1 });
    try {
      const calls = jobs.slice(0, 10).map((j) => one.verifyBatch([j]));
      assert.equal(one.queuedJobs, 10);
      assert.deepEqual((await Promise.all(calls)).flat(), expected.slice(0, 10));
      assert.equal(one.messages, 1);
      const two = createVerifyPool({ workers: 2, minJobsPerMessage: 8 });
      try {
        assert.deepEqual(await two.verifyBatch(jobs.slice(0, 7)), expected.slice(0, 7));
        assert.equal(two.messages, 1, 'under minJobsPerMessage x 2: one worker');
        assert.deepEqual(await two.verifyBatch(jobs.slice(0, 16)), expected.slice(0, 16));
        assert.equal(two.messages, 3, '16 checks: one message to each worker');
      } finally {
        await two.close();
      }
    } finally {
      await one.close();
    }
  });

  it('pool: batches larger than the queue bound give the same answers (excess runs inline)', async () => {
    const small = createVerifyPool({ workers: 2, maxQueuedJobs: 5, minJobsPerMessage: 2 });
    try {
      const calls = [small.verifyBatch(jobs), small.verifyBatch(jobs.slice(3)), small.verifyBatch(jobs.slice(0, 4))];
      assert.ok(small.queuedJobs <= 5, `at most 5 checks queued, saw ${small.queuedJobs}`);
      const [a, b, c] = await Promise.all(calls);
      assert.deepEqual(a, expected);
      assert.deepEqual(b, expected.slice(3));
      assert.deepEqual(c, expected.slice(0, 4));
      assert.equal(small.queuedJobs, 0);
    } finally {
      await small.close();
    }
  });

  it('callback: batches larger than the queue bound give the same answers', async () => {
    const small = createCallbackVerifier({ maxQueuedJobs: 3 });
    const [a, b] = await Promise.all([small.verifyBatch(jobs), small.verifyBatch(jobs)]);
    assert.deepEqual(a, expected);
    assert.deepEqual(b, expected);
  });

  it('pool: a worker that dies fails its pending checks (indeterminate, not false) and is respawned', async () => {
    const crashy = createVerifyPool({ workers: 1, crashOnEmptySignature: true });
    try {
      const killer = { ...jobs[0]!, signature: new Uint8Array(0) };
      assert.equal(createNodeBackend().verify(killer.algorithm, killer.publicKey, killer.data, killer.signature), false);
      await assert.rejects(crashy.verifyBatch([jobs[0]!, killer, jobs[1]!]), (err: unknown) => {
        assert.ok(err instanceof CryptoError, 'a CryptoError');
        assert.match(err.message, /worker died/);
        return true;
      });
      assert.equal(crashy.crashes, 1);
      assert.equal(crashy.size, 1, 'respawned');
      assert.deepEqual(await crashy.verifyBatch(jobs), expected);
    } finally {
      await crashy.close();
    }
  });

  it('pool: a slot whose worker keeps dying is retired and the pool verifies inline', async () => {
    const crashy = createVerifyPool({ workers: 1, maxRespawns: 2, crashOnEmptySignature: true });
    try {
      const killer = { ...jobs[0]!, signature: new Uint8Array(0) };
      await assert.rejects(crashy.verifyBatch([killer]), CryptoError);
      await assert.rejects(crashy.verifyBatch([killer]), CryptoError);
      assert.equal(crashy.size, 0, 'no worker left');
      assert.deepEqual(await crashy.verifyBatch([...jobs, killer]), [...expected, false]);
    } finally {
      await crashy.close();
    }
  });

  it('pool: close() rejects pending checks, later calls reject, sync verify still works', async () => {
    const closing = createVerifyPool({ workers: 1 });
    const pending = closing.verifyBatch(jobs);
    const closed = closing.close();
    await assert.rejects(pending, (err: unknown) => {
      assert.ok(err instanceof CryptoError, 'a CryptoError');
      assert.match(err.message, /closed/);
      return true;
    });
    await closed;
    assert.equal(closing.size, 0);
    assert.equal(closing.queuedJobs, 0);
    await assert.rejects(closing.verifyBatch(jobs.slice(0, 1)), CryptoError);
    const j = jobs[0]!;
    assert.equal(closing.verify(j.algorithm, j.publicKey, j.data, j.signature), expected[0]);
    await closing.close();
  });

  it('createVerifyBackend: 0 is inline, N is a pool of N, absent is the measured default', async () => {
    const made = [createVerifyBackend({ workers: 0 }), createVerifyBackend({ workers: 1 }), createVerifyBackend()];
    try {
      // Native when the addon is built (native-addon.test.ts insists on it where it can be built).
      const inline = loadNativeAddon().ok ? 'native' : 'node';
      assert.equal(made[0]!.name, inline);
      assert.equal(made[1]!.name, `pool(${inline} x1)`);
      const byDefault = { inline, callback: 'node-callback', 'native-async': inline === 'native' ? 'native-async' : inline, threads: `pool(${inline} x${defaultVerifyWorkers()})` }[DEFAULT_VERIFY_OFFLOAD];
      assert.equal(made[2]!.name, byDefault, 'the default backend');
      for (const b of made) assert.deepEqual(await b.verifyBatch(jobs), expected, b.name);
    } finally {
      await Promise.all(made.map((b) => b.close()));
    }
  });
});
