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
