// `anchord serve-auth`: an authoritative DNS server for zone files (auth/auth-server.ts), on the
// UDP and TCP listeners of src/transport. Zones are served from signed zone files as they are, or
// signed at load time with the keys in a directory (auth/signer.ts, smart signing as signzone -S).
// SIGHUP reloads every zone file (a zone that fails to load keeps serving its old data);
// SIGINT/SIGTERM stop the listeners and exit.
//
//   anchord serve-auth --zone example.=example.zone.signed --listen 127.0.0.1:5300
//   anchord serve-auth --zone example.zone --keys keys/ --nsec3-salt - --listen 127.0.0.1:5300
//
// Every listen address gets UDP and TCP on the same port (port 0: a free one, printed).

import type { Argv } from 'yargs';
import { AnchordError, ErrorCode } from '../../core/errors.js';
import { AuthZone } from '../../auth/auth-zone.js';
import { AuthZoneSet, createAuthServer, type AuthServer, type AuthServerOptions } from '../../auth/auth-server.js';
import { signZone, type DenialOptions } from '../../auth/signer.js';
import { createNodeBackend } from '../../crypto/node-backend.js';
import { RRType, rcodeToString } from '../../wire/constants.js';
import { Name } from '../../wire/name.js';
import { hexToBytes } from '../../wire/rdata-text.js';
import { formatHostPort, parseHostPort } from '../../transport/address.js';
import { TcpListener } from '../../transport/tcp-listener.js';
import { UdpListener } from '../../transport/udp-listener.js';
import { flag, optNumber, optString, optStrings, zoneName, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { readZoneKeys, signingKeyFromPair } from '../key-files.js';
import { untilStopSignal } from '../stop-signal.js';
import { loadZoneFile } from './signzone.js';

/** One zone to serve: `[origin=]file`. */
export interface ZoneSpec {
  readonly origin: Name | undefined;
  readonly file: string;
}

export function parseZoneSpec(text: string): ZoneSpec {
  const eq = text.indexOf('=');
  if (eq > 0) return { origin: zoneName(text.slice(0, eq)), file: text.slice(eq + 1) };
  return { origin: undefined, file: text };
}

export interface LoadOptions {
  /** Sign unsigned zones at load with the keys of the zone in this directory. */
  readonly keyDir?: string;
  readonly denial?: DenialOptions;
  readonly now: number;
  readonly io: CommandIO;
}

/**
 * Loads a zone file for serving. A zone without DNSKEY at its apex is signed with the keys in
 * `keyDir` when that is given (smart signing: the keys' timing decides), otherwise served unsigned.
 */
export async function loadAuthZone(spec: ZoneSpec, options: LoadOptions): Promise<AuthZone> {
  const { zone, records } = loadZoneFile(spec.file, spec.origin, options.io);
  const signed = zone.rrset(zone.origin, RRType.DNSKEY) !== undefined;
  if (signed || options.keyDir === undefined) return AuthZone.fromRecords(zone.origin, records, zone.class);
  const keys = readZoneKeys(options.keyDir, zone.origin).map((p) => signingKeyFromPair(p));
  if (keys.length === 0) throw new AnchordError(ErrorCode.KeyFile, `no keys for ${zone.origin.toString()} in ${options.keyDir}`);
  const ksks = keys.filter((k) => (k.dnskey[1]! & 1) === 1).length;
  const result = await signZone(zone, keys, {
    now: options.now,
    denial: options.denial ?? { type: 'nsec' },
    verifier: createNodeBackend(),
    // One key, or KSKs only: a CSK.
    ignoreKskFlag: ksks === keys.length,
  });
  return AuthZone.fromRecords(zone.origin, result.records(), zone.class);
}

/** Running listeners for an AuthServer. */
export interface AuthListeners {
  readonly udp: UdpListener;
  readonly tcp: TcpListener;
  /** `udp 127.0.0.1:5300`, `tcp 127.0.0.1:5300`... */
  readonly bound: readonly string[];
  close(): Promise<void>;
}

/**
 * Starts UDP and TCP on every address (TCP on the port UDP got, so port 0 gives one free port
 * for both). Loopback or any address the caller chose; nothing is opened by default.
 */
export async function startAuthListeners(server: AuthServer, addresses: readonly string[], onError?: (e: unknown, context: string) => void): Promise<AuthListeners> {
  const udp = new UdpListener({
    addresses,
    handler: (req, client) => server.handle(req, client),
    ...(onError === undefined ? {} : { onError }),
  });
  await udp.start();
  const tcpAddresses = udp.addresses.map((a) => formatHostPort(a));
  const tcp = new TcpListener({
    addresses: tcpAddresses,
    handler: (req, client) => server.handle(req, client),
    ...(onError === undefined ? {} : { onError }),
  });
  try {
    await tcp.start();
  } catch (e) {
    await udp.close({ graceMs: 0 });
    throw e;
  }
  const bound = [...udp.addresses.map((a) => `udp ${formatHostPort(a)}`), ...tcp.addresses.map((a) => `tcp ${formatHostPort(a)}`)];
  return {
    udp,
    tcp,
    bound,
    close: async () => {
      await Promise.all([udp.close(), tcp.close()]);
    },
  };
}

export interface ServeAuthDeps {
  readonly now: () => number;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  readonly stopped: () => Promise<void>;
  /** Registers a reload trigger (default: SIGHUP). Returns an unregister function. */
  readonly onReload: (reload: () => void) => () => void;
}

const defaultDeps: ServeAuthDeps = {
  now: () => Math.floor(Date.now() / 1000),
  stopped: untilStopSignal,
  onReload: (reload) => {
    process.on('SIGHUP', reload);
    return () => process.off('SIGHUP', reload);
  },
};

/** Runs serve-auth until stopped; resolves to the exit code. */
export async function runServeAuth(args: Args, io: CommandIO, deps: ServeAuthDeps = defaultDeps): Promise<number> {
  const specs = optStrings(args, 'zone').map(parseZoneSpec);
  if (specs.length === 0) throw new AnchordError(ErrorCode.Usage, 'give at least one --zone [ORIGIN=]FILE');
  const listen = optStrings(args, 'listen');
  if (listen.length === 0) listen.push('127.0.0.1:5300');
  for (const a of listen) {
    if (parseHostPort(a) === undefined) throw new AnchordError(ErrorCode.Usage, `--listen ${a}: expected ADDRESS:PORT or [IPv6]:PORT`);
  }
  const keyDir = optString(args, 'keys');
  const saltText = optString(args, 'nsec3-salt');
  const denial: DenialOptions =
    saltText === undefined
      ? { type: 'nsec' }
      : { type: 'nsec3', salt: saltText === '-' ? new Uint8Array(0) : hexToBytes(saltText), iterations: optNumber(args, 'H') ?? 0, optOut: flag(args, 'A') };
  const load = (spec: ZoneSpec): Promise<AuthZone> => loadAuthZone(spec, { now: deps.now(), denial, io, ...(keyDir === undefined ? {} : { keyDir }) });

  const zones = new AuthZoneSet();
  for (const spec of specs) {
    const z = await load(spec);
    if (zones.get(z.origin) !== undefined) throw new AnchordError(ErrorCode.Usage, `zone ${z.origin.toString()} given twice`);
    zones.set(z);
    io.out(`zone ${z.origin.toString()} loaded from ${spec.file}${z.signed ? ' (signed)' : ''}`);
  }
  const verbose = flag(args, 'v');
  const options: AuthServerOptions = {
    udpSize: optNumber(args, 'udp-size') ?? 1232,
    ...(verbose
      ? {
          onQuery: (e) => {
            io.out(`${e.client.transport} ${e.client.address ?? '-'} ${e.kind} ${rcodeToString(e.rcode)} ${e.zone?.toString() ?? '-'} ${e.size}${e.truncated ? ' TC' : ''}`);
          },
        }
      : {}),
  };
  const server = createAuthServer(zones, options);
  const listeners = await startAuthListeners(server, listen, (e, context) => {
    io.err(`anchord serve-auth: ${context}: ${(e as Error).message}`);
  });
  for (const b of listeners.bound) io.out(`listening on ${b}`);

  const reload = (): void => {
    void (async () => {
      for (const spec of specs) {
        try {
          const z = await load(spec);
          zones.set(z);
          io.out(`zone ${z.origin.toString()} reloaded from ${spec.file}`);
        } catch (error) {
          io.err(`anchord serve-auth: reload of ${spec.file} failed, old data kept: ${(error as Error).message}`);
        }
      }
    })();
  };
  const unregister = deps.onReload(reload);
  await deps.stopped();
  unregister();
  await listeners.close();
  return 0;
}

export const serveAuthCommand: CommandModule = {
  command: 'serve-auth',
  describe: 'serve zone files authoritatively over UDP and TCP (signed files, or signed at load with --keys)',
  builder: (y: Argv) =>
    y
      .option('zone', { type: 'string', describe: 'zone file to serve, [ORIGIN=]FILE (may repeat)' })
      .option('listen', { type: 'string', describe: 'ADDRESS:PORT for UDP and TCP (may repeat; default 127.0.0.1:5300)' })
      .option('keys', { type: 'string', describe: 'sign unsigned zones at load with the keys in this directory' })
      .option('nsec3-salt', { type: 'string', describe: 'with --keys: NSEC3 with this hex salt (- for none) instead of NSEC' })
      .option('H', { type: 'number', describe: 'with --nsec3-salt: additional iterations (default 0)' })
      .option('A', { type: 'boolean', default: false, describe: 'with --nsec3-salt: opt-out' })
      .option('udp-size', { type: 'number', describe: 'our EDNS UDP payload size (default 1232)' })
      .option('v', { type: 'boolean', default: false, describe: 'log every query' }),
  run: (args, io) => runServeAuth(args, io),
};
