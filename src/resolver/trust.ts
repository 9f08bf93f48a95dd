// The chain of trust in the resolver loop (RFC 4035 §4.3, §5; RFC 4033 §5): which zone holds a
// name, and what is known of its keys, established from the configured trust anchors downward.
//
// `zoneStatus(name)` answers the validator's `keysFor` question (dnssec/response-validator.ts):
// 1. The deepest trust anchor above the name; none: insecure (RFC 4035 §4.3: no anchor, no
//    validation). The anchor zone's DNSKEY RRset is fetched and validated against the anchor once
//    per TTL (priming the anchor). An NXDOMAIN for it that the zone of an anchor above securely
//    proves (RFC 4035 §5.4) sets the anchor aside for the query: a name that does not exist holds
//    no zone, and the walk starts over from the anchor above (Unbound answers from the parent too).
// 2. From the deepest zone with a known key result (the key cache), walk down toward the name one
//    label at a time (Unbound's "find key" walk, val_find_DS): a DS RRset or a proof of its absence
//    decides at each step, taken from the key cache (referrals fill it, below) or fetched with a DS
//    query to the parent and validated with the parent's keys:
//    - secure DS: the child is a signed zone; fetch its DNSKEY RRset and validate it against the DS
//      (key-validator.ts), then continue from the child;
//    - secure NODATA whose NSEC/NSEC3 at the name has NS (a delegation) and no DS, or an opt-out
//      span: an insecure delegation (RFC 4035 §5.2, RFC 5155 §8.9); everything below is insecure;
//    - secure NODATA without NS, or an empty non-terminal: no zone cut there; go one label deeper;
//    - bogus anything: the zone is bogus, with the validator's reason.
//    The walk goes through delegation points (RFC 4035 §5.2): when the RRset cache holds the
//    delegation (NS RRset) the iterator followed below the current zone, more than one label down
//    and with none between, that cut's DS is asked first (Knot Resolver takes cuts from referrals
//    the same way), so empty non-terminals in between cost no DS query. Only an answer the current
//    zone's signatures prove is taken (a secure DS, NODATA or NXDOMAIN: a zone signs nothing below
//    its own cuts); anything else caches nothing, avoids no server, and the walk goes label by label.
// 3. The final name of a negative answer is taken to be in the zone of the response's SOA, or of
//    the signer of its NSEC/NSEC3 records when it has no SOA (that zone's signed NSEC/NSEC3 records
//    prove the denial, so a cut in between could not be hidden; Unbound does the same):
//    no DS queries for it. Signer names and owners of unsigned data are walked to: a server may
//    answer for an unsigned child zone it also serves (Unbound walks the same way). A DS query
//    answered with a secure NXDOMAIN ends the walk in the current zone (no cut below a name that
//    does not exist); an NXDOMAIN through an opt-out NSEC3 span is only insecure (RFC 5155 §9.2:
//    an unsigned delegation may be there), and so is the name.
// Referrals from secure zones carry the DS RRset or the proof of no DS (RFC 4035 §3.1.4): the
// iterator hands each referral here, and its delegation facts go into the key cache, so the walk
// rarely needs DS queries; a referral with neither is left to an explicit DS query. Key results (secure, insecure, bogus with reason) are cached per zone
// with the key cache's TTL rules; bogus ones briefly.
//
// Shared key fetches: client queries that need the DNSKEY RRset of the same zone at the same time
// (a cold cache meeting many names of one zone) do not each fetch and judge it. The first fetches;
// the others wait for its fetch to end and then read the key cache, as a query that came a moment
// later would (a fetch that ended without a cached result, a failed one say, is then made by the
// waiting query itself). Identical upstream exchanges in flight are shared too (exchange.ts), but
// only when the same server is picked and the exchange has not ended: concurrent walks pick
// different servers, and the DNSKEY RRset is judged after its exchange has ended. A query never
// waits in a loop of waits (QueryContext.mayWaitFor): it fetches itself instead.
//
// Bogus data or keys: the server that sent them is avoided for the rest of the client query and
// the question is asked again of the zone's other servers (Unbound's blacklist and re-query).
// Fetch failures (no server answered) end the client query with the resolver's EDE, not a bogus
// verdict: nothing was proven wrong.
//
// RFC 5011 §2.3 learns from every DNSKEY RRset of a trust point, not only from timed probes (Unbound
// hands each primed trust-anchor RRset to its autotrust module): each DNSKEY RRset fetched to prime
// a trust anchor goes to the injected observer before it is judged, and the anchor is read again
// after it. When the observer withdrew the anchor (every key revoked itself, RFC 5011 §5), the walk
// starts over from the next anchor above, or ends insecure when there is none.
//
// Pure module: network through the resolver's fetch, time through the clock.

import type { AggressiveNsecCache } from '../cache/aggressive-nsec.js';
import type { KeyCache, KeyResult } from '../cache/key-cache.js';
import { Credibility, type RRsetCache } from '../cache/rrset-cache.js';
import { SecurityStatus } from '../cache/types.js';
import { nowSeconds, type Clock } from '../core/clock.js';
import { validateDnskeysAsync, type TrustPoint } from '../dnssec/key-validator.js';
import {
  groupSigned,
  validateResponseSoon,
  type ResponseToValidate,
  type ResponseVerdict,
  type ZoneStatus,
} from '../dnssec/response-validator.js';
import {
  ZoneKeySet,
  createValidationEnv,
  rrsigOf,
  type BatchSignatureVerifier,
  type SignedRRset,
  type ValidatorOptions,
} from '../dnssec/rrset-validator.js';
import { SignatureMemo } from '../dnssec/signature-memo.js';
import { Rcode, RRType } from '../wire/constants.js';
import type { Message } from '../wire/message.js';
import type { Name } from '../wire/name.js';
import { ResolverTag, failure, type ResolverFailure } from './ede-tags.js';
import type { IterationResult } from './iterator.js';
import type { TrustAnchor } from './options.js';
import type { QueryContext, ResolverStats, SharedWork } from './query-context.js';

/** The crypto the resolver validates with (crypto/backend.ts CryptoBackend has this shape). */
export type ValidatorCrypto = BatchSignatureVerifier;

/**
 * Sees each DNSKEY RRset fetched for a trust anchor's zone, unvalidated, before the chain of trust
 * judges it (module header). It may replace the anchors (setAnchors) before it returns.
 */
export type TrustPointObserver = (zone: Name, dnskeys: SignedRRset) => void;

export interface TrustDeps {
  readonly clock: Clock;
  readonly crypto: ValidatorCrypto;
  readonly keys: KeyCache;
  readonly rrsets: RRsetCache;
  readonly anchors: readonly TrustAnchor[];
  /** Negative trust anchors (RFC 7646): insecure at and below, unless a deeper anchor applies. */
  readonly negativeAnchors?: readonly Name[] | undefined;
  readonly validator: ValidatorOptions;
  /** Validated NSEC/NSEC3 (RFC 8198): a DS they deny is not asked for. Absent: off. */
  readonly aggressive?: AggressiveNsecCache | undefined;
  /** Fetches (name, type) from the authoritative servers (one iteration). */
  fetch(ctx: QueryContext, name: Name, type: number): Promise<IterationResult>;
  /** Where shared key fetches are counted (coalescedKeyFetches); absent: not counted. */
  readonly stats?: ResolverStats | undefined;
}

/** What a response says about its zones (module header, item 3). */
export interface ZoneHint {
  /** Owners of the SOA RRsets in its authority section. */
  readonly soaOwners: readonly Name[];
  /** Keys of the RRSIG signer names in the response. */
  readonly signers: ReadonlySet<string>;
  /** Signer names of the NSEC/NSEC3 RRSIGs in its authority section (the zones of its proofs). */
  readonly proofSigners?: readonly Name[];
  /** Owners of signed answer RRsets with their signer (a DNAME's covers the names below it too). */
  readonly signedOwners?: readonly SignedOwner[];
}

/** An answer RRset's owner, the zone that signed it, and whether it is a DNAME. */
export interface SignedOwner {
  readonly owner: Name;
  readonly signer: Name;
  readonly dname: boolean;
}

/** The observer withdrew the trust anchor being primed. */
const WITHDRAWN = { kind: 'withdrawn' } as const;
/** The trust anchor's name was securely proven not to exist by the zone of an anchor above it. */
const NONEXISTENT = { kind: 'nonexistent' } as const;

type PrimeOutcome = ZoneStatus | ResolverFailure | typeof WITHDRAWN | typeof NONEXISTENT;

function isWithdrawn(x: PrimeOutcome): x is typeof WITHDRAWN | typeof NONEXISTENT {
  return x === WITHDRAWN || x === NONEXISTENT;
}

type DsStep =
  | { readonly kind: 'ds'; readonly ds: SignedRRset }
  | { readonly kind: 'not-cut' }
  | { readonly kind: 'status'; readonly status: ZoneStatus }
  /** A tentative DS fetch whose answer the parent's signatures do not prove (fetchDs). */
  | { readonly kind: 'unproven' };

/** A key cache result as the validator's zone status. */
function statusOf(zone: Name, r: KeyResult, keySets: WeakMap<object, ZoneStatus>): ZoneStatus {
  switch (r.status) {
    case 'secure': {
      const rrset = r.rrset?.rrset;
      if (rrset === undefined) return { status: 'bogus' };
      // One status (and key set) per cached DNSKEY RRset: the key cache hands out the same RRset
      // object while the result lives.
      let st = keySets.get(rrset);
      if (st === undefined) keySets.set(rrset, (st = { status: 'secure', keys: ZoneKeySet.fromRdatas(zone, rrset.rdatas) }));
      return st;
    }
    case 'insecure':
    case 'bogus':
    case 'indeterminate':
      return r.reason === undefined ? { status: r.status } : { status: r.status, reason: r.reason };
  }
}

/** RRSIG signer names in a message's answer and authority. */
export function signerNames(msg: Message): Set<string> {
  const out = new Set<string>();
  addSigners(msg.answer, out);
  addSigners(msg.authority, out);
  return out;
}

function addSigners(records: Message['answer'], out: Set<string>): void {
  for (const r of records) {
    if (r.type !== RRType.RRSIG) continue;
    // An unreadable RRSIG names no signer.
    const d = rrsigOf(r.rdata);
    if (d !== undefined) out.add(d.signerName.key);
  }
}

/**
 * A response's ZoneHint, each part made when first read: most responses are judged by the keys of
 * their signer zones, for which the walk needs none of it but the signer names.
 */
class ResponseHint implements ZoneHint {
  private readonly msg: Message;
  private signerSet: ReadonlySet<string> | undefined;
  private soas: readonly Name[] | undefined;
  private proofs: readonly Name[] | undefined;
  private owners: readonly SignedOwner[] | undefined;

  constructor(msg: Message) {
    this.msg = msg;
  }

  get signers(): ReadonlySet<string> {
    return (this.signerSet ??= signerNames(this.msg));
  }

  get soaOwners(): readonly Name[] {
    if (this.soas === undefined) {
      const out: Name[] = [];
      for (const r of this.msg.authority) if (r.type === RRType.SOA) out.push(r.name);
      this.soas = out;
    }
    return this.soas;
  }

  get proofSigners(): readonly Name[] {
    return (this.proofs ??= proofSignerNames(this.msg));
  }

  get signedOwners(): readonly SignedOwner[] {
    return (this.owners ??= signedOwners(this.msg));
  }
}

/** Signer names of the RRSIGs over NSEC/NSEC3 records in a message's authority section. */
export function proofSignerNames(msg: Message): Name[] {
  const out: Name[] = [];
  for (const r of msg.authority) {
    if (r.type !== RRType.RRSIG || r.rdata.length < 2) continue;
    const covered = (r.rdata[0]! << 8) | r.rdata[1]!;
    if (covered !== RRType.NSEC && covered !== RRType.NSEC3) continue;
    const signer = rrsigOf(r.rdata)?.signerName; // an unreadable RRSIG names no signer
    if (signer !== undefined && r.name.isSubdomainOf(signer) && !out.some((n) => n.equals(signer))) out.push(signer);
  }
  return out;
}

/** Owners of the answer section's RRSIGs (DS aside: it lives at the parent) with their signers. */
export function signedOwners(msg: Message): SignedOwner[] {
  const out: SignedOwner[] = [];
  for (const r of msg.answer) {
    if (r.type !== RRType.RRSIG || r.rdata.length < 2) continue;
    const covered = (r.rdata[0]! << 8) | r.rdata[1]!;
    if (covered === RRType.DS || covered === RRType.DNSKEY || covered === RRType.SOA || covered === RRType.NS) continue;
    const signer = rrsigOf(r.rdata)?.signerName; // an unreadable RRSIG names no signer
    if (signer === undefined || !r.name.isSubdomainOf(signer) || r.name.equals(signer)) continue;
    out.push({ owner: r.name, signer, dname: covered === RRType.DNAME });
  }
  return out;
}

const MAX_WALK = 130;
/** The status of a zone no trust anchor covers (one object for all: statuses are never changed). */
const INSECURE: ZoneStatus = { status: 'insecure' };
/** No trust anchors set aside (zoneStatus). */
const NO_SKIP: ReadonlySet<string> = new Set();
/** Times a bogus DNSKEY RRset is fetched again from other servers. */
const BOGUS_KEY_RETRIES = 2;
const MAX_NEED_KEYS_ROUNDS = 10;

export class ChainOfTrust {
  private readonly deps: TrustDeps;
  private readonly keySets = new WeakMap<object, ZoneStatus>();
  /** Signature checks that passed, kept across responses (dnssec/signature-memo.ts). */
  readonly memo = new SignatureMemo();
  private anchors: readonly TrustAnchor[];
  private observer: TrustPointObserver | undefined;
  /** DNSKEY fetches in flight by zone key, for the queries that need them meanwhile (module header). */
  private readonly keyFetches = new Map<string, SharedWork>();

  constructor(deps: TrustDeps) {
    this.deps = deps;
    this.anchors = deps.anchors;
  }

  /** True when some trust anchor is configured. */
  get enabled(): boolean {
    return this.anchors.length > 0;
  }

  /**
   * The deepest trust anchor at or above `name`; none when a negative trust anchor sits between
   * them (RFC 7646 §2: the names below it are treated as insecure).
   */
  anchorFor(name: Name, skip?: ReadonlySet<string>): TrustAnchor | undefined {
    let best: TrustAnchor | undefined;
    for (const a of this.anchors) {
      if (skip?.has(a.zone.key) === true) continue;
      if (name.isSubdomainOf(a.zone) && (best === undefined || a.zone.labelCount > best.zone.labelCount)) best = a;
    }
    if (best === undefined) return undefined;
    for (const nta of this.deps.negativeAnchors ?? []) {
      if (name.isSubdomainOf(nta) && nta.labelCount >= best.zone.labelCount) return undefined;
    }
    return best;
  }

  /** The trust anchor configured for exactly `zone` (not one above it), if any. */
  anchorAt(zone: Name): TrustAnchor | undefined {
    return this.anchors.find((a) => a.zone.equals(zone));
  }

  /** Replaces the trust anchors (RFC 5011 updates, reloads); cached key results stay. */
  setAnchors(points: readonly TrustAnchor[]): void {
    this.anchors = points;
  }

  /** Sets (or clears) the observer of trust-anchor DNSKEY RRsets (module header, RFC 5011). */
  setObserver(observer: TrustPointObserver | undefined): void {
    this.observer = observer;
  }

  /**
   * What is known of the zone holding `name` (module header). `skip`: trust anchors whose names
   * were proven not to exist in this client query (see fetchKeys).
   */
  async zoneStatus(ctx: QueryContext, name: Name, hint?: ZoneHint, skip?: ReadonlySet<string>): Promise<ZoneStatus | ResolverFailure> {
    // The caller's set, copied only when an anchor is to be added to it (below).
    let skipped: ReadonlySet<string> = skip ?? NO_SKIP;
    let anchor = this.anchorFor(name, skipped);
    if (anchor === undefined) return { status: 'insecure' };
    // An anchor withdrawn while it was primed, or whose name the zone above securely denies:
    // start over from the next one above (bounded by the number of anchors, each left at most once).
    for (let n = this.anchors.length; n >= 0; n--) {
      const st = await this.walk(ctx, this.narrow(name, anchor, hint), anchor, skipped);
      if (!isWithdrawn(st)) return st;
      if (st === NONEXISTENT) skipped = new Set(skipped).add(anchor.zone.key);
      const next = this.anchorFor(name, skipped);
      if (next === undefined) return { status: 'insecure' };
      anchor = next;
    }
    return { status: 'insecure' };
  }

  /**
   * What `zoneStatus` answers for `name` when it needs no fetch and no walk: no trust anchor
   * covers it (insecure), or the zone the walk would go to has a DNSKEY result in the key cache
   * (its status). Undefined when the walk has work to do (or the client query already failed,
   * which the walk reports).
   */
  cachedZoneStatus(ctx: QueryContext, name: Name, hint: ZoneHint, skip?: ReadonlySet<string>): ZoneStatus | undefined {
    if (ctx.failed !== undefined) return undefined;
    const anchor = this.anchorFor(name, skip);
    if (anchor === undefined) return INSECURE;
    const target = this.narrow(name, anchor, hint);
    const dnskey = this.deps.keys.dnskey(target);
    // The walk resumes at the deepest zone with a DNSKEY result at or above the target (walk):
    // the target itself when it has one, and the walk ends there.
    return dnskey === undefined ? undefined : statusOf(target, dnskey, this.keySets);
  }

  /** The name the walk goes to: `name`, or the zone the response shows holds it (module header, item 3). */
  private narrow(name: Name, anchor: TrustAnchor, hint: ZoneHint | undefined): Name {
    let target = name;
    if (hint !== undefined && !hint.signers.has(name.key)) {
      // The zones the response shows (no list made of them): its SOA owners and proof signers.
      for (const z of hint.soaOwners) target = shallowerZone(name, anchor, z, target);
      for (const z of hint.proofSigners ?? []) target = shallowerZone(name, anchor, z, target);
      // A name that owns a signed CNAME or other non-apex data, or lies below a signed DNAME
      // (RFC 6672 §2.4: a DNAME owner has no descendants), is in the signer's zone: no zone cut
      // between them (Unbound takes zone cuts from signer names the same way).
      for (const o of hint.signedOwners ?? []) {
        if (name.equals(o.owner) || (o.dname && name.isSubdomainOf(o.owner))) target = shallowerZone(name, anchor, o.signer, target);
      }
    }
    return target;
  }

  private async walk(ctx: QueryContext, target: Name, anchor: TrustAnchor, skip: ReadonlySet<string>): Promise<PrimeOutcome> {
    const { keys } = this.deps;
    let cur: { zone: Name; status: ZoneStatus };
    let known = keys.closestKnown(target);
    if (known?.dnskey === undefined || !known.zone.isSubdomainOf(anchor.zone)) {
      // The anchor's keys being fetched by another query: its outcome, from the key cache.
      const shared = this.keyFetchOf(ctx, anchor.zone);
      if (shared !== undefined) {
        await this.waitFor(ctx, shared);
        known = keys.closestKnown(target);
      }
    }
    if (known?.dnskey !== undefined && known.zone.isSubdomainOf(anchor.zone)) {
      cur = { zone: known.zone, status: statusOf(known.zone, known.dnskey, this.keySets) };
    } else {
      const primed = await this.sharedFetchKeys(ctx, anchor, undefined, true, skip);
      if ('kind' in primed) return primed;
      cur = { zone: anchor.zone, status: primed };
    }
    let cursor = cur.zone;
    for (let guard = 0; guard < MAX_WALK; guard++) {
      if (ctx.failed !== undefined) return ctx.failed;
      const st = cur.status;
      if (st.status !== 'secure') return st;
      if (cursor.equals(target)) return st;
      // Cached knowledge between the cursor and the target, shallowest first.
      let step: Name | undefined;
      let cachedDs: KeyResult | undefined;
      let jumped = false;
      for (let n = cursor.labelCount + 1; n <= target.labelCount; n++) {
        const nm = target.suffix(n);
        const kk = keys.lookup(nm);
        if (kk?.dnskey !== undefined) {
          cur = { zone: nm, status: statusOf(nm, kk.dnskey, this.keySets) };
          cursor = nm;
          jumped = true;
          break;
        }
        if (kk?.ds !== undefined) {
          step = nm;
          cachedDs = kk.ds;
          break;
        }
      }
      if (jumped) continue;
      let outcome: DsStep | ResolverFailure;
      if (step !== undefined && cachedDs !== undefined) {
        outcome =
          cachedDs.status === 'secure' && cachedDs.rrset !== undefined
            ? { kind: 'ds', ds: cachedDs.rrset }
            : { kind: 'status', status: statusOf(step, cachedDs, this.keySets) };
      } else {
        step = target.suffix(cursor.labelCount + 1);
        // The delegation the iterator followed below the cursor (module header, DS walk).
        const cut = this.knownCut(cursor, target);
        let direct: DsStep | ResolverFailure | undefined;
        if (cut !== undefined && cut.labelCount > step.labelCount) {
          direct = await this.fetchDs(ctx, cut, st, true);
          if (direct.kind === 'fail' || direct.kind === 'unproven') direct = undefined;
          else step = cut;
        }
        outcome = direct ?? (await this.fetchDs(ctx, step, st));
      }
      switch (outcome.kind) {
        case 'fail':
          return outcome;
        case 'unproven':
          // Only a tentative fetch answers this, and its outcome is not used (above).
          return { status: 'indeterminate' };
        case 'not-cut':
          cursor = step;
          break;
        case 'status':
          return outcome.status;
        case 'ds': {
          // The child's keys being fetched by another query: its outcome, from the key cache.
          let child: PrimeOutcome | undefined;
          const shared = this.keyFetchOf(ctx, step);
          if (shared !== undefined) {
            await this.waitFor(ctx, shared);
            const k = keys.lookup(step)?.dnskey;
            if (k !== undefined) child = statusOf(step, k, this.keySets);
          }
          child ??= await this.sharedFetchKeys(ctx, { zone: step, ds: outcome.ds.rrset.rdatas }, outcome.ds.rrset.ttl, false);
          if ('kind' in child) return child;
          cur = { zone: step, status: child };
          cursor = step;
          break;
        }
      }
    }
    return { status: 'bogus' };
  }

  /** Another query's DNSKEY fetch of `zone` that `ctx` may wait for (module header), or undefined. */
  private keyFetchOf(ctx: QueryContext, zone: Name): SharedWork | undefined {
    if (this.keyFetches.size === 0) return undefined;
    const work = this.keyFetches.get(zone.key);
    return work !== undefined && ctx.mayWaitFor(work) ? work : undefined;
  }

  /** Waits for another query's shared work to end (counted); the key cache then holds its outcome. */
  private async waitFor(ctx: QueryContext, work: SharedWork): Promise<void> {
    if (this.deps.stats !== undefined) this.deps.stats.coalescedKeyFetches++;
    ctx.waitingFor = work;
    try {
      await work.done;
    } finally {
      ctx.waitingFor = undefined;
    }
  }

  /** fetchKeys, with the fetch in flight known to other queries of the same zone's keys until it ends. */
  private sharedFetchKeys(ctx: QueryContext, trust: TrustPoint, dsTtl?: number, isAnchor?: boolean, skip?: ReadonlySet<string>): Promise<PrimeOutcome> {
    const key = trust.zone.key;
    const p = this.fetchKeys(ctx, trust, dsTtl, isAnchor, skip);
    const end = (): void => {
      if (this.keyFetches.get(key) === work) this.keyFetches.delete(key);
    };
    const work: SharedWork = { leader: ctx, done: p.then(end, end) };
    this.keyFetches.set(key, work);
    return p;
  }

  /**
   * Fetches and validates the DNSKEY RRset of `trust.zone`; caches the result. For a trust anchor
   * (`isAnchor`), each fetched RRset goes to the observer first and the anchor is read again.
   */
  private async fetchKeys(
    ctx: QueryContext,
    trust: TrustPoint,
    dsTtl = 3600,
    isAnchor = false,
    skip: ReadonlySet<string> = new Set(),
  ): Promise<PrimeOutcome> {
    const { keys, rrsets, clock, crypto, validator } = this.deps;
    let res = await this.subFetch(ctx, trust.zone, RRType.DNSKEY);
    if (res.kind === 'fail') return res;
    const judge = async (r: Extract<IterationResult, { kind: 'response' }>) => {
      const set = groupSigned(r.msg.answer).find((x) => x.rrset.type === RRType.DNSKEY && x.rrset.name.equals(trust.zone));
      if (isAnchor && set !== undefined && this.observer !== undefined) {
        this.observer(trust.zone, set);
        const now = this.anchorAt(trust.zone);
        if (now === undefined) return undefined;
        trust = now;
      }
      const env = createValidationEnv(nowSeconds(clock), crypto, validator, this.memo);
      return { signed: set, v: await validateDnskeysAsync(env, set, trust, crypto) };
    };
    const first = await judge(res);
    if (first === undefined) return WITHDRAWN;
    let { signed, v } = first;
    if (isAnchor && signed === undefined && res.msg.rcode === Rcode.NXDOMAIN && (await this.deniedAbove(ctx, trust.zone, res.msg, skip))) {
      return NONEXISTENT;
    }
    // A bogus DNSKEY RRset: the server is avoided and another asked (module header, as for data).
    for (let retry = 0; retry < BOGUS_KEY_RETRIES && v.status === 'bogus'; retry++) {
      ctx.avoid.add(res.address);
      const again = await this.subFetch(ctx, trust.zone, RRType.DNSKEY);
      if (again.kind === 'fail') break;
      res = again;
      const next = await judge(again);
      if (next === undefined) return WITHDRAWN;
      ({ signed, v } = next);
    }
    switch (v.status) {
      case 'secure': {
        const s = signed!;
        keys.putKeys(trust.zone, { status: SecurityStatus.secure, rrset: s });
        rrsets.insert({ ...s, credibility: Credibility.answerAuthoritative, status: SecurityStatus.secure });
        return { status: 'secure', keys: v.keys };
      }
      case 'insecure':
        keys.putKeys(trust.zone, { status: SecurityStatus.insecure, reason: v.reason, ttl: dsTtl });
        return v.reason === undefined ? { status: 'insecure' } : { status: 'insecure', reason: v.reason };
      case 'bogus':
        keys.putKeys(trust.zone, { status: SecurityStatus.bogus, reason: v.reason, rrset: signed });
        return { status: 'bogus', reason: v.reason };
    }
  }

  /**
   * True when `msg`, an NXDOMAIN answer to the DNSKEY query for the trust anchor `zone`, is a
   * secure denial of that name by the zone of a trust anchor above it. A name that does not exist
   * has no DNSKEY RRset and holds no zone (RFC 4035 §4.3 configures an anchor for a zone's keys;
   * RFC 4035 §5.4: the parent's signed NSEC/NSEC3 prove the name absent), so the anchor does not
   * apply and names below it are judged in the parent's zone: Unbound, which picks the anchor by
   * the signer of a response, answers such an NXDOMAIN securely from the parent zone. Anything
   * short of a secure proof (no anchor above, insecure or bogus denial) leaves the anchor as it is.
   */
  private async deniedAbove(ctx: QueryContext, zone: Name, msg: Message, skip: ReadonlySet<string>): Promise<boolean> {
    const without = new Set(skip).add(zone.key);
    if (this.anchorFor(zone, without) === undefined) return false;
    const v = await this.validateResponse(ctx, msg, zone, RRType.DNSKEY, false, without);
    return v.kind === 'nxdomain' && v.status === 'secure';
  }

  /**
   * The shallowest name below `cursor`, down to `target`, that the RRset cache holds a delegation
   * (NS RRset) for, when no name between them has one: the cut the iterator was referred to.
   */
  private knownCut(cursor: Name, target: Name): Name | undefined {
    for (let n = cursor.labelCount + 1; n <= target.labelCount; n++) {
      const nm = target.suffix(n);
      if (this.deps.rrsets.lookup(nm, RRType.NS) !== undefined) return nm;
    }
    return undefined;
  }

  /**
   * Fetches the DS RRset of `child` and judges it with the parent's keys. `tentative`: `child` is
   * a cut taken from the cache, possibly more than one label below the parent; only an outcome the
   * parent's signatures prove counts (a secure DS, a secure denial); anything else is 'unproven',
   * caches nothing and avoids no server, and the caller walks label by label instead.
   */
  private async fetchDs(ctx: QueryContext, child: Name, parent: ZoneStatus, tentative = false): Promise<DsStep | ResolverFailure> {
    const { keys, rrsets, aggressive } = this.deps;
    // Validated NSEC/NSEC3 of the parent zone already deny the DS (RFC 8198 §5.1, RFC 4035 §5.2,
    // RFC 5155 §8.9): a delegation without DS is insecure, a name without NS is no cut, a name
    // that does not exist is in the parent's zone. Only secure syntheses count (aggressive-nsec.ts).
    // (Not for a tentative cut: the cached NSEC/NSEC3 may be those of a zone below the parent.)
    const synth = tentative ? undefined : aggressive?.synthesize(child, RRType.DS);
    if (synth?.kind === 'nxdomain') return { kind: 'status', status: parent };
    if (synth?.kind === 'nodata' && synth.facts.name.equals(child)) {
      const types = synth.facts.types ?? [];
      if (!types.includes(RRType.NS) || types.includes(RRType.SOA)) return { kind: 'not-cut' };
      const ttl = Math.max(1, synth.ttl);
      keys.putDs(child, { status: SecurityStatus.insecure, ttl });
      keys.putKeys(child, { status: SecurityStatus.insecure, ttl });
      return { kind: 'status', status: { status: 'insecure' } };
    }
    let res = await this.subFetch(ctx, child, RRType.DS);
    if (res.kind === 'fail') return res;
    let v = await this.judge(res.msg, child, RRType.DS, () => parent);
    if (tentative && v.status !== 'secure') return { kind: 'unproven' };
    for (let retry = 0; retry < BOGUS_KEY_RETRIES && v.status === 'bogus'; retry++) {
      ctx.avoid.add(res.address);
      const again = await this.subFetch(ctx, child, RRType.DS);
      if (again.kind === 'fail') break;
      res = again;
      v = await this.judge(again.msg, child, RRType.DS, () => parent);
    }
    switch (v.kind) {
      case 'answer': {
        const ds = v.rrsets.find((s) => s.role === 'answer' && s.rrset.type === RRType.DS);
        if (ds === undefined) return { kind: 'not-cut' };
        if (v.status === 'secure') {
          const signed = groupSigned(res.msg.answer).find((s) => s.rrset.type === RRType.DS && s.rrset.name.equals(child))!;
          keys.putDs(child, { status: SecurityStatus.secure, rrset: signed });
          rrsets.insert({ ...signed, credibility: Credibility.answerAuthoritative, status: SecurityStatus.secure });
          return { kind: 'ds', ds: signed };
        }
        return { kind: 'status', status: this.remember(child, v) };
      }
      case 'nodata': {
        if (v.status === 'secure') {
          const types = v.denial?.types;
          const isCut = v.denial?.kind === 'nodata' && types !== undefined && types.includes(RRType.NS);
          if (!isCut) return { kind: 'not-cut' };
        }
        return { kind: 'status', status: this.remember(child, v) };
      }
      case 'nxdomain':
        // A name proven not to exist cannot be (or be below) a zone cut: what we walk to is in
        // the parent's zone, and the signer check decides if that is wrong.
        if (v.status === 'secure') return { kind: 'status', status: parent };
        return { kind: 'status', status: this.remember(child, v) };
      case 'referral':
      case 'partial':
      case 'yxdomain':
        return failure(ResolverTag.NO_DS_ANSWER, `no DS answer for ${child.toString()}`);
    }
  }

  /** Stores a non-secure outcome for a delegation in the key cache and returns its status. */
  private remember(child: Name, v: ResponseVerdict): ZoneStatus {
    const { keys } = this.deps;
    const ttl = Math.max(v.ttl, 1);
    switch (v.status) {
      case 'secure':
      case 'insecure':
        keys.putDs(child, { status: SecurityStatus.insecure, reason: v.reason, ttl });
        keys.putKeys(child, { status: SecurityStatus.insecure, reason: v.reason, ttl });
        return v.reason === undefined ? { status: 'insecure' } : { status: 'insecure', reason: v.reason };
      case 'indeterminate':
        return v.reason === undefined ? { status: 'indeterminate' } : { status: 'indeterminate', reason: v.reason };
      case 'bogus':
        keys.putKeys(child, { status: SecurityStatus.bogus, reason: v.reason });
        return v.reason === undefined ? { status: 'bogus' } : { status: 'bogus', reason: v.reason };
    }
  }

  /** A fetch counted as a sub-query, guarded against asking for itself. */
  private async subFetch(ctx: QueryContext, name: Name, type: number): Promise<IterationResult> {
    const key = `${name.key}/${type}`;
    if (ctx.active.has(key)) return failure(ResolverTag.DEPENDS_ON_ITSELF, `${name.toString()} type ${type} depends on itself`);
    if (!ctx.enter(name)) return ctx.failed!;
    ctx.active.add(key);
    try {
      return await this.deps.fetch(ctx, name, type);
    } finally {
      ctx.active.delete(key);
      ctx.leave();
    }
  }

  /** Judges a response as if every zone were insecure: its structure, no signature checked. */
  structure(msg: Message, qname: Name, qtype: number, chaseCname = false): Promise<ResponseVerdict> {
    return this.judge(msg, qname, qtype, () => ({ status: 'insecure' }), chaseCname);
  }

  /**
   * Runs the response validator once with a fixed keysFor (no key fetching). No async frame of its
   * own: the validator's promise when it waits for signature checks, else a settled one
   * (validateResponseSoon); a throw comes back as a rejection, as from an async function.
   */
  private judge(
    msg: Message,
    qname: Name,
    qtype: number,
    keysFor: (n: Name) => ZoneStatus | undefined,
    chaseCname = false,
  ): Promise<ResponseVerdict> {
    try {
      const { clock, crypto, validator } = this.deps;
      const env = createValidationEnv(nowSeconds(clock), crypto, validator, this.memo);
      const out = validateResponseSoon(
        { qname, qtype, rcode: msg.rcode, answer: groupSigned(msg.answer), authority: groupSigned(msg.authority), chaseCname },
        (n) => keysFor(n) ?? { status: 'bogus' },
        env,
        crypto,
      );
      // keysFor never answers undefined, so the validator never asks for more keys.
      return (out instanceof Promise ? out : Promise.resolve(out)) as Promise<ResponseVerdict>;
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }


  /**
   * Validates a response to (qname, qtype): asks for the keys of each zone the validator names,
   * then judges again.
   */
  validateResponse(
    ctx: QueryContext,
    msg: Message,
    qname: Name,
    qtype: number,
    chaseCname = false,
    skip?: ReadonlySet<string>,
  ): Promise<ResponseVerdict | ResolverFailure> {
    if (!this.enabled) return this.judge(msg, qname, qtype, () => ({ status: 'insecure' }), chaseCname);
    const keys = new ResponseKeys(this, ctx, msg, skip);
    const resp = { qname, qtype, rcode: msg.rcode, answer: groupSigned(msg.answer), authority: groupSigned(msg.authority), chaseCname };
    return this.settle(ctx, resp, keys, skip);
  }

  /**
   * validateResponse's rounds: judge with the keys known, walk to the zones the validator names,
   * judge again. (Apart from validateResponse so that the frame kept while a round waits holds
   * only what the rounds use.)
   */
  private async settle(ctx: QueryContext, resp: ResponseToValidate, keys: ResponseKeys, skip: ReadonlySet<string> | undefined): Promise<ResponseVerdict | ResolverFailure> {
    const { clock, crypto, validator } = this.deps;
    for (let round = 0; round < MAX_NEED_KEYS_ROUNDS; round++) {
      const env = createValidationEnv(nowSeconds(clock), crypto, validator, this.memo);
      // Awaited only when the validator waits for signature checks (validateResponseSoon).
      const soon = validateResponseSoon(resp, keys.keysFor, env, crypto);
      const out = soon instanceof Promise ? await soon : soon;
      // The validator core publishes this verdict on the validation channel (once per verdict).
      if (out.status !== 'need-keys') return out;
      for (const z of out.zones) {
        const st = await this.zoneStatus(ctx, z, keys.hint, skip);
        if ('kind' in st) return st;
        keys.remember(z, st);
      }
    }
    return failure(ResolverTag.KEYS_UNSETTLED, `keys for the response to ${resp.qname.toString()} could not be settled`);
  }

  /**
   * Learns from a referral (parent's servers to `child`): with the parent secure, the DS RRset or
   * the proof of no DS is validated and its outcome stored for `child` in the key cache.
   */
  async learnReferral(ctx: QueryContext, parent: Name, msg: Message, child: Name): Promise<void> {
    if (!this.enabled || this.anchorFor(child) === undefined) return;
    const { keys, rrsets } = this.deps;
    const k = keys.lookup(child);
    if (k?.ds !== undefined || k?.dnskey !== undefined) return;
    const q = msg.question[0];
    if (q === undefined) return;
    const st = await this.zoneStatus(ctx, parent);
    if ('kind' in st || st.status !== 'secure') return;
    const v = await this.judge(msg, q.name, q.type, () => st);
    const d = v.delegation;
    if (v.kind !== 'referral' || d === undefined || !d.name.equals(child)) return;
    if (d.child === 'secure' && d.ds !== undefined) {
      const signed = groupSigned(msg.authority).find((s) => s.rrset.type === RRType.DS && s.rrset.name.equals(child));
      if (signed === undefined) return;
      keys.putDs(child, { status: SecurityStatus.secure, rrset: signed });
      rrsets.insert({ ...signed, credibility: Credibility.authorityAuthoritative, status: SecurityStatus.secure });
      return;
    }
    const ns = msg.authority.find((r) => r.type === RRType.NS && r.name.equals(child));
    const ttl = Math.max(1, v.ttl > 0 ? v.ttl : (ns?.ttl ?? 60));
    if (d.child === 'insecure') {
      keys.putDs(child, { status: SecurityStatus.insecure, reason: v.reason, ttl });
      keys.putKeys(child, { status: SecurityStatus.insecure, reason: v.reason, ttl });
    } else if (d.child === 'bogus') {
      // A referral that carries neither a DS RRset nor any NSEC/NSEC3 proves nothing wrong: the
      // server may just leave them out (minimal responses). The walk asks the parent for the DS
      // (Unbound does the same).
      // A DS or proof that fails to validate is not stored either: the explicit DS query can
      // avoid the server that sent it and ask another (bogus retries, below).
    }
  }
}

/**
 * The zone statuses of one response being validated (validateResponse): what the key cache settles
 * at once is answered in the first round (keysFor); the rest is walked to and remembered.
 */
class ResponseKeys {
  readonly hint: ZoneHint;
  // Zone statuses settled for this response, by name (a response names a few zones: searched by
  // comparison, no key strings or Map). The lists start at the first entry (an empty list grown by
  // push takes room for 16).
  private names: Name[] | undefined;
  private statuses: ZoneStatus[] | undefined;
  private readonly trust: ChainOfTrust;
  private readonly ctx: QueryContext;
  private readonly skip: ReadonlySet<string> | undefined;

  constructor(trust: ChainOfTrust, ctx: QueryContext, msg: Message, skip: ReadonlySet<string> | undefined) {
    this.trust = trust;
    this.ctx = ctx;
    this.skip = skip;
    this.hint = new ResponseHint(msg);
  }

  /** The validator's keysFor (the one function made per response). */
  readonly keysFor = (n: Name): ZoneStatus | undefined => {
    const i = this.names === undefined ? -1 : indexOfName(this.names, n);
    if (i >= 0) return this.statuses![i];
    const st = this.trust.cachedZoneStatus(this.ctx, n, this.hint, this.skip);
    if (st !== undefined) this.remember(n, st);
    return st;
  };

  remember(n: Name, st: ZoneStatus): void {
    const i = this.names === undefined ? -1 : indexOfName(this.names, n);
    if (i >= 0) {
      this.statuses![i] = st;
    } else if (this.names === undefined || this.statuses === undefined) {
      this.names = [n];
      this.statuses = [st];
    } else {
      this.names.push(n);
      this.statuses.push(st);
    }
  }
}

/** `z` when it holds `name` below the anchor and is shallower than `target`; else `target` (narrow). */
function shallowerZone(name: Name, anchor: TrustAnchor, z: Name, target: Name): Name {
  return name.isSubdomainOf(z) && z.isSubdomainOf(anchor.zone) && z.labelCount < target.labelCount ? z : target;
}

/** The index of `name` in `names` (letter case aside, RFC 4343), -1 when absent. */
function indexOfName(names: readonly Name[], name: Name): number {
  for (let i = 0; i < names.length; i++) if (names[i]!.equals(name)) return i;
  return -1;
}
