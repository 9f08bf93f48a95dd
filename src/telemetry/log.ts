// Structured logs: JSON lines (one object per line, with time, level and message) or plain text,
// written by subscribing to the log diagnostics channel. Code anywhere publishes with
// `publishLog` (src/core/diagnostics.ts); only this module writes.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Channel, type LogLevel, type LogRecord } from '../core/diagnostics.js';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogSinkOptions {
  readonly level: LogLevel;
  readonly format: 'json' | 'text';
  readonly write: (line: string) => void;
  readonly now: () => Date;
}

/** Starts writing log records at or above `level`; returns a function that stops it. */
export function startLogSink(opts: LogSinkOptions): () => void {
  const min = LEVELS[opts.level];
  const onMessage = (message: unknown): void => {
    const rec = message as LogRecord;
    if (LEVELS[rec.level] < min) return;
    opts.write(formatRecord(rec, opts.format, opts.now()));
  };
  subscribe(Channel.log, onMessage);
  return () => unsubscribe(Channel.log, onMessage);
}

export function formatRecord(rec: LogRecord, format: 'json' | 'text', time: Date): string {
  const { level, msg, ...fields } = rec;
  if (format === 'json') {
    return JSON.stringify({ time: time.toISOString(), level, msg, ...fields }, (_k, v: unknown) =>
      typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
    );
  }
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time.toISOString()} ${level.toUpperCase()} ${msg}${extra ? ' ' + extra : ''}`;
}
