// The native verify backend: RSA (RFC 3110 §3, RFC 5702 §3), ECDSA (RFC 6605 §4) and EdDSA
// (RFC 8080 §4) through the N-API addon native/anchord_verify.c, DSA through the node backend.
//
// Why (bench/README.md "Crypto verify"): node:crypto on Node 20 / OpenSSL 3.0 sets up a new
// OpenSSL context on every `crypto.verify` or `publicDecrypt`, which held RSA-2048 at ~0.7 and
// P-256 at ~0.86 of `openssl speed`; the addon keeps one ready EVP_PKEY_CTX per DNSKEY (padding
// and digest set once) and verifies a digest it computes with a kept EVP_MD_CTX, as `openssl speed`
// does. For EdDSA it keeps an EVP_MD_CTX with EVP_DigestVerifyInit done per key (measured: Ed25519
// 58.7 against node's 61.7 µs per check, Ed448 151.9 against 157.3), and the addon can run the
// checks of a batch on libuv's threadpool (verify-pool.ts NativeAsyncVerifier), which needs every
// common algorithm in the addon. An addon built before EdDSA support leaves EdDSA to node. DSA is
// legacy and stays on node.
//
// Keys are decoded and bounded here exactly as in the node backend (RFC 3110 §2 field, the
// configured RSA limits, RFC 6605 §4 lengths), imported once and cached by (algorithm, key bytes)
// in a bounded CLOCK cache; a key OpenSSL refuses (e.g. a point off the curve) is cached as
// unusable. Signatures are untrusted: an RSA signature shorter than the modulus is left-padded
// (the same integer, RFC 8017 §4.1), a longer one or an ECDSA one of the wrong length is `false`
// before the addon sees it, and the addon checks every length again.
//
// `createPreferredBackend` is what the resolver's verify paths use (verify-pool.ts and its
// workers): this backend when the addon loaded, else the node backend, and on the main thread a
// log record, once, saying why.

import { isMainThread } from 'node:worker_threads';
import { publishLog } from '../core/diagnostics.js';
import { CryptoError } from '../core/errors.js';
import { assertVerifyArgs, unsupportedAlgorithm, type CryptoBackend, type VerifyJob } from './backend.js';
import { fitUnsigned } from './bytes.js';
import { DEFAULT_RSA_LIMITS, decodeRsaPublicKey, rsaKeyUsable, type RsaLimits } from './dnskey-public-key.js';
import { PublicKeyCache } from './key-cache.js';
import { NATIVE_DIGEST, loadNativeAddon, type NativeAddon, type NativeKey } from './native-addon.js';
import { createNodeBackend, type NodeBackendOptions, type NodeCryptoBackend } from './node-backend.js';
import { DIGEST_INFO_PREFIX, RSA_DIGEST_LENGTH, type RsaHash } from './rsa-pkcs1.js';

/** Algorithms the addon verifies, with the RSA digest or the ECDSA field length. */
const RSA_HASH = new Map<number, RsaHash>([
  [5, 'sha1'],
  [7, 'sha1'],
  [8, 'sha256'],
  [10, 'sha512'],
]);
const EC_LENGTH = new Map<number, number>([
  [13, 64],
  [14, 96],
]);
/** EdDSA key and signature lengths (RFC 8080 §3, §4; RFC 8032 §5.1.5, §5.2.5). */
const ED_LENGTHS = new Map<number, { readonly key: number; readonly sig: number }>([
  [15, { key: 32, sig: 64 }],
  [16, { key: 57, sig: 114 }],
]);

/**
 * What `NativeCryptoBackend.prepare` gives for one check: the imported key and the signature in
 * the form the addon takes, or the answer itself (a key or signature that cannot be used: false;
 * an algorithm the addon does not do: node's answer).
 */
export type NativePrepared = { readonly key: NativeKey; readonly signature: Uint8Array } | boolean;

interface Imported {
  readonly key: NativeKey;
  /** Exact signature length: RSA modulus octets, ECDSA r || s. */
  readonly sigLength: number;
  readonly rsa: boolean;
}
const UNUSABLE = Symbol('unusable');
type Entry = Imported | typeof UNUSABLE;

export class NativeCryptoBackend implements CryptoBackend {
  readonly name = 'native';
  private readonly addon: NativeAddon;
  private readonly node: NodeCryptoBackend;
  private readonly cache: PublicKeyCache<Entry>;
  private readonly rsaLimits: RsaLimits;
  private readonly maxKeyBytes: number;

  /** Whether the addon does EdDSA (builds before it do not; node verifies EdDSA then). */
  private readonly eddsa: boolean;

  constructor(addon: NativeAddon, options: NodeBackendOptions = {}) {
    this.addon = addon;
    this.eddsa = typeof addon.edKey === 'function';
    this.node = createNodeBackend(options);
    this.cache = new PublicKeyCache<Entry>(options.keyCacheSize ?? 4096);
    this.rsaLimits = { ...DEFAULT_RSA_LIMITS, ...options.rsaLimits };
    this.maxKeyBytes = Math.max(1024, Math.ceil(this.rsaLimits.maxBits / 8) + 64);
  }

  /** The same algorithms as the node backend (which answers for DSA). */
  supportsVerify(algorithm: number): boolean {
    return this.node.supportsVerify(algorithm);
  }

  /** Cache statistics of the native keys (EdDSA and DSA keys sit in the node backend's cache). */
  cacheStats(): { size: number; capacity: number; hits: number; misses: number } {
    return { size: this.cache.size, capacity: this.cache.capacity, hits: this.cache.hits, misses: this.cache.misses };
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    const ready = this.prepare(algorithm, publicKey, data, signature);
    return typeof ready === 'boolean' ? ready : this.addon.verify(ready.key, data, ready.signature);
  }

  /** All native checks of the batch in one call into the addon; the rest through node. */
  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    try {
      return Promise.resolve(this.verifyMany(jobs));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new CryptoError(String(err)));
    }
  }

  /** Synchronous form of `verifyBatch` (the pool's workers use it). Throws as `verify` does. */
  verifyMany(jobs: readonly VerifyJob[]): boolean[] {
    // One check (a cold query's usual batch): straight to `verify`, without the batch's arrays.
    if (jobs.length === 1) {
      const j = jobs[0]!;
      return [this.verify(j.algorithm, j.publicKey, j.data, j.signature)];
    }
    for (const j of jobs) {
      assertVerifyArgs(j.algorithm, j.publicKey, j.data, j.signature);
      if (!this.supportsVerify(j.algorithm)) throw unsupportedAlgorithm(this.name, j.algorithm);
    }
    const out = new Array<boolean>(jobs.length);
    const keys: NativeKey[] = [];
    const data: Uint8Array[] = [];
    const sigs: Uint8Array[] = [];
    const at: number[] = [];
    for (let i = 0; i < jobs.length; i++) {
      const j = jobs[i]!;
      if (!this.native(j.algorithm)) {
        out[i] = this.node.verify(j.algorithm, j.publicKey, j.data, j.signature);
        continue;
      }
      const entry = this.entry(j.algorithm, j.publicKey);
      const sig = entry === UNUSABLE ? undefined : this.fitSignature(entry, j.signature);
      if (entry === UNUSABLE || sig === undefined) {
        out[i] = false;
        continue;
      }
      keys.push(entry.key);
      data.push(j.data);
      sigs.push(sig);
      at.push(i);
    }
    if (keys.length > 0) {
      const ok = new Uint8Array(keys.length);
      this.addon.verifyBatch(keys, data, sigs, ok);
      for (let k = 0; k < at.length; k++) out[at[k]!] = ok[k] === 1;
    }
    return out;
  }

  /**
   * One check made ready for the addon (for callers that run it elsewhere, e.g. the addon's
   * verifyAsync): the key from the same cache and the signature fitted as `verify` does, or the
   * answer when there is nothing to hand over (NativePrepared). Throws as `verify` does.
   */
  prepare(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): NativePrepared {
    assertVerifyArgs(algorithm, publicKey, data, signature);
    if (!this.supportsVerify(algorithm)) throw unsupportedAlgorithm(this.name, algorithm);
    if (!this.native(algorithm)) return this.node.verify(algorithm, publicKey, data, signature);
    const entry = this.entry(algorithm, publicKey);
    if (entry === UNUSABLE) return false;
    const sig = this.fitSignature(entry, signature);
    return sig === undefined ? false : { key: entry.key, signature: sig };
  }

  /** A check `prepare` made ready, here and now. */
  verifyPrepared(key: NativeKey, data: Uint8Array, signature: Uint8Array): boolean {
    return this.addon.verify(key, data, signature);
  }

  /** The addon's verifyAsync for keys of this backend, when the build has it. */
  asyncRunner(): NativeAddon['verifyAsync'] {
    const addon = this.addon;
    if (addon.verifyAsync === undefined) return undefined;
    return (keys, data, signatures, callback) => addon.verifyAsync!(keys, data, signatures, callback);
  }

  /** True when the addon verifies this algorithm. */
  private native(algorithm: number): boolean {
    return RSA_HASH.has(algorithm) || EC_LENGTH.has(algorithm) || (this.eddsa && ED_LENGTHS.has(algorithm));
  }

  private entry(algorithm: number, publicKey: Uint8Array): Entry {
    if (publicKey.length > this.maxKeyBytes) return UNUSABLE;
    let entry = this.cache.get(algorithm, publicKey);
    if (entry === undefined) {
      entry = this.importKey(algorithm, publicKey);
      this.cache.set(algorithm, publicKey, entry);
    }
    return entry;
  }

  private importKey(algorithm: number, field: Uint8Array): Entry {
    const hash = RSA_HASH.get(algorithm);
    if (hash !== undefined) {
      const k = decodeRsaPublicKey(field);
      if (k === undefined || !rsaKeyUsable(k, this.rsaLimits)) return UNUSABLE;
      // RFC 8017 §9.2 step 3: the modulus must hold DigestInfo, the digest and 11 octets.
      if (k.modulus.length < DIGEST_INFO_PREFIX[hash].length + RSA_DIGEST_LENGTH[hash] + 11) return UNUSABLE;
      const key = this.addon.rsaKey(NATIVE_DIGEST[hash], k.modulus, k.exponent);
      return key === null ? UNUSABLE : { key, sigLength: k.modulus.length, rsa: true };
    }
    const ed = ED_LENGTHS.get(algorithm);
    if (ed !== undefined) {
      if (field.length !== ed.key || this.addon.edKey === undefined) return UNUSABLE;
      const key = this.addon.edKey(algorithm as 15 | 16, field);
      return key === null ? UNUSABLE : { key, sigLength: ed.sig, rsa: false };
    }
    const length = EC_LENGTH.get(algorithm)!;
    if (field.length !== length) return UNUSABLE;
    const key = this.addon.ecKey(algorithm as 13 | 14, field);
    return key === null ? UNUSABLE : { key, sigLength: length, rsa: false };
  }

  private fitSignature(entry: Imported, signature: Uint8Array): Uint8Array | undefined {
    if (entry.rsa) return fitUnsigned(signature, entry.sigLength);
    return signature.length === entry.sigLength ? signature : undefined;
  }
}

/** A native backend, or undefined (with the reason) when the addon is not there. */
export function createNativeBackend(options: NodeBackendOptions = {}): { backend: NativeCryptoBackend } | { reason: string } {
  const load = loadNativeAddon();
  return load.ok ? { backend: new NativeCryptoBackend(load.addon, options) } : { reason: load.reason };
}

let reported = false;

/**
 * The verify backend to use in-thread: native when the addon loaded, else node:crypto. On the
 * main thread the fallback is logged once per process (workers have no log sink).
 */
export function createPreferredBackend(options: NodeBackendOptions = {}): NativeCryptoBackend | NodeCryptoBackend {
  const made = createNativeBackend(options);
  if ('backend' in made) return made.backend;
  if (!reported && isMainThread) {
    reported = true;
    publishLog({ level: 'warn', msg: 'crypto: native verifier not available, verifying with node:crypto', reason: made.reason });
  }
  return createNodeBackend(options);
}
