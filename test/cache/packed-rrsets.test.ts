import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachSigned, packedLength, packSigned, unpackSigned } from '../../src/cache/packed-rrsets.js';
import type { SignedRRset } from '../../src/cache/types.js';
import { RRType } from '../../src/wire/constants.js';
import { a, rrset, signed, unsigned } from './fixtures.js';

const octets = (list: readonly Uint8Array[]) => list.map((rd) => [...rd]);

function same(x: SignedRRset, y: SignedRRset): void {
  assert.equal(x.rrset.name.toString(), y.rrset.name.toString(), 'owner, letter case kept');
  assert.deepEqual([x.rrset.type, x.rrset.class, x.rrset.ttl], [y.rrset.type, y.rrset.class, y.rrset.ttl], 'type, class, TTL');
  assert.deepEqual(octets(x.rrset.rdatas), octets(y.rrset.rdatas), 'RDATAs');
  assert.deepEqual(octets(x.rrsigs), octets(y.rrsigs), 'RRSIG RDATAs');
  assert.equal(x.rrsigTtl, y.rrsigTtl, 'RRSIG TTL, or none');
}

test('packed signed RRsets read back as given, one after another, with or without RRSIG TTL', () => {
  const sets: SignedRRset[] = [
    { ...signed(rrset('WWW.Example.', RRType.A, 300, a('192.0.2.1', '192.0.2.2')), 'example.'), rrsigTtl: 120 },
    unsigned(rrset('x.example.', RRType.TXT, 0xfffffffe, [new Uint8Array(0), new Uint8Array(300).fill(9)])),
    signed(rrset('example.', RRType.NS, 0, [new Uint8Array([0])]), 'example.'),
  ];
  const b = new Uint8Array(sets.reduce((n, s) => n + packedLength(s), 0) + 3);
  let p = 3;
  for (const s of sets) p = packSigned(b, p, s);
  assert.equal(p, b.length, 'packedLength is what packSigned writes');
  p = 3;
  for (const s of sets) {
    const [back, next] = unpackSigned(b, p);
    same(back, s);
    assert.equal('rrsigTtl' in back, s.rrsigTtl !== undefined, 'rrsigTtl present only when it was');
    p = next;
  }
});

test('a detached copy shares no octets with the message it came from', () => {
  const message = new Uint8Array(64).fill(1);
  const s = unsigned(rrset('a.example.', RRType.A, 60, [message.subarray(10, 14)]));
  const copy = detachSigned(s);
  same(copy, s);
  assert.notEqual(copy.rrset.rdatas[0]!.buffer, message.buffer, 'not a view of the message');
  message.fill(7);
  assert.deepEqual([...copy.rrset.rdatas[0]!], [1, 1, 1, 1], 'unchanged when the message buffer is reused');
});
