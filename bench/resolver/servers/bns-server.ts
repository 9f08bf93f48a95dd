// The JS resolver bns (npm "bns", chjj) as a UDP/TCP recursive server, measured beside anchord by
// bench/resolver/run.sh. bns is installed under bench/resolver/peers (not a project dependency) and
// loaded from there. DNSSEC is on (`dnssec: true`): bns walks the chain from the trust anchor and sets
// AD when it holds, but it does not answer SERVFAIL for bogus data — a broken chain only clears AD —
// and it checks NSEC3 denial proofs only (not NSEC). QNAME minimisation stays at bns's default (off).
// Usage: node bns-server.js HOST PORT ROOT_HINTS TRUST_ANCHOR_DS_FILE PEERS_DIR
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface BnsHints {
  fromFile(file: string): BnsHints;
  addAnchor(ds: string): BnsHints;
}
interface BnsServer {
  hints: BnsHints;
  on(event: 'error', listener: (err: Error) => void): void;
  on(event: 'listening', listener: () => void): void;
  open(port: number, host: string): Promise<void>;
  close(): Promise<void>;
}
type BnsServerClass = new (options: Record<string, unknown>) => BnsServer;

const [host = '127.0.0.1', portText = '5344', hintsFile, anchorFile, peersDir] = process.argv.slice(2);
if (hintsFile === undefined || anchorFile === undefined || peersDir === undefined) {
  process.stderr.write('usage: bns-server HOST PORT ROOT_HINTS TRUST_ANCHOR_DS_FILE PEERS_DIR\n');
  process.exit(2);
}
const require = createRequire(join(peersDir, 'package.json'));
const RecursiveServer = require('bns/lib/server/recursive') as BnsServerClass;

const server = new RecursiveServer({
  tcp: true,
  inet6: false,
  edns: true,
  dnssec: true,
  cacheSize: 1024 * 1024 * 1024, // bytes; the default 5 MiB would evict during the 100k-name RSS test
});
server.hints.fromFile(hintsFile);
for (const line of readFileSync(anchorFile, 'utf8').split('\n')) {
  if (/\sDS\s/.test(line)) server.hints.addAnchor(line.trim());
}
let errors = 0;
server.on('error', () => {
  errors++;
});
setInterval(() => {
  if (errors > 0) process.stderr.write(`bns-server: ${errors} errors so far\n`);
}, 10_000).unref();
server.on('listening', () => {
  process.stdout.write(`bns recursive server on ${host}:${portText}\n`);
});
await server.open(Number(portText), host);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
