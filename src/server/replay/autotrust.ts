// The RFC 5011 side of U scenarios (FORMAT.md §2.2 AUTOTRUST_FILE, §8.1 CHECK_AUTOTRUST, §8.5):
// Unbound's trust-anchor state-file text read into anchord's own state (dnssec/rfc5011.ts
// TrustPointState), and an expected state-file text compared with that state field by field.
// As issue 6 asks, the contract is the state — key states, hold-down and probe times — not
// Unbound's text: comments, ctime strings, spacing and key order are not compared.
//
// The file (§8.5): `; autotrust trust anchor file`, optional `;;REVOKED` (the trust point is gone,
// RFC 5011 §5), `;;id: <zone> 1`, `;;last_queried:`, `;;last_success:`, `;;next_probe_time:`,
// `;;query_failed:`, `;;query_interval:`, `;;retry_time:` (seconds), then one DNSKEY (or DS) RR per
// line followed by `;;state=N [ NAME ] ;;count=N ;;lastchange=T`. A file of plain DNSKEY/DS lines
// (no `;;state=`) is a configured `initial-key`/`initial-ds` set (Unbound's auto-trust-anchor-file
// before its first probe); the legacy form `;;state=2` alone means Valid.
// Relaxed compares what issue 6 names as the contract: the trust point's keys, each key's state and
// the time its state (its hold-down) started, and whether the trust point is revoked. Strict also
// compares the probe bookkeeping of the header (last_queried, last_success, next_probe_time,
// query_failed, query_interval, retry_time) and Unbound's pending `count`: Unbound writes those only
// when it rewrites its file (not after a failed probe, say), so they follow its persistence policy.

import { ErrorCode, FileError } from '../../core/errors.js';
import {
  initialTrustPointState,
  KeyState,
  rfc5011Params,
  sameKey,
  UNBOUND_STATE_NUMBER,
  type InitialAnchor,
  type TrackedKey,
  type TrustPointState,
} from '../../dnssec/rfc5011.js';
import { keyTag } from '../../dnssec/key-tag.js';
import { RRClass, RRType } from '../../wire/constants.js';
import { Name } from '../../wire/name.js';
import type { ResourceRecord } from '../../wire/record.js';
import { parseZone } from '../../zone/parser.js';
import type { Strictness } from './match.js';
import { normaliseRRText } from './rr-text.js';

const STATE_BY_NUMBER = new Map<number, KeyState>(Object.entries(UNBOUND_STATE_NUMBER).map(([k, v]) => [v, k as KeyState]));

/**
 * The parameters the scenarios assume, Unbound's defaults: add and remove hold-down 30 days (RFC 5011
 * §2.4), keep-missing 366 days, two sightings before AddPend → Valid (MIN_PENDINGCOUNT).
 */
export const AUTOTRUST_PARAMS = rfc5011Params({ minSightings: 2, keepMissing: 366 * 86_400 });

interface ParsedKeyLine {
  readonly record: ResourceRecord;
  readonly state?: KeyState | undefined;
  readonly count?: number | undefined;
  readonly lastChange?: number | undefined;
}

export interface ParsedStateFile {
  readonly zone: Name | undefined;
  readonly revoked: boolean;
  readonly header: ReadonlyMap<string, number>;
  readonly keys: readonly ParsedKeyLine[];
  /** True when some key line carries `;;state=` or the file has Unbound's header (`;;id:` …). */
  readonly stateful: boolean;
}

const HEADER_FIELDS = ['last_queried', 'last_success', 'next_probe_time', 'query_failed', 'query_interval', 'retry_time'] as const;

function rrOf(text: string): ResourceRecord | undefined {
  const out: ResourceRecord[] = [];
  for (const r of parseZone(normaliseRRText(text.trim()), { origin: Name.ROOT, defaultTtl: 3600, class: RRClass.IN })) out.push(r);
  return out[0];
}

/** Reads state-file text (macros already expanded). Throws Error with the line's problem. */
export function parseStateFile(lines: readonly string[]): ParsedStateFile {
  let zone: Name | undefined;
  let revoked = false;
  let stateful = false;
  const header = new Map<string, number>();
  const keys: ParsedKeyLine[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith(';')) {
      if (line.startsWith(';;REVOKED')) revoked = true;
      const id = /^;;id:\s*(\S+)/.exec(line);
      if (id !== null) zone = Name.parse(id[1]!.endsWith('.') ? id[1]! : `${id[1]!}.`);
      const h = /^;;([a-z_]+):\s*(-?[0-9]+)/.exec(line);
      if (h !== null && (HEADER_FIELDS as readonly string[]).includes(h[1]!)) header.set(h[1]!, Number(h[2]));
      continue;
    }
    const semi = line.indexOf(';');
    const rrText = semi < 0 ? line : line.slice(0, semi);
    const record = rrOf(rrText);
    if (record === undefined) continue;
    if (record.type !== RRType.DNSKEY && record.type !== RRType.DS) continue;
    const st = /;;state=([0-9]+)/.exec(line);
    const count = /;;count=([0-9]+)/.exec(line);
    const last = /;;lastchange=([0-9]+)/.exec(line);
    if (st !== null) stateful = true;
    keys.push({
      record,
      state: st === null ? undefined : STATE_BY_NUMBER.get(Number(st[1])),
      count: count === null ? undefined : Number(count[1]),
      lastChange: last === null ? undefined : Number(last[1]),
    });
  }
  // A file with Unbound's header but keys without `;;state=` is the legacy form (keys Valid).
  if (header.size > 0 || zone !== undefined) stateful = true;
  return { zone, revoked, header, keys, stateful };
}

/** An AUTOTRUST_FILE block as anchord configures it: the managed trust point and its state. */
export interface AutotrustPoint {
  readonly zone: Name;
  /** The configured `initial-key` / `initial-ds` anchors (for a stateful file: its trusted keys). */
  readonly anchors: readonly InitialAnchor[];
  readonly state: TrustPointState;
}

/** Reads an AUTOTRUST_FILE block (module comment). Throws FileError for unreadable text. */
export function autotrustPoint(id: string, lines: readonly string[], file: string, line: number): AutotrustPoint {
  const state = stateFromFile(id, lines, file, line);
  const anchors: InitialAnchor[] = [];
  for (const d of state.ds) anchors.push({ type: 'initial-ds', rdata: d });
  for (const k of state.keys) if (k.state === KeyState.Valid || k.state === KeyState.Missing) anchors.push({ type: 'initial-key', rdata: k.rdata });
  return { zone: state.zone, anchors, state };
}

/** The initial TrustPointState of an AUTOTRUST_FILE block (module comment). */
export function stateFromFile(id: string, lines: readonly string[], file: string, line: number): TrustPointState {
  let parsed: ParsedStateFile;
  try {
    parsed = parseStateFile(lines);
  } catch (err) {
    throw new FileError(ErrorCode.Scenario, file, line, 0, `AUTOTRUST_FILE ${id}: ${(err as Error).message}`);
  }
  const zone = parsed.zone ?? Name.parse(id.endsWith('.') ? id : `${id}.`);
  if (!parsed.stateful) {
    const anchors: InitialAnchor[] = [];
    for (const k of parsed.keys) {
      if (k.record.type === RRType.DS) anchors.push({ type: 'initial-ds', rdata: k.record.rdata });
      else anchors.push({ type: 'initial-key', rdata: k.record.rdata });
    }
    return initialTrustPointState(zone, anchors);
  }
  const keys: TrackedKey[] = [];
  const ds: Uint8Array[] = [];
  for (const k of parsed.keys) {
    if (k.record.type === RRType.DS) {
      ds.push(k.record.rdata);
      continue;
    }
    const state = k.state ?? KeyState.Valid;
    const lastChange = k.lastChange ?? 0;
    const holdDownEnd =
      state === KeyState.AddPend ? lastChange + AUTOTRUST_PARAMS.addHoldDown : state === KeyState.Revoked ? lastChange + AUTOTRUST_PARAMS.removeHoldDown : undefined;
    const rd = k.record.rdata;
    keys.push({
      rdata: rd,
      tag: keyTag(rd),
      algorithm: rd.length >= 4 ? rd[3]! : 0,
      state,
      lastChange,
      firstSeen: state === KeyState.AddPend ? lastChange : 0,
      lastSeen: 0,
      sightings: state === KeyState.AddPend ? (k.count ?? 0) : 0,
      ...(holdDownEnd === undefined ? {} : { holdDownEnd }),
    });
  }
  const h = (name: string, dflt: number): number => parsed.header.get(name) ?? dflt;
  // Every key revoked and no DS left: the trust point is gone (RFC 5011 §5), with or without the
  // `;;REVOKED` marker, as Unbound reads such a file.
  const allRevoked = ds.length === 0 && keys.length > 0 && keys.every((k) => k.state === KeyState.Revoked || k.state === KeyState.Removed);
  return {
    zone,
    keys,
    ds,
    lastQueried: h('last_queried', 0),
    lastSuccess: h('last_success', 0),
    queryFailed: h('query_failed', 0),
    queryInterval: h('query_interval', 3600),
    retryTime: h('retry_time', 3600),
    nextRefresh: h('next_probe_time', 0),
    deleted: parsed.revoked || allRevoked,
  };
}

/** Where `state` differs from the expected state-file text, or undefined when it matches. */
export function compareState(state: TrustPointState, expectedLines: readonly string[], mode: Strictness): string | undefined {
  const exp = parseStateFile(expectedLines);
  if (exp.revoked !== state.deleted) return `trust point ${exp.revoked ? 'should be' : 'should not be'} revoked (;;REVOKED)`;
  const ours: Record<(typeof HEADER_FIELDS)[number], number> = {
    last_queried: state.lastQueried,
    last_success: state.lastSuccess,
    next_probe_time: state.nextRefresh,
    query_failed: state.queryFailed,
    query_interval: state.queryInterval,
    retry_time: state.retryTime,
  };
  for (const f of HEADER_FIELDS) {
    if (mode === 'relaxed') break;
    const want = exp.header.get(f);
    if (want !== undefined && want !== ours[f]) return `${f}: expected ${want}, anchord has ${ours[f]}`;
  }
  const expectedKeys = exp.keys.filter((k) => k.record.type === RRType.DNSKEY);
  const tracked = state.keys.filter((k) => k.state !== KeyState.Start && k.state !== KeyState.Removed);
  for (const k of expectedKeys) {
    const tag = keyTag(k.record.rdata);
    const mine = state.keys.find((t) => sameKey(t.rdata, k.record.rdata));
    if (mine === undefined) return `key ${tag}: expected ${k.state ?? 'valid'}, anchord does not track it`;
    const wantState = k.state ?? KeyState.Valid;
    if (mine.state !== wantState) return `key ${tag}: expected state ${wantState}, anchord has ${mine.state}`;
    if (k.lastChange !== undefined && k.lastChange !== mine.lastChange) {
      return `key ${tag}: expected lastchange ${k.lastChange}, anchord has ${mine.lastChange}`;
    }
    if (mode === 'strict' && k.count !== undefined && k.count !== mine.sightings) return `key ${tag}: expected count ${k.count}, anchord has ${mine.sightings}`;
  }
  for (const t of tracked) {
    if (!expectedKeys.some((k) => sameKey(t.rdata, k.record.rdata))) return `key ${t.tag}: anchord has it ${t.state}, the expected file does not list it`;
  }
  return undefined;
}
