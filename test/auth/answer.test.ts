// Authoritative answering (RFC 1034 §4.3.2, RFC 4035 §3.1, RFC 5155 §7.2, RFC 4592, RFC 6672):
// the sections of each kind of answer, with and without DO, over NSEC and NSEC3 zones, and the
// wire edges (FORMERR, REFUSED, NOTIMP, BADVERS, truncation).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerQuery } from '../../src/auth/answer.js';
import { AuthZoneSet, createAuthServer } from '../../src/auth/auth-server.js';
import type { AuthZone } from '../../src/auth/auth-zone.js';
import { nsec3Hash } from '../../src/dnssec/nsec3-hash.js';
import { RRType, Rcode } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeQuery, type MessageInit } from '../../src/wire/message.js';
import { compareNames, Name } from '../../src/wire/name.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import { compareBytes, type ResourceRecord } from '../../src/wire/record.js';
import { EXAMPLE_ZONE, query, signedAuthZone } from './fixtures.js';

let nsecZone: AuthZone;
let nsec3Zone: AuthZone;
let optOutZone: AuthZone;

before(async () => {
  nsecZone = await signedAuthZone('example.', EXAMPLE_ZONE, { type: 'nsec' });
  nsec3Zone = await signedAuthZone('example.', EXAMPLE_ZONE, { type: 'nsec3', iterations: 0, salt: new Uint8Array(0), optOut: false });
  optOutZone = await signedAuthZone('example.', EXAMPLE_ZONE, { type: 'nsec3', iterations: 1, salt: Uint8Array.of(0xab, 0xcd), optOut: true });
});

function ask(zone: AuthZone | AuthZoneSet, name: string, type: number, opts: { do?: boolean } = {}): MessageInit {
  const zones = zone instanceof AuthZoneSet ? zone : new AuthZoneSet([zone]);
  const a = answerQuery(query(name, type, opts), zones);
  assert.ok(a !== undefined);
  return a.message;
}

function types(rrs: readonly ResourceRecord[]): string[] {
  return rrs.map((r) => `${r.name.toString()} ${r.type === RRType.RRSIG ? `RRSIG/${(r.rdata[0]! << 8) | r.rdata[1]!}` : r.type}`);
}

function ofType(rrs: readonly ResourceRecord[], type: number): ResourceRecord[] {
  return rrs.filter((r) => r.type === type);
}

/** Every RRset in the section has an RRSIG over it (same owner, covered type). */
function allSigned(rrs: readonly ResourceRecord[]): void {
  for (const r of rrs) {
    if (r.type === RRType.RRSIG) continue;
    assert.ok(
      rrs.some((s) => s.type === RRType.RRSIG && s.name.equals(r.name) && ((s.rdata[0]! << 8) | s.rdata[1]!) === r.type),
      `${r.name.toString()} ${r.type} has no RRSIG`,
    );
  }
}

/** True when the NSEC owned by `rr` covers (or matches, with `orMatch`) `name`. */
function nsecCovers(rr: ResourceRecord, name: Name, orMatch = false): boolean {
  const next = decodeTyped(RRType.NSEC, rr.rdata).next;
  const c1 = compareNames(rr.name, name);
  if (c1 === 0) return orMatch;
  const c2 = compareNames(name, next);
  const wraps = compareNames(rr.name, next) >= 0;
  return wraps ? c1 < 0 || c2 < 0 : c1 < 0 && c2 < 0;
}

function nsec3Info(rr: ResourceRecord): { own: Uint8Array; next: Uint8Array; optOut: boolean; types: readonly number[] } {
  const d = decodeTyped(RRType.NSEC3, rr.rdata);
  const own = Buffer.from(rr.name.label(0)).toString('latin1').toUpperCase();
  return { own: base32hexDecode(own), next: d.nextHashed, optOut: (d.flags & 1) !== 0, types: d.types };
}

function base32hexDecode(s: string): Uint8Array {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUV';
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of s) {
    acc = (acc << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((acc >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function nsec3Matches(zone: AuthZone, rrs: readonly ResourceRecord[], name: string): ResourceRecord | undefined {
  const chain = zone.nsec3!;
  const h = nsec3Hash(Name.parse(name), chain.salt, chain.iterations);
  return ofType(rrs, RRType.NSEC3).find((r) => compareBytes(nsec3Info(r).own, h) === 0);
}

function nsec3Covers(zone: AuthZone, rrs: readonly ResourceRecord[], name: string): ResourceRecord | undefined {
  const chain = zone.nsec3!;
  const h = nsec3Hash(Name.parse(name), chain.salt, chain.iterations);
  return ofType(rrs, RRType.NSEC3).find((r) => {
    const { own, next } = nsec3Info(r);
    const wraps = compareBytes(own, next) >= 0;
    const a = compareBytes(own, h) < 0;
    const b = compareBytes(h, next) < 0;
    return wraps ? a || b : a && b;
  });
}

test('positive answer: AA, the RRset and its RRSIG with DO, none without', () => {
  const m = ask(nsecZone, 'www.example.', RRType.A);
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.ok(m.flags.aa);
  assert.deepEqual(types(m.answer), ['www.example. 1', 'www.example. RRSIG/1']);
  allSigned(m.answer);
  assert.equal(m.edns?.dnssecOk, true);
  const plain = ask(nsecZone, 'www.example.', RRType.A, { do: false });
  assert.deepEqual(types(plain.answer), ['www.example. 1']);
  // Additional section processing for MX.
  const mx = ask(nsecZone, 'example.', RRType.MX);
  assert.deepEqual(types(mx.additional), ['mail.example. 1', 'mail.example. RRSIG/1']);
  // Case is not significant (RFC 4343).
  assert.equal(ask(nsecZone, 'WwW.ExAmPlE.', RRType.AAAA).answer.length, 2);
});

test('NXDOMAIN with NSEC: SOA and the NSECs covering the name and the wildcard (RFC 4035 §3.1.3.2)', () => {
  const m = ask(nsecZone, 'nope.example.', RRType.A);
  assert.equal(m.rcode, Rcode.NXDOMAIN);
  assert.ok(m.flags.aa);
  assert.equal(m.answer.length, 0);
  const soa = ofType(m.authority, RRType.SOA);
  assert.equal(soa.length, 1);
  assert.equal(soa[0]!.ttl, 300, 'negative TTL is min(SOA TTL, MINIMUM)');
  const nsecs = ofType(m.authority, RRType.NSEC);
  assert.ok(nsecs.some((r) => nsecCovers(r, Name.parse('nope.example.'))));
  assert.ok(nsecs.some((r) => nsecCovers(r, Name.parse('*.example.'))));
  allSigned(m.authority);
  const plain = ask(nsecZone, 'nope.example.', RRType.A, { do: false });
  assert.deepEqual(types(plain.authority), ['example. 6']);
});

test('NODATA with NSEC: the NSEC at the name; an empty non-terminal: the covering NSEC', () => {
  const m = ask(nsecZone, 'www.example.', RRType.MX);
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(m.answer.length, 0);
  const nsec = ofType(m.authority, RRType.NSEC);
  assert.equal(nsec.length, 1);
  assert.ok(nsec[0]!.name.equals(Name.parse('www.example.')));
  allSigned(m.authority);
  const ent = ask(nsecZone, 'b.ent.example.', RRType.A);
  assert.equal(ent.rcode, Rcode.NOERROR);
  const entNsec = ofType(ent.authority, RRType.NSEC);
  assert.ok(entNsec.some((r) => nsecCovers(r, Name.parse('b.ent.example.'))));
  assert.equal(ask(nsecZone, 'ent.example.', RRType.A).rcode, Rcode.NOERROR);
});

test('wildcard answers: synthesized owner, wildcard RRSIG, proof the name does not exist', () => {
  const m = ask(nsecZone, 'foo.wild.example.', RRType.TXT);
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.deepEqual(types(m.answer), ['foo.wild.example. 16', 'foo.wild.example. RRSIG/16']);
  const sig = decodeTyped(RRType.RRSIG, ofType(m.answer, RRType.RRSIG)[0]!.rdata);
  assert.equal(sig.labels, 2, 'Labels counts the wildcard owner without the *');
  assert.ok(ofType(m.authority, RRType.NSEC).some((r) => nsecCovers(r, Name.parse('foo.wild.example.'))));
  // Wildcard NODATA: NSEC covering the name and the NSEC of the wildcard (RFC 4035 §3.1.3.4).
  const nd = ask(nsecZone, 'foo.wild.example.', RRType.A);
  assert.equal(nd.rcode, Rcode.NOERROR);
  assert.equal(nd.answer.length, 0);
  const nsecs = ofType(nd.authority, RRType.NSEC);
  assert.ok(nsecs.some((r) => r.name.equals(Name.parse('*.wild.example.'))));
  assert.ok(nsecs.some((r) => nsecCovers(r, Name.parse('foo.wild.example.'))));
  // Wildcard CNAME, chased inside the zone.
  const wc = ask(nsecZone, 'x.wc.example.', RRType.A);
  assert.deepEqual(types(wc.answer), ['x.wc.example. 5', 'x.wc.example. RRSIG/5', 'www.example. 1', 'www.example. RRSIG/1']);
});

test('CNAME chains inside the zone, out of the zone, and loops; DNAME synthesis (RFC 6672)', () => {
  const m = ask(nsecZone, 'chain.example.', RRType.A);
  assert.deepEqual(types(m.answer.filter((r) => r.type !== RRType.RRSIG)), ['chain.example. 5', 'alias.example. 5', 'www.example. 1']);
  const ext = ask(nsecZone, 'ext.example.', RRType.A);
  assert.deepEqual(types(ext.answer.filter((r) => r.type !== RRType.RRSIG)), ['ext.example. 5']);
  assert.equal(ext.rcode, Rcode.NOERROR);
  const loop = ask(nsecZone, 'loop1.example.', RRType.A);
  assert.equal(ofType(loop.answer, RRType.CNAME).length, 2);
  const cname = ask(nsecZone, 'alias.example.', RRType.CNAME);
  assert.deepEqual(types(cname.answer.filter((r) => r.type !== RRType.RRSIG)), ['alias.example. 5']);
  const dn = ask(nsecZone, 'x.dn.example.', RRType.A);
  assert.deepEqual(types(dn.answer.filter((r) => r.type !== RRType.RRSIG)), ['dn.example. 39', 'x.dn.example. 5', 'x.target.example. 1']);
  const synth = ofType(dn.answer, RRType.CNAME)[0]!;
  assert.ok(decodeTyped(RRType.CNAME, synth.rdata).target.equals(Name.parse('x.target.example.')));
  assert.ok(!dn.answer.some((r) => r.type === RRType.RRSIG && ((r.rdata[0]! << 8) | r.rdata[1]!) === RRType.CNAME), 'synthesized CNAME is unsigned');
  // The chased name does not exist: NXDOMAIN (RFC 6604).
  const nx = ask(nsecZone, 'y.dn.example.', RRType.A);
  assert.equal(nx.rcode, Rcode.NXDOMAIN);
  assert.equal(ofType(nx.answer, RRType.CNAME).length, 1);
});

test('referrals: AA clear, NS, glue; DS+RRSIG for a secure child, NSEC no-DS proof for an insecure one', () => {
  const s = ask(nsecZone, 'www.secure.example.', RRType.A);
  assert.equal(s.rcode, Rcode.NOERROR);
  assert.equal(s.flags.aa, false);
  assert.equal(s.answer.length, 0);
  assert.deepEqual(types(s.authority), ['secure.example. 2', 'secure.example. 43', 'secure.example. RRSIG/43']);
  assert.deepEqual(types(s.additional), ['ns.secure.example. 1']);
  const i = ask(nsecZone, 'insecure.example.', RRType.A);
  assert.equal(i.flags.aa, false);
  assert.deepEqual(types(i.authority), ['insecure.example. 2', 'insecure.example. 47', 'insecure.example. RRSIG/47']);
  const nsecTypes = decodeTyped(RRType.NSEC, ofType(i.authority, RRType.NSEC)[0]!.rdata).types;
  assert.ok(nsecTypes.includes(RRType.NS) && !nsecTypes.includes(RRType.DS));
  // Without DO: NS and glue only.
  assert.deepEqual(types(ask(nsecZone, 'insecure.example.', RRType.A, { do: false }).authority), ['insecure.example. 2']);
  // DS at the cut is the parent's data: an authoritative answer.
  const ds = ask(nsecZone, 'secure.example.', RRType.DS);
  assert.ok(ds.flags.aa);
  assert.deepEqual(types(ds.answer), ['secure.example. 43', 'secure.example. RRSIG/43']);
  const nods = ask(nsecZone, 'insecure.example.', RRType.DS);
  assert.ok(nods.flags.aa);
  assert.equal(nods.answer.length, 0);
  assert.ok(ofType(nods.authority, RRType.NSEC).some((r) => r.name.equals(Name.parse('insecure.example.'))));
});

test('NSEC3: NXDOMAIN closest encloser proof, NODATA match, wildcard proofs (RFC 5155 §7.2)', () => {
  const z = nsec3Zone;
  const nx = ask(z, 'nope.example.', RRType.A);
  assert.equal(nx.rcode, Rcode.NXDOMAIN);
  assert.ok(nsec3Matches(z, nx.authority, 'example.'), 'closest encloser matched');
  assert.ok(nsec3Covers(z, nx.authority, 'nope.example.'), 'next closer covered');
  assert.ok(nsec3Covers(z, nx.authority, '*.example.'), 'wildcard covered');
  allSigned(nx.authority);
  const deep = ask(z, 'a.b.c.www.example.', RRType.A);
  assert.ok(nsec3Matches(z, deep.authority, 'www.example.'));
  assert.ok(nsec3Covers(z, deep.authority, 'c.www.example.'));
  assert.ok(nsec3Covers(z, deep.authority, '*.www.example.'));
  const nd = ask(z, 'www.example.', RRType.MX);
  assert.equal(nd.rcode, Rcode.NOERROR);
  assert.ok(nsec3Matches(z, nd.authority, 'www.example.'));
  const ent = ask(z, 'ent.example.', RRType.A);
  assert.ok(nsec3Matches(z, ent.authority, 'ent.example.'), 'empty non-terminals have NSEC3s');
  const w = ask(z, 'foo.wild.example.', RRType.TXT);
  assert.equal(ofType(w.answer, RRType.TXT).length, 1);
  assert.ok(nsec3Covers(z, w.authority, 'foo.wild.example.'), 'next closer covered');
  const wnd = ask(z, 'foo.wild.example.', RRType.A);
  assert.ok(nsec3Matches(z, wnd.authority, 'wild.example.'));
  assert.ok(nsec3Covers(z, wnd.authority, 'foo.wild.example.'));
  assert.ok(nsec3Matches(z, wnd.authority, '*.wild.example.'));
  // NSEC3 owner names are not names of the zone (RFC 5155 §7.2.8).
  const owner = ofType(nd.authority, RRType.NSEC3)[0]!.name.toString();
  assert.equal(ask(z, owner, RRType.NSEC3).rcode, Rcode.NXDOMAIN);
  // Referral to an insecure child without opt-out: the NSEC3 matching the cut.
  const i = ask(z, 'insecure.example.', RRType.A);
  assert.ok(nsec3Matches(z, i.authority, 'insecure.example.'));
});

test('NSEC3 opt-out: insecure referral and DS NODATA get the closest provable encloser proof', () => {
  const z = optOutZone;
  const i = ask(z, 'host.insecure.example.', RRType.A);
  assert.equal(i.flags.aa, false);
  assert.equal(nsec3Matches(z, i.authority, 'insecure.example.'), undefined, 'no NSEC3 for an opted-out delegation');
  assert.ok(nsec3Matches(z, i.authority, 'example.'), 'closest provable encloser');
  const cover = nsec3Covers(z, i.authority, 'insecure.example.');
  assert.ok(cover !== undefined && nsec3Info(cover).optOut, 'next closer covered by an opt-out NSEC3');
  const ds = ask(z, 'insecure.example.', RRType.DS);
  assert.ok(ds.flags.aa);
  assert.ok(nsec3Covers(z, ds.authority, 'insecure.example.'));
  // The secure delegation still has its NSEC3 and DS.
  const s = ask(z, 'secure.example.', RRType.A);
  assert.deepEqual(types(s.authority), ['secure.example. 2', 'secure.example. 43', 'secure.example. RRSIG/43']);
});

test('zone set: longest match, REFUSED outside, DS at a child apex answered by the parent', async () => {
  const child = await signedAuthZone('child.example.', '$TTL 600\n@ SOA ns1.example. h 1 2 3 4 60\n@ NS ns1.example.\nhost A 192.0.2.9\n', { type: 'nsec' }, 2);
  const zones = new AuthZoneSet([nsecZone, child]);
  const a = ask(zones, 'host.child.example.', RRType.A);
  assert.ok(a.flags.aa);
  assert.equal(ofType(a.answer, RRType.A).length, 1);
  // child.example. NS is delegated in the parent but served here: the child answers authoritatively.
  const ns = ask(zones, 'child.example.', RRType.NS);
  assert.ok(ns.flags.aa);
  // DS is the parent's: NODATA from example. with its NSEC at child.example.
  const ds = ask(zones, 'child.example.', RRType.DS);
  assert.ok(ds.flags.aa);
  assert.ok(ofType(ds.authority, RRType.SOA)[0]!.name.equals(Name.parse('example.')));
  assert.equal(ask(zones, 'www.example.org.', RRType.A).rcode, Rcode.REFUSED);
  assert.equal(ask(zones, '.', RRType.NS).rcode, Rcode.REFUSED);
});

test('the handler: FORMERR, NOTIMP, BADVERS, REFUSED for AXFR, no answer to responses, TC past the buffer', async () => {
  let big = '$TTL 300\n@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\nns1 A 192.0.2.1\n';
  for (let i = 0; i < 40; i++) big += `big TXT "${'x'.repeat(200)}${i}"\n`;
  const zone = await signedAuthZone('big.test.', big, { type: 'nsec' }, 3);
  const server = createAuthServer([zone]);
  const send = (m: MessageInit, transport: 'udp' | 'tcp' = 'udp'): ReturnType<typeof decodeMessage> | undefined => {
    const bytes = server.handle(encodeMessage(m).bytes, { transport });
    return bytes === undefined ? undefined : decodeMessage(bytes);
  };
  const q = makeQuery(Name.parse('big.big.test.'), RRType.TXT, { id: 7, do: true, udpSize: 1232 });
  const udp = send(q)!;
  assert.ok(udp.flags.tc, 'truncated over UDP');
  assert.ok(encodeMessage(udp).bytes.length <= 1232);
  const tcp = send(q, 'tcp')!;
  assert.equal(tcp.flags.tc, false);
  assert.equal(ofType(tcp.answer, RRType.TXT).length, 40);
  // Without EDNS the limit is 512.
  const noEdns = send(makeQuery(Name.parse('big.big.test.'), RRType.TXT, { id: 8, edns: false }))!;
  assert.ok(noEdns.flags.tc);
  assert.equal(noEdns.edns, undefined);
  // Two questions: FORMERR.
  const two = { ...q, question: [...q.question, ...q.question] };
  assert.equal(send(two)!.rcode, Rcode.FORMERR);
  // Garbage after a valid header: FORMERR with the same ID.
  const garbage = Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x05, 0x61]);
  const fe = decodeMessage(server.handle(garbage, { transport: 'udp' })!);
  assert.equal(fe.id, 0x1234);
  assert.equal(fe.rcode, Rcode.FORMERR);
  assert.equal(server.handle(Uint8Array.of(1, 2, 3), { transport: 'udp' }), undefined);
  // A response is not answered.
  assert.equal(send({ ...q, flags: { ...q.flags, qr: true } }), undefined);
  assert.equal(send({ ...q, flags: { ...q.flags, opcode: 2 } })!.rcode, Rcode.NOTIMP);
  const v1 = send({ ...q, edns: { ...q.edns!, version: 1 } })!;
  assert.equal(v1.rcode, Rcode.BADVERS);
  assert.equal(v1.edns?.version, 0);
  assert.equal(send(makeQuery(Name.parse('big.test.'), RRType.AXFR, { id: 9 }))!.rcode, Rcode.REFUSED);
  assert.equal(send(makeQuery(Name.parse('big.test.'), RRType.A, { id: 10, class: 3 }))!.rcode, Rcode.REFUSED);
  // ANY: every RRset at the name.
  const any = send(makeQuery(Name.parse('big.test.'), RRType.ANY, { id: 11 }), 'tcp')!;
  assert.ok(ofType(any.answer, RRType.SOA).length === 1 && ofType(any.answer, RRType.NS).length === 1);
});
