// Hostile input: every malformed zone must end in a FileError with the right line, never a crash,
// a hang or another exception type.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileError } from '../../src/core/errors.js';
import { parseZoneText, resolveIncludePath } from '../../src/zone/parser.js';
import type { ReadFile, ZoneParseOptions } from '../../src/zone/parser.js';

function expectError(text: string, line: number, re: RegExp, options: ZoneParseOptions = {}): FileError {
  try {
    parseZoneText(text, { origin: 'example.', defaultTtl: 300, ...options });
  } catch (err) {
    assert.ok(err instanceof FileError, `not a FileError: ${String(err)}`);
    assert.match(err.detail, re, JSON.stringify(text.slice(0, 80)));
    assert.equal(err.line, line, `${err.message} (input ${JSON.stringify(text.slice(0, 80))})`);
    return err;
  }
  assert.fail(`no error for ${JSON.stringify(text.slice(0, 80))}`);
}

test('unterminated parenthesis and quote, unbalanced ")"', () => {
  assert.equal(expectError('a A 1.2.3.4\nb TXT ( "x"\nc A 1.2.3.4\n', 2, /unterminated parenthesis/).column, 7);
  assert.equal(expectError('a TXT "abc\nb A 1.2.3.4', 1, /unterminated quoted string/).column, 7);
  expectError('a TXT "abc', 1, /unterminated quoted string/);
  expectError('a A 1.2.3.4 )', 1, /unbalanced "\)"/);
  expectError('a TXT abc\\', 1, /backslash at end of line/);
  expectError('a TXT "abc\\', 1, /backslash at end of line/);
  expectError('a TXT abc\\\nb', 1, /backslash at end of line/);
  expectError('a TXT ( ' + 'x '.repeat(5000), 1, /longer than 1000 characters.*parenthesis opened at line 1/, { maxEntryLength: 1000 });
});

test('bad escapes', () => {
  expectError('a TXT "\\256"', 1, /above 255/);
  expectError('a TXT "\\25"', 1, /bad escape/);
  expectError('a TXT \\2x5', 1, /bad escape/);
  expectError('\\1a A 1.2.3.4', 1, /bad escape/);
  expectError('a\\300 A 1.2.3.4', 1, /out of range/);
  expectError('a CNAME b\\', 1, /backslash at end of line/);
});

test('overlong labels and names, empty labels', () => {
  expectError(`${'a'.repeat(64)} A 1.2.3.4`, 1, /label longer than 63/);
  expectError(`${'abcdefghi.'.repeat(26)} A 1.2.3.4`, 1, /longer than 255/);
  expectError(`x A 1.2.3.4\n${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(56)} A 1.2.3.4`, 2, /longer than 255/);
  expectError('a..b A 1.2.3.4', 1, /empty label/);
  expectError(`a CNAME ${'x'.repeat(64)}`, 1, /label longer than 63/);
  expectError('a CNAME é.example.', 1, /non-ASCII/);
});

test('bad base64, hex, base32hex, numbers, addresses', () => {
  expectError('a DNSKEY 257 3 13 AAAA!AAA', 1, /bad base64 character/);
  expectError('a DNSKEY 257 3 13 AAA', 1, /multiple of 4/);
  expectError('a DNSKEY 257 3 13 A=AA', 1, /bad base64/);
  expectError('a DS 1 13 2 ABC', 1, /odd number of hex digits/);
  expectError('a DS 1 13 2 GG', 1, /bad hex digit/);
  expectError('a NSEC3 1 0 0 - ABC!', 1, /base32hex/);
  expectError('a NSEC3PARAM 1 0 0 XY', 1, /hex/);
  expectError('a MX 65536 b.', 1, /16-bit/);
  expectError('a MX -1 b.', 1, /16-bit/);
  expectError('a A 1.2.3', 1, /IPv4/);
  expectError('a AAAA 1::2::3', 1, /IPv6/);
  expectError('a SSHFP 256 1 AB', 1, /8-bit/);
});

test('wrong field counts', () => {
  expectError('a MX 10', 1, /missing field exchange/);
  expectError('a A 1.2.3.4 5.6.7.8', 1, /unexpected "5\.6\.7\.8"/);
  expectError('a SOA ns. h. 1 2 3 4', 1, /missing field minimum/);
  expectError('a SOA ( ns. h. 1 2 3\n 4 5 6 )', 2, /unexpected "6"/);
  expectError('a TXT', 1, /missing field strings/);
  expectError('a DS 1 2 3', 1, /missing field digest/);
  expectError('a', 1, /missing record type/);
  expectError('a 300', 1, /missing record type/);
  expectError('a TYPE65280 \\# 2 00', 1, /does not match/);
  expectError('a TYPE65280 \\#', 1, /length/);
  expectError('a TYPE65280 \\# 0 00', 1, /does not match/);
});

test('$INCLUDE loops and depth', () => {
  const files: Record<string, string> = {
    'z/a': '$INCLUDE b\n',
    'z/b': 'x A 1.2.3.4\n$INCLUDE a\n',
    'z/self': 'y A 1.2.3.4\n\n$INCLUDE self\n',
  };
  for (let i = 0; i < 20; i++) files[`z/chain${i}`] = `$INCLUDE chain${i + 1}\n`;
  const readFile: ReadFile = (path, from) => {
    const t = files[resolveIncludePath(path, from)];
    if (t === undefined) throw new Error('no such file');
    return t;
  };
  const loop = expectError('$INCLUDE a', 2, /\$INCLUDE loop: z\/main -> z\/a -> z\/b -> z\/a/, { readFile, file: 'z/main' });
  assert.equal(loop.file, 'z/b');
  assert.equal(expectError('$INCLUDE self', 3, /loop/, { readFile, file: 'z/main' }).file, 'z/self');
  const deep = expectError('$INCLUDE chain0', 1, /nested more than 8 deep/, { readFile, file: 'z/main' });
  assert.equal(deep.file, 'z/chain7');
  expectError('$INCLUDE chain0', 1, /nested more than 3 deep/, { readFile, file: 'z/main', maxIncludeDepth: 3 });
  expectError('$INCLUDE a b c', 1, /unexpected "c"/, { readFile });
  expectError('$INCLUDE', 1, /needs at least 1 argument/, { readFile });
});

test('huge and malformed TTLs', () => {
  expectError('a 2147483648 A 1.2.3.4', 1, /above 2\^31-1/);
  expectError('a 4294967296 A 1.2.3.4', 1, /exceeds 2\^32-1/);
  expectError('a 99999999999999999999 A 1.2.3.4', 1, /exceeds/);
  expectError('a 10000000w A 1.2.3.4', 1, /exceeds/);
  expectError('$TTL 3000000000', 1, /above 2\^31-1/);
  expectError('$TTL 1x', 1, /bad TTL/);
  expectError('a 1h1 A 1.2.3.4', 1, /bad TTL/);
  assert.throws(() => parseZoneText('@ SOA a. b. 1 2 3 4 4294967295', { origin: 'example.' }), /1:3: SOA MINIMUM 4294967295 used as TTL is above 2\^31-1/);
});

test('garbage bytes, NUL, control characters, invalid UTF-8', () => {
  expectError('a A 1.2.3.4\nb TXT "x\u0000y"', 2, /control character U\+0000/);
  expectError('a A 1.2.3.4\n\nb\u0000 A 1.2.3.4', 3, /control character U\+0000/);
  expectError('a TXT x\u0007', 1, /U\+0007/);
  expectError('a TXT \u007f', 1, /U\+007F/);
  const invalidUtf8 = new TextDecoder().decode(Uint8Array.of(0x61, 0x20, 0x54, 0x58, 0x54, 0x20, 0x22, 0xff, 0xfe, 0x22));
  expectError(`x A 1.2.3.4\n${invalidUtf8}`, 2, /invalid UTF-8/);
  // Comments may hold anything.
  assert.equal(parseZoneText('a 1 A 1.2.3.4 ; \u0000\u0007\ufffd\n', { origin: 'example.' }).records.length, 1);
});

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = `$ORIGIN example.
$TTL 300
@ SOA ns hostmaster ( 1 7200 3600
   1209600 300 )
  NS ns
ns A 192.0.2.1
   AAAA 2001:db8::1
t TXT "a\\"b" c "\\010"
k DNSKEY 257 3 13 ( AAECAwQFBgcICQoLDA0O
  DxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw== )
s RRSIG A 13 2 300 20370101000000 20240101000000 1 example. AAEC
h HTTPS 1 . alpn="h2,h3" port=443 ipv4hint=1.2.3.4
n NSEC3 1 0 0 - 0123456789ABCDEFGHIJKLMNOPQRSTUV A RRSIG
u TYPE65280 \\# 2 ABCD
$GENERATE 1-3 g$ A 10.0.0.$
`;

test('fuzz: mutated zones and random bytes give records or FileError, nothing else', () => {
  const rand = rng(20240501);
  const alphabet = ' \t\n\\"();$@.0123456789aZ#=,\u0000\u00e9\ufffd-+/';
  let errors = 0;
  for (let iter = 0; iter < 3000; iter++) {
    let text = VALID;
    const edits = 1 + Math.floor(rand() * 4);
    for (let e = 0; e < edits; e++) {
      const pos = Math.floor(rand() * text.length);
      const r = rand();
      if (r < 0.3) text = text.slice(0, pos) + text.slice(pos + 1 + Math.floor(rand() * 5));
      else if (r < 0.7) text = text.slice(0, pos) + alphabet[Math.floor(rand() * alphabet.length)]! + text.slice(pos);
      else text = text.slice(0, pos) + text.slice(Math.floor(rand() * text.length));
    }
    try {
      parseZoneText(text, { origin: 'example.' });
    } catch (err) {
      if (!(err instanceof FileError)) assert.fail(`iteration ${iter}: ${String(err)}\n${text}`);
      const lines = text.split('\n').length;
      assert.ok(err.line >= 1 && err.line <= lines, `iteration ${iter}: line ${err.line} of ${lines}: ${err.message}`);
      errors++;
    }
  }
  assert.ok(errors > 500, `${errors} errors`);
  for (let iter = 0; iter < 500; iter++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256));
    for (const text of [new TextDecoder().decode(bytes), Buffer.from(bytes).toString('latin1')]) {
      try {
        parseZoneText(text, { origin: 'example.', defaultTtl: 1 });
      } catch (err) {
        if (!(err instanceof FileError)) assert.fail(`random ${iter}: ${String(err)}`);
      }
    }
  }
});

test('no quadratic behaviour on long entries and large RRsets', () => {
  const t0 = performance.now();
  const txt = `a TXT ${'"ab" '.repeat(20000)}\n`;
  assert.equal(parseZoneText(txt, { origin: 'example.', defaultTtl: 1 }).records[0]!.rdata.length, 60000);
  const many = Array.from({ length: 50000 }, (_, i) => `big A 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`).join('\n');
  assert.equal(parseZoneText(many, { origin: 'example.', defaultTtl: 1 }).records.length, 50000);
  expectError(`a TXT ${'"abc" '.repeat(20000)}`, 1, /65535/);
  assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
});
