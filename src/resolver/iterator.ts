// The iterator (RFC 1034 §5.3.3): from a delegation point down to the servers that answer a name,
// as an explicit state machine (DESIGN.md "resolver/"). `Iteration.step(event)` is synchronous and
// decides; it returns the next action (send a query to a server, look up the address of a name
// server, or done). `runIteration` is the only code that waits: it performs each action through
// the injected services and feeds the outcome back as the next event. A replay runner can drive
// `step` directly.
//
// Decisions, with their sources:
// - server choice: the infra cache picks among the delegation's addresses by smoothed RTT, skipping
//   servers lame for the zone; a server is asked at most `attemptsPerServer` times per question
//   (a minimised step that a server answered starts a new question);
//   a timeout backs it off (infra cache), an error, SERVFAIL or malformed reply moves on;
// - lame servers (upward/sideways referrals, REFUSED, empty non-authoritative replies; RFC 1034
//   §4.2.2) are marked lame for the zone in the infra cache;
// - when every known address has been used up, the address of one more NS name is looked up (a
//   sub-query, one name at a time, names outside the zone first since names inside it need glue);
//   at most `maxNsNamesPerDelegation` names per delegation (NXNS, CVE-2020-12662);
// - servers whose data failed validation in this client query (ctx.avoid) are not asked again;
// - referrals must go strictly down (classify.ts) and count against `maxReferrals`;
// - QNAME minimisation (RFC 9156 §3): below each zone cut the next label is asked with QTYPE A
//   (`qnameMinimisationQtype`, options.ts; NS as Knot Resolver, §2.1 allows both),
//   one label at a time for the first four, then in larger steps so that at most
//   `maxMinimisedQueries` are sent (§2.3 MAX_MINIMISE_COUNT, MINIMISE_ONE_LAB); a referral moves the
//   cut; any other answer means no cut there, so one more label is added. Once the whole name is
//   reached, `qnameMinimisationHideQtype` (options.ts) decides: on (default), §3 steps 3-6 as
//   written and as Unbound does: the full name is asked with the minimising QTYPE first, and the
//   real QTYPE only after that probe showed no cut at the name (or followed a referral to its own
//   zone), so only the name's own servers see it; no probe when the real QTYPE is the minimising
//   one, for DS (§3 step 3: the parent answers it) or when the cache holds a NOERROR answer for
//   the probe (§3 step 5). Off: the last label is asked with the real QTYPE at once, as Knot
//   Resolver does (one query fewer per name; the parent's servers see the QTYPE when the name
//   is delegated). A minimised question
//   with QTYPE A that no server answers is asked once more with QTYPE NS, which §2.1 allows as the
//   minimising QTYPE and which servers that drop A queries for a non-terminal may still answer;
//   the zone's servers are then asked NS for the rest of the descent through it. Only when that
//   fails too is the full question sent (§2.3). An NXDOMAIN to a minimised name may come from
//   servers that mishandle empty non-terminals, so minimisation is turned off and the full name
//   asked (RFC 9156 §2.3 and Unbound's default, not strict); so it is when a minimised question
//   meets REFUSED, SERVFAIL or a lame reply: the servers are asked the full question before
//   anything is called lame;
// - a DS query is an ordinary query for the name, started from the parent's cut by the caller
//   (RFC 4035 §4.2): a server that refers it to the child zone is lame for it;
// - a forward zone's delegation (`forward`): its servers are forwarders, asked with RD set and the
//   full question (no minimisation: a recursive server answers the name itself, as Unbound sends
//   forwarders the full name); a NOERROR or NXDOMAIN reply is the answer whatever its AA bit or
//   authority section says (Unbound classifies RD replies without referral or lame detection), any
//   other rcode moves on to the next forwarder, and nothing is marked lame. A forwarder's RTT
//   samples mix its cache hits (fast) with its own resolutions (slow, a whole iteration), so it is
//   asked up to FORWARDER_ATTEMPTS times per question, waiting at least FORWARDER_MIN_TIMEOUT_MS and
//   twice as long at each attempt (Unbound's retries with a doubling RTO; up to the max timeout);
// - doubtful replies are set aside while other servers remain (as Unbound does): an entirely
//   empty NOERROR to the real question (no records in any section), and, where the zone is
//   expected to be signed (a trust anchor at the zone, a DS for it), an answer or referral
//   without any RRSIG (a DNSSEC-lame server, RFC 4035 §3.1 requires the signatures). The reply
//   set aside is used when no other server gives a better one;
// - when every address and name of the delegation is used up (Unbound's "last resort"): the
//   addresses the parent side gave as glue for the NS names (a child may serve other addresses
//   than its parent's glue), then, for a delegation taken from the cache (the child's NS set), the
//   parent zone is asked again for the referral, whose NS names and glue join the delegation
//   (RFC 1034 §4.2.2: parent and child NS sets may differ, and either may be the working one).
//
// Pure module: no I/O of its own.

import type { InfraCache } from '../cache/infra-cache.js';
import { RRType } from '../wire/constants.js';
import type { Message } from '../wire/message.js';
import type { Name } from '../wire/name.js';
import { chasesChain, classify, classifyForwarded, scrub, type Classified, type NsAddresses } from './classify.js';
import { ResolverTag, failure, type ResolverFailure } from './ede-tags.js';
import { ExchangeSend, type Exchanger } from './exchange.js';
import type { ResolverOptions } from './options.js';
import type { QueryContext } from './query-context.js';
import type { TransportReply } from './transport.js';

/** A zone cut with its name servers and what is known of their addresses. */
export interface Delegation {
  readonly zone: Name;
  readonly nsNames: readonly Name[];
  /**
   * Addresses per NS name key (empty list: looked up, none found). Never changed once handed to
   * an iteration: it copies the map before it adds to it, so a delegation built from the caches
   * can be handed out again (resolver.ts delegationAt).
   */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
  /** The servers are forwarders (a forward zone, options.ts): RD set, answers taken as final. */
  readonly forward?: boolean | undefined;
}

export type IterationResult =
  | {
      readonly kind: 'response';
      readonly msg: Message;
      readonly zone: Name;
      readonly address: string;
      /** The server followed the chain of a CNAME question (classify.ts `chasesChain`). */
      readonly chase?: boolean;
    }
  | ResolverFailure;

export type IterEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'parent'; readonly dp: Delegation | undefined }
  | { readonly kind: 'reply'; readonly address: string; readonly classified: Classified }
  | { readonly kind: 'no-reply'; readonly address: string; readonly reason: string; readonly timeout: boolean }
  | { readonly kind: 'addresses'; readonly nsName: Name; readonly addresses: readonly string[] };

export type IterAction =
  | {
      readonly kind: 'send';
      readonly address: string;
      readonly rto: number;
      readonly qname: Name;
      readonly qtype: number;
      readonly zone: Name;
      /** Recursion desired: the server is a forwarder. */
      readonly rd: boolean;
    }
  | { readonly kind: 'lookup'; readonly nsName: Name; readonly zone: Name }
  /** The cached delegation of `zone` is used up: the delegation of its parent, to ask it again. */
  | { readonly kind: 'parent'; readonly zone: Name }
  | { readonly kind: 'done'; readonly result: IterationResult };

/** Addresses usable under the options (IPv4 and/or IPv6). */
export function usableAddresses(a: NsAddresses, options: ResolverOptions): string[] {
  return [...(options.ipv4 ? a.v4 : []), ...(options.ipv6 ? a.v6 : [])];
}

/** What the iteration reads synchronously. */
export interface IterationView {
  readonly options: ResolverOptions;
  readonly infra: InfraCache;
  /** Cached addresses of a name server name (empty when none). */
  cachedAddresses(name: Name): readonly string[];
  /** Addresses a parent zone gave as glue for a name server name (empty when none). */
  parentSideAddresses?(name: Name): readonly string[];
  /** True when the zone's data must carry RRSIGs (a trust anchor at it, or a DS for it known). */
  dnssecExpected?(zone: Name): boolean;
  /** The parent's NS names for a zone, kept from an earlier refetch (undefined when none live). */
  parentSideNs?(zone: Name): readonly Name[] | undefined;
  /** True when the cache holds a NOERROR answer (data or NODATA) for (name, type) (RFC 9156 §3 step 5). */
  knownNoError?(name: Name, type: number): boolean;
  /**
   * True when `zone`'s servers lately answered the minimised question (name, type) without a
   * referral (minimised-steps.ts): the step is taken without asking again, as Unbound does.
   */
  stepAnswered?(zone: Name, name: Name, type: number): boolean;
  /** Sees the reply of `zone`'s servers to a minimised question that showed no cut at `name`. */
  noteStep?(zone: Name, name: Name, type: number, msg: Message): void;
}

/** A reply kept while other servers are tried (module header: doubtful replies). */
interface SetAside {
  readonly address: string;
  readonly classified: Extract<Classified, { kind: 'answer' | 'referral' }>;
}

/** True when an answer or authority record is an RRSIG. */
function hasSignatures(msg: Message): boolean {
  return msg.answer.some((r) => r.type === RRType.RRSIG) || msg.authority.some((r) => r.type === RRType.RRSIG);
}

const MINIMISE_ONE_LAB = 4;
/** Iteration.next's list of the servers it may ask. */
const CANDIDATES: string[] = [];
/** The event that starts an iteration (one for all). */
const START: IterEvent = { kind: 'start' };
/** Attempts per forwarder and question (Unbound retries a target up to 5 times, OUTBOUND_MSG_RETRY). */
const FORWARDER_ATTEMPTS = 4;
/** The least time a forwarder gets to answer its first attempt, ms (module header). */
export const FORWARDER_MIN_TIMEOUT_MS = 400;

export class Iteration {
  readonly qname: Name;
  readonly qtype: number;
  private readonly view: IterationView;
  private readonly ctx: QueryContext;
  private dp: Delegation;
  // Set by enterZone (from the constructor on).
  /**
   * The servers asked the current question, one entry per attempt (a server's count is how often
   * it appears); made at the first send (most questions go to one server once).
   */
  private attempts: string[] | undefined;
  /** Servers not to ask again in this zone; made at the first (most iterations exclude none). */
  private excluded: Set<string> | undefined;
  /** NS names whose addresses were looked up in this zone; made at the first. */
  private looked: Set<string> | undefined;
  private triedAny = false;
  private minimise: boolean;
  private minLabels = 0;
  private minimisedSent = 0;
  private minimiseTripNoted = false;
  /** QTYPE of minimised questions in this zone: A, or NS after A met no answer (RFC 9156 §2.1). */
  private minType: number;
  private sentName: Name | undefined;
  private sentMinimised = false;
  private done = false;
  /** The delegation came from a referral in this iteration (not from the cache). */
  private fromReferral = false;
  /** A used-up zone's parent was asked again for the referral (once per iteration). */
  private refetched = false;
  /** The used-up delegation being fetched again from its parent. */
  private refetching: { dp: Delegation; excluded: Set<string> | undefined; looked: Set<string> | undefined } | undefined;
  private parentGlueTried = false;
  private dnssecExpected = false;
  private setAside: SetAside | undefined;
  /** The address map of `dp` when this iteration made it (addressMap); others are copied first. */
  private ownMap: Map<string, readonly string[]> | undefined;

  constructor(view: IterationView, ctx: QueryContext, qname: Name, qtype: number, start: Delegation) {
    this.view = view;
    this.ctx = ctx;
    this.qname = qname;
    this.qtype = qtype;
    this.dp = start;
    this.minType = view.options.qnameMinimisationQtype === 'NS' ? RRType.NS : RRType.A;
    this.minimise = view.options.qnameMinimisation && start.forward !== true;
    this.enterZone();
  }

  /** The current delegation point. */
  get delegation(): Delegation {
    return this.dp;
  }

  step(event: IterEvent): IterAction {
    if (this.done) throw new Error('iteration already done');
    if (this.ctx.failed !== undefined) return this.finish(this.ctx.failed);
    switch (event.kind) {
      case 'start':
        break;
      case 'parent':
        if (event.dp !== undefined) {
          this.refetching = { dp: this.dp, excluded: this.excluded, looked: this.looked };
          this.dp = event.dp;
          this.enterZone();
        }
        break;
      case 'addresses':
        this.addressMap().set(event.nsName.key, event.addresses);
        break;
      case 'no-reply':
        this.triedAny = true;
        if (!event.timeout) (this.excluded ??= new Set()).add(event.address);
        break;
      case 'reply': {
        this.triedAny = true;
        const c = event.classified;
        if ((c.kind === 'lame' || c.kind === 'retry') && this.minimisedInFlight()) {
          // RFC 9156 §2.3 and Unbound: a server that refuses or fails a minimised question may
          // just mishandle it; the full question goes to the same servers, and nothing is lame.
          this.stopMinimising();
        } else if (c.kind === 'lame') {
          this.view.infra.markLame(event.address, this.dp.zone);
          (this.excluded ??= new Set()).add(event.address);
        } else if (c.kind === 'retry') {
          (this.excluded ??= new Set()).add(event.address);
        } else if (this.doubtful(c)) {
          this.setAside ??= { address: event.address, classified: c };
          (this.excluded ??= new Set()).add(event.address);
        } else {
          const done = this.accept(c, event.address);
          if (done !== undefined) return done;
        }
        break;
      }
    }
    return this.next();
  }

  /** True for a reply set aside while other servers remain (module header). */
  private doubtful(c: Extract<Classified, { kind: 'answer' | 'referral' }>): boolean {
    // Forwarders answer recursively: their replies are final (Unbound skips these checks too).
    if (this.dp.forward === true) return false;
    if (this.dnssecExpected && !hasSignatures(c.msg)) return true;
    if (c.kind !== 'answer') return false;
    const m = c.msg;
    return !this.sentMinimised && m.rcode === 0 && m.answer.length === 0 && m.authority.length === 0 && m.additional.length === 0;
  }

  /** Takes an answer or a referral; a done action when the iteration ends with it. */
  private accept(c: Extract<Classified, { kind: 'answer' | 'referral' }>, address: string): IterAction | undefined {
    this.setAside = undefined;
    if (c.kind === 'referral') {
      if (!this.ctx.spendReferral(c.child)) return this.finish(this.ctx.failed!);
      const fresh = this.delegationFromReferral(c);
      const again = this.refetching;
      this.refetching = undefined;
      if (again !== undefined && again.dp.zone.equals(c.child)) {
        // The parent's referral for a used-up delegation: its names and glue join the old ones,
        // and what failed before stays failed.
        this.dp = mergeDelegations(fresh, again.dp);
        this.enterZone();
        this.excluded = again.excluded;
        this.looked = again.looked;
      } else {
        this.dp = fresh;
        this.enterZone();
      }
      this.fromReferral = true;
      this.dnssecExpected ||= c.msg.authority.some((r) => r.type === RRType.DS && r.name.equals(c.child));
      return undefined;
    }
    if (!this.sentMinimised) return this.finish({ kind: 'response', msg: c.msg, zone: this.dp.zone, address, chase: c.chase === true });
    // A minimised query answered without a referral: no cut at `sent`. The next question
    // may go to the same servers again: attempts count retries of one question, not the
    // steps of the descent (Unbound puts the used targets back, delegpt_add_unused_targets).
    this.attempts = undefined;
    if (c.msg.rcode === 3) this.minimise = false;
    else {
      if (this.sentName !== undefined && this.sentName.labelCount < this.qname.labelCount) this.view.noteStep?.(this.dp.zone, this.sentName, this.minType, c.msg);
      this.minLabels = this.nextMinLabels();
    }
    return undefined;
  }

  private finish(result: IterationResult): IterAction {
    this.done = true;
    return { kind: 'done', result };
  }

  /** True when the last question sent was a minimised one. */
  private minimisedInFlight(): boolean {
    return this.minimise && this.sentName !== undefined && this.sentMinimised;
  }

  private stopMinimising(): void {
    this.minimise = false;
    this.sentName = undefined;
    this.sentMinimised = false;
    this.attempts = undefined;
    this.excluded = undefined;
    this.setAside = undefined;
  }

  /** The minimised question met no answer with QTYPE A: ask it with QTYPE NS (RFC 9156 §2.1). */
  private minimiseWithNs(): void {
    this.minType = RRType.NS;
    this.sentName = undefined;
    this.sentMinimised = false;
    this.attempts = undefined;
    this.excluded = undefined;
    this.setAside = undefined;
  }

  private enterZone(): void {
    this.sentName = undefined;
    this.sentMinimised = false;
    this.minType = this.view.options.qnameMinimisationQtype === 'NS' ? RRType.NS : RRType.A;
    this.attempts = undefined;
    this.excluded = undefined;
    this.looked = undefined;
    this.triedAny = false;
    this.parentGlueTried = false;
    this.setAside = undefined;
    this.minLabels = this.dp.zone.labelCount + 1;
    this.dnssecExpected = this.view.dnssecExpected?.(this.dp.zone) ?? false;
  }

  /**
   * True when the used-up delegation may be fetched again from its parent: once per iteration
   * (no cascade up the tree), only for a delegation from the cache, and not when servers of it
   * gave data that failed validation (another copy of the same delegation will not help that).
   */
  private mayRefetch(): boolean {
    if (this.refetched || this.fromReferral || this.dp.forward === true || this.dp.zone.isRoot() || this.dp.nsNames.length === 0) return false;
    for (const list of this.dp.addresses.values()) if (list.some((a) => this.ctx.avoids(a))) return false;
    return true;
  }

  /** Known addresses (cache, then parent-side glue) of some NS names. */
  private addressesOf(names: readonly Name[]): Map<string, readonly string[]> {
    const out = new Map<string, readonly string[]>();
    for (const ns of names) {
      const list = [...this.view.cachedAddresses(ns)];
      for (const a of this.view.parentSideAddresses?.(ns) ?? []) if (!list.includes(a)) list.push(a);
      if (list.length > 0) out.set(ns.key, list);
    }
    return out;
  }

  /** The zone being fetched again from its parent, while that lasts. */
  get refetchingZone(): Name | undefined {
    return this.refetching?.dp.zone;
  }

  /** The delegation's address map, copied first when it is not this iteration's own. */
  private addressMap(): Map<string, readonly string[]> {
    let own = this.ownMap;
    if (own === undefined || own !== this.dp.addresses) {
      own = new Map(this.dp.addresses);
      this.ownMap = own;
      this.dp = { ...this.dp, addresses: own };
    }
    return own;
  }

  /** Adds the parent side's glue addresses not known yet; true when there were some. */
  private addParentSideGlue(): boolean {
    if (this.view.parentSideAddresses === undefined) return false;
    let added = false;
    for (const ns of this.dp.nsNames) {
      const known = this.dp.addresses.get(ns.key) ?? [];
      const extra = this.view.parentSideAddresses(ns).filter((a) => !known.includes(a));
      if (extra.length === 0) continue;
      this.addressMap().set(ns.key, [...known, ...extra]);
      added = true;
    }
    return added;
  }

  private nextMinLabels(): number {
    const remaining = this.qname.labelCount - this.minLabels;
    if (this.minimisedSent < MINIMISE_ONE_LAB) return this.minLabels + 1;
    const left = Math.max(1, this.view.options.limits.maxMinimisedQueries - this.minimisedSent);
    return this.minLabels + Math.max(1, Math.ceil(remaining / left));
  }

  private delegationFromReferral(c: Extract<Classified, { kind: 'referral' }>): Delegation {
    const addresses = new Map<string, readonly string[]>();
    for (const ns of c.nsNames) {
      const glue = c.glue.get(ns.key);
      const fromGlue = glue === undefined ? [] : usableAddresses(glue, this.view.options);
      const list = fromGlue.length > 0 ? fromGlue : this.view.cachedAddresses(ns);
      if (list.length > 0) addresses.set(ns.key, list);
    }
    return { zone: c.child, nsNames: c.nsNames, addresses };
  }

  /**
   * True when the whole name is to be asked with the minimising QTYPE before the real one
   * (module header; RFC 9156 §3 steps 3-6).
   */
  private probeFullName(): boolean {
    if (!this.view.options.qnameMinimisationHideQtype) return false;
    if (this.qtype === this.minType || this.qtype === RRType.DS) return false;
    return this.view.knownNoError?.(this.qname, this.minType) !== true;
  }

  /**
   * True when the question to send at this point is the minimised one (`qname` cut to `minLabels`
   * labels, type `minType`), false for the real one. A boolean, not a question object: next()
   * builds its action from the fields.
   */
  private minimisedQuestion(): boolean {
    const full = this.qname.labelCount;
    // A step above the whole name that this zone's servers answered lately without a referral is
    // taken without a query (minimised-steps.ts; Unbound skips a minimised query cached as
    // NOERROR), and counted as a step sent, as Unbound counts it (the walk asks the same names).
    const view = this.view;
    if (view.stepAnswered !== undefined) {
      while (
        this.minimise &&
        this.minLabels < full &&
        this.minimisedSent < view.options.limits.maxMinimisedQueries &&
        view.stepAnswered(this.dp.zone, this.qname.suffix(this.minLabels), this.minType)
      ) {
        this.minimisedSent++;
        this.minLabels = this.nextMinLabels();
      }
    }
    const wanted = this.minimise && (this.minLabels < full || (this.minLabels === full && this.probeFullName()));
    const useMin = wanted && this.minimisedSent < this.view.options.limits.maxMinimisedQueries;
    if (wanted && !useMin && !this.minimiseTripNoted && this.minLabels < full) {
      // The minimisation limit only ends minimising (the full name is asked), but is counted.
      this.minimiseTripNoted = true;
      this.ctx.noteTrip('maxMinimisedQueries', this.qname);
    }
    return useMin;
  }

  /** How often `address` was asked the current question. */
  private attemptsAt(address: string): number {
    const list = this.attempts;
    if (list === undefined) return 0;
    let n = 0;
    for (let i = 0; i < list.length; i++) if (list[i] === address) n++;
    return n;
  }

  private next(): IterAction {
    const { options, infra } = this.view;
    // One list for all iterations, emptied here: nothing keeps it past this call (selectServer
    // copies what it needs) and no other iteration runs meanwhile (next is synchronous).
    // Filled by index up to `count` and never emptied: setting an array's length to 0 drops its
    // backing store, which every call would then grow again.
    const candidates = CANDIDATES;
    let count = 0;
    const maxAttempts = this.dp.forward === true ? Math.max(options.attemptsPerServer, FORWARDER_ATTEMPTS) : options.attemptsPerServer;
    for (const list of this.dp.addresses.values()) {
      for (const a of list) {
        if (this.excluded?.has(a) === true || this.ctx.avoids(a) || listed(candidates, count, a)) continue;
        if (this.attemptsAt(a) >= maxAttempts) continue;
        candidates[count++] = a;
      }
    }
    if (count === 0 && this.minimisedInFlight()) {
      // Every server failed the minimised question (timeouts too): with QTYPE A, ask it with NS
      // (RFC 9156 §2.1); with NS, ask the full question (§2.3).
      if (this.minType === RRType.A) this.minimiseWithNs();
      else this.stopMinimising();
      return this.next();
    }
    const choice = count > 0 ? infra.selectServer(candidates, this.dp.zone, count) : undefined;
    if (choice !== undefined) {
      if (!this.ctx.timeLeft()) return this.finish(this.ctx.failed!);
      const prior = this.attemptsAt(choice.address);
      if (this.attempts === undefined) this.attempts = [choice.address];
      else this.attempts.push(choice.address);
      const rto = this.dp.forward === true ? Math.max(choice.rto, FORWARDER_MIN_TIMEOUT_MS) * 2 ** prior : choice.rto;
      const minimised = this.minimisedQuestion();
      const qname = minimised ? this.qname.suffix(this.minLabels) : this.qname;
      if (minimised) this.minimisedSent++;
      this.sentName = qname;
      this.sentMinimised = minimised;
      return { kind: 'send', address: choice.address, rto, qname, qtype: minimised ? this.minType : this.qtype, zone: this.dp.zone, rd: this.dp.forward === true };
    }
    // Every known address is used up: find one more name server's address.
    const pending = this.dp.nsNames.filter((n) => this.looked?.has(n.key) !== true && !this.dp.addresses.has(n.key));
    if (pending.length > 0) {
      if ((this.looked?.size ?? 0) >= options.limits.maxNsNamesPerDelegation) {
        this.ctx.noteTrip('maxNsNamesPerDelegation', this.dp.zone);
        return this.finish(
          failure(ResolverTag.LIMIT_NS_NAMES, `${this.looked?.size ?? 0} NS names of ${this.dp.zone.toString()} looked up, none answered`),
        );
      }
      const outside = pending.find((n) => !n.isSubdomainOf(this.dp.zone));
      const ns = outside ?? pending[0]!;
      (this.looked ??= new Set()).add(ns.key);
      return { kind: 'lookup', nsName: ns, zone: this.dp.zone };
    }
    if (this.triedAny && this.dp.forward === true) {
      return this.finish(failure(ResolverTag.NO_FORWARDER, `no forwarder of ${this.dp.zone.toString()} answered`));
    }
    // A reply set aside is better than none.
    const kept = this.setAside;
    if (kept !== undefined) return this.accept(kept.classified, kept.address) ?? this.next();
    // Last resort: the parent side's glue, then the parent's referral (module header).
    if (!this.parentGlueTried) {
      this.parentGlueTried = true;
      if (this.addParentSideGlue()) return this.next();
    }
    if (this.mayRefetch()) {
      this.refetched = true;
      // The parent's NS set for the zone from an earlier refetch: its names join, no query.
      const known = this.view.parentSideNs?.(this.dp.zone);
      if (known === undefined) return { kind: 'parent', zone: this.dp.zone };
      const old = this.dp;
      this.dp = mergeDelegations(old, { zone: old.zone, nsNames: known, addresses: this.addressesOf(known) });
      if (this.dp.nsNames.length > old.nsNames.length || this.dp.addresses.size > old.addresses.size) return this.next();
    }
    if (this.triedAny) {
      return this.finish(failure(ResolverTag.NO_REACHABLE_AUTHORITY, `no server of ${this.dp.zone.toString()} answered`));
    }
    return this.finish(failure(ResolverTag.NO_SERVER_ADDRESSES, `no address for any name server of ${this.dp.zone.toString()}`));
  }
}

/** True when `a` is among the first `count` entries of `list`. */
function listed(list: readonly string[], count: number, a: string): boolean {
  for (let i = 0; i < count; i++) if (list[i] === a) return true;
  return false;
}

/** `fresh` with the NS names and addresses of `old` it lacks (same zone). */
export function mergeDelegations(fresh: Delegation, old: Delegation): Delegation {
  const nsNames = [...fresh.nsNames];
  for (const ns of old.nsNames) if (!nsNames.some((x) => x.equals(ns))) nsNames.push(ns);
  const addresses = new Map(fresh.addresses);
  for (const [key, list] of old.addresses) {
    const cur = addresses.get(key) ?? [];
    const merged = [...cur, ...list.filter((a) => !cur.includes(a))];
    if (merged.length > 0) addresses.set(key, merged);
  }
  return { zone: fresh.zone, nsNames, addresses };
}

/** What running an iteration needs besides the view. */
export interface IterationServices extends IterationView {
  readonly exchanger: Exchanger;
  /** Looks up the addresses of a name server name (a sub-query); empty when none. */
  lookupAddresses(ctx: QueryContext, name: Name, zone: Name): Promise<readonly string[]>;
  /**
   * Sees a referral before the iteration follows it (caching, DS validation). `refetched`: it
   * answers a refetch of a used-up delegation (the parent side's NS set, worth keeping).
   */
  onReferral(ctx: QueryContext, parent: Name, referral: Extract<Classified, { kind: 'referral' }>, refetched?: boolean): Promise<void>;
  /** The delegation to ask for `zone`'s referral again (its parent's), or undefined. */
  parentDelegation?(ctx: QueryContext, zone: Name): Promise<Delegation | undefined>;
}

/** Drives an Iteration to its result, performing each action. */
export async function runIteration(
  services: IterationServices,
  ctx: QueryContext,
  qname: Name,
  qtype: number,
  start: Delegation,
): Promise<IterationResult> {
  const it = new Iteration(services, ctx, qname, qtype, start);
  let action = it.step(START);
  for (;;) {
    switch (action.kind) {
      case 'done':
        return action.result;
      case 'send': {
        // The exchanger's sends are waited for here (no promise and frame of an exchange of its
        // own); an identical exchange in flight is joined.
        const { exchanger } = services;
        let x = exchanger.start(ctx, action.address, action.qname, action.qtype, action.rto, action.rd);
        while (x instanceof ExchangeSend) {
          let reply: TransportReply;
          try {
            reply = await x.pending;
          } catch (e) {
            exchanger.abandon(x, e);
            throw e;
          }
          x = exchanger.next(x, reply);
        }
        const r = x instanceof Promise ? await x : x;
        if (r.kind !== 'reply') {
          action = it.step({ kind: 'no-reply', address: action.address, reason: r.kind === 'error' ? r.reason : 'timeout', timeout: r.kind === 'timeout' });
          break;
        }
        const msg = scrub(r.msg, action.qname, action.qtype, action.zone, services.options.hardenGlue, services.options.trustAnchors.length > 0, services.options.hardenUnverifiedGlue, services.options.maxNsRecords);
        let classified = action.rd ? classifyForwarded(msg) : classify(msg, action.qname, action.qtype, action.zone);
        if (classified.kind === 'answer' && chasesChain(r.msg, action.qname, action.qtype)) classified = { ...classified, chase: true };
        if (classified.kind === 'referral') await services.onReferral(ctx, action.zone, classified, it.refetchingZone?.equals(classified.child) === true);
        action = it.step({ kind: 'reply', address: action.address, classified });
        break;
      }
      case 'lookup': {
        const addresses = await services.lookupAddresses(ctx, action.nsName, action.zone);
        action = it.step({ kind: 'addresses', nsName: action.nsName, addresses });
        break;
      }
      case 'parent': {
        const dp = services.parentDelegation === undefined ? undefined : await services.parentDelegation(ctx, action.zone);
        action = it.step({ kind: 'parent', dp });
        break;
      }
    }
  }
}
