// `anchord serve --threads 2 --metrics ...` as a process: both cluster workers share the listening
// sockets, and the primary's /metrics sums the workers' counters. Queries of class CH are answered
// REFUSED by the resolver itself, so no upstream server is needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rcode } from '../../src/wire/constants.js';
import { decodeMessage, encodeMessage, makeQuery } from '../../src/wire/message.js';
import { Name } from '../../src/wire/name.js';

const ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'anchord-cli.ts');
const HOST = '127.0.8.10';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function askChaos(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('no reply'));
    }, 5000);
    s.on('message', (msg) => {
      clearTimeout(timer);
      s.close();
      resolve(decodeMessage(msg).rcode);
    });
    s.send(encodeMessage(makeQuery(Name.parse('version.bind.'), 16, { id: 7, rd: true, class: 3 })).bytes, port, HOST);
  });
}

test('serve --threads 2: the workers share the sockets and the primary serves their summed metrics', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--threads', '2', '--listen', `${HOST}:${port}`, '--metrics', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const state = { gone: false };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      state.gone = true;
      resolve();
    }),
  );
  try {
    // Both workers listening (one log line each), and the primary's metrics address.
    for (let waited = 0; (err.match(/resolver listening/g) ?? []).length < 2 || !/metrics on /.test(out); waited += 100) {
      if (waited > 45_000 || /cannot listen|EADDRINUSE/.test(err)) assert.fail(`serve did not come up: ${out} ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Each worker serves UDP from its own native endpoint in one SO_REUSEPORT group (udp-listener.ts).
    assert.equal((`${out}${err}`.match(/udp listener: native batched endpoint/g) ?? []).length, 2, `both workers on native endpoints: ${out} ${err}`);
    const mport = Number(/metrics on 127\.0\.0\.1:([0-9]+)/.exec(out)?.[1]);
    const rcodes: number[] = [];
    for (let i = 0; i < 8; i++) rcodes.push(await askChaos(port));
    assert.deepEqual(rcodes, new Array<number>(8).fill(Rcode.REFUSED), 'class CH is refused');
    const text = await (await fetch(`http://127.0.0.1:${mport}/metrics`)).text();
    const line = (name: string): string | undefined => text.split('\n').find((l) => l.startsWith(name));
    assert.equal(line('anchord_client_queries_total '), 'anchord_client_queries_total 8', text.slice(0, 2000));
    assert.equal(line('anchord_client_responses_total{rcode="REFUSED"} '), 'anchord_client_responses_total{rcode="REFUSED"} 8');
    // SIGTERM to the primary: the workers get it, close and exit, and so does the primary.
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    assert.equal(state.gone, true, `serve stopped on SIGTERM: ${err}`);
  } finally {
    // The workers leave when the primary's IPC channel goes.
    if (!state.gone) child.kill('SIGKILL');
    await exited;
  }
});
