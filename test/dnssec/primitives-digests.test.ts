// Known-answer tests for key tags (RFC 4034 Appendix B), DS digests (RFC 4034 §5.1.4, RFC 4509,
// RFC 6605), NSEC3 hashing (RFC 5155 §5, Appendix A) and base32hex (RFC 4648 §7, §10).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Name } from '../../src/wire/name.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { computeDsDigest, dsDigestLength, dsDigestSupported, dsMatchesKey, makeDsRdata } from '../../src/dnssec/ds.js';
import {
  memoNsec3Hash,
  NSEC3_MEMO_GENERATION,
  nsec3Hash,
  nsec3HashFromOwner,
  nsec3MemoPrefix,
  nsec3OwnerName,
} from '../../src/dnssec/nsec3-hash.js';
import {
  base32hexDecode,
  base32hexDecodeFirstLabel,
  base32hexDecodeLabel,
  base32hexEncode,
  base32hexLength,
  base32hexTryDecode,
} from '../../src/wire/base32hex.js';
import { CryptoError, PresentationError } from '../../src/core/errors.js';

interface KeyVector {
  ref: string;
  owner: string;
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
  keyTag: number;
  ds: { digestType: number; digest: string }[];
}

function vectors(file: string): unknown {
  return JSON.parse(readFileSync(new URL(`../vectors/${file}`, import.meta.url), 'utf8'));
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

function dnskeyRdata(k: { flags: number; protocol: number; algorithm: number; publicKey: string }): Uint8Array {
  const pk = Buffer.from(k.publicKey, 'base64');
  return Uint8Array.from([k.flags >>> 8, k.flags & 0xff, k.protocol, k.algorithm, ...pk]);
}

const keys = (vectors('rfc-dnskey-ds.json') as { keys: KeyVector[] }).keys;

describe('keyTag (RFC 4034 Appendix B)', () => {
  for (const k of keys) {
    it(`${k.ref}: ${k.keyTag}`, () => {
      assert.equal(keyTag(dnskeyRdata(k)), k.keyTag);
    });
  }

  it('algorithm 1 takes the 16 bits above the last octet of the modulus (Appendix B.1)', () => {
    const rdata = Uint8Array.from([1, 0, 3, 1, 1, 3, 0xaa, 0xbb, 0x12, 0x34, 0x56]);
    assert.equal(keyTag(rdata), 0x1234);
    // The checksum would give something else for the same octets.
    const asAlg5 = rdata.slice();
    asAlg5[3] = 5;
    assert.notEqual(keyTag(asAlg5), 0x1234);
  });

  it('folds the carry once (sum over 0xffff)', () => {
    // 0xff00 + 0xff00 = 0x1fe00 -> 0xfe00 + 1.
    assert.equal(keyTag(Uint8Array.from([0xff, 0, 0xff, 0])), 0xfe01);
  });

  it('a DNSKEY RDATA shorter than 4 octets is a WireError', () => {
    assert.throws(() => keyTag(Uint8Array.from([1, 0, 3])), { code: 'ERR_WIRE' });
  });
});

describe('DS digests (RFC 4034 §5.1.4, RFC 4509 §2.3, RFC 6605 §6)', () => {
  for (const k of keys) {
    for (const ds of k.ds) {
      it(`${k.ref}: digest type ${ds.digestType}`, () => {
        const owner = Name.parse(k.owner);
        const key = dnskeyRdata(k);
        assert.equal(hex(computeDsDigest(owner, key, ds.digestType)), ds.digest.toLowerCase());
        const rdata = makeDsRdata(owner, key, ds.digestType);
        assert.equal(hex(rdata.subarray(0, 4)), hex(Uint8Array.from([k.keyTag >>> 8, k.keyTag & 0xff, k.algorithm, ds.digestType])));
        assert.equal(hex(rdata.subarray(4)), ds.digest.toLowerCase());
        assert.equal(dsMatchesKey(rdata, owner, key), true);
        // The owner is hashed in canonical (lower-case) form.
        assert.equal(dsMatchesKey(rdata, Name.parse(k.owner.toUpperCase()), key), true);
      });
    }
  }

  const k = keys[0]!;
  const owner = Name.parse(k.owner);
  const key = dnskeyRdata(k);
  const good = makeDsRdata(owner, key, 2);

  it('dsMatchesKey is false for another owner, a changed digest, key tag or algorithm', () => {
    assert.equal(dsMatchesKey(good, Name.parse('other.example.com.'), key), false);
    for (const [i, delta] of [[0, 1], [2, 1], [4, 1], [good.length - 1, 0x80]] as const) {
      const bad = good.slice();
      bad[i] = bad[i]! ^ delta;
      assert.equal(dsMatchesKey(bad, owner, key), false, `octet ${i}`);
    }
    const otherKey = key.slice();
    otherKey[otherKey.length - 1] = otherKey[otherKey.length - 1]! ^ 1;
    assert.equal(dsMatchesKey(good, owner, otherKey), false);
  });

  it('dsMatchesKey is false for a truncated digest and for unsupported digest types', () => {
    assert.equal(dsMatchesKey(good.subarray(0, good.length - 1), owner, key), false);
    const gost = good.slice();
    gost[3] = 3;
    assert.equal(dsMatchesKey(gost, owner, key), false);
    assert.equal(dsMatchesKey(Uint8Array.from([1, 2]), owner, key), false);
  });

  it('digest types 1, 2, 4 are supported; 3 (GOST) and others throw CryptoError', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(dsDigestSupported), [true, true, false, true, false]);
    assert.deepEqual([1, 2, 4].map(dsDigestLength), [20, 32, 48]);
    assert.equal(dsDigestLength(3), undefined);
    assert.throws(() => computeDsDigest(owner, key, 3), CryptoError);
    assert.throws(() => makeDsRdata(owner, key, 0), CryptoError);
  });
});

describe('NSEC3 hashing (RFC 5155 §5, Appendix A)', () => {
  const v = vectors('rfc5155-nsec3-hashes.json') as { salt: string; iterations: number; zone: string; hashes: [string, string][] };
  const salt = unhex(v.salt);
  const zone = Name.parse(v.zone);

  for (const [name, expected] of v.hashes) {
    it(`${name} -> ${expected}`, () => {
      const h = nsec3Hash(Name.parse(name), salt, v.iterations);
      assert.equal(h.length, 20);
      assert.equal(base32hexEncode(h, true), expected);
      assert.equal(base32hexEncode(h), expected.toUpperCase());
      const owner = nsec3OwnerName(h, zone);
      assert.equal(owner.toString(), `${expected}.${v.zone}`);
      assert.deepEqual(nsec3HashFromOwner(owner, zone), h);
      assert.deepEqual(nsec3HashFromOwner(Name.parse(`${expected.toUpperCase()}.EXAMPLE.`), zone), h);
    });
  }

  it('hashes the canonical (lower-case) name', () => {
    assert.deepEqual(nsec3Hash(Name.parse('A.EXAMPLE.'), salt, 12), nsec3Hash(Name.parse('a.example.'), salt, 12));
  });

  it('iteration 0 is one SHA-1 over name | salt; empty salt is allowed', async () => {
    const { createHash } = await import('node:crypto');
    const wire = Name.parse('example.').wire;
    const want = createHash('sha1').update(wire).update(salt).digest();
    assert.deepEqual(Buffer.from(nsec3Hash(Name.parse('example.'), salt, 0)), want);
    const noSalt = createHash('sha1').update(wire).digest();
    assert.deepEqual(Buffer.from(nsec3Hash(Name.parse('example.'), new Uint8Array(0), 0)), noSalt);
  });

  it('rejects other hash algorithms and out-of-range iterations', () => {
    assert.throws(() => nsec3Hash(zone, salt, 1, 2), CryptoError);
    assert.throws(() => nsec3Hash(zone, salt, -1), RangeError);
    assert.throws(() => nsec3Hash(zone, salt, 65536), RangeError);
  });

  it('memoNsec3Hash gives what nsec3Hash gives, per parameters and letter case aside, through generations', () => {
    const params: [number, Uint8Array][] = [
      [0, new Uint8Array(0)],
      [12, salt],
      [1, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd)],
      [1, Uint8Array.of(0xaa, 0xbb, 0xcc, 0xde)],
    ];
    assert.equal(nsec3MemoPrefix(12, Uint8Array.of(0x0a, 0xff)), '12/0aff/', 'prefix: iterations, salt in hex');
    const names = ['example.', '*.example.', 'A.B.Example.', 'a.b.example.', '*.a.b.example.'].map((t) => Name.parse(t));
    const check = (round: string): void => {
      for (const [iterations, s] of params) {
        for (const n of names) {
          const got = memoNsec3Hash(nsec3MemoPrefix(iterations, s) + n.key, n, s, iterations);
          assert.deepEqual(got, nsec3Hash(n, s, iterations), `${round}: ${n.toString()} with ${iterations} iterations, salt ${nsec3MemoPrefix(iterations, s)}`);
        }
      }
    };
    check('first');
    check('remembered');
    // Enough other names to turn both generations over: the answers stay the same.
    for (let i = 0; i < 2 * NSEC3_MEMO_GENERATION + 5; i++) {
      const n = Name.parse(`n${i}.example.`);
      assert.deepEqual(memoNsec3Hash(nsec3MemoPrefix(0, salt) + n.key, n, salt, 0), nsec3Hash(n, salt, 0), `filler ${i}`);
    }
    check('after turnover');
  });

  it('nsec3HashFromOwner is undefined off the zone, at the wrong depth, or for non-base32hex', () => {
    assert.equal(nsec3HashFromOwner(Name.parse('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.other.'), zone), undefined);
    assert.equal(nsec3HashFromOwner(Name.parse('x.0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.'), zone), undefined);
    assert.equal(nsec3HashFromOwner(Name.parse('www.example.'), zone), undefined);
  });
});

describe('base32hex (RFC 4648 §7, §10 test vectors)', () => {
  // RFC 4648 §10 lists these with padding; NSEC3 uses the form without.
  const cases: [string, string][] = [
    ['', ''],
    ['f', 'CO'],
    ['fo', 'CPNG'],
    ['foo', 'CPNMU'],
    ['foob', 'CPNMUOG'],
    ['fooba', 'CPNMUOJ1'],
    ['foobar', 'CPNMUOJ1E8'],
  ];
  for (const [plain, enc] of cases) {
    it(`"${plain}" <-> "${enc}"`, () => {
      const bytes = new TextEncoder().encode(plain);
      assert.equal(base32hexEncode(bytes), enc);
      assert.equal(base32hexEncode(bytes, true), enc.toLowerCase());
      assert.equal(base32hexLength(bytes.length), enc.length);
      assert.deepEqual(base32hexDecode(enc), bytes);
      assert.deepEqual(base32hexDecode(enc.toLowerCase()), bytes);
      assert.deepEqual(base32hexDecodeLabel(new TextEncoder().encode(enc)), bytes);
    });
  }

  it('round-trips every octet value and a 20-octet hash', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    assert.deepEqual(base32hexDecode(base32hexEncode(all)), all);
    const h = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 0xff);
    assert.equal(base32hexEncode(h).length, 32);
    assert.deepEqual(base32hexDecode(base32hexEncode(h, true)), h);
  });

  it('rejects padding, characters outside the alphabet, impossible lengths and non-zero spare bits', () => {
    for (const bad of ['CO======', 'CW', 'C', 'CPN', 'CPNMUO', 'CP NG', 'CP-G', 'CPNMUOJ1E8=', 'é0']) {
      assert.equal(base32hexTryDecode(bad), undefined, bad);
      assert.throws(() => base32hexDecode(bad), PresentationError);
    }
    // 'CP' decodes 'f' but leaves a non-zero bit in the final character.
    assert.equal(base32hexTryDecode('CP'), undefined);
  });

  it('decodes a name\'s first label in place as base32hexDecodeLabel decodes the label, valid or not', () => {
    const h = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 0xff);
    const labels = [base32hexEncode(h, true), base32hexEncode(h), 'cpnmuoj1e8', 'CPNG', 'cp', 'c', 'cpn', 'cp-g', 'x0', '\\233cpng', 'cw'];
    for (const first of labels) {
      for (const rest of ['', 'example.', 'a.b.example.']) {
        const name = Name.parse(`${first}.${rest}`);
        const want = base32hexDecodeLabel(name.label(0));
        assert.deepEqual(base32hexDecodeFirstLabel(name.wire), want, `first label ${first} of ${name.toString()}`);
        // The labels after the first are never read: decoding stops at the first label's end.
        if (first === labels[0]) assert.deepEqual(want, h, `the hash label of ${name.toString()} decodes`);
      }
    }
    assert.deepEqual(base32hexTryDecode('\u0130' + 'CPNG'.slice(1)), undefined, 'a code point past 255 is not base32hex');
  });
});
