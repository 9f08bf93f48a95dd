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

/** One query's settings, resolved against the client defaults. */
interface Exchange {
  readonly server: UpstreamServer;
  readonly family: 4 | 6;
  readonly query: Uint8Array;
  readonly qEnd: number;
  readonly timeoutMs: number;
  readonly exactCase: boolean;
  readonly signal: AbortSignal | undefined;
}

/** A UDP query waiting for its reply on a pooled socket. */
interface Pending {
  readonly ex: Exchange;
  readonly resolve: (reply: UpstreamReply) => void;
  sentAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  onAbort: (() => void) | undefined;
}

/** A UDP socket connected to one server, shared by up to `queriesPerSocket` queries. */
interface PooledSocket {
  readonly key: string;
  readonly socket: UdpSocket;
  readonly server: UpstreamServer;
  /** Queries waiting, by message ID. */
  readonly pending: Map<number, Pending>;
  /** Queries to send once connected. */
  queued: Pending[] | undefined;
  uses: number;
  /** No new queries: closed when the last pending one ends. */
  retired: boolean;
  closed: boolean;
  linger: ReturnType<typeof setTimeout> | undefined;
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
  /** The socket taking new queries, per server (family/address/port). */
  private readonly open = new Map<string, PooledSocket>();

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
    const family = ipFamily(server.address);
    if (family === 0) return Promise.resolve(this.fail('not an IP address'));
    if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) return Promise.resolve(this.fail('bad port'));
    const qEnd = questionEnd(query);
    if (qEnd < 0 || query.length > MAX_TCP_MESSAGE) return Promise.resolve(this.fail('malformed query'));
    if (opts.signal?.aborted === true) {
      this.stats.aborted++;
      return Promise.resolve(ABORTED);
    }
    const ex: Exchange = {
      server,
      family,
      query,
      qEnd,
      timeoutMs: opts.timeoutMs,
      exactCase: opts.exactCase ?? this.exactCase,
      signal: opts.signal,
    };
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
      const p: Pending = { ex, resolve, sentAt: 0, timer: undefined, onAbort: undefined };
      ps.pending.set(id, p);
      ps.uses++;
      if (ps.uses >= this.queriesPerSocket) this.retire(ps);
      p.timer = setTimeout(() => {
        this.stats.timeouts++;
        this.settle(ps, id, p, TIMEOUT);
      }, ex.timeoutMs);
      if (ex.signal !== undefined) {
        p.onAbort = () => {
          this.stats.aborted++;
          this.settle(ps, id, p, ABORTED);
        };
        ex.signal.addEventListener('abort', p.onAbort, { once: true });
      }
      if (ps.queued !== undefined) ps.queued.push(p);
      else this.send(ps, id, p);
    });
  }

  /** The open socket for the exchange's server, or a new one (also when the ID is in use on it). */
  private socketFor(ex: Exchange, id: number): PooledSocket {
    const key = `${ex.family}/${ex.server.address}/${ex.server.port}`;
    const cur = this.open.get(key);
    if (cur !== undefined && !cur.pending.has(id)) {
      if (cur.linger !== undefined) {
        clearTimeout(cur.linger);
        cur.linger = undefined;
      }
      return cur;
    }
    if (cur !== undefined) this.retire(cur);
    const socket = createSocket({ type: ex.family === 6 ? 'udp6' : 'udp4', ipv6Only: ex.family === 6 });
    const ps: PooledSocket = {
      key,
      socket,
      server: ex.server,
      pending: new Map(),
      queued: [],
      uses: 0,
      retired: false,
      closed: false,
      linger: undefined,
    };
    this.open.set(key, ps);
    socket.on('error', (e) => {
      // On a connected socket this is about the one server (ICMP unreachable...): every query
      // waiting here fails with it, and the socket goes.
      this.retire(ps);
      const reason = errorReason(e);
      for (const [qid, p] of ps.pending) {
        this.stats.errors++;
        this.settle(ps, qid, p, { kind: 'error', reason });
      }
      this.close(ps);
    });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
      const p = msg.length >= 2 ? ps.pending.get((msg[0]! << 8) | msg[1]!) : undefined;
      if (
        p === undefined ||
        rinfo.port !== ps.server.port ||
        !sameAddress(rinfo.address, ps.server.address) ||
        matchReply(p.ex.query, p.ex.qEnd, msg, p.ex.exactCase) !== 'ok'
      ) {
        this.stats.mismatched++;
        return;
      }
      this.stats.replies++;
      this.settle(ps, (msg[0]! << 8) | msg[1]!, p, { kind: 'reply', bytes: msg, rttMs: this.now() - p.sentAt, tcp: false });
    });
    socket.bind({ port: 0, address: ex.family === 6 ? this.local6 : this.local4, exclusive: true }, () => {
      if (ps.closed) return;
      socket.connect(ex.server.port, ex.server.address, () => {
        if (ps.closed) return;
        const queued = ps.queued ?? [];
        ps.queued = undefined;
        for (const p of queued) {
          const qid = (p.ex.query[0]! << 8) | p.ex.query[1]!;
          if (ps.pending.get(qid) === p) this.send(ps, qid, p);
        }
      });
    });
    return ps;
  }

  private send(ps: PooledSocket, id: number, p: Pending): void {
    p.sentAt = this.now();
    this.stats.udpSent++;
    ps.socket.send(p.ex.query, (e) => {
      if (e !== null && ps.pending.get(id) === p) {
        this.stats.errors++;
        this.settle(ps, id, p, { kind: 'error', reason: errorReason(e) });
      }
    });
  }

  /** Ends one query: its timer and abort listener go, the socket is released or kept a moment. */
  private settle(ps: PooledSocket, id: number, p: Pending, reply: UpstreamReply): void {
    if (ps.pending.get(id) !== p) return;
    ps.pending.delete(id);
    clearTimeout(p.timer);
    if (p.onAbort !== undefined) p.ex.signal?.removeEventListener('abort', p.onAbort);
    p.resolve(reply);
    if (ps.pending.size > 0) return;
    if (ps.retired) {
      this.close(ps);
    } else if (ps.linger === undefined) {
      ps.linger = setTimeout(() => {
        ps.linger = undefined;
        if (ps.pending.size === 0) {
          this.retire(ps);
          this.close(ps);
        }
      }, this.lingerMs);
      ps.linger.unref();
    }
  }

  /** Takes no new queries on this socket. */
  private retire(ps: PooledSocket): void {
    ps.retired = true;
    if (this.open.get(ps.key) === ps) this.open.delete(ps.key);
    if (ps.pending.size === 0) this.close(ps);
  }

  private close(ps: PooledSocket): void {
    if (ps.closed) return;
    ps.closed = true;
    if (ps.linger !== undefined) clearTimeout(ps.linger);
    if (this.open.get(ps.key) === ps) this.open.delete(ps.key);
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
