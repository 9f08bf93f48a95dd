// The recursive resolver (RFC 1034 §5.3.3) with validation in the loop (RFC 4035 §4-§5): the
// composition of the iterator (iterator.ts), the chain of trust (trust.ts), the validator core
// (dnssec/response-validator.ts) and the caches (src/cache).
//
// A client question is resolved name by name along its CNAME/DNAME chain (RFC 1034 §3.6.2, RFC
// 6672), at most `maxCnameChain` links. For each name:
// 1. what this client query already learnt (answers that may not be cacheable, TTL 0);
// 2. the caches: a live RRset of the type, or a CNAME (only answer-grade data: RFC 2181 §5.4.1
//    keeps glue and referral NS out of answers, and unvalidated data out of validated answers);
//    a negative entry (RFC 2308); a denial synthesised from validated NSEC/NSEC3 (RFC 8198);
// 3. otherwise one iteration from the deepest cached zone cut (root priming first, RFC 8109), then
//    the response is judged by the validator, every RRset cached with its status and credibility,
//    negative answers and secure NSEC/NSEC3 records stored, and step 1 answers.
// Forward zones (options.ts ForwardZone): the deepest configured zone above a name decides where its
// iteration starts; a forward zone's forwarders answer everything below it (RD set, iterator.ts),
// DS and DNSKEY fetches of the chain of trust included, and `forward first` iterates when they fail.
// Name-server addresses are sub-queries through the same path (unvalidated, as glue is); every
// sub-query counts against the client query's limits (query-context.ts). Identical client
// questions in flight (name, type, class, CD, RD) share one resolution; the DO/AD rendering is
// per client.
//
// Pure module: transport, clock, randomness and crypto are injected; see `ResolverDeps`.

import { AggressiveNsecCache } from '../cache/aggressive-nsec.js';
import { InfraCache } from '../cache/infra-cache.js';
import { KeyCache } from '../cache/key-cache.js';
import { NegativeCache } from '../cache/negative-cache.js';
import { ParentSideCache } from '../cache/parent-side-cache.js';
import { Credibility, RRsetCache, type CachedRRset, type RRsetHandle } from '../cache/rrset-cache.js';
import { clampTtl, remainingTtl } from '../cache/ttl-policy.js';
import { SecurityStatus } from '../cache/types.js';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { JudgedRRset, ResponseVerdict } from '../dnssec/response-validator.js';
import { rrsigOf, type SignedRRset } from '../dnssec/rrset-validator.js';
import { anchorKeyTags, keyTagOption } from '../dnssec/trust-anchor-signal.js';
import { RRClass, Rcode, RRType, isMetaType } from '../wire/constants.js';
import type { EdnsOptionData } from '../wire/edns.js';
import type { Message } from '../wire/message.js';
import { Name } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import { groupRRsets, type ResourceRecord, type RRset } from '../wire/record.js';
import {
  buildAnswer,
  refusedAnswer,
  type ChainResult,
  type NameResult,
  type Piece,
  type Referral,
  type ResolveFlags,
  type ResolverAnswer,
  type ResolverQuestion,
} from './answer.js';
import { dnameSubstitute, extraSections, type Classified } from './classify.js';
import { ResolverTag, failure, type ResolverFailure } from './ede-tags.js';
import { Exchanger } from './exchange.js';
import { MinimisedSteps } from './minimised-steps.js';
import { Joinable } from './joinable.js';
import { runIteration, usableAddresses, type Delegation, type IterationResult, type IterationServices } from './iterator.js';
import {
  hintServers,
  resolverOptions,
  serverKey,
  type ForwardZone,
  type ResolverOptions,
  type ResolverOptionsInit,
  type StubZone,
  type TrustAnchor,
} from './options.js';
import { QueryContext, newStats, type ResolverStats } from './query-context.js';
import type { Transport } from './transport.js';
import { ChainOfTrust, type TrustPointObserver, type ValidatorCrypto } from './trust.js';

export interface ResolverCaches {
  readonly rrsets: RRsetCache;
  readonly negative: NegativeCache;
  readonly keys: KeyCache;
  readonly infra: InfraCache;
  /** Aggressive use of validated NSEC/NSEC3 (RFC 8198); absent: off. */
  readonly aggressive?: AggressiveNsecCache | undefined;
  /** Referral glue per NS name, for the iterator's last resort; absent: one of default size. */
  readonly parentSide?: ParentSideCache | undefined;
}

export interface ResolverDeps {
  readonly transport: Transport;
  readonly clock: Clock;
  readonly random: Random;
  /** Signature checks (crypto/backend.ts CryptoBackend fits). */
  readonly crypto: ValidatorCrypto;
  readonly caches: ResolverCaches;
  readonly options: ResolverOptionsInit;
}

/** Caches with their default sizes and TTL rules, for a resolver and its tests. */
export function createResolverCaches(clock: Clock, random: Random, options?: ResolverOptions): ResolverCaches {
  return {
    rrsets: new RRsetCache({ clock }),
    negative: new NegativeCache({ clock }),
    keys: new KeyCache({ clock }),
    infra: new InfraCache({ clock, random }),
    aggressive: new AggressiveNsecCache(options === undefined ? { clock } : { clock, validatorOptions: options.validator }),
    parentSide: new ParentSideCache({ clock }),
  };
}

interface Shared {
  readonly chain: ChainResult;
  readonly fromCache: boolean;
  readonly upstreamQueries: number;
  /** QueryContext.cachedUntil of the resolution. */
  readonly cachedUntil: number;
}

/** A cached delegation's expiry (ms) and the keys of its name server names (delegationExpiry). */
interface DelegationLife {
  readonly expiresAt: number;
  readonly hosts: ReadonlySet<string>;
}

const ROOT = Name.ROOT;
/** How long the hints serve after a priming attempt that left no usable root NS (Unbound: 60 s). */
const PRIME_RETRY_MS = 60_000;
/** Answers whose authority/additional RRsets are remembered when responses are not minimal. */
const MAX_SKELETONS = 10_000;
/** Zone cuts whose delegation is kept built (delegationAt). */
const DELEGATION_MEMO_MAX = 10_000;

/** A delegation built from the cache, with the handles of the RRsets it came from (delegationAt). */
interface DelegationMemo {
  /** The NS RRset's handle; moved to a replacing RRset that holds the same RDATAs (delegationAt). */
  ns: RRsetHandle;
  /** Copies of the NS RDATAs it was built from, in the cache's order. */
  readonly nsRdatas: readonly Uint8Array[];
  /** The delegation handed out (a new one when asked with other letter case of the zone). */
  readonly dp: Delegation;
  /** Per NS name (same index): its A and AAAA RRset handles, undefined when none or not asked. */
  readonly v4: readonly (RRsetHandle | undefined)[];
  readonly v6: readonly (RRsetHandle | undefined)[];
  readonly nsNames: readonly Name[];
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  /** The keys of `nsNames`, made when delegationExpiry first asks. */
  hosts?: ReadonlySet<string>;
}
/** Times a question whose answer was bogus is asked again of other servers. */
const BOGUS_RETRIES = 2;

/** No CNAME links (a chain that ends at its first name). */
const NO_LINKS: readonly Extract<NameResult, { kind: 'cname' }>[] = Object.freeze([]);

/** A cached RRset that may answer: answer-grade data (RFC 2181 §5.4.1), judged when validating. */
function usable(c: CachedRRset | undefined, validate: boolean): c is CachedRRset {
  return c !== undefined && c.credibility >= Credibility.answerNonAuthoritative && (!validate || c.status !== SecurityStatus.unchecked);
}

/** A judged status as cached: the validator's when the data was validated, unchecked when not. */
function judgedStatus(validated: boolean, s: JudgedRRset['status']): SecurityStatus {
  return validated ? s : SecurityStatus.unchecked;
}

function isBogus(v: ResponseVerdict | ResolverFailure): boolean {
  return v.kind !== 'fail' && v.status === 'bogus';
}

/** A cached RRset as a piece of an answer. */
function piece(c: CachedRRset): Piece {
  return { set: c, status: c.status, reason: c.reason, ttl: c.ttl };
}

function decodeTarget(rdata: Uint8Array | undefined): Name | undefined {
  if (rdata === undefined) return undefined;
  try {
    return decodeTyped(RRType.CNAME, rdata).target;
  } catch {
    return undefined;
  }
}

/** The first RRset of `list` with this owner and type (a loop: no closure per search). */
function findSet(list: readonly SignedRRset[], name: Name, type: number): SignedRRset | undefined {
  for (const s of list) if (s.rrset.type === type && s.rrset.name.equals(name)) return s;
  return undefined;
}

export class Resolver {
  readonly options: ResolverOptions;
  readonly stats: ResolverStats = newStats();
  private readonly clock: Clock;
  private readonly caches: ResolverCaches;
  private readonly exchanger: Exchanger;
  private readonly trust: ChainOfTrust;
  private readonly services: IterationServices;
  private readonly parentSide: ParentSideCache;
  /** Client questions being resolved, by key (resolve): what a joining question waits for. */
  private readonly inflight = new Map<string, Joinable<Shared>>();
  /** Not minimal: the authority/additional RRsets of answers by name and type (noteSkeleton). */
  private readonly delegations = new Map<string, DelegationMemo>();
  /**
   * The same memos by the handle of the NS RRset each was built from (memo.ns): found without the
   * zone's key, which a name made by walking up from a question (Name.parent) would build anew.
   * Holds exactly the `ns` of each memo in `delegations` (a handle is never reused for other data).
   */
  private readonly delegationsByNs = new Map<RRsetHandle, DelegationMemo>();
  private readonly skeletons = new Map<string, { authority: { name: Name; type: number }[]; additional: { name: Name; type: number }[] }>();
  private priming: Promise<void> | undefined;
  /** No priming before this time (ms): after an attempt, the hints serve for a while. */
  private primeAgainAt = 0;
  /** Minimised questions answered without a referral (minimised-steps.ts). */
  private readonly steps: MinimisedSteps;

  constructor(deps: ResolverDeps) {
    this.options = resolverOptions(deps.options);
    this.clock = deps.clock;
    this.caches = deps.caches;
    this.parentSide = deps.caches.parentSide ?? new ParentSideCache({ clock: deps.clock });
    this.steps = new MinimisedSteps(deps.clock);
    this.exchanger = new Exchanger({
      transport: deps.transport,
      random: deps.random,
      infra: deps.caches.infra,
      options: this.options,
      stats: this.stats,
      ednsOptions: this.options.ednsKeyTag ? (qname, qtype) => this.keyTagOptions(qname, qtype) : undefined,
    });
    this.trust = new ChainOfTrust({
      clock: deps.clock,
      crypto: deps.crypto,
      keys: deps.caches.keys,
      rrsets: deps.caches.rrsets,
      anchors: this.options.trustAnchors,
      negativeAnchors: this.options.negativeTrustAnchors,
      validator: this.options.validator,
      aggressive: deps.caches.aggressive,
      fetch: (ctx, name, type) => this.fetch(ctx, name, type),
      stats: this.stats,
    });
    this.services = {
      options: this.options,
      infra: deps.caches.infra,
      exchanger: this.exchanger,
      cachedAddresses: (name) => this.cachedAddresses(name),
      parentSideAddresses: (name) => this.parentSide.lookup(name).filter((a) => (a.includes(':') ? this.options.ipv6 : this.options.ipv4)),
      dnssecExpected: (zone) => this.dnssecExpected(zone),
      parentSideNs: (zone) => this.parentSide.lookupNs(zone),
      knownNoError: (name, type) => this.knownNoError(name, type),
      stepAnswered: (zone, name, type) => this.steps.answered(zone, name, type),
      noteStep: (zone, name, type, msg) => { this.steps.note(zone, name, type, msg); },
      lookupAddresses: (ctx, name) => this.lookupAddresses(ctx, name),
      onReferral: (ctx, parent, referral, refetched) => this.onReferral(ctx, parent, referral, refetched === true),
      parentDelegation: async (ctx, zone) => {
        const parent = zone.parent();
        if (parent === undefined) return undefined;
        const r = await this.findDelegation(ctx, parent);
        return r.kind === 'dp' ? r.dp : undefined;
      },
    };
  }

  /**
   * Replaces the trust anchors (the RFC 5011 manager after a change, a reload). Key results
   * already cached stay until their TTL.
   */
  setTrustAnchors(points: readonly TrustAnchor[]): void {
    this.trust.setAnchors(points);
  }

  /** RFC 8145 §4.2: the edns-key-tag option on a DNSKEY query for a trust anchor's own name. */
  private keyTagOptions(qname: Name, qtype: number): EdnsOptionData[] | undefined {
    if (qtype !== RRType.DNSKEY) return undefined;
    const anchor = this.trust.anchorAt(qname);
    const option = anchor === undefined ? undefined : keyTagOption(anchorKeyTags(anchor));
    return option === undefined ? undefined : [option];
  }

  /**
   * Hands each DNSKEY RRset fetched to prime a trust anchor to `observer` (the RFC 5011 manager,
   * which learns from every validated RRset of its trust points, §2.3), before it is judged;
   * trust.ts's header says how a change it makes takes effect. Undefined: none.
   */
  setTrustPointObserver(observer: TrustPointObserver | undefined): void {
    this.trust.setObserver(observer);
  }

  /**
   * One upstream iteration for (name, type) that bypasses the answer caches (delegations still
   * come from them), returning the scrubbed response unvalidated; undefined when no server gave
   * one. For RFC 5011 probes (§2.3), which must see the zone's current DNSKEY RRset.
   */
  async fetchFresh(name: Name, type: number): Promise<Message | undefined> {
    const ctx = new QueryContext(this.clock, this.options.limits, this.stats, { cd: true, rd: true });
    const res = await this.fetch(ctx, name, type);
    return res.kind === 'response' ? res.msg : undefined;
  }

  /**
   * Resolves one client question. Never rejects for DNS reasons: failures are SERVFAIL answers
   * with an EDE.
   */
  async resolve(question: ResolverQuestion, flags: ResolveFlags = {}): Promise<ResolverAnswer> {
    this.stats.clientQueries++;
    const cls = question.class ?? RRClass.IN;
    // Only class IN; of the meta-types only ANY (zone transfers, OPT, TSIG... are not questions
    // for a resolver, RFC 6895 §3.1). QCLASS ANY (RFC 1035 §3.2.5, RFC 6895 §3.2: a QCLASS that
    // matches every class) is answered with the data of class IN, the only class this resolver
    // has hints and trust anchors for, as Unbound does with only IN hints; other classes are
    // refused.
    if ((cls !== RRClass.IN && cls !== RRClass.ANY) || (isMetaType(question.type) && question.type !== RRType.ANY)) return refusedAnswer();
    const cd = flags.cd === true;
    const rd = flags.rd !== false;
    const key = `${question.name.key}/${question.type}/${cd ? 1 : 0}${rd ? 1 : 0}`;
    const shared = this.inflight.get(key);
    if (shared !== undefined) {
      this.stats.coalesced++;
      return this.answer(question, flags, await shared.promise(), true);
    }
    // The leading question resolves in this frame (no promise of a separate run): its entry is
    // made before the first wait and goes when it ends, so a question the caches answer at once
    // leaves none behind; questions that join meanwhile get the outcome, or the throw, from it.
    const entry = new Joinable<Shared>();
    this.inflight.set(key, entry);
    let s: Shared;
    try {
      const ctx = new QueryContext(this.clock, this.options.limits, this.stats, { cd, rd });
      const qname = question.name;
      const qtype = question.type;
      // The first name here, the rest of a CNAME chain in lookupChain: most questions have no
      // chain, and need no promise of lookupChain's. fetchAndLearn's usual course is written out
      // here (fetch, judge, learn) so that a fetched name costs no promise of its own either.
      let first = this.knownName(ctx, qname, qtype, true);
      if (first === undefined) {
        const res = await this.fetch(ctx, qname, qtype);
        if (res.kind === 'fail') first = res;
        else {
          const verdict = await this.trust.validateResponse(ctx, res.msg, qname, qtype, res.chase === true);
          first = isBogus(verdict) ? await this.retryBogus(ctx, qname, qtype, res, verdict) : this.learnFrom(ctx, qname, qtype, true, res, verdict);
        }
      }
      let chain = first.kind === 'cname' ? await this.lookupChain(ctx, qname, qtype, true, first) : { links: NO_LINKS, final: first };
      if (ctx.failed !== undefined && chain.final.kind !== 'fail') chain = { links: chain.links, final: ctx.failed };
      s = { chain, fromCache: ctx.upstreamQueries === 0, upstreamQueries: ctx.upstreamQueries, cachedUntil: ctx.cachedUntil };
    } catch (e) {
      this.inflight.delete(key);
      entry.fail(e);
      throw e;
    }
    this.inflight.delete(key);
    entry.settle(s);
    return this.answer(question, flags, s, false);
  }

  /**
   * resolve's answer from the shared resolution `s` (apart from resolve, whose frame is kept while
   * it waits, so that the frame holds few registers).
   */
  private answer(question: ResolverQuestion, flags: ResolveFlags, s: Shared, joined: boolean): ResolverAnswer {
    const upstream = joined ? 0 : s.upstreamQueries;
    // A cache miss without recursion (RD clear) is answered with the referral the caches hold
    // (answer.ts 'miss'), unvalidated, so never with AD.
    // Data this resolution cached was capped at a delegation's expiry (delegationExpiry): the
    // answer carries the cap (made with it, not copied to add it).
    const ttlCap = s.cachedUntil !== Infinity ? remainingTtl(s.cachedUntil, this.clock.now()) : undefined;
    const answer = buildAnswer(question.name, s.chain, flags, s.fromCache, upstream, this.options.minimalResponses, this.options.negativeAuthorityNs, ttlCap);
    if (s.fromCache) this.stats.cacheAnswers++;
    if (answer.rcode === Rcode.SERVFAIL) this.stats.servfail++;
    return answer;
  }

  // ---- Names and chains ------------------------------------------------------------------------

  /** The chain from `qname` (whose result is `first` when the caller has it already) to its end. */
  private async lookupChain(ctx: QueryContext, qname: Name, qtype: number, validate: boolean, first?: NameResult): Promise<ChainResult> {
    // The list of links is made at the first CNAME (most chains have none).
    let links: Extract<NameResult, { kind: 'cname' }>[] | undefined;
    let seen: Set<string> | undefined;
    let name = qname;
    let given = first;
    for (;;) {
      // What is known already is taken without a promise; only a fetch is waited for.
      const r = given ?? this.knownName(ctx, name, qtype, validate) ?? (await this.fetchAndLearn(ctx, name, qtype, validate));
      given = undefined;
      if (r.kind !== 'cname') return { links: links ?? NO_LINKS, final: r };
      (links ??= []).push(r);
      if (links.length > this.options.limits.maxCnameChain) return { links, final: ctx.trip('maxCnameChain', qname) };
      seen ??= new Set<string>([qname.key]);
      if (seen.has(r.target.key)) return { links, final: failure(ResolverTag.CNAME_LOOP, `${r.target.toString()} seen twice`) };
      seen.add(r.target.key);
      name = r.target;
    }
  }

  /**
   * The result for one name of a chain when no fetch is needed (what this client query learnt,
   * the caches, the query's failure, a miss without recursion); undefined when it is to be fetched.
   */
  private knownName(ctx: QueryContext, name: Name, qtype: number, validate: boolean): NameResult | undefined {
    const known = ctx.learntFor(name, qtype, validate) ?? this.fromCache(name, qtype, validate);
    if (known !== undefined) return known;
    if (ctx.failed !== undefined) return ctx.failed;
    if (!ctx.rd) return { kind: 'miss', referral: this.cachedReferral(name, qtype) };
    return undefined;
  }

  /** What the caches answer for (name, qtype), or undefined. */
  private fromCache(name: Name, qtype: number, validate: boolean): NameResult | undefined {
    if (qtype === RRType.ANY) return undefined;
    const { rrsets, negative, aggressive } = this.caches;
    const data = rrsets.lookup(name, qtype);
    if (usable(data, validate)) return { kind: 'data', sets: [piece(data)], proofs: [], extra: this.options.minimalResponses ? undefined : this.skeletonExtra(name, qtype) };
    // A DS question is about the parent side of the name (RFC 4035 §3.1.4.1): a CNAME owned by
    // the name is the child-side data of its own zone and does not redirect it (as Unbound).
    if (qtype !== RRType.CNAME && qtype !== RRType.DS) {
      const c = rrsets.lookup(name, RRType.CNAME);
      const target = usable(c, validate) ? decodeTarget(c.rrset.rdatas[0]) : undefined;
      if (c !== undefined && target !== undefined) return { kind: 'cname', cname: piece(c), target };
    }
    // A cached DNAME at an ancestor answers with the CNAME it implies (RFC 6672 §3.2, as Unbound
    // synthesises it from the cache), for every question type, DNAME included (the DNAME at an
    // ancestor applies first); the CNAME is as secure as the DNAME, TTL its TTL. A question for
    // type CNAME is answered by that CNAME; a substitution too long is YXDOMAIN (§2.2).
    for (let a = rrsets.mayHoldDname ? name.parent() : undefined; a !== undefined && !a.isRoot(); a = a.parent()) {
      const d = rrsets.lookup(a, RRType.DNAME);
      if (!usable(d, validate)) continue;
      const dtarget = decodeTarget(d.rrset.rdatas[0]);
      if (dtarget === undefined) break;
      const target = dnameSubstitute(name, a, dtarget);
      if (target === undefined) return { kind: 'yxdomain', dname: piece(d) };
      const cname = synthesizedCname(name, target, piece(d));
      if (qtype === RRType.CNAME) return { kind: 'data', sets: [piece(d), cname], proofs: [] };
      return { kind: 'cname', cname, dname: piece(d), target };
    }
    const n = negative.lookup(name, qtype);
    if (n !== undefined && (!validate || n.status !== SecurityStatus.unchecked) && !(n.inferred && this.configuredBelow(n.name, name))) {
      return { kind: 'negative', nxdomain: n.kind === 'nxdomain', soa: n.soa, proofs: n.proofs, status: n.status, reason: n.reason, ttl: n.ttl, life: n.life, soaLast: n.soaLast, extra: n.extra };
    }
    // Synthesis rests on validated proofs: never under a negative trust anchor (RFC 7646 §2).
    if (aggressive !== undefined && this.trust.enabled && this.trust.anchorFor(name) !== undefined) {
      const s = aggressive.synthesize(name, qtype);
      if (s.kind === 'nxdomain' || s.kind === 'nodata') {
        return { kind: 'negative', nxdomain: s.kind === 'nxdomain', soa: s.soa, proofs: s.proofs, status: SecurityStatus.secure, ttl: s.ttl, soaLast: true };
      }
      if (s.kind === 'wildcard') {
        const w = rrsets.lookup(s.wildcard, qtype);
        if (w !== undefined && w.status === SecurityStatus.secure) {
          const set: SignedRRset = { rrset: { ...w.rrset, name }, rrsigs: w.rrsigs };
          return {
            kind: 'data',
            sets: [{ set, status: SecurityStatus.secure, ttl: Math.min(w.ttl, s.ttl) }],
            proofs: s.proofs,
          };
        }
        // A wildcard CNAME expands for every other type (RFC 4592 §4.4 with RFC 1034 §3.6.2): the
        // name gets the CNAME, secure with the cached proof, and the resolver follows its target.
        const wc = qtype === RRType.CNAME ? undefined : rrsets.lookup(s.wildcard, RRType.CNAME);
        const wtarget = wc !== undefined && wc.status === SecurityStatus.secure ? decodeTarget(wc.rrset.rdatas[0]) : undefined;
        if (wc !== undefined && wtarget !== undefined) {
          const set: SignedRRset = { rrset: { ...wc.rrset, name }, rrsigs: wc.rrsigs };
          return { kind: 'cname', cname: { set, status: SecurityStatus.secure, ttl: Math.min(wc.ttl, s.ttl) }, target: wtarget, proofs: s.proofs };
        }
      }
    }
    return undefined;
  }

  /**
   * The closest delegation the caches know for (name, qtype), as a referral: the deepest cached NS
   * RRset at or above the name (above it for DS, whose answer is the parent's, RFC 4035 §3.1.4.1),
   * its DS RRset when cached, and the cached addresses of its servers; the root hints when nothing
   * is cached. What Unbound answers a non-recursive query its caches cannot answer (the iterator's
   * cached delegation message, for clients allowed to snoop the cache). No upstream query.
   */
  private cachedReferral(name: Name, qtype: number): Referral | undefined {
    const { rrsets } = this.caches;
    const start = qtype === RRType.DS && !name.isRoot() ? name.parent()! : name;
    for (let n: Name | undefined = start; n !== undefined; n = n.parent()) {
      const ns = rrsets.lookup(n, RRType.NS);
      if (ns === undefined || ns.status === SecurityStatus.bogus) continue;
      const ds = n.isRoot() ? undefined : rrsets.lookup(n, RRType.DS);
      const glue: Piece[] = [];
      const seen = new Set<string>();
      for (const rd of ns.rrset.rdatas) {
        const host = decodeTarget(rd);
        if (host === undefined || seen.has(host.key)) continue;
        seen.add(host.key);
        for (const type of [RRType.A, RRType.AAAA]) {
          const a = rrsets.lookup(host, type);
          if (a !== undefined && a.status !== SecurityStatus.bogus) glue.push(piece(a));
        }
      }
      return { ns: piece(ns), ds: ds !== undefined && ds.status === SecurityStatus.secure ? piece(ds) : undefined, glue };
    }
    const hints = this.options.rootHints;
    const nsRecords = hints.filter((r) => r.type === RRType.NS && r.name.isRoot());
    const hinted = (records: readonly ResourceRecord[]): Piece[] =>
      groupRRsets(records).map((rrset) => ({ set: { rrset, rrsigs: [] }, status: SecurityStatus.unchecked, ttl: rrset.ttl }));
    const [ns] = hinted(nsRecords);
    const names = nsRecords.map((r) => decodeTarget(r.rdata));
    const glue = hinted(hints.filter((r) => (r.type === RRType.A || r.type === RRType.AAAA) && names.some((h) => h?.equals(r.name) === true)));
    return ns === undefined ? undefined : { ns, glue };
  }

  /**
   * Not minimal: which authority and additional RRsets went with the answer for (name, qtype), so
   * that an answer from the caches carries them again with their current data, as Unbound's message
   * cache refers to its RRset cache. Bounded (oldest first out); kept only when not minimal.
   */
  private noteSkeleton(name: Name, qtype: number, extra: { authority: readonly SignedRRset[]; additional: readonly SignedRRset[] } | undefined): void {
    const key = `${name.key}/${qtype}`;
    this.skeletons.delete(key);
    if (extra === undefined) return;
    const ids = (list: readonly SignedRRset[]): { name: Name; type: number }[] => list.map((s) => ({ name: s.rrset.name, type: s.rrset.type }));
    this.skeletons.set(key, { authority: ids(extra.authority), additional: ids(extra.additional) });
    if (this.skeletons.size > MAX_SKELETONS) this.skeletons.delete(this.skeletons.keys().next().value!);
  }

  /** The noted authority and additional RRsets of (name, qtype), as the caches hold them now. */
  private skeletonExtra(name: Name, qtype: number): { authority: SignedRRset[]; additional: SignedRRset[] } | undefined {
    const sk = this.skeletons.get(`${name.key}/${qtype}`);
    if (sk === undefined) return undefined;
    const live = (ids: readonly { name: Name; type: number }[]): SignedRRset[] => {
      const out: SignedRRset[] = [];
      for (const id of ids) {
        const c = this.caches.rrsets.lookup(id.name, id.type);
        if (c !== undefined && c.status !== SecurityStatus.bogus) out.push({ rrset: { ...c.rrset, ttl: c.ttl }, rrsigs: c.rrsigs });
      }
      return out;
    };
    const authority = live(sk.authority);
    return authority.length === 0 ? undefined : { authority, additional: live(sk.additional) };
  }

  /** Calls `listener` with the key (rrsetKey) of each live RRset the cache replaces with other data. */
  onRRsetChange(listener: (key: string) => void): void {
    this.caches.rrsets.onChange(listener);
  }

  /**
   * Calls `listener` with the zone whenever the newest SOA the negative cache shows for it changes
   * (negative-cache.ts): a cache of whole answers drops the negative answers it built from the old
   * one (ResolverAnswer.soaZone).
   */
  onZoneSoaChange(listener: (zone: Name) => void): void {
    this.caches.negative.onZoneSoaChange(listener);
  }

  // ---- Upstream --------------------------------------------------------------------------------

  /**
   * One iteration for (name, type) from the deepest known cut (the parent's for DS, so a DS at a
   * forward zone's apex follows the parent's route, as Unbound's forward_request strips a label).
   * A `forward first` zone whose forwarders gave nothing usable: iterated without the forward.
   */
  private fetch(ctx: QueryContext, name: Name, type: number): Promise<IterationResult> {
    const cutFor = type === RRType.DS && !name.isRoot() ? name.parent()! : name;
    const dp = this.knownDelegation(cutFor, false);
    // The usual case: the cut is known and not a `forward first` zone, so the iteration is all.
    if (dp !== undefined && !dp.first) return runIteration(this.services, ctx, name, type, dp.dp);
    return this.fetchFrom(ctx, name, type, cutFor, dp);
  }

  /** fetch when the root is to be primed or a `forward first` zone may need the iteration too. */
  private async fetchFrom(
    ctx: QueryContext,
    name: Name,
    type: number,
    cutFor: Name,
    known: { kind: 'dp'; dp: Delegation; first: boolean } | undefined,
  ): Promise<IterationResult> {
    const dp = known ?? (await this.findDelegation(ctx, cutFor));
    if (dp.kind === 'fail') return dp;
    const res = await runIteration(this.services, ctx, name, type, dp.dp);
    if (res.kind !== 'fail' || !dp.first || ctx.failed !== undefined) return res;
    const it = await this.findDelegation(ctx, cutFor, true);
    if (it.kind === 'fail') return it;
    return runIteration(this.services, ctx, name, type, it.dp);
  }

  /**
   * Fetches one name of a chain (knownName had nothing), judges and learns from the response, and
   * answers from what was learnt; a failure when there is no response.
   */
  private async fetchAndLearn(ctx: QueryContext, name: Name, qtype: number, validate: boolean): Promise<NameResult> {
    const res = await this.fetch(ctx, name, qtype);
    if (res.kind === 'fail') return res;
    const verdict = validate
      ? await this.trust.validateResponse(ctx, res.msg, name, qtype, res.chase === true)
      : await this.trust.structure(res.msg, name, qtype, res.chase === true);
    if (validate && isBogus(verdict)) return this.retryBogus(ctx, name, qtype, res, verdict);
    return this.learnFrom(ctx, name, qtype, validate, res, verdict);
  }

  /**
   * fetchAndLearn after a bogus verdict on `res`: the server that gave it is avoided and the
   * question asked again, while other servers remain (Unbound blacklists the server and
   * re-queries, VAL_MAX_RESTART_COUNT); the last response judged is learnt from.
   */
  private async retryBogus(
    ctx: QueryContext,
    name: Name,
    qtype: number,
    first: Extract<IterationResult, { kind: 'response' }>,
    firstVerdict: ResponseVerdict | ResolverFailure,
  ): Promise<NameResult> {
    let res = first;
    let verdict = firstVerdict;
    for (let retry = 0; retry < BOGUS_RETRIES && isBogus(verdict); retry++) {
      ctx.avoid.add(res.address);
      const again = await this.fetch(ctx, name, qtype);
      if (again.kind === 'fail') break;
      const v = await this.trust.validateResponse(ctx, again.msg, name, qtype, again.chase === true);
      if (v.kind === 'fail') break;
      res = again;
      verdict = v;
    }
    return this.learnFrom(ctx, name, qtype, true, res, verdict);
  }

  /** fetchAndLearn's end: learns from the judged response and answers from what was learnt. */
  private learnFrom(
    ctx: QueryContext,
    name: Name,
    qtype: number,
    validate: boolean,
    res: Extract<IterationResult, { kind: 'response' }>,
    verdict: ResponseVerdict | ResolverFailure,
  ): NameResult {
    if ('kind' in verdict && verdict.kind === 'fail') return verdict;
    this.learn(ctx, res.msg, name, qtype, verdict, validate, this.delegationExpiry(res.zone));
    return (
      ctx.learntFor(name, qtype, validate) ??
      this.fromCache(name, qtype, validate) ??
      failure(ResolverTag.NO_ANSWER, `the answer for ${name.toString()} did not answer it`)
    );
  }

  /** Caches a judged response and records what it says per name in the client query. */
  private learn(ctx: QueryContext, msg: Message, qname: Name, qtype: number, v: ResponseVerdict, validated: boolean, cut: DelegationLife | undefined): void {
    const { rrsets, negative, aggressive } = this.caches;
    // The helpers below are methods with their state as arguments: no closures per response.
    const cred = msg.flags.aa ? Credibility.answerAuthoritative : Credibility.answerNonAuthoritative;
    // The sections as the validator grouped them (the same message): not grouped again.
    const signedAuth = v.authority;
    // Lists below are made at their exact length (a filter grows its result from room for 16).
    let answerCount = 0;
    for (const j of v.rrsets) if (j.section === 'answer') answerCount++;
    const answerSets = new Array<JudgedRRset>(answerCount);
    answerCount = 0;
    for (const j of v.rrsets) if (j.section === 'answer') answerSets[answerCount++] = j;
    // The piece of each answer RRset, made once: the cache insert, the per-name results and the
    // aggressive cache below take the same one (pieces are never changed once made).
    const answerPieces: (Piece | undefined)[] = new Array<Piece | undefined>(answerSets.length);
    // The wildcard owner of each expanded answer RRset, made once for the RRset cache and the
    // aggressive cache below; made only when an answer is an expansion.
    let wildcards: (Name | undefined)[] | undefined;
    for (let ai = 0; ai < answerSets.length; ai++) {
      const j = answerSets[ai]!;
      // A CNAME synthesised from a DNAME is unsigned: cached alone it would be served without
      // the DNAME that proves it, so it lives only in this query's results.
      if (j.role === 'synthesized-cname') continue;
      const p = (answerPieces[ai] = this.pieceOf(v, validated, j));
      if (j.wildcardParent !== undefined) {
        // A validated wildcard expansion is cached as the wildcard itself (its RRSIGs sign that
        // owner); names it covers are answered from it with the cached NSEC proof (RFC 8198 §5.3),
        // so a cache hit never lacks the proof a downstream validator needs. Its signatures
        // verified (the validator names a wildcard parent only then), so the wildcard RRset is
        // secure; the expansion's own status is its proof's (an opt-out span, NSEC3 over the
        // iteration cap, no proof), which concerns this name only: it stays in this query's
        // results below, and the cache expands the wildcard only with a secure proof of its own.
        const wildcard = j.wildcardParent.prepend(Uint8Array.of(0x2a));
        (wildcards ??= new Array<Name | undefined>(answerSets.length))[ai] = wildcard;
        rrsets.insertSet(p.set, cred, judgedStatus(validated, 'secure'), undefined, undefined, wildcard);
        continue;
      }
      // The fields as arguments: no insert object per RRset (RRsetCache.insertSet).
      rrsets.insertSet(p.set, cred, p.status, p.reason, this.capFor(ctx, cut, p.set.rrset, true));
    }
    if (msg.flags.aa) {
      // The zone's own NS RRset in the authority section of an authoritative answer: the child's
      // view of its servers, which ranks above the parent's referral (RFC 2181 §5.4.1) and may
      // name servers the parent does not (RFC 1034 §4.2.2); the iterator then knows them when the
      // parent's servers fail. Only an NS RRset at or above the question's name (the scrubber kept
      // it in bailiwick), not a delegation below it. The validator does not judge it (it proves
      // nothing about the answer), so it is cached unchecked, as referral NS RRsets are.
      for (const set of signedAuth) {
        if (set.rrset.type !== RRType.NS || !qname.isSubdomainOf(set.rrset.name)) continue;
        rrsets.insertSet(set, Credibility.authorityAuthoritative, SecurityStatus.unchecked, undefined, this.capFor(ctx, cut, set.rrset, false));
      }
    }
    const chain = v.chain;
    let proofCount = 0;
    for (const s of signedAuth) if (s.rrset.type === RRType.NSEC || s.rrset.type === RRType.NSEC3) proofCount++;
    const proofSets = new Array<SignedRRset>(proofCount);
    proofCount = 0;
    for (const s of signedAuth) if (s.rrset.type === RRType.NSEC || s.rrset.type === RRType.NSEC3) proofSets[proofCount++] = s;
    // An authoritative NOERROR with nothing but the zone's own NS RRset in its authority section:
    // the iterator took it as the answer (a referral below the zone would have been followed), so
    // it is a NODATA without SOA, though the validator's structure reads the NS as a referral.
    const negKind =
      v.kind === 'nxdomain' || v.kind === 'nodata'
        ? v.kind
        : v.kind === 'referral' && msg.flags.aa && msg.rcode === Rcode.NOERROR && msg.answer.length === 0
          ? 'nodata'
          : undefined;
    for (let i = 0; i < chain.length; i++) {
      const name = chain[i]!;
      const next = chain[i + 1];
      if (next !== undefined) {
        const cname = answerSets.find((j) => j.role === 'cname' && j.rrset.name.equals(name));
        const dname = dnameAbove(answerSets, name);
        if (dname !== undefined) {
          const d = this.answerPiece(v, validated, answerSets, answerPieces, dname);
          const synth = answerSets.find((j) => j.role === 'synthesized-cname' && j.rrset.name.equals(name));
          const c = synth !== undefined ? this.answerPiece(v, validated, answerSets, answerPieces, synth) : synthesizedCname(name, next, d);
          ctx.remember(name, qtype, validated, { kind: 'cname', cname: c, dname: d, target: next });
        } else if (cname !== undefined) {
          // A wildcard CNAME goes out with the proof that the expansion applied.
          const proofs = cname.wildcardParent !== undefined ? proofSets : [];
          ctx.remember(name, qtype, validated, { kind: 'cname', cname: this.answerPiece(v, validated, answerSets, answerPieces, cname), target: next, proofs });
        }
        continue;
      }
      const answers = answersAt(answerSets, name, qtype);
      const above = dnameAbove(answerSets, name);
      if (above !== undefined && (v.kind === 'yxdomain' || qtype === RRType.CNAME)) {
        // The DNAME answers the name itself: the CNAME it implies for a CNAME question (RFC 6672
        // §3.2), or YXDOMAIN when the substitution is too long (§2.2).
        const d = this.answerPiece(v, validated, answerSets, answerPieces, above);
        const dtarget = decodeTarget(above.rrset.rdatas[0]);
        const target = dtarget === undefined ? undefined : dnameSubstitute(name, above.rrset.name, dtarget);
        if (target === undefined) {
          ctx.remember(name, qtype, validated, { kind: 'yxdomain', dname: d });
        } else {
          const synth = answerSets.find((j) => j.role === 'synthesized-cname' && j.rrset.name.equals(name));
          ctx.remember(name, qtype, validated, { kind: 'data', sets: [d, synth !== undefined ? this.answerPiece(v, validated, answerSets, answerPieces, synth) : synthesizedCname(name, target, d)], proofs: [] });
        }
      } else if (answers.length > 0) {
        const wildcard = answers.some((j) => j.wildcardParent !== undefined);
        // The NS RRset and addresses beside the answer go out only when responses are not minimal
        // (answer.ts): not gathered otherwise.
        const extra = this.options.minimalResponses ? undefined : extraSections(msg, signedAuth);
        if (!this.options.minimalResponses) {
          this.noteSkeleton(name, qtype, extra);
          // The servers' addresses beside the answer, cached at the lowest credibility (RFC 2181
          // §5.4.1: never an answer) so that a cached answer can carry them again.
          for (const g of extra?.additional ?? []) {
            rrsets.insertSet(g, Credibility.additional, SecurityStatus.unchecked, undefined, this.capFor(ctx, cut, g.rrset, false));
          }
        }
        ctx.remember(name, qtype, validated, { kind: 'data', sets: this.answerPieces(v, validated, answerSets, answerPieces, answers), proofs: wildcard ? proofSets : [], extra });
      } else if (negKind !== undefined) {
        const soa = signedAuth.find((s) => s.rrset.type === RRType.SOA && name.isSubdomainOf(s.rrset.name));
        const status = judgedStatus(validated, v.status);
        // The NS RRset beside the SOA, kept only when answers are to carry it (answer.ts).
        const extra = this.options.negativeAuthorityNs || !this.options.minimalResponses ? extraSections(msg, signedAuth) : undefined;
        const soaLast = proofsBeforeSoa(msg);
        // Without an SOA the cache keeps it only briefly (negative-cache.ts, RFC 2308 §5).
        negative.insert({
          kind: negKind,
          name,
          type: qtype,
          class: RRClass.IN,
          soa,
          proofs: proofSets,
          status,
          reason: v.reason,
          soaLast,
          extra,
        });
        ctx.remember(name, qtype, validated, {
          kind: 'negative',
          nxdomain: negKind === 'nxdomain',
          soa,
          proofs: proofSets,
          status,
          reason: v.reason,
          ttl: negative.ttlOf(soa, proofSets),
          extra,
          soaLast,
        });
      }
    }
    if (validated && aggressive !== undefined) {
      for (const j of v.rrsets) {
        if (j.section !== 'authority' || j.status !== 'secure') continue;
        if (j.rrset.type !== RRType.NSEC && j.rrset.type !== RRType.NSEC3) continue;
        const set = this.pieceOf(v, validated, j).set;
        const zone = signerOf(set);
        if (zone === undefined) continue;
        const soa = signedAuth.find((s) => s.rrset.type === RRType.SOA && s.rrset.name.equals(zone));
        if (j.rrset.type === RRType.NSEC) aggressive.insertNsec(zone, set, SecurityStatus.secure, soa);
        else aggressive.insertNsec3(zone, set, SecurityStatus.secure, soa);
      }
      // A validated wildcard expansion shows its wildcard exists (RRSIG Labels, RFC 4035 §5.3.4):
      // with NSEC3 nothing else in the answer does, and the aggressive cache needs it to expand
      // the wildcard for other names (RFC 8198 §5.3; aggressive-nsec.ts noteWildcard).
      for (let ai = 0; wildcards !== undefined && ai < answerSets.length; ai++) {
        const wildcard = wildcards[ai];
        if (wildcard === undefined) continue;
        const set = answerPieces[ai]!.set;
        const zone = signerOf(set);
        if (zone !== undefined) aggressive.noteWildcard(zone, wildcard, set, SecurityStatus.secure);
      }
    }
  }

  /**
   * Ghost-domain protection (delegationExpiry): NS RRsets and the addresses of the cut's name
   * servers live no longer than the delegation the response came through: the cap for `set`, or
   * undefined. An answer RRset capped below its TTL: whole answers built from it are not reused
   * past the cap (ctx.cachedUntil).
   */
  private capFor(ctx: QueryContext, cut: DelegationLife | undefined, set: RRset, answer: boolean): number | undefined {
    if (cut === undefined) return undefined;
    const capped = set.type === RRType.NS || ((set.type === RRType.A || set.type === RRType.AAAA) && cut.hosts.has(set.name.key));
    if (!capped) return undefined;
    if (answer && this.clock.now() + set.ttl * 1000 > cut.expiresAt && cut.expiresAt < ctx.cachedUntil) ctx.cachedUntil = cut.expiresAt;
    return cut.expiresAt;
  }

  /** A judged RRset of `v` as a piece of an answer, with its signatures as the validator grouped them. */
  private pieceOf(v: ResponseVerdict, validated: boolean, j: JudgedRRset): Piece {
    const { rrsets } = this.caches;
    const list = j.section === 'answer' ? v.answer : v.authority;
    const set = findSet(list, j.rrset.name, j.rrset.type) ?? { rrset: j.rrset, rrsigs: [] };
    // The cache's TTL clamps apply to the answer that fills it too (Unbound cache-min/max-ttl).
    return { set, status: judgedStatus(validated, j.status), reason: j.reason, ttl: clampTtl(Math.min(j.ttl, j.rrset.ttl), rrsets.minTtl, rrsets.maxTtl) };
  }

  /** The piece of an answer RRset, made once (`pieces` by the index in `sets`; others made anew). */
  private answerPiece(v: ResponseVerdict, validated: boolean, sets: readonly JudgedRRset[], pieces: (Piece | undefined)[], j: JudgedRRset): Piece {
    const i = sets.indexOf(j);
    if (i < 0) return this.pieceOf(v, validated, j);
    return (pieces[i] ??= this.pieceOf(v, validated, j));
  }

  /** answerPiece of each of `list`, in a list of its length. */
  private answerPieces(v: ResponseVerdict, validated: boolean, sets: readonly JudgedRRset[], pieces: (Piece | undefined)[], list: readonly JudgedRRset[]): Piece[] {
    const out = new Array<Piece>(list.length);
    for (let i = 0; i < list.length; i++) out[i] = this.answerPiece(v, validated, sets, pieces, list[i]!);
    return out;
  }

  /**
   * True when the caches hold a NOERROR answer for (name, type): its data from an answer (not glue
   * or referral records) or a NODATA. The iterator then skips the QNAME minimisation probe of that
   * name (RFC 9156 §3 step 5).
   */
  private knownNoError(name: Name, type: number): boolean {
    const { rrsets, negative } = this.caches;
    const data = rrsets.lookup(name, type);
    if (data !== undefined && data.credibility >= Credibility.answerNonAuthoritative && data.status !== SecurityStatus.bogus) return true;
    const n = negative.lookup(name, type);
    return n !== undefined && n.kind === 'nodata' && n.status !== SecurityStatus.bogus;
  }

  // ---- Delegations -----------------------------------------------------------------------------

  /** Cached addresses of a name server name, per the IPv4/IPv6 options. */
  private cachedAddresses(name: Name): string[] {
    const { rrsets } = this.caches;
    return this.addressesFrom(this.options.ipv4 ? rrsets.handle(name, RRType.A) : undefined, this.options.ipv6 ? rrsets.handle(name, RRType.AAAA) : undefined);
  }

  /** The usable addresses in cached A and AAAA RRsets (bogus ones give none). */
  private addressesFrom(a: RRsetHandle | undefined, aaaa: RRsetHandle | undefined): string[] {
    const { rrsets } = this.caches;
    const v4: string[] = [];
    const v6: string[] = [];
    if (a !== undefined && a.status !== SecurityStatus.bogus) {
      for (const rd of rrsets.handleRdatas(a)) if (rd.length === 4) v4.push(`${rd[0]!}.${rd[1]!}.${rd[2]!}.${rd[3]!}`);
    }
    if (aaaa !== undefined && aaaa.status !== SecurityStatus.bogus) {
      for (const rd of rrsets.handleRdatas(aaaa)) {
        try {
          v6.push(decodeTyped(RRType.AAAA, rd).address);
        } catch {
          // Not an address.
        }
      }
    }
    return usableAddresses({ v4, v6 }, this.options);
  }

  /**
   * The delegation the cache holds at `zone` (its NS RRset, unless missing or bogus, with the
   * cached addresses of the NS names), or undefined. Built once per zone cut and reused while the
   * cache returns the same live RRsets it was built from (RRsetCache.handle): the NS RRset and the
   * A/AAAA RRsets (or their absence) of each NS name; any expiry, replacement, delete or new
   * address RRset rebuilds it, except an NS RRset replaced by one with the same RDATAs (the
   * referral's NS RRset is replaced once by the zone's own, of higher rank, from the authority
   * section of its first answer: the NS names, so the delegation, are those already built; later
   * copies at the same rank leave the cached RRset and its handle as they are, RRsetCache rule 3).
   * Each use still counts as a
   * use of those RRsets (the cache's CLOCK flags), as when it was rebuilt every time.
   */
  private delegationAt(zone: Name): Delegation | undefined {
    const { rrsets } = this.caches;
    const { ipv4, ipv6 } = this.options;
    const ns = rrsets.handle(zone, RRType.NS);
    if (ns === undefined || ns.status === SecurityStatus.bogus) return undefined;
    const memo = this.delegationMemo(zone, ns);
    if (memo !== undefined && this.sameAddressHandles(memo)) {
      // Shared as it is: an iteration copies the map before it adds addresses (iterator.ts).
      return sameOctets(memo.dp.zone.wire, zone.wire) ? memo.dp : { zone, nsNames: memo.nsNames, addresses: memo.addresses };
    }
    const rdatas = rrsets.handleRdatas(ns);
    const nsNames: Name[] = [];
    for (const rd of rdatas) {
      try {
        const host = decodeTyped(RRType.NS, rd).host;
        if (!nsNames.some((n) => n.equals(host))) nsNames.push(host);
      } catch {
        // An unreadable NS record names no server.
      }
    }
    const addresses = new Map<string, readonly string[]>();
    const v4: (RRsetHandle | undefined)[] = [];
    const v6: (RRsetHandle | undefined)[] = [];
    for (const n of nsNames) {
      const a = ipv4 ? rrsets.handle(n, RRType.A) : undefined;
      const aaaa = ipv6 ? rrsets.handle(n, RRType.AAAA) : undefined;
      v4.push(a);
      v6.push(aaaa);
      const list = this.addressesFrom(a, aaaa);
      if (list.length > 0) addresses.set(n.key, list);
    }
    this.dropDelegationMemo(zone.key);
    if (this.delegations.size >= DELEGATION_MEMO_MAX) {
      // Oldest first (Map insertion order); a dropped memo is only rebuilt.
      for (const key of this.delegations.keys()) {
        this.dropDelegationMemo(key);
        if (this.delegations.size < DELEGATION_MEMO_MAX) break;
      }
    }
    const dp: Delegation = { zone, nsNames, addresses };
    const nsRdatas = new Array<Uint8Array>(rdatas.length);
    for (let i = 0; i < rdatas.length; i++) nsRdatas[i] = rdatas[i]!.slice();
    const built: DelegationMemo = { ns, nsRdatas, dp, v4, v6, nsNames, addresses };
    this.delegations.set(zone.key, built);
    this.delegationsByNs.set(ns, built);
    return dp;
  }

  /** Drops the delegation memo of a zone key (both maps), if any. */
  private dropDelegationMemo(key: string): void {
    const memo = this.delegations.get(key);
    if (memo === undefined) return;
    this.delegations.delete(key);
    this.delegationsByNs.delete(memo.ns);
  }

  /**
   * The memo of the delegation at `zone` when it was built from the NS RRset of handle `ns`, or from
   * one with the same RDATAs that `ns` replaced (its handle then moves to `ns`); else undefined.
   */
  private delegationMemo(zone: Name, ns: RRsetHandle): DelegationMemo | undefined {
    // The handle is of the NS RRset owned by `zone` (any letter case): a memo built from it is
    // the zone's (delegationsByNs).
    const built = this.delegationsByNs.get(ns);
    if (built !== undefined) return built;
    const memo = this.delegations.get(zone.key);
    if (memo === undefined) return undefined;
    if (!sameOctetLists(memo.nsRdatas, this.caches.rrsets.handleRdatas(ns))) return undefined;
    this.delegationsByNs.delete(memo.ns);
    memo.ns = ns;
    this.delegationsByNs.set(ns, memo);
    return memo;
  }

  /**
   * True when the cache still returns the address RRsets (or none) a memo was built from: a
   * handle held is checked from its slot (RRsetCache.handleHeld, the same answer and effects as
   * handle() by name), an absence by a lookup of the name.
   */
  private sameAddressHandles(memo: DelegationMemo): boolean {
    const { ipv4, ipv6 } = this.options;
    for (let i = 0; i < memo.nsNames.length; i++) {
      if (ipv4 && !this.sameHandle(memo.nsNames[i]!, RRType.A, memo.v4[i])) return false;
      if (ipv6 && !this.sameHandle(memo.nsNames[i]!, RRType.AAAA, memo.v6[i])) return false;
    }
    return true;
  }

  /** `rrsets.handle(name, type) === h`, without hashing the name when there is a handle. */
  private sameHandle(name: Name, type: number, h: RRsetHandle | undefined): boolean {
    return h === undefined ? this.caches.rrsets.handle(name, type) === undefined : this.caches.rrsets.handleHeld(h);
  }

  private usable(dp: Delegation): boolean {
    return dp.addresses.size > 0 || dp.nsNames.some((n) => !n.isSubdomainOf(dp.zone));
  }

  private hintsDelegation(): Delegation {
    const { names, addresses } = hintServers(this.options.rootHints);
    const map = new Map<string, readonly string[]>();
    for (const n of names) {
      const a = addresses.get(n.key);
      const list = a === undefined ? [] : usableAddresses(a, this.options);
      if (list.length > 0) map.set(n.key, list);
    }
    return { zone: ROOT, nsNames: names, addresses: map };
  }

  /**
   * True when a configured zone (stub or forward) lies strictly below `denied` and at or above
   * `name`: the operator's servers speak for it, so an ancestor's NXDOMAIN does not deny it
   * (RFC 8020 §2 infers from the public tree only; Unbound skips the inference there too).
   */
  private configuredBelow(denied: Name, name: Name): boolean {
    const zones = [...this.options.stubZones, ...this.options.forwardZones];
    return zones.some((z) => name.isSubdomainOf(z.zone) && z.zone.isSubdomainOf(denied) && !z.zone.equals(denied));
  }

  /**
   * The deepest configured zone (stub or forward) at or above `name`, as a delegation; forward
   * zones are left out when `noForward` (the iteration fallback of `forward first`).
   */
  private configuredFor(name: Name, noForward: boolean): { dp: Delegation; first: boolean } | undefined {
    let best: { zone: Name; servers: StubZone['servers']; forward: ForwardZone | undefined } | undefined;
    for (const z of this.options.stubZones) {
      if (name.isSubdomainOf(z.zone) && (best === undefined || z.zone.labelCount > best.zone.labelCount)) best = { ...z, forward: undefined };
    }
    if (!noForward) {
      for (const z of this.options.forwardZones) {
        if (name.isSubdomainOf(z.zone) && (best === undefined || z.zone.labelCount >= best.zone.labelCount)) best = { ...z, forward: z };
      }
    }
    if (best === undefined) return undefined;
    const list = best.servers.map((a) => serverKey(a));
    const kind = best.forward === undefined ? 'stub' : 'forward';
    return {
      dp: { zone: best.zone, nsNames: [], addresses: new Map([[`${kind}/${best.zone.key}`, list]]), forward: best.forward !== undefined },
      first: best.forward?.first === true,
    };
  }

  /**
   * The deepest usable zone cut at or above `name` (RFC 1034 §5.3.3 step 2). A forward zone wins
   * over every cached delegation (its forwarders are asked for everything below it); a stub zone
   * wins over cached delegations at or above its name (Unbound: the stub is the configured truth).
   */
  private async findDelegation(ctx: QueryContext, name: Name, noForward = false): Promise<{ kind: 'dp'; dp: Delegation; first: boolean } | ResolverFailure> {
    const known = this.knownDelegation(name, noForward);
    if (known !== undefined) return known;
    const cached = (): Delegation | undefined => {
      const dp = this.delegationAt(ROOT);
      return dp !== undefined && dp.addresses.size > 0 ? dp : undefined;
    };
    if (this.clock.now() >= this.primeAgainAt) {
      this.priming ??= this.prime(ctx).finally(() => (this.priming = undefined));
      await this.priming;
      if (ctx.failed !== undefined) return ctx.failed;
    }
    return { kind: 'dp', dp: cached() ?? this.hintsDelegation(), first: false };
  }

  /**
   * findDelegation's answer when configuration or the caches give it (a configured zone, a usable
   * cached cut, the cached root); undefined when the root is to be primed or its hints used. Not
   * async: the usual case costs no promise.
   */
  private knownDelegation(name: Name, noForward: boolean): { kind: 'dp'; dp: Delegation; first: boolean } | undefined {
    const configured = this.configuredFor(name, noForward);
    if (configured?.dp.forward === true) return { kind: 'dp', ...configured };
    const stub = configured?.dp;
    for (let n: Name = name; !n.isRoot(); n = n.parent()!) {
      if (stub !== undefined && n.labelCount <= stub.zone.labelCount) return { kind: 'dp', dp: stub, first: false };
      const dp = this.delegationAt(n);
      if (dp !== undefined && this.usable(dp)) return { kind: 'dp', dp, first: false };
    }
    if (stub !== undefined) return { kind: 'dp', dp: stub, first: false };
    const root = this.delegationAt(ROOT);
    if (root !== undefined && root.addresses.size > 0) return { kind: 'dp', dp: root, first: false };
    return undefined;
  }

  /** Root priming (RFC 8109 §3): `. NS` from a hint server; the answer and its addresses cached. */
  private async prime(ctx: QueryContext): Promise<void> {
    const res = await runIteration(this.services, ctx, ROOT, RRType.NS, this.hintsDelegation());
    // Without a usable answer (or glue), the hints serve until the next attempt.
    this.primeAgainAt = this.clock.now() + PRIME_RETRY_MS;
    if (res.kind === 'fail') return;
    const { rrsets } = this.caches;
    const ns = groupRRsets(res.msg.answer.filter((r) => r.type === RRType.NS && r.name.isRoot()));
    for (const rrset of ns) rrsets.insert({ rrset, rrsigs: [], credibility: Credibility.answerAuthoritative, status: SecurityStatus.unchecked });
    const names = ns.flatMap((s) => s.rdatas.map((rd) => decodeTarget(rd)));
    this.cacheGlue(res.msg.additional, names);
  }

  private cacheGlue(additional: readonly ResourceRecord[], names: readonly (Name | undefined)[], notAfter?: number): void {
    const glue = additional.filter((r) => (r.type === RRType.A || r.type === RRType.AAAA) && names.some((n) => n?.equals(r.name) === true));
    for (const rrset of groupRRsets(glue)) {
      this.caches.rrsets.insert({ rrset, rrsigs: [], credibility: Credibility.additional, status: SecurityStatus.unchecked, notAfter });
    }
  }

  /**
   * Ghost-domain protection (CVE-2012-1192 and its 2022 variants CVE-2022-30698/30699): what a
   * zone's servers say about delegations (NS RRsets: the zone's own apex NS, the cuts below it)
   * and about the addresses of the zone's own name servers is cached no longer than the
   * delegation to the zone that the resolver followed, the cached NS RRset at the cut. Otherwise
   * a zone its parent has removed (a domain sold, suspended, or moved to other servers) lives on
   * in the cache: its old servers keep refreshing their apex NS RRset (RFC 2181 §5.4.1 ranks it
   * above the parent's referral), their own addresses and the delegations below them, and the
   * parent is never asked again. Bounded by the parent's cut, the old servers are forgotten with
   * the delegation and the next query asks the parent (RFC 1034 §5.3.3 step 2). Other data keeps
   * its TTL (as Unbound: a zone's SOA or A records are not delegation data). The cap applies to
   * the cache only: the answer that brought the data goes out with the TTLs received (as Unbound).
   * No cap for the root (primed, RFC 8109), configured stub and forward zones, or a cut whose NS
   * RRset is not cached (the iterator's last resort).
   */
  private delegationExpiry(zone: Name): DelegationLife | undefined {
    if (zone.isRoot()) return undefined;
    const configured = this.configuredFor(zone, false);
    if (configured?.dp.zone.equals(zone) === true) return undefined;
    const { rrsets } = this.caches;
    const ns = rrsets.handle(zone, RRType.NS);
    if (ns === undefined || ns.status === SecurityStatus.bogus) return undefined;
    const expiresAt = rrsets.handleExpiresAt(ns)!;
    // The host names of the delegation built from this same cached NS RRset (delegationAt), when
    // there is one: those RDATAs are not decoded again.
    const memo = this.delegationMemo(zone, ns);
    if (memo !== undefined) {
      memo.hosts ??= new Set(memo.nsNames.map((n) => n.key));
      return { expiresAt, hosts: memo.hosts };
    }
    const hosts = new Set<string>();
    for (const rd of rrsets.handleRdatas(ns)) {
      const host = decodeTarget(rd);
      if (host !== undefined) hosts.add(host.key);
    }
    return { expiresAt, hosts };
  }

  /**
   * True when the zone's data must be signed (Unbound's iter_indicates_dnssec): a trust anchor at
   * the zone itself, or a secure DS (or a judged DNSKEY RRset) for it in the key cache.
   */
  private dnssecExpected(zone: Name): boolean {
    if (!this.trust.enabled) return false;
    const anchor = this.trust.anchorFor(zone);
    if (anchor === undefined) return false;
    if (anchor.zone.equals(zone)) return true;
    // The statuses alone (KeyCache.status): no key results built for this per-iteration check.
    const { keys } = this.caches;
    if (keys.status(zone, 'ds') === SecurityStatus.secure) return true;
    const dnskey = keys.status(zone, 'dnskey');
    return dnskey === SecurityStatus.secure || dnskey === SecurityStatus.bogus;
  }

  /** A referral seen by an iteration: its NS RRset and glue cached, its DS judged. */
  private async onReferral(ctx: QueryContext, parent: Name, referral: Extract<Classified, { kind: 'referral' }>, refetched: boolean): Promise<void> {
    const { rrsets } = this.caches;
    const ns = groupRRsets(referral.msg.authority.filter((r) => r.type === RRType.NS && r.name.equals(referral.child)));
    // The child's delegation and glue live no longer than the parent's own (delegationExpiry).
    const notAfter = this.delegationExpiry(parent)?.expiresAt;
    for (const rrset of ns) {
      rrsets.insert({ rrset, rrsigs: [], credibility: Credibility.authorityNonAuthoritative, status: SecurityStatus.unchecked, notAfter });
      if (refetched) this.parentSide.insertNs(referral.child, referral.nsNames, rrset.ttl);
    }
    this.cacheGlue(referral.msg.additional, referral.nsNames, notAfter);
    // The parent side's glue, kept apart for the iterator's last resort (parent-side-cache.ts).
    for (const name of referral.nsNames) {
      const glue: { address: string; ttl: number }[] = [];
      for (const r of referral.msg.additional) {
        if (!r.name.equals(name) || (r.type !== RRType.A && r.type !== RRType.AAAA)) continue;
        try {
          glue.push({ address: decodeTyped(r.type, r.rdata).address, ttl: r.ttl });
        } catch {
          // Not an address.
        }
      }
      this.parentSide.insert(name, glue);
    }
    if (this.trust.enabled) await this.trust.learnReferral(ctx, parent, referral.msg, referral.child);
  }

  /** Addresses of a name server name: a sub-query per address type, guarded against loops. */
  private async lookupAddresses(ctx: QueryContext, name: Name): Promise<readonly string[]> {
    const out: string[] = [];
    const types = [...(this.options.ipv4 ? [RRType.A] : []), ...(this.options.ipv6 ? [RRType.AAAA] : [])];
    for (const type of types) {
      const key = `${name.key}/${type}`;
      if (ctx.active.has(key)) continue;
      if (!ctx.enter(name)) break;
      ctx.active.add(key);
      try {
        const r = await this.lookupChain(ctx, name, type, false);
        if (r.final.kind === 'data') {
          for (const p of r.final.sets) {
            if (p.set.rrset.type !== type) continue;
            for (const rd of p.set.rrset.rdatas) {
              try {
                out.push(decodeTyped(type, rd).address);
              } catch {
                // Not an address.
              }
            }
          }
        }
      } finally {
        ctx.active.delete(key);
        ctx.leave();
      }
    }
    return out;
  }
}

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when two lists hold equal octet strings in the same order. */
function sameOctetLists(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameOctets(a[i]!, b[i]!)) return false;
  return true;
}

/** True when the response's authority section has an NSEC or NSEC3 before its SOA. */
function proofsBeforeSoa(msg: Message): boolean {
  // The first proof record comes before the first SOA record (one pass, no closures).
  for (const r of msg.authority) {
    if (r.type === RRType.SOA) return false;
    if (r.type === RRType.NSEC || r.type === RRType.NSEC3) return msg.authority.some((x) => x.type === RRType.SOA);
  }
  return false;
}

/** The judged answer RRsets that answer (name, qtype), in their order, in a list of their exact number. */
function answersAt(sets: readonly JudgedRRset[], name: Name, qtype: number): JudgedRRset[] {
  let n = 0;
  for (const j of sets) if (answersName(j, name, qtype)) n++;
  const out = new Array<JudgedRRset>(n);
  n = 0;
  for (const j of sets) if (answersName(j, name, qtype)) out[n++] = j;
  return out;
}

function answersName(j: JudgedRRset, name: Name, qtype: number): boolean {
  return j.role === 'answer' && j.rrset.name.equals(name) && (qtype === RRType.ANY || j.rrset.type === qtype);
}

/** The deepest judged DNAME strictly above `name`, the one that applies to it (RFC 6672 §2.2). */
function dnameAbove(sets: readonly JudgedRRset[], name: Name): JudgedRRset | undefined {
  let best: JudgedRRset | undefined;
  for (const j of sets) {
    if (j.role !== 'dname' || !name.isSubdomainOf(j.rrset.name) || name.equals(j.rrset.name)) continue;
    if (best === undefined || j.rrset.name.labelCount > best.rrset.name.labelCount) best = j;
  }
  return best;
}

/** The unsigned CNAME a DNAME implies for `name`: as secure as the DNAME, its TTL (RFC 6672 §3.2). */
function synthesizedCname(name: Name, target: Name, dname: Piece): Piece {
  return {
    set: { rrset: { name, type: RRType.CNAME, class: RRClass.IN, ttl: dname.ttl, rdatas: [target.wire.slice()] }, rrsigs: [] },
    status: dname.status,
    reason: dname.reason,
    ttl: dname.ttl,
  };
}

/**
 * The signer name of a validated RRset's first RRSIG. The validator decoded that RRSIG moments
 * before (rrsigOf keeps its last decodings, the same octets give the same result), so this is
 * seldom a second decode.
 */
function signerOf(set: SignedRRset): Name | undefined {
  const rd = set.rrsigs[0];
  return rd === undefined ? undefined : rrsigOf(rd)?.signerName;
}


