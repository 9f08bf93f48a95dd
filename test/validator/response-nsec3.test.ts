// Whole responses from the NSEC3-signed vectors: RSA/SHA-256 (no salt, 0 iterations) and Ed25519
// (salt AABBCCDD, 1 iteration, opt-out). Proofs, opt-out, RFC 9276 caps and the hash budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import {
  createValidationEnv,
  validatorOptions,
  type BatchSignatureVerifier,
  type SignedRRset,
  type ValidatorOptions,
  type VerifyJob,
} from '../../src/dnssec/rrset-validator.js';
import {
  validateResponse,
  validateResponseAsync,
  type KeysFor,
  type ResponseToValidate,
  type ResponseVerdict,
} from '../../src/dnssec/response-validator.js';
import { NOW, keysTable, loadVector, renamed, response, secureZone, type SignedZone } from './helpers/zone-data.js';

const backend = createNodeBackend();
const rsa = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
const ed = loadVector('example.ed25519-nsec3-salt-optout.signed', 'keys/ED25519/dsset-example.');

function keysForZone(z: SignedZone): KeysFor {
  const v = validateDnskeys(createValidationEnv(NOW, backend), z.dnskeys(), z.trust(), backend);
  assert.equal(v.status, 'secure');
  return keysTable([
    [Name.ROOT, { status: 'insecure' }],
    [z.origin, secureZone(v.keys)],
  ]);
}
const KF = new Map<SignedZone, KeysFor>([
  [rsa, keysForZone(rsa)],
  [ed, keysForZone(ed)],
]);

function run(z: SignedZone, resp: ResponseToValidate, opts: ValidatorOptions = validatorOptions()): ResponseVerdict {
  const out = validateResponse(resp, KF.get(z)!, createValidationEnv(NOW, backend, opts), backend);
  assert.notEqual(out.status, 'need-keys');
  return out as ResponseVerdict;
}

function expect(v: ResponseVerdict, status: string, tag: string, ede: number): void {
  assert.equal(v.status, status, `expected ${status} ${tag}, got ${v.status} ${JSON.stringify(v.reason)}`);
  assert.equal(v.reason?.tag, tag);
  assert.equal(v.reason.ede, ede);
}

/** Distinct records, in order. */
function uniq(...sets: SignedRRset[]): SignedRRset[] {
  return sets.filter((s, i) => sets.indexOf(s) === i);
}

/** The NSEC3 records of an NXDOMAIN proof for `q` with closest encloser `ce`. */
function nxProof(z: SignedZone, q: string, ce: string): { ce: SignedRRset; nc: SignedRRset; wc: SignedRRset } {
  const qn = z.name(q);
  const cen = z.name(ce);
  assert.ok(z.hasNsec3Match(cen));
  const nc = qn.suffix(cen.labelCount + 1);
  return { ce: z.nsec3For(cen), nc: z.nsec3For(nc), wc: z.nsec3For(cen.prepend(Uint8Array.of(0x2a))) };
}

test('NSEC3 NXDOMAIN (both vectors): closest encloser, next closer, wildcard; insecure under opt-out', () => {
  for (const z of [rsa, ed]) {
    const p = nxProof(z, 'nx', '@');
    const v = run(z, response(z.name('nx'), RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc)));
    // RFC 5155 §9.2: ed's records all have Opt-Out, so its name error is not authenticated.
    assert.equal(v.status, z === ed ? 'insecure' : 'secure', JSON.stringify(v.reason));
    assert.equal(v.reason, undefined, 'no EDE either way');
    assert.equal(v.denial?.kind, 'nxdomain');
    assert.equal(v.denial.optOut, z === ed);
    assert.equal(v.denial.via, 'nsec3');
    assert.equal(v.denial.closestEncloser?.toString(), 'example.');
    assert.ok(v.work.nsec3Hashes >= 3 && v.work.nsec3Hashes <= 4);
  }
});

test('NSEC3 NXDOMAIN broken one way at a time: no closest encloser, next closer not covered, wildcard not covered', () => {
  const z = rsa;
  const soa = z.get('@', RRType.SOA);
  const q = z.name('nx.www');
  const p = nxProof(z, 'nx.www', 'www');
  assert.equal(run(z, response(q, RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, p.nc, p.wc))).status, 'secure');
  // Each record dropped, when it is not also one of the others.
  if (p.ce !== p.nc && p.ce !== p.wc) expect(run(z, response(q, RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.nc, p.wc))), 'bogus', 'V-NSEC3-NOCE', 12);
  if (p.nc !== p.ce && p.nc !== p.wc) expect(run(z, response(q, RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, p.wc))), 'bogus', 'V-NSEC3-NC', 12);
  if (p.wc !== p.ce && p.wc !== p.nc) expect(run(z, response(q, RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, p.nc))), 'bogus', 'V-NSEC3-WC', 12);
  // "NSEC3 not covering": the next closer's record swapped for another span.
  const other = z.nsec3For(z.name('mail'));
  assert.ok(other !== p.nc);
  expect(run(z, response(q, RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, other, p.wc))), 'bogus', 'V-NSEC3-NC', 12);
  // NXDOMAIN for a name that exists.
  expect(run(z, response(z.name('www'), RRType.A, Rcode.NXDOMAIN, [], [soa, z.nsec3For(z.name('www'))])), 'bogus', 'V-NSEC3-NXD-EXISTS', 6);
});

test('NSEC3 NODATA, empty non-terminal NODATA, wildcard NODATA', () => {
  const z = rsa;
  const soa = z.get('@', RRType.SOA);
  const nodata = run(z, response(z.name('www'), RRType.MX, Rcode.NOERROR, [], [soa, z.nsec3For(z.name('www'))]));
  assert.equal(nodata.status, 'secure');
  assert.equal(nodata.denial?.kind, 'nodata');
  expect(run(z, response(z.name('www'), RRType.A, Rcode.NOERROR, [], [soa, z.nsec3For(z.name('www'))])), 'bogus', 'V-NSEC3-NODATA-TYPE', 6);
  expect(run(z, response(z.name('alias'), RRType.A, Rcode.NOERROR, [], [soa, z.nsec3For(z.name('alias'))])), 'bogus', 'V-NSEC3-NODATA-TYPE', 6);

  assert.ok(z.hasNsec3Match(z.name('b.ent')));
  const ent = run(z, response(z.name('b.ent'), RRType.A, Rcode.NOERROR, [], [soa, z.nsec3For(z.name('b.ent'))]));
  assert.equal(ent.status, 'secure');
  assert.equal(ent.denial?.kind, 'ent-nodata');

  const q = z.name('x.wild');
  const proof = uniq(soa, z.nsec3For(z.name('wild')), z.nsec3For(q), z.nsec3For(z.name('*.wild')));
  const wn = run(z, response(q, RRType.A, Rcode.NOERROR, [], proof));
  assert.equal(wn.status, 'secure', JSON.stringify(wn.reason));
  assert.equal(wn.denial?.kind, 'wildcard-nodata');
  expect(run(z, response(q, RRType.TXT, Rcode.NOERROR, [], proof)), 'bogus', 'V-NSEC3-WCNODATA-TYPE', 6);
});

test('NSEC3 wildcard answer: the next closer name must be covered (RFC 5155 §8.8); insecure under opt-out', () => {
  for (const z of [rsa, ed]) {
    const q = z.name('a.b.wild');
    const ans = renamed(z.get('*.wild', RRType.TXT), q);
    const v = run(z, response(q, RRType.TXT, Rcode.NOERROR, [ans], [z.nsec3For(z.name('b.wild'))]));
    if (z === ed) {
      // RFC 5155 §9.2: the span over the next closer b.wild has Opt-Out.
      assert.equal(v.status, 'insecure', JSON.stringify(v.reason));
      assert.equal(v.rrsets[0]?.status, 'insecure');
      assert.equal(v.rrsets[0].wildcardParent?.toString(), 'wild.example.');
    } else {
      assert.equal(v.status, 'secure', JSON.stringify(v.reason));
      assert.equal(v.wildcardProofs[0]?.kind, 'wildcard-answer');
    }
    expect(run(z, response(q, RRType.TXT, Rcode.NOERROR, [ans])), 'bogus', 'V-WILDCARD-NOPROOF', 12);
    expect(
      run(z, response(q, RRType.TXT, Rcode.NOERROR, [ans], [z.nsec3For(z.name('wild'))])),
      'bogus',
      'V-NSEC3-WILDCARD-NOPROOF',
      12,
    );
  }
});

test('referral to an unsigned child without opt-out: the matching NSEC3 has NS and no DS', () => {
  const z = rsa;
  const v = run(z, response(z.name('h.insecure'), RRType.A, Rcode.NOERROR, [], [z.get('insecure', RRType.NS), z.nsec3For(z.name('insecure'))]));
  assert.equal(v.kind, 'referral');
  assert.equal(v.status, 'secure');
  assert.equal(v.delegation?.child, 'insecure');
  // The signed delegation's NSEC3 lists DS.
  expect(
    run(z, response(z.name('h.sub'), RRType.A, Rcode.NOERROR, [], [z.get('sub', RRType.NS), z.nsec3For(z.name('sub'))])),
    'bogus',
    'V-NSEC3-REF-NONS',
    6,
  );
});

test('opt-out (RFC 5155 §6, §8.6, §8.9, §9.2): unsigned delegation → insecure, for DS and for other types; signed names stay provable', () => {
  const z = ed;
  const soa = z.get('@', RRType.SOA);
  const ins = z.name('insecure');
  assert.equal(z.hasNsec3Match(ins), false, 'opt-out: the unsigned delegation has no NSEC3');
  const ce = z.nsec3For(z.origin);
  const nc = z.nsec3For(ins);
  const ref = run(z, response(z.name('h.insecure'), RRType.A, Rcode.NOERROR, [], uniq(z.get('insecure', RRType.NS), ce, nc)));
  assert.equal(ref.kind, 'referral');
  assert.equal(ref.status, 'insecure');
  assert.equal(ref.delegation?.child, 'insecure');
  assert.equal(ref.denial?.optOut, true);

  const ds = run(z, response(ins, RRType.DS, Rcode.NOERROR, [], uniq(soa, ce, nc)));
  assert.equal(ds.status, 'insecure');
  assert.equal(ds.denial?.kind, 'no-ds');
  assert.equal(ds.denial.optOut, true);

  // Another type at a name in the opt-out span: the name may be an unsigned delegation, so the
  // NODATA is insecure (no AD), as Unbound judges it — never secure, never bogus.
  const other = run(z, response(ins, RRType.A, Rcode.NOERROR, [], uniq(soa, ce, nc)));
  assert.equal(other.status, 'insecure', JSON.stringify(other.reason));
  assert.equal(other.denial?.kind, 'nodata');
  assert.equal(other.denial.optOut, true);
  // A signed name inside the span cannot be denied with it either: it has its own NSEC3.
  expect(run(z, response(z.name('www'), RRType.MX, Rcode.NOERROR, [], uniq(soa, ce, nc))), 'bogus', 'V-NSEC3-NC', 12);
});

test('opt-out and the AD bit (RFC 5155 §9.2): proofs through an opt-out span are insecure, matches stay secure', () => {
  const z = ed;
  const soa = z.get('@', RRType.SOA);
  // NXDOMAIN below an existing name: the next closer is covered by an opt-out record.
  const p = nxProof(z, 'nx.www', 'www');
  const nx = run(z, response(z.name('nx.www'), RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, p.nc, p.wc)));
  assert.equal(nx.status, 'insecure', JSON.stringify(nx.reason));
  assert.equal(nx.kind, 'nxdomain');
  assert.equal(nx.denial?.optOut, true);
  // Wildcard NODATA: *.wild matches (TXT only), but x.wild sits in an opt-out span.
  const q = z.name('x.wild');
  const wn = run(z, response(q, RRType.A, Rcode.NOERROR, [], uniq(soa, z.nsec3For(z.name('wild')), z.nsec3For(q), z.nsec3For(z.name('*.wild')))));
  assert.equal(wn.status, 'insecure', JSON.stringify(wn.reason));
  assert.equal(wn.denial?.kind, 'wildcard-nodata');
  assert.equal(wn.denial.optOut, true);
  // A NODATA proven by the NSEC3 matching the name is secure: the flag on that record is irrelevant.
  assert.ok(z.hasNsec3Match(z.name('www')), 'www has its own NSEC3');
  const nodata = run(z, response(z.name('www'), RRType.MX, Rcode.NOERROR, [], [soa, z.nsec3For(z.name('www'))]));
  assert.equal(nodata.status, 'secure', JSON.stringify(nodata.reason));
  assert.equal(nodata.denial?.optOut, true);
  // An opt-out proof never hides a broken one: the wildcard's record left out is still bogus.
  expect(run(z, response(z.name('nx.www'), RRType.A, Rcode.NXDOMAIN, [], uniq(soa, p.ce, p.nc))), 'bogus', 'V-NSEC3-WC', 12);
});

test('RFC 9276: iterations over the cap → insecure, EDE 27; over the hard cap → bogus, EDE 27; salt over the cap → insecure', () => {
  const z = ed; // 1 iteration, 4-octet salt
  const p = nxProof(z, 'nx', '@');
  const resp = response(z.name('nx'), RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc));
  const it = run(z, resp, validatorOptions({ nsec3: { maxIterations: 0 } }));
  expect(it, 'insecure', 'V-NSEC3-ITER', 27);
  assert.equal(it.reason?.bound, 'iterations');
  assert.equal(it.work.nsec3Hashes, 0, 'nothing hashed over the cap');
  assert.equal(it.work.validations, 4, 'but the NSEC3 signatures were checked');
  expect(run(z, resp, validatorOptions({ nsec3: { maxIterations: 0, bogusIterationsAbove: 0 } })), 'bogus', 'V-NSEC3-ITER-HARD', 27);
  expect(run(z, resp, validatorOptions({ nsec3: { maxSaltLength: 2 } })), 'insecure', 'V-NSEC3-SALT', 27);
  // Within the caps the proof holds; insecure only for ed's opt-out span (RFC 5155 §9.2), no EDE.
  const within = run(z, resp);
  assert.equal(within.status, 'insecure');
  assert.equal(within.reason, undefined, 'no cap applied');
  assert.equal(within.denial?.kind, 'nxdomain');
});

test('NSEC3 hash budget (CVE-2023-50868): a 100-label name trips it → bogus, EDE 6', () => {
  const z = rsa;
  const deep = Name.fromLabels([...Array.from({ length: 100 }, () => Uint8Array.of(0x61)), ...z.origin.labels()]);
  const p = { ce: z.nsec3For(z.origin), nc: z.nsec3For(deep.suffix(2)), wc: z.nsec3For(z.name('*')) };
  const v = run(z, response(deep, RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc)));
  expect(v, 'bogus', 'V-BUDGET-NSEC3', 6);
  assert.equal(v.reason?.bound, 'maxNsec3HashesPerResponse');
  assert.equal(v.work.nsec3Hashes, 64);
  assert.equal(v.work.trips.maxNsec3HashesPerResponse, 1);
  // With a larger budget the same proof holds.
  const ok = run(z, response(deep, RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc)), validatorOptions({ budget: { maxNsec3HashesPerResponse: 200 } }));
  assert.equal(ok.status, 'secure', JSON.stringify(ok.reason));
  assert.equal(ok.work.nsec3Hashes, 102);
  // The apex and the wildcard now come from the memo across responses (nsec3-hash.ts), and are
  // charged all the same: the count, and the budget's verdict one hash short, do not change.
  const again = run(z, response(deep, RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc)), validatorOptions({ budget: { maxNsec3HashesPerResponse: 200 } }));
  assert.equal(again.status, 'secure', `memoised hashes prove the same: ${JSON.stringify(again.reason)}`);
  assert.equal(again.work.nsec3Hashes, 102, 'memoised hashes still counted');
  const short = run(z, response(deep, RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc)), validatorOptions({ budget: { maxNsec3HashesPerResponse: 101 } }));
  expect(short, 'bogus', 'V-BUDGET-NSEC3', 6);
  assert.equal(short.work.nsec3Hashes, 101, 'the budget stops at its bound with the memo warm');
});

test('batched verification: the checks of all RRsets of a response go out together', async () => {
  const z = rsa;
  const p = nxProof(z, 'nx', '@');
  const resp = response(z.name('nx'), RRType.A, Rcode.NXDOMAIN, [], uniq(z.get('@', RRType.SOA), p.ce, p.nc, p.wc));
  const batches: number[] = [];
  const counting: BatchSignatureVerifier = {
    supportsVerify: (a) => backend.supportsVerify(a),
    verifyBatch: (jobs: readonly VerifyJob[]) => {
      batches.push(jobs.length);
      return backend.verifyBatch(jobs);
    },
  };
  const v = await validateResponseAsync(resp, KF.get(z)!, createValidationEnv(NOW, backend), counting);
  assert.equal(v.status, 'secure');
  assert.deepEqual(batches, [resp.authority.length]);
  assert.deepEqual(v, run(z, resp));
});
