// Composition root of the validating resolver service: builds the caches, the crypto backend,
// the upstream transport and the resolver from normalised settings, and puts the front end
// (resolver-frontend.ts) behind UDP and TCP listeners. Everything that decides lives in the pure
// modules; this file only wires them to the real clock, randomness and sockets.

import { AnswerCache } from '../cache/answer-cache.js';
import type { Clock } from '../core/clock.js';
import { publishLog } from '../core/diagnostics.js';
import type { Random } from '../core/random.js';
import { createVerifyBackend } from '../crypto/verify-pool.js';
import type { TrustPoint } from '../dnssec/key-validator.js';
import { createResolverCaches, Resolver } from '../resolver/resolver.js';
import type { ResolverOptionsInit } from '../resolver/options.js';
import { compileAcl, DEFAULT_ACL_RULES, type AclRule } from '../transport/acl.js';
import type { BoundAddress } from '../transport/udp-listener.js';
import { TcpListener } from '../transport/tcp-listener.js';
import { UdpListener, type UdpIo } from '../transport/udp-listener.js';
import { UpstreamClient } from '../transport/upstream-client.js';
import { startMetricsListener, type MetricsListener } from '../transport/metrics-listener.js';
import { createMetrics, shareWithClusterPrimary, type Metrics } from '../telemetry/metrics.js';
import type { ResourceRecord } from '../wire/record.js';
import { ResolverFrontend } from './resolver-frontend.js';
import { CryptoRandom, systemClock } from './system.js';

export interface ResolverServiceSettings {
  /** `host:port` listen addresses (UDP and TCP on each). */
  readonly listen: readonly string[];
  readonly acl?: readonly AclRule[] | undefined;
  readonly rootHints: readonly ResourceRecord[];
  readonly trustAnchors: readonly TrustPoint[];
  /** Everything else the resolver takes (limits, QNAME minimisation, 0x20, IPv6...). */
  readonly resolver?: Omit<ResolverOptionsInit, 'rootHints' | 'trustAnchors'> | undefined;
  /** Bytes for ready-to-send answers; 0 turns the answer cache off. */
  readonly answerCacheBytes?: number | undefined;
  readonly maxConcurrentQueries?: number | undefined;
  readonly tcpIdleTimeoutMs?: number | undefined;
  readonly maxTcpConnections?: number | undefined;
  /** Config `server: udp-io` (transport/udp-listener.ts): 'native' (default) or 'dgram'. */
  readonly udpIo?: UdpIo | undefined;
  /** Source addresses for upstream queries (default loopback, as the tests and demo need). */
  readonly outgoing4?: string | undefined;
  readonly outgoing6?: string | undefined;
  readonly servfailTtl?: number | undefined;
  /** Config `crypto.workers` (crypto/verify-pool.ts createVerifyBackend): 0 inline, N worker threads. */
  readonly cryptoWorkers?: number | undefined;
  /** Tags of the trusted root keys for the RFC 8509 sentinel (trust-anchor-manager.ts); absent: off. */
  readonly rootKeyTags?: (() => readonly number[]) | undefined;
  /**
   * Prometheus `/metrics` over HTTP (src/telemetry/metrics.ts): `host:port`, or a bare port on
   * loopback; absent: off (the default).
   */
  readonly metricsListen?: string | undefined;
  /** A node:cluster worker: keep metrics and hand them to the primary, which serves them. */
  readonly metricsToClusterPrimary?: boolean | undefined;
}

export interface ResolverService {
  readonly addresses: readonly BoundAddress[];
  readonly resolver: Resolver;
  readonly frontend: ResolverFrontend;
  readonly upstream: UpstreamClient;
  /** Where `/metrics` is served, when on. */
  readonly metrics?: { readonly address: string; readonly port: number } | undefined;
  close(graceMs?: number): Promise<void>;
}

export interface ServiceDeps {
  readonly clock?: Clock;
  readonly random?: Random;
}

export async function startResolverService(settings: ResolverServiceSettings, deps: ServiceDeps = {}): Promise<ResolverService> {
  const clock = deps.clock ?? systemClock;
  const random = deps.random ?? new CryptoRandom();
  const upstream = new UpstreamClient({
    ...(settings.outgoing4 === undefined ? {} : { localAddress4: settings.outgoing4 }),
    ...(settings.outgoing6 === undefined ? {} : { localAddress6: settings.outgoing6 }),
    tcpOnTruncation: false,
  });
  const crypto = createVerifyBackend({ workers: settings.cryptoWorkers });
  const resolver = new Resolver({
    transport: upstream,
    clock,
    random,
    crypto,
    caches: createResolverCaches(clock, random),
    options: { ...settings.resolver, rootHints: settings.rootHints, trustAnchors: settings.trustAnchors },
  });
  const answerBytes = settings.answerCacheBytes ?? 64 * 1024 * 1024;
  // A secret hash seed: clients cannot choose names that pile onto one slot of the table.
  const answers = answerBytes > 0 ? new AnswerCache({ maxBytes: answerBytes, hashSeed: (random.u16() << 16) | random.u16() }) : undefined;
  const acl = compileAcl(settings.acl ?? DEFAULT_ACL_RULES);
  const frontend = new ResolverFrontend(resolver, answers, clock, {
    acl,
    maxConcurrent: settings.maxConcurrentQueries ?? 10_000,
    udpSize: settings.resolver?.ednsBufferSize ?? 1232,
    servfailTtl: settings.servfailTtl ?? 5,
    rootKeyTags: settings.rootKeyTags,
    clockPerTurn: true,
  });
  const onError = (error: unknown, context: string): void => {
    publishLog({ level: 'warn', msg: `listener: ${context}`, error: error instanceof Error ? error.message : String(error) });
  };
  const udp = new UdpListener({
    addresses: settings.listen,
    handler: frontend.handle,
    datagramHandler: frontend.handleDatagram,
    onError,
    receiveBufferSize: 4 * 1024 * 1024,
    sendBufferSize: 4 * 1024 * 1024,
    io: settings.udpIo,
  });
  publishLog({ level: 'info', msg: `udp listener: ${udp.io === 'native' ? 'native batched endpoint (recvmmsg/sendmmsg)' : `node:dgram (${udp.ioReason})`}` });
  const tcp = new TcpListener({
    addresses: settings.listen,
    handler: frontend.handle,
    onError,
    ...(settings.tcpIdleTimeoutMs === undefined ? {} : { idleTimeoutMs: settings.tcpIdleTimeoutMs }),
    ...(settings.maxTcpConnections === undefined ? {} : { maxConnections: settings.maxTcpConnections }),
  });
  await udp.start();
  try {
    await tcp.start();
  } catch (e) {
    await udp.close();
    throw e;
  }
  let metrics: Metrics | undefined;
  let metricsListener: MetricsListener | undefined;
  if (settings.metricsToClusterPrimary === true) {
    metrics = createMetrics();
    metrics.addSource({ frontend: frontend.stats, resolver: resolver.stats });
    shareWithClusterPrimary(metrics);
  } else if (settings.metricsListen !== undefined) {
    const m = (metrics = createMetrics());
    m.addSource({ frontend: frontend.stats, resolver: resolver.stats });
    try {
      metricsListener = await startMetricsListener({
        listen: settings.metricsListen,
        render: async () => ({ body: await m.render(), contentType: m.contentType }),
        onError: (error) => { onError(error, 'metrics'); },
      });
    } catch (e) {
      m.close();
      await Promise.all([udp.close(), tcp.close()]);
      throw e;
    }
  }
  return {
    addresses: [...udp.addresses, ...tcp.addresses],
    resolver,
    frontend,
    upstream,
    metrics: metricsListener === undefined ? undefined : { address: metricsListener.address, port: metricsListener.port },
    async close(graceMs?: number) {
      const opts = graceMs === undefined ? {} : { graceMs };
      await Promise.all([udp.close(opts), tcp.close(opts), metricsListener?.close()]);
      metrics?.close();
      await crypto.close();
    },
  };
}
