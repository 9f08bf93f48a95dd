// The signer against BIND's own output: test/vectors/zones/*.signed were made by dnssec-signzone
// from example.zone with the keys next to them. RSA and Ed25519 signatures are deterministic, so
// signing the same zone with the same keys, times and NSEC3 parameters must give the very same
// records, byte for byte. ECDSA signatures differ per run: there, everything but the signature
// bytes must match, and every signature must verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signZone, type DenialOptions } from '../../src/auth/signer.js';
import { readZoneKeys, signingKeyFromPair } from '../../src/cli/key-files.js';
import { createNodeBackend } from '../../src/crypto/node-backend.js';
import { createSigner } from '../../src/crypto/signer.js';
import { verifyZone } from '../../src/dnssec/zone-verify.js';
import { RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { hexToBytes } from '../../src/wire/rdata-text.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { printRecord, printZone, sortRecords } from '../../src/zone/printer.js';
import { Zone } from '../../src/zone/zone.js';

const DIR = join(import.meta.dirname, '..', 'vectors', 'zones');
const ORIGIN = Name.parse('example.');
const INCEPTION = Date.UTC(2024, 0, 1) / 1000;
const EXPIRATION = Date.UTC(2037, 0, 1) / 1000;
const NOW = Date.UTC(2027, 0, 1) / 1000;

function unsignedZone(): Zone {
  const parsed = parseZoneText(readFileSync(join(DIR, 'example.zone'), 'utf8'), { origin: ORIGIN });
  return Zone.fromRecords(ORIGIN, parsed.records);
}

function bindRecords(file: string): ResourceRecord[] {
  return parseZoneText(readFileSync(join(DIR, file), 'utf8'), { origin: ORIGIN }).records;
}

async function sign(alg: string, denial: DenialOptions): Promise<ResourceRecord[]> {
  const keys = readZoneKeys(join(DIR, 'keys', alg), ORIGIN).map((p) => signingKeyFromPair(p, { signer: (k) => createSigner(k, { deterministic: true }) }));
  // The key files' timing says "active since 2026-11-22": judge them after that.
  const signed = await signZone(unsignedZone(), keys, { now: NOW, inception: INCEPTION, expiration: EXPIRATION, denial });
  return [...signed.records()];
}

/**
 * Records as text lines, canonical order, owner names lower-cased (BIND writes NSEC3 owners in
 * upper case; names compare without case, RFC 4343); with `maskSig`, RRSIG signatures as `-`.
 */
function lines(records: Iterable<ResourceRecord>, maskSig = false): string[] {
  return sortRecords(records).map((r) => {
    const line = printRecord({ ...r, name: r.name.toLowerCase() });
    return maskSig && r.type === RRType.RRSIG ? line.replace(/ \S+$/, ' -') : line;
  });
}

for (const [alg, file, denial] of [
  ['RSASHA256', 'example.rsasha256-nsec3.signed', { type: 'nsec3', iterations: 0, salt: new Uint8Array(0), optOut: false }],
  ['ED25519', 'example.ed25519-nsec3-salt-optout.signed', { type: 'nsec3', iterations: 1, salt: hexToBytes('AABBCCDD'), optOut: true }],
] as const) {
  test(`signing example.zone with ${alg} gives dnssec-signzone's ${file} byte for byte`, async () => {
    const ours = await sign(alg, denial);
    assert.deepEqual(lines(ours), lines(bindRecords(file)));
  });
}

test('signing example.zone with ECDSAP256SHA256/NSEC matches dnssec-signzone apart from signature bytes, and verifies', async () => {
  const ours = await sign('ECDSAP256SHA256', { type: 'nsec' });
  assert.deepEqual(lines(ours, true), lines(bindRecords('example.ecdsap256sha256-nsec.signed'), true));
  const result = verifyZone(ours, ORIGIN, createNodeBackend(), NOW);
  assert.ok(result.summary.ok, result.faults.map((f) => `${f.owner.toString()} ${f.reason}`).join('\n'));
  // Deterministic ECDSA (RFC 6979): the same run twice gives the same zone.
  const again = await sign('ECDSAP256SHA256', { type: 'nsec' });
  assert.equal(printZone(again), printZone(ours));
});
