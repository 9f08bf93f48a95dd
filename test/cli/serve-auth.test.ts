// anchord serve-auth as a process: signs a zone at load with the keys in a directory, serves it on
// UDP and TCP (one free loopback port), reloads on SIGHUP, exits 0 on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { anchord, tempDir, tool } from './helpers.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const SOURCE = join(import.meta.dirname, '..', 'vectors', 'zones', 'example.zone');

test('serve-auth: sign at load, answer over UDP and TCP with DNSSEC, reload on SIGHUP, stop on SIGTERM', async () => {
  const dir = tempDir('serve-auth');
  try {
    const zone = join(dir, 'example.zone');
    copyFileSync(SOURCE, zone);
    for (const f of [['-f', 'KSK'], []]) {
      const r = await anchord(['keygen', '-K', dir, '-a', 'ECDSAP256SHA256', ...f, 'example.']);
      assert.equal(r.code, 0);
    }
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `const m = await import(${JSON.stringify(join(ROOT, 'src/cli/main.ts'))}); process.exitCode = await m.runCli(process.argv.slice(1));`, '--', 'serve-auth', '--zone', `example.=${zone}`, '--keys', dir, '--nsec3-salt', '-', '--listen', '127.0.0.1:0'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let port = '';
    for (let i = 0; i < 100 && port === ''; i++) {
      port = /listening on tcp 127\.0\.0\.1:([0-9]+)/.exec(out)?.[1] ?? '';
      if (port === '') await new Promise((r) => setTimeout(r, 100));
    }
    assert.notEqual(port, '', `server did not start: ${out}${err}`);
    const dig = async (...args: string[]): Promise<string> => (await run(tool('dig'), ['@127.0.0.1', '-p', port, '+norec', '+time=3', '+tries=1', ...args])).stdout;
    const a = await dig('+dnssec', 'www.example.', 'A');
    assert.match(a, /status: NOERROR/);
    assert.match(a, /flags: qr aa;/);
    assert.match(a, /\sRRSIG\s+A 13 2 3600/);
    const nx = await dig('+dnssec', '+tcp', 'nope.example.', 'A');
    assert.match(nx, /status: NXDOMAIN/);
    assert.match(nx, /\sNSEC3\s+1 0 0 -/);
    const ref = await dig('www.sub.example.', 'A');
    assert.match(ref, /flags: qr;/);
    assert.match(ref, /AUTHORITY: 2,/);
    // Reload: a changed zone file is served after SIGHUP.
    writeFileSync(zone, `${await (await import('node:fs/promises')).readFile(zone, 'utf8')}reloaded A 192.0.2.222\n`);
    child.kill('SIGHUP');
    for (let i = 0; i < 100 && !out.includes('reloaded from'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(await dig('reloaded.example.', 'A'), /192\.0\.2\.222/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
