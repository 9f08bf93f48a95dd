// What the resolver hands back for a client question, and how it is assembled from the pieces of
// a resolution (RFC 1034 §4.3.2 answer layout; RFC 4035 §3.2 DNSSEC records in responses).
//
// - Answer: every CNAME/DNAME link from QNAME (a DNAME with the CNAME it implies, RFC 6672 §3.4),
//   then the RRsets of the final name (or the DNAME that overflows it: YXDOMAIN, RFC 6672 §2.2). Authority: for NXDOMAIN/NODATA the zone's SOA with the
//   remaining negative TTL (RFC 2308 §3, §5). With DO (RFC 3225 §3, RFC 4035 §3.2.1) the RRSIGs
//   of each RRset and the NSEC/NSEC3 proofs (negative answers, wildcard expansions) are added.
// - Security: the weakest status of the parts (dnssec/verdict.ts `weakest`). AD (RFC 6840 §5.7)
//   only on a secure answer to a client that set DO or AD. Bogus → SERVFAIL with the validator's
//   EDE, its tag first in EXTRA-TEXT, unless the client set CD (RFC 4035 §3.2.2): then the data
//   goes out unvalidated-looking (no AD). Insecure answers for a reason (unsupported algorithm,
//   NSEC3 iterations over the cap) keep their informational EDE (RFC 8914 §4.2, §4.28).
// - Failures of the resolver itself (limits, unreachable servers): SERVFAIL with the resolver's
//   EDE (ede-tags.ts).
//
// Pure module.

import { rrsetKey } from '../cache/rrset-cache.js';
import { SecurityStatus } from '../cache/types.js';
import type { SignedRRset } from '../dnssec/rrset-validator.js';
import { edeExtraText, weakest, type Security, type VerdictReason } from '../dnssec/verdict.js';
import { EDE_TAGS } from '../dnssec/ede-tags.js';
import { Rcode, RRType } from '../wire/constants.js';
import type { ExtendedError } from '../wire/edns.js';
import type { Name } from '../wire/name.js';
import type { ResourceRecord, RRset } from '../wire/record.js';
import { failureText, type ResolverFailure } from './ede-tags.js';

/** One RRset of a result, with its security status and the TTL to serve it with. */
export interface Piece {
  readonly set: SignedRRset;
  readonly status: SecurityStatus;
  readonly reason?: VerdictReason | undefined;
  /** Seconds. */
  readonly ttl: number;
}

/** What the resolver found for one name (and the client's type). */
export type NameResult =
  | {
      readonly kind: 'data';
      readonly sets: readonly Piece[];
      /** NSEC/NSEC3 proving a wildcard expansion (served with DO). */
      readonly proofs: readonly SignedRRset[];
      /**
       * The zone's NS RRsets and their addresses from the authority and additional sections of
       * the response that answered (not from the cache); served only when responses are not
       * minimal (ResolverOptions.minimalResponses).
       */
      readonly extra?: { readonly authority: readonly SignedRRset[]; readonly additional: readonly SignedRRset[] } | undefined;
    }
  | {
      readonly kind: 'cname';
      readonly cname: Piece;
      /** The DNAME the CNAME was synthesised from. */
      readonly dname?: Piece | undefined;
      readonly target: Name;
      /** NSEC/NSEC3 proving a wildcard expansion of the CNAME (served with DO). */
      readonly proofs?: readonly SignedRRset[] | undefined;
    }
  | {
      readonly kind: 'negative';
      readonly nxdomain: boolean;
      readonly soa: SignedRRset | undefined;
      readonly proofs: readonly SignedRRset[];
      readonly status: SecurityStatus;
      readonly reason?: VerdictReason | undefined;
      /** Seconds: the TTL of the SOA served. */
      readonly ttl: number;
      /**
       * Seconds the negative entry itself lives on, when it shows a newer SOA of its zone with a
       * longer TTL (negative-cache.ts); undefined: `ttl`.
       */
      readonly life?: number | undefined;
      /**
       * The proofs go before the SOA: the server's order (its NSEC/NSEC3 came first) or a
       * synthesis from the aggressive cache (as Unbound's negative cache orders it). Default:
       * SOA first.
       */
      readonly soaLast?: boolean | undefined;
      /**
       * The NS RRsets the authoritative server gave beside the SOA and their addresses, served when
       * not minimal (NODATA) or with negativeNs (ResolverOptions.negativeAuthorityNs).
       */
      readonly extra?: { readonly authority: readonly SignedRRset[]; readonly additional: readonly SignedRRset[] } | undefined;
    }
  | {
      /** A DNAME whose substitution would make the name too long (RFC 6672 §2.2). */
      readonly kind: 'yxdomain';
      readonly dname: Piece;
    }
  | {
      /**
       * Not in the caches, and recursion not desired (RD clear): the closest delegation the
       * caches know (its NS RRset, the DS RRset when cached, the servers' cached addresses).
       */
      readonly kind: 'miss';
      readonly referral?: Referral | undefined;
    }
  | ResolverFailure;

/** A referral built from the caches for a question asked without recursion. */
export interface Referral {
  readonly ns: Piece;
  readonly ds?: Piece | undefined;
  /** A/AAAA RRsets of the NS names (no RRSIGs: the referral is not validated). */
  readonly glue: readonly Piece[];
}

export interface ResolverQuestion {
  readonly name: Name;
  readonly type: number;
  /** Default IN. */
  readonly class?: number;
}

export interface ResolveFlags {
  /** Recursion desired; without it only the caches answer. Default true. */
  readonly rd?: boolean;
  /** Checking disabled (RFC 4035 §3.2.2). */
  readonly cd?: boolean;
  /** DNSSEC OK (RFC 3225): include RRSIGs and proofs. */
  readonly do?: boolean;
  /** The client set AD (RFC 6840 §5.7): it understands AD without DO. */
  readonly ad?: boolean;
}

export interface ResolverAnswer {
  readonly rcode: number;
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  readonly additional: readonly ResourceRecord[];
  /** Security of the answer as a whole; `unchecked` when nothing was judged (failures). */
  readonly security: SecurityStatus;
  /** Set AD in the response (secure, and the client set DO or AD, RFC 6840 §5.7). */
  readonly ad: boolean;
  /** Extended DNS Errors to attach (RFC 8914), tag first in the text. */
  readonly ede: readonly ExtendedError[];
  /** True when no upstream query was needed. */
  readonly fromCache: boolean;
  /** Upstream queries this client query sent (its own; coalesced ones count for the first). */
  readonly upstreamQueries: number;
  /**
   * Seconds a cache of whole answers may serve this one again, when shorter than its TTLs say: a
   * negative cache entry that shows its zone's newer SOA (negative-cache.ts) ends before that
   * SOA's TTL. Undefined: the TTLs decide.
   */
  readonly cacheTtl?: number | undefined;
  /**
   * The zone whose SOA a negative answer shows: a cache of whole answers drops the answer when
   * that zone's newest SOA changes (NegativeCache.onZoneSoaChange).
   */
  readonly soaZone?: Name | undefined;
  /**
   * Seconds: the data behind the answer was cached no longer than this (its delegation's expiry,
   * resolver.ts delegationExpiry), though the answer shows the TTLs received. A cache of whole
   * answers serves it with TTLs capped to this, as the caches would. Undefined: no cap.
   */
  readonly ttlCap?: number | undefined;
  /**
   * Keys (rrset-cache.ts rrsetKey) of the RRsets served in the authority and additional sections
   * beside the data: a cache of whole answers drops the answer when one changes
   * (RRsetCache.onChange), as Unbound's message cache shows the RRsets' current data.
   */
  readonly rrsetTags?: readonly string[] | undefined;
}

export interface ChainResult {
  readonly links: readonly Extract<NameResult, { kind: 'cname' }>[];
  readonly final: NameResult;
}

function records(s: SignedRRset, ttl: number, owner: Name | undefined, withSigs: boolean, out: ResourceRecord[]): void {
  const name = owner ?? s.rrset.name;
  const t = Math.max(0, Math.floor(ttl));
  for (const rdata of s.rrset.rdatas) out.push({ name, type: s.rrset.type, class: s.rrset.class, ttl: t, rdata });
  if (withSigs) for (const rdata of s.rrsigs) out.push({ name, type: RRType.RRSIG, class: s.rrset.class, ttl: t, rdata });
}

/** The owner to print: the client's own spelling of QNAME where the owner is QNAME. */
function ownerFor(rrset: RRset, qname: Name): Name | undefined {
  return rrset.name.equals(qname) ? qname : undefined;
}

function edeOf(reason: VerdictReason): ExtendedError {
  return { infoCode: reason.ede, extraText: edeExtraText(reason) };
}

function servfail(ede: readonly ExtendedError[], fromCache: boolean, upstreamQueries: number, ttlCap?: number): ResolverAnswer {
  const a: ResolverAnswer = {
    rcode: Rcode.SERVFAIL,
    answer: [],
    authority: [],
    additional: [],
    security: SecurityStatus.unchecked,
    ad: false,
    ede,
    fromCache,
    upstreamQueries,
  };
  return ttlCap === undefined ? a : { ...a, ttlCap };
}

/** REFUSED without records: a question the resolver does not take (another class). */
export function refusedAnswer(): ResolverAnswer {
  return { ...servfail([], true, 0), rcode: Rcode.REFUSED };
}

/** SERVFAIL for a resolver failure. */
export function failureAnswer(f: ResolverFailure, fromCache: boolean, upstreamQueries: number, ttlCap?: number): ResolverAnswer {
  return servfail([{ infoCode: f.code, extraText: failureText(f) }], fromCache, upstreamQueries, ttlCap);
}

function rank(s: SecurityStatus): Security {
  return s === SecurityStatus.unchecked ? 'insecure' : s;
}

/** Shared by answers with no EDE and no extra RRsets (never written: the fields are readonly). */
const NO_EDE: readonly ExtendedError[] = Object.freeze([]);
const NO_TAGS: readonly string[] = Object.freeze([]);

/**
 * One answer being assembled: its sections, the weakest status seen with the reason that goes with
 * it, and what went out once already. One object per answer instead of closures over locals.
 */
class AnswerParts {
  readonly answer: ResourceRecord[] = [];
  readonly authority: ResourceRecord[] = [];
  readonly additional: ResourceRecord[] = [];
  status: Security = 'secure';
  reason: VerdictReason | undefined = undefined;
  reasonStatus: Security = 'secure';
  /** Proof RRsets out (name key/type), made at the first proof: most answers carry none. */
  proofsOut: Set<string> | undefined = undefined;
  /** DNAME owners out, made at the first DNAME. */
  dnamesOut: Set<string> | undefined = undefined;
  /** rrsetKey of the RRsets served beside the data, made at the first. */
  rrsetTags: string[] | undefined = undefined;
  readonly dnssecOk: boolean;

  constructor(dnssecOk: boolean) {
    this.dnssecOk = dnssecOk;
  }

  /** Takes in one part's status: the answer is as secure as its weakest part, with that part's reason. */
  note(s: SecurityStatus, r: VerdictReason | undefined): void {
    const st = rank(s);
    this.status = weakest(this.status, st);
    if (r !== undefined && (this.reason === undefined || weakest(this.reasonStatus, st) !== this.reasonStatus)) {
      this.reason = r;
      this.reasonStatus = st;
    }
  }

  /** Proof RRsets go out once each, whichever links and final answer they prove. */
  proofs(list: readonly SignedRRset[]): void {
    for (const p of list) {
      const key = `${p.rrset.name.key}/${p.rrset.type}`;
      if (this.proofsOut?.has(key) === true) continue;
      (this.proofsOut ??= new Set()).add(key);
      records(p, p.rrset.ttl, undefined, true, this.authority);
    }
  }

  /**
   * Not minimal (Unbound `minimal-responses: no`): the answering response's NS RRsets or their
   * addresses go along (RFC 1034 §4.3.2 step 6, RFC 2181 §5.4.1: authority and glue are optional
   * in an answer); in a secure answer only the signed ones (Unbound's val-clean-additional drops
   * what did not validate).
   */
  extra(list: readonly SignedRRset[], out: ResourceRecord[]): void {
    const secure = this.status === 'secure';
    for (const s of list) {
      if (secure && s.rrsigs.length === 0) continue;
      records(s, s.rrset.ttl, undefined, this.dnssecOk, out);
      (this.rrsetTags ??= []).push(rrsetKey(s.rrset.name, s.rrset.type, s.rrset.class));
    }
  }
}

/**
 * Assembles the client answer (module header). `ttlCap`: ResolverAnswer.ttlCap, set on the answer
 * as it is made (not on a copy of it).
 */
export function buildAnswer(
  qname: Name,
  chain: ChainResult,
  flags: ResolveFlags,
  fromCache: boolean,
  upstreamQueries: number,
  minimal = true,
  negativeNs = false,
  ttlCap?: number,
): ResolverAnswer {
  const dnssecOk = flags.do === true;
  const final = chain.final;
  if (final.kind === 'fail') return failureAnswer(final, fromCache, upstreamQueries, ttlCap);
  const b = new AnswerParts(dnssecOk);
  const { answer, authority, additional } = b;
  // A DNAME that maps several names of the chain (a DNAME to an ancestor of its own owner) goes
  // out once: an RRset appears once in a section (RFC 2181 §5).
  for (const link of chain.links) {
    if (dnssecOk && link.proofs !== undefined) b.proofs(link.proofs);
    if (link.dname !== undefined) {
      b.note(link.dname.status, link.dname.reason);
      // The CNAME that goes out is the server's: when it does not follow from the DNAME the
      // validator judged it bogus (RFC 6672 §3.2 via the DNAME's signature), and so is the answer.
      b.note(link.cname.status, link.cname.reason);
      const dkey = link.dname.set.rrset.name.key;
      if (b.dnamesOut?.has(dkey) !== true) records(link.dname.set, link.dname.ttl, undefined, dnssecOk, answer);
      (b.dnamesOut ??= new Set()).add(dkey);
      records(link.cname.set, Math.min(link.cname.ttl, link.dname.ttl), ownerFor(link.cname.set.rrset, qname), false, answer);
    } else {
      b.note(link.cname.status, link.cname.reason);
      records(link.cname.set, link.cname.ttl, ownerFor(link.cname.set.rrset, qname), dnssecOk, answer);
    }
  }
  let rcode: number = Rcode.NOERROR;
  let cacheTtl: number | undefined;
  let soaZone: Name | undefined;
  switch (final.kind) {
    case 'data':
      for (const p of final.sets) {
        b.note(p.status, p.reason);
        records(p.set, p.ttl, ownerFor(p.set.rrset, qname), dnssecOk, answer);
      }
      if (dnssecOk) b.proofs(final.proofs);
      if (!minimal && final.extra !== undefined) {
        b.extra(final.extra.authority, authority);
        b.extra(final.extra.additional, additional);
      }
      break;
    case 'negative':
      b.note(final.status, final.reason);
      if (final.nxdomain) rcode = Rcode.NXDOMAIN;
      if (final.soa !== undefined && final.soaLast !== true) records(final.soa, final.ttl, undefined, dnssecOk, authority);
      // The proofs keep their own TTL, counted down by the caches (ttl-policy.ts agedCopy): RFC 9077
      // §4 bounds how long a resolver uses them, not the TTL it relays (as Unbound).
      if (dnssecOk) b.proofs(final.proofs);
      if (final.soa !== undefined && final.soaLast === true) records(final.soa, final.ttl, undefined, dnssecOk, authority);
      // The NS RRset the authoritative server gave beside its SOA (RFC 2308 §3 allows it): a
      // NODATA's when not minimal, with the servers' addresses; an NXDOMAIN's not then (as Unbound,
      // whose scrubber drops it: the NS set of a server that denies the name is the domain-sale
      // case, CVE-2012-1192); both with negativeNs (Knot Resolver), the addresses only when not
      // minimal.
      if (final.extra !== undefined && ((!minimal && !final.nxdomain) || negativeNs)) {
        b.extra(final.extra.authority, authority);
        if (!minimal) b.extra(final.extra.additional, additional);
      }
      if (final.life !== undefined && final.life < final.ttl) cacheTtl = final.life;
      soaZone = final.soa?.rrset.name;
      break;
    case 'yxdomain':
      // RFC 6672 §2.2: YXDOMAIN, with the DNAME that shows why.
      rcode = Rcode.YXDOMAIN;
      b.note(final.dname.status, final.dname.reason);
      records(final.dname.set, final.dname.ttl, undefined, dnssecOk, answer);
      break;
    case 'miss':
      // A referral from the caches (RFC 1034 §4.3.2 step 3b: the best delegation known, with the
      // addresses of its servers), never validated here: unchecked, so never AD.
      b.note(SecurityStatus.unchecked, undefined);
      if (final.referral !== undefined) {
        const { ns, ds, glue } = final.referral;
        records(ns.set, ns.ttl, undefined, dnssecOk, authority);
        // The DS RRset with its RRSIGs for DNSSEC-aware clients, as a signed zone's referral (RFC 4035 §3.1.4).
        if (ds !== undefined && dnssecOk) records(ds.set, ds.ttl, undefined, true, authority);
        for (const g of glue) records(g.set, g.ttl, undefined, false, additional);
      }
      break;
    case 'cname':
      // A chain result never ends in a link (lookupChain follows them).
      break;
  }
  const { status, reason } = b;
  let ede = NO_EDE;
  if (status === 'bogus') {
    if (flags.cd !== true) return servfail(reason === undefined ? [] : [edeOf(reason)], fromCache, upstreamQueries, ttlCap);
  } else if (reason !== undefined && EDE_TAGS[reason.tag].status !== 'bogus') {
    ede = [edeOf(reason)];
  }
  return {
    rcode,
    answer,
    authority,
    additional,
    security: status,
    ad: status === 'secure' && (dnssecOk || flags.ad === true),
    ede,
    fromCache,
    upstreamQueries,
    cacheTtl,
    soaZone,
    ttlCap,
    rrsetTags: b.rrsetTags ?? NO_TAGS,
  };
}
