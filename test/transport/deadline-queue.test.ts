// The deadline queue behind the upstream client's timeouts: expiry in deadline order, removal,
// and expiry after the I/O of the same loop iteration (a blocked loop does not expire a query
// whose reply is already waiting). Deadlines here are short; no assertion is about timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineQueue, type Deadline } from '../../src/transport/deadline-queue.js';
import { SeededRandom } from '../../src/core/random.js';
import { spawnSync } from 'node:child_process';

interface Item extends Deadline {
  readonly name: number;
}

function item(name: number): Item {
  return { name, at: 0, slot: -1 };
}

test('deadlines expire in order; removed ones never expire', async () => {
  const expired: Item[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const q = new DeadlineQueue<Item>((d) => {
    assert.equal(d.slot, -1, 'out of the queue when it expires');
    expired.push(d);
    if (q.size === 0) done();
  });
  const random = new SeededRandom(11);
  const items = Array.from({ length: 300 }, (_, i) => item(i));
  for (const it of items) q.add(it, 1 + random.below(40));
  const removed = new Set<number>();
  for (const it of items) {
    if (random.below(2) === 0) {
      q.remove(it);
      removed.add(it.name);
      assert.equal(it.slot, -1, 'a removed deadline is out of the queue');
    }
  }
  q.remove(items.find((it) => removed.has(it.name))!); // removing twice is a no-op
  assert.equal(q.size, 300 - removed.size);
  await finished;
  assert.equal(expired.length, 300 - removed.size, 'every deadline left expired once');
  assert.ok(expired.every((d) => !removed.has(d.name)), 'no removed deadline expired');
  for (let i = 1; i < expired.length; i++) assert.ok(expired[i - 1]!.at <= expired[i]!.at, `expiry order at ${i}`);
});

test('a deadline added from an expiry and an earlier one added later both expire', async () => {
  const order: number[] = [];
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const q = new DeadlineQueue<Item>((d) => {
    order.push(d.name);
    if (d.name === 1) q.add(item(3), 1);
    if (order.length === 3) done();
  });
  q.add(item(2), 30);
  q.add(item(1), 5);
  await finished;
  // 3 is due after 1 by construction; whether 2 comes before 3 depends on how late the loop ran
  // (a busy machine can sweep 1 and 2 together), so only what the queue promises is checked.
  assert.equal(order[0], 1, `the earliest deadline first: ${order.join(',')}`);
  assert.deepEqual([...order].sort(), [1, 2, 3], `each expired once: ${order.join(',')}`);
  assert.equal(q.size, 0, 'queue empty');
});

test('an unreferenced queue does not keep the process alive by itself; a referenced one does', () => {
  // A child process with one deadline and nothing else: it exits at once (nothing printed) when
  // the queue is unreferenced, and waits for the deadline when it is not.
  const moduleUrl = new URL('../../src/transport/deadline-queue.ts', import.meta.url).href;
  const run = (unref: boolean): string => {
    const code = `import { DeadlineQueue } from '${moduleUrl}';
      const q = new DeadlineQueue(() => { process.stdout.write('expired'); }, { unref: ${unref} });
      q.add({ at: 0, slot: -1 }, 200);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `child exit status (stderr: ${r.stderr})`);
    return r.stdout;
  };
  assert.equal(run(true), '', 'the unreferenced queue let the process exit before its deadline');
  assert.equal(run(false), 'expired', 'the referenced queue kept the process alive until its deadline');
});
