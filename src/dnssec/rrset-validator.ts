// RRset validation against a zone's validated DNSKEYs (RFC 4035 §5.3, RFC 4034 §3, RFC 6840 §5),
// and the machinery every validator entry point shares: options, the per-call environment, the
// key set, and the step protocol that lets one code path run with synchronous or batched crypto.
//
// What an RRSIG must satisfy before its signature is checked (RFC 4035 §5.3.1):
// - it covers the RRset's type and class, and its signer name is the zone of the keys; the owner
//   is at or below the signer;
// - its Labels field is no larger than the owner's label count (RFC 4034 §3.1.3 counts neither
//   the root nor a leading `*`) and no smaller than the signer's: a smaller one means the RRset was
//   synthesised from the wildcard `*.` + the rightmost Labels labels (RFC 4035 §5.3.2), which the
//   canonical form rebuilds and the caller must then prove (no closer match, RFC 4035 §5.3.4);
// - inception <= now <= expiration, compared in RFC 1982 serial-number arithmetic because the
//   fields are 32-bit seconds that wrap (RFC 4034 §3.1.5), with `clockSkew` seconds of grace on
//   both sides (Unbound allows 10% of the validity period clamped to 1 h..24 h; BIND none; anchord
//   a fixed, configurable 300 s);
// - its algorithm is one we validate (policy and crypto backend) and a DNSKEY with its tag and
//   algorithm exists with the Zone Key flag (bit 7) set, protocol 3 (RFC 4034 §2.1.1-§2.1.2) and
//   without the REVOKE flag (RFC 5011 §3: a revoked key is not used to validate).
// Every RRSIG/DNSKEY pairing that passes is tried (key tags collide; RFC 4035 §5.3.1) until one
// verifies, within the work budget (budget.ts). Any one valid signature suffices: RFC 6840 §5.11
// says not to require every algorithm of the DNSKEY RRset (Unbound's harden-algo-downgrade: no).
//
// TTL of a secure RRset (RFC 4035 §5.3.3): the smallest of its TTL, the RRSIG's Original TTL, the
// RRSIG record's own TTL when known, and the seconds left until the signature expires.
//
// When nothing validates, the reason reported is the most telling one among the RRSIGs, in this
// order: a budget that stopped the work; a signature checked and wrong (EDE 6); all expired (7);
// not yet valid (8); expiration before inception (25); no key with that tag (9); Labels out of range
// (6); signer not the zone (6); only unvalidated algorithms (10); undecodable RDATA (6). No RRSIG
// at all is EDE 10. See ede-tags.ts for the registry.
//
// Steps: a validator is a generator that yields signature checks (VerifyJob) and receives the
// answers. `runSteps` answers them one by one with a synchronous verifier; `runStepsAsync` hands
// batches to a backend's `verifyBatch` (a worker pool); `inParallel` advances several RRsets at
// once so their checks share batches. The decision logic exists once.
//
// Pure module: no I/O, no clock ("now" is a parameter), no randomness.

import type { RRset } from '../wire/record.js';
import type { Name } from '../wire/name.js';
import { RRType } from '../wire/constants.js';
import { decodeTyped } from '../wire/rdata.js';
import type { RrsigData } from '../wire/rdata-schema.js';
import { DEFAULT_ALGORITHM_POLICY, type AlgorithmPolicy } from './algorithms.js';
import {
  DEFAULT_NSEC3_LIMITS,
  DEFAULT_VALIDATION_BUDGET,
  WorkMeter,
  checkBudget,
  type Nsec3Limits,
  type ValidationBudget,
} from './budget.js';
import { signedData } from './canonical.js';
import { EdeTag } from './ede-tags.js';
import { keyTag } from './key-tag.js';
import type { SignatureMemo } from './signature-memo.js';
import { reason, type VerdictReason } from './verdict.js';

// ---- Crypto contract -------------------------------------------------------------------------

/** One signature check (the same shape as crypto/backend.ts VerifyJob). */
export interface VerifyJob {
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

/** What the validator needs from a crypto backend, synchronously (CryptoBackend satisfies it). */
export interface SignatureVerifier {
  supportsVerify(algorithm: number): boolean;
  verify(algorithm: number, publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean;
}

/** The batched form (CryptoBackend satisfies it; a worker pool is the point). */
export interface BatchSignatureVerifier {
  supportsVerify(algorithm: number): boolean;
  verifyBatch(jobs: readonly VerifyJob[]): Promise<boolean[]>;
}

// ---- Options and environment -----------------------------------------------------------------

export interface ValidatorOptions {
  readonly policy: AlgorithmPolicy;
  readonly budget: ValidationBudget;
  readonly nsec3: Nsec3Limits;
  /** Seconds of grace on both RRSIG time bounds. */
  readonly clockSkew: number;
  /**
   * Which DS records and algorithms authenticate a DNSKEY RRset (key-validator.ts): undefined,
   * the default: SHA-1 DS ignored beside SHA-256/SHA-384 (RFC 4509 §3), one designated key of any
   * algorithm suffices (RFC 6840 §5.11). true (Unbound `harden-algo-downgrade: yes`): only the
   * strongest digest type, and every algorithm of those DS records and of the anchors' keys must
   * sign the RRset. false (Unbound's default `no`): any usable DS, any algorithm.
   */
  readonly hardenAlgoDowngrade: boolean | undefined;
}

export const DEFAULT_CLOCK_SKEW = 300;

export const DEFAULT_VALIDATOR_OPTIONS: ValidatorOptions = Object.freeze({
  policy: DEFAULT_ALGORITHM_POLICY,
  budget: DEFAULT_VALIDATION_BUDGET,
  nsec3: DEFAULT_NSEC3_LIMITS,
  clockSkew: DEFAULT_CLOCK_SKEW,
  hardenAlgoDowngrade: undefined,
});

/** Partial options, as config provides them; missing values take the defaults. */
export interface ValidatorOptionsInit {
  readonly policy?: AlgorithmPolicy;
  readonly budget?: Partial<ValidationBudget>;
  readonly nsec3?: Partial<Nsec3Limits>;
  readonly clockSkew?: number;
  readonly hardenAlgoDowngrade?: boolean | undefined;
}

/** Complete, checked options. Throws RangeError for out-of-range numbers. */
export function validatorOptions(init: ValidatorOptionsInit = {}): ValidatorOptions {
  const budget: ValidationBudget = Object.freeze({ ...DEFAULT_VALIDATION_BUDGET, ...init.budget });
  checkBudget(budget);
  const nsec3: Nsec3Limits = Object.freeze({ ...DEFAULT_NSEC3_LIMITS, ...init.nsec3 });
  for (const [k, v] of Object.entries(nsec3)) {
    if (!Number.isInteger(v) || v < 0 || v > 65535) throw new RangeError(`nsec3.${k} must be an integer 0..65535, got ${v}`);
  }
  const clockSkew = init.clockSkew ?? DEFAULT_CLOCK_SKEW;
  if (!Number.isInteger(clockSkew) || clockSkew < 0 || clockSkew > 86400 * 7) {
    throw new RangeError(`clockSkew must be an integer 0..604800 seconds, got ${clockSkew}`);
  }
  return Object.freeze({ policy: init.policy ?? DEFAULT_ALGORITHM_POLICY, budget, nsec3, clockSkew, hardenAlgoDowngrade: init.hardenAlgoDowngrade });
}

/**
 * Everything one validation call (one response, or one DNSKEY RRset) works with. Create one per
 * call: the meter and the NSEC3 hash cache are per call.
 */
export interface ValidationEnv {
  /** Seconds since the Unix epoch. */
  readonly now: number;
  readonly options: ValidatorOptions;
  readonly meter: WorkMeter;
  /** True when the policy enables the algorithm and the backend can verify it. */
  readonly canVerify: (algorithm: number) => boolean;
  /** NSEC3 hashes computed in this call, keyed by parameters and name; made at the first hash. */
  nsec3Cache: Map<string, Uint8Array> | undefined;
  /** Signature checks that passed in earlier calls (signature-memo.ts); absent: none kept. */
  readonly memo?: SignatureMemo | undefined;
}

export function createValidationEnv(
  now: number,
  verifier: { supportsVerify(algorithm: number): boolean },
  options: ValidatorOptions = DEFAULT_VALIDATOR_OPTIONS,
  memo?: SignatureMemo,
): ValidationEnv {
  if (!Number.isFinite(now) || now < 0) throw new RangeError(`now must be seconds since the epoch, got ${now}`);
  return {
    now: Math.floor(now),
    options,
    meter: new WorkMeter(options.budget),
    canVerify: canVerifyFor(options.policy, verifier),
    nsec3Cache: undefined,
    memo,
  };
}

// The canVerify function of the last (policy, verifier) pair asked for: a resolver makes an env
// per response (or more) with the same pair, and the function reads both live, so the same one serves.
let lastPolicy: AlgorithmPolicy | undefined;
let lastVerifier: { supportsVerify(algorithm: number): boolean } | undefined;
let lastCanVerify: ((algorithm: number) => boolean) | undefined;

function canVerifyFor(policy: AlgorithmPolicy, verifier: { supportsVerify(algorithm: number): boolean }): (algorithm: number) => boolean {
  if (policy !== lastPolicy || verifier !== lastVerifier || lastCanVerify === undefined) {
    lastPolicy = policy;
    lastVerifier = verifier;
    lastCanVerify = (a) => policy.validate.has(a) && verifier.supportsVerify(a);
  }
  return lastCanVerify;
}

// ---- Serial-number time (RFC 4034 §3.1.5, RFC 1982) ------------------------------------------

/** a - b as a signed 32-bit serial difference; a and b are 32-bit timestamps. */
export function serialDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `now` (seconds, any size) reduced to the 32-bit field space. */
export function now32(now: number): number {
  return now % 0x1_0000_0000;
}

// ---- Keys ------------------------------------------------------------------------------------

/** DNSKEY flag bits (RFC 4034 §2.1.1, RFC 5011 §3). */
export const DnskeyFlag = {
  ZONE: 0x0100,
  REVOKE: 0x0080,
  SEP: 0x0001,
} as const;

export interface ZoneKey {
  readonly rdata: Uint8Array;
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly tag: number;
}

/** Parses DNSKEY RDATA (RFC 4034 §2.1); undefined when too short. */
export function parseDnskey(rdata: Uint8Array): ZoneKey | undefined {
  if (rdata.length < 5) return undefined;
  return {
    rdata,
    flags: (rdata[0]! << 8) | rdata[1]!,
    protocol: rdata[2]!,
    algorithm: rdata[3]!,
    publicKey: rdata.subarray(4),
    tag: keyTag(rdata),
  };
}

/** True for a key that may validate zone data: Zone Key flag, protocol 3, not revoked. */
export function isUsableZoneKey(k: ZoneKey): boolean {
  return (k.flags & DnskeyFlag.ZONE) !== 0 && (k.flags & DnskeyFlag.REVOKE) === 0 && k.protocol === 3;
}

/** The DNSKEYs of one zone, indexed by (tag, algorithm) for the usable ones. */
export class ZoneKeySet {
  readonly zone: Name;
  readonly keys: readonly ZoneKey[];
  private readonly index: Map<number, ZoneKey[]>;

  constructor(zone: Name, keys: readonly ZoneKey[]) {
    this.zone = zone;
    this.keys = keys;
    this.index = new Map();
    for (const k of keys) {
      if (!isUsableZoneKey(k)) continue;
      const id = (k.tag << 8) | k.algorithm;
      const list = this.index.get(id);
      if (list === undefined) this.index.set(id, [k]);
      else list.push(k);
    }
  }

  /** Builds a set from DNSKEY RDATAs; malformed ones are left out. */
  static fromRdatas(zone: Name, rdatas: readonly Uint8Array[]): ZoneKeySet {
    const keys: ZoneKey[] = [];
    for (const r of rdatas) {
      const k = parseDnskey(r);
      if (k !== undefined) keys.push(k);
    }
    return new ZoneKeySet(zone, keys);
  }

  /** Usable keys with this tag and algorithm. */
  find(tag: number, algorithm: number): readonly ZoneKey[] {
    return this.index.get((tag << 8) | algorithm) ?? [];
  }
}

/**
 * What the resolver knows of a zone: secure with its validated keys (key-validator.ts), insecure
 * (an insecure delegation above it, or only unsupported algorithms), bogus (the chain of trust is
 * broken), or indeterminate (no trust anchor covers it).
 */
export type ZoneStatus =
  | { readonly status: 'secure'; readonly keys: ZoneKeySet }
  | { readonly status: 'insecure'; readonly reason?: VerdictReason }
  | { readonly status: 'bogus'; readonly reason?: VerdictReason }
  | { readonly status: 'indeterminate'; readonly reason?: VerdictReason };

// ---- RRsets and verdicts ---------------------------------------------------------------------

/** An RRset with the RDATA of the RRSIGs that cover it. */
export interface SignedRRset {
  readonly rrset: RRset;
  readonly rrsigs: readonly Uint8Array[];
  /** The smallest TTL of the RRSIG records, when known (RFC 4035 §5.3.3 caps by it). */
  readonly rrsigTtl?: number;
}

export interface SecureRRset {
  readonly status: 'secure';
  /** Capped TTL (RFC 4035 §5.3.3). */
  readonly ttl: number;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly signer: Name;
  /** The RRSIG expiration (32-bit field) of the signature that validated. */
  readonly expiration: number;
  /**
   * Set when the RRset was synthesised from a wildcard: the closest encloser, i.e. the wildcard
   * was `*.` + this name (RFC 4035 §5.3.2). The caller must prove no closer match (§5.3.4).
   */
  readonly wildcardParent?: Name;
}

export type RRsetVerdict = SecureRRset | { readonly status: 'bogus'; readonly reason: VerdictReason };

/** Generator protocol: yields one signature check, receives its answer. */
export type Steps<T> = Generator<VerifyJob, T, boolean>;
/** Generator protocol: yields a batch of checks, receives the answers in order. */
export type BatchSteps<T> = Generator<readonly VerifyJob[], T, readonly boolean[]>;

type FailCategory =
  | 'budget'
  | 'crypto'
  | 'expired'
  | 'notYet'
  | 'expiredBeforeValid'
  | 'noKey'
  | 'labels'
  | 'signer'
  | 'algorithm'
  | 'malformed';

const FAIL_ORDER: readonly FailCategory[] = [
  'budget',
  'crypto',
  'expired',
  'notYet',
  'expiredBeforeValid',
  'noKey',
  'labels',
  'signer',
  'algorithm',
  'malformed',
];

/**
 * The types whose signature checks are remembered: the proof and key material that comes back in
 * many responses of one zone (negative answers, wildcard proofs, key and DS re-fetches). Answer
 * RRsets are cached once validated and rarely checked twice.
 */
const MEMO_TYPES: ReadonlySet<number> = new Set([RRType.SOA, RRType.NSEC, RRType.NSEC3, RRType.DNSKEY, RRType.DS]);

/** The facts a failed RRSIG reports (verdict.ts reason). */
interface SigFacts {
  readonly owner: Name;
  readonly type: number;
  readonly keyTag: number;
  readonly algorithm: number;
}

/** A failed RRSIG's facts, built only when a failure is reported (never on the way to success). */
function factsOf(facts: { readonly owner: Name; readonly type: number }, sig: RrsigData): SigFacts {
  return { owner: facts.owner, type: facts.type, keyTag: sig.keyTag, algorithm: sig.algorithm };
}

interface Candidate {
  readonly sig: RrsigData;
  readonly rdata: Uint8Array;
  readonly keys: readonly ZoneKey[];
}

/**
 * The last RRSIG RDATA arrays decoded, by identity: one response's RRSIGs are read by the chain of
 * trust (signer names), the response validator (signers, labels) and the RRset check, each a
 * decode with its name and field allocations (~1 KB per RRSIG over the five readers). A few slots
 * searched by `===` catch those repeats within a response. A WeakMap per array cost more than the
 * decodes it saved (measured: one decode and three lookups 2.6 µs, four decodes 1.6 µs). RDATA arrays
 * are never changed once received or built, so a decoding stays right for its array; the slots
 * hold at most RRSIG_SLOTS arrays alive.
 */
const RRSIG_SLOTS = 8;
const slotRdata: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(RRSIG_SLOTS).fill(undefined);
const slotValue: (RrsigData | null)[] = new Array<RrsigData | null>(RRSIG_SLOTS).fill(null);
let nextSlot = 0;

/** The decoded RRSIG RDATA (RFC 4034 §3.1), undefined when it cannot be decoded. */
export function rrsigOf(rdata: Uint8Array): RrsigData | undefined {
  for (let i = 0; i < RRSIG_SLOTS; i++) {
    if (slotRdata[i] === rdata) return slotValue[i] ?? undefined;
  }
  let d: RrsigData | null;
  try {
    d = decodeTyped(RRType.RRSIG, rdata);
  } catch {
    d = null;
  }
  slotRdata[nextSlot] = rdata;
  slotValue[nextSlot] = d;
  nextSlot = (nextSlot + 1) % RRSIG_SLOTS;
  return d ?? undefined;
}

/** The first failure per category of an RRset's RRSIGs; the verdict reports the worst (FAIL_ORDER). */
class Failures {
  private map: Map<FailCategory, VerdictReason> | undefined;

  add(c: FailCategory, r: VerdictReason): void {
    this.map ??= new Map();
    if (!this.map.has(c)) this.map.set(c, r);
  }

  worst(): VerdictReason | undefined {
    for (const c of FAIL_ORDER) {
      const r = this.map?.get(c);
      if (r !== undefined) return r;
    }
    return undefined;
  }
}

/** The cheap checks of rrsetSteps: the covering RRSIGs that may verify, or the verdict without any. */
function checkedCandidates(
  env: ValidationEnv,
  signed: SignedRRset,
  keys: ZoneKeySet,
  facts: { readonly owner: Name; readonly type: number },
  failures: Failures,
): readonly Candidate[] | RRsetVerdict {
  const { rrset } = signed;
  const owner = rrset.name;
  // RRSIGs for other types are not ours (too short to say: kept, and found malformed below).
  let covering = signed.rrsigs;
  let others = 0;
  for (const r of covering) if (!coversType(r, rrset.type)) others++;
  if (others > 0) {
    const some = new Array<Uint8Array>(covering.length - others);
    let n = 0;
    for (const r of covering) if (coversType(r, rrset.type)) some[n++] = r;
    covering = some;
  }
  if (covering.length === 0) {
    return { status: 'bogus', reason: reason(EdeTag.RRSIG_NONE, 'no RRSIG covers the RRset', facts) };
  }
  const skew = env.options.clockSkew;
  const now = now32(env.now);

  // Cheap checks first: only RRSIGs that pass them reach the crypto budget. The list is made
  // at the first candidate, of exactly one (usually the only one; a list grown by push from empty
  // takes room for 17).
  let candidates: Candidate[] | undefined;
  for (const rdata of covering) {
    const sig = rrsigOf(rdata);
    if (sig === undefined) {
      failures.add('malformed', reason(EdeTag.RRSIG_MALFORMED, 'RRSIG RDATA cannot be decoded', facts));
      continue;
    }
    if (!sig.signerName.equals(keys.zone) || !owner.isSubdomainOf(sig.signerName)) {
      failures.add(
        'signer',
        reason(EdeTag.RRSIG_SIGNER, `signer ${sig.signerName.toString()} is not the zone ${keys.zone.toString()} of the owner`, factsOf(facts, sig)),
      );
      continue;
    }
    if (sig.labels > owner.labelCount || sig.labels < sig.signerName.labelCount) {
      failures.add(
        'labels',
        reason(EdeTag.RRSIG_LABELS, `labels ${sig.labels} outside ${sig.signerName.labelCount}..${owner.labelCount}`, {
          ...factsOf(facts, sig),
          bound: 'labels',
        }),
      );
      continue;
    }
    if (!env.canVerify(sig.algorithm)) {
      failures.add('algorithm', reason(EdeTag.RRSIG_ALGORITHM, `algorithm ${sig.algorithm} is not validated`, factsOf(facts, sig)));
      continue;
    }
    if (serialDiff(sig.expiration, sig.inception) < 0) {
      failures.add('expiredBeforeValid', reason(EdeTag.RRSIG_EXPIRED_BEFORE_VALID, 'expiration precedes inception', { ...factsOf(facts, sig), bound: 'expiration' }));
      continue;
    }
    if (serialDiff(sig.expiration, now) < -skew) {
      failures.add(
        'expired',
        reason(EdeTag.RRSIG_EXPIRED, `signature expired at ${sig.expiration} (now ${now})`, { ...factsOf(facts, sig), bound: 'expiration' }),
      );
      continue;
    }
    if (serialDiff(now, sig.inception) < -skew) {
      failures.add(
        'notYet',
        reason(EdeTag.RRSIG_NOT_YET_VALID, `signature valid from ${sig.inception} (now ${now})`, { ...factsOf(facts, sig), bound: 'inception' }),
      );
      continue;
    }
    const matching = keys.find(sig.keyTag, sig.algorithm);
    if (matching.length === 0) {
      failures.add('noKey', reason(EdeTag.RRSIG_NO_KEY, `no usable DNSKEY ${sig.keyTag}/${sig.algorithm} in ${keys.zone.toString()}`, factsOf(facts, sig)));
      continue;
    }
    const c: Candidate = { sig, rdata, keys: matching };
    if (candidates === undefined) candidates = [c];
    else candidates.push(c);
  }
  return candidates ?? NO_CANDIDATES;
}

function isVerdict(x: readonly Candidate[] | RRsetVerdict): x is RRsetVerdict {
  return !Array.isArray(x);
}

/** No RRSIG passed the cheap checks (shared, never changed). */
const NO_CANDIDATES: readonly Candidate[] = Object.freeze([]);

/** True when RRSIG RDATA `r` covers `type`, or is too short to say (then found malformed later). */
function coversType(r: Uint8Array, type: number): boolean {
  return r.length < 2 || ((r[0]! << 8) | r[1]!) === type;
}

/**
 * Validates one RRset against the validated keys of its zone. (A DNSKEY RRset is checked against
 * a set holding only the key its DS or trust anchor designates, RFC 4035 §5.2.)
 */
export function* rrsetSteps(env: ValidationEnv, signed: SignedRRset, keys: ZoneKeySet): Steps<RRsetVerdict> {
  // The cheap checks run as a plain function: a generator keeps all its registers in the heap.
  const { rrset } = signed;
  const owner = rrset.name;
  const facts = { owner, type: rrset.type };
  const failures = new Failures();
  const candidates = checkedCandidates(env, signed, keys, facts, failures);
  if (isVerdict(candidates)) return candidates;
  const budget = env.options.budget;

  // Only RRsets that recur across a zone's responses are remembered (signature-memo.ts): the
  // proof and key types, and wildcard expansions, whose signed data is built from the wildcard
  // owner (RFC 4035 §5.3.2) and so is the same for every name the wildcard answers.
  const typeMemo = MEMO_TYPES.has(rrset.type) ? env.memo : undefined;
  let tried = 0;
  for (const c of candidates) {
    const memo = typeMemo ?? (c.sig.labels < owner.labelCount ? env.memo : undefined);
    if (tried >= budget.maxSignaturesPerRRset) {
      env.meter.trip('maxSignaturesPerRRset', owner);
      failures.add(
        'budget',
        reason(EdeTag.BUDGET_SIGNATURES, `more than ${budget.maxSignaturesPerRRset} signatures to try`, {
          ...factsOf(facts, c.sig),
          bound: 'maxSignaturesPerRRset',
        }),
      );
      break;
    }
    tried++;
    // A remembered check built from these very inputs (signature-memo.ts) needs no signed data
    // when its key comes first below: the inputs are identical, so the signed data would be, and
    // it was built without error before. Otherwise it is built here, as always.
    let data: Uint8Array | undefined;
    if (memo?.knowsInputs(c.sig.algorithm, c.sig.signature, c.rdata, rrset) === undefined) {
      try {
        data = signedData(c.rdata, rrset);
      } catch {
        failures.add('malformed', reason(EdeTag.RRSET_MALFORMED, 'RRset cannot be put in canonical form', factsOf(facts, c.sig)));
        continue;
      }
    }
    let keyList = c.keys;
    if (keyList.length > budget.maxKeysPerSignature) {
      env.meter.trip('maxKeysPerSignature', owner);
      failures.add(
        'budget',
        reason(EdeTag.BUDGET_KEYS, `${keyList.length} keys share tag ${c.sig.keyTag}; limit ${budget.maxKeysPerSignature}`, {
          ...factsOf(facts, c.sig),
          bound: 'maxKeysPerSignature',
        }),
      );
      keyList = keyList.slice(0, budget.maxKeysPerSignature);
    }
    for (const key of keyList) {
      const limit = env.meter.spendValidation(owner);
      if (limit === 'maxValidationFailuresPerResponse') {
        return {
          status: 'bogus',
          reason: reason(EdeTag.BUDGET_FAILURES, `more than ${budget.maxValidationFailuresPerResponse} failed signature checks`, {
            ...factsOf(facts, c.sig),
            bound: limit,
          }),
        };
      }
      if (limit !== undefined) {
        return {
          status: 'bogus',
          reason: reason(EdeTag.BUDGET_VALIDATIONS, `more than ${budget.maxValidationsPerResponse} signature checks`, { ...factsOf(facts, c.sig), bound: limit }),
        };
      }
      // The same check passed before (signature-memo.ts): the same answer, without the crypto.
      // With the same inputs as received and this key, not even the signed data is built; else it
      // is built now (it cannot fail: the same inputs built it before) and the memo asked with it.
      if (data === undefined) {
        if (memo!.hasInputs(c.sig.algorithm, key.publicKey, c.sig.signature, c.rdata, rrset)) return secure(env, signed, c.sig);
        data = signedData(c.rdata, rrset);
      }
      if (memo?.has(c.sig.algorithm, key.publicKey, data, c.sig.signature) === true) return secure(env, signed, c.sig);
      const ok = yield { algorithm: c.sig.algorithm, publicKey: key.publicKey, data, signature: c.sig.signature };
      if (ok) {
        memo?.add(c.sig.algorithm, key.publicKey, data, c.sig.signature, { rrsigRdata: c.rdata, rrset });
        return secure(env, signed, c.sig);
      }
      env.meter.recordFailure();
    }
    failures.add('crypto', reason(EdeTag.RRSIG_CRYPTO, 'signature does not verify', factsOf(facts, c.sig)));
  }

  // Every covering RRSIG either validated (returned above) or failed in some category.
  return { status: 'bogus', reason: failures.worst()! };
}

function secure(env: ValidationEnv, signed: SignedRRset, sig: RrsigData): SecureRRset {
  const owner = signed.rrset.name;
  const left = Math.max(0, serialDiff(sig.expiration, now32(env.now)));
  let ttl = Math.min(signed.rrset.ttl, sig.originalTtl, left);
  if (signed.rrsigTtl !== undefined) ttl = Math.min(ttl, signed.rrsigTtl);
  const base = {
    status: 'secure' as const,
    ttl,
    keyTag: sig.keyTag,
    algorithm: sig.algorithm,
    signer: sig.signerName,
    expiration: sig.expiration,
  };
  // A literal `*` owner signed with Labels = count - 1 is the wildcard itself, not an expansion.
  const literalWildcard = owner.isWildcard() && sig.labels === owner.labelCount - 1;
  if (sig.labels < owner.labelCount && !literalWildcard) return { ...base, wildcardParent: owner.suffix(sig.labels) };
  return base;
}

// ---- Drivers ---------------------------------------------------------------------------------

/** Runs single-check steps as a batch generator with batches of one. */
export function* asBatch<T>(steps: Steps<T>): BatchSteps<T> {
  let r = steps.next();
  while (r.done !== true) {
    const answers = yield [r.value];
    r = steps.next(answers[0] ?? false);
  }
  return r.value;
}

/** Advances several step generators together: each batch holds the next check of each. */
export function* inParallel<T>(list: readonly Steps<T>[]): BatchSteps<T[]> {
  // One RRset (the usual answer): its checks one by one, without the bookkeeping below.
  if (list.length === 1) return [yield* asBatch(list[0]!)];
  const results = new Array<T>(list.length);
  // The generators still running (indexes into `list`, compacted in place each round) and the
  // batch of their next checks, one list per round: no record, closure or second list per round.
  const running = new Array<number>(list.length);
  let jobs = new Array<VerifyJob>(list.length);
  let active = 0;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!.next();
    if (r.done === true) {
      results[i] = r.value;
    } else {
      running[active] = i;
      jobs[active++] = r.value;
    }
  }
  while (active > 0) {
    // The batch holds exactly the checks asked for.
    if (jobs.length !== active) jobs.length = active;
    const answers = yield jobs;
    const next = new Array<VerifyJob>(active);
    let still = 0;
    for (let k = 0; k < active; k++) {
      const i = running[k]!;
      const r = list[i]!.next(answers[k] ?? false);
      if (r.done === true) {
        results[i] = r.value;
      } else {
        running[still] = i;
        next[still++] = r.value;
      }
    }
    active = still;
    jobs = next;
  }
  return results;
}

/** Runs steps to the end, answering each check with a synchronous verifier. */
export function runSteps<T>(steps: BatchSteps<T>, verifier: SignatureVerifier): T {
  let r = steps.next();
  while (r.done !== true) {
    r = steps.next(r.value.map((j) => verifier.verify(j.algorithm, j.publicKey, j.data, j.signature)));
  }
  return r.value;
}

/** Runs steps to the end, answering each batch with `verifyBatch`. */
export async function runStepsAsync<T>(steps: BatchSteps<T>, verifier: BatchSignatureVerifier): Promise<T> {
  let r = steps.next();
  while (r.done !== true) {
    const answers = await verifier.verifyBatch(r.value);
    r = steps.next(answers);
  }
  return r.value;
}

/** Validates one RRset synchronously (a convenience over rrsetSteps). */
export function validateRRset(env: ValidationEnv, signed: SignedRRset, keys: ZoneKeySet, verifier: SignatureVerifier): RRsetVerdict {
  return runSteps(asBatch(rrsetSteps(env, signed, keys)), verifier);
}
