// anchord signzone end to end: every algorithm × key layout × denial passes dnssec-verify,
// ldns-verify-zone and anchord verify-zone; BIND signs with anchord's keys and anchord with
// BIND's; bad input gives a clear error and leaves no output; smart signing follows the timing;
// re-signing reuses what is still good.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextSerial } from '../../src/auth/signer.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { anchord, run, tempDir, tryRun } from './helpers.js';

const SOURCE = join(import.meta.dirname, '..', 'vectors', 'zones', 'example.zone');
const ORIGIN = Name.parse('example.');
let dir = '';

before(() => {
  dir = tempDir('signzone');
  copyFileSync(SOURCE, join(dir, 'example.zone'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function keygen(keyDir: string, args: readonly string[]): Promise<string> {
  const r = await anchord(['keygen', '-K', keyDir, ...args, 'example.']);
  assert.equal(r.code, 0, r.err.join('\n'));
  return r.out[0]!;
}

async function sign(args: readonly string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  return anchord(['signzone', '-q', ...args]);
}

/** dnssec-verify, ldns-verify-zone and anchord verify-zone all accept the signed file. */
async function verifiedByAll(file: string, extra: readonly string[] = []): Promise<void> {
  run('dnssec-verify', ['-q', ...extra, '-o', 'example.', file], dir);
  const ldns = tryRun('ldns-verify-zone', [file], dir);
  assert.equal(ldns.status, 0, `ldns-verify-zone ${file}: ${ldns.stdout}${ldns.stderr}`);
  const ours = await anchord(['verify-zone', '-q', ...extra, '-o', 'example.', file]);
  assert.equal(ours.code, 0, ours.out.join('\n'));
}

function records(file: string): ReturnType<typeof parseZoneText>['records'] {
  return parseZoneText(readFileSync(file, 'utf8'), { origin: ORIGIN }).records;
}

const ALGORITHMS = [
  ['ECDSAP256SHA256', []],
  ['RSASHA256', ['-b', '1024']],
  ['ED25519', []],
] as const;
const DENIALS = [
  ['nsec', []],
  ['nsec3', ['-3', '-', '-H', '0']],
  ['nsec3-optout', ['-3', 'C0FFEE', '-H', '1', '-A']],
] as const;

for (const [alg, bits] of ALGORITHMS) {
  for (const layout of ['ksk+zsk', 'csk'] as const) {
    test(`${alg} ${layout}: NSEC, NSEC3, NSEC3 opt-out pass dnssec-verify, ldns-verify-zone, verify-zone`, async () => {
      const keyDir = join(dir, `keys-${alg}-${layout}`);
      run('mkdir', ['-p', keyDir], dir);
      await keygen(keyDir, ['-a', alg, ...bits, '-f', 'KSK']);
      if (layout === 'ksk+zsk') await keygen(keyDir, ['-a', alg, ...bits]);
      // A CSK (one key with the SEP flag) signs everything with -z, as with dnssec-signzone.
      const z = layout === 'csk' ? ['-z'] : [];
      for (const [name, flags] of DENIALS) {
        const out = join(dir, `example.${alg}.${layout}.${name}.signed`);
        const r = await sign(['-S', ...z, '-K', keyDir, '-d', keyDir, '-o', 'example.', '-f', out, ...flags, join(dir, 'example.zone')]);
        assert.equal(r.code, 0, r.err.join('\n'));
        await verifiedByAll(out, z);
      }
      if (layout === 'csk') {
        const r = await sign(['-S', '-K', keyDir, '-o', 'example.', '-f', join(dir, 'csk-no-z.signed'), join(dir, 'example.zone')]);
        assert.equal(r.code, 1);
        assert.match(r.err.join('\n'), /No non-KSK DNSKEY found; supply a ZSK or use '-z'/);
      }
    });
  }
}

test('interop: dnssec-signzone signs with anchord keys; anchord signs with dnssec-keygen keys', async () => {
  const ours = join(dir, 'keys-ours');
  run('mkdir', ['-p', ours], dir);
  await keygen(ours, ['-a', 'ECDSAP256SHA256', '-f', 'KSK']);
  await keygen(ours, ['-a', 'ECDSAP256SHA256']);
  const bindOut = join(dir, 'bind-with-our-keys.signed');
  run('dnssec-signzone', ['-q', '-S', '-K', ours, '-d', ours, '-o', 'example.', '-3', '-', '-f', bindOut, join(dir, 'example.zone')], dir);
  await verifiedByAll(bindOut);

  const theirs = join(dir, 'keys-bind');
  run('mkdir', ['-p', theirs], dir);
  run('dnssec-keygen', ['-q', '-K', theirs, '-a', 'ED25519', '-f', 'KSK', 'example.'], dir);
  run('dnssec-keygen', ['-q', '-K', theirs, '-a', 'ED25519', 'example.'], dir);
  const ourOut = join(dir, 'ours-with-bind-keys.signed');
  const r = await sign(['-S', '-K', theirs, '-d', theirs, '-o', 'example.', '-f', ourOut, join(dir, 'example.zone')]);
  assert.equal(r.code, 0, r.err.join('\n'));
  await verifiedByAll(ourOut);
  // Explicit key files instead of -S, and dsset written like BIND's.
  const keys = readdirSync(theirs).filter((f) => f.endsWith('.key')).map((f) => join(theirs, f));
  const explicit = join(dir, 'explicit.signed');
  const r2 = await sign(['-K', theirs, '-d', dir, '-o', 'example.', '-f', explicit, join(dir, 'example.zone'), ...keys]);
  assert.equal(r2.code, 0, r2.err.join('\n'));
  await verifiedByAll(explicit);
  assert.equal(readFileSync(join(dir, 'dsset-example.'), 'utf8'), readFileSync(join(theirs, 'dsset-example.'), 'utf8'));
});

test('bad input: clear error, no output file, the old output left alone', async () => {
  const keyDir = join(dir, 'keys-bad');
  run('mkdir', ['-p', keyDir], dir);
  const ksk = await keygen(keyDir, ['-a', 'ED25519', '-f', 'KSK']);
  const out = join(dir, 'bad.signed');
  const check = async (zoneText: string, args: readonly string[], message: RegExp): Promise<void> => {
    const zf = join(dir, 'bad.zone');
    writeFileSync(zf, zoneText);
    writeFileSync(out, 'previous content\n');
    const keyArgs = args.filter((a) => a.endsWith('.key'));
    const opts = args.filter((a) => !a.endsWith('.key'));
    const r = await sign([...opts, '-o', 'example.', '-f', out, zf, ...keyArgs]);
    assert.equal(r.code, 1, `expected failure for ${message.source}`);
    assert.match(r.err.join('\n'), message);
    assert.equal(readFileSync(out, 'utf8'), 'previous content\n');
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    unlinkSync(out);
  };
  const good = readFileSync(SOURCE, 'utf8');
  await check(good.replace('mail            A     192.0.2.25', 'mail A 192.0.2.256'), ['-S', '-K', keyDir], /bad\.zone:[0-9]+.*192\.0\.2\.256|IPv4/);
  await check(good + 'outside.example.net. A 192.0.2.1\n', ['-S', '-K', keyDir], /outside\.example\.net\..*outside the zone/);
  await check(good.replace(/^@ +SOA[^)]*\)\n/m, ''), ['-S', '-K', keyDir], /no SOA/);
  // Missing private key.
  const lonely = join(dir, 'keys-lonely');
  run('mkdir', ['-p', lonely], dir);
  for (const ext of ['.key', '.private']) copyFileSync(join(keyDir, ksk + ext), join(lonely, ksk + ext));
  unlinkSync(join(lonely, `${ksk}.private`));
  await check(good, ['-K', lonely, join(lonely, `${ksk}.key`)], /missing private key/);
  await check(good, ['-S', '-K', lonely], /private key is missing/);
  // A key for another zone.
  const otherDir = join(dir, 'keys-other');
  run('mkdir', ['-p', otherDir], dir);
  const other = (await anchord(['keygen', '-K', otherDir, '-a', 'ED25519', '-f', 'KSK', 'example.net'])).out[0]!;
  await check(good, ['-K', otherDir, join(otherDir, `${other}.key`)], /is for example\.net\., not for the zone example\./);
  // No keys at all.
  const empty = join(dir, 'keys-empty');
  run('mkdir', ['-p', empty], dir);
  await check(good, ['-S', '-K', empty], /no keys to sign/);
});

test('smart signing follows the timing: stand-by, inactive, revoked, deleted keys', async () => {
  const keyDir = join(dir, 'keys-timing');
  run('mkdir', ['-p', keyDir], dir);
  await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-f', 'KSK']);
  await keygen(keyDir, ['-a', 'ECDSAP256SHA256']);
  const standby = await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-f', 'KSK', '-P', 'now', '-A', '+1y']);
  const retired = await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-P', 'now-2d', '-A', 'now-2d', '-I', 'now-1d']);
  const revoked = await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-f', 'KSK', '-P', 'now-2d', '-A', 'now-2d', '-R', 'now-1h']);
  const deleted = await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-P', 'now-3d', '-A', 'now-3d', '-I', 'now-2d', '-D', 'now-1d']);
  const out = join(dir, 'timing.signed');
  const r = await sign(['-S', '-K', keyDir, '-d', keyDir, '-o', 'example.', '-f', out, join(dir, 'example.zone')]);
  assert.equal(r.code, 0, r.err.join('\n'));
  await verifiedByAll(out);
  const recs = records(out);
  const tags = new Map<number, number>(); // tag -> flags
  for (const rr of recs.filter((x) => x.type === RRType.DNSKEY)) {
    const flags = (rr.rdata[0]! << 8) | rr.rdata[1]!;
    let ac = 0;
    rr.rdata.forEach((b, i) => (ac += (i & 1) === 0 ? b << 8 : b));
    ac += (ac >>> 16) & 0xffff;
    tags.set(ac & 0xffff, flags);
  }
  const tagOf = (base: string): number => Number(/\+([0-9]{5})$/.exec(base)![1]);
  const signedBy = (tag: number): Set<number> =>
    new Set(recs.filter((x) => x.type === RRType.RRSIG && ((x.rdata[16]! << 8) | x.rdata[17]!) === tag).map((x) => (x.rdata[0]! << 8) | x.rdata[1]!));
  assert.equal(tags.get(tagOf(standby)), 257, 'stand-by KSK published');
  assert.equal(signedBy(tagOf(standby)).size, 0, 'stand-by KSK signs nothing');
  assert.equal(tags.get(tagOf(retired)), 256, 'inactive ZSK still published');
  assert.equal(signedBy(tagOf(retired)).size, 0, 'inactive ZSK signs nothing');
  assert.ok(!tags.has(tagOf(deleted)), 'deleted key gone');
  // The revoked key is published with the REVOKE bit under its new tag and signs the DNSKEY RRset only.
  const revokedTag = [...tags].find(([, f]) => f === 385)?.[0];
  assert.ok(revokedTag !== undefined && revokedTag !== tagOf(revoked), 'revoked KSK published with flags 385');
  assert.deepEqual([...signedBy(revokedTag)], [RRType.DNSKEY]);
});

test('re-signing reuses valid signatures and redoes only what changed or expires soon', async () => {
  const keyDir = join(dir, 'keys-resign');
  run('mkdir', ['-p', keyDir], dir);
  await keygen(keyDir, ['-a', 'ED25519', '-f', 'KSK']);
  await keygen(keyDir, ['-a', 'ED25519']);
  const first = join(dir, 'resign-1.signed');
  const base = ['-S', '-K', keyDir, '-d', keyDir, '-o', 'example.', '-t'];
  assert.equal((await sign([...base, '-f', first, join(dir, 'example.zone')])).code, 0);
  const stat = (err: string[], what: string): number => Number(new RegExp(`Signatures ${what}: +([0-9]+)`).exec(err.join('\n'))![1]);
  // Unchanged: everything retained.
  const second = join(dir, 'resign-2.signed');
  const r2 = await sign([...base, '-f', second, first]);
  assert.equal(stat(r2.err, 'generated'), 0);
  assert.ok(stat(r2.err, 'retained') > 40);
  await verifiedByAll(second);
  // One RRset changed: its RRSIG and the SOA's (serial) are redone, the rest kept.
  const changed = readFileSync(first, 'utf8').replace(/^(mail\.example\.\t3600\tIN\tA\t)192\.0\.2\.25$/m, '$1192.0.2.26');
  writeFileSync(join(dir, 'resign-changed.zone'), changed);
  const third = join(dir, 'resign-3.signed');
  const r3 = await sign([...base, '-N', 'increment', '-f', third, join(dir, 'resign-changed.zone')]);
  assert.equal(stat(r3.err, 'generated'), 2);
  await verifiedByAll(third);
  // A refresh interval longer than the remaining validity: everything is redone.
  const fourth = join(dir, 'resign-4.signed');
  const r4 = await sign([...base, '-i', '40d', '-f', fourth, first]);
  assert.equal(stat(r4.err, 'retained'), 0);
  assert.equal(stat(r4.err, 'dropped'), stat(r2.err, 'retained'));
});

test('jitter spreads expirations; deterministic mode reproduces the zone; CDS/CDNSKEY; -D', async () => {
  const keyDir = join(dir, 'keys-misc');
  run('mkdir', ['-p', keyDir], dir);
  await keygen(keyDir, ['-a', 'ECDSAP256SHA256', '-f', 'KSK']);
  await keygen(keyDir, ['-a', 'ECDSAP256SHA256']);
  const base = ['-S', '-K', keyDir, '-d', keyDir, '-o', 'example.', '-s', '20270101000000', '-e', '20370101000000', '--now', '20270601000000'];
  const jit = join(dir, 'jitter.signed');
  const rj = await sign([...base, '-j', '86400', '-P', '-f', jit, join(dir, 'example.zone')]);
  assert.equal(rj.code, 0, rj.err.join('\n'));
  const exps = new Set(records(jit).filter((r) => r.type === RRType.RRSIG).map((r) => (r.rdata[8]! << 24) | (r.rdata[9]! << 16) | (r.rdata[10]! << 8) | r.rdata[11]!));
  assert.ok(exps.size > 5, 'expirations differ');
  const end = Date.UTC(2037, 0, 1) / 1000;
  for (const e of exps) assert.ok((e >>> 0) <= end && (e >>> 0) >= end - 86400);

  const d1 = join(dir, 'det-1.signed');
  const d2 = join(dir, 'det-2.signed');
  assert.equal((await sign([...base, '--deterministic', '-P', '-f', d1, join(dir, 'example.zone')])).code, 0);
  assert.equal((await sign([...base, '--deterministic', '-P', '-f', d2, join(dir, 'example.zone')])).code, 0);
  assert.equal(readFileSync(d1, 'utf8'), readFileSync(d2, 'utf8'));

  const cds = join(dir, 'cds.signed');
  assert.equal((await sign(['-S', '-K', keyDir, '-d', keyDir, '-o', 'example.', '--cds', '--cdnskey', '-f', cds, join(dir, 'example.zone')])).code, 0);
  await verifiedByAll(cds);
  const recs = records(cds);
  assert.equal(recs.filter((r) => r.type === RRType.CDS).length, 1);
  assert.equal(recs.filter((r) => r.type === RRType.CDNSKEY).length, 1);
  const cdsSig = recs.find((r) => r.type === RRType.RRSIG && ((r.rdata[0]! << 8) | r.rdata[1]!) === RRType.CDS);
  assert.ok(cdsSig !== undefined);

  const only = join(dir, 'only-dnssec.signed');
  assert.equal((await sign(['-S', '-K', keyDir, '-d', keyDir, '-o', 'example.', '-D', '-f', only, join(dir, 'example.zone')])).code, 0);
  assert.ok(records(only).every((r) => [RRType.DNSKEY, RRType.RRSIG, RRType.NSEC].includes(r.type as 46)));
  assert.ok(!existsSync(join(dir, 'only-dnssec.signed.tmp')));
});

test('SOA serial formats (-N)', () => {
  const now = Date.UTC(2026, 10, 22, 12) / 1000;
  assert.equal(nextSerial(5, 'keep', now), 5);
  assert.equal(nextSerial(5, 'increment', now), 6);
  assert.equal(nextSerial(0xffffffff, 'increment', now), 1);
  assert.equal(nextSerial(5, 'unixtime', now), now);
  assert.equal(nextSerial(now + 10, 'unixtime', now), now + 11);
  assert.equal(nextSerial(2024010101, 'date', now), 2026112200);
  assert.equal(nextSerial(2026112205, 'date', now), 2026112206);
});
