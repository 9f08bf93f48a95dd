import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteArena, type ArenaChunk, type ArenaSlot } from '../../src/cache/byte-arena.js';

class Slot implements ArenaSlot {
  chunk!: ArenaChunk;
  start = 0;
  readonly length: number;
  readonly fillByte: number;
  constructor(length: number, fillByte: number) {
    this.length = length;
    this.fillByte = fillByte;
  }
}

function put(arena: ByteArena, length: number, fillByte: number): Slot {
  const s = new Slot(length, fillByte);
  arena.placeCopy(s, new Uint8Array(length).fill(fillByte));
  return s;
}

function intact(arena: ByteArena, s: Slot): boolean {
  return arena.view(s).every((b) => b === s.fillByte);
}

test('slots keep their octets through frees and evacuations; held bytes follow the live ones', () => {
  const arena = new ByteArena(1024);
  assert.equal(arena.bytes, 0, 'nothing held before the first allocation');
  const live: Slot[] = [];
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    live.push(put(arena, 1 + (i % 200), i & 0xff));
    // free a pseudo-random older slot two times in three
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    if (i % 3 !== 0 && live.length > 1) {
      const j = seed % live.length;
      arena.free(live[j]!);
      live.splice(j, 1);
    }
  }
  for (const s of live) assert.ok(intact(arena, s), `slot of ${s.length} octets intact`);
  const liveBytes = live.reduce((n, s) => n + s.length, 0);
  // Each chunk other than the one being filled is at least half live: at most 2x plus one chunk.
  assert.ok(arena.bytes <= 2 * liveBytes + 1024, `held ${arena.bytes} for ${liveBytes} live`);
  for (const s of live) arena.free(s);
  assert.equal(arena.bytes, 0, 'everything freed: nothing held');
});

test('views taken before an evacuation stay valid; large slots get their own chunk', () => {
  const arena = new ByteArena(1024);
  const a = put(arena, 100, 1);
  const others = Array.from({ length: 9 }, (_, i) => put(arena, 100, 10 + i));
  const before = arena.view(a);
  put(arena, 100, 99); // starts a second chunk
  for (const s of others) arena.free(s); // the first chunk drops below half: evacuated
  assert.ok(before.every((b) => b === 1), 'old view unchanged');
  assert.ok(intact(arena, a), 'slot moved intact');
  const big = put(arena, 5000, 3);
  assert.ok(intact(arena, big), 'large slot intact');
  const held = arena.bytes;
  arena.free(big);
  assert.equal(arena.bytes, held - 5000, 'a large slot is released whole');
  arena.free(a);
  arena.free(a);
  arena.clear();
  assert.equal(arena.bytes, 0, 'clear holds nothing');
});
