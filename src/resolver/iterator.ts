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
// - QNAME minimisation (RFC 9156 §3): below each zone cut the next label is asked with QTYPE A,
//   one label at a time for the first four, then in larger steps so that at most
//   `maxMinimisedQueries` are sent (§2.3 MAX_MINIMISE_COUNT, MINIMISE_ONE_LAB); a referral moves the
//   cut; any other answer means no cut there, so one more label is added. The last label is asked
//   with the real QTYPE at once, as Knot Resolver does (Unbound, like a literal reading of §3 steps
//   3-6, first asks the full name with QTYPE A: one more query per name). A minimised question
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
//   twice as long at each attempt (Unbound's retries with a doubling RTO; up to the max timeout).
//
// Pure module: no I/O of its own.

import type { InfraCache } from '../cache/infra-cache.js';
import { RRType } from '../wire/constants.js';
import type { Message } from '../wire/message.js';
import type { Name } from '../wire/name.js';
import { chasesChain, classify, classifyForwarded, scrub, type Classified, type NsAddresses } from './classify.js';
import { ResolverTag, failure, type ResolverFailure } from './ede-tags.js';
import type { Exchanger } from './exchange.js';
import type { ResolverOptions } from './options.js';
import type { QueryContext } from './query-context.js';

/** A zone cut with its name servers and what is known of their addresses. */
export interface Delegation {
  readonly zone: Name;
  readonly nsNames: readonly Name[];
  /** Addresses per NS name key (empty list: looked up, none found). */
  readonly addresses: Map<string, readonly string[]>;
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
}

const MINIMISE_ONE_LAB = 4;
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
  private attempts = new Map<string, number>();
  private excluded = new Set<string>();
  private looked = new Set<string>();
  private triedAny = false;
  private minimise: boolean;
  private minLabels = 0;
  private minimisedSent = 0;
  /** QTYPE of minimised questions in this zone: A, or NS after A met no answer (RFC 9156 §2.1). */
  private minType: number = RRType.A;
  private sentName: Name | undefined;
  private sentMinimised = false;
  private done = false;

  constructor(view: IterationView, ctx: QueryContext, qname: Name, qtype: number, start: Delegation) {
    this.view = view;
    this.ctx = ctx;
    this.qname = qname;
    this.qtype = qtype;
    this.dp = start;
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
      case 'addresses':
        this.dp.addresses.set(event.nsName.key, event.addresses);
        break;
      case 'no-reply':
        this.triedAny = true;
        if (!event.timeout) this.excluded.add(event.address);
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
          this.excluded.add(event.address);
        } else if (c.kind === 'retry') {
          this.excluded.add(event.address);
        } else if (c.kind === 'referral') {
          if (!this.ctx.spendReferral(c.child)) return this.finish(this.ctx.failed!);
          this.dp = this.delegationFromReferral(c);
          this.enterZone();
        } else {
          if (!this.sentMinimised) {
            return this.finish({ kind: 'response', msg: c.msg, zone: this.dp.zone, address: event.address, chase: c.chase === true });
          }
          // A minimised query answered without a referral: no cut at `sent`. The next question
          // may go to the same servers again: attempts count retries of one question, not the
          // steps of the descent (Unbound puts the used targets back, delegpt_add_unused_targets).
          this.attempts = new Map();
          if (c.msg.rcode === 3) this.minimise = false;
          else this.minLabels = this.nextMinLabels();
        }
        break;
      }
    }
    return this.next();
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
    this.attempts = new Map();
    this.excluded = new Set();
  }

  /** The minimised question met no answer with QTYPE A: ask it with QTYPE NS (RFC 9156 §2.1). */
  private minimiseWithNs(): void {
    this.minType = RRType.NS;
    this.sentName = undefined;
    this.sentMinimised = false;
    this.attempts = new Map();
    this.excluded = new Set();
  }

  private enterZone(): void {
    this.sentName = undefined;
    this.sentMinimised = false;
    this.minType = RRType.A;
    this.attempts = new Map();
    this.excluded = new Set();
    this.looked = new Set();
    this.triedAny = false;
    this.minLabels = this.dp.zone.labelCount + 1;
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

  /** The question to send at this point: minimised or the real one. */
  private question(): { name: Name; type: number; minimised: boolean } {
    const full = this.qname.labelCount;
    const useMin = this.minimise && this.minLabels < full && this.minimisedSent < this.view.options.limits.maxMinimisedQueries;
    if (!useMin) return { name: this.qname, type: this.qtype, minimised: false };
    return { name: this.qname.suffix(this.minLabels), type: this.minType, minimised: true };
  }

  private next(): IterAction {
    const { options, infra } = this.view;
    const candidates: string[] = [];
    for (const list of this.dp.addresses.values()) {
      for (const a of list) {
        if (this.excluded.has(a) || this.ctx.avoid.has(a) || candidates.includes(a)) continue;
        if ((this.attempts.get(a) ?? 0) >= (this.dp.forward === true ? Math.max(options.attemptsPerServer, FORWARDER_ATTEMPTS) : options.attemptsPerServer)) continue;
        candidates.push(a);
      }
    }
    if (candidates.length === 0 && this.minimisedInFlight()) {
      // Every server failed the minimised question (timeouts too): with QTYPE A, ask it with NS
      // (RFC 9156 §2.1); with NS, ask the full question (§2.3).
      if (this.minType === RRType.A) this.minimiseWithNs();
      else this.stopMinimising();
      return this.next();
    }
    const choice = candidates.length > 0 ? infra.selectServer(candidates, this.dp.zone) : undefined;
    if (choice !== undefined) {
      if (!this.ctx.timeLeft()) return this.finish(this.ctx.failed!);
      const prior = this.attempts.get(choice.address) ?? 0;
      this.attempts.set(choice.address, prior + 1);
      const rto = this.dp.forward === true ? Math.max(choice.rto, FORWARDER_MIN_TIMEOUT_MS) * 2 ** prior : choice.rto;
      const q = this.question();
      if (q.minimised) this.minimisedSent++;
      this.sentName = q.name;
      this.sentMinimised = q.minimised;
      return { kind: 'send', address: choice.address, rto, qname: q.name, qtype: q.type, zone: this.dp.zone, rd: this.dp.forward === true };
    }
    // Every known address is used up: find one more name server's address.
    const pending = this.dp.nsNames.filter((n) => !this.looked.has(n.key) && !this.dp.addresses.has(n.key));
    if (pending.length > 0) {
      if (this.looked.size >= options.limits.maxNsNamesPerDelegation) {
        this.ctx.noteTrip('maxNsNamesPerDelegation', this.dp.zone);
        return this.finish(
          failure(ResolverTag.LIMIT_NS_NAMES, `${this.looked.size} NS names of ${this.dp.zone.toString()} looked up, none answered`),
        );
      }
      const outside = pending.find((n) => !n.isSubdomainOf(this.dp.zone));
      const ns = outside ?? pending[0]!;
      this.looked.add(ns.key);
      return { kind: 'lookup', nsName: ns, zone: this.dp.zone };
    }
    if (this.triedAny && this.dp.forward === true) {
      return this.finish(failure(ResolverTag.NO_FORWARDER, `no forwarder of ${this.dp.zone.toString()} answered`));
    }
    if (this.triedAny) {
      return this.finish(failure(ResolverTag.NO_REACHABLE_AUTHORITY, `no server of ${this.dp.zone.toString()} answered`));
    }
    return this.finish(failure(ResolverTag.NO_SERVER_ADDRESSES, `no address for any name server of ${this.dp.zone.toString()}`));
  }
}

/** What running an iteration needs besides the view. */
export interface IterationServices extends IterationView {
  readonly exchanger: Exchanger;
  /** Looks up the addresses of a name server name (a sub-query); empty when none. */
  lookupAddresses(ctx: QueryContext, name: Name, zone: Name): Promise<readonly string[]>;
  /** Sees a referral before the iteration follows it (caching, DS validation). */
  onReferral(ctx: QueryContext, parent: Name, referral: Extract<Classified, { kind: 'referral' }>): Promise<void>;
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
  let action = it.step({ kind: 'start' });
  for (;;) {
    switch (action.kind) {
      case 'done':
        return action.result;
      case 'send': {
        const r = await services.exchanger.exchange(ctx, action.address, action.qname, action.qtype, action.rto, action.rd);
        if (r.kind !== 'reply') {
          action = it.step({ kind: 'no-reply', address: action.address, reason: r.kind === 'error' ? r.reason : 'timeout', timeout: r.kind === 'timeout' });
          break;
        }
        const msg = scrub(r.msg, action.qname, action.qtype, action.zone, services.options.hardenGlue);
        let classified = action.rd ? classifyForwarded(msg) : classify(msg, action.qname, action.qtype, action.zone);
        if (classified.kind === 'answer' && chasesChain(r.msg, action.qname, action.qtype)) classified = { ...classified, chase: true };
        if (classified.kind === 'referral') await services.onReferral(ctx, action.zone, classified);
        action = it.step({ kind: 'reply', address: action.address, classified });
        break;
      }
      case 'lookup': {
        const addresses = await services.lookupAddresses(ctx, action.nsName, action.zone);
        action = it.step({ kind: 'addresses', nsName: action.nsName, addresses });
        break;
      }
    }
  }
}
