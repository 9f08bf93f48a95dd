// The wiring `anchord serve` uses (prepareTrustAnchors + startResolverService): configured
// initial-ds anchors are managed by RFC 5011 in a running service, the state file appears, the
// RFC 8145 key tag query goes to the zone, and the front end answers the RFC 8509 root key
// sentinel from the trusted root key tags.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { KeyState } from '../../src/dnssec/rfc5011.js';
import { startResolverService } from '../../src/server/resolver-service.js';
import { prepareTrustAnchors } from '../../src/server/trust-anchor-manager.js';
import { loadTrustAnchorState } from '../../src/server/trust-anchor-store.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeQuery } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { bytesEqual } from '../../src/wire/record.js';
import { SimRoot, dsOf, rootHints, simKey } from './sim-root.js';

const T0 = Date.UTC(2026, 9, 1) / 1000;
const dir = mkdtempSync(join(tmpdir(), 'anchord-ta-svc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

test('a service with initial-ds anchors refreshes, saves, signals and answers the sentinel', async () => {
  const ksk = simKey('ksk', 257, { publish: T0 - 100 * 86400, activate: T0 - 100 * 86400 });
  const zsk = simKey('zsk', 256, { publish: T0 - 100 * 86400, activate: T0 - 100 * 86400 });
  const root = await SimRoot.start([ksk, zsk]);
  await root.publish(T0);
  const clock = new ManualClock(T0 * 1000);
  const stateFile = join(dir, 'ta.json');
  const bindFile = join(dir, 'bind.keys');
  const ds = dsOf(ksk);
  writeFileSync(bindFile, `trust-anchors { . initial-ds ${(ds[0]! << 8) | ds[1]!} ${ds[2]} ${ds[3]} "${hex(ds.subarray(4))}"; };\n`);
  const prepared = prepareTrustAnchors(
    {
      'trust-anchors-file': ['bind.keys'],
      'auto-trust-anchor-file': 'ta.json',
      'add-holddown': 30 * 86400_000,
      'del-holddown': 30 * 86400_000,
      'keep-missing': 0,
      'trust-anchor-signaling': true,
      'root-key-sentinel': true,
    },
    (p) => join(dir, p),
    [],
  );
  assert.equal(prepared.anchors.length, 1, 'the root, from the initial DS, before any refresh');
  assert.deepEqual(prepared.rootKeyTags?.(), [ksk.tag]);
  const service = await startResolverService(
    { listen: ['127.0.0.1:0'], rootHints: rootHints(), trustAnchors: prepared.anchors, rootKeyTags: prepared.rootKeyTags, resolver: { port: root.port, maxTimeoutMs: 2000 } },
    { clock },
  );
  const manager = prepared.start(service.resolver, { clock, verifier: createNodeBackend() });
  try {
    assert.ok(manager !== undefined, 'a manager for the managed root');
    await manager.runDue();
    await manager.idle();
    const st = manager.stateOf(Name.ROOT)!;
    assert.equal(st.keys.find((k) => k.tag === ksk.tag)?.state, KeyState.Valid, 'the DS turned into a Valid key');
    assert.equal(st.ds.length, 0);
    assert.ok(existsSync(stateFile), 'state saved');
    const load = loadTrustAnchorState(stateFile);
    assert.ok(load.kind === 'loaded' && load.points.length === 1, 'state file reads back');
    const keys = prepared.anchors[0]?.dnskeys ?? [];
    assert.ok(keys.length === 1 && bytesEqual(keys[0]!, ksk.dnskey), 'the resolver now trusts the key itself');
    // RFC 8145 §5: _ta-<tag>. NULL went to the root.
    assert.ok(root.queries.includes(`_ta-${ksk.tag.toString(16).padStart(4, '0')}. 10`), `key tag signal sent (${root.queries.join(', ')})`);

    const ask = async (name: string, cd = false): Promise<number> => {
      const bytes = encodeMessage(makeQuery(Name.parse(name), RRType.A, { id: 7, rd: true, cd })).bytes;
      const out = await service.frontend.handle(bytes, { address: '127.0.0.1', port: 5555, transport: 'udp' });
      assert.ok(out !== undefined, `an answer for ${name}`);
      return decodeMessage(out).rcode;
    };
    const tag = String(ksk.tag).padStart(5, '0');
    const other = String((ksk.tag + 1) & 0xffff).padStart(5, '0');
    assert.equal(await ask(`root-key-sentinel-is-ta-${tag}.`), Rcode.NXDOMAIN, 'is-ta a trusted key: the normal (secure NXDOMAIN) answer');
    assert.equal(await ask(`root-key-sentinel-not-ta-${tag}.`), Rcode.SERVFAIL, 'not-ta a trusted key');
    assert.equal(await ask(`root-key-sentinel-is-ta-${other}.`), Rcode.SERVFAIL, 'is-ta an untrusted key');
    assert.equal(await ask(`root-key-sentinel-not-ta-${other}.`), Rcode.NXDOMAIN, 'not-ta an untrusted key');
    assert.equal(await ask(`root-key-sentinel-is-ta-${other}.`, true), Rcode.NXDOMAIN, 'CD set: no sentinel');
  } finally {
    manager?.stop();
    await service.close(0);
    await root.close();
  }
});
