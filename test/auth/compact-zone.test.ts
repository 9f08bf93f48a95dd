// The compact zone is the zone model in less memory: same nodes (names, kinds, RRsets, empty
// non-terminals), same problems, and the signer gives the same output from either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactZone } from '../../src/auth/compact-zone.js';
import { signZone } from '../../src/auth/signer.js';
import { SeededRandom } from '../../src/core/random.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { printZone } from '../../src/zone/printer.js';
import { Zone, type ZoneNode } from '../../src/zone/zone.js';
import { EXAMPLE_ZONE, NOW, testKeys } from './fixtures.js';

function describeNode(n: ZoneNode): string {
  const sets = [...n.rrsets.values()].map((s) => `${s.type}/${s.ttl}/${s.rdatas.map((r) => Buffer.from(r).toString('hex')).join(',')}`);
  return `${n.name.toString()} ${n.kind} ${sets.join(' ')}`;
}

function same(origin: string, records: readonly ResourceRecord[]): void {
  const o = Name.parse(origin);
  const model = Zone.fromRecords(o, records);
  const compact = CompactZone.fromRecords(o, records);
  assert.deepEqual([...compact.nodes()].map(describeNode), model.nodes.map(describeNode));
  const problems = (ps: Zone['problems']): string[] => ps.map((p) => `${p.code} ${p.severity} ${p.name.toString()} ${p.type ?? '-'}`).sort();
  assert.deepEqual(problems(compact.problems), problems(model.problems));
  assert.equal(compact.size, model.nodes.length);
}

test('same nodes and problems as the zone model: vector zone, test zone, odd zones', () => {
  const vector = readFileSync(join(import.meta.dirname, '..', 'vectors', 'zones', 'example.zone'), 'utf8');
  same('example.', parseZoneText(vector, { origin: Name.parse('example.') }).records);
  same('example.', parseZoneText(EXAMPLE_ZONE, { origin: Name.parse('example.') }).records);
  // Owners spread over the file, duplicates, TTL mismatches, CNAME conflicts, glue and occluded
  // data, deep empty non-terminals, data outside the zone, no SOA.
  const odd = `$TTL 300
@ SOA ns h 1 2 3 4 5
@ NS ns
ns A 192.0.2.1
a.b.c.d.e A 192.0.2.2
x A 192.0.2.3
y.x TXT "y"
x AAAA 2001:db8::3
x A 192.0.2.3
x 600 A 192.0.2.4
c CNAME x
c TXT "conflict"
sub NS ns.sub
ns.sub A 192.0.2.5
deep.ns.sub A 192.0.2.6
sub TXT "occluded at cut"
below.sub MX 1 x
dn DNAME elsewhere.
a.dn A 192.0.2.7
z.y.x.w TXT "ent chain"
outside.test. A 192.0.2.8
`;
  same('example.', parseZoneText(odd, { origin: Name.parse('example.') }).records);
  same('example.', parseZoneText('@ 300 NS ns\nns 300 A 192.0.2.1\n', { origin: Name.parse('example.') }).records);
});

test('same nodes for a random zone with shuffled records', () => {
  const rnd = new SeededRandom(99);
  let text = '$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n';
  const labels = ['a', 'b', 'c', 'Dd', 'e', '_tcp', '*', 'xn--z'];
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const depth = 1 + rnd.below(4);
    const parts: string[] = [];
    for (let d = 0; d < depth; d++) parts.push(labels[rnd.below(labels.length)]! + (d === 0 ? String(rnd.below(20)) : ''));
    const owner = parts.join('.');
    const kind = rnd.below(10);
    if (kind === 0) lines.push(`${owner} NS ns.${owner}`, `ns.${owner} A 192.0.2.${rnd.below(250)}`);
    else if (kind === 1) lines.push(`${owner} TXT "t${rnd.below(5)}"`);
    else lines.push(`${owner} A 10.0.${rnd.below(4)}.${rnd.below(250)}`);
  }
  for (let i = lines.length - 1; i > 0; i--) {
    const j = rnd.below(i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
  text += lines.join('\n') + '\n';
  same('example.', parseZoneText(text, { origin: Name.parse('example.') }).records);
});

test('the signer gives the same zone from the compact zone and from the zone model', async () => {
  for (const denial of [{ type: 'nsec' } as const, { type: 'nsec3', iterations: 2, salt: Uint8Array.of(1, 2), optOut: true } as const]) {
    const o = Name.parse('example.');
    const records = parseZoneText(EXAMPLE_ZONE, { origin: o }).records;
    const keys = testKeys(5);
    const opts = { now: NOW, inception: NOW - 10, expiration: NOW + 1000, denial };
    const a = await signZone(Zone.fromRecords(o, records), keys, opts);
    const b = await signZone(CompactZone.fromRecords(o, records), keys, opts);
    assert.equal(printZone(b.records()), printZone(a.records()));
  }
});
