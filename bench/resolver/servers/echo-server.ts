// The ceiling any Node design can reach on this machine (issue 5, "Benchmark"): one node:dgram
// socket that sends every datagram back with QR set and nothing else — no parsing, no cache, no
// allocation beyond what node:dgram does itself. bench/resolver/run.sh measures it beside the resolvers.
// Usage: node echo-server.js HOST PORT
import dgram from 'node:dgram';

const host = process.argv[2] ?? '127.0.0.1';
const port = Number(process.argv[3] ?? '5345');
const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
socket.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  msg.writeUInt8(msg.readUInt8(2) | 0x80, 2);
  socket.send(msg, rinfo.port, rinfo.address);
});
socket.on('error', (err) => {
  process.stderr.write(`echo-server: ${err.message}\n`);
});
socket.bind(port, host, () => {
  process.stdout.write(`echo-server on ${host}:${port}\n`);
});
const stop = (): void => {
  socket.close();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
