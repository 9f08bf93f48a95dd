import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, compareNames, escapeLabel } from '../../src/wire/name.js';

test('parse and print round-trip, with escapes for every byte value', () => {
  for (let b = 0; b < 256; b++) {
    const n = Name.fromLabels([Uint8Array.of(b, 0x61), Uint8Array.of(0x63, 0x6f, 0x6d)]);
    const back = Name.parse(n.toString());
    assert.deepEqual(back.wire, n.wire, `byte ${b}: ${n.toString()}`);
  }
  assert.equal(Name.parse('a\\.b.example.').labelCount, 2);
  assert.equal(Name.parse('a\\.b.example.').toString(), 'a\\.b.example.');
  assert.equal(Name.parse('\\065bc.').toString(), 'Abc.');
  assert.equal(escapeLabel(Uint8Array.of(0x20)), '\\032');
});

test('relative names, @ and the root', () => {
  const origin = Name.parse('example.com.');
  assert.equal(Name.parse('www', origin).toString(), 'www.example.com.');
  assert.equal(Name.parse('@', origin), origin);
  assert.equal(Name.parse('.').isRoot(), true);
  assert.throws(() => Name.parse('www'), /no origin/);
  assert.throws(() => Name.parse('a..b.'), /empty label/);
  assert.throws(() => Name.parse(`${'a'.repeat(64)}.`), /longer than 63/);
  assert.throws(() => Name.parse(`${'a'.repeat(60)}.`.repeat(5)), /longer than 255/);
  assert.throws(() => Name.parse('\\256.'), /out of range/);
});

test('case-insensitive equality, subdomains, suffixes', () => {
  const a = Name.parse('WWW.Example.COM.');
  const b = Name.parse('www.example.com.');
  assert.ok(a.equals(b));
  assert.equal(a.key, b.key);
  assert.ok(a.isSubdomainOf(Name.parse('example.com.')));
  assert.ok(a.isSubdomainOf(Name.ROOT));
  assert.ok(!Name.parse('example.com.').isSubdomainOf(a));
  assert.ok(!Name.parse('xexample.com.').isSubdomainOf(Name.parse('example.com.')));
  assert.equal(a.suffix(2).toString(), 'Example.COM.');
  assert.equal(a.parent()?.toString(), 'Example.COM.');
  assert.equal(Name.ROOT.parent(), undefined);
  assert.ok(Name.parse('*.example.').isWildcard());
  assert.equal(a.toRelativeString(Name.parse('example.com.')), 'WWW');
});

test('RFC 4034 §6.1 canonical order example', () => {
  // The ordered list from RFC 4034 §6.1.
  const ordered = [
    'example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.',
    '\\001.z.example.', '*.z.example.', '\\200.z.example.',
  ].map((s) => Name.parse(s));
  const shuffled = [...ordered].reverse();
  shuffled.sort(compareNames);
  assert.deepEqual(shuffled.map((n) => n.toString()), ordered.map((n) => n.toString()));
});

test('fromWire rejects malformed names', () => {
  assert.throws(() => Name.fromWire(Uint8Array.of(3, 0x61, 0x62)), /root/);
  assert.throws(() => Name.fromWire(Uint8Array.of(64, ...new Uint8Array(64), 0)), /63/);
  assert.throws(() => Name.fromWire(Uint8Array.of(0, 0)), /trailing/);
  assert.equal(Name.fromWire(Uint8Array.of(1, 0x61, 0)).toString(), 'a.');
});

/** RFC 4034 §6.1 order and shared rightmost labels, label by label from views: the reference. */
function referenceOrder(a: Name, b: Name): { order: number; common: number } {
  const la = a.labels().reverse();
  const lb = b.labels().reverse();
  const low = (x: number): number => (x >= 0x41 && x <= 0x5a ? x + 0x20 : x);
  let common = 0;
  let order = la.length - lb.length;
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    const x = la[i]!;
    const y = lb[i]!;
    let d = 0;
    for (let j = 0; j < Math.min(x.length, y.length) && d === 0; j++) d = low(x[j]!) - low(y[j]!);
    if (d === 0) d = x.length - y.length;
    if (d !== 0) {
      order = d;
      break;
    }
    common++;
  }
  return { order, common };
}

test('canonical order, shared labels and wire equality computed in place match label by label', () => {
  const texts = ['.', 'a.', 'A.', 'b.a.', 'B.A.', 'ab.a.', 'a.b.', '\\001.a.', 'z.a.', '*.z.a.', 'yljkjljk.a.', 'Z.a.', 'zABC.a.', '\\200.a.', 'x.y.z.example.', 'X.Y.Z.EXAMPLE.', 'y.z.example.'];
  const names = texts.map((t) => Name.parse(t));
  for (const a of names) {
    for (const b of names) {
      const ref = referenceOrder(a, b);
      const what = `${a.toString()} vs ${b.toString()}`;
      assert.equal(Math.sign(Name.compare(a, b)), Math.sign(ref.order), `order of ${what}`);
      assert.equal(Math.sign(compareNames(a, b)), Math.sign(ref.order), `compareNames of ${what}`);
      assert.equal(Name.commonLabels(a, b), ref.common, `shared labels of ${what}`);
      assert.equal(a.equalsWire(b.wire), a.equals(b), `wire equality of ${what}`);
    }
  }
  assert.equal(Name.parse('a.b.').equalsWire(Uint8Array.of(1, 0x41, 1, 0x42)), false, 'a form without its root label is not the name');
});

test('label views, suffixes and ancestry walk the wire form, and a name used so stays equal to a fresh one', () => {
  const text = 'x.Y.z.Example.';
  const used = Name.parse(text);
  const labels = ['x', 'Y', 'z', 'Example'];
  for (let i = 0; i < labels.length; i++) assert.equal(Buffer.from(used.label(i)).toString('latin1'), labels[i], `label ${i}`);
  assert.throws(() => used.label(4), RangeError, 'label past the last');
  assert.throws(() => used.label(-1), RangeError, 'negative label');
  assert.throws(() => used.label(0.5), RangeError, 'fractional label');
  assert.deepEqual(
    used.labels().map((l) => Buffer.from(l).toString('latin1')),
    labels,
    'labels() in order',
  );
  for (let n = 0; n <= 4; n++) {
    const s = used.suffix(n);
    assert.equal(s.labelCount, n, `suffix(${n}) label count`);
    assert.equal(s.toString(), n === 0 ? '.' : `${labels.slice(4 - n).join('.')}.`, `suffix(${n}) text`);
    assert.ok(used.isSubdomainOf(s), `${text} is below its suffix(${n})`);
    assert.equal(s.suffix(Math.max(0, n - 1)).toString(), used.suffix(Math.max(0, n - 1)).toString(), `suffix of suffix(${n})`);
  }
  assert.equal(used.isSubdomainOf(Name.parse('y.z.example.')), true, 'case aside (RFC 4343)');
  assert.equal(used.isSubdomainOf(Name.parse('xy.z.example.')), false, 'not below a sibling');
  assert.equal(used.isSubdomainOf(Name.parse('a.y.z.example.')), false, 'not below a name of as many labels');
  assert.equal(used.toLowerCase().toString(), 'x.y.z.example.', 'lower-cased');
  assert.ok(Name.compare(used, Name.parse('a.y.z.example.')) > 0 && Name.commonLabels(used, Name.parse('q.z.example.')) === 2, 'order and shared labels');
  // Each computes its key (the one cache a name has), so only the uses above could tell them apart.
  const fresh = Name.parse(text);
  assert.equal(used.key, fresh.key, 'same key');
  assert.deepEqual(used, fresh, 'no state kept from the uses above');
  const fromWire = Name.fromWire(used.wire.slice());
  assert.equal(fromWire.key, fresh.key, 'same key from the wire form');
  assert.deepEqual(fromWire, fresh, 'fromWire and parse make the same name');
});

test('prepend builds the same name as fromLabels, on whole names and on suffix views, with the same limits', () => {
  const star = Uint8Array.of(0x2a);
  const names = [Name.ROOT, Name.parse('Example.COM.'), Name.parse('a.b.c.example.'), Name.parse('x.y.Zone.test.').suffix(2)];
  for (const n of names) {
    for (const label of [star, new TextEncoder().encode('Www'), new Uint8Array(63).fill(0x61)]) {
      const got = n.prepend(label);
      const want = Name.fromLabels([label, ...n.labels()]);
      assert.deepEqual(got, want, 'the same object as fromLabels makes');
      assert.deepEqual(got.wire, want.wire, `wire of ${want.toString()}`);
      assert.equal(got.labelCount, want.labelCount, `label count of ${want.toString()}`);
      assert.equal(got.key, want.key, `key of ${want.toString()}`);
      assert.equal(got.toString(), want.toString(), 'presentation');
      assert.ok(got.equals(want), `equals ${want.toString()}`);
      assert.ok(got.isSubdomainOf(n), `${got.toString()} below ${n.toString()}`);
      assert.ok(got.suffix(n.labelCount).equals(n), `suffix of ${got.toString()}`);
      assert.deepEqual(got.label(0), label, 'first label');
    }
  }
  assert.throws(() => Name.parse('a.').prepend(new Uint8Array(0)), /empty label/, 'empty label');
  assert.throws(() => Name.parse('a.').prepend(new Uint8Array(64).fill(0x61)), /label longer/, 'label over 63');
  const long = Name.fromLabels([new Uint8Array(63).fill(0x61), new Uint8Array(63).fill(0x62), new Uint8Array(63).fill(0x63), new Uint8Array(60).fill(0x64)]);
  assert.equal(long.wire.length, 254, 'a 254-octet name');
  assert.throws(() => long.prepend(star), /name longer/, 'name over 255 octets');
  assert.equal(Name.fromLabels([new Uint8Array(63).fill(0x61), new Uint8Array(63).fill(0x62), new Uint8Array(63).fill(0x63), new Uint8Array(58).fill(0x64)]).prepend(star).wire.length, 254, 'prepend up to the limit');
});
