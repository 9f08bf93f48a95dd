// Signature verification off the main thread (DESIGN.md convention 8, issue 5 "Validation in
// the loop"): two CryptoBackends whose `verifyBatch` runs elsewhere, and the factory the server
// uses to pick one from config. Sync `verify` always stays inline (the preferred backend of
// native-backend.ts: native when the addon is built, else node).
//
// - VerifyPool: N worker_threads, each with its own verify backend and key cache: the native one
//   (native-backend.ts: RSA and ECDSA through the addon, one call into it per message) when the
//   addon is built, else node:crypto. The calls
//   made in one microtask checkpoint (e.g. all queries a worker answer continued) are coalesced
//   and packed into as few messages as possible: one per worker used, and a second worker only
//   for chunks of at least `minJobsPerMessage` jobs (messaging costs ~25-45 µs per message, about
//   a P-256 verify). A message is two transferred buffers: a
//   Uint32Array of (algorithm, key length, data length, signature length) per job and the
//   concatenated bytes; the answer is one transferred Uint8Array of 0/1.
// - NativeAsyncVerifier: the native addon's verifyAsync, which runs a batch on one of libuv's
//   threads (napi async work): no second isolate, no message, no structured clone; the bytes are
//   copied once in C. Keys are imported and cached on the main thread (native-backend.ts
//   `prepare`). The addon runs one batch at a time; the calls made while it runs are coalesced
//   and go as the next batch when it answers, so a busy resolver sends few, large batches. So it
//   is one verifying thread beside the main one, at a few µs per batch.
// - CallbackVerifier: node:crypto's asynchronous form, `crypto.verify(hash, data, key, sig, cb)`,
//   which runs each check on libuv's threadpool (UV_THREADPOOL_SIZE, default 4), with the keys
//   imported and cached on the main thread by the node backend (`prepareVerify`).
//
// Bounded queue: each backend holds at most `maxQueuedJobs` checks outstanding. Jobs beyond that
// run inline on the caller's thread (a caller-runs policy): memory stays bounded, the answer is the
// same, and a saturated resolver slows its own intake instead of queueing without limit.
//
// Failure: a worker that exits or throws fails every batch it holds with a CryptoError, and the
// whole `verifyBatch` call rejects. We do not answer `false`: a crashed worker says nothing about
// the signature, and `false` would turn an infrastructure fault into a bogus verdict (cached, with
// EDE 6). The rejection reaches the caller as an error, i.e. an indeterminate outcome (SERVFAIL,
// not cached as bogus). The worker is respawned; a slot whose worker dies `maxRespawns` times in a
// row without answering anything is retired, and with no worker left the pool verifies inline.
//
// `close()` rejects the batches in flight (CryptoError) and terminates the workers; later
// `verifyBatch` calls reject. Idle workers are unref'd so they never keep a process alive.

import { verify as nodeVerify } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { publishLog } from '../core/diagnostics.js';
import { CryptoError } from '../core/errors.js';
import { assertVerifyArgs, unsupportedAlgorithm, type CryptoBackend, type VerifyJob } from './backend.js';
import { loadNativeAddon, type NativeAddon, type NativeKey } from './native-addon.js';
import { createNativeBackend, createPreferredBackend, type NativeCryptoBackend } from './native-backend.js';
import { createNodeBackend, type NodeBackendOptions, type NodeCryptoBackend, type PreparedVerify } from './node-backend.js';

/** Uint32 words per job in a request's `meta`. */
export const VERIFY_META_WORDS = 4;

/** Main thread → worker. */
export interface VerifyPoolRequest {
  readonly id: number;
  /** Per job: algorithm, key length, data length, signature length. */
  readonly meta: Uint32Array<ArrayBuffer>;
  /** Per job: key, data, signature, concatenated. */
  readonly bytes: ArrayBuffer;
}

/** Worker → main thread: 1 for a valid signature, 0 otherwise, in job order. */
export interface VerifyPoolResponse {
  readonly id: number;
  readonly ok: Uint8Array<ArrayBuffer>;
}

/** What each worker is started with. */
export interface VerifyWorkerData {
  readonly keyCacheSize?: number;
  readonly crashOnEmptySignature?: boolean;
}

export interface VerifyPoolOptions {
  /** Worker threads, 1..64 (default 2). */
  readonly workers?: number;
  /** Checks outstanding in the workers at most; the excess runs inline (default 4096). */
  readonly maxQueuedJobs?: number;
  /** A call is split over several workers only in chunks at least this big (default 8). */
  readonly minJobsPerMessage?: number;
  /** Consecutive deaths without an answer before a worker slot is retired (default 3). */
  readonly maxRespawns?: number;
  /** Key cache of each worker and of the inline backend (default 4096). */
  readonly keyCacheSize?: number;
  /** Test hook: a worker exits when it meets a job with an empty signature. */
  readonly crashOnEmptySignature?: boolean;
}

/** A CryptoBackend that must be closed. */
export interface ClosableCryptoBackend extends CryptoBackend {
  close(): Promise<void>;
}

/** Packs jobs into the request layout (see VerifyPoolRequest). */
export function packVerifyJobs(jobs: readonly VerifyJob[], from = 0, to = jobs.length): { meta: Uint32Array<ArrayBuffer>; bytes: ArrayBuffer } {
  const meta = new Uint32Array((to - from) * VERIFY_META_WORDS);
  let total = 0;
  for (let i = from; i < to; i++) {
    const j = jobs[i]!;
    const o = (i - from) * VERIFY_META_WORDS;
    meta[o] = j.algorithm;
    meta[o + 1] = j.publicKey.length;
    meta[o + 2] = j.data.length;
    meta[o + 3] = j.signature.length;
    total += j.publicKey.length + j.data.length + j.signature.length;
  }
  const bytes = new Uint8Array(total);
  let p = 0;
  for (let i = from; i < to; i++) {
    const j = jobs[i]!;
    bytes.set(j.publicKey, p);
    p += j.publicKey.length;
    bytes.set(j.data, p);
    p += j.data.length;
    bytes.set(j.signature, p);
    p += j.signature.length;
  }
  return { meta, bytes: bytes.buffer };
}

/** Throws (as `verify` would) if a job has bad arguments or an algorithm `backend` lacks. */
function checkJobs(backend: CryptoBackend, jobs: readonly VerifyJob[]): void {
  for (const j of jobs) {
    assertVerifyArgs(j.algorithm, j.publicKey, j.data, j.signature);
    if (!backend.supportsVerify(j.algorithm)) throw unsupportedAlgorithm(backend.name, j.algorithm);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new CryptoError(String(err));
}

/**
 * Starts a worker on verify-pool-worker. Built, that is the .js file next to this one. Under a
 * TypeScript loader (tests, tsx) it is the .ts source, which a Node 20 worker cannot load by itself
 * (a loader in the worker's execArgv is not applied to its entry module), so a small bootstrap
 * registers tsx in the worker first (as sign-pool.ts does).
 */
function startWorker(data: VerifyWorkerData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./verify-pool-worker.js', import.meta.url), { execArgv: [], workerData: data });
  }
  const entry = new URL('./verify-pool-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, execArgv: [], workerData: data });
}

interface Pending {
  readonly jobs: number;
  resolve(ok: Uint8Array): void;
  reject(error: Error): void;
}

/** A `verifyBatch` call's share for the workers: its first `count` jobs. */
interface Waiting {
  readonly jobs: readonly VerifyJob[];
  readonly count: number;
  readonly out: boolean[];
  remaining: number;
  failed: boolean;
  resolve(): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker | undefined;
  /** Jobs sent to this worker and not answered. */
  load: number;
  readonly pending: Map<number, Pending>;
  /** Deaths since the last answer. */
  deaths: number;
}

export class VerifyPool implements ClosableCryptoBackend {
  readonly name: string;
  private readonly inline: NativeCryptoBackend | NodeCryptoBackend;
  private readonly slots: Slot[] = [];
  private readonly data: VerifyWorkerData;
  private readonly maxQueued: number;
  private readonly minChunk: number;
  private readonly maxRespawns: number;
  private queued = 0;
  /** Calls waiting for the next flush (this microtask checkpoint), and their checks. */
  private outbox: Waiting[] = [];
  private outboxJobs = 0;
  private nextId = 1;
  private closed = false;
  /** Workers that died (crash or exit) while the pool was open, for metrics and tests. */
  crashes = 0;
  /** Messages sent to workers, for metrics and tests. */
  messages = 0;

  constructor(options: VerifyPoolOptions = {}) {
    const n = options.workers ?? 2;
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new CryptoError(`verify pool: workers must be 1..64, got ${String(n)}`);
    const cacheOpts: NodeBackendOptions = options.keyCacheSize === undefined ? {} : { keyCacheSize: options.keyCacheSize };
    this.inline = createPreferredBackend(cacheOpts);
    // The workers load the same addon from the same path, so they use the same kind of backend.
    this.name = `pool(${this.inline.name} x${n})`;
    this.data = {
      ...(options.keyCacheSize === undefined ? {} : { keyCacheSize: options.keyCacheSize }),
      ...(options.crashOnEmptySignature === true ? { crashOnEmptySignature: true } : {}),
    };
    this.maxQueued = Math.max(1, options.maxQueuedJobs ?? 4096);
    this.minChunk = Math.max(1, options.minJobsPerMessage ?? 8);
    this.maxRespawns = Math.max(1, options.maxRespawns ?? 3);
    for (let i = 0; i < n; i++) {
      const slot: Slot = { worker: undefined, load: 0, pending: new Map(), deaths: 0 };
      this.slots.push(slot);
      this.spawn(slot);
    }
  }

  /** Live workers. */
  get size(): number {
    return this.slots.filter((s) => s.worker !== undefined).length;
  }

  /** Checks outstanding in the workers. */
  get queuedJobs(): number {
    return this.queued + this.outboxJobs;
  }

  supportsVerify(algorithm: number): boolean {
    return this.inline.supportsVerify(algorithm);
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    return this.inline.verify(algorithm, publicKey, data, signature);
  }

  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    if (this.closed) return Promise.reject(new CryptoError('verify pool is closed'));
    try {
      checkJobs(this, jobs);
    } catch (err) {
      return Promise.reject(asError(err));
    }
    const room = this.size === 0 ? 0 : this.maxQueued - this.queued - this.outboxJobs;
    const toPool = Math.max(0, Math.min(jobs.length, room));
    const out = new Array<boolean>(jobs.length);
    let part: Promise<void> | undefined;
    if (toPool > 0) {
      part = new Promise<void>((resolve, reject) => {
        this.outbox.push({ jobs, count: toPool, out, remaining: toPool, failed: false, resolve, reject });
        this.outboxJobs += toPool;
        if (this.outbox.length === 1) queueMicrotask(() => { this.flush(); });
      });
    }
    // Caller-runs: what does not fit the bound (or finds no worker) is verified here, while the
    // workers do their part.
    for (let i = toPool; i < jobs.length; i++) {
      const j = jobs[i]!;
      out[i] = this.inline.verify(j.algorithm, j.publicKey, j.data, j.signature);
    }
    return part === undefined ? Promise.resolve(out) : part.then(() => out);
  }

  /**
   * Sends the calls made since the last flush (the same microtask checkpoint: e.g. every query
   * continued by one worker answer) as one message per worker used, so 1-check calls from many
   * concurrent queries still travel in batches.
   */
  private flush(): void {
    const calls = this.outbox;
    const total = this.outboxJobs;
    this.outbox = [];
    this.outboxJobs = 0;
    if (calls.length === 0) return;
    const live = this.slots.filter((s) => s.worker !== undefined);
    if (live.length === 0) {
      // Every worker died or was retired since these calls were made: verify them here.
      for (const c of calls) {
        for (let i = 0; i < c.count; i++) {
          const j = c.jobs[i]!;
          c.out[i] = this.inline.verify(j.algorithm, j.publicKey, j.data, j.signature);
        }
        c.resolve();
      }
      return;
    }
    const flat: VerifyJob[] = new Array<VerifyJob>(total);
    const owner: Waiting[] = new Array<Waiting>(total);
    const index = new Uint32Array(total);
    let k = 0;
    for (const c of calls) {
      for (let i = 0; i < c.count; i++, k++) {
        flat[k] = c.jobs[i]!;
        owner[k] = c;
        index[k] = i;
      }
    }
    // One chunk per worker used; a second worker only for chunks of minChunk jobs or more.
    const chunks = Math.max(1, Math.min(live.length, Math.floor(total / this.minChunk)));
    live.sort((x, y) => x.load - y.load);
    let from = 0;
    for (let c = 0; c < chunks; c++) {
      const start = from;
      const to = from + Math.floor((total - from) / (chunks - c));
      this.send(live[c]!, flat, start, to).then(
        (ok) => {
          for (let i = 0; i < ok.length; i++) {
            const w = owner[start + i]!;
            w.out[index[start + i]!] = ok[i] === 1;
            if (--w.remaining === 0 && !w.failed) w.resolve();
          }
        },
        (err: unknown) => {
          for (let i = start; i < to; i++) {
            const w = owner[i]!;
            if (!w.failed) {
              w.failed = true;
              w.reject(asError(err));
            }
          }
        },
      );
      from = to;
    }
  }

  /** Rejects the batches in flight and stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const waiting = this.outbox;
    this.outbox = [];
    this.outboxJobs = 0;
    for (const w of waiting) w.reject(new CryptoError('verify pool closed'));
    const stops: Promise<number>[] = [];
    for (const s of this.slots) {
      this.failPending(s, new CryptoError('verify pool closed'));
      if (s.worker !== undefined) stops.push(s.worker.terminate());
      s.worker = undefined;
    }
    await Promise.all(stops);
  }

  private send(slot: Slot, jobs: readonly VerifyJob[], from: number, to: number): Promise<Uint8Array> {
    const worker = slot.worker!;
    const id = this.nextId++;
    this.messages++;
    const { meta, bytes } = packVerifyJobs(jobs, from, to);
    const n = to - from;
    return new Promise<Uint8Array>((resolve, reject) => {
      slot.pending.set(id, { jobs: n, resolve, reject });
      if (slot.load === 0) worker.ref();
      slot.load += n;
      this.queued += n;
      const msg: VerifyPoolRequest = { id, meta, bytes };
      worker.postMessage(msg, [meta.buffer, bytes]);
    });
  }

  private settle(slot: Slot, id: number): Pending | undefined {
    const p = slot.pending.get(id);
    if (p === undefined) return undefined;
    slot.pending.delete(id);
    slot.load -= p.jobs;
    this.queued -= p.jobs;
    if (slot.load === 0) slot.worker?.unref();
    return p;
  }

  private failPending(slot: Slot, error: Error): void {
    for (const id of [...slot.pending.keys()]) this.settle(slot, id)?.reject(error);
  }

  private spawn(slot: Slot): void {
    const worker = startWorker(this.data);
    slot.worker = worker;
    worker.unref();
    let failure: Error | undefined;
    worker.on('message', (m: VerifyPoolResponse) => {
      slot.deaths = 0;
      this.settle(slot, m.id)?.resolve(m.ok);
    });
    worker.on('error', (err) => {
      failure = asError(err);
    });
    worker.on('exit', (code) => {
      if (slot.worker !== worker) return; // closed, or already replaced
      slot.worker = undefined;
      this.crashes++;
      slot.deaths++;
      const why = failure === undefined ? `exit code ${code}` : failure.message;
      this.failPending(slot, new CryptoError(`verify pool worker died (${why}); its checks are indeterminate`, { cause: failure }));
      if (this.closed) return;
      if (slot.deaths >= this.maxRespawns) {
        publishLog({ level: 'error', msg: 'verify pool: worker retired after repeated deaths', error: why });
        return;
      }
      publishLog({ level: 'warn', msg: 'verify pool: worker died, respawning', error: why });
      this.spawn(slot);
    });
  }
}

/** A worker_threads verify pool (see the module header). */
export function createVerifyPool(options: VerifyPoolOptions = {}): VerifyPool {
  return new VerifyPool(options);
}

export interface NativeAsyncVerifierOptions {
  /** Checks queued or running off the main thread at most; the excess runs inline (default 4096). */
  readonly maxQueuedJobs?: number;
  readonly keyCacheSize?: number;
}

/** Octets of signed data and signatures per async batch at most (unless one check is larger). */
export const MAX_ASYNC_BATCH_BYTES = 4 * 1024 * 1024;

/** A `verifyBatch` call's checks waiting for (or in) an async batch. */
interface AsyncWaiting {
  readonly out: boolean[];
  /** Its checks not answered yet. */
  remaining: number;
  /** The call's promise's own functions (resolved with `out`). */
  resolve(out: boolean[]): void;
  reject(error: Error): void;
}

/** An AsyncWaiting's functions until its promise's executor sets them (it runs at once). */
const NOT_YET = (): void => undefined;

/** `verifyBatch` through the native addon's verifyAsync on libuv's threadpool (module header). */
export class NativeAsyncVerifier implements ClosableCryptoBackend {
  readonly name = 'native-async';
  private readonly inline: NativeCryptoBackend;
  private readonly run: NonNullable<NativeAddon['verifyAsync']>;
  private readonly maxQueued: number;
  /** Checks not yet sent, in order, with whom they answer. */
  private keys: NativeKey[] = [];
  private data: Uint8Array[] = [];
  private sigs: Uint8Array[] = [];
  private owners: AsyncWaiting[] = [];
  /** Per queued check: its position in its owner's `out`. */
  private at: number[] = [];
  /** Checks in the running batch, and whether one runs. */
  private running = 0;
  private busy = false;
  private flushQueued = false;
  private closed = false;
  /** Batches handed to the addon, for metrics and tests. */
  batches = 0;

  constructor(inline: NativeCryptoBackend, run: NonNullable<NativeAddon['verifyAsync']>, options: NativeAsyncVerifierOptions = {}) {
    this.inline = inline;
    this.run = run;
    this.maxQueued = Math.max(1, options.maxQueuedJobs ?? 4096);
  }

  /** Checks queued or running off the main thread. */
  get queuedJobs(): number {
    return this.running + this.keys.length;
  }

  supportsVerify(algorithm: number): boolean {
    return this.inline.supportsVerify(algorithm);
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    return this.inline.verify(algorithm, publicKey, data, signature);
  }

  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    if (this.closed) return Promise.reject(new CryptoError('native async verifier is closed'));
    const out = new Array<boolean>(jobs.length);
    let waiting: AsyncWaiting | undefined;
    let promise: Promise<boolean[]> | undefined;
    try {
      for (let i = 0; i < jobs.length; i++) {
        const j = jobs[i]!;
        // Caller-runs beyond the bound (module header); answered here as `verify` would.
        if (this.queuedJobs >= this.maxQueued) {
          out[i] = this.inline.verify(j.algorithm, j.publicKey, j.data, j.signature);
          continue;
        }
        const p = this.inline.prepare(j.algorithm, j.publicKey, j.data, j.signature);
        if (typeof p === 'boolean') {
          out[i] = p;
          continue;
        }
        if (waiting === undefined) {
          const w: AsyncWaiting = { out, remaining: 0, resolve: NOT_YET, reject: NOT_YET };
          promise = new Promise<boolean[]>((resolve, reject) => {
            w.resolve = resolve;
            w.reject = reject;
          });
          waiting = w;
        }
        waiting.remaining++;
        this.at.push(i);
        this.keys.push(p.key);
        this.data.push(j.data);
        this.sigs.push(p.signature);
        this.owners.push(waiting);
      }
    } catch (err) {
      // Bad arguments (as `verify` throws): nothing of this call may stay queued.
      if (waiting !== undefined) this.drop(waiting);
      return Promise.reject(asError(err));
    }
    if (waiting === undefined) return Promise.resolve(out);
    if (!this.busy && !this.flushQueued) {
      // Calls made in this microtask checkpoint travel together.
      this.flushQueued = true;
      queueMicrotask(() => { this.flush(); });
    }
    return promise!;
  }

  /** Removes the queued checks of one call (its arguments were refused). */
  private drop(w: AsyncWaiting): void {
    for (let i = this.owners.length - 1; i >= 0; i--) {
      if (this.owners[i] !== w) continue;
      this.owners.splice(i, 1);
      this.at.splice(i, 1);
      this.keys.splice(i, 1);
      this.data.splice(i, 1);
      this.sigs.splice(i, 1);
    }
  }

  /**
   * Hands the queued checks to the addon as one batch, unless one is running: all of them, or as
   * many as fit MAX_ASYNC_BATCH_BYTES (at least one), the rest going as the next batch. (The addon
   * refuses batches over 64 MiB; large RRsets from one zone must not fail other queries' checks.)
   */
  private flush(): void {
    this.flushQueued = false;
    if (this.busy || this.closed || this.keys.length === 0) return;
    let n = 0;
    for (let bytes = 0; n < this.keys.length; n++) {
      bytes += this.data[n]!.length + this.sigs[n]!.length;
      if (bytes > MAX_ASYNC_BATCH_BYTES && n > 0) break;
    }
    const keys = this.keys.splice(0, n);
    const data = this.data.splice(0, n);
    const sigs = this.sigs.splice(0, n);
    const owners = this.owners.splice(0, n);
    const at = this.at.splice(0, n);
    let queued: boolean;
    try {
      queued = this.run(keys, data, sigs, (ok) => { this.answer(owners, at, ok); });
    } catch (err) {
      this.fail(owners, asError(err));
      this.later();
      return;
    }
    if (!queued) {
      // The addon still runs a batch this verifier did not send (another user of the addon in
      // this thread): answer these here rather than wait for a callback we cannot see.
      for (let k = 0; k < owners.length; k++) {
        const w = owners[k]!;
        w.out[at[k]!] = this.inline.verifyPrepared(keys[k]!, data[k]!, sigs[k]!);
        if (--w.remaining === 0) w.resolve(w.out);
      }
      this.later();
      return;
    }
    this.busy = true;
    this.running = keys.length;
    this.batches++;
  }

  /** A flush at the end of this tick for checks still queued (none runs to call it). */
  private later(): void {
    if (this.keys.length === 0 || this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => { this.flush(); });
  }

  private answer(owners: readonly AsyncWaiting[], at: readonly number[], ok: Uint8Array | null): void {
    this.busy = false;
    this.running = 0;
    if (ok?.length !== owners.length) {
      this.fail(owners, new CryptoError('native async verify batch did not run; its checks are indeterminate'));
    } else {
      for (let k = 0; k < owners.length; k++) {
        const w = owners[k]!;
        w.out[at[k]!] = ok[k] === 1;
        if (--w.remaining === 0) w.resolve(w.out);
      }
    }
    // What queued up while this batch ran goes at once, as the next batch.
    this.flush();
  }

  private fail(owners: readonly AsyncWaiting[], error: Error): void {
    const seen = new Set<AsyncWaiting>();
    for (const w of owners) {
      if (seen.has(w)) continue;
      seen.add(w);
      w.reject(error);
    }
  }

  /** Later calls reject; checks not yet sent reject; a running batch still answers. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const owners = this.owners;
    this.keys = [];
    this.data = [];
    this.sigs = [];
    this.owners = [];
    this.at = [];
    this.fail(owners, new CryptoError('native async verifier closed'));
    return Promise.resolve();
  }
}

/**
 * A native async verifier, or undefined (with the reason) when the addon is not built or lacks
 * verifyAsync.
 */
export function createNativeAsyncVerifier(options: NativeAsyncVerifierOptions = {}): NativeAsyncVerifier | { reason: string } {
  const made = createNativeBackend(options.keyCacheSize === undefined ? {} : { keyCacheSize: options.keyCacheSize });
  if (!('backend' in made)) return { reason: made.reason };
  const run = made.backend.asyncRunner();
  if (run === undefined) return { reason: 'the native addon was built without verifyAsync (npm run build:native)' };
  return new NativeAsyncVerifier(made.backend, run, options);
}

export interface CallbackVerifierOptions {
  /** Checks outstanding on libuv's threadpool at most; the excess runs inline (default 4096). */
  readonly maxQueuedJobs?: number;
  readonly keyCacheSize?: number;
}

/** `verifyBatch` through node:crypto's callback form on libuv's threadpool (module header). */
export class CallbackVerifier implements ClosableCryptoBackend {
  readonly name = 'node-callback';
  private readonly inline: NodeCryptoBackend;
  private readonly maxQueued: number;
  private queued = 0;

  constructor(options: CallbackVerifierOptions = {}) {
    this.inline = createNodeBackend(options.keyCacheSize === undefined ? {} : { keyCacheSize: options.keyCacheSize });
    this.maxQueued = Math.max(1, options.maxQueuedJobs ?? 4096);
  }

  supportsVerify(algorithm: number): boolean {
    return this.inline.supportsVerify(algorithm);
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    return this.inline.verify(algorithm, publicKey, data, signature);
  }

  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    try {
      checkJobs(this, jobs);
    } catch (err) {
      return Promise.reject(asError(err));
    }
    const answers = new Array<Promise<boolean>>(jobs.length);
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      if (this.queued >= this.maxQueued) {
        answers[i] = Promise.resolve(this.inline.verify(j.algorithm, j.publicKey, j.data, j.signature));
        continue;
      }
      const prepared = this.inline.prepareVerify(j.algorithm, j.publicKey, j.data, j.signature);
      answers[i] = prepared === false ? Promise.resolve(false) : this.queue(j.data, prepared);
    }
    return Promise.all(answers);
  }

  private queue(data: Uint8Array, prepared: PreparedVerify): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      try {
        nodeVerify(prepared.hash, data, prepared.key, prepared.signature, (err, ok) => {
          this.queued--;
          resolve(err === null && ok);
        });
        this.queued++;
      } catch {
        resolve(false); // OpenSSL refused the inputs: the same answer `verify` gives
      }
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function createCallbackVerifier(options: CallbackVerifierOptions = {}): CallbackVerifier {
  return new CallbackVerifier(options);
}

/** The preferred in-thread backend (native, else node) as a ClosableCryptoBackend (nothing to close). */
function inlineBackend(options: NodeBackendOptions): ClosableCryptoBackend {
  const be = createPreferredBackend(options);
  return {
    name: be.name,
    supportsVerify: (a) => be.supportsVerify(a),
    verify: (a, k, d, s) => be.verify(a, k, d, s),
    verifyBatch: (jobs) => be.verifyBatch(jobs),
    close: () => Promise.resolve(),
  };
}

export interface VerifyBackendSettings {
  /**
   * Config `crypto.workers`: 0 verifies inline on the calling thread; N ≥ 1 runs a VerifyPool of N
   * worker_threads; absent takes DEFAULT_VERIFY_OFFLOAD (the addon's async batches; measured in the resolver, see there).
   */
  readonly workers?: number | undefined;
  readonly keyCacheSize?: number | undefined;
}

/**
 * What `crypto.workers` absent means: the native addon's async batches (NativeAsyncVerifier), one
 * libuv thread verifying beside the resolver's thread; inline when the addon is not built.
 *
 * Measured in the resolver with bench/resolver/cold-cpu.sh (the bench world's cold set, 36,000
 * unique names on a fresh process, 2-core box shared with four other builds at load 6-9, so CPU
 * per query is the figure, not QPS), 2026-11-22 13:35 UTC, 4 alternating pairs, medians: inline
 * 275 µs of CPU per cold query, 176.5 on the main thread; native-async 274 and 132.6 (-25 % on
 * the main thread for the same total). An earlier run of 3 rounds: inline 303 / 194, native-async
 * 312 / 154, a worker_threads pool of 1 334 / 170 (the pool's messages and second isolate cost
 * +10 % CPU for less relief). The cost is per batch (a thread wake-up each way), so it depends on
 * how many checks a batch gathers: at dnsperf -q 100 on the loaded box ~26 per batch; with fewer
 * queries in flight (same box, 2 rounds each) -q 20: ~5.8 per batch, inline 256 / 178, async
 * 268 / 147 (+5 % CPU, -18 % main thread); -q 4: ~1.4 per batch, inline 280 / 214, async 315 / 195
 * (+13 %, -9 %). A quiet box wakes the thread sooner, so its batches are smaller than here. On this box run 6 of bench/RESULTS.md showed the resolver thread,
 * not the two cores, limiting cold QPS (Unbound's 9,444 QPS left room for NSD and dnsperf; the
 * pool of run 5 gave 5,186 QPS against 4,856 inline in run 6), so the thread's time is what the
 * offload buys. `crypto.workers: 0` verifies inline, `N` runs a worker_threads pool of N; the
 * callback form is kept for comparison in bench/crypto/pool-bench.ts.
 */
export const DEFAULT_VERIFY_OFFLOAD = 'native-async' as 'callback' | 'inline' | 'native-async' | 'threads';

/**
 * Pool size for `DEFAULT_VERIFY_OFFLOAD === 'threads'`: one worker per core the main thread does
 * not use, 1..4.
 */
export function defaultVerifyWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism() - 1));
}

/** The verify backend for the resolver service, from config (see VerifyBackendSettings). */
export function createVerifyBackend(settings: VerifyBackendSettings = {}): ClosableCryptoBackend {
  const cache: NodeBackendOptions = settings.keyCacheSize === undefined ? {} : { keyCacheSize: settings.keyCacheSize };
  const workers = settings.workers;
  if (workers === 0) return inlineBackend(cache);
  if (workers !== undefined) return createVerifyPool({ ...cache, workers });
  switch (DEFAULT_VERIFY_OFFLOAD) {
    case 'inline':
      return inlineBackend(cache);
    case 'callback':
      return createCallbackVerifier(cache);
    case 'native-async': {
      const v = createNativeAsyncVerifier(cache);
      if (v instanceof NativeAsyncVerifier) return v;
      // Without the addon, createPreferredBackend logs why (once); a build without verifyAsync is
      // said here.
      if (loadNativeAddon().ok) publishLog({ level: 'warn', msg: 'crypto: native async verifier not available, verifying inline', reason: v.reason });
      return inlineBackend(cache);
    }
    case 'threads':
      return createVerifyPool({ ...cache, workers: defaultVerifyWorkers() });
  }
}
