// Validation outcomes as values (DESIGN.md convention 5; RFC 4033 §5 and RFC 4035 §4.3 define the
// four states; RFC 8914 §4 the Extended DNS Error codes that explain them).
//
// - secure: a chain of signatures leads from a trust anchor to the data;
// - insecure: the chain proves there is no chain (an insecure delegation, only unsupported
//   algorithms or digests, NSEC3 iterations over the cap);
// - bogus: there should be a chain and it is broken; always carries a reason;
// - indeterminate: no trust anchor says whether the data should be signed.
//
// A reason names the site that decided (an EDE tag, ede-tags.ts), the EDE code that goes with it,
// and what is known of where: owner, type, key tag, algorithm, and which bound failed (a time
// bound of an RRSIG, a labels bound, or a work budget). `edeExtraText` renders it with the tag
// first, as the EXTRA-TEXT of the EDE option (RFC 8914 §2).
//
// Pure module: no I/O, no clock.

import { typeToString, type EdeCode } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { EDE_TAGS, type EdeTag } from './ede-tags.js';

export const Security = {
  SECURE: 'secure',
  INSECURE: 'insecure',
  BOGUS: 'bogus',
  INDETERMINATE: 'indeterminate',
} as const;
export type Security = (typeof Security)[keyof typeof Security];

/** Why an outcome is not secure (or why it is insecure): the site, its EDE code and the facts. */
export interface VerdictReason {
  readonly tag: EdeTag;
  readonly ede: EdeCode;
  /** Human-readable detail, without the tag. */
  readonly detail: string;
  readonly owner?: Name;
  readonly type?: number;
  readonly keyTag?: number;
  readonly algorithm?: number;
  /**
   * Which bound failed: `expiration`, `inception`, `labels`, `iterations`, `salt`, or the name of
   * the budget limit (`maxSignaturesPerRRset`, ...).
   */
  readonly bound?: string;
}

/** Facts a site may attach to a reason. */
export interface ReasonFacts {
  readonly owner?: Name | undefined;
  readonly type?: number | undefined;
  readonly keyTag?: number | undefined;
  readonly algorithm?: number | undefined;
  readonly bound?: string | undefined;
}

/** Builds a reason for `tag`; the EDE code comes from the tag registry. */
export function reason(tag: EdeTag, detail: string, facts: ReasonFacts = {}): VerdictReason {
  const out: {
    tag: EdeTag;
    ede: EdeCode;
    detail: string;
    owner?: Name;
    type?: number;
    keyTag?: number;
    algorithm?: number;
    bound?: string;
  } = { tag, ede: EDE_TAGS[tag].code, detail };
  if (facts.owner !== undefined) out.owner = facts.owner;
  if (facts.type !== undefined) out.type = facts.type;
  if (facts.keyTag !== undefined) out.keyTag = facts.keyTag;
  if (facts.algorithm !== undefined) out.algorithm = facts.algorithm;
  if (facts.bound !== undefined) out.bound = facts.bound;
  return out;
}

/** The EDE EXTRA-TEXT for a reason: the tag first, then where, then the detail. */
export function edeExtraText(r: VerdictReason): string {
  const parts: string[] = [r.tag];
  if (r.owner !== undefined) parts.push(r.type !== undefined ? `${r.owner.toString()}/${typeToString(r.type)}` : r.owner.toString());
  if (r.keyTag !== undefined) parts.push(`key ${r.keyTag}`);
  if (r.algorithm !== undefined) parts.push(`alg ${r.algorithm}`);
  if (r.bound !== undefined) parts.push(`bound ${r.bound}`);
  return `${parts.join(' ')}: ${r.detail}`;
}

const RANK: Readonly<Record<Security, number>> = { secure: 0, insecure: 1, indeterminate: 2, bogus: 3 };

/**
 * The weaker of two statuses, for data made of parts (a CNAME chain, an answer and its proof):
 * bogus > indeterminate > insecure > secure.
 */
export function weakest(a: Security, b: Security): Security {
  return RANK[a] >= RANK[b] ? a : b;
}

/** A status with its reason: the common shape of every verdict. */
export type Judgement =
  | { readonly status: 'secure' }
  | { readonly status: 'insecure'; readonly reason?: VerdictReason }
  | { readonly status: 'bogus'; readonly reason: VerdictReason }
  | { readonly status: 'indeterminate'; readonly reason?: VerdictReason };

/** A judgement for a reason, with the status the tag stands for. */
export function judged(r: VerdictReason): Judgement {
  const status = EDE_TAGS[r.tag].status;
  if (status === 'bogus') return { status, reason: r };
  return { status, reason: r };
}
