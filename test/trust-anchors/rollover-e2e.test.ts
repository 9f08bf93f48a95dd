// End to end: a simulated root (sim-root.ts: our signer and authoritative server on loopback) rolls
// its KSK the RFC 5011 way (RFC 5011 §6.3), in accelerated time: a standby key is published, waits
// out the 30-day add hold-down, takes over signing, the old key is revoked, kept published through
// the remove hold-down and deleted. The TrustAnchorManager refreshes through a real Resolver when
// each refresh falls due (fake clock), saves its state file, and keeps the resolver's anchors
// current; at every step the resolver validates the root DNSKEY RRset and SOA. Variants: a restart
// in the middle of the hold-down, a key that leaves before its hold-down ends, a revoked key
// reappearing unrevoked, and a state file truncated to zero bytes.
import { strict as assert } from 'node:assert';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { Channel } from '../../src/core/diagnostics.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import { KeyState, rfc5011Params, type TrustPointState } from '../../src/dnssec/rfc5011.js';
import { createValidationEnv } from '../../src/dnssec/rrset-validator.js';
import { sentinelDecision } from '../../src/dnssec/trust-anchor-signal.js';
import type { Resolver } from '../../src/resolver/resolver.js';
import { LiveTrustAnchors, TrustAnchorManager, resolverDnskeyFetcher } from '../../src/server/trust-anchor-manager.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { SimRoot, dsOf, simKey, simResolver, type SimKey } from './sim-root.js';

const DAY = 86_400;
const T0 = Date.UTC(2026, 9, 1) / 1000;
const crypto = createNodeBackend();
const dir = mkdtempSync(join(tmpdir(), 'anchord-ta-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Setup {
  readonly root: SimRoot;
  readonly clock: ManualClock;
  ksk1: SimKey;
  ksk2: SimKey;
  manager: TrustAnchorManager;
  resolver: Resolver;
  live: LiveTrustAnchors;
  readonly stateFile: string;
  readonly queried: string[];
}

/** The rollover plan (days from T0): KSK2 published day 10, signs from day 50 when KSK1 stops; KSK1 revoked day 60, deleted day 100. */
function rolloverKeys(extra: SimKey[] = []): { ksk1: SimKey; ksk2: SimKey; all: SimKey[] } {
  const ksk1 = simKey('ksk1', 257, { publish: T0 - 400 * DAY, activate: T0 - 400 * DAY, inactive: T0 + 50 * DAY, revoke: T0 + 60 * DAY, delete: T0 + 100 * DAY });
  const ksk2 = simKey('ksk2', 257, { publish: T0 + 10 * DAY, activate: T0 + 50 * DAY });
  const zsk = simKey('zsk', 256, { publish: T0 - 400 * DAY, activate: T0 - 400 * DAY });
  return { ksk1, ksk2, all: [ksk1, ksk2, zsk, ...extra] };
}

function startManager(s: { clock: ManualClock; stateFile: string; root: SimRoot }, ksk1: SimKey): { manager: TrustAnchorManager; resolver: Resolver; live: LiveTrustAnchors } {
  const live = new LiveTrustAnchors();
  const resolver = simResolver(s.root.port, s.clock, live.list);
  const manager = new TrustAnchorManager({
    statics: [],
    // The root as BIND's bind.keys configures it: initial-ds of the key in force.
    managed: [{ zone: Name.ROOT, anchors: [{ type: 'initial-ds', rdata: dsOf(ksk1) }] }],
    stateFile: s.stateFile,
    params: rfc5011Params({}),
    fetcher: resolverDnskeyFetcher(resolver),
    sink: live,
    verifier: crypto,
    clock: s.clock,
    timers: null,
  });
  manager.start();
  // As the product wires it: DNSKEY RRsets the resolver primes go to the manager too.
  manager.attachTo(resolver);
  return { manager, resolver, live };
}

async function setup(name: string, extra: (k: { ksk1: SimKey }) => SimKey[] = () => []): Promise<Setup> {
  const plan = rolloverKeys();
  const more = extra({ ksk1: plan.ksk1 });
  const root = await SimRoot.start([...plan.all, ...more]);
  const clock = new ManualClock(T0 * 1000);
  const stateFile = join(dir, `${name}.json`);
  const queried: string[] = [];
  const m = startManager({ clock, stateFile, root }, plan.ksk1);
  return { root, clock, ksk1: plan.ksk1, ksk2: plan.ksk2, stateFile, queried, ...m };
}

function rootState(s: Setup): TrustPointState {
  const st = s.manager.stateOf(Name.ROOT);
  assert.ok(st !== undefined, 'the root is managed');
  return st;
}

function keyState(s: Setup, k: SimKey): KeyState | undefined {
  return rootState(s).keys.find((x) => x.tag === k.tag || x.tag === k.revokedTag)?.state;
}

/**
 * Moves the clock to each refresh time up to `until` (days from T0), re-signing the root for that
 * moment, refreshing, and checking that validation holds. Returns the states seen per day.
 */
async function runUntil(s: Setup, until: number, onStep?: (day: number) => void): Promise<void> {
  for (let guard = 0; guard < 10_000; guard++) {
    const due = s.manager.nextDue();
    assert.ok(due !== undefined, 'a refresh is scheduled');
    const t = Math.max(due, Math.floor(s.clock.now() / 1000));
    if (t > T0 + until * DAY) break;
    s.clock.set(t * 1000);
    await s.root.publish(t);
    await s.manager.runDue();
    await checkValidation(s, t);
    onStep?.((t - T0) / DAY);
  }
  await s.manager.idle();
}

async function checkValidation(s: Setup, now: number): Promise<void> {
  const day = ((now - T0) / DAY).toFixed(2);
  // The served DNSKEY RRset validates with the anchors in force, independently of any cache...
  const anchors = s.manager.anchors();
  assert.equal(anchors.length, 1, `day ${day}: one root trust point`);
  const v = validateDnskeys(createValidationEnv(now, crypto), s.root.dnskeys, anchors[0]!, crypto);
  assert.equal(v.status, 'secure', `day ${day}: the root DNSKEY RRset validates with the current anchors (${v.status === 'bogus' ? v.reason.detail : ''})`);
  // ...and the resolver answers securely with the anchors it was handed.
  for (const type of [RRType.DNSKEY, RRType.SOA]) {
    const a = await s.resolver.resolve({ name: Name.ROOT, type }, { do: true });
    assert.equal(a.rcode, Rcode.NOERROR, `day ${day}: . ${type} answered (${JSON.stringify(a.ede)})`);
    assert.equal(a.security, 'secure', `day ${day}: . ${type} secure`);
  }
}

test('a full KSK rollover is followed to the new key with no validation gap', async () => {
  const s = await setup('full');
  const root = s.root;
  const seen = new Map<number, string>();
  const changes: unknown[] = [];
  const onChange = (m: unknown): void => {
    changes.push(m);
  };
  subscribe(Channel.trustAnchor, onChange);
  try {
    await runUntil(s, 130, (day) => {
      seen.set(Math.floor(day), `${keyState(s, s.ksk1) ?? '-'}/${keyState(s, s.ksk2) ?? '-'}`);
    });
  } finally {
    unsubscribe(Channel.trustAnchor, onChange);
    await root.close();
  }
  // The journey, day by day.
  assert.equal(seen.get(5), 'valid/-', 'before the standby key');
  assert.equal(seen.get(20), 'valid/addpend', 'standby key in its add hold-down');
  assert.equal(seen.get(45), 'valid/valid', 'standby key trusted after 30 days');
  assert.equal(seen.get(55), 'valid/valid', 'new key signing alone, old still trusted');
  assert.equal(seen.get(70), 'revoked/valid', 'old key revoked');
  assert.equal(seen.get(125), 'removed/valid', 'old key removed after the remove hold-down');
  const st = rootState(s);
  assert.equal(st.ds.length, 0, 'the initial DS was retired');
  assert.deepEqual(s.manager.trustedRootKeyTags(), [s.ksk2.tag]);
  const k2 = st.keys.find((k) => k.tag === s.ksk2.tag)!;
  assert.ok(k2.lastChange > T0 + 40 * DAY && k2.lastChange <= T0 + 41 * DAY + 1, `KSK2 became Valid just after day 40 (${(k2.lastChange - T0) / DAY})`);
  assert.ok(changes.length >= 4, 'changes published on the trust-anchor channel');
  // RFC 8509 sentinel against what is trusted now.
  const tags = s.manager.trustedRootKeyTags();
  assert.equal(sentinelDecision(Name.parse(`root-key-sentinel-is-ta-${String(s.ksk2.tag).padStart(5, '0')}.example.`), tags), 'normal');
  assert.equal(sentinelDecision(Name.parse(`root-key-sentinel-is-ta-${String(s.ksk1.tag).padStart(5, '0')}.example.`), tags), 'servfail');
  // A restart from the saved file sees the same state.
  s.manager.stop();
  const again = startManager({ clock: s.clock, stateFile: s.stateFile, root }, s.ksk1);
  assert.deepEqual(again.manager.trustedRootKeyTags(), [s.ksk2.tag]);
});

test('a revocation met by an ordinary query is learnt at once, before the next timed refresh (RFC 5011 §2.3)', async () => {
  const s = await setup('passive');
  try {
    await runUntil(s, 55);
    assert.equal(keyState(s, s.ksk1), KeyState.Valid, 'KSK1 still trusted on day 55');
    // Day 65: KSK1 is published revoked (since day 60). No timed refresh runs; a client query
    // primes the root anew (the cached keys expired) and the manager sees that RRset.
    const t = T0 + 65 * DAY;
    s.clock.set(t * 1000);
    await s.root.publish(t);
    const due = s.manager.nextDue()!;
    assert.ok(due <= t, 'a timed refresh is overdue and is not run');
    const a = await s.resolver.resolve({ name: Name.ROOT, type: RRType.SOA }, { do: true });
    assert.equal(a.security, 'secure', 'the query validates (KSK2 signs)');
    assert.equal(keyState(s, s.ksk1), KeyState.Revoked, 'KSK1 revoked from the ordinary query');
    assert.deepEqual(s.manager.trustedRootKeyTags(), [s.ksk2.tag]);
    assert.ok(s.manager.nextDue()! > t, 'the validated sighting reschedules the next refresh');
    await s.manager.idle();
  } finally {
    await s.root.close();
  }
});

test('a restart in the middle of the add hold-down resumes it', async () => {
  const s = await setup('restart');
  try {
    await runUntil(s, 25);
    assert.equal(keyState(s, s.ksk2), KeyState.AddPend);
    const end = rootState(s).keys.find((k) => k.tag === s.ksk2.tag)!.holdDownEnd!;
    // Restart: a new resolver and manager; only the state file survives.
    s.manager.stop();
    Object.assign(s, startManager({ clock: s.clock, stateFile: s.stateFile, root: s.root }, s.ksk1));
    assert.equal(keyState(s, s.ksk2), KeyState.AddPend, 'resumed in AddPend');
    assert.equal(rootState(s).keys.find((k) => k.tag === s.ksk2.tag)!.holdDownEnd, end, 'same hold-down end');
    await runUntil(s, 70);
    assert.equal(keyState(s, s.ksk2), KeyState.Valid);
    assert.equal(keyState(s, s.ksk1), KeyState.Revoked);
  } finally {
    await s.root.close();
  }
});

test('an injected key removed before its hold-down ends, and a revoked key back unrevoked, are never trusted', async () => {
  // KSK3 appears on day 15 and is gone on day 30; KSK1 reappears without the REVOKE bit on days 75-80
  // (the same key material, published plain next to its revoked form, signing the set).
  let ksk1again: SimKey | undefined;
  const s = await setup('inject', ({ ksk1 }) => {
    const ksk3 = simKey('ksk3', 257, { publish: T0 + 15 * DAY, activate: T0 + 15 * DAY, delete: T0 + 30 * DAY });
    ksk1again = { ...ksk1, label: 'ksk1-plain', timing: { publish: T0 + 75 * DAY, activate: T0 + 75 * DAY, delete: T0 + 80 * DAY } };
    return [ksk3];
  });
  const ksk3 = s.root.keys.find((k) => k.label === 'ksk3')!;
  try {
    let sawAddPend = false;
    await runUntil(s, 29, () => {
      if (keyState(s, ksk3) === KeyState.AddPend) sawAddPend = true;
    });
    assert.ok(sawAddPend, 'KSK3 was AddPend');
    await runUntil(s, 32);
    assert.notEqual(keyState(s, ksk3), KeyState.Valid);
    assert.ok(!s.manager.trustedRootKeyTags().includes(ksk3.tag), 'KSK3 never trusted');
    await runUntil(s, 74);
    assert.equal(keyState(s, s.ksk1), KeyState.Revoked);
    s.root.keys.push(ksk1again!);
    await runUntil(s, 79);
    assert.equal(keyState(s, s.ksk1), KeyState.Revoked, 'still revoked while published plain');
    assert.deepEqual(s.manager.trustedRootKeyTags(), [s.ksk2.tag]);
  } finally {
    await s.root.close();
  }
});

test('a state file truncated to zero bytes: log line, configured anchors, the resolver keeps validating', async () => {
  const s = await setup('truncated');
  try {
    await runUntil(s, 25);
    assert.equal(keyState(s, s.ksk2), KeyState.AddPend);
    s.manager.stop();
    const restartAt = Math.floor(s.clock.now() / 1000);
    truncateSync(s.stateFile, 0);
    const logs: { level: string; msg: string }[] = [];
    const onLog = (m: unknown): void => {
      logs.push(m as { level: string; msg: string });
    };
    subscribe(Channel.log, onLog);
    try {
      Object.assign(s, startManager({ clock: s.clock, stateFile: s.stateFile, root: s.root }, s.ksk1));
    } finally {
      unsubscribe(Channel.log, onLog);
    }
    assert.ok(
      logs.some((l) => l.level === 'error' && l.msg.includes(s.stateFile) && l.msg.includes('empty') && l.msg.includes('using the configured trust anchors')),
      'a clear log line',
    );
    assert.deepEqual(rootState(s).ds, [dsOf(s.ksk1)], 'back to the configured initial-ds');
    await runUntil(s, 35);
    assert.equal(keyState(s, s.ksk1), KeyState.Valid);
    const k2 = rootState(s).keys.find((k) => k.tag === s.ksk2.tag)!;
    assert.equal(k2.state, KeyState.AddPend, 'the hold-down starts over from the restart');
    assert.ok(k2.holdDownEnd! >= restartAt + 30 * DAY, 'a fresh 30 days from the restart');
  } finally {
    await s.root.close();
  }
});
