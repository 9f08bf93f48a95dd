// Prometheus metrics (prom-client) for the resolver service, in the text exposition format served
// on `/metrics` (src/transport/metrics-listener.ts).
//
// The hot path pays nothing it does not already pay (DESIGN.md conventions 7 and 10):
// - what the front end and the resolver already count as plain numbers (client responses by RCODE,
//   answer-cache hits, resolver cache answers, upstream queries, timeouts, errors, TCP retries) is
//   read when Prometheus scrapes, by the metrics' `collect` callbacks;
// - events that carry labels and happen off the cache-hit path are counted by subscribing to the
//   diagnostics channels the pure code publishes on: validator verdicts (status and EDE code, on
//   `anchord:validation`, one message per verdict) and work-limit trips (every trip of a resolver
//   limit or a validator budget, by limit name, on `anchord:budget-trip`).
// Several sources in one process are summed. With node:cluster workers (serve --threads N), each
// worker keeps its own metrics and answers the primary's requests (`shareWithClusterPrimary`), and
// the primary serves their sum (`clusterMetricsRenderer`, prom-client's AggregatorRegistry).
//
// Metric names follow Prometheus conventions (`anchord_` prefix, `_total` for counters); the
// process metrics of prom-client's collectDefaultMetrics are included.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { AggregatorRegistry, Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { Channel } from '../core/diagnostics.js';
import { EdeCode } from '../wire/constants.js';

/** The front end's plain counters (server/resolver-frontend.ts FrontendStats has this shape). */
export interface FrontendCounters {
  readonly queries: number;
  readonly cacheHits: number;
  readonly dropped: number;
  /** Responses by RCODE; the last slot holds every RCODE past the others. */
  readonly rcodes: readonly number[];
}

/** The resolver's plain counters (resolver/query-context.ts ResolverStats has this shape). */
export interface ResolverCounters {
  readonly clientQueries: number;
  readonly cacheAnswers: number;
  readonly upstreamQueries: number;
  readonly upstreamTimeouts: number;
  readonly upstreamErrors: number;
  readonly upstreamTcp: number;
}

export interface MetricsSource {
  readonly frontend: FrontendCounters;
  readonly resolver: ResolverCounters;
}

const RCODE_NAMES: readonly string[] = [
  'NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE',
  'DSOTYPENI', 'RCODE12', 'RCODE13', 'RCODE14', 'RCODE15', 'BADVERS', 'BADKEY', 'BADTIME', 'BADMODE', 'BADNAME', 'BADALG',
  'BADTRUNC', 'BADCOOKIE',
];

const EDE_NAMES = new Map<number, string>(Object.entries(EdeCode).map(([k, v]) => [v, k]));

export interface Metrics {
  readonly registry: Registry;
  /** Adds a source (a resolver and its front end) whose counters are summed into the metrics. */
  addSource(source: MetricsSource): void;
  /** The exposition text. */
  render(): Promise<string>;
  readonly contentType: string;
  /** Stops listening on the channels. */
  close(): void;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop lag); default true. */
  readonly processMetrics?: boolean;
}

function sum<T>(sources: readonly T[], f: (s: T) => number): number {
  let n = 0;
  for (const s of sources) n += f(s);
  return n;
}

/** Builds the registry and subscribes to the channels (see the module header). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const sources: MetricsSource[] = [];
  const registers = [registry];

  new Counter({
    name: 'anchord_client_responses_total',
    help: 'Responses sent to clients, by RCODE (answer-cache hits included).',
    labelNames: ['rcode'],
    registers,
    collect() {
      this.reset();
      const slots = Math.max(0, ...sources.map((s) => s.frontend.rcodes.length));
      for (let i = 0; i < slots; i++) {
        const v = sum(sources, (s) => s.frontend.rcodes[i] ?? 0);
        if (v > 0) this.inc({ rcode: i === slots - 1 && slots > RCODE_NAMES.length ? 'other' : (RCODE_NAMES[i] ?? `RCODE${i}`) }, v);
      }
    },
  });
  new Counter({
    name: 'anchord_client_queries_total',
    help: 'Client queries received (before the ACL, the answer cache and decoding).',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.frontend.queries));
    },
  });
  new Counter({
    name: 'anchord_client_dropped_total',
    help: 'Client queries dropped without a response (ACL drop, unreadable, responses sent to us).',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.frontend.dropped));
    },
  });
  new Counter({
    name: 'anchord_cache_hits_total',
    help: 'Cache hits: "answer" = ready-to-send answers, "resolver" = questions the resolver answered from its caches.',
    labelNames: ['cache'],
    registers,
    collect() {
      this.reset();
      this.inc({ cache: 'answer' }, sum(sources, (s) => s.frontend.cacheHits));
      this.inc({ cache: 'resolver' }, sum(sources, (s) => s.resolver.cacheAnswers));
    },
  });
  new Counter({
    name: 'anchord_cache_misses_total',
    help: 'Cache misses: "answer" = questions passed to the resolver, "resolver" = questions that needed upstream queries.',
    labelNames: ['cache'],
    registers,
    collect() {
      this.reset();
      this.inc({ cache: 'answer' }, sum(sources, (s) => s.resolver.clientQueries));
      this.inc({ cache: 'resolver' }, sum(sources, (s) => Math.max(0, s.resolver.clientQueries - s.resolver.cacheAnswers)));
    },
  });
  new Counter({
    name: 'anchord_upstream_queries_total',
    help: 'Queries sent to authoritative servers and forwarders (TCP retries included).',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.resolver.upstreamQueries));
    },
  });
  new Counter({
    name: 'anchord_upstream_tcp_queries_total',
    help: 'Upstream queries sent over TCP (after a truncated UDP reply).',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.resolver.upstreamTcp));
    },
  });
  new Counter({
    name: 'anchord_upstream_timeouts_total',
    help: 'Upstream queries that timed out.',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.resolver.upstreamTimeouts));
    },
  });
  new Counter({
    name: 'anchord_upstream_errors_total',
    help: 'Upstream queries that failed otherwise (network error, malformed or mismatched reply).',
    registers,
    collect() {
      this.reset();
      this.inc(sum(sources, (s) => s.resolver.upstreamErrors));
    },
  });
  const verdicts = new Counter({
    name: 'anchord_validation_verdicts_total',
    help: 'DNSSEC validator verdicts, by status and RFC 8914 EDE code ("none" without one).',
    labelNames: ['status', 'ede'],
    registers,
  });
  const trips = new Counter({
    name: 'anchord_limit_trips_total',
    help: 'Work-limit trips: resolver limits (referrals, sub-queries, upstream queries, ...) and validator budgets, by limit.',
    labelNames: ['limit'],
    registers,
  });
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'anchord_' });

  const onVerdict = (message: unknown): void => {
    const m = message as { status?: unknown; ede?: unknown };
    const status = typeof m.status === 'string' ? m.status : 'unknown';
    const ede = typeof m.ede === 'number' ? `${m.ede}_${EDE_NAMES.get(m.ede) ?? 'UNKNOWN'}` : 'none';
    verdicts.inc({ status, ede });
  };
  const onTrip = (message: unknown): void => {
    const m = message as { budget?: unknown };
    trips.inc({ limit: typeof m.budget === 'string' ? m.budget : 'unknown' });
  };
  subscribe(Channel.validation, onVerdict);
  subscribe(Channel.budgetTrip, onTrip);

  return {
    registry,
    contentType: registry.contentType,
    addSource(source) {
      sources.push(source);
    },
    render: () => registry.metrics(),
    close() {
      unsubscribe(Channel.validation, onVerdict);
      unsubscribe(Channel.budgetTrip, onTrip);
    },
  };
}

/** In a node:cluster worker: answers the primary's metric requests with this worker's metrics. */
export function shareWithClusterPrimary(metrics: Metrics): void {
  // The constructor installs the worker's message listener (idempotent).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([metrics.registry]);
}

/** In the node:cluster primary: the workers' metrics, summed, per scrape. */
export function clusterMetricsRenderer(): () => Promise<{ body: string; contentType: string }> {
  const aggregator = new AggregatorRegistry();
  return async () => ({ body: await aggregator.clusterMetrics(), contentType: aggregator.contentType });
}
