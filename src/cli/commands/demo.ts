// `anchord demo` (`npm start`): the demo world of server/demo-world.ts in the foreground — a signed
// hierarchy with secure, insecure and broken zones served by anchord's authoritative server on
// loopback addresses, and anchord's validating resolver on 127.0.0.1:5300 trusting only the demo
// root key. Prints the dig commands to try and runs until SIGINT or SIGTERM. No network beyond
// loopback, no files outside the key folder.

import type { Argv } from 'yargs';
import { startDemoWorld, DEFAULT_DEMO_AUTH_BASE, DEFAULT_DEMO_AUTH_PORT, DEFAULT_DEMO_LISTEN, type DemoWorld } from '../../server/demo-world.js';
import { startLogSink } from '../../telemetry/log.js';
import { optNumber, optString, type Args } from '../args.js';
import type { CommandIO, CommandModule } from '../command.js';
import { untilStopSignal } from '../stop-signal.js';

export interface DemoDeps {
  /** Resolves when the demo should stop (default: SIGINT or SIGTERM). */
  readonly stopped: () => Promise<void>;
}

const defaultDeps: DemoDeps = {
  stopped: untilStopSignal,
};

/** Runs the demo until stopped; resolves to the exit code. */
export async function runDemo(args: Args, io: CommandIO, deps: DemoDeps = defaultDeps): Promise<number> {
  const stopLog = startLogSink({
    level: 'warn',
    format: 'text',
    write: (line) => {
      io.err(line);
    },
    now: () => new Date(),
  });
  let world: DemoWorld | undefined;
  try {
    const listen = optString(args, 'listen');
    const authBase = optString(args, 'auth-base');
    const authPort = optNumber(args, 'auth-port');
    const keyDir = optString(args, 'dir');
    io.out('anchord demo: signing the demo zones...');
    world = await startDemoWorld({
      ...(listen === undefined ? {} : { listen }),
      ...(authBase === undefined ? {} : { authBase }),
      ...(authPort === undefined ? {} : { authPort }),
      ...(keyDir === undefined ? {} : { keyDir }),
    });
    for (const line of world.instructions()) io.out(line);
    await deps.stopped();
    io.out('anchord demo: stopping');
    return 0;
  } finally {
    await world?.close();
    stopLog();
  }
}

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'sign and serve a demo DNSSEC hierarchy on loopback, with the validating resolver in front (npm start)',
  builder: (y: Argv) =>
    y
      .option('listen', { type: 'string', describe: `resolver ADDRESS:PORT, UDP and TCP (default ${DEFAULT_DEMO_LISTEN})` })
      .option('auth-base', { type: 'string', describe: `first three octets of the authoritative servers' loopback addresses (default ${DEFAULT_DEMO_AUTH_BASE}: .1 root, .2 TLDs, .3 the rest)` })
      .option('auth-port', { type: 'number', describe: `port of the authoritative servers (default ${DEFAULT_DEMO_AUTH_PORT}; 0: a free one)` })
      .option('dir', { type: 'string', describe: 'key folder, reused across runs (default <tmpdir>/anchord-demo-<user>)' }),
  run: (args, io) => runDemo(args, io),
};
