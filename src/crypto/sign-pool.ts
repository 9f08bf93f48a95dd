// A worker_threads pool that signs in batches (DESIGN.md convention 8: the pool pays only with
// batching). The zone signer (auth/signer.ts) hands it batches of (key index, signed data) jobs
// through the BatchSigner shape; each batch goes whole to one worker, packed into one transferred
// ArrayBuffer each way, so a message costs one post per thousands of signatures.
//
// Workers import the private keys once at start (crypto/signer.ts createSigner: node:crypto, or
// noble RFC 6979 ECDSA when deterministic) and sign with them until closed. A worker that fails
// rejects the batches it holds; the pool does not retry (signing the same data again is safe, but
// a broken key would fail again).

import { Worker } from 'node:worker_threads';
import { CryptoError } from '../core/errors.js';
import type { PrivateKey } from './private-key.js';

/** One signature to make: `key` indexes the keys the pool was made with. */
export interface PoolJob {
  readonly key: number;
  readonly data: Uint8Array;
}

export interface SignPoolOptions {
  /** Number of workers (default 2). */
  readonly workers?: number;
  /** RFC 6979 ECDSA (noble) for reproducible signatures. */
  readonly deterministic?: boolean;
  /** Verify every signature (node:crypto) before returning it; a failure rejects the batch. */
  readonly verify?: boolean;
}

/** Messages to a worker. */
export type PoolRequest =
  | { readonly type: 'init'; readonly keys: readonly PrivateKey[]; readonly deterministic: boolean; readonly verify: boolean }
  | { readonly type: 'sign'; readonly id: number; readonly keys: Uint16Array<ArrayBuffer>; readonly ends: Uint32Array<ArrayBuffer>; readonly data: ArrayBuffer };

/** Messages from a worker. */
export type PoolResponse =
  | { readonly type: 'ready' }
  | { readonly type: 'signed'; readonly id: number; readonly ends: Uint32Array<ArrayBuffer>; readonly data: ArrayBuffer }
  | { readonly type: 'error'; readonly id: number; readonly message: string };

interface Pending {
  resolve(sigs: Uint8Array[]): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** Batches sent and not answered. */
  load: number;
  readonly pending: Map<number, Pending>;
}

/**
 * A worker holds keys and one batch at a time: a small young generation is plenty, and each
 * worker's heap is memory the whole signing run pays for.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 };

/**
 * Starts a worker on sign-pool-worker. Built, that is a .js file next to this one. Under a
 * TypeScript loader (tests, `tsx`) it is the .ts source, which a worker cannot load by itself on
 * Node 20 (a loader given in the worker's execArgv is not applied to its entry module), so a small
 * bootstrap registers tsx in the worker first.
 */
function startWorker(): Worker {
  // The parent's node flags are not passed on: some (`-e`, `--input-type`) only fit a main script.
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sign-pool-worker.js', import.meta.url), { execArgv: [], resourceLimits: WORKER_LIMITS });
  const entry = new URL('./sign-pool-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, execArgv: [], resourceLimits: WORKER_LIMITS });
}

/** Packs jobs into one buffer: key indexes, end offsets, concatenated data. */
export function packJobs(jobs: readonly PoolJob[]): { keys: Uint16Array<ArrayBuffer>; ends: Uint32Array<ArrayBuffer>; data: ArrayBuffer } {
  const keys = new Uint16Array(jobs.length);
  const ends = new Uint32Array(jobs.length);
  let total = 0;
  for (let i = 0; i < jobs.length; i++) {
    total += jobs[i]!.data.length;
    ends[i] = total;
    keys[i] = jobs[i]!.key;
  }
  const data = new Uint8Array(total);
  let p = 0;
  for (const j of jobs) {
    data.set(j.data, p);
    p += j.data.length;
  }
  return { keys, ends, data: data.buffer };
}

/** Splits a packed buffer back into pieces. */
export function unpack(ends: Uint32Array, data: ArrayBuffer): Uint8Array[] {
  const out = new Array<Uint8Array>(ends.length);
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    out[i] = new Uint8Array(data, start, ends[i]! - start);
    start = ends[i]!;
  }
  return out;
}

export class SignPool {
  private readonly slots: Slot[];
  private nextId = 1;
  private closed = false;

  private constructor(slots: Slot[]) {
    this.slots = slots;
  }

  /** Starts the workers and imports the keys in each; rejects if a key cannot be used. */
  static async create(keys: readonly PrivateKey[], options: SignPoolOptions = {}): Promise<SignPool> {
    const n = Math.max(1, options.workers ?? 2);
    const slots: Slot[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const worker = startWorker();
      const slot: Slot = { worker, load: 0, pending: new Map() };
      slots.push(slot);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (m: PoolResponse): void => {
            if (m.type === 'ready') {
              worker.off('error', reject);
              resolve();
            } else if (m.type === 'error' && m.id === 0) {
              reject(new CryptoError(`sign pool worker: ${m.message}`));
            }
          };
          worker.once('message', onMessage);
          worker.once('error', reject);
        }),
      );
      worker.on('message', (m: PoolResponse) => {
        if (m.type === 'ready') return;
        const p = slot.pending.get(m.id);
        if (p === undefined) return;
        slot.pending.delete(m.id);
        slot.load--;
        if (m.type === 'signed') p.resolve(unpack(m.ends, m.data));
        else p.reject(new CryptoError(`sign pool worker: ${m.message}`));
      });
      worker.on('error', (error) => {
        for (const p of slot.pending.values()) p.reject(error instanceof Error ? error : new CryptoError(String(error)));
        slot.pending.clear();
      });
      const init: PoolRequest = { type: 'init', keys, deterministic: options.deterministic === true, verify: options.verify === true };
      worker.postMessage(init);
    }
    const pool = new SignPool(slots);
    try {
      await Promise.all(ready);
    } catch (error) {
      await pool.close();
      throw error instanceof Error ? error : new CryptoError(String(error));
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Signs the jobs on the least loaded worker; results in job order. */
  signBatch(jobs: readonly PoolJob[]): Promise<Uint8Array[]> {
    if (this.closed) return Promise.reject(new CryptoError('sign pool is closed'));
    if (jobs.length === 0) return Promise.resolve([]);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.load < slot.load) slot = s;
    const id = this.nextId++;
    const packed = packJobs(jobs);
    return new Promise<Uint8Array[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.load++;
      const msg: PoolRequest = { type: 'sign', id, keys: packed.keys, ends: packed.ends, data: packed.data };
      slot.worker.postMessage(msg, [packed.data, packed.keys.buffer, packed.ends.buffer]);
    });
  }

  /** Stops the workers; batches still pending are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        for (const p of s.pending.values()) p.reject(new CryptoError('sign pool closed'));
        s.pending.clear();
        await s.worker.terminate();
      }),
    );
  }
}
