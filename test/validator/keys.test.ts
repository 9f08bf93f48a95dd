// DNSKEY RRset validation against DS and trust anchors (RFC 4035 §5.2), on the BIND-signed vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { RRType } from '../../src/wire/constants.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { createAlgorithmPolicy } from '../../src/dnssec/algorithms.js';
import { validateDnskeys, validateDnskeysAsync, zoneStatusOf } from '../../src/dnssec/key-validator.js';
import { createValidationEnv, parseDnskey, validatorOptions } from '../../src/dnssec/rrset-validator.js';
import { NOW, editSigs, loadVector, stripSigs, utc, withSigs } from './helpers/zone-data.js';

const backend = createNodeBackend();
const ecdsa = loadVector('example.ecdsap256sha256-nsec.signed', 'keys/ECDSAP256SHA256/dsset-example.');
const rsa = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
const ed = loadVector('example.ed25519-nsec3-salt-optout.signed', 'keys/ED25519/dsset-example.');

const env = (now = NOW, opts = validatorOptions()) => createValidationEnv(now, backend, opts);

/** The KSK (SEP flag) RDATA of a zone. */
function ksk(z: typeof ecdsa): Uint8Array {
  const k = z.dnskeys().rrset.rdatas.find((r) => (parseDnskey(r)!.flags & 1) === 1);
  assert.ok(k);
  return k;
}

test('each vector DNSKEY RRset validates against its dsset, via the KSK', () => {
  for (const z of [ecdsa, rsa, ed]) {
    assert.ok(z.ds.length > 0);
    const v = validateDnskeys(env(), z.dnskeys(), z.trust(), backend);
    assert.equal(v.status, 'secure', JSON.stringify(v));
    assert.equal(v.keyTag, parseDnskey(ksk(z))!.tag);
    assert.equal(v.keys.zone.toString(), 'example.');
    assert.equal(v.keys.keys.length, 2);
  }
});

test('the async form gives the same verdict', async () => {
  const v = await validateDnskeysAsync(env(), rsa.dnskeys(), rsa.trust(), backend);
  assert.equal(v.status, 'secure');
});

test('trust anchors in DNSKEY form and in DS form', () => {
  const dnskeyAnchor = validateDnskeys(env(), ed.dnskeys(), { zone: ed.origin, ds: [], dnskeys: [ksk(ed)] }, backend);
  assert.equal(dnskeyAnchor.status, 'secure');
  const dsAnchor = validateDnskeys(env(), ed.dnskeys(), { zone: ed.origin, ds: [makeDsRdata(ed.origin, ksk(ed), 4)] }, backend);
  assert.equal(dsAnchor.status, 'secure');
});

test('DS mismatch: no DNSKEY matches the DS → bogus, EDE 9 (V-DNSKEY-NOMATCH)', () => {
  const bad = ecdsa.ds.map((d) => {
    const c = d.slice();
    c[c.length - 1]! ^= 0xff;
    return c;
  });
  const v = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: bad }, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-DNSKEY-NOMATCH');
  assert.equal(v.reason.ede, 9);
});

test('DNSKEY anchor not in the zone → bogus (the anchor key signed nothing), EDE 9', () => {
  const v = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: [], dnskeys: [ksk(ed)] }, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.ede, 9);
});

test('wrong key: the DS of another zone → bogus, EDE 9', () => {
  const v = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: ed.ds }, backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-DNSKEY-NOMATCH');
});

test('only the ZSK signs the DNSKEY RRset → the designated KSK has no signature: bogus, EDE 9', () => {
  const dk = ecdsa.dnskeys();
  const kskTag = parseDnskey(ksk(ecdsa))!.tag;
  const onlyZsk = withSigs(
    dk,
    dk.rrsigs.filter((r) => ((r[16]! << 8) | r[17]!) !== kskTag),
  );
  const v = validateDnskeys(env(), onlyZsk, ecdsa.trust(), backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-RRSIG-NOKEY');
  assert.equal(v.reason.ede, 9);
});

test('DNSKEY RRset without RRSIG → bogus, EDE 10; absent → bogus, EDE 9', () => {
  const v = validateDnskeys(env(), stripSigs(ecdsa.dnskeys()), ecdsa.trust(), backend);
  assert.equal(v.status, 'bogus');
  assert.deepEqual([v.reason.tag, v.reason.ede], ['V-RRSIG-NONE', 10]);
  const none = validateDnskeys(env(), undefined, ecdsa.trust(), backend);
  assert.equal(none.status, 'bogus');
  assert.deepEqual([none.reason.tag, none.reason.ede], ['V-DNSKEY-NONE', 9]);
});

test('expired and not-yet-valid DNSKEY signatures → EDE 7 and 8', () => {
  const late = validateDnskeys(env(utc(2038, 1, 1)), ecdsa.dnskeys(), ecdsa.trust(), backend);
  assert.equal(late.status, 'bogus');
  assert.deepEqual([late.reason.tag, late.reason.ede, late.reason.bound], ['V-RRSIG-EXP', 7, 'expiration']);
  const early = validateDnskeys(env(utc(2023, 6, 1)), ecdsa.dnskeys(), ecdsa.trust(), backend);
  assert.equal(early.status, 'bogus');
  assert.deepEqual([early.reason.tag, early.reason.ede, early.reason.bound], ['V-RRSIG-NYV', 8, 'inception']);
});

test('corrupted KSK signature over the DNSKEY RRset → bogus, EDE 6', () => {
  const v = validateDnskeys(env(), editSigs(ecdsa.dnskeys(), { flipSignature: true }), ecdsa.trust(), backend);
  assert.equal(v.status, 'bogus');
  assert.deepEqual([v.reason.tag, v.reason.ede], ['V-RRSIG-CRYPTO', 6]);
});

test('unsupported DS digest only → insecure, EDE 2; unsupported algorithm only → insecure, EDE 1', () => {
  const gost = ecdsa.ds.map((d) => {
    const c = d.slice();
    c[3] = 3; // GOST R 34.11-94
    return c;
  });
  const v1 = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: gost }, backend);
  assert.equal(v1.status, 'insecure');
  assert.deepEqual([v1.reason?.tag, v1.reason?.ede], ['V-DS-DIGEST-UNSUP', 2]);

  const no13 = validatorOptions({ policy: createAlgorithmPolicy({ validate: [8, 15] }) });
  const v2 = validateDnskeys(env(NOW, no13), ecdsa.dnskeys(), ecdsa.trust(), backend);
  assert.equal(v2.status, 'insecure');
  assert.deepEqual([v2.reason?.tag, v2.reason?.ede], ['V-DS-ALG-UNSUP', 1]);

  const v3 = validateDnskeys(env(NOW, no13), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: [], dnskeys: [ksk(ecdsa)] }, backend);
  assert.equal(v3.status, 'insecure');
  assert.deepEqual([v3.reason?.tag, v3.reason?.ede], ['V-TA-ALG-UNSUP', 1]);
});

test('RFC 4509 §3: a SHA-1 DS is ignored when a SHA-256 DS is present', () => {
  const k = ksk(ecdsa);
  const sha1 = makeDsRdata(ecdsa.origin, k, 1);
  const sha256 = makeDsRdata(ecdsa.origin, k, 2);
  sha256[sha256.length - 1]! ^= 1; // the strong digest is wrong, the weak one right
  const v = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: [sha1, sha256] }, backend);
  assert.equal(v.status, 'bogus');
  const alone = validateDnskeys(env(), ecdsa.dnskeys(), { zone: ecdsa.origin, ds: [sha1] }, backend);
  assert.equal(alone.status, 'secure');
});

test('a designated key without the Zone Key flag → bogus, EDE 11', () => {
  const dk = ecdsa.dnskeys();
  const k = ksk(ecdsa);
  const noZone = k.slice();
  noZone[0] = 0; // flags 0x0001: SEP only
  const rdatas = dk.rrset.rdatas.map((r) => (r === k ? noZone : r));
  const ds = makeDsRdata(ecdsa.origin, noZone, 2);
  const v = validateDnskeys(env(), { rrset: { ...dk.rrset, rdatas }, rrsigs: dk.rrsigs }, { zone: ecdsa.origin, ds: [ds] }, backend);
  assert.equal(v.status, 'bogus');
  assert.deepEqual([v.reason.tag, v.reason.ede], ['V-DNSKEY-NOZONEBIT', 11]);
});

test('a DNSKEY RRset under another owner → bogus', () => {
  const dk = ecdsa.dnskeys();
  const v = validateDnskeys(env(), { rrset: { ...dk.rrset, name: ecdsa.name('www') }, rrsigs: dk.rrsigs }, ecdsa.trust(), backend);
  assert.equal(v.status, 'bogus');
  assert.equal(v.reason.tag, 'V-DNSKEY-OWNER');
  assert.equal(RRType.DNSKEY, 48);
});

test('zoneStatusOf turns a key verdict into what keysFor answers', () => {
  const v = validateDnskeys(env(), ecdsa.dnskeys(), ecdsa.trust(), backend);
  const zs = zoneStatusOf(v);
  assert.equal(zs.status, 'secure');
  assert.equal(zs.keys.zone.toString(), 'example.');
  assert.deepEqual(zoneStatusOf({ status: 'insecure' }), { status: 'insecure' });
});

// harden-algo-downgrade (key-validator.ts step 1 and 3; Unbound's option of the same name).
const hardened = (v: boolean | undefined) => env(NOW, validatorOptions({ hardenAlgoDowngrade: v }));

test('a wrong SHA-256 DS beside a right SHA-1 DS: ignored SHA-1 by default (RFC 4509 §3), used when not hardened, not when hardened', () => {
  const key = ksk(ecdsa);
  const sha1 = makeDsRdata(ecdsa.origin, key, 1);
  const sha256 = makeDsRdata(ecdsa.origin, key, 2);
  sha256[sha256.length - 1]! ^= 0xff;
  const trust = { zone: ecdsa.origin, ds: [sha1, sha256] };
  const byDefault = validateDnskeys(hardened(undefined), ecdsa.dnskeys(), trust, backend);
  assert.equal(byDefault.status, 'bogus', 'default: only the SHA-256 DS counts');
  assert.equal(byDefault.reason.tag, 'V-DNSKEY-NOMATCH');
  assert.equal(validateDnskeys(hardened(false), ecdsa.dnskeys(), trust, backend).status, 'secure', 'lenient: the SHA-1 DS designates the key');
  assert.equal(validateDnskeys(hardened(true), ecdsa.dnskeys(), trust, backend).status, 'bogus', 'hardened: only the strongest digest');
});

test('hardened: every algorithm of the DS RRset must sign the DNSKEY RRset; otherwise one is enough', () => {
  // The zone's own DS (ECDSA) plus a DS for an RSA key it does not publish.
  const trust = { zone: ecdsa.origin, ds: [...ecdsa.ds, makeDsRdata(ecdsa.origin, ksk(rsa), 2)] };
  const v = validateDnskeys(hardened(true), ecdsa.dnskeys(), trust, backend);
  assert.equal(v.status, 'bogus', 'the RSA algorithm signs nothing');
  assert.equal(v.reason.tag, 'V-DNSKEY-ALGMISSING');
  assert.equal(v.reason.ede, 6);
  assert.equal(validateDnskeys(hardened(undefined), ecdsa.dnskeys(), trust, backend).status, 'secure', 'default: one algorithm suffices (RFC 6840 §5.11)');
  assert.equal(validateDnskeys(hardened(false), ecdsa.dnskeys(), trust, backend).status, 'secure');
  assert.equal(validateDnskeys(hardened(true), ecdsa.dnskeys(), ecdsa.trust(), backend).status, 'secure', 'hardened, one algorithm that signs: secure');
});
