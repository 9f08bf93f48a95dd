// The worker side of crypto/verify-pool.ts: one node:crypto backend with its own KeyObject cache,
// answering packed batches of signature checks (one transferred buffer each way, see
// verify-pool.ts for the layout). Hostile bytes never throw here (backend.ts); the main thread
// has already refused unsupported algorithms, so every job gets a boolean.

import { parentPort, workerData } from 'node:worker_threads';
import { createNodeBackend } from './node-backend.js';
import { VERIFY_META_WORDS, type VerifyPoolRequest, type VerifyPoolResponse, type VerifyWorkerData } from './verify-pool.js';

const port = parentPort;
const config = (workerData ?? {}) as VerifyWorkerData;
const backend = createNodeBackend(config.keyCacheSize === undefined ? {} : { keyCacheSize: config.keyCacheSize });

port?.on('message', (m: VerifyPoolRequest) => {
  const n = m.meta.length / VERIFY_META_WORDS;
  const bytes = new Uint8Array(m.bytes);
  const ok = new Uint8Array(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const o = i * VERIFY_META_WORDS;
    const algorithm = m.meta[o]!;
    const key = bytes.subarray(p, (p += m.meta[o + 1]!));
    const data = bytes.subarray(p, (p += m.meta[o + 2]!));
    const sig = bytes.subarray(p, (p += m.meta[o + 3]!));
    // Test hook (VerifyPoolOptions.crashOnEmptySignature): a worker that dies mid-batch.
    if (config.crashOnEmptySignature === true && sig.length === 0) process.exit(70);
    let answer: boolean;
    try {
      answer = backend.verify(algorithm, key, data, sig);
    } catch {
      answer = false; // unreachable: the main thread checked the algorithm and the argument types
    }
    ok[i] = answer ? 1 : 0;
  }
  const reply: VerifyPoolResponse = { id: m.id, ok };
  port.postMessage(reply, [ok.buffer]);
});
