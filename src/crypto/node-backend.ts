// The node:crypto (OpenSSL) backend: the hot path for every algorithm (DESIGN.md convention 8).
//
// Verification imports each DNSKEY once and keeps the KeyObject in a bounded LRU cache keyed by
// (algorithm, key bytes); a miss that cannot be imported is cached too, so a hostile key costs one
// failed import, not one per RRSIG. Imports go through JWK where node has it (RSA, EC, OKP: RSA
// from JWK is ~30x faster than from SPKI DER) and through SPKI DER for DSA, which has no JWK form.
//
// - RSA (RFC 3110 keys; RFC 3110 §3, RFC 5702 §3 signatures): RSASSA-PKCS1-v1_5 with SHA-1,
//   SHA-256 or SHA-512 (RFC 8017 §8.2.2). A signature shorter than the modulus is left-padded:
//   it is the same integer (RFC 8017 §4.1), and some signers drop leading zero octets. We run
//   RSAVP1 through `publicDecrypt` without padding and compare the whole encoded message with
//   the expected EMSA-PKCS1-v1_5 encoding (§8.2.2 steps 2-4), which is what OpenSSL does inside
//   `verify` but skips the per-call digest and context set-up that `crypto.verify` pays under
//   OpenSSL 3.0 (measured in bench/crypto: about a fifth of an RSA-2048 verify).
// - DSA (RFC 2536): FIPS 186 with SHA-1; the T||R||S field or a DER Dss-Sig-Value is turned into
//   the IEEE P1363 r||s form that node reads.
// - ECDSA (RFC 6605 §4): raw r||s, so `dsaEncoding: 'ieee-p1363'`.
// - EdDSA (RFC 8080 §4): pure Ed25519/Ed448, no prehash, no context.
//
// Signing and key generation live here as well (the signer picks node unless deterministic ECDSA
// is wanted; see signer.ts).

import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hash as nodeHash,
  publicDecrypt,
  sign as nodeSign,
  verify as nodeVerify,
  type JsonWebKey,
  type KeyObject,
  type RsaPublicKey as NodeRsaPublicKey,
  type SignKeyObjectInput,
  type VerifyKeyObjectInput,
} from 'node:crypto';
import { CryptoError } from '../core/errors.js';
import type { Random } from '../core/random.js';
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
import { asBuffer, bytesToBigInt, bigIntToBytes, concatBytes, fitUnsigned, fromBase64Url, stripLeadingZeros, toBase64Url } from './bytes.js';
import {
  derBitString,
  derOctetString,
  derOid,
  derSequence,
  derSmallInteger,
  derUnsignedInteger,
  readChildren,
  readTlv,
  readUnsignedInteger,
} from './der.js';
import {
  DEFAULT_RSA_LIMITS,
  decodeDsaPublicKey,
  decodeRsaPublicKey,
  encodeDsaPublicKey,
  encodeRsaPublicKey,
  rsaKeyUsable,
  type RsaLimits,
} from './dnskey-public-key.js';
import { decodeDsaSignature, encodeDsaSignature } from './dsa-signature.js';
import { PublicKeyCache } from './key-cache.js';
import { modPow } from './modular.js';
import { ecdsaScalar, privateKeyProblem, type PrivateKey } from './private-key.js';
import { DIGEST_INFO_PREFIX, RSA_DIGEST_LENGTH, type RsaHash } from './rsa-pkcs1.js';

type Family = 'rsa' | 'dsa' | 'ec' | 'ed';

interface AlgorithmSpec {
  readonly family: Family;
  /** Digest name for node:crypto; null for EdDSA, which hashes internally. */
  readonly hash: RsaHash | 'sha384' | null;
  /** JWK curve name for EC and OKP keys. */
  readonly curve?: 'P-256' | 'P-384' | 'Ed25519' | 'Ed448';
  /** Length of the key field and of the signature for the fixed-size families. */
  readonly keyLength?: number;
  readonly sigLength?: number;
}

const SPECS = new Map<number, AlgorithmSpec>([
  [3, { family: 'dsa', hash: 'sha1' }],
  [5, { family: 'rsa', hash: 'sha1' }],
  [6, { family: 'dsa', hash: 'sha1' }],
  [7, { family: 'rsa', hash: 'sha1' }],
  [8, { family: 'rsa', hash: 'sha256' }],
  [10, { family: 'rsa', hash: 'sha512' }],
  [13, { family: 'ec', hash: 'sha256', curve: 'P-256', keyLength: 64, sigLength: 64 }],
  [14, { family: 'ec', hash: 'sha384', curve: 'P-384', keyLength: 96, sigLength: 96 }],
  [15, { family: 'ed', hash: null, curve: 'Ed25519', keyLength: 32, sigLength: 64 }],
  [16, { family: 'ed', hash: null, curve: 'Ed448', keyLength: 57, sigLength: 114 }],
]);

/** Algorithms the node backend verifies. RSAMD5 (1) is MUST NOT for validation (RFC 8624 §3.1). */
export const NODE_VERIFY_ALGORITHMS: readonly number[] = [...SPECS.keys()];

// OIDs (contents octets, hex): id-dsa 1.2.840.10040.4.1 (RFC 3279 §2.3.2), id-ecPublicKey
// 1.2.840.10045.2.1, prime256v1 1.2.840.10045.3.1.7, secp384r1 1.3.132.0.34 (RFC 5480 §2.1.1),
// id-Ed25519 1.3.101.112 and id-Ed448 1.3.101.113 (RFC 8410 §3).
const OID_DSA = '2a8648ce380401';
const OID_EC_PUBLIC_KEY = '2a8648ce3d0201';
const OID_P256 = '2a8648ce3d030107';
const OID_P384 = '2b81040022';
const OID_ED25519 = '2b6570';
const OID_ED448 = '2b6571';

interface ImportedKey {
  readonly key: KeyObject | VerifyKeyObjectInput;
  /** Exact signature length node expects (RSA: modulus octets). */
  readonly sigLength: number;
  /** RSA only: the key with no padding, for RSAVP1 through publicDecrypt. */
  readonly rsa?: NodeRsaPublicKey;
  /** RSA only: EMSA-PKCS1-v1_5 encoding up to the digest: 00 01 FF..FF 00 DigestInfo prefix. */
  readonly emPrefix?: Buffer;
}

/** EMSA-PKCS1-v1_5 (RFC 8017 §9.2) for a k-octet modulus, without the trailing digest. */
function emsaPrefix(hash: RsaHash, k: number): Buffer | undefined {
  const info = DIGEST_INFO_PREFIX[hash];
  const hLen = RSA_DIGEST_LENGTH[hash];
  if (k < info.length + hLen + 11) return undefined; // step 3: intended encoded message length too short
  const em = Buffer.alloc(k - hLen, 0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - hLen - info.length - 1] = 0x00;
  em.set(info, k - hLen - info.length);
  return em;
}

/** Cached marker for a key that cannot be imported. */
const UNUSABLE = Symbol('unusable');
type CacheEntry = ImportedKey | typeof UNUSABLE;

export interface NodeBackendOptions {
  /** Imported keys kept (CLOCK eviction, see key-cache.ts). Default 4096. */
  readonly keyCacheSize?: number;
  /** RSA key bounds for verification. Default 512..4096 bits, exponent ≤ 64 bits. */
  readonly rsaLimits?: Partial<RsaLimits>;
}

export class NodeCryptoBackend implements CryptoBackend {
  readonly name = 'node';
  private readonly cache: PublicKeyCache<CacheEntry>;
  private readonly rsaLimits: RsaLimits;
  /** Key fields longer than this are refused without caching (rdata can be 64 KiB). */
  private readonly maxKeyBytes: number;

  constructor(options: NodeBackendOptions = {}) {
    this.cache = new PublicKeyCache<CacheEntry>(options.keyCacheSize ?? 4096);
    this.rsaLimits = { ...DEFAULT_RSA_LIMITS, ...options.rsaLimits };
    this.maxKeyBytes = Math.max(1024, Math.ceil(this.rsaLimits.maxBits / 8) + 64);
  }

  supportsVerify(algorithm: number): boolean {
    return SPECS.has(algorithm);
  }

  /** Cache statistics, for metrics. */
  cacheStats(): { size: number; capacity: number; hits: number; misses: number } {
    return { size: this.cache.size, capacity: this.cache.capacity, hits: this.cache.hits, misses: this.cache.misses };
  }

  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean {
    assertVerifyArgs(algorithm, publicKey, data, signature);
    const c = this.check(algorithm, publicKey, signature);
    if (c === false) return false;
    if (c.spec.family === 'rsa') return rsaVerify(c.spec.hash as RsaHash, c.entry, data, c.sig);
    try {
      return nodeVerify(c.spec.hash, data, c.entry.key, c.sig);
    } catch {
      return false;
    }
  }

  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]> {
    return verifyBatchInline(this, jobs);
  }

  /**
   * The arguments of a one-shot `crypto.verify(hash, data, key, signature)` for this check, from
   * the same key cache and signature decoding as `verify`, or the answer itself (`false`) when the
   * key or signature cannot be used. For callers that run the check elsewhere, e.g. in
   * `crypto.verify`'s callback form on libuv's threadpool (verify-pool.ts). RSA goes through
   * OpenSSL's own PKCS #1 v1.5 check there instead of RSAVP1 here: the same accept set.
   * Throws as `verify` does.
   */
  prepareVerify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): PreparedVerify | false {
    assertVerifyArgs(algorithm, publicKey, data, signature);
    const c = this.check(algorithm, publicKey, signature);
    return c === false ? false : { hash: c.spec.hash, key: c.entry.key, signature: c.sig };
  }

  /**
   * What `verify` and `prepareVerify` share: the algorithm's spec, the cached imported key and the
   * signature in the form node verifies (RSA fitted to the modulus length, DSA r||s from RFC 2536's
   * T|R|S, the others as sent), or `false` when the key or signature cannot be used.
   */
  private check(algorithm: number, publicKey: Uint8Array, signature: Uint8Array): { spec: AlgorithmSpec; entry: ImportedKey; sig: Uint8Array } | false {
    const spec = SPECS.get(algorithm);
    if (spec === undefined) throw unsupportedAlgorithm(this.name, algorithm);
    if (publicKey.length > this.maxKeyBytes) return false;
    let entry = this.cache.get(algorithm, publicKey);
    if (entry === undefined) {
      entry = importPublicKey(spec, publicKey, this.rsaLimits) ?? UNUSABLE;
      this.cache.set(algorithm, publicKey, entry);
    }
    if (entry === UNUSABLE) return false;
    let sig: Uint8Array | undefined;
    switch (spec.family) {
      case 'rsa':
        sig = fitUnsigned(signature, entry.sigLength);
        break;
      case 'dsa': {
        const rs = decodeDsaSignature(signature);
        sig = rs === undefined ? undefined : concatBytes(rs.r, rs.s);
        break;
      }
      default:
        sig = signature.length === entry.sigLength ? signature : undefined;
    }
    return sig === undefined ? false : { spec, entry, sig };
  }
}

/** Arguments for node's `crypto.verify` (see NodeCryptoBackend.prepareVerify). */
export interface PreparedVerify {
  readonly hash: string | null;
  readonly key: KeyObject | VerifyKeyObjectInput;
  readonly signature: Uint8Array;
}

/** A new node backend (no work happens at import time; the server makes one and shares it). */
export function createNodeBackend(options: NodeBackendOptions = {}): NodeCryptoBackend {
  return new NodeCryptoBackend(options);
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2); `sig` is exactly k octets. */
function rsaVerify(hash: RsaHash, entry: ImportedKey, data: Uint8Array, sig: Uint8Array): boolean {
  const prefix = entry.emPrefix!;
  let em: Buffer;
  try {
    em = publicDecrypt(entry.rsa!, sig); // RSAVP1; throws if the signature is not below n
  } catch {
    return false;
  }
  if (em.length !== entry.sigLength || em.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return false;
  const digest = nodeHash(hash, data, 'buffer');
  return em.compare(digest, 0, digest.length, prefix.length, em.length) === 0;
}

function importPublicKey(spec: AlgorithmSpec, field: Uint8Array, limits: RsaLimits): ImportedKey | undefined {
  try {
    switch (spec.family) {
      case 'rsa': {
        const k = decodeRsaPublicKey(field);
        if (k === undefined || !rsaKeyUsable(k, limits)) return undefined;
        const emPrefix = emsaPrefix(spec.hash as RsaHash, k.modulus.length);
        if (emPrefix === undefined) return undefined;
        const jwk: JsonWebKey = { kty: 'RSA', n: toBase64Url(k.modulus), e: toBase64Url(k.exponent) };
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        return { key, sigLength: k.modulus.length, rsa: { key, padding: constants.RSA_NO_PADDING }, emPrefix };
      }
      case 'dsa': {
        const k = decodeDsaPublicKey(field);
        if (k === undefined) return undefined;
        const der = dsaSpki(k.p, k.q, k.g, k.y);
        const key = createPublicKey({ key: asBuffer(der), format: 'der', type: 'spki' });
        return { key: { key, dsaEncoding: 'ieee-p1363' }, sigLength: 40 };
      }
      case 'ec': {
        if (field.length !== spec.keyLength) return undefined;
        const half = field.length / 2;
        const jwk: JsonWebKey = {
          kty: 'EC',
          crv: spec.curve!,
          x: toBase64Url(field.subarray(0, half)),
          y: toBase64Url(field.subarray(half)),
        };
        const key = createPublicKey({ key: jwk, format: 'jwk' });
        return { key: { key, dsaEncoding: 'ieee-p1363' }, sigLength: spec.sigLength! };
      }
      case 'ed': {
        if (field.length !== spec.keyLength) return undefined;
        const jwk: JsonWebKey = { kty: 'OKP', crv: spec.curve!, x: toBase64Url(field) };
        return { key: createPublicKey({ key: jwk, format: 'jwk' }), sigLength: spec.sigLength! };
      }
    }
  } catch {
    // OpenSSL refused the key (not on the curve, bad parameters...): unusable, not an error.
    return undefined;
  }
}

/** SubjectPublicKeyInfo for DSA (RFC 3279 §2.3.2): Dss-Parms p, q, g and the INTEGER y. */
function dsaSpki(p: Uint8Array, q: Uint8Array, g: Uint8Array, y: Uint8Array): Uint8Array {
  return derSequence(
    derSequence(derOid(OID_DSA), derSequence(derUnsignedInteger(p), derUnsignedInteger(q), derUnsignedInteger(g))),
    derBitString(derUnsignedInteger(y)),
  );
}

// ---------------------------------------------------------------------------------------------
// Signing

/** PKCS #8 PrivateKeyInfo (RFC 5208 §5) around an algorithm identifier and key octets. */
function pkcs8(algorithmIdentifier: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return derSequence(derSmallInteger(0), algorithmIdentifier, derOctetString(privateKey));
}

function importPrivateKey(key: PrivateKey): KeyObject {
  switch (key.type) {
    case 'rsa': {
      const jwk: JsonWebKey = {
        kty: 'RSA',
        n: toBase64Url(stripLeadingZeros(key.modulus)),
        e: toBase64Url(stripLeadingZeros(key.publicExponent)),
        d: toBase64Url(stripLeadingZeros(key.privateExponent)),
        p: toBase64Url(stripLeadingZeros(key.prime1)),
        q: toBase64Url(stripLeadingZeros(key.prime2)),
        dp: toBase64Url(stripLeadingZeros(key.exponent1)),
        dq: toBase64Url(stripLeadingZeros(key.exponent2)),
        qi: toBase64Url(stripLeadingZeros(key.coefficient)),
      };
      return createPrivateKey({ key: jwk, format: 'jwk' });
    }
    case 'dsa': {
      const params = derSequence(derUnsignedInteger(key.prime), derUnsignedInteger(key.subprime), derUnsignedInteger(key.base));
      const der = pkcs8(derSequence(derOid(OID_DSA), params), derUnsignedInteger(key.privateValue));
      return createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' });
    }
    case 'ecdsa': {
      // RFC 5915 §3 ECPrivateKey without the optional public key: OpenSSL derives it on import.
      const curve = key.algorithm === 13 ? OID_P256 : OID_P384;
      const ecPrivateKey = derSequence(derSmallInteger(1), derOctetString(ecdsaScalar(key)));
      const der = pkcs8(derSequence(derOid(OID_EC_PUBLIC_KEY), derOid(curve)), ecPrivateKey);
      return createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' });
    }
    case 'eddsa': {
      // RFC 8410 §7: CurvePrivateKey is an OCTET STRING holding the seed.
      const oid = key.algorithm === 15 ? OID_ED25519 : OID_ED448;
      const der = pkcs8(derSequence(derOid(oid)), derOctetString(key.privateKey));
      return createPrivateKey({ key: asBuffer(der), format: 'der', type: 'pkcs8' });
    }
  }
}

function publicKeyField(key: PrivateKey, privateKey: KeyObject): Uint8Array {
  switch (key.type) {
    case 'rsa':
      return encodeRsaPublicKey(key.publicExponent, key.modulus);
    case 'dsa': {
      const f = encodeDsaPublicKey(key.subprime, key.prime, key.base, key.publicValue);
      if (f === undefined) throw new CryptoError('DSA parameters do not fit a DNSKEY (RFC 2536 §2)');
      return f;
    }
    case 'ecdsa': {
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
      const len = key.algorithm === 13 ? 32 : 48;
      const x = fitUnsigned(fromBase64Url(jwk.x ?? ''), len);
      const y = fitUnsigned(fromBase64Url(jwk.y ?? ''), len);
      if (x === undefined || y === undefined) throw new CryptoError('cannot export the ECDSA public key');
      return concatBytes(x, y);
    }
    case 'eddsa': {
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
      return fromBase64Url(jwk.x ?? '');
    }
  }
}

const SIGN_HASH: Readonly<Record<number, string | null>> = {
  1: 'md5',
  3: 'sha1',
  5: 'sha1',
  6: 'sha1',
  7: 'sha1',
  8: 'sha256',
  10: 'sha512',
  13: 'sha256',
  14: 'sha384',
  15: null,
  16: null,
};

/**
 * The arguments of node's `crypto.sign(hash, data, key)` for a private key, and the step that
 * turns node's output into the RRSIG signature field: DSA T||R||S (RFC 2536 §3), RSA left-padded
 * to the modulus length (RFC 8017 §4.1). For callers that sign with the callback form on libuv's
 * threadpool (callback-signer.ts) as well as for createNodeSigner. Throws CryptoError if the
 * material is unusable.
 */
export interface PreparedSign {
  readonly algorithm: number;
  /** The DNSKEY public key field derived from the private key. */
  readonly publicKey: Uint8Array;
  readonly hash: string | null;
  readonly key: KeyObject | SignKeyObjectInput;
  finish(out: Uint8Array): Uint8Array;
}

export function prepareNodeSign(key: PrivateKey): PreparedSign {
  const problem = privateKeyProblem(key);
  if (problem !== undefined) throw new CryptoError(`cannot sign: ${problem}`);
  if (key.algorithm === 1) throw new CryptoError('cannot sign with RSAMD5 (RFC 6725, RFC 8624 §3.1)');
  const hash = SIGN_HASH[key.algorithm];
  if (hash === undefined) throw unsupportedAlgorithm('node', key.algorithm, 'sign with');
  let privateKey: KeyObject;
  let publicKey: Uint8Array;
  try {
    privateKey = importPrivateKey(key);
    publicKey = publicKeyField(key, privateKey);
  } catch (err) {
    if (err instanceof CryptoError) throw err;
    throw new CryptoError(`cannot import ${algorithmMnemonic(key.algorithm)} private key`, { cause: err });
  }
  const p1363 = key.type === 'ecdsa' || key.type === 'dsa';
  const signKey = p1363 ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  const dsaT = key.type === 'dsa' ? publicKey[0]! : 0;
  const rsaLength = key.type === 'rsa' ? stripLeadingZeros(key.modulus).length : 0;
  const finish = (out: Uint8Array): Uint8Array => {
    if (key.type === 'dsa') return encodeDsaSignature(dsaT, out.subarray(0, 20), out.subarray(20, 40));
    if (key.type === 'rsa' && out.length !== rsaLength) {
      const fitted = fitUnsigned(out, rsaLength);
      if (fitted === undefined) throw new CryptoError('RSA signature longer than the modulus');
      return fitted;
    }
    return out;
  };
  return { algorithm: key.algorithm, publicKey, hash, key: signKey, finish };
}

/**
 * A node:crypto signer for `key`. RSA and EdDSA signatures are deterministic; ECDSA and DSA use
 * OpenSSL's random nonces. Throws CryptoError if the material is unusable.
 */
export function createNodeSigner(key: PrivateKey): Signer {
  const prepared = prepareNodeSign(key);
  const { hash, key: signKey } = prepared;
  const signer: Signer = {
    algorithm: key.algorithm,
    publicKey: prepared.publicKey,
    deterministic: key.type === 'rsa' || key.type === 'eddsa',
    backend: 'node',
    sign(data: Uint8Array): Uint8Array {
      let out: Uint8Array;
      try {
        out = new Uint8Array(nodeSign(hash, data, signKey));
      } catch (err) {
        throw new CryptoError(`${algorithmMnemonic(key.algorithm)} signing failed`, { cause: err });
      }
      return prepared.finish(out);
    },
    signBatch(data: readonly Uint8Array[]): Promise<Uint8Array[]> {
      return signBatchInline(signer, data);
    },
  };
  return Object.freeze(signer);
}

// ---------------------------------------------------------------------------------------------
// Key generation

export interface GenerateKeyOptions {
  /** RSA modulus size, 1024..4096 (default 2048). Ignored for fixed-size algorithms. */
  readonly bits?: number;
  /**
   * Source of key material for ECDSA and EdDSA, for reproducible keys in tests and simulations.
   * Without it node's CSPRNG is used. RSA and DSA keys cannot be derived from it.
   */
  readonly random?: Random;
}

// Group orders, SEC 2 §2.4.2 and §2.5.1.
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const P384_N =
  0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n;

/**
 * Generates key material for `algorithm` (3, 5, 6, 7, 8, 10, 13, 14, 15, 16). RSA uses public
 * exponent 65537 (RFC 3110 §4 advises a small exponent); DSA is 1024 bits (RFC 2536 allows no more).
 */
export function generateNodePrivateKey(algorithm: number, options: GenerateKeyOptions = {}): PrivateKey {
  switch (algorithm) {
    case 5:
    case 7:
    case 8:
    case 10: {
      if (options.random !== undefined) throw new CryptoError('RSA keys cannot be generated from an injected Random');
      const bits = options.bits ?? 2048;
      if (!Number.isInteger(bits) || bits < 1024 || bits > 4096) {
        throw new CryptoError(`RSA key size must be 1024..4096 bits, got ${String(bits)}`);
      }
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      const j = privateKey.export({ format: 'jwk' });
      const f = (v: string | undefined): Uint8Array => fromBase64Url(v ?? '');
      return {
        type: 'rsa',
        algorithm,
        modulus: f(j.n),
        publicExponent: f(j.e),
        privateExponent: f(j.d),
        prime1: f(j.p),
        prime2: f(j.q),
        exponent1: f(j.dp),
        exponent2: f(j.dq),
        coefficient: f(j.qi),
      };
    }
    case 3:
    case 6: {
      if (options.random !== undefined) throw new CryptoError('DSA keys cannot be generated from an injected Random');
      const { privateKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 });
      const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
      const parsed = parseDsaPkcs8(der);
      if (parsed === undefined) throw new CryptoError('cannot read the DSA key node generated');
      const y = bigIntToBytes(modPow(bytesToBigInt(parsed.g), bytesToBigInt(parsed.x), bytesToBigInt(parsed.p)), parsed.p.length);
      return { type: 'dsa', algorithm, prime: parsed.p, subprime: parsed.q, base: parsed.g, privateValue: parsed.x, publicValue: y! };
    }
    case 13:
    case 14: {
      const len = algorithm === 13 ? 32 : 48;
      let d: Uint8Array;
      if (options.random !== undefined) {
        const n = algorithm === 13 ? P256_N : P384_N;
        // Rejection sampling keeps d uniform in [1, n-1].
        do d = options.random.fill(new Uint8Array(len));
        while (bytesToBigInt(d) === 0n || bytesToBigInt(d) >= n);
      } else {
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: algorithm === 13 ? 'P-256' : 'P-384' });
        d = fitUnsigned(fromBase64Url(privateKey.export({ format: 'jwk' }).d ?? ''), len)!;
      }
      return { type: 'ecdsa', algorithm, privateKey: d };
    }
    case 15:
    case 16: {
      const len = algorithm === 15 ? 32 : 57;
      let seed: Uint8Array;
      if (options.random !== undefined) {
        seed = options.random.fill(new Uint8Array(len));
      } else {
        const { privateKey } =
          algorithm === 15 ? generateKeyPairSync('ed25519') : generateKeyPairSync('ed448');
        seed = fromBase64Url(privateKey.export({ format: 'jwk' }).d ?? '');
      }
      return { type: 'eddsa', algorithm, privateKey: seed };
    }
    default:
      throw new CryptoError(`cannot generate keys for algorithm ${algorithmMnemonic(algorithm)}`);
  }
}

/** p, q, g, x from a DSA PKCS #8 PrivateKeyInfo (RFC 5208 §5, RFC 3279 §2.3.2). */
function parseDsaPkcs8(der: Uint8Array): { p: Uint8Array; q: Uint8Array; g: Uint8Array; x: Uint8Array } | undefined {
  const top = readTlv(der, 0);
  if (top?.tag !== 0x30) return undefined;
  const members = readChildren(top.contents);
  const algId = members?.[1];
  const keyOctets = members?.[2];
  if (algId?.tag !== 0x30 || keyOctets?.tag !== 0x04) return undefined;
  const paramsSeq = readChildren(algId.contents)?.[1];
  if (paramsSeq?.tag !== 0x30) return undefined;
  const params = readChildren(paramsSeq.contents);
  const xTlv = readTlv(keyOctets.contents, 0);
  if (params?.length !== 3 || xTlv === undefined) return undefined;
  const [p, q, g] = params.map((t) => readUnsignedInteger(t));
  const x = readUnsignedInteger(xTlv);
  if (p === undefined || q === undefined || g === undefined || x === undefined) return undefined;
  return { p, q, g, x };
}
