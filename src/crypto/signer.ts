// The signer façade the zone signer and key manager call: pick a backend for a private key,
// generate keys, derive the DNSKEY public key field.
//
// node:crypto signs everything; RSA (RFC 8017 §8.2) and EdDSA (RFC 8032) signatures are
// deterministic by construction. ECDSA from OpenSSL uses random nonces, so when reproducible
// output is asked for (signed zones that diff cleanly, known-answer tests) ECDSA goes to noble
// with RFC 6979 nonces. Either kind of signature verifies the same (RFC 6605 §4 does not care).

import type { Signer } from './backend.js';
import { createNobleSigner } from './noble-backend.js';
import { createNodeSigner, generateNodePrivateKey, type GenerateKeyOptions } from './node-backend.js';
import type { PrivateKey } from './private-key.js';

export interface SignerOptions {
  /** Same data, same signature bytes: RFC 6979 for ECDSA. Default false. */
  readonly deterministic?: boolean;
}

/** A signer for `key`. Throws CryptoError if the material is unusable or the algorithm unsupported. */
export function createSigner(key: PrivateKey, options: SignerOptions = {}): Signer {
  if (options.deterministic === true && key.type === 'ecdsa') return createNobleSigner(key);
  return createNodeSigner(key);
}

/** New key material; see {@link GenerateKeyOptions} for sizes and injected randomness. */
export function generatePrivateKey(algorithm: number, options: GenerateKeyOptions = {}): PrivateKey {
  return generateNodePrivateKey(algorithm, options);
}

/** The DNSKEY public key field (RFC 4034 §2.1.4) for private key material. */
export function publicKeyFromPrivateKey(key: PrivateKey): Uint8Array {
  return createNodeSigner(key).publicKey;
}

export type { GenerateKeyOptions };
