import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockMap } from '../../src/cache/clock-map.js';

test('get, peek, set, delete and the size sum', () => {
  const m = new ClockMap<string>(100, (v) => v.length);
  assert.equal(m.get('a'), undefined, 'empty');
  m.set('a', 'xxxx');
  m.set('b', 'yy');
  assert.equal(m.size, 2, 'two entries');
  assert.equal(m.calculatedSize, 6, 'sizes summed');
  assert.equal(m.get('a'), 'xxxx', 'get');
  assert.equal(m.peek('b'), 'yy', 'peek');
  m.set('a', 'x');
  assert.equal(m.calculatedSize, 3, 'a replaced value is sized again');
  assert.ok(m.delete('a'), 'deleted');
  assert.ok(!m.delete('a'), 'already gone');
  assert.equal(m.calculatedSize, 2, 'its size given back');
  assert.deepEqual([...m.entries()], [['b', 'yy']], 'what is left');
  m.clear();
  assert.deepEqual([m.size, m.calculatedSize], [0, 0], 'cleared');
  assert.throws(() => new ClockMap<string>(0, () => 1), RangeError, 'a bound must be positive');
});

test('within the bound after every set; entries used since the last sweep outlive those not used', () => {
  const m = new ClockMap<number>(10, () => 1);
  const used = (): number => m.calculatedSize;
  for (let i = 0; i < 10; i++) m.set(`k${i}`, i);
  // One sweep clears every flag set by the inserts; then k0 is used and k1 is not.
  m.set('k10', 10);
  assert.equal(m.size, 10, 'one evicted');
  assert.equal(used(), 10, 'within the bound');
  assert.equal(m.peek('k10'), 10, 'the entry just stored stays');
  assert.equal(m.get('k1'), 1, 'k1 is used');
  m.set('k11', 11);
  m.set('k12', 12);
  assert.ok(used() <= 10, `within the bound: ${used()}`);
  assert.equal(m.peek('k1'), 1, 'the entry used stays');
  assert.equal(m.peek('k12'), 12, 'the newest stays');
  let held = 0;
  for (let i = 0; i < 20; i++) {
    m.set(`n${i}`, i);
    assert.ok(used() <= 10, `within the bound at ${i}`);
    assert.equal(m.peek(`n${i}`), i, `n${i} stored`);
    held = m.size;
  }
  assert.equal(held, 10, 'full');
});

test('a value larger than the bound is not stored and takes what the key held with it', () => {
  const m = new ClockMap<string>(5, (v) => v.length);
  m.set('a', 'abc');
  m.set('a', 'abcdefgh');
  assert.equal(m.peek('a'), undefined, 'not stored');
  assert.equal(m.calculatedSize, 0, 'the old value went');
  m.set('b', 'x'.repeat(5));
  assert.equal(m.peek('b')?.length, 5, 'exactly the bound fits');
});

test('entries() allows deleting the entry just met', () => {
  const m = new ClockMap<number>(100, () => 1);
  for (let i = 0; i < 6; i++) m.set(`k${i}`, i);
  for (const [k, v] of m.entries()) if (v % 2 === 0) m.delete(k);
  assert.deepEqual([...m.entries()].map(([k]) => k), ['k1', 'k3', 'k5'], 'odd ones left');
  assert.equal(m.calculatedSize, 3, 'sizes given back');
});
