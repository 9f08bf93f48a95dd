// Interop with validating resolvers: a signed hierarchy (root → test. → children) served by
// anchord's authoritative server on loopback addresses, resolved by Unbound and checked by
// BIND's delv. The root is NSEC, test. is NSEC3 with opt-out, secure.test. NSEC, nsec3.test.
// NSEC3 with a salt, insecure.test. unsigned (no DS), bogus.test. signed with a key that does
// not match its DS. Expected: AD/fully validated for secure data, validated NXDOMAIN, no AD for
// the insecure child, SERVFAIL for the bogus one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { AuthZone } from '../../src/auth/auth-zone.js';
import { createAuthServer } from '../../src/auth/auth-server.js';
import { signZone, type DenialOptions } from '../../src/auth/signer.js';
import { startAuthListeners, type AuthListeners } from '../../src/cli/commands/serve-auth.js';
import { makeDsRdata } from '../../src/dnssec/ds.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { bytesToHex } from '../../src/wire/rdata-text.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { Zone } from '../../src/zone/zone.js';
import { testKeys } from './fixtures.js';
import { tempDir, tool } from '../cli/helpers.js';

const run = promisify(execFile);
// A per-run loopback /24 so that parallel runs and other tests do not collide.
const NET = `127.77.${1 + Math.floor(Math.random() * 250)}`;
const ADDR = { root: `${NET}.1`, test: `${NET}.2`, secure: `${NET}.3`, nsec3: `${NET}.4`, insecure: `${NET}.5`, bogus: `${NET}.6`, unbound: `${NET}.100` };

let dir = '';
let unbound: ChildProcess | undefined;
let unboundPort = 0;
const listeners: AuthListeners[] = [];
let rootDs = '';

function now(): number {
  return Math.floor(Date.now() / 1000);
}

async function sign(origin: string, text: string, denial: DenialOptions | undefined, seed: number): Promise<{ zone: AuthZone; ds: string[] }> {
  const o = Name.parse(origin);
  const parsed = parseZoneText(text, { origin: o });
  const model = Zone.fromRecords(o, parsed.records);
  if (denial === undefined) return { zone: AuthZone.fromRecords(o, model.records()), ds: [] };
  const keys = testKeys(seed);
  const signed = await signZone(model, keys, { now: now(), denial });
  const ksk = keys[0]!.dnskey;
  const ds = makeDsRdata(o, ksk, 2);
  return { zone: AuthZone.fromRecords(o, signed.records()), ds: [`${keyTag(ksk)} 15 2 ${bytesToHex(ds.subarray(4))}`] };
}

async function serve(zone: AuthZone, address: string): Promise<void> {
  listeners.push(await startAuthListeners(createAuthServer([zone]), [`${address}:53`]));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, ADDR.unbound, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  dir = tempDir('validator-interop');
  const soa = (ns: string): string => `$TTL 300\n@ SOA ${ns} hostmaster.test. 1 1800 900 604800 60\n`;
  const secure = await sign('secure.test.', `${soa('ns.secure.test.')}@ NS ns\nns A ${ADDR.secure}\nwww A 192.0.2.1\n*.wild TXT "wild"\nalias CNAME www\na.b.ent A 192.0.2.2\n`, { type: 'nsec' }, 11);
  const nsec3 = await sign('nsec3.test.', `${soa('ns.nsec3.test.')}@ NS ns\nns A ${ADDR.nsec3}\nwww A 192.0.2.3\n*.wild TXT "wild3"\n`, { type: 'nsec3', iterations: 0, salt: Uint8Array.of(0xbe, 0xef), optOut: false }, 12);
  const insecure = await sign('insecure.test.', `${soa('ns.insecure.test.')}@ NS ns\nns A ${ADDR.insecure}\nwww A 192.0.2.4\n`, undefined, 0);
  const bogus = await sign('bogus.test.', `${soa('ns.bogus.test.')}@ NS ns\nns A ${ADDR.bogus}\nwww A 192.0.2.5\n`, { type: 'nsec' }, 13);
  // bogus.test.'s DS names another key.
  const wrongDs = (await sign('bogus.test.', `${soa('ns.bogus.test.')}@ NS ns\nns A ${ADDR.bogus}\n`, { type: 'nsec' }, 14)).ds;
  const tld = await sign(
    'test.',
    `${soa('ns.test.')}@ NS ns\nns A ${ADDR.test}\n` +
      `secure NS ns.secure\nns.secure A ${ADDR.secure}\nsecure DS ${secure.ds[0]!}\n` +
      `nsec3 NS ns.nsec3\nns.nsec3 A ${ADDR.nsec3}\nnsec3 DS ${nsec3.ds[0]!}\n` +
      `insecure NS ns.insecure\nns.insecure A ${ADDR.insecure}\n` +
      `bogus NS ns.bogus\nns.bogus A ${ADDR.bogus}\nbogus DS ${wrongDs[0]!}\n`,
    { type: 'nsec3', iterations: 0, salt: new Uint8Array(0), optOut: true },
    15,
  );
  const root = await sign('.', `$TTL 300\n. SOA a.root. hostmaster.root. 1 1800 900 604800 60\n. NS a.root.\na.root. A ${ADDR.root}\ntest. NS ns.test.\nns.test. A ${ADDR.test}\ntest. DS ${tld.ds[0]!}\n`, { type: 'nsec' }, 16);
  rootDs = root.ds[0]!;
  await serve(root.zone, ADDR.root);
  await serve(tld.zone, ADDR.test);
  await serve(secure.zone, ADDR.secure);
  await serve(nsec3.zone, ADDR.nsec3);
  await serve(insecure.zone, ADDR.insecure);
  await serve(bogus.zone, ADDR.bogus);

  writeFileSync(join(dir, 'root.hints'), `. 3600000 NS a.root.\na.root. 3600000 A ${ADDR.root}\n`);
  unboundPort = await freePort();
  writeFileSync(
    join(dir, 'unbound.conf'),
    `server:
  interface: ${ADDR.unbound}
  port: ${unboundPort}
  do-ip6: no
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: "${dir}/unbound.log"
  verbosity: 1
  val-log-level: 2
  root-hints: "${dir}/root.hints"
  trust-anchor: ". DS ${rootDs}"
  local-zone: "test." nodefault
  module-config: "validator iterator"
  qname-minimisation: no
  harden-referral-path: no
remote-control:
  control-enable: no
`,
  );
  unbound = spawn(tool('unbound'), ['-d', '-c', join(dir, 'unbound.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  unbound.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  // Wait for Unbound to answer.
  for (let i = 0; i < 50; i++) {
    try {
      await run(tool('dig'), [`@${ADDR.unbound}`, '-p', String(unboundPort), '+time=1', '+tries=1', '.', 'SOA']);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  assert.fail(`unbound did not start: ${stderr}`);
});

after(async () => {
  unbound?.kill('SIGTERM');
  await Promise.all(listeners.map((l) => l.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function dig(name: string, type: string): Promise<{ status: string; ad: boolean; text: string }> {
  const { stdout } = await run(tool('dig'), [`@${ADDR.unbound}`, '-p', String(unboundPort), '+dnssec', '+time=5', '+tries=1', name, type]);
  const status = /status: ([A-Z]+)/.exec(stdout)?.[1] ?? '?';
  const flags = /;; flags: ([a-z ]+);/.exec(stdout)?.[1] ?? '';
  return { status, ad: flags.split(' ').includes('ad'), text: stdout };
}

async function delv(name: string, type: string): Promise<string> {
  const anchors = join(dir, 'anchors.conf');
  const [tag, alg, digestType, digest] = rootDs.split(' ');
  writeFileSync(anchors, `trust-anchors {\n  "." static-ds ${tag!} ${alg!} ${digestType!} "${digest!}";\n};\n`);
  try {
    const { stdout, stderr } = await run(tool('delv'), [`@${ADDR.unbound}`, '-p', String(unboundPort), '-a', anchors, name, type]);
    return stdout + stderr;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return (e.stdout ?? '') + (e.stderr ?? '');
  }
}

test('Unbound validates answers from the anchord-served hierarchy (AD set)', async () => {
  for (const [name, type] of [
    ['www.secure.test.', 'A'],
    ['alias.secure.test.', 'A'],
    ['x.wild.secure.test.', 'TXT'],
    ['www.nsec3.test.', 'A'],
    ['y.wild.nsec3.test.', 'TXT'],
    ['secure.test.', 'DNSKEY'],
    ['test.', 'SOA'],
  ] as const) {
    const r = await dig(name, type);
    assert.equal(r.status, 'NOERROR', `${name} ${type}\n${r.text}`);
    assert.ok(r.ad, `${name} ${type} should be secure\n${r.text}`);
  }
});

test('Unbound validates denial: NXDOMAIN and NODATA over NSEC, NSEC3 and NSEC3 opt-out', async () => {
  for (const [name, type, status] of [
    ['nope.secure.test.', 'A', 'NXDOMAIN'],
    ['www.secure.test.', 'MX', 'NOERROR'],
    ['b.ent.secure.test.', 'A', 'NOERROR'],
    ['x.wild.secure.test.', 'A', 'NOERROR'],
    ['nope.nsec3.test.', 'A', 'NXDOMAIN'],
    ['www.nsec3.test.', 'TXT', 'NOERROR'],
    ['ns.test.', 'MX', 'NOERROR'],
    ['nope.', 'A', 'NXDOMAIN'],
  ] as const) {
    const r = await dig(name, type);
    assert.equal(r.status, status, `${name} ${type}\n${r.text}`);
    assert.ok(r.ad, `${name} ${type} denial should be secure\n${r.text}`);
  }
  // Under an Opt-Out NSEC3 the next closer name might be an unsigned delegation: the NXDOMAIN is
  // proven but not secure (RFC 5155 §9.2), so no AD.
  const optOut = await dig('nope.test.', 'A');
  assert.equal(optOut.status, 'NXDOMAIN', optOut.text);
  assert.equal(optOut.ad, false, optOut.text);
});

test('Unbound: insecure for the unsigned delegation (opt-out), SERVFAIL for the bogus child', async () => {
  const i = await dig('www.insecure.test.', 'A');
  assert.equal(i.status, 'NOERROR', i.text);
  assert.equal(i.ad, false, i.text);
  const b = await dig('www.bogus.test.', 'A');
  assert.equal(b.status, 'SERVFAIL', b.text);
});

test('delv: fully validated, negative response validated, unsigned answer', async () => {
  assert.match(await delv('www.secure.test.', 'A'), /; fully validated/);
  assert.match(await delv('www.nsec3.test.', 'A'), /; fully validated/);
  assert.match(await delv('nope.nsec3.test.', 'A'), /negative response, fully validated|ncache nxdomain/);
  assert.match(await delv('www.insecure.test.', 'A'), /; unsigned answer/);
  assert.doesNotMatch(await delv('www.bogus.test.', 'A'), /fully validated/);
});
