// Work budgets for validation (DESIGN.md convention 7), against the KeyTrap and NSEC3 CPU
// attacks: CVE-2023-50387 (many colliding keys times many signatures, each pairing a public-key
// operation) and CVE-2023-50868 (a closest-encloser proof that hashes every label of a deep name).
//
// RFC 4035 §5.3.1 asks a validator to try every DNSKEY whose tag and algorithm match an RRSIG, and
// every RRSIG. That is unbounded work chosen by whoever signs the zone, so every validator now caps
// it and fails validation when a cap is reached. The defaults follow the post-KeyTrap releases:
//
// | limit                       | anchord | Unbound 1.19.1+                 | BIND 9.18.28+                     |
// |-----------------------------|---------|---------------------------------|-----------------------------------|
// | signatures tried per RRset  | 8       | MAX_VALIDATE_RRSIGS 8           | (per fetch, below)                |
// | keys tried per signature    | 4       | (none; tag collisions unbounded)| (per fetch, below)                |
// | validations per response    | 128     | MAX_VALIDATE_AT_ONCE 8 per pass | max-validations-per-fetch 16      |
// | failed validations per resp.| 32      | (MAX_VALIDATE_RRSIGS per RRset) | max-validation-failures 1         |
// | DS-matched keys that fail   | 4       | MAX_DS_MATCH_FAILURES 4         | max-validation-failures 1         |
// | NSEC3 hashes per response   | 64      | MAX_NSEC3_CALCULATIONS 8 a pass | (iteration cap only)              |
//
// Unbound suspends and resumes a query after 8 operations (up to 16 times), so its effective caps
// are larger than the per-pass figures; anchord has no suspension (the validator is a pure
// function), so the per-response caps are one number each. KeyTrap's work is failed checks (every
// colliding key and every bogus RRSIG fails): 32 failed checks per response, twice BIND's per-fetch
// figure, bound it. A check that succeeds needs a real signature carried in the response, so the
// message size already bounds them; they are capped apart and higher, at 128 (Unbound's effective
// 8 x 16), so a large signed answer (qtype ANY over a name with many RRsets, each needing its own
// check) validates instead of tripping a budget meant for attacks, as it does in Unbound. 64 hashes
// cover the closest-encloser search of an ip6.arpa name (34 labels) with room to spare.
//
// A trip ends the work with a bogus verdict (EDE 6, the limit named in the reason's `bound`): the
// data was not proven, and a legitimate zone does not need more than these. The meter counts trips
// so that metrics can publish them.
//
// NSEC3 parameter caps (RFC 9276 §3.2) live here too, as they bound the cost of one hash:
// - iterations above `maxIterations` (default 50, as BIND 9.18+, Knot Resolver and PowerDNS
//   Recursor; Unbound uses 150 for every key size since 1.13.2) make the answer insecure with EDE 27,
//   after the NSEC3 signatures have been checked (RFC 9276 §3.2 says the signature must still be
//   validated, so a forged iteration count cannot strip security);
// - iterations above `bogusIterationsAbove` make it bogus instead. RFC 9276 §3.2 allows SERVFAIL
//   there; the default is 65535 (off), as no peer does it by default and insecure already costs
//   no hashing;
// - a salt longer than `maxSaltLength` (default 64 octets; RFC 9276 §3.1 asks for none, and the
//   longest seen in practice are 16) is treated like an iteration count over the cap: insecure, 27.
//
// Each trip is also published on the `anchord:budget-trip` diagnostics channel (DESIGN.md
// convention 10) as { budget, owner? }, for metrics; publishing never changes the outcome.
//
// Pure module: counters only, no clock.

import { Channel, hasSubscribers, publish } from '../core/diagnostics.js';
import type { Name } from '../wire/name.js';

/** Named work limits. Every count is per call of a validator entry point (one response). */
export interface ValidationBudget {
  /** RRSIGs of one RRset that may reach a signature check. */
  readonly maxSignaturesPerRRset: number;
  /** DNSKEYs one RRSIG may be checked against (keys sharing its tag and algorithm). */
  readonly maxKeysPerSignature: number;
  /** Signature checks in one response (or one DNSKEY RRset validation), successful or not. */
  readonly maxValidationsPerResponse: number;
  /** Signature checks that failed in one response (the KeyTrap work). */
  readonly maxValidationFailuresPerResponse: number;
  /** DS-matched keys that may fail to validate the DNSKEY RRset before giving up. */
  readonly maxDsMatchFailures: number;
  /** NSEC3 hash computations in one response. */
  readonly maxNsec3HashesPerResponse: number;
}

export const DEFAULT_VALIDATION_BUDGET: ValidationBudget = Object.freeze({
  maxSignaturesPerRRset: 8,
  maxKeysPerSignature: 4,
  maxValidationsPerResponse: 128,
  maxValidationFailuresPerResponse: 32,
  maxDsMatchFailures: 4,
  maxNsec3HashesPerResponse: 64,
});

/** NSEC3 parameter caps (RFC 9276 §3.2). */
export interface Nsec3Limits {
  /** Iterations above this make the answer insecure with EDE 27. */
  readonly maxIterations: number;
  /** Iterations above this make the answer bogus with EDE 27 (65535: never). */
  readonly bogusIterationsAbove: number;
  /** Salt octets above this make the answer insecure with EDE 27. */
  readonly maxSaltLength: number;
}

export const DEFAULT_NSEC3_LIMITS: Nsec3Limits = Object.freeze({
  maxIterations: 50,
  bogusIterationsAbove: 65535,
  maxSaltLength: 64,
});

/** The budget names, as they appear in a reason's `bound` and in trip counters. */
export type BudgetName = keyof ValidationBudget;

export const BUDGET_NAMES: readonly BudgetName[] = [
  'maxSignaturesPerRRset',
  'maxKeysPerSignature',
  'maxValidationsPerResponse',
  'maxValidationFailuresPerResponse',
  'maxDsMatchFailures',
  'maxNsec3HashesPerResponse',
];

/** What one validation call spent, for metrics. */
export interface WorkCounters {
  /** Signature checks started. */
  readonly validations: number;
  /** Signature checks that failed. */
  readonly failures: number;
  /** NSEC3 hashes computed (cache hits not counted). */
  readonly nsec3Hashes: number;
  /** How many times each limit was reached. */
  readonly trips: Readonly<Record<BudgetName, number>>;
}

/** Every limit reached zero times (the counters of a call that tripped none, shared). */
const NO_TRIPS: Readonly<Record<BudgetName, number>> = Object.freeze({
  maxSignaturesPerRRset: 0,
  maxKeysPerSignature: 0,
  maxValidationsPerResponse: 0,
  maxValidationFailuresPerResponse: 0,
  maxDsMatchFailures: 0,
  maxNsec3HashesPerResponse: 0,
});

/**
 * Counts work against a budget. `spend*` returns false (and counts a trip) when the limit is
 * reached; the caller then stops and reports the limit.
 */
export class WorkMeter {
  readonly budget: ValidationBudget;
  private validationCount = 0;
  private failureCount = 0;
  private hashCount = 0;
  /** Trips per limit, made at the first trip (most calls trip none). */
  private tripCounts: Record<BudgetName, number> | undefined;

  constructor(budget: ValidationBudget = DEFAULT_VALIDATION_BUDGET) {
    this.budget = budget;
  }

  /**
   * Takes one signature check from the response budget: undefined when allowed, else the limit
   * reached (failed checks first: they are what an attack spends).
   */
  spendValidation(owner?: Name): 'maxValidationsPerResponse' | 'maxValidationFailuresPerResponse' | undefined {
    if (this.failureCount >= this.budget.maxValidationFailuresPerResponse) {
      this.trip('maxValidationFailuresPerResponse', owner);
      return 'maxValidationFailuresPerResponse';
    }
    if (this.validationCount >= this.budget.maxValidationsPerResponse) {
      this.trip('maxValidationsPerResponse', owner);
      return 'maxValidationsPerResponse';
    }
    this.validationCount++;
    return undefined;
  }

  /** Counts a signature check that did not verify. */
  recordFailure(): void {
    this.failureCount++;
  }

  /** Takes one NSEC3 hash from the response budget. */
  spendNsec3Hash(owner?: Name): boolean {
    if (this.hashCount >= this.budget.maxNsec3HashesPerResponse) {
      this.trip('maxNsec3HashesPerResponse', owner);
      return false;
    }
    this.hashCount++;
    return true;
  }

  /** Records that a limit was reached (for limits checked by the caller); `owner` names the data. */
  trip(name: BudgetName, owner?: Name): void {
    (this.tripCounts ??= { ...NO_TRIPS })[name]++;
    if (hasSubscribers(Channel.budgetTrip)) {
      publish(Channel.budgetTrip, owner === undefined ? { budget: name } : { budget: name, owner: owner.toString() });
    }
  }

  get validations(): number {
    return this.validationCount;
  }

  get failures(): number {
    return this.failureCount;
  }

  get nsec3Hashes(): number {
    return this.hashCount;
  }

  /** A frozen copy of the counters. */
  counters(): WorkCounters {
    return Object.freeze({
      validations: this.validationCount,
      failures: this.failureCount,
      nsec3Hashes: this.hashCount,
      trips: this.tripCounts === undefined ? NO_TRIPS : Object.freeze({ ...this.tripCounts }),
    });
  }
}

/** Checks a budget's numbers (config normalisation calls this). Throws RangeError. */
export function checkBudget(b: ValidationBudget): void {
  for (const name of BUDGET_NAMES) {
    const v = b[name];
    if (!Number.isInteger(v) || v < 1 || v > 1_000_000) throw new RangeError(`${name} must be an integer 1..1000000, got ${v}`);
  }
}
