// The resolver over real sockets on loopback (127.0.0.0/8 only): the scripted servers of the test
// world answer on UDP and TCP at their 127.x addresses, on one shared port, and the resolver talks
// to them through src/transport's UpstreamClient, which must fit the resolver's Transport shape.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { UpstreamClient } from '../../src/transport/upstream-client.js';
import { RRType, Rcode } from '../../src/wire/constants.js';
import type { Transport } from '../../src/resolver/transport.js';
import { buildWorld, makeResolver, n } from './helpers/world.js';

const world = buildWorld();
const addresses = ['127.0.0.1', '127.0.1.1', '127.0.2.1', '127.0.2.3', '127.0.2.4', '127.0.6.2'];
const udp: Socket[] = [];
const tcp: Server[] = [];
let port = 0;

function bindUdp(address: string, p: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(p, address, () => resolve(s));
  });
}

async function serve(address: string): Promise<void> {
  const s = await bindUdp(address, port);
  if (port === 0) port = s.address().port;
  s.on('message', (msg, rinfo) => {
    void world.net.query({ address, port }, msg, { timeoutMs: 1000 }).then((r) => {
      if (r.kind === 'reply') s.send(r.bytes, rinfo.port, rinfo.address);
    });
  });
  udp.push(s);
  const server = createServer((conn) => {
    let buf = Buffer.alloc(0);
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void world.net.query({ address, port }, msg, { timeoutMs: 1000, tcp: true }).then((r) => {
          if (r.kind !== 'reply') return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(r.bytes.length);
          conn.write(Buffer.concat([head, r.bytes]));
        });
      }
    });
    conn.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, resolve);
  });
  tcp.push(server);
}

before(async () => {
  for (const a of addresses) await serve(a);
});

after(async () => {
  for (const s of udp) s.close();
  await Promise.all(tcp.map((s) => new Promise((resolve) => s.close(resolve))));
});

test('resolves and validates through UpstreamClient on loopback, TCP after TC included', async () => {
  const client: Transport = new UpstreamClient();
  const { resolver } = makeResolver({ port, maxTimeoutMs: 2000 }, world, () => client);
  const secure = await resolver.resolve({ name: n('www.example.test.'), type: RRType.A }, { do: true });
  assert.equal(secure.rcode, Rcode.NOERROR, JSON.stringify(secure.ede));
  assert.equal(secure.ad, true);
  const insecure = await resolver.resolve({ name: n('www.insecure.test.'), type: RRType.A }, {});
  assert.equal(insecure.security, 'insecure');
  const bogus = await resolver.resolve({ name: n('www.expired.test.'), type: RRType.A }, {});
  assert.equal(bogus.rcode, Rcode.SERVFAIL);
  const truncated = await resolver.resolve({ name: n('www.tcp.test.'), type: RRType.A }, {});
  assert.equal(truncated.rcode, Rcode.NOERROR);
  assert.ok(world.net.log.some((q) => q.address === '127.0.6.2' && q.tcp));
});
