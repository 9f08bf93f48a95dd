// The threadpool signer (node:crypto's callback form): signatures come back in job order and
// verify with the DNSKEY, deterministic algorithms give the same bytes as the in-thread signer,
// every algorithm it signs with is covered, and bad keys or indexes fail with an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { CallbackSigner } from '../../src/crypto/callback-signer.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey } from '../../src/crypto/signer.js';

test('callback signer: order, verification, several keys and algorithms', async () => {
  const rnd = new SeededRandom(7);
  const algorithms = [13, 14, 15, 16, 8];
  const keys = algorithms.map((a) => generatePrivateKey(a, a === 8 ? { bits: 1024 } : { random: rnd }));
  const signers = keys.map((k) => createSigner(k));
  for (const verify of [false, true]) {
    const cs = CallbackSigner.create(
      keys.map((privateKey, i) => ({ privateKey, publicKey: signers[i]!.publicKey })),
      { verify },
    );
    assert.equal(cs.verifies, verify, 'verifies reflects the option');
    const jobs = Array.from({ length: 250 }, (_, i) => ({ key: i % keys.length, data: Uint8Array.from([i & 0xff, i >> 8, 1, 2, 3]) }));
    const [a, b] = await Promise.all([cs.signBatch(jobs.slice(0, 120)), cs.signBatch(jobs.slice(120))]);
    const sigs = [...a, ...b];
    assert.equal(sigs.length, jobs.length, 'one signature per job');
    const backend = createNodeBackend();
    sigs.forEach((sig, i) => {
      const j = jobs[i]!;
      const s = signers[j.key]!;
      assert.ok(backend.verify(s.algorithm, s.publicKey, j.data, sig), `job ${i} (algorithm ${s.algorithm}) verifies`);
      // RSA and EdDSA are deterministic: the same bytes as the in-thread signer.
      if (s.deterministic) assert.deepEqual(sig, s.sign(j.data), `job ${i} matches the in-thread signature`);
    });
    assert.deepEqual(await cs.signBatch([]), [], 'an empty batch');
  }
});

test('callback signer: a key that does not match its DNSKEY, an unknown key index', async () => {
  const rnd = new SeededRandom(8);
  const k1 = generatePrivateKey(13, { random: rnd });
  const k2 = generatePrivateKey(13, { random: rnd });
  assert.throws(() => CallbackSigner.create([{ privateKey: k1, publicKey: createSigner(k2).publicKey }]), /does not match/);
  const cs = CallbackSigner.create([{ privateKey: k1, publicKey: createSigner(k1).publicKey }], { verify: true });
  await assert.rejects(cs.signBatch([{ key: 3, data: new Uint8Array(4) }]), /no signing key 3/);
});
