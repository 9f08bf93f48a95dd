// Canonical form (RFC 4034 §6.1-§6.3 as narrowed by RFC 6840 §5.1 and RFC 3597 §7) and the
// RRSIG signature input (RFC 4034 §3.1.8.1, RFC 4035 §5.3.2). The signature vectors printed in
// RFC 4035, RFC 5702, RFC 6605 and RFC 8080 must verify over signedData(): that pins the layout
// byte for byte against implementations that produced them.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Name, compareNames } from '../../src/wire/name.js';
import { RRType } from '../../src/wire/constants.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import type { RdataFields } from '../../src/wire/rdata-schema.js';
import type { RRset } from '../../src/wire/record.js';
import { canonicalRdata, canonicalRRsetRdatas, signedData } from '../../src/dnssec/canonical.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { WireError } from '../../src/core/errors.js';

const n = (s: string): Name => Name.parse(s);
const enc = (type: number, fields: RdataFields): Uint8Array => encodeRdata(type, fields);
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** RFC 4034 §3.2 time (YYYYMMDDHHmmSS, UTC) to seconds. */
function rrsigTime(s: string): number {
  const f = (a: number, b: number): number => Number(s.slice(a, b));
  return Date.UTC(f(0, 4), f(4, 6) - 1, f(6, 8), f(8, 10), f(10, 12), f(12, 14)) / 1000;
}

interface RrsigFields {
  typeCovered: number;
  algorithm: number;
  labels: number;
  originalTtl: number;
  expiration: number;
  inception: number;
  keyTag: number;
  signer: string;
  signature: Uint8Array;
}

function rrsigRdata(f: RrsigFields): Uint8Array {
  return enc(RRType.RRSIG, {
    typeCovered: f.typeCovered,
    algorithm: f.algorithm,
    labels: f.labels,
    originalTtl: f.originalTtl,
    expiration: f.expiration,
    inception: f.inception,
    keyTag: f.keyTag,
    signerName: n(f.signer),
    signature: f.signature,
  });
}

function rrset(owner: string, type: number, rdatas: Uint8Array[], ttl = 3600): RRset {
  return { name: n(owner), type, class: 1, ttl, rdatas };
}

describe('canonical name order (RFC 4034 §6.1 example)', () => {
  it('sorts the example names as the RFC lists them', () => {
    const ordered = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
    const names = ordered.map(n);
    const shuffled = [...names].reverse();
    shuffled.sort(compareNames);
    assert.deepEqual(shuffled.map(String), names.map(String));
  });
});

describe('canonicalRdata (RFC 4034 §6.2 item 3, RFC 6840 §5.1, RFC 3597 §7)', () => {
  // Every type whose RDATA holds names, with the names lower-cased in canonical form or not.
  const lowered: [string, number, RdataFields][] = [
    ['NS', RRType.NS, { host: n('NS1.Example.') }],
    ['MD', RRType.MD, { host: n('Host.Example.') }],
    ['MF', RRType.MF, { host: n('Host.Example.') }],
    ['CNAME', RRType.CNAME, { target: n('WWW.Example.') }],
    ['MB', RRType.MB, { host: n('Host.Example.') }],
    ['MG', RRType.MG, { host: n('Host.Example.') }],
    ['MR', RRType.MR, { host: n('Host.Example.') }],
    ['PTR', RRType.PTR, { target: n('Host.Example.') }],
    ['MINFO', RRType.MINFO, { rmailbx: n('Admin.Example.'), emailbx: n('Errors.Example.') }],
    ['MX', RRType.MX, { preference: 10, exchange: n('Mail.EXAMPLE.') }],
    ['RP', RRType.RP, { mbox: n('Admin.Example.'), txt: n('Info.Example.') }],
    ['AFSDB', RRType.AFSDB, { subtype: 1, host: n('AFS.Example.') }],
    ['SRV', RRType.SRV, { priority: 0, weight: 5, port: 5060, target: n('SIP.Example.') }],
    ['KX', RRType.KX, { preference: 1, exchanger: n('KX.Example.') }],
    ['DNAME', RRType.DNAME, { target: n('Other.Example.') }],
  ];
  for (const [label, type, fields] of lowered) {
    it(`${label}: embedded names are lower-cased`, () => {
      const rdata = enc(type, fields);
      const before = latin1(rdata);
      const out = canonicalRdata(type, rdata);
      assert.notEqual(out, rdata, 'a changed RDATA is a new array');
      assert.equal(latin1(rdata), before, 'the input is not modified');
      const lowerFields = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v instanceof Name ? v.toLowerCase() : v]));
      assert.deepEqual(out, enc(type, lowerFields));
    });
  }

  it('SOA: MNAME and RNAME lower-cased, the counters untouched', () => {
    // Counters chosen so that some octets fall in A-Z (0x41-0x5a): they must stay.
    const fields = { mname: n('NS.Example.'), rname: n('Host\\.Master.Example.'), serial: 0x41424344, refresh: 0x45464748, retry: 0x5a5a5a5a, expire: 0x41414141, minimum: 0x4a4b4c4d };
    const rdata = enc(RRType.SOA, fields);
    const want = enc(RRType.SOA, { ...fields, mname: n('ns.example.'), rname: n('host\\.master.example.') });
    assert.deepEqual(canonicalRdata(RRType.SOA, rdata), want);
  });

  it('NAPTR: the replacement is lower-cased, the flags/services/regexp strings are not', () => {
    const text = (s: string): Uint8Array => new TextEncoder().encode(s);
    const fields = { order: 100, preference: 10, flags: text('S'), services: text('SIP+D2U'), regexp: text('!^.*$!SIP:Info@Example.COM!'), replacement: n('_SIP._UDP.Example.COM.') };
    const want = enc(RRType.NAPTR, { ...fields, replacement: n('_sip._udp.example.com.') });
    assert.deepEqual(canonicalRdata(RRType.NAPTR, enc(RRType.NAPTR, fields)), want);
  });

  it('RRSIG: the signer name is lower-cased, the signature octets are not', () => {
    // Signature octets in the A-Z range and a key tag of 0x4142 must survive.
    const f: RrsigFields = { typeCovered: RRType.A, algorithm: 13, labels: 2, originalTtl: 0x41424344, expiration: 0x5a5a5a5a, inception: 0x41414141, keyTag: 0x4142, signer: 'Example.COM.', signature: new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZ') };
    const want = rrsigRdata({ ...f, signer: 'example.com.' });
    assert.deepEqual(canonicalRdata(RRType.RRSIG, rrsigRdata(f)), want);
  });

  const kept: [string, number, RdataFields][] = [
    ['NSEC (next owner name, RFC 6840 §5.1)', RRType.NSEC, { next: n('Host.Example.COM.'), types: [RRType.A, RRType.RRSIG, RRType.NSEC] }],
    ['SVCB (target, RFC 9460 is after RFC 4034)', RRType.SVCB, { priority: 1, target: n('SVC.Example.'), params: [] }],
    ['HTTPS', RRType.HTTPS, { priority: 1, target: n('WWW.Example.'), params: [{ key: 1, value: new TextEncoder().encode('\x02H2') }] }],
    ['TXT', RRType.TXT, { strings: [new TextEncoder().encode('Hello WORLD')] }],
    ['HINFO', RRType.HINFO, { cpu: new TextEncoder().encode('INTEL'), os: new TextEncoder().encode('LINUX') }],
    ['CAA', RRType.CAA, { flags: 0, tag: new TextEncoder().encode('issue'), value: new TextEncoder().encode('CA.Example') }],
    ['DS', RRType.DS, { keyTag: 0x4142, algorithm: 0x43, digestType: 2, digest: new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345') }],
    ['DNSKEY', RRType.DNSKEY, { flags: 257, protocol: 3, algorithm: 13, publicKey: new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZ') }],
    ['NSEC3', RRType.NSEC3, { hashAlgorithm: 1, flags: 0, iterations: 0x4142, salt: new TextEncoder().encode('AB'), nextHashed: new TextEncoder().encode('ABCDEFGHIJKLMNOPQRST'), types: [RRType.A] }],
    ['A', RRType.A, { address: '65.66.67.68' }],
  ];
  for (const [label, type, fields] of kept) {
    it(`${label}: unchanged, and the same array is returned`, () => {
      const rdata = enc(type, fields);
      assert.equal(canonicalRdata(type, rdata), rdata);
    });
  }

  it('unknown types (RFC 3597 §7) are not touched even when the octets look like a name', () => {
    const rdata = Name.parse('WWW.Example.').wire;
    assert.equal(canonicalRdata(65280, rdata), rdata);
    assert.equal(canonicalRdata(RRType.NULL, rdata), rdata);
  });

  it('already lower-case RDATA is returned as is (no copy)', () => {
    const rdata = enc(RRType.MX, { preference: 10, exchange: n('mail.example.') });
    assert.equal(canonicalRdata(RRType.MX, rdata), rdata);
  });

  it('only A-Z fold: other octets in labels stay (RFC 4343 §3)', () => {
    const rdata = enc(RRType.NS, { host: n('\\195\\137X\\200.Example.') });
    const out = canonicalRdata(RRType.NS, rdata);
    assert.deepEqual(out, enc(RRType.NS, { host: n('\\195\\137x\\200.example.') }));
  });

  it('a compression pointer or a name past the end is a WireError', () => {
    assert.throws(() => canonicalRdata(RRType.NS, Uint8Array.from([0xc0, 0x0c])), WireError);
    assert.throws(() => canonicalRdata(RRType.MX, Uint8Array.from([0, 10, 3, 0x41, 0x42])), WireError);
    assert.throws(() => canonicalRdata(RRType.MX, Uint8Array.from([0, 10])), WireError);
    assert.throws(() => canonicalRdata(RRType.NAPTR, Uint8Array.from([0, 1, 0, 1, 9])), WireError);
  });
});

describe('canonicalRRsetRdatas (RFC 4034 §6.3)', () => {
  it('sorts canonical RDATA as octet strings and drops duplicates, including case-only ones', () => {
    const rd = (s: string): Uint8Array => enc(RRType.NS, { host: n(s) });
    // Raw order would put "B" (0x42) before "a" (0x61); canonical order puts a before b.
    const out = canonicalRRsetRdatas(RRType.NS, [rd('c.example.'), rd('B.example.'), rd('a.example.'), rd('A.EXAMPLE.'), rd('b.example.')]);
    assert.deepEqual(out.map((r) => n(latin1(r.subarray(1, 2)) + '.').toString()), ['a.', 'b.', 'c.']);
    assert.deepEqual(out, [rd('a.example.'), rd('b.example.'), rd('c.example.')]);
  });

  it('a shorter RDATA that is a prefix sorts first (left-justified comparison)', () => {
    const a = Uint8Array.from([1, 2]);
    const b = Uint8Array.from([1, 2, 0]);
    const c = Uint8Array.from([1, 3]);
    assert.deepEqual(canonicalRRsetRdatas(65280, [c, b, a]), [a, b, c]);
  });
});

describe('signedData (RFC 4034 §3.1.8.1)', () => {
  const header: RrsigFields = { typeCovered: RRType.NS, algorithm: 13, labels: 2, originalTtl: 7200, expiration: 1700000000, inception: 1600000000, keyTag: 12345, signer: 'EXAMPLE.com.', signature: Uint8Array.from([1, 2, 3, 4]) };

  it('lays out RRSIG RDATA minus signature, then owner | type | class | original TTL | RDLENGTH | RDATA', () => {
    const ns1 = enc(RRType.NS, { host: n('NS2.example.com.') });
    const ns2 = enc(RRType.NS, { host: n('ns1.example.com.') });
    const set = rrset('Example.COM.', RRType.NS, [ns1, ns2], 300);
    const data = signedData(rrsigRdata(header), set);

    const expectedHeader = rrsigRdata({ ...header, signer: 'example.com.', signature: new Uint8Array(0) });
    const owner = n('example.com.').wire;
    const rr = (rdata: Uint8Array): number[] => [...owner, 0, RRType.NS, 0, 1, 0, 0, 0x1c, 0x20, 0, rdata.length, ...rdata];
    const want = Uint8Array.from([...expectedHeader, ...rr(canonicalRdata(RRType.NS, ns2)), ...rr(canonicalRdata(RRType.NS, ns1))]);
    assert.deepEqual(data, want);
  });

  it('an empty signature field gives the same data (the signer builds it that way)', () => {
    const set = rrset('example.com.', RRType.A, [enc(RRType.A, { address: '192.0.2.1' })]);
    assert.deepEqual(signedData(rrsigRdata({ ...header, signature: new Uint8Array(0) }), set), signedData(rrsigRdata(header), set));
  });

  it('replaces the owner by the wildcard when Labels is smaller (RFC 4035 §5.3.2)', () => {
    const a = enc(RRType.A, { address: '192.0.2.1' });
    const viaWildcard = signedData(rrsigRdata({ ...header, typeCovered: RRType.A, labels: 2 }), rrset('A.B.Example.COM.', RRType.A, [a]));
    const atWildcard = signedData(rrsigRdata({ ...header, typeCovered: RRType.A, labels: 2 }), rrset('*.example.com.', RRType.A, [a]));
    assert.deepEqual(viaWildcard, atWildcard);
    const hdrLen = rrsigRdata({ ...header, signature: new Uint8Array(0) }).length;
    assert.deepEqual(viaWildcard.subarray(hdrLen, hdrLen + 15), n('*.example.com.').wire);
  });

  it('the owner argument overrides the RRset name; Labels equal to the count keeps the owner', () => {
    const a = enc(RRType.A, { address: '192.0.2.1' });
    const set = rrset('www.example.com.', RRType.A, [a]);
    const rd = rrsigRdata({ ...header, typeCovered: RRType.A, labels: 3 });
    const other = signedData(rd, set, n('WWW.Example.Com.'));
    assert.deepEqual(other, signedData(rd, set));
    const hdrLen = rrsigRdata({ ...header, signature: new Uint8Array(0) }).length;
    assert.deepEqual(other.subarray(hdrLen, hdrLen + 17), n('www.example.com.').wire);
  });

  it('drops duplicate RRs (RFC 4034 §6.3)', () => {
    const once = signedData(rrsigRdata(header), rrset('example.com.', RRType.NS, [enc(RRType.NS, { host: n('ns.example.com.') })]));
    const twice = signedData(rrsigRdata(header), rrset('example.com.', RRType.NS, [enc(RRType.NS, { host: n('NS.example.com.') }), enc(RRType.NS, { host: n('ns.example.com.') })]));
    assert.deepEqual(twice, once);
  });

  it('a malformed RRSIG RDATA is a WireError', () => {
    const set = rrset('example.com.', RRType.A, [enc(RRType.A, { address: '192.0.2.1' })]);
    assert.throws(() => signedData(new Uint8Array(18), set), WireError);
    const rd = rrsigRdata(header);
    assert.throws(() => signedData(rd.subarray(0, 22), set), WireError);
  });
});

// ---- Published signatures ------------------------------------------------------------------

interface SigVector {
  ref: string;
  owner: string;
  type: 'A' | 'MX';
  rdata: (string | [number, string])[];
  rrsig: { algorithm: number; labels: number; originalTtl: number; expiration: string; inception: string; keyTag: number; signer: string; signature: string };
  key: { flags: number; algorithm: number; publicKey: string };
}

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');

/** A node:crypto public key from DNSKEY public-key octets (RFC 3110 §2, RFC 6605 §4, RFC 8080 §3). */
function publicKey(algorithm: number, pk: Uint8Array): KeyObject {
  if (algorithm === 13 || algorithm === 14) {
    const half = pk.length / 2;
    const crv = algorithm === 13 ? 'P-256' : 'P-384';
    return createPublicKey({ key: { kty: 'EC', crv, x: b64u(pk.subarray(0, half)), y: b64u(pk.subarray(half)) }, format: 'jwk' });
  }
  if (algorithm === 15) return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64u(pk) }, format: 'jwk' });
  let elen = pk[0]!;
  let off = 1;
  if (elen === 0) {
    elen = (pk[1]! << 8) | pk[2]!;
    off = 3;
  }
  return createPublicKey({ key: { kty: 'RSA', e: b64u(pk.subarray(off, off + elen)), n: b64u(pk.subarray(off + elen)) }, format: 'jwk' });
}

const HASH: Record<number, string | null> = { 5: 'sha1', 8: 'sha256', 10: 'sha512', 13: 'sha256', 14: 'sha384', 15: null };

describe('signedData against signatures printed in RFCs', () => {
  const list = (JSON.parse(readFileSync(new URL('../vectors/rfc-rrsig.json', import.meta.url), 'utf8')) as { signatures: SigVector[] }).signatures;
  for (const v of list) {
    const type = RRType[v.type];
    const rdatas = v.rdata.map((r) => (typeof r === 'string' ? enc(RRType.A, { address: r }) : enc(RRType.MX, { preference: r[0], exchange: n(r[1]) })));
    const sig = new Uint8Array(Buffer.from(v.rrsig.signature, 'base64'));
    const rd = rrsigRdata({ typeCovered: type, algorithm: v.rrsig.algorithm, labels: v.rrsig.labels, originalTtl: v.rrsig.originalTtl, expiration: rrsigTime(v.rrsig.expiration), inception: rrsigTime(v.rrsig.inception), keyTag: v.rrsig.keyTag, signer: v.rrsig.signer, signature: sig });
    const pk = new Uint8Array(Buffer.from(v.key.publicKey, 'base64'));
    const key = publicKey(v.key.algorithm, pk);
    const check = (set: RRset): boolean => verify(HASH[v.key.algorithm] ?? null, signedData(rd, set), { key, dsaEncoding: 'ieee-p1363' }, sig);

    it(`${v.ref} verifies`, () => {
      const dnskey = Uint8Array.from([v.key.flags >>> 8, v.key.flags & 0xff, 3, v.key.algorithm, ...pk]);
      assert.equal(keyTag(dnskey), v.rrsig.keyTag);
      assert.equal(check(rrset(v.owner, type, rdatas)), true);
    });

    it(`${v.ref}: verifies with the owner, RDATA names and TTL in another case/value`, () => {
      const upper = v.rdata.map((r) => (typeof r === 'string' ? enc(RRType.A, { address: r }) : enc(RRType.MX, { preference: r[0], exchange: n(r[1].toUpperCase()) })));
      // The TTL of the set is not signed: the RRSIG's original TTL is.
      assert.equal(check(rrset(v.owner.toUpperCase(), type, upper, 5)), true);
    });

    it(`${v.ref}: fails with one RDATA octet changed`, () => {
      const bad = rdatas.map((r) => {
        const c = r.slice();
        c[c.length - 2] = c[c.length - 2]! ^ 1;
        return c;
      });
      assert.equal(check(rrset(v.owner, type, bad)), false);
    });
  }
});
