// Top self-time functions of a V8 .cpuprofile (node --cpu-prof), aggregated by function and source
// location, plus the same by source file. Used by bench/resolver/profile-cold.sh.
//
//   npx tsx bench/resolver/tools/cpuprofile-top.ts FILE.cpuprofile [--top 10] [--strip PREFIX]
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
if (file === undefined) {
  process.stderr.write('usage: cpuprofile-top FILE.cpuprofile [--top N] [--strip PREFIX]\n');
  process.exit(2);
}
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const top = Number(opt('--top') ?? '10');
const strip = opt('--strip') ?? '';
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;

const byId = new Map<number, CallFrame>();
for (const n of profile.nodes) byId.set(n.id, n.callFrame);
const selfUs = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  total += dt;
});

const where = (f: CallFrame): string => {
  const url = f.url.replace(/^file:\/\//, '').replace(strip, '');
  return url === '' ? '(native)' : `${url}:${f.lineNumber + 1}`;
};
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const [id, us] of selfUs) {
  const f = byId.get(id);
  if (f === undefined) continue;
  const name = `${f.functionName === '' ? '(anonymous)' : f.functionName}\t${where(f)}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
  const fileKey = f.url === '' ? f.functionName : f.url.replace(/^file:\/\//, '').replace(strip, '');
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
}
const pct = (us: number): string => ((100 * us) / total).toFixed(1);
const rows = (m: Map<string, number>): [string, number][] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);

process.stdout.write(`profile ${file}: ${(total / 1e6).toFixed(2)} s sampled\n\n`);
process.stdout.write('| # | self ms | self % | function | location |\n|---:|---:|---:|---|---|\n');
rows(byFunction).forEach(([k, us], i) => {
  const [fn, loc] = k.split('\t');
  process.stdout.write(`| ${i + 1} | ${(us / 1000).toFixed(0)} | ${pct(us)} | \`${fn ?? ''}\` | ${loc ?? ''} |\n`);
});
process.stdout.write('\n| # | self ms | self % | file (or V8/native bucket) |\n|---:|---:|---:|---|\n');
rows(byFile).forEach(([k, us], i) => {
  process.stdout.write(`| ${i + 1} | ${(us / 1000).toFixed(0)} | ${pct(us)} | ${k} |\n`);
});
