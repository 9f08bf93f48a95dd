// The worker side of crypto/sign-pool.ts: imports the keys once, then signs packed batches and
// answers with the signatures packed the same way (one transferred buffer each way).

import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { CryptoBackend, Signer } from './backend.js';
import { createPreferredBackend } from './native-backend.js';
import { ecdsaScalar, type PrivateKey } from './private-key.js';
import { createSigner } from './signer.js';
import type { PoolRequest, PoolResponse } from './sign-pool.js';

const port = parentPort;
let signers: Signer[] = [];
let verifier: CryptoBackend | undefined;

const b64url = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/**
 * ECDSA P-256 (RFC 6605) with OpenSSL's default digest for EC keys, SHA-256: the same signature
 * as `createSigner`'s, minus a digest lookup per call (about a tenth of a P-256 signature here).
 * Used only after a self-test shows the default digest is SHA-256 for this OpenSSL.
 */
function fastP256(key: PrivateKey, slow: Signer, check: CryptoBackend): Signer {
  if (key.type !== 'ecdsa' || key.algorithm !== 13) return slow;
  const pub = slow.publicKey;
  const keyObject = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(pub.subarray(0, 32)), y: b64url(pub.subarray(32, 64)), d: b64url(ecdsaScalar(key)) },
    format: 'jwk',
  });
  const opts = { key: keyObject, dsaEncoding: 'ieee-p1363' as const };
  const probe = Uint8Array.from([1, 2, 3, 4]);
  const test = new Uint8Array(nodeSign(null, probe, opts));
  if (!check.verify(13, pub, probe, test)) return slow;
  return { ...slow, sign: (data: Uint8Array) => new Uint8Array(nodeSign(null, data, opts)) };
}

function reply(m: PoolResponse, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(m, transfer);
}

port?.on('message', (m: PoolRequest) => {
  if (m.type === 'init') {
    try {
      const check = createPreferredBackend();
      signers = m.keys.map((k) => {
        const s = createSigner(k, { deterministic: m.deterministic });
        return m.deterministic ? s : fastP256(k, s, check);
      });
      if (m.verify) verifier = check;
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
