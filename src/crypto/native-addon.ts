// Loading native/anchord_verify.c, the N-API verifier that keeps one ready OpenSSL verify context
// per DNSKEY (see that file and bench/README.md "Crypto verify" for why it exists).
//
// The addon is built by `npm ci` (the package's `install` script, scripts/build-native.mjs) into
// native/build/Release/. When it is missing or fails to load, callers fall back to node:crypto
// (native-backend.ts); `loadNativeAddon` says why, once per thread, and never throws.
// ANCHORD_NATIVE_CRYPTO=0 in the environment turns it off (for comparisons and as an escape hatch).

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** An imported key: an opaque handle owned by the thread that made it. */
export interface NativeKey {
  readonly __nativeKey: never;
}

/** Digest selectors of `rsaKey` (RFC 3110 §3 SHA-1, RFC 5702 §3 SHA-256 and SHA-512). */
export const NATIVE_DIGEST = { sha1: 1, sha256: 2, sha512: 4 } as const;
export type NativeDigest = (typeof NATIVE_DIGEST)[keyof typeof NATIVE_DIGEST];

/** The addon's exports (native/anchord_verify.c). Keys are null when OpenSSL refuses them. */
export interface NativeAddon {
  /** RSA key from modulus and exponent (big-endian octets, RFC 3110 §2). */
  rsaKey(digest: NativeDigest, modulus: Uint8Array, exponent: Uint8Array): NativeKey | null;
  /** ECDSA key from the RFC 6605 §4 field (x || y) for algorithm 13 or 14. */
  ecKey(algorithm: 13 | 14, xy: Uint8Array): NativeKey | null;
  /**
   * EdDSA key from the RFC 8080 §3 field (32 octets Ed25519, 57 Ed448). Absent from builds older
   * than the EdDSA support: EdDSA then goes through node:crypto.
   */
  edKey?(algorithm: 15 | 16, key: Uint8Array): NativeKey | null;
  /** True if `signature` is valid over `data`: RSA exactly modulus octets, ECDSA r || s, EdDSA R || S. */
  verify(key: NativeKey, data: Uint8Array, signature: Uint8Array): boolean;
  /** Many checks in one call: out[i] is 1 for a valid signature, 0 otherwise. */
  verifyBatch(keys: readonly NativeKey[], data: readonly Uint8Array[], signatures: readonly Uint8Array[], out: Uint8Array): void;
  /**
   * The checks on one of libuv's threads; later `callback(out)` (out[i] 1 valid, 0 not; null if
   * the batch could not run). False, and nothing queued, while an earlier batch is still running:
   * one batch at a time. Bytes are copied when queued. Absent from older builds.
   */
  verifyAsync?(
    keys: readonly NativeKey[],
    data: readonly Uint8Array[],
    signatures: readonly Uint8Array[],
    callback: (out: Uint8Array | null) => void,
  ): boolean;
}

export type NativeLoad =
  | { readonly ok: true; readonly addon: NativeAddon; readonly path: string }
  | { readonly ok: false; readonly reason: string; readonly path: string };

/** Where the build puts the addon: native/build/Release beside src/ and dist/. */
export function nativeAddonPath(): string {
  return fileURLToPath(new URL('../../native/build/Release/anchord_verify.node', import.meta.url));
}

let loaded: NativeLoad | undefined;

/** The addon, loaded on first use (per thread), or why it could not be. Never throws. */
export function loadNativeAddon(): NativeLoad {
  if (loaded !== undefined) return loaded;
  const path = nativeAddonPath();
  if (process.env.ANCHORD_NATIVE_CRYPTO === '0') {
    loaded = { ok: false, reason: 'turned off by ANCHORD_NATIVE_CRYPTO=0', path };
    return loaded;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<NativeAddon> | undefined;
    const fns = ['rsaKey', 'ecKey', 'verify', 'verifyBatch'] as const;
    const missing = fns.filter((f) => typeof addon?.[f] !== 'function');
    loaded = missing.length === 0
      ? { ok: true, addon: addon as NativeAddon, path }
      : { ok: false, reason: `${path} lacks ${missing.join(', ')} (stale build? run npm run build:native)`, path };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const reason = code === 'MODULE_NOT_FOUND'
      ? `${path} was not built (npm run build:native; it needs python3, make, a C compiler and node's headers)`
      : `${path} did not load: ${err instanceof Error ? err.message : String(err)}`;
    loaded = { ok: false, reason, path };
  }
  return loaded;
}
