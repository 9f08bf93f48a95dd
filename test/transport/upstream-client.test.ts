// The upstream client against scripted responders on loopback sockets. Timeouts here are
// configuration (short, so the tests are quick) or failure guards; no assertion is about timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { Socket as UdpSocket } from 'node:dgram';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { FrameDecoder } from '../../src/transport/tcp-framing.js';
import { bindUdp, buildQuery, buildReply, closeUdp, delay, frame, idOf, lastByte, nextDatagram, sendUdp } from './fixtures.js';

const SHORT = 300; // a timeout the test expects to expire
const GUARD = 5000; // a timeout the test expects never to matter

function listenTcp(port: number, address: string, onSocket: (s: Socket) => void): Promise<Server> {
  const server = createServer(onSocket);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: address }, () => { resolve(server); });
  });
}

function closeTcp(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => { resolve(); }));
}

/** Reads framed queries from a TCP connection. */
function onFramedQueries(s: Socket, handle: (q: Uint8Array) => void): void {
  const d = new FrameDecoder((m) => { handle(Uint8Array.from(m)); });
  s.on('data', (c: Buffer) => d.push(c));
  s.on('error', () => undefined);
}

/** A UDP socket and a TCP server on the same loopback port. */
async function udpAndTcp(address: string, onSocket: (s: Socket) => void): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  for (let attempt = 0; ; attempt++) {
    const udp = await bindUdp(address);
    const port = udp.address().port;
    try {
      const tcp = await listenTcp(port, address, onSocket);
      return { udp, tcp, port };
    } catch (e) {
      await closeUdp(udp);
      if (attempt > 10) throw e;
    }
  }
}

test('UDP over IPv4: the reply comes back with its RTT', async () => {
  const server = await bindUdp('127.0.0.1');
  const port = server.address().port;
  server.on('message', (m: Buffer, r) => { server.send(buildReply(m, { marker: 42 }), r.port, r.address); });
  const client = new UpstreamClient();
  const q = buildQuery(0x1234, 'www.example.com');
  const reply = await client.query({ address: '127.0.0.1', port }, q, { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply', reply.kind);
  assert.equal(lastByte(reply.bytes), 42);
  assert.equal(idOf(reply.bytes), 0x1234);
  assert.equal(reply.tcp, false);
  // A plain Uint8Array, as replies over TCP and client queries: not node's Buffer subclass.
  assert.equal(Object.getPrototypeOf(reply.bytes), Uint8Array.prototype, 'UDP reply bytes are a plain Uint8Array');
  assert.ok(reply.rttMs >= 0);
  assert.equal(client.stats.udpSent, 1);
  assert.equal(client.stats.replies, 1);
  assert.equal(client.stats.mismatched, 0);
  await closeUdp(server);
});

test('UDP over IPv6', async () => {
  const server = await bindUdp('::1');
  const port = server.address().port;
  server.on('message', (m: Buffer, r) => { server.send(buildReply(m, { marker: 6 }), r.port, r.address); });
  const client = new UpstreamClient();
  const reply = await client.query({ address: '::1', port }, buildQuery(7, 'example.org', 28), { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply');
  assert.equal(lastByte(reply.bytes), 6);
  // The same address spelt differently is the same server.
  const again = await client.query({ address: '0:0:0:0:0:0:0:1', port }, buildQuery(8, 'example.org', 28), { timeoutMs: GUARD });
  assert.equal(again.kind, 'reply');
  await closeUdp(server);
});

/** A responder that, for each query, first sends forgeries and then (optionally) the real reply. */
async function spoofingResponder(sendReal: boolean): Promise<{ port: number; close: () => Promise<void> }> {
  const server = await bindUdp('127.0.0.1');
  const otherAddress = await bindUdp('127.77.0.9');
  const otherPort = await bindUdp('127.0.0.1');
  server.on('message', (m: Buffer, r) => {
    void (async () => {
      // Correct ID and question, wrong source address, then wrong source port.
      await sendUdp(otherAddress, buildReply(m, { marker: 1 }), r.port, r.address);
      await sendUdp(otherPort, buildReply(m, { marker: 2 }), r.port, r.address);
      // Right source, but wrong ID, other question, QR clear.
      await sendUdp(server, buildReply(m, { id: idOf(m) ^ 1, marker: 3 }), r.port, r.address);
      await sendUdp(server, buildReply(m, { name: 'evil.example', marker: 4 }), r.port, r.address);
      await sendUdp(server, buildReply(m, { qr: false, marker: 5 }), r.port, r.address);
      if (sendReal) await sendUdp(server, buildReply(m, { marker: 9 }), r.port, r.address);
    })();
  });
  return {
    port: server.address().port,
    close: async () => {
      await Promise.all([closeUdp(server), closeUdp(otherAddress), closeUdp(otherPort)]);
    },
  };
}

test('forged UDP replies (other address, other port, wrong ID, other question, no QR) are ignored', async () => {
  const r = await spoofingResponder(false);
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port: r.port }, buildQuery(0x4242, 'victim.example'), { timeoutMs: SHORT });
  assert.equal(reply.kind, 'timeout');
  assert.equal(client.stats.replies, 0);
  assert.equal(client.stats.timeouts, 1);
  // Wrong address and port are filtered by the kernel (connected socket) or here; the rest here.
  assert.ok(client.stats.mismatched >= 3, `mismatched ${client.stats.mismatched}`);
  await r.close();
});

test('the real reply is accepted after forgeries', async () => {
  const r = await spoofingResponder(true);
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port: r.port }, buildQuery(0x4243, 'victim.example'), { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply');
  assert.equal(lastByte(reply.bytes), 9);
  assert.ok(client.stats.mismatched >= 3);
  await r.close();
});

test('IPv6: a reply from another port is ignored', async () => {
  const server = await bindUdp('::1');
  const other = await bindUdp('::1');
  server.on('message', (m: Buffer, r) => { void sendUdp(other, buildReply(m, { marker: 1 }), r.port, r.address); });
  const client = new UpstreamClient();
  const reply = await client.query({ address: '::1', port: server.address().port }, buildQuery(1, 'example'), { timeoutMs: SHORT });
  assert.equal(reply.kind, 'timeout');
  await Promise.all([closeUdp(server), closeUdp(other)]);
});

test('a UDP socket serves a bounded number of queries; with a bound of 1 each query has its own port', async () => {
  const server = await bindUdp('127.0.0.1');
  const ports: number[] = [];
  server.on('message', (m: Buffer, r) => {
    ports.push(r.port);
    server.send(buildReply(m), r.port, r.address);
  });
  const target = { address: '127.0.0.1', port: server.address().port };
  const shared = new UpstreamClient({ queriesPerSocket: 4 });
  for (let i = 0; i < 20; i++) {
    const reply = await shared.query(target, buildQuery(i, 'example'), { timeoutMs: GUARD });
    assert.equal(reply.kind, 'reply');
  }
  // At most 4 queries per port, so at least 5 ports; the kernel picks each at random.
  const counts = new Map<number, number>();
  for (const p of ports) counts.set(p, (counts.get(p) ?? 0) + 1);
  assert.ok([...counts.values()].every((c) => c <= 4), `queries per port: ${[...counts.values()].join(',')}`);
  assert.ok(counts.size >= 5, `distinct source ports: ${counts.size}`);
  ports.length = 0;
  const single = new UpstreamClient({ queriesPerSocket: 1 });
  const replies = await Promise.all(
    Array.from({ length: 20 }, (_, i) => single.query(target, buildQuery(100 + i, 'example'), { timeoutMs: GUARD })),
  );
  assert.ok(replies.every((r) => r.kind === 'reply'), 'all answered');
  // A repeat or two among 20 random ports is possible, a shared port is not.
  assert.ok(new Set(ports).size >= 17, `distinct source ports: ${new Set(ports).size}`);
  await closeUdp(server);
});

test('concurrent UDP queries on one socket get their own replies, matched by ID and question', async () => {
  const server = await bindUdp('127.0.0.1');
  const ports = new Set<number>();
  const held: { m: Buffer; port: number; address: string }[] = [];
  server.on('message', (m: Buffer, r) => {
    ports.add(r.port);
    held.push({ m, port: r.port, address: r.address });
    // Answer all at once, in reverse order, each marked with the low octet of its ID.
    if (held.length === 8) for (const h of held.reverse()) server.send(buildReply(h.m, { marker: h.m[1]! }), h.port, h.address);
  });
  const client = new UpstreamClient();
  const target = { address: '127.0.0.1', port: server.address().port };
  const replies = await Promise.all(
    Array.from({ length: 8 }, (_, i) => client.query(target, buildQuery(0x500 + i, `n${i}.example`), { timeoutMs: GUARD })),
  );
  replies.forEach((r, i) => {
    assert.ok(r.kind === 'reply', `query ${i}: ${r.kind}`);
    assert.equal(idOf(r.bytes), 0x500 + i, `query ${i} got its own reply`);
    assert.equal(lastByte(r.bytes), i, `query ${i} marker`);
  });
  assert.equal(ports.size, 1, 'one socket served the eight');
  await closeUdp(server);
});

test('a silent server times out', async () => {
  const server = await bindUdp('127.0.0.1');
  let seen = 0;
  server.on('message', () => { seen++; });
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port: server.address().port }, buildQuery(1, 'example'), { timeoutMs: SHORT });
  assert.deepEqual(reply, { kind: 'timeout' });
  assert.equal(seen, 1);
  assert.equal(client.stats.timeouts, 1);
  await closeUdp(server);
});

test('a closed port is reported as refused (ICMP port unreachable on the connected socket)', async () => {
  const gone = await bindUdp('127.0.0.1');
  const port = gone.address().port;
  await closeUdp(gone);
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port }, buildQuery(1, 'example'), { timeoutMs: GUARD });
  assert.deepEqual(reply, { kind: 'error', reason: 'refused' });
  assert.equal(client.stats.errors, 1);
});

test('abort: before sending and while waiting', async () => {
  const server = await bindUdp('127.0.0.1');
  const port = server.address().port;
  const client = new UpstreamClient();
  const pre = new AbortController();
  pre.abort();
  assert.deepEqual(await client.query({ address: '127.0.0.1', port }, buildQuery(1, 'example'), { timeoutMs: GUARD, signal: pre.signal }),
    { kind: 'error', reason: 'aborted' });
  assert.equal(client.stats.udpSent, 0);

  const ac = new AbortController();
  const pending = client.query({ address: '127.0.0.1', port }, buildQuery(2, 'example'), { timeoutMs: GUARD, signal: ac.signal });
  await nextDatagram(server);
  ac.abort();
  assert.deepEqual(await pending, { kind: 'error', reason: 'aborted' });
  assert.equal(client.stats.aborted, 2);

  const tcp = await listenTcp(0, '127.0.0.1', (s) => { onFramedQueries(s, () => undefined); });
  const addr = tcp.address();
  assert.ok(addr !== null && typeof addr === 'object');
  const ac2 = new AbortController();
  const pendingTcp = client.query({ address: '127.0.0.1', port: addr.port }, buildQuery(3, 'example'), { tcp: true, timeoutMs: GUARD, signal: ac2.signal });
  setTimeout(() => { ac2.abort(); }, 20);
  assert.deepEqual(await pendingTcp, { kind: 'error', reason: 'aborted' });
  client.close();
  await Promise.all([closeUdp(server), closeTcp(tcp)]);
});

test('0x20: exact case is required only when asked for', async () => {
  const server = await bindUdp('127.0.0.1');
  server.on('message', (m: Buffer, r) => { server.send(buildReply(m, { name: 'www.example.com' }), r.port, r.address); });
  const port = server.address().port;
  const q = buildQuery(5, 'wWw.ExaMple.COM');
  const folding = new UpstreamClient();
  assert.equal((await folding.query({ address: '127.0.0.1', port }, q, { timeoutMs: GUARD })).kind, 'reply');
  assert.equal((await folding.query({ address: '127.0.0.1', port }, q, { timeoutMs: SHORT, exactCase: true })).kind, 'timeout');
  const strict = new UpstreamClient({ exactCase: true });
  assert.equal((await strict.query({ address: '127.0.0.1', port }, q, { timeoutMs: SHORT })).kind, 'timeout');
  assert.ok(strict.stats.mismatched >= 1);
  await closeUdp(server);
});

test('TC over UDP falls back to TCP on the same server', async () => {
  const { udp, tcp, port } = await udpAndTcp('127.0.0.1', (s) => {
    onFramedQueries(s, (q) => { s.write(frame(buildReply(q, { marker: 77 }))); });
  });
  udp.on('message', (m: Buffer, r) => { udp.send(buildReply(m, { tc: true, marker: 1 }), r.port, r.address); });
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port }, buildQuery(9, 'big.example', 16), { timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply');
  assert.equal(reply.tcp, true);
  assert.equal(lastByte(reply.bytes), 77);
  assert.equal(client.stats.tcpFallbacks, 1);
  assert.equal(client.stats.udpSent, 1);
  assert.equal(client.stats.tcpSent, 1);
  // The caller may handle TC itself.
  const own = await client.query({ address: '127.0.0.1', port }, buildQuery(10, 'big.example', 16), { timeoutMs: GUARD, tcpOnTruncation: false });
  assert.ok(own.kind === 'reply');
  assert.equal(own.tcp, false);
  assert.equal(lastByte(own.bytes), 1);
  client.close();
  await Promise.all([closeUdp(udp), closeTcp(tcp)]);
});

test('TCP: a reply split across writes, after a message for another query', async () => {
  const tcp = await listenTcp(0, '127.0.0.1', (s) => {
    onFramedQueries(s, (q) => {
      void (async () => {
        const stream = Buffer.concat([frame(buildReply(q, { id: idOf(q) ^ 0xffff, marker: 1 })), frame(buildReply(q, { marker: 2 }))]);
        for (const b of stream) {
          s.write(Uint8Array.of(b));
          await delay(1);
        }
      })();
    });
  });
  const addr = tcp.address();
  assert.ok(addr !== null && typeof addr === 'object');
  const client = new UpstreamClient();
  const reply = await client.query({ address: '127.0.0.1', port: addr.port }, buildQuery(0x0102, 'split.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply');
  assert.equal(reply.tcp, true);
  assert.equal(lastByte(reply.bytes), 2);
  assert.equal(client.stats.mismatched, 1);
  client.close();
  await closeTcp(tcp);
});

test('TCP over IPv6 with a large reply', async () => {
  const big = 60000;
  const tcp = await listenTcp(0, '::1', (s) => {
    onFramedQueries(s, (q) => {
      const r = buildReply(q);
      const out = new Uint8Array(big);
      out.set(r);
      out[big - 1] = 0xaa;
      s.write(frame(out));
    });
  });
  const addr = tcp.address();
  assert.ok(addr !== null && typeof addr === 'object');
  const client = new UpstreamClient();
  const reply = await client.query({ address: '::1', port: addr.port }, buildQuery(3, 'large.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(reply.kind === 'reply');
  assert.equal(reply.bytes.length, big);
  assert.equal(lastByte(reply.bytes), 0xaa);
  client.close();
  await closeTcp(tcp);
});

test('TCP: a server that closes without answering, and one that never answers', async () => {
  const closing = await listenTcp(0, '127.0.0.1', (s) => { onFramedQueries(s, () => { s.end(); }); });
  const silent = await listenTcp(0, '127.0.0.1', (s) => { onFramedQueries(s, () => undefined); });
  const client = new UpstreamClient();
  const a = closing.address();
  const b = silent.address();
  assert.ok(a !== null && typeof a === 'object' && b !== null && typeof b === 'object');
  assert.deepEqual(await client.query({ address: '127.0.0.1', port: a.port }, buildQuery(1, 'x.example'), { tcp: true, timeoutMs: GUARD }),
    { kind: 'error', reason: 'closed' });
  assert.deepEqual(await client.query({ address: '127.0.0.1', port: b.port }, buildQuery(2, 'x.example'), { tcp: true, timeoutMs: SHORT }),
    { kind: 'timeout' });
  await Promise.all([closeTcp(closing), closeTcp(silent)]);
});

test('TCP: refused connection', async () => {
  const t = await listenTcp(0, '127.0.0.1', () => undefined);
  const addr = t.address();
  assert.ok(addr !== null && typeof addr === 'object');
  await closeTcp(t);
  const client = new UpstreamClient();
  assert.deepEqual(await client.query({ address: '127.0.0.1', port: addr.port }, buildQuery(1, 'x.example'), { tcp: true, timeoutMs: GUARD }),
    { kind: 'error', reason: 'refused' });
});

test('bad arguments are errors, never exceptions, and nothing is sent', async () => {
  const client = new UpstreamClient();
  const q = buildQuery(1, 'example');
  assert.deepEqual(await client.query({ address: 'localhost', port: 53 }, q, { timeoutMs: GUARD }), { kind: 'error', reason: 'not an IP address' });
  assert.deepEqual(await client.query({ address: '127.0.0.1', port: 0 }, q, { timeoutMs: GUARD }), { kind: 'error', reason: 'bad port' });
  assert.deepEqual(await client.query({ address: '127.0.0.1', port: 53 }, q.subarray(0, 14), { timeoutMs: GUARD }), { kind: 'error', reason: 'malformed query' });
  assert.equal(client.stats.udpSent + client.stats.tcpSent, 0);
});

test('a reply already received when a long loop iteration ends is taken, not timed out', async () => {
  // The server answers, then blocks the event loop past the client's timeout: the reply sits in
  // the client socket's buffer when the loop goes on. Timers run before I/O in a loop iteration,
  // and the client must read the waiting reply before it declares a timeout (deadline-queue.ts).
  const server = await bindUdp('127.0.0.1');
  const timeoutMs = 50;
  server.on('message', (m: Buffer, r) => {
    server.send(buildReply(m, { marker: 7 }), r.port, r.address, () => {
      const until = performance.now() + 2 * timeoutMs;
      while (performance.now() < until) {
        // blocking the loop on purpose
      }
    });
  });
  const client = new UpstreamClient();
  try {
    const reply = await client.query({ address: '127.0.0.1', port: server.address().port }, buildQuery(9, 'example'), { timeoutMs });
    assert.ok(reply.kind === 'reply', `got ${reply.kind}`);
    assert.equal(lastByte(reply.bytes), 7);
    assert.equal(client.stats.timeouts, 0);
  } finally {
    await closeUdp(server);
  }
});

/** A TCP server on loopback that counts its connections; `onSocket` handles each. */
async function countingTcp(onSocket: (s: Socket, n: number) => void): Promise<{ server: Server; port: number; connections: () => number }> {
  let n = 0;
  const server = await listenTcp(0, '127.0.0.1', (s) => {
    n++;
    onSocket(s, n);
  });
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === 'object', 'server address');
  return { server, port: addr.port, connections: () => n };
}

test('TCP: queries are pipelined on one connection and replies in any order are matched by ID and question', async () => {
  const held: { s: Socket; q: Uint8Array }[] = [];
  const t = await countingTcp((s) => {
    onFramedQueries(s, (q) => {
      held.push({ s, q });
      // Answer all four at once, in reverse order, each marked with the low octet of its ID.
      if (held.length === 4) for (const h of held.reverse()) h.s.write(frame(buildReply(h.q, { marker: h.q[1]! })));
    });
  });
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  const target = { address: '127.0.0.1', port: t.port };
  const replies = await Promise.all(
    Array.from({ length: 4 }, (_, i) => client.query(target, buildQuery(0x700 + i, `p${i}.example`), { tcp: true, timeoutMs: GUARD })),
  );
  replies.forEach((r, i) => {
    assert.ok(r.kind === 'reply', `query ${i}: ${r.kind}`);
    assert.equal(r.tcp, true, `query ${i} over TCP`);
    assert.equal(idOf(r.bytes), 0x700 + i, `query ${i} got its own reply`);
    assert.equal(lastByte(r.bytes), i, `query ${i} marker`);
  });
  assert.equal(t.connections(), 1, 'one connection carried the four');
  // The connection stays open a while and the next query reuses it.
  held.length = 0;
  const again = client.query(target, buildQuery(0x800, 'again.example'), { tcp: true, timeoutMs: GUARD });
  for (let i = 1; i < 4; i++) void client.query(target, buildQuery(0x800 + i, `again${i}.example`), { tcp: true, timeoutMs: GUARD });
  const r = await again;
  assert.ok(r.kind === 'reply', `reused connection: ${r.kind}`);
  assert.equal(idOf(r.bytes), 0x800, 'its own reply');
  // Later reads did not change the replies already handed out (reads share one buffer).
  replies.forEach((earlier, i) => {
    assert.ok(earlier.kind === 'reply', `query ${i}`);
    assert.equal(idOf(earlier.bytes), 0x700 + i, `query ${i} reply intact after later reads`);
  });
  assert.equal(t.connections(), 1, 'still one connection');
  assert.equal(client.stats.tcpConnections, 1, 'tcpConnections');
  assert.equal(client.stats.tcpSent, 8, 'tcpSent');
  client.close();
  await closeTcp(t.server);
});

test('TCP: an idle connection is closed after tcpIdleMs; the next query opens a new one', async () => {
  const serverSide: Promise<void>[] = [];
  const t = await countingTcp((s) => {
    serverSide.push(new Promise((resolve) => s.once('close', () => { resolve(); })));
    onFramedQueries(s, (q) => { s.write(frame(buildReply(q, { marker: 3 }))); });
  });
  const client = new UpstreamClient({ tcpIdleMs: 30 });
  const target = { address: '127.0.0.1', port: t.port };
  const first = await client.query(target, buildQuery(1, 'idle.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(first.kind === 'reply', `first: ${first.kind}`);
  assert.equal(serverSide.length, 1, 'one connection');
  // The client closes it by itself once idle (a failure here shows as the test's own timeout).
  await serverSide[0];
  const second = await client.query(target, buildQuery(2, 'idle.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(second.kind === 'reply', `second: ${second.kind}`);
  assert.equal(t.connections(), 2, 'a new connection after the idle close');
  await serverSide[1];
  await closeTcp(t.server);
});

test('TCP: the server closing an idle connection first; the next query opens a new one', async () => {
  const serverSide: Promise<void>[] = [];
  const t = await countingTcp((s) => {
    serverSide.push(new Promise((resolve) => s.once('close', () => { resolve(); })));
    // One answer, then the server closes (RFC 7766 §6.2.3 lets it close idle connections).
    onFramedQueries(s, (q) => { s.end(frame(buildReply(q, { marker: 4 }))); });
  });
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  const target = { address: '127.0.0.1', port: t.port };
  const first = await client.query(target, buildQuery(1, 'first.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(first.kind === 'reply', `first: ${first.kind}`);
  await serverSide[0];
  const second = await client.query(target, buildQuery(2, 'second.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(second.kind === 'reply', `second: ${second.kind}`);
  assert.equal(lastByte(second.bytes), 4, 'second reply marker');
  assert.equal(t.connections(), 2, 'two connections');
  assert.equal(client.stats.errors, 0, 'no errors');
  client.close();
  await closeTcp(t.server);
});

test('TCP: queries left unanswered when the server closes are asked again on a new connection', async () => {
  // The server answers the first query it reads on a connection and closes it: the other
  // pipelined queries are asked again (RFC 7766 §6.2.4), one connection each time.
  const t = await countingTcp((s) => {
    let answered = false;
    onFramedQueries(s, (q) => {
      if (answered) return;
      answered = true;
      s.end(frame(buildReply(q, { marker: q[1]! })));
    });
  });
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  const target = { address: '127.0.0.1', port: t.port };
  const replies = await Promise.all(
    Array.from({ length: 3 }, (_, i) => client.query(target, buildQuery(0x900 + i, `r${i}.example`), { tcp: true, timeoutMs: GUARD })),
  );
  replies.forEach((r, i) => {
    assert.ok(r.kind === 'reply', `query ${i}: ${r.kind}`);
    assert.equal(lastByte(r.bytes), i, `query ${i} got its own reply`);
  });
  assert.equal(t.connections(), 3, 'one connection per answer');
  assert.equal(client.stats.tcpRetries, 3, 'the second query asked twice, the third once');
  client.close();
  await closeTcp(t.server);
});

test('TCP: a connection that breaks fails only its own queries', async () => {
  // One server resets the connection on the first query; another answers.
  const broken = await countingTcp((s) => { onFramedQueries(s, () => { s.resetAndDestroy(); }); });
  const good = await countingTcp((s) => { onFramedQueries(s, (q) => { s.write(frame(buildReply(q, { marker: 5 }))); }); });
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  const replies = await Promise.all([
    client.query({ address: '127.0.0.1', port: broken.port }, buildQuery(1, 'a.example'), { tcp: true, timeoutMs: GUARD }),
    client.query({ address: '127.0.0.1', port: good.port }, buildQuery(2, 'b.example'), { tcp: true, timeoutMs: GUARD }),
    client.query({ address: '127.0.0.1', port: broken.port }, buildQuery(3, 'c.example'), { tcp: true, timeoutMs: GUARD }),
    client.query({ address: '127.0.0.1', port: good.port }, buildQuery(4, 'd.example'), { tcp: true, timeoutMs: GUARD }),
  ]);
  assert.equal(replies[0].kind, 'error', 'first query to the broken server');
  assert.equal(replies[2].kind, 'error', 'second query to the broken server');
  assert.equal(client.stats.tcpRetries, 0, 'a connection that never answered is not retried');
  for (const i of [1, 3]) {
    const r = replies[i]!;
    assert.ok(r.kind === 'reply', `query ${i} to the good server: ${r.kind}`);
    assert.equal(lastByte(r.bytes), 5, `query ${i} marker`);
  }
  assert.equal(good.connections(), 1, 'the good server kept one connection');
  client.close();
  await Promise.all([closeTcp(broken.server), closeTcp(good.server)]);
});

test('TCP: an ID already waiting goes on another connection, within tcpConnectionsPerServer', async () => {
  const t = await countingTcp((s) => {
    onFramedQueries(s, (q) => { setTimeout(() => { s.write(frame(buildReply(q, { marker: q[13]! }))); }, 10); });
  });
  const target = { address: '127.0.0.1', port: t.port };
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  // Same ID, other names (the first octet of each name is its marker).
  const [a, b] = await Promise.all([
    client.query(target, buildQuery(7, 'xa.example'), { tcp: true, timeoutMs: GUARD }),
    client.query(target, buildQuery(7, 'yb.example'), { tcp: true, timeoutMs: GUARD }),
  ]);
  assert.ok(a.kind === 'reply' && b.kind === 'reply', `replies: ${a.kind} ${b.kind}`);
  assert.equal(lastByte(a.bytes), 'x'.charCodeAt(0), 'first query, first reply');
  assert.equal(lastByte(b.bytes), 'y'.charCodeAt(0), 'second query, second reply');
  assert.equal(t.connections(), 2, 'two connections');
  client.close();
  const one = new UpstreamClient({ tcpIdleMs: GUARD, tcpConnectionsPerServer: 1 });
  const [c, d] = await Promise.all([
    one.query(target, buildQuery(9, 'xc.example'), { tcp: true, timeoutMs: GUARD }),
    one.query(target, buildQuery(9, 'yd.example'), { tcp: true, timeoutMs: GUARD }),
  ]);
  assert.equal(c.kind, 'reply', 'the first is answered');
  assert.deepEqual(d, { kind: 'error', reason: 'tcp connection limit' }, 'no second connection past the bound');
  one.close();
  await closeTcp(t.server);
});

test('TCP: a query that times out moves later queries to a new connection; the others on it go on', async () => {
  const t = await countingTcp((s) => {
    onFramedQueries(s, (q) => {
      // Never answers drop.example; answers the rest once drop.example has timed out.
      if (q[13] === 'd'.charCodeAt(0)) return;
      setTimeout(() => { s.write(frame(buildReply(q, { marker: 6 }))); }, 2 * SHORT);
    });
  });
  const target = { address: '127.0.0.1', port: t.port };
  const client = new UpstreamClient({ tcpIdleMs: GUARD });
  const [dropped, slow] = await Promise.all([
    client.query(target, buildQuery(1, 'drop.example'), { tcp: true, timeoutMs: SHORT }),
    client.query(target, buildQuery(2, 'slow.example'), { tcp: true, timeoutMs: GUARD }),
  ]);
  assert.deepEqual(dropped, { kind: 'timeout' }, 'the dropped query');
  assert.ok(slow.kind === 'reply', `the other query on that connection: ${slow.kind}`);
  assert.equal(t.connections(), 1, 'one connection so far');
  const next = await client.query(target, buildQuery(3, 'next.example'), { tcp: true, timeoutMs: GUARD });
  assert.ok(next.kind === 'reply', `next: ${next.kind}`);
  assert.equal(t.connections(), 2, 'the next query on a new connection');
  client.close();
  await closeTcp(t.server);
});
