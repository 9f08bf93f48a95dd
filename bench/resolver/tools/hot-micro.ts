// In-process cost of anchord's cache-hot path, without sockets: the UDP listener's message handler
// (with a socket whose send does nothing), the resolver front end and the answer cache, set up as
// resolver-service.ts sets them up, fed the cache-hot query file of the bench world as dnsperf
// sends it (no EDNS, RD set), 32 datagrams per event-loop turn (what libuv reads per turn at most,
// and about what a busy listener gets). Prints nanoseconds
// per query (median of several passes) and the live heap per cached answer (`--expose-gc`). What
// node:dgram itself costs per datagram is the same for anchord and the echo server and is not here;
// this measures what anchord adds on top of it, for comparing builds during development (the
// figures that count are run.sh's, against the echo server in the same run).
//
//   node --expose-gc --import tsx bench/resolver/tools/hot-micro.ts [QUERY_FILE] [--passes 7] [--names 30000]
import { readFileSync } from 'node:fs';
import type { RemoteInfo, Socket } from 'node:dgram';
import { AnswerCache } from '../../../src/cache/answer-cache.js';
import { questionKey } from '../../../src/cache/query-key.js';
import { systemClock } from '../../../src/server/system.js';
import { ResolverFrontend } from '../../../src/server/resolver-frontend.js';
import type { Resolver } from '../../../src/resolver/resolver.js';
import { defaultAcl } from '../../../src/transport/acl.js';
import { UdpListener } from '../../../src/transport/udp-listener.js';
import { RRClass, RRType } from '../../../src/wire/constants.js';
import { encodeMessage, makeQuery, makeResponse } from '../../../src/wire/message.js';
import { Name } from '../../../src/wire/name.js';
import { encodeRdata } from '../../../src/wire/rdata.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1]!.startsWith('--'))) ?? '/tmp/anchord-bench/world/queries/hot.txt';
const passes = opt('--passes', 7);
const memNames = opt('--names', 30000);

const TYPES: Record<string, number> = { A: RRType.A, AAAA: RRType.AAAA, MX: RRType.MX, TXT: RRType.TXT, NS: RRType.NS, SOA: RRType.SOA };
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
const questions = lines.map((l) => {
  const [name = '.', type = 'A'] = l.trim().split(/\s+/);
  return { name: Name.parse(name.endsWith('.') ? name : `${name}.`), type: TYPES[type] ?? RRType.A };
});

function queryBytes(name: Name, type: number, id: number): Buffer {
  return Buffer.from(encodeMessage(makeQuery(name, type, { id, rd: true, edns: false })).bytes);
}

function responseBytes(name: Name, type: number, i: number): Uint8Array {
  const q = makeQuery(name, type, { id: 0, rd: true, edns: false });
  const rdata = encodeRdata(RRType.A, { address: `192.0.${(i >>> 8) & 0xff}.${i & 0xff}` });
  return encodeMessage(makeResponse(q, { ra: true, answer: [{ name, type: RRType.A, class: RRClass.IN, ttl: 3600, rdata }] })).bytes;
}

const stubResolver = { onZoneSoaChange: () => undefined, onRRsetChange: () => undefined } as unknown as Resolver;

function setup(): { onMessage: (msg: Buffer, rinfo: RemoteInfo) => void; cache: AnswerCache; sent: () => number } {
  const cache = new AnswerCache({ maxBytes: 64 * 1024 * 1024, hashSeed: 0x5eed1234 });
  const feOptions = { acl: defaultAcl(), maxConcurrent: 10_000, udpSize: 1232, servfailTtl: 5, clockPerTurn: true };
  const fe = new ResolverFrontend(stubResolver, cache, systemClock, feOptions);
  const listener = new UdpListener({ addresses: ['127.0.0.1:0'], handler: fe.handle, datagramHandler: (fe as Partial<ResolverFrontend>).handleDatagram });
  // The listener takes requests once started; mark it open without binding a socket.
  (listener as unknown as { state: string }).state = 'open';
  let count = 0;
  const socket = { send: () => { count++; } } as unknown as Socket;
  const seen = new Set<string>();
  const now = systemClock.now();
  questions.forEach((q, i) => {
    const key = questionKey(q.name, q.type, RRClass.IN, { do: false, cd: false, edns: false });
    if (seen.has(key)) return;
    seen.add(key);
    cache.store(key, responseBytes(q.name, q.type, i), now, {});
  });
  const m = listener as unknown as { onMessage(s: Socket, msg: Buffer, rinfo: RemoteInfo): void };
  return { onMessage: (msg, rinfo) => { m.onMessage(socket, msg, rinfo); }, cache, sent: () => count };
}

// Live heap per cached answer: distinct names stored into an empty cache (first, in a clean heap).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.log('live bytes per cached answer: run with --expose-gc');
} else {
  const big = new AnswerCache({ maxBytes: 1024 * 1024 * 1024, hashSeed: 1 });
  const names = Array.from({ length: memNames }, (_, i) => Name.parse(`name${i}.z${i % 300}-ecdsa-nsec.test.`));
  const resp = names.map((name, i) => responseBytes(name, RRType.A, i));
  const keys = names.map((name) => questionKey(name, RRType.A, RRClass.IN, { do: false, cd: false, edns: false }));
  const t = systemClock.now();
  // The first store sets up the table; measure from there.
  big.store(keys[0]!, resp[0]!, t);
  for (let k = 0; k < 4; k++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const h0 = process.memoryUsage();
  for (let i = 1; i < memNames; i++) big.store(keys[i]!, resp[i]!, t, i % 4 === 0 ? { tags: [`soa/${i % 300}`] } : {});
  for (let k = 0; k < 4; k++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const h1 = process.memoryUsage();
  const per = (h1.heapUsed - h0.heapUsed + h1.arrayBuffers - h0.arrayBuffers) / (memNames - 1);
  console.log(`live bytes per cached answer: ${per.toFixed(0)} (heap ${((h1.heapUsed - h0.heapUsed) / (memNames - 1)).toFixed(0)} + array buffers ${((h1.arrayBuffers - h0.arrayBuffers) / (memNames - 1)).toFixed(0)}; ${memNames} answers of ~${resp[1]!.length} octets, one in four with a tag; cache bytes estimate ${(big.bytes / (memNames - 1)).toFixed(0)} per answer)`);
}

const { onMessage, cache, sent } = setup();
const msgs = questions.map((q, i) => queryBytes(q.name, q.type, i & 0xffff));
const perPass: number[] = [];
for (let p = 0; p < passes; p++) {
  // CPU time, not wall time: the box is shared.
  const t0 = process.cpuUsage();
  for (let i = 0; i < msgs.length; i++) {
    // node:dgram makes a new RemoteInfo per datagram; so does this loop.
    onMessage(msgs[i]!, { address: '127.0.0.1', family: 'IPv4', port: 40000 + (i & 1023), size: msgs[i]!.length });
    if ((i & 31) === 31) await new Promise((resolve) => setImmediate(resolve));
  }
  const t1 = process.cpuUsage(t0);
  perPass.push(((t1.user + t1.system) * 1000) / msgs.length);
}
if (sent() !== passes * msgs.length) throw new Error(`only ${sent()} of ${passes * msgs.length} queries answered from the cache`);
perPass.sort((x, y) => x - y);
console.log(`hot path: ${perPass[perPass.length >> 1]!.toFixed(1)} ns of CPU per query (median of ${passes} passes of ${msgs.length}; min ${perPass[0]!.toFixed(1)}, max ${perPass[perPass.length - 1]!.toFixed(1)}), ${cache.count} answers cached`);
