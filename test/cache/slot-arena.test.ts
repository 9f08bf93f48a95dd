import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlotArena } from '../../src/cache/slot-arena.js';
import { ClockOrder } from '../../src/cache/clock-sweep.js';

function put(arena: SlotArena, s: number, length: number, fillByte: number): void {
  arena.place(s, length);
  arena.buf(s).fill(fillByte, arena.start(s), arena.start(s) + length);
}

function intact(arena: SlotArena, s: number, fillByte: number): boolean {
  return arena.buf(s).subarray(arena.start(s), arena.start(s) + arena.length(s)).every((b) => b === fillByte);
}

test('slot arena: octets survive frees, slot-number reuse and evacuations; held bytes follow the live ones', () => {
  const arena = new SlotArena(1024);
  arena.grow(4096);
  assert.equal(arena.bytes, 0, 'nothing held before the first allocation');
  const fillOf = new Map<number, number>();
  const freeSlots: number[] = [];
  let next = 0;
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    // Freed slot numbers are reused first (as the RRset cache's free list does), often in the same chunk.
    const s = freeSlots.pop() ?? next++;
    put(arena, s, 1 + (i % 200), i & 0xff);
    fillOf.set(s, i & 0xff);
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    if (i % 3 !== 0 && fillOf.size > 1) {
      const keys = [...fillOf.keys()];
      const victim = keys[seed % keys.length]!;
      arena.free(victim);
      fillOf.delete(victim);
      freeSlots.push(victim);
    }
  }
  for (const [s, fill] of fillOf) assert.ok(intact(arena, s, fill), `slot ${s} of ${arena.length(s)} octets intact`);
  const liveBytes = [...fillOf.keys()].reduce((n, s) => n + arena.length(s), 0);
  // Each chunk other than the one being filled is at least half live: at most 2x plus one chunk.
  assert.ok(arena.bytes <= 2 * liveBytes + 1024, `held ${arena.bytes} for ${liveBytes} live`);
  for (const s of fillOf.keys()) arena.free(s);
  assert.equal(arena.bytes, 0, 'everything freed: nothing held');
});

test('slot arena: views taken before an evacuation stay valid; large slots get their own chunk; grow keeps places', () => {
  const arena = new SlotArena(1024);
  arena.grow(16);
  put(arena, 0, 100, 1);
  for (let s = 1; s <= 9; s++) put(arena, s, 100, 10 + s);
  const before = arena.buf(0).subarray(arena.start(0), arena.start(0) + 100);
  put(arena, 10, 100, 99); // starts a second chunk
  for (let s = 1; s <= 9; s++) arena.free(s); // the first chunk drops below half: evacuated
  assert.ok(before.every((b) => b === 1), 'old view unchanged');
  assert.ok(intact(arena, 0, 1), 'slot moved intact');
  arena.grow(1024);
  assert.ok(intact(arena, 0, 1) && intact(arena, 10, 99), 'growing the slot arrays keeps every place');
  put(arena, 11, 5000, 3);
  assert.ok(intact(arena, 11, 3), 'large slot intact');
  assert.equal(arena.start(11), 0, 'a large slot opens its own chunk');
  const held = arena.bytes;
  arena.free(11);
  assert.equal(arena.bytes, held - 5000, 'a large slot is released whole');
  arena.free(0);
  arena.free(0);
  arena.clear();
  assert.equal(arena.bytes, 0, 'clear holds nothing');
});

test('CLOCK order: a sweep drops unreferenced slots front to back, sends referenced ones back once, and meets them again', () => {
  const order = new ClockOrder();
  order.grow(8);
  for (let s = 0; s < 5; s++) order.append(s);
  const hot = new Set([0, 2, 4]);
  const removed: number[] = [];
  let budget = 3;
  order.sweep(
    () => removed.length >= budget,
    (s) => hot.delete(s),
    (s) => {
      order.unlink(s);
      removed.push(s);
    },
  );
  assert.deepEqual(removed, [1, 3, 0], 'unreferenced 1 and 3 first, then 0 on its second visit');
  const rest: number[] = [];
  order.forEach((s) => rest.push(s));
  assert.deepEqual(rest, [2, 4], 'the referenced ones kept, in their new order');
  // A single referenced slot at the back: re-queued, then met again and dropped by the same sweep.
  budget = 5;
  hot.add(4);
  order.unlink(2);
  removed.length = 3;
  order.sweep(
    () => removed.length >= 4,
    (s) => hot.delete(s),
    (s) => {
      order.unlink(s);
      removed.push(s);
    },
  );
  assert.deepEqual(removed.slice(3), [4], 'the last slot, referenced, is met again and dropped');
  assert.equal(order.size, 0, 'empty');
});
