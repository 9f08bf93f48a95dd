// The worker side of crypto/sign-pool.ts: imports the keys once, then signs packed batches and
// answers with the signatures packed the same way (one transferred buffer each way).

import { parentPort } from 'node:worker_threads';
import type { CryptoBackend, Signer } from './backend.js';
import { createNodeBackend } from './node-backend.js';
import { createSigner } from './signer.js';
import type { PoolRequest, PoolResponse } from './sign-pool.js';

const port = parentPort;
let signers: Signer[] = [];
let verifier: CryptoBackend | undefined;

function reply(m: PoolResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

port?.on('message', (m: PoolRequest) => {
  if (m.type === 'init') {
    try {
      signers = m.keys.map((k) => createSigner(k, { deterministic: m.deterministic }));
      if (m.verify) verifier = createNodeBackend();
      reply({ type: 'ready' });
    } catch (error) {
      reply({ type: 'error', id: 0, message: (error as Error).message });
    }
    return;
  }
  try {
    const sigs: Uint8Array[] = new Array<Uint8Array>(m.keys.length);
    let start = 0;
    let total = 0;
    const all = new Uint8Array(m.data);
    for (let i = 0; i < m.keys.length; i++) {
      const end = m.ends[i]!;
      const signer = signers[m.keys[i]!];
      if (signer === undefined) throw new Error(`no key ${m.keys[i]!}`);
      const data = all.subarray(start, end);
      const sig = signer.sign(data);
      if (verifier !== undefined && !verifier.verify(signer.algorithm, signer.publicKey, data, sig)) {
        throw new Error(`a new signature by key ${m.keys[i]!} does not verify`);
      }
      sigs[i] = sig;
      total += sig.length;
      start = end;
    }
    const out = new Uint8Array(total);
    const ends = new Uint32Array(sigs.length);
    let p = 0;
    for (let i = 0; i < sigs.length; i++) {
      out.set(sigs[i]!, p);
      p += sigs[i]!.length;
      ends[i] = p;
    }
    reply({ type: 'signed', id: m.id, ends, data: out.buffer }, [out.buffer, ends.buffer]);
  } catch (error) {
    reply({ type: 'error', id: m.id, message: (error as Error).message });
  }
});
