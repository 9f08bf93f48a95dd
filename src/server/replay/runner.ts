// Runs one parsed scenario against anchord's resolver, in-process (FORMAT.md §7–§9):
// - the resolver is built from the mapped config (config-map.ts) with a ManualClock at the
//   scenario's start time, a seeded Random, the node crypto backend with DSA and SHA-1 enabled
//   (§10: the old algorithms verify for real; nothing is faked) and its transport replaced by this
//   run's scripted servers;
// - scripted servers (§8.2): for each outgoing query, the ranges active at the current step S whose
//   address matches, in the dialect's order (D: first range in file order, addresses ignored when
//   the destination is in no range, then the D REPLY steps; U: ranges in reverse file order, each
//   tried until one has a matching entry), and the first entry whose MATCH holds answers after
//   ADJUST (entry-message.ts). A query nothing answers is *unscripted*: it times out at once,
//   without moving the clock (§9 rule 6, lenient), and is recorded; U queries that a later REPLY,
//   TIMEOUT, ERROR step or a range of a later step could answer wait instead (§8.2 U rule 4);
// - D steps run in file order; a QUERY waits for the answer, CHECK_ANSWER judges the last one;
// - U steps follow testbound's loop (§8.3): CHECK_OUT_QUERY is satisfied by a matching outgoing
//   query, CHECK_ANSWER takes the first queued answer that matches, waiting queries are answered
//   from the ranges when the step moves on, TIMEOUT/ERROR/REPLY act on the most recent waiting
//   query, ASSIGN and TIME_PASSES EVAL use macros (macro.ts);
// - every check is judged twice (match.ts): strictly and relaxed. A relaxed failure ends the run;
//   a strict failure is recorded and the run goes on. The strict verdict also fails on any
//   unscripted query, any query answered only by a relaxed match, any query left waiting and any
//   answer no CHECK_ANSWER consumed; the relaxed verdict judges the CHECK steps only;
// - D scenarios without `query-minimization` run twice, with and without (must pass both);
// - U AUTOTRUST_FILE trust points are run by the product's TrustAnchorManager (RFC 5011), resumed
//   from the file's state (autotrust.ts), refreshed after TIME_PASSES when due, `${timeout}` its next
//   refresh, CHECK_AUTOTRUST compared with its state.
// After each injected event the runner lets the resolver's promise chains run to quiescence
// (setImmediate: the resolver has no timers or I/O of its own), so the run is deterministic.
// Work is bounded: at most MAX_ROUNDS loop rounds, MAX_UPSTREAM scripted answers and a wall-time
// budget per run.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggressiveNsecCache } from '../../cache/aggressive-nsec.js';
import { AnswerCache } from '../../cache/answer-cache.js';
import { InfraCache } from '../../cache/infra-cache.js';
import { KeyCache } from '../../cache/key-cache.js';
import { NegativeCache } from '../../cache/negative-cache.js';
import { RRsetCache } from '../../cache/rrset-cache.js';
import { ManualClock } from '../../core/clock.js';
import { SeededRandom } from '../../core/random.js';
import type { CryptoBackend } from '../../crypto/backend.js';
import { createAlgorithmPolicy } from '../../dnssec/algorithms.js';
import { validatorOptions, type ValidatorOptions } from '../../dnssec/rrset-validator.js';
import { trustAnchorsFromRecords } from '../../resolver/options.js';
import { Resolver, type ResolverCaches } from '../../resolver/resolver.js';
import type { Transport, TransportQueryOptions, TransportReply, UpstreamServer } from '../../resolver/transport.js';
import { compileAcl, DEFAULT_ACL_RULES } from '../../transport/acl.js';
import { EdnsOption, Rcode, typeToString } from '../../wire/constants.js';
import { extendedErrors } from '../../wire/edns.js';
import { decodeMessage, encodeMessage, type Message } from '../../wire/message.js';
import { Name } from '../../wire/name.js';
import type { ResourceRecord } from '../../wire/record.js';
import { ResolverFrontend } from '../resolver-frontend.js';
import { LiveTrustAnchors, resolverDnskeyFetcher, rootKeyTagsOf, TrustAnchorManager } from '../trust-anchor-manager.js';
import { serializeTrustAnchorState } from '../trust-anchor-store.js';
import { mapConfig, normaliseAddress, type ReplaySetup } from './config-map.js';
import { adjustedReply, entryQueryBytes } from './entry-message.js';
import { evalNumber, expandMacros, MacroError, type MacroContext } from './macro.js';
import { AUTOTRUST_PARAMS, autotrustPoint, compareState } from './autotrust.js';
import { compareMessage, messageSummary, rrText, type Strictness } from './match.js';
import { Dialect, type Entry, type Range, type Scenario, type Step } from './scenario.js';

/** testbound gives up after this many loop rounds. */
export const MAX_ROUNDS = 5000;
/** Scripted answers per run before every further query times out. */
export const MAX_UPSTREAM = 20_000;
/** Real time one run may take before it is stopped (between steps), ms. */
export const MAX_RUN_MS = 60_000;
/** Where the harness's client queries come from (the D harness address; U's default). */
const CLIENT_ADDRESS = '127.0.0.1';
/** Scripted RTT reported to the resolver, ms. */
const SCRIPTED_RTT_MS = 10;

export interface StepFailure {
  /** Step id (0 for failures after the last step). */
  readonly step: number;
  readonly line: number;
  readonly reason: string;
  /** For a failed CHECK_ANSWER: what was expected and what the resolver said. */
  readonly check?: CheckDetail | undefined;
}

export interface CheckDetail {
  readonly expectedRcode: number;
  readonly expectedAd: boolean;
  readonly gotRcode: number;
  readonly gotAd: boolean;
  /** EDE options of the resolver's answer (`code: text`), also when the harness removed them. */
  readonly ede: readonly string[];
  /** Lines of the CHECK_ANSWER entry. */
  readonly entryLine: number;
}

export interface Verdict {
  readonly pass: boolean;
  readonly failure?: StepFailure | undefined;
}

export interface VariantResult {
  readonly qnameMinimisation: boolean;
  readonly strict: Verdict;
  readonly relaxed: Verdict;
  /** Upstream queries nothing in the scenario answered (first few, as text). */
  readonly unscripted: readonly string[];
  readonly unscriptedCount: number;
  readonly upstreamQueries: number;
  /** EDE texts of SERVFAIL answers that passed a check expecting SERVFAIL (why anchord failed). */
  readonly servfailPasses: readonly string[];
}

export interface RunOptions {
  readonly crypto: CryptoBackend;
  /** Seed for query IDs and server choice (default 1). */
  readonly seed?: number;
  /** Root hints for scenarios that name no root server (D files relying on the built-in hints). */
  readonly defaultRootHints?: readonly ResourceRecord[] | undefined;
  /** Receives one line per upstream exchange and per client answer (debugging). */
  readonly trace?: ((line: string) => void) | undefined;
}

/**
 * The response without EDE options: Unbound's `ede: no` (its default) sends none, and anchord has
 * no switch for that, so the harness removes them for U scenarios that leave EDE off.
 */
function withoutEde(bytes: Uint8Array): Uint8Array {
  let m: Message;
  try {
    m = decodeMessage(bytes);
  } catch {
    return bytes;
  }
  if (m.edns === undefined || !m.edns.options.some((o) => o.code === EdnsOption.EDE)) return bytes;
  return encodeMessage({ ...m, edns: { ...m.edns, options: m.edns.options.filter((o) => o.code !== EdnsOption.EDE) } }).bytes;
}

function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function qText(m: Message): string {
  const q = m.question[0];
  return q === undefined ? '(no question)' : `${q.name.toString()} ${typeToString(q.type)}`;
}

interface Waiting {
  readonly msg: Message;
  readonly address: string;
  readonly tcp: boolean;
  readonly resolve: (r: TransportReply) => void;
}

interface Answer {
  readonly msg: Message;
  readonly ede: readonly string[];
}

function edeTexts(m: Message): string[] {
  return extendedErrors(m.edns?.options ?? []).map((e) => `${e.infoCode}${e.extraText === '' ? '' : `: ${e.extraText}`}`);
}

class Run implements Transport {
  private readonly sc: Scenario;
  private readonly setup: ReplaySetup;
  private readonly steps: readonly Step[];
  private readonly ranges: readonly (Range & { readonly norm: readonly string[] })[];
  private readonly knownAddresses: ReadonlySet<string>;
  readonly clock: ManualClock;
  private readonly random: SeededRandom;
  private readonly frontend: ResolverFrontend;
  private readonly resolver: Resolver;
  private readonly crypto: CryptoBackend;
  private readonly rootHints: readonly ResourceRecord[];
  private readonly validator: ValidatorOptions;
  /** The resolver's trust anchors, kept current by the RFC 5011 manager. */
  private readonly live: LiveTrustAnchors;
  private manager: TrustAnchorManager | undefined;
  private tempDir: string | undefined;
  /** EDE texts of the resolver's last answer per question (`name key/type`). */
  private readonly resolverEde = new Map<string, string[]>();
  private idx = 0;
  private readonly waiting: Waiting[] = [];
  private readonly queue: Answer[] = [];
  private lastAnswer: Answer | undefined;
  private readonly usedReplies = new Set<number>();
  private readonly vars = new Map<string, number>();
  private strictFailure: StepFailure | undefined;
  private relaxedFailure: StepFailure | undefined;
  private readonly deviations: string[] = [];
  readonly unscripted: string[] = [];
  unscriptedCount = 0;
  upstream = 0;
  readonly servfailPasses: string[] = [];
  private readonly startedAt = performance.now();
  private readonly trace: ((line: string) => void) | undefined;

  constructor(sc: Scenario, setup: ReplaySetup, qmin: boolean, options: RunOptions) {
    this.sc = sc;
    this.setup = setup;
    this.steps = sc.steps;
    this.ranges = sc.ranges.map((r) => ({ ...r, norm: r.addresses.map((a) => normaliseAddress(a) ?? a) }));
    this.knownAddresses = new Set(this.ranges.flatMap((r) => r.norm));
    this.clock = new ManualClock(setup.startMs);
    this.random = new SeededRandom(options.seed ?? 1);
    this.trace = options.trace;
    const clock = this.clock;
    const validator = validatorOptions({
      policy: createAlgorithmPolicy({ validateDsa: true, validateSha1: true }),
      ...(setup.nsec3MaxIterations === undefined ? {} : { nsec3: { maxIterations: setup.nsec3MaxIterations } }),
      hardenAlgoDowngrade: setup.hardenAlgoDowngrade,
    });
    const c = setup.cache;
    const caches: ResolverCaches = {
      rrsets: new RRsetCache({
        clock,
        ...(c.minTtl === undefined ? {} : { minTtl: c.minTtl }),
        ...(c.maxTtl === undefined ? {} : { maxTtl: c.maxTtl }),
        ...(c.bogusTtl === undefined ? {} : { bogusTtl: c.bogusTtl }),
      }),
      negative: new NegativeCache({
        clock,
        ...(c.minNegativeTtl === undefined ? {} : { minNegativeTtl: c.minNegativeTtl }),
        ...(c.maxNegativeTtl === undefined ? {} : { maxNegativeTtl: c.maxNegativeTtl }),
        ...(c.bogusTtl === undefined ? {} : { bogusTtl: c.bogusTtl }),
        ...(c.belowNxdomain === undefined ? {} : { belowNxdomain: c.belowNxdomain }),
      }),
      keys: new KeyCache({ clock, ...(c.bogusTtl === undefined ? {} : { bogusTtl: c.bogusTtl }) }),
      infra: new InfraCache({ clock, random: this.random }),
      aggressive: setup.aggressiveNsec ? new AggressiveNsecCache({ clock, validatorOptions: validator }) : undefined,
    };
    this.crypto = options.crypto;
    this.rootHints = setup.rootHints.length > 0 ? setup.rootHints : (options.defaultRootHints ?? []);
    this.validator = validator;
    this.live = new LiveTrustAnchors(trustAnchorsFromRecords(setup.trustAnchors));
    this.resolver = new Resolver({
      transport: this,
      clock: this.clock,
      random: this.random,
      crypto: this.crypto,
      caches,
      options: {
        rootHints: this.rootHints,
        trustAnchors: this.live.list,
        qnameMinimisation: qmin,
        qnameMinimisationHideQtype: setup.qnameMinimisationHideQtype,
        minimalResponses: setup.minimalResponses,
        qnameMinimisationQtype: setup.qnameMinimisationQtype,
        negativeAuthorityNs: setup.negativeAuthorityNs,
        ipv4: setup.ipv4,
        ipv6: setup.ipv6,
        validator: { policy: validator.policy, nsec3: validator.nsec3, hardenAlgoDowngrade: validator.hardenAlgoDowngrade },
        stubZones: setup.stubZones.map((z) => ({ zone: z.zone, servers: z.addresses.map((address) => ({ address })) })),
        forwardZones: setup.forwardZones.map((z) => ({ zone: z.zone, servers: z.addresses.map((address) => ({ address })), first: z.first })),
        negativeTrustAnchors: setup.negativeTrustAnchors,
        hardenGlue: setup.hardenGlue,
        hardenUnverifiedGlue: setup.hardenUnverifiedGlue,
        maxNsRecords: setup.maxNsRecords,
      },
    });
    this.startManager();
    // The product's front end (ACL, answer cache, EDNS, truncation) answers the harness's queries.
    // It sees the resolver through a proxy that notes each answer's EDE, for the report even when
    // the client query had no EDNS to carry it.
    const notes = this.resolverEde;
    const watched = new Proxy(this.resolver, {
      get(target, prop, receiver): unknown {
        if (prop !== 'resolve') return Reflect.get(target, prop, receiver) as unknown;
        return async (...args: Parameters<Resolver['resolve']>) => {
          const a = await target.resolve(...args);
          notes.set(`${args[0].name.key}/${args[0].type}`, a.ede.map((e) => `${e.infoCode}${e.extraText === '' ? '' : `: ${e.extraText}`}`));
          return a;
        };
      },
    });
    this.frontend = new ResolverFrontend(watched, new AnswerCache({ ...(c.maxTtl === undefined ? {} : { maxTtl: c.maxTtl }) }), clock, {
      acl: compileAcl([...DEFAULT_ACL_RULES, ...setup.acl]),
      maxConcurrent: 10_000,
      udpSize: 1232,
      servfailTtl: 5,
      // RFC 8509 root key sentinel, on as in the product's default config (root-key-sentinel: yes)
      // and in Unbound and Knot Resolver: the tags of the root anchors the resolver trusts now.
      rootKeyTags: () => rootKeyTagsOf(this.live.list, []),
    });
  }

  // ---- RFC 5011 (U autotrust scenarios) --------------------------------------------------------

  /**
   * The product's TrustAnchorManager for the scenario's AUTOTRUST_FILE trust points: their state
   * starts from the file (through a state file in a temp directory, as the manager resumes a
   * saved state), refreshes go through this run's resolver, and the anchors it sets are the
   * resolver's live trust-anchor list. Timers are the harness's: refreshes due run after TIME_PASSES.
   */
  private startManager(): void {
    const macros = this.macroContext();
    const points = this.sc.config.autotrust.map((f) => autotrustPoint(f.id, f.lines.map((l) => expandMacros(l, macros)), this.sc.file, f.line));
    if (points.length === 0) return;
    this.tempDir = mkdtempSync(join(tmpdir(), 'anchord-replay-'));
    const stateFile = join(this.tempDir, 'trust-anchors.json');
    writeFileSync(stateFile, serializeTrustAnchorState(points.map((p) => p.state), Math.floor(this.clock.now() / 1000)));
    const managedZones = points.map((p) => p.zone);
    this.manager = new TrustAnchorManager({
      statics: this.live.list.filter((a) => !managedZones.some((z) => z.equals(a.zone))),
      managed: points.map((p) => ({ zone: p.zone, anchors: p.anchors })),
      stateFile,
      params: AUTOTRUST_PARAMS,
      fetcher: resolverDnskeyFetcher(this.resolver),
      sink: this.live,
      verifier: this.crypto,
      validator: this.validator,
      clock: this.clock,
      signaling: this.setup.trustAnchorSignaling,
      timers: null,
    });
    this.manager.start();
    this.manager.attachTo(this.resolver);
  }

  /** Seconds until the next refresh is due (0 when one is due or there is none): `${timeout}`. */
  private nextTimer(): number {
    const next = this.manager?.nextDue();
    return next === undefined ? 0 : Math.max(0, next - this.clock.now() / 1000);
  }

  /** Starts the refreshes that are due (after the clock moved, as testbound fires timers). */
  private fireTimers(): void {
    const m = this.manager;
    if (m === undefined) return;
    m.runDue().catch((err: unknown) => {
      this.failBoth(this.steps[this.idx], `RFC 5011 refresh failed: ${err instanceof Error ? err.message : 'a non-Error value'}`);
    });
  }

  /** Stops the manager and removes its temp directory. */
  async close(): Promise<void> {
    const m = this.manager;
    if (m !== undefined) {
      m.stop();
      await m.idle();
    }
    if (this.tempDir !== undefined) rmSync(this.tempDir, { recursive: true, force: true });
  }

  private checkAutotrust(st: Extract<Step, { kind: 'CHECK_AUTOTRUST' | 'CHECK_TEMPFILE' }>): void {
    const state = this.manager?.stateOf(Name.parse(st.target.endsWith('.') ? st.target : `${st.target}.`));
    if (state === undefined) {
      this.failBoth(st, `CHECK_AUTOTRUST ${st.target}: no such trust point`);
      return;
    }
    const macros = this.macroContext();
    const lines = st.lines.map((l) => expandMacros(l, macros));
    const relaxed = compareState(state, lines, 'relaxed');
    if (relaxed !== undefined) {
      this.failBoth(st, `CHECK_AUTOTRUST ${st.target}: ${relaxed}`);
      return;
    }
    const strict = compareState(state, lines, 'strict');
    if (strict !== undefined) this.failStrict(st, `CHECK_AUTOTRUST ${st.target}: ${strict}`);
  }

  // ---- Failures -------------------------------------------------------------------------------

  private get stepId(): number {
    return this.steps[this.idx]?.id ?? this.steps[this.steps.length - 1]?.id ?? 0;
  }

  private failBoth(step: Step | undefined, reason: string, check?: CheckDetail): void {
    const f = { step: step?.id ?? 0, line: step?.line ?? 0, reason, check };
    this.strictFailure ??= f;
    this.relaxedFailure ??= f;
  }

  private failStrict(step: Step | undefined, reason: string, check?: CheckDetail): void {
    this.strictFailure ??= { step: step?.id ?? 0, line: step?.line ?? 0, reason, check };
  }

  private detail(entry: Entry, a: Answer): CheckDetail {
    return {
      expectedRcode: entry.rcode,
      expectedAd: entry.flags.ad,
      gotRcode: a.msg.rcode,
      gotAd: a.msg.flags.ad,
      ede: a.ede,
      entryLine: entry.line,
    };
  }

  private deviate(reason: string): void {
    if (this.deviations.length < 50) this.deviations.push(`step ${this.stepId}: ${reason}`);
  }

  // ---- Scripted servers -----------------------------------------------------------------------

  private matches(entry: Entry, msg: Message, tcp: boolean, mode: Strictness): boolean {
    return compareMessage(entry, this.sc.dialect, { msg, tcp }, mode) === undefined;
  }

  /** An entry of `range` answering the query: strict first, else relaxed (a strict deviation). */
  private entryIn(entries: readonly Entry[], msg: Message, tcp: boolean): { entry: Entry; relaxed: boolean } | undefined {
    for (const e of entries) if (this.matches(e, msg, tcp, 'strict')) return { entry: e, relaxed: false };
    for (const e of entries) if (this.matches(e, msg, tcp, 'relaxed')) return { entry: e, relaxed: true };
    return undefined;
  }

  private reply(entry: Entry, msg: Message, tcp: boolean): TransportReply {
    const bytes = adjustedReply(entry, this.sc.dialect, msg);
    if (bytes === undefined) return { kind: 'timeout' };
    return { kind: 'reply', bytes, rttMs: SCRIPTED_RTT_MS, tcp };
  }

  private addressQualifies(r: { readonly norm: readonly string[] }, address: string): boolean {
    if (this.sc.dialect === Dialect.unbound) return r.norm.length === 0 || r.norm.includes(address);
    return !this.knownAddresses.has(address) || r.norm.includes(address);
  }

  /** The scripted answer at step `s`, or undefined when nothing answers (§8.2). */
  private scripted(msg: Message, address: string, tcp: boolean, s: number): TransportReply | undefined {
    if (this.sc.dialect === Dialect.deckard) {
      const range = this.ranges.find((r) => r.from <= s && s <= r.to && this.addressQualifies(r, address));
      if (range !== undefined) {
        const hit = this.entryIn(range.entries, msg, tcp);
        if (hit === undefined) return undefined;
        if (hit.relaxed) this.deviate(`${qText(msg)} to ${address} matched only relaxed (entry line ${hit.entry.line})`);
        return this.reply(hit.entry, msg, tcp);
      }
      for (const st of this.steps) {
        if (st.kind !== 'REPLY' || st.id < s || this.usedReplies.has(st.id)) continue;
        if (!this.matches(st.entry, msg, tcp, 'relaxed')) continue;
        if (!this.matches(st.entry, msg, tcp, 'strict')) this.deviate(`${qText(msg)} matched REPLY step ${st.id} only relaxed`);
        this.usedReplies.add(st.id);
        return this.reply(st.entry, msg, tcp);
      }
      return undefined;
    }
    let relaxedHit: Entry | undefined;
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      const r = this.ranges[i]!;
      if (!(r.from <= s && s <= r.to) || !this.addressQualifies(r, address)) continue;
      for (const e of r.entries) {
        if (this.matches(e, msg, tcp, 'strict')) return this.reply(e, msg, tcp);
        if (relaxedHit === undefined && this.matches(e, msg, tcp, 'relaxed')) relaxedHit = e;
      }
    }
    if (relaxedHit !== undefined) {
      this.deviate(`${qText(msg)} to ${address} matched only relaxed (entry line ${relaxedHit.line})`);
      return this.reply(relaxedHit, msg, tcp);
    }
    return undefined;
  }

  /** U: could a later step answer this query (a range of a later window, REPLY/TIMEOUT/ERROR)? */
  private laterAnswerable(msg: Message, address: string, tcp: boolean): boolean {
    const s = this.stepId;
    for (let i = this.idx; i < this.steps.length; i++) {
      const k = this.steps[i]!.kind;
      if (k === 'REPLY' || k === 'TIMEOUT' || k === 'ERROR') return true;
    }
    for (const r of this.ranges) {
      if (r.to <= s || !this.addressQualifies(r, address)) continue;
      if (r.entries.some((e) => this.matches(e, msg, tcp, 'relaxed'))) return true;
    }
    return false;
  }

  private noteUnscripted(msg: Message, address: string, tcp: boolean): void {
    this.unscriptedCount++;
    if (this.unscripted.length < 10) this.unscripted.push(`step ${this.stepId}: ${qText(msg)} to ${address}${tcp ? ' (TCP)' : ''}`);
  }

  query(server: UpstreamServer, bytes: Uint8Array, options: TransportQueryOptions): Promise<TransportReply> {
    const p = this.exchange(server, bytes, options);
    if (this.trace === undefined) return p;
    const trace = this.trace;
    return p.then((r) => {
      let what: string = r.kind;
      if (r.kind === 'reply') {
        try {
          const m = decodeMessage(r.bytes);
          what = `${messageSummary(m)} ${[...m.answer, ...m.authority].map((x) => rrText(x)).join(' | ')}`;
        } catch {
          what = 'undecodable reply';
        }
      }
      let q = '?';
      try {
        q = `${qText(decodeMessage(bytes))}${options.tcp === true ? ' TCP' : ''}`;
      } catch {
        // Only for the trace.
      }
      trace(`  step ${this.stepId} -> ${server.address} ${q}: ${what}`);
      return r;
    });
  }

  private exchange(server: UpstreamServer, bytes: Uint8Array, options: TransportQueryOptions): Promise<TransportReply> {
    const address = normaliseAddress(server.address) ?? server.address;
    const tcp = options.tcp === true;
    let msg: Message;
    try {
      msg = decodeMessage(bytes);
    } catch (err) {
      return Promise.resolve({ kind: 'error', reason: `scripted server cannot read the query: ${(err as Error).message}` });
    }
    if (++this.upstream > MAX_UPSTREAM) return Promise.resolve({ kind: 'timeout' });
    if (this.sc.dialect === Dialect.unbound) {
      const st = this.steps[this.idx];
      if (st?.kind === 'CHECK_OUT_QUERY' && this.outQueryMatches(st, msg, address, tcp)) {
        this.idx++;
        if (st.entry.adjust.has('copy_id')) return Promise.resolve(this.reply(st.entry, msg, tcp));
      }
    }
    const r = this.scripted(msg, address, tcp, this.stepId);
    if (r !== undefined) return Promise.resolve(r);
    if (this.sc.dialect === Dialect.unbound && this.laterAnswerable(msg, address, tcp)) {
      return new Promise((resolve) => this.waiting.push({ msg, address, tcp, resolve }));
    }
    this.noteUnscripted(msg, address, tcp);
    return Promise.resolve({ kind: 'timeout' });
  }

  private outQueryMatches(st: Extract<Step, { kind: 'CHECK_OUT_QUERY' }>, msg: Message, address: string, tcp: boolean): boolean {
    if (st.address !== undefined && (normaliseAddress(st.address) ?? st.address) !== address) return false;
    if (this.matches(st.entry, msg, tcp, 'strict')) return true;
    if (this.matches(st.entry, msg, tcp, 'relaxed')) {
      this.deviate(`CHECK_OUT_QUERY step ${st.id} matched ${qText(msg)} only relaxed`);
      return true;
    }
    return false;
  }

  // ---- Client side ----------------------------------------------------------------------------

  private clientQuery(entry: Entry): { bytes: Uint8Array; tcp: boolean } {
    const id = this.sc.dialect === Dialect.deckard ? this.random.u16() : 0;
    return { bytes: entryQueryBytes(entry, this.sc.dialect, id), tcp: entry.match.has('TCP') };
  }

  /** One client query through the product's front end; undefined when it sends nothing. */
  private async ask(bytes: Uint8Array, tcp: boolean, address = CLIENT_ADDRESS): Promise<Answer | undefined> {
    const raw = await this.frontend.handle(bytes, { address, port: 53000, transport: tcp ? 'tcp' : 'udp' });
    if (raw === undefined) {
      this.trace?.(`step ${this.stepId} client: no answer`);
      return undefined;
    }
    const full = decodeMessage(raw);
    const q = full.question[0];
    const noted = q === undefined ? undefined : this.resolverEde.get(`${q.name.key}/${q.type}`);
    const ede = full.edns === undefined ? (noted ?? []) : edeTexts(full);
    const msg = this.setup.ede || full.edns === undefined ? full : decodeMessage(withoutEde(raw));
    this.trace?.(
      `step ${this.stepId} client answer: ${messageSummary(full)} ${[...full.answer, ...full.authority].map((x) => rrText(x)).join(' | ')}${ede.length > 0 ? ` EDE: ${ede.join('; ')}` : ''}`,
    );
    return { msg, ede };
  }

  /** Judges an answer against a CHECK_ANSWER entry: strict and relaxed reasons (undefined = pass). */
  private judge(entry: Entry, answer: Message): { strict: string | undefined; relaxed: string | undefined } {
    const rx = { msg: answer, tcp: false };
    const relaxed = compareMessage(entry, this.sc.dialect, rx, 'relaxed');
    const strict = relaxed === undefined ? compareMessage(entry, this.sc.dialect, rx, 'strict') : relaxed;
    return { strict, relaxed };
  }

  private timeLeft(step: Step | undefined): boolean {
    if (performance.now() - this.startedAt <= MAX_RUN_MS) return true;
    this.failBoth(step, `stopped: the run took more than ${MAX_RUN_MS / 1000} s`);
    return false;
  }

  private macroContext(): MacroContext {
    return { vars: this.vars, time: () => this.clock.now() / 1000, timeout: () => this.nextTimer() };
  }

  private timePasses(st: Extract<Step, { kind: 'TIME_PASSES' }>): void {
    let s = st.elapse ?? 0;
    if (st.evalExpr !== undefined) s = evalNumber(st.evalExpr, this.macroContext());
    this.clock.advance(Math.round(s * 1000));
    this.fireTimers();
  }

  private unsupportedStep(st: Step): string | undefined {
    switch (st.kind) {
      case 'CHECK_TEMPFILE':
        return `${st.kind} ${st.target}: testbound temp files have no anchord counterpart`;
      case 'INFRA_RTT':
      case 'FLUSH_MESSAGE':
      case 'EXPIRE_MESSAGE':
        return `${st.kind}: an Unbound-internal cache operation anchord's resolver does not expose`;
      default:
        return undefined;
    }
  }

  // ---- D --------------------------------------------------------------------------------------

  private async settle<T>(p: Promise<T>, step: Step): Promise<{ value: T } | undefined> {
    const state: { out?: { value: T }; error?: { err: unknown } } = {};
    p.then(
      (value) => {
        state.out = { value };
      },
      (err: unknown) => {
        state.error = { err };
      },
    );
    for (let i = 0; i < 100 && state.out === undefined && state.error === undefined; i++) await drain();
    if (state.error !== undefined) {
      const e = state.error.err;
      this.failBoth(step, `the resolver threw: ${e instanceof Error ? e.message : 'a non-Error value'}`);
      return undefined;
    }
    if (state.out === undefined) this.failBoth(step, 'the resolver did not answer (still waiting for upstream answers)');
    return state.out;
  }

  async runDeckard(): Promise<void> {
    for (this.idx = 0; this.idx < this.steps.length; this.idx++) {
      const st = this.steps[this.idx]!;
      if (this.relaxedFailure !== undefined || !this.timeLeft(st)) return;
      try {
        switch (st.kind) {
          case 'QUERY': {
            const { bytes, tcp } = this.clientQuery(st.entry);
            const r = await this.settle(this.ask(bytes, tcp, st.address), st);
            if (r === undefined) return;
            this.lastAnswer = st.entry.raw === undefined ? r.value : undefined;
            break;
          }
          case 'CHECK_ANSWER': {
            if (this.lastAnswer === undefined) {
              this.failBoth(st, 'no answer to check');
              break;
            }
            const a = this.lastAnswer;
            const v = this.judge(st.entry, a.msg);
            if (v.relaxed !== undefined) this.failBoth(st, `${v.relaxed} [answer: ${messageSummary(a.msg)}]`, this.detail(st.entry, a));
            else if (v.strict !== undefined) this.failStrict(st, v.strict, this.detail(st.entry, a));
            if (v.relaxed === undefined) this.notePass(st.entry, a);
            break;
          }
          case 'TIME_PASSES':
            this.timePasses(st);
            break;
          case 'REPLY':
          case 'CHECK_OUT_QUERY':
          case 'NOTHING':
          case 'TRAFFIC':
            break;
          default: {
            const why = this.unsupportedStep(st) ?? `step type ${st.kind} is not used by Deckard`;
            this.failBoth(st, why);
          }
        }
      } catch (err) {
        this.failBoth(st, err instanceof MacroError ? `macro: ${err.message}` : `harness error: ${(err as Error).message}`);
      }
    }
  }

  // ---- U --------------------------------------------------------------------------------------

  /** Answers one waiting query from the ranges at the current step, most recent first. */
  private answerOneWaiting(): boolean {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const w = this.waiting[i]!;
      const r = this.scripted(w.msg, w.address, w.tcp, this.stepId);
      if (r === undefined) continue;
      this.waiting.splice(i, 1);
      w.resolve(r);
      return true;
    }
    return false;
  }

  private timeoutMostRecent(unscripted: boolean): boolean {
    const w = this.waiting.pop();
    if (w === undefined) return false;
    if (unscripted) this.noteUnscripted(w.msg, w.address, w.tcp);
    w.resolve({ kind: 'timeout' });
    return true;
  }

  private inject(entry: Entry, address: string | undefined): void {
    const { bytes, tcp } = this.clientQuery(entry);
    this.ask(bytes, tcp, address).then(
      (answer) => {
        if (answer !== undefined) this.queue.push(answer);
      },
      (err: unknown) => {
        this.failBoth(this.steps[this.idx], `the resolver failed: ${err instanceof Error ? err.message : 'a non-Error value'}`);
      },
    );
  }

  private checkQueued(st: Extract<Step, { kind: 'CHECK_ANSWER' }>): void {
    const verdicts = this.queue.map((q) => this.judge(st.entry, q.msg));
    let k = verdicts.findIndex((v) => v.strict === undefined);
    if (k < 0) {
      k = verdicts.findIndex((v) => v.relaxed === undefined);
      if (k >= 0) this.failStrict(st, verdicts[k]!.strict!, this.detail(st.entry, this.queue[k]!));
    }
    if (k < 0) {
      const a = this.queue[0]!;
      this.failBoth(st, `${verdicts[0]!.relaxed!} [answer: ${messageSummary(a.msg)}]`, this.detail(st.entry, a));
      return;
    }
    this.notePass(st.entry, this.queue[k]!);
    this.queue.splice(k, 1);
  }

  /** Remembers why a SERVFAIL that a check expected came about (for the report). */
  private notePass(entry: Entry, a: Answer): void {
    if (entry.rcode === Rcode.SERVFAIL && a.msg.rcode === Rcode.SERVFAIL && this.servfailPasses.length < 20) {
      this.servfailPasses.push(a.ede[0] ?? 'no EDE');
    }
  }

  async runUnbound(): Promise<void> {
    let rounds = 0;
    while (this.idx < this.steps.length) {
      await drain();
      const st = this.steps[this.idx]!;
      if (this.relaxedFailure !== undefined || !this.timeLeft(st)) return;
      if (++rounds > MAX_ROUNDS) {
        this.failBoth(st, `gave up after ${MAX_ROUNDS} rounds`);
        return;
      }
      try {
        if (st.kind === 'CHECK_OUT_QUERY') {
          const k = this.waiting.findIndex((w) => this.outQueryMatches(st, w.msg, w.address, w.tcp));
          if (k >= 0) {
            this.idx++;
            if (st.entry.adjust.has('copy_id')) {
              const w = this.waiting.splice(k, 1)[0]!;
              w.resolve(this.reply(st.entry, w.msg, w.tcp));
            }
            continue;
          }
        }
        if (st.kind === 'CHECK_ANSWER' && this.queue.length > 0) {
          this.checkQueued(st);
          this.idx++;
          continue;
        }
        if (this.answerOneWaiting()) continue;
        if ((st.kind === 'CHECK_ANSWER' || st.kind === 'CHECK_OUT_QUERY') && this.waiting.length > 0) {
          // Lenient (§9 rule 6): nothing scripted answers the waiting queries; let them time out.
          this.timeoutMostRecent(true);
          continue;
        }
        this.idx++;
        switch (st.kind) {
          case 'QUERY':
            this.inject(st.entry, st.address);
            break;
          case 'CHECK_ANSWER':
            this.failBoth(st, 'no answer from the resolver to check');
            break;
          case 'CHECK_OUT_QUERY':
            this.failBoth(st, `no outgoing query matched (${st.entry.question.map((q) => `${q.name.toString()} ${typeToString(q.type)}`).join(', ')})`);
            break;
          case 'TIME_PASSES':
            this.timePasses(st);
            break;
          case 'TIMEOUT':
          case 'ERROR': {
            const w = this.waiting.pop();
            if (w === undefined) this.failStrict(st, `${st.kind}: no query is waiting`);
            else w.resolve(st.kind === 'TIMEOUT' ? { kind: 'timeout' } : { kind: 'error', reason: 'scripted network error' });
            break;
          }
          case 'REPLY': {
            const w = this.waiting.pop();
            if (w === undefined) this.failStrict(st, 'REPLY: no query is waiting');
            else w.resolve(this.reply(st.entry, w.msg, w.tcp));
            break;
          }
          case 'NOTHING':
          case 'TRAFFIC':
            break;
          case 'ASSIGN':
            this.vars.set(st.variable, evalNumber(st.expr, this.macroContext()));
            break;
          case 'CHECK_AUTOTRUST':
            this.checkAutotrust(st);
            break;
          default:
            this.failBoth(st, this.unsupportedStep(st) ?? `step type ${st.kind} is not supported`);
        }
      } catch (err) {
        this.failBoth(st, err instanceof MacroError ? `macro: ${err.message}` : `harness error: ${(err as Error).message}`);
      }
    }
    // The end (§8.3): answer what the ranges still can, then nothing may be left over.
    for (let i = 0; i < MAX_ROUNDS; i++) {
      await drain();
      if (!this.answerOneWaiting()) break;
    }
    if (this.waiting.length > 0) this.deviate(`${this.waiting.length} upstream queries still waiting at the end (${qText(this.waiting[0]!.msg)})`);
    while (this.timeoutMostRecent(true)) await drain();
    await drain();
    if (this.queue.length > 0) this.failStrict(undefined, `${this.queue.length} answers no CHECK_ANSWER consumed`);
  }

  verdicts(): { strict: Verdict; relaxed: Verdict } {
    const relaxed: Verdict = this.relaxedFailure === undefined ? { pass: true } : { pass: false, failure: this.relaxedFailure };
    let strictFailure = this.strictFailure;
    if (strictFailure === undefined && this.unscriptedCount > 0) {
      strictFailure = { step: 0, line: 0, reason: `${this.unscriptedCount} unscripted upstream queries (first: ${this.unscripted[0] ?? '?'})` };
    }
    if (strictFailure === undefined && this.deviations.length > 0) strictFailure = { step: 0, line: 0, reason: this.deviations[0]! };
    return { strict: strictFailure === undefined ? { pass: true } : { pass: false, failure: strictFailure }, relaxed };
  }
}

export interface ScenarioOutcome {
  readonly scenario: Scenario;
  readonly setup: ReplaySetup;
  readonly variants: readonly VariantResult[];
  readonly strict: Verdict;
  readonly relaxed: Verdict;
}

/** Runs a parsed scenario (every QNAME-minimisation variant its config asks for). */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioOutcome> {
  const setup = mapConfig(scenario);
  const variants: VariantResult[] = [];
  for (const qmin of setup.qnameMinimisation) {
    const run = new Run(scenario, setup, qmin, options);
    try {
      if (scenario.dialect === Dialect.deckard) await run.runDeckard();
      else await run.runUnbound();
    } finally {
      await run.close();
    }
    const v = run.verdicts();
    variants.push({
      qnameMinimisation: qmin,
      strict: v.strict,
      relaxed: v.relaxed,
      unscripted: run.unscripted,
      unscriptedCount: run.unscriptedCount,
      upstreamQueries: run.upstream,
      servfailPasses: run.servfailPasses,
    });
  }
  const first = (pick: (v: VariantResult) => Verdict): Verdict => variants.map(pick).find((v) => !v.pass) ?? { pass: true };
  return { scenario, setup, variants, strict: first((v) => v.strict), relaxed: first((v) => v.relaxed) };
}
