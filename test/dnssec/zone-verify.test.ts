// verifyZone (src/dnssec/zone-verify.ts) and `anchord verify-zone`:
// - unit cases on zones signed by a small test signer (zone-signer-for-tests.ts), each broken in
//   one place, for every rule the module states;
// - interop: zones signed by BIND's dnssec-signzone (ECDSAP256SHA256, RSASHA256, ED25519, each
//   with NSEC and NSEC3) must verify, and copies with one defect must fail with the fault at the
//   right owner and type — and BIND's dnssec-verify must agree on good and bad.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RRType, typeToString } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { decodeTyped, encodeRdata } from '../../src/wire/rdata.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { verifyZone, type SignatureVerifier, type ZoneFault, type ZoneVerifyOptions, type ZoneVerifyResult } from '../../src/dnssec/zone-verify.js';
import { nsec3Hash, nsec3OwnerName } from '../../src/dnssec/nsec3-hash.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { runCli } from '../../src/cli/main.js';
import { buildSignedZone, isSigFor, makeKey, rrsigFor, type BuildOptions, type TestKey } from './zone-signer-for-tests.js';

const n = (s: string): Name => Name.parse(s);
const ORIGIN = n('example.');
const NOW = 1_700_000_000;
const DAY = 86400;
const backend = createNodeBackend();

const ZONE = `$TTL 3600
@        SOA   ns1 hostmaster 1 7200 3600 1209600 300
@        NS    ns1
@        NS    ns2
ns1      A     192.0.2.1
ns2      A     192.0.2.2
www      A     192.0.2.10
www      AAAA  2001:db8::10
a.b.c    TXT   "below two empty non-terminals"
*.wild   TXT   "wildcard"
Mixed    MX    10 Mail.Example.
sub      NS    ns.sub
ns.sub   A     192.0.2.53
secure   NS    ns.secure
secure   DS    12345 13 2 0000000000000000000000000000000000000000000000000000000000000000
ns.secure A    192.0.2.54
x.y.ins  NS    ns.example.net.
dn       DNAME example.net.
below.dn A     192.0.2.99
`;

function faultText(f: ZoneFault): string {
  return `${f.severity}: ${f.owner.toString()} ${typeToString(f.type)}: ${f.reason}`;
}
const errorsOf = (r: ZoneVerifyResult): string[] => r.faults.filter((f) => f.severity === 'error').map(faultText);

function hasFault(r: ZoneVerifyResult, owner: string, type: number, pattern: RegExp, severity: 'error' | 'warning' = 'error'): void {
  const hit = r.faults.some((f) => f.owner.equals(n(owner)) && f.type === type && f.severity === severity && pattern.test(f.reason));
  assert.ok(hit, `expected ${severity} at ${owner} ${typeToString(type)} matching ${String(pattern)}; got:\n${r.faults.map(faultText).join('\n')}`);
}

// Keys are made once: Ed25519 and P-256 generation is quick, but there is no need to repeat it.
let ksk: TestKey;
let zsk: TestKey;
let ksk13: TestKey;
let zsk13: TestKey;

function build(o: Partial<BuildOptions> = {}, text = ZONE): ResourceRecord[] {
  return buildSignedZone(text, {
    origin: ORIGIN,
    ksks: [ksk],
    zsks: [zsk],
    denial: 'nsec',
    inception: NOW - DAY,
    expiration: NOW + 30 * DAY,
    ...o,
  });
}
const check = (records: readonly ResourceRecord[], options: ZoneVerifyOptions = {}, now = NOW, crypto: SignatureVerifier = backend): ZoneVerifyResult =>
  verifyZone(records, ORIGIN, crypto, now, options);

/** Replaces the RDATA of the first record matching, re-signing nothing. */
function replaceRdata(records: ResourceRecord[], match: (r: ResourceRecord) => boolean, rdata: Uint8Array): ResourceRecord[] {
  const i = records.findIndex(match);
  assert.ok(i >= 0, 'record to replace not found');
  return records.map((r, j) => (j === i ? { ...r, rdata } : r));
}

describe('verifyZone on test-signed zones', () => {
  before(() => {
    ksk = makeKey(257);
    zsk = makeKey(256);
    ksk13 = makeKey(257, 13);
    zsk13 = makeKey(256, 13);
  });

  it('a good NSEC zone verifies, with the summary filled in', () => {
    const r = check(build());
    assert.deepEqual(errorsOf(r), []);
    assert.deepEqual(r.faults, []);
    const s = r.summary;
    assert.equal(s.ok, true);
    assert.equal(s.denial, 'nsec');
    assert.deepEqual(s.requiredAlgorithms, [15]);
    assert.deepEqual(s.algorithms, [{ algorithm: 15, ksk: { active: 1, standby: 0, revoked: 0 }, zsk: { active: 1, standby: 0, revoked: 0 } }]);
    // apex ns1 ns2 www a.b.c *.wild mixed sub secure x.y.ins dn
    assert.equal(s.names, 11);
    assert.equal(s.goodSignatures, s.signatures);
  });

  for (const optOut of [false, true]) {
    it(`a good NSEC3 zone verifies (opt-out ${optOut})`, () => {
      const r = check(build({ denial: 'nsec3', salt: Uint8Array.of(0xaa, 0xbb), iterations: 3, optOut }));
      assert.deepEqual(errorsOf(r), []);
      assert.equal(r.summary.denial, 'nsec3');
      assert.equal(r.summary.nsec3Chains.length, 1);
      assert.equal(r.summary.nsec3Chains[0]!.optOut, optOut);
      // 11 names + ENTs b.c, c, wild, y.ins, ins; opt-out drops sub, x.y.ins, y.ins, ins.
      assert.equal(r.summary.nsec3Chains[0]!.records, optOut ? 12 : 16);
    });
  }

  it('a zone needs an SOA and DNSKEYs at the apex', () => {
    const noSoa = build().filter((r) => r.type !== RRType.SOA);
    hasFault(check(noSoa), 'example.', RRType.SOA, /no SOA/);
    const noKeys = build().filter((r) => r.type !== RRType.DNSKEY);
    hasFault(check(noKeys), 'example.', RRType.DNSKEY, /no DNSKEY/);
  });

  it('a changed RDATA octet makes the signature over it fail', () => {
    const recs = replaceRdata(build(), (r) => r.type === RRType.A && r.name.equals(n('www.example.')), Uint8Array.of(192, 0, 2, 11));
    const r = check(recs);
    hasFault(r, 'www.example.', RRType.A, /does not verify/);
    assert.equal(errorsOf(r).length, 1);
  });

  it('a missing RRSIG is reported at the RRset it should cover', () => {
    const recs = build().filter((r) => !isSigFor(r, n('www.example.'), RRType.AAAA));
    const r = check(recs);
    hasFault(r, 'www.example.', RRType.AAAA, /^no RRSIG$/);
    assert.equal(errorsOf(r).length, 1);
  });

  it('expired and not-yet-valid signatures are faults; times use serial arithmetic', () => {
    const recs = build();
    hasFault(check(recs, {}, NOW + 31 * DAY), 'www.example.', RRType.A, /expired \(expiration \d{14}\)/);
    hasFault(check(recs, {}, NOW - 2 * DAY), 'www.example.', RRType.A, /not yet valid/);
    // Signed across the 2^32 wrap (RFC 4034 §3.1.5): inception before, expiration after.
    const wrap = 2 ** 32;
    const across = build({ inception: wrap - DAY, expiration: wrap + 30 * DAY });
    assert.deepEqual(errorsOf(check(across, {}, wrap + DAY)), []);
    assert.deepEqual(errorsOf(check(across, {}, wrap - 2 * DAY)).length > 0, true);
  });

  it('an RRSIG whose key is not in the DNSKEY RRset, or whose signer is not the apex, is a fault', () => {
    const stranger = makeKey(256);
    const set = { name: n('www.example.'), type: RRType.A, class: 1, ttl: 3600, rdatas: [Uint8Array.of(192, 0, 2, 10)] };
    const extra = { name: set.name, type: RRType.RRSIG, class: 1, ttl: 3600, rdata: rrsigFor(set, stranger, ORIGIN, { inception: NOW - DAY, expiration: NOW + DAY }) };
    hasFault(check([...build(), extra]), 'www.example.', RRType.A, new RegExp(`key ${stranger.tag}: no zone DNSKEY`));
    const other = { ...extra, rdata: rrsigFor(set, zsk, ORIGIN, { inception: NOW - DAY, expiration: NOW + DAY, signer: n('example.net.') }) };
    hasFault(check([...build(), other]), 'www.example.', RRType.A, /signer example\.net\. is not the zone apex/);
  });

  it('an original TTL other than the RRset TTL is a fault', () => {
    const recs = build();
    const set = { name: n('www.example.'), type: RRType.A, class: 1, ttl: 3600, rdatas: [Uint8Array.of(192, 0, 2, 10)] };
    const bad = replaceRdata(recs, (r) => isSigFor(r, set.name, RRType.A), rrsigFor({ ...set, ttl: 60 }, zsk, ORIGIN, { inception: NOW - DAY, expiration: NOW + DAY }));
    hasFault(check(bad), 'www.example.', RRType.A, /original TTL 60 differs from the RRset TTL 3600/);
  });

  it('the wildcard owner is signed with Labels not counting `*`; another value is a fault', () => {
    const recs = build();
    const owner = n('*.wild.example.');
    const sig = recs.find((r) => isSigFor(r, owner, RRType.TXT))!;
    assert.equal(decodeTyped(RRType.RRSIG, sig.rdata).labels, 2);
    const txt = recs.find((r) => r.type === RRType.TXT && r.name.equals(owner))!;
    const set = { name: owner, type: RRType.TXT, class: 1, ttl: 3600, rdatas: [txt.rdata] };
    const bad = replaceRdata(recs, (r) => isSigFor(r, owner, RRType.TXT), rrsigFor(set, zsk, ORIGIN, { inception: NOW - DAY, expiration: NOW + DAY, labels: 3 }));
    hasFault(check(bad), '*.wild.example.', RRType.TXT, /labels field 3, expected 2/);
  });

  it('an RRSIG covering a type absent at its owner is a fault', () => {
    const set = { name: n('www.example.'), type: RRType.MX, class: 1, ttl: 3600, rdatas: [encodeRdata(RRType.MX, { preference: 1, exchange: n('mx.example.') })] };
    const sig = { name: set.name, type: RRType.RRSIG, class: 1, ttl: 3600, rdata: rrsigFor(set, zsk, ORIGIN, { inception: NOW - DAY, expiration: NOW + DAY }) };
    hasFault(check([...build(), sig]), 'www.example.', RRType.MX, /no such RRset/);
  });

  it('delegations: DS must be signed; NS and glue must not be (warnings), glue needs no RRSIG', () => {
    const recs = build().filter((r) => !isSigFor(r, n('secure.example.'), RRType.DS));
    hasFault(check(recs), 'secure.example.', RRType.DS, /^no RRSIG$/);

    const ns = { name: n('sub.example.'), type: RRType.NS, class: 1, ttl: 3600, rdatas: [encodeRdata(RRType.NS, { host: n('ns.sub.example.') })] };
    const glue = { name: n('ns.sub.example.'), type: RRType.A, class: 1, ttl: 3600, rdatas: [Uint8Array.of(192, 0, 2, 53)] };
    const opts = { inception: NOW - DAY, expiration: NOW + DAY };
    const signedCut = [
      ...build(),
      { name: ns.name, type: RRType.RRSIG, class: 1, ttl: 3600, rdata: rrsigFor(ns, zsk, ORIGIN, opts) },
      { name: glue.name, type: RRType.RRSIG, class: 1, ttl: 3600, rdata: rrsigFor(glue, zsk, ORIGIN, opts) },
    ];
    const r = check(signedCut);
    assert.equal(r.summary.ok, true, errorsOf(r).join('\n'));
    hasFault(r, 'sub.example.', RRType.NS, /non-authoritative data at a delegation/, 'warning');
    hasFault(r, 'ns.sub.example.', RRType.A, /below a zone cut/, 'warning');
  });

  it('data below a DNAME is occluded: no signature or NSEC needed', () => {
    const r = check(build());
    assert.ok(!r.faults.some((f) => f.owner.equals(n('below.dn.example.'))));
  });

  describe('NSEC chain', () => {
    it('a deleted NSEC is reported at its owner', () => {
      const recs = build().filter((r) => !(r.type === RRType.NSEC && r.name.equals(n('www.example.'))));
      const r = check(recs);
      hasFault(r, 'www.example.', RRType.NSEC, /^no NSEC record$/);
      hasFault(r, 'www.example.', RRType.NSEC, /no such RRset/);
    });

    it('a wrong next name and a wrong bitmap are reported', () => {
      const recs = build();
      const owner = n('www.example.');
      const nsec = decodeTyped(RRType.NSEC, recs.find((r) => r.type === RRType.NSEC && r.name.equals(owner))!.rdata);
      const isNsec = (r: ResourceRecord): boolean => r.type === RRType.NSEC && r.name.equals(owner);
      const badNext = replaceRdata(recs, isNsec, encodeRdata(RRType.NSEC, { next: n('zzz.example.'), types: nsec.types }));
      hasFault(check(badNext), 'www.example.', RRType.NSEC, new RegExp(`next name zzz\\.example\\., expected ${nsec.next.toString().replace(/\./g, '\\.')}`));
      const badMap = replaceRdata(recs, isNsec, encodeRdata(RRType.NSEC, { next: nsec.next, types: [RRType.A, RRType.MX, RRType.RRSIG, RRType.NSEC] }));
      hasFault(check(badMap), 'www.example.', RRType.NSEC, /type bitmap wrong: missing AAAA; lists absent MX/);
    });

    it('the bitmap at a delegation lists NS, DS, RRSIG, NSEC only; the next name is compared case-insensitively', () => {
      const recs = build();
      const sub = decodeTyped(RRType.NSEC, recs.find((r) => r.type === RRType.NSEC && r.name.equals(n('sub.example.')))!.rdata);
      assert.deepEqual(sub.types, [RRType.NS, RRType.RRSIG, RRType.NSEC]);
      const secure = decodeTyped(RRType.NSEC, recs.find((r) => r.type === RRType.NSEC && r.name.equals(n('secure.example.')))!.rdata);
      assert.deepEqual(secure.types, [RRType.NS, RRType.DS, RRType.RRSIG, RRType.NSEC]);
      // "Mixed" is kept in its case in the zone; the NSEC before it points at it in any case.
      assert.deepEqual(errorsOf(check(recs)), []);
    });

    it('an NSEC below a zone cut, or in an NSEC3 zone, is a fault', () => {
      const glueNsec = { name: n('ns.sub.example.'), type: RRType.NSEC, class: 1, ttl: 300, rdata: encodeRdata(RRType.NSEC, { next: n('example.'), types: [RRType.A] }) };
      hasFault(check([...build(), glueNsec]), 'ns.sub.example.', RRType.NSEC, /below a zone cut/);
      const stray = { ...glueNsec, name: n('www.example.') };
      hasFault(check([...build({ denial: 'nsec3' }), stray]), 'www.example.', RRType.NSEC, /apex has no NSEC chain/);
    });
  });

  describe('NSEC3 chain', () => {
    const salt = Uint8Array.of(0xab, 0xcd);
    const hashOwner = (name: string): Name => nsec3OwnerName(nsec3Hash(n(name), salt, 2), ORIGIN);
    const o3 = (optOut = false): Partial<BuildOptions> => ({ denial: 'nsec3', salt, iterations: 2, optOut });

    it('a deleted NSEC3 is reported at the name it stood for, and the chain break at its predecessor', () => {
      const owner = hashOwner('www.example.');
      const recs = build(o3()).filter((r) => !(r.type === RRType.NSEC3 && r.name.equals(owner)));
      const r = check(recs);
      hasFault(r, 'www.example.', RRType.NSEC3, /no NSEC3 record \(1 2 abcd\) for hash/);
      assert.ok(r.faults.some((f) => f.type === RRType.NSEC3 && /next hashed owner .* expected/.test(f.reason)), 'chain break reported');
    });

    it('empty non-terminals need an NSEC3 (and have an empty bitmap)', () => {
      const owner = hashOwner('b.c.example.');
      const recs = build(o3());
      const ent = decodeTyped(RRType.NSEC3, recs.find((r) => r.type === RRType.NSEC3 && r.name.equals(owner))!.rdata);
      assert.deepEqual(ent.types, []);
      hasFault(check(recs.filter((r) => !(r.type === RRType.NSEC3 && r.name.equals(owner)))), 'b.c.example.', RRType.NSEC3, /no NSEC3 record/);
    });

    it('insecure delegations (and ENTs above only them) may be missing only under Opt-Out', () => {
      assert.deepEqual(errorsOf(check(build(o3(true)))), []);
      // The same omission with the Opt-Out flag clear on every NSEC3.
      const recs = build(o3(true)).map((r) => {
        if (r.type !== RRType.NSEC3) return r;
        const d = decodeTyped(RRType.NSEC3, r.rdata);
        return { ...r, rdata: encodeRdata(RRType.NSEC3, { ...d, flags: 0 }) };
      });
      const r = check(recs);
      hasFault(r, 'sub.example.', RRType.NSEC3, /no Opt-Out NSEC3 covers it/);
      hasFault(r, 'ins.example.', RRType.NSEC3, /no Opt-Out NSEC3 covers it/);
      // A secure delegation is never optional.
      const secureOwner = hashOwner('secure.example.');
      hasFault(check(build(o3(true)).filter((x) => !(x.type === RRType.NSEC3 && x.name.equals(secureOwner)))), 'secure.example.', RRType.NSEC3, /^no NSEC3 record/);
    });

    it('a broken bitmap, an NSEC3 for no name, and a bad owner label are faults', () => {
      const recs = build(o3());
      const owner = hashOwner('www.example.');
      const isIt = (r: ResourceRecord): boolean => r.type === RRType.NSEC3 && r.name.equals(owner);
      const d = decodeTyped(RRType.NSEC3, recs.find(isIt)!.rdata);
      const bad = replaceRdata(recs, isIt, encodeRdata(RRType.NSEC3, { ...d, types: d.types.filter((t) => t !== RRType.AAAA) }));
      hasFault(check(bad), 'www.example.', RRType.NSEC3, /type bitmap wrong: missing AAAA/);

      const orphanHash = nsec3Hash(n('nowhere.example.'), salt, 2);
      const orphan = { name: nsec3OwnerName(orphanHash, ORIGIN), type: RRType.NSEC3, class: 1, ttl: 300, rdata: encodeRdata(RRType.NSEC3, { ...d, nextHashed: orphanHash }) };
      hasFault(check([...recs, orphan]), orphan.name.toString(), RRType.NSEC3, /hash of no name in the zone/);

      const badLabel = { ...orphan, name: n('not-a-hash.example.') };
      hasFault(check([...recs, badLabel]), 'not-a-hash.example.', RRType.NSEC3, /not a base32hex hash label/);
    });

    it('NSEC3 records without NSEC3PARAM, and chains with other parameters, are reported', () => {
      const recs = build(o3());
      hasFault(check(recs.filter((r) => r.type !== RRType.NSEC3PARAM)), 'example.', RRType.NSEC3PARAM, /no NSEC3PARAM/);
      const other = recs.map((r) => {
        if (r.type !== RRType.NSEC3PARAM) return r;
        return { ...r, rdata: encodeRdata(RRType.NSEC3PARAM, { hashAlgorithm: 1, flags: 0, iterations: 7, salt }) };
      });
      const r = check(other);
      assert.ok(r.faults.some((f) => f.type === RRType.NSEC3 && f.severity === 'warning' && /has no NSEC3PARAM/.test(f.reason)));
      hasFault(r, 'www.example.', RRType.NSEC3, /no NSEC3 record \(1 7 abcd\)/);
    });
  });

  describe('keys and algorithms (dnssec-verify rules)', () => {
    it('a zone signed with one KSK only needs -z; -x only drops the pairing check', () => {
      const csk = build({ ksks: [ksk], zsks: [ksk] });
      const r = check(csk);
      hasFault(r, 'example.', RRType.DNSKEY, /missing an active ZSK for algorithm ED25519/);
      assert.deepEqual(errorsOf(check(csk, { ignoreKskFlag: true })), []);
      assert.deepEqual(errorsOf(check(csk, { keysetKskOnly: true })), []);
    });

    it('without a self-signed KSK the zone fails (with -z a self-signed ZSK will do)', () => {
      const zskOnly = build({ ksks: [zsk], zsks: [zsk] });
      hasFault(check(zskOnly), 'example.', RRType.DNSKEY, /no self-signed KSK/);
      assert.deepEqual(errorsOf(check(zskOnly, { ignoreKskFlag: true })), []);
    });

    it('every RRset must be signed with every algorithm of an active KSK', () => {
      const two = build({ ksks: [ksk, ksk13], zsks: [zsk, zsk13] });
      assert.deepEqual(errorsOf(check(two)), []);
      assert.deepEqual(check(two).summary.requiredAlgorithms, [13, 15]);
      const missing = two.filter((r) => !(isSigFor(r, n('www.example.'), RRType.A) && r.rdata[2] === 13));
      hasFault(check(missing), 'www.example.', RRType.A, /no RRSIG with algorithm ECDSAP256SHA256/);
    });

    it('a stand-by key of another algorithm does not make that algorithm required', () => {
      const r = check(build({ standby: [makeKey(257, 13), makeKey(256, 13)] }));
      assert.deepEqual(errorsOf(r), []);
      assert.deepEqual(r.summary.requiredAlgorithms, [15]);
      assert.deepEqual(r.summary.algorithms.find((a) => a.algorithm === 13), { algorithm: 13, ksk: { active: 0, standby: 1, revoked: 0 }, zsk: { active: 0, standby: 1, revoked: 0 } });
    });

    it('a revoked KSK must sign the DNSKEY RRset (RFC 5011 §2.1)', () => {
      const revoked = makeKey(257 | 0x80);
      hasFault(check(build({ standby: [revoked] })), 'example.', RRType.DNSKEY, new RegExp(`revoked KSK ${revoked.tag}`));
      const r = check(build({ ksks: [ksk, revoked] }));
      assert.deepEqual(errorsOf(r), []);
      assert.equal(r.summary.algorithms[0]!.ksk.revoked, 1);
    });

    it('an algorithm the backend cannot verify is a warning, not a crash', () => {
      const blind: SignatureVerifier = { verify: () => false, supportsVerify: (alg) => alg !== 15 };
      const r = check(build(), {}, NOW, blind);
      hasFault(r, 'example.', RRType.DNSKEY, /not supported here/, 'warning');
    });
  });
});

// ---- BIND interop ----------------------------------------------------------------------------

const TOOLS = ['dnssec-keygen', 'dnssec-signzone', 'dnssec-verify', 'nsec3hash'];

function run(cmd: string, args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** YYYYMMDDHHmmSS for dnssec-signzone -s/-e. */
function bindTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

interface Variant {
  readonly alg: string;
  readonly bits?: number;
  readonly nsec3: boolean;
}

const VARIANTS: Variant[] = [];
for (const [alg, bits] of [['ECDSAP256SHA256'], ['RSASHA256', 2048], ['ED25519']] as const) {
  for (const nsec3 of [false, true]) VARIANTS.push(bits === undefined ? { alg, nsec3 } : { alg, bits, nsec3 });
}

const BIND_ZONE = `$ORIGIN example.
$TTL 3600
@        SOA   ns1 hostmaster 1 7200 3600 1209600 300
@        NS    ns1
@        NS    ns2
ns1      A     192.0.2.1
ns2      A     192.0.2.2
www      A     192.0.2.10
www      AAAA  2001:db8::10
a.b.c    TXT   "deep"
*.wild   TXT   "wildcard"
sub      NS    ns.sub
ns.sub   A     192.0.2.53
secure   NS    ns.secure
secure   DS    12345 13 2 0000000000000000000000000000000000000000000000000000000000000000
ns.secure A    192.0.2.54
`;

/** Record lines of a dnssec-signzone `-O full` file: one record per line, comments dropped. */
function recordLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
}
const fieldsOf = (line: string): string[] => line.trim().split(/\s+/);
const isRecord = (line: string, owner: string, type: string, covered?: string): boolean => {
  const f = fieldsOf(line);
  return f[0]!.toLowerCase() === owner && f[3] === type && (covered === undefined || f[4] === covered);
};

describe('verify-zone against BIND dnssec-signzone / dnssec-verify', () => {
  let dir: string;
  const now = Math.floor(Date.now() / 1000);

  before(() => {
    const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
    if (missing.length > 0) assert.fail(`missing ${missing.join(', ')}: \`npm run test:setup\` installs them (bind9-utils)`);
    dir = mkdtempSync(join(tmpdir(), 'anchord-verify-zone-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const v of VARIANTS) {
    const label = `${v.alg} ${v.nsec3 ? 'NSEC3' : 'NSEC'}`;
    describe(label, () => {
      let good: string[];
      let expiredLines: string[];
      let wd: string;

      /** Our verdict via the CLI, and dnssec-verify's exit status, on a variant of the zone. */
      async function both(name: string, lines: readonly string[]): Promise<{ ours: number; out: string[]; bind: number; bindText: string }> {
        const file = join(wd, `${name}.zone`);
        writeFileSync(file, lines.join('\n') + '\n');
        const out: string[] = [];
        const ours = await runCli(['verify-zone', '--now', String(now), file], { out: (l) => out.push(l), err: (l) => out.push(l) });
        const b = run('dnssec-verify', ['-o', 'example.', file], wd);
        return { ours, out, bind: b.status, bindText: b.stdout + b.stderr };
      }

      before(() => {
        wd = mkdtempSync(join(dir, `${v.alg}-${v.nsec3 ? 'nsec3' : 'nsec'}-`));
        const size = v.bits === undefined ? [] : ['-b', String(v.bits)];
        const kskName = run('dnssec-keygen', ['-q', '-a', v.alg, ...size, '-f', 'KSK', '-n', 'ZONE', 'example.'], wd).stdout.trim();
        const zskName = run('dnssec-keygen', ['-q', '-a', v.alg, ...size, '-n', 'ZONE', 'example.'], wd).stdout.trim();
        assert.match(kskName, /^Kexample\.\+\d{3}\+\d{5}$/);
        const keys = readFileSync(join(wd, `${kskName}.key`), 'utf8') + readFileSync(join(wd, `${zskName}.key`), 'utf8');
        writeFileSync(join(wd, 'unsigned.zone'), BIND_ZONE + keys);
        const chain = v.nsec3 ? ['-3', 'aabbccdd', '-H', '1', '-A'] : [];
        const sign = (out: string, from: number, to: number): string[] => {
          const r = run('dnssec-signzone', ['-q', '-P', '-O', 'full', ...chain, '-s', bindTime(from), '-e', bindTime(to), '-o', 'example.', '-f', out, 'unsigned.zone', kskName, zskName], wd);
          assert.equal(r.status, 0, r.stderr);
          return recordLines(readFileSync(join(wd, out), 'utf8'));
        };
        good = sign('good.zone', now - 3600, now + 30 * DAY);
        expiredLines = sign('expired.zone', now - 30 * DAY, now - DAY);
      });

      it('the signed zone verifies, and dnssec-verify agrees', async () => {
        const r = await both('good', good);
        assert.equal(r.bind, 0, r.bindText);
        assert.equal(r.ours, 0, r.out.join('\n'));
        assert.equal(r.out.length, 1);
        assert.match(r.out[0]!, /^example\.: zone verified: /);
      });

      it('the records parse and verify through the library too (no warnings)', () => {
        const z = parseZoneText(good.join('\n'), { origin: 'example.' });
        const res = verifyZone(z.records, ORIGIN, backend, now);
        assert.deepEqual(res.faults.map(faultText), []);
        assert.equal(res.summary.denial, v.nsec3 ? 'nsec3' : 'nsec');
      });

      const expectFault = (r: { ours: number; out: string[]; bind: number; bindText: string }, prefix: string, pattern: RegExp): void => {
        assert.notEqual(r.bind, 0, `dnssec-verify accepted it:\n${r.bindText}`);
        assert.equal(r.ours, 1, r.out.join('\n'));
        assert.ok(r.out.some((l) => l.startsWith(prefix) && pattern.test(l)), `expected "${prefix}… ${String(pattern)}" in:\n${r.out.join('\n')}`);
        assert.match(r.out[r.out.length - 1]!, /zone NOT verified/);
      };

      it('a flipped signature byte', async () => {
        const lines = good.map((l) => {
          if (!isRecord(l, 'www.example.', 'RRSIG', 'A')) return l;
          const f = fieldsOf(l);
          const s = f[12]!;
          f[12] = s.slice(0, 5) + (s[5] === 'A' ? 'B' : 'A') + s.slice(6);
          return f.join(' ');
        });
        expectFault(await both('flipped', lines), 'www.example. A:', /does not verify/);
      });

      it('a missing RRSIG', async () => {
        const lines = good.filter((l) => !isRecord(l, 'www.example.', 'RRSIG', 'AAAA'));
        expectFault(await both('no-rrsig', lines), 'www.example. AAAA:', /no RRSIG/);
      });

      it('an expired RRSIG', async () => {
        const old = expiredLines.find((l) => isRecord(l, 'www.example.', 'RRSIG', 'A'))!;
        const lines = good.map((l) => (isRecord(l, 'www.example.', 'RRSIG', 'A') ? old : l));
        expectFault(await both('expired', lines), 'www.example. A:', /expired/);
      });

      if (!v.nsec3) {
        it('a deleted NSEC', async () => {
          const lines = good.filter((l) => !isRecord(l, 'www.example.', 'NSEC'));
          expectFault(await both('no-nsec', lines), 'www.example. NSEC:', /no NSEC record/);
        });

        it('a broken NSEC bitmap', async () => {
          const lines = good.map((l) => (isRecord(l, 'www.example.', 'NSEC') ? l.replace(/\sAAAA\b/, '') : l));
          assert.notDeepEqual(lines, good);
          expectFault(await both('bitmap', lines), 'www.example. NSEC:', /type bitmap wrong: missing AAAA/);
        });
      } else {
        const hashOf = (name: string): string => {
          const r = run('nsec3hash', ['aabbccdd', '1', '1', name], wd);
          return r.stdout.split(/\s/)[0]!.toLowerCase();
        };

        it('a deleted NSEC3', async () => {
          const owner = `${hashOf('www.example.')}.example.`;
          const lines = good.filter((l) => !isRecord(l, owner, 'NSEC3'));
          assert.equal(lines.length, good.length - 1);
          expectFault(await both('no-nsec3', lines), 'www.example. NSEC3:', /no NSEC3 record \(1 1 aabbccdd\)/);
        });

        it('a broken NSEC3 bitmap', async () => {
          const owner = `${hashOf('www.example.')}.example.`;
          const lines = good.map((l) => (isRecord(l, owner, 'NSEC3') ? l.replace(/\sAAAA\b/, '') : l));
          assert.notDeepEqual(lines, good);
          expectFault(await both('bitmap3', lines), 'www.example. NSEC3:', /type bitmap wrong: missing AAAA/);
        });
      }
    });
  }
});

describe('verify-zone -z against dnssec-verify -z (one KSK signs everything)', () => {
  it('fails without -z and passes with it, as dnssec-verify does', async () => {
    const missing = TOOLS.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
    if (missing.length > 0) assert.fail(`missing ${missing.join(', ')}: \`npm run test:setup\` installs them (bind9-utils)`);
    const wd = mkdtempSync(join(tmpdir(), 'anchord-verify-zone-csk-'));
    try {
      const k = run('dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-n', 'ZONE', 'example.'], wd).stdout.trim();
      writeFileSync(join(wd, 'unsigned.zone'), BIND_ZONE + readFileSync(join(wd, `${k}.key`), 'utf8'));
      const signed = run('dnssec-signzone', ['-q', '-z', '-O', 'full', '-o', 'example.', '-f', 'signed.zone', 'unsigned.zone', k], wd);
      assert.equal(signed.status, 0, signed.stderr);
      const file = join(wd, 'signed.zone');
      for (const z of [[], ['-z']]) {
        const out: string[] = [];
        const ours = await runCli(['verify-zone', ...z, file], { out: (l) => out.push(l), err: (l) => out.push(l) });
        const bind = run('dnssec-verify', [...z, '-o', 'example.', file], wd);
        assert.equal(ours, z.length === 0 ? 1 : 0, out.join('\n'));
        assert.equal(bind.status === 0, ours === 0, bind.stdout + bind.stderr);
        if (z.length === 0) assert.match(out[0]!, /^example\. DNSKEY: missing an active ZSK for algorithm ECDSAP256SHA256/);
      }
    } finally {
      rmSync(wd, { recursive: true, force: true });
    }
  });
});

describe('anchord verify-zone (CLI)', () => {
  it('rejects a bad --now and a missing file', async () => {
    const out: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => out.push(l) };
    assert.equal(await runCli(['verify-zone', '--now', 'yesterday', '/nonexistent'], io), 1);
    assert.match(out.join('\n'), /--now takes seconds/);
    out.length = 0;
    assert.equal(await runCli(['verify-zone', '/nonexistent/zone'], io), 1);
    assert.match(out.join('\n'), /cannot read \/nonexistent\/zone/);
  });
});
