// The fast zone writer prints exactly what the general printer prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZoneLineWriter } from '../../src/cli/zone-writer.js';
import { printRecord } from '../../src/zone/printer.js';
import { EXAMPLE_ZONE, signText } from '../auth/fixtures.js';

test('ZoneLineWriter lines equal printRecord for NSEC and NSEC3 (salted) signed zones', async () => {
  for (const denial of [{ type: 'nsec' } as const, { type: 'nsec3', iterations: 3, salt: Uint8Array.of(0xab, 0x01), optOut: true } as const]) {
    const { records } = await signText('example.', EXAMPLE_ZONE + '_x._tcp TYPE65000 \\# 2 0102\n', denial);
    const w = new ZoneLineWriter();
    for (const rr of records) assert.equal(w.line(rr), printRecord(rr) + '\n');
  }
});
