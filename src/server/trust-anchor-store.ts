// Persistence of RFC 5011 trust-anchor state (RFC 5011 §2.2 needs the hold-down timers to survive
// restarts: "the resolver MUST ... remember" the keys it has seen and when). One JSON file per
// resolver, the managed-keys file of BIND and the auto-trust-anchor-file of Unbound in one:
//
//   { "version": 1, "written": 1767225600,
//     "trustPoints": [ { "zone": ".", "deleted": false, "ds": ["<DS RDATA base64>"],
//       "lastQueried": 0, "lastSuccess": 0, "queryFailed": 0, "queryInterval": 3600,
//       "retryTime": 3600, "nextRefresh": 0,
//       "keys": [ { "state": "valid", "tag": 20326, "algorithm": 8, "dnskey": "<RDATA base64>",
//                   "firstSeen": 0, "lastSeen": 0, "lastChange": 0, "sightings": 0,
//                   "holdDownEnd": 1767225600 } ] } ] }
//
// Times are seconds since the epoch (0: never). Writes are atomic (DESIGN.md convention 11,
// atomic-file.ts): a temp file in the same folder, written and fsynced, renamed over the file, then the folder fsynced,
// so a crash at any instant leaves the old or the new file. Temp files left by a crash are removed
// on load. Loading never stops the resolver: a missing file means "first start"; an unreadable,
// empty, truncated, unparsable or wrong-version file is reported (one log line saying what and
// that the configured anchors are used) and ignored.

import { readFileSync } from 'node:fs';
import { removeStaleTemps, writeAtomic } from './atomic-file.js';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { publishLog } from '../core/diagnostics.js';
import { KeyState, type TrackedKey, type TrustPointState } from '../dnssec/rfc5011.js';
import { keyTag } from '../dnssec/key-tag.js';
import { Name } from '../wire/name.js';
import { base64ToBytes, bytesToBase64 } from '../wire/rdata-text.js';

export const STATE_FILE_VERSION = 1;
/** Larger than any sane state (a few KB per trust point). */
export const MAX_STATE_FILE_BYTES = 16 * 1024 * 1024;
const MAX_TRUST_POINTS = 10_000;
const MAX_KEYS = 1000;
const MAX_TIME = 2 ** 40;

const STATES: readonly string[] = Object.values(KeyState);

// ---- Encoding --------------------------------------------------------------------------------

function keyJson(k: TrackedKey): Record<string, unknown> {
  return {
    state: k.state,
    tag: k.tag,
    algorithm: k.algorithm,
    dnskey: bytesToBase64(k.rdata),
    firstSeen: k.firstSeen,
    lastSeen: k.lastSeen,
    lastChange: k.lastChange,
    sightings: k.sightings,
    ...(k.holdDownEnd === undefined ? {} : { holdDownEnd: k.holdDownEnd }),
  };
}

/** The state file's text for these trust points. */
export function serializeTrustAnchorState(points: readonly TrustPointState[], written: number): string {
  const doc = {
    version: STATE_FILE_VERSION,
    written,
    trustPoints: points.map((p) => ({
      zone: p.zone.toString(),
      deleted: p.deleted,
      ds: p.ds.map(bytesToBase64),
      lastQueried: p.lastQueried,
      lastSuccess: p.lastSuccess,
      queryFailed: p.queryFailed,
      queryInterval: p.queryInterval,
      retryTime: p.retryTime,
      nextRefresh: p.nextRefresh,
      keys: p.keys.map(keyJson),
    })),
  };
  return JSON.stringify(doc, null, 1) + '\n';
}

// ---- Decoding (every field checked: the file may be damaged) ---------------------------------

function bad(message: string): never {
  throw new AnchordError(ErrorCode.State, message);
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function time(o: Record<string, unknown>, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TIME) bad(`${what}.${key} is not a time`);
  return v;
}

function int(o: Record<string, unknown>, key: string, what: string, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) bad(`${what}.${key} is not an integer 0..${max}`);
  return v;
}

function bytes(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string' || v.length > 8192) bad(`${what} is not base64`);
  try {
    return base64ToBytes(v);
  } catch {
    bad(`${what} is not base64`);
  }
}

function decodeKey(v: unknown, what: string): TrackedKey {
  const o = record(v, what);
  const state = o['state'];
  if (typeof state !== 'string' || !STATES.includes(state)) bad(`${what}.state is not a key state`);
  const rdata = bytes(o['dnskey'], `${what}.dnskey`);
  if (rdata.length < 5) bad(`${what}.dnskey is too short`);
  const tag = int(o, 'tag', what, 65535);
  if (keyTag(rdata) !== tag) bad(`${what}.tag ${tag} is not the key's tag ${keyTag(rdata)}`);
  const algorithm = int(o, 'algorithm', what, 255);
  if (rdata[3] !== algorithm) bad(`${what}.algorithm is not the key's`);
  const k: TrackedKey = {
    rdata,
    tag,
    algorithm,
    state: state as KeyState,
    firstSeen: time(o, 'firstSeen', what),
    lastSeen: time(o, 'lastSeen', what),
    lastChange: time(o, 'lastChange', what),
    sightings: int(o, 'sightings', what, 1_000_000),
  };
  if (o['holdDownEnd'] !== undefined) return { ...k, holdDownEnd: time(o, 'holdDownEnd', what) };
  if (k.state === KeyState.AddPend || k.state === KeyState.Revoked) bad(`${what} is ${k.state} without holdDownEnd`);
  return k;
}

function decodePoint(v: unknown, what: string): TrustPointState {
  const o = record(v, what);
  const zoneText = o['zone'];
  if (typeof zoneText !== 'string') bad(`${what}.zone is not a name`);
  let zone: Name;
  try {
    zone = Name.parse(zoneText);
  } catch {
    bad(`${what}.zone "${zoneText.slice(0, 80)}" is not a name`);
  }
  const deleted = o['deleted'];
  if (typeof deleted !== 'boolean') bad(`${what}.deleted is not a boolean`);
  const dsList = o['ds'];
  const keyList = o['keys'];
  if (!Array.isArray(dsList) || dsList.length > MAX_KEYS) bad(`${what}.ds is not a list`);
  if (!Array.isArray(keyList) || keyList.length > MAX_KEYS) bad(`${what}.keys is not a list`);
  const ds = dsList.map((d, i) => {
    const b = bytes(d, `${what}.ds[${i}]`);
    if (b.length < 5) bad(`${what}.ds[${i}] is too short`);
    return b;
  });
  const keys = keyList.map((k, i) => decodeKey(k, `${what}.keys[${i}]`));
  const p: TrustPointState = {
    zone,
    deleted,
    ds,
    keys,
    lastQueried: time(o, 'lastQueried', what),
    lastSuccess: time(o, 'lastSuccess', what),
    queryFailed: int(o, 'queryFailed', what, 1_000_000),
    queryInterval: int(o, 'queryInterval', what, 365 * 86400),
    retryTime: int(o, 'retryTime', what, 365 * 86400),
    nextRefresh: time(o, 'nextRefresh', what),
  };
  if (!deleted && ds.length === 0 && !keys.some((k) => k.state === KeyState.Valid || k.state === KeyState.Missing)) {
    bad(`${what} (${zone.toString()}) has no trusted key`);
  }
  return p;
}

/** Parses a state file's text. Throws AnchordError (ERR_STATE) saying what is wrong. */
export function parseTrustAnchorState(text: string): TrustPointState[] {
  if (text.length === 0) bad('the file is empty');
  if (text.length > MAX_STATE_FILE_BYTES) bad(`the file is larger than ${MAX_STATE_FILE_BYTES} bytes`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    bad(`not JSON (${(e as Error).message.slice(0, 120)}); truncated?`);
  }
  const o = record(doc, 'the file');
  const version = o['version'];
  if (version !== STATE_FILE_VERSION) {
    bad(`version ${version === undefined ? 'missing' : typeof version === 'number' || typeof version === 'string' ? String(version).slice(0, 20) : typeof version}, expected ${STATE_FILE_VERSION}`);
  }
  const list = o['trustPoints'];
  if (!Array.isArray(list) || list.length > MAX_TRUST_POINTS) bad('trustPoints is not a list');
  const points = list.map((p, i) => decodePoint(p, `trustPoints[${i}]`));
  const seen = new Set<string>();
  for (const p of points) {
    if (seen.has(p.zone.key)) bad(`${p.zone.toString()} appears twice`);
    seen.add(p.zone.key);
  }
  return points;
}

// ---- Files (atomic-file.ts) ------------------------------------------------------------------

export type StateLoad =
  /** No state file yet: start from the configured anchors. */
  | { readonly kind: 'absent' }
  | { readonly kind: 'loaded'; readonly points: readonly TrustPointState[] }
  /** A damaged or unreadable file: start from the configured anchors (the reason was logged). */
  | { readonly kind: 'unusable'; readonly reason: string };

/** Reads the state file; never throws (module header). */
export function loadTrustAnchorState(path: string): StateLoad {
  const stale = removeStaleTemps(path);
  if (stale > 0) publishLog({ level: 'info', msg: 'trust anchors: removed temp files an interrupted write left', file: path, count: stale });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    const reason = `cannot read the file (${code ?? (e as Error).message})`;
    publishLog({ level: 'error', msg: `trust anchors: state file ${path} unusable: ${reason}; using the configured trust anchors`, file: path });
    return { kind: 'unusable', reason };
  }
  try {
    return { kind: 'loaded', points: parseTrustAnchorState(text) };
  } catch (e) {
    const reason = e instanceof AnchordError ? e.message : String(e);
    publishLog({ level: 'error', msg: `trust anchors: state file ${path} unusable: ${reason}; using the configured trust anchors`, file: path });
    return { kind: 'unusable', reason };
  }
}

/** Saves the state atomically. Throws on I/O errors (the caller logs and keeps going). */
export async function saveTrustAnchorState(path: string, points: readonly TrustPointState[], now: number): Promise<void> {
  const text = serializeTrustAnchorState(points, now);
  await writeAtomic(path, (write) => {
    write(text);
    return Promise.resolve();
  });
}
