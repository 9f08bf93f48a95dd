// The one atomic durable write (src/server/atomic-file.ts, DESIGN.md convention 11): after a
// failure at any point of the write the target is complete (old content) or absent, and no
// temporary file is left behind.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeStaleTemps, writeAtomic, writeAtomicSync, writeFileAtomic, writeTextAtomic } from '../../src/server/atomic-file.js';

const dir = mkdtempSync(join(tmpdir(), 'anchord-atomic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const big = 'x'.repeat(300_000) + '\n';

function* failingPieces(n: number): Generator<string> {
  for (let i = 0; i < n; i++) yield big;
  throw new Error('producer failed mid-write');
}

test('a new file: complete after success, absent after a failure mid-write, no temp left', () => {
  const path = join(dir, 'new.txt');
  assert.throws(() => writeTextAtomic(path, failingPieces(8)), /mid-write/, 'the failure is reported');
  assert.throws(() => statSync(path), /ENOENT/, 'no partial file at the target');
  assert.deepEqual(readdirSync(dir).filter((n) => n.includes('new.txt')), [], 'no temp file left');
  writeTextAtomic(path, [big, big, 'end\n']);
  assert.equal(readFileSync(path, 'utf8'), big + big + 'end\n', 'complete content');
});

test('an existing file keeps its old content, whole, when a rewrite fails (sync and async producers)', async () => {
  const path = join(dir, 'state.json');
  writeFileAtomic(path, '{"v":1}\n');
  assert.throws(() =>
    writeAtomicSync(path, (write) => {
      write(big);
      write(new Uint8Array(1000));
      throw new Error('disk full, say');
    }),
  );
  assert.equal(readFileSync(path, 'utf8'), '{"v":1}\n', 'old content after a sync failure');
  await assert.rejects(
    writeAtomic(path, async (write) => {
      write(big);
      await Promise.resolve();
      throw new Error('signing failed');
    }),
    /signing failed/,
  );
  assert.equal(readFileSync(path, 'utf8'), '{"v":1}\n', 'old content after an async failure');
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.state.json')), [], 'no temp file left');
  await writeAtomic(path, async (write) => {
    write('{"v":');
    await Promise.resolve();
    write(Buffer.from('2}\n'));
  });
  assert.equal(readFileSync(path, 'utf8'), '{"v":2}\n', 'text and bytes in order');
});

test('a rename that fails (the target is a folder) leaves the folder and no temp file', () => {
  const path = join(dir, 'folder');
  mkdirSync(path);
  writeFileSync(join(path, 'inside'), 'kept');
  assert.throws(() => writeFileAtomic(path, 'text'), /EISDIR|ENOTEMPTY|EEXIST|EPERM/);
  assert.equal(readFileSync(join(path, 'inside'), 'utf8'), 'kept');
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.folder')), [], 'no temp file left');
});

test('mode applies from creation; stale temps of a crash are removed', () => {
  const path = join(dir, 'Kexample.+013+12345.private');
  writeFileAtomic(path, 'secret', 0o600);
  assert.equal(statSync(path).mode & 0o777, 0o600, 'private key mode');
  writeFileSync(join(dir, '.Kexample.+013+12345.private.tmp-1-abc'), 'half');
  assert.equal(removeStaleTemps(path), 1);
  assert.ok(readdirSync(dir).every((n) => !n.includes('.tmp-')), 'stale temp gone');
});
