// Validator throughput: whole responses judged per second, and the time a worst-case KeyTrap or
// NSEC3 response takes within its budgets.
//
//   npx tsx bench/validate/validate-bench.ts [--seconds 1] [--rounds 3] [--no-write]
//
// Responses come from the BIND-signed vector zones (test/vectors/zones): ECDSA P-256 with NSEC,
// RSA-2048 with NSEC3 (no salt, 0 iterations), Ed25519 with NSEC3 (salt, 1 iteration, opt-out).
// Each case is validated in a loop for `--seconds` with the node crypto backend (key cache warm,
// as in the resolver's steady state), best of `--rounds`, counted per CPU second of this process
// (other work on the machine does not lower the figures); a fresh ValidationEnv per response, as
// the resolver makes one per response. The "mix" row cycles through the realistic cases. The
// "logic only" column repeats the measurement with a verifier that accepts every signature, which
// is the validator's own cost (canonical form, proofs, hashing) without the public-key operations.
//
// Worst cases: 64 DNSKEYs sharing one key tag × 64 RRSIGs (KeyTrap, CVE-2023-50387) under the
// default budget and with the limits lifted (what the budget saves); a 100-label NXDOMAIN against
// NSEC3 with 50 iterations (CVE-2023-50868) under the default hash budget.
//
// Prints a Markdown section and writes it to bench/RESULTS.md under "## Validator (bench/validate)"
// (only that section is replaced).

import { writeResultsSection } from '../results-file.js';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { Rcode, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { encodeRdata } from '../../src/wire/rdata.js';
import { validateDnskeys } from '../../src/dnssec/key-validator.js';
import {
  ZoneKeySet,
  createValidationEnv,
  validatorOptions,
  type SignatureVerifier,
  type SignedRRset,
  type ValidatorOptions,
} from '../../src/dnssec/rrset-validator.js';
import { validateResponse, type KeysFor, type ResponseToValidate } from '../../src/dnssec/response-validator.js';
import { nsec3Hash } from '../../src/dnssec/nsec3-hash.js';
import { base32hexEncode } from '../../src/wire/base32hex.js';
import { keyTag } from '../../src/dnssec/key-tag.js';
import { collidingRsaKeys, manyRrsigs } from '../../test/validator/helpers/keytrap.js';
import { NOW, keysTable, loadVector, renamed, response, withSigs, type SignedZone } from '../../test/validator/helpers/zone-data.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 1);
const ROUNDS = arg('rounds', 3);
const WRITE = !process.argv.includes('--no-write');

const backend = createNodeBackend();
const ACCEPT_ALL: SignatureVerifier = { supportsVerify: () => true, verify: () => true };

function zoneKeys(z: SignedZone): KeysFor {
  const v = validateDnskeys(createValidationEnv(NOW, backend), z.dnskeys(), z.trust(), backend);
  if (v.status !== 'secure') throw new Error(`vector keys: ${JSON.stringify(v)}`);
  return keysTable([
    [Name.ROOT, { status: 'insecure' }],
    [z.origin, { status: 'secure', keys: v.keys }],
  ]);
}

interface Case {
  readonly label: string;
  readonly resp: ResponseToValidate;
  readonly keysFor: KeysFor;
  readonly options?: ValidatorOptions;
  /** For synthetic records whose signatures are stand-ins: the verifier that accepts them. */
  readonly verifier?: SignatureVerifier;
}

function uniq(...s: SignedRRset[]): SignedRRset[] {
  return s.filter((x, i) => s.indexOf(x) === i);
}

function nxNsec3(z: SignedZone, q: string): ResponseToValidate {
  const qn = z.name(q);
  return response(
    qn,
    RRType.A,
    Rcode.NXDOMAIN,
    [],
    uniq(z.get('@', RRType.SOA), z.nsec3For(z.origin), z.nsec3For(qn.suffix(z.origin.labelCount + 1)), z.nsec3For(z.name('*'))),
  );
}

function buildCases(): { mix: Case[]; extra: Case[] } {
  const ecdsa = loadVector('example.ecdsap256sha256-nsec.signed', 'keys/ECDSAP256SHA256/dsset-example.');
  const rsa = loadVector('example.rsasha256-nsec3.signed', 'keys/RSASHA256/dsset-example.');
  const ed = loadVector('example.ed25519-nsec3-salt-optout.signed', 'keys/ED25519/dsset-example.');
  const kE = zoneKeys(ecdsa);
  const kR = zoneKeys(rsa);
  const kD = zoneKeys(ed);
  const wq = ecdsa.name('host.wild');
  const mix: Case[] = [
    { label: 'positive A (P-256)', resp: response(ecdsa.name('www'), RRType.A, Rcode.NOERROR, [ecdsa.get('www', RRType.A)]), keysFor: kE },
    {
      label: 'CNAME + A (P-256)',
      resp: response(ecdsa.name('alias'), RRType.A, Rcode.NOERROR, [ecdsa.get('alias', RRType.CNAME), ecdsa.get('www', RRType.A)]),
      keysFor: kE,
    },
    { label: 'NXDOMAIN, NSEC3 (RSA-2048)', resp: nxNsec3(rsa, 'nx'), keysFor: kR },
    { label: 'NXDOMAIN, NSEC3 salt+1 it. (Ed25519)', resp: nxNsec3(ed, 'nx'), keysFor: kD },
    {
      label: 'wildcard answer + NSEC (P-256)',
      resp: response(wq, RRType.TXT, Rcode.NOERROR, [renamed(ecdsa.get('*.wild', RRType.TXT), wq)], [ecdsa.nsecFor(wq)]),
      keysFor: kE,
    },
    {
      label: 'NODATA, NSEC (P-256)',
      resp: response(ecdsa.name('www'), RRType.MX, Rcode.NOERROR, [], [ecdsa.get('@', RRType.SOA), ecdsa.nsecFor(ecdsa.name('www'))]),
      keysFor: kE,
    },
  ];
  return { mix, extra: [...keyTrapCases(rsa), nsec3Deep()] };
}

function keyTrapCases(rsa: SignedZone): Case[] {
  const v = validateDnskeys(createValidationEnv(NOW, backend), rsa.dnskeys(), rsa.trust(), backend);
  if (v.status !== 'secure') throw new Error('rsa keys');
  const zsk = v.keys.keys.find((k) => (k.flags & 1) === 0)!;
  const trap = new ZoneKeySet(rsa.origin, collidingRsaKeys(zsk, 64));
  const www = rsa.get('www', RRType.A);
  const resp = response(www.rrset.name, RRType.A, Rcode.NOERROR, [withSigs(www, manyRrsigs(www, zsk.tag, 64))]);
  const keysFor = keysTable([[rsa.origin, { status: 'secure', keys: trap }]]);
  const lifted = validatorOptions({ budget: { maxSignaturesPerRRset: 64, maxKeysPerSignature: 64, maxValidationsPerResponse: 4096, maxValidationFailuresPerResponse: 4096 } });
  return [
    { label: 'KeyTrap 64 keys × 64 RRSIGs, default budget', resp, keysFor },
    { label: 'KeyTrap 64 keys × 64 RRSIGs, limits lifted', resp, keysFor, options: lifted },
  ];
}

/** A zone that has only its apex NSEC3 (50 iterations), and a 100-label name below it. */
function nsec3Deep(): Case {
  const origin = Name.parse('deep.test.');
  const salt = Uint8Array.of(0xab, 0xcd);
  const dnskey = Uint8Array.of(0x01, 0x01, 3, 13, ...new Uint8Array(64).fill(7));
  const keys = ZoneKeySet.fromRdatas(origin, [dnskey]);
  const apex = nsec3Hash(origin, salt, 50);
  const owner = Name.fromLabels([new TextEncoder().encode(base32hexEncode(apex, true)), ...origin.labels()]);
  const next = apex.slice();
  next[19] = (next[19]! - 1) & 0xff; // the one record covers every other hash
  const nsec3 = encodeRdata(RRType.NSEC3, {
    hashAlgorithm: 1,
    flags: 0,
    iterations: 50,
    salt,
    nextHashed: next,
    types: [RRType.SOA, RRType.NS, RRType.NSEC3PARAM],
  });
  const sig = encodeRdata(RRType.RRSIG, {
    typeCovered: RRType.NSEC3,
    algorithm: 13,
    labels: 3,
    originalTtl: 300,
    expiration: NOW + 86400,
    inception: NOW - 86400,
    keyTag: keyTag(dnskey),
    signerName: origin,
    signature: new Uint8Array(64),
  });
  const q = Name.fromLabels([...Array.from({ length: 100 }, () => Uint8Array.of(0x61)), ...origin.labels()]);
  const set: SignedRRset = { rrset: { name: owner, type: RRType.NSEC3, class: 1, ttl: 300, rdatas: [nsec3] }, rrsigs: [sig] };
  return {
    label: 'NSEC3 100-label NXDOMAIN, 50 iterations, default hash budget (signature a stand-in)',
    resp: response(q, RRType.A, Rcode.NXDOMAIN, [], [set]),
    keysFor: keysTable([[origin, { status: 'secure', keys }]]),
    verifier: ACCEPT_ALL,
  };
}

/** CPU seconds (user + system) used by this process: robust to other load on the machine. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function rate(cases: readonly Case[], verifier: SignatureVerifier): { perSec: number; checks: number; status: string } {
  let best = 0;
  let checks = 0;
  let status = '';
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0;
    let v = 0;
    const end = performance.now() + SECONDS * 1000;
    const c0 = cpuSeconds();
    while (performance.now() < end) {
      for (const c of cases) {
        const out = validateResponse(c.resp, c.keysFor, createValidationEnv(NOW, verifier, c.options), verifier);
        if (out.status === 'need-keys') throw new Error('need-keys');
        status = out.status;
        v += out.work.validations;
        n++;
      }
    }
    const perSec = n / (cpuSeconds() - c0);
    if (perSec > best) {
      best = perSec;
      checks = v / n;
    }
  }
  return { perSec: best, checks, status };
}

function once(c: Case): { ms: number; status: string; tag: string; validations: number; hashes: number } {
  let best = Infinity;
  let last = { status: '', tag: '', validations: 0, hashes: 0 };
  for (let r = 0; r < Math.max(ROUNDS, 3); r++) {
    const v = c.verifier ?? backend;
    const c0 = cpuSeconds();
    const out = validateResponse(c.resp, c.keysFor, createValidationEnv(NOW, v, c.options), v);
    const ms = (cpuSeconds() - c0) * 1000;
    if (out.status === 'need-keys') throw new Error('need-keys');
    best = Math.min(best, ms);
    last = { status: out.status, tag: out.reason?.tag ?? '', validations: out.work.validations, hashes: out.work.nsec3Hashes };
  }
  return { ms: best, ...last };
}

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

function main(): void {
  const { mix, extra } = buildCases();
  const lines: string[] = [];
  lines.push('## Validator (bench/validate)', '');
  lines.push(
    `\`npx tsx bench/validate/validate-bench.ts --seconds ${SECONDS} --rounds ${ROUNDS}\` — Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1) ?? '?'} at start), one thread, node crypto backend with its key cache warm; rates and times per CPU second of this process (user + system), best of ${ROUNDS} rounds; a new ValidationEnv per response.`,
    '',
  );
  lines.push('| response | status | signature checks | responses/s | logic only (accept-all verifier) |');
  lines.push('| --- | --- | ---: | ---: | ---: |');
  for (const c of mix) {
    const r = rate([c], backend);
    const l = rate([c], ACCEPT_ALL);
    lines.push(`| ${c.label} | ${r.status} | ${r.checks.toFixed(0)} | ${fmt(r.perSec)} | ${fmt(l.perSec)} |`);
  }
  const m = rate(mix, backend);
  const ml = rate(mix, ACCEPT_ALL);
  lines.push(`| **mix of the ${mix.length} above** | | ${m.checks.toFixed(2)} avg | **${fmt(m.perSec)}** | ${fmt(ml.perSec)} |`);
  lines.push('');
  lines.push('Worst cases (one response each; time is the best of the rounds):', '');
  lines.push('| response | verdict | signature checks | NSEC3 hashes | time per response |');
  lines.push('| --- | --- | ---: | ---: | ---: |');
  for (const c of extra) {
    const r = once(c);
    lines.push(`| ${c.label} | ${r.status} ${r.tag} | ${r.validations} | ${r.hashes} | ${r.ms.toFixed(2)} ms |`);
  }
  lines.push('');
  lines.push(
    'Notes: "signature checks" is per response (the mix averages them); the public-key operations are most of the cost, the rest (decoding, canonical form, proofs, NSEC3 hashing) is the "logic only" column. The KeyTrap rows are the same 64 × 64 response: the default budget stops after 32 checks (`V-BUDGET-KEYS`), with the limits lifted every one of the 4096 pairings is checked. The NSEC3 row hashes 64 names at 50 iterations before `V-BUDGET-NSEC3` stops it; iterations above 50 are not hashed at all (insecure, EDE 27).',
    '',
  );
  const section = lines.join('\n');
  process.stdout.write(section + '\n');
  if (WRITE) {
    const path = writeResultsSection('## Validator (bench/validate)', section);
    process.stderr.write(`wrote ${path}\n`);
  }
}

main();
