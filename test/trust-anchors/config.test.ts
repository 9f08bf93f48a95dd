// Trust anchor configuration: BIND's trust-anchors / managed-keys / trusted-keys syntax and the
// YAML `resolver.trust-anchors` list, into static and RFC 5011-managed trust points.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import { obj } from '../../src/config/schema.js';
import { parseBindTrustAnchors, trustAnchorConfigFields } from '../../src/config/trust-anchors.js';
import { AnchordError } from '../../src/core/errors.js';
import { anchorSetFromText, parseAnchor } from '../../src/dnssec/trust-anchor-spec.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { bytesEqual } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';

const DIR = join(import.meta.dirname, '..', '..', 'trust-anchors');
const rootKeys = parseZoneText(readFileSync(join(DIR, 'root.key'), 'utf8'), { origin: Name.ROOT, defaultTtl: 3600 }).records.filter((r) => r.type === RRType.DNSKEY);
const rootDs = parseZoneText(readFileSync(join(DIR, 'root.ds'), 'utf8'), { origin: Name.ROOT, defaultTtl: 3600 }).records.filter((r) => r.type === RRType.DS);
const KEY2017 = Buffer.from(rootKeys[0]!.rdata.subarray(4)).toString('base64');

/** bind.keys as BIND ships it: the key split over lines inside the quotes, comments of all kinds. */
const BIND_KEYS = `
# The root KSKs.
/* multi
   line */
trust-anchors {
        // KSK-2017
        . initial-key 257 3 8 "${KEY2017.slice(0, 60)}
                ${KEY2017.slice(60, 200)}
                ${KEY2017.slice(200)}";
        . initial-ds 38696 8 2 "683D2D0ACB8C9B712A1948B27F741219
                                298D0A450D612C483AF444A4C0FB2B16";
        example.net. static-ds 12345 13 2 0000000000000000000000000000000000000000000000000000000000000000;
        "sub.example.net." static-key 257 3 13 "${Buffer.alloc(64, 1).toString('base64')}";
};
managed-keys { example.com. initial-ds 1 13 2 "${'11'.repeat(32)}"; };
trusted-keys { example.org. 257 3 15 "${Buffer.alloc(32, 2).toString('base64')}"; };
`;

test('BIND trust-anchors, managed-keys and trusted-keys statements', () => {
  const raw = parseBindTrustAnchors(BIND_KEYS, 'bind.keys');
  assert.deepEqual(
    raw.map((r) => [r.name, r.type, r.where]),
    [
      ['.', 'initial-key', 'bind.keys:7'],
      ['.', 'initial-ds', 'bind.keys:10'],
      ['example.net.', 'static-ds', 'bind.keys:12'],
      ['sub.example.net.', 'static-key', 'bind.keys:13'],
      ['example.com.', 'initial-ds', 'bind.keys:15'],
      ['example.org.', 'static-key', 'bind.keys:16'],
    ],
  );
  const set = anchorSetFromText(raw);
  const root = set.managed.find((m) => m.zone.isRoot());
  assert.ok(root !== undefined, 'the root is managed');
  assert.equal(root.anchors.length, 2, 'several anchors per name');
  assert.ok(bytesEqual(root.anchors[0]!.rdata, rootKeys[0]!.rdata), 'the split key joins into KSK-2017');
  assert.ok(bytesEqual(root.anchors[1]!.rdata, rootDs[1]!.rdata), 'the split digest joins into the KSK-2024 DS');
  assert.deepEqual(
    set.statics.map((s) => [s.zone.toString(), s.ds.length, s.dnskeys?.length ?? 0]),
    [
      ['example.net.', 1, 0],
      ['sub.example.net.', 0, 1],
      ['example.org.', 0, 1],
    ],
  );
  assert.ok(set.managed.some((m) => m.zone.toString() === 'example.com.'), 'anchors below the root');
});

test('BIND syntax errors name the file and line', () => {
  const bad = (text: string, re: RegExp, what: string): void => {
    assert.throws(
      () => parseBindTrustAnchors(text, 'f.conf'),
      (e: unknown) => e instanceof AnchordError && re.test(e.message),
      what,
    );
  };
  bad('options { };', /f\.conf:1: expected trust-anchors/, 'other statements');
  bad('trust-anchors { . initial-key 257 3 8 "AA==" }', /expected ";"|unexpected "}"/, 'missing ;');
  bad('trust-anchors {\n . magic-key 1 2 3; };', /f\.conf:2: expected static-key/, 'unknown type');
  bad('managed-keys { . static-key 257 3 8 "AA=="; };', /managed-keys takes initial/, 'static in managed-keys');
  bad('trust-anchors { . initial-key 257 3 8 "AA==', /unterminated string/, 'unterminated string');
  bad('trust-anchors { . initial-key 257 3 8 "AA=="; ', /unexpected end/, 'unclosed block');
  bad('/* never ends', /unterminated/, 'unterminated comment');
});

test('anchor RDATA is checked', () => {
  const bad = (name: string, type: 'static-key' | 'initial-key' | 'static-ds' | 'initial-ds', rdata: string, re: RegExp): void => {
    assert.throws(
      () => parseAnchor({ name, type, rdata, where: 'x:1' }),
      (e: unknown) => e instanceof AnchordError && re.test(e.message) && e.message.startsWith('x:1:'),
      `${type} ${rdata}`,
    );
  };
  bad('.', 'initial-key', '257 2 8 AwEAAQ==', /protocol must be 3/);
  bad('.', 'initial-key', '1 3 8 AwEAAQ==', /Zone Key/);
  bad('.', 'initial-key', '385 3 8 AwEAAQ==', /REVOKE/);
  bad('.', 'static-key', '257 3 8 not*base64', /public key/);
  bad('.', 'initial-key', '257 3', /algorithm/);
  bad('.', 'initial-ds', '20326 8 2 E06D', /digest of 2 octets/);
  bad('.', 'static-ds', '20326 8 2 XYZ1', /hexadecimal/);
  bad('.', 'static-ds', '70000 8 2 00', /key tag/);
  bad('bad..name', 'static-ds', '1 8 2 00', /bad name/);
  // Names without the final dot are absolute.
  assert.equal(parseAnchor({ name: 'example.com', type: 'initial-ds', rdata: `1 13 2 ${'00'.repeat(32)}` }).zone.toString(), 'example.com.');
});

test('static and initial anchors for one name cannot mix', () => {
  assert.throws(
    () =>
      anchorSetFromText([
        { name: '.', type: 'initial-ds', rdata: rootDsText(0) },
        { name: '.', type: 'static-ds', rdata: rootDsText(1) },
      ]),
    (e: unknown) => e instanceof AnchordError && /mix static and initial/.test(e.message),
  );
  // Duplicates collapse.
  const set = anchorSetFromText([
    { name: '.', type: 'initial-ds', rdata: rootDsText(0) },
    { name: '.', type: 'initial-ds', rdata: rootDsText(0).toLowerCase() },
  ]);
  assert.equal(set.managed[0]!.anchors.length, 1);
});

function rootDsText(i: number): string {
  const r = rootDs[i]!.rdata;
  return `${(r[0]! << 8) | r[1]!} ${r[2]} ${r[3]} ${Buffer.from(r.subarray(4)).toString('hex').toUpperCase()}`;
}

test('the YAML fragment: resolver.trust-anchors and the RFC 5011 knobs', () => {
  const schema = obj({ resolver: obj(trustAnchorConfigFields) });
  const cfg = parseConfigText(
    `resolver:
  trust-anchors:
    - { name: ., type: initial-ds, rdata: "${rootDsText(0)}" }
    - name: .
      type: initial-ds
      rdata: ${rootDsText(1)}
  trust-anchors-file: [bind.keys]
  auto-trust-anchor-file: /var/lib/anchord/ta.json
  add-holddown: 2h
  keep-missing: 366d
`,
    'anchord.yaml',
    schema,
  );
  const r = cfg.resolver;
  assert.equal(r['trust-anchors']?.length, 2);
  assert.equal(r['add-holddown'], 2 * 3600 * 1000);
  assert.equal(r['del-holddown'], 30 * 86400 * 1000, 'default 30 days');
  assert.equal(r['keep-missing'], 366 * 86400 * 1000);
  assert.equal(r['trust-anchor-signaling'], true);
  assert.equal(r['edns-key-tag'], true, 'RFC 8145 §4 option on by default');
  assert.equal(r['root-key-sentinel'], true);
  const set = anchorSetFromText(r['trust-anchors'] ?? []);
  assert.equal(set.managed[0]!.anchors.length, 2);
  assert.throws(
    () => parseConfigText('resolver:\n  trust-anchors:\n    - { name: ., type: sometimes-key, rdata: "1" }\n', 'a.yaml', schema),
    (e: unknown) => e instanceof AnchordError && /a\.yaml:3:.*expected one of static-key/.test(e.message),
  );
});
