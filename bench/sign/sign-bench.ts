// Zone signing benchmark: the same zone, keys and algorithm (ECDSAP256SHA256 KSK+ZSK made by
// dnssec-keygen) signed by anchord signzone, BIND's dnssec-signzone, ldns-signzone and Knot's
// kzonesign, in one run, NSEC and NSEC3 (no salt, 0 iterations), under /usr/bin/time -v for
// wall time, CPU time and peak RSS. Results go to bench/RESULTS.md, section
// "## Signing (bench/sign)" (only that section is rewritten).
//
//   npx tsx bench/sign/sign-bench.ts --sizes 100000,1000000 [--threads 2] [--no-build] [--verify]
//
// anchord runs from a tsc build in bench/sign/dist (no loader cost) through a copy of the `anchord`
// launcher in bench/sign/bin (bin/anchord.js: -n sizes libuv's threadpool). dnssec-signzone and anchord
// run twice: as by default (every signature checked after signing) and with -P (no check);
// ldns-signzone and kzonesign do not check their output. --verify runs dnssec-verify on every
// output (slow for 1M records).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeZone } from './make-zone.js';

const ROOT = join(import.meta.dirname, '..', '..');
const DIST = join(import.meta.dirname, 'dist');
const ORIGIN = 'bench.';

interface Args {
  sizes: number[];
  threads: number;
  build: boolean;
  verify: boolean;
  denials: ('nsec' | 'nsec3')[];
  tools: string[];
  work: string;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { sizes: [100000], threads: availableParallelism(), build: true, verify: false, denials: ['nsec', 'nsec3'], tools: ['anchord', 'anchord-P', 'bind', 'bind-P', 'ldns', 'knot'], work: join(tmpdir(), 'anchord-sign-bench'), rounds: 1 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--sizes':
        a.sizes = v!.split(',').map(Number);
        i++;
        break;
      case '--threads':
        a.threads = Number(v);
        i++;
        break;
      case '--denials':
        a.denials = v!.split(',') as ('nsec' | 'nsec3')[];
        i++;
        break;
      case '--tools':
        a.tools = v!.split(',');
        i++;
        break;
      case '--rounds':
        a.rounds = Number(v);
        i++;
        break;
      case '--work':
        a.work = v!;
        i++;
        break;
      case '--no-build':
        a.build = false;
        break;
      case '--verify':
        a.verify = true;
        break;
      default:
        throw new Error(`unknown argument ${argv[i]!}`);
    }
  }
  return a;
}

interface Measure {
  wall: number;
  user: number;
  sys: number;
  rssMiB: number;
  ok: boolean;
  note: string;
}

/** Runs a command under /usr/bin/time -v. */
function timed(cmd: string, args: string[], cwd: string): Measure {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const err = r.stderr;
  const num = (re: RegExp): number => Number(re.exec(err)?.[1] ?? 'NaN');
  const wallText = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)/.exec(err)?.[1] ?? '0';
  const wall = wallText.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  const ok = r.status === 0;
  return {
    wall,
    user: num(/User time \(seconds\): ([0-9.]+)/),
    sys: num(/System time \(seconds\): ([0-9.]+)/),
    rssMiB: num(/Maximum resident set size \(kbytes\): ([0-9]+)/) / 1024,
    ok,
    note: ok ? '' : err.split('\n').filter((l) => !/^\s/.test(l)).slice(-3).join(' ').slice(0, 200),
  };
}

function tool(name: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${name} || { test -x /usr/sbin/${name} && echo /usr/sbin/${name}; }`], { encoding: 'utf8' });
  const p = r.stdout.trim();
  if (p === '') throw new Error(`${name} is not installed (npm run test:setup installs the peers)`);
  return p;
}

function knotConf(dir: string, denial: 'nsec' | 'nsec3', threads: number): string {
  return `server:
    rundir: ${dir}
database:
    storage: ${dir}
    kasp-db: ${dir}/kasp
policy:
  - id: bench
    algorithm: ecdsap256sha256
    manual: on
    nsec3: ${denial === 'nsec3' ? 'on' : 'off'}
    nsec3-iterations: 0
    nsec3-salt-length: 0
    nsec3-opt-out: off
    signing-threads: ${threads}
    rrsig-lifetime: 30d
    rrsig-refresh: 7d
template:
  - id: default
    storage: ${dir}
    file: "%s.zone"
zone:
  - domain: ${ORIGIN}
    dnssec-signing: on
    dnssec-policy: bench
`;
}

interface Row {
  size: number;
  records: number;
  denial: string;
  tool: string;
  m: Measure;
  verified: string;
  runs: number;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (args.build) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', DIST], { stdio: 'inherit' });
  }
  if (!existsSync(join(DIST, 'cli', 'main.js'))) throw new Error('no build in bench/sign/dist (run without --no-build)');
  rmSync(args.work, { recursive: true, force: true });
  mkdirSync(args.work, { recursive: true });
  const keys = join(args.work, 'keys');
  mkdirSync(keys);
  execFileSync(tool('dnssec-keygen'), ['-q', '-K', keys, '-a', 'ECDSAP256SHA256', '-f', 'KSK', ORIGIN]);
  execFileSync(tool('dnssec-keygen'), ['-q', '-K', keys, '-a', 'ECDSAP256SHA256', ORIGIN]);
  const keyBases = readdirSync(keys).filter((f) => f.endsWith('.key')).map((f) => join(keys, f.slice(0, -4)));
  const load0 = loadavg()[0] ?? 0;
  const rows: Row[] = [];
  // anchord runs as its users run it: through the `anchord` launcher (bin/anchord.js, which sizes
  // libuv's threadpool from -n before the CLI loads), copied next to the build so that it runs it.
  mkdirSync(join(import.meta.dirname, 'bin'), { recursive: true });
  for (const f of ['anchord.js', 'package.json']) copyFileSync(join(ROOT, 'bin', f), join(import.meta.dirname, 'bin', f));
  const launcher = join(import.meta.dirname, 'bin', 'anchord.js');

  for (const size of args.sizes) {
    const zone = join(args.work, `z${size}.zone`);
    const records = writeZone(zone, ORIGIN, size);
    for (const denial of args.denials) {
      const nsec3Bind = denial === 'nsec3' ? ['-3', '-', '-H', '0'] : [];
      // Rounds run every tool once, in a rotated order, so that a change in the machine's load
      // does not always fall on the same tool; the table keeps each tool's fastest round.
      const order: string[] = [];
      for (let round = 0; round < args.rounds; round++) {
        const k = round % args.tools.length;
        order.push(...args.tools.slice(k), ...args.tools.slice(0, k));
      }
      for (const t of order) {
        const out = join(args.work, `out-${t}-${size}-${denial}.zone`);
        let m: Measure;
        switch (t) {
          case 'anchord':
          case 'anchord-P':
            m = timed(process.execPath, [launcher, 'signzone', '-q', ...(t === 'anchord-P' ? ['-P'] : []), '-n', String(args.threads), '-S', '-K', keys, '-d', args.work, '-o', ORIGIN, '-f', out, ...nsec3Bind, zone], args.work);
            break;
          case 'bind':
          case 'bind-P':
            m = timed(tool('dnssec-signzone'), ['-q', ...(t === 'bind-P' ? ['-P'] : []), '-n', String(args.threads), '-S', '-K', keys, '-d', args.work, '-o', ORIGIN, '-f', out, ...nsec3Bind, zone], args.work);
            break;
          case 'ldns':
            m = timed(tool('ldns-signzone'), [...(denial === 'nsec3' ? ['-n', '-t', '0'] : []), '-o', ORIGIN, '-f', out, zone, ...keyBases], args.work);
            break;
          case 'knot': {
            const kd = join(args.work, `knot-${size}-${denial}`);
            rmSync(kd, { recursive: true, force: true });
            mkdirSync(join(kd, 'out'), { recursive: true });
            writeFileSync(join(kd, 'knot.conf'), knotConf(kd, denial, args.threads));
            writeFileSync(join(kd, `${ORIGIN}zone`), readFileSync(zone));
            for (const k of keyBases) execFileSync(tool('keymgr'), ['-c', join(kd, 'knot.conf'), ORIGIN, 'import-bind', k], { stdio: 'ignore' });
            m = timed(tool('kzonesign'), ['-c', join(kd, 'knot.conf'), '-o', join(kd, 'out'), ORIGIN], kd);
            if (m.ok) writeFileSync(out, readFileSync(join(kd, 'out', `${ORIGIN}zone`)));
            rmSync(join(kd, 'kasp'), { recursive: true, force: true });
            break;
          }
          default:
            throw new Error(`unknown tool ${t}`);
        }
        let verified = '';
        if (args.verify && m.ok) {
          const v = spawnSync(tool('dnssec-verify'), ['-q', '-o', ORIGIN, out], { encoding: 'utf8' });
          verified = v.status === 0 ? 'yes' : 'NO';
        }
        const line = `${size} ${denial} ${t}: ${m.ok ? '' : 'FAILED '}${m.wall.toFixed(1)} s wall, ${(m.user + m.sys).toFixed(1)} s CPU, ${m.rssMiB.toFixed(0)} MiB ${m.note}`;
        process.stdout.write(line + '\n');
        const prev = rows.findIndex((r) => r.size === size && r.denial === denial && r.tool === t);
        const row = { size, records, denial, tool: t, m, verified, runs: 1 };
        if (prev < 0) rows.push(row);
        else {
          const old = rows[prev]!;
          const better = m.ok && (!old.m.ok || m.wall < old.m.wall);
          rows[prev] = { ...(better ? row : old), runs: old.runs + 1 };
        }
        // Written after every run, so a long benchmark that is cut short keeps what it measured.
        writeResults(args, rows, load0, loadavg()[0]!);
        if (existsSync(out) && statSync(out).size > 0) rmSync(out);
      }
    }
  }
  process.stdout.write(`wrote ${join(ROOT, 'bench', 'RESULTS.md')}\n`);
}

const TOOL_NAMES: Readonly<Record<string, string>> = {
  anchord: 'anchord signzone',
  'anchord-P': 'anchord signzone -P',
  bind: 'dnssec-signzone',
  'bind-P': 'dnssec-signzone -P',
  ldns: 'ldns-signzone',
  knot: 'kzonesign',
};

function writeResults(args: Args, rows: readonly Row[], load0: number, load1: number): void {
  const file = join(ROOT, 'bench', 'RESULTS.md');
  const node = process.version;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const version = (cmd: string): string => {
    const r = spawnSync(tool(cmd), ['-V'], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? '';
  };
  const bindVersion = version('dnssec-signzone');
  const knotVersion = version('kzonesign');
  let s = '## Signing (bench/sign)\n\n';
  s += `\`npx tsx bench/sign/sign-bench.ts --sizes ${args.sizes.join(',')} --threads ${args.threads}${args.rounds > 1 ? ` --rounds ${args.rounds}` : ''}${args.verify ? ' --verify' : ''}\` — ${cpu}, ${cpus().length} CPUs, ${node}; ${bindVersion}, ${knotVersion}; `;
  s += `load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at the end (the machine is shared: wall times move with the load, CPU times less).\n\n`;
  s += `Same zone (bench/sign/make-zone.ts: A/AAAA/MX/TXT/CNAME/SRV, 15% delegations with glue, a third of them with DS), same ECDSAP256SHA256 KSK+ZSK from dnssec-keygen, NSEC or NSEC3 (no salt, 0 iterations); ${args.threads} threads where the tool has them (anchord -n: node:crypto's callback form on libuv's threadpool, which the anchord launcher sizes to -n threads, beside the main thread; dnssec-signzone -n, kzonesign signing-threads; ldns-signzone has one). `;
  s += `"anchord signzone" and "dnssec-signzone" check every signature after making it (their default); the -P rows skip that; ldns-signzone and kzonesign do not check. Records/s counts input records. `;
  s += args.rounds > 1 ? `${args.rounds} rounds, tools in a rotated order each round; each row is the tool's fastest round (its CPU time and RSS from that round).\n\n` : 'One round.\n\n';
  s += '| records | denial | tool | wall s | records/s | CPU s (user+sys) | peak RSS MiB |' + (args.verify ? ' dnssec-verify |' : '') + '\n';
  s += '|---:|---|---|---:|---:|---:|---:|' + (args.verify ? '---|' : '') + '\n';
  for (const r of rows) {
    const rate = r.m.ok && r.m.wall > 0 ? Math.round(r.records / r.m.wall).toLocaleString('en-US') : '—';
    s += `| ${r.records.toLocaleString('en-US')} | ${r.denial.toUpperCase()} | ${TOOL_NAMES[r.tool] ?? r.tool}${r.m.ok ? '' : ' (failed)'} | ${r.m.wall.toFixed(1)} | ${rate} | ${(r.m.user + r.m.sys).toFixed(1)} | ${r.m.rssMiB.toFixed(0)} |${args.verify ? ` ${r.verified} |` : ''}\n`;
  }
  s += '\n';
  const old = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n\n';
  const start = old.indexOf('## Signing (bench/sign)');
  let next: string;
  if (start < 0) next = old.replace(/\n*$/, '\n\n') + s;
  else {
    const after = old.indexOf('\n## ', start + 3);
    next = old.slice(0, start) + s + (after < 0 ? '' : old.slice(after + 1));
  }
  writeFileSync(file, next);
}

main();
