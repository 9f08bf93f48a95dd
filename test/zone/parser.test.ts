import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileError } from '../../src/core/errors.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { printRdata } from '../../src/wire/rdata-text.js';
import { lexZone } from '../../src/zone/lexer.js';
import { parseZone, parseZoneText, resolveIncludePath, substituteGenerate } from '../../src/zone/parser.js';
import type { ParsedRecord, ReadFile } from '../../src/zone/parser.js';

function show(rr: ParsedRecord): string {
  return `${rr.name.toString()} ${rr.ttl} ${rr.class} ${rr.type} ${printRdata(rr.type, rr.rdata)}`;
}

function parseLines(text: string, options: Parameters<typeof parseZoneText>[1] = {}): string[] {
  return parseZoneText(text, { origin: 'example.', ...options }).records.map(show);
}

function fileErr(fn: () => unknown, line: number, column: number | undefined, re: RegExp, file?: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FileError, String(err));
    assert.match(err.detail, re);
    assert.equal(err.line, line, `line of: ${err.message}`);
    if (column !== undefined) assert.equal(err.column, column, `column of: ${err.message}`);
    if (file !== undefined) assert.equal(err.file, file);
    return;
  }
  assert.fail(`expected a FileError matching ${re}`);
}

test('lexer: parentheses, comments, quotes, escapes, blank owner', () => {
  const text = 'a  IN A 1.2.3.4 ; c\n  TXT ( "x;y" \\( ;c2\n  "q\\"r" )\n\n; only a comment\n(b) A 1.1.1.1\n';
  const entries = [...lexZone(text, 'f')];
  assert.equal(entries.length, 3);
  assert.deepEqual(entries[0]!.tokens.map((t) => t.text), ['a', 'IN', 'A', '1.2.3.4']);
  assert.equal(entries[0]!.blankOwner, false);
  assert.deepEqual(entries[1]!.tokens.map((t) => [t.text, t.quoted, t.line, t.column]), [
    ['TXT', false, 2, 3],
    ['x;y', true, 2, 9],
    ['\\(', false, 2, 15],
    ['q\\"r', true, 3, 3],
  ]);
  assert.equal(entries[1]!.blankOwner, true);
  assert.deepEqual(entries[2]!.tokens.map((t) => t.text), ['b', 'A', '1.1.1.1']);
  // CRLF line ends and a BOM.
  assert.deepEqual([...lexZone('\uFEFFa A 1.2.3.4\r\nb A 5.6.7.8\r\n', 'f')].map((e) => e.tokens.length), [3, 3]);
});

test('owner, @, relative names, omitted owner, TTL and class in either order', () => {
  const text = [
    '$TTL 1h',
    '@ IN SOA ns hostmaster ( 1 2 3 4 5 )',
    '  NS ns',
    'ns 300 IN A 192.0.2.1',
    'ns IN 600 AAAA 2001:db8::1',
    '   IN A 192.0.2.2',
    'www.example. CNAME ns',
    '$ORIGIN sub',
    'x A 10.0.0.1',
    '$ORIGIN example.',
    'y 1w MX 10 x.sub',
  ].join('\n');
  assert.deepEqual(parseLines(text), [
    'example. 3600 1 6 ns.example. hostmaster.example. 1 2 3 4 5',
    'example. 3600 1 2 ns.example.',
    'ns.example. 300 1 1 192.0.2.1',
    'ns.example. 600 1 28 2001:db8::1',
    'ns.example. 3600 1 1 192.0.2.2',
    'www.example. 3600 1 5 ns.example.',
    'x.sub.example. 3600 1 1 10.0.0.1',
    'y.example. 604800 1 15 10 x.sub.example.',
  ]);
  const parsed = parseZoneText(text, { origin: 'example.', file: 'z' });
  assert.equal(parsed.origin?.toString(), 'example.');
  assert.deepEqual(parsed.records.map((r) => r.line), [2, 3, 4, 5, 6, 7, 9, 11]);
  assert.ok(parsed.records.every((r) => r.file === 'z' && r.class === RRClass.IN));
  // Without an origin option the zone origin is the SOA owner.
  assert.equal(parseZoneText('example.com. 60 SOA a. b. 1 2 3 4 5').origin?.toString(), 'example.com.');
});

test('omitted TTL: $TTL, else previous TTL, else SOA minimum (BIND), else an error', () => {
  assert.deepEqual(parseLines('@ SOA a. b. 1 2 3 4 55\na A 1.2.3.4\nb 7 A 1.2.3.4\nc A 1.2.3.4').map((l) => l.split(' ')[1]), ['55', '55', '7', '55']);
  assert.deepEqual(parseLines('a 10 A 1.2.3.4\nb A 1.2.3.4\n$TTL 20\nc A 1.2.3.4\nd 5 A 1.2.3.4\ne A 1.2.3.4').map((l) => l.split(' ')[1]), ['10', '10', '20', '5', '20']);
  assert.deepEqual(parseLines('a A 1.2.3.4', { defaultTtl: 99 }).map((l) => l.split(' ')[1]), ['99']);
  fileErr(() => parseLines('a A 1.2.3.4'), 1, 3, /no TTL/);
});

test('class: default IN, first explicit class, mismatch is an error', () => {
  assert.equal(parseZoneText('a. 1 CH TXT x\nb. 1 TXT y').records[1]!.class, RRClass.CH);
  assert.equal(parseZoneText('a. 1 CLASS3 TXT x').records[0]!.class, 3);
  fileErr(() => parseLines('a 1 A 1.2.3.4\nb 1 CH A 1.2.3.4'), 2, 1, /class CH differs/);
});

test('$INCLUDE through the injected reader, with origin, nesting and restore', () => {
  const files: Record<string, string> = {
    'zones/main.zone': '$TTL 60\n@ SOA ns h 1 2 3 4 5\n$INCLUDE sub.inc sub\nafter A 1.1.1.1\n$INCLUDE /abs/x.inc\n',
    'zones/sub.inc': 'a A 10.0.0.1\n$INCLUDE deeper.inc\n  TXT "same owner"\n',
    'zones/deeper.inc': 'b A 10.0.0.2\n',
    '/abs/x.inc': 'abs TXT "absolute"\n',
  };
  const seen: [string, string][] = [];
  const readFile: ReadFile = (path, from) => {
    seen.push([path, from]);
    const text = files[resolveIncludePath(path, from)];
    if (text === undefined) throw new Error('ENOENT');
    return text;
  };
  const z = parseZoneText(files['zones/main.zone']!, { file: 'zones/main.zone', origin: 'example.', readFile });
  assert.deepEqual(z.records.map((r) => `${r.name.toString()} ${r.file}:${r.line}`), [
    'example. zones/main.zone:2',
    'a.sub.example. zones/sub.inc:1',
    'b.sub.example. zones/deeper.inc:1',
    'a.sub.example. zones/sub.inc:3',
    'after.example. zones/main.zone:4',
    'abs.example. /abs/x.inc:1',
  ]);
  assert.deepEqual(seen, [['sub.inc', 'zones/main.zone'], ['deeper.inc', 'zones/sub.inc'], ['/abs/x.inc', 'zones/main.zone']]);
  fileErr(() => parseLines('$INCLUDE nothere'), 1, 1, /no file reader/);
  fileErr(() => parseZoneText('\n$INCLUDE nothere', { origin: 'example.', readFile }), 2, 10, /cannot read \$INCLUDE file "nothere": ENOENT/);
});

test('$GENERATE with modifiers, nibbles and a quoted rhs', () => {
  assert.equal(substituteGenerate('host-${0,3,d}', 7), 'host-007');
  assert.equal(substituteGenerate('${10,4,x}.$', 1), '000b.1');
  assert.equal(substituteGenerate('${0,0,X}', 255), 'FF');
  assert.equal(substituteGenerate('${0,3,o}', 8), '010');
  assert.equal(substituteGenerate('${0,0,n}', 0x12), '2.1');
  assert.equal(substituteGenerate('${0,7,N}', 0xab), 'B.A.0.0');
  assert.equal(substituteGenerate('\\$x$', 3), '\\$x3');
  const lines = parseLines('$TTL 5\n$GENERATE 1-5/2 h$ A 10.0.0.$\n$GENERATE 0-1 m$ 30 IN MX "1${1} mx$"\n$GENERATE 2-2 c$ CNAME h${-1}');
  assert.deepEqual(lines, [
    'h1.example. 5 1 1 10.0.0.1',
    'h3.example. 5 1 1 10.0.0.3',
    'h5.example. 5 1 1 10.0.0.5',
    'm0.example. 30 1 15 11 mx0.example.',
    'm1.example. 30 1 15 12 mx1.example.',
    'c2.example. 5 1 5 h1.example.',
  ]);
  fileErr(() => parseLines('$TTL 5\n$GENERATE 5-1 h$ A 10.0.0.$'), 2, 11, /bad \$GENERATE range/);
  fileErr(() => parseLines('$TTL 5\n$GENERATE 0-70000 h$ A 10.0.0.1'), 2, 11, /more than 65536/);
  fileErr(() => parseLines('$TTL 5\n$GENERATE 1-300 h$ A 10.0.0.$'), 2, 22, /address/);
  fileErr(() => parseLines('$TTL 5\n$GENERATE 1-3 h${x} A 10.0.0.1'), 2, 15, /bad modifier/);
});

test('streaming: a generator that yields records as it goes', () => {
  const gen = parseZone('a 1 A 1.2.3.4\nb 1 A 1.2.3.4\nbad!!\n', { origin: 'example.' });
  assert.equal(gen.next().value?.name.toString(), 'a.example.');
  assert.equal(gen.next().value?.name.toString(), 'b.example.');
  assert.throws(() => gen.next(), FileError);
});

test('record-level errors carry file, line and column', () => {
  fileErr(() => parseLines('a 1 A 1.2.3.4\nb 1 BOGUS x', { file: 'f.zone' }), 2, 5, /unknown record type "BOGUS"/, 'f.zone');
  fileErr(() => parseLines('a 1 IN'), 1, 5, /missing record type/);
  fileErr(() => parseLines('a 1 2 A 1.2.3.4'), 1, 5, /second TTL/);
  fileErr(() => parseLines('a 1 ANY 1.2.3.4'), 1, 5, /cannot appear/);
  fileErr(() => parseLines('a 1 OPT \\# 0'), 1, 5, /cannot appear/);
  fileErr(() => parseLines('a 1 NONE A 1.2.3.4'), 1, 5, /cannot appear/);
  fileErr(() => parseLines('a 1 MX 10\n'), 1, 8, /missing field exchange/);
  fileErr(() => parseLines('a 1 MX 10 (\n b.\n c. )'), 3, 2, /unexpected "c\."/);
  fileErr(() => parseLines(' A 1.2.3.4'), 1, 1, /no owner name/);
  fileErr(() => parseZoneText('www 1 A 1.2.3.4'), 1, 1, /relative name "www" with no origin/);
  fileErr(() => parseLines('$ORIGIN'), 1, 1, /needs 1 argument/);
  fileErr(() => parseLines('$TTL 1 2'), 1, 8, /unexpected "2"/);
  fileErr(() => parseLines('$FOO bar'), 1, 1, /unknown directive/);
  fileErr(() => parseLines('a 1 A 1.2.3.4', { maxRecords: 0 }), 1, 1, /more than 0 records/);
  assert.equal(Name.parse('x.', undefined).toString(), 'x.');
  assert.equal(parseZoneText('a. 1 TYPE65280 \\# 1 ff').records[0]!.type, 65280);
  assert.equal(parseZoneText('a. 1 a 1.2.3.4').records[0]!.type, RRType.A);
});
