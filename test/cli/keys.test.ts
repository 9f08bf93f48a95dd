// keygen, revoke and dsfromkey against BIND's dnssec-keygen, dnssec-revoke and dnssec-dsfromkey:
// same file formats, same names, same DS output; key files readable both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyTagsCollide, makeDnskeyRdata, parsePublicKeyFile, revokedKeyTag } from '../../src/auth/key-file-text.js';
import { runKeygen } from '../../src/cli/commands/keygen.js';
import { runRevoke } from '../../src/cli/commands/revoke.js';
import { readKeyPair } from '../../src/cli/key-files.js';
import { ecdsaScalar } from '../../src/crypto/private-key.js';
import { generatePrivateKey } from '../../src/crypto/signer.js';
import { SeededRandom } from '../../src/core/random.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { anchord, run, tempDir, tryRun } from './helpers.js';

const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z

function capture(): { io: { out: (l: string) => void; err: (l: string) => void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l) => out.push(l), err: (l) => err.push(l) }, out, err };
}

test('keygen writes BIND-format .key/.private files (0600 private) for every algorithm', async () => {
  const dir = tempDir('keygen');
  try {
    for (const [alg, extra] of [
      ['RSASHA256', ['-b', '1024']],
      ['RSASHA512', ['-b', '1024']],
      ['ECDSAP256SHA256', []],
      ['ECDSAP384SHA384', []],
      ['ED25519', []],
      ['ED448', []],
    ] as const) {
      const r = await anchord(['keygen', '-K', dir, '-a', alg, ...extra, '-f', 'KSK', '-L', '3600', 'example.com']);
      assert.equal(r.code, 0, r.err.join('\n'));
      const base = r.out[0]!;
      assert.match(base, /^Kexample\.com\.\+0(08|10|13|14|15|16)\+[0-9]{5}$/);
      const keyText = readFileSync(join(dir, `${base}.key`), 'utf8');
      assert.match(keyText, /^; This is a key-signing key, keyid [0-9]+, for example\.com\.\n; Created: [0-9]{14} \(\w{3} \w{3} [ 0-9]{2} [0-9:]{8} [0-9]{4}\)\n; Publish: /);
      assert.match(keyText, /\nexample\.com\. 3600 IN DNSKEY 257 3 [0-9]+ [A-Za-z0-9+/= ]+\n$/);
      assert.equal(statSync(join(dir, `${base}.private`)).mode & 0o777, 0o600);
      const priv = readFileSync(join(dir, `${base}.private`), 'utf8');
      assert.match(priv, /^Private-key-format: v1\.3\nAlgorithm: [0-9]+ \([A-Z0-9]+\)\n/);
      assert.match(priv, /\nCreated: [0-9]{14}\nPublish: [0-9]{14}\nActivate: [0-9]{14}\n$/);
      // BIND reads our key and agrees on the DS (hence on tag, flags, algorithm and key).
      const ours = await anchord(['dsfromkey', '-K', dir, base]);
      assert.equal(ours.out.join('\n') + '\n', run('dnssec-dsfromkey', ['-K', dir, base], dir));
      const pair = readKeyPair(base, dir, { requirePrivate: true });
      assert.equal(pair.publicKey.ttl, 3600);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keygen timing options match dnssec-keygen (-P -A -I -D -R, offsets, none, -G)', async () => {
  const dir = tempDir('keygen-timing');
  try {
    const c = capture();
    await runKeygen(
      { zone: 'example.', a: 'ED25519', K: dir, P: 'now', A: '+1d', I: '20270301', D: 'now+1y', R: '+2mo', f: 'KSK' },
      c.io,
      { now: () => NOW, generate: (a) => generatePrivateKey(a) },
    );
    const priv = readFileSync(join(dir, `${c.out[0]!}.private`), 'utf8');
    assert.match(priv, /Created: 20270115080000\nPublish: 20270115080000\nActivate: 20270116080000\nRevoke: 20270316080000\nInactive: 20270301000000\nDelete: 20280115080000\n$/);
    const key = readFileSync(join(dir, `${c.out[0]!}.key`), 'utf8');
    assert.match(key, /; Activate: 20270116080000 \(Sat Jan 16 08:00:00 2027\)\n/);
    assert.match(key, /; Inactive: 20270301000000 \(Mon Mar {2}1 00:00:00 2027\)\n/);
    const c2 = capture();
    await runKeygen({ zone: 'example.', a: '13', K: dir, G: true }, c2.io, { now: () => NOW, generate: (a) => generatePrivateKey(a) });
    assert.match(readFileSync(join(dir, `${c2.out[0]!}.private`), 'utf8'), /\nPrivateKey: \S+\nCreated: 20270115080000\n$/);
    const c3 = capture();
    await runKeygen({ zone: 'example.', a: '13', K: dir, A: 'none' }, c3.io, { now: () => NOW, generate: (a) => generatePrivateKey(a) });
    assert.match(readFileSync(join(dir, `${c3.out[0]!}.private`), 'utf8'), /\nCreated: 20270115080000\nPublish: 20270115080000\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('key tag collisions, directly and after revocation (+128 rule, RFC 5011 §7)', () => {
  const a = makeDnskeyRdata(257, 13, new Uint8Array(64).fill(0x11));
  assert.ok(keyTagsCollide(a, a));
  // Adding 0x80 to an odd-offset octet adds 128 to the tag: b's tag is a's revoked tag.
  const b = a.slice();
  b[5] = b[5]! + 0x80;
  assert.equal(keyTag(b), revokedKeyTag(a));
  assert.ok(keyTagsCollide(b, a));
  assert.ok(keyTagsCollide(a, b));
  const other = makeDnskeyRdata(256, 13, new Uint8Array(64).fill(0x22));
  assert.equal(keyTagsCollide(a, other), false);
  // Different algorithms never collide (different file names, different RRSIG algorithm).
  const c = a.slice();
  c[3] = 15;
  assert.equal(keyTagsCollide(a, c), false);
  // Revoked tag is the tag computed with the REVOKE bit set, and wraps at 65535.
  assert.equal(revokedKeyTag(a), keyTag(Uint8Array.from([1, 0x81, ...a.subarray(2)])));
});

test('keygen generates another key when the first one collides with a key in the directory', async () => {
  const dir = tempDir('keygen-collide');
  try {
    const rnd = new SeededRandom(7);
    const first = generatePrivateKey(15, { random: rnd });
    const second = generatePrivateKey(15, { random: rnd });
    const c1 = capture();
    await runKeygen({ zone: 'example.', a: 'ED25519', K: dir }, c1.io, { now: () => NOW, generate: () => first });
    const queue = [first, second];
    const c2 = capture();
    await runKeygen({ zone: 'example.', a: 'ED25519', K: dir, v: true }, c2.io, { now: () => NOW, generate: () => queue.shift()! });
    assert.notEqual(c2.out[0], c1.out[0]);
    assert.match(c2.err.join('\n'), /collides/);
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.key')).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('revoke: REVOKE bit, new tag, old files kept (removed with -r), same files as dnssec-revoke', async () => {
  const dir = tempDir('revoke');
  const bindDir = tempDir('revoke-bind');
  try {
    const g = await anchord(['keygen', '-K', dir, '-a', 'ECDSAP256SHA256', '-f', 'KSK', 'example.']);
    const base = g.out[0]!;
    for (const ext of ['.key', '.private']) copyFileSync(join(dir, base + ext), join(bindDir, base + ext));
    const c = capture();
    await runRevoke({ keyfile: base, K: dir }, c.io, { now: () => NOW });
    const newBase = c.out[0]!.replace(/^.*\//, '');
    const pair = readKeyPair(newBase, dir, { requirePrivate: true });
    assert.equal((pair.publicKey.rdata[0]! << 8) | pair.publicKey.rdata[1]!, 385);
    assert.equal(pair.timing.revoke, NOW);
    assert.ok(existsSync(join(dir, `${base}.key`)) && existsSync(join(dir, `${base}.private`)));
    assert.equal(statSync(join(dir, `${newBase}.private`)).mode & 0o777, 0o600);
    // dnssec-revoke makes the same files, apart from its own Revoke time.
    const bindOut = run('dnssec-revoke', ['-K', bindDir, base], bindDir).trim();
    assert.equal(bindOut.replace(/^.*\//, ''), newBase);
    const strip = (s: string): string => s.replace(/^(; )?Revoke: .*\n/m, '');
    for (const ext of ['.key', '.private']) {
      assert.equal(strip(readFileSync(join(dir, newBase + ext), 'utf8')), strip(readFileSync(join(bindDir, newBase + ext), 'utf8')), ext);
    }
    // Again: the revoked files exist now.
    const again = await anchord(['revoke', '-K', dir, base]);
    assert.equal(again.code, 1);
    assert.match(again.err.join('\n'), /already exists; use -f/);
    // A revoked key cannot be revoked.
    const twice = await anchord(['revoke', '-K', dir, newBase]);
    assert.equal(twice.code, 1);
    assert.match(twice.err.join('\n'), /already revoked/);
    // -f -r: overwrite and remove the old files.
    const forced = await anchord(['revoke', '-f', '-r', join(dir, `${base}.key`)]);
    assert.equal(forced.code, 0, forced.err.join('\n'));
    assert.ok(!existsSync(join(dir, `${base}.key`)) && !existsSync(join(dir, `${base}.private`)));
    // BIND reads our revoked key (dsfromkey prints nothing for revoked keys, as BIND).
    assert.equal(run('dnssec-dsfromkey', ['-K', dir, newBase], dir), '');
    assert.deepEqual((await anchord(['dsfromkey', '-K', dir, newBase])).out, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bindDir, { recursive: true, force: true });
  }
});

test('dsfromkey output is identical to dnssec-dsfromkey (digests, -C, -T, -f zonefile, -A, BIND keys)', async () => {
  const dir = tempDir('dsfromkey');
  try {
    const bases: string[] = [];
    for (const alg of ['RSASHA256', 'ECDSAP384SHA384', 'ED25519']) {
      bases.push(run('dnssec-keygen', ['-K', dir, '-a', alg, '-f', 'KSK', '-L', '300', 'example.'], dir).trim());
      bases.push(run('dnssec-keygen', ['-K', dir, '-a', alg, 'example.'], dir).trim());
    }
    for (const base of bases) {
      for (const flags of [[], ['-1'], ['-2'], ['-a', 'SHA-384'], ['-1', '-2', '-a', 'SHA-384'], ['-C', '-T', '600'], ['-a', 'SHA256']]) {
        const ours = await anchord(['dsfromkey', ...flags, '-K', dir, `${base}.key`]);
        assert.equal(ours.code, 0, ours.err.join('\n'));
        assert.equal(ours.out.join('\n') + '\n', run('dnssec-dsfromkey', [...flags, '-K', dir, `${base}.key`], dir), `${base} ${flags.join(' ')}`);
      }
    }
    let zone = '$TTL 300\n';
    for (const base of bases) zone += readFileSync(join(dir, `${base}.key`), 'utf8').replace(/^;.*\n/gm, '');
    const zonefile = join(dir, 'keys.zone');
    writeFileSync(zonefile, zone);
    for (const flags of [['-f', zonefile, 'example.'], ['-A', '-f', zonefile, 'example.'], ['-2', '-a', 'SHA-384', '-A', '-f', zonefile, 'example.']]) {
      const ours = await anchord(['dsfromkey', ...flags]);
      assert.equal(ours.out.join('\n') + '\n', run('dnssec-dsfromkey', flags, dir), flags.join(' '));
    }
    const missing = await anchord(['dsfromkey', '-f', zonefile, 'other.']);
    assert.equal(missing.code, 1);
    assert.equal(tryRun('dnssec-dsfromkey', ['-f', zonefile, 'other.'], dir).status, 1);
    // The public half parses back to the same record.
    assert.equal(parsePublicKeyFile(readFileSync(join(dir, `${bases[0]!}.key`), 'utf8')).ttl, 300);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('revoke: a P-256 scalar with a leading zero octet is written as dnssec-revoke writes it (31 octets)', async () => {
  const dir = tempDir('revoke-lz');
  const bindDir = tempDir('revoke-lz-bind');
  try {
    // A fixed scalar below 2^248, so OpenSSL's BN_bn2bin (BIND) drops its first octet.
    const d = new Uint8Array(32);
    for (let i = 1; i < 32; i++) d[i] = (i * 37 + 11) & 0xff;
    const c1 = capture();
    await runKeygen({ zone: 'example.', a: 'ECDSAP256SHA256', f: 'KSK', K: dir }, c1.io, {
      now: () => NOW,
      generate: () => ({ type: 'ecdsa', algorithm: 13, privateKey: d }),
    });
    const base = c1.out[0]!;
    assert.ok(base.startsWith('Kexample.+013+'), `keygen printed ${base}`);
    const priv = readFileSync(join(dir, `${base}.private`), 'utf8');
    const scalar = /\nPrivateKey: (\S+)\n/.exec(priv)?.[1] ?? '';
    assert.equal(Buffer.from(scalar, 'base64').length, 31, `scalar written as ${scalar}`);
    for (const ext of ['.key', '.private']) copyFileSync(join(dir, base + ext), join(bindDir, base + ext));
    const c2 = capture();
    await runRevoke({ keyfile: base, K: dir }, c2.io, { now: () => NOW });
    const newBase = c2.out[0]!.replace(/^.*\//, '');
    const bindOut = run('dnssec-revoke', ['-K', bindDir, base], bindDir).trim();
    assert.equal(bindOut.replace(/^.*\//, ''), newBase);
    const strip = (s: string): string => s.replace(/^(; )?Revoke: .*\n/m, '');
    for (const ext of ['.key', '.private']) {
      assert.equal(strip(readFileSync(join(dir, newBase + ext), 'utf8')), strip(readFileSync(join(bindDir, newBase + ext), 'utf8')), ext);
    }
    // The short scalar reads back as the same key.
    const pair = readKeyPair(newBase, dir, { requirePrivate: true });
    const k = pair.privateKey?.key;
    assert.ok(k?.type === 'ecdsa', 'an ECDSA private key is read back');
    assert.deepEqual(ecdsaScalar(k), d);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bindDir, { recursive: true, force: true });
  }
});
