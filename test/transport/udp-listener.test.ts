import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchordError } from '../../src/core/errors.js';
import type { ClientInfo } from '../../src/transport/handler.js';
import { UdpListener } from '../../src/transport/udp-listener.js';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { bindUdp, buildQuery, buildReply, closeUdp, deferred, delay, lastByte, nextDatagram, sendUdp } from './fixtures.js';

const GUARD = 5000;
const SHORT = 300;

test('answers on several addresses, IPv4 and IPv6, from the socket asked', async () => {
  const seen: ClientInfo[] = [];
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0', '127.77.0.2:0', '[::1]:0'],
    handler: (req, client) => {
      seen.push(client);
      return buildReply(req, { marker: 1 });
    },
  });
  await listener.start();
  assert.equal(listener.addresses.length, 3);
  const client = new UpstreamClient();
  for (const a of listener.addresses) {
    assert.equal(a.transport, 'udp');
    assert.notEqual(a.port, 0);
    // The upstream client's socket is connected: an answer from any other source would not arrive.
    const reply = await client.query({ address: a.address, port: a.port }, buildQuery(1, 'example'), { timeoutMs: GUARD });
    assert.ok(reply.kind === 'reply', `${a.address}: ${reply.kind}`);
    assert.equal(lastByte(reply.bytes), 1);
  }
  assert.deepEqual(seen.map((c) => [c.address, c.transport]), [['127.0.0.1', 'udp'], ['127.0.0.1', 'udp'], ['::1', 'udp']]);
  assert.ok(seen.every((c) => c.port > 0));
  assert.equal(listener.stats.received, 3);
  assert.equal(listener.stats.answered, 3);
  await listener.close();
});

test('asynchronous answers', async () => {
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: async (req) => {
      await delay(5);
      return buildReply(req, { marker: 2 });
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const client = new UpstreamClient();
  const replies = await Promise.all([1, 2, 3].map((id) => client.query(a, buildQuery(id, 'example'), { timeoutMs: GUARD })));
  assert.deepEqual(replies.map((r) => r.kind), ['reply', 'reply', 'reply']);
  assert.equal(listener.stats.inFlight, 0);
  await listener.close();
});

test('handler throws, rejections and drops never stop the listener', async () => {
  const errors: string[] = [];
  let n = 0;
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    onError: (e, context) => {
      errors.push(`${(e as Error).message} | ${context}`);
    },
    handler: (req) => {
      n++;
      if (n === 1) throw new Error('sync boom');
      if (n === 2) return Promise.reject(new Error('async boom'));
      if (n === 3) return undefined;
      return buildReply(req, { marker: 4 });
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const client = new UpstreamClient();
  for (let i = 1; i <= 3; i++) {
    assert.equal((await client.query(a, buildQuery(i, 'example'), { timeoutMs: SHORT })).kind, 'timeout');
  }
  const ok = await client.query(a, buildQuery(4, 'example'), { timeoutMs: GUARD });
  assert.equal(ok.kind, 'reply');
  assert.equal(listener.stats.handlerErrors, 2);
  assert.equal(listener.stats.dropped, 2); // the rejected one and the undefined one
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /^sync boom \| udp handler, client 127\.0\.0\.1:\d+$/);
  assert.match(errors[1]!, /^async boom/);
  await listener.close();
});

test('a logger that throws does not take the listener down', async () => {
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    onError: () => {
      throw new Error('logger broken');
    },
    handler: (req) => {
      if (req[1] === 1) throw new Error('boom');
      return buildReply(req);
    },
  });
  await listener.start();
  const client = new UpstreamClient();
  const a = listener.addresses[0]!;
  assert.equal((await client.query(a, buildQuery(1, 'example'), { timeoutMs: SHORT })).kind, 'timeout');
  assert.equal((await client.query(a, buildQuery(2, 'example'), { timeoutMs: GUARD })).kind, 'reply');
  await listener.close();
});

test('bad listen addresses are config errors; a busy port fails start()', async () => {
  assert.throws(() => new UdpListener({ addresses: ['localhost:53'], handler: () => undefined }), (e: unknown) => e instanceof AnchordError && e.code === 'ERR_CONFIG');
  const first = new UdpListener({ addresses: ['127.0.0.1:0'], handler: () => undefined });
  await first.start();
  const port = first.addresses[0]!.port;
  const second = new UdpListener({ addresses: ['127.0.0.2:0', `127.0.0.1:${port}`], handler: () => undefined });
  await assert.rejects(second.start(), (e: unknown) => e instanceof AnchordError && e.message.includes(`127.0.0.1:${port}`));
  assert.equal(second.addresses.length, 0);
  await first.close();
});

test('close() lets an answer in flight go out and takes no new requests', async () => {
  const release = deferred<undefined>();
  let calls = 0;
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: async (req) => {
      calls++;
      await release.promise;
      return buildReply(req, { marker: 8 });
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const sock = await bindUdp('127.0.0.1');
  await sendUdp(sock, buildQuery(1, 'slow.example'), a.port, a.address);
  while (calls === 0) await delay(5);
  const closed = listener.close({ graceMs: GUARD });
  await sendUdp(sock, buildQuery(2, 'late.example'), a.port, a.address);
  while (listener.stats.discardedClosing === 0) await delay(5);
  const answer = nextDatagram(sock);
  release.resolve(undefined);
  assert.equal(lastByte((await answer).msg), 8);
  await closed;
  assert.equal(calls, 1);
  assert.equal(listener.stats.answered, 1);
  await closeUdp(sock);
});

test('close() gives up on answers after the grace period', async () => {
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: () => new Promise<undefined>(() => undefined),
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const sock = await bindUdp('127.0.0.1');
  await sendUdp(sock, buildQuery(1, 'never.example'), a.port, a.address);
  while (listener.stats.inFlight === 0) await delay(5);
  await listener.close({ graceMs: 50 });
  assert.equal(listener.stats.inFlight, 1);
  await closeUdp(sock);
});

test('a datagramHandler gets node\'s RemoteInfo as the sender and is called instead of the handler', async () => {
  const seen: { address: string; port: number }[] = [];
  let plain = 0;
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: () => {
      plain++;
      return undefined;
    },
    datagramHandler: (req, from) => {
      seen.push(from);
      return buildReply(req, { marker: 3 });
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const client = new UpstreamClient();
  const reply = await client.query(a, buildQuery(1, 'example'), { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply', reply.kind);
  assert.equal(lastByte(reply.bytes), 3);
  assert.equal(plain, 0, 'the plain handler is not called');
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.address, '127.0.0.1');
  assert.ok(seen[0]!.port > 0, 'the sender port');
  assert.equal((seen[0] as { family?: string }).family, 'IPv4', "node's RemoteInfo itself, not a copy");
  await listener.close();
});
