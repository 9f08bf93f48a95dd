import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { EdnsStatus, InfraCache, RTT_MAX_TIMEOUT, RTT_MIN_TIMEOUT, UNKNOWN_SERVER_RTO } from '../../src/cache/infra-cache.js';
import { T0, n } from './fixtures.js';

function setup(opts: { seed?: number; probeOneIn?: number; blockedRto?: number; hostTtl?: number; noEdnsTtl?: number; lameTtl?: number } = {}) {
  const clock = new ManualClock(T0);
  const { seed, ...rest } = opts;
  return { clock, infra: new InfraCache({ clock, random: new SeededRandom(seed ?? 1), ...rest }) };
}

function train(infra: InfraCache, address: string, ms: number, times = 60): void {
  for (let i = 0; i < times; i++) infra.recordRtt(address, ms);
}

test('an unknown server starts at RTO 376 ms; samples move SRTT/RTTVAR as Unbound does', () => {
  const { infra } = setup();
  assert.equal(infra.rto('192.0.2.1'), UNKNOWN_SERVER_RTO);
  assert.equal(infra.info('192.0.2.1'), undefined);
  infra.recordRtt('192.0.2.1', 100);
  // srtt 0 + 100/8 → 12; rttvar 94 + (100 - 94)/4 → 95; rto 12 + 4·95.
  assert.deepEqual(
    { srtt: infra.info('192.0.2.1')?.srtt, rttvar: infra.info('192.0.2.1')?.rttvar, rto: infra.rto('192.0.2.1') },
    { srtt: 12, rttvar: 95, rto: 392 },
  );
  train(infra, '192.0.2.1', 100);
  const rto = infra.rto('192.0.2.1');
  // Integer arithmetic as in Unbound's rtt.c: SRTT stalls within 8 ms of the RTT and RTTVAR
  // within 4 ms of |delta|, so the RTO settles a little above the RTT.
  assert.ok(rto >= 100 && rto <= 140, `converges near the RTT: ${rto}`);
  train(infra, '192.0.2.2', 1, 200);
  assert.equal(infra.rto('192.0.2.2'), RTT_MIN_TIMEOUT, 'clamped at 50 ms');
});

test('timeouts back off exponentially from the RTO used, once per burst, up to 120 s', () => {
  const { infra } = setup();
  const s = '192.0.2.1';
  infra.recordTimeout(s, 376);
  assert.equal(infra.rto(s), 752);
  // A second query sent with the same RTO that timed out at the same time: not doubled again.
  infra.recordTimeout(s, 376);
  assert.equal(infra.rto(s), 752);
  assert.equal(infra.info(s)?.timeouts, 2);
  let rto = infra.rto(s);
  for (let i = 0; i < 20; i++) {
    infra.recordTimeout(s, rto);
    rto = infra.rto(s);
  }
  assert.equal(rto, RTT_MAX_TIMEOUT);
  // An answer ends the backoff: the RTO comes from SRTT/RTTVAR again.
  infra.recordRtt(s, 80);
  assert.equal(infra.info(s)?.timeouts, 0);
  assert.ok(infra.rto(s) < 1000);
});

test('EDNS: FORMERR/NOTIMP marks a server no-EDNS for a while, but not one known to speak EDNS', () => {
  const { clock, infra } = setup({ noEdnsTtl: 60 });
  assert.equal(infra.ednsStatus('192.0.2.1'), EdnsStatus.unknown);
  assert.equal(infra.recordEdnsFailure('192.0.2.1'), true);
  assert.equal(infra.ednsStatus('192.0.2.1'), EdnsStatus.noEdns);
  clock.advance(60_000);
  assert.equal(infra.ednsStatus('192.0.2.1'), EdnsStatus.unknown);
  infra.recordEdnsOk('192.0.2.2');
  assert.equal(infra.recordEdnsFailure('192.0.2.2'), false);
  assert.equal(infra.ednsStatus('192.0.2.2'), EdnsStatus.edns);
});

test('lame (server, zone) pairs expire and are skipped by selection', () => {
  const { clock, infra } = setup({ lameTtl: 100 });
  infra.markLame('192.0.2.1', n('example.'));
  assert.ok(infra.isLame('192.0.2.1', n('EXAMPLE.')));
  assert.ok(!infra.isLame('192.0.2.1', n('other.')));
  for (let i = 0; i < 20; i++) assert.equal(infra.selectServer(['192.0.2.1', '192.0.2.2'], n('example.'))?.address, '192.0.2.2');
  assert.equal(infra.selectServer(['192.0.2.1'], n('example.')), undefined, 'all lame');
  assert.equal(infra.selectServer([], n('example.')), undefined);
  clock.advance(100_000);
  assert.ok(!infra.isLame('192.0.2.1', n('example.')));
});

test('selection: lowest RTO, random among servers within the 400 ms band; deterministic for a seed', () => {
  const run = (seed: number): string[] => {
    const { infra } = setup({ seed });
    train(infra, 'fast-a', 20);
    train(infra, 'fast-b', 60);
    train(infra, 'slow', 900);
    const picks: string[] = [];
    for (let i = 0; i < 200; i++) picks.push(infra.selectServer(['slow', 'fast-a', 'fast-b'])!.address);
    return picks;
  };
  const picks = run(7);
  assert.deepEqual(run(7), picks, 'same seed, same choices');
  assert.ok(!picks.includes('slow'));
  const a = picks.filter((p) => p === 'fast-a').length;
  assert.ok(a > 60 && a < 140, `both in-band servers are used: ${a}/200`);
  assert.notDeepEqual(run(8), picks);
});

test('blocked servers are only probed, once per RTO, when a probe is due', () => {
  const { clock, infra } = setup({ probeOneIn: 1, blockedRto: 10_000 });
  train(infra, 'good', 30);
  let rto = 376;
  for (let i = 0; i < 6; i++) {
    infra.recordTimeout('dead', rto);
    rto = infra.rto('dead');
  }
  assert.ok(rto >= 10_000);
  // Not yet due: probeAt is one RTO after the last timeout.
  for (let i = 0; i < 10; i++) assert.equal(infra.selectServer(['dead', 'good'])?.address, 'good');
  clock.advance(rto);
  const probe = infra.selectServer(['dead', 'good'])!;
  assert.deepEqual(probe, { address: 'dead', rto, probe: true });
  assert.equal(infra.selectServer(['dead', 'good'])?.address, 'good', 'the next probe waits another RTO');
  // Everyone blocked: probe rather than give up.
  assert.equal(infra.selectServer(['dead'])?.probe, true);
});

test('a backed-off but usable server is probed occasionally (1 in probeOneIn when due)', () => {
  const { clock, infra } = setup({ probeOneIn: 4, seed: 3 });
  train(infra, 'good', 30);
  train(infra, 'flaky', 30);
  infra.recordTimeout('flaky', infra.rto('flaky'));
  clock.advance(infra.rto('flaky'));
  let probes = 0;
  for (let i = 0; i < 40; i++) {
    const c = infra.selectServer(['good', 'flaky'])!;
    if (c.probe) {
      probes++;
      clock.advance(c.rto);
    }
  }
  assert.ok(probes >= 1, `probed ${probes} times`);
});

test('hosts are forgotten after hostTtl without news', () => {
  const { clock, infra } = setup({ hostTtl: 900 });
  train(infra, 'a', 30);
  clock.advance(899_000);
  assert.ok(infra.info('a'));
  clock.advance(1_000);
  assert.equal(infra.info('a'), undefined);
  assert.equal(infra.rto('a'), UNKNOWN_SERVER_RTO);
  infra.recordRtt('a', 10);
  infra.clear();
  assert.equal(infra.info('a'), undefined);
});

test('selection looks at the first `count` candidates only, and a shorter call after a longer one forgets the longer list', () => {
  const { infra } = setup({ seed: 3 });
  train(infra, 'fast', 20);
  train(infra, 'slow', 900);
  const list = ['slow', 'fast', 'other'];
  for (let i = 0; i < 20; i++) assert.equal(infra.selectServer(list, n('example.'), 1)?.address, 'slow', 'only the first candidate counts');
  // A long call fills the working arrays; the short ones after it must not see their leftovers.
  assert.equal(infra.selectServer(['fast', 'slow'])?.address, 'fast', 'the faster of two');
  for (let i = 0; i < 20; i++) assert.equal(infra.selectServer(['slow'])?.address, 'slow', 'no leftover of the longer call is picked');
  assert.equal(infra.selectServer(list, n('example.'), 0), undefined, 'no candidates: no choice');
});
