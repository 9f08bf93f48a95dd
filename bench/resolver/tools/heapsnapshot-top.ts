// What fills a V8 heap snapshot (node --heapsnapshot-signal=SIGUSR2, or writeHeapSnapshot): self
// size and count per constructor / node type, largest first. Shallow (self) sizes only; cheap enough
// for snapshots of several hundred MB. Used to see what anchord's cache memory is made of.
//
//   npx tsx bench/resolver/tools/heapsnapshot-top.ts FILE.heapsnapshot [--top 25]
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const args = process.argv.slice(2);
const file = args[0];
if (file === undefined) {
  process.stderr.write('usage: heapsnapshot-top FILE.heapsnapshot [--top N]\n');
  process.exit(2);
}
const i = args.indexOf('--top');
const top = i >= 0 ? Number(args[i + 1]) : 25;
const snap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
const fields = snap.snapshot.meta.node_fields;
const types = snap.snapshot.meta.node_types[0];
const width = fields.length;
const fType = fields.indexOf('type');
const fName = fields.indexOf('name');
const fSize = fields.indexOf('self_size');
const agg = new Map<string, { size: number; count: number }>();
let total = 0;
for (let n = 0; n < snap.nodes.length; n += width) {
  const type = types[snap.nodes[n + fType] ?? 0] ?? '?';
  const size = snap.nodes[n + fSize] ?? 0;
  const raw = snap.strings[snap.nodes[n + fName] ?? 0] ?? '';
  // objects by constructor; strings, arrays, code etc. by their type
  const key = type === 'object' || type === 'closure' ? `${type} ${raw}` : `(${type})`;
  const a = agg.get(key) ?? { size: 0, count: 0 };
  a.size += size;
  a.count++;
  agg.set(key, a);
  total += size;
}
process.stdout.write(`${file}: ${(total / 1048576).toFixed(1)} MB of live objects (self sizes)\n\n`);
process.stdout.write('| self MB | % | count | what |\n|---:|---:|---:|---|\n');
for (const [k, a] of [...agg].sort((x, y) => y[1].size - x[1].size).slice(0, top)) {
  process.stdout.write(`| ${(a.size / 1048576).toFixed(1)} | ${((100 * a.size) / total).toFixed(1)} | ${a.count} | ${k} |\n`);
}
