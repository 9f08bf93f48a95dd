// The registry of validator EDE tags (DESIGN.md convention 6; RFC 8914 §2 EXTRA-TEXT, §4 codes).
//
// Every place in the validator that decides a non-secure outcome names one tag from this table.
// The tag is the first word of the EDE EXTRA-TEXT, so a `dig` answer points at the code path. The
// table pairs each tag with its RFC 8914 INFO-CODE and with the security status it stands for, so
// a tag and its code can never disagree. Each tag is used at exactly one site in `src/`; a test
// scans the sources to keep it so.
//
// EDE choices, argued (RFC 8914 §4.2-§4.13; where Unbound differs it is said):
// - no RRSIG at all over an RRset from a secure zone: 10 RRSIGs Missing;
// - RRSIGs present but none names a key (tag and algorithm) of the zone's validated DNSKEY set:
//   9 DNSKEY Missing, as Unbound reports "signatures from unknown keys";
// - RRSIGs present but only with algorithms we do not validate, in a zone that has a supported
//   key: 10 (no usable RRSIG; RFC 8914 code 1 is about a DNSKEY RRset, not an RRset's RRSIGs);
// - every usable RRSIG expired: 7; every one not yet valid: 8; expiration before inception: 25;
// - a signature checked and wrong: 6; budget trips: 6, with the limit named in the text;
// - a denial that lacks the covering or matching NSEC/NSEC3 it needs: 12 NSEC Missing; a denial
//   whose records contradict it (the type is in the bitmap, parent-side record): 6;
// - DS or trust anchor with only unsupported algorithms: 1, only unsupported digests: 2 (insecure);
// - NSEC3 iterations or salt over the cap: 27 (insecure, or bogus over the hard cap).
//
// Pure module: data only.

import { EdeCode } from '../wire/constants.js';

/** Which way a tag's outcome goes. */
export type TagStatus = 'bogus' | 'insecure' | 'indeterminate';

export interface TagInfo {
  readonly code: EdeCode;
  readonly status: TagStatus;
  /** One line: what the site found. */
  readonly meaning: string;
}

/** Tag constants: refer to tags through these names so that the uniqueness test can find the sites. */
export const EdeTag = {
  // RRset signatures (rrset-validator.ts), RFC 4035 §5.3.
  RRSIG_NONE: 'V-RRSIG-NONE',
  RRSIG_NO_KEY: 'V-RRSIG-NOKEY',
  RRSIG_ALGORITHM: 'V-RRSIG-ALG',
  RRSIG_EXPIRED: 'V-RRSIG-EXP',
  RRSIG_NOT_YET_VALID: 'V-RRSIG-NYV',
  RRSIG_EXPIRED_BEFORE_VALID: 'V-RRSIG-EXP-INC',
  RRSIG_CRYPTO: 'V-RRSIG-CRYPTO',
  RRSIG_SIGNER: 'V-RRSIG-SIGNER',
  RRSIG_LABELS: 'V-RRSIG-LABELS',
  RRSIG_MALFORMED: 'V-RRSIG-MALFORMED',
  RRSET_MALFORMED: 'V-RRSET-MALFORMED',
  // Work budgets (budget.ts limits, tripped in the validators).
  BUDGET_SIGNATURES: 'V-BUDGET-SIGS',
  BUDGET_KEYS: 'V-BUDGET-KEYS',
  BUDGET_VALIDATIONS: 'V-BUDGET-VALIDATIONS',
  BUDGET_FAILURES: 'V-BUDGET-FAILURES',
  BUDGET_DS_MATCH: 'V-BUDGET-DSMATCH',
  BUDGET_NSEC3_HASHES: 'V-BUDGET-NSEC3',
  // DNSKEY RRset against DS or trust anchor (key-validator.ts), RFC 4035 §5.2.
  DS_ALGORITHM_UNSUPPORTED: 'V-DS-ALG-UNSUP',
  DS_DIGEST_UNSUPPORTED: 'V-DS-DIGEST-UNSUP',
  ANCHOR_ALGORITHM_UNSUPPORTED: 'V-TA-ALG-UNSUP',
  DNSKEY_NONE: 'V-DNSKEY-NONE',
  DNSKEY_NO_DS_MATCH: 'V-DNSKEY-NOMATCH',
  DNSKEY_NO_ANCHOR_MATCH: 'V-TA-NOMATCH',
  DNSKEY_NO_ZONE_BIT: 'V-DNSKEY-NOZONEBIT',
  DNSKEY_WRONG_OWNER: 'V-DNSKEY-OWNER',
  DNSKEY_ALGORITHM_MISSING: 'V-DNSKEY-ALGMISSING',
  // Denial of existence with NSEC (nsec-proof.ts), RFC 4035 §5.4, RFC 6840 §4.1 §4.3.
  NSEC_NXDOMAIN_NOT_COVERED: 'V-NSEC-NXD-NOCOVER',
  NSEC_OUT_OF_ZONE: 'V-NSEC-OUTZONE',
  NSEC_NXDOMAIN_EXISTS: 'V-NSEC-NXD-EXISTS',
  NSEC_NXDOMAIN_WILDCARD: 'V-NSEC-NXD-WILDCARD',
  NSEC_NXDOMAIN_WILDCARD_EXISTS: 'V-NSEC-NXD-WCEXISTS',
  NSEC_NODATA_NO_PROOF: 'V-NSEC-NODATA-NOPROOF',
  NSEC_NODATA_TYPE_PRESENT: 'V-NSEC-NODATA-TYPE',
  NSEC_NODATA_PARENT_SIDE: 'V-NSEC-NODATA-PARENT',
  NSEC_NODATA_CHILD_SIDE: 'V-NSEC-NODATA-CHILD',
  NSEC_WILDCARD_NODATA_TYPE: 'V-NSEC-WCNODATA-TYPE',
  NSEC_WILDCARD_NO_PROOF: 'V-NSEC-WILDCARD-NOPROOF',
  NSEC_WILDCARD_CLOSER: 'V-NSEC-WILDCARD-CLOSER',
  NSEC_REFERRAL_NOT_DELEGATION: 'V-NSEC-REF-NONS',
  NSEC_REFERRAL_NO_PROOF: 'V-NSEC-REF-NOPROOF',
  // Denial of existence with NSEC3 (nsec3-proof.ts), RFC 5155 §8, RFC 9276.
  NSEC3_NO_CLOSEST_ENCLOSER: 'V-NSEC3-NOCE',
  NSEC3_NEXT_CLOSER_NOT_COVERED: 'V-NSEC3-NC',
  NSEC3_WILDCARD_NOT_COVERED: 'V-NSEC3-WC',
  NSEC3_NXDOMAIN_EXISTS: 'V-NSEC3-NXD-EXISTS',
  NSEC3_NODATA_TYPE_PRESENT: 'V-NSEC3-NODATA-TYPE',
  NSEC3_NODATA_PARENT_SIDE: 'V-NSEC3-NODATA-PARENT',
  NSEC3_NODATA_CHILD_SIDE: 'V-NSEC3-NODATA-CHILD',
  NSEC3_NODATA_NO_PROOF: 'V-NSEC3-NODATA-NOPROOF',
  NSEC3_CLOSEST_ENCLOSER_PARENT_SIDE: 'V-NSEC3-CE-PARENT',
  NSEC3_WILDCARD_NODATA_TYPE: 'V-NSEC3-WCNODATA-TYPE',
  NSEC3_REFERRAL_NOT_DELEGATION: 'V-NSEC3-REF-NONS',
  NSEC3_REFERRAL_NO_OPT_OUT: 'V-NSEC3-REF-NOOPTOUT',
  NSEC3_WILDCARD_ANSWER_NO_PROOF: 'V-NSEC3-WILDCARD-NOPROOF',
  NSEC3_NO_USABLE: 'V-NSEC3-UNUSABLE',
  NSEC3_ITERATIONS: 'V-NSEC3-ITER',
  NSEC3_ITERATIONS_BOGUS: 'V-NSEC3-ITER-HARD',
  NSEC3_SALT: 'V-NSEC3-SALT',
  // Whole responses (response-validator.ts).
  NEGATIVE_NO_PROOF: 'V-NEG-NOPROOF',
  WILDCARD_NO_PROOF: 'V-WILDCARD-NOPROOF',
  DNAME_SYNTHESIS: 'V-DNAME-SYNTH',
  REFERRAL_NO_DS_PROOF: 'V-REF-NODS',
  SIGNER_NOT_ZONE: 'V-SIGNER-NOTZONE',
  SIGNER_OUT_OF_SCOPE: 'V-SIGNER-SCOPE',
  ZONE_BOGUS: 'V-ZONE-BOGUS',
  ZONE_INDETERMINATE: 'V-ZONE-INDET',
} as const;
export type EdeTag = (typeof EdeTag)[keyof typeof EdeTag];

const B = 'bogus' as const;
const I = 'insecure' as const;

const info = (code: EdeCode, status: TagStatus, meaning: string): TagInfo => Object.freeze({ code, status, meaning });

/** Every tag with its EDE code, its status and what it means. */
export const EDE_TAGS: Readonly<Record<EdeTag, TagInfo>> = Object.freeze({
  'V-RRSIG-NONE': info(EdeCode.RRSIGS_MISSING, B, 'no RRSIG covers an RRset of a secure zone'),
  'V-RRSIG-NOKEY': info(EdeCode.DNSKEY_MISSING, B, 'no RRSIG names a key of the validated DNSKEY RRset'),
  'V-RRSIG-ALG': info(EdeCode.RRSIGS_MISSING, B, 'only RRSIGs with algorithms that are not validated'),
  'V-RRSIG-EXP': info(EdeCode.SIGNATURE_EXPIRED, B, 'every usable RRSIG has expired'),
  'V-RRSIG-NYV': info(EdeCode.SIGNATURE_NOT_YET_VALID, B, 'every usable RRSIG is not yet valid'),
  'V-RRSIG-EXP-INC': info(EdeCode.SIGNATURE_EXPIRED_BEFORE_VALID, B, 'RRSIG expiration precedes its inception'),
  'V-RRSIG-CRYPTO': info(EdeCode.DNSSEC_BOGUS, B, 'signature checked against its key and wrong'),
  'V-RRSIG-SIGNER': info(EdeCode.DNSSEC_BOGUS, B, 'RRSIG signer is not the zone of the keys, or the owner is not below it'),
  'V-RRSIG-LABELS': info(EdeCode.DNSSEC_BOGUS, B, 'RRSIG labels field larger than the owner or smaller than the signer'),
  'V-RRSIG-MALFORMED': info(EdeCode.DNSSEC_BOGUS, B, 'RRSIG RDATA cannot be decoded'),
  'V-RRSET-MALFORMED': info(EdeCode.DNSSEC_BOGUS, B, 'RRset RDATA cannot be put in canonical form'),
  'V-BUDGET-SIGS': info(EdeCode.DNSSEC_BOGUS, B, 'signatures tried for one RRset reached the limit'),
  'V-BUDGET-KEYS': info(EdeCode.DNSSEC_BOGUS, B, 'keys tried for one signature (key tag collisions) reached the limit'),
  'V-BUDGET-VALIDATIONS': info(EdeCode.DNSSEC_BOGUS, B, 'signature validations for one response reached the limit'),
  'V-BUDGET-FAILURES': info(EdeCode.DNSSEC_BOGUS, B, 'failed signature validations for one response reached the limit'),
  'V-BUDGET-DSMATCH': info(EdeCode.DNSSEC_BOGUS, B, 'DS-matched keys that failed to sign the DNSKEY RRset reached the limit'),
  'V-BUDGET-NSEC3': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC3 hash computations for one response reached the limit'),
  'V-DS-ALG-UNSUP': info(EdeCode.UNSUPPORTED_DNSKEY_ALGORITHM, I, 'DS RRset names only algorithms that are not validated'),
  'V-DS-DIGEST-UNSUP': info(EdeCode.UNSUPPORTED_DS_DIGEST_TYPE, I, 'DS RRset has only digest types that are not supported'),
  'V-TA-ALG-UNSUP': info(EdeCode.UNSUPPORTED_DNSKEY_ALGORITHM, I, 'trust anchor has only algorithms that are not validated'),
  'V-DNSKEY-NONE': info(EdeCode.DNSKEY_MISSING, B, 'no DNSKEY RRset for a zone that has a DS or trust anchor'),
  'V-DNSKEY-NOMATCH': info(EdeCode.DNSKEY_MISSING, B, 'no DNSKEY matches a usable DS'),
  'V-TA-NOMATCH': info(EdeCode.DNSKEY_MISSING, B, 'no DNSKEY matches the trust anchor, or none signs the DNSKEY RRset'),
  'V-DNSKEY-NOZONEBIT': info(EdeCode.NO_ZONE_KEY_BIT_SET, B, 'the DNSKEY a DS or anchor points at lacks the Zone Key flag'),
  'V-DNSKEY-OWNER': info(EdeCode.DNSSEC_BOGUS, B, 'DNSKEY RRset owner is not the zone of the DS or anchor'),
  'V-DNSKEY-ALGMISSING': info(EdeCode.DNSSEC_BOGUS, B, 'harden-algo-downgrade: an algorithm of the DS RRset or anchors signs no DNSKEY RRset'),
  'V-NSEC-NXD-NOCOVER': info(EdeCode.NSEC_MISSING, B, 'no NSEC covers the name said not to exist'),
  'V-NSEC-OUTZONE': info(EdeCode.DNSSEC_BOGUS, B, 'the only NSEC covering the name has an owner or next name outside its zone'),
  'V-NSEC-NXD-EXISTS': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC shows the name said not to exist does exist'),
  'V-NSEC-NXD-WILDCARD': info(EdeCode.NSEC_MISSING, B, 'no NSEC proves the wildcard at the closest encloser absent'),
  'V-NSEC-NXD-WCEXISTS': info(EdeCode.DNSSEC_BOGUS, B, 'an NSEC shows the wildcard at the closest encloser exists'),
  'V-NSEC-NODATA-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'no NSEC matches the name (or its wildcard) of a NODATA answer'),
  'V-NSEC-NODATA-TYPE': info(EdeCode.DNSSEC_BOGUS, B, 'matching NSEC lists the type (or CNAME) said not to exist'),
  'V-NSEC-NODATA-PARENT': info(EdeCode.DNSSEC_BOGUS, B, 'parent-side NSEC at a delegation used to deny a type other than DS'),
  'V-NSEC-NODATA-CHILD': info(EdeCode.DNSSEC_BOGUS, B, 'child apex NSEC used to deny a DS'),
  'V-NSEC-WCNODATA-TYPE': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC of the wildcard lists the type said not to exist'),
  'V-NSEC-WILDCARD-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'no NSEC proves the name of a wildcard answer absent'),
  'V-NSEC-WILDCARD-CLOSER': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC shows a closer name than the wildcard exists'),
  'V-NSEC-REF-NONS': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC at a referral lacks the NS bit (or has DS or SOA)'),
  'V-NSEC-REF-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'no NSEC at the delegation of a referral without DS'),
  'V-NSEC3-NOCE': info(EdeCode.NSEC_MISSING, B, 'no NSEC3 matches a closest encloser'),
  'V-NSEC3-NC': info(EdeCode.NSEC_MISSING, B, 'no NSEC3 covers the next closer name'),
  'V-NSEC3-WC': info(EdeCode.NSEC_MISSING, B, 'no NSEC3 covers the wildcard at the closest encloser'),
  'V-NSEC3-NXD-EXISTS': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC3 matches the name said not to exist (or the delegation it encloses)'),
  'V-NSEC3-NODATA-TYPE': info(EdeCode.DNSSEC_BOGUS, B, 'matching NSEC3 lists the type (or CNAME) said not to exist'),
  'V-NSEC3-NODATA-PARENT': info(EdeCode.DNSSEC_BOGUS, B, 'parent-side NSEC3 at a delegation used to deny a type other than DS'),
  'V-NSEC3-NODATA-CHILD': info(EdeCode.DNSSEC_BOGUS, B, 'child apex NSEC3 used to deny a DS'),
  'V-NSEC3-NODATA-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'no NSEC3 matches the name or its wildcard of a NODATA answer'),
  'V-NSEC3-CE-PARENT': info(EdeCode.DNSSEC_BOGUS, B, 'closest encloser NSEC3 is a delegation or DNAME: names below are not in the zone'),
  'V-NSEC3-WCNODATA-TYPE': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC3 of the wildcard lists the type said not to exist'),
  'V-NSEC3-REF-NONS': info(EdeCode.DNSSEC_BOGUS, B, 'NSEC3 at a referral lacks the NS bit (or has DS or SOA)'),
  'V-NSEC3-REF-NOOPTOUT': info(EdeCode.NSEC_MISSING, B, 'referral without DS: the NSEC3 covering the delegation is not opt-out'),
  'V-NSEC3-WILDCARD-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'no NSEC3 covers the next closer name of a wildcard answer'),
  'V-NSEC3-UNUSABLE': info(EdeCode.NSEC_MISSING, B, 'only NSEC3 records with unknown hash algorithm or flags'),
  'V-NSEC3-ITER': info(EdeCode.UNSUPPORTED_NSEC3_ITERATIONS, I, 'NSEC3 iterations above the cap (RFC 9276): insecure'),
  'V-NSEC3-ITER-HARD': info(EdeCode.UNSUPPORTED_NSEC3_ITERATIONS, B, 'NSEC3 iterations above the hard cap: bogus'),
  'V-NSEC3-SALT': info(EdeCode.UNSUPPORTED_NSEC3_ITERATIONS, I, 'NSEC3 salt longer than the cap: insecure'),
  'V-NEG-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'negative answer from a secure zone without NSEC or NSEC3'),
  'V-WILDCARD-NOPROOF': info(EdeCode.NSEC_MISSING, B, 'wildcard answer without NSEC or NSEC3 proving the name absent'),
  'V-DNAME-SYNTH': info(EdeCode.DNSSEC_BOGUS, B, 'CNAME does not follow from the DNAME that covers it'),
  'V-REF-NODS': info(EdeCode.NSEC_MISSING, B, 'referral from a secure zone with neither DS nor proof of no DS'),
  'V-SIGNER-NOTZONE': info(EdeCode.DNSKEY_MISSING, B, 'RRSIG signer is not a zone apex with validated keys'),
  'V-SIGNER-SCOPE': info(EdeCode.DNSSEC_BOGUS, B, 'no RRSIG signer is the owner or an ancestor of it'),
  'V-ZONE-BOGUS': info(EdeCode.DNSSEC_BOGUS, B, 'the zone keys are bogus (no reason given by the key lookup)'),
  'V-ZONE-INDET': info(EdeCode.DNSSEC_INDETERMINATE, 'indeterminate', 'the zone security is indeterminate'),
});

/** The EDE INFO-CODE of a tag. */
export function edeCodeOf(tag: EdeTag): EdeCode {
  return EDE_TAGS[tag].code;
}
