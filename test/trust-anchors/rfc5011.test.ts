// The RFC 5011 state machine (src/dnssec/rfc5011.ts) in accelerated time: a fake "now" moved by
// days, DNSKEY RRsets signed for each moment by the keys a scenario chooses.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createValidationEnv } from '../../src/dnssec/rrset-validator.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import {
  KeyState,
  UNBOUND_STATE_NUMBER,
  initialTrustPointState,
  keyEventTime,
  observe,
  refreshFailed,
  rfc5011Params,
  trustPointOf,
  trustedKeyTags,
  type ObserveEnv,
  type RefreshResult,
  type TrustPointState,
} from '../../src/dnssec/rfc5011.js';
import type { SignedRRset } from '../../src/dnssec/rrset-validator.js';
import { Name } from '../../src/wire/name.js';
import { DAY, SimKey, dnskeySet, plain, revoked, type Published } from './helpers.js';

const ZONE = Name.parse('example.');
const T0 = Date.UTC(2026, 0, 1) / 1000;
const crypto = createNodeBackend();
const ENV: ObserveEnv = { verifier: crypto };

function stateOf(s: TrustPointState, key: SimKey): KeyState | undefined {
  return s.keys.find((k) => k.tag === key.tag() || k.tag === key.tag(true))?.state;
}

function keyOf(s: TrustPointState, key: SimKey) {
  const k = s.keys.find((x) => x.tag === key.tag() || x.tag === key.tag(true));
  assert.ok(k !== undefined, `key ${key.tag()} is tracked`);
  return k;
}

/** True when the trust point's current anchors validate `set` (what the resolver would do). */
function validates(s: TrustPointState, set: SignedRRset, now: number): boolean {
  const tp = trustPointOf(s);
  if (tp === undefined) return false;
  return validateDnskeys(createValidationEnv(now, crypto), set, tp, crypto).status === 'secure';
}

function start(...keys: SimKey[]): TrustPointState {
  return initialTrustPointState(
    ZONE,
    keys.map((k) => ({ type: 'initial-key' as const, rdata: k.rdata() })),
  );
}

/** Refreshes once a day from `from` (inclusive) for `days` days with the same published set. */
function daily(
  s: TrustPointState,
  from: number,
  days: number,
  keys: Published[],
  signers: Published[],
  env: ObserveEnv = ENV,
): { s: TrustPointState; last: RefreshResult } {
  let last: RefreshResult | undefined;
  for (let d = 0; d < days; d++) {
    const now = from + d * DAY;
    const set = dnskeySet(ZONE, keys, signers, now);
    last = observe(s, set, now, env);
    assert.equal(last.outcome, 'updated', `refresh on day ${(now - T0) / DAY}: ${last.detail ?? ''}`);
    s = last.state;
    assert.ok(validates(s, set, now), `the anchors validate the published set on day ${(now - T0) / DAY}`);
  }
  assert.ok(last !== undefined, 'at least one refresh');
  return { s, last };
}

test('a configured key is Valid; first refresh sets its lastChange and the RFC 5011 §2.3 timers', () => {
  const k1 = new SimKey();
  let s = start(k1);
  assert.equal(stateOf(s, k1), KeyState.Valid);
  assert.equal(keyOf(s, k1).lastChange, 0);
  assert.equal(s.nextRefresh, 0, 'first refresh due at once');
  const r = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0, { ttl: 10800 }), T0, ENV);
  s = r.state;
  assert.equal(r.outcome, 'updated');
  assert.equal(keyOf(s, k1).lastChange, T0);
  // TTL 10800: interval 5400, retry max(1 h, 1080) = 3600 (Unbound's autotrust files say the same).
  assert.equal(s.queryInterval, 5400);
  assert.equal(s.retryTime, 3600);
  assert.equal(s.nextRefresh, T0 + 5400);
  assert.equal(s.lastSuccess, T0);
  assert.equal(UNBOUND_STATE_NUMBER[keyOf(s, k1).state], 2);
  // Jitter takes up to 10% off.
  const j = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0, { ttl: 10800 }), T0, { ...ENV, jitter: 0.5 });
  assert.equal(j.nextRefresh, T0 + 5400 - 270);
});

test('refresh timer: signature expiry and the 15-day / 1-day caps (RFC 5011 §2.3)', () => {
  const k1 = new SimKey();
  // Long TTL, signatures expire in 2 hours (validity counted from now - 1 day): interval 1 h.
  const a = observe(start(k1), dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0, { ttl: 86400 * 60, validity: DAY + 7200 }), T0, ENV).state;
  assert.equal(a.queryInterval, 3600);
  assert.equal(a.retryTime, 3600);
  // Huge TTL and validity: 15 days and 1 day caps... the expiry cap is 15 days, so half of it.
  const b = observe(start(k1), dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0, { ttl: 86400 * 90, validity: 200 * DAY }), T0, ENV).state;
  assert.equal(b.queryInterval, (15 * DAY) / 2);
  assert.equal(b.retryTime, DAY);
});

test('failed refreshes retry after retryTime and count only once there was a success', () => {
  const k1 = new SimKey();
  const other = new SimKey();
  let s = start(k1);
  let r = refreshFailed(s, T0);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.state.queryFailed, 0, 'no success yet: not counted (Unbound)');
  assert.equal(r.nextRefresh, T0 + 3600);
  s = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0, { ttl: 10800 }), T0, ENV).state;
  // Signed by a key nobody trusts: bogus, so a failed refresh.
  r = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(other)], T0 + 5400, { ttl: 10800 }), T0 + 5400, ENV);
  assert.equal(r.outcome, 'failed');
  assert.ok(r.detail !== undefined && r.detail.length > 0, 'a reason is given');
  assert.equal(r.state.queryFailed, 1);
  assert.equal(r.state.lastQueried, T0 + 5400);
  assert.equal(r.state.lastSuccess, T0);
  assert.equal(r.nextRefresh, T0 + 5400 + 3600);
  assert.equal(stateOf(r.state, k1), KeyState.Valid, 'nothing moved');
  r = observe(r.state, undefined, T0 + 9000, ENV);
  assert.equal(r.state.queryFailed, 2);
});

test('standby key: AddPend, then Valid after the 30-day add hold-down; old key revoked, then Removed', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  let s = start(k1);
  ({ s } = daily(s, T0, 10, [plain(k1)], [plain(k1)]));
  // Day 10: the standby key is published, signed by the old one.
  const pub = T0 + 10 * DAY;
  let r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], pub), pub, ENV);
  s = r.state;
  assert.equal(stateOf(s, k2), KeyState.AddPend);
  assert.deepEqual(r.changes.map((c) => [c.tag, c.from, c.to]), [
    [k2.tag(), 'new', KeyState.Start],
    [k2.tag(), KeyState.Start, KeyState.AddPend],
  ]);
  assert.equal(keyOf(s, k2).sightings, 1);
  assert.equal(keyOf(s, k2).holdDownEnd, pub + 30 * DAY);
  assert.equal(keyEventTime(keyOf(s, k2)), pub + 30 * DAY);
  assert.deepEqual(trustedKeyTags(s), [k1.tag()], 'an AddPend key is not trusted');
  // Daily for 30 days: still AddPend at exactly 30 days (the hold-down must have passed).
  ({ s } = daily(s, pub + DAY, 30, [plain(k1), plain(k2)], [plain(k1)]));
  assert.equal(stateOf(s, k2), KeyState.AddPend, 'not before the hold-down has passed');
  r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], pub + 30 * DAY + 1), pub + 30 * DAY + 1, ENV);
  s = r.state;
  assert.equal(stateOf(s, k2), KeyState.Valid);
  assert.equal(keyOf(s, k2).sightings, 0);
  assert.deepEqual(trustedKeyTags(s), [k1.tag(), k2.tag()].sort((a, b) => a - b));
  // The zone switches to signing with the new key only.
  const roll = pub + 40 * DAY;
  ({ s } = daily(s, roll, 5, [plain(k1), plain(k2)], [plain(k2)]));
  // The old key is revoked: published with the REVOKE bit, self-signed, and signed by the new key.
  const rev = roll + 5 * DAY;
  r = observe(s, dnskeySet(ZONE, [revoked(k1), plain(k2)], [revoked(k1), plain(k2)], rev), rev, ENV);
  s = r.state;
  assert.equal(r.outcome, 'updated');
  assert.equal(stateOf(s, k1), KeyState.Revoked);
  assert.equal(keyOf(s, k1).tag, k1.tag(true), 'the tracked key now carries its revoked tag');
  assert.notEqual(k1.tag(true), k1.tag());
  assert.equal(keyOf(s, k1).holdDownEnd, rev + 30 * DAY);
  assert.deepEqual(trustedKeyTags(s), [k2.tag()]);
  // The revoked key stays published for the remove hold-down, then goes.
  ({ s } = daily(s, rev + DAY, 30, [revoked(k1), plain(k2)], [revoked(k1), plain(k2)]));
  assert.equal(stateOf(s, k1), KeyState.Revoked, 'still within the remove hold-down');
  r = observe(s, dnskeySet(ZONE, [plain(k2)], [plain(k2)], rev + 31 * DAY + 1), rev + 31 * DAY + 1, ENV);
  s = r.state;
  assert.equal(stateOf(s, k1), KeyState.Removed);
  assert.deepEqual(trustedKeyTags(s), [k2.tag()]);
  assert.equal(UNBOUND_STATE_NUMBER[KeyState.Removed], 5);
});

test('a key that disappears before its hold-down ends goes back to Start and is never trusted', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  let s = start(k1);
  ({ s } = daily(s, T0, 20, [plain(k1), plain(k2)], [plain(k1)]));
  assert.equal(stateOf(s, k2), KeyState.AddPend);
  // Gone on day 20.
  let r = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0 + 20 * DAY), T0 + 20 * DAY, ENV);
  s = r.state;
  assert.equal(stateOf(s, k2), KeyState.Start);
  assert.ok(r.changes.some((c) => c.tag === k2.tag() && c.from === KeyState.AddPend && c.to === KeyState.Start), 'KeyRem reported');
  // A set signed only by it does not validate and moves nothing.
  r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k2)], T0 + 21 * DAY), T0 + 21 * DAY, ENV);
  assert.equal(r.outcome, 'failed');
  // Still absent at the next refresh: forgotten.
  r = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0 + 22 * DAY), T0 + 22 * DAY, ENV);
  s = r.state;
  assert.equal(stateOf(s, k2), undefined);
  // Back again well after the original hold-down would have ended: a fresh 30 days.
  const back = T0 + 40 * DAY;
  s = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], back), back, ENV).state;
  assert.equal(stateOf(s, k2), KeyState.AddPend);
  assert.equal(keyOf(s, k2).holdDownEnd, back + 30 * DAY);
  ({ s } = daily(s, back + DAY, 29, [plain(k1), plain(k2)], [plain(k1)]));
  assert.equal(stateOf(s, k2), KeyState.AddPend);
  assert.deepEqual(trustedKeyTags(s), [k1.tag()]);
});

test('AddTime needs two validated sightings (Unbound addpend_once) and the add hold-down covers a longer TTL', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  let s = observe(start(k1), dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], T0), T0, ENV).state;
  assert.equal(keyOf(s, k2).sightings, 1);
  // 31 days later the set is signed only by the new key: time alone would make it Valid, but it
  // was seen once; the refresh fails and it stays AddPend.
  const later = T0 + 31 * DAY;
  const r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k2)], later), later, ENV);
  assert.equal(r.outcome, 'failed');
  assert.equal(stateOf(r.state, k2), KeyState.AddPend);
  // Seen twice: time alone promotes it before the set is judged, so the new key validates.
  s = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], T0 + DAY), T0 + DAY, ENV).state;
  const r2 = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k2)], later), later, ENV);
  assert.equal(r2.outcome, 'updated');
  assert.equal(stateOf(r2.state, k2), KeyState.Valid);
  // RFC 5011 §2.4.1: hold-down is the longer of 30 days and the original TTL.
  const k3 = new SimKey();
  const t = observe(start(k1), dnskeySet(ZONE, [plain(k1), plain(k3)], [plain(k1)], T0, { ttl: 40 * DAY, validity: 90 * DAY }), T0, ENV).state;
  assert.equal(keyOf(t, k3).holdDownEnd, T0 + 40 * DAY);
});

test('a revoked key reappearing without the REVOKE bit is never trusted again', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  let s = start(k1, k2);
  ({ s } = daily(s, T0, 2, [plain(k1), plain(k2)], [plain(k1), plain(k2)]));
  const rev = T0 + 2 * DAY;
  s = observe(s, dnskeySet(ZONE, [revoked(k1), plain(k2)], [revoked(k1), plain(k2)], rev), rev, ENV).state;
  assert.equal(stateOf(s, k1), KeyState.Revoked);
  // The plain key is back and signs alone: not trusted, the refresh fails.
  const back = rev + 10 * DAY;
  let r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], back), back, ENV);
  assert.equal(r.outcome, 'failed');
  assert.equal(stateOf(r.state, k1), KeyState.Revoked);
  // Back and the set is signed by k2 too: still Revoked, and the remove hold-down starts over.
  r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1), plain(k2)], back), back, ENV);
  s = r.state;
  assert.equal(r.outcome, 'updated');
  assert.equal(stateOf(s, k1), KeyState.Revoked);
  assert.equal(keyOf(s, k1).holdDownEnd, back + 30 * DAY);
  assert.deepEqual(trustedKeyTags(s), [k2.tag()]);
  // Even after Removed it cannot come back.
  ({ s } = daily(s, back + DAY, 32, [plain(k2)], [plain(k2)]));
  assert.equal(stateOf(s, k1), KeyState.Removed);
  ({ s } = daily(s, back + 40 * DAY, 40, [plain(k1), plain(k2)], [plain(k2)]));
  assert.equal(stateOf(s, k1), KeyState.Removed);
  assert.deepEqual(trustedKeyTags(s), [k2.tag()]);
});

test('a revocation needs a valid self-signature by the revoked key', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  let s = start(k1, k2);
  s = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], T0), T0, ENV).state;
  // The REVOKE bit shown, but signed only by k2: an attacker holding k2 cannot revoke k1.
  let r = observe(s, dnskeySet(ZONE, [revoked(k1), plain(k2)], [plain(k2)], T0 + DAY), T0 + DAY, ENV);
  assert.equal(stateOf(r.state, k1), KeyState.Missing, 'absent in plain form: Missing, still trusted');
  assert.deepEqual(trustedKeyTags(r.state), [k1.tag(), k2.tag()].sort((a, b) => a - b));
  // A broken self-signature proves nothing either.
  const set = dnskeySet(ZONE, [revoked(k1), plain(k2)], [plain(k2)], T0 + DAY);
  const bad = dnskeySet(ZONE, [revoked(k1), plain(k2)], [revoked(k1)], T0 + DAY, { corrupt: true });
  r = observe(s, { rrset: set.rrset, rrsigs: [...set.rrsigs, ...bad.rrsigs] }, T0 + DAY, ENV);
  assert.notEqual(stateOf(r.state, k1), KeyState.Revoked);
});

test('the last valid key is kept: Missing keys stay trusted; keep-missing never drops the last', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  const params = rfc5011Params({ keepMissing: 10 * DAY });
  const env: ObserveEnv = { ...ENV, params };
  let s = start(k1);
  s = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0), T0, env).state;
  // k1 vanishes from the set but still signs it (an operator mistake): Missing, still trusted.
  for (let d = 1; d <= 20; d++) {
    const now = T0 + d * DAY;
    const set = dnskeySet(ZONE, [plain(k2)], [plain(k1)], now);
    const r = observe(s, set, now, env);
    assert.equal(r.outcome, 'updated', `day ${d}`);
    s = r.state;
    assert.ok(validates(s, set, now), `day ${d}: still validating`);
  }
  assert.equal(stateOf(s, k1), KeyState.Missing, 'kept past keep-missing: no other valid key');
  assert.equal(stateOf(s, k2), KeyState.AddPend);
  // A bogus set (signed by nobody trusted) does not remove anything either.
  const r = observe(s, dnskeySet(ZONE, [plain(k2)], [plain(k2)], T0 + 21 * DAY), T0 + 21 * DAY, env);
  assert.equal(r.outcome, 'failed');
  assert.deepEqual(trustedKeyTags(r.state), [k1.tag()]);
  // Once k2 is Valid, the long-missing k1 is cleaned up.
  ({ s } = daily(s, T0 + 21 * DAY, 15, [plain(k2)], [plain(k1), plain(k2)], env));
  assert.equal(stateOf(s, k2), KeyState.Valid);
  assert.equal(stateOf(s, k1), KeyState.Removed);
  assert.deepEqual(trustedKeyTags(s), [k2.tag()]);
});

test('initial-ds: the first validated set designated by the DS turns into key state', () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  const wrong = new SimKey();
  let s = initialTrustPointState(ZONE, [{ type: 'initial-ds', rdata: k1.ds(ZONE) }]);
  assert.deepEqual(trustedKeyTags(s), [k1.tag()]);
  assert.deepEqual(trustPointOf(s)?.ds, [k1.ds(ZONE)]);
  // A set the DS does not designate fails and keeps the DS.
  let r = observe(s, dnskeySet(ZONE, [plain(wrong)], [plain(wrong)], T0), T0, ENV);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.state.ds.length, 1);
  r = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], T0), T0, ENV);
  s = r.state;
  assert.equal(r.outcome, 'updated');
  assert.equal(stateOf(s, k1), KeyState.Valid, 'designated by the DS and signing: Valid at once');
  assert.equal(keyOf(s, k1).lastChange, T0);
  assert.equal(stateOf(s, k2), KeyState.AddPend, 'the other key waits out the hold-down');
  assert.equal(s.ds.length, 0, 'the DS is retired');
  assert.deepEqual(trustPointOf(s)?.dnskeys, [k1.rdata()]);
});

test('a configured ZSK hands over to the zone KSKs at once (Unbound init_zsk_to_ksk)', () => {
  const zsk = new SimKey(256);
  const ksk = new SimKey(257);
  const s0 = initialTrustPointState(ZONE, [{ type: 'initial-key', rdata: zsk.rdata() }]);
  const r = observe(s0, dnskeySet(ZONE, [plain(ksk), plain(zsk)], [plain(zsk), plain(ksk)], T0), T0, ENV);
  assert.equal(r.outcome, 'updated');
  assert.equal(stateOf(r.state, ksk), KeyState.Valid);
  assert.equal(stateOf(r.state, zsk), KeyState.Removed);
  assert.deepEqual(trustedKeyTags(r.state), [ksk.tag()]);
});

test('every anchor revoked: the trust point is deleted (RFC 5011 §5)', () => {
  const k1 = new SimKey();
  let s = start(k1);
  s = observe(s, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0), T0, ENV).state;
  const r = observe(s, dnskeySet(ZONE, [revoked(k1)], [revoked(k1)], T0 + DAY), T0 + DAY, ENV);
  assert.equal(r.outcome, 'deleted');
  assert.equal(r.state.deleted, true);
  assert.equal(r.trustPoint, undefined);
  assert.deepEqual(trustedKeyTags(r.state), []);
  assert.equal(observe(r.state, dnskeySet(ZONE, [plain(k1)], [plain(k1)], T0 + 2 * DAY), T0 + 2 * DAY, ENV).outcome, 'deleted');
});

test('hostile sets: wrong owner, many new keys (bounded), unsupported algorithms', () => {
  const k1 = new SimKey();
  let s = start(k1);
  const other = dnskeySet(Name.parse('other.'), [plain(k1)], [plain(k1)], T0);
  assert.equal(observe(s, other, T0, ENV).outcome, 'failed');
  const many = Array.from({ length: 40 }, () => new SimKey());
  const r = observe(s, dnskeySet(ZONE, [plain(k1), ...many.map(plain)], [plain(k1)], T0), T0, ENV);
  s = r.state;
  assert.equal(s.keys.length, 32, 'tracked keys bounded by maxKeys');
  assert.equal(stateOf(s, k1), KeyState.Valid);
});
