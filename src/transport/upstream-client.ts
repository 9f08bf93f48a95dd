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
// timeout, replies up to 65535 octets, and the connection closed after the reply. Replies are
// matched exactly as over UDP, so pipelining several queries on one connection (RFC 7766
// §6.2.1.1) can be added behind the same call later.
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
  };
  private readonly local4: string;
  private readonly local6: string;
  private readonly connectTimeoutMs: number;
  private readonly exactCase: boolean;
  private readonly tcpOnTruncation: boolean;
  private readonly now: () => number;
  private readonly queriesPerSocket: number;
  private readonly lingerMs: number;
  /** The socket taking new queries, per server: port, then address text. */
  private readonly open = new Map<number, Map<string, PooledSocket>>();
  /** UDP query timeouts and idle sockets' linger, behind one timer. */
  private readonly deadlines = new DeadlineQueue<UdpQuery | PooledSocket>((d) => {
    if (d.kind === 'query') {
      this.stats.timeouts++;
      this.settle(d, TIMEOUT);
    } else if (d.pending.size === 0) {
      this.retire(d);
      this.close(d);
    }
  });

  constructor(options: UpstreamClientOptions = {}) {
    this.local4 = options.localAddress4 ?? '127.0.0.1';
    this.local6 = options.localAddress6 ?? '::1';
    this.connectTimeoutMs = options.connectTimeoutMs ?? Infinity;
    this.exactCase = options.exactCase ?? false;
    this.tcpOnTruncation = options.tcpOnTruncation ?? true;
    this.now = options.now ?? (() => performance.now());
    this.queriesPerSocket = Math.max(1, Math.floor(options.queriesPerSocket ?? 32));
    this.lingerMs = options.socketLingerMs ?? 50;
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
    byAddress.set(server.address, ps);
    socket.on('error', (e) => {
      // On a connected socket this is about the one server (ICMP unreachable...).
      this.failSocket(ps, e);
    });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
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
    this.close(ps);
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
    if (ps.retired) this.close(ps);
    else if (ps.slot < 0) this.deadlines.add(ps, this.lingerMs);
  }

  /** Takes no new queries on this socket. */
  private retire(ps: PooledSocket): void {
    ps.retired = true;
    const byAddress = this.open.get(ps.server.port);
    if (byAddress?.get(ps.server.address) === ps) byAddress.delete(ps.server.address);
    if (ps.pending.size === 0) this.close(ps);
  }

  private close(ps: PooledSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    this.deadlines.remove(ps);
    const byAddress = this.open.get(ps.server.port);
    if (byAddress?.get(ps.server.address) === ps) byAddress.delete(ps.server.address);
    try {
      ps.socket.close();
    } catch {
      // already closed
    }
  }

  private tcp(ex: Exchange): Promise<UpstreamReply> {
    return new Promise<UpstreamReply>((resolve) => {
      const stats = this.stats;
      const { server, signal } = ex;
      let done = false;
      let connected = false;
      const startedAt = this.now();
      let socket: TcpSocket | undefined;
      const finish = (reply: UpstreamReply): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearTimeout(connectTimer);
        signal?.removeEventListener('abort', onAbort);
        socket?.destroy();
        resolve(reply);
      };
      const fail = (reason: string): void => {
        if (done) return;
        stats.errors++;
        finish({ kind: 'error', reason });
      };
      const onAbort = (): void => {
        if (done) return;
        stats.aborted++;
        finish(ABORTED);
      };
      const onTimeout = (): void => {
        if (done) return;
        stats.timeouts++;
        finish(TIMEOUT);
      };
      const timer = setTimeout(onTimeout, ex.timeoutMs);
      const connectTimer =
        this.connectTimeoutMs < ex.timeoutMs
          ? setTimeout(() => {
              if (!connected) onTimeout();
            }, this.connectTimeoutMs)
          : undefined;
      signal?.addEventListener('abort', onAbort, { once: true });
      const decoder = new FrameDecoder((msg) => {
        if (done) return;
        if (matchReply(ex.query, ex.qEnd, msg, ex.exactCase) !== 'ok') {
          stats.mismatched++;
          return;
        }
        stats.replies++;
        finish({ kind: 'reply', bytes: msg, rttMs: this.now() - startedAt, tcp: true });
      });
      try {
        socket = tcpConnect({
          host: server.address,
          port: server.port,
          family: ex.family,
          localAddress: ex.family === 6 ? this.local6 : this.local4,
          noDelay: true,
        });
      } catch (e) {
        fail(errorReason(e));
        return;
      }
      const s = socket;
      s.on('connect', () => {
        connected = true;
        clearTimeout(connectTimer);
        if (done) return;
        stats.tcpSent++;
        s.write(frameMessage(ex.query));
      });
      s.on('data', (chunk: Buffer) => {
        if (done) return;
        const bad = decoder.push(chunk);
        if (bad !== undefined) fail(bad);
      });
      s.on('error', (e) => {
        fail(errorReason(e));
      });
      s.on('close', () => {
        fail('closed');
      });
    });
  }
}
