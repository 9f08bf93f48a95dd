import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType } from '../../src/wire/constants.js';
import { compareNames, Name } from '../../src/wire/name.js';
import { canonicalSortKey, compareCanonicalKeys, compareSortKeys, isKeyPrefix, writeCanonicalKey } from '../../src/zone/name-order.js';
import { parseZone, parseZoneText } from '../../src/zone/parser.js';
import { compareRecords, printRecord, printZone, sortRecords } from '../../src/zone/printer.js';
import { NodeKind, ProblemCode, Zone } from '../../src/zone/zone.js';

const ZONE = `
$ORIGIN example.
$TTL 300
@        SOA ns hostmaster 1 7200 3600 1209600 300
@        NS  ns
@        NS  ns.sub
ns       A   192.0.2.1
sub      NS  ns.sub
sub      NS  ns.other.
sub      DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
sub      TXT "occluded at the cut"
ns.sub   A   192.0.2.2
ns.sub   AAAA 2001:db8::2
deep.x.sub TXT "occluded below"
a.b.c    A   192.0.2.3
d        DNAME elsewhere.
x.d      A   192.0.2.4
www      CNAME ns
www      TXT "conflict"
two      CNAME a.
two      CNAME b.
*        MX  10 ns
dup      A   192.0.2.9
dup      A   192.0.2.9
dup 60   A   192.0.2.8
`;

function build(text = ZONE): Zone {
  return Zone.fromRecords(Name.parse('example.'), parseZone(text, { origin: 'example.' }));
}

const n = (s: string): Name => Name.parse(s, Name.parse('example.'));

test('nodes are in canonical order with empty non-terminals', () => {
  const z = build();
  assert.deepEqual(z.nodes.map((x) => x.name.toString()), [
    'example.',
    '*.example.',
    'c.example.',
    'b.c.example.',
    'a.b.c.example.',
    'd.example.',
    'x.d.example.',
    'dup.example.',
    'ns.example.',
    'sub.example.',
    'ns.sub.example.',
    'x.sub.example.',
    'deep.x.sub.example.',
    'two.example.',
    'www.example.',
  ]);
  assert.deepEqual(z.emptyNonTerminals().map(String), ['c.example.', 'b.c.example.', 'x.sub.example.']);
  assert.ok(z.isEmptyNonTerminal(n('b.c')));
  assert.ok(!z.isEmptyNonTerminal(n('a.b.c')));
});

test('apex, delegations, glue, occluded data, DNAME', () => {
  const z = build();
  assert.equal(z.soa?.rdatas.length, 1);
  assert.equal(z.apexNs?.rdatas.length, 2);
  assert.equal(z.node(n('@'))?.kind, NodeKind.Apex);
  assert.deepEqual(z.delegations.map(String), ['sub.example.']);
  assert.equal(z.node(n('sub'))?.kind, NodeKind.Delegation);
  assert.equal(z.node(n('ns.sub'))?.kind, NodeKind.Occluded);
  assert.equal(z.node(n('ns.sub'))?.cut?.toString(), 'sub.example.');
  assert.equal(z.node(n('x.d'))?.kind, NodeKind.Occluded);
  assert.equal(z.node(n('d'))?.kind, NodeKind.Authoritative);
  assert.equal(z.findDelegation(n('a.b.ns.sub'))?.toString(), 'sub.example.');
  assert.equal(z.findDelegation(n('ns')), undefined);
  assert.deepEqual(z.glue().map((s) => `${s.name.toString()}/${s.type}`), ['ns.sub.example./1', 'ns.sub.example./28']);
  assert.deepEqual(z.occluded().map((s) => `${s.name.toString()}/${s.type}`), ['x.d.example./1', 'sub.example./16', 'deep.x.sub.example./16']);
  const codes = z.problems.map((p) => `${p.code}:${p.name.toString()}`);
  assert.ok(codes.includes(`${ProblemCode.OccludedData}:deep.x.sub.example.`));
  assert.ok(codes.includes(`${ProblemCode.OccludedData}:sub.example.`));
  assert.ok(codes.includes(`${ProblemCode.OccludedData}:x.d.example.`));
  assert.ok(codes.includes(`${ProblemCode.CnameAndOtherData}:www.example.`));
  assert.ok(codes.includes(`${ProblemCode.MultipleCname}:two.example.`));
  assert.ok(codes.includes(`${ProblemCode.TtlMismatch}:dup.example.`));
  assert.ok(!codes.some((c) => c.startsWith('no-')));
});

test('RRsets: lookup, duplicates dropped, smallest TTL, RDATA sorted', () => {
  const z = build();
  const dup = z.rrset(n('dup'), RRType.A)!;
  assert.equal(dup.rdatas.length, 2);
  assert.equal(dup.ttl, 60);
  assert.deepEqual(dup.rdatas.map((r) => r[3]), [8, 9]);
  assert.equal(z.rrset(n('WWW'), RRType.CNAME)?.rdatas.length, 1);
  assert.equal(z.rrset(n('nothere'), RRType.A), undefined);
  assert.equal([...z.records()].length, 21);
});

test('apex problems: no SOA, two SOAs, SOA below the apex, no NS, out of zone', () => {
  const z = build('$TTL 1\n@ SOA a. b. 1 2 3 4 5\n@ SOA a. b. 2 2 3 4 5\nx SOA a. b. 1 2 3 4 5\nother. A 1.2.3.4');
  const codes = z.problems.map((p) => p.code).sort();
  assert.deepEqual(codes, [ProblemCode.MultipleSoa, ProblemCode.NoApexNs, ProblemCode.OutOfZone, ProblemCode.SoaNotAtApex].sort());
  assert.deepEqual(build('$TTL 1\na A 1.2.3.4').problems.map((p) => p.code).sort(), [ProblemCode.NoApexNs, ProblemCode.NoSoa]);
  // DNAME at the apex occludes the whole zone below it (RFC 6672 §2.3).
  const d = build('$TTL 1\n@ SOA a. b. 1 2 3 4 5\n@ NS a.\n@ DNAME b.\nx A 1.2.3.4');
  assert.equal(d.node(n('x'))?.kind, NodeKind.Occluded);
});

test('printer: canonical order, SOA first, parse → print → parse is the identity', () => {
  const parsed = parseZoneText(ZONE, { origin: 'example.' });
  const printed = printZone(parsed.records);
  const lines = printed.trimEnd().split('\n');
  assert.match(lines[0]!, /^example\.\t300\tIN\tSOA\t/);
  assert.match(lines[1]!, /^example\.\t300\tIN\tNS\t/);
  assert.match(lines[3]!, /^\*\.example\.\t300\tIN\tMX\t10 ns\.example\.$/);
  const again = parseZoneText(printed).records;
  assert.equal(again.length, parsed.records.length);
  const a = sortRecords(parsed.records);
  const b = sortRecords(again);
  for (let i = 0; i < a.length; i++) {
    assert.equal(compareRecords(a[i]!, b[i]!), 0, printRecord(a[i]!));
    assert.equal(a[i]!.ttl, b[i]!.ttl);
    assert.deepEqual(a[i]!.name.wire, b[i]!.name.wire);
  }
  assert.equal(printZone(again), printed);
  // Names needing escapes survive.
  const odd = parseZoneText('$TTL 1\n\\$x\\@\\;\\(\\"\\032.example. TXT "a"\n\\@ A 1.2.3.4', { origin: 'example.' });
  const odd2 = parseZoneText(printZone(odd.records));
  assert.deepEqual(odd2.records.map((r) => r.name.wire), sortRecords(odd.records).map((r) => r.name.wire));
});

/** Names of one, two and three labels mixing case, escapes, wildcards and octets that sort subtly. */
function orderingNames(): Name[] {
  const labels = ['a', 'A', 'b', 'z', '\\000', '\\255', '\\001a', 'a\\000', 'aa', '*', '-', 'Z9', 'yljkjljk', '\\065'];
  const names: Name[] = [Name.ROOT];
  for (const x of labels) {
    names.push(Name.parse(`${x}.`));
    for (const y of labels) {
      names.push(Name.parse(`${x}.${y}.`));
      names.push(Name.parse(`${y}.${x}.example.`));
    }
  }
  return names;
}

test('canonical sort keys order names exactly as compareNames', () => {
  const names = orderingNames();
  for (const a of names) {
    for (const b of names) {
      assert.equal(Math.sign(compareSortKeys(canonicalSortKey(a), canonicalSortKey(b))), Math.sign(compareNames(a, b)), `${a.toString()} vs ${b.toString()}`);
    }
  }
  // RFC 4034 §6.1 example order.
  const rfc = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
  const shuffled = [...rfc].reverse().map((s) => Name.parse(s));
  shuffled.sort((a, b) => compareSortKeys(canonicalSortKey(a), canonicalSortKey(b)));
  assert.deepEqual(shuffled.map((x) => x.toString()), rfc.map((s) => Name.parse(s).toString()));
});

test('canonical byte keys order names exactly as compareNames; a prefix key is an ancestor', () => {
  const names = orderingNames();
  // All keys in one buffer, as the compact zone keeps them.
  const buf = new Uint8Array(names.reduce((n, x) => n + x.wire.length, 0));
  const at: number[] = [];
  const len: number[] = [];
  let o = 0;
  for (const x of names) {
    at.push(o);
    const l = writeCanonicalKey(x.wire, 0, buf, o);
    assert.equal(l, x.wire.length - 1, `key length of ${x.toString()}`);
    len.push(l);
    o += l;
  }
  for (let i = 0; i < names.length; i++) {
    for (let j = 0; j < names.length; j++) {
      const a = names[i]!;
      const b = names[j]!;
      assert.equal(Math.sign(compareCanonicalKeys(buf, at[i]!, len[i]!, at[j]!, len[j]!)), Math.sign(compareNames(a, b)), `${a.toString()} vs ${b.toString()}`);
      assert.equal(isKeyPrefix(buf, at[i]!, len[i]!, at[j]!, len[j]!), b.isSubdomainOf(a), `${a.toString()} ancestor of ${b.toString()}`);
    }
  }
});
