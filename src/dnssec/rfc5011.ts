// Automated updates of DNSSEC trust anchors (RFC 5011): the per-trust-point state machine that
// `initial-key` / `initial-ds` anchors follow. Pure: the DNSKEY RRset of the trust point, fetched
// by the edge (server/trust-anchor-manager.ts), and the time come in; the new state, the keys to
// trust and the next refresh time come out.
//
// Keys (RFC 5011 §4.2): each SEP key of the trust point is in one of Start, AddPend, Valid,
// Missing, Revoked, Removed. Valid and Missing keys are the trust anchors; so are `initial-ds`
// DS records until a key they designate has been seen (then the DS is retired, as BIND and
// Unbound do). Transitions (RFC 5011 §4.1 events, in our words):
// - NewKey, Start → AddPend: a validated RRset holds a SEP key we do not know. The add hold-down
//   starts: 30 days or the RRset's original TTL, whichever is longer (§2.4.1).
// - KeyRem, AddPend → Start: the key left before its hold-down ended; it is not trusted, and if it
//   comes back its hold-down starts again. A Start key not seen again is forgotten.
// - AddTime, AddPend → Valid: the hold-down passed and the key was seen in at least `minSightings`
//   validated RRsets (Unbound's MIN_PENDINGCOUNT sanity check; RFC 5011 §2.2 asks that the key be
//   seen "consistently"). Checked at every refresh, before the new RRset is judged (Unbound's
//   autr_holddown_exceed), so a key whose hold-down passed can validate the RRset that follows.
// - KeyRem, Valid → Missing; KeyPres, Missing → Valid. A Missing key stays trusted (§4.2).
// - Revbit, Valid/Missing → Revoked: the RRset holds the key with the REVOKE bit (RFC 5011 §2.1,
//   §3; its key tag is the old tag + 128 modulo the checksum, §7) and the RRset is signed by that
//   revoked key itself. The self-signature is the proof: it needs no other trusted key. A revoked
//   key never validates again (rrset-validator.ts refuses REVOKE keys), and it is never trusted
//   again, even if it reappears without the bit (§2.1 "MUST NOT use this key ... at any time in
//   the future"): that only restarts its remove hold-down (as Unbound). We also revoke an AddPend
//   key that proves its own revocation, where RFC 5011's table has no edge: it can then never be
//   trusted. Revoked keys are not trust anchors.
// - RemTime, Revoked → Removed: after the remove hold-down (30 days, §2.4.2). Removed keys are kept
//   (not forgotten, unlike Unbound) so that the key can never come back.
// Only an RRset validated by a currently trusted key (Valid/Missing key or pending initial DS)
// moves keys; revocation needs only the key's own signature; AddTime and RemTime are time.
//
// Keeping the resolver alive: a trusted key is never dropped except by its own revocation. Missing
// keys stay trusted; the optional `keepMissing` clean-up (Unbound's keep-missing) removes a key
// Missing that long only while some other SEP key is Valid, so the last valid key is never dropped
// without a successor. When every trust anchor of a trust point has proven its revocation, the
// trust point is deleted (RFC 5011 §5: "treated as if the trust point was never configured"), as
// Unbound does; `deleted` says so and `trustPointOf` then gives nothing.
//
// Active refresh (RFC 5011 §2.3): after a validated RRset,
//   queryInterval = MAX(1 hour, MIN(15 days, OrigTTL/2, RRSIG expiration interval/2))
//   retryTime     = MAX(1 hour, MIN(1 day,  OrigTTL/10, RRSIG expiration interval/10))
// where OrigTTL is the Original TTL of the RRSIGs over the DNSKEY RRset (signed, so an on-path
// cache cannot shorten or stretch it) and the expiration interval is the time left until the
// earliest of those RRSIGs expires (capped at 15 days, as Unbound). After a failed refresh
// (nothing fetched, or nothing that validates) the next one is retryTime later. A jitter fraction
// j in [0, 1) given by the caller takes up to 10% off the interval (Unbound waits 90-100%).
//
// State fields mirror Unbound's autotrust file (last_queried, last_success, next_probe_time,
// query_failed, query_interval, retry_time; per key state, count, lastchange) so a replay of
// Unbound's autotrust_* scenarios compares them field by field (UNBOUND_STATE_NUMBER).
//
// Pure module: signature checks through the SignatureVerifier passed in; no I/O, no clock.

import { RRType } from '../wire/constants.js';
import type { Name } from '../wire/name.js';
import { decodeTyped } from '../wire/rdata.js';
import type { RrsigData } from '../wire/rdata-schema.js';
import { bytesEqual } from '../wire/record.js';
import { dsDigestSupported, dsMatchesKey } from './ds.js';
import { keyTag } from './key-tag.js';
import { validateDnskeys, type TrustPoint } from './key-validator.js';
import {
  DEFAULT_VALIDATOR_OPTIONS,
  DnskeyFlag,
  ZoneKeySet,
  createValidationEnv,
  now32,
  parseDnskey,
  serialDiff,
  validateRRset,
  type SignatureVerifier,
  type SignedRRset,
  type ValidatorOptions,
  type ZoneKey,
} from './rrset-validator.js';

export const KeyState = {
  Start: 'start',
  AddPend: 'addpend',
  Valid: 'valid',
  Missing: 'missing',
  Revoked: 'revoked',
  Removed: 'removed',
} as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

/** Unbound's numbers for the states (`;;state=N` in its autotrust files). */
export const UNBOUND_STATE_NUMBER: Readonly<Record<KeyState, number>> = Object.freeze({
  start: 0,
  addpend: 1,
  valid: 2,
  missing: 3,
  revoked: 4,
  removed: 5,
});

const DAY = 86_400;
const HOUR = 3_600;

export interface Rfc5011Params {
  /** Add hold-down, seconds (RFC 5011 §2.4.1: 30 days). */
  readonly addHoldDown: number;
  /** Remove hold-down, seconds (RFC 5011 §2.4.2: 30 days). */
  readonly removeHoldDown: number;
  /** Remove a key Missing this long while another SEP key is Valid; 0 keeps it forever. */
  readonly keepMissing: number;
  /** Validated sightings an AddPend key needs before AddTime can make it Valid. */
  readonly minSightings: number;
  /** Most keys tracked per trust point; new keys beyond it are ignored (RFC 5011 §2.4.3 asks for 5). */
  readonly maxKeys: number;
}

export const DEFAULT_RFC5011_PARAMS: Rfc5011Params = Object.freeze({
  addHoldDown: 30 * DAY,
  removeHoldDown: 30 * DAY,
  keepMissing: 0,
  minSightings: 2,
  maxKeys: 32,
});

/** Complete, checked parameters. Throws RangeError for out-of-range values. */
export function rfc5011Params(init: Partial<Rfc5011Params> = {}): Rfc5011Params {
  const p = { ...DEFAULT_RFC5011_PARAMS, ...init };
  const check = (name: string, v: number, min: number, max: number): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${v}`);
  };
  check('addHoldDown', p.addHoldDown, 0, 10 * 365 * DAY);
  check('removeHoldDown', p.removeHoldDown, 0, 10 * 365 * DAY);
  check('keepMissing', p.keepMissing, 0, 10 * 365 * DAY);
  check('minSightings', p.minSightings, 1, 250);
  check('maxKeys', p.maxKeys, 5, 1000);
  return Object.freeze(p);
}

export interface TrackedKey {
  /** DNSKEY RDATA; with the REVOKE bit once the key is Revoked (as the zone publishes it then). */
  readonly rdata: Uint8Array;
  /** Key tag of `rdata`. */
  readonly tag: number;
  readonly algorithm: number;
  readonly state: KeyState;
  /** When the key entered its state or its hold-down restarted (Unbound's lastchange); 0: configured, not yet seen. */
  readonly lastChange: number;
  /** First and last time a validated RRset held the key (seconds; 0: never). */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Validated sightings while AddPend (Unbound's count); 0 in other states. */
  readonly sightings: number;
  /** AddPend: end of the add hold-down; Revoked: end of the remove hold-down. */
  readonly holdDownEnd?: number;
}

export interface TrustPointState {
  readonly zone: Name;
  readonly keys: readonly TrackedKey[];
  /** `initial-ds` anchors not yet retired (trusted until a key they designate is Valid). */
  readonly ds: readonly Uint8Array[];
  /** Times in seconds since the epoch; 0: never. */
  readonly lastQueried: number;
  readonly lastSuccess: number;
  /** Failed refreshes since the last success (counted once there has been a success). */
  readonly queryFailed: number;
  readonly queryInterval: number;
  readonly retryTime: number;
  /** When to refresh next; 0: now. */
  readonly nextRefresh: number;
  /** Every trust anchor revoked itself: the trust point is gone (RFC 5011 §5). */
  readonly deleted: boolean;
}

/** A configured anchor that RFC 5011 manages: BIND's initial-key / initial-ds. */
export interface InitialAnchor {
  readonly type: 'initial-key' | 'initial-ds';
  /** DNSKEY RDATA for initial-key, DS RDATA for initial-ds. */
  readonly rdata: Uint8Array;
}

export interface KeyChange {
  readonly tag: number;
  readonly algorithm: number;
  readonly from: KeyState | 'new';
  readonly to: KeyState | 'forgotten';
}

export interface ObserveEnv {
  readonly verifier: SignatureVerifier;
  readonly validator?: ValidatorOptions;
  readonly params?: Rfc5011Params;
  /** Fraction in [0, 1) taken off up to 10% of the interval to the next refresh. Default 0. */
  readonly jitter?: number;
}

export type RefreshOutcome =
  /** The RRset validated; states moved. */
  | 'updated'
  /** Nothing fetched, or nothing that validates with a trusted key: retry later. */
  | 'failed'
  /** The trust point is deleted: all its anchors are revoked. */
  | 'deleted';

export interface RefreshResult {
  readonly state: TrustPointState;
  readonly outcome: RefreshOutcome;
  /** Why the RRset did not validate, for logs. */
  readonly detail?: string;
  readonly changes: readonly KeyChange[];
  /** The trust anchors now: what the validator should use; undefined once deleted. */
  readonly trustPoint: TrustPoint | undefined;
  readonly nextRefresh: number;
}

// ---- Construction and queries ----------------------------------------------------------------

/**
 * The state of a trust point before any refresh, from its configured initial-key / initial-ds
 * anchors (the first refresh is due at once).
 */
export function initialTrustPointState(zone: Name, anchors: readonly InitialAnchor[]): TrustPointState {
  const keys: TrackedKey[] = [];
  const ds: Uint8Array[] = [];
  for (const a of anchors) {
    if (a.type === 'initial-ds') {
      if (!ds.some((d) => bytesEqual(d, a.rdata))) ds.push(a.rdata);
      continue;
    }
    const k = parseDnskey(a.rdata);
    if (k === undefined || keys.some((t) => sameKey(t.rdata, a.rdata))) continue;
    const revoked = (k.flags & DnskeyFlag.REVOKE) !== 0;
    keys.push({
      rdata: a.rdata,
      tag: k.tag,
      algorithm: k.algorithm,
      state: revoked ? KeyState.Revoked : KeyState.Valid,
      lastChange: 0,
      firstSeen: 0,
      lastSeen: 0,
      sightings: 0,
    });
  }
  return {
    zone,
    keys,
    ds,
    lastQueried: 0,
    lastSuccess: 0,
    queryFailed: 0,
    queryInterval: HOUR,
    retryTime: HOUR,
    nextRefresh: 0,
    deleted: false,
  };
}

function isTrustedState(s: KeyState): boolean {
  return s === KeyState.Valid || s === KeyState.Missing;
}

/** The trust anchors of the trust point for the validator; undefined once it is deleted. */
export function trustPointOf(state: TrustPointState): TrustPoint | undefined {
  if (state.deleted) return undefined;
  const dnskeys = state.keys.filter((k) => isTrustedState(k.state)).map((k) => k.rdata);
  return dnskeys.length > 0 ? { zone: state.zone, ds: state.ds, dnskeys } : { zone: state.zone, ds: state.ds };
}

/** Key tags of the trusted keys (and pending initial DS records), as RFC 8145 signals them. */
export function trustedKeyTags(state: TrustPointState): number[] {
  if (state.deleted) return [];
  const tags = new Set<number>();
  for (const k of state.keys) if (isTrustedState(k.state)) tags.add(k.tag);
  for (const d of state.ds) if (d.length >= 2) tags.add((d[0]! << 8) | d[1]!);
  return [...tags].sort((a, b) => a - b);
}

/** When the key's next timed event is due (hold-down end, keep-missing end), if it has one. */
export function keyEventTime(k: TrackedKey, params: Rfc5011Params = DEFAULT_RFC5011_PARAMS): number | undefined {
  switch (k.state) {
    case KeyState.AddPend:
    case KeyState.Revoked:
      return k.holdDownEnd;
    case KeyState.Missing:
      return params.keepMissing > 0 && k.lastChange > 0 ? k.lastChange + params.keepMissing : undefined;
    default:
      return undefined;
  }
}

// ---- Key comparison --------------------------------------------------------------------------

/** Same key, whatever the REVOKE bit (RFC 5011 §2.1: revoking changes only that flag). */
export function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length || a.length < 4) return false;
  if (a[0] !== b[0] || (a[1]! | DnskeyFlag.REVOKE) !== (b[1]! | DnskeyFlag.REVOKE)) return false;
  for (let i = 2; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isSep(rdata: Uint8Array): boolean {
  return rdata.length >= 4 && (rdata[1]! & DnskeyFlag.SEP) !== 0;
}

function isRevoked(rdata: Uint8Array): boolean {
  return rdata.length >= 4 && (rdata[1]! & DnskeyFlag.REVOKE) !== 0;
}

// ---- The refresh -----------------------------------------------------------------------------

interface Work {
  keys: TrackedKey[];
  changes: KeyChange[];
}

function setState(w: Work, i: number, to: KeyState, now: number, extra: Partial<TrackedKey> = {}): void {
  const k = w.keys[i]!;
  w.changes.push({ tag: k.tag, algorithm: k.algorithm, from: k.state, to });
  const { holdDownEnd: _h, ...rest } = k;
  // Only AddPend and Revoked keys have a hold-down; only AddPend keys count sightings.
  w.keys[i] = { ...rest, state: to, lastChange: now, sightings: to === KeyState.AddPend ? k.sightings : 0, ...extra };
}

/** AddTime: AddPend keys whose hold-down passed with enough sightings become Valid. */
function addTime(w: Work, now: number, params: Rfc5011Params): void {
  w.keys.forEach((k, i) => {
    if (k.state !== KeyState.AddPend || !isSep(k.rdata)) return;
    if (k.holdDownEnd !== undefined && now > k.holdDownEnd && k.sightings >= params.minSightings) setState(w, i, KeyState.Valid, now);
  });
}

function rrsigsOver(signed: SignedRRset): RrsigData[] {
  const out: RrsigData[] = [];
  for (const r of signed.rrsigs) {
    try {
      const d = decodeTyped(RRType.RRSIG, r);
      if (d.typeCovered === RRType.DNSKEY) out.push(d);
    } catch {
      // An undecodable RRSIG says nothing about times.
    }
  }
  return out;
}

/** True when `signed` carries a valid RRSIG made by the revoked key `rdata` itself. */
function selfSignedRevoked(signed: SignedRRset, zone: Name, rdata: Uint8Array, now: number, env: ObserveEnv): boolean {
  const k = parseDnskey(rdata);
  if (k === undefined) return false;
  // The validator refuses REVOKE keys for everything; this one check is exactly about the revoked
  // key, so the key is presented without the bit but under its revoked tag (the tag its RRSIG
  // carries, RFC 5011 §7).
  const probe: ZoneKey = { ...k, flags: k.flags & ~DnskeyFlag.REVOKE };
  const venv = createValidationEnv(now, env.verifier, env.validator ?? DEFAULT_VALIDATOR_OPTIONS);
  const v = validateRRset(venv, signed, new ZoneKeySet(zone, [probe]), env.verifier);
  return v.status === 'secure' && v.keyTag === k.tag;
}

function refreshTimes(signed: SignedRRset, now: number): { queryInterval: number; retryTime: number; origTtl: number } {
  const sigs = rrsigsOver(signed);
  let origTtl = signed.rrset.ttl;
  if (sigs.length > 0) origTtl = Math.min(...sigs.map((s) => s.originalTtl));
  let expiry = 15 * DAY;
  const n = now32(now);
  for (const s of sigs) {
    const left = serialDiff(s.expiration, n);
    if (left > 0 && left < expiry) expiry = left;
  }
  const queryInterval = Math.max(HOUR, Math.min(15 * DAY, Math.floor(origTtl / 2), Math.floor(expiry / 2)));
  const retryTime = Math.max(HOUR, Math.min(DAY, Math.floor(origTtl / 10), Math.floor(expiry / 10)));
  return { queryInterval, retryTime, origTtl };
}

function nextAfter(now: number, interval: number, jitter: number | undefined): number {
  const j = jitter === undefined || !(jitter >= 0 && jitter < 1) ? 0 : jitter;
  return now + interval - Math.floor((interval / 10) * j);
}

function result(state: TrustPointState, outcome: RefreshOutcome, changes: KeyChange[], detail?: string): RefreshResult {
  return {
    state,
    outcome,
    changes,
    trustPoint: trustPointOf(state),
    nextRefresh: state.nextRefresh,
    ...(detail === undefined ? {} : { detail }),
  };
}

function hasAnchors(keys: readonly TrackedKey[], ds: readonly Uint8Array[]): boolean {
  return ds.length > 0 || keys.some((k) => isTrustedState(k.state));
}

/**
 * A refresh that fetched nothing usable (no answer, or SERVFAIL): time events still run, and the
 * next refresh is retryTime away (RFC 5011 §2.3).
 */
export function refreshFailed(state: TrustPointState, now: number, env: Pick<ObserveEnv, 'params' | 'jitter'> = {}): RefreshResult {
  if (state.deleted) return result(state, 'deleted', []);
  const params = env.params ?? DEFAULT_RFC5011_PARAMS;
  const w: Work = { keys: [...state.keys], changes: [] };
  addTime(w, now, params);
  const next: TrustPointState = {
    ...state,
    keys: w.keys,
    lastQueried: now,
    queryFailed: state.lastSuccess > 0 ? Math.min(state.queryFailed + 1, 1_000_000) : state.queryFailed,
    nextRefresh: nextAfter(now, state.retryTime, env.jitter),
  };
  return result(next, 'failed', w.changes, 'no DNSKEY RRset fetched');
}

/**
 * One active refresh: `signed` is the trust point's DNSKEY RRset with its RRSIGs as fetched
 * (unvalidated; undefined when none came). Validates it against the current trust anchors and
 * moves the key states (module header).
 */
export function observe(state: TrustPointState, signed: SignedRRset | undefined, now: number, env: ObserveEnv): RefreshResult {
  if (state.deleted) return result(state, 'deleted', []);
  if (signed === undefined) return refreshFailed(state, now, env);
  const params = env.params ?? DEFAULT_RFC5011_PARAMS;
  const zone = state.zone;
  const w: Work = { keys: [...state.keys], changes: [] };

  // Time first: a key whose hold-down passed may validate this very RRset.
  addTime(w, now, params);

  const rrset = signed.rrset;
  const usable = rrset.type === RRType.DNSKEY && rrset.name.equals(zone);
  const rdatas = usable ? rrset.rdatas : [];

  // Revocations need only the key's own signature (RFC 5011 §2.1).
  for (const r of rdatas) {
    if (!isSep(r) || !isRevoked(r)) continue;
    const i = w.keys.findIndex((k) => sameKey(k.rdata, r));
    if (i < 0) continue;
    const k = w.keys[i]!;
    if (k.state === KeyState.Revoked || k.state === KeyState.Removed) continue;
    if (!selfSignedRevoked(signed, zone, r, now, env)) continue;
    setState(w, i, KeyState.Revoked, now, { rdata: r, tag: keyTag(r), holdDownEnd: now + params.removeHoldDown });
  }
  if (w.changes.some((c) => c.to === KeyState.Revoked) && !hasAnchors(w.keys, state.ds)) {
    // RFC 5011 §5: every anchor revoked itself; the trust point is deleted.
    const gone: TrustPointState = { ...state, keys: w.keys, lastQueried: now, lastSuccess: now, nextRefresh: 0, deleted: true };
    return result(gone, 'deleted', w.changes);
  }

  // Validate with what is trusted now (after the revocations above).
  const trust: TrustPoint = {
    zone,
    ds: state.ds,
    dnskeys: w.keys.filter((k) => isTrustedState(k.state)).map((k) => k.rdata),
  };
  const venv = createValidationEnv(now, env.verifier, env.validator ?? DEFAULT_VALIDATOR_OPTIONS);
  const verdict = usable ? validateDnskeys(venv, signed, trust, env.verifier) : undefined;
  if (verdict?.status !== 'secure') {
    const failed = refreshFailed({ ...state, keys: w.keys }, now, env);
    const detail =
      verdict === undefined
        ? `not the DNSKEY RRset of ${zone.toString()}`
        : verdict.status === 'bogus'
          ? `${verdict.reason.tag}: ${verdict.reason.detail}`
          : 'no usable trust anchor (unsupported algorithm or digest)';
    return { ...failed, changes: [...w.changes, ...failed.changes], detail };
  }

  const times = refreshTimes(signed, now);
  const canVerify = (alg: number): boolean => venv.canVerify(alg);

  // Which tracked keys this RRset holds; new SEP keys join (NewKey), or straight to Valid when a
  // pending initial DS designates them and they sign the RRset (the initial-ds bootstrap).
  const seen = new Set<number>();
  for (const r of rdatas) {
    if (!isSep(r) || isRevoked(r) || r.length < 5 || !canVerify(r[3]!)) continue;
    let i = w.keys.findIndex((k) => sameKey(k.rdata, r));
    if (i < 0) {
      if (w.keys.length >= params.maxKeys) continue;
      const tag = keyTag(r);
      const byDs = state.ds.some((d) => dsDigestSupported(d[3] ?? 0) && dsMatchesKey(d, zone, r)) && signsRRset(signed, zone, r, now, env);
      w.keys.push({ rdata: r, tag, algorithm: r[3]!, state: KeyState.Start, lastChange: 0, firstSeen: now, lastSeen: now, sightings: 0 });
      i = w.keys.length - 1;
      w.changes.push({ tag, algorithm: r[3]!, from: 'new', to: KeyState.Start });
      if (byDs) setState(w, i, KeyState.Valid, now);
    }
    const k = w.keys[i]!;
    w.keys[i] = { ...k, lastSeen: now, firstSeen: k.firstSeen === 0 ? now : k.firstSeen, sightings: Math.min(k.sightings + 1, 250) };
    seen.add(i);
  }

  // The state table for every SEP key (RFC 5011 §4).
  const holdDown = Math.max(params.addHoldDown, times.origTtl);
  for (let i = 0; i < w.keys.length; i++) {
    const k = w.keys[i]!;
    if (!isSep(k.rdata)) continue;
    const present = seen.has(i);
    switch (k.state) {
      case KeyState.Start:
        if (present) setState(w, i, KeyState.AddPend, now, { holdDownEnd: now + holdDown, sightings: k.sightings });
        break;
      case KeyState.AddPend:
        if (!present) setState(w, i, KeyState.Start, now);
        else if (k.holdDownEnd !== undefined && now > k.holdDownEnd && k.sightings >= params.minSightings) setState(w, i, KeyState.Valid, now);
        break;
      case KeyState.Valid:
        if (!present) setState(w, i, KeyState.Missing, now);
        else if (k.lastChange === 0) w.keys[i] = { ...k, lastChange: now };
        break;
      case KeyState.Missing:
        if (present) setState(w, i, KeyState.Valid, now);
        break;
      case KeyState.Revoked:
        // Published again without the bit: still revoked; the remove hold-down starts over.
        if (present) w.keys[i] = { ...k, lastChange: now, holdDownEnd: now + params.removeHoldDown };
        else if (k.holdDownEnd !== undefined && now > k.holdDownEnd) setState(w, i, KeyState.Removed, now);
        break;
      case KeyState.Removed:
        break;
    }
  }

  // Clean-up: configured non-SEP anchors (a ZSK given as initial-key) hand over to the SEP keys
  // (Unbound's init_zsk_to_ksk); keys Missing for keepMissing go, never the last valid one.
  let valid = w.keys.filter((k) => isSep(k.rdata) && k.state === KeyState.Valid).length;
  const configuredZsk = w.keys.some((k) => !isSep(k.rdata) && k.state === KeyState.Valid && k.lastChange === 0);
  if (valid === 0 && configuredZsk) {
    w.keys.forEach((k, i) => {
      if (isSep(k.rdata) && k.state === KeyState.AddPend) {
        setState(w, i, KeyState.Valid, now);
        valid++;
      }
    });
  }
  if (valid > 0) {
    w.keys.forEach((k, i) => {
      if (!isSep(k.rdata) && k.state !== KeyState.Removed) setState(w, i, KeyState.Removed, now);
      else if (k.state === KeyState.Missing && params.keepMissing > 0 && k.lastChange > 0 && now - k.lastChange > params.keepMissing) {
        setState(w, i, KeyState.Removed, now);
      }
    });
  }
  // A Start key that was already Start before this refresh and is still absent is forgotten;
  // sightings count only while AddPend.
  const keys: TrackedKey[] = [];
  w.keys.forEach((k, i) => {
    if (k.state === KeyState.Start && !seen.has(i) && k.lastChange < now) {
      w.changes.push({ tag: k.tag, algorithm: k.algorithm, from: KeyState.Start, to: 'forgotten' });
      return;
    }
    keys.push(k.state === KeyState.AddPend || k.sightings === 0 ? k : { ...k, sightings: 0 });
  });
  // initial-ds anchors retire once a key is Valid.
  const ds = keys.some((k) => isSep(k.rdata) && k.state === KeyState.Valid) ? [] : state.ds;
  const next: TrustPointState = {
    ...state,
    keys,
    ds,
    lastQueried: now,
    lastSuccess: now,
    queryFailed: 0,
    queryInterval: times.queryInterval,
    retryTime: times.retryTime,
    nextRefresh: nextAfter(now, times.queryInterval, env.jitter),
    deleted: false,
  };
  return result(next, 'updated', w.changes);
}

/** True when `signed` has a valid RRSIG by the (unrevoked) key `rdata`. */
function signsRRset(signed: SignedRRset, zone: Name, rdata: Uint8Array, now: number, env: ObserveEnv): boolean {
  const k = parseDnskey(rdata);
  if (k === undefined) return false;
  const venv = createValidationEnv(now, env.verifier, env.validator ?? DEFAULT_VALIDATOR_OPTIONS);
  const v = validateRRset(venv, signed, new ZoneKeySet(zone, [k]), env.verifier);
  return v.status === 'secure';
}
