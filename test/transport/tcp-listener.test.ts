import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnchordError } from '../../src/core/errors.js';
import type { ClientInfo, RequestHandler } from '../../src/transport/handler.js';
import { TcpListener, type TcpListenerOptions } from '../../src/transport/tcp-listener.js';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { TcpTestClient, buildQuery, buildReply, deferred, delay, frame, idOf, lastByte } from './fixtures.js';

const GUARD = 5000;

async function start(handler: RequestHandler, options: Partial<TcpListenerOptions> = {}): Promise<{ listener: TcpListener; port: number }> {
  const listener = new TcpListener({ addresses: ['127.0.0.1:0'], handler, ...options });
  await listener.start();
  return { listener, port: listener.addresses[0]!.port };
}

const echo: RequestHandler = (req) => buildReply(req);

test('answers over IPv4 and IPv6 with the client info', async () => {
  const seen: ClientInfo[] = [];
  const listener = new TcpListener({
    addresses: ['127.0.0.1:0', '[::1]:0'],
    handler: (req, client) => {
      seen.push(client);
      return buildReply(req, { marker: 5 });
    },
  });
  await listener.start();
  const client = new UpstreamClient();
  for (const a of listener.addresses) {
    assert.equal(a.transport, 'tcp');
    const reply = await client.query(a, buildQuery(1, 'example'), { tcp: true, timeoutMs: GUARD });
    assert.ok(reply.kind === 'reply');
    assert.equal(lastByte(reply.bytes), 5);
  }
  assert.deepEqual(seen.map((c) => [c.address, c.transport]), [['127.0.0.1', 'tcp'], ['::1', 'tcp']]);
  assert.equal(listener.stats.queries, 2);
  assert.equal(listener.stats.answered, 2);
  await listener.close();
  assert.equal(listener.stats.active, 0);
});

test('framing split across writes, one octet at a time', async () => {
  const { listener, port } = await start(echo);
  const c = new TcpTestClient('127.0.0.1', port);
  await c.connected;
  const stream = Buffer.concat([frame(buildQuery(1, 'a.example')), frame(buildQuery(2, 'b.example'))]);
  for (const b of stream) {
    await c.write(Uint8Array.of(b));
    await delay(1);
  }
  assert.equal(idOf(await c.next()), 1);
  assert.equal(idOf(await c.next()), 2);
  c.destroy();
  await listener.close();
});

test('pipelined queries on one connection, answered out of order', async () => {
  const gates = new Map<number, ReturnType<typeof deferred<undefined>>>();
  const { listener, port } = await start(async (req) => {
    const gate = deferred<undefined>();
    gates.set(idOf(req), gate);
    await gate.promise;
    return buildReply(req);
  });
  const c = new TcpTestClient('127.0.0.1', port);
  await c.write(Buffer.concat([1, 2, 3].map((id) => frame(buildQuery(id, `q${id}.example`)))));
  while (gates.size < 3) await delay(5);
  for (const id of [3, 1, 2]) {
    gates.get(id)!.resolve(undefined);
    assert.equal(idOf(await c.next()), id);
  }
  assert.equal(listener.stats.accepted, 1);
  c.destroy();
  await listener.close();
});

test('at most maxInFlightPerConnection queries are with the handler; the rest wait and are answered', async () => {
  let current = 0;
  let peak = 0;
  const { listener, port } = await start(async (req) => {
    current++;
    peak = Math.max(peak, current);
    await delay(5);
    current--;
    return buildReply(req);
  }, { maxInFlightPerConnection: 2 });
  const c = new TcpTestClient('127.0.0.1', port);
  const ids = Array.from({ length: 10 }, (_, i) => i + 1);
  await c.write(Buffer.concat(ids.map((id) => frame(buildQuery(id, 'x.example')))));
  const got: number[] = [];
  for (const _ of ids) got.push(idOf(await c.next()));
  assert.deepEqual(got.sort((x, y) => x - y), ids);
  assert.equal(peak, 2);
  c.destroy();
  await listener.close();
});

test('a client that half-closes after its queries still gets every answer', async () => {
  const { listener, port } = await start(async (req) => {
    await delay(5);
    return buildReply(req);
  }, { maxInFlightPerConnection: 1 });
  const c = new TcpTestClient('127.0.0.1', port);
  await c.write(Buffer.concat([1, 2, 3].map((id) => frame(buildQuery(id, 'x.example')))));
  c.socket.end();
  const got = [idOf(await c.next()), idOf(await c.next()), idOf(await c.next())];
  assert.deepEqual(got, [1, 2, 3]);
  await c.closed;
  await listener.close();
});

test('connections beyond maxConnections are closed at once', async () => {
  const { listener, port } = await start(echo, { maxConnections: 2 });
  const a = new TcpTestClient('127.0.0.1', port);
  const b = new TcpTestClient('127.0.0.1', port);
  await Promise.all([a.connected, b.connected]);
  while (listener.stats.active < 2) await delay(5);
  const extra = new TcpTestClient('127.0.0.1', port);
  await extra.closed;
  assert.equal(listener.stats.rejectedLimit, 1);
  // The first two still work.
  await a.write(frame(buildQuery(1, 'a.example')));
  assert.equal(idOf(await a.next()), 1);
  a.destroy();
  b.destroy();
  await listener.close();
});

test('allowConnection can refuse a peer before any byte is read', async () => {
  const asked: string[] = [];
  const { listener, port } = await start(echo, {
    allowConnection: (peer) => {
      asked.push(peer.address);
      return false;
    },
  });
  const c = new TcpTestClient('127.0.0.1', port);
  await c.closed;
  assert.deepEqual(asked, ['127.0.0.1']);
  assert.equal(listener.stats.rejectedPolicy, 1);
  assert.equal(listener.stats.accepted, 0);
  await listener.close();
});

test('the idle timeout closes a connection with nothing in flight, partial data or not', async () => {
  const { listener, port } = await start(echo, { idleTimeoutMs: 100 });
  const idle = new TcpTestClient('127.0.0.1', port);
  const trickle = new TcpTestClient('127.0.0.1', port);
  await trickle.connected;
  await trickle.write(Uint8Array.of(0, 40, 1, 2)); // a message that never completes
  await idle.write(frame(buildQuery(1, 'a.example')));
  assert.equal(idOf(await idle.next()), 1);
  await Promise.all([idle.closed, trickle.closed]);
  assert.equal(listener.stats.idleTimeouts, 2);
  await listener.close();
});

test('the idle timeout does not cut off a slow answer', async () => {
  const release = deferred<undefined>();
  const { listener, port } = await start(async (req) => {
    await release.promise;
    return buildReply(req, { marker: 3 });
  }, { idleTimeoutMs: 50 });
  const c = new TcpTestClient('127.0.0.1', port);
  await c.write(frame(buildQuery(1, 'slow.example')));
  await delay(200); // several idle periods with the query in flight
  release.resolve(undefined);
  assert.equal(lastByte(await c.next()), 3);
  await c.closed; // and the timeout applies again afterwards
  await listener.close();
});

test('zero and oversized length prefixes close the connection', async () => {
  const { listener, port } = await start(echo, { maxMessageSize: 100 });
  const zero = new TcpTestClient('127.0.0.1', port);
  await zero.write(Uint8Array.of(0, 0));
  await zero.closed;
  const big = new TcpTestClient('127.0.0.1', port);
  await big.write(Buffer.concat([frame(buildQuery(1, 'ok.example')), Uint8Array.of(0, 101)]));
  assert.equal(idOf(await big.next()), 1);
  await big.closed;
  assert.equal(listener.stats.framingErrors, 2);
  await listener.close();
});

test('handler errors and drops are logged and counted; the connection lives on', async () => {
  const errors: unknown[] = [];
  const { listener, port } = await start((req) => {
    const id = idOf(req);
    if (id === 1) throw new Error('sync boom');
    if (id === 2) return Promise.reject(new Error('async boom'));
    if (id === 3) return undefined;
    if (id === 4) return new Uint8Array(70000); // too big to frame
    return buildReply(req);
  }, { onError: (e) => { errors.push(e); } });
  const c = new TcpTestClient('127.0.0.1', port);
  await c.write(Buffer.concat([1, 2, 3, 4, 5].map((id) => frame(buildQuery(id, 'x.example')))));
  assert.equal(idOf(await c.next()), 5);
  assert.equal(listener.stats.handlerErrors, 2);
  assert.equal(listener.stats.dropped, 4);
  assert.equal(errors.length, 3);
  c.destroy();
  await listener.close();
});

test('graceful close: in-flight answers finish, new connections and queries are refused', async () => {
  const release = deferred<undefined>();
  let calls = 0;
  const { listener, port } = await start(async (req) => {
    calls++;
    await release.promise;
    return buildReply(req, { marker: 7 });
  });
  const c = new TcpTestClient('127.0.0.1', port);
  const idle = new TcpTestClient('127.0.0.1', port);
  await idle.connected;
  await c.write(frame(buildQuery(1, 'slow.example')));
  while (calls === 0) await delay(5);
  const closing = listener.close({ graceMs: GUARD });
  await idle.closed; // nothing in flight: ended at once
  await c.write(frame(buildQuery(2, 'late.example'))); // not read any more
  const late = new TcpTestClient('127.0.0.1', port);
  await late.closed; // the port no longer accepts
  release.resolve(undefined);
  assert.equal(lastByte(await c.next()), 7);
  await c.closed;
  await closing;
  assert.equal(calls, 1);
  assert.equal(listener.stats.active, 0);
});

test('close() destroys connections still busy at the deadline', async () => {
  const { listener, port } = await start(() => new Promise<undefined>(() => undefined));
  const c = new TcpTestClient('127.0.0.1', port);
  await c.write(frame(buildQuery(1, 'never.example')));
  while (listener.stats.inFlight === 0) await delay(5);
  await listener.close({ graceMs: 50 });
  await c.closed;
  assert.equal(listener.stats.active, 0);
});

test('bad listen addresses are config errors; a busy port fails start()', async () => {
  assert.throws(() => new TcpListener({ addresses: ['127.0.0.1:99999'], handler: echo }), AnchordError);
  const { listener, port } = await start(echo);
  const second = new TcpListener({ addresses: [`127.0.0.1:${port}`], handler: echo });
  await assert.rejects(second.start(), (e: unknown) => e instanceof AnchordError && e.message.includes('tcp'));
  await listener.close();
});
