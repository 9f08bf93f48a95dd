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
import { NOW, buildWorld, makeResolver, n } from './helpers/world.js';
import { ManualClock } from '../../src/core/clock.js';
import { serviceSettings } from '../../src/cli/commands/serve.js';
import { parseAnchordConfig } from '../../src/config/anchord-config.js';
import { startResolverService } from '../../src/server/resolver-service.js';
import { decodeMessage, encodeMessage, makeQuery, type Message } from '../../src/wire/message.js';
import { printRecord } from '../../src/zone/printer.js';

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

/** One UDP query to `address:port`; the decoded reply. */
function ask(address: string, p: number, name: string, type: number): Promise<Message> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no reply from ${address}:${p} for ${name}`));
    }, 5000);
    s.on('message', (msg) => {
      clearTimeout(timer);
      s.close();
      resolve(decodeMessage(msg));
    });
    s.send(encodeMessage(makeQuery(n(name), type, { id: 4321, rd: true, edns: true, do: true })).bytes, p, address);
  });
}

test('forwarding over loopback: `serve`\'s YAML forward-zones to a real anchord resolver as the forwarder, answers validated', async () => {
  // The forwarder: a non-validating anchord resolver service iterating the world, on 127.0.8.1 at
  // the world's port (free on that address), so UDP and TCP share it as a forwarder's do.
  const forwarder = await startResolverService({
    listen: [`127.0.8.1:${port}`],
    rootHints: world.hints,
    trustAnchors: [],
    resolver: { port, maxTimeoutMs: 2000 },
    answerCacheBytes: 0,
  });
  const fwdPort = port;
  const yaml = [
    'server: { listen: ["127.0.8.2:0"] }',
    'resolver:',
    `  trust-anchor: ["${printRecord(world.anchor[0]!)}"]`,
    '  forward-zones:',
    `    - { name: ".", forward-addr: ["127.0.8.1@${fwdPort}"] }`,
    'cache: { answer-cache-size: 0 }',
  ].join('\n');
  const settings = serviceSettings({}, parseAnchordConfig(yaml, 'forward.yaml'), process.cwd());
  assert.deepEqual(
    settings.resolver?.forwardZones?.map((z) => [z.zone.toString(), z.servers, z.first]),
    [['.', [{ address: '127.0.8.1', port: fwdPort }], false]],
  );
  // The world's signatures are valid around NOW: the validating side runs on that clock.
  const service = await startResolverService(settings, { clock: new ManualClock(NOW * 1000) });
  try {
    const p = service.addresses.find((a) => a.transport === 'udp')!.port;
    const before = world.net.log.length;
    const secure = await ask('127.0.8.2', p, 'www.example.test.', RRType.A);
    assert.equal(secure.rcode, Rcode.NOERROR, JSON.stringify(secure.edns?.options.map((o) => Buffer.from(o.data).toString('latin1'))));
    assert.equal(secure.flags.ad, true, 'validated by the forwarding resolver');
    const bogus = await ask('127.0.8.2', p, 'www.expired.test.', RRType.A);
    assert.equal(bogus.rcode, Rcode.SERVFAIL, 'the non-validating forwarder passes the expired signature on; the forwarding resolver rejects it');
    const big = await ask('127.0.8.2', p, 'big.example.test.', RRType.TXT);
    assert.equal(big.rcode, Rcode.NOERROR, `a reply over 1232 octets came from the forwarder over TCP: ${JSON.stringify(big.edns?.options.map((o) => Buffer.from(o.data).toString('latin1')))}`);
    assert.ok(world.net.log.length > before, 'the forwarder iterated the world');
    assert.ok(forwarder.frontend.stats.queries >= 3, `the forwarder was asked (${forwarder.frontend.stats.queries} queries)`);
  } finally {
    await service.close(100);
    await forwarder.close(100);
  }
});

/** The value of one sample in Prometheus exposition text (0 when absent). */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels === '' ? '' : `{${labels}}`} `));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('metrics: serve --metrics exposes the counters over HTTP; queries, cache hits, verdicts and trips are counted', async () => {
  const yaml = [
    'server: { listen: ["127.0.8.3:0"] }',
    'resolver:',
    `  trust-anchor: ["${printRecord(world.anchor[0]!)}"]`,
    '  limits: { max-cname-chain: 1 }',
  ].join('\n');
  const base = serviceSettings({ metrics: '127.0.0.1:0' }, parseAnchordConfig(yaml, 'metrics.yaml'), process.cwd());
  assert.equal(base.metricsListen, '127.0.0.1:0', 'the --metrics flag reaches the settings');
  assert.equal(serviceSettings({}, parseAnchordConfig('metrics: { listen: 9153 }', 'm.yaml'), process.cwd()).metricsListen, '9153');
  assert.equal(serviceSettings({}, parseAnchordConfig('{}', 'm.yaml'), process.cwd()).metricsListen, undefined, 'off by default');
  const settings = { ...base, rootHints: world.hints, resolver: { ...base.resolver, port, maxTimeoutMs: 2000 } };
  const service = await startResolverService(settings, { clock: new ManualClock(NOW * 1000) });
  try {
    const m = service.metrics;
    assert.ok(m !== undefined, 'metrics are served');
    assert.equal(m.address, '127.0.0.1');
    const p = service.addresses.find((a) => a.transport === 'udp')!.port;
    const secure = await ask('127.0.8.3', p, 'www.example.test.', RRType.A);
    assert.equal(secure.flags.ad, true);
    await ask('127.0.8.3', p, 'www.example.test.', RRType.A);
    assert.equal((await ask('127.0.8.3', p, 'nothere.example.test.', RRType.A)).rcode, Rcode.NXDOMAIN);
    assert.equal((await ask('127.0.8.3', p, 'www.expired.test.', RRType.A)).rcode, Rcode.SERVFAIL);
    // alias2 -> alias -> www.other.: two links, over the configured limit of one.
    assert.equal((await ask('127.0.8.3', p, 'alias2.example.test.', RRType.A)).rcode, Rcode.SERVFAIL);
    const res = await fetch(`http://127.0.0.1:${m.port}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, 'anchord_client_queries_total'), 5, text);
    assert.equal(sample(text, 'anchord_client_responses_total', 'rcode="NOERROR"'), 2);
    assert.equal(sample(text, 'anchord_client_responses_total', 'rcode="NXDOMAIN"'), 1);
    assert.equal(sample(text, 'anchord_client_responses_total', 'rcode="SERVFAIL"'), 2);
    assert.equal(sample(text, 'anchord_cache_hits_total', 'cache="answer"'), 1, 'the repeated question was an answer-cache hit');
    assert.equal(sample(text, 'anchord_cache_misses_total', 'cache="answer"'), 4);
    assert.equal(sample(text, 'anchord_upstream_queries_total'), service.resolver.stats.upstreamQueries);
    assert.ok(sample(text, 'anchord_upstream_queries_total') > 0, 'upstream queries counted');
    assert.ok(sample(text, 'anchord_validation_verdicts_total', 'status="secure",ede="none"') >= 1, 'secure verdicts');
    assert.ok(sample(text, 'anchord_validation_verdicts_total', 'status="bogus",ede="7_SIGNATURE_EXPIRED"') >= 1, 'the expired signature');
    assert.equal(sample(text, 'anchord_limit_trips_total', 'limit="maxCnameChain"'), 1, `the CNAME chain tripped its limit once: ${text.split('\n').filter((l) => l.startsWith('anchord_limit')).join(' / ')} ${JSON.stringify(service.resolver.stats.trips)}`);
    assert.ok(sample(text, 'anchord_process_cpu_user_seconds_total') > 0, 'process metrics');
    assert.equal((await fetch(`http://127.0.0.1:${m.port}/other`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${m.port}/metrics`, { method: 'POST' })).status, 405);
  } finally {
    await service.close(100);
  }
});
