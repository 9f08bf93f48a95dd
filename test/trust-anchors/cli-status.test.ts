// `anchord trust-anchors status`: each trust point's keys with state, tag, algorithm and next event.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/main.js';
import { runTrustAnchorsStatus } from '../../src/cli/commands/trust-anchors.js';
import { ManualClock } from '../../src/core/clock.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { initialTrustPointState, observe } from '../../src/dnssec/rfc5011.js';
import { saveTrustAnchorState } from '../../src/server/trust-anchor-store.js';
import { Name } from '../../src/wire/name.js';
import { DAY, SimKey, dnskeySet, plain, revoked } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1) / 1000;
const dir = mkdtempSync(join(tmpdir(), 'anchord-ta-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { verifier: createNodeBackend() };

async function stateWithEveryKind(): Promise<{ path: string; k1: SimKey; k2: SimKey; k3: SimKey }> {
  const k1 = new SimKey();
  const k2 = new SimKey();
  const k3 = new SimKey();
  let s = initialTrustPointState(Name.ROOT, [
    { type: 'initial-key', rdata: k1.rdata() },
    { type: 'initial-key', rdata: k2.rdata() },
  ]);
  s = observe(s, dnskeySet(Name.ROOT, [plain(k1), plain(k2)], [plain(k1)], T0), T0, ENV).state;
  s = observe(s, dnskeySet(Name.ROOT, [revoked(k1), plain(k2), plain(k3)], [revoked(k1), plain(k2)], T0 + DAY), T0 + DAY, ENV).state;
  const path = join(dir, 'state.json');
  await saveTrustAnchorState(path, [s], T0 + DAY);
  return { path, k1, k2, k3 };
}

test('status prints state, tag, algorithm and the next event of each key', async () => {
  const { path, k1, k2, k3 } = await stateWithEveryKind();
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTrustAnchorsStatus({ state: path }, { out: (l) => out.push(l), err: (l) => err.push(l) }, { clock: new ManualClock((T0 + DAY) * 1000) });
  assert.equal(code, 0, err.join('\n'));
  const text = out.join('\n');
  assert.match(text, /^\.\s+managed \(RFC 5011\)/m);
  assert.match(text, /next refresh 2026-01-03T00:00:00Z \(interval 1d, retry 4h48m\)/);
  const line = (tag: number): string => out.find((l) => l.trimStart().startsWith(`${tag} `)) ?? '';
  assert.match(line(k1.tag(true)), /15\s+revoked\s+2026-01-02T00:00:00Z\s+removed after 2026-02-01T00:00:00Z/);
  assert.match(line(k2.tag()), /15\s+valid\s+2026-01-01T00:00:00Z\s+trusted/);
  assert.match(line(k3.tag()), /15\s+addpend\s+2026-01-02T00:00:00Z\s+valid after 2026-02-01T00:00:00Z, seen 1x \(needs 2\)/);
});

test('status with --config: the state file from auto-trust-anchor-file, static and not-yet-refreshed anchors', async () => {
  const { path } = await stateWithEveryKind();
  const k = new SimKey();
  const cfg = join(dir, 'anchord.yaml');
  writeFileSync(
    cfg,
    `resolver:
  auto-trust-anchor-file: ${path}
  trust-anchors:
    - { name: ., type: initial-key, rdata: "257 3 15 ${Buffer.from(k.publicKey).toString('base64')}" }
    - { name: example.com, type: initial-ds, rdata: "${(k.ds(Name.parse('example.com.'))[0]! << 8) | k.ds(Name.parse('example.com.'))[1]!} 15 2 ${Buffer.from(k.ds(Name.parse('example.com.')).subarray(4)).toString('hex')}" }
    - { name: example.net, type: static-key, rdata: "257 3 15 ${Buffer.from(k.publicKey).toString('base64')}" }
  add-holddown: 10d
`,
  );
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['trust-anchors', 'status', '--config', cfg], { out: (l) => out.push(l), err: (l) => err.push(l) });
  assert.equal(code, 0, err.join('\n'));
  const text = out.join('\n');
  assert.match(text, new RegExp(`^state file ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(text, /^\.\s+managed \(RFC 5011\)/m);
  assert.match(text, /^example\.com\.\s+managed \(RFC 5011\), not refreshed yet: initial-ds \d+/m);
  assert.match(text, /^example\.net\.\s+static/m);
  assert.match(text, /^ {2}DNSKEY 257 3 15 {2}tag \d+/m);
});

test('status on a damaged file says so and exits 1; --json prints the state', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"version": 1, "trustPoints": [');
  const err: string[] = [];
  const code = await runCli(['trust-anchors', 'status', '--state', bad], { out: () => undefined, err: (l) => err.push(l) });
  assert.equal(code, 1);
  assert.match(err.join('\n'), /unusable: not JSON/);
  const { path } = await stateWithEveryKind();
  const out: string[] = [];
  assert.equal(await runCli(['trust-anchors', 'status', '--state', path, '--json'], { out: (l) => out.push(l), err: () => undefined }), 0);
  const doc = JSON.parse(out.join('\n')) as { version: number };
  assert.equal(doc.version, 1);
  const usage: string[] = [];
  assert.notEqual(await runCli(['trust-anchors', 'status'], { out: () => undefined, err: (l) => usage.push(l) }), 0);
  assert.match(usage.join('\n'), /--state FILE or --config FILE/);
});
