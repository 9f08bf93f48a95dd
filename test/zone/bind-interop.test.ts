// Interop with BIND 9 and ldns: sign test/vectors/zones/example.zone with dnssec-signzone for three
// algorithms × NSEC / NSEC3 (no salt) / NSEC3 (salt, opt-out), then check that our parser reads
//  - the signed file as dnssec-signzone wrote it,
//  - named-checkzone's canonical dump of it (`-D`),
//  - ldns-read-zone's rendering of it,
// as the same set of (owner, class, type, TTL, RDATA octets); and that BIND reads OUR printed zone
// back to that same set, with dnssec-verify accepting its signatures.
// The tools are required: a missing one fails the test, pointing at `npm run test:setup`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import type { ParsedRecord } from '../../src/zone/parser.js';
import { printZone } from '../../src/zone/printer.js';
import { Zone } from '../../src/zone/zone.js';

const SOURCE = join(import.meta.dirname, '..', 'vectors', 'zones', 'example.zone');
const ORIGIN = 'example.';
const TOOLS = ['dnssec-keygen', 'dnssec-signzone', 'named-checkzone', 'dnssec-verify', 'ldns-read-zone'] as const;

/** Absolute path of a peer program (PATH or /usr/sbin), or a failure naming the setup step. */
function tool(name: (typeof TOOLS)[number]): string {
  const r = spawnSync('sh', ['-c', `command -v ${name} || { test -x /usr/sbin/${name} && echo /usr/sbin/${name}; }`], { encoding: 'utf8' });
  const path = r.stdout.trim();
  if (r.status !== 0 || path === '') {
    assert.fail(`${name} is not installed: run \`npm run test:setup\` (scripts/setup-peers.mjs installs bind9-utils and ldnsutils)`);
  }
  return path;
}

function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    assert.fail(`${cmd} ${args.join(' ')} failed: ${e.message}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

function key(rr: ParsedRecord): string {
  return `${Buffer.from(rr.name.wire).toString('hex')} ${rr.class} ${rr.type} ${rr.ttl} ${Buffer.from(rr.rdata).toString('hex')}`;
}

function parseFile(path: string): ParsedRecord[] {
  return parseZoneText(readFileSync(path, 'utf8'), { file: path, origin: ORIGIN }).records;
}

function sameSets(actual: ParsedRecord[], expected: ParsedRecord[], what: string): void {
  const a = actual.map(key).sort();
  const b = expected.map(key).sort();
  const missing = b.filter((k) => !a.includes(k));
  const extra = a.filter((k) => !b.includes(k));
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, what);
  assert.equal(a.length, b.length, `${what}: record counts`);
}

let dir = '';
const paths = {} as Record<(typeof TOOLS)[number], string>;

before(() => {
  for (const t of TOOLS) paths[t] = tool(t);
  dir = mkdtempSync(join(tmpdir(), 'anchord-bind-interop-'));
  writeFileSync(join(dir, 'example.zone'), readFileSync(SOURCE));
});

after(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const ALGORITHMS = [
  { name: 'ECDSAP256SHA256', number: 13, bits: [] as string[] },
  { name: 'RSASHA256', number: 8, bits: ['-b', '2048'] },
  { name: 'ED25519', number: 15, bits: [] as string[] },
];
const DENIAL = [
  { name: 'nsec', args: [] as string[], nsec3: false, optOut: false },
  { name: 'nsec3', args: ['-3', '-', '-H', '0'], nsec3: true, optOut: false },
  { name: 'nsec3-salt-optout', args: ['-3', 'AABBCCDD', '-H', '1', '-A'], nsec3: true, optOut: true },
];

for (const alg of ALGORITHMS) {
  test(`BIND interop: ${alg.name} × NSEC, NSEC3, NSEC3 salt opt-out`, async (t) => {
    const keys = join(dir, alg.name);
    run('mkdir', ['-p', keys], dir);
    run(paths['dnssec-keygen'], ['-q', '-K', keys, '-a', alg.name, ...alg.bits, '-f', 'KSK', ORIGIN], dir);
    run(paths['dnssec-keygen'], ['-q', '-K', keys, '-a', alg.name, ...alg.bits, ORIGIN], dir);

    for (const denial of DENIAL) {
      await t.test(denial.name, () => {
        const base = join(dir, `${alg.name}-${denial.name}`);
        const signed = `${base}.signed`;
        run(paths['dnssec-signzone'], [
          '-q', '-K', keys, '-d', keys, '-S', '-o', ORIGIN,
          '-s', '20240101000000', '-e', '20370101000000',
          ...denial.args, '-f', signed, join(dir, 'example.zone'),
        ], dir);

        // 1. The signed file as BIND wrote it (multi-line RRSIG/DNSKEY, comments).
        const ours = parseFile(signed);
        const types = new Set(ours.map((r) => r.type));
        for (const ty of [RRType.RRSIG, RRType.DNSKEY, RRType.DS, RRType.HTTPS, RRType.SVCB, 65280, RRType.NAPTR, RRType.TLSA, RRType.CAA, RRType.SSHFP, RRType.DNAME]) {
          assert.ok(types.has(ty), `type ${ty} in the signed zone`);
        }
        assert.equal(types.has(RRType.NSEC3), denial.nsec3);
        assert.equal(types.has(RRType.NSEC), !denial.nsec3);
        const algs = new Set(ours.filter((r) => r.type === RRType.RRSIG).map((r) => r.rdata[2]));
        assert.deepEqual([...algs], [alg.number]);
        if (denial.optOut) assert.ok(ours.some((r) => r.type === RRType.NSEC3 && (r.rdata[1]! & 1) === 1), 'opt-out flag set');

        // 2. named-checkzone's canonical dump.
        const dump = `${base}.dump`;
        run(paths['named-checkzone'], ['-q', '-D', '-o', dump, ORIGIN, signed], dir);
        sameSets(parseFile(dump), ours, 'named-checkzone -D vs signed file');

        // 3. ldns's rendering.
        const ldns = `${base}.ldns`;
        writeFileSync(ldns, run(paths['ldns-read-zone'], [signed], dir));
        sameSets(parseFile(ldns), ours, 'ldns-read-zone vs signed file');

        // 4. Our printed zone, read back by us and by BIND; BIND checks the signatures.
        const printed = `${base}.printed`;
        writeFileSync(printed, printZone(ours));
        sameSets(parseFile(printed), ours, 'our printer, reparsed');
        const dump2 = `${base}.printed.dump`;
        run(paths['named-checkzone'], ['-q', '-D', '-o', dump2, ORIGIN, printed], dir);
        sameSets(parseFile(dump2), ours, 'named-checkzone -D of our printed zone');
        run(paths['dnssec-verify'], ['-q', '-o', ORIGIN, printed], dir);

        // 5. The zone model agrees with BIND's view of the structure.
        const zone = Zone.fromRecords(Name.parse(ORIGIN), ours);
        assert.deepEqual(zone.problems.filter((p) => p.severity === 'error'), []);
        assert.deepEqual(zone.delegations.map(String), ['insecure.example.', 'sub.example.']);
      });
    }
  });
}
