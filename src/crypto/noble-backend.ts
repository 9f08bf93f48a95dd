// The pure-JS backend: @noble/curves for ECDSA (RFC 6605) and EdDSA (RFC 8080), and BigInt RSA
// (RFC 3110, RFC 5702) and DSA (RFC 2536) with @noble/hashes. It is a complete second
// implementation, used as the oracle in differential tests, and the source of deterministic
// ECDSA signatures (RFC 6979) for reproducible signed zones.
//
// noble 2.x specifics (DESIGN.md "Toolchain facts"): ECDSA verify defaults to `lowS: true`,
// which rejects about half of OpenSSL's valid signatures, so we pass `lowS: false`; noble hashes
// the message itself (`prehash: true`) with the curve's hash, which for P-256/SHA-256 and
// P-384/SHA-384 is exactly RFC 6605 §4. Ed25519 verify defaults to ZIP-215 rules; DNSSEC follows
// RFC 8032, so we pass `zip215: false` to agree with OpenSSL on non-canonical encodings.

import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { CryptoError } from '../core/errors.js';
import { algorithmMnemonic } from '../dnssec/algorithms.js';
import {
  assertVerifyArgs,
  signBatchInline,
  unsupportedAlgorithm,
  verifyBatchInline,
  type CryptoBackend,
  type Signer,
  type VerifyJob,
} from './backend.js';
import { concatBytes } from './bytes.js';
import {
  DEFAULT_RSA_LIMITS,
  decodeDsaPublicKey,
  decodeRsaPublicKey,
  rsaKeyUsable,
  type RsaLimits,
} from './dnskey-public-key.js';
import { dsaVerify } from './dsa-fips186.js';
import { decodeDsaSignature } from './dsa-signature.js';
import { ecdsaScalar, privateKeyProblem, type PrivateKey } from './private-key.js';
import { rsaPkcs1Verify, type RsaHash } from './rsa-pkcs1.js';

const RSA_HASH: ReadonlyMap<number, RsaHash> = new Map<number, RsaHash>([
  [5, 'sha1'],
  [7, 'sha1'],
  [8, 'sha256'],
  [10, 'sha512'],
]);

/** Algorithms the noble backend verifies: the same set as node. */
export const NOBLE_VERIFY_ALGORITHMS: readonly number[] = [3, 5, 6, 7, 8, 10, 13, 14, 15, 16];
/** Algorithms the noble backend signs with (deterministically). */
export const NOBLE_SIGN_ALGORITHMS: readonly number[] = [13, 14, 15, 16];

const UNCOMPRESSED = Uint8Array.of(0x04);

export interface NobleBackendOptions {
  /** RSA key bounds for verification; same defaults as the node backend. */
  readonly rsaLimits?: Partial<RsaLimits>;
}

export class NobleCryptoBackend implements CryptoBackend {
  readonly name = 'noble';
  private readonly rsaLimits: RsaLimits;

  constructor(options: NobleBackendOptions = {}) {
    this.rsaLimits = { ...DEFAULT_RSA_LIMITS, ...options.rsaLimits };
  }

  supportsVerify(algorithm: number): boolean {
    return NOBLE_VERIFY_ALGORITHMS.includes(algorithm);
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    assertVerifyArgs(algorithm, publicKey, data, signature);
    if (!this.supportsVerify(algorithm)) throw unsupportedAlgorithm(this.name, algorithm);
    try {
      return this.verifySupported(algorithm, publicKey, data, signature);
    } catch {
      // noble throws on malformed points and signatures; hostile bytes are a `false`, not an error.
      return false;
    }
  }

  private verifySupported(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    switch (algorithm) {
      case 3:
      case 6: {
        const key = decodeDsaPublicKey(publicKey);
        const sig = decodeDsaSignature(signature);
        if (key === undefined || sig === undefined) return false;
        return dsaVerify(key, data, sig.r, sig.s);
      }
      case 13:
      case 14: {
        const curve = algorithm === 13 ? p256 : p384;
        const len = algorithm === 13 ? 64 : 96;
        if (publicKey.length !== len || signature.length !== len) return false;
        return curve.verify(signature, data, concatBytes(UNCOMPRESSED, publicKey), {
          lowS: false,
          prehash: true,
          format: 'compact',
        });
      }
      case 15:
        if (publicKey.length !== 32 || signature.length !== 64) return false;
        return ed25519.verify(signature, data, publicKey, { zip215: false });
      case 16:
        if (publicKey.length !== 57 || signature.length !== 114) return false;
        return ed448.verify(signature, data, publicKey);
      default: {
        const hash = RSA_HASH.get(algorithm)!;
        const key = decodeRsaPublicKey(publicKey);
        if (key === undefined || !rsaKeyUsable(key, this.rsaLimits)) return false;
        return rsaPkcs1Verify(hash, key.modulus, key.exponent, data, signature);
      }
    }
  }

  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    return verifyBatchInline(this, jobs);
  }
}

export function createNobleBackend(options: NobleBackendOptions = {}): NobleCryptoBackend {
  return new NobleCryptoBackend(options);
}

/**
 * A deterministic signer for ECDSA (RFC 6979 nonces, no extra entropy, s not normalised so the
 * output is the plain RFC 6979 signature) and EdDSA (deterministic by construction, RFC 8032).
 * Throws CryptoError for other algorithms and unusable material.
 */
export function createNobleSigner(key: PrivateKey): Signer {
  const problem = privateKeyProblem(key);
  if (problem !== undefined) throw new CryptoError(`cannot sign: ${problem}`);
  let publicKey: Uint8Array;
  let sign: (data: Uint8Array) => Uint8Array;
  if (key.type === 'ecdsa') {
    const curve = key.algorithm === 13 ? p256 : p384;
    const d = ecdsaScalar(key);
    publicKey = curve.getPublicKey(d, false).subarray(1); // drop the SEC1 0x04 prefix (RFC 6605 §4)
    sign = (data) => curve.sign(data, d, { prehash: true, lowS: false, extraEntropy: false, format: 'compact' });
  } else if (key.type === 'eddsa') {
    const curve = key.algorithm === 15 ? ed25519 : ed448;
    const seed = key.privateKey;
    publicKey = curve.getPublicKey(seed);
    sign = (data) => curve.sign(data, seed);
  } else {
    throw unsupportedAlgorithm('noble', key.algorithm, 'sign with');
  }
  const signer: Signer = {
    algorithm: key.algorithm,
    publicKey,
    deterministic: true,
    backend: 'noble',
    sign(data: Uint8Array): Uint8Array {
      try {
        return sign(data);
      } catch (err) {
        throw new CryptoError(`${algorithmMnemonic(key.algorithm)} signing failed`, { cause: err });
      }
    },
    signBatch(data: readonly Uint8Array[]): Promise<Uint8Array[]> {
      return signBatchInline(signer, data);
    },
  };
  return Object.freeze(signer);
}
