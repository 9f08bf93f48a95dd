// Zone signing on libuv's threadpool: node:crypto's callback form, `crypto.sign(hash, data, key,
// cb)` and `crypto.verify(hash, data, key, sig, cb)`, runs each operation on a threadpool thread
// (UV_THREADPOOL_SIZE, default 4) while the main thread prepares the next RRsets and writes the
// signed ones. No worker isolates: the private keys are imported once on the main thread and
// shared by the threadpool, so a signing run costs no extra V8 heaps (a worker thread costs about
// 15 MiB of RSS before it signs anything).
//
// The shape is the zone signer's BatchSigner (auth/signer.ts): a batch of (key index, data) jobs
// in, the RRSIG signature fields out in job order. With `verify`, each new signature is checked
// with the DNSKEY's public key (the one published in the zone, not one derived from the private
// key) before the batch resolves; a signature that does not verify rejects the batch with a
// CryptoError naming the key, as dnssec-signzone stops on one (BIND 9 ARM §5.1.4, dnssec-signzone
// checks every signature it makes unless -P).
//
// ECDSA P-256 (RFC 6605 §4) is signed with OpenSSL's default digest for EC keys, SHA-256, passed
// as `null`: the same signature, without a digest lookup per call. It is used only after a
// self-test shows that this OpenSSL's default is SHA-256 (a signature made that way verifies as
// SHA-256).

import { sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { CryptoError } from '../core/errors.js';
import { algorithmMnemonic } from '../dnssec/algorithms.js';
import { createNodeBackend, prepareNodeSign, type NodeCryptoBackend, type PreparedSign } from './node-backend.js';
import type { PrivateKey } from './private-key.js';

/** A key to sign with: its private half and the DNSKEY public key field new signatures are checked with. */
export interface CallbackSignerKey {
  readonly privateKey: PrivateKey;
  readonly publicKey: Uint8Array;
}

export interface CallbackSignerJob {
  /** Index into the keys the signer was made with. */
  readonly key: number;
  readonly data: Uint8Array;
}

export interface CallbackSignerOptions {
  /** Check every new signature before returning it (default false). */
  readonly verify?: boolean;
}

interface Prepared {
  readonly sign: PreparedSign;
  readonly hash: string | null;
  readonly publicKey: Uint8Array;
}

/** P-256 with the default digest when that is SHA-256 here (see the module comment). */
function p256DefaultDigest(p: PreparedSign, check: NodeCryptoBackend): string | null {
  if (p.algorithm !== 13) return p.hash;
  const probe = Uint8Array.from([1, 2, 3, 4]);
  try {
    const sig = p.finish(new Uint8Array(nodeSign(null, probe, p.key)));
    return check.verify(13, p.publicKey, probe, sig) ? null : p.hash;
  } catch {
    return p.hash;
  }
}

/** libuv's largest threadpool (MAX_THREADPOOL_SIZE in libuv 1.45 and later). */
const MAX_THREADPOOL_SIZE = 1024;

/**
 * The number of threads libuv's threadpool has (or will have: libuv reads UV_THREADPOOL_SIZE once,
 * when the pool is first used), by libuv's rule: the variable as a decimal number, 0 counting as 1,
 * capped at 1024; 4 when it is not set.
 */
export function threadpoolSize(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.UV_THREADPOOL_SIZE;
  if (text === undefined) return 4;
  const n = Number.parseInt(text, 10);
  if (!Number.isFinite(n) || n <= 0) return 1;
  return Math.min(n, MAX_THREADPOOL_SIZE);
}

export class CallbackSigner {
  readonly verifies: boolean;
  private readonly keys: readonly Prepared[];
  private readonly check: NodeCryptoBackend;

  private constructor(keys: readonly Prepared[], verify: boolean, check: NodeCryptoBackend) {
    this.keys = keys;
    this.verifies = verify;
    this.check = check;
  }

  /** Imports the keys; throws CryptoError if one cannot sign or does not match its public key. */
  static create(keys: readonly CallbackSignerKey[], options: CallbackSignerOptions = {}): CallbackSigner {
    const check = createNodeBackend({ keyCacheSize: 64 });
    const prepared = keys.map((k) => {
      const sign = prepareNodeSign(k.privateKey);
      const pub = k.publicKey;
      if (pub.length !== sign.publicKey.length || !pub.every((b, i) => b === sign.publicKey[i])) {
        throw new CryptoError(`the ${algorithmMnemonic(sign.algorithm)} private key does not match its public key`);
      }
      return { sign, hash: p256DefaultDigest(sign, check), publicKey: pub };
    });
    return new CallbackSigner(prepared, options.verify === true, check);
  }

  /** Signs (and with `verify` checks) every job on the threadpool; signatures in job order. */
  signBatch(jobs: readonly CallbackSignerJob[]): Promise<Uint8Array[]> {
    const n = jobs.length;
    const out = new Array<Uint8Array>(n);
    if (n === 0) return Promise.resolve(out);
    return new Promise<Uint8Array[]>((resolve, reject) => {
      let left = n;
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const done = (i: number, sig: Uint8Array): void => {
        out[i] = sig;
        if (--left === 0 && !failed) resolve(out);
      };
      for (let i = 0; i < n; i++) {
        const job = jobs[i]!;
        const k = this.keys[job.key];
        if (k === undefined) {
          fail(new CryptoError(`no signing key ${job.key}`));
          return;
        }
        const p = k.sign;
        try {
          nodeSign(k.hash, job.data, p.key, (err, raw) => {
            if (failed) return;
            if (err !== null) {
              fail(new CryptoError(`${algorithmMnemonic(p.algorithm)} signing failed`, { cause: err }));
              return;
            }
            let sig: Uint8Array;
            try {
              sig = p.finish(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
            } catch (error) {
              fail(error instanceof Error ? error : new CryptoError(String(error)));
              return;
            }
            if (!this.verifies) {
              done(i, sig);
              return;
            }
            this.verifyOne(k, job.data, sig, (ok) => {
              if (ok) done(i, sig);
              else fail(new CryptoError(`a new ${algorithmMnemonic(p.algorithm)} signature does not verify with its DNSKEY`));
            });
          });
        } catch (error) {
          fail(new CryptoError(`${algorithmMnemonic(p.algorithm)} signing failed`, { cause: error }));
          return;
        }
      }
    });
  }

  /** Checks one signature on the threadpool with the DNSKEY's public key. */
  private verifyOne(k: Prepared, data: Uint8Array, sig: Uint8Array, then: (ok: boolean) => void): void {
    let prepared;
    try {
      prepared = this.check.prepareVerify(k.sign.algorithm, k.publicKey, data, sig);
    } catch {
      prepared = false as const;
    }
    if (prepared === false) {
      then(false);
      return;
    }
    try {
      nodeVerify(prepared.hash, data, prepared.key, prepared.signature, (err, ok) => {
        then(err === null && ok);
      });
    } catch {
      then(false);
    }
  }
}
