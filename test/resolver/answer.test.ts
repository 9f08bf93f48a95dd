// Assembling the client answer from a resolution's pieces (answer.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SecurityStatus } from '../../src/cache/types.js';
import { buildAnswer, type ChainResult, type Piece } from '../../src/resolver/answer.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';

const n = (t: string): Name => Name.parse(t);

function piece(name: string, type: number, rdata: Uint8Array, status: SecurityStatus = SecurityStatus.secure): Piece {
  return { set: { rrset: { name: n(name), type, class: 1, ttl: 300, rdatas: [rdata] }, rrsigs: [Uint8Array.of(0, type, 1, 2)] }, status, ttl: 300 };
}

test('a DNAME that maps two names of the chain goes out once (RFC 2181 §5), before the first CNAME it implies', () => {
  // x. DNAME . maps shortloop.x.x. to shortloop.x., and that to shortloop.
  const dname = piece('x.', RRType.DNAME, Name.ROOT.wire);
  const chain: ChainResult = {
    links: [
      { kind: 'cname', cname: piece('shortloop.x.x.', RRType.CNAME, n('shortloop.x.').wire), dname, target: n('shortloop.x.') },
      { kind: 'cname', cname: piece('shortloop.x.', RRType.CNAME, n('shortloop.').wire), dname, target: n('shortloop.') },
    ],
    final: { kind: 'data', sets: [piece('shortloop.', RRType.TXT, Uint8Array.of(3, 0x65, 0x6e, 0x64))], proofs: [] },
  };
  const a = buildAnswer(n('shortloop.x.x.'), chain, { do: true }, false, 1);
  assert.equal(a.rcode, Rcode.NOERROR);
  assert.deepEqual(
    a.answer.map((r) => `${r.name.toString()} ${r.type}`),
    ['x. 39', 'x. 46', 'shortloop.x.x. 5', 'shortloop.x. 5', 'shortloop. 16', 'shortloop. 46'],
  );
  assert.equal(a.ad, true);
});

test('YXDOMAIN: the DNAME that overflows the name, with its security (RFC 6672 §2.2)', () => {
  const dname = piece('long.', RRType.DNAME, n('a.b.').wire, SecurityStatus.insecure);
  const a = buildAnswer(n('too.long.'), { links: [], final: { kind: 'yxdomain', dname } }, { do: true }, false, 1);
  assert.equal(a.rcode, Rcode.YXDOMAIN);
  assert.deepEqual(
    a.answer.map((r) => `${r.name.toString()} ${r.type}`),
    ['long. 39', 'long. 46'],
  );
  assert.equal(a.ad, false, 'insecure');
  const bogus = buildAnswer(n('too.long.'), { links: [], final: { kind: 'yxdomain', dname: { ...dname, status: SecurityStatus.bogus } } }, {}, false, 1);
  assert.equal(bogus.rcode, Rcode.SERVFAIL, 'a bogus DNAME proves nothing');
});

test('minimal responses (default): a positive answer has no authority or additional; not minimal: the answering response\'s NS and glue', () => {
  const glue = (signed: boolean) => ({ rrset: { name: n('ns.example.'), type: RRType.A, class: 1, ttl: 300, rdatas: [Uint8Array.of(192, 0, 2, 53)] }, rrsigs: signed ? [Uint8Array.of(0, 1, 8, 2)] : [] });
  const ns = { rrset: { name: n('example.'), type: RRType.NS, class: 1, ttl: 300, rdatas: [n('ns.example.').wire] }, rrsigs: [Uint8Array.of(0, 2, 8, 1)] };
  const data = (status: SecurityStatus, signedGlue: boolean): ChainResult => ({
    links: [],
    final: { kind: 'data', sets: [piece('www.example.', RRType.A, Uint8Array.of(192, 0, 2, 1), status)], proofs: [], extra: { authority: [ns], additional: [glue(signedGlue)] } },
  });
  const minimal = buildAnswer(n('www.example.'), data(SecurityStatus.insecure, false), {}, false, 1);
  assert.deepEqual([minimal.authority.length, minimal.additional.length], [0, 0], 'minimal by default');
  const full = buildAnswer(n('www.example.'), data(SecurityStatus.insecure, false), {}, false, 1, false);
  assert.deepEqual(full.authority.map((r) => `${r.name.toString()} ${r.type}`), ['example. 2'], 'the NS RRset, without RRSIG for a client without DO');
  assert.deepEqual(full.additional.map((r) => `${r.name.toString()} ${r.type}`), ['ns.example. 1'], 'its glue');
  const secure = buildAnswer(n('www.example.'), data(SecurityStatus.secure, false), { do: true }, false, 1, false);
  assert.deepEqual(secure.authority.map((r) => `${r.name.toString()} ${r.type}`), ['example. 2', 'example. 46'], 'signed NS with its RRSIG under DO');
  assert.equal(secure.additional.length, 0, 'unsigned glue is left out of a secure answer');
  const secureSignedGlue = buildAnswer(n('www.example.'), data(SecurityStatus.secure, true), { do: true }, false, 1, false);
  assert.deepEqual(secureSignedGlue.additional.map((r) => `${r.name.toString()} ${r.type}`), ['ns.example. 1', 'ns.example. 46'], 'signed glue stays');
});

test('not minimal: a NODATA carries the answering response\'s NS RRset and glue, an NXDOMAIN does not', () => {
  const ns = { rrset: { name: n('example.'), type: RRType.NS, class: 1, ttl: 300, rdatas: [n('ns.example.').wire] }, rrsigs: [] };
  const glue = { rrset: { name: n('ns.example.'), type: RRType.A, class: 1, ttl: 300, rdatas: [Uint8Array.of(192, 0, 2, 53)] }, rrsigs: [] };
  const negative = (nxdomain: boolean): ChainResult => ({
    links: [],
    final: { kind: 'negative', nxdomain, soa: undefined, proofs: [], status: SecurityStatus.insecure, ttl: 5, extra: { authority: [ns], additional: [glue] } },
  });
  const nodata = buildAnswer(n('www.example.'), negative(false), {}, false, 1, false);
  assert.deepEqual([nodata.rcode, nodata.authority.length, nodata.additional.length], [Rcode.NOERROR, 1, 1], 'NODATA: NS and glue');
  const nx = buildAnswer(n('www.example.'), negative(true), {}, false, 1, false);
  assert.deepEqual([nx.rcode, nx.authority.length, nx.additional.length], [Rcode.NXDOMAIN, 0, 0], 'NXDOMAIN: neither');
  const minimal = buildAnswer(n('www.example.'), negative(false), {}, false, 1);
  assert.deepEqual([minimal.authority.length, minimal.additional.length], [0, 0], 'minimal: neither');
});

test('a negative answer keeps the server\'s order: SOA first by default, the proofs first when it put them first', () => {
  const soaSet = { rrset: { name: n('example.'), type: RRType.SOA, class: 1, ttl: 300, rdatas: [Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)] }, rrsigs: [] };
  const proof = { rrset: { name: n('a.example.'), type: RRType.NSEC, class: 1, ttl: 300, rdatas: [Uint8Array.from([...n('c.example.').wire, 0, 1, 0x40])] }, rrsigs: [] };
  const chain = (soaLast: boolean): ChainResult => ({
    links: [],
    final: { kind: 'negative', nxdomain: false, soa: soaSet, proofs: [proof], status: SecurityStatus.secure, ttl: 300, soaLast },
  });
  const types = (a: ReturnType<typeof buildAnswer>): number[] => a.authority.map((r) => r.type);
  assert.deepEqual(types(buildAnswer(n('a.example.'), chain(false), { do: true }, false, 1)), [RRType.SOA, RRType.NSEC]);
  assert.deepEqual(types(buildAnswer(n('a.example.'), chain(true), { do: true }, false, 1)), [RRType.NSEC, RRType.SOA]);
});

test('negative answers: the NS RRset beside the SOA goes out with negativeNs (Knot), and for NODATA when not minimal (Unbound), with glue only when not minimal', () => {
  const soa = piece('example.', RRType.SOA, Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5), SecurityStatus.insecure);
  const ns = piece('example.', RRType.NS, n('ns.example.').wire, SecurityStatus.insecure).set;
  const glue = piece('ns.example.', RRType.A, Uint8Array.of(192, 0, 2, 53), SecurityStatus.insecure).set;
  const negative = (nxdomain: boolean): ChainResult => ({
    links: [],
    final: { kind: 'negative', nxdomain, soa: soa.set, proofs: [], status: SecurityStatus.insecure, ttl: 5, extra: { authority: [ns], additional: [glue] } },
  });
  const types = (a: ReturnType<typeof buildAnswer>): string => `${a.authority.map((r) => r.type).join(',')} / ${a.additional.map((r) => r.type).join(',')}`;
  const q = n('nx.example.');
  assert.equal(types(buildAnswer(q, negative(true), {}, false, 1)), '6 / ', 'minimal (default): the SOA only');
  assert.equal(types(buildAnswer(q, negative(true), {}, false, 1, true, true)), '6,2 / ', 'negativeNs: the NS too, no glue while minimal');
  assert.equal(types(buildAnswer(q, negative(true), {}, false, 1, false, false)), '6 / ', 'not minimal: no NS in an NXDOMAIN (Unbound scrubs it)');
  assert.equal(types(buildAnswer(q, negative(false), {}, false, 1, false, false)), '6,2 / 1', 'not minimal: NODATA with the NS and its address');
  assert.equal(types(buildAnswer(q, negative(true), {}, false, 1, false, true)), '6,2 / 1', 'both: NS and glue');
});
