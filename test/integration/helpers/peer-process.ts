// Running the real peers (NSD, Unbound, BIND's tools) from an integration test: finding the
// programs (a missing one fails the test with the package to install, never skips it), checking
// that a loopback address and port are free, and starting daemons in their own process groups so
// that one group kill ends a daemon and every child it forked.
//
// Every daemon's group is also written to a PID registry file in os.tmpdir(), with the PID of the
// test process that started it. A test run that was killed before its after() hook leaves daemons
// behind; the next run reads the registry and ends exactly those groups whose owning test process
// is gone and whose leader still runs with a command line naming that run's own temp directory
// (so a recycled PID is never killed, nor a concurrent run's daemon).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/** Where a program lives, or a message naming the Debian package that provides it. */
export function findTool(command: string, debianPackage: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin']) {
    const p = join(dir, command);
    if (existsSync(p)) return p;
  }
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status === 0 && found !== '') return found;
  throw new Error(
    `${command} not found: install the Debian package ${debianPackage} (\`npm run test:setup\` does it); this test needs the real peer`,
  );
}

/** Runs a program to completion; throws with its stderr when it fails. */
export function run(program: string, args: readonly string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(program, args, { encoding: 'utf8', cwd: opts.cwd, timeout: 120_000 });
  if (r.error !== undefined) throw new Error(`${program} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`${program} ${args.join(' ')} exited ${String(r.status)}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

/** Runs a program without blocking the event loop (so in-process servers keep answering). */
export function runAsync(program: string, args: readonly string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    child.on('error', (e) => reject(new Error(`${program}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${program} ${args.join(' ')} exited ${String(code)}: ${err.trim() || out.trim()}`));
    });
  });
}

/** Resolves true when nothing listens on address:port over UDP and TCP (binding both briefly). */
export async function portIsFree(address: string, port: number): Promise<boolean> {
  const udpFree = await new Promise<boolean>((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, address, () => s.close(() => resolve(true)));
  });
  if (!udpFree) return false;
  return new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, address, () => srv.close(() => resolve(true)));
  });
}

/** The first port from `candidates` free on every address, or an error naming what was tried. */
export async function pickFreePort(addresses: readonly string[], candidates: readonly number[]): Promise<number> {
  for (const port of candidates) {
    let ok = true;
    for (const a of addresses) {
      if (!(await portIsFree(a, port))) {
        ok = false;
        break;
      }
    }
    if (ok) return port;
  }
  throw new Error(`no free port among ${candidates.join(',')} on ${addresses.join(', ')}`);
}

const REGISTRY = join(tmpdir(), 'anchord-integration-peers.pids');

function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Ends daemons a previous, killed run left behind: groups recorded in the registry whose owning
 * test process is gone and whose leader still runs with that run's unique temp directory on its
 * command line. Daemons of another run still in progress are left alone.
 */
export function reapLeftovers(): string[] {
  if (!existsSync(REGISTRY)) return [];
  const reaped: string[] = [];
  const keep: string[] = [];
  for (const line of readFileSync(REGISTRY, 'utf8').split('\n')) {
    const m = /^(\d+)\t(\S+)\t(\d+)\t(.*)$/.exec(line);
    if (m === null) continue;
    const pgid = Number(m[1]);
    const marker = m[2]!;
    const owner = Number(m[3]);
    const cmd = cmdlineOf(pgid);
    if (cmd === undefined || !cmd.includes(marker)) continue;
    if (cmdlineOf(owner) !== undefined) {
      keep.push(line);
      continue;
    }
    killGroup(pgid, 'SIGKILL');
    reaped.push(`${pgid} ${m[4] ?? ''}`);
    // The dead run's temp directory, when it is one of ours.
    if (dirname(marker) === tmpdir() && basename(marker).startsWith('anchord-')) rmSync(marker, { recursive: true, force: true });
  }
  writeFileSync(REGISTRY, keep.map((l) => `${l}\n`).join(''));
  return reaped;
}

export interface Daemon {
  readonly name: string;
  readonly pid: number;
  /** Output collected from stdout and stderr (bounded). */
  output(): string;
  exited(): boolean;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running program in its own process group. `marker` must be a path unique to this
 * run (the temp directory) that appears in `args`, so a leftover can be recognised later.
 */
export function startDaemon(name: string, program: string, args: readonly string[], marker: string): Daemon {
  if (!args.some((a) => a.includes(marker))) throw new Error(`startDaemon(${name}): the marker must appear in the arguments`);
  const child: ChildProcess = spawn(program, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name}: could not start ${program}`);
  appendFileSync(REGISTRY, `${pid}\t${marker}\t${process.pid}\t${name}\n`);
  let out = '';
  const collect = (d: Buffer): void => {
    out = (out + d.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let done = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.on('exit', () => {
      done = true;
      resolve();
    });
  });
  liveGroups.add(pid);
  return {
    name,
    pid,
    output: () => out,
    exited: () => done,
    async stop(graceMs = 3000) {
      killGroup(pid, 'SIGTERM');
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
      if ((await Promise.race([exitedPromise.then(() => 'exited' as const), timer])) === 'timeout') {
        killGroup(pid, 'SIGKILL');
        await exitedPromise;
      }
      // Children of the leader (NSD's server and xfrd processes) may outlive it by a moment.
      killGroup(pid, 'SIGKILL');
      liveGroups.delete(pid);
    },
  };
}

const liveGroups = new Set<number>();

// Last resort when the test process exits without running after(): synchronous group kills.
process.on('exit', () => {
  for (const g of liveGroups) killGroup(g, 'SIGKILL');
});

/** Removes a run's temp directory (best effort). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
