// NSEC and NSEC3 proof records read from RDATA (nsec-proof.ts nsecRecords, nsec3-proof.ts
// nsec3Records): the types a proof asks about come from the bitmap's octets (RFC 4034 §4.1.2,
// RFC 5155 §3.2.1). Every type presence a proof asks, and every proof outcome, must be what the
// decoded type list gives; malformed records are still left out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { decodeTyped, encodeRdata } from '../../src/wire/rdata.js';
import type { RRset } from '../../src/wire/record.js';
import { nsecRecords, proveNodataNsec, type NsecRecord } from '../../src/dnssec/nsec-proof.js';
import { nsec3Records, proveNodataNsec3, proveNxdomainNsec3, type Nsec3Record } from '../../src/dnssec/nsec3-proof.js';
import { nsec3Hash } from '../../src/dnssec/nsec3-hash.js';
import { base32hexEncode } from '../../src/wire/base32hex.js';
import { createValidationEnv } from '../../src/dnssec/rrset-validator.js';

const P = (s: string): Name => Name.parse(s);
const rrset = (name: Name, type: number, rdatas: Uint8Array[]): RRset => ({ name, type, class: 1, ttl: 300, rdatas });

/** Every type a proof asks about (nsec-proof.ts, nsec3-proof.ts, aggressive-nsec.ts) and some others. */
const ASKED = [RRType.A, RRType.NS, RRType.CNAME, RRType.SOA, RRType.MX, RRType.TXT, RRType.AAAA, RRType.DS, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY, RRType.NSEC3, RRType.DNAME, RRType.CAA, 1234, 65535];

const TYPE_LISTS: number[][] = [
  [],
  [RRType.A, RRType.RRSIG, RRType.NSEC],
  [RRType.NS, RRType.SOA, RRType.RRSIG, RRType.DNSKEY, RRType.NSEC3PARAM],
  [RRType.NS, RRType.DS, RRType.RRSIG],
  [RRType.NS],
  [RRType.CNAME, RRType.RRSIG],
  [RRType.DNAME, RRType.RRSIG],
  [RRType.A, RRType.CAA, 1234, 65535],
];

function sameTypes(got: NsecRecord['types'], types: readonly number[], what: string): void {
  const want = new Set(types);
  for (const t of ASKED) assert.equal(got.has(t), want.has(t), `${what}: has(${t})`);
  assert.equal(got.size, want.size, `${what}: size`);
  assert.deepEqual([...got], [...want], `${what}: types in order`);
}

test('nsecRecords: next name and every asked type as the decoded RDATA gives; malformed records left out', () => {
  const owner = P('a.example.');
  const good = TYPE_LISTS.map((types) => encodeRdata(RRType.NSEC, { next: P('Z.example.'), types }));
  const bad = [Uint8Array.of(0, 1, 0, 0x40, 0, 1, 0x40), Uint8Array.of(0, 0, 0), Uint8Array.of(0, 0, 2, 0x40), Uint8Array.of(0xc0, 12, 0, 1, 0x40)];
  const recs = nsecRecords([rrset(owner, RRType.NSEC, [...bad.slice(0, 2), ...good, ...bad.slice(2)])]);
  assert.equal(recs.length, good.length, 'the malformed RDATAs are left out, the good ones kept');
  recs.forEach((r, i) => {
    const d = decodeTyped(RRType.NSEC, good[i]!);
    assert.deepEqual(r.next, d.next, `record ${i}: next name`);
    sameTypes(r.types, d.types, `NSEC record ${i}`);
  });
});

test('nsec3Records: fields and every asked type as the decoded RDATA gives; malformed records left out', () => {
  const zone = P('example.');
  const salt = Uint8Array.of(0xab, 0xcd);
  const owner = P(`${base32hexEncode(nsec3Hash(P('a.example.'), salt, 0))}.example.`);
  const next = new Uint8Array(20).fill(0xee);
  const good = TYPE_LISTS.map((types, i) => encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: i % 2, iterations: 0, salt, nextHashed: next, types }));
  const bad = [
    Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 0, 0), // bitmap length 0
    Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 1, 1, 0x40, 0, 1, 0x40), // windows out of order
    Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 0, 3, 0x40), // bitmap overruns
    Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 0x40), // empty next hashed owner
  ];
  const recs = nsec3Records([rrset(owner, RRType.NSEC3, [bad[0]!, ...good, ...bad.slice(1)])], zone);
  assert.equal(recs.length, good.length, 'the malformed RDATAs are left out, the good ones kept');
  recs.forEach((r, i) => {
    const d = decodeTyped(RRType.NSEC3, good[i]!);
    assert.deepEqual(
      { hashAlgorithm: r.hashAlgorithm, flags: r.flags, iterations: r.iterations, salt: [...r.salt], nextHashed: [...r.nextHashed] },
      { hashAlgorithm: d.hashAlgorithm, flags: d.flags, iterations: d.iterations, salt: [...d.salt], nextHashed: [...d.nextHashed] },
      `record ${i}: fields`,
    );
    sameTypes(r.types, d.types, `NSEC3 record ${i}`);
  });
});

test('NSEC and NSEC3 proofs over bitmap-read records give what Set-read records give, for every type list asked', () => {
  const zone = P('example.');
  const qname = P('a.example.');
  const env = () => createValidationEnv(0, { supportsVerify: () => true });
  for (const types of TYPE_LISTS) {
    // NSEC NODATA at the name, for each asked type.
    const nsecRdata = encodeRdata(RRType.NSEC, { next: P('b.example.'), types });
    const [fromBitmap] = nsecRecords([rrset(qname, RRType.NSEC, [nsecRdata])]);
    assert.ok(fromBitmap !== undefined, 'NSEC record read');
    const fromSet: NsecRecord = { owner: qname, next: P('b.example.'), types: new Set(types) };
    for (const qtype of ASKED) {
      assert.deepEqual(proveNodataNsec([fromBitmap], qname, qtype, zone), proveNodataNsec([fromSet], qname, qtype, zone), `NSEC NODATA [${types.join(',')}] ${qtype}`);
    }
    // NSEC3: a record matching the name (NODATA) and, for NXDOMAIN below it, the same record as the
    // closest encloser (refused when it is a delegation or DNAME) with another covering the rest.
    const salt = new Uint8Array(0);
    const h = nsec3Hash(qname, salt, 0);
    const owner = P(`${base32hexEncode(h)}.example.`);
    const after = h.slice();
    after[19] = (after[19]! + 1) & 0xff;
    const before = h.slice();
    before[19] = (before[19]! - 1) & 0xff;
    const matching = encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: 0, iterations: 0, salt, nextHashed: after, types });
    const covering = encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: 0, iterations: 0, salt, nextHashed: before, types: [RRType.A] });
    const coverOwner = P(`${base32hexEncode(after)}.example.`);
    const read = nsec3Records([rrset(owner, RRType.NSEC3, [matching]), rrset(coverOwner, RRType.NSEC3, [covering])], zone);
    assert.equal(read.length, 2, 'both NSEC3 records read');
    const asSets: Nsec3Record[] = read.map((r) => ({ ...r, types: new Set(r.types) }));
    for (const qtype of ASKED) {
      assert.deepEqual(
        proveNodataNsec3(env(), read, qname, qtype, zone),
        proveNodataNsec3(env(), asSets, qname, qtype, zone),
        `NSEC3 NODATA [${types.join(',')}] ${qtype}`,
      );
    }
    const below = P('x.a.example.');
    assert.deepEqual(proveNxdomainNsec3(env(), read, below, zone), proveNxdomainNsec3(env(), asSets, below, zone), `NSEC3 NXDOMAIN under [${types.join(',')}]`);
  }
});
