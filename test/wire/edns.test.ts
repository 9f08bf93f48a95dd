import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireError } from '../../src/core/errors.js';
import { EdeCode, EdnsOption } from '../../src/wire/constants.js';
import {
  encodeCookie,
  encodeEde,
  encodeKeyTags,
  encodePadding,
  extendedErrors,
  findOption,
  mergeRcode,
  paddingLength,
  parseCookie,
  parseEde,
  parseKeyTags,
  splitRcode,
  PAD_QUERY_BLOCK,
  PAD_RESPONSE_BLOCK,
} from '../../src/wire/edns.js';

test('extended RCODE merge and split (RFC 6891 §6.1.3)', () => {
  for (const rc of [0, 1, 15, 16, 23, 0xfff]) {
    const { header, extended } = splitRcode(rc);
    assert.ok(header <= 15 && extended <= 255, `split ${rc}`);
    assert.equal(mergeRcode(header, extended), rc);
  }
  assert.deepEqual(splitRcode(16), { header: 0, extended: 1 });
  assert.equal(mergeRcode(7, 0), 7);
});

test('EDE build and parse, several per message, lenient text', () => {
  const o = encodeEde(EdeCode.DNSSEC_BOGUS, 'vA1: RRSIG über example.');
  assert.equal(o.code, EdnsOption.EDE);
  assert.deepEqual(parseEde(o.data), { infoCode: 6, extraText: 'vA1: RRSIG über example.' });
  assert.deepEqual(parseEde(Uint8Array.of(0, 18)), { infoCode: 18, extraText: '' });
  assert.equal(parseEde(Uint8Array.of(0, 0, 0x61, 0)).extraText, 'a', 'trailing NUL dropped');
  assert.equal(parseEde(Uint8Array.of(0, 0, 0xff, 0x61)).extraText, '\ufffda', 'invalid UTF-8 replaced');
  assert.throws(() => parseEde(Uint8Array.of(1)), WireError);
  assert.throws(() => encodeEde(70000), RangeError);
  const list = extendedErrors([encodeEde(1, 'x'), { code: 15, data: Uint8Array.of(1) }, { code: 3, data: new Uint8Array(0) }, encodeEde(2)]);
  assert.deepEqual(list, [
    { infoCode: 1, extraText: 'x' },
    { infoCode: 2, extraText: '' },
  ]);
});

test('COOKIE lengths (RFC 7873 §4, §5.2.2)', () => {
  const c = new Uint8Array(8).fill(1);
  assert.equal(encodeCookie(c).data.length, 8);
  const both = encodeCookie(c, new Uint8Array(16).fill(2));
  assert.equal(both.data.length, 24);
  const p = parseCookie(both.data);
  assert.deepEqual(p.client, c);
  assert.equal(p.server?.length, 16);
  assert.equal(parseCookie(c).server, undefined);
  for (const n of [0, 7, 9, 15, 41]) assert.throws(() => parseCookie(new Uint8Array(n)), WireError, `length ${n}`);
  for (const n of [16, 40]) parseCookie(new Uint8Array(n));
  assert.throws(() => encodeCookie(new Uint8Array(7)), RangeError);
  assert.throws(() => encodeCookie(c, new Uint8Array(7)), RangeError);
  assert.throws(() => encodeCookie(c, new Uint8Array(33)), RangeError);
});

test('padding length fills to the block including the option header', () => {
  for (const size of [12, 50, 123, 124, 125, 128, 500]) {
    const n = paddingLength(size, PAD_QUERY_BLOCK);
    assert.equal((size + 4 + n) % PAD_QUERY_BLOCK, 0);
    assert.ok(n < PAD_QUERY_BLOCK, `padding for ${size}`);
  }
  assert.equal((100 + 4 + paddingLength(100, PAD_RESPONSE_BLOCK)) % 468, 0);
  assert.deepEqual(encodePadding(3), { code: EdnsOption.PADDING, data: new Uint8Array(3) });
  assert.throws(() => paddingLength(1, 0), RangeError);
});

test('key tags (RFC 8145 §4.1) and findOption', () => {
  const o = encodeKeyTags([20326, 38696]);
  assert.deepEqual(parseKeyTags(o.data), [20326, 38696]);
  assert.throws(() => parseKeyTags(Uint8Array.of(1, 2, 3)), WireError);
  assert.throws(() => parseKeyTags(new Uint8Array(0)), WireError);
  assert.throws(() => encodeKeyTags([65536]), RangeError);
  assert.equal(findOption([o, encodePadding(1)], EdnsOption.PADDING)?.data.length, 1);
  assert.equal(findOption([o], EdnsOption.EDE), undefined);
});
