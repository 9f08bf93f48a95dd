// Answer-cache hit path, measured two ways:
//
//   npx tsx bench/cache/answer-cache-bench.ts [--seconds 2] [--names 10000] [--window 64] [--no-udp]
//
// 1. In process: raw query bytes → AnswerCache.respond → response bytes, over `--names` cached
//    names (A answers without and with DNSSEC records), plus the key parse alone and the miss path.
//    Figures are operations per second of wall time on one thread, best of three rounds.
// 2. Over UDP on loopback: a node:dgram server that echoes every packet (the ceiling any Node design
//    reaches on this machine) against the same server answering from the cache, each driven by one
//    client in a worker thread keeping `--window` queries in flight (as dnsperf does). The ratio of
//    the two is what the cache hit costs relative to a bare UDP round trip.
// Prints a Markdown table; writes nothing (bench/RESULTS.md has other owners).

import { createSocket, type RemoteInfo } from 'node:dgram';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AnswerCache } from '../../src/cache/answer-cache.js';
import { QueryInfo, parseQueryKey, queryKeyString } from '../../src/cache/query-key.js';
import { RRClass, RRType } from '../../src/wire/constants.js';
import { Name } from '../../src/wire/name.js';
import { WireWriter } from '../../src/wire/writer.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 2);
const NAMES = arg('names', 10000);
const WINDOW = arg('window', 64);
const UDP = !process.argv.includes('--no-udp');

function buildQuery(name: Name, type: number, id: number, dnssecOk: boolean): Uint8Array {
  const w = new WireWriter();
  w.u16(id);
  w.u16(0x0100);
  w.u16(1);
  w.u16(0);
  w.u16(0);
  w.u16(1);
  w.name(name, false);
  w.u16(type);
  w.u16(RRClass.IN);
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(1232);
  w.u32(dnssecOk ? 0x8000 : 0);
  w.u16(0);
  return w.finish();
}

/** A NOERROR answer with two A records, and with DO an RRSIG of P-256 size. */
function buildResponse(name: Name, dnssecOk: boolean): Uint8Array {
  const w = new WireWriter();
  w.u16(0);
  w.u16(0x8180);
  w.u16(1);
  w.u16(dnssecOk ? 3 : 2);
  w.u16(0);
  w.u16(1);
  w.name(name, false);
  w.u16(RRType.A);
  w.u16(RRClass.IN);
  for (let i = 0; i < 2; i++) {
    w.name(name, true);
    w.u16(RRType.A);
    w.u16(RRClass.IN);
    w.u32(3600);
    w.u16(4);
    w.bytes(Uint8Array.of(192, 0, 2, i + 1));
  }
  if (dnssecOk) {
    const zone = name.suffix(2);
    const rdata = new WireWriter();
    rdata.u16(RRType.A);
    rdata.u8(13);
    rdata.u8(name.labelCount);
    rdata.u32(3600);
    rdata.u32(0x70000000);
    rdata.u32(0x60000000);
    rdata.u16(12345);
    rdata.name(zone, false);
    rdata.bytes(new Uint8Array(64).fill(0x5a));
    const rd = rdata.finish();
    w.name(name, true);
    w.u16(RRType.RRSIG);
    w.u16(RRClass.IN);
    w.u32(3600);
    w.u16(rd.length);
    w.bytes(rd);
  }
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(1232);
  w.u32(dnssecOk ? 0x8000 : 0);
  w.u16(0);
  return w.finish();
}

interface Fixture {
  cache: AnswerCache;
  queries: Uint8Array[];
  dnssecQueries: Uint8Array[];
  missQueries: Uint8Array[];
  bytesPlain: number;
  bytesDnssec: number;
}

function fixture(now: number): Fixture {
  const cache = new AnswerCache({ maxBytes: 256 * 1024 * 1024 });
  const info = new QueryInfo();
  const queries: Uint8Array[] = [];
  const dnssecQueries: Uint8Array[] = [];
  const missQueries: Uint8Array[] = [];
  let bytesPlain = 0;
  let bytesDnssec = 0;
  for (let i = 0; i < NAMES; i++) {
    const name = Name.parse(`host-${i}.zone-${i % 97}.example.`);
    for (const dnssecOk of [false, true]) {
      const q = buildQuery(name, RRType.A, i & 0xffff, dnssecOk);
      if (!parseQueryKey(q, info)) throw new Error('fixture query not parsed');
      const r = buildResponse(name, dnssecOk);
      if (!cache.store(queryKeyString(q, info), r, now, { secure: dnssecOk })) throw new Error('fixture response not stored');
      (dnssecOk ? dnssecQueries : queries).push(q);
      if (dnssecOk) bytesDnssec = r.length;
      else bytesPlain = r.length;
    }
    missQueries.push(buildQuery(Name.parse(`absent-${i}.example.`), RRType.A, i & 0xffff, false));
  }
  return { cache, queries, dnssecQueries, missQueries, bytesPlain, bytesDnssec };
}

/** Runs `op(i)` for SECONDS, returns operations per second (best of 3). */
function rate(op: (i: number) => unknown): number {
  let best = 0;
  for (let round = 0; round < 3; round++) {
    let n = 0;
    let sink = 0;
    const end = performance.now() + SECONDS * 1000;
    const start = performance.now();
    while (true) {
      for (let k = 0; k < 1024; k++, n++) if (op(n) !== undefined) sink++;
      if (performance.now() >= end) break;
    }
    const secs = (performance.now() - start) / 1000;
    if (sink < 0) console.log(sink);
    best = Math.max(best, n / secs);
  }
  return best;
}

const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const dgram = require('node:dgram');
const { port, queries, window, seconds } = workerData;
const bufs = queries.map((q) => Buffer.from(q));
const sock = dgram.createSocket('udp4');
let sent = 0, received = 0, counting = false, counted = 0, lastReceived = 0;
const send = () => { sock.send(bufs[sent++ % bufs.length], port, '127.0.0.1'); };
sock.on('message', () => { received++; if (counting) counted++; send(); });
sock.bind(0, '127.0.0.1', () => {
  for (let i = 0; i < window; i++) send();
  // Losses on a busy loopback shrink the window: refill when nothing came back for 20 ms.
  const refill = setInterval(() => { if (received === lastReceived) for (let i = 0; i < window; i++) send(); lastReceived = received; }, 20);
  setTimeout(() => {
    counting = true;
    const start = process.hrtime.bigint();
    setTimeout(() => {
      counting = false;
      const secs = Number(process.hrtime.bigint() - start) / 1e9;
      clearInterval(refill);
      sock.close();
      parentPort.postMessage(counted / secs);
    }, seconds * 1000);
  }, 500);
});
`;

interface UdpServer {
  readonly port: number;
  close(): void;
}

async function startServer(handler: (msg: Buffer) => Uint8Array): Promise<UdpServer> {
  const server = createSocket('udp4');
  server.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    server.send(handler(msg), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => server.close() };
}

async function clientRun(port: number, queries: Uint8Array[]): Promise<number> {
  const worker = new Worker(CLIENT, { eval: true, workerData: { port, queries: queries.slice(0, 4096), window: WINDOW, seconds: SECONDS } });
  const qps = await new Promise<number>((resolve, reject) => {
    worker.once('message', (v: number) => resolve(v));
    worker.once('error', reject);
  });
  await worker.terminate();
  return qps;
}

/** Best-of-3 rates of each server, rounds interleaved so that load changes hit both alike. */
async function udpRates(handlers: readonly ((msg: Buffer) => Uint8Array)[], queries: Uint8Array[]): Promise<number[]> {
  const servers = await Promise.all(handlers.map((h) => startServer(h)));
  const best = handlers.map(() => 0);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < servers.length; i++) best[i] = Math.max(best[i]!, await clientRun(servers[i]!.port, queries));
  }
  for (const s of servers) s.close();
  return best;
}

async function main(): Promise<void> {
  const now = Date.now();
  const f = fixture(now);
  const info = new QueryInfo();
  const nq = f.queries.length;
  const hit = rate((i) => f.cache.respond(f.queries[(i * 7919) % nq]!, now));
  // Traffic is skewed: most queries go to few names, whose entries stay in the CPU caches.
  const hot = Math.min(nq, 256);
  const hitHot = rate((i) => f.cache.respond(f.queries[(i * 7919) % hot]!, now));
  const hitDnssec = rate((i) => f.cache.respond(f.dnssecQueries[(i * 7919) % nq]!, now));
  // A second later every entry needs its TTLs rewritten once, then hits are plain copies again.
  const hitLater = rate((i) => f.cache.respond(f.queries[(i * 7919) % nq]!, now + 1000 + Math.floor(i / nq) * 1000));
  const parse = rate((i) => (parseQueryKey(f.queries[(i * 7919) % nq]!, info) ? info : undefined));
  const miss = rate((i) => f.cache.respond(f.missQueries[(i * 7919) % nq]!, now) ?? 0);
  const rows: string[][] = [
    [`hit, 2 A records, DO=0, uniform over ${fmt(nq)} names`, `${f.bytesPlain} B`, fmt(hit), ns(hit)],
    [`hit, 2 A records, DO=0, ${hot} hot names`, `${f.bytesPlain} B`, fmt(hitHot), ns(hitHot)],
    [`hit, 2 A + RRSIG, DO=1 (AD set), uniform`, `${f.bytesDnssec} B`, fmt(hitDnssec), ns(hitDnssec)],
    ['hit, TTLs rewritten every pass, uniform', `${f.bytesPlain} B`, fmt(hitLater), ns(hitLater)],
    ['key parse only (parseQueryKey)', '', fmt(parse), ns(parse)],
    ['miss (parse + lookup)', '', fmt(miss), ns(miss)],
  ];
  console.log(`Load average at the start: ${loadavg().map((v) => v.toFixed(2)).join(' ')}.`);
  console.log(`Answer cache, ${NAMES * 2} entries (${(f.cache.bytes / 1048576).toFixed(1)} MiB est.), Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}\n`);
  console.log('| path | response | ops/s | ns/op |');
  console.log('|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  if (!UDP) return;
  const [echo, cached] = (await udpRates([(msg) => msg, (msg) => f.cache.respond(msg, Date.now()) ?? msg], f.queries)) as [number, number];
  console.log(`\nUDP loopback, one server thread, client in a worker with ${WINDOW} queries in flight:\n`);
  console.log('| server | queries/s | vs echo |');
  console.log('|---|---|---|');
  console.log(`| node:dgram echo | ${fmt(echo)} | 1.00 |`);
  console.log(`| answer cache (respond per packet) | ${fmt(cached)} | ${(cached / echo).toFixed(2)} |`);
  console.log(`\nHit path: ${ns(hitHot)}-${ns(hit)} ns per query in process (hot set - uniform); the echo server spends ${ns(echo)} ns per query, so a hit adds ${((echo / hitHot) * 100).toFixed(1)}-${((echo / hit) * 100).toFixed(1)}%.`);
  console.log(`Load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')} on ${cpus().length} CPUs.`);
}

function fmt(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}
function ns(v: number): string {
  return (1e9 / v).toFixed(0);
}

await main();
