import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireError } from '../../src/core/errors.js';
import { Name } from '../../src/wire/name.js';
import { NAME_MEMO_LIMIT, NAME_TABLE_SIZE, WireReader } from '../../src/wire/reader.js';

const te = new TextEncoder();
const label = (s: string): number[] => [s.length, ...te.encode(s)];
/** A buffer whose first 12 octets stand for a message header. */
const msg = (...bytes: number[]): Uint8Array => Uint8Array.of(...new Uint8Array(12), ...bytes);
const ptr = (t: number): number[] => [0xc0 | (t >>> 8), t & 0xff];

function wireErr(re: RegExp, offset?: number): (e: unknown) => boolean {
  return (e: unknown) => e instanceof WireError && re.test(e.message) && (offset === undefined || e.offset === offset);
}

test('integers and bytes are bounds-checked with the offset', () => {
  const r = new WireReader(Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 0x0203);
  assert.equal(r.u32(), 0x04050607);
  assert.equal(r.remaining, 0);
  assert.throws(() => r.u8(), wireErr(/overruns/, 7));
  const r2 = new WireReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
  assert.equal(r2.u32(), 0xffffffff);
  const r3 = new WireReader(Uint8Array.of(1, 2, 3), 1);
  assert.throws(() => r3.u32(), wireErr(/u32 overruns/, 1));
  assert.equal(r3.pos, 1, 'a failed read does not move');
  assert.deepEqual(r3.bytes(2), Uint8Array.of(2, 3));
  assert.throws(() => r3.bytes(1), WireError);
  assert.throws(() => new WireReader(Uint8Array.of(1), 0, 2), RangeError);
  // A narrowed window stops reads before the end of the buffer.
  const r4 = new WireReader(Uint8Array.of(1, 2, 3, 4), 0, 2);
  assert.throws(() => r4.u32(), WireError);
});

test('plain and compressed names', () => {
  const bytes = msg(...label('www'), ...label('Example'), ...label('com'), 0, ...label('mail'), 0xc0, 16, 0xc0, 12, 0);
  const r = new WireReader(bytes, 12);
  assert.equal(r.name().toString(), 'www.Example.com.');
  assert.equal(r.pos, 12 + 17);
  assert.equal(r.name().toString(), 'mail.Example.com.');
  assert.equal(r.pos, 12 + 17 + 7);
  assert.equal(r.name().toString(), 'www.Example.com.');
  assert.equal(r.pos, 12 + 17 + 9);
  assert.ok(r.name().isRoot(), 'root');
  assert.equal(r.remaining, 0);
  // Pointer chains that go strictly backwards are followed.
  const chain = msg(...label('c'), 0, ...label('b'), 0xc0, 12, ...label('a'), 0xc0, 15);
  const rc = new WireReader(chain, 19);
  assert.equal(rc.name().toString(), 'a.b.c.');
  assert.equal(rc.pos, chain.length);
});

test('compression pointers: forward, self, loops, into the header, truncated', () => {
  // Pointer to itself.
  assert.throws(() => new WireReader(msg(0xc0, 12), 12).name(), wireErr(/forward or looping/, 12));
  // Forward pointer to a valid name later in the message.
  assert.throws(() => new WireReader(msg(0xc0, 14, ...label('a'), 0), 12).name(), wireErr(/forward or looping/, 12));
  // Two-step loop: 14 → 12 ("a" then pointer to 14 again).
  const loop = msg(...label('a'), 0xc0, 12);
  assert.throws(() => new WireReader(loop, 12).name(), wireErr(/forward or looping/, 14));
  // A backward pointer whose target then jumps forward again: A at 20 → 12, at 12 "x" then → 20.
  const zigzag = msg(...label('x'), 0xc0, 20, 0, 0, 0, 0, 0xc0, 12);
  assert.throws(() => new WireReader(zigzag, 20).name(), wireErr(/forward or looping/, 14));
  // Pointer into the header.
  assert.throws(() => new WireReader(msg(0xc0, 0), 12).name(), wireErr(/into the header/, 12));
  assert.throws(() => new WireReader(msg(0xc0, 11), 12).name(), wireErr(/into the header/));
  // Truncated pointer, truncated label, missing root.
  assert.throws(() => new WireReader(msg(0xc0), 12).name(), wireErr(/pointer overruns/));
  assert.throws(() => new WireReader(msg(3, 0x61, 0x62), 12).name(), wireErr(/label overruns/));
  assert.throws(() => new WireReader(msg(...label('a')), 12).name(), wireErr(/name overruns/, 14));
  // Pointers refused where compression is not allowed.
  const ok = msg(...label('a'), 0, 0xc0, 12);
  assert.throws(() => new WireReader(ok, 15).name(false), wireErr(/may not be compressed/));
  assert.equal(new WireReader(ok, 15).name(true).toString(), 'a.');
});

test('label types 0x40 and 0x80 are refused', () => {
  assert.throws(() => new WireReader(msg(0x41, 0x61, 0), 12).name(), wireErr(/label type 0x40/));
  assert.throws(() => new WireReader(msg(0x80, 0), 12).name(), wireErr(/label type 0x80/));
  assert.throws(() => new WireReader(msg(0xbf, 0), 12).name(), wireErr(/label type 0x80/));
});

test('names over 255 octets are refused, also when assembled through pointers', () => {
  const l63 = label('a'.repeat(63));
  // 4 × 64 + 1 = 257 octets inline.
  assert.throws(() => new WireReader(msg(...l63, ...l63, ...l63, ...l63, 0), 12).name(), wireErr(/longer than 255/));
  // Exactly 255: 3 × 64 + 62 + 1.
  const l61 = label('b'.repeat(61));
  const max = new WireReader(msg(...l63, ...l63, ...l63, ...l61, 0), 12).name();
  assert.equal(max.length, 255);
  // 255 + one more label via a pointer: the suffix is legal, the whole is not.
  const base = msg(...l63, ...l63, ...l63, ...l61, 0, ...label('x'), 0xc0, 12);
  assert.throws(() => new WireReader(base, 12 + 255).name(), wireErr(/longer than 255/));
  // Many short pointer hops are fine as long as the total stays within 255.
  const hops: number[] = [...label('z'), 0];
  for (let i = 0; i < 100; i++) hops.push(...label('y'), ...ptr(i === 0 ? 12 : 15 + (i - 1) * 4));
  const deep = msg(...hops);
  const last = 12 + 3 + 99 * 4;
  assert.equal(new WireReader(deep, last).name().labelCount, 101);
  const tooDeep: number[] = [...label('z'), 0];
  for (let i = 0; i < 200; i++) tooDeep.push(...label('y'), ...ptr(i === 0 ? 12 : 15 + (i - 1) * 4));
  assert.throws(() => new WireReader(msg(...tooDeep), 12 + 3 + 199 * 4).name(), wireErr(/longer than 255/));
});

test('nameInto writes the expanded name and returns the end', () => {
  const bytes = msg(...label('Ab'), 0, ...label('c'), 0xc0, 12);
  const r = new WireReader(bytes, 16);
  const out = new Uint8Array(300);
  const end = r.nameInto(out, 10, true);
  assert.equal(end, 10 + 2 + 4);
  assert.deepEqual(Name.fromWire(out.slice(10, end)).toString(), 'c.Ab.');
  assert.equal(r.pos, bytes.length);
});

test('a name that is only a pointer to an earlier name start yields the same Name object', () => {
  const bytes = msg(...label('Www'), ...label('example'), 0, 0xc0, 12, 0xc0, 16, 0xc0, 12);
  const r = new WireReader(bytes, 12);
  const first = r.name();
  const again = r.name();
  assert.equal(again, first, 'memoised');
  assert.equal(r.name().toString(), 'example.', 'a pointer into the middle is expanded normally');
  assert.equal(r.name(), first);
  assert.equal(r.remaining, 0);
  // The memo never bypasses the checks: a forward pointer to a known start is still refused.
  const fwd = msg(...label('a'), 0, 0xc0, 12);
  const rf = new WireReader(fwd, 15);
  assert.equal(rf.name().toString(), 'a.');
  rf.pos = 12;
  assert.equal(rf.name().toString(), 'a.');
  const self = msg(0xc0, 14, ...label('a'), 0);
  const rs = new WireReader(self, 14);
  rs.name();
  rs.pos = 12;
  assert.throws(() => rs.name(), /forward or looping/);
});

test('a pointer to where a bare pointer led yields the name read through it (glue owners pointing into NS RDATA)', () => {
  // 12: "example" root; 21: "ns1" + pointer to 12 (a name inside some RDATA, not read by name());
  // 27: pointer to 21 (a glue owner); 29: pointer to 21 again (its RRSIG's owner); 31: pointer to
  // 25, the pointer that ends ns1's name.
  const bytes = msg(...label('example'), 0, ...label('ns1'), ...ptr(12), ...ptr(21), ...ptr(21), ...ptr(25));
  const r = new WireReader(bytes, 27);
  const glue = r.name();
  assert.equal(glue.toString(), 'ns1.example.');
  assert.equal(r.name(), glue, 'the second pointer to the same target is the same Name');
  assert.equal(r.name().toString(), 'example.', 'a pointer to a pointer inside that name is expanded on its own');
  assert.equal(r.remaining, 0);
  // Without decompression there is no memo: the pointer is an error as before.
  const rn = new WireReader(bytes, 29);
  assert.throws(() => rn.name(false), /compression pointer/);
});

test('a name equal octet for octet to one already read (another pointer chain, or written out again) is that same Name', () => {
  // 12: "a.example" root; 23: "a" + pointer to 14 ("example"), the same name by another chain;
  // 27: "A.example" written out (differs in case: a Name of its own); 38: "a.example" written out.
  const bytes = msg(...label('a'), ...label('example'), 0, ...label('a'), ...ptr(14), ...label('A'), ...label('example'), 0,
    ...label('a'), ...label('example'), 0);
  const r = new WireReader(bytes, 12);
  const first = r.name();
  const viaChain = r.name();
  assert.equal(viaChain, first, 'same octets through another pointer chain');
  assert.equal(r.pos, 27, 'the stream moved past the pointer');
  const upper = r.name();
  assert.notEqual(upper, first, 'original case is kept: a different Name');
  assert.equal(upper.toString(), 'A.example.');
  assert.ok(upper.equals(first), 'still equal as names (RFC 4343)');
  assert.equal(r.name(), first, 'written out again');
  assert.equal(r.remaining, 0);
  assert.deepEqual(first.labels().map((l) => l.length), [1, 7], 'labels from the exact-size offsets');
  assert.equal(new WireReader(msg(0), 12).name(), Name.ROOT, 'the root is Name.ROOT');
});

test('the name memo is bounded: past NAME_MEMO_LIMIT entries names are decoded in full (equal, not shared)', () => {
  // A hostile message can hold thousands of names; every memo search must stay short.
  const bytes: number[] = [...label('example'), 0]; // first name at offset 12
  const count = NAME_MEMO_LIMIT + 8;
  let lastAt = 0;
  for (let i = 0; i < count; i++) {
    lastAt = 12 + bytes.length;
    bytes.push(...label(`n${i}`), ...ptr(12)); // n<i>.example, pointing back
  }
  const tail = [...ptr(12), ...ptr(lastAt)]; // a pointer to the first name, then to the last one
  const r = new WireReader(msg(...bytes, ...tail), 12);
  const first = r.name();
  const names = Array.from({ length: count }, () => r.name());
  const last = names[count - 1]!;
  assert.equal(last.toString(), `n${count - 1}.example.`, 'names past the limit decode correctly');
  assert.equal(r.name(), first, 'a pointer to a name in the memo yields that Name');
  const again = r.name();
  assert.ok(again.equals(last), `the last name read again: ${again.toString()}`);
  // Expanded again, not found in the memo; it may still be the same Name, through the table of
  // names kept across messages (tested below).
  assert.deepEqual(again.wire, last.wire, 'the same octets');
});

test('the same name in two messages is one Name (the table across messages); another case is another Name', () => {
  const one = new WireReader(msg(...label('www'), ...label('Example'), 0), 12);
  const two = new WireReader(msg(...label('x'), 0, ...label('www'), ...label('Example'), 0), 12);
  const a = one.name();
  one.release();
  assert.equal(two.name().toString(), 'x.', 'the second message\'s first name');
  const b = two.name();
  two.release();
  assert.equal(b, a, 'octet for octet the same name: the same Name object');
  const c = new WireReader(msg(...label('www'), ...label('example'), 0), 12).name();
  assert.notEqual(c, a, 'another case: another Name');
  assert.equal(c.toString(), 'www.example.', 'with its own case');
  assert.equal(a.toString(), 'www.Example.', 'the first keeps its case');
});

test('names across many messages, more than the table holds, each decode to their own octets', () => {
  const first: Name[] = [];
  for (let i = 0; i < 3 * NAME_TABLE_SIZE; i++) {
    const r = new WireReader(msg(...label(`h${i}`), ...label('example'), 0), 12);
    const n = r.name();
    r.release();
    assert.equal(n.toString(), `h${i}.example.`, `name ${i}`);
    if (i < 4) first.push(n);
  }
  for (let i = 0; i < 4; i++) {
    const n = new WireReader(msg(...label(`h${i}`), ...label('example'), 0), 12).name();
    assert.deepEqual(n.wire, first[i]!.wire, `name ${i} read again after its slot was taken: its own octets`);
  }
});

test('two readers used in turn each decode every name correctly (the memo is shared scratch, owned by one at a time)', () => {
  // A: "a.example" at 12, then pointers to it; B: a different message with names at the same offsets.
  const a = new WireReader(msg(...label('a'), ...label('example'), 0, ...ptr(12), ...ptr(14), ...ptr(12)), 12);
  const b = new WireReader(msg(...label('zz'), ...label('other'), 0, ...ptr(12), ...ptr(15)), 12);
  const a1 = a.name();
  const b1 = b.name();
  assert.equal(b1.toString(), 'zz.other.', 'B reads its own name');
  const a2 = a.name();
  assert.equal(a2.toString(), 'a.example.', 'A, after B took the memo, still expands the pointer into its own message');
  assert.ok(a2.equals(a1), 'equal to the first name of A');
  assert.equal(a.name().toString(), 'example.', 'A: a pointer into the middle of its first name');
  assert.equal(a.name(), a2, 'A shares names again once it holds the memo');
  const b2 = b.name();
  assert.equal(b2.toString(), 'zz.other.', 'B expands its pointer in its own message, not from A\'s names');
  assert.ok(!b2.equals(a1), 'no name of A leaks into B');
  assert.equal(b.name().toString(), 'other.', 'B: a pointer into the middle');
  b.release();
  a.release();
  assert.equal(a.remaining, 0, 'A read to the end');
  assert.equal(b.remaining, 0, 'B read to the end');
});
