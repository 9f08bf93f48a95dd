// The committed vector zones (test/vectors/zones): parse → print → parse is the identity, and the
// zone model sees the structure the source zone was written with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import type { ParsedRecord } from '../../src/zone/parser.js';
import { printZone } from '../../src/zone/printer.js';
import { NodeKind, Zone } from '../../src/zone/zone.js';

const DIR = join(import.meta.dirname, '..', 'vectors', 'zones');
const origin = Name.parse('example.');

function key(rr: ParsedRecord): string {
  return `${Buffer.from(rr.name.wire).toString('hex')} ${rr.class} ${rr.type} ${rr.ttl} ${Buffer.from(rr.rdata).toString('hex')}`;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.zone') || f.endsWith('.signed')).sort();

test('vector zones exist', () => {
  assert.ok(files.length >= 4, files.join(' '));
});

for (const file of files) {
  test(`${file}: parse → print → parse is the identity`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const first = parseZoneText(text, { file, origin });
    const printed = printZone(first.records);
    const second = parseZoneText(printed, { file: `${file} (printed)` });
    assert.deepEqual(second.records.map(key).sort(), first.records.map(key).sort());
    assert.equal(printZone(second.records), printed);
    assert.equal(second.origin?.toString(), 'example.');
  });

  test(`${file}: zone model`, () => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const zone = Zone.fromRecords(origin, parseZoneText(text, { file, origin }).records);
    assert.deepEqual(zone.problems.filter((p) => p.severity === 'error'), []);
    assert.deepEqual(zone.delegations.map(String), ['insecure.example.', 'sub.example.']);
    assert.deepEqual(zone.glue().map((s) => `${s.name.toString()} ${s.type}`), [
      'ns.insecure.example. 1',
      'ns.sub.example. 1',
      'ns.sub.example. 28',
    ]);
    assert.deepEqual(zone.emptyNonTerminals().map(String), ['_tcp.example.', 'ent.example.', 'b.ent.example.', 'wild.example.', '_tcp.www.example.']);
    assert.equal(zone.node(Name.parse('ns.sub.example.'))?.kind, NodeKind.Occluded);
    if (file.endsWith('.signed')) {
      assert.ok(zone.rrset(origin, RRType.DNSKEY) !== undefined);
      assert.ok(zone.rrset(origin, RRType.RRSIG) !== undefined);
      const nsec3 = file.includes('nsec3');
      assert.equal(zone.rrset(origin, RRType.NSEC3PARAM) !== undefined, nsec3);
      assert.equal(zone.rrset(origin, RRType.NSEC) !== undefined, !nsec3);
    }
  });
}
