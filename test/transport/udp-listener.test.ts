import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { AnchordError } from '../../src/core/errors.js';
import { REPLY_LATER, type ClientInfo, type DatagramReply, type DatagramSender } from '../../src/transport/handler.js';
import { chooseUdpIo, UdpListener, type UdpIo } from '../../src/transport/udp-listener.js';
import { ipv6ToText } from '../../src/wire/rdata.js';
import { loadNativeUdp, NativeSender, type NativeUdpEndpoint } from '../../src/transport/native-udp.js';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { bindUdp, buildQuery, buildReply, closeUdp, deferred, delay, idOf, lastByte, nextDatagram, sendUdp } from './fixtures.js';

const GUARD = 5000;
const SHORT = 300;

const NATIVE = loadNativeUdp();

// Every listener test runs on both paths (udp-listener.ts module comment).
for (const io of ['native', 'dgram'] as const satisfies readonly UdpIo[]) {
  test(`${io}: answers on several addresses, IPv4 and IPv6, from the socket asked`, async () => {
    const seen: ClientInfo[] = [];
    const listener = new UdpListener({
      io,
      addresses: ['127.0.0.1:0', '127.77.0.2:0', '[::1]:0'],
      handler: (req, client) => {
        seen.push(client);
        return buildReply(req, { marker: 1 });
      },
    });
    await listener.start();
    assert.equal(listener.io, io, `the ${io} path: ${listener.ioReason}`);
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

  test(`${io}: asynchronous answers`, async () => {
    const listener = new UdpListener({
      io,
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

  test(`${io}: handler throws, rejections and drops never stop the listener`, async () => {
    const errors: string[] = [];
    let n = 0;
    const listener = new UdpListener({
      io,
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

  test(`${io}: a logger that throws does not take the listener down`, async () => {
    const listener = new UdpListener({
      io,
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

  test(`${io}: bad listen addresses are config errors; a busy port fails start()`, async () => {
    assert.throws(() => new UdpListener({ io, addresses: ['localhost:53'], handler: () => undefined }), (e: unknown) => e instanceof AnchordError && e.code === 'ERR_CONFIG');
    const first = new UdpListener({ io, addresses: ['127.0.0.1:0'], handler: () => undefined });
    await first.start();
    const port = first.addresses[0]!.port;
    const second = new UdpListener({ io, addresses: ['127.0.0.2:0', `127.0.0.1:${port}`], handler: () => undefined });
    await assert.rejects(second.start(), (e: unknown) => e instanceof AnchordError && e.message.includes(`127.0.0.1:${port}`));
    assert.equal(second.addresses.length, 0);
    await first.close();
  });

  test(`${io}: close() lets an answer in flight go out and takes no new requests`, async () => {
    const release = deferred<undefined>();
    let calls = 0;
    const listener = new UdpListener({
      io,
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

  test(`${io}: a datagramHandler that returns REPLY_LATER answers, drops and fails through the listener's one DatagramReply`, async () => {
    const release = deferred<undefined>();
    const errors: string[] = [];
    const targets = new Set<DatagramReply>();
    const vias = new Set<unknown>();
    const listener = new UdpListener({
      io,
      addresses: ['127.0.0.1:0'],
      handler: () => undefined,
      onError: (e, context) => {
        errors.push(`${context}: ${e instanceof Error ? e.message : String(e)}`);
      },
      datagramHandler: (req, from: DatagramSender, reply?: DatagramReply, via?: unknown) => {
        assert.ok(reply !== undefined && via !== undefined, 'the listener gives a reply target and the request\'s socket or endpoint');
        targets.add(reply);
        vias.add(via);
        void release.promise.then(() => {
          // id 1: answered; 2: dropped; 3: failed (as a rejection would).
          if (req[1] === 1) reply.answer(via, from, buildReply(req, { marker: 6 }));
          else if (req[1] === 2) reply.answer(via, from, undefined);
          else reply.fail(via, from, new Error('resolution blew up'));
        });
        return REPLY_LATER;
      },
    });
    await listener.start();
    const a = listener.addresses[0]!;
    const sock = await bindUdp('127.0.0.1');
    for (const id of [2, 3, 1]) await sendUdp(sock, buildQuery(id, 'later.example'), a.port, a.address);
    while (listener.stats.inFlight < 3) await delay(5);
    assert.equal(listener.stats.received, 3, 'three datagrams taken');
    // close() waits for the answers a handler will still give (graceful shutdown as with promises).
    const closed = listener.close({ graceMs: GUARD });
    const answer = nextDatagram(sock);
    release.resolve(undefined);
    const got = await answer;
    assert.equal(idOf(got.msg), 1, 'the answered request');
    assert.equal(lastByte(got.msg), 6, 'its marker');
    await closed;
    const st = listener.stats;
    assert.equal(st.inFlight, 0, 'nothing left in flight');
    assert.equal(st.answered, 1, 'one answer sent');
    assert.equal(st.dropped, 2, 'the drop and the failure are drops');
    assert.equal(st.handlerErrors, 1, 'the failure is counted');
    assert.equal(errors.length, 1, `one error logged: ${errors.join('; ')}`);
    assert.ok(errors[0]!.includes('resolution blew up') && errors[0]!.includes('127.0.0.1'), errors[0]);
    assert.equal(targets.size, 1, 'one reply target for every request');
    assert.equal(vias.size, 1, 'one socket or endpoint');
    await closeUdp(sock);
  });

  test(`${io}: close() gives up on answers after the grace period`, async () => {
    const listener = new UdpListener({
      io,
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
}

test('dgram: a datagramHandler gets node\'s RemoteInfo as the sender and is called instead of the handler', async () => {
  const seen: { address: string; port: number }[] = [];
  let plain = 0;
  const listener = new UdpListener({
    io: 'dgram',
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

test('native: the addon that the build makes has the UDP endpoint', () => {
  assert.ok(NATIVE.ok, `native endpoint: ${NATIVE.ok ? '' : NATIVE.reason}`);
});

test('native: a datagramHandler gets a NativeSender: address bytes, the text only when asked', async () => {
  const seen: NativeSender[] = [];
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0', '[::1]:0'],
    handler: () => undefined,
    datagramHandler: (req, from) => {
      assert.ok(from instanceof NativeSender, 'a NativeSender');
      seen.push(from);
      return buildReply(req, { marker: 5 });
    },
  });
  await listener.start();
  assert.equal(listener.io, 'native', listener.ioReason);
  const client = new UpstreamClient();
  for (const a of listener.addresses) {
    const reply = await client.query(a, buildQuery(7, 'example'), { timeoutMs: GUARD });
    assert.ok(reply.kind === 'reply', `${a.address}: ${reply.kind}`);
    assert.equal(lastByte(reply.bytes), 5, 'the marker');
  }
  assert.equal(seen.length, 2, 'two senders');
  assert.equal(seen[0]!.ip4, 0x7f000001, 'IPv4 as a number');
  assert.equal(seen[0]!.ip6, undefined, 'no IPv6 octets for IPv4');
  assert.equal(seen[0]!.address, '127.0.0.1', 'IPv4 text');
  assert.equal(seen[1]!.ip4, -1, 'IPv6: ip4 is -1');
  assert.deepEqual(Array.from(seen[1]!.ip6 ?? []), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '::1 as octets');
  assert.equal(seen[1]!.address, '::1', 'IPv6 text');
  assert.ok(seen.every((s) => s.port > 0), 'sender ports');
  await listener.close();
});

/** A second native endpoint as a client: its sendTo calls are plain sendto(2), all queued before the loop turns. */
function nativeClient(onAnswer: (bytes: Uint8Array) => void): NativeUdpEndpoint {
  assert.ok(NATIVE.ok, 'native endpoint');
  const made: { ep?: NativeUdpEndpoint } = {};
  const ep = (made.ep = NATIVE.open({
    address: '127.0.0.1', port: 0, reusePort: false, receiveBufferSize: 0, sendBufferSize: 0, batch: 8, slot: 4096, sendSlot: 4096,
    onBatch: (count) => {
      const e = made.ep!;
      for (let j = 0; j < count; j++) onAnswer(new Uint8Array(e.payload, j * 4096, e.meta[j * 4]).slice());
    },
  }));
  return ep;
}

test('native: datagrams that arrive together are taken in one batch and answered with one flush', async () => {
  const listener = new UdpListener({ addresses: ['127.0.0.1:0'], handler: (req) => buildReply(req, { marker: 9 }) });
  await listener.start();
  const a = listener.addresses[0]!;
  const got: number[] = [];
  const all = deferred<undefined>();
  const client = nativeClient((bytes) => {
    got.push((bytes[0]! << 8) | bytes[1]!);
    if (got.length === 20) all.resolve(undefined);
  });
  for (let id = 1; id <= 20; id++) assert.ok(client.sendTo(buildQuery(id, `n${id}.example`), a.port, 4, 0x7f000001, null), `sent ${id}`);
  await all.promise;
  assert.deepEqual(got.sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1), 'every query answered once');
  assert.equal(listener.stats.received, 20, 'received');
  assert.equal(listener.stats.answered, 20, 'answered');
  assert.equal(listener.stats.batches, 1, 'the 20 datagrams queued before the loop turned came in one batch');
  client.close();
  await listener.close();
});

test('native: an oversize datagram is counted and dropped; the next one is answered', async () => {
  const seen: number[] = [];
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: (req) => {
      seen.push(req.length);
      return buildReply(req);
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const sock = await bindUdp('127.0.0.1');
  const big = new Uint8Array(5000);
  big.set(buildQuery(1, 'big.example'));
  await sendUdp(sock, big, a.port, a.address);
  const answer = nextDatagram(sock);
  await sendUdp(sock, buildQuery(2, 'small.example'), a.port, a.address);
  assert.equal(idOf((await answer).msg), 2, 'the small query is answered');
  assert.equal(listener.stats.oversize, 1, 'one oversize datagram');
  assert.deepEqual(seen, [buildQuery(2, 'small.example').length], 'the handler never saw the oversize one');
  await closeUdp(sock);
  await listener.close();
});

test('native: answers longer than the batch slot and empty datagrams', async () => {
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: (req) => {
      if (req.length === 0) return undefined;
      const out = new Uint8Array(6000);
      out.set(req);
      return out;
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const sock = await bindUdp('127.0.0.1');
  await sendUdp(sock, new Uint8Array(0), a.port, a.address);
  const answer = nextDatagram(sock);
  await sendUdp(sock, buildQuery(3, 'long.example'), a.port, a.address);
  const got = (await answer).msg;
  assert.equal(got.length, 6000, 'the long answer whole');
  assert.equal(idOf(got), 3, 'its ID');
  assert.equal(listener.stats.dropped, 1, 'the empty datagram was handed over and dropped by the handler');
  await closeUdp(sock);
  await listener.close();
});

test('native: random datagrams never bring the listener down', async () => {
  const errors: unknown[] = [];
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0', '[::1]:0'],
    // Room for all of them: a datagram the kernel drops for a full buffer would not be counted.
    receiveBufferSize: 4 * 1024 * 1024,
    onError: (e) => errors.push(e),
    handler: (req) => {
      // A handler that reads what it is given, as a DNS server does, and answers some of it.
      if (req.length >= 12 && (req[2]! & 0x80) === 0) return buildReply(req.subarray(0, Math.min(req.length, 700)));
      if (req.length === 1) throw new Error('one octet');
      return undefined;
    },
  });
  await listener.start();
  const [a4, a6] = listener.addresses;
  const s4 = await bindUdp('127.0.0.1');
  const s6 = await bindUdp('::1');
  s4.on('message', () => undefined);
  s6.on('message', () => undefined);
  let sent = 0;
  for (let i = 0; i < 300; i++) {
    const len = i % 50 === 0 ? 4096 + (i % 3) : i % 7 === 0 ? 1 : Math.floor(Math.random() * 700);
    const bytes = randomBytes(len);
    if (i % 2 === 0) await sendUdp(s4, bytes, a4!.port, a4!.address);
    else await sendUdp(s6, bytes, a6!.port, a6!.address);
    sent++;
    if (sent % 25 === 0) await delay(1); // let the listener read between bursts
  }
  while (listener.stats.received + listener.stats.oversize < sent) await delay(5);
  const client = new UpstreamClient();
  const r4 = await client.query(a4!, buildQuery(11, 'after.example'), { timeoutMs: GUARD });
  const r6 = await client.query(a6!, buildQuery(12, 'after.example'), { timeoutMs: GUARD });
  assert.ok(r4.kind === 'reply' && r6.kind === 'reply', `still answering: ${r4.kind} ${r6.kind}`);
  const st = listener.stats;
  assert.equal(st.received + st.oversize, sent + 2, `every datagram taken or counted oversize (${JSON.stringify(st)})`);
  assert.equal(st.oversize, 4, 'the 4096+1 and 4096+2 octet ones are oversize; 4096 fits');
  assert.equal(errors.length, st.handlerErrors, 'handler errors logged');
  await closeUdp(s4);
  await closeUdp(s6);
  await listener.close();
});

test('native: reusePort lets two endpoints bind one port; without it the second bind fails', async () => {
  const one = new UdpListener({ addresses: ['127.0.0.1:0'], reusePort: true, handler: (req) => buildReply(req, { marker: 1 }) });
  await one.start();
  const port = one.addresses[0]!.port;
  const two = new UdpListener({ addresses: [`127.0.0.1:${port}`], reusePort: true, handler: (req) => buildReply(req, { marker: 2 }) });
  await two.start();
  assert.equal(two.addresses[0]!.port, port, 'the same port');
  const three = new UdpListener({ addresses: [`127.0.0.1:${port}`], handler: () => undefined });
  await assert.rejects(three.start(), (e: unknown) => e instanceof AnchordError && e.message.includes(`127.0.0.1:${port}`));
  const client = new UpstreamClient();
  const reply = await client.query(one.addresses[0]!, buildQuery(1, 'example'), { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply', `one of them answers: ${reply.kind}`);
  assert.ok([1, 2].includes(lastByte(reply.bytes)), 'from one of the two');
  await one.close();
  await two.close();
});

test('native: after close() the endpoint sends nothing and the counters stay readable', async () => {
  const release = deferred<undefined>();
  const listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: async (req) => {
      await release.promise;
      return buildReply(req);
    },
  });
  await listener.start();
  const a = listener.addresses[0]!;
  const sock = await bindUdp('127.0.0.1');
  let answers = 0;
  sock.on('message', () => answers++);
  await sendUdp(sock, buildQuery(1, 'late.example'), a.port, a.address);
  while (listener.stats.inFlight === 0) await delay(5);
  await listener.close({ graceMs: 20 });
  release.resolve(undefined);
  await delay(50);
  assert.equal(answers, 0, 'no answer after the socket closed');
  assert.equal(listener.stats.discardedClosing, 1, 'the late answer discarded');
  assert.equal(listener.stats.received, 1, 'counters readable after close');
  await closeUdp(sock);
});

test('chooseUdpIo: dgram when asked, when the addon is missing, or in a cluster worker on port 0', () => {
  const ok = { ok: true, open: () => { throw new Error('not called'); } } as const;
  assert.equal(chooseUdpIo('native', false, ok, false).io, 'native', 'native by default');
  assert.equal(chooseUdpIo('native', false, ok, true).io, 'native', 'native on port 0 outside a cluster');
  assert.equal(chooseUdpIo('dgram', false, ok, false).io, 'dgram', 'dgram by config');
  assert.equal(chooseUdpIo('native', true, ok, false).io, 'native', 'native in a cluster worker on a fixed port (SO_REUSEPORT)');
  assert.equal(chooseUdpIo('native', true, ok, true).io, 'dgram', 'dgram in a cluster worker on port 0');
  const missing = chooseUdpIo('native', false, { ok: false, reason: 'not built' }, false);
  assert.deepEqual(missing, { io: 'dgram', reason: 'not built' }, 'dgram with the reason when the addon is missing');
});

test('ipv6ToText writes addresses as sockets do (RFC 5952), for the native endpoint\'s senders', () => {
  const cases: [string, number[]][] = [
    ['::1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', new Array<number>(16).fill(0)],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['2001:db8:0:1:1:1:1:1', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]],
    ['2001:0:0:1::1', [0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]],
    ['fe80::abcd:0:0:1', [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xab, 0xcd, 0, 0, 0, 0, 0, 1]],
    ['::ffff:192.0.2.1', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]],
    ['1::', [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
  ];
  for (const [text, bytes] of cases) assert.equal(ipv6ToText(Uint8Array.from(bytes)), text, text);
});

test('native: a worker thread that ends with its endpoint open closes it (no crash, the port is free again)', async () => {
  assert.ok(NATIVE.ok, 'native endpoint');
  const addon = fileURLToPath(new URL('../../native/build/Release/anchord_verify.node', import.meta.url));
  const code = `
    const ep = require(${JSON.stringify(addon)}).udpOpen('127.0.0.1', 0, false, 0, 0, 8, 4096, 4096, () => undefined);
    require('node:worker_threads').parentPort.postMessage(ep.port);`;
  for (let round = 0; round < 3; round++) {
    const worker = new Worker(code, { eval: true });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    // The socket was closed in the worker's teardown: an exclusive bind of its port succeeds.
    const again = await bindUdp('127.0.0.1', port);
    assert.equal(again.address().port, port, `round ${round}: port ${port} free again`);
    await closeUdp(again);
  }
});

test('native: a handler that closes the listener inside a batch call takes it down cleanly', async () => {
  const made: { listener?: UdpListener } = {};
  let closing: Promise<void> | undefined;
  const listener = (made.listener = new UdpListener({
    addresses: ['127.0.0.1:0'],
    handler: (req) => {
      // close() with nothing in flight closes the endpoint at once, inside this batch call.
      if (req[1] === 2) closing = made.listener!.close();
      return buildReply(req);
    },
  }));
  await listener.start();
  const a = listener.addresses[0]!;
  const client = new UpstreamClient();
  assert.equal((await client.query(a, buildQuery(1, 'one.example'), { timeoutMs: GUARD })).kind, 'reply', 'answered before the close');
  assert.equal((await client.query(a, buildQuery(2, 'two.example'), { timeoutMs: SHORT })).kind, 'timeout', 'the batch that closed is not sent');
  assert.ok(closing !== undefined, 'close() was called from the handler');
  await closing;
  // The port is closed: the client sees a timeout or the ICMP port unreachable as an error.
  assert.notEqual((await client.query(a, buildQuery(3, 'three.example'), { timeoutMs: SHORT })).kind, 'reply', 'nothing after the close');
  assert.equal(listener.stats.received, 2, 'two taken');
});
