// DNSSEC algorithm and DS digest type registries, and the policy that says which of them anchord
// validates and signs with.
//
// - Algorithm numbers and mnemonics: RFC 4034 Appendix A.1, RFC 5155 §2 (the NSEC3 aliases 6 and 7),
//   RFC 5702 (8, 10), RFC 5933 (12), RFC 6605 (13, 14), RFC 8080 (15, 16); IANA "DNS Security
//   Algorithm Numbers". BIND spells a few of them differently (NSEC3DSA, NSEC3RSASHA1, ECCGOST); both
//   spellings are accepted on input.
// - DS digest types: RFC 4034 §5.1.3 (1), RFC 4509 (2), RFC 5933 (3), RFC 6605 (4).
// - Policy: RFC 8624 §3.1 (signing and validation requirements per algorithm) and §3.3 (per digest).
//   SHA-1 and DSA are a switch, not hard-coded: RFC 8624 still requires validators to accept RSASHA1,
//   later guidance (draft-ietf-dnsop-must-not-sha1) deprecates SHA-1 for signing, and DSA is only
//   "MAY" for validation. An algorithm a validator does not enable makes the zone insecure, not bogus
//   (RFC 4035 §5.2, RFC 6840 §5.2); deciding that is the validator's job, this module only answers.
//
// Pure module: no I/O, no clock.

import { DnssecAlgorithm } from '../wire/constants.js';

export { DnssecAlgorithm };
export type DnssecAlgorithm = (typeof DnssecAlgorithm)[keyof typeof DnssecAlgorithm];

/** The cryptosystem family behind an algorithm number. */
export type AlgorithmFamily = 'rsa' | 'dsa' | 'ecdsa' | 'eddsa' | 'gost' | 'dh' | 'other';

/** The hash a signature algorithm applies to the signed data (EdDSA hashes internally: `null`). */
export type SignatureHash = 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512' | 'gost' | null;

export interface AlgorithmInfo {
  readonly number: number;
  /** IANA mnemonic, as presentation format and RFC text spell it. */
  readonly mnemonic: string;
  /** BIND's spelling, as written on the `Algorithm:` line of a `.private` file. */
  readonly bindName: string;
  readonly family: AlgorithmFamily;
  readonly hash: SignatureHash;
  /** True for the algorithms a zone signed with NSEC3 may use (RFC 5155 §2). */
  readonly nsec3Capable: boolean;
  /** True if the algorithm can sign zone data at all (DH, INDIRECT cannot). */
  readonly zoneSigning: boolean;
}

const info = (
  number: number,
  mnemonic: string,
  bindName: string,
  family: AlgorithmFamily,
  hash: SignatureHash,
  nsec3Capable: boolean,
  zoneSigning = true,
): AlgorithmInfo => Object.freeze({ number, mnemonic, bindName, family, hash, nsec3Capable, zoneSigning });

const ALGORITHMS: readonly AlgorithmInfo[] = [
  info(1, 'RSAMD5', 'RSAMD5', 'rsa', 'md5', false),
  info(2, 'DH', 'DH', 'dh', null, false, false),
  info(3, 'DSA', 'DSA', 'dsa', 'sha1', false),
  info(5, 'RSASHA1', 'RSASHA1', 'rsa', 'sha1', false),
  // RFC 5155 §2: aliases of 3 and 5 that signal NSEC3 support to old resolvers.
  info(6, 'DSA-NSEC3-SHA1', 'NSEC3DSA', 'dsa', 'sha1', true),
  info(7, 'RSASHA1-NSEC3-SHA1', 'NSEC3RSASHA1', 'rsa', 'sha1', true),
  info(8, 'RSASHA256', 'RSASHA256', 'rsa', 'sha256', true),
  info(10, 'RSASHA512', 'RSASHA512', 'rsa', 'sha512', true),
  info(12, 'ECC-GOST', 'ECCGOST', 'gost', 'gost', true),
  info(13, 'ECDSAP256SHA256', 'ECDSAP256SHA256', 'ecdsa', 'sha256', true),
  info(14, 'ECDSAP384SHA384', 'ECDSAP384SHA384', 'ecdsa', 'sha384', true),
  info(15, 'ED25519', 'ED25519', 'eddsa', null, true),
  info(16, 'ED448', 'ED448', 'eddsa', null, true),
  info(252, 'INDIRECT', 'INDIRECT', 'other', null, false, false),
  info(253, 'PRIVATEDNS', 'PRIVATEDNS', 'other', null, false),
  info(254, 'PRIVATEOID', 'PRIVATEOID', 'other', null, false),
];

const BY_NUMBER = new Map<number, AlgorithmInfo>(ALGORITHMS.map((a) => [a.number, a]));

const BY_NAME = new Map<string, number>();
for (const a of ALGORITHMS) {
  BY_NAME.set(a.mnemonic.toUpperCase(), a.number);
  BY_NAME.set(a.bindName.toUpperCase(), a.number);
}
// Spellings seen in other tools and older drafts.
BY_NAME.set('DSA_NSEC3_SHA1', 6);
BY_NAME.set('RSASHA1_NSEC3_SHA1', 7);
BY_NAME.set('NSEC3RSASHA1', 7);
BY_NAME.set('ECC_GOST', 12);

/** Registry facts for `algorithm`, or undefined for unassigned and reserved numbers. */
export function algorithmInfo(algorithm: number): AlgorithmInfo | undefined {
  return BY_NUMBER.get(algorithm);
}

/**
 * Parses an algorithm field: a mnemonic in IANA or BIND spelling (any case) or a decimal number
 * 0–255 (RFC 4034 §5.2 allows either in presentation format). Returns undefined when it is neither.
 */
export function algorithmFromText(text: string): number | undefined {
  const t = text.trim();
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    return n <= 255 ? n : undefined;
  }
  return BY_NAME.get(t.toUpperCase());
}

/** The IANA mnemonic, or the decimal number for algorithms without one (RFC 4034 §5.2). */
export function algorithmMnemonic(algorithm: number): string {
  return BY_NUMBER.get(algorithm)?.mnemonic ?? String(algorithm);
}

/** BIND's spelling (for `.private` files), or the decimal number. */
export function algorithmBindName(algorithm: number): string {
  return BY_NUMBER.get(algorithm)?.bindName ?? String(algorithm);
}

/** DS (and CDS) digest type numbers (IANA "Digest Algorithms"). */
export const DsDigestType = {
  SHA1: 1,
  SHA256: 2,
  GOST: 3,
  SHA384: 4,
} as const;
export type DsDigestType = (typeof DsDigestType)[keyof typeof DsDigestType];

export interface DigestTypeInfo {
  readonly number: number;
  /** The registry's description, e.g. `SHA-256`. */
  readonly name: string;
  /** node:crypto hash name, or null where node has none (GOST). */
  readonly hash: 'sha1' | 'sha256' | 'sha384' | null;
  /** Digest length in octets. */
  readonly length: number;
}

const DIGESTS: readonly DigestTypeInfo[] = [
  Object.freeze({ number: 1, name: 'SHA-1', hash: 'sha1', length: 20 }),
  Object.freeze({ number: 2, name: 'SHA-256', hash: 'sha256', length: 32 }),
  Object.freeze({ number: 3, name: 'GOST R 34.11-94', hash: null, length: 32 }),
  Object.freeze({ number: 4, name: 'SHA-384', hash: 'sha384', length: 48 }),
];
const DIGEST_BY_NUMBER = new Map<number, DigestTypeInfo>(DIGESTS.map((d) => [d.number, d]));

/** Registry facts for a DS digest type, or undefined if unassigned. */
export function digestTypeInfo(digestType: number): DigestTypeInfo | undefined {
  return DIGEST_BY_NUMBER.get(digestType);
}

/** Parses a digest type: a number, or a registry name with or without the hyphen (`SHA-256`, `sha256`). */
export function digestTypeFromText(text: string): number | undefined {
  const t = text.trim();
  if (/^[0-9]{1,3}$/.test(t)) {
    const n = Number(t);
    return n <= 255 ? n : undefined;
  }
  const key = t.toUpperCase().replace(/[-_ ]/g, '');
  for (const d of DIGESTS) {
    if (d.name.toUpperCase().replace(/[-_ .]/g, '') === key) return d.number;
  }
  return key === 'GOST' ? 3 : undefined;
}

/** The registry name of a digest type, or its number. */
export function digestTypeName(digestType: number): string {
  return DIGEST_BY_NUMBER.get(digestType)?.name ?? String(digestType);
}

/**
 * Which algorithms and digest types anchord validates and signs with, and the RSA modulus bounds.
 * Build one with {@link createAlgorithmPolicy}; the object is frozen.
 */
export interface AlgorithmPolicy {
  /** Algorithms whose RRSIGs the validator checks; others make a zone insecure. */
  readonly validate: ReadonlySet<number>;
  /** Algorithms the signer and key manager may create keys and signatures with. */
  readonly sign: ReadonlySet<number>;
  /** DS digest types the validator uses to authenticate a DNSKEY. */
  readonly validateDigests: ReadonlySet<number>;
  /** DS digest types the signer may publish (CDS, dsset files). */
  readonly createDigests: ReadonlySet<number>;
  /** Smallest RSA modulus (bits) accepted when validating; RFC 3110 §2 floor is 512. */
  readonly minRsaBitsValidate: number;
  /** Largest RSA modulus (bits) accepted when validating; RFC 3110 §2 ceiling is 4096. */
  readonly maxRsaBitsValidate: number;
  /** Smallest RSA modulus (bits) the signer generates or uses. */
  readonly minRsaBitsSign: number;
}

export interface AlgorithmPolicyOptions {
  /** Validate RSASHA1 (5) and RSASHA1-NSEC3-SHA1 (7). Default true (RFC 8624 §3.1: MUST). */
  readonly validateSha1?: boolean;
  /** Validate DSA (3) and DSA-NSEC3-SHA1 (6). Default false (RFC 8624 §3.1: MAY). */
  readonly validateDsa?: boolean;
  /** Sign with RSASHA1 (5, 7). Default false (RFC 8624 §3.1: NOT RECOMMENDED). */
  readonly signSha1?: boolean;
  /** Validate SHA-1 DS digests (type 1). Default true (RFC 8624 §3.3: MUST). */
  readonly validateSha1Digest?: boolean;
  /** Replace the validation set outright (after which the switches above are ignored for it). */
  readonly validate?: Iterable<number>;
  /** Replace the signing set outright. */
  readonly sign?: Iterable<number>;
  readonly minRsaBitsValidate?: number;
  readonly maxRsaBitsValidate?: number;
  readonly minRsaBitsSign?: number;
}

/** Default validation set, RFC 8624 §3.1: everything MUST/RECOMMENDED/MAY except DSA and GOST. */
export const DEFAULT_VALIDATE_ALGORITHMS: readonly number[] = [5, 7, 8, 10, 13, 14, 15, 16];
/** Default signing set, RFC 8624 §3.1: the algorithms recommended or allowed for signing. */
export const DEFAULT_SIGN_ALGORITHMS: readonly number[] = [8, 10, 13, 14, 15, 16];

/** Builds a frozen policy; with no options it is {@link DEFAULT_ALGORITHM_POLICY}. */
export function createAlgorithmPolicy(options: AlgorithmPolicyOptions = {}): AlgorithmPolicy {
  let validate: Set<number>;
  if (options.validate !== undefined) {
    validate = new Set(options.validate);
  } else {
    validate = new Set([8, 10, 13, 14, 15, 16]);
    if (options.validateSha1 ?? true) {
      validate.add(5);
      validate.add(7);
    }
    if (options.validateDsa ?? false) {
      validate.add(3);
      validate.add(6);
    }
  }
  let sign: Set<number>;
  if (options.sign !== undefined) {
    sign = new Set(options.sign);
  } else {
    sign = new Set(DEFAULT_SIGN_ALGORITHMS);
    if (options.signSha1 ?? false) {
      sign.add(5);
      sign.add(7);
    }
  }
  // RFC 8624 §3.3: SHA-256 is MUST and SHA-384 RECOMMENDED for validation; SHA-1 MUST as well,
  // but it is a switch here for deployments that refuse it. SHA-1 is MUST NOT for creation.
  const validateDigests = new Set([2, 4]);
  if (options.validateSha1Digest ?? true) validateDigests.add(1);
  const createDigests = new Set([2, 4]);

  const minRsaBitsValidate = options.minRsaBitsValidate ?? 512;
  const maxRsaBitsValidate = options.maxRsaBitsValidate ?? 4096;
  const minRsaBitsSign = options.minRsaBitsSign ?? 1024;
  for (const [name, v] of [
    ['minRsaBitsValidate', minRsaBitsValidate],
    ['maxRsaBitsValidate', maxRsaBitsValidate],
    ['minRsaBitsSign', minRsaBitsSign],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 16384) throw new RangeError(`${name} out of range: ${v}`);
  }
  if (minRsaBitsValidate > maxRsaBitsValidate) {
    throw new RangeError('minRsaBitsValidate exceeds maxRsaBitsValidate');
  }
  return Object.freeze({
    validate: freezeSet(validate),
    sign: freezeSet(sign),
    validateDigests: freezeSet(validateDigests),
    createDigests: freezeSet(createDigests),
    minRsaBitsValidate,
    maxRsaBitsValidate,
    minRsaBitsSign,
  });
}

function freezeSet(s: Set<number>): ReadonlySet<number> {
  // Sorted so that iteration (and anything printed from it) is stable.
  return new Set([...s].sort((a, b) => a - b));
}

/** The default policy (RFC 8624 defaults; SHA-1 validated, DSA not, SHA-1 not used for signing). */
export const DEFAULT_ALGORITHM_POLICY: AlgorithmPolicy = createAlgorithmPolicy();

/** Whether the validator should check RRSIGs of `algorithm` under `policy`. */
export function canValidate(policy: AlgorithmPolicy, algorithm: number): boolean {
  return policy.validate.has(algorithm);
}

/** Whether the signer may use `algorithm` under `policy`. */
export function canSign(policy: AlgorithmPolicy, algorithm: number): boolean {
  return policy.sign.has(algorithm);
}

/** Whether the validator may use DS records of `digestType` under `policy`. */
export function canValidateDigest(policy: AlgorithmPolicy, digestType: number): boolean {
  return policy.validateDigests.has(digestType);
}
