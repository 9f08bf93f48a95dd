// The byte zone writer prints exactly what the general printer prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneByteWriter } from '../../src/cli/zone-writer.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { printRecord } from '../../src/zone/printer.js';
import { EXAMPLE_ZONE, signText } from '../auth/fixtures.js';

function written(records: readonly ResourceRecord[], size?: number): string {
  const parts: Buffer[] = [];
  const w = new ZoneByteWriter((b) => parts.push(Buffer.from(b)), size);
  for (const rr of records) w.record(rr);
  w.flush();
  return Buffer.concat(parts).toString('utf8');
}

test('ZoneByteWriter lines equal printRecord for NSEC and NSEC3 (salted) signed zones', async () => {
  for (const denial of [{ type: 'nsec' } as const, { type: 'nsec3', iterations: 3, salt: Uint8Array.of(0xab, 0x01), optOut: true } as const]) {
    const { records } = await signText('example.', EXAMPLE_ZONE + '_x._tcp TYPE65000 \\# 2 0102\n', denial);
    const expected = records.map((rr) => printRecord(rr) + '\n').join('');
    assert.equal(written(records), expected, `${denial.type}, one buffer`);
    // The smallest buffer: flushed many times, lines never split wrongly.
    assert.equal(written(records, 1), expected, `${denial.type}, small buffer`);
  }
});

test('ZoneByteWriter escapes names as the printer does; odd RDATA and long lines take the general path', () => {
  const odd = Name.fromWire(Uint8Array.of(3, 0x61, 0x2e, 0x00, 2, 0x20, 0xff, 1, 0x40, 7, ...Buffer.from('example'), 0));
  const records: ResourceRecord[] = [
    { name: odd, type: RRType.A, class: 1, ttl: 0, rdata: Uint8Array.of(192, 0, 2, 1) },
    { name: odd, type: RRType.A, class: 1, ttl: 4294967295, rdata: Uint8Array.of(1, 2, 3) },
    { name: Name.ROOT, type: RRType.NSEC, class: 3, ttl: 10, rdata: Uint8Array.of(0, 0, 32, ...new Array<number>(32).fill(0xff)) },
    { name: odd, type: RRType.NSEC, class: 1, ttl: 10, rdata: Uint8Array.of(...odd.wire, 0, 1, 0x40) },
    { name: odd, type: RRType.NSEC3, class: 1, ttl: 10, rdata: Uint8Array.of(1, 0, 0, 0, 9) },
    { name: odd, type: RRType.DNSKEY, class: 1, ttl: 10, rdata: Uint8Array.of(1, 0, 3, 13, 1, 2) },
    { name: odd, type: RRType.TXT, class: 1, ttl: 10, rdata: Uint8Array.of(255, ...new Array<number>(255).fill(0x22)) },
    { name: odd, type: RRType.TXT, class: 1, ttl: 10, rdata: Uint8Array.from({ length: 200 * 256 }, (_, i) => (i % 256 === 0 ? 255 : 0x22)) },
    { name: odd, type: RRType.RRSIG, class: 1, ttl: 10, rdata: Uint8Array.of(0, 1, 13, 2, 0, 0, 0, 10, 0x60, 0, 0, 0, 0x50, 0, 0, 0, 0, 7, ...odd.wire, 1, 2, 3, 4, 5) },
  ];
  const expected = records.map((rr) => printRecord(rr) + '\n').join('');
  assert.equal(written(records), expected, 'one buffer');
  assert.equal(written(records, 1), expected, 'small buffer');
});
