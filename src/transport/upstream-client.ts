// The resolver's upstream client: sends one query to one server over UDP or TCP and waits for
// the reply that belongs to it.
//
// Against spoofed replies (RFC 5452 §§3, 9.2, 10):
// - UDP queries go out from sockets bound to port 0: Linux picks each port at random from
//   net.ipv4.ip_local_port_range (32768-60999 by default, about 15 bits). A socket is connect()ed
//   to one server and serves at most `queriesPerSocket` queries to it (default 32), concurrent or
//   one after another, then is closed once its last reply is in; an idle socket is closed after
//   `socketLingerMs`. So several ports are in use at once (§9.2), none serves long, and a port
//   learnt from one reply leaves at most a few more queries to aim at. A socket per query cost
//   ~20 % of anchord's CPU on unique-name resolution (create, bind, connect, close: bench/resolver
//   profile); `queriesPerSocket: 1` restores it.
// - the socket being connected, the kernel itself discards datagrams from any other address or
//   port; the source is checked again here. ICMP port-unreachable then surfaces as an immediate
//   error (for every query waiting on that socket: they all went to that one server) instead of a
//   timeout.
// - a reply must carry the query's ID (chosen by the caller from an injected Random; this client
//   only checks it), have QR set and echo the question (reply-match.ts; exact case on request,
//   for 0x20). Anything else is counted as mismatched and the wait goes on until the timeout.
// UDP timeouts and idle sockets' linger are deadlines in one queue behind one timer
// (deadline-queue.ts), which expires a query only after the event loop has polled for I/O past its
// deadline: a reply that arrived while the thread was busy is taken, not timed out. Each socket
// has one send callback: a send error on a connected socket concerns its one server, like an
// 'error' event, and fails every query waiting on it.
// TCP (RFC 1035 §4.2.2, RFC 7766): the two-octet length framing of tcp-framing.ts, a connect
// timeout, replies up to 65535 octets. Connections are reused (RFC 7766 §6.2.1): one connection
// per server takes the new queries, pipelined (§6.2.1.1: sent without waiting for earlier
// replies, which may come back in any order, §7, and are matched by ID and question exactly as
// over UDP), and closes after `tcpIdleMs` without a query waiting (§6.2.3: clients close idle
// connections; short by default). A connection opened for each TC answer cost ~400 us of the
// main thread per exchange (socket, handshake, stream set-up, close) on unique-name resolution.
// A query whose ID is in flight on the connection (§6.2.1 forbids reusing it there), or a
// connection that let a query time out, moves new queries to a new connection; at most
// `tcpConnectionsPerServer` are open to one server (§6.2.2), past that a query fails at once. A
// connection that breaks or is closed by the server fails only its own queries; those it had not
// answered are asked again on a new connection when it had answered before (§6.2.4; failTcp).
// A UDP reply with TC set (RFC 1035 §4.1.1, RFC 7766 §5) is asked again over TCP, unless the
// caller turns that off and handles TC itself.
//
// query() never rejects: every outcome is a value (DESIGN.md convention 5), with the reason of an
// error a short stable string ('aborted', 'refused', 'closed', an errno code...).
// The client binds its sockets to configured local addresses; the defaults are the loopback
// addresses, and a deployment that queries the Internet configures its outgoing interfaces.

import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, type Socket as TcpSocket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ipFamily, sameAddress } from './address.js';
import { DeadlineQueue, type Deadline } from './deadline-queue.js';
import { isTruncated, matchReply, questionEnd } from './reply-match.js';
import { FrameDecoder, MAX_TCP_MESSAGE, frameMessage } from './tcp-framing.js';

export interface UpstreamServer {
  readonly address: string;
  readonly port: number;
}

export interface UpstreamQueryOptions {
  /** Ask over TCP from the start (for example after a TC answer the caller handled itself). */
  readonly tcp?: boolean | undefined;
  /** Time allowed for the exchange; a TCP retry after TC gets the same amount again. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Require the reply's QNAME to match octet for octet (0x20). Default: the client's setting. */
  readonly exactCase?: boolean | undefined;
  /** Retry over TCP when the UDP reply has TC set. Default: the client's setting. */
  readonly tcpOnTruncation?: boolean | undefined;
}

export type UpstreamReply =
  | { readonly kind: 'reply'; readonly bytes: Uint8Array; readonly rttMs: number; readonly tcp: boolean }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly reason: string };

/** Counters, a plain object whose fields only grow. */
export interface UpstreamStats {
  /** Queries sent over UDP. */
  udpSent: number;
  /** Queries sent over TCP (retries after TC included). */
  tcpSent: number;
  /** Matching replies accepted. */
  replies: number;
  timeouts: number;
  /** Datagrams or TCP messages that did not match the query (source, ID, QR or question). */
  mismatched: number;
  /** UDP replies with TC set that were retried over TCP. */
  tcpFallbacks: number;
  /** Exchanges ended by a socket or protocol error (aborts not included). */
  errors: number;
  aborted: number;
  /** TCP connections opened (each carries any number of queries, one after another or pipelined). */
  tcpConnections: number;
  /** TCP queries asked again on a new connection after theirs closed unanswered. */
  tcpRetries: number;
}

export interface UpstreamClientOptions {
  /** Local address for IPv4 sockets. Default 127.0.0.1. */
  readonly localAddress4?: string;
  /** Local address for IPv6 sockets. Default ::1. */
  readonly localAddress6?: string;
  /** Upper bound on the TCP handshake, within the query's own timeout. Default: no extra bound. */
  readonly connectTimeoutMs?: number;
  /** Default for UpstreamQueryOptions.exactCase. Default false. */
  readonly exactCase?: boolean;
  /** Default for UpstreamQueryOptions.tcpOnTruncation. Default true. */
  readonly tcpOnTruncation?: boolean;
  /** Monotonic milliseconds for RTTs. Default performance.now. */
  readonly now?: () => number;
  /** UDP queries one socket serves before it is retired (1: a fresh socket per query). Default 32. */
  readonly queriesPerSocket?: number;
  /** An idle UDP socket is closed after this long. Default 50 ms. */
  readonly socketLingerMs?: number;
  /** An idle TCP connection is closed after this long (RFC 7766 §6.2.3). Default 1000 ms. */
  readonly tcpIdleMs?: number;
  /** TCP connections open to one server at once, draining ones included (RFC 7766 §6.2.2). Default 4. */
  readonly tcpConnectionsPerServer?: number;
}

const ABORTED: UpstreamReply = { kind: 'error', reason: 'aborted' };
const TIMEOUT: UpstreamReply = { kind: 'timeout' };

function errorReason(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string') {
    return e.code === 'ECONNREFUSED' ? 'refused' : e.code;
  }
  return e instanceof Error ? e.message : String(e);
}

/** One query's settings, resolved against the client defaults (the TCP path). */
interface Exchange {
  readonly server: UpstreamServer;
  readonly family: 4 | 6;
  readonly query: Uint8Array;
  readonly qEnd: number;
  readonly timeoutMs: number;
  readonly exactCase: boolean;
  readonly signal: AbortSignal | undefined;
}

/** A UDP query waiting for its reply on a pooled socket; in the deadline queue until it ends. */
interface UdpQuery extends Deadline {
  readonly kind: 'query';
  readonly ps: PooledSocket;
  readonly id: number;
  readonly query: Uint8Array;
  readonly qEnd: number;
  readonly exactCase: boolean;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (reply: UpstreamReply) => void;
  sentAt: number;
  onAbort: (() => void) | undefined;
}

/**
 * A UDP socket connected to one server, shared by up to `queriesPerSocket` queries. While idle
 * and not retired it lingers, its deadline in the queue (`slot` >= 0).
 */
interface PooledSocket extends Deadline {
  readonly kind: 'socket';
  readonly socket: UdpSocket;
  readonly server: UpstreamServer;
  readonly family: 4 | 6;
  /** Queries waiting, by message ID. */
  readonly pending: Map<number, UdpQuery>;
  /** Queries to send once connected. */
  queued: UdpQuery[] | undefined;
  uses: number;
  /** No new queries: closed when the last pending one ends. */
  retired: boolean;
  closed: boolean;
  /** The one send callback of this socket (module header: errors concern the server). */
  readonly onSent: (e: Error | null) => void;
}

/** A TCP query: in its connection's `pending` and in the deadline queue until it ends. */
interface TcpQuery extends Deadline {
  readonly kind: 'tcp-query';
  readonly ex: Exchange;
  readonly id: number;
  readonly resolve: (reply: UpstreamReply) => void;
  readonly startedAt: number;
  /** The connection it was written on (undefined while between connections, and once ended). */
  conn: TcpConnection | undefined;
  onAbort: (() => void) | undefined;
  done: boolean;
}

/** The TCP connections of one server: the one taking new queries, and how many are open. */
interface TcpServerState {
  active: TcpConnection | undefined;
  open: number;
}

/**
 * A TCP connection to one server carrying pipelined queries (RFC 7766 §6.2.1.1). Its deadline
 * (`slot` >= 0) is the handshake bound while connecting, then the idle close while nothing waits.
 */
interface TcpConnection extends Deadline {
  readonly kind: 'tcp-conn';
  readonly socket: TcpSocket;
  readonly server: TcpServerState;
  readonly key: string;
  /** Queries waiting, by message ID. */
  readonly pending: Map<number, TcpQuery>;
  connected: boolean;
  /** Replies taken from it. */
  replies: number;
  /** No new queries: closed when the last pending one ends. */
  retired: boolean;
  closed: boolean;
  /** Whether the socket keeps the process alive (while queries wait). */
  referenced: boolean;
}

export class UpstreamClient {
  readonly stats: UpstreamStats = {
    udpSent: 0,
    tcpSent: 0,
    replies: 0,
    timeouts: 0,
    mismatched: 0,
    tcpFallbacks: 0,
    errors: 0,
    aborted: 0,
    tcpConnections: 0,
    tcpRetries: 0,
  };
  private readonly local4: string;
  private readonly local6: string;
  private readonly connectTimeoutMs: number;
  private readonly exactCase: boolean;
  private readonly tcpOnTruncation: boolean;
  private readonly now: () => number;
  private readonly queriesPerSocket: number;
  private readonly lingerMs: number;
  private readonly tcpIdleMs: number;
  private readonly tcpConnectionsPerServer: number;
  /** TCP connections per server ("port address"). */
  private readonly tcpServers = new Map<string, TcpServerState>();
  /** Where TCP reads land (made at the first connection). */
  private tcpReadBuffer: Uint8Array | undefined;
  /** Every open TCP connection and UDP socket, for close(). */
  private readonly tcpConns = new Set<TcpConnection>();
  private readonly udpSockets = new Set<PooledSocket>();
  /** The socket taking new queries, per server: port, then address text. */
  private readonly open = new Map<number, Map<string, PooledSocket>>();
  /**
   * Query timeouts, idle sockets' linger, TCP handshake bounds and idle closes, behind one timer.
   * Unreferenced: whatever waits on a deadline has a referenced socket of its own.
   */
  private readonly deadlines = new DeadlineQueue<UdpQuery | PooledSocket | TcpQuery | TcpConnection>((d) => {
    switch (d.kind) {
      case 'query':
        this.stats.timeouts++;
        this.settle(d, TIMEOUT);
        break;
      case 'socket':
        if (d.pending.size === 0) {
          this.retire(d);
          this.closeSocket(d);
        }
        break;
      case 'tcp-query':
        this.stats.timeouts++;
        // A connection that let a query time out takes no new ones (a server that dropped it,
        // or a stalled connection); its other queries go on.
        if (d.conn !== undefined) this.retireTcp(d.conn);
        this.settleTcp(d, TIMEOUT);
        break;
      case 'tcp-conn':
        this.expireTcp(d);
        break;
    }
  }, { unref: true });

  constructor(options: UpstreamClientOptions = {}) {
    this.local4 = options.localAddress4 ?? '127.0.0.1';
    this.local6 = options.localAddress6 ?? '::1';
    this.connectTimeoutMs = options.connectTimeoutMs ?? Infinity;
    this.exactCase = options.exactCase ?? false;
    this.tcpOnTruncation = options.tcpOnTruncation ?? true;
    this.now = options.now ?? (() => performance.now());
    this.queriesPerSocket = Math.max(1, Math.floor(options.queriesPerSocket ?? 32));
    this.lingerMs = options.socketLingerMs ?? 50;
    this.tcpIdleMs = options.tcpIdleMs ?? 1000;
    this.tcpConnectionsPerServer = Math.max(1, Math.floor(options.tcpConnectionsPerServer ?? 4));
  }

  /**
   * Closes every socket and connection, idle or not: queries still waiting end with the error
   * 'closed'. The client stays usable; later queries open new ones.
   */
  close(): void {
    const closed = new Error('closed');
    for (const ps of [...this.udpSockets]) this.failSocket(ps, closed);
    for (const conn of [...this.tcpConns]) this.failTcp(conn, 'closed', false);
  }

  /** Sends `query` to `server` and resolves with the matching reply, a timeout or an error. */
  query(server: UpstreamServer, query: Uint8Array, opts: UpstreamQueryOptions): Promise<UpstreamReply> {
    const qEnd = questionEnd(query);
    if (qEnd < 0 || query.length > MAX_TCP_MESSAGE) return Promise.resolve(this.fail('malformed query'));
    // A server with an open socket was checked when the socket was made.
    const open = opts.tcp === true ? undefined : this.open.get(server.port)?.get(server.address);
    const family = open !== undefined ? open.family : ipFamily(server.address);
    if (family === 0) return Promise.resolve(this.fail('not an IP address'));
    if (open === undefined && (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535)) return Promise.resolve(this.fail('bad port'));
    if (opts.signal?.aborted === true) {
      this.stats.aborted++;
      return Promise.resolve(ABORTED);
    }
    const exactCase = opts.exactCase ?? this.exactCase;
    const ex: Exchange = { server, family, query, qEnd, timeoutMs: opts.timeoutMs, exactCase, signal: opts.signal };
    if (opts.tcp === true) return this.tcp(ex);
    // The resolver handles TC itself: its replies need no second step.
    if (!(opts.tcpOnTruncation ?? this.tcpOnTruncation)) return this.udp(ex);
    return this.udp(ex).then((reply) => {
      if (reply.kind !== 'reply' || !isTruncated(reply.bytes)) return reply;
      this.stats.tcpFallbacks++;
      return this.tcp(ex);
    });
  }

  private fail(reason: string): UpstreamReply {
    this.stats.errors++;
    return { kind: 'error', reason };
  }

  private udp(ex: Exchange): Promise<UpstreamReply> {
    return new Promise<UpstreamReply>((resolve) => {
      const id = (ex.query[0]! << 8) | ex.query[1]!;
      let ps: PooledSocket;
      try {
        ps = this.socketFor(ex, id);
      } catch (e) {
        resolve(this.fail(errorReason(e)));
        return;
      }
      const q: UdpQuery = {
        kind: 'query',
        at: 0,
        slot: -1,
        ps,
        id,
        query: ex.query,
        qEnd: ex.qEnd,
        exactCase: ex.exactCase,
        signal: ex.signal,
        resolve,
        sentAt: 0,
        onAbort: undefined,
      };
      ps.pending.set(id, q);
      ps.uses++;
      if (ps.uses >= this.queriesPerSocket) this.retire(ps);
      this.deadlines.add(q, ex.timeoutMs);
      if (ex.signal !== undefined) {
        q.onAbort = () => {
          this.stats.aborted++;
          this.settle(q, ABORTED);
        };
        ex.signal.addEventListener('abort', q.onAbort, { once: true });
      }
      if (ps.queued !== undefined) ps.queued.push(q);
      else this.send(q);
    });
  }

  /** The open socket for the exchange's server, or a new one (also when the ID is in use on it). */
  private socketFor(ex: Exchange, id: number): PooledSocket {
    const { server } = ex;
    let byAddress = this.open.get(server.port);
    const cur = byAddress?.get(server.address);
    if (cur !== undefined && !cur.pending.has(id)) {
      this.deadlines.remove(cur);
      return cur;
    }
    if (cur !== undefined) this.retire(cur);
    const socket = createSocket({ type: ex.family === 6 ? 'udp6' : 'udp4', ipv6Only: ex.family === 6 });
    const ps: PooledSocket = {
      kind: 'socket',
      at: 0,
      slot: -1,
      socket,
      server,
      family: ex.family,
      pending: new Map(),
      queued: [],
      uses: 0,
      retired: false,
      closed: false,
      onSent: (e) => {
        // A send error on a connected socket (ECONNREFUSED from an earlier ICMP, no route...)
        // is about the one server: every query waiting here fails with it, as on 'error'.
        if (e !== null) this.failSocket(ps, e);
      },
    };
    if (byAddress === undefined) this.open.set(server.port, (byAddress = new Map<string, PooledSocket>()));
    this.udpSockets.add(ps);
    byAddress.set(server.address, ps);
    socket.on('error', (e) => {
      // On a connected socket this is about the one server (ICMP unreachable...).
      this.failSocket(ps, e);
    });
    socket.on('message', (received: Buffer, rinfo: RemoteInfo) => {
      // A plain Uint8Array view of the datagram (no copy: node gives each one its own memory):
      // replies over TCP and client queries are Uint8Arrays, and code that reads both kinds
      // (matchReply, WireReader, RDATA walking, signature checks) then sees one object shape,
      // where a Buffer here deoptimised each such function once the other kind came (V8 "wrong map").
      const msg = new Uint8Array(received.buffer, received.byteOffset, received.length);
      const q = msg.length >= 2 ? ps.pending.get((msg[0]! << 8) | msg[1]!) : undefined;
      if (
        q === undefined ||
        rinfo.port !== ps.server.port ||
        !sameAddress(rinfo.address, ps.server.address) ||
        matchReply(q.query, q.qEnd, msg, q.exactCase) !== 'ok'
      ) {
        this.stats.mismatched++;
        return;
      }
      this.stats.replies++;
      this.settle(q, { kind: 'reply', bytes: msg, rttMs: this.now() - q.sentAt, tcp: false });
    });
    socket.bind({ port: 0, address: ex.family === 6 ? this.local6 : this.local4, exclusive: true }, () => {
      if (ps.closed) return;
      socket.connect(server.port, server.address, () => {
        if (ps.closed) return;
        const queued = ps.queued ?? [];
        ps.queued = undefined;
        for (const q of queued) if (ps.pending.get(q.id) === q) this.send(q);
      });
    });
    return ps;
  }

  private send(q: UdpQuery): void {
    q.sentAt = this.now();
    this.stats.udpSent++;
    q.ps.socket.send(q.query, q.ps.onSent);
  }

  /** Every query waiting on `ps` fails with `e`, and the socket goes. */
  private failSocket(ps: PooledSocket, e: unknown): void {
    this.retire(ps);
    const reason = errorReason(e);
    for (const q of ps.pending.values()) {
      this.stats.errors++;
      this.settle(q, { kind: 'error', reason });
    }
    this.closeSocket(ps);
  }

  /** Ends one query: its deadline and abort listener go, the socket is released or kept a moment. */
  private settle(q: UdpQuery, reply: UpstreamReply): void {
    const ps = q.ps;
    if (ps.pending.get(q.id) !== q) return;
    ps.pending.delete(q.id);
    this.deadlines.remove(q);
    if (q.onAbort !== undefined) q.signal?.removeEventListener('abort', q.onAbort);
    q.resolve(reply);
    if (ps.pending.size > 0) return;
    if (ps.retired) this.closeSocket(ps);
    else if (ps.slot < 0) this.deadlines.add(ps, this.lingerMs);
  }

  /** Takes no new queries on this socket. */
  private retire(ps: PooledSocket): void {
    ps.retired = true;
    const byAddress = this.open.get(ps.server.port);
    if (byAddress?.get(ps.server.address) === ps) byAddress.delete(ps.server.address);
    if (ps.pending.size === 0) this.closeSocket(ps);
  }

  private closeSocket(ps: PooledSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    this.udpSockets.delete(ps);
    this.deadlines.remove(ps);
    const byAddress = this.open.get(ps.server.port);
    if (byAddress?.get(ps.server.address) === ps) byAddress.delete(ps.server.address);
    try {
      ps.socket.close();
    } catch {
      // already closed
    }
  }

  /** A TCP query (RFC 7766): on the server's pooled connection, in the deadline queue until it ends. */
  private tcp(ex: Exchange): Promise<UpstreamReply> {
    return new Promise<UpstreamReply>((resolve) => {
      const q: TcpQuery = {
        kind: 'tcp-query',
        at: 0,
        slot: -1,
        ex,
        id: (ex.query[0]! << 8) | ex.query[1]!,
        resolve,
        startedAt: this.now(),
        conn: undefined,
        onAbort: undefined,
        done: false,
      };
      this.deadlines.add(q, ex.timeoutMs);
      if (ex.signal !== undefined) {
        q.onAbort = () => {
          this.stats.aborted++;
          this.settleTcp(q, ABORTED);
        };
        ex.signal.addEventListener('abort', q.onAbort, { once: true });
      }
      this.sendTcp(q);
    });
  }

  /** Writes `q` on its server's connection taking new queries, opened when there is none. */
  private sendTcp(q: TcpQuery): void {
    let conn: TcpConnection | undefined;
    try {
      conn = this.connectionFor(q.ex, q.id);
    } catch (e) {
      this.stats.errors++;
      this.settleTcp(q, { kind: 'error', reason: errorReason(e) });
      return;
    }
    if (conn === undefined) {
      this.stats.errors++;
      this.settleTcp(q, { kind: 'error', reason: 'tcp connection limit' });
      return;
    }
    q.conn = conn;
    conn.pending.set(q.id, q);
    if (conn.connected) this.deadlines.remove(conn); // its idle deadline
    if (!conn.referenced) {
      conn.referenced = true;
      conn.socket.ref();
    }
    this.stats.tcpSent++;
    // Written at once, while connecting too: net.Socket holds it until the handshake is done.
    conn.socket.write(frameMessage(q.ex.query));
  }

  /**
   * The connection taking new queries to the exchange's server, or a new one when there is none
   * or the query's ID is in flight on it (RFC 7766 §6.2.1: not reused on one connection).
   * Undefined when the server already has `tcpConnectionsPerServer` connections open.
   */
  private connectionFor(ex: Exchange, id: number): TcpConnection | undefined {
    const key = `${ex.server.port} ${ex.server.address}`;
    let st = this.tcpServers.get(key);
    const cur = st?.active;
    if (cur !== undefined && !cur.pending.has(id)) return cur;
    if (st !== undefined && st.open >= this.tcpConnectionsPerServer) return undefined;
    if (cur !== undefined) this.retireTcp(cur);
    const decoder = new FrameDecoder((msg) => {
      this.onTcpMessage(conn, msg);
    });
    // Reads land in the one buffer of this client (`onread`: no stream machinery and no buffer
    // per read); the decoder's views of it live only until the callback returns.
    const readBuffer = (this.tcpReadBuffer ??= new Uint8Array(MAX_TCP_MESSAGE + 2));
    const socket = tcpConnect({
      host: ex.server.address,
      port: ex.server.port,
      family: ex.family,
      localAddress: ex.family === 6 ? this.local6 : this.local4,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (n: number) => {
          if (conn.closed) return false;
          const bad = decoder.push(readBuffer.subarray(0, n));
          if (bad !== undefined) this.failTcp(conn, bad, false);
          return true;
        },
      },
    });
    if (st === undefined) this.tcpServers.set(key, (st = { active: undefined, open: 0 }));
    const conn: TcpConnection = {
      kind: 'tcp-conn',
      at: 0,
      slot: -1,
      socket,
      server: st,
      key,
      pending: new Map(),
      connected: false,
      replies: 0,
      retired: false,
      closed: false,
      referenced: true,
    };
    st.active = conn;
    st.open++;
    this.tcpConns.add(conn);
    this.stats.tcpConnections++;
    if (this.connectTimeoutMs !== Infinity) this.deadlines.add(conn, this.connectTimeoutMs);
    socket.on('connect', () => {
      if (conn.closed) return;
      conn.connected = true;
      this.deadlines.remove(conn); // the connect deadline
      if (conn.pending.size === 0) this.idleTcp(conn);
    });
    socket.on('error', (e) => {
      this.failTcp(conn, errorReason(e), true);
    });
    // The server closed (RFC 7766 §6.2.4: it may, when idle or under load) or the connection broke.
    socket.on('end', () => {
      this.failTcp(conn, 'closed', true);
    });
    socket.on('close', () => {
      this.failTcp(conn, 'closed', true);
    });
    return conn;
  }

  private onTcpMessage(conn: TcpConnection, msg: Uint8Array): void {
    if (conn.closed) return;
    const q = msg.length >= 2 ? conn.pending.get((msg[0]! << 8) | msg[1]!) : undefined;
    // Pipelined replies may come in any order (RFC 7766 §7): matched by ID and question.
    if (q === undefined || matchReply(q.ex.query, q.ex.qEnd, msg, q.ex.exactCase) !== 'ok') {
      this.stats.mismatched++;
      return;
    }
    conn.replies++;
    this.stats.replies++;
    // A reply that came in one read is a view of the shared read buffer: the caller keeps a copy.
    const bytes = msg.buffer === this.tcpReadBuffer?.buffer ? msg.slice() : msg;
    this.settleTcp(q, { kind: 'reply', bytes, rttMs: this.now() - q.startedAt, tcp: true });
  }

  /**
   * The connection is gone (error, reset, closed by the server, bad framing): it fails only its
   * own queries. RFC 7766 §6.2.4: a client should ask again the queries left unanswered when a
   * connection closes; they are, on a new connection and within their own deadlines, when
   * `retry` and this connection had answered before (a server that closed it when idle, or that
   * answers one query per connection); one that never answered fails its queries, so a server
   * that closes at once is not asked again and again.
   */
  private failTcp(conn: TcpConnection, reason: string, retry: boolean): void {
    if (conn.closed) return;
    this.closeTcp(conn);
    const waiting = [...conn.pending.values()];
    conn.pending.clear();
    for (const q of waiting) {
      q.conn = undefined;
      if (retry && conn.replies > 0) {
        this.stats.tcpRetries++;
        this.sendTcp(q);
      } else {
        this.stats.errors++;
        this.settleTcp(q, { kind: 'error', reason });
      }
    }
  }

  /** Ends one TCP query; its connection idles, or closes when retired and drained. */
  private settleTcp(q: TcpQuery, reply: UpstreamReply): void {
    if (q.done) return;
    q.done = true;
    this.deadlines.remove(q);
    if (q.onAbort !== undefined) q.ex.signal?.removeEventListener('abort', q.onAbort);
    const conn = q.conn;
    if (conn !== undefined) {
      q.conn = undefined;
      if (conn.pending.get(q.id) === q) conn.pending.delete(q.id);
      if (conn.pending.size === 0 && !conn.closed) {
        if (conn.retired) this.closeTcp(conn);
        else if (conn.connected) this.idleTcp(conn);
      }
    }
    q.resolve(reply);
  }

  /**
   * An idle connection waits `tcpIdleMs` for another query, then closes (RFC 7766 §6.2.3: clients
   * close idle connections). Unreferenced meanwhile: it never keeps the process alive.
   */
  private idleTcp(conn: TcpConnection): void {
    this.deadlines.remove(conn);
    this.deadlines.add(conn, this.tcpIdleMs);
    if (conn.referenced) {
      conn.referenced = false;
      conn.socket.unref();
    }
  }

  /** Takes no new queries on this connection; it closes once its last query ends. */
  private retireTcp(conn: TcpConnection): void {
    conn.retired = true;
    if (conn.server.active === conn) conn.server.active = undefined;
    if (conn.pending.size === 0) this.closeTcp(conn);
  }

  private closeTcp(conn: TcpConnection): void {
    if (conn.closed) return;
    conn.closed = true;
    this.deadlines.remove(conn);
    const st = conn.server;
    if (st.active === conn) st.active = undefined;
    st.open--;
    if (st.open === 0 && this.tcpServers.get(conn.key) === st) this.tcpServers.delete(conn.key);
    this.tcpConns.delete(conn);
    conn.socket.destroy();
  }

  /** A TCP connection's deadline: its handshake took too long, or it idled long enough. */
  private expireTcp(conn: TcpConnection): void {
    if (conn.connected) {
      if (conn.pending.size === 0) this.closeTcp(conn);
      return;
    }
    // Handshake bound (connectTimeoutMs): every query waiting on it times out.
    this.closeTcp(conn);
    const waiting = [...conn.pending.values()];
    conn.pending.clear();
    for (const q of waiting) {
      q.conn = undefined;
      this.stats.timeouts++;
      this.settleTcp(q, TIMEOUT);
    }
  }
}
