// The crypto layer's contract with the validator and the signer (DESIGN.md convention 8).
//
// Everything here works on the raw DNSSEC fields: the DNSKEY public key field (RFC 4034 §2.1.4),
// the RRSIG signature field (RFC 4034 §3.1.8) and the signed data (RFC 4034 §3.1.8.1: RRSIG rdata
// without the signature, then the canonical RRset), which the dnssec module builds. No wire codec.
//
// Error discipline: hostile bytes never throw. A wrong signature, or a key or signature that cannot
// be decoded, is simply `false`. CryptoError is for programmer errors only: asking a backend to
// verify an algorithm it does not support (callers check `supportsVerify` first), or signing with
// key material that cannot be used.

import { CryptoError } from '../core/errors.js';

/** One signature check. Plain data (numbers and Uint8Arrays) so it can cross a worker boundary. */
export interface VerifyJob {
  readonly algorithm: number;
  /** DNSKEY public key field. */
  readonly publicKey: Uint8Array;
  /** Signed data (RFC 4034 §3.1.8.1). */
  readonly data: Uint8Array;
  /** RRSIG signature field. */
  readonly signature: Uint8Array;
}

export interface CryptoBackend {
  /** Short name for logs and metrics (`node`, `noble`, `pool(node)`...). */
  readonly name: string;
  /** Whether `verify` handles this algorithm number. */
  supportsVerify(algorithm: number): boolean;
  /**
   * True if `signature` is a valid signature by `publicKey` over `data`. False for a wrong
   * signature and for malformed keys or signatures. Throws CryptoError only if the algorithm is not
   * supported or an argument is not a Uint8Array.
   */
  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
  /**
   * Verifies many jobs; the answer has one boolean per job, in order. In-thread backends answer
   * synchronously inside the promise; a worker pool spreads the jobs. Rejects (with CryptoError)
   * exactly when `verify` would throw for one of the jobs.
   */
  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]>;
}

/** A private key ready to sign with. */
export interface Signer {
  readonly algorithm: number;
  /** The DNSKEY public key field for this key. */
  readonly publicKey: Uint8Array;
  /** True if signing the same data twice gives the same bytes (RSA, EdDSA, RFC 6979 ECDSA). */
  readonly deterministic: boolean;
  /** The backend that does the work (`node`, `noble`). */
  readonly backend: string;
  /** The RRSIG signature field over `data`. Throws CryptoError if the key cannot sign. */
  sign(data: Uint8Array): Uint8Array;
  /** Signs many messages; same results as `sign` in order. A worker pool can stand behind it. */
  signBatch(data: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

/** Throws CryptoError if a verify argument is not a Uint8Array (a bug in the caller). */
export function assertVerifyArgs(
  algorithm: number,
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): void {
  if (!Number.isInteger(algorithm) || algorithm < 0 || algorithm > 255) {
    throw new CryptoError(`algorithm must be an integer 0..255, got ${String(algorithm)}`);
  }
  if (!(publicKey instanceof Uint8Array) || !(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new CryptoError('publicKey, data and signature must be Uint8Arrays');
  }
}

/** The CryptoError a backend throws when asked for an algorithm it lacks. */
export function unsupportedAlgorithm(backend: string, algorithm: number, what = 'verify'): CryptoError {
  return new CryptoError(`${backend} backend cannot ${what} algorithm ${algorithm}`);
}

/** verifyBatch for in-thread backends: runs the jobs one after another. */
export function verifyBatchInline(backend: CryptoBackend, jobs: readonly VerifyJob[]): Promise<boolean[]> {
  try {
    return Promise.resolve(jobs.map((j) => backend.verify(j.algorithm, j.publicKey, j.data, j.signature)));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new CryptoError(String(err)));
  }
}

/** signBatch for in-thread signers. */
export function signBatchInline(signer: Signer, data: readonly Uint8Array[]): Promise<Uint8Array[]> {
  try {
    return Promise.resolve(data.map((d) => signer.sign(d)));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new CryptoError(String(err)));
  }
}
