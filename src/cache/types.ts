// Values shared by the caches: the security status an entry carries (RFC 4035 §4.3: secure,
// insecure, bogus, indeterminate; plus `unchecked` for data stored before or without validation,
// e.g. glue or CD=1 fetches), the reason kept with a bogus result (the validator's VerdictReason:
// EDE tag, RFC 8914 code and detail, DESIGN.md convention 5), and an RRset with its signatures.

import type { Security, VerdictReason } from '../dnssec/verdict.js';
import type { RRset } from '../wire/record.js';

/** The validator's four statuses (dnssec/verdict.ts `Security`) plus `unchecked`. */
export const SecurityStatus = {
  secure: 'secure',
  insecure: 'insecure',
  bogus: 'bogus',
  indeterminate: 'indeterminate',
  /** Not (yet) validated: glue, referral data, CD=1 fetches. */
  unchecked: 'unchecked',
} as const;
export type SecurityStatus = Security | typeof SecurityStatus.unchecked;

/** Why an entry is bogus (or indeterminate): the validator's reason, with its EDE tag and code. */
export type CacheReason = VerdictReason;

/**
 * An RRset with the RDATA of the RRSIGs covering it (same owner and class; empty when unsigned).
 * The same shape as the validator's SignedRRset (dnssec/rrset-validator.ts), so validated data
 * goes into the caches as it comes out of the validator.
 */
export interface SignedRRset {
  readonly rrset: RRset;
  readonly rrsigs: readonly Uint8Array[];
  /** The smallest TTL of the RRSIG records, when known. */
  readonly rrsigTtl?: number;
}
