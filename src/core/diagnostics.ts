// Names of the node:diagnostics_channel channels pure code publishes on (DESIGN.md convention 10).
// Telemetry subscribes; publishing never changes behaviour, and with no subscriber costs a check.
// Every channel is declared here once, with the shape of its message.

import { channel, type Channel as DiagnosticsChannel } from 'node:diagnostics_channel';

export const Channel = {
  /** A client query answered: { transport, rcode, cached: boolean, durationMs, ede?: number }. */
  clientAnswer: 'anchord:client-answer',
  /** A client refused by the ACL or dropped: { address, action }. */
  clientRefused: 'anchord:client-refused',
  /** An upstream query sent: { server, qname, qtype, tcp }. */
  upstreamQuery: 'anchord:upstream-query',
  /** An upstream reply or failure: { server, outcome: 'reply' | 'timeout' | 'error', rttMs? }. */
  upstreamResult: 'anchord:upstream-result',
  /** A validation verdict: { status, ede?, tag?, owner?, type? }. */
  validation: 'anchord:validation',
  /** A work budget tripped: { budget: string, owner?: string }. */
  budgetTrip: 'anchord:budget-trip',
  /** Cache events: { cache: string, event: 'hit' | 'miss' | 'insert' | 'evict' }. */
  cache: 'anchord:cache',
  /** Trust anchor state changes (RFC 5011): { zone, keyTag, from, to }. */
  trustAnchor: 'anchord:trust-anchor',
  /** Zone signing events: { zone, event, detail }. */
  signer: 'anchord:signer',
  /** Log records from anywhere: { level, msg, ...fields }. */
  log: 'anchord:log',
} as const;
export type ChannelName = (typeof Channel)[keyof typeof Channel];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const channels = new Map<string, DiagnosticsChannel>();

function get(name: ChannelName): DiagnosticsChannel {
  let ch = channels.get(name);
  if (ch === undefined) {
    ch = channel(name);
    channels.set(name, ch);
  }
  return ch;
}

/** True when someone listens on the channel: check before building an expensive message. */
export function hasSubscribers(name: ChannelName): boolean {
  return get(name).hasSubscribers;
}

/** Publishes a message on a channel; costs one check when nobody listens. */
export function publish(name: ChannelName, message: object): void {
  const ch = get(name);
  if (ch.hasSubscribers) ch.publish(message);
}

export interface LogRecord {
  readonly level: LogLevel;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Publishes a log record for the log sink (src/telemetry/log.ts) to write. */
export function publishLog(record: LogRecord): void {
  publish(Channel.log, record);
}
