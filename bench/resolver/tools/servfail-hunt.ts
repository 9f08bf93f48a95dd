// Replays a dnsperf query file ("name type" per line) against a resolver with EDNS on and a fixed
// number of queries in flight (like dnsperf -q), and prints every answer that is not NOERROR or
// NXDOMAIN, with its EDE (RFC 8914) code and text, plus the names that got no answer. For chasing
// the rare SERVFAILs run.sh records (dnsperf sends no EDNS, so its answers carry no EDE).
//
//   npx tsx bench/resolver/tools/servfail-hunt.ts FILE [--server 127.0.0.1] [--port 5341]
//       [--inflight 100] [--timeout-ms 5000] [--do]
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import packet from 'dns-packet';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const file = args[0];
if (file === undefined || file.startsWith('--')) {
  process.stderr.write('usage: servfail-hunt FILE [--server A] [--port P] [--inflight N] [--timeout-ms MS] [--do]\n');
  process.exit(2);
}
const server = opt('--server', '127.0.0.1');
const port = Number(opt('--port', '5341'));
const inflight = Number(opt('--inflight', '100'));
const timeoutMs = Number(opt('--timeout-ms', '5000'));
const dnssecOk = args.includes('--do');
const queries = readFileSync(file, 'utf8')
  .split('\n')
  .map((l) => l.trim().split(/\s+/))
  .filter((f): f is [string, string] => f.length >= 2 && f[0] !== '');

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const socket = dgram.createSocket('udp4');
const pending = new Map<number, { name: string; type: string; sent: number; timer: NodeJS.Timeout }>();
const counts = new Map<string, number>();
let next = 0;
let id = 0;
const started = Date.now();

function ede(bytes: Buffer): string {
  // walk to the OPT record by hand: dns-packet decodes the message, but leaves option 15 raw
  const msg = packet.decode(bytes);
  for (const rr of msg.additionals ?? []) {
    if (rr.type !== 'OPT') continue;
    for (const o of rr.options as readonly { code: number; data?: Buffer }[]) {
      if (o.code !== 15) continue;
      const data = o.data;
      if (data === undefined || data.length < 2) return 'EDE (empty)';
      return `EDE ${data.readUInt16BE(0)} ${data.subarray(2).toString('utf8')}`;
    }
  }
  return 'no EDE';
}

function send(): void {
  while (pending.size < inflight && next < queries.length) {
    const [name, type] = queries[next++]!;
    id = (id + 1) & 0xffff;
    while (pending.has(id)) id = (id + 1) & 0xffff;
    const q = packet.encode({
      type: 'query',
      id,
      flags: packet.RECURSION_DESIRED,
      questions: [{ name, type: type as packet.RecordType, class: 'IN' }],
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnssecOk ? packet.DNSSEC_OK : 0, options: [] } as unknown as packet.Answer],
    });
    const myId = id;
    const timer = setTimeout(() => {
      pending.delete(myId);
      counts.set('TIMEOUT', (counts.get('TIMEOUT') ?? 0) + 1);
      process.stdout.write(`TIMEOUT ${name} ${type}\n`);
      send();
      done();
    }, timeoutMs);
    pending.set(myId, { name, type, sent: Date.now(), timer });
    socket.send(q, port, server);
  }
}

function done(): void {
  if (pending.size > 0 || next < queries.length) return;
  const secs = (Date.now() - started) / 1000;
  process.stdout.write(`${queries.length} queries in ${secs.toFixed(1)} s: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}\n`);
  socket.close();
}

socket.on('message', (bytes) => {
  if (bytes.length < 12) return;
  const p = pending.get(bytes.readUInt16BE(0));
  if (p === undefined) return;
  pending.delete(bytes.readUInt16BE(0));
  clearTimeout(p.timer);
  const rcode = RCODES[bytes.readUInt8(3) & 0x0f] ?? `RCODE${bytes.readUInt8(3) & 0x0f}`;
  counts.set(rcode, (counts.get(rcode) ?? 0) + 1);
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
    process.stdout.write(`${rcode} ${p.name} ${p.type} ${Date.now() - p.sent} ms ${ede(bytes)}\n`);
  }
  send();
  done();
});
socket.bind(0, () => {
  send();
});
