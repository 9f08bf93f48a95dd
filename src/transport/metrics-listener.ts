// The HTTP listener for Prometheus scrapes: `GET /metrics` (and HEAD) answers the exposition text
// from `render`; any other path is 404, any other method 405. One address: `host:port` (IPv6 in
// brackets), or a bare port, which listens on loopback only (127.0.0.1): the metrics are exposed
// beyond the machine only when an address says so. Scrapes are rare and small, so there is no
// keep-alive tuning; close() ends open connections.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseHostPort, type HostPort } from './address.js';

/** `host:port`, or a bare port (loopback); undefined when neither. */
export function metricsAddress(text: string): HostPort | undefined {
  if (/^[0-9]{1,5}$/.test(text)) return Number(text) <= 65535 ? { address: '127.0.0.1', port: Number(text) } : undefined;
  const hp = parseHostPort(text, -1);
  return hp === undefined || hp.port < 0 ? undefined : hp;
}

export interface MetricsListenerOptions {
  /** `host:port` to listen on (port 0 takes a free one). */
  readonly listen: string;
  /** The body and its content type, built per scrape. */
  readonly render: () => Promise<{ readonly body: string; readonly contentType: string }>;
  readonly onError?: (error: unknown) => void;
}

export interface MetricsListener {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts listening; rejects when the address cannot be bound. */
export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const hp = metricsAddress(options.listen);
  if (hp === undefined) throw new RangeError(`metrics listen address "${options.listen}" is not host:port or a port`);
  const { address: host, port } = hp;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    options.render().then(
      ({ body, contentType }) => {
        res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        options.onError?.(error);
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => options.onError?.(e));
  const bound = server.address() as AddressInfo;
  return {
    address: bound.address,
    port: bound.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => { resolve(); });
      }),
  };
}
