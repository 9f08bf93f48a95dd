// Per-client-query work accounting (DESIGN.md convention 7): one QueryContext travels with a
// client query through every iteration, sub-query and key fetch it causes, and counts referrals,
// sub-queries, upstream queries and nesting against the named limits (options.ts). The first
// limit reached is recorded as the query's failure; everything that loops checks `failed` and
// stops, so the whole client query ends with SERVFAIL and that limit's EDE. Wall time is read from
// the injected clock. Trips are counted in ResolverStats and published on the budget channel.
//
// Pure module: the clock is injected.

import type { Clock } from '../core/clock.js';
import { Channel, publish } from '../core/diagnostics.js';
import type { Name } from '../wire/name.js';
import type { NameResult } from './answer.js';
import { ResolverTag, failure, type ResolverFailure } from './ede-tags.js';
import type { LimitName, ResolverLimits } from './options.js';

/** Counters of a resolver instance; fields only grow. */
export interface ResolverStats {
  clientQueries: number;
  /** Client queries answered without any upstream query. */
  cacheAnswers: number;
  upstreamQueries: number;
  /** Upstream exchanges that timed out, and those that failed otherwise (unusable, mismatched). */
  upstreamTimeouts: number;
  upstreamErrors: number;
  /** Upstream queries sent over TCP (after TC). */
  upstreamTcp: number;
  /** Client queries that joined an identical one in flight. */
  coalesced: number;
  /** Upstream exchanges that joined an identical one in flight. */
  coalescedExchanges: number;
  /** DNSKEY fetches not made: the client query waited for another query's fetch of the zone's keys. */
  coalescedKeyFetches: number;
  servfail: number;
  /** Trips per limit. */
  trips: Record<LimitName, number>;
}

export function newStats(): ResolverStats {
  return {
    clientQueries: 0,
    cacheAnswers: 0,
    upstreamQueries: 0,
    upstreamTimeouts: 0,
    upstreamErrors: 0,
    upstreamTcp: 0,
    coalesced: 0,
    coalescedExchanges: 0,
    coalescedKeyFetches: 0,
    servfail: 0,
    trips: {
      maxReferrals: 0,
      maxSubQueries: 0,
      maxNsNamesPerDelegation: 0,
      maxCnameChain: 0,
      maxUpstreamQueries: 0,
      maxDepth: 0,
      maxMinimisedQueries: 0,
      wallTimeMs: 0,
    },
  };
}

/**
 * Limits whose trip ends the whole client query. The NS-names limit ends one delegation (the
 * iterator reports it); the minimisation limit only stops minimising.
 */
export type QueryLimit = Exclude<LimitName, 'maxNsNamesPerDelegation' | 'maxMinimisedQueries'>;

/**
 * Work that one client query does for others that need the same at the same time (a zone's key
 * fetch, trust.ts): `leader` does it, the others wait for `done` and then read the caches.
 */
export interface SharedWork {
  readonly leader: QueryContext;
  /** Settles (never rejects) when the leader's work has ended, whatever its outcome. */
  readonly done: Promise<void>;
}

/** A learnt result's type and whether it was validated, as one number. */
function learntKind(type: number, validated: boolean): number {
  return validated ? type + 0x10000 : type;
}

/** Longest chain of waits followed by mayWaitFor (a longer one is not joined). */
const MAX_WAIT_CHAIN = 64;

const LIMIT_TAGS: Readonly<Record<QueryLimit, ResolverTag>> = {
  maxReferrals: ResolverTag.LIMIT_REFERRALS,
  maxSubQueries: ResolverTag.LIMIT_SUB_QUERIES,
  maxCnameChain: ResolverTag.LIMIT_CNAME_CHAIN,
  maxUpstreamQueries: ResolverTag.LIMIT_UPSTREAM_QUERIES,
  maxDepth: ResolverTag.LIMIT_DEPTH,
  wallTimeMs: ResolverTag.LIMIT_WALL_TIME,
};

export class QueryContext {
  readonly limits: ResolverLimits;
  readonly startedAt: number;
  /** Checking disabled (RFC 4035 §3.2.2): bogus data is returned instead of SERVFAIL. */
  readonly cd: boolean;
  /** Recursion desired; without it only the caches answer. */
  readonly rd: boolean;
  upstreamQueries = 0;
  referrals = 0;
  subQueries = 0;
  depth = 0;
  /** The first limit that tripped, or the failure that ended the query. */
  failed: ResolverFailure | undefined;
  // The collections below are made on first use: most client queries need none of them but the
  // learnt results.
  private activeSet: Set<string> | undefined;
  /**
   * What this client query has learnt, per (name, type, validated) at the same index: a query
   * learns a few results, found by comparison (no key strings); made at the first.
   */
  private learntNames: Name[] | undefined;
  private learntKinds: number[] | undefined;
  private learntResults: NameResult[] | undefined;
  private avoidSet: Set<string> | undefined;
  /**
   * The earliest delegation expiry (ms) that capped data this query cached (resolver.ts
   * delegationExpiry): whole answers built from it are not reused past it. Infinity: none.
   */
  cachedUntil = Infinity;
  /** The shared work this query waits for now, led by another query (SharedWork). */
  waitingFor: SharedWork | undefined;
  private readonly clock: Clock;
  private readonly stats: ResolverStats;

  constructor(clock: Clock, limits: ResolverLimits, stats: ResolverStats, flags: { cd: boolean; rd: boolean }) {
    this.clock = clock;
    this.limits = limits;
    this.stats = stats;
    this.startedAt = clock.now();
    this.cd = flags.cd;
    this.rd = flags.rd;
  }

  /** (name, type) pairs being resolved by this client query, against dependency loops. */
  get active(): Set<string> {
    return (this.activeSet ??= new Set());
  }

  /**
   * What this client query has learnt for (name, type), validated or not: answers that may not be
   * cacheable (learnt from a response, TTL 0), looked at before the caches.
   */
  learntFor(name: Name, type: number, validated: boolean): NameResult | undefined {
    const i = this.learntIndex(name, type, validated);
    return i < 0 ? undefined : this.learntResults![i];
  }

  /** Records what this client query learnt for (name, type), validated or not (replacing an earlier result). */
  remember(name: Name, type: number, validated: boolean, result: NameResult): void {
    const i = this.learntIndex(name, type, validated);
    if (i >= 0) {
      this.learntResults![i] = result;
    } else if (this.learntNames === undefined || this.learntKinds === undefined || this.learntResults === undefined) {
      this.learntNames = [name];
      this.learntKinds = [learntKind(type, validated)];
      this.learntResults = [result];
    } else {
      this.learntNames.push(name);
      this.learntKinds.push(learntKind(type, validated));
      this.learntResults.push(result);
    }
  }

  private learntIndex(name: Name, type: number, validated: boolean): number {
    const names = this.learntNames;
    if (names === undefined) return -1;
    const kind = learntKind(type, validated);
    for (let i = 0; i < names.length; i++) if (this.learntKinds![i] === kind && names[i]!.equals(name)) return i;
    return -1;
  }

  /**
   * Servers whose data failed validation in this client query: not asked again by it, so that
   * another server of the zone can give good data (Unbound's blacklist on bogus).
   */
  get avoid(): Set<string> {
    return (this.avoidSet ??= new Set());
  }

  /** True when `address` is in `avoid` (without making the Set). */
  avoids(address: string): boolean {
    return this.avoidSet?.has(address) === true;
  }

  /** Records a trip of `limit` (once per client query) and returns the failure. */
  trip(limit: QueryLimit, owner?: Name): ResolverFailure {
    if (this.failed !== undefined) return this.failed;
    const tag = LIMIT_TAGS[limit];
    const f = failure(tag, `${limit} ${this.limits[limit]} reached${owner === undefined ? '' : ` at ${owner.toString()}`}`);
    this.failed = f;
    this.stats.trips[limit]++;
    publish(Channel.budgetTrip, { budget: limit, owner: owner?.toString() });
    return f;
  }

  /** Counts a trip of a limit that ends only part of the work (one delegation), not the query. */
  noteTrip(limit: LimitName, owner?: Name): void {
    this.stats.trips[limit]++;
    publish(Channel.budgetTrip, { budget: limit, owner: owner?.toString() });
  }

  /** False (and a trip) when the wall time is spent. */
  timeLeft(): boolean {
    if (this.failed !== undefined) return false;
    if (this.clock.now() - this.startedAt >= this.limits.wallTimeMs) {
      this.trip('wallTimeMs');
      return false;
    }
    return true;
  }

  /** Takes one upstream query from the budget; false (and a trip) when none is left. */
  spendUpstream(): boolean {
    if (!this.timeLeft()) return false;
    if (this.upstreamQueries >= this.limits.maxUpstreamQueries) {
      this.trip('maxUpstreamQueries');
      return false;
    }
    this.upstreamQueries++;
    this.stats.upstreamQueries++;
    return true;
  }

  /** Takes one referral. */
  spendReferral(owner: Name): boolean {
    if (this.failed !== undefined) return false;
    if (this.referrals >= this.limits.maxReferrals) {
      this.trip('maxReferrals', owner);
      return false;
    }
    this.referrals++;
    return true;
  }

  /** Enters a sub-query (counted and nested); pair with `leave`. */
  enter(owner: Name): boolean {
    if (this.failed !== undefined) return false;
    if (this.subQueries >= this.limits.maxSubQueries) {
      this.trip('maxSubQueries', owner);
      return false;
    }
    if (this.depth >= this.limits.maxDepth) {
      this.trip('maxDepth', owner);
      return false;
    }
    this.subQueries++;
    this.depth++;
    return true;
  }

  leave(): void {
    this.depth--;
  }

  /**
   * True when this query may wait for `work`: no query in the chain of waits that starts at its
   * leader (the leader, what the leader waits for, that work's leader...) is this one. A query is
   * sequential (it waits for one thing at a time), so refusing to close a chain into a loop keeps
   * shared work free of deadlocks: the query then does the work itself, as without sharing.
   */
  mayWaitFor(work: SharedWork): boolean {
    let leader = work.leader;
    for (let i = 0; i < MAX_WAIT_CHAIN; i++) {
      if (leader === this) return false;
      const next = leader.waitingFor;
      if (next === undefined) return true;
      leader = next.leader;
    }
    return false;
  }
}
