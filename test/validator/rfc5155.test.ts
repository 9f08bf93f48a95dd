// RFC 5155 Appendix B: the example responses, built on the NSEC3 chain of the Appendix A zone (hash
// SHA-1, salt aabbccdd, 12 iterations, every record Opt-Out), validate as the RFC says. Every
// record being Opt-Out, §9.2 applies wherever the next closer name is covered (B.1, B.4, B.5): the
// proof holds but the answer is insecure (no AD); the same proofs with the flag clear are secure.
// The
// signatures of the RFC are over keys we do not have, so a verifier that accepts every signature
// stands in for the crypto (tested elsewhere); everything else — the proofs, the hashing, the chain
// logic — is the real thing. Plus synthetic NSEC/NSEC3 cases the vectors cannot show.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata, encodeTypeBitmap } from '../../src/wire/rdata.js';
import type { RRset } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { nsec3Hash } from '../../src/dnssec/nsec3-hash.js';
import { base32hexEncode } from '../../src/wire/base32hex.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import {
  proveNodataNsec,
  proveNxdomainNsec,
  proveWildcardAnswerNsec,
  type NsecRecord,
} from '../../src/dnssec/nsec-proof.js';
import { nsec3Records, proveNodataNsec3, proveNxdomainNsec3, proveWildcardAnswerNsec3, type Nsec3Record } from '../../src/dnssec/nsec3-proof.js';
import {
  ZoneKeySet,
  createValidationEnv,
  type SignatureVerifier,
  type SignedRRset,
} from '../../src/dnssec/rrset-validator.js';
import { groupSigned, validateResponse, type ResponseToValidate, type ResponseVerdict } from '../../src/dnssec/response-validator.js';
import { keysTable } from './helpers/zone-data.js';

/** Accepts every signature: the crypto is not under test here. Never use outside tests. */
const LOGIC_ONLY_ACCEPT_ALL_SIGNATURES: SignatureVerifier = {
  supportsVerify: () => true,
  verify: () => true,
};

const NOW = Date.UTC(2005, 0, 1) / 1000;
const ORIGIN = Name.parse('example.');

// RFC 5155 Appendix A, the NSEC3 RRs of the example zone (hash owners, next hashes, bitmaps).
const CHAIN = `
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG
2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 3600 IN NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG
2vptu5timamqttgl4luu9kg21e0aor3s.example. 3600 IN NSEC3 1 1 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl MX RRSIG
35mthgpgcu1qg68fab165klnsnk3dpvl.example. 3600 IN NSEC3 1 1 12 aabbccdd b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG
b4um86eghhds6nea196smvmlo4ors995.example. 3600 IN NSEC3 1 1 12 aabbccdd gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG
gjeqe526plbf1g8mklp59enfd789njgi.example. 3600 IN NSEC3 1 1 12 aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG
ji6neoaepv8b5o6k4ev33abha8ht9fgc.example. 3600 IN NSEC3 1 1 12 aabbccdd k8udemvp1j2f7eg6jebps17vp3n8i58h
k8udemvp1j2f7eg6jebps17vp3n8i58h.example. 3600 IN NSEC3 1 1 12 aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi
kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. 3600 IN NSEC3 1 1 12 aabbccdd q04jkcevqvmu85r014c7dkba38o0ji5r A RRSIG
q04jkcevqvmu85r014c7dkba38o0ji5r.example. 3600 IN NSEC3 1 1 12 aabbccdd r53bq7cc2uvmubfu5ocmm6pers9tk9en A RRSIG
r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. 3600 IN NSEC3 1 1 12 aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG
t644ebqk9bibcna874givr6joj62mlhv.example. 3600 IN NSEC3 1 1 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A HINFO AAAA RRSIG
`;

/** The names of Appendix A whose hashes own the chain (checked against our own hashing). */
const HASHED: Record<string, string> = {
  'example.': '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom',
  'ns1.example.': '2t7b4g4vsa5smi47k61mv5bv1a22bojr',
  'x.y.w.example.': '2vptu5timamqttgl4luu9kg21e0aor3s',
  'a.example.': '35mthgpgcu1qg68fab165klnsnk3dpvl',
  'x.w.example.': 'b4um86eghhds6nea196smvmlo4ors995',
  'ai.example.': 'gjeqe526plbf1g8mklp59enfd789njgi',
  'y.w.example.': 'ji6neoaepv8b5o6k4ev33abha8ht9fgc',
  'w.example.': 'k8udemvp1j2f7eg6jebps17vp3n8i58h',
  '2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.': 'kohar7mbb8dc2ce8a9qvl8hon4k53uhi',
  'ns2.example.': 'q04jkcevqvmu85r014c7dkba38o0ji5r',
  '*.w.example.': 'r53bq7cc2uvmubfu5ocmm6pers9tk9en',
  'xx.example.': 't644ebqk9bibcna874givr6joj62mlhv',
};

// A stand-in zone key (algorithm 7, RSASHA1-NSEC3-SHA1, as the RFC's) and RRSIGs naming it.
const DNSKEY = Uint8Array.of(0x01, 0x01, 3, 7, 1, 2, 3, 4, 5, 6, 7, 8);
const TAG = keyTag(DNSKEY);
const KEYS = ZoneKeySet.fromRdatas(ORIGIN, [DNSKEY]);

function rrsig(type: number, labels: number): Uint8Array {
  return encodeRdata(RRType.RRSIG, {
    typeCovered: type,
    algorithm: 7,
    labels,
    originalTtl: 3600,
    expiration: Date.UTC(2006, 0, 1) / 1000,
    inception: Date.UTC(2004, 0, 1) / 1000,
    keyTag: TAG,
    signerName: ORIGIN,
    signature: Uint8Array.of(1, 2, 3),
  });
}

function signed(rrset: RRset): SignedRRset {
  const labels = rrset.name.labelCount - (rrset.name.isWildcard() ? 1 : 0);
  return { rrset, rrsigs: [rrsig(rrset.type, labels)] };
}

const chainSets = groupSigned(parseZoneText(CHAIN, { origin: ORIGIN }).records);
const byHash = (h: string): SignedRRset => signed(chainSets.find((s) => s.rrset.name.equals(Name.parse(`${h}.example.`)))!.rrset);
const records = (...hashes: string[]) => nsec3Records(hashes.map((h) => byHash(h).rrset), ORIGIN);
/** The same records with the Opt-Out flag clear. */
const withoutOptOut = (recs: readonly Nsec3Record[]): Nsec3Record[] => recs.map((r) => ({ ...r, flags: r.flags & ~1 }));

const SOA: SignedRRset = signed({
  name: ORIGIN,
  type: RRType.SOA,
  class: 1,
  ttl: 3600,
  rdatas: [
    encodeRdata(RRType.SOA, {
      mname: Name.parse('ns1.example.'),
      rname: Name.parse('bugs.x.w.example.'),
      serial: 1,
      refresh: 3600,
      retry: 300,
      expire: 3600000,
      minimum: 3600,
    }),
  ],
});

function rrsetOf(name: string, type: number, rdata: Uint8Array): RRset {
  return { name: Name.parse(name), type, class: 1, ttl: 3600, rdatas: [rdata] };
}

const keysFor = keysTable([[ORIGIN, { status: 'secure', keys: KEYS }]]);

function run(resp: ResponseToValidate): ResponseVerdict {
  const out = validateResponse(resp, keysFor, createValidationEnv(NOW, LOGIC_ONLY_ACCEPT_ALL_SIGNATURES), LOGIC_ONLY_ACCEPT_ALL_SIGNATURES);
  assert.notEqual(out.status, 'need-keys');
  return out as ResponseVerdict;
}

const env = () => createValidationEnv(NOW, LOGIC_ONLY_ACCEPT_ALL_SIGNATURES);

test('Appendix A: the chain owners are the hashes of the zone names (our hashing agrees)', () => {
  const salt = Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd);
  for (const [name, h] of Object.entries(HASHED)) {
    assert.equal(base32hexEncode(nsec3Hash(Name.parse(name), salt, 12), true), h, name);
    assert.ok(chainSets.some((s) => s.rrset.name.equals(Name.parse(`${h}.example.`))));
  }
  assert.equal(chainSets.length, 12);
});

test('B.1 Name Error: a.c.x.w.example', () => {
  const q = Name.parse('a.c.x.w.example.');
  const v = run({
    qname: q,
    qtype: RRType.A,
    rcode: Rcode.NXDOMAIN,
    answer: [],
    authority: [SOA, byHash('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'), byHash('b4um86eghhds6nea196smvmlo4ors995'), byHash('35mthgpgcu1qg68fab165klnsnk3dpvl')],
  });
  // The next closer c.x.w.example is covered by 35mt, which has Opt-Out (§9.2).
  assert.equal(v.status, 'insecure', JSON.stringify(v.reason));
  assert.equal(v.reason, undefined, 'opt-out is no error: no EDE');
  assert.equal(v.denial?.kind, 'nxdomain');
  assert.equal(v.denial.closestEncloser?.toString(), 'x.w.example.');
  assert.equal(v.denial.optOut, true);
  const full = records('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom', 'b4um86eghhds6nea196smvmlo4ors995', '35mthgpgcu1qg68fab165klnsnk3dpvl');
  assert.equal(proveNxdomainNsec3(env(), full, q, ORIGIN).status, 'insecure');
  const clear = proveNxdomainNsec3(env(), withoutOptOut(full), q, ORIGIN);
  assert.equal(clear.status, 'secure', 'the same proof without Opt-Out authenticates the name error');
  assert.equal(clear.facts.optOut, false);
  // Without the record matching the closest encloser x.w.example (b4um), no proof.
  const r = proveNxdomainNsec3(env(), records('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom', '35mthgpgcu1qg68fab165klnsnk3dpvl'), q, ORIGIN);
  assert.equal(r.status, 'bogus');
  // Without the record covering *.x.w.example (35mt): the wildcard is not denied.
  const w = proveNxdomainNsec3(env(), records('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom', 'b4um86eghhds6nea196smvmlo4ors995'), q, ORIGIN);
  assert.equal(w.status === 'bogus' && w.reason.tag, 'V-NSEC3-WC');
});

test('B.2 No Data Error: ns1.example MX; B.2.1 empty non-terminal y.w.example A', () => {
  const a = run({ qname: Name.parse('ns1.example.'), qtype: RRType.MX, rcode: Rcode.NOERROR, answer: [], authority: [SOA, byHash('2t7b4g4vsa5smi47k61mv5bv1a22bojr')] });
  assert.equal(a.status, 'secure');
  assert.equal(a.denial?.kind, 'nodata');
  const b = run({ qname: Name.parse('y.w.example.'), qtype: RRType.A, rcode: Rcode.NOERROR, answer: [], authority: [SOA, byHash('ji6neoaepv8b5o6k4ev33abha8ht9fgc')] });
  assert.equal(b.status, 'secure');
  assert.equal(b.denial?.kind, 'ent-nodata');
  // The same record cannot deny the A that ns1.example has.
  const c = proveNodataNsec3(env(), records('2t7b4g4vsa5smi47k61mv5bv1a22bojr'), Name.parse('ns1.example.'), RRType.A, ORIGIN);
  assert.equal(c.status === 'bogus' && c.reason.tag, 'V-NSEC3-NODATA-TYPE');
});

test('B.3 Referral to an Opt-Out Unsigned Zone: mc.c.example MX → insecure delegation c.example', () => {
  const ns = signed(rrsetOf('c.example.', RRType.NS, Name.parse('ns1.c.example.').wire));
  const v = run({
    qname: Name.parse('mc.c.example.'),
    qtype: RRType.MX,
    rcode: Rcode.NOERROR,
    answer: [],
    authority: [{ rrset: ns.rrset, rrsigs: [] }, byHash('35mthgpgcu1qg68fab165klnsnk3dpvl'), byHash('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom')],
  });
  assert.equal(v.kind, 'referral');
  assert.equal(v.status, 'insecure');
  assert.equal(v.delegation?.name.toString(), 'c.example.');
  assert.equal(v.delegation.child, 'insecure');
  assert.equal(v.denial?.optOut, true);
  assert.equal(v.denial.closestEncloser?.toString(), 'example.');
});

test('B.4 Wildcard Expansion: a.z.w.example MX from *.w.example, next closer z.w.example covered', () => {
  const mx = encodeRdata(RRType.MX, { preference: 1, exchange: Name.parse('ai.example.') });
  const ans: SignedRRset = { rrset: rrsetOf('a.z.w.example.', RRType.MX, mx), rrsigs: [rrsig(RRType.MX, 2)] };
  const proof = byHash('q04jkcevqvmu85r014c7dkba38o0ji5r');
  const v = run({ qname: Name.parse('a.z.w.example.'), qtype: RRType.MX, rcode: Rcode.NOERROR, answer: [ans], authority: [proof] });
  // q04j, which covers the next closer z.w.example, has Opt-Out: an unsigned delegation
  // z.w.example may exist, and the wildcard would then not apply (§9.2).
  assert.equal(v.status, 'insecure', JSON.stringify(v.reason));
  assert.equal(v.reason, undefined, 'opt-out is no error: no EDE');
  assert.equal(v.rrsets[0]?.wildcardParent?.toString(), 'w.example.');
  assert.equal(v.rrsets[0].status, 'insecure');
  assert.deepEqual(v.wildcardProofs, [], 'only secure proofs are listed');
  const clear = proveWildcardAnswerNsec3(env(), withoutOptOut(records('q04jkcevqvmu85r014c7dkba38o0ji5r')), Name.parse('a.z.w.example.'), Name.parse('w.example.'), ORIGIN);
  assert.equal(clear.status, 'secure', 'the same proof without Opt-Out authenticates the expansion');
  assert.equal(clear.facts.kind, 'wildcard-answer');
  // Without q04j: bogus; with a record that does not cover z.w.example: bogus.
  assert.equal(run({ qname: Name.parse('a.z.w.example.'), qtype: RRType.MX, rcode: Rcode.NOERROR, answer: [ans], authority: [] }).status, 'bogus');
  const wrong = run({
    qname: Name.parse('a.z.w.example.'),
    qtype: RRType.MX,
    rcode: Rcode.NOERROR,
    answer: [ans],
    authority: [byHash('k8udemvp1j2f7eg6jebps17vp3n8i58h')],
  });
  assert.equal(wrong.reason?.tag, 'V-NSEC3-WILDCARD-NOPROOF');
});

test('B.5 Wildcard No Data Error: a.z.w.example AAAA', () => {
  const v = run({
    qname: Name.parse('a.z.w.example.'),
    qtype: RRType.AAAA,
    rcode: Rcode.NOERROR,
    answer: [],
    authority: [SOA, byHash('k8udemvp1j2f7eg6jebps17vp3n8i58h'), byHash('q04jkcevqvmu85r014c7dkba38o0ji5r'), byHash('r53bq7cc2uvmubfu5ocmm6pers9tk9en')],
  });
  // The wildcard *.w.example matches, but the next closer z.w.example sits in q04j's Opt-Out span.
  assert.equal(v.status, 'insecure', JSON.stringify(v.reason));
  assert.equal(v.denial?.kind, 'wildcard-nodata');
  assert.equal(v.denial.closestEncloser?.toString(), 'w.example.');
  assert.equal(v.denial.optOut, true);
  const wn = records('k8udemvp1j2f7eg6jebps17vp3n8i58h', 'q04jkcevqvmu85r014c7dkba38o0ji5r', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en');
  const clear = proveNodataNsec3(env(), withoutOptOut(wn), Name.parse('a.z.w.example.'), RRType.AAAA, ORIGIN);
  assert.equal(clear.status, 'secure', 'the same proof without Opt-Out authenticates the wildcard NODATA');
  // The wildcard has MX: a MX NODATA from it is bogus.
  const mx = proveNodataNsec3(
    env(),
    records('k8udemvp1j2f7eg6jebps17vp3n8i58h', 'q04jkcevqvmu85r014c7dkba38o0ji5r', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'),
    Name.parse('a.z.w.example.'),
    RRType.MX,
    ORIGIN,
  );
  assert.equal(mx.status === 'bogus' && mx.reason.tag, 'V-NSEC3-WCNODATA-TYPE');
});

test('B.6 DS Child Zone No Data: the apex NSEC3 (SOA bit) is not accepted as a no-DS proof (deliberate, as Unbound)', () => {
  // RFC 5155 §8.6 has no SOA condition, but a child apex record replayed against a DS query would
  // turn a signed delegation insecure; Unbound and anchord refuse it except at the root.
  const r = proveNodataNsec3(env(), records('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'), ORIGIN, RRType.DS, ORIGIN);
  assert.equal(r.status === 'bogus' && r.reason.tag, 'V-NSEC3-NODATA-CHILD');
  // The same record proves NODATA for a type the apex lacks.
  assert.equal(proveNodataNsec3(env(), records('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'), ORIGIN, RRType.TXT, ORIGIN).status, 'secure');
  // A parent-side record (a.example: NS DS) cannot enclose names below the delegation.
  const below = proveNxdomainNsec3(
    env(),
    records('35mthgpgcu1qg68fab165klnsnk3dpvl', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom', 'b4um86eghhds6nea196smvmlo4ors995'),
    Name.parse('x.a.example.'),
    ORIGIN,
  );
  assert.equal(below.status === 'bogus' && below.reason.tag, 'V-NSEC3-CE-PARENT');
});

test('NSEC3 records with an unknown hash algorithm or unknown flags are ignored (RFC 5155 §8.1-§8.2)', () => {
  const recs = records('2t7b4g4vsa5smi47k61mv5bv1a22bojr');
  const alg2 = recs.map((r) => ({ ...r, hashAlgorithm: 2 }));
  const flags = recs.map((r) => ({ ...r, flags: 0x81 }));
  for (const bad of [alg2, flags]) {
    const r = proveNodataNsec3(env(), bad, Name.parse('ns1.example.'), RRType.MX, ORIGIN);
    assert.equal(r.status === 'bogus' && r.reason.tag, 'V-NSEC3-UNUSABLE');
  }
});

// ---- NSEC cases the vectors cannot show ----------------------------------------------------

const Z = Name.parse('example.');
const nsec = (owner: string, next: string, ...types: number[]): NsecRecord => ({
  owner: Name.parse(owner),
  next: Name.parse(next),
  types: new Set(types),
});

test('NSEC wildcard answer when a closer name exists: bogus (V-NSEC-WILDCARD-CLOSER)', () => {
  // y.example exists: x.y.example cannot come from *.example.
  const r = proveWildcardAnswerNsec([nsec('y.example.', 'z.example.', RRType.A)], Name.parse('x.y.example.'), Z, Z);
  assert.equal(r.status === 'bogus' && r.reason.tag, 'V-NSEC-WILDCARD-CLOSER');
  const ok = proveWildcardAnswerNsec([nsec('w.example.', 'z.example.', RRType.A)], Name.parse('x.y.example.'), Z, Z);
  assert.equal(ok.status, 'secure');
});

test('NSEC below a DNAME or a delegation proves nothing; the last NSEC wraps to the apex', () => {
  const d = [nsec('d.example.', 'e.example.', RRType.DNAME), nsec('example.', 'd.example.', RRType.SOA, RRType.NS)];
  const r = proveNxdomainNsec(d, Name.parse('a.d.example.'), Z);
  assert.equal(r.status === 'bogus' && r.reason.tag, 'V-NSEC-NXD-NOCOVER');
  const wrap = [nsec('z.example.', 'example.', RRType.A), nsec('example.', 'a.example.', RRType.SOA, RRType.NS)];
  const nx = proveNxdomainNsec(wrap, Name.parse('zz.example.'), Z);
  assert.equal(nx.status, 'secure', JSON.stringify(nx));
});

test('NSEC DS denial: the child apex NSEC is refused, the root apex NSEC is fine', () => {
  const child = proveNodataNsec([nsec('sub.example.', 'x.sub.example.', RRType.SOA, RRType.NS)], Name.parse('sub.example.'), RRType.DS, Z);
  assert.equal(child.status === 'bogus' && child.reason.tag, 'V-NSEC-NODATA-CHILD');
  const root = proveNodataNsec([nsec('.', 'com.', RRType.SOA, RRType.NS)], Name.ROOT, RRType.DS, Name.ROOT);
  assert.equal(root.status, 'secure');
});

test('NSEC NXDOMAIN when the wildcard exists: bogus (it would have answered)', () => {
  const r = proveNxdomainNsec(
    [nsec('a.example.', 'c.example.', RRType.A), nsec('example.', '*.example.', RRType.SOA), nsec('*.example.', 'a.example.', RRType.A)],
    Name.parse('b.example.'),
    Z,
  );
  assert.equal(r.status === 'bogus' && r.reason.tag, 'V-NSEC-NXD-WCEXISTS');
  assert.equal(encodeTypeBitmap([RRType.A]).length, 3);
});
