// The two real peers of the interop test: NSD serving the signed hierarchy (one process per tier)
// and Unbound validating against it. Both run in the foreground (-d) in their own process groups
// (peer-process.ts), with every path in the run's temp directory.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RRType, Rcode } from '../../../src/wire/constants.js';
import { Name } from '../../../src/wire/name.js';
import { queryServer } from './dns-client.js';
import { findTool, portIsFree, startDaemon, type Daemon } from './peer-process.js';
import { TIERS, type Tier } from './signed-hierarchy.js';

function tail(path: string, lines = 30): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Waits until `address:port` answers `name type` with any rcode in `ok`, or throws with `why()`. */
async function waitAnswering(
  daemon: Daemon,
  address: string,
  port: number,
  name: string,
  type: number,
  ok: readonly number[],
  why: () => string,
  rd = false,
): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (daemon.exited()) throw new Error(`${daemon.name} exited early:\n${daemon.output()}\n${why()}`);
    try {
      const r = await queryServer({ address, port }, Name.parse(name), type, { rd, do: false, timeoutMs: 500, tries: 1 });
      if (ok.includes(r.message.rcode)) return;
      last = `rcode ${r.message.rcode}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${daemon.name} did not answer ${name} on ${address}:${port} (${last}):\n${daemon.output()}\n${why()}`);
}

/** Starts one NSD per tier; fails if an address's port 53 is taken. */
export async function startNsd(
  dir: string,
  confs: Readonly<Record<Tier, string>>,
  tiers: Readonly<Record<Tier, readonly string[]>>,
  started: Daemon[],
): Promise<void> {
  const nsd = findTool('nsd', 'nsd');
  for (const tier of TIERS) {
    for (const a of tiers[tier]) {
      if (!(await portIsFree(a, 53))) throw new Error(`${a}:53 is already in use; another test or bench holds 127.61.x.x`);
    }
  }
  const probes: Record<Tier, string> = { root: '.', tld: 'test.', sld: 'ecdsa-nsec.test.', deep: 'sub.ecdsa-nsec.test.' };
  for (const tier of TIERS) {
    const d = startDaemon(`nsd-${tier}`, nsd, ['-d', '-c', confs[tier]], dir);
    started.push(d);
    for (const a of tiers[tier]) {
      await waitAnswering(d, a, 53, probes[tier], RRType.SOA, [Rcode.NOERROR], () => tail(join(dir, 'run', `nsd-${tier}`, 'nsd.log')));
    }
  }
}

export interface UnboundSettings {
  readonly dir: string;
  readonly address: string;
  readonly port: number;
  readonly rootHintsFile: string;
  readonly trustAnchorFile: string;
  readonly localZonesToUnblock: readonly string[];
}

/** Writes unbound.conf and starts `unbound -d`; resolves once it answers the root SOA. */
export async function startUnbound(s: UnboundSettings, started: Daemon[]): Promise<{ daemon: Daemon; logFile: string }> {
  const unbound = findTool('unbound', 'unbound');
  const d = join(s.dir, 'run', 'unbound');
  mkdirSync(d, { recursive: true });
  const logFile = join(d, 'unbound.log');
  const conf = [
    'server:',
    `  interface: ${s.address}@${s.port}`,
    '  access-control: 127.0.0.0/8 allow',
    '  num-threads: 1',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${d}"`,
    `  pidfile: "${d}/unbound.pid"`,
    `  logfile: "${logFile}"`,
    '  use-syslog: no',
    '  verbosity: 1',
    '  val-log-level: 2',
    '  ede: yes',
    '  do-ip6: no',
    '  do-not-query-localhost: no',
    '  module-config: "validator iterator"',
    '  qname-minimisation: yes',
    '  harden-glue: yes',
    '  aggressive-nsec: yes',
    ...s.localZonesToUnblock.map((z) => `  local-zone: "${z}" nodefault`),
    `  root-hints: "${s.rootHintsFile}"`,
    `  trust-anchor-file: "${s.trustAnchorFile}"`,
    'remote-control:',
    '  control-enable: no',
  ];
  const confFile = join(d, 'unbound.conf');
  writeFileSync(confFile, `${conf.join('\n')}\n`);
  const daemon = startDaemon('unbound', unbound, ['-d', '-c', confFile], s.dir);
  started.push(daemon);
  await waitAnswering(daemon, s.address, s.port, '.', RRType.SOA, [Rcode.NOERROR], () => tail(logFile), true);
  return { daemon, logFile };
}
