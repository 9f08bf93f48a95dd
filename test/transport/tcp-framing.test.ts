import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, frameMessage, MAX_TCP_MESSAGE } from '../../src/transport/tcp-framing.js';

function collect(max?: number): { decoder: FrameDecoder; out: Uint8Array[] } {
  const out: Uint8Array[] = [];
  const decoder = new FrameDecoder((m) => out.push(Uint8Array.from(m)), max);
  return { decoder, out };
}

function msg(len: number, fill: number): Uint8Array {
  return new Uint8Array(len).fill(fill);
}

test('frameMessage prepends the big-endian length', () => {
  assert.deepEqual(Array.from(frameMessage(Uint8Array.from([9, 8, 7]))), [0, 3, 9, 8, 7]);
  assert.deepEqual(Array.from(frameMessage(msg(300, 1)).subarray(0, 2)), [1, 44]);
  assert.equal(frameMessage(msg(MAX_TCP_MESSAGE, 0)).length, MAX_TCP_MESSAGE + 2);
  assert.throws(() => frameMessage(msg(MAX_TCP_MESSAGE + 1, 0)), RangeError);
});

test('several messages in one read', () => {
  const { decoder, out } = collect();
  const stream = Buffer.concat([frameMessage(msg(12, 1)), frameMessage(msg(20, 2)), frameMessage(msg(300, 3))]);
  assert.equal(decoder.push(stream), undefined);
  assert.deepEqual(out.map((m) => [m.length, m[0]]), [[12, 1], [20, 2], [300, 3]]);
  assert.equal(decoder.hasPartial, false);
});

test('every split point of a stream, and one octet at a time', () => {
  const stream = Buffer.concat([frameMessage(msg(12, 1)), frameMessage(msg(258, 2)), frameMessage(msg(13, 3))]);
  for (let cut = 0; cut <= stream.length; cut++) {
    const { decoder, out } = collect();
    assert.equal(decoder.push(stream.subarray(0, cut)), undefined);
    assert.equal(decoder.push(stream.subarray(cut)), undefined);
    assert.deepEqual(out.map((m) => [m.length, m[0], m[m.length - 1]]), [[12, 1, 1], [258, 2, 2], [13, 3, 3]], `cut ${cut}`);
  }
  const { decoder, out } = collect();
  for (const b of stream) {
    assert.equal(decoder.push(Uint8Array.of(b)), undefined);
  }
  assert.equal(out.length, 3);
  assert.equal(decoder.hasPartial, false);
});

test('partial state is visible', () => {
  const { decoder } = collect();
  decoder.push(Uint8Array.of(0));
  assert.equal(decoder.hasPartial, true);
  decoder.push(Uint8Array.of(12, 1, 2));
  assert.equal(decoder.hasPartial, true);
});

test('a zero length or a length above the maximum is an error', () => {
  assert.equal(collect().decoder.push(Uint8Array.of(0, 0)), 'empty-message');
  const { decoder, out } = collect(100);
  assert.equal(decoder.push(Buffer.concat([frameMessage(msg(100, 1)), Uint8Array.of(0, 101)])), 'too-large');
  assert.equal(out.length, 1);
  const split = collect(100);
  assert.equal(split.decoder.push(Uint8Array.of(0)), undefined);
  assert.equal(split.decoder.push(Uint8Array.of(101)), 'too-large');
});

test('a 65535-octet message assembled from pieces', () => {
  const { decoder, out } = collect();
  const big = new Uint8Array(MAX_TCP_MESSAGE);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  const stream = frameMessage(big);
  for (let i = 0; i < stream.length; i += 1000) decoder.push(stream.subarray(i, i + 1000));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], big);
});
