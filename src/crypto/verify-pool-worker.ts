// The worker side of crypto/verify-pool.ts: one verify backend with its own key cache (native when
// the addon is built, else node:crypto; native-backend.ts), answering packed batches of signature
// checks (one transferred buffer each way, see verify-pool.ts for the layout) with one call into
// the addon per message. Hostile bytes never throw here (backend.ts); the main thread has already
// refused unsupported algorithms, so every job gets a boolean.

import { parentPort, workerData } from 'node:worker_threads';
import type { VerifyJob } from './backend.js';
import { createPreferredBackend } from './native-backend.js';
import { VERIFY_META_WORDS, type VerifyPoolRequest, type VerifyPoolResponse, type VerifyWorkerData } from './verify-pool.js';

const port = parentPort;
const config = (workerData ?? {}) as VerifyWorkerData;
const backend = createPreferredBackend(config.keyCacheSize === undefined ? {} : { keyCacheSize: config.keyCacheSize });

/** Answers one job at a time, so that a throw (unreachable: see above) costs only its own job. */
function oneByOne(jobs: readonly VerifyJob[]): boolean[] {
  return jobs.map((j) => {
    try {
      return backend.verify(j.algorithm, j.publicKey, j.data, j.signature);
    } catch {
      return false;
    }
  });
}

port?.on('message', (m: VerifyPoolRequest) => {
  const n = m.meta.length / VERIFY_META_WORDS;
  const bytes = new Uint8Array(m.bytes);
  const jobs = new Array<VerifyJob>(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const o = i * VERIFY_META_WORDS;
    const algorithm = m.meta[o]!;
    const publicKey = bytes.subarray(p, (p += m.meta[o + 1]!));
    const data = bytes.subarray(p, (p += m.meta[o + 2]!));
    const signature = bytes.subarray(p, (p += m.meta[o + 3]!));
    // Test hook (VerifyPoolOptions.crashOnEmptySignature): a worker that dies mid-batch.
    if (config.crashOnEmptySignature === true && signature.length === 0) process.exit(70);
    jobs[i] = { algorithm, publicKey, data, signature };
  }
  let answers: boolean[];
  if ('verifyMany' in backend) {
    try {
      answers = backend.verifyMany(jobs);
    } catch {
      answers = oneByOne(jobs);
    }
  } else {
    answers = oneByOne(jobs);
  }
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) ok[i] = answers[i] === true ? 1 : 0;
  const reply: VerifyPoolResponse = { id: m.id, ok };
  port.postMessage(reply, [ok.buffer]);
});
