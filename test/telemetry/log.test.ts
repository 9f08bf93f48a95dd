import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLogSink, formatRecord } from '../../src/telemetry/log.js';
import { publishLog } from '../../src/core/diagnostics.js';

test('log sink writes records at or above its level, as JSON lines', () => {
  const lines: string[] = [];
  const stop = startLogSink({ level: 'info', format: 'json', write: (l) => lines.push(l), now: () => new Date(0) });
  publishLog({ level: 'debug', msg: 'hidden' });
  publishLog({ level: 'warn', msg: 'state file unreadable', file: '/x', bytes: Uint8Array.of(1, 2) });
  stop();
  publishLog({ level: 'error', msg: 'after stop' });
  assert.deepEqual(lines.map((l) => JSON.parse(l) as unknown), [
    { time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'state file unreadable', file: '/x', bytes: '0102' },
  ]);
});

test('text format', () => {
  assert.equal(formatRecord({ level: 'info', msg: 'listening', addr: '127.0.0.1:53' }, 'text', new Date(0)),
    '1970-01-01T00:00:00.000Z INFO listening addr=127.0.0.1:53');
});
