// A small hierarchy signed by BIND's dnssec-signzone at test time: parent p.test (NSEC) with a
// signed child c.p.test (NSEC3), an unsigned child ins.p.test, CNAMEs across the cuts; a child
// re-keyed behind its parent's back (DS mismatch); a zone whose signatures expired in 2020.
// The chain of trust is walked as the resolver will: anchor → DNSKEY → referral DS → DNSKEY → data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { validateDnskeys, type KeyVerdict } from '../../src/dnssec/key-validator.js';
import { createValidationEnv, type SignedRRset, type ZoneKeySet } from '../../src/dnssec/rrset-validator.js';
import { validateResponse, type KeysFor, type ResponseToValidate, type ResponseVerdict, type ZoneStatus } from '../../src/dnssec/response-validator.js';
import { dssetText, requireBindTools, signZone } from './helpers/bind.js';
import { NOW, keysTable, response, type SignedZone } from './helpers/zone-data.js';

const backend = createNodeBackend();
let dir = '';
let parent: SignedZone;
let child: SignedZone;
let rekeyed: SignedZone;
let expired: SignedZone;

const CHILD = `@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
ns A 192.0.2.53
www A 192.0.2.80`;

before(() => {
  requireBindTools();
  dir = mkdtempSync(join(tmpdir(), 'anchord-validator-'));
  child = signZone({ dir: join(dir, 'c'), origin: 'c.p.test.', text: CHILD, nsec3: { salt: '-', iterations: 0 } });
  rekeyed = signZone({ dir: join(dir, 'c2'), origin: 'c.p.test.', text: CHILD, nsec3: { salt: '-', iterations: 0 } });
  parent = signZone({
    dir: join(dir, 'p'),
    origin: 'p.test.',
    text: `@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
ns A 192.0.2.1
www A 192.0.2.10
c NS ns.c
ns.c A 192.0.2.53
${dssetText(join(dir, 'c'), 'c.p.test.')}
ins NS ns.ins
ns.ins A 192.0.2.54
tochild CNAME www.c.p.test.
toins CNAME www.ins.p.test.`,
  });
  expired = signZone({
    dir: join(dir, 'e'),
    origin: 'e.test.',
    text: `@ SOA ns hostmaster 1 7200 3600 1209600 300
@ NS ns
ns A 192.0.2.1
www A 192.0.2.2`,
    start: '20200101000000',
    end: '20200201000000',
  });
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const env = (now = NOW) => createValidationEnv(now, backend);

function keysOf(v: KeyVerdict): ZoneKeySet {
  assert.equal(v.status, 'secure', JSON.stringify(v));
  return v.keys;
}

function run(resp: ResponseToValidate, kf: KeysFor): ResponseVerdict {
  const out = validateResponse(resp, kf, env(), backend);
  assert.notEqual(out.status, 'need-keys');
  return out as ResponseVerdict;
}

/** The chain: anchor → p.test keys → referral DS for c.p.test → c.p.test keys. */
function walk(): { P: ZoneKeySet; C: ZoneKeySet; kf: KeysFor; ds: SignedRRset } {
  const P = keysOf(validateDnskeys(env(), parent.dnskeys(), parent.trust(), backend));
  const kfParent = keysTable([
    [Name.ROOT, { status: 'indeterminate' }],
    [parent.origin, { status: 'secure', keys: P }],
  ]);
  const ref = run(
    response(Name.parse('www.c.p.test.'), RRType.A, Rcode.NOERROR, [], [parent.get('c', RRType.NS), parent.get('c', RRType.DS)]),
    kfParent,
  );
  assert.equal(ref.kind, 'referral');
  assert.equal(ref.status, 'secure');
  assert.equal(ref.delegation?.child, 'secure');
  const ds = ref.delegation.ds!;
  const C = keysOf(validateDnskeys(env(), child.dnskeys(), { zone: child.origin, ds: ds.rdatas }, backend));
  const insecure: ZoneStatus = { status: 'insecure' };
  const kf = keysTable([
    [Name.ROOT, { status: 'indeterminate' }],
    [parent.origin, { status: 'secure', keys: P }],
    [child.origin, { status: 'secure', keys: C }],
    [Name.parse('ins.p.test.'), insecure],
  ]);
  return { P, C, kf, ds: parent.get('c', RRType.DS) };
}

test('anchor → DNSKEY → DS at the referral → child DNSKEY → child data: secure', () => {
  const { kf } = walk();
  const v = run(response(child.name('www'), RRType.A, Rcode.NOERROR, [child.get('www', RRType.A)]), kf);
  assert.equal(v.status, 'secure');
});

test('referral to the unsigned child: the parent NSEC proves no DS', () => {
  const { kf } = walk();
  const v = run(
    response(Name.parse('www.ins.p.test.'), RRType.A, Rcode.NOERROR, [], [parent.get('ins', RRType.NS), parent.nsecFor(parent.name('ins'))]),
    kf,
  );
  assert.equal(v.kind, 'referral');
  assert.equal(v.status, 'secure');
  assert.equal(v.delegation?.child, 'insecure');
});

test('CNAME across a secure cut: both links secure; into the unsigned child: insecure, not bogus', () => {
  const { kf } = walk();
  const cross = run(
    response(parent.name('tochild'), RRType.A, Rcode.NOERROR, [parent.get('tochild', RRType.CNAME), child.get('www', RRType.A)]),
    kf,
  );
  assert.equal(cross.status, 'secure');
  assert.equal(cross.work.validations, 2);
  const tail: SignedRRset = {
    rrset: { name: Name.parse('www.ins.p.test.'), type: RRType.A, class: 1, ttl: 300, rdatas: [Uint8Array.of(192, 0, 2, 99)] },
    rrsigs: [],
  };
  const toIns = run(response(parent.name('toins'), RRType.A, Rcode.NOERROR, [parent.get('toins', RRType.CNAME), tail]), kf);
  assert.equal(toIns.status, 'insecure');
  assert.deepEqual(
    toIns.rrsets.map((s) => s.status),
    ['secure', 'insecure'],
  );
  // The same unsigned record claimed inside the signed child: bogus.
  const forged = run(
    response(parent.name('tochild'), RRType.A, Rcode.NOERROR, [parent.get('tochild', RRType.CNAME), { ...tail, rrset: { ...tail.rrset, name: child.name('www') } }]),
    kf,
  );
  assert.equal(forged.status, 'bogus');
  assert.equal(forged.reason?.ede, 10);
});

test('NXDOMAIN in the NSEC3 child with its own proof', () => {
  const { kf } = walk();
  const q = child.name('nope');
  const ce = child.nsec3For(child.origin);
  const nc = child.nsec3For(q);
  const wc = child.nsec3For(child.name('*'));
  const auth = [child.get('@', RRType.SOA), ce, nc, wc].filter((s, i, a) => a.indexOf(s) === i);
  const v = run(response(q, RRType.A, Rcode.NXDOMAIN, [], auth), kf);
  assert.equal(v.status, 'secure', JSON.stringify(v.reason));
  // The parent's records cannot prove it (wrong zone).
  const fromParent = run(response(q, RRType.A, Rcode.NXDOMAIN, [], [parent.get('@', RRType.SOA), parent.nsecFor(parent.name('c'))]), kf);
  assert.equal(fromParent.status, 'bogus');
  assert.equal(fromParent.reason?.tag, 'V-NEG-NOPROOF');
});

test('DS mismatch: the child re-keyed without telling its parent → bogus, EDE 9', () => {
  const { ds } = walk();
  const v = validateDnskeys(env(), rekeyed.dnskeys(), { zone: rekeyed.origin, ds: ds.rrset.rdatas }, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-DNSKEY-NOMATCH');
  assert.equal(v.reason.ede, 9);
});

test('signatures that expired in 2020 (signed so by dnssec-signzone) → bogus, EDE 7', () => {
  const v = validateDnskeys(env(), expired.dnskeys(), expired.trust(), backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-RRSIG-EXP');
  assert.equal(v.reason.ede, 7);
  // Keys trusted while the signatures were valid do not make the data valid now.
  const then = Date.UTC(2020, 0, 15) / 1000;
  const K = keysOf(validateDnskeys(createValidationEnv(then, backend), expired.dnskeys(), expired.trust(), backend));
  const kf = keysTable([[expired.origin, { status: 'secure', keys: K }]]);
  const a = run(response(expired.name('www'), RRType.A, Rcode.NOERROR, [expired.get('www', RRType.A)]), kf);
  assert.equal(a.status, 'bogus');
  assert.equal(a.reason?.ede, 7);
});
