import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PresentationError } from '../../src/core/errors.js';
import { RRType, typeFromString } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { allSchemas } from '../../src/wire/rdata-schema.js';
import {
  base64ToBytes,
  bytesToBase64,
  formatTime,
  parseRdata,
  parseTime,
  parseTtl,
  printGenericRdata,
  printRdata,
  RdataTextError,
  unescapeText,
} from '../../src/wire/rdata-text.js';
import { tokens } from './helpers.js';
import { base32hexDecode, base32hexEncode } from '../../src/wire/base32hex.js';

const origin = Name.parse('example.');

function parse(type: string, text: string): Uint8Array {
  const t = typeFromString(type);
  assert.ok(t !== undefined, type);
  return parseRdata(t, tokens(text), origin);
}

function roundTrip(type: string, text: string, expected = text): void {
  const t = typeFromString(type)!;
  const wire = parse(type, text);
  const printed = printRdata(t, wire);
  assert.equal(printed, expected, `${type} ${text}`);
  assert.deepEqual(parseRdata(t, tokens(printed), origin), wire, `${type} reparse`);
  // RFC 3597: the generic form gives the same octets for every type.
  assert.deepEqual(parseRdata(t, tokens(printGenericRdata(wire)), origin), wire, `${type} \\#`);
}

// One sample per schema type, written as BIND prints it.
const SAMPLES: Record<string, string> = {
  A: '192.0.2.1',
  NS: 'ns1.example.',
  MD: 'md.example.',
  MF: 'mf.example.',
  CNAME: 'target.example.',
  SOA: 'ns.example. hostmaster.example. 2024010101 7200 3600 1209600 300',
  MB: 'mb.example.',
  MG: 'mg.example.',
  MR: 'mr.example.',
  PTR: 'host.example.',
  HINFO: '"x86_64" "Linux"',
  MINFO: 'r.example. e.example.',
  MX: '10 mail.example.',
  TXT: '"v=spf1 -all" "a\\"b\\\\c\\009"',
  RP: 'mbox.example. txt.example.',
  AFSDB: '1 afs.example.',
  AAAA: '2001:db8::1',
  SRV: '0 5 5060 sip.example.',
  NAPTR: '100 10 "S" "SIP+D2U" "!^.*$!sip:x@y!" _sip._udp.example.',
  KX: '10 kx.example.',
  DNAME: 'other.example.',
  DS: '12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
  CDS: '12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
  TA: '12345 8 1 0123456789ABCDEF0123456789ABCDEF01234567',
  DLV: '12345 8 1 0123456789ABCDEF0123456789ABCDEF01234567',
  SSHFP: '1 1 0123456789ABCDEF0123456789ABCDEF01234567',
  RRSIG: 'A 13 2 3600 20370101000000 20240101000000 12345 example. AAECAwQFBgcICQ==',
  NSEC: 'next.example. A NS SOA RRSIG NSEC DNSKEY TYPE65534',
  DNSKEY: '257 3 13 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw==',
  CDNSKEY: '0 3 0 AA==',
  DHCID: 'AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=',
  NSEC3: '1 1 10 AABBCCDD 0123456789ABCDEFGHIJKLMNOPQRSTUV A RRSIG',
  NSEC3PARAM: '1 0 0 -',
  TLSA: '3 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
  SMIMEA: '3 1 1 0123456789ABCDEF',
  OPENPGPKEY: 'AQID',
  CSYNC: '66 3 A NS AAAA',
  ZONEMD: '2024010101 1 1 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF',
  SVCB: '1 svc.example. alpn="h2,h3" port=8443',
  HTTPS: '1 . mandatory=alpn,port alpn="h2,h3,f\\\\\\\\oo\\\\,bar" no-default-alpn port=443 ipv4hint=1.2.3.4,5.6.7.8 ech=AEn+DQBF ipv6hint=2001:db8::1,::1 key667 key65333="hi\\"x"',
  SPF: '"v=spf1 -all"',
  URI: '10 1 "https://example.com/"',
  CAA: '0 issue "ca.example.net; account=230123"',
};

test('every schema type parses, prints BIND-like and round-trips (also via \\#)', () => {
  for (const s of allSchemas()) {
    const name = Object.entries(RRType).find(([, v]) => v === s.type)![0];
    const sample = SAMPLES[name];
    assert.ok(sample !== undefined, `a sample for ${name}`);
    roundTrip(name, sample);
  }
});

test('presentation variants normalise to BIND output', () => {
  roundTrip('MX', '10 mail', '10 mail.example.');
  roundTrip('NS', '@', 'example.');
  roundTrip('TXT', 'unquoted "quoted" ""', '"unquoted" "quoted" ""');
  roundTrip('TXT', '"é"', '"\\195\\169"');
  roundTrip('AAAA', '2001:DB8:0:0:0:0:0:1', '2001:db8::1');
  roundTrip('DS', '12345 13 2 01234567 89abcdef', '12345 13 2 0123456789ABCDEF');
  roundTrip('DNSKEY', '257 3 13 ( AAECAwQF\n BgcICQ== )', '257 3 13 AAECAwQFBgcICQ==');
  roundTrip('RRSIG', 'a 13 2 3600 2114380800 1704067200 1 example. AA==', 'A 13 2 3600 20370101000000 20240101000000 1 example. AA==');
  roundTrip('SOA', 'ns hostmaster 1 1h 30m 1w2d 1D', 'ns.example. hostmaster.example. 1 3600 1800 777600 86400');
  roundTrip('NSEC3', '1 0 0 - 0123456789abcdefghijklmnopqrstuv', '1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV');
  roundTrip('NSEC', 'a.example.', 'a.example.');
  roundTrip('CAA', '128 tbs unquoted', '128 tbs "unquoted"');
  roundTrip('HTTPS', '0 alias.example.', '0 alias.example.');
  roundTrip('SVCB', '1 . port="53" alpn=dot', '1 . alpn="dot" port=53');
  roundTrip('SVCB', '1 . key3=853', '1 . port=853');
  roundTrip('TYPE65534', '\\# 3 0aBBcc', '\\# 3 0ABBCC');
  roundTrip('TYPE65535', '\\# 0', '\\# 0');
  roundTrip('A', '\\# 4 C0000201', '192.0.2.1');
});

test('unknown types need \\#; known types via \\# must decode', () => {
  assert.throws(() => parse('TYPE999', '1.2.3.4'), /RFC 3597/);
  assert.throws(() => parse('A', '\\# 3 C00002'), /not valid A RDATA/);
  assert.throws(() => parse('A', '\\# 5 C0000201'), /does not match/);
  assert.throws(() => parse('A', '\\# 4 C00002zz'), /hex/);
  assert.throws(() => parse('MX', '\\# 2 000A'), RdataTextError);
  assert.equal(printRdata(RRType.A, Uint8Array.of(1, 2, 3)), '\\# 3 010203');
  assert.equal(printRdata(RRType.TXT, new Uint8Array(0)), '\\# 0');
  assert.equal(printRdata(RRType.LOC, Uint8Array.of(0)), '\\# 1 00');
});

test('field errors name the field and point at the token', () => {
  const cases: [string, string, RegExp, number][] = [
    ['MX', 'x mail', /field preference/, 1],
    ['MX', '10', /missing field exchange/, 1],
    ['MX', '10 a. b.', /unexpected "b\."/, 3],
    ['A', '192.0.2.256', /field address/, 1],
    ['A', '192.0.2.01', /field address/, 1],
    ['AAAA', '2001:db8:::1', /field address/, 1],
    ['DS', '1 2 3 0g', /field digest/, 4],
    ['DNSKEY', '257 3 13 AA=A', /field publicKey/, 4],
    ['DNSKEY', '257 3 13 AAA', /multiple of 4/, 4],
    ['SOA', 'a. b. 1 2 3 4 99999999999', /field minimum/, 7],
    ['RRSIG', 'A 13 2 3600 20371301000000 1 1 example. AA==', /field expiration/, 5],
    ['TXT', `"${'a'.repeat(256)}"`, /longer than 255/, 1],
    ['TXT', '"\\256"', /above 255/, 1],
    ['TXT', '"\\1x"', /bad escape/, 1],
    ['NSEC', 'a. A BOGUS', /unknown type "BOGUS"/, 3],
    ['NSEC3', '1 0 0 - 0', /base32hex/, 5],
    ['CAA', '0 is-sue "x"', /alphanumeric/, 2],
    ['SVCB', '1 . alpn', /needs a value/, 3],
    ['SVCB', '1 . port=1 port=2', /twice/, 4],
    ['SVCB', '1 . mandatory=port', /missing/, 3],
    ['SVCB', '1 . key65535=x', /unknown SvcParamKey/, 3],
    ['SVCB', '1 . no-default-alpn=x', /takes no value/, 3],
    ['CNAME', `${'a'.repeat(64)}.`, /label longer than 63/, 1],
    ['CNAME', 'a\\1b.', /bad escape/, 1],
  ];
  for (const [type, text, re, tokenIndex] of cases) {
    try {
      parse(type, text);
      assert.fail(`${type} ${text} should fail`);
    } catch (err) {
      assert.ok(err instanceof RdataTextError, `${type} ${text}: ${String(err)}`);
      assert.match(err.message, re, `${type} ${text}`);
      assert.equal(err.token?.column, tokens(text)[tokenIndex - 1]!.column, `${type} ${text}: column`);
    }
  }
});

test('TTL units, times, escapes and RFC 4648 codecs', () => {
  assert.equal(parseTtl('3600'), 3600);
  assert.equal(parseTtl('1w2d3h4m5s'), 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
  assert.equal(parseTtl('1H30M'), 5400);
  assert.throws(() => parseTtl('1h30'), PresentationError);
  assert.throws(() => parseTtl('4294967296'), /exceeds/);
  assert.throws(() => parseTtl('10000w'), /exceeds/);
  assert.throws(() => parseTtl(''), PresentationError);
  assert.equal(parseTime('20370101000000'), 2114380800);
  assert.equal(parseTime('19700101000000'), 0);
  assert.equal(parseTime('21060207062816'), 0); // 2^32 wraps (RFC 4034 §3.1.5 serial arithmetic)
  assert.equal(parseTime('1700000000'), 1700000000);
  assert.equal(formatTime(1700000000), '20231114221320');
  assert.throws(() => parseTime('20240230000000'), /bad date/);
  assert.equal(parseTime('2024'), 2024);
  assert.throws(() => parseTime('2024-01-01'), PresentationError);
  assert.deepEqual(unescapeText('a\\.\\065\\\\'), Uint8Array.of(0x61, 0x2e, 0x41, 0x5c));
  assert.deepEqual(unescapeText('\u{1F600}'), Uint8Array.of(0xf0, 0x9f, 0x98, 0x80));
  for (let n = 0; n < 40; n++) {
    const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
    assert.deepEqual(base64ToBytes(bytesToBase64(b)), b);
    assert.equal(bytesToBase64(b), Buffer.from(b).toString('base64'));
    assert.deepEqual(base32hexDecode(base32hexEncode(b)), b);
  }
  // RFC 4648 §10 test vectors (base32hex, padding removed).
  assert.equal(base32hexEncode(new TextEncoder().encode('foobar')), 'CPNMUOJ1E8');
  assert.equal(base32hexEncode(new TextEncoder().encode('fooba')), 'CPNMUOJ1');
  assert.equal(base32hexEncode(new TextEncoder().encode('f')), 'CO');
  assert.throws(() => base64ToBytes('A==='), PresentationError);
  assert.throws(() => base64ToBytes('AB=C'), PresentationError);
});

test('DNSSEC algorithm fields accept mnemonics (RFC 4034 §A.1), SSHFP does not', () => {
  const origin = Name.parse('example.');
  const ds = parseRdata(RRType.DS, tokens('12345 RSASHA1 1 ABCDEF0123'), origin);
  assert.equal(ds[2], 5);
  const ds2 = parseRdata(RRType.DS, tokens('12345 dsa-nsec3-sha1 1 ABCDEF0123'), origin);
  assert.equal(ds2[2], 6);
  assert.throws(() => parseRdata(RRType.SSHFP, tokens('RSASHA1 1 ABCDEF'), origin), /8-bit number/);
  assert.throws(() => parseRdata(RRType.DS, tokens('12345 NOSUCHALG 1 ABCDEF'), origin), /algorithm/);
});
