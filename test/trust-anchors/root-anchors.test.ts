// The shipped root anchors agree with each other (root-anchors.xml, root.ds, root.key) and with
// Debian's dns-root-data copy; the root-anchors.xml parser is strict and bounded (RFC 9718 §2).
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AnchordError } from '../../src/core/errors.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import {
  MAX_ANCHOR_XML_BYTES,
  keyDigestValidAt,
  parseRootAnchorsXml,
  rootAnchorsTrustPoint,
} from '../../src/dnssec/trust-anchor-xml.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { bytesEqual } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';

const DIR = join(import.meta.dirname, '..', '..', 'trust-anchors');
const XML = readFileSync(join(DIR, 'root-anchors.xml'), 'utf8');

function rdatas(path: string, type: number): Uint8Array[] {
  const recs = parseZoneText(readFileSync(path, 'utf8'), { origin: Name.ROOT, defaultTtl: 3600 }).records;
  for (const r of recs) assert.ok(r.name.isRoot(), `${path}: ${r.name.toString()} is not the root`);
  return recs.filter((r) => r.type === type).map((r) => r.rdata);
}

function sameSet(a: readonly Uint8Array[], b: readonly Uint8Array[], what: string): void {
  assert.equal(a.length, b.length, `${what}: ${a.length} vs ${b.length} records`);
  for (const x of a) assert.ok(b.some((y) => bytesEqual(x, y)), `${what}: a record of one is missing from the other`);
}

test('root-anchors.xml holds KSK-2017 and KSK-2024 with their public keys', () => {
  const doc = parseRootAnchorsXml(XML);
  assert.ok(doc.zone.isRoot(), 'zone is the root');
  assert.deepEqual(
    doc.digests.map((d) => [d.id, d.keyTag, d.algorithm, d.digestType]),
    [
      ['Klajeyz', 20326, 8, 2],
      ['Kmyv6jo', 38696, 8, 2],
    ],
  );
  for (const d of doc.digests) {
    assert.ok(d.dnskey !== undefined, `${d.id} has PublicKey and Flags`);
    assert.equal(keyTag(d.dnskey), d.keyTag);
    assert.equal(d.validUntil, undefined);
  }
  assert.equal(doc.digests[0]!.validFrom, Date.UTC(2017, 1, 2) / 1000);
  assert.equal(doc.digests[1]!.validFrom, Date.UTC(2024, 6, 18) / 1000);
});

test('root-anchors.xml, root.ds and root.key agree', () => {
  const doc = parseRootAnchorsXml(XML);
  const ds = rdatas(join(DIR, 'root.ds'), RRType.DS);
  const keys = rdatas(join(DIR, 'root.key'), RRType.DNSKEY);
  sameSet(
    doc.digests.map((d) => d.ds),
    ds,
    'XML KeyDigests vs root.ds',
  );
  sameSet(
    doc.digests.map((d) => d.dnskey!),
    keys,
    'XML PublicKeys vs root.key',
  );
  sameSet(
    keys.map((k) => makeDsRdata(Name.ROOT, k, 2)),
    ds,
    'SHA-256 DS of root.key vs root.ds',
  );
});

test("our root anchors agree with Debian's dns-root-data", () => {
  const debDs = '/usr/share/dns/root.ds';
  const debKey = '/usr/share/dns/root.key';
  // A missing peer is a failure, never a skip: `npm run test:setup` installs dns-root-data.
  assert.ok(existsSync(debDs) && existsSync(debKey), 'dns-root-data is not installed: run `npm run test:setup` (scripts/setup-peers.mjs)');
  sameSet(rdatas(debDs, RRType.DS), rdatas(join(DIR, 'root.ds'), RRType.DS), 'Debian root.ds vs ours');
  sameSet(rdatas(debKey, RRType.DNSKEY), rdatas(join(DIR, 'root.key'), RRType.DNSKEY), 'Debian root.key vs ours');
});

test('validFrom/validUntil select the anchors in force (RFC 9718 §3.2)', () => {
  const doc = parseRootAnchorsXml(XML);
  const in2020 = Date.UTC(2020, 0, 1) / 1000;
  assert.deepEqual(
    doc.digests.filter((d) => keyDigestValidAt(d, in2020)).map((d) => d.keyTag),
    [20326],
  );
  assert.equal(rootAnchorsTrustPoint(doc, Date.UTC(2026, 0, 1) / 1000).ds.length, 2);
  const retired = XML.replace('validFrom="2017-02-02T00:00:00+00:00"', 'validFrom="2017-02-02T00:00:00+00:00" validUntil="2026-01-11T00:00:00Z"');
  const doc2 = parseRootAnchorsXml(retired);
  assert.equal(doc2.digests[0]!.validUntil, Date.UTC(2026, 0, 11) / 1000);
  assert.deepEqual(
    rootAnchorsTrustPoint(doc2, Date.UTC(2026, 5, 1) / 1000).ds.map((d) => (d[0]! << 8) | d[1]!),
    [38696],
  );
});

test('time zones in validFrom are honoured', () => {
  const doc = parseRootAnchorsXml(XML.replace('2024-07-18T00:00:00+00:00', '2024-07-18T02:30:00+02:30'));
  assert.equal(doc.digests[1]!.validFrom, Date.UTC(2024, 6, 18) / 1000);
});

function rejects(text: string, pattern: RegExp, what: string): void {
  assert.throws(
    () => parseRootAnchorsXml(text),
    (e: unknown) => e instanceof AnchordError && pattern.test(e.message),
    what,
  );
}

const MINIMAL = (inner: string): string => `<TrustAnchor id="x"><Zone>.</Zone>${inner}</TrustAnchor>`;
const KD = (body: string, attrs = 'id="a" validFrom="2017-02-02T00:00:00+00:00"'): string =>
  `<KeyDigest ${attrs}>${body}</KeyDigest>`;
const GOOD_BODY =
  '<KeyTag>20326</KeyTag><Algorithm>8</Algorithm><DigestType>2</DigestType><Digest>E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D</Digest>';

test('a minimal document without PublicKey parses; entities and comments are handled', () => {
  const doc = parseRootAnchorsXml(`<?xml version="1.0"?>\n<!-- c -->${MINIMAL(KD(GOOD_BODY, 'id="a&amp;b" validFrom=\'2017-02-02T00:00:00Z\''))}\n`);
  assert.equal(doc.digests[0]!.id, 'a&b');
  assert.equal(doc.digests[0]!.dnskey, undefined);
});

test('hostile or malformed root-anchors.xml is rejected with a line number', () => {
  rejects(`<!DOCTYPE x [<!ENTITY a "aaaa">]>${MINIMAL('')}`, /DOCTYPE/, 'DOCTYPE (entity expansion)');
  rejects(MINIMAL(KD(GOOD_BODY.replace('<KeyTag>20326', '<KeyTag>&a;20326'))), /entity/, 'undeclared entity');
  rejects(MINIMAL('<![CDATA[x]]>'), /CDATA|declarations/, 'CDATA');
  rejects(MINIMAL('<?pi x?>'), /processing/, 'processing instruction');
  rejects(MINIMAL(KD(GOOD_BODY + '<Extra>1</Extra>')), /unknown element <Extra>/, 'unknown element');
  rejects(MINIMAL(KD(GOOD_BODY, 'id="a" validFrom="2017-02-02" foo="1"')), /unknown attribute foo/, 'unknown attribute');
  rejects(MINIMAL(KD(GOOD_BODY, 'id="a" validFrom="2017-02-02"')), /xsd:dateTime/, 'date without time');
  rejects(MINIMAL(KD(GOOD_BODY, 'id="a" validFrom="2017-02-30T00:00:00Z"')), /calendar/, 'impossible date');
  rejects(MINIMAL(KD(GOOD_BODY.replace('E06D', 'E06'))), /hexadecimal|octets/, 'odd hex');
  rejects(MINIMAL(KD(GOOD_BODY.replace('E06D44B8', ''))), /octets/, 'short SHA-256 digest');
  rejects(MINIMAL(KD(GOOD_BODY.replace('<KeyTag>20326</KeyTag>', ''))), /lacks <KeyTag>/, 'missing KeyTag');
  rejects(MINIMAL(KD(GOOD_BODY + '<KeyTag>1</KeyTag>')), /twice/, 'repeated element');
  rejects(MINIMAL(KD(GOOD_BODY.replace('20326', '99999'))), /integer/, 'tag over 65535');
  rejects(MINIMAL(KD(GOOD_BODY)) + '<TrustAnchor/>', /more than one root/, 'two roots');
  rejects(MINIMAL(KD(GOOD_BODY)).replace('</TrustAnchor>', ''), /not closed/, 'unclosed');
  rejects(MINIMAL(KD(GOOD_BODY)).replace('</KeyDigest>', '</KeyTag>'), /does not close/, 'crossed tags');
  rejects(`<TrustAnchor id="x"><KeyDigest/></TrustAnchor>`, /before <Zone>/, 'KeyDigest before Zone');
  rejects('<x:TrustAnchor/>', /namespaces/, 'namespace prefix');
  rejects('<Other/>', /not <TrustAnchor>/, 'wrong root');
  rejects(`${MINIMAL('')} trailing`, /outside the root/, 'text after the root');
  rejects(`<?xml version="1.0" encoding="ISO-8859-1"?>${MINIMAL('')}`, /UTF-8/, 'other encodings');
  rejects('<a>'.repeat(20) + '</a>'.repeat(20), /nesting/, 'deep nesting');
  rejects(' '.repeat(MAX_ANCHOR_XML_BYTES + 1), /larger/, 'oversized');
  rejects(MINIMAL('<Zone>.</Zone>'), /twice/, 'two zones');
  rejects(MINIMAL(KD(GOOD_BODY) + KD(GOOD_BODY)), /two <KeyDigest> with id/, 'duplicate ids');
  rejects(MINIMAL(KD(GOOD_BODY).replace('<KeyTag>', 'text<KeyTag>')), /mixes text/, 'mixed content');
});

test('a PublicKey must be the key the KeyDigest digests', () => {
  const doc = parseRootAnchorsXml(XML);
  const other = doc.digests[1]!.dnskey!;
  const pk2 = Buffer.from(other.subarray(4)).toString('base64');
  const pk1 = XML.split('<PublicKey>')[1]!.split('</PublicKey>')[0]!;
  rejects(XML.replace(pk1, pk2), /tag is|not the digest/, 'swapped public key');
  rejects(XML.replace('<Flags>257</Flags>', ''), /only one of/, 'PublicKey without Flags');
  rejects(XML.replace(pk1, 'not base64!'), /base64/, 'bad base64');
});
