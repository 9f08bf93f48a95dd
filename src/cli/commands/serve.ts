// `anchord serve`: the validating resolver. Flags give what refworld and operators need without a
// config file (`--listen` repeatable, `--root-hints`, `--trust-anchor-file`, `--threads`);
// everything else comes from the YAML config (`--config`). Flags override the file.
//
// Built-in defaults: the root hints and root trust anchors shipped in trust-anchors/ (IANA's
// named.root and the root KSK DS records).

import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { parseAnchordConfig, type AnchordConfig } from '../../config/anchord-config.js';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { publishLog } from '../../core/diagnostics.js';
import { readRootHints, readTrustAnchorFile, trustPointsFromRecords } from '../../server/anchor-files.js';
import { startResolverService, type ResolverServiceSettings } from '../../server/resolver-service.js';
import { CryptoRandom, systemClock } from '../../server/system.js';
import { prepareTrustAnchors, type PreparedTrustAnchors } from '../../server/trust-anchor-manager.js';
import { createNodeBackend } from '../../crypto/node-backend.js';
import { startLogSink } from '../../telemetry/log.js';
import { clusterMetricsRenderer } from '../../telemetry/metrics.js';
import { startMetricsListener } from '../../transport/metrics-listener.js';
import type { AclRule } from '../../transport/acl.js';
import { parseZoneText } from '../../zone/parser.js';
import { Name } from '../../wire/name.js';
import type { TrustPoint } from '../../dnssec/key-validator.js';
import { optNumber, optString, optStrings, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { untilStopSignal } from '../stop-signal.js';

/** The package's trust-anchors/ folder (dist/cli/commands → ../../../trust-anchors). */
export function builtinAnchorDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'trust-anchors');
}

function loadConfig(path: string | undefined): { config: AnchordConfig; base: string } {
  if (path === undefined) return { config: parseAnchordConfig('{}', '(defaults)'), base: process.cwd() };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnchordError(ErrorCode.Config, `cannot read ${path}: ${(e as Error).message}`);
  }
  return { config: parseAnchordConfig(text, path), base: dirname(resolve(path)) };
}

function inlineAnchors(lines: readonly string[]): TrustPoint[] {
  if (lines.length === 0) return [];
  const parsed = parseZoneText(lines.join('\n') + '\n', { file: 'trust-anchor', origin: Name.ROOT, defaultTtl: 3600 });
  return trustPointsFromRecords(parsed.records, 'trust-anchor');
}

/** Turns the normalised config plus command-line overrides into service settings. */
export function serviceSettings(args: Args, config: AnchordConfig, base: string): ResolverServiceSettings {
  return serviceSetup(args, config, base).settings;
}

/** Service settings and the trust anchors (static and RFC 5011-managed, issue 7) to start with them. */
export function serviceSetup(args: Args, config: AnchordConfig, base: string): { settings: ResolverServiceSettings; anchors: PreparedTrustAnchors } {
  const at = (p: string): string => (isAbsolute(p) ? p : resolve(base, p));
  const listen = optStrings(args, 'listen');
  const hintsFile = optString(args, 'root-hints') ?? (config.resolver['root-hints'] === undefined ? undefined : at(config.resolver['root-hints']));
  const anchorFiles = optStrings(args, 'trust-anchor-file');
  const configAnchorFiles = (config.resolver['trust-anchor-file'] ?? []).map(at);
  const files = anchorFiles.length > 0 ? anchorFiles : configAnchorFiles;
  let trustAnchors = [...files.flatMap((f) => readTrustAnchorFile(f)), ...inlineAnchors(config.resolver['trust-anchor'] ?? [])];
  const bindStyle = (config.resolver['trust-anchors']?.length ?? 0) + (config.resolver['trust-anchors-file']?.length ?? 0) > 0;
  if (trustAnchors.length === 0 && !bindStyle) trustAnchors = readTrustAnchorFile(join(builtinAnchorDir(), 'root.ds'));
  const anchors = prepareTrustAnchors(config.resolver, at, trustAnchors);
  const rootHints = readRootHints(hintsFile ?? join(builtinAnchorDir(), 'root.hints'));
  const acl: AclRule[] | undefined = config.server['access-control']?.map((r) => ({ netblock: r.netblock, action: r.action }));
  const lim = config.resolver.limits;
  const limits = lim === undefined ? undefined : {
    ...(lim['max-referrals'] === undefined ? {} : { maxReferrals: lim['max-referrals'] }),
    ...(lim['max-sub-queries'] === undefined ? {} : { maxSubQueries: lim['max-sub-queries'] }),
    ...(lim['max-ns-names-per-delegation'] === undefined ? {} : { maxNsNamesPerDelegation: lim['max-ns-names-per-delegation'] }),
    ...(lim['max-cname-chain'] === undefined ? {} : { maxCnameChain: lim['max-cname-chain'] }),
    ...(lim['max-upstream-queries'] === undefined ? {} : { maxUpstreamQueries: lim['max-upstream-queries'] }),
    ...(lim['max-depth'] === undefined ? {} : { maxDepth: lim['max-depth'] }),
    ...(lim['query-timeout'] === undefined ? {} : { wallTimeMs: lim['query-timeout'] }),
  };
  const iterations = config.resolver['nsec3-max-iterations'];
  const forwardZones = config.resolver['forward-zones'].map((z) => ({
    zone: Name.parse(z.name.endsWith('.') ? z.name : `${z.name}.`),
    servers: z['forward-addr'].map((text) => {
      const at = text.lastIndexOf('@');
      return at < 0 ? { address: text } : { address: text.slice(0, at), port: Number(text.slice(at + 1)) };
    }),
    first: z['forward-first'],
  }));
  const settings: ResolverServiceSettings = {
    listen: listen.length > 0 ? listen : config.server.listen,
    acl,
    rootHints,
    trustAnchors: anchors.anchors,
    rootKeyTags: anchors.rootKeyTags,
    resolver: {
      qnameMinimisation: config.resolver['qname-minimisation'],
      qnameMinimisationHideQtype: config.resolver['qname-minimisation-hide-qtype'],
      qnameMinimisationQtype: config.resolver['qname-minimisation-qtype'],
      use0x20: config.resolver['use-caps-for-id'],
      minimalResponses: config.resolver['minimal-responses'],
      negativeAuthorityNs: config.resolver['negative-authority-ns'],
      ipv6: config.resolver['do-ip6'],
      ednsBufferSize: config.resolver['edns-buffer-size'],
      ednsKeyTag: config.resolver['edns-key-tag'],
      hardenGlue: config.resolver['harden-glue'],
      hardenUnverifiedGlue: config.resolver['harden-unverified-glue'],
      maxNsRecords: config.resolver['iter-scrub-ns'],
      limits,
      forwardZones,
      validator: {
        ...(iterations === undefined ? {} : { nsec3: { maxIterations: iterations } }),
        hardenAlgoDowngrade: config.resolver['harden-algo-downgrade'],
      },
    },
    answerCacheBytes: config.cache['answer-cache-size'],
    servfailTtl: config.cache['servfail-ttl'],
    maxConcurrentQueries: config.server['max-concurrent-queries'],
    tcpIdleTimeoutMs: config.server['tcp-idle-timeout'],
    maxTcpConnections: config.server['max-tcp-connections'],
    udpIo: config.server['udp-io'],
    outgoing4: config.server['outgoing-interface-v4'],
    outgoing6: config.server['outgoing-interface-v6'],
    cryptoWorkers: config.crypto.workers,
    metricsListen: optString(args, 'metrics') ?? config.metrics.listen,
  };
  return { settings, anchors };
}

async function run(args: Args, io: CommandIO): Promise<number> {
  const { config, base } = loadConfig(optString(args, 'config'));
  const threads = optNumber(args, 'threads') ?? config.server.threads;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new AnchordError(ErrorCode.Usage, '--threads takes 1..256');
  const stopLog = startLogSink({
    level: config.logging.level,
    format: config.logging.format,
    write: (line) => {
      io.err(line);
    },
    now: () => new Date(),
  });
  const { settings, anchors } = serviceSetup(args, config, base);
  // Several threads: node:cluster workers, each a full resolver with its own caches. TCP sockets
  // are shared through the primary (cluster shares the handle); UDP is a native endpoint per worker
  // in one SO_REUSEPORT group, or the primary's shared dgram socket (transport/udp-listener.ts).
  if (threads > 1 && cluster.isPrimary) {
    for (let i = 0; i < threads; i++) cluster.fork();
    // The primary serves /metrics: the workers' counters, summed (telemetry/metrics.ts).
    const metrics =
      settings.metricsListen === undefined ? undefined : await startMetricsListener({ listen: settings.metricsListen, render: clusterMetricsRenderer() });
    io.out(`anchord: resolver with ${threads} workers on ${settings.listen.join(' ')}${metrics === undefined ? '' : `, metrics on ${metrics.address}:${metrics.port}`}`);
    await untilStopSignal();
    // The signal itself, straight to each worker, which closes gracefully and exits:
    // Worker.kill() first waits for a cluster disconnect that never completes while the
    // worker still holds the shared sockets, so the signal never came and nothing exited.
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    await metrics?.close();
    stopLog();
    return 0;
  }
  const service = await startResolverService(
    cluster.isWorker && settings.metricsListen !== undefined ? { ...settings, metricsListen: undefined, metricsToClusterPrimary: true } : settings,
  );
  // RFC 5011 for initial-key / initial-ds anchors (each worker keeps its own; they share the state file).
  const manager = anchors.start(service.resolver, { clock: systemClock, verifier: createNodeBackend(), random: new CryptoRandom() });
  const where = service.addresses.map((a) => `${a.transport}/${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`).join(' ');
  publishLog({ level: 'info', msg: 'resolver listening', addresses: where, anchors: settings.trustAnchors.map((t) => t.zone.toString()).join(' ') });
  if (!cluster.isWorker) io.out(`anchord: validating resolver on ${where}`);
  await untilStopSignal();
  manager?.stop();
  await service.close(2000);
  stopLog();
  // A cluster worker also lets go of its channel to the primary, the last thing keeping it alive.
  if (cluster.isWorker) cluster.worker?.disconnect();
  return 0;
}

export const serveCommand: CommandModule = {
  command: 'serve',
  describe: 'run the validating, caching resolver',
  builder: (y: Argv) =>
    y
      .option('listen', { type: 'string', array: true, describe: 'host:port to answer on, UDP and TCP (repeatable)' })
      .option('root-hints', { type: 'string', describe: 'root hints file (named.root format)' })
      .option('trust-anchor-file', { type: 'string', array: true, describe: 'DS or DNSKEY records in zone-file form' })
      .option('threads', { type: 'number', describe: 'worker processes sharing the sockets' })
      .option('config', { type: 'string', describe: 'YAML configuration file' })
      .option('metrics', { type: 'string', describe: 'serve Prometheus /metrics on ADDR:PORT (a bare PORT: loopback only)' }),
  run,
};
