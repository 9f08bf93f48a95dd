// The signing pool: batches signed in workers verify, come back in order, match the in-thread
// signer for deterministic algorithms, and failures reject instead of hanging.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { SignPool } from '../../src/crypto/sign-pool.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';

test('sign pool: order, verification, determinism, several keys and workers', async () => {
  const rnd = new SeededRandom(3);
  const keys = [generatePrivateKey(13, { random: rnd }), generatePrivateKey(15, { random: rnd })];
  const pool = await SignPool.create(keys, { workers: 2, verify: true });
  try {
    const jobs = Array.from({ length: 300 }, (_, i) => ({ key: i % 2, data: Uint8Array.from([i & 0xff, i >> 8, 1, 2, 3]) }));
    const [a, b] = await Promise.all([pool.signBatch(jobs.slice(0, 150)), pool.signBatch(jobs.slice(150))]);
    const sigs = [...a, ...b];
    assert.equal(sigs.length, 300);
    const backend = createNodeBackend();
    const signers = keys.map((k) => createSigner(k));
    sigs.forEach((sig, i) => {
      const j = jobs[i]!;
      assert.ok(backend.verify(signers[j.key]!.algorithm, signers[j.key]!.publicKey, j.data, sig), `job ${i}`);
      // Ed25519 is deterministic: the same bytes as in this thread.
      if (j.key === 1) assert.deepEqual(sig, signers[1]!.sign(j.data));
    });
    assert.deepEqual(await pool.signBatch([]), []);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.signBatch([{ key: 0, data: new Uint8Array(1) }]), /closed/);
});

test('sign pool: deterministic ECDSA matches noble in this thread; an unknown key index rejects', async () => {
  const key = generatePrivateKey(13, { random: new SeededRandom(4) });
  const pool = await SignPool.create([key], { workers: 1, deterministic: true });
  try {
    const data = Uint8Array.from([9, 8, 7]);
    const [sig] = await pool.signBatch([{ key: 0, data }]);
    assert.deepEqual(sig, createSigner(key, { deterministic: true }).sign(data));
    await assert.rejects(pool.signBatch([{ key: 5, data }]), /no key 5/);
  } finally {
    await pool.close();
  }
});
