// Scrubbing a reply to the bailiwick of the zone asked (classify.ts): a chain that leaves the zone
// is cut there, and an NXDOMAIN that belongs to the name beyond the cut (RFC 6604 §2) goes with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { makeQuery, makeResponse, type Message } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { answerChain, chasesChain, classify, extraSections, scrub } from '../../src/resolver/classify.js';

const n = (t: string): Name => Name.parse(t);

function rr(name: string, type: number, rdata: Uint8Array): ResourceRecord {
  return { name: n(name), type, class: 1, ttl: 300, rdata };
}

function soa(zone: string): ResourceRecord {
  // MNAME, RNAME, then serial, refresh, retry, expire, minimum.
  const tail = new Uint8Array(20);
  new DataView(tail.buffer).setUint32(16, 300);
  return rr(zone, RRType.SOA, Uint8Array.from([...n(`ns.${zone}`).wire, ...n(`hostmaster.${zone}`).wire, ...tail]));
}

function nsec(owner: string, next: string): ResourceRecord {
  return rr(owner, RRType.NSEC, Uint8Array.from([...n(next).wire, 0, 1, 0x40]));
}

function reply(qname: string, init: Parameters<typeof makeResponse>[1]): Message {
  return { ...makeResponse(makeQuery(n(qname), RRType.A, { id: 7 }), init), malformed: [], trailing: 0 };
}

test('an NXDOMAIN after a CNAME out of the bailiwick is the target\'s: dropped with its zone\'s records', () => {
  // A server of a.test. that also serves b.test. followed the CNAME there (as NSD does).
  const msg = reply('x.a.test.', {
    aa: true,
    rcode: Rcode.NXDOMAIN,
    answer: [rr('x.a.test.', RRType.CNAME, n('nothere.b.test.').wire)],
    authority: [soa('b.test.'), nsec('b.test.', 'www.b.test.')],
  });
  const s = scrub(msg, n('x.a.test.'), RRType.A, n('a.test.'));
  assert.equal(s.rcode, Rcode.NOERROR, 'the rcode applies to nothere.b.test., which a.test.\'s server may not speak for');
  assert.deepEqual(
    s.answer.map((r) => r.name.toString()),
    ['x.a.test.'],
  );
  assert.equal(s.authority.length, 0, 'b.test.\'s SOA and NSEC are out of the bailiwick');
  assert.equal(classify(s, n('x.a.test.'), RRType.A, n('a.test.')).kind, 'answer');
});

test('the same for a DNAME whose target is out of the bailiwick', () => {
  const msg = reply('nx.dn.a.test.', {
    aa: true,
    rcode: Rcode.NXDOMAIN,
    answer: [rr('dn.a.test.', RRType.DNAME, n('b.test.').wire), rr('nx.dn.a.test.', RRType.CNAME, n('nx.b.test.').wire)],
    authority: [soa('b.test.')],
  });
  const s = scrub(msg, n('nx.dn.a.test.'), RRType.A, n('a.test.'));
  assert.equal(s.rcode, Rcode.NOERROR, 'the NXDOMAIN is about nx.b.test.');
  assert.equal(s.answer.length, 2, 'the DNAME and the CNAME it implies stay');
  assert.equal(s.authority.length, 0, 'b.test.\'s SOA goes');
});

test('the rest of a chain after its first link is cut off and asked for on its own (RFC 2181 §5.4.1), an NXDOMAIN with it', () => {
  const msg = reply('x.a.test.', {
    aa: true,
    rcode: Rcode.NXDOMAIN,
    answer: [rr('x.a.test.', RRType.CNAME, n('nothere.sub.a.test.').wire)],
    authority: [soa('sub.a.test.')],
  });
  const s = scrub(msg, n('x.a.test.'), RRType.A, n('a.test.'));
  assert.equal(s.rcode, Rcode.NOERROR, 'the NXDOMAIN is about nothere.sub.a.test., a name beyond the first link');
  assert.equal(s.authority.length, 0, 'its SOA goes with it');
  assert.deepEqual(
    s.answer.map((r) => r.name.toString()),
    ['x.a.test.'],
  );
  const plain = scrub(reply('nx.a.test.', { aa: true, rcode: Rcode.NXDOMAIN, authority: [soa('a.test.')] }), n('nx.a.test.'), RRType.A, n('a.test.'));
  assert.equal(plain.rcode, Rcode.NXDOMAIN, 'no chain: the NXDOMAIN is about the question');
  assert.equal(plain.authority.length, 1);
});

test('the rest of a chain: unsigned data is cut, signed data stays for the validator when validating', () => {
  const sig = (owner: string, covered: number): ResourceRecord => rr(owner, RRType.RRSIG, Uint8Array.of(covered >> 8, covered & 0xff, 13, 3, 0, 0, 0, 60));
  const answer = [
    rr('www.a.test.', RRType.CNAME, n('next.a.test.').wire),
    sig('www.a.test.', RRType.CNAME),
    rr('next.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1)),
  ];
  const unsigned = scrub(reply('www.a.test.', { aa: true, answer }), n('www.a.test.'), RRType.A, n('a.test.'), true, true);
  assert.deepEqual(
    unsigned.answer.map((r) => `${r.name.toString()} ${r.type}`),
    ['www.a.test. 5', 'www.a.test. 46'],
    'the unsigned A of the target is only as good as the AA bit: cut',
  );
  const signed = [...answer, sig('next.a.test.', RRType.A)];
  assert.equal(scrub(reply('www.a.test.', { aa: true, answer: signed }), n('www.a.test.'), RRType.A, n('a.test.'), true, true).answer.length, 4, 'validated on its signature: kept');
  assert.equal(
    scrub(reply('www.a.test.', { aa: true, answer: signed }), n('www.a.test.'), RRType.A, n('a.test.'), true, false).answer.length,
    2,
    'without validation a signature proves nothing: cut',
  );
});

test('an empty NOERROR without AA but with NSEC in authority is a NODATA answer, not lame', () => {
  const msg = reply('www.a.test.', { aa: false, rcode: Rcode.NOERROR, authority: [nsec('www.a.test.', 'z.a.test.')] });
  const s = scrub(msg, n('www.a.test.'), RRType.A, n('a.test.'));
  assert.equal(classify(s, n('www.a.test.'), RRType.A, n('a.test.')).kind, 'answer', 'the NSEC makes it a NODATA');
  const bare = reply('www.a.test.', { aa: false, rcode: Rcode.NOERROR });
  assert.equal(classify(bare, n('www.a.test.'), RRType.A, n('a.test.')).kind, 'lame', 'nothing at all without AA stays lame');
});

test('an RRSIG in another section than its RRset joins the RRset (Unbound pairs them)', () => {
  const sig = (owner: string, covered: number): ResourceRecord =>
    rr(owner, RRType.RRSIG, Uint8Array.from([covered >> 8, covered & 0xff, 8, 3, 0, 0, 0, 0, ...new Uint8Array(14), ...n('a.test.').wire, 1]));
  const a = rr('www.a.test.', RRType.A, Uint8Array.of(10, 0, 0, 1));
  const glue = rr('ns.a.test.', RRType.A, Uint8Array.of(10, 0, 0, 2));
  const msg = reply('www.a.test.', {
    aa: true,
    answer: [a, sig('ns.a.test.', RRType.A)],
    additional: [glue, sig('www.a.test.', RRType.A)],
  });
  const s = scrub(msg, n('www.a.test.'), RRType.A, n('a.test.'));
  assert.ok(
    s.answer.some((r) => r.type === RRType.RRSIG && r.name.equals(n('www.a.test.'))),
    'the RRSIG over www.a.test. A moved from additional into the answer',
  );
  assert.ok(!s.answer.some((r) => r.name.equals(n('ns.a.test.'))), 'the RRSIG over ns.a.test. A left the answer');
});

test('a DS query answered with a referral to the child: its DS RRset is the answer; without one, lame', () => {
  const q = makeQuery(n('sub.a.test.'), RRType.DS, { id: 7 });
  const ns = rr('sub.a.test.', RRType.NS, n('ns.sub.a.test.').wire);
  const ds = rr('sub.a.test.', RRType.DS, Uint8Array.of(0x78, 0x93, 5, 1, ...new Uint8Array(20)));
  const withDs: Message = { ...makeResponse(q, { authority: [ns, ds] }), malformed: [], trailing: 0 };
  const c = classify(scrub(withDs, n('sub.a.test.'), RRType.DS, n('a.test.')), n('sub.a.test.'), RRType.DS, n('a.test.'));
  assert.ok(c.kind === 'answer' && c.msg.answer.length === 1 && c.msg.answer[0]!.type === RRType.DS, 'the DS moves into the answer');
  const bare: Message = { ...makeResponse(q, { authority: [ns] }), malformed: [], trailing: 0 };
  assert.equal(classify(bare, n('sub.a.test.'), RRType.DS, n('a.test.')).kind, 'lame', 'no DS: lame for the DS query');
});

test('YXDOMAIN with the DNAME that overflows is an answer (RFC 6672 §2.2); without a DNAME it is retried', () => {
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.dn.a.test.`;
  const dname = rr('dn.a.test.', RRType.DNAME, n(`${'x'.repeat(63)}.${'y'.repeat(20)}.b.test.`).wire);
  const yx = reply(long, { aa: true, rcode: Rcode.YXDOMAIN, answer: [dname] });
  const s = scrub(yx, n(long), RRType.A, n('a.test.'));
  assert.equal(s.answer.length, 1, 'the DNAME above the name stays');
  assert.equal(classify(s, n(long), RRType.A, n('a.test.')).kind, 'answer');
  const bare = reply(long, { aa: true, rcode: Rcode.YXDOMAIN });
  assert.equal(classify(bare, n(long), RRType.A, n('a.test.')).kind, 'retry');
});

test('a DNAME question below a DNAME follows it: the DNAME at the ancestor applies first', () => {
  const msg = reply('x.dn.a.test.', {
    aa: true,
    answer: [rr('dn.a.test.', RRType.DNAME, n('b.a.test.').wire), rr('x.dn.a.test.', RRType.CNAME, n('x.b.a.test.').wire), rr('x.b.a.test.', RRType.DNAME, n('c.a.test.').wire)],
  });
  assert.deepEqual(
    answerChain(msg.answer, n('x.dn.a.test.'), RRType.DNAME).map((x) => x.toString()),
    ['x.dn.a.test.', 'x.b.a.test.'],
    'the chain goes on to the DNAME at the substituted name',
  );
  const s = scrub(msg, n('x.dn.a.test.'), RRType.DNAME, n('a.test.'));
  assert.deepEqual(
    s.answer.map((r) => `${r.name.toString()} ${r.type}`),
    ['dn.a.test. 39', 'x.dn.a.test. 5'],
    'the first link stays; the DNAME at the target is asked for on its own',
  );
});

test('a CNAME question answered NXDOMAIN beside the CNAME: the server followed the chain, and so does the scrub (RFC 6604 §2)', () => {
  const answer = [rr('x.a.test.', RRType.CNAME, n('nothere.b.test.').wire)];
  const msg = { ...reply('x.a.test.', { aa: true, rcode: Rcode.NXDOMAIN, answer, authority: [soa('b.test.')] }) };
  assert.equal(chasesChain(msg, n('x.a.test.'), RRType.CNAME), true);
  assert.equal(chasesChain(msg, n('x.a.test.'), RRType.A), false, 'only CNAME questions are special');
  assert.equal(chasesChain({ ...msg, rcode: Rcode.NOERROR }, n('x.a.test.'), RRType.CNAME), false, 'NOERROR: the CNAME is the answer');
  const s = scrub(msg, n('x.a.test.'), RRType.CNAME, n('a.test.'));
  assert.equal(s.rcode, Rcode.NOERROR, 'the NXDOMAIN is nothere.b.test.\'s, beyond the bailiwick');
  assert.equal(s.authority.length, 0);
  assert.deepEqual(answerChain(s.answer, n('x.a.test.'), RRType.CNAME, true).map((x) => x.toString()), ['x.a.test.', 'nothere.b.test.']);
  assert.deepEqual(answerChain(s.answer, n('x.a.test.'), RRType.CNAME).map((x) => x.toString()), ['x.a.test.']);
});

test('a CNAME beside other data at one name: the RRset the server put first decides, the other is dropped (RFC 2181 §10.1)', () => {
  const cname = rr('www.a.test.', RRType.CNAME, n('tgt.a.test.').wire);
  const a = rr('www.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1));
  const cnameFirst = scrub(reply('www.a.test.', { aa: true, answer: [cname, a] }), n('www.a.test.'), RRType.A, n('a.test.'));
  assert.deepEqual(
    cnameFirst.answer.map((r) => r.type),
    [RRType.CNAME],
    'followed: the A beside it is not www.a.test.\'s data',
  );
  assert.deepEqual(answerChain([cname, a], n('www.a.test.'), RRType.A).map((x) => x.toString()), ['www.a.test.', 'tgt.a.test.']);
  assert.deepEqual(answerChain([a, cname], n('www.a.test.'), RRType.A).map((x) => x.toString()), ['www.a.test.'], 'the A first: it is the answer');
});

test('the additional section keeps the RRSIGs of the addresses it keeps, and only those', () => {
  const a = (name: string) => rr(name, RRType.A, Uint8Array.of(192, 0, 2, 53));
  // RRSIG rdata: type covered, algorithm, labels, original TTL, expiration, inception, key tag, signer, signature.
  const sig = (name: string, covered: number) => rr(name, RRType.RRSIG, Uint8Array.from([0, covered, 8, 2, 0, 0, 1, 44, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, ...n('a.test.').wire, 1, 2]));
  const msg = reply('www.a.test.', {
    aa: true,
    answer: [rr('www.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1))],
    authority: [rr('a.test.', RRType.NS, n('ns.a.test.').wire)],
    additional: [a('ns.a.test.'), sig('ns.a.test.', RRType.A), sig('ns.a.test.', RRType.AAAA), rr('ns.a.test.', RRType.TXT, Uint8Array.of(1, 0x78)), sig('ns.a.test.', RRType.TXT)],
  });
  const s = scrub(msg, n('www.a.test.'), RRType.A, n('a.test.'));
  assert.deepEqual(
    s.additional.map((r) => `${r.type}${r.type === RRType.RRSIG ? `/${r.rdata[1]!}` : ''}`),
    [`${RRType.A}`, `${RRType.RRSIG}/${RRType.A}`],
    'the A and its RRSIG; no RRSIG without its RRset, nothing of other types',
  );
});

test('extraSections: the NS RRset and the addresses of its names inside its zone, with RRSIGs; none without NS', () => {
  const a = (name: string) => rr(name, RRType.A, Uint8Array.of(192, 0, 2, 53));
  const msg = reply('www.a.test.', {
    aa: true,
    answer: [rr('www.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1))],
    authority: [rr('a.test.', RRType.NS, n('ns.a.test.').wire), rr('a.test.', RRType.NS, n('ns.other.').wire)],
    additional: [a('ns.other.'), a('ns.a.test.'), a('unrelated.a.test.')],
  });
  const x = extraSections(msg);
  assert.ok(x !== undefined, 'an NS RRset: extra sections');
  assert.deepEqual(x.authority.map((s) => `${s.rrset.name.toString()} ${s.rrset.rdatas.length}`), ['a.test. 2']);
  assert.deepEqual(x.additional.map((s) => s.rrset.name.toString()), ['ns.a.test.'], 'out-of-zone glue (ns.other.) and addresses of other names are not passed on');
  assert.equal(extraSections(reply('www.a.test.', { aa: true, answer: [rr('www.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1))] })), undefined);
});

test('scrub hands back the reply itself when it drops nothing, and a copy with every other field kept when it does', () => {
  const www = rr('www.a.test.', RRType.A, Uint8Array.of(192, 0, 2, 1));
  const clean = reply('www.a.test.', { aa: true, answer: [www] });
  assert.equal(scrub(clean, n('www.a.test.'), RRType.A, n('a.test.')), clean, 'nothing out of bailiwick: the same message, no copy');
  const outside = rr('www.b.test.', RRType.A, Uint8Array.of(192, 0, 2, 2));
  const dirty = reply('www.a.test.', { aa: true, answer: [www, outside] });
  const s = scrub(dirty, n('www.a.test.'), RRType.A, n('a.test.'));
  assert.notEqual(s, dirty, 'a record dropped: a new message');
  assert.deepEqual(s.answer, [www], 'the out-of-bailiwick record is gone');
  assert.equal(dirty.answer.length, 2, 'the reply itself is left as it was');
  assert.deepEqual({ ...s, answer: dirty.answer }, { ...dirty }, 'every other field is the reply\'s');
});
