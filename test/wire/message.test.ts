import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { WireError } from '../../src/core/errors.js';
import { EdnsOption, Rcode, RRClass, RRType } from '../../src/wire/constants.js';
import { encodeCookie, encodeEde, extendedErrors, PAD_QUERY_BLOCK } from '../../src/wire/edns.js';
import { decodeMessage, encodeMessage, encodeQuery, makeQuery, makeResponse, messageWith } from '../../src/wire/message.js';
import type { MessageInit } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import type { RdataFields } from '../../src/wire/rdata-schema.js';
import type { ResourceRecord } from '../../src/wire/record.js';

const N = (s: string): Name => Name.parse(s);
const rr = (name: string, type: number, fields: RdataFields, ttl = 300): ResourceRecord => ({
  name: N(name),
  type,
  class: RRClass.IN,
  ttl,
  rdata: encodeRdata(type, fields),
});
const a = (name: string, addr: string, ttl = 300): ResourceRecord => rr(name, RRType.A, { address: addr }, ttl);

function sampleResponse(): MessageInit {
  const q = makeQuery(N('www.example.com.'), RRType.A, { id: 0xbeef, rd: true, do: true });
  return makeResponse(q, {
    ra: true,
    ad: true,
    answer: [
      rr('www.example.com.', RRType.CNAME, { target: N('web.example.com.') }),
      a('web.example.com.', '192.0.2.1'),
      a('web.example.com.', '192.0.2.2'),
    ],
    authority: [rr('example.com.', RRType.NS, { host: N('ns1.example.com.') })],
    additional: [a('ns1.example.com.', '192.0.2.53'), rr('ns1.example.com.', RRType.AAAA, { address: '2001:db8::53' })],
    options: [encodeEde(3, 'tag1: stale')],
  });
}

test('encode → decode round trip with flags, EDNS and compression', () => {
  const m = sampleResponse();
  const { bytes, truncated } = encodeMessage(m);
  assert.equal(truncated, false);
  const d = decodeMessage(bytes);
  assert.equal(d.id, 0xbeef);
  assert.deepEqual(d.flags, { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, z: false, ad: true, cd: false });
  assert.equal(d.rcode, 0);
  assert.equal(d.question[0]!.name.toString(), 'www.example.com.');
  assert.deepEqual(
    d.answer.map((r) => [r.name.toString(), r.type, r.ttl, [...r.rdata]]),
    m.answer.map((r) => [r.name.toString(), r.type, r.ttl, [...r.rdata]]),
  );
  assert.equal(d.authority.length, 1);
  assert.equal(d.additional.length, 2);
  assert.equal(d.edns?.udpSize, 1232);
  assert.equal(d.edns.dnssecOk, true);
  assert.equal(d.edns.flags, 0x8000);
  assert.deepEqual(extendedErrors(d.edns.options), [{ infoCode: 3, extraText: 'tag1: stale' }]);
  assert.deepEqual(d.malformed, []);
  assert.equal(d.formErr, undefined);
  assert.equal(d.trailing, 0);
  // Compression made it smaller than the uncompressed encoding.
  assert.ok(bytes.length < encodeMessage(m, { compress: false }).bytes.length, 'compression saves octets');
  assert.deepEqual(decodeMessage(encodeMessage(m, { compress: false }).bytes).answer, d.answer);
});

// The one-bit header flags and where they sit: octet 2 or 3 of the header and the bit's mask
// (RFC 1035 §4.1.1; Z there, AD and CD from RFC 4035 §3.2).
const FLAG_BITS = [
  ['qr', 2, 0x80],
  ['aa', 2, 0x04],
  ['tc', 2, 0x02],
  ['rd', 2, 0x01],
  ['ra', 3, 0x80],
  ['z', 3, 0x40],
  ['ad', 3, 0x20],
  ['cd', 3, 0x10],
] as const;

/** Header flags from a pick of the one-bit flags (`on(name, octet, mask)`) and an opcode. */
function headerFlags(opcode: number, on: (name: string, octet: number, mask: number) => boolean): MessageInit['flags'] {
  const flags: Record<string, boolean | number> = { opcode };
  for (const [name, octet, mask] of FLAG_BITS) flags[name] = on(name, octet, mask);
  return flags as unknown as MessageInit['flags'];
}

test('all header flags and opcodes survive', () => {
  for (let bits = 0; bits < 256; bits++) {
    // Each of the eight flags on or off as one bit of `bits`, in FLAG_BITS order.
    const flags = headerFlags(bits % 16, (name) => (bits & (1 << FLAG_BITS.findIndex(([n]) => n === name))) !== 0);
    const m: MessageInit = { id: bits, flags, rcode: bits % 16, question: [], answer: [], authority: [], additional: [] };
    const d = decodeMessage(encodeMessage(m).bytes);
    assert.deepEqual(d.flags, flags);
    assert.equal(d.rcode, bits % 16);
  }
});

test('header flags of every third and fourth octet decode to their bits (shared objects per combination)', () => {
  const header = new Uint8Array(12);
  const seen = new Map<number, unknown>();
  // Twice over, in two orders, so that every combination is read both new and again.
  for (const order of [1, -1]) {
    for (let k = 0; k < 0x10000; k++) {
      const v = order === 1 ? k : 0xffff - k;
      const b2 = v >>> 8;
      const b3 = v & 0xff;
      header[2] = b2;
      header[3] = b3;
      const d = decodeMessage(header);
      // OPCODE: bits 3-6 of octet 2 (RFC 1035 §4.1.1).
      const want = headerFlags((b2 >>> 3) & 0x0f, (_name, octet, mask) => ((octet === 2 ? b2 : b3) & mask) !== 0);
      if (!isDeepStrictEqual(d.flags, want)) assert.deepEqual(d.flags, want, `flags of octets ${b2}/${b3}`);
      if (d.rcode !== (b3 & 0x0f)) assert.equal(d.rcode, b3 & 0x0f, `RCODE of octets ${b2}/${b3}`);
      const bits = (b2 << 4) | (b3 >>> 4);
      const first = seen.get(bits);
      if (first === undefined) seen.set(bits, d.flags);
      else if (first !== d.flags) assert.equal(d.flags, first, `one flags object for octets ${b2}/${b3}`);
    }
  }
  assert.equal(seen.size, 4096, 'every combination of the 12 flag bits met');
});

test('extended RCODE: merged on decode, split on encode, needs EDNS', () => {
  const q = makeQuery(N('example.'), RRType.A, { id: 1 });
  const r = makeResponse(q, { rcode: Rcode.BADCOOKIE });
  const bytes = encodeMessage(r).bytes;
  assert.equal(bytes[3]! & 0x0f, Rcode.BADCOOKIE & 0x0f);
  assert.equal(decodeMessage(bytes).rcode, Rcode.BADCOOKIE);
  const noEdns = makeResponse(makeQuery(N('example.'), RRType.A, { id: 1, edns: false }), { rcode: Rcode.BADVERS });
  assert.throws(() => encodeMessage(noEdns), RangeError);
});

test('a record with inconsistent RDATA is set aside, the rest of the message is kept', () => {
  const m = sampleResponse();
  const bytes = encodeMessage({ ...m, answer: [a('x.example.', '192.0.2.9'), m.answer[1]!] }).bytes;
  // Hand-build: replace the first A (4 octets) by a 3-octet A and a 2-octet DNSKEY in the answer.
  const d0 = decodeMessage(bytes);
  assert.equal(d0.answer.length, 2);
  const bad = Uint8Array.of(
    ...bytes.subarray(0, 6),
    0,
    4, // ANCOUNT 4
    0,
    0,
    0,
    0,
    ...bytes.subarray(12, 12 + 17 + 4), // question www.example.com A IN
    1, 0x78, 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 192, 0, 2, // x. A, 3 octets
    1, 0x79, 0, 0, 48, 0, 1, 0, 0, 0, 60, 0, 2, 1, 0, // y. DNSKEY, 2 octets
    1, 0x7a, 0, 0, 1, 0, 1, 0x80, 0, 0, 1, 0, 4, 10, 0, 0, 1, // z. A with TTL top bit set
    1, 0x77, 0, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0xff, // w. NS with a forward pointer
  );
  const d = decodeMessage(bad);
  assert.equal(d.answer.length, 1);
  assert.equal(d.answer[0]!.name.toString(), 'z.');
  assert.equal(d.answer[0]!.ttl, 0, 'RFC 2181 §8: top bit set → 0');
  assert.deepEqual(
    d.malformed.map((x) => [x.section, x.type]),
    [
      ['answer', RRType.A],
      ['answer', RRType.DNSKEY],
      ['answer', RRType.NS],
    ],
  );
  assert.equal(d.malformed[0]!.offset, 33);
  assert.match(d.malformed[2]!.reason, /forward or looping/);
});

test('framing errors throw WireError with an offset', () => {
  const { bytes } = encodeMessage(sampleResponse());
  assert.throws(() => decodeMessage(bytes.subarray(0, 11)), (e: unknown) => e instanceof WireError && e.offset === 0);
  for (let cut = 12; cut < bytes.length; cut++) {
    assert.throws(() => decodeMessage(bytes.subarray(0, cut)), WireError, `cut at ${cut}`);
  }
  const inflated = bytes.slice();
  inflated[7] = 50; // ANCOUNT
  assert.throws(() => decodeMessage(inflated), WireError);
  // RDLENGTH past the end.
  const q = encodeMessage(makeResponse(makeQuery(N('a.'), RRType.A, { id: 1, edns: false }), { answer: [a('a.', '1.2.3.4')] })).bytes;
  const long = q.slice();
  long[long.length - 5] = 5;
  assert.throws(() => decodeMessage(long), (e: unknown) => e instanceof WireError && /RDATA overruns/.test(e.message));
});

test('trailing octets are noted, not fatal', () => {
  const { bytes } = encodeMessage(sampleResponse());
  const d = decodeMessage(Uint8Array.of(...bytes, 1, 2, 3));
  assert.equal(d.trailing, 3);
  assert.equal(d.answer.length, 3);
});

test('OPT misuse gives formErr, not an exception', () => {
  const base = makeQuery(N('example.'), RRType.A, { id: 7, do: true });
  const one = encodeMessage(base).bytes;
  const opt = one.subarray(one.length - 11);
  const withCount = (b: Uint8Array, an: number, ar: number): Uint8Array => {
    const c = b.slice();
    c[7] = an;
    c[11] = ar;
    return c;
  };
  // Two OPT records.
  const two = decodeMessage(withCount(Uint8Array.of(...one, ...opt), 0, 2));
  assert.match(two.formErr ?? '', /more than one OPT/);
  assert.equal(two.edns?.dnssecOk, true);
  assert.equal(two.additional.length, 0);
  // OPT in the answer section.
  const inAnswer = decodeMessage(withCount(one, 1, 0));
  assert.match(inAnswer.formErr ?? '', /OPT record in the answer/);
  assert.equal(inAnswer.edns, undefined);
  assert.equal(inAnswer.answer.length, 0);
  // Non-root owner.
  const named = Uint8Array.of(...one.subarray(0, one.length - 11), 1, 0x61, 0, ...opt.subarray(1));
  const dn = decodeMessage(named);
  assert.match(dn.formErr ?? '', /non-root owner/);
  // Option overrunning the OPT RDATA.
  const badOpt = Uint8Array.of(...one.subarray(0, one.length - 2), 0, 3, 0, 10, 0);
  const bo = decodeMessage(badOpt);
  assert.match(bo.formErr ?? '', /truncated EDNS option/);
  const badOpt2 = Uint8Array.of(...one.subarray(0, one.length - 2), 0, 5, 0, 10, 0, 9, 1);
  assert.match(decodeMessage(badOpt2).formErr ?? '', /overruns the OPT/);
  // Version and flags are exposed raw.
  const v1 = one.slice();
  v1[v1.length - 5] = 1; // version
  v1[v1.length - 3] = 0x01; // a non-DO flag bit
  const dv = decodeMessage(v1);
  assert.equal(dv.edns?.version, 1);
  assert.equal(dv.edns.flags, 0x8001);
});

test('RFC 2136 class ANY records with empty RDATA are accepted', () => {
  const m: MessageInit = {
    id: 1,
    flags: { qr: false, opcode: 5, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false },
    rcode: 0,
    question: [{ name: N('example.'), type: RRType.SOA, class: RRClass.IN }],
    answer: [],
    authority: [{ name: N('www.example.'), type: RRType.A, class: RRClass.ANY, ttl: 0, rdata: new Uint8Array(0) }],
    additional: [],
  };
  const d = decodeMessage(encodeMessage(m).bytes);
  assert.equal(d.authority.length, 1);
  assert.deepEqual(d.malformed, []);
});

test('truncation drops whole RRsets from the end and sets TC only for answer/authority', () => {
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < 10; i++) answers.push(a('big.example.', `192.0.2.${i}`));
  for (let i = 0; i < 10; i++) answers.push(rr('big.example.', RRType.TXT, { strings: [new Uint8Array(30).fill(0x41 + i)] }));
  const q = makeQuery(N('big.example.'), RRType.ANY, { id: 3, udpSize: 512 });
  const resp = makeResponse(q, { answer: answers, additional: [a('ns.example.', '192.0.2.53')] });
  const full = encodeMessage(resp);
  assert.equal(full.truncated, false);
  assert.ok(full.bytes.length > 300, 'big enough to truncate');
  const t = encodeMessage(resp, { maxSize: 300 });
  assert.equal(t.truncated, true);
  assert.ok(t.bytes.length <= 300, 'within maxSize');
  const d = decodeMessage(t.bytes);
  assert.equal(d.flags.tc, true);
  assert.equal(d.answer.length, 10, 'the A RRset fits whole; the TXT RRset is dropped whole');
  assert.ok(d.answer.every((r) => r.type === RRType.A), 'only A records');
  assert.equal(d.additional.length, 0);
  assert.ok(d.edns !== undefined, 'OPT is always kept');
  assert.equal(t.dropped, 11);
  // Additional-only omissions do not set TC.
  const fitsAnswer = full.bytes.length - 5;
  const t2 = encodeMessage(resp, { maxSize: fitsAnswer });
  assert.equal(t2.truncated, false);
  const d2 = decodeMessage(t2.bytes);
  assert.equal(d2.flags.tc, false);
  assert.equal(d2.answer.length, 20);
  assert.equal(d2.additional.length, 0);
  assert.ok(d2.edns !== undefined, 'OPT kept');
  // Nothing fits: question and OPT only, TC set.
  const t3 = encodeMessage(resp, { maxSize: 60 });
  const d3 = decodeMessage(t3.bytes);
  assert.equal(d3.flags.tc, true);
  assert.equal(d3.answer.length, 0);
  assert.equal(d3.question.length, 1);
  assert.ok(d3.edns !== undefined, 'OPT kept');
});

test('truncation rolls back compression targets of dropped records', () => {
  const answer = [a('aaaa.example.', '192.0.2.1'), rr('bbbb.example.', RRType.TXT, { strings: [new Uint8Array(200)] })];
  const resp = makeResponse(makeQuery(N('example.'), RRType.A, { id: 1, edns: false }), {
    answer,
    additional: [a('bbbb.example.', '192.0.2.2')],
  });
  const t = encodeMessage(resp, { maxSize: 100 });
  const d = decodeMessage(t.bytes);
  assert.equal(d.answer.length, 1);
  assert.equal(d.flags.tc, true);
});

test('padding to a block size (RFC 7830, RFC 8467)', () => {
  const q = makeQuery(N('www.example.com.'), RRType.AAAA, { id: 9, cookie: new Uint8Array(8).fill(1) });
  const { bytes } = encodeMessage(q, { padBlock: PAD_QUERY_BLOCK });
  assert.equal(bytes.length % PAD_QUERY_BLOCK, 0);
  const d = decodeMessage(bytes);
  assert.deepEqual(
    d.edns?.options.map((o) => o.code),
    [EdnsOption.COOKIE, EdnsOption.PADDING],
  );
  const capped = encodeMessage(q, { padBlock: 468, maxSize: 100 });
  assert.equal(capped.bytes.length, 100);
});

test('makeQuery and makeResponse', () => {
  const cookie = encodeCookie(new Uint8Array(8).fill(2)).data;
  const q = makeQuery(N('Example.'), RRType.DNSKEY, { id: 0x1ffff, rd: false, do: true, cd: true, udpSize: 1400, cookie });
  assert.equal(q.id, 0xffff);
  assert.equal(q.flags.cd, true);
  assert.equal(q.edns?.udpSize, 1400);
  const d = decodeMessage(encodeMessage(q).bytes);
  assert.equal(d.edns?.options[0]?.code, EdnsOption.COOKIE);
  assert.equal(d.flags.qr, false);
  const r = makeResponse(d, { aa: true });
  assert.equal(r.flags.qr, true);
  assert.equal(r.flags.cd, true);
  assert.equal(r.flags.aa, true);
  assert.equal(r.edns?.dnssecOk, true);
  assert.equal(r.question, d.question);
  assert.equal(makeResponse(makeQuery(N('x.'), 1, { id: 1, edns: false })).edns, undefined);
  // Sections not given are empty in both shapes (with and without EDNS), and encode as such.
  for (const edns of [true, false]) {
    const e = makeResponse(makeQuery(N('x.'), 1, { id: 2, edns, rd: true }), { rcode: Rcode.NXDOMAIN, ra: true });
    assert.deepEqual([e.answer.length, e.authority.length, e.additional.length], [0, 0, 0], `empty sections (edns ${edns})`);
    assert.equal(e.edns?.options.length, edns ? 0 : undefined, `no options (edns ${edns})`);
    assert.deepEqual(
      e.flags,
      { qr: true, opcode: 0, aa: false, tc: false, rd: true, ra: true, z: false, ad: false, cd: false },
      `flags (edns ${edns})`,
    );
    const back = decodeMessage(encodeMessage(e).bytes);
    assert.equal(back.rcode, Rcode.NXDOMAIN, `rcode survives (edns ${edns})`);
    assert.equal(back.edns !== undefined, edns, `OPT only with EDNS (edns ${edns})`);
  }
});

test('encodeQuery writes what encodeMessage writes for makeQuery', () => {
  const name = Name.parse('WwW.Example.COM.');
  const cases = [
    { id: 0 },
    { id: 0xbeef, rd: true, cd: true },
    { id: 7, edns: false, rd: true },
    { id: 0x1234, do: true, udpSize: 1232 },
    { id: 0xffff, do: false, udpSize: 4096, class: RRClass.CH },
    { id: 42, do: true, cookie: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), options: [{ code: 14, data: new Uint8Array([0x4f, 0x66]) }] },
  ];
  for (const opts of cases) {
    for (const type of [RRType.A, RRType.DNSKEY, RRType.DS]) {
      const want = encodeMessage(makeQuery(name, type, opts)).bytes;
      assert.deepEqual(encodeQuery(name, type, opts), Uint8Array.from(want), `query ${JSON.stringify(opts)} type ${type}`);
    }
  }
  assert.deepEqual(encodeQuery(Name.ROOT, RRType.NS, { id: 1 }), Uint8Array.from(encodeMessage(makeQuery(Name.ROOT, RRType.NS, { id: 1 })).bytes), 'root question');
});

/** An authoritative answer to `owner` A holding `answer` (and nothing else), for the tests below. */
function answerTo(owner: Name, answer: ResourceRecord[]): MessageInit {
  return {
    id: 1,
    flags: { qr: true, opcode: 0, aa: true, tc: false, rd: false, ra: false, z: false, ad: false, cd: false },
    rcode: 0,
    question: [{ name: owner, type: RRType.A, class: RRClass.IN }],
    answer,
    authority: [],
    additional: [],
  };
}

test('rdataViews: RDATA without compressed names is a view of the message, names expanded into copies', () => {
  const owner = Name.parse('a.example.');
  const msg = answerTo(owner, [
    { name: owner, type: RRType.A, class: RRClass.IN, ttl: 60, rdata: new Uint8Array([192, 0, 2, 1]) },
    { name: owner, type: RRType.NS, class: RRClass.IN, ttl: 60, rdata: Name.parse('ns.a.example.').wire },
  ]);
  const bytes = encodeMessage(msg).bytes;
  const copied = decodeMessage(bytes);
  const viewed = decodeMessage(bytes, { rdataViews: true });
  assert.deepEqual(viewed.answer, copied.answer, 'same records either way');
  assert.equal(viewed.answer[0]!.rdata.buffer, bytes.buffer, 'A RDATA is a view of the message');
  assert.notEqual(copied.answer[0]!.rdata.buffer, bytes.buffer, 'A RDATA is a copy by default');
  assert.notEqual(viewed.answer[1]!.rdata.buffer, bytes.buffer, 'NS RDATA (compressed name) is expanded into its own octets');
});

test('a message in a Buffer: RDATA views are plain Uint8Array views of its octets, copies are copies', () => {
  const owner = Name.parse('a.example.');
  const msg: MessageInit = {
    ...answerTo(owner, [{ name: owner, type: RRType.A, class: RRClass.IN, ttl: 60, rdata: new Uint8Array([192, 0, 2, 1]) }]),
    edns: { udpSize: 1232, version: 0, dnssecOk: true, flags: 0x8000, options: [{ code: 10, data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }] },
  };
  const wire = encodeMessage(msg).bytes;
  // A received datagram: a Buffer at an offset inside a larger allocation.
  const pool = Buffer.alloc(wire.length + 16);
  pool.set(wire, 8);
  const received = pool.subarray(8, 8 + wire.length);
  const viewed = decodeMessage(received, { rdataViews: true });
  const copied = decodeMessage(received);
  assert.deepEqual(viewed.answer[0]!.rdata, new Uint8Array([192, 0, 2, 1]), 'A RDATA read from the Buffer');
  assert.equal(Object.getPrototypeOf(viewed.answer[0]!.rdata), Uint8Array.prototype, 'the view is a plain Uint8Array, not a Buffer');
  assert.equal(viewed.answer[0]!.rdata.buffer, pool.buffer, 'the view shares the Buffer\'s memory');
  // Header, question, then the answer's owner (a pointer) and its fixed fields.
  const at = 12 + owner.wire.length + 4 + 2 + 10;
  assert.equal(viewed.answer[0]!.rdata.byteOffset, pool.byteOffset + 8 + at, 'the view is at the RDATA\'s place');
  assert.notEqual(copied.answer[0]!.rdata.buffer, pool.buffer, 'without rdataViews RDATA is a copy, not a Buffer view');
  pool[8 + at + 3] = 7;
  assert.deepEqual(copied.answer[0]!.rdata, new Uint8Array([192, 0, 2, 1]), 'the copy keeps its octets when the Buffer changes');
  assert.deepEqual(viewed.answer[0]!.rdata, new Uint8Array([192, 0, 2, 7]), 'the view follows the Buffer');
  assert.deepEqual(copied.edns?.options, msg.edns!.options, 'EDNS options read from the Buffer');
  assert.notEqual(copied.edns.options[0]!.data.buffer, pool.buffer, 'option data is copied out of the Buffer');
});

test('messageWith: the message itself when nothing changes, else a copy in decodeMessage\'s shape with its other fields', () => {
  const msg = decodeMessage(encodeMessage(sampleResponse()).bytes);
  assert.ok(msg.edns !== undefined, 'the sample carries EDNS');
  assert.equal(messageWith(msg, msg.rcode, msg.answer, msg.authority, msg.additional), msg, 'same RCODE and sections: the same object');
  const copy = messageWith(msg, Rcode.NXDOMAIN, [], msg.authority, msg.additional);
  assert.notEqual(copy, msg, 'a change: a new object');
  assert.equal(copy.rcode, Rcode.NXDOMAIN, 'the new RCODE');
  assert.deepEqual(copy.answer, [], 'the new answer section');
  assert.equal(msg.rcode, Rcode.NOERROR, 'the original keeps its RCODE');
  assert.deepEqual({ ...copy, rcode: msg.rcode, answer: msg.answer }, { ...msg }, 'every other field carried over, EDNS included');
  assert.deepEqual(Object.keys(copy), Object.keys(msg), 'the same properties in the same order (one object shape)');
  const bad = { ...msg, formErr: 'two OPT records' };
  assert.equal(messageWith(bad, bad.rcode, [], bad.authority, bad.additional).formErr, 'two OPT records', 'formErr carried over');
});

test('sections without records are one shared empty list; sections with records are each their own', () => {
  const owner = Name.parse('a.example.');
  const rec = (o: Name, last: number): ResourceRecord => ({ name: o, type: RRType.A, class: RRClass.IN, ttl: 60, rdata: new Uint8Array([192, 0, 2, last]) });
  const base = answerTo(owner, []);
  const one = decodeMessage(encodeMessage({ ...base, answer: [rec(owner, 1)] }).bytes);
  const two = decodeMessage(encodeMessage({ ...base, authority: [rec(owner, 2), rec(owner, 3)], additional: [rec(owner, 4)] }).bytes);
  const none = decodeMessage(encodeMessage(base).bytes);
  assert.deepEqual(one.answer.map((r) => r.rdata[3]), [1], 'the first message keeps its answer after others are read');
  assert.deepEqual(two.authority.map((r) => r.rdata[3]), [2, 3], 'the second message\'s authority');
  assert.deepEqual(two.additional.map((r) => r.rdata[3]), [4], 'the second message\'s additional');
  assert.equal(two.answer.length + none.answer.length + none.authority.length + none.additional.length + one.authority.length, 0, 'empty sections are empty');
  assert.equal(two.answer, one.authority, 'one shared empty list');
  assert.equal(none.additional, one.additional, 'one shared empty list');
  assert.notEqual(two.authority, two.additional, 'sections with records are their own lists');
});
