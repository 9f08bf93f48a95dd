// BIND .private files: parsing (RFC examples, dnssec-keygen output), printing back, hostile input
// as KeyFileError with a line number, and interoperability with BIND's dnssec-keygen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnchordError, KeyFileError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import {
  bindMetadataValue,
  bindTimeToSeconds,
  parseBindPrivateKey,
  printBindPrivateKey,
  printBindPrivateKeyFile,
  secondsToBindTime,
} from '../../src/crypto/bind-private-key.js';
import { ecdsaScalar } from '../../src/crypto/private-key.js';
import { createNobleBackend } from '../../src/crypto/noble-backend.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner, generatePrivateKey, publicKeyFromPrivateKey } from '../../src/crypto/signer.js';
import { RFC_EXAMPLES } from '../vectors/crypto-rfc-examples.js';
import { b64 } from './signed-data.js';

const node = createNodeBackend();
const noble = createNobleBackend();

test('RFC example files parse (v1.2, aligned values, continuation lines)', () => {
  for (const ex of RFC_EXAMPLES) {
    const f = parseBindPrivateKey(ex.privateKeyFile, 'example.private');
    assert.equal(f.format, 'v1.2');
    assert.equal(f.algorithm, ex.algorithm);
    assert.deepEqual(f.metadata, []);
    assert.deepEqual(publicKeyFromPrivateKey(f.key), b64(ex.publicKey), ex.name);
  }
});

test('printing then parsing gives the same key and metadata', () => {
  for (const ex of RFC_EXAMPLES) {
    const f = parseBindPrivateKey(ex.privateKeyFile);
    const metadata = [
      { tag: 'Created', value: '20260101000000' },
      { tag: 'Publish', value: '20260101000000' },
      { tag: 'Activate', value: '20260102030405' },
      { tag: 'MaxTTL', value: '86400' },
    ];
    const text = printBindPrivateKey(f.key, { metadata });
    assert.match(text, /^Private-key-format: v1\.3\nAlgorithm: \d+ \([A-Z0-9]+\)\n/);
    const g = parseBindPrivateKey(text);
    assert.deepEqual(g.key, f.key);
    assert.deepEqual(g.metadata, metadata);
    assert.equal(printBindPrivateKeyFile(g), text);
    assert.equal(bindMetadataValue(g, 'activate'), '20260102030405');
  }
});

test('generated keys print and parse back for every signing algorithm', () => {
  const rnd = new SeededRandom(1);
  for (const alg of [5, 7, 8, 10, 13, 14, 15, 16, 3]) {
    const key = alg >= 13 ? generatePrivateKey(alg, { random: rnd }) : generatePrivateKey(alg, alg === 3 ? {} : { bits: 1024 });
    const text = printBindPrivateKey(key);
    const back = parseBindPrivateKey(text).key;
    assert.deepEqual(back, key, `algorithm ${alg}`);
    assert.deepEqual(publicKeyFromPrivateKey(back), publicKeyFromPrivateKey(key));
  }
});

test('ECDSA scalars: leading zero octets are accepted either way and printed dropped, as BIND (BN_bn2bin) prints them', () => {
  const d = new Uint8Array(32);
  d[31] = 7;
  const short = `Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: ${Buffer.from([7]).toString('base64')}\n`;
  const full = `Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: ${Buffer.from(d).toString('base64')}\n`;
  assert.equal(printBindPrivateKeyFile(parseBindPrivateKey(short)), short);
  assert.equal(printBindPrivateKeyFile(parseBindPrivateKey(full)), short);
  const a = parseBindPrivateKey(short).key;
  const b = parseBindPrivateKey(full).key;
  assert.ok(a.type === 'ecdsa' && b.type === 'ecdsa', 'both parse as ECDSA keys');
  assert.deepEqual(ecdsaScalar(a), d);
  assert.deepEqual(ecdsaScalar(b), d);
});

test('timing helpers', () => {
  assert.equal(bindTimeToSeconds('20300101000000'), 1893456000);
  assert.equal(bindTimeToSeconds('20100909100439'), 1284026679);
  assert.equal(secondsToBindTime(1893456000), '20300101000000');
  assert.equal(secondsToBindTime(1284026679), '20100909100439');
  for (const bad of ['2030010100000', '203001010000000', '20301301000000', '20300230000000', '20300101240000', 'abcdefghijklmn', '']) {
    assert.equal(bindTimeToSeconds(bad), undefined, bad);
  }
});

function expectKeyFileError(text: string, line: number, pattern: RegExp, what: string): void {
  assert.throws(
    () => parseBindPrivateKey(text, 'K.private'),
    (err: unknown) => {
      assert.ok(err instanceof KeyFileError, `${what}: ${String(err)}`);
      assert.equal(err.code, 'ERR_KEY_FILE');
      assert.ok(err.message.startsWith(`K.private:${line}: `), `${what}: ${err.message}`);
      assert.match(err.message, pattern, what);
      return true;
    },
  );
}

const EC_OK = 'Private-key-format: v1.3\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n';

test('hostile and broken files are KeyFileError with file:line', () => {
  const cases: [string, string, number, RegExp][] = [
    ['empty', '', 1, /first line/],
    ['no format line', 'Algorithm: 13\n', 1, /first line/],
    ['format v2', EC_OK.replace('v1.3', 'v2.0'), 1, /unsupported private key format/],
    ['not tag: value', EC_OK + 'garbage\n', 4, /Tag: value/],
    ['missing algorithm', 'Private-key-format: v1.3\nPrivateKey: AAAA\n', 2, /Algorithm/],
    ['algorithm not a number', EC_OK.replace('13 (ECDSAP256SHA256)', 'ECDSAP256SHA256'), 2, /malformed Algorithm/],
    ['mnemonic mismatch', EC_OK.replace('13 (ECDSAP256SHA256)', '13 (ED25519)'), 2, /does not match/],
    ['algorithm > 255', EC_OK.replace('13 (ECDSAP256SHA256)', '300'), 2, /out of range/],
    ['GOST', 'Private-key-format: v1.3\nAlgorithm: 12 (ECCGOST)\nGostAsn1: AAAA\n', 2, /unsupported algorithm ECC-GOST/],
    ['HMAC', 'Private-key-format: v1.3\nAlgorithm: 163 (HMAC_SHA256)\nKey: AAAA\nBits: AAA=\n', 2, /unsupported algorithm 163/],
    ['bad base64', EC_OK.replace('GU6SnQ', 'GU6S!Q'), 3, /not valid base64/],
    ['base64 bad padding bits', EC_OK.replace('6mQ=', '6mR='), 3, /not valid base64/],
    ['base64 without padding', EC_OK.replace('6mQ=', '6mQ'), 3, /not valid base64/],
    ['duplicate field', EC_OK + 'PrivateKey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\n', 4, /duplicate/],
    ['missing material', 'Private-key-format: v1.3\nAlgorithm: 13\nCreated: 20260101000000\n', 2, /missing PrivateKey/],
    ['HSM label only', 'Private-key-format: v1.3\nAlgorithm: 8 (RSASHA256)\nLabel: pkcs11:object=zsk\n', 3, /HSM/],
    ['bad timing', EC_OK + 'Created: 20261399000000\n', 4, /YYYYMMDDHHMMSS/],
    ['timing not digits', EC_OK + 'Activate: tomorrow\n', 4, /YYYYMMDDHHMMSS/],
    ['bad number', EC_OK + 'MaxTTL: lots\n', 4, /number/],
    ['continuation first', '  AAAA\n', 1, /continuation/],
    ['Algorithm twice', EC_OK + 'Algorithm: 13\n', 4, /only at the top/],
    ['EC zero scalar', EC_OK.replace(/PrivateKey: .*/, 'PrivateKey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='), 3, /out of range/],
    ['EC scalar ≥ n', EC_OK.replace(/PrivateKey: .*/, `PrivateKey: ${Buffer.alloc(32, 0xff).toString('base64')}`), 3, /out of range/],
    ['Ed25519 short', 'Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\nPrivateKey: AAAA\n', 3, /32 octets/],
    ['RSA material for EC', 'Private-key-format: v1.3\nAlgorithm: 13\nModulus: wVwaxrHF2CK64aYKRUibLiH30KpPuPBjel7E8ZydQW1H\n', 3, /unexpected field Modulus/],
    ['too large', EC_OK + 'X: ' + 'A'.repeat(70000) + '\n', 1, /larger than/],
  ];
  for (const [what, text, line, pattern] of cases) expectKeyFileError(text, line, pattern, what);

  const rsaText = RFC_EXAMPLES[0]!.privateKeyFile;
  expectKeyFileError(rsaText.replace(/Prime2:.*\n.*\n/, ''), 2, /missing Prime2/, 'missing RSA field');
  expectKeyFileError(rsaText.replace('Prime1:  ', 'Prime1:          2zZpBE8ZXVnL74QjG4zINlDfH+EOEtjJJ3RtaYDugvE=\nX: ').replace(/X: .*\n/, ''), 3, /do not multiply/, 'wrong prime');
});

test('CRLF line endings, blank lines, any tag case and unknown metadata are accepted', () => {
  const text = 'private-key-format: v1.3\r\n\r\nALGORITHM: 13\r\nprivatekey: GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=\r\nCreated: 20260101000000\r\nFutureTag: something new\r\n';
  const f = parseBindPrivateKey(text);
  assert.equal(f.algorithm, 13);
  assert.deepEqual(f.metadata, [
    { tag: 'Created', value: '20260101000000' },
    { tag: 'FutureTag', value: 'something new' },
  ]);
});

test('fuzz: mutated files only ever throw KeyFileError', () => {
  const rnd = new SeededRandom(31337);
  const seeds = [EC_OK, ...RFC_EXAMPLES.map((e) => e.privateKeyFile)];
  const alphabet = 'AZaz09+/=: \n\t()-_.\r#;\u0000\u00ff';
  for (let i = 0; i < 3000; i++) {
    const chars = Array.from(seeds[rnd.below(seeds.length)]!);
    const edits = 1 + rnd.below(4);
    for (let e = 0; e < edits; e++) {
      const pos = rnd.below(chars.length + 1);
      switch (rnd.below(3)) {
        case 0:
          chars.splice(pos, 1);
          break;
        case 1:
          chars.splice(pos, 0, alphabet[rnd.below(alphabet.length)]!);
          break;
        default:
          chars.splice(pos, rnd.below(20));
      }
    }
    try {
      parseBindPrivateKey(chars.join(''));
    } catch (err) {
      assert.ok(err instanceof KeyFileError, `unexpected ${String(err)}`);
      assert.ok(err instanceof AnchordError);
    }
  }
});

// -------------------------------------------------------------------------------------------
// Interoperability with BIND's dnssec-keygen (Debian bind9-utils), when it is installed.

const KEYGEN = '/usr/bin/dnssec-keygen';

/** Minimal .key reader: the DNSKEY line's flags, protocol, algorithm and base64 key. */
function readDnskeyFile(text: string): { flags: number; protocol: number; algorithm: number; publicKey: Uint8Array } {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') continue;
    const t = line.split(/\s+/);
    const at = t.findIndex((x) => x.toUpperCase() === 'DNSKEY');
    if (at < 0) continue;
    return {
      flags: Number(t[at + 1]),
      protocol: Number(t[at + 2]),
      algorithm: Number(t[at + 3]),
      publicKey: b64(t.slice(at + 4).join('')),
    };
  }
  throw new Error('no DNSKEY line');
}

test('dnssec-keygen keys: parse, print back identically, sign, verify with the .key public key', { skip: !existsSync(KEYGEN) && `${KEYGEN} not installed` }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'anchord-keygen-'));
  try {
    const algs = ['RSASHA1', 'NSEC3RSASHA1', 'RSASHA256', 'RSASHA512', 'ECDSAP256SHA256', 'ECDSAP384SHA384', 'ED25519', 'ED448'];
    for (const name of algs) {
      const args = ['-q', '-K', dir, '-a', name, ...(name.includes('RSA') ? ['-b', '1024'] : []), 'example.com'];
      const base = execFileSync(KEYGEN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
      const privateText = readFileSync(join(dir, `${base}.private`), 'utf8');
      const dnskey = readDnskeyFile(readFileSync(join(dir, `${base}.key`), 'utf8'));
      const file = parseBindPrivateKey(privateText, `${base}.private`);
      assert.equal(file.algorithm, dnskey.algorithm, name);
      assert.equal(file.format, 'v1.3');
      for (const tag of ['Created', 'Publish', 'Activate']) {
        assert.match(bindMetadataValue(file, tag) ?? '', /^[0-9]{14}$/, `${name} ${tag}`);
      }
      assert.equal(printBindPrivateKeyFile(file), privateText, `${name}: printed file is identical`);
      assert.deepEqual(publicKeyFromPrivateKey(file.key), dnskey.publicKey, `${name}: public key`);
      const data = new Uint8Array(Buffer.from(`signed data for ${name}`));
      for (const deterministic of [false, true]) {
        const sig = createSigner(file.key, { deterministic }).sign(data);
        assert.equal(node.verify(dnskey.algorithm, dnskey.publicKey, data, sig), true, `${name} node`);
        assert.equal(noble.verify(dnskey.algorithm, dnskey.publicKey, data, sig), true, `${name} noble`);
      }
    }
    assert.equal(readdirSync(dir).length, algs.length * 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
