// groupSigned against a plain reference grouping: few and many RRSIG groups (past the number found
// by comparison), interleaved records, owners differing in case, duplicate RDATA, RRSIGs that cover
// nothing present, RRSIG RDATA too short to name a type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupSigned } from '../../src/dnssec/response-validator.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { groupRRsets, type ResourceRecord } from '../../src/wire/record.js';

/** RRSIG RDATA whose Type Covered is `covered`, told apart by `tag`. */
function sig(covered: number, tag: number): Uint8Array {
  return Uint8Array.of(covered >> 8, covered & 0xff, 13, 2, 0, 0, 14, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, tag, 0, 7);
}

function rr(name: string, type: number, ttl: number, rdata: Uint8Array): ResourceRecord {
  return { name: Name.parse(name), type, class: 1, ttl, rdata };
}

/** What groupSigned promises, written the slow way. */
function reference(records: readonly ResourceRecord[]): { type: number; owner: string; rdatas: number[][]; rrsigs: number[][]; rrsigTtl?: number }[] {
  const covers = (r: ResourceRecord, name: Name, cls: number, type: number): boolean =>
    r.type === RRType.RRSIG && r.rdata.length >= 2 && ((r.rdata[0]! << 8) | r.rdata[1]!) === type && r.class === cls && r.name.equals(name);
  const out: { type: number; owner: string; rdatas: number[][]; rrsigs: number[][]; rrsigTtl?: number }[] = [];
  const used = new Set<ResourceRecord>();
  for (const set of groupRRsets(records.filter((r) => r.type !== RRType.RRSIG))) {
    const sigs = records.filter((r) => covers(r, set.name, set.class, set.type));
    for (const s of sigs) used.add(s);
    const entry = { type: set.type, owner: set.name.key, rdatas: set.rdatas.map((d) => [...d]), rrsigs: sigs.map((s) => [...s.rdata]) };
    out.push(sigs.length === 0 ? entry : { ...entry, rrsigTtl: Math.min(...sigs.map((s) => s.ttl)) });
  }
  // Orphans: RRSIGs over nothing present, as RRSIG RRsets of their own, in order of their groups.
  const orphans = records.filter((r) => r.type === RRType.RRSIG && r.rdata.length >= 2 && !used.has(r));
  const byGroup = new Map<string, ResourceRecord[]>();
  for (const r of orphans) {
    const k = `${r.name.key}/${r.class}/${(r.rdata[0]! << 8) | r.rdata[1]!}`;
    byGroup.set(k, [...(byGroup.get(k) ?? []), r]);
  }
  for (const set of groupRRsets([...byGroup.values()].flat())) {
    out.push({ type: set.type, owner: set.name.key, rdatas: set.rdatas.map((d) => [...d]), rrsigs: [] });
  }
  return out;
}

function actual(records: readonly ResourceRecord[]): ReturnType<typeof reference> {
  return groupSigned(records).map((s) => {
    const entry = { type: s.rrset.type, owner: s.rrset.name.key, rdatas: s.rrset.rdatas.map((d) => [...d]), rrsigs: s.rrsigs.map((d) => [...d]) };
    return s.rrsigTtl === undefined ? entry : { ...entry, rrsigTtl: s.rrsigTtl };
  });
}

test('groupSigned: a few groups, interleaved, case-folded owners, smallest RRSIG TTL, an orphan and a short RRSIG', () => {
  const records = [
    rr('www.example.', RRType.A, 300, Uint8Array.of(192, 0, 2, 1)),
    rr('WWW.example.', RRType.RRSIG, 200, sig(RRType.A, 1)),
    rr('example.', RRType.NS, 300, Name.parse('ns.example.').wire),
    rr('www.example.', RRType.A, 300, Uint8Array.of(192, 0, 2, 2)),
    rr('www.example.', RRType.RRSIG, 100, sig(RRType.A, 2)),
    rr('www.example.', RRType.RRSIG, 250, sig(RRType.AAAA, 3)), // covers nothing present
    rr('example.', RRType.RRSIG, 300, Uint8Array.of(0)), // too short to name a type: dropped
    rr('www.example.', RRType.RRSIG, 400, sig(RRType.A, 2)), // duplicate RDATA
  ];
  const got = actual(records);
  assert.deepEqual(got, reference(records), 'same grouping as the reference');
  assert.equal(got[0]?.rrsigTtl, 100, 'smallest TTL of the covering RRSIGs');
  assert.equal(got[0].rrsigs.length, 3, 'every covering RRSIG kept, in order');
  assert.equal(got[1]?.rrsigs.length, 0, 'the NS RRset is unsigned');
  assert.equal(got[2]?.type, RRType.RRSIG, 'the orphan forms an RRSIG RRset');
});

test('groupSigned: many groups (found through keys past the comparison limit) match the reference', () => {
  const records: ResourceRecord[] = [];
  for (let i = 0; i < 20; i++) {
    const owner = `h${i % 7}.example.`;
    const type = i % 2 === 0 ? RRType.A : RRType.TXT;
    const data = type === RRType.A ? Uint8Array.of(10, 0, 0, i) : Uint8Array.of(1, 0x61 + i);
    records.push(rr(owner, type, 1000 + i, data));
    // Signatures land before and after their data, some owners spelt in upper case.
    const sigOwner = i % 3 === 0 ? owner.toUpperCase() : owner;
    records.splice(i % 4 === 0 ? 0 : records.length, 0, rr(sigOwner, RRType.RRSIG, 500 + ((i * 37) % 90), sig(type, i)));
  }
  for (let i = 0; i < 12; i++) records.push(rr(`orphan${i % 5}.example.`, RRType.RRSIG, 60, sig(RRType.MX, 100 + i)));
  assert.deepEqual(actual(records), reference(records), 'same grouping as the reference');
  assert.deepEqual(actual(records), actual(records), 'the same again (scratch reused)');
});
