// The streaming signer: records come in canonical order batch by batch, a batch signer's failure
// surfaces from the stream (no hang, no unhandled rejection), and the atomic writer leaves no
// file behind when the stream fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompactZone } from '../../src/auth/compact-zone.js';
import { startSigning, type BatchSigner } from '../../src/auth/signer.js';
import { writeAtomicStream } from '../../src/cli/key-files.js';
import { CryptoError } from '../../src/core/errors.js';
import { Name } from '../../src/wire/name.js';
import { parseZoneText } from '../../src/zone/parser.js';
import { printZone, sortRecords } from '../../src/zone/printer.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { tempDir } from '../cli/helpers.js';
import { NOW, testKeys } from './fixtures.js';

function bigZone(n: number): CompactZone {
  let text = '$TTL 300\n@ SOA ns h 1 2 3 4 60\n@ NS ns\nns A 192.0.2.1\n';
  for (let i = 0; i < n; i++) text += `h${i} A 10.0.${(i >> 8) & 255}.${i & 255}\n`;
  const o = Name.parse('example.');
  return CompactZone.fromRecords(o, parseZoneText(text, { origin: o }).records);
}

test('chunks come in canonical order with small batches and several in flight', async () => {
  const keys = testKeys(8);
  const batch: BatchSigner = { signBatch: (jobs) => Promise.resolve(jobs.map((j) => keys[j.key]!.sign!(j.data))) };
  const run = startSigning(bigZone(700), keys, { now: NOW, batchSize: 16, concurrency: 5, batchSigner: batch });
  const out: ResourceRecord[] = [];
  let chunks = 0;
  for await (const c of run.chunks()) {
    chunks++;
    out.push(...c);
  }
  assert.ok(chunks > 10);
  assert.equal(printZone(out), printZone(sortRecords(out)));
  // Two per name (data and NSEC), plus the DNSKEY RRset by the KSK and the apex NS and SOA each by the ZSK.
  assert.equal(run.stats.generated, 702 * 2 + 3);
});

test('a failing batch rejects the stream, and the atomic writer leaves nothing behind', async () => {
  const keys = testKeys(9);
  let calls = 0;
  const failing: BatchSigner = {
    signBatch: (jobs) => {
      calls++;
      if (calls === 4) return Promise.reject(new CryptoError('HSM gone'));
      return new Promise((resolve) => setImmediate(() => resolve(jobs.map((j) => keys[j.key]!.sign!(j.data)))));
    },
  };
  const run = startSigning(bigZone(500), keys, { now: NOW, batchSize: 32, concurrency: 3, batchSigner: failing });
  const dir = tempDir('stream-fail');
  try {
    const file = join(dir, 'out.zone');
    await assert.rejects(
      writeAtomicStream(file, async (write) => {
        for await (const c of run.chunks()) for (const rr of c) write(Buffer.from(rr.name.toString() + '\n'));
      }),
      /HSM gone/,
    );
    assert.equal(existsSync(file), false);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
