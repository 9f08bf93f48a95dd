// Whole responses from the NSEC-signed vector (ECDSA P-256): positive answers, CNAME and DNAME
// chains, NXDOMAIN, NODATA, empty non-terminals, wildcards, referrals; then broken one way at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { decodeTyped } from '../../src/wire/rdata.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import { ZoneKeySet, createValidationEnv, type SignedRRset } from '../../src/dnssec/rrset-validator.js';
import {
  groupSigned,
  validateResponse,
  validateResponseAsync,
  validateResponseSoon,
  type KeysFor,
  type ResponseOutcome,
  type ResponseToValidate,
  type ResponseVerdict,
} from '../../src/dnssec/response-validator.js';
import { nsecInZone, nsecProvesAbsent, proveNoDsAtReferralNsec, proveNxdomainNsec, type NsecRecord } from '../../src/dnssec/nsec-proof.js';
import { NOW, editSigs, keysTable, loadVector, renamed, response, secureZone, stripSigs } from './helpers/zone-data.js';

const backend = createNodeBackend();
const z = loadVector('example.ecdsap256sha256-nsec.signed', 'keys/ECDSAP256SHA256/dsset-example.');
const dnskeys = validateDnskeys(createValidationEnv(NOW, backend), z.dnskeys(), z.trust(), backend);
assert.equal(dnskeys.status, 'secure');
const KEYS = dnskeys.keys;
const keysFor: KeysFor = keysTable([
  [Name.ROOT, { status: 'insecure' }],
  [z.origin, secureZone(KEYS)],
]);

const N = (s: string): Name => z.name(s);
const A = RRType.A;

function run(resp: ResponseToValidate, kf: KeysFor = keysFor): ResponseVerdict {
  const out: ResponseOutcome = validateResponse(resp, kf, createValidationEnv(NOW, backend), backend);
  assert.notEqual(out.status, 'need-keys');
  return out as ResponseVerdict;
}

function expectBogus(v: ResponseVerdict, tag: string, ede: number): void {
  assert.equal(v.status, 'bogus', `expected bogus ${tag}, got ${v.status} ${JSON.stringify(v.reason)}`);
  assert.equal(v.reason?.tag, tag);
  assert.equal(v.reason.ede, ede);
}

function decodeDnameTarget(set: SignedRRset): Name {
  return decodeTyped(RRType.DNAME, set.rrset.rdatas[0]!).target;
}

function cnameSet(owner: Name, target: Name, ttl = 3600): SignedRRset {
  return { rrset: { name: owner, type: RRType.CNAME, class: 1, ttl, rdatas: [target.wire] }, rrsigs: [] };
}

const soa = z.get('@', RRType.SOA);

test('positive answer: secure, kind answer, TTL from the RRset', () => {
  const v = run(response(N('www'), A, Rcode.NOERROR, [z.get('www', A)]));
  assert.equal(v.status, 'secure');
  assert.equal(v.kind, 'answer');
  assert.equal(v.ttl, 3600);
  assert.equal(v.rrsets.length, 1);
  assert.equal(v.rrsets[0]?.role, 'answer');
  assert.equal(v.work.validations, 1);
});

test('unsigned answer from a secure zone: bogus, EDE 10', () => {
  expectBogus(run(response(N('www'), A, Rcode.NOERROR, [stripSigs(z.get('www', A))])), 'V-RRSIG-NONE', 10);
});

test('CNAME chain: each link judged; a partial chain says where it ends', () => {
  const full = run(response(N('alias'), A, Rcode.NOERROR, [z.get('alias', RRType.CNAME), z.get('www', A)]));
  assert.equal(full.status, 'secure');
  assert.equal(full.kind, 'answer');
  assert.deepEqual(
    full.chain.map((n) => n.toString()),
    ['alias.example.', 'www.example.'],
  );
  assert.deepEqual(
    full.rrsets.map((s) => s.role),
    ['cname', 'answer'],
  );
  const partial = run(response(N('alias'), A, Rcode.NOERROR, [z.get('alias', RRType.CNAME)]));
  assert.equal(partial.status, 'secure');
  assert.equal(partial.kind, 'partial');
  assert.equal(partial.chain.at(-1)?.toString(), 'www.example.');
  // The second link forged (unsigned) in a secure zone: bogus, though the first link is secure.
  const forged = run(response(N('alias'), A, Rcode.NOERROR, [z.get('alias', RRType.CNAME), stripSigs(z.get('www', A))]));
  expectBogus(forged, 'V-RRSIG-NONE', 10);
  assert.equal(forged.rrsets[0]?.status, 'secure');
  assert.equal(forged.rrsets[1]?.status, 'bogus');
});

test('DNAME: validated, the unsigned synthesised CNAME accepted when it follows; chain into an insecure zone is insecure', () => {
  const dname = z.get('dn', RRType.DNAME);
  const q = N('a.dn');
  const target = Name.parse('a.example.net.');
  const v = run(response(q, A, Rcode.NOERROR, [dname, cnameSet(q, target)]));
  assert.equal(v.status, 'secure');
  assert.equal(v.kind, 'partial');
  assert.deepEqual(
    v.rrsets.map((s) => [s.role, s.status]),
    [
      ['dname', 'secure'],
      ['synthesized-cname', 'secure'],
    ],
  );
  assert.equal(v.chain.at(-1)?.toString(), 'a.example.net.');
  // Without the CNAME the chain is synthesised all the same.
  assert.equal(run(response(q, A, Rcode.NOERROR, [dname])).chain.at(-1)?.toString(), 'a.example.net.');
  // A CNAME that does not follow from the DNAME.
  expectBogus(run(response(q, A, Rcode.NOERROR, [dname, cnameSet(q, Name.parse('evil.example.org.'))])), 'V-DNAME-SYNTH', 6);
  // The target answered, unsigned, from an insecure zone: the whole answer is insecure.
  const tail: SignedRRset = { rrset: { name: target, type: A, class: 1, ttl: 60, rdatas: [Uint8Array.of(192, 0, 2, 9)] }, rrsigs: [] };
  const mixed = run(response(q, A, Rcode.NOERROR, [dname, cnameSet(q, target), tail]));
  assert.equal(mixed.status, 'insecure');
  assert.equal(mixed.kind, 'answer');
  assert.equal(mixed.ttl, 60);
});

test('NSEC beside a positive answer: checked and reported secure for aggressive use, never changing the verdict', () => {
  const www = z.get('www', A);
  const extra = z.nsecFor(N('nx'));
  const v = run(response(N('www'), A, Rcode.NOERROR, [www], [extra]));
  assert.equal(v.status, 'secure');
  assert.equal(v.ttl, 3600, 'the extra NSEC does not lower the answer TTL');
  assert.deepEqual(
    v.rrsets.map((s) => [s.section, s.role, s.status]),
    [
      ['answer', 'answer', 'secure'],
      ['authority', 'proof', 'secure'],
    ],
  );
  const broken = run(response(N('www'), A, Rcode.NOERROR, [www], [editSigs(extra, { flipSignature: true })]));
  assert.equal(broken.status, 'secure', 'a bad extra NSEC is left out, not held against the answer');
  assert.equal(broken.rrsets.length, 1);
});

test('a CNAME and an A RRset at one name: the one that comes first decides (RFC 2181 §10.1)', () => {
  const q = N('alias');
  const alias = z.get('alias', RRType.CNAME);
  const fake: SignedRRset = { rrset: { ...z.get('www', A).rrset, name: q }, rrsigs: [] };
  const cnameFirst = run(response(q, A, Rcode.NOERROR, [alias, fake]));
  assert.equal(cnameFirst.kind, 'partial', 'the CNAME is followed');
  assert.equal(cnameFirst.status, 'secure', 'the A beside it is not judged');
  const aFirst = run(response(q, A, Rcode.NOERROR, [fake, alias]));
  assert.equal(aFirst.kind, 'answer');
  expectBogus(aFirst, 'V-RRSIG-NONE', 10);
});

test('a CNAME question below a DNAME is answered by the synthesised CNAME, as secure as the DNAME (RFC 6672 §2.4, §3.2)', () => {
  const dname = z.get('dn', RRType.DNAME);
  const q = N('a.dn');
  const target = Name.parse('a.example.net.');
  const v = run(response(q, RRType.CNAME, Rcode.NOERROR, [dname, cnameSet(q, target)]));
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  assert.equal(v.kind, 'answer');
  assert.deepEqual(
    v.chain.map((x) => x.toString()),
    ['a.dn.example.'],
    'the CNAME is the answer: the chain does not go on to its target',
  );
  assert.deepEqual(
    v.rrsets.map((s) => [s.role, s.status]),
    [
      ['dname', 'secure'],
      ['synthesized-cname', 'secure'],
    ],
  );
  // The unsigned CNAME listed first changes nothing; one that does not follow is bogus.
  assert.equal(run(response(q, RRType.CNAME, Rcode.NOERROR, [cnameSet(q, target), dname])).status, 'secure');
  expectBogus(run(response(q, RRType.CNAME, Rcode.NOERROR, [dname, cnameSet(q, Name.parse('evil.example.org.'))])), 'V-DNAME-SYNTH', 6);
});

test('a CNAME question the server chased (chaseCname): the chain is followed and the NXDOMAIN proven for its last name', () => {
  const alias = z.get('alias', RRType.CNAME);
  const target = decodeDnameTarget(alias);
  const q = N('alias');
  const plain = run(response(q, RRType.CNAME, Rcode.NOERROR, [alias]));
  assert.equal(plain.kind, 'answer', 'without chaseCname the CNAME is the answer');
  const chased = run({ ...response(q, RRType.CNAME, Rcode.NOERROR, [alias]), chaseCname: true });
  assert.equal(chased.kind, 'partial', 'the chain goes on to the CNAME target');
  assert.deepEqual(
    chased.chain.map((x) => x.toString()),
    ['alias.example.', target.toString()],
  );
  // NXDOMAIN: about the last name of the chain, whose proofs are then needed (none here: bogus).
  const nx = run({ ...response(q, RRType.CNAME, Rcode.NXDOMAIN, [alias], [soa]), chaseCname: true });
  assert.equal(nx.kind, 'nxdomain');
  assert.equal(nx.chain.at(-1)?.toString(), target.toString());
  expectBogus(nx, 'V-NEG-NOPROOF', 12);
});

test('YXDOMAIN with a DNAME whose substitution is too long: kind yxdomain, the DNAME judged (RFC 6672 §2.2)', () => {
  const dname = z.get('dn', RRType.DNAME);
  // A name that fits below dn.example. but overflows 255 octets once substituted.
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(59)}`;
  const q = Name.parse(`${long}.dn.example.`);
  const dtarget = decodeDnameTarget(dname);
  const fits = q.length - N('dn').length + dtarget.length <= 255;
  assert.equal(fits, false, `the test name must overflow after substitution (${q.length} - ${N('dn').length} + ${dtarget.length})`);
  const v = run(response(q, A, Rcode.YXDOMAIN, [dname]));
  assert.equal(v.kind, 'yxdomain');
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  assert.deepEqual(
    v.rrsets.map((s) => [s.role, s.status]),
    [['dname', 'secure']],
  );
  // A forged DNAME (signature stripped) makes it bogus.
  expectBogus(run(response(q, A, Rcode.YXDOMAIN, [stripSigs(dname)])), 'V-RRSIG-NONE', 10);
});

test('NXDOMAIN: covering NSEC and wildcard NSEC; stripping either is EDE 12', () => {
  const q = N('nx');
  const cover = z.nsecFor(q);
  const wild = z.nsecFor(N('*'));
  assert.notEqual(cover, wild);
  const v = run(response(q, A, Rcode.NXDOMAIN, [], [soa, cover, wild]));
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  assert.equal(v.kind, 'nxdomain');
  assert.equal(v.denial?.kind, 'nxdomain');
  assert.equal(v.denial.closestEncloser?.toString(), 'example.');
  assert.equal(v.ttl, 300);
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [soa, cover])), 'V-NSEC-NXD-WILDCARD', 12);
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [soa, wild])), 'V-NSEC-NXD-NOCOVER', 12);
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [soa])), 'V-NEG-NOPROOF', 12);
  // NSEC signatures stripped: the records are judged and lack RRSIGs.
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [soa, stripSigs(cover), wild])), 'V-RRSIG-NONE', 10);
  // An NSEC with a broken signature makes the response bogus.
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [soa, editSigs(cover, { flipSignature: true }), wild])), 'V-RRSIG-CRYPTO', 6);
  // The SOA unsigned.
  expectBogus(run(response(q, A, Rcode.NXDOMAIN, [], [stripSigs(soa), cover, wild])), 'V-RRSIG-NONE', 10);
});

test('NXDOMAIN for a name that has the type: bogus; where the proof shows a NODATA it is judged a NODATA', () => {
  expectBogus(run(response(N('www'), A, Rcode.NXDOMAIN, [], [soa, z.nsecFor(N('www')), z.nsecFor(N('*'))])), 'V-NSEC-NXD-EXISTS', 6);
  // An empty non-terminal answered NXDOMAIN (RFC 8020 §2 says it must not be): the NSEC proves a
  // NODATA, and that is the verdict, with kind 'nodata' so the client gets NOERROR.
  const ent = run(response(N('b.ent'), A, Rcode.NXDOMAIN, [], [soa, z.nsecFor(N('b.ent')), z.nsecFor(N('*'))]));
  assert.equal(ent.status, 'secure', JSON.stringify(ent.reason));
  assert.equal(ent.kind, 'nodata');
  assert.equal(ent.denial?.kind, 'ent-nodata');
  // A name that exists without the type, answered NXDOMAIN: NODATA too.
  const mx = run(response(N('www'), RRType.MX, Rcode.NXDOMAIN, [], [soa, z.nsecFor(N('www'))]));
  assert.equal(mx.status, 'secure', JSON.stringify(mx.reason));
  assert.equal(mx.kind, 'nodata');
  // Without a NODATA proof it stays a bogus name error.
  expectBogus(run(response(N('b.ent'), A, Rcode.NXDOMAIN, [], [soa])), 'V-NEG-NOPROOF', 12);
});

test('NODATA: matching NSEC without the type; with the type or a CNAME it is bogus', () => {
  const v = run(response(N('www'), RRType.MX, Rcode.NOERROR, [], [soa, z.nsecFor(N('www'))]));
  assert.equal(v.status, 'secure');
  assert.equal(v.kind, 'nodata');
  assert.equal(v.denial?.kind, 'nodata');
  expectBogus(run(response(N('www'), A, Rcode.NOERROR, [], [soa, z.nsecFor(N('www'))])), 'V-NSEC-NODATA-TYPE', 6);
  expectBogus(run(response(N('alias'), A, Rcode.NOERROR, [], [soa, z.nsecFor(N('alias'))])), 'V-NSEC-NODATA-TYPE', 6);
  expectBogus(run(response(N('www'), RRType.MX, Rcode.NOERROR, [], [soa])), 'V-NEG-NOPROOF', 12);
});

test('NODATA at empty non-terminals', () => {
  for (const name of ['b.ent', 'ent']) {
    const v = run(response(N(name), A, Rcode.NOERROR, [], [soa, z.nsecFor(N(name))]));
    assert.equal(v.status, 'secure', name);
    assert.equal(v.denial?.kind, 'ent-nodata');
  }
});

test('wildcard answer: needs the NSEC proving the name absent (RFC 4035 §5.3.4)', () => {
  const q = N('x.wild');
  const ans = renamed(z.get('*.wild', RRType.TXT), q);
  const proof = z.nsecFor(q);
  const v = run(response(q, RRType.TXT, Rcode.NOERROR, [ans], [proof]));
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  assert.equal(v.rrsets[0]?.wildcardParent?.toString(), 'wild.example.');
  assert.equal(v.wildcardProofs.length, 1);
  assert.equal(v.wildcardProofs[0]?.kind, 'wildcard-answer');
  expectBogus(run(response(q, RRType.TXT, Rcode.NOERROR, [ans])), 'V-WILDCARD-NOPROOF', 12);
  // The proof NSEC of another part of the zone does not cover the name.
  expectBogus(run(response(q, RRType.TXT, Rcode.NOERROR, [ans], [z.nsecFor(N('www'))])), 'V-NSEC-WILDCARD-NOPROOF', 12);
  // Deeper names expand the same wildcard with the same proof record.
  const deep = renamed(z.get('*.wild', RRType.TXT), N('a.b.c.wild'));
  assert.equal(run(response(N('a.b.c.wild'), RRType.TXT, Rcode.NOERROR, [deep], [z.nsecFor(N('a.b.c.wild'))])).status, 'secure');
});

test('wildcard NODATA: the name is covered and the wildcard NSEC lacks the type', () => {
  const q = N('x.wild');
  const v = run(response(q, A, Rcode.NOERROR, [], [soa, z.nsecFor(q)]));
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  assert.equal(v.denial?.kind, 'wildcard-nodata');
  assert.equal(v.denial.closestEncloser?.toString(), 'wild.example.');
  expectBogus(run(response(q, RRType.TXT, Rcode.NOERROR, [], [soa, z.nsecFor(q)])), 'V-NSEC-WCNODATA-TYPE', 6);
});

test('referral to an unsigned child: the NSEC at the delegation proves no DS', () => {
  const ns = z.get('insecure', RRType.NS);
  const q = N('host.insecure');
  const v = run(response(q, A, Rcode.NOERROR, [], [ns, z.nsecFor(N('insecure'))]));
  assert.equal(v.kind, 'referral');
  assert.equal(v.status, 'secure');
  assert.equal(v.delegation?.child, 'insecure');
  assert.equal(v.delegation.name.toString(), 'insecure.example.');
  assert.equal(v.denial?.kind, 'no-ds');
  expectBogus(run(response(q, A, Rcode.NOERROR, [], [ns])), 'V-REF-NODS', 12);
  // The NSEC of a signed delegation (it lists DS) cannot prove an unsigned one.
  expectBogus(run(response(N('host.sub'), A, Rcode.NOERROR, [], [z.get('sub', RRType.NS), z.nsecFor(N('sub'))])), 'V-NSEC-REF-NONS', 6);
});

test('referral to a signed child: the DS RRset is validated and handed over', () => {
  const v = run(response(N('host.sub'), A, Rcode.NOERROR, [], [z.get('sub', RRType.NS), z.get('sub', RRType.DS)]));
  assert.equal(v.kind, 'referral');
  assert.equal(v.status, 'secure');
  assert.equal(v.delegation?.child, 'secure');
  assert.equal(v.delegation.ds?.rdatas.length, 1);
  const bad = run(response(N('host.sub'), A, Rcode.NOERROR, [], [z.get('sub', RRType.NS), editSigs(z.get('sub', RRType.DS), { flipSignature: true })]));
  expectBogus(bad, 'V-RRSIG-CRYPTO', 6);
  assert.equal(bad.delegation?.child, 'bogus');
});

test('DS NODATA at an insecure delegation; the same parent-side NSEC cannot deny other types (RFC 6840 §4.1)', () => {
  const nsec = z.nsecFor(N('insecure'));
  const v = run(response(N('insecure'), RRType.DS, Rcode.NOERROR, [], [soa, nsec]));
  assert.equal(v.status, 'secure');
  assert.equal(v.denial?.kind, 'nodata');
  assert.ok(v.denial.types?.includes(RRType.NS));
  expectBogus(run(response(N('insecure'), A, Rcode.NOERROR, [], [soa, nsec])), 'V-NSEC-NODATA-PARENT', 6);
  // Nor prove names below the delegation absent.
  expectBogus(run(response(N('a.insecure'), A, Rcode.NXDOMAIN, [], [soa, nsec, z.nsecFor(N('*'))])), 'V-NSEC-NXD-NOCOVER', 12);
});

test('zone status from keysFor: need-keys, insecure, bogus, indeterminate; signer checks', () => {
  const resp = response(N('www'), A, Rcode.NOERROR, [z.get('www', A)]);
  const need = validateResponse(resp, () => undefined, createValidationEnv(NOW, backend), backend);
  assert.equal(need.status, 'need-keys');
  assert.deepEqual(
    need.zones.map((n) => n.toString()),
    ['example.'],
  );
  assert.equal(run(resp, () => ({ status: 'insecure' })).status, 'insecure');
  const b = run(resp, () => ({ status: 'bogus' }));
  expectBogus(b, 'V-ZONE-BOGUS', 6);
  const ind = run(resp, () => ({ status: 'indeterminate' }));
  assert.equal(ind.status, 'indeterminate');
  assert.deepEqual([ind.reason?.tag, ind.reason?.ede], ['V-ZONE-INDET', 5]);
  // keysFor says the signer is inside zone "." (not an apex): the signature cannot be judged.
  expectBogus(run(resp, () => secureZone(new ZoneKeySet(Name.ROOT, KEYS.keys))), 'V-SIGNER-NOTZONE', 9);
  // Records renamed outside the signer's zone.
  expectBogus(run(response(Name.parse('www.example.net.'), A, Rcode.NOERROR, [renamed(z.get('www', A), Name.parse('www.example.net.'))])), 'V-SIGNER-SCOPE', 6);
});

test('the async form gives the same verdict as the sync form', async () => {
  const q = N('x.wild');
  const resp = response(q, RRType.TXT, Rcode.NOERROR, [z.get('alias', RRType.CNAME), renamed(z.get('*.wild', RRType.TXT), q)], [z.nsecFor(q)]);
  const sync = validateResponse(resp, keysFor, createValidationEnv(NOW, backend), backend);
  const asyncV = await validateResponseAsync(resp, keysFor, createValidationEnv(NOW, backend), backend);
  assert.deepEqual(asyncV, sync);
});

test('validateResponseSoon: no promise when no check is asked for, else the async verdict', async () => {
  const q = N('x.wild');
  const resp = response(q, RRType.TXT, Rcode.NOERROR, [z.get('alias', RRType.CNAME), renamed(z.get('*.wild', RRType.TXT), q)], [z.nsecFor(q)]);
  // Keys missing: need-keys before any signature check, as a value.
  const need = validateResponseSoon(resp, () => undefined, createValidationEnv(NOW, backend), backend);
  assert.ok(!(need instanceof Promise), 'need-keys comes without a promise');
  assert.deepEqual(need, validateResponse(resp, () => undefined, createValidationEnv(NOW, backend), backend), 'the same need-keys as the sync form');
  // An insecure zone needs no check either.
  const insecure = validateResponseSoon(resp, () => ({ status: 'insecure' }), createValidationEnv(NOW, backend), backend);
  assert.ok(!(insecure instanceof Promise) && insecure.status === 'insecure', 'insecure comes without a promise');
  // Signatures to check: a promise, and the verdict of the other forms.
  const soon = validateResponseSoon(resp, keysFor, createValidationEnv(NOW, backend), backend);
  assert.ok(soon instanceof Promise, 'checks to make give a promise');
  const sync = validateResponse(resp, keysFor, createValidationEnv(NOW, backend), backend);
  assert.deepEqual(await soon, sync, 'same verdict as the sync form');
  assert.deepEqual(await validateResponseAsync(resp, keysFor, createValidationEnv(NOW, backend), backend), sync, 'and as the async form');
});

test('qtype ANY: every RRset at the name is judged', () => {
  const v = run(response(N('www'), RRType.ANY, Rcode.NOERROR, [z.get('www', A), z.get('www', RRType.SSHFP)]));
  assert.equal(v.status, 'secure');
  assert.equal(v.rrsets.length, 2);
  assert.equal(v.work.validations, 2);
});

test('an NSEC whose span leaves the signer zone proves nothing (RFC 4035 §5.4)', () => {
  const P = (s: string): Name => Name.parse(s);
  const zone = P('example.com.');
  const apex: NsecRecord = { owner: zone, next: P('abc.example.com.'), types: new Set([RRType.SOA, RRType.NS, RRType.NSEC]) };
  const overreach: NsecRecord = { owner: P('wab.example.com.'), next: P('wzz.foo.com.'), types: new Set([A, RRType.NSEC]) };
  const inside: NsecRecord = { owner: P('wab.example.com.'), next: P('wzz.example.com.'), types: new Set([A, RRType.NSEC]) };
  const q = P('www.example.com.');
  assert.ok(!nsecInZone(overreach, zone), 'next name outside the zone');
  assert.ok(nsecInZone(inside, zone), 'owner and next inside the zone');
  assert.ok(!nsecProvesAbsent(overreach, q, zone), 'the overreaching span covers nothing');
  const r = proveNxdomainNsec([apex, overreach], q, zone);
  assert.equal(r.status, 'bogus', 'NXDOMAIN resting on an overreaching NSEC');
  assert.equal(r.reason.tag, 'V-NSEC-OUTZONE');
  assert.equal(r.reason.ede, 6);
  assert.equal(proveNxdomainNsec([apex, inside], q, zone).status, 'secure', 'the same proof within the zone');
  // An owner outside the zone cannot match a name of the zone either.
  const foreign: NsecRecord = { owner: P('sub.example.com.'), next: P('example.net.'), types: new Set([RRType.NS]) };
  assert.equal(proveNoDsAtReferralNsec([foreign], P('sub.example.com.'), zone).status, 'bogus', 'referral NSEC with a next name outside');
});

test('an NSEC validated as a wildcard expansion proves no denial (RFC 4592 §4.7)', () => {
  const q = N('x.wild');
  const expanded = renamed(z.nsecFor(N('*.wild')), q);
  // The NSEC at *.wild lacks A; expanded to x.wild it would claim NODATA for x.wild.
  const v = run(response(q, A, Rcode.NOERROR, [], [soa, expanded]));
  assert.equal(v.status, 'bogus', `expanded NSEC used as NODATA proof: ${JSON.stringify(v.reason)}`);
  // Nor deny the DS of a delegation a wildcard would synthesise.
  const ds = run(response(q, RRType.DS, Rcode.NOERROR, [], [soa, expanded]));
  assert.equal(ds.status, 'bogus', `expanded NSEC used to deny a DS: ${JSON.stringify(ds.reason)}`);
});

test('a question for type RRSIG: the signatures alone are the answer, insecure (RFC 4035 §2.2); ignored for other types', () => {
  const www = z.get('www', A);
  const records = www.rrsigs.map((rdata) => ({ name: www.rrset.name, type: RRType.RRSIG, class: 1, ttl: 3600, rdata }));
  const grouped = groupSigned(records);
  assert.equal(grouped.length, 1);
  assert.equal(grouped[0]?.rrset.type, RRType.RRSIG);
  assert.equal(grouped[0].rrsigs.length, 0);
  const v = run(response(N('www'), RRType.RRSIG, Rcode.NOERROR, grouped));
  assert.equal(v.status, 'insecure', JSON.stringify(v.reason));
  assert.equal(v.kind, 'answer');
  assert.equal(v.rrsets[0]?.rrset.type, RRType.RRSIG);
  // The same signatures without their data answer no other question.
  const a = run(response(N('www'), A, Rcode.NOERROR, grouped));
  assert.notEqual(a.kind, 'answer');
  assert.notEqual(a.status, 'secure');
  // With their data present they pair with it and form no RRSIG RRset.
  const withData = groupSigned([...www.rrset.rdatas.map((rdata) => ({ name: www.rrset.name, type: A, class: 1, ttl: 3600, rdata })), ...records]);
  assert.deepEqual(
    withData.map((s) => s.rrset.type),
    [A],
  );
});
