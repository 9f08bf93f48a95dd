import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name } from '../../src/wire/name.js';
import { WireReader } from '../../src/wire/reader.js';
import { WireWriter } from '../../src/wire/writer.js';

const header = (w: WireWriter): void => {
  for (let i = 0; i < 12; i++) w.u8(0);
};

test('integers, bytes, growth and patching', () => {
  const w = new WireWriter({ initialSize: 4 });
  w.u8(0x1ff);
  w.u16(0x12345);
  w.u32(0xdeadbeef);
  w.bytes(new Uint8Array(1000).fill(7));
  assert.equal(w.length, 1007);
  w.setU16(1, 0xabcd);
  assert.equal(w.getU16(1), 0xabcd);
  const out = w.finish();
  assert.deepEqual([...out.subarray(0, 7)], [0xff, 0xab, 0xcd, 0xde, 0xad, 0xbe, 0xef]);
  assert.throws(() => w.setU16(1006, 1), RangeError);
  const big = new WireWriter();
  big.bytes(new Uint8Array(65535));
  assert.throws(() => big.u8(0), RangeError);
});

test('compression reuses the longest suffix, case-folded', () => {
  const w = new WireWriter();
  header(w);
  w.name(Name.parse('www.Example.COM.'), true); // 12..29
  w.name(Name.parse('mail.example.com.'), true); // label + pointer to 16
  w.name(Name.parse('WWW.EXAMPLE.COM.'), true); // pointer to 12
  w.name(Name.parse('com.'), true); // pointer to 24
  w.name(Name.parse('org.'), true); // no match
  w.name(Name.ROOT, true);
  const b = w.finish();
  assert.equal(b.length, 12 + 17 + 7 + 2 + 2 + 5 + 1);
  assert.deepEqual([...b.subarray(29, 36)], [4, 0x6d, 0x61, 0x69, 0x6c, 0xc0, 16]);
  assert.deepEqual([...b.subarray(36, 38)], [0xc0, 12]);
  assert.deepEqual([...b.subarray(38, 40)], [0xc0, 24]);
  const r = new WireReader(b, 12);
  const names = [r.name(), r.name(), r.name(), r.name(), r.name(), r.name()].map((n) => n.toString());
  // A pointer carries the case of its target (case-folded compression, RFC 1035 §2.3.3 / RFC 4343).
  assert.deepEqual(names, ['www.Example.COM.', 'mail.Example.COM.', 'www.Example.COM.', 'COM.', 'org.', '.']);
});

test('uncompressed names still become pointer targets; compress=false never emits a pointer', () => {
  const w = new WireWriter();
  header(w);
  w.name(Name.parse('a.example.'), false);
  w.name(Name.parse('a.example.'), false);
  w.name(Name.parse('b.example.'), true);
  const b = w.finish();
  assert.equal(b.length, 12 + 11 + 11 + 4);
  assert.deepEqual([...b.subarray(-2)], [0xc0, 14]);
});

test('offsets at or beyond 0x4000 are never pointer targets', () => {
  const w = new WireWriter();
  header(w);
  w.bytes(new Uint8Array(0x4000 - 12 - 2));
  w.name(Name.parse('ab.example.'), true); // starts at 0x3ffe: "ab" at 0x3ffe ok, "example" at 0x4001 not
  w.name(Name.parse('ab.example.'), true);
  w.name(Name.parse('example.'), true);
  const b = w.finish();
  assert.deepEqual([...b.subarray(0x3ffe + 12, 0x3ffe + 14)], [0xc0 | 0x3f, 0xfe]);
  assert.equal(b.length, 0x3ffe + 12 + 2 + 9);
});

test('rollback forgets compression targets in the discarded octets', () => {
  const w = new WireWriter({ maxSize: 40 });
  header(w);
  w.name(Name.parse('example.'), true);
  const mark = w.mark();
  w.name(Name.parse('www.other.'), true);
  assert.equal(w.overflowed, false);
  w.bytes(new Uint8Array(20));
  assert.equal(w.overflowed, true);
  w.rollback(mark);
  assert.equal(w.length, mark);
  w.name(Name.parse('other.'), true); // must not point into the rolled-back octets
  w.name(Name.parse('x.example.'), true);
  const b = w.finish();
  assert.equal(b.length, 12 + 9 + 7 + 4);
  const r = new WireReader(b, 12);
  assert.deepEqual([r.name(), r.name(), r.name()].map(String), ['example.', 'other.', 'x.example.']);
  assert.throws(() => w.rollback(100), RangeError);
});

test('nameWire compresses names straight from RDATA and refuses malformed ones', () => {
  const w = new WireWriter();
  header(w);
  w.name(Name.parse('example.'), true);
  const rdata = Uint8Array.of(0, 10, ...Name.parse('mail.EXAMPLE.').wire);
  assert.equal(w.nameWire(rdata, 2, true), rdata.length);
  assert.deepEqual([...w.finish().subarray(-7)], [4, 0x6d, 0x61, 0x69, 0x6c, 0xc0, 12]);
  assert.throws(() => w.nameWire(Uint8Array.of(3, 0x61), 0, true), /overruns/);
  assert.throws(() => w.nameWire(Uint8Array.of(0xc0, 12), 0, true), /malformed/);
});

test('two writers used in turn each compress only against their own output', () => {
  const a = new WireWriter();
  const b = new WireWriter();
  header(a);
  header(b);
  a.name(Name.parse('www.example.com.'), true); // 12..28 in A
  b.bytes(new Uint8Array(5)); // B's names start elsewhere: A's offsets mean nothing in B
  b.name(Name.parse('mail.example.com.'), true); // 17.. in B
  a.name(Name.parse('ftp.example.com.'), true); // A took the table back empty: written out in full
  b.bytes(new Uint8Array(1)); // B writes no name: A keeps the table
  a.name(Name.parse('ftp.example.com.'), true); // A's own previous name: a pointer to it
  const outA = a.finish();
  const outB = b.finish();
  const ra = new WireReader(outA, 12);
  assert.deepEqual([ra.name(), ra.name(), ra.name()].map((n) => n.toString()), ['www.example.com.', 'ftp.example.com.', 'ftp.example.com.'], 'A decodes');
  assert.equal(ra.remaining, 0, 'A read to the end');
  assert.equal(outA.length, 12 + 17 + 17 + 2, 'A lost www.example.com to B, then compressed against its own output again');
  assert.deepEqual([...outA.subarray(-2)], [0xc0, 29], 'A points at its own second name');
  const rb = new WireReader(outB, 17);
  assert.equal(rb.name().toString(), 'mail.example.com.', 'B decodes');
  assert.equal(rb.remaining, 1, 'B read to its last octet');
});

test('a long message keeps every compression target (thousands of names, rollback of the newest)', () => {
  const w = new WireWriter();
  header(w);
  const count = 1500; // all below offset 0x4000
  for (let i = 0; i < count; i++) w.name(Name.parse(`h${i}.example.`), true);
  const mark = w.mark();
  w.name(Name.parse('late.example.'), true);
  w.rollback(mark);
  // Each name again: the whole name is a pointer to its first occurrence (below 0x4000).
  const before = w.length;
  for (let i = 0; i < count; i += 100) w.name(Name.parse(`h${i}.example.`), true);
  assert.equal(w.length - before, 2 * (count / 100), 'every repeated name is a bare pointer');
  w.name(Name.parse('late.example.'), true);
  assert.equal(w.length - before - 2 * (count / 100), 5 + 2, 'the rolled-back name is written again, its suffix a pointer');
  const r = new WireReader(w.finish(), 12);
  for (let i = 0; i < count; i++) assert.equal(r.name().toString(), `h${i}.example.`, `name ${i}`);
  for (let i = 0; i < count; i += 100) assert.equal(r.name().toString(), `h${i}.example.`, `repeat ${i}`);
  assert.equal(r.name().toString(), 'late.example.', 'the last name');
});

test('finish returns an exact-size copy that later writers do not touch', () => {
  const w = new WireWriter();
  header(w);
  w.name(Name.parse('www.example.com.'), true);
  const out = w.finish();
  assert.equal(out.length, 12 + 17, 'the message length');
  assert.equal(out.buffer.byteLength, out.length, 'the result owns a buffer of exactly its size');
  const copy = [...out];
  const next = new WireWriter();
  next.bytes(new Uint8Array(100).fill(0xee));
  next.finish();
  assert.deepEqual([...out], copy, 'a later message leaves the first one as it was');
});

test('a writer whose scratch a newer writer takes keeps its octets and goes on', () => {
  const a = new WireWriter({ initialSize: 16 });
  header(a);
  a.name(Name.parse('www.example.com.'), true); // 12..28
  const b = new WireWriter();
  b.bytes(new Uint8Array(40).fill(0xaa)); // overwrites the scratch a wrote into
  a.bytes(new Uint8Array(3).fill(0x11));
  const outB = b.finish();
  const outA = a.finish();
  assert.equal(outA.length, 12 + 17 + 3, 'A has everything it wrote');
  assert.equal(new WireReader(outA, 12).name().toString(), 'www.example.com.', 'A decodes its name');
  assert.deepEqual([...outA.subarray(-3)], [0x11, 0x11, 0x11], 'A went on writing after the handover');
  assert.deepEqual([...outB], new Array(40).fill(0xaa), 'B has only its own octets');
});

test('octets that fold alike only for the hash never make a pointer', () => {
  // '@' (0x40) and '`' (0x60) hash alike (| 0x20) but are different labels (RFC 4343 §3 folds A-Z only).
  const w = new WireWriter();
  header(w);
  w.name(Name.fromLabels([Uint8Array.of(0x40)]), true);
  w.name(Name.fromLabels([Uint8Array.of(0x60)]), true);
  w.name(Name.fromLabels([Uint8Array.of(0x5a)]), true); // 'Z'
  w.name(Name.fromLabels([Uint8Array.of(0x7a)]), true); // 'z': the same label, a pointer
  const b = w.finish();
  assert.deepEqual([...b.subarray(12)], [1, 0x40, 0, 1, 0x60, 0, 1, 0x5a, 0, 0xc0, 18], 'only z points (at Z)');
});

test('bytesOf copies exactly a range of octets, and refuses one outside the data', () => {
  const data = Uint8Array.from({ length: 40 }, (_, i) => i + 1);
  const w = new WireWriter();
  w.u8(0xff);
  w.bytesOf(data, 3, 7);
  w.bytesOf(data, 10, 10);
  w.bytesOf(data, 30, 40);
  assert.deepEqual([...w.finish()], [0xff, 4, 5, 6, 7, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40], 'the ranges in order, nothing else');
  const v = new WireWriter();
  assert.throws(() => v.bytesOf(data, 5, 41), RangeError, 'past the end');
  assert.throws(() => v.bytesOf(data, -1, 2), RangeError, 'before the start');
  assert.throws(() => v.bytesOf(data, 6, 5), RangeError, 'end before start');
});
