// The resolver's Extended DNS Error sites (DESIGN.md conventions 6 and 7; RFC 8914 §2, §4).
//
// Validation outcomes carry the validator's own tags (dnssec/ede-tags.ts, `V-...`); the resolver
// adds the failures that are not about signatures: servers that cannot be reached and work limits
// that tripped. Each tag here is used at exactly one site in src/resolver and starts the EDE
// EXTRA-TEXT, so a `dig` answer points at the code path. Codes, argued:
// - every server of a delegation failed (timeouts, errors, lame) or none could be found:
//   22 No Reachable Authority (RFC 8914 §4.23), as Unbound and BIND report it; so too when every
//   forwarder of a forward zone failed (its own tag);
// - a delegation whose NS names exceed the NS-names-resolved limit (NXNS, CVE-2020-12662) and none
//   of the resolved ones answered: 22 too, with its own tag, since no authority was reached;
// - the other work limits (referrals, sub-queries, upstream queries, CNAME links, nesting depth,
//   wall time) and CNAME loops: 0 Other, the limit named by the tag (RFC 8914 has no code for
//   "resolver gave up"; Unbound uses 0 with text for its limits too);
// - a DS walk whose parent answers neither DS nor a denial: 9 DNSKEY Missing (the keys of the
//   zone cannot be found), as Unbound's "no DS"; keys that stay unsettled: 5 Indeterminate.
// A test checks that each tag is used at exactly one site.
//
// Pure module: data only.

import { EdeCode } from '../wire/constants.js';

export const ResolverTag = {
  NO_REACHABLE_AUTHORITY: 'R-NOREACH',
  NO_SERVER_ADDRESSES: 'R-NOADDR',
  NO_FORWARDER: 'R-NOFWD',
  LIMIT_NS_NAMES: 'R-LIMIT-NSNAMES',
  LIMIT_REFERRALS: 'R-LIMIT-REFERRALS',
  LIMIT_SUB_QUERIES: 'R-LIMIT-SUBQUERIES',
  LIMIT_UPSTREAM_QUERIES: 'R-LIMIT-UPSTREAM',
  LIMIT_CNAME_CHAIN: 'R-LIMIT-CNAME',
  LIMIT_DEPTH: 'R-LIMIT-DEPTH',
  LIMIT_WALL_TIME: 'R-LIMIT-TIME',
  CNAME_LOOP: 'R-CNAME-LOOP',
  NO_ANSWER: 'R-NOANSWER',
  NO_DS_ANSWER: 'R-NODS',
  DEPENDS_ON_ITSELF: 'R-DEPLOOP',
  KEYS_UNSETTLED: 'R-KEYS',
} as const;
export type ResolverTag = (typeof ResolverTag)[keyof typeof ResolverTag];

export interface ResolverTagInfo {
  readonly code: EdeCode;
  readonly meaning: string;
}

const info = (code: EdeCode, meaning: string): ResolverTagInfo => Object.freeze({ code, meaning });

export const RESOLVER_TAGS: Readonly<Record<ResolverTag, ResolverTagInfo>> = Object.freeze({
  'R-NOREACH': info(EdeCode.NO_REACHABLE_AUTHORITY, 'every server of the delegation timed out, failed or was lame'),
  'R-NOFWD': info(EdeCode.NO_REACHABLE_AUTHORITY, 'every forwarder of the forward zone timed out or failed'),
  'R-NOADDR': info(EdeCode.NO_REACHABLE_AUTHORITY, 'no address could be found for any name server of the delegation'),
  'R-LIMIT-NSNAMES': info(EdeCode.NO_REACHABLE_AUTHORITY, 'NS names resolved for one delegation reached the limit (NXNS)'),
  'R-LIMIT-REFERRALS': info(EdeCode.OTHER, 'referrals followed for one client query reached the limit'),
  'R-LIMIT-SUBQUERIES': info(EdeCode.OTHER, 'sub-queries (NS addresses, DS, DNSKEY) for one client query reached the limit'),
  'R-LIMIT-UPSTREAM': info(EdeCode.OTHER, 'upstream queries sent for one client query reached the limit'),
  'R-LIMIT-CNAME': info(EdeCode.OTHER, 'CNAME/DNAME links followed reached the limit'),
  'R-LIMIT-DEPTH': info(EdeCode.OTHER, 'nesting of sub-queries reached the limit'),
  'R-LIMIT-TIME': info(EdeCode.OTHER, 'wall time for one client query ran out'),
  'R-CNAME-LOOP': info(EdeCode.OTHER, 'the CNAME/DNAME chain loops'),
  'R-NOANSWER': info(EdeCode.OTHER, 'the authoritative answer did not contain what it was asked for'),
  'R-NODS': info(EdeCode.DNSKEY_MISSING, 'the parent gave neither a DS RRset nor a denial for a zone on the chain of trust'),
  'R-DEPLOOP': info(EdeCode.OTHER, 'a DS or DNSKEY fetch needed its own answer first'),
  'R-KEYS': info(EdeCode.DNSSEC_INDETERMINATE, 'the zone keys a response needs could not be settled'),
});

/** A resolver failure: SERVFAIL with this EDE. */
export interface ResolverFailure {
  readonly kind: 'fail';
  readonly tag: ResolverTag;
  readonly code: EdeCode;
  readonly detail: string;
}

export function failure(tag: ResolverTag, detail: string): ResolverFailure {
  return { kind: 'fail', tag, code: RESOLVER_TAGS[tag].code, detail };
}

/** The EDE EXTRA-TEXT of a failure: the tag first. */
export function failureText(f: ResolverFailure): string {
  return `${f.tag}: ${f.detail}`;
}
