// Drives RFC 5011 at the edge: timers, fetching, persistence, and handing the current trust anchors
// to the resolver. The decisions are dnssec/rfc5011.ts's; this module only wires them to time, the
// network (through the resolver) and the disk.
//
// - Start: load the state file (trust-anchor-store.ts; a damaged file is logged, kept aside as
//   `<file>.bad`, and the configured anchors are used), then for each managed trust point take its
//   saved state, or start from its configured initial-key / initial-ds anchors (BIND semantics:
//   saved state wins over the configuration; a managed name no longer configured is dropped).
//   Static anchors are used as they are.
// - Refresh (RFC 5011 §2.3): when a trust point's nextRefresh comes, fetch its DNSKEY RRset with
//   RRSIGs, unvalidated (a resolve of `<zone> DNSKEY` with DO and CD: the resolver's own verdict is
//   not trusted for this, RFC 5011 validates against its own anchors), feed it to `observe` (or
//   `refreshFailed`), save the state atomically, and give the resolver the new anchors when they
//   changed. Key state changes go out on the `anchord:trust-anchor` diagnostics channel and as log
//   lines.
// - RFC 8145 §5: after each refresh, a `_ta-<tags>.<zone>` NULL query through the resolver tells
//   the zone's operators which keys we trust (trust-anchor-signaling).
// - One timer for the earliest refresh due (capped at an hour, so clock jumps are noticed), unref'd.
//
// Hooks into the resolver: `DnskeyFetcher` (resolverDnskeyFetcher uses Resolver.resolve) and
// `AnchorSink` (LiveTrustAnchors: the array the resolver's options hold, updated in place; see
// the report of issue 7 for the one-method Resolver API that should replace it).

import { readFileSync, renameSync } from 'node:fs';
import { parseBindTrustAnchors, type RawTrustAnchor } from '../config/trust-anchors.js';
import type { Clock } from '../core/clock.js';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { Channel, publish, publishLog } from '../core/diagnostics.js';
import type { Random } from '../core/random.js';
import type { TrustPoint } from '../dnssec/key-validator.js';
import { groupSigned } from '../dnssec/response-validator.js';
import {
  DEFAULT_RFC5011_PARAMS,
  KeyState,
  initialTrustPointState,
  observe,
  rfc5011Params,
  trustPointOf,
  trustedKeyTags,
  type RefreshResult,
  type Rfc5011Params,
  type TrustPointState,
} from '../dnssec/rfc5011.js';
import type { SignatureVerifier, SignedRRset, ValidatorOptions } from '../dnssec/rrset-validator.js';
import { anchorSetFromText, type AnchorSet, type ManagedTrustPoint } from '../dnssec/trust-anchor-spec.js';
import { KEY_TAG_QUERY_TYPE, anchorKeyTags, keyTagQueryName } from '../dnssec/trust-anchor-signal.js';
import type { Resolver } from '../resolver/resolver.js';
import { Rcode, RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { loadTrustAnchorState, saveTrustAnchorState } from './trust-anchor-store.js';

// ---- From configuration ----------------------------------------------------------------------

/** The trust-anchor fields of the `resolver:` config mapping (config/trust-anchors.ts). */
export interface TrustAnchorSettings {
  readonly 'trust-anchors'?: readonly Omit<RawTrustAnchor, 'where'>[] | undefined;
  readonly 'trust-anchors-file'?: readonly string[] | undefined;
  readonly 'auto-trust-anchor-file'?: string | undefined;
  /** Milliseconds, as the config schema's durations. */
  readonly 'add-holddown': number;
  readonly 'del-holddown': number;
  readonly 'keep-missing': number;
}

/**
 * The configured anchors (YAML entries and BIND-syntax files, paths through `at`), grouped into
 * static and managed trust points. Throws AnchordError (ERR_CONFIG) with file:line.
 */
export function configuredAnchorSet(cfg: TrustAnchorSettings, at: (path: string) => string = (p) => p): AnchorSet {
  const raw: (Omit<RawTrustAnchor, 'where'> & { where?: string })[] = (cfg['trust-anchors'] ?? []).map((a, i) => ({
    ...a,
    where: `resolver.trust-anchors[${i}]`,
  }));
  for (const f of cfg['trust-anchors-file'] ?? []) {
    const path = at(f);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new AnchordError(ErrorCode.Config, `cannot read ${path}: ${(e as Error).message}`);
    }
    raw.push(...parseBindTrustAnchors(text, path));
  }
  return anchorSetFromText(raw);
}

/** RFC 5011 parameters from the config durations (milliseconds to seconds). */
export function rfc5011ParamsFromSettings(cfg: TrustAnchorSettings): Rfc5011Params {
  return rfc5011Params({
    addHoldDown: Math.floor(cfg['add-holddown'] / 1000),
    removeHoldDown: Math.floor(cfg['del-holddown'] / 1000),
    keepMissing: Math.floor(cfg['keep-missing'] / 1000),
  });
}

/** Where the refresh gets a trust point's DNSKEY RRset and sends its key tag signal. */
export interface DnskeyFetcher {
  /** The DNSKEY RRset of `zone` with its RRSIGs, unvalidated; undefined when none came. */
  fetchDnskeys(zone: Name): Promise<SignedRRset | undefined>;
  /** Sends a query whose answer does not matter (RFC 8145 §5). */
  signal?(qname: Name, qtype: number): Promise<void>;
}

/** Takes the current trust anchors (static and managed) for the validator. */
export interface AnchorSink {
  setTrustAnchors(points: readonly TrustPoint[]): void;
}

/**
 * DNSKEY fetches and signals through the resolver. A probe must see the zone's current DNSKEY
 * RRset (RFC 5011 §2.3), so it goes upstream past the caches (`fetchFresh`); the set comes back
 * unvalidated and the manager judges it against the keys it trusts.
 */
export function resolverDnskeyFetcher(resolver: Resolver): DnskeyFetcher {
  return {
    async fetchDnskeys(zone) {
      const msg = await resolver.fetchFresh(zone, RRType.DNSKEY);
      if (msg?.rcode !== Rcode.NOERROR) return undefined;
      return groupSigned(msg.answer).find((s) => s.rrset.type === RRType.DNSKEY && s.rrset.name.equals(zone));
    },
    async signal(qname, qtype) {
      await resolver.resolve({ name: qname, type: qtype }, { rd: true });
    },
  };
}

/**
 * The trust anchors array a Resolver reads (its options keep the array they were given, and the
 * chain of trust reads it at each lookup): replacing its contents in place changes the anchors.
 */
export class LiveTrustAnchors implements AnchorSink {
  readonly list: TrustPoint[];
  constructor(initial: readonly TrustPoint[] = []) {
    this.list = [...initial];
  }
  setTrustAnchors(points: readonly TrustPoint[]): void {
    this.list.splice(0, this.list.length, ...points);
  }
}

/** setTimeout/clearTimeout, injectable so tests drive time themselves. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clear: (h) => {
    clearTimeout(h as ReturnType<typeof setTimeout>);
  },
};

export interface TrustAnchorManagerOptions {
  readonly statics: readonly TrustPoint[];
  readonly managed: readonly ManagedTrustPoint[];
  /** RFC 5011 state file; absent: state lives in memory only. */
  readonly stateFile?: string | undefined;
  readonly params?: Rfc5011Params | undefined;
  readonly fetcher: DnskeyFetcher;
  readonly sink: AnchorSink;
  readonly verifier: SignatureVerifier;
  readonly validator?: ValidatorOptions | undefined;
  readonly clock: Clock;
  readonly random?: Random | undefined;
  /** RFC 8145 §5 key tag queries after each refresh. Default true. */
  readonly signaling?: boolean | undefined;
  /** Default: real timers (unref'd). `null`: no timers; the caller calls runDue(). */
  readonly timers?: Timers | null | undefined;
}

/** Tags of the root trust anchors among static trust points and managed states. */
export function rootKeyTagsOf(statics: readonly TrustPoint[], states: Iterable<TrustPointState>): number[] {
  const tags = new Set<number>();
  for (const a of statics) if (a.zone.isRoot()) for (const t of anchorKeyTags(a)) tags.add(t);
  for (const s of states) if (s.zone.isRoot()) for (const t of trustedKeyTags(s)) tags.add(t);
  return [...tags].sort((a, b) => a - b);
}

/** Longest single timer wait: the refresh times are re-read at least this often. */
const MAX_TIMER_MS = 3_600_000;

export class TrustAnchorManager {
  private readonly opts: TrustAnchorManagerOptions;
  private readonly params: Rfc5011Params;
  private readonly states = new Map<string, TrustPointState>();
  private timer: unknown;
  private running = false;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private saving: Promise<void> = Promise.resolve();
  private lastApplied = '';

  constructor(opts: TrustAnchorManagerOptions) {
    this.opts = opts;
    this.params = opts.params ?? DEFAULT_RFC5011_PARAMS;
  }

  private now(): number {
    return Math.floor(this.opts.clock.now() / 1000);
  }

  /** Loads saved state, hands the anchors to the resolver, and schedules the refreshes. */
  start(): void {
    const { stateFile, managed } = this.opts;
    const saved = new Map<string, TrustPointState>();
    if (stateFile !== undefined) {
      const load = loadTrustAnchorState(stateFile);
      if (load.kind === 'loaded') for (const p of load.points) saved.set(p.zone.key, p);
      if (load.kind === 'unusable') {
        try {
          renameSync(stateFile, `${stateFile}.bad`);
          publishLog({ level: 'warn', msg: `trust anchors: kept the unusable state file as ${stateFile}.bad` });
        } catch {
          // Unreadable and unmovable: it is overwritten at the first save.
        }
      }
    }
    for (const m of managed) {
      const s = saved.get(m.zone.key);
      this.states.set(m.zone.key, s ?? initialTrustPointState(m.zone, m.anchors));
      publishLog({
        level: 'info',
        msg: `trust anchors: ${m.zone.toString()} managed by RFC 5011 (${s === undefined ? 'from the configured anchors' : 'resumed from the state file'})`,
        zone: m.zone.toString(),
        tags: trustedKeyTags(this.states.get(m.zone.key)!).join(' '),
      });
      saved.delete(m.zone.key);
    }
    for (const p of saved.values()) {
      publishLog({ level: 'info', msg: `trust anchors: ${p.zone.toString()} is in the state file but no longer configured; dropped` });
    }
    this.apply();
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.running = false;
    if (this.timer !== undefined) this.timers()?.clear(this.timer);
    this.timer = undefined;
  }

  /** Waits for refreshes and saves in progress. */
  async idle(): Promise<void> {
    await this.busy;
    await this.saving;
  }

  private timers(): Timers | undefined {
    return this.opts.timers === null ? undefined : (this.opts.timers ?? realTimers);
  }

  /** Current state of each managed trust point. */
  get trustPoints(): readonly TrustPointState[] {
    return [...this.states.values()];
  }

  stateOf(zone: Name): TrustPointState | undefined {
    return this.states.get(zone.key);
  }

  /** Static anchors plus the managed ones in force now. */
  anchors(): TrustPoint[] {
    const out = [...this.opts.statics];
    for (const s of this.states.values()) {
      const tp = trustPointOf(s);
      if (tp !== undefined) out.push(tp);
    }
    return out;
  }

  /** Key tags of the trusted root keys (RFC 8509 sentinel input), static and managed. */
  trustedRootKeyTags(): number[] {
    return rootKeyTagsOf(this.opts.statics, this.states.values());
  }

  private apply(): void {
    const anchors = this.anchors();
    const fingerprint = anchors
      .map((a) => `${a.zone.key}|${a.ds.map((d) => Buffer.from(d).toString('base64')).join(',')}|${(a.dnskeys ?? []).map((d) => Buffer.from(d).toString('base64')).join(',')}`)
      .join(';');
    if (fingerprint === this.lastApplied) return;
    this.lastApplied = fingerprint;
    this.opts.sink.setTrustAnchors(anchors);
  }

  private schedule(): void {
    const timers = this.timers();
    if (timers === undefined || !this.running) return;
    if (this.timer !== undefined) timers.clear(this.timer);
    this.timer = undefined;
    const next = this.nextDue();
    if (next === undefined) return;
    const ms = Math.max(0, Math.min(MAX_TIMER_MS, next * 1000 - this.opts.clock.now()));
    this.timer = timers.set(() => {
      this.timer = undefined;
      void this.runDue().finally(() => {
        this.schedule();
      });
    }, ms);
  }

  /** The earliest refresh time over the trust points that are not deleted (seconds). */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const s of this.states.values()) {
      if (s.deleted) continue;
      if (next === undefined || s.nextRefresh < next) next = s.nextRefresh;
    }
    return next;
  }

  /** Refreshes every trust point that is due now; resolves when done (and saved). */
  runDue(): Promise<void> {
    const run = this.busy.then(async () => {
      const now = this.now();
      for (const s of [...this.states.values()]) {
        if (this.stopped) return;
        if (!s.deleted && s.nextRefresh <= now) await this.refreshOne(s.zone);
      }
    });
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** Refreshes one trust point now, whatever its schedule. */
  refreshNow(zone: Name): Promise<RefreshResult | undefined> {
    const run = this.busy.then(() => this.refreshOne(zone));
    this.busy = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * A DNSKEY RRset of a trust point that ordinary resolution fetched (unvalidated; the resolver's
   * trust-point observer, see `attachTo`): RFC 5011 §2.3 counts every validated sighting, not
   * only the timed ones, so it goes through the same state machine at once (Unbound's autotrust
   * does this for each primed trust anchor). A set that validates also reschedules the next
   * refresh from now; one that does not leaves the schedule alone (the timed refresh, which
   * bypasses the caches, decides when to retry) and only counts as a failed query. Synchronous:
   * the anchors the resolver reads are updated before it returns, so the query that fetched the
   * set is judged with them (a trust point revoked by this very set is gone, RFC 5011 §5).
   */
  observeFetched(zone: Name, signed: SignedRRset): void {
    if (!this.running) return;
    const before = this.states.get(zone.key);
    if (before === undefined || before.deleted) return;
    let r = this.run(before, signed);
    if (r.outcome === 'failed') r = { ...r, state: { ...r.state, nextRefresh: before.nextRefresh }, nextRefresh: before.nextRefresh };
    this.states.set(zone.key, r.state);
    this.report(zone, r);
    this.apply();
    this.save();
    if (r.outcome !== 'failed') this.schedule();
  }

  /** Hands the resolver's trust-anchor DNSKEY fetches to `observeFetched` (RFC 5011 §2.3). */
  attachTo(resolver: Pick<Resolver, 'setTrustPointObserver'>): void {
    const managed = (zone: Name): boolean => this.states.has(zone.key);
    resolver.setTrustPointObserver((zone, signed) => {
      if (managed(zone)) this.observeFetched(zone, signed);
    });
  }

  private run(before: TrustPointState, signed: SignedRRset | undefined): RefreshResult {
    const random = this.opts.random;
    const jitter = random === undefined ? 0 : random.below(1_000_000) / 1_000_000;
    return observe(before, signed, this.now(), {
      verifier: this.opts.verifier,
      params: this.params,
      jitter,
      ...(this.opts.validator === undefined ? {} : { validator: this.opts.validator }),
    });
  }

  private async refreshOne(zone: Name): Promise<RefreshResult | undefined> {
    const first = this.states.get(zone.key);
    if (first === undefined || first.deleted) return undefined;
    let signed: SignedRRset | undefined;
    try {
      signed = await this.opts.fetcher.fetchDnskeys(zone);
    } catch (e) {
      publishLog({ level: 'warn', msg: `trust anchors: fetching ${zone.toString()} DNSKEY failed`, error: e instanceof Error ? e.message : String(e) });
    }
    // The state now: ordinary resolution may have taught the trust point something meanwhile.
    const before = this.states.get(zone.key) ?? first;
    if (before.deleted) return undefined;
    const r = this.run(before, signed);
    this.states.set(zone.key, r.state);
    this.report(zone, r);
    this.apply();
    this.save();
    if (this.opts.signaling !== false && r.outcome === 'updated') {
      const qname = keyTagQueryName(zone, trustedKeyTags(r.state));
      const fetcher = this.opts.fetcher;
      if (qname !== undefined && fetcher.signal !== undefined) {
        try {
          await fetcher.signal(qname, KEY_TAG_QUERY_TYPE);
        } catch {
          // The signal is best effort.
        }
      }
    }
    return r;
  }

  private report(zone: Name, r: RefreshResult): void {
    const z = zone.toString();
    for (const c of r.changes) {
      publish(Channel.trustAnchor, { zone: z, keyTag: c.tag, algorithm: c.algorithm, from: c.from, to: c.to });
      const level = c.to === KeyState.Revoked || c.to === KeyState.Valid || c.to === KeyState.Missing ? 'warn' : 'info';
      publishLog({ level, msg: `trust anchors: ${z} key ${c.tag} (algorithm ${c.algorithm}) ${c.from} -> ${c.to}`, zone: z, keyTag: c.tag });
    }
    if (r.outcome === 'failed') {
      publishLog({
        level: 'warn',
        msg: `trust anchors: refresh of ${z} failed${r.detail === undefined ? '' : `: ${r.detail}`}; retry at ${new Date(r.nextRefresh * 1000).toISOString()}`,
        zone: z,
      });
    }
    if (r.outcome === 'deleted') {
      publishLog({ level: 'error', msg: `trust anchors: every trust anchor of ${z} is revoked; the trust point is deleted (RFC 5011 §5)`, zone: z });
    }
  }

  private save(): void {
    const path = this.opts.stateFile;
    if (path === undefined) return;
    const points = [...this.states.values()];
    const now = this.now();
    this.saving = this.saving.then(async () => {
      try {
        await saveTrustAnchorState(path, points, now);
      } catch (e) {
        publishLog({ level: 'error', msg: `trust anchors: cannot save ${path}`, error: e instanceof Error ? e.message : String(e) });
      }
    });
  }
}

// ---- Composition for `anchord serve` -----------------------------------------------------------

export interface TrustAnchorServiceConfig extends TrustAnchorSettings {
  readonly 'trust-anchor-signaling': boolean;
  readonly 'root-key-sentinel': boolean;
}

export interface TrustAnchorRuntimeDeps {
  readonly clock: Clock;
  readonly verifier: SignatureVerifier;
  readonly random?: Random | undefined;
  readonly validator?: ValidatorOptions | undefined;
}

/**
 * The trust anchors of a resolver service before it starts: `anchors` is the live list to give the
 * Resolver (service settings `trustAnchors`), `start` runs RFC 5011 for the managed trust points
 * once the resolver exists, and `rootKeyTags` answers the RFC 8509 sentinel (undefined when the
 * sentinel is off).
 */
export interface PreparedTrustAnchors {
  readonly anchors: TrustPoint[];
  readonly managedZones: readonly Name[];
  readonly rootKeyTags: (() => readonly number[]) | undefined;
  start(resolver: Resolver, deps: TrustAnchorRuntimeDeps): TrustAnchorManager | undefined;
}

/**
 * Builds the anchors from configuration: the `trust-anchors` entries and `trust-anchors-file`s
 * (static-* and initial-*), plus `extraStatics` (Unbound-style trust-anchor-file / trust-anchor
 * records, or the built-in root anchors when nothing else is configured). Throws AnchordError
 * (ERR_CONFIG) for a bad anchor.
 */
export function prepareTrustAnchors(cfg: TrustAnchorServiceConfig, at: (p: string) => string, extraStatics: readonly TrustPoint[]): PreparedTrustAnchors {
  const set = configuredAnchorSet(cfg, at);
  const managedKeys = new Set(set.managed.map((m) => m.zone.key));
  for (const s of [...set.statics, ...extraStatics]) {
    if (managedKeys.has(s.zone.key)) {
      throw new AnchordError(ErrorCode.Config, `trust anchors for ${s.zone.toString()} are both static and initial (RFC 5011-managed); use one kind per name`);
    }
  }
  const statics = [...set.statics, ...extraStatics];
  const live = new LiveTrustAnchors([...statics, ...set.managed.map((m) => trustPointOf(initialTrustPointState(m.zone, m.anchors))!)]);
  let manager: TrustAnchorManager | undefined;
  const initialTags = rootKeyTagsOf(
    statics,
    set.managed.map((m) => initialTrustPointState(m.zone, m.anchors)),
  );
  const stateFile = cfg['auto-trust-anchor-file'] === undefined ? undefined : at(cfg['auto-trust-anchor-file']);
  return {
    anchors: live.list,
    managedZones: set.managed.map((m) => m.zone),
    rootKeyTags: cfg['root-key-sentinel'] ? () => (manager === undefined ? initialTags : manager.trustedRootKeyTags()) : undefined,
    start(resolver, deps) {
      if (set.managed.length === 0) return undefined;
      manager = new TrustAnchorManager({
        statics,
        managed: set.managed,
        stateFile,
        params: rfc5011ParamsFromSettings(cfg),
        fetcher: resolverDnskeyFetcher(resolver),
        // The live list (read by services built before the resolver) and the resolver itself.
        sink: {
          setTrustAnchors(points) {
            live.setTrustAnchors(points);
            resolver.setTrustAnchors(points);
          },
        },
        verifier: deps.verifier,
        validator: deps.validator,
        clock: deps.clock,
        random: deps.random,
        signaling: cfg['trust-anchor-signaling'],
      });
      manager.start();
      manager.attachTo(resolver);
      return manager;
    },
  };
}
