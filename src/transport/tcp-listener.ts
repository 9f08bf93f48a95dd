// DNS over TCP, server side (RFC 1035 §4.2.2, RFC 7766).
//
// - Framing: two-octet length prefix, reassembled across partial reads (tcp-framing.ts); a length
//   of 0 or above maxMessageSize ends the connection, since the stream cannot be resynchronised.
// - Pipelining (RFC 7766 §6.2.1.1): a connection may carry many queries back to back; each is
//   handed to the handler as soon as it is complete and each answer is written when it is ready,
//   so answers may leave in a different order than the queries came (RFC 7766 §7 lets the client
//   match them by ID). At most maxInFlightPerConnection queries per connection are with the handler;
//   beyond that the connection stops reading (TCP flow control pushes back on the client) and
//   resumes as answers go out. A client that does not read its answers is paused the same way
//   when the socket's write buffer is full.
// - Idle timeout (RFC 7766 §6.2.3): a connection with no query in flight is closed after
//   idleTimeoutMs (default 10 s). The clock is not reset by partial data, only by a complete
//   query, so a peer trickling a message octet by octet cannot hold a connection forever.
// - Connection limit (RFC 7766 §6.2.2 asks servers to protect their resources): at most
//   maxConnections at once over all addresses; a connection beyond that is closed at once. An
//   optional allowConnection hook (the server passes its ACL's 'drop' decision) closes unwanted
//   peers before any byte is read.
// - A client that half-closes after sending its queries still gets its answers (allowHalfOpen);
//   the connection ends once they are written.
// - close(): stops accepting, stops reading, lets the answers in flight finish up to a grace
//   period, ends every connection, and destroys whatever is left at the deadline.

import cluster from 'node:cluster';
import { createServer, type Server, type Socket } from 'node:net';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { DEFAULT_CLOSE_GRACE_MS, type ClientInfo, type ErrorLogger, type RequestHandler } from './handler.js';
import { FrameDecoder, MAX_TCP_MESSAGE, frameMessage } from './tcp-framing.js';
import type { BoundAddress } from './udp-listener.js';

export interface TcpListenerOptions {
  /** Listen addresses: `127.0.0.1:53`, `[::1]:53`; port 0 picks a free port (see `addresses`). */
  readonly addresses: readonly string[];
  readonly handler: RequestHandler;
  /** Handler and socket errors. Default: ignored. */
  readonly onError?: ErrorLogger;
  /** RFC 7766 §6.2.3 idle timeout. Default 10 000 ms. */
  readonly idleTimeoutMs?: number;
  /** Open connections over all addresses. Default 256. */
  readonly maxConnections?: number;
  /** Queries of one connection with the handler at once. Default 32. */
  readonly maxInFlightPerConnection?: number;
  /** Largest request accepted, in octets. Default and ceiling 65535. */
  readonly maxMessageSize?: number;
  /** Called once per new connection; false closes it before reading. Default: all allowed. */
  readonly allowConnection?: (client: HostPort) => boolean;
}

export interface TcpListenerStats {
  /** Connections accepted and served. */
  accepted: number;
  /** Connections closed at once because maxConnections were open. */
  rejectedLimit: number;
  /** Connections closed at once by allowConnection, or because close() had begun. */
  rejectedPolicy: number;
  /** Connections open now. */
  active: number;
  /** Complete requests handed to the handler. */
  queries: number;
  answered: number;
  /** Requests the handler chose not to answer. */
  dropped: number;
  handlerErrors: number;
  /** Connections closed by the idle timeout. */
  idleTimeouts: number;
  /** Connections closed for a zero or oversized length prefix. */
  framingErrors: number;
  /** Requests received after close() began, and answers finished after their connection closed. */
  discardedClosing: number;
  /** Requests with the handler now, over all connections. */
  inFlight: number;
}

const QUIET_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT']);

/** What a connection needs from its listener. */
interface ConnectionHost {
  readonly stats: TcpListenerStats;
  readonly handler: RequestHandler;
  readonly idleTimeoutMs: number;
  readonly maxInFlight: number;
  readonly maxMessageSize: number;
  log(e: unknown, context: string): void;
  handlerFailed(e: unknown, client: ClientInfo): void;
  connectionClosed(conn: TcpConnection): void;
}

/** One client connection: framing, the in-flight bound, flow control and the idle timer. */
class TcpConnection {
  private readonly listener: ConnectionHost;
  private readonly socket: Socket;
  private readonly client: ClientInfo;
  private readonly decoder: FrameDecoder;
  private inFlight = 0;
  private readonly pending: Uint8Array[] = [];
  private readPaused = false;
  private writeBlocked = false;
  /** No more requests are taken (idle timeout, close()); ends once the answers in flight are out. */
  private closing = false;
  /** The peer half-closed: requests already received are still answered, then the connection ends. */
  private peerEnded = false;
  private ending = false;
  private closed = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;

  constructor(listener: ConnectionHost, socket: Socket) {
    this.listener = listener;
    this.socket = socket;
    this.client = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, transport: 'tcp' };
    this.decoder = new FrameDecoder((m) => {
      this.onFrame(m);
    }, listener.maxMessageSize);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.closing) return;
      const bad = this.decoder.push(chunk);
      if (bad !== undefined) {
        listener.stats.framingErrors++;
        this.socket.destroy();
      }
    });
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.maybeResume();
    });
    socket.on('end', () => {
      // The client will send no more; answer what it asked, then end our side too.
      this.peerEnded = true;
      this.maybeFinish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === undefined || !QUIET_ERRORS.has(e.code)) listener.log(e, `tcp client ${formatHostPort(this.client)}`);
    });
    socket.on('close', () => {
      this.closed = true;
      this.closing = true;
      this.stopIdle();
      clearTimeout(this.lingerTimer);
      listener.connectionClosed(this);
    });
    this.startIdle();
  }

  private startIdle(): void {
    if (this.idleTimer !== undefined || this.closed) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.inFlight > 0 || this.closed) return;
      this.listener.stats.idleTimeouts++;
      this.closing = true;
      this.maybeFinish();
    }, this.listener.idleTimeoutMs);
  }

  private stopIdle(): void {
    if (this.idleTimer !== undefined) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  private pauseReading(): void {
    if (!this.readPaused) {
      this.readPaused = true;
      this.socket.pause();
    }
  }

  private maybeResume(): void {
    if (
      this.readPaused &&
      !this.closing &&
      !this.writeBlocked &&
      this.pending.length === 0 &&
      this.inFlight < this.listener.maxInFlight
    ) {
      this.readPaused = false;
      this.socket.resume();
    }
  }

  private onFrame(message: Uint8Array): void {
    if (this.closing) {
      this.listener.stats.discardedClosing++;
      return;
    }
    if (this.inFlight >= this.listener.maxInFlight || this.pending.length > 0) {
      this.pending.push(message);
      this.pauseReading();
      return;
    }
    this.dispatch(message);
  }

  private dispatch(message: Uint8Array): void {
    const listener = this.listener;
    const stats = listener.stats;
    stats.queries++;
    stats.inFlight++;
    this.inFlight++;
    this.stopIdle();
    let result: ReturnType<RequestHandler>;
    try {
      result = listener.handler(message, this.client);
    } catch (e) {
      listener.handlerFailed(e, this.client);
      this.complete(undefined);
      return;
    }
    if (result === undefined || result instanceof Uint8Array) {
      this.complete(result);
    } else {
      result.then(
        (answer) => {
          this.complete(answer);
        },
        (e: unknown) => {
          listener.handlerFailed(e, this.client);
          this.complete(undefined);
        },
      );
    }
  }

  private complete(answer: Uint8Array | undefined): void {
    const stats = this.listener.stats;
    this.inFlight--;
    stats.inFlight--;
    if (this.closed) {
      if (answer !== undefined) stats.discardedClosing++;
    } else if (answer === undefined) {
      stats.dropped++;
    } else {
      let frame: Uint8Array;
      try {
        frame = frameMessage(answer);
      } catch (e) {
        this.listener.log(e, `tcp answer to ${formatHostPort(this.client)}`);
        stats.dropped++;
        frame = new Uint8Array(0);
      }
      if (frame.length > 0) {
        stats.answered++;
        if (!this.socket.write(frame)) {
          this.writeBlocked = true;
          this.pauseReading();
        }
      }
    }
    while (this.pending.length > 0 && this.inFlight < this.listener.maxInFlight && !this.closing) {
      this.dispatch(this.pending.shift()!);
    }
    this.maybeResume();
    this.maybeFinish();
  }

  /** With nothing in flight: end the connection if it is done with, else run the idle timer. */
  private maybeFinish(): void {
    if (this.closed || this.ending || this.inFlight > 0) return;
    if (this.closing || (this.peerEnded && this.pending.length === 0)) {
      // Send our FIN and keep reading (and discarding) until the peer closes too: destroying a
      // socket with unread input sends a RST, which can make the peer's stack throw away the
      // answers it has not read yet. A peer that never closes is cut off after one idle period.
      this.ending = true;
      this.stopIdle();
      this.socket.end();
      if (this.readPaused) {
        this.readPaused = false;
        this.socket.resume();
      }
      this.lingerTimer = setTimeout(() => {
        this.socket.destroy();
      }, this.listener.idleTimeoutMs);
    } else if (this.pending.length === 0) {
      this.startIdle();
    }
  }

  /** close(): take no more requests; end once the answers in flight are written. */
  shutdown(): void {
    if (this.closed) return;
    this.closing = true;
    this.listener.stats.discardedClosing += this.pending.length;
    this.pending.length = 0;
    this.pauseReading();
    this.maybeFinish();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export class TcpListener {
  readonly stats: TcpListenerStats = {
    accepted: 0,
    rejectedLimit: 0,
    rejectedPolicy: 0,
    active: 0,
    queries: 0,
    answered: 0,
    dropped: 0,
    handlerErrors: 0,
    idleTimeouts: 0,
    framingErrors: 0,
    discardedClosing: 0,
    inFlight: 0,
  };
  private readonly host: ConnectionHost;
  private readonly maxConnections: number;
  private readonly allowConnection: ((client: HostPort) => boolean) | undefined;
  private readonly onError: ErrorLogger;
  private readonly listen: readonly HostPort[];
  private readonly servers: Server[] = [];
  private readonly connections = new Set<TcpConnection>();
  private bound: BoundAddress[] = [];
  private accepting = false;
  private started = false;
  private allClosed: (() => void) | undefined;

  /** Parses the addresses (throws AnchordError ERR_CONFIG on a bad one); listens on nothing yet. */
  constructor(options: TcpListenerOptions) {
    this.onError = options.onError ?? (() => undefined);
    this.maxConnections = options.maxConnections ?? 256;
    this.host = {
      stats: this.stats,
      handler: options.handler,
      idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
      maxInFlight: Math.max(1, options.maxInFlightPerConnection ?? 32),
      maxMessageSize: Math.min(options.maxMessageSize ?? MAX_TCP_MESSAGE, MAX_TCP_MESSAGE),
      log: (e, context) => {
        this.log(e, context);
      },
      handlerFailed: (e, client) => {
        this.stats.handlerErrors++;
        this.log(e, `tcp handler, client ${formatHostPort(client)}`);
      },
      connectionClosed: (conn) => {
        if (this.connections.delete(conn)) this.stats.active--;
        if (this.connections.size === 0 && this.allClosed !== undefined) this.allClosed();
      },
    };
    this.allowConnection = options.allowConnection;
    this.listen = options.addresses.map((text) => {
      const hp = parseHostPort(text);
      if (hp === undefined) throw new AnchordError(ErrorCode.Config, `listen address "${text}" is not ADDRESS:PORT or [IPv6]:PORT`);
      return hp;
    });
  }

  /** The addresses actually listened on (after start()). */
  get addresses(): readonly BoundAddress[] {
    return this.bound;
  }

  /** Listens on every address; on any failure closes what was opened and rejects. */
  async start(): Promise<void> {
    if (this.started) throw new Error('TcpListener.start() called twice');
    this.started = true;
    this.accepting = true;
    try {
      for (const hp of this.listen) await this.listenOne(hp);
    } catch (e) {
      this.accepting = false;
      for (const s of this.servers) s.close();
      this.servers.length = 0;
      this.bound = [];
      throw e;
    }
  }

  private listenOne(hp: HostPort): Promise<void> {
    const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      this.onConnection(socket);
    });
    return new Promise<void>((resolve, reject) => {
      const onListenError = (e: Error): void => {
        reject(new AnchordError(ErrorCode.Config, `cannot listen on tcp ${formatHostPort(hp)}: ${e.message}`, { cause: e }));
      };
      server.once('error', onListenError);
      const v6 = hp.address.includes(':');
      // Shared with the other node:cluster workers through the primary (udp-listener.ts says why).
      server.listen({ host: hp.address, port: hp.port, ipv6Only: v6, exclusive: !cluster.isWorker }, () => {
        server.removeListener('error', onListenError);
        server.on('error', (e) => {
          this.log(e, `tcp ${formatHostPort(hp)}`);
        });
        const a = server.address();
        if (a !== null && typeof a === 'object') this.bound.push({ address: a.address, port: a.port, transport: 'tcp' });
        this.servers.push(server);
        resolve();
      });
    });
  }

  private onConnection(socket: Socket): void {
    const stats = this.stats;
    if (!this.accepting) {
      stats.rejectedPolicy++;
      socket.destroy();
      return;
    }
    if (this.allowConnection !== undefined && !this.allowConnection({ address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 })) {
      stats.rejectedPolicy++;
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.maxConnections) {
      stats.rejectedLimit++;
      socket.destroy();
      return;
    }
    stats.accepted++;
    stats.active++;
    this.connections.add(new TcpConnection(this.host, socket));
  }

  private log(e: unknown, context: string): void {
    try {
      this.onError(e, context);
    } catch {
      // a logger that throws must not take the listener down
    }
  }

  /**
   * Stops accepting and reading, lets answers in flight be written for up to `graceMs` (default
   * 5 s), ends every connection, and destroys the ones still open at the deadline.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    if (!this.accepting && this.servers.length === 0) return;
    this.accepting = false;
    const serversClosed = Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
    this.servers.length = 0;
    for (const conn of this.connections) conn.shutdown();
    if (this.connections.size > 0) {
      // Resolves when the last connection has closed: by itself, or destroyed at the deadline.
      const deadline = setTimeout(() => {
        for (const conn of this.connections) conn.destroy();
      }, options.graceMs ?? DEFAULT_CLOSE_GRACE_MS);
      await new Promise<void>((resolve) => {
        this.allClosed = resolve;
      });
      this.allClosed = undefined;
      clearTimeout(deadline);
    }
    await serversClosed;
  }
}
