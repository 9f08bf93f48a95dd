// DNS over UDP, server side (RFC 1035 §4.2.1): one socket per listen address, each answer sent
// from the socket the request arrived on, so its source address and port are the ones the client
// asked (a client matches replies on them, RFC 5452 §9.2).
//
// The receive path is the hot path of a cache-hot resolver, so it does as little as it can: one
// 'message' listener per socket created at start(), no string conversion of the payload, a
// synchronous handler answer sent at once without a promise, node's RemoteInfo handed to a
// `datagramHandler` as it is (no client object per datagram), and a socket `lookup` that passes IP
// literals through without the extra tick dns.lookup spends on them (every address this module
// binds or sends to is an IP literal: listen addresses are parsed, replies go to rinfo.address).
// Send errors on a UDP listener are not reported by Node without a per-packet callback; a lost
// answer is what UDP allows, and the client retries.
//
// A handler that throws or rejects never brings the listener down: the error goes to onError
// and the request is dropped. close() stops taking requests, lets the answers in flight go out
// for up to a grace period, then closes the sockets.
// Note: `reusePort` does nothing on Node 20 (DESIGN.md), so one process binds each address once.

import cluster from 'node:cluster';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { DEFAULT_CLOSE_GRACE_MS, type DatagramHandler, type ErrorLogger, type RequestHandler } from './handler.js';

export interface UdpListenerOptions {
  /** Listen addresses: `127.0.0.1:53`, `[::1]:53`; port 0 picks a free port (see `addresses`). */
  readonly addresses: readonly string[];
  readonly handler: RequestHandler;
  /** When given, called instead of `handler` with node's RemoteInfo as the sender. */
  readonly datagramHandler?: DatagramHandler | undefined;
  /** Handler and socket errors. Default: ignored. */
  readonly onError?: ErrorLogger;
  /** SO_RCVBUF / SO_SNDBUF in octets; the system default when absent. */
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
}

export interface UdpListenerStats {
  /** Datagrams handed to the handler. */
  received: number;
  /** Answers sent. */
  answered: number;
  /** Requests the handler chose not to answer. */
  dropped: number;
  /** Handler throws and rejections. */
  handlerErrors: number;
  /** Datagrams that arrived after close() began, and answers that finished after the sockets closed. */
  discardedClosing: number;
  /** Asynchronous answers not yet finished. */
  inFlight: number;
}

/** A bound listen address, with the port the system chose when 0 was asked. */
export interface BoundAddress extends HostPort {
  readonly transport: 'udp' | 'tcp';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup hooks for IP literals only: no dns.lookup and no extra tick. */
function literalLookup4(address: string, _options: unknown, callback: LookupCallback): void {
  callback(null, address, 4);
}
function literalLookup6(address: string, _options: unknown, callback: LookupCallback): void {
  callback(null, address, 6);
}

export class UdpListener {
  readonly stats: UdpListenerStats = {
    received: 0,
    answered: 0,
    dropped: 0,
    handlerErrors: 0,
    discardedClosing: 0,
    inFlight: 0,
  };
  private readonly listen: readonly HostPort[];
  private readonly handler: DatagramHandler;
  private readonly onError: ErrorLogger;
  private readonly options: UdpListenerOptions;
  private readonly sockets: Socket[] = [];
  private bound: BoundAddress[] = [];
  private state: 'new' | 'starting' | 'open' | 'closing' | 'closed' = 'new';
  private drained: (() => void) | undefined;

  /** Parses the addresses (throws AnchordError ERR_CONFIG on a bad one); binds nothing yet. */
  constructor(options: UdpListenerOptions) {
    this.options = options;
    const handler = options.handler;
    this.handler = options.datagramHandler ?? ((request, from) => handler(request, { address: from.address, port: from.port, transport: 'udp' }));
    this.onError = options.onError ?? (() => undefined);
    this.listen = options.addresses.map((text) => {
      const hp = parseHostPort(text);
      if (hp === undefined) throw new AnchordError(ErrorCode.Config, `listen address "${text}" is not ADDRESS:PORT or [IPv6]:PORT`);
      return hp;
    });
  }

  /** The addresses actually bound (after start()). */
  get addresses(): readonly BoundAddress[] {
    return this.bound;
  }

  /** Binds every address; on any failure closes what was bound and rejects (startup is fatal). */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error('UdpListener.start() called twice');
    this.state = 'starting';
    try {
      for (const hp of this.listen) await this.bindOne(hp);
    } catch (e) {
      for (const s of this.sockets) s.close();
      this.sockets.length = 0;
      this.bound = [];
      this.state = 'closed';
      throw e;
    }
    this.state = 'open';
  }

  private bindOne(hp: HostPort): Promise<void> {
    const v6 = hp.address.includes(':');
    const socket = createSocket({
      type: v6 ? 'udp6' : 'udp4',
      ipv6Only: v6,
      lookup: v6 ? literalLookup6 : literalLookup4,
      ...(this.options.receiveBufferSize !== undefined ? { recvBufferSize: this.options.receiveBufferSize } : {}),
      ...(this.options.sendBufferSize !== undefined ? { sendBufferSize: this.options.sendBufferSize } : {}),
    });
    return new Promise<void>((resolve, reject) => {
      const onBindError = (e: Error): void => {
        socket.close();
        reject(new AnchordError(ErrorCode.Config, `cannot listen on udp ${formatHostPort(hp)}: ${e.message}`, { cause: e }));
      };
      socket.once('error', onBindError);
      // In a node:cluster worker (serve --threads N) the primary holds the socket and every worker
      // shares it (DESIGN.md: reusePort does nothing on Node 20); an exclusive bind would make the
      // second worker fail with EADDRINUSE. Outside a cluster the bind is the process's own.
      socket.bind({ port: hp.port, address: hp.address, exclusive: !cluster.isWorker }, () => {
        socket.removeListener('error', onBindError);
        socket.on('error', (e) => {
          this.log(e, `udp ${formatHostPort(hp)}`);
        });
        socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
          this.onMessage(socket, msg, rinfo);
        });
        const a = socket.address();
        this.sockets.push(socket);
        this.bound.push({ address: a.address, port: a.port, transport: 'udp' });
        resolve();
      });
    });
  }

  private onMessage(socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    const stats = this.stats;
    if (this.state !== 'open' && this.state !== 'starting') {
      stats.discardedClosing++;
      return;
    }
    stats.received++;
    let result: ReturnType<RequestHandler>;
    try {
      result = this.handler(msg, rinfo);
    } catch (e) {
      this.handlerFailed(e, rinfo);
      return;
    }
    if (result === undefined) {
      stats.dropped++;
    } else if (result instanceof Uint8Array) {
      stats.answered++;
      socket.send(result, rinfo.port, rinfo.address);
    } else {
      stats.inFlight++;
      result.then(
        (answer) => {
          this.finishAsync(socket, answer, rinfo);
        },
        (e: unknown) => {
          this.finishAsync(socket, undefined, rinfo);
          this.handlerFailed(e, rinfo);
        },
      );
    }
  }

  private finishAsync(socket: Socket, answer: Uint8Array | undefined, rinfo: RemoteInfo): void {
    const stats = this.stats;
    stats.inFlight--;
    if (answer !== undefined) {
      if (this.state === 'closed') {
        stats.discardedClosing++;
      } else {
        stats.answered++;
        socket.send(answer, rinfo.port, rinfo.address);
      }
    } else {
      stats.dropped++;
    }
    if (stats.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  private handlerFailed(e: unknown, rinfo: RemoteInfo): void {
    this.stats.handlerErrors++;
    this.log(e, `udp handler, client ${formatHostPort(rinfo)}`);
  }

  private log(e: unknown, context: string): void {
    try {
      this.onError(e, context);
    } catch {
      // a logger that throws must not take the listener down
    }
  }

  /**
   * Stops taking requests, waits up to `graceMs` (default 5 s) for the answers in flight, then
   * closes the sockets. Answers that finish later are discarded.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (this.state === 'closed' || this.state === 'closing') return;
    this.state = 'closing';
    if (this.stats.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.graceMs ?? DEFAULT_CLOSE_GRACE_MS);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    this.state = 'closed';
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
    this.sockets.length = 0;
  }
}
