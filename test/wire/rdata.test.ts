import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireError, PresentationError } from '../../src/core/errors.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import {
  bitmapHasType,
  decodeRdata,
  decodeTyped,
  decodeTypeBitmap,
  encodeRdata,
  encodeTypeBitmap,
  ipv4FromText,
  ipv4ToText,
  ipv6FromText,
  ipv6ToText,
  nsec3Head,
  nsecNext,
  nsecTyped,
  TypeBitmap,
  readRdata,
  validateRdata,
  writeRdata,
} from '../../src/wire/rdata.js';
import { allSchemas } from '../../src/wire/rdata-schema.js';
import type { FieldKind, FieldValue, RdataFields } from '../../src/wire/rdata-schema.js';
import { WireReader } from '../../src/wire/reader.js';
import { WireWriter } from '../../src/wire/writer.js';

const te = new TextEncoder();
const b = (s: string): Uint8Array => te.encode(s);

function sample(kind: FieldKind): FieldValue {
  switch (kind) {
    case 'u8':
      return 7;
    case 'u16':
      return 0x1234;
    case 'u32':
    case 'time':
    case 'ttl':
      return 0x89abcdef;
    case 'type':
      return RRType.RRSIG;
    case 'name':
      return Name.parse('Host.Example.');
    case 'ipv4':
      return '192.0.2.1';
    case 'ipv6':
      return '2001:db8::1';
    case 'string':
      return b('hello world');
    case 'strings':
      return [b('v=spf1 -all'), new Uint8Array(0), b('x')];
    case 'hex':
    case 'base64':
    case 'text':
      return Uint8Array.of(1, 2, 3, 0xff);
    case 'hex8':
      return Uint8Array.of(0xaa, 0xbb);
    case 'base32hex8':
      return new Uint8Array(20).fill(0x5a);
    case 'bitmap':
      return [1, 2, 46, 47, 1234, 65535];
    case 'svcparams':
      return [
        { key: 1, value: Uint8Array.of(2, 0x68, 0x32) },
        { key: 3, value: Uint8Array.of(1, 187) },
        { key: 6, value: ipv6FromText('2001:db8::1') },
      ];
    case 'tag':
      return b('issue');
  }
}

function normalise(v: FieldValue | undefined): unknown {
  if (v instanceof Name) return v.toString();
  if (v instanceof Uint8Array) return [...v];
  if (Array.isArray(v)) return (v as unknown[]).map((x) => (x instanceof Uint8Array ? [...x] : x));
  return v;
}

test('every schema type round-trips fields → wire → fields → wire', () => {
  let count = 0;
  for (const s of allSchemas()) {
    const fields: Record<string, FieldValue> = {};
    for (const f of s.fields) fields[f.name] = sample(f.kind);
    const wire = encodeRdata(s.type, fields);
    validateRdata(s.type, wire);
    const back = decodeRdata(s.type, wire);
    for (const f of s.fields) {
      const got = back[f.name];
      const want = fields[f.name];
      if (f.kind === 'svcparams') {
        assert.deepEqual(
          (got as { key: number; value: Uint8Array }[]).map((p) => [p.key, [...p.value]]),
          (want as { key: number; value: Uint8Array }[]).map((p) => [p.key, [...p.value]]),
        );
      } else {
        assert.deepEqual(normalise(got), normalise(want), `type ${s.type} field ${f.name}`);
      }
    }
    assert.deepEqual(encodeRdata(s.type, back), wire, `type ${s.type} re-encode`);
    // Through a message with compression and back.
    const w = new WireWriter();
    for (let i = 0; i < 12; i++) w.u8(0);
    // Same case as the sample names: compression is case-folded (writer.test.ts).
    w.name(Name.parse('a.Host.Example.'), true);
    writeRdata(w, s.type, wire, true);
    const msg = w.finish();
    const r = new WireReader(msg, 12);
    r.name();
    const len = r.u16();
    assert.deepEqual(readRdata(r, s.type, len), wire, `type ${s.type} through a message`);
    assert.equal(r.pos, msg.length);
    count++;
  }
  assert.ok(count >= 40, `${count} types`);
});

test('only RFC 1035 names are compressed on write, and decompressed on read only where allowed', () => {
  const mk = (type: number, fields: RdataFields, compress: boolean): Uint8Array => {
    const w = new WireWriter();
    for (let i = 0; i < 12; i++) w.u8(0);
    w.name(Name.parse('example.'), true);
    writeRdata(w, type, encodeRdata(type, fields), compress);
    return w.finish();
  };
  const target = Name.parse('www.example.');
  // MX: compressed → "www" + pointer = 2 + 4 + 2 octets of RDATA.
  const mx = mk(RRType.MX, { preference: 1, exchange: target }, true);
  assert.equal(mx.length, 12 + 9 + 2 + 2 + 4 + 2);
  assert.deepEqual([...mx.subarray(-2)], [0xc0, 12]);
  assert.equal(mk(RRType.MX, { preference: 1, exchange: target }, false).length, 12 + 9 + 2 + 2 + 13);
  // SRV target: never compressed on write (RFC 2782), but accepted compressed on read.
  const srv = mk(RRType.SRV, { priority: 1, weight: 2, port: 3, target }, true);
  assert.equal(srv.length, 12 + 9 + 2 + 6 + 13);
  const hand = Uint8Array.of(...new Uint8Array(12), 7, ...b('example'), 0, 0, 12, 0, 1, 0, 2, 0, 3, 3, ...b('www'), 0xc0, 12);
  const r = new WireReader(hand, 12);
  r.name();
  const rd = readRdata(r, RRType.SRV, r.u16());
  assert.equal(rd.length, 6 + 13);
  assert.equal(decodeTyped(RRType.CNAME, rd.subarray(6)).target.toString(), 'www.example.');
  // RRSIG signer and NSEC next name: a pointer is malformed (RFC 4034 §3.1.7, §4.1.1; RFC 3597 §4).
  const nsec = Uint8Array.of(...new Uint8Array(12), 7, ...b('example'), 0, 3, ...b('www'), 0xc0, 12, 0, 1, 0x40);
  const r2 = new WireReader(nsec, 12 + 9);
  assert.throws(() => readRdata(r2, RRType.NSEC, 9), (e: unknown) => e instanceof WireError && /may not be compressed/.test(e.message));
  assert.equal(r2.pos, nsec.length, 'position moves past RDATA even on error');
});

test('fixed-size fields must be exact and every field in bounds', () => {
  const bad: [number, number[], RegExp][] = [
    [RRType.A, [1, 2, 3], /overruns/],
    [RRType.A, [1, 2, 3, 4, 5], /trailing/],
    [RRType.AAAA, new Array<number>(15).fill(0), /overruns/],
    [RRType.DNSKEY, [1, 0], /overruns/],
    [RRType.DS, [0, 1, 8], /overruns/],
    [RRType.MX, [0, 1], /name overruns/],
    [RRType.MX, [0, 1, 1, 0x61], /overruns/],
    [RRType.SOA, [0, 0], /overruns/],
    [RRType.TXT, [], /no character-string/],
    [RRType.TXT, [5, 0x61], /overruns/],
    [RRType.NSEC3, [1, 0, 0, 10, 0, 0], /empty hash/],
    [RRType.NSEC3PARAM, [1, 0, 0, 10, 4, 1], /overruns/],
    [RRType.CAA, [0, 0], /empty tag/],
    [RRType.CAA, [0, 2, 0x69, 0x2d], /alphanumeric/],
    [RRType.NS, [0x41, 0], /label type/],
    [RRType.NS, [0x80, 0], /label type/],
    [RRType.RRSIG, [0, 1, 8, 2, 0, 0, 0, 0], /overruns/],
  ];
  for (const [type, bytes, re] of bad) {
    assert.throws(
      () => validateRdata(type, Uint8Array.from(bytes)),
      (e: unknown) => e instanceof WireError && re.test(e.message),
      `type ${type} ${JSON.stringify(bytes)}`,
    );
  }
  // Empty octet fields are fine where the schema allows them.
  validateRdata(RRType.DNSKEY, Uint8Array.of(1, 0, 3, 8));
  validateRdata(RRType.NSEC3, Uint8Array.of(1, 0, 0, 0, 0, 1, 0xff));
  validateRdata(RRType.NSEC, Uint8Array.of(0));
  // Unknown types are opaque.
  validateRdata(65280, Uint8Array.of(1));
  assert.deepEqual(decodeRdata(65280, Uint8Array.of(1, 2)), { data: Uint8Array.of(1, 2) });
  assert.deepEqual(encodeRdata(65280, { data: Uint8Array.of(9) }), Uint8Array.of(9));
});

test('type bitmaps: encode/decode, window order and lengths', () => {
  const types = [RRType.A, RRType.NS, RRType.SOA, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY, RRType.CAA, 65534];
  const bm = encodeTypeBitmap([...types].reverse().concat([1, 1]));
  assert.deepEqual(decodeTypeBitmap(bm), [...types].sort((x, y) => x - y));
  // RFC 4034 §4.3 example: A MX RRSIG NSEC TYPE1234
  const ex = encodeTypeBitmap([1, 15, 46, 47, 1234]);
  assert.deepEqual(
    [...ex],
    [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b, ...new Array<number>(26).fill(0), 0x20],
  );
  for (const t of [1, 15, 46, 47, 1234]) assert.ok(bitmapHasType(ex, t), `has ${t}`);
  for (const t of [0, 2, 48, 1233, 1235, 65535]) assert.ok(!bitmapHasType(ex, t), `has not ${t}`);
  assert.deepEqual([...encodeTypeBitmap([])], []);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(1, 1, 0x40, 0, 1, 0x40)), /out of order/);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(0, 1, 0x40, 0, 1, 0x40)), /out of order/);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(0, 0)), /outside 1..32/);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(0, 33, ...new Uint8Array(33))), /outside 1..32/);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(0, 2, 0x40)), /overruns/);
  assert.throws(() => decodeTypeBitmap(Uint8Array.of(0)), /window header/);
  assert.throws(() => encodeTypeBitmap([65536]), PresentationError);
});

test('SvcParams: strictly increasing keys and RFC 9460 §7 value formats', () => {
  const head = [0, 1, 0];
  const ok = (params: number[]): void => validateRdata(RRType.SVCB, Uint8Array.of(...head, ...params));
  const bad = (params: number[], re: RegExp): void =>
    assert.throws(() => ok(params), (e: unknown) => e instanceof WireError && re.test(e.message), JSON.stringify(params));
  ok([]);
  ok([0, 1, 0, 3, 2, 0x68, 0x32, 0, 3, 0, 2, 1, 187]);
  bad([0, 3, 0, 2, 1, 187, 0, 1, 0, 3, 2, 0x68, 0x32], /increasing/);
  bad([0, 3, 0, 2, 1, 187, 0, 3, 0, 2, 1, 187], /increasing/);
  bad([0, 3, 0, 1, 1], /port/);
  bad([0, 2, 0, 1, 0], /no-default-alpn/);
  bad([0, 1, 0, 0], /alpn/);
  bad([0, 1, 0, 2, 2, 0x68], /alpn/);
  bad([0, 4, 0, 3, 1, 2, 3], /ipv4hint/);
  bad([0, 6, 0, 4, 1, 2, 3, 4], /ipv6hint/);
  bad([0, 0, 0, 2, 0, 0], /mandatory/);
  bad([0, 0, 0, 4, 0, 3, 0, 1], /mandatory/);
  bad([0, 9, 0, 5, 1], /overruns/);
  bad([0xff, 0xff, 0, 0], /reserved/);
  bad([0, 9, 0], /header/);
  // encodeRdata sorts the keys and refuses duplicates.
  const enc = encodeRdata(RRType.HTTPS, {
    priority: 1,
    target: Name.ROOT,
    params: [
      { key: 3, value: Uint8Array.of(1, 187) },
      { key: 1, value: Uint8Array.of(2, 0x68, 0x32) },
    ],
  });
  assert.deepEqual([...enc.subarray(3, 5)], [0, 1]);
  assert.throws(
    () =>
      encodeRdata(RRType.HTTPS, {
        priority: 1,
        target: Name.ROOT,
        params: [
          { key: 3, value: Uint8Array.of(1, 187) },
          { key: 3, value: Uint8Array.of(1, 187) },
        ],
      }),
    /duplicate/,
  );
  assert.throws(
    () => encodeRdata(RRType.HTTPS, { priority: 1, target: Name.ROOT, params: [{ key: 3, value: Uint8Array.of(1) }] }),
    PresentationError,
  );
});

test('encodeRdata rejects missing and out-of-range values', () => {
  assert.throws(() => encodeRdata(RRType.MX, { preference: 70000, exchange: Name.ROOT }), PresentationError);
  assert.throws(() => encodeRdata(RRType.MX, { exchange: Name.ROOT }), PresentationError);
  assert.throws(() => encodeRdata(RRType.MX, { preference: 1.5, exchange: Name.ROOT }), PresentationError);
  assert.throws(() => encodeRdata(RRType.MX, { preference: 1, exchange: 'x.' }), PresentationError);
  assert.throws(() => encodeRdata(RRType.A, { address: '1.2.3' }), PresentationError);
  assert.throws(() => encodeRdata(RRType.TXT, { strings: [] }), PresentationError);
  assert.throws(() => encodeRdata(RRType.TXT, { strings: [new Uint8Array(256)] }), PresentationError);
  assert.throws(() => encodeRdata(RRType.HINFO, { cpu: new Uint8Array(256), os: b('x') }), PresentationError);
  assert.throws(() => encodeRdata(RRType.CAA, { flags: 0, tag: b('is-sue'), value: b('x') }), PresentationError);
  assert.throws(() => encodeRdata(65280, {}), PresentationError);
});

test('typed views', () => {
  const key = encodeRdata(RRType.DNSKEY, { flags: 257, protocol: 3, algorithm: 13, publicKey: new Uint8Array(64).fill(1) });
  const k = decodeTyped(RRType.DNSKEY, key);
  assert.equal(k.flags, 257);
  assert.equal(k.algorithm, 13);
  assert.equal(k.publicKey.length, 64);
  const sig = decodeTyped(
    RRType.RRSIG,
    encodeRdata(RRType.RRSIG, {
      typeCovered: RRType.A,
      algorithm: 13,
      labels: 2,
      originalTtl: 3600,
      expiration: 0xfffffff0,
      inception: 1,
      keyTag: 12345,
      signerName: Name.parse('Example.'),
      signature: new Uint8Array(64),
    }),
  );
  assert.equal(sig.expiration, 0xfffffff0);
  assert.equal(sig.signerName.toString(), 'Example.');
  const soa = decodeTyped(
    RRType.SOA,
    encodeRdata(RRType.SOA, {
      mname: Name.parse('ns.example.'),
      rname: Name.parse('h\\.m.example.'),
      serial: 2024010101,
      refresh: 1,
      retry: 2,
      expire: 3,
      minimum: 4,
    }),
  );
  assert.equal(soa.rname.toString(), 'h\\.m.example.');
  assert.equal(soa.serial, 2024010101);
  assert.equal(decodeTyped(RRType.AAAA, ipv6FromText('::ffff:192.0.2.1')).address, '::ffff:192.0.2.1');
});

test('IPv4 and RFC 5952 IPv6 text', () => {
  assert.equal(ipv4ToText(ipv4FromText('192.0.2.255')), '192.0.2.255');
  for (const t of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.1.1.1', '1.1.1.a', '', ' 1.1.1.1']) {
    assert.throws(() => ipv4FromText(t), PresentationError, t);
  }
  const cases: [string, string][] = [
    ['::', '::'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0000:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
    ['fe80::', 'fe80::'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['::192.0.2.1', '::c000:201'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
  ];
  for (const [i, o] of cases) assert.equal(ipv6ToText(ipv6FromText(i)), o, i);
  for (const t of ['', ':', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', 'g::', '::1.2.3', '1.2.3.4::', ':1::']) {
    assert.throws(() => ipv6FromText(t), PresentationError, t);
  }
});

test('RRSIG RDATA decodes field by field (root and long signers, empty signature); malformed RDATA is still refused', () => {
  const fields = {
    typeCovered: RRType.NSEC3,
    algorithm: 8,
    labels: 3,
    originalTtl: 0x80000001,
    expiration: 0xfffffff0,
    inception: 0x7fffffff,
    keyTag: 0xfedc,
    signature: Uint8Array.of(9, 8, 7),
  };
  const long = Name.parse(`${'a'.repeat(63)}.${'B'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.`);
  for (const signer of [Name.ROOT, Name.parse('Example.'), long]) {
    for (const signature of [fields.signature, new Uint8Array(0)]) {
      const rdata = encodeRdata(RRType.RRSIG, { ...fields, signerName: signer, signature });
      const d = decodeTyped(RRType.RRSIG, rdata);
      const { signerName, signature: sigOut, ...rest } = d;
      assert.deepEqual(rest, { typeCovered: RRType.NSEC3, algorithm: 8, labels: 3, originalTtl: 0x80000001, expiration: 0xfffffff0, inception: 0x7fffffff, keyTag: 0xfedc }, `fixed fields, signer ${signer.toString()}`);
      assert.deepEqual([...signerName.wire], [...signer.wire], `signer ${signer.toString()} with its case`);
      assert.deepEqual([...sigOut], [...signature], `signature of ${signature.length} octets`);
      assert.notEqual(signerName.wire.buffer, rdata.buffer, 'the signer is a copy, not a view of the RDATA');
    }
  }
  const good = encodeRdata(RRType.RRSIG, { ...fields, signerName: Name.parse('example.') });
  const bad: [string, Uint8Array][] = [
    ['fixed fields cut short', good.subarray(0, 17)],
    ['no signer', good.subarray(0, 18)],
    ['signer cut short', good.subarray(0, 22)],
    ['compressed signer', Uint8Array.of(...good.subarray(0, 18), 0xc0, 12)],
    ['label over 63', Uint8Array.of(...good.subarray(0, 18), 64, ...new Uint8Array(64), 0)],
  ];
  for (const [what, rdata] of bad) assert.throws(() => decodeRdata(RRType.RRSIG, rdata), WireError, what);
  // A signer over 255 octets: four 63-octet labels and the root make 257.
  const tooLong = Uint8Array.of(...good.subarray(0, 18), ...Array.from({ length: 4 }, () => [63, ...new Uint8Array(63).fill(0x61)]).flat(), 0);
  assert.throws(() => decodeRdata(RRType.RRSIG, tooLong), WireError, 'signer over 255 octets');
});

test('NSEC and NSEC3 RDATA decode to their fields and exact type lists; malformed RDATA is still refused', () => {
  const types = [RRType.A, RRType.NS, RRType.SOA, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY, RRType.CAA, 1234, 65534];
  const nsec = encodeRdata(RRType.NSEC, { next: Name.parse('Host.example.'), types });
  const d = decodeTyped(RRType.NSEC, nsec);
  assert.equal(d.next.toString(), 'Host.example.', 'next name with its case (RFC 6840 §5.1)');
  assert.deepEqual([...d.types], types, 'every type, in order');
  assert.deepEqual([...decodeTyped(RRType.NSEC, Uint8Array.of(0)).types], [], 'root next name, empty bitmap');
  const salt = Uint8Array.of(0xab, 0xcd);
  const hash = new Uint8Array(20).fill(7);
  for (const s of [salt, new Uint8Array(0)]) {
    const n3 = decodeTyped(RRType.NSEC3, encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: 1, iterations: 300, salt: s, nextHashed: hash, types }));
    assert.deepEqual(
      { hashAlgorithm: n3.hashAlgorithm, flags: n3.flags, iterations: n3.iterations, salt: [...n3.salt], nextHashed: [...n3.nextHashed], types: [...n3.types] },
      { hashAlgorithm: 1, flags: 1, iterations: 300, salt: [...s], nextHashed: [...hash], types },
      `NSEC3 fields, salt of ${s.length}`,
    );
  }
  const bad: [number, string, Uint8Array][] = [
    [RRType.NSEC, 'compressed next name', Uint8Array.of(0xc0, 12, 0, 1, 0x40)],
    [RRType.NSEC, 'bitmap windows out of order', Uint8Array.of(0, 1, 0, 0x40, 0, 1, 0x40)],
    [RRType.NSEC3, 'salt overruns', Uint8Array.of(1, 0, 0, 0, 9, 1)],
    [RRType.NSEC3, 'empty next hashed owner', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 0x40)],
    [RRType.NSEC3, 'hash overruns', Uint8Array.of(1, 0, 0, 0, 0, 20, 1, 2)],
    [RRType.NSEC3, 'bitmap length 0', Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 0, 0)],
  ];
  for (const [type, what, rdata] of bad) assert.throws(() => decodeRdata(type, rdata), WireError, what);
});

test('writeRdata with compression copies the octets between names as they are (SOA counters, MX preference, SRV fields before the name)', () => {
  const cases: [number, RdataFields][] = [
    [RRType.SOA, { mname: Name.parse('ns.example.'), rname: Name.parse('host.example.'), serial: 0xfffffffe, refresh: 1, retry: 2, expire: 3, minimum: 0x01020304 }],
    [RRType.MX, { preference: 0x1234, exchange: Name.parse('mx.example.') }],
    [RRType.NS, { host: Name.parse('ns.example.') }],
    [RRType.SRV, { priority: 1, weight: 0xffff, port: 53, target: Name.parse('srv.example.') }],
  ];
  for (const [type, fields] of cases) {
    const rdata = encodeRdata(type, fields);
    const w = new WireWriter();
    w.bytes(new Uint8Array(12)); // a header: compression pointers may not point into it
    w.name(Name.parse('example.'), true);
    const at = w.length;
    writeRdata(w, type, rdata, true);
    const out = w.finish();
    const r = new WireReader(out, at);
    const len = r.u16();
    assert.equal(len, out.length - at - 2, `RDLENGTH of type ${type}`);
    assert.deepEqual([...readRdata(r, type, len)], [...rdata], `type ${type} reads back as written`);
    assert.ok(type === RRType.SRV || len < rdata.length, `type ${type}: the name after example. is compressed`);
  }
});

test('nsec3Head and nsecNext read what decodeRdata reads but the types, refuse what it refuses, and leave odd shapes to it', () => {
  const types = [RRType.A, RRType.NS, RRType.SOA, RRType.RRSIG, 1234, 65534];
  for (const next of ['Host.example.', '.', 'a.b.c.d.example.']) {
    const rdata = encodeRdata(RRType.NSEC, { next: Name.parse(next), types });
    const got = nsecNext(rdata);
    assert.ok(got !== undefined, `NSEC with next ${next} read directly`);
    assert.deepEqual(got, decodeTyped(RRType.NSEC, rdata).next, `next name ${next} as decodeTyped reads it, case kept`);
  }
  const hash = new Uint8Array(20).fill(7);
  for (const salt of [Uint8Array.of(0xab, 0xcd), new Uint8Array(0), new Uint8Array(255).fill(1)]) {
    for (const t of [types, []]) {
      const rdata = encodeRdata(RRType.NSEC3, { hashAlgorithm: 1, flags: 1, iterations: 300, salt, nextHashed: hash, types: t });
      const d = decodeTyped(RRType.NSEC3, rdata);
      assert.deepEqual(
        nsec3Head(rdata),
        { hashAlgorithm: d.hashAlgorithm, flags: d.flags, iterations: d.iterations, salt: d.salt, nextHashed: d.nextHashed, bitmapAt: 6 + salt.length + hash.length },
        `NSEC3 head, salt of ${salt.length}, ${t.length} types`,
      );
    }
  }
  // A bad bitmap throws as decodeRdata does; shapes its direct read does not take give undefined.
  assert.throws(() => nsecNext(Uint8Array.of(0, 1, 0, 0x40, 0, 1, 0x40)), WireError, 'NSEC windows out of order');
  assert.throws(() => nsec3Head(Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 0, 0)), WireError, 'NSEC3 bitmap length 0');
  assert.throws(() => decodeRdata(RRType.NSEC3, Uint8Array.of(1, 0, 0, 0, 0, 1, 7, 0, 0)), WireError, 'decodeRdata refuses the same');
  assert.equal(nsecNext(Uint8Array.of(0xc0, 12, 0, 1, 0x40)), undefined, 'compressed next name: left to decodeRdata');
  for (const [what, rdata] of [
    ['too short', Uint8Array.of(1, 0, 0)],
    ['salt overruns', Uint8Array.of(1, 0, 0, 0, 9, 1)],
    ['empty next hashed owner', Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 1, 0x40)],
    ['hash overruns', Uint8Array.of(1, 0, 0, 0, 0, 20, 1, 2)],
  ] as const) {
    assert.equal(nsec3Head(rdata), undefined, `${what}: left to decodeRdata`);
  }
});

test('TypeBitmap answers has, size and iteration from the octets exactly as the decoded type list does (RFC 4034 §4.1.2 windows)', () => {
  // Type lists over one window, several windows, window gaps, the last octet of a window and the
  // last type: every type of each window touched and its neighbours is asked.
  const lists: number[][] = [
    [],
    [RRType.A],
    [RRType.A, RRType.NS, RRType.SOA, RRType.RRSIG, RRType.NSEC, RRType.DNSKEY],
    [RRType.NS, RRType.DS, RRType.RRSIG],
    [RRType.CNAME, RRType.DNAME, RRType.NSEC3],
    [7, 255, 256, 257, 511, 4096, 32768, 65534, 65535],
    [RRType.CAA, 1234],
    [0],
  ];
  let seed = 12345;
  for (let k = 0; k < 40; k++) {
    const l: number[] = [];
    for (let i = 0; i < 1 + (k % 9); i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      l.push(k % 2 === 0 ? seed % 300 : seed % 65536);
    }
    lists.push(l);
  }
  for (const types of lists) {
    const bm = encodeTypeBitmap(types);
    const listed = decodeTypeBitmap(bm);
    // The bitmap inside a larger buffer, as in RDATA: octets before and after are not read.
    const buf = Uint8Array.of(0xff, 0xff, ...bm, 0xff, 0xff, 0xff);
    const tb = new TypeBitmap(buf, 2, 2 + bm.length);
    const set = new Set(listed);
    const asked = new Set<number>([0, 1, 2, 5, 6, 7, 8, 46, 47, 48, 255, 256, 65535]);
    for (const t of listed) for (let d = -9; d <= 9; d++) if (t + d >= 0 && t + d <= 0xffff) asked.add(t + d);
    for (const t of asked) assert.equal(tb.has(t), set.has(t), `type ${t} in [${listed.join(',')}]`);
    assert.equal(tb.size, set.size, `size of [${listed.join(',')}]`);
    assert.deepEqual([...tb], listed, `iteration of [${listed.join(',')}] in increasing order`);
  }
  // Octets of a window left at 0 list nothing; a window shorter than the type's octet does not hold it.
  const zeros = new TypeBitmap(Uint8Array.of(0, 3, 0, 0, 0), 0, 5);
  assert.equal(zeros.size, 0, 'a window of zero octets lists no type');
  assert.deepEqual([...zeros], [], 'and iterates none');
  assert.equal(zeros.has(RRType.A), false, 'A not in a zero window');
  const short = new TypeBitmap(Uint8Array.of(0, 1, 0x40), 0, 3);
  assert.equal(short.has(RRType.A), true, 'A in window 0 octet 0');
  assert.equal(short.has(RRType.MX), false, 'MX (octet 1) past the window length');
  // As Set.has: what is not a type number is not there.
  const all = new TypeBitmap(encodeTypeBitmap([0, 1, 65535]), 0, encodeTypeBitmap([0, 1, 65535]).length);
  for (const t of [-1, 1.5, 65536, Number.NaN, -65535]) assert.equal(all.has(t), false, `${t} is not a type`);
});

test('nsecTyped reads the next name as decodeRdata does and its types from the bitmap, refusing bad bitmaps', () => {
  for (const [next, types] of [
    ['Host.example.', [RRType.A, RRType.NS, RRType.SOA, RRType.RRSIG, 1234, 65534]],
    ['.', []],
    ['a.b.c.d.example.', [RRType.NSEC]],
  ] as const) {
    const rdata = encodeRdata(RRType.NSEC, { next: Name.parse(next), types: [...types] });
    const got = nsecTyped(rdata);
    assert.ok(got !== undefined, `NSEC with next ${next} read directly`);
    const d = decodeTyped(RRType.NSEC, rdata);
    assert.deepEqual(got.next, d.next, `next name ${next} as decodeTyped reads it`);
    assert.deepEqual([...got.types], d.types, `types of next ${next} as decodeTyped lists them`);
  }
  assert.throws(() => nsecTyped(Uint8Array.of(0, 1, 0, 0x40, 0, 1, 0x40)), WireError, 'NSEC windows out of order');
  assert.throws(() => nsecTyped(Uint8Array.of(0, 0, 0)), WireError, 'NSEC bitmap length 0');
  assert.throws(() => nsecTyped(Uint8Array.of(0, 0, 2, 0x40)), WireError, 'NSEC bitmap overruns');
  assert.equal(nsecTyped(Uint8Array.of(0xc0, 12, 0, 1, 0x40)), undefined, 'compressed next name: left to decodeRdata');
});

test('RDATA names (RRSIG signer, NS host, CNAME target) with the same octets are one Name, decoded from any buffer', () => {
  const sig = (signer: string): Uint8Array =>
    encodeRdata(RRType.RRSIG, {
      typeCovered: RRType.A,
      algorithm: 13,
      labels: 2,
      originalTtl: 300,
      expiration: 2000000000,
      inception: 1600000000,
      keyTag: 12345,
      signerName: Name.parse(signer),
      signature: new Uint8Array([1, 2, 3, 4]),
    });
  const a = decodeTyped(RRType.RRSIG, sig('Example.com.'));
  const b = decodeTyped(RRType.RRSIG, sig('Example.com.'));
  assert.equal(b.signerName, a.signerName, 'the same signer octets in two RDATAs: one Name');
  assert.equal(a.signerName.toString(), 'Example.com.', 'the signer read with its case');
  const lower = decodeTyped(RRType.RRSIG, sig('example.com.'));
  assert.notEqual(lower.signerName, a.signerName, 'another case: another Name');
  assert.equal(lower.signerName.toString(), 'example.com.', 'with its own case');
  assert.deepEqual(b.signature, new Uint8Array([1, 2, 3, 4]), 'the signature after the shared signer');
  const nsRdata = Name.parse('ns1.Example.com.').wire.slice();
  const ns = decodeTyped(RRType.NS, nsRdata);
  nsRdata.fill(0x41, 1, 4);
  assert.equal(ns.host.toString(), 'ns1.Example.com.', 'the name does not follow later changes of its RDATA');
  assert.equal(decodeTyped(RRType.NS, Name.parse('ns1.Example.com.').wire.slice()).host, ns.host, 'NS host shared');
  assert.equal(decodeTyped(RRType.CNAME, Name.parse('ns1.Example.com.').wire.slice()).target, ns.host, 'a CNAME target with those octets too');
  assert.equal(decodeTyped(RRType.NS, new Uint8Array([0])).host, Name.ROOT, 'the root is Name.ROOT');
});
