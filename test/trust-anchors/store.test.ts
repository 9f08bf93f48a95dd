// Persistence of RFC 5011 state (src/server/trust-anchor-store.ts): round trips, a restart in the
// middle of a hold-down, and every kind of damaged file falling back with a log line.
import { strict as assert } from 'node:assert';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Channel } from '../../src/core/diagnostics.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { KeyState, initialTrustPointState, observe, type TrustPointState } from '../../src/dnssec/rfc5011.js';
import {
  STATE_FILE_VERSION,
  loadTrustAnchorState,
  parseTrustAnchorState,
  saveTrustAnchorState,
  serializeTrustAnchorState,
} from '../../src/server/trust-anchor-store.js';
import { Name } from '../../src/wire/name.js';
import { DAY, SimKey, dnskeySet, plain } from './helpers.js';

const ZONE = Name.parse('example.');
const T0 = Date.UTC(2026, 0, 1) / 1000;
const ENV = { verifier: createNodeBackend() };
const dir = mkdtempSync(join(tmpdir(), 'anchord-ta-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function captureLogs(): { lines: { level: string; msg: string }[]; stop: () => void } {
  const lines: { level: string; msg: string }[] = [];
  const fn = (m: unknown): void => {
    lines.push(m as { level: string; msg: string });
  };
  subscribe(Channel.log, fn);
  return { lines, stop: () => unsubscribe(Channel.log, fn) };
}

/** A trust point 10 days into the add hold-down of a second key. */
function midHoldDown(k1: SimKey, k2: SimKey): TrustPointState {
  let s = initialTrustPointState(ZONE, [{ type: 'initial-key', rdata: k1.rdata() }]);
  for (let d = 0; d <= 10; d++) {
    const now = T0 + d * DAY;
    s = observe(s, dnskeySet(ZONE, d === 0 ? [plain(k1)] : [plain(k1), plain(k2)], [plain(k1)], now), now, ENV).state;
  }
  return s;
}

test('state round-trips through the JSON file', async () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  const s = midHoldDown(k1, k2);
  const ds = initialTrustPointState(Name.ROOT, [{ type: 'initial-ds', rdata: k1.ds(Name.ROOT) }]);
  const path = join(dir, 'roundtrip.json');
  await saveTrustAnchorState(path, [s, ds], T0 + 10 * DAY);
  const text = readFileSync(path, 'utf8');
  const doc = JSON.parse(text) as { version: number; trustPoints: { zone: string; keys: { state: string; dnskey: string }[] }[] };
  assert.equal(doc.version, STATE_FILE_VERSION);
  assert.equal(doc.trustPoints[0]!.zone, 'example.');
  assert.deepEqual(
    doc.trustPoints[0]!.keys.map((k) => k.state),
    ['valid', 'addpend'],
  );
  const load = loadTrustAnchorState(path);
  assert.ok(load.kind === 'loaded', 'loaded');
  assert.equal(load.points.length, 2);
  assert.ok(load.points[0]!.zone.equals(ZONE) && load.points[1]!.zone.isRoot(), 'zones');
  assert.equal(serializeTrustAnchorState(load.points, T0 + 10 * DAY), text, 'byte-identical after a round trip');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.includes('.tmp-')),
    [],
    'no temp file left',
  );
});

test('a restart in the middle of a hold-down resumes it', async () => {
  const k1 = new SimKey();
  const k2 = new SimKey();
  const before = midHoldDown(k1, k2);
  const end = before.keys.find((k) => k.tag === k2.tag())!.holdDownEnd!;
  assert.equal(end, T0 + DAY + 30 * DAY);
  const path = join(dir, 'resume.json');
  await saveTrustAnchorState(path, [before], T0 + 10 * DAY);
  // "Restart": only the file survives.
  const load = loadTrustAnchorState(path);
  assert.ok(load.kind === 'loaded', 'loaded');
  let s = load.points[0]!;
  assert.equal(s.keys.find((k) => k.tag === k2.tag())!.holdDownEnd, end, 'hold-down end kept');
  for (let d = 11; d <= 32; d++) {
    const now = T0 + d * DAY;
    s = observe(s, dnskeySet(ZONE, [plain(k1), plain(k2)], [plain(k1)], now), now, ENV).state;
    const st = s.keys.find((k) => k.tag === k2.tag())!.state;
    assert.equal(st, now > end ? KeyState.Valid : KeyState.AddPend, `day ${d}`);
  }
});

test('damaged state files fall back to the configured anchors with a clear log line', () => {
  const k1 = new SimKey();
  const good = serializeTrustAnchorState([midHoldDown(k1, new SimKey())], T0);
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty.json', '', /empty/],
    ['truncated.json', good.slice(0, Math.floor(good.length / 2)), /not JSON|truncated/],
    ['garbage.json', Buffer.from([0xff, 0x00, 0x13, 0x37, 0x7b]), /not JSON/],
    ['version.json', good.replace(`"version": ${STATE_FILE_VERSION}`, '"version": 99'), /version 99/],
    ['noversion.json', good.replace(`"version": ${STATE_FILE_VERSION},`, ''), /version missing/],
    ['badstate.json', good.replace('"valid"', '"trusted-forever"'), /key state/],
    ['badtag.json', good.replace(`"tag": ${k1.tag()}`, `"tag": ${(k1.tag() + 1) & 0xffff}`), /tag/],
    ['array.json', '[]', /not an object/],
    ['nokeys.json', good.replace(/"state": "valid"/g, '"state": "removed"'), /no trusted key/],
  ];
  for (const [name, content, why] of cases) {
    const path = join(dir, name);
    writeFileSync(path, content);
    const logs = captureLogs();
    let load;
    try {
      load = loadTrustAnchorState(path);
    } finally {
      logs.stop();
    }
    assert.ok(load.kind === 'unusable', `${name}: unusable`);
    assert.ok(why.test(load.reason), `${name}: reason "${load.reason}" matches ${String(why)}`);
    const line = logs.lines.find((l) => l.level === 'error');
    assert.ok(line !== undefined && line.msg.includes(path) && line.msg.includes('using the configured trust anchors'), `${name}: log line`);
  }
});

test('an unreadable state file (a folder, no permission) falls back; a missing one is a first start', (t) => {
  const asDir = join(dir, 'is-a-dir.json');
  mkdirSync(asDir);
  const logs = captureLogs();
  try {
    const load = loadTrustAnchorState(asDir);
    assert.equal(load.kind, 'unusable');
    assert.ok(logs.lines.some((l) => l.level === 'error' && l.msg.includes('cannot read')), 'logged');
  } finally {
    logs.stop();
  }
  assert.deepEqual(loadTrustAnchorState(join(dir, 'never-written.json')), { kind: 'absent' });
  if (process.getuid?.() === 0) {
    t.diagnostic('running as root: permissions do not stop reads; skipping the chmod case');
    return;
  }
  const locked = join(dir, 'locked.json');
  writeFileSync(locked, '{}');
  chmodSync(locked, 0);
  assert.equal(loadTrustAnchorState(locked).kind, 'unusable');
});

test('a crash before the rename leaves the old state; the orphaned temp file is removed', async () => {
  const k1 = new SimKey();
  const path = join(dir, 'crash.json');
  const old = [midHoldDown(k1, new SimKey())];
  await saveTrustAnchorState(path, old, T0);
  // Crash mid-write: a temp file with half the new content, never renamed.
  const newer = serializeTrustAnchorState([initialTrustPointState(ZONE, [{ type: 'initial-key', rdata: k1.rdata() }])], T0 + DAY);
  const orphan = join(dir, `.crash.json.tmp-4242-deadbeef0000`);
  writeFileSync(orphan, newer.slice(0, 40));
  const load = loadTrustAnchorState(path);
  assert.ok(load.kind === 'loaded', 'old state loads');
  assert.equal(serializeTrustAnchorState(load.points, T0), serializeTrustAnchorState(old, T0));
  assert.ok(!readdirSync(dir).includes('.crash.json.tmp-4242-deadbeef0000'), 'orphan removed');
  // A crash after the rename: the new state is complete.
  await saveTrustAnchorState(path, parseTrustAnchorState(newer), T0 + DAY);
  const again = loadTrustAnchorState(path);
  assert.ok(again.kind === 'loaded' && again.points[0]!.keys[0]!.lastChange === 0, 'new state loads');
});
