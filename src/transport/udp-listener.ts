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
// and the request is dropped. A datagramHandler is given the listener's one DatagramReply and the
// socket or endpoint (`via`): a handler that returns REPLY_LATER finishes through it (the server's
// cache misses), and the listener attaches nothing per request (handler.ts). close() stops taking requests, lets the answers in flight go out
// for up to a grace period, then closes the sockets.
// Two ways in (`io`):
// - 'native' (the default when the addon loads): native/anchord_udp.c's batched endpoint
//   (native-udp.ts). One recvmmsg takes up to BATCH datagrams, the handler runs for each inside one
//   JS call, and the synchronous answers (cache hits) are written into the endpoint's send memory
//   and leave with one sendmmsg when that call returns; later answers go out with sendto. The sender
//   is a NativeSender: address bytes, its text made only when asked for (the ACL decides from the
//   bytes). Datagrams longer than SLOT octets are counted (stats.oversize) and dropped: a DNS query
//   is a question and an OPT record, a few hundred octets at most (RFC 8467 §4.1 pads queries to
//   blocks of 128), so 4096 leaves room for any real one.
// - 'dgram': node:dgram, as below; the fallback when the addon is missing or old, and by config
//   (`server: udp-io: dgram`).
// node:cluster workers (serve --threads N) take native endpoints too, each worker its own socket
// bound with SO_REUSEPORT: the kernel spreads the clients over the workers' sockets by a hash of
// their addresses and ports, each worker drains its own queue in batches, and no socket is read by
// two processes at once (with dgram the primary's one socket is shared, every worker wakes for it
// and takes one datagram per read). Only the sockets of one user can join a SO_REUSEPORT group
// (Linux socket(7)), so no other user's process can take a share of the queries. A listen address
// with port 0 is the exception: each worker's bind would pick a port of its own, so there the
// workers keep to dgram and the primary's shared socket (chooseUdpIo).
// Note: `reusePort` does nothing for node:dgram on Node 20 (DESIGN.md); the native endpoint sets
// SO_REUSEPORT when `reusePort` is asked.

import cluster from 'node:cluster';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { AnchordError, ErrorCode } from '../core/errors.js';
import { formatHostPort, parseHostPort, type HostPort } from './address.js';
import { DEFAULT_CLOSE_GRACE_MS, REPLY_LATER, type DatagramHandler, type DatagramReply, type DatagramSender, type ErrorLogger, type RequestHandler } from './handler.js';
import { loadNativeUdp, NATIVE_COUNTER, NativeSender, type NativeUdpEndpoint, type NativeUdpLoad } from './native-udp.js';

/** How datagrams come in: the native batched endpoint or node:dgram (module comment). */
export type UdpIo = 'native' | 'dgram';

export interface UdpListenerOptions {
  /** Listen addresses: `127.0.0.1:53`, `[::1]:53`; port 0 picks a free port (see `addresses`). */
  readonly addresses: readonly string[];
  readonly handler: RequestHandler;
  /** When given, called instead of `handler` with the sender as the listener has it (RemoteInfo or NativeSender). */
  readonly datagramHandler?: DatagramHandler | undefined;
  /** Handler and socket errors. Default: ignored. */
  readonly onError?: ErrorLogger;
  /** SO_RCVBUF / SO_SNDBUF in octets; the system default when absent. */
  readonly receiveBufferSize?: number;
  readonly sendBufferSize?: number;
  /** 'native' (default): the native endpoint when it loads, else dgram; 'dgram': node:dgram always. */
  readonly io?: UdpIo | undefined;
  /**
   * Native endpoint only: SO_REUSEPORT, so that several sockets can bind one address and port.
   * Default: on in a node:cluster worker, off otherwise.
   */
  readonly reusePort?: boolean | undefined;
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
  /** Native endpoint: datagrams longer than a slot, dropped unread. */
  oversize: number;
  /** Native endpoint: recvmmsg batches handed to the handler (one JS call each). */
  batches: number;
  /** Native endpoint: answers the kernel refused (full buffer: EAGAIN/ENOBUFS, or another error). */
  sendErrors: number;
}

/** A bound listen address, with the port the system chose when 0 was asked. */
export interface BoundAddress extends HostPort {
  readonly transport: 'udp' | 'tcp';
}

/** Datagrams per recvmmsg, largest datagram taken, largest answer sent from batch memory (module comment). */
const BATCH = 32;
const SLOT = 4096;
const SEND_SLOT = 4096;

/**
 * Which path a listener takes: dgram when asked, when the native endpoint did not load, or in a
 * node:cluster worker that listens on a port 0 (module comment); `reason` says why it is not native.
 * A worker's native endpoints bind with SO_REUSEPORT (UdpListener).
 */
export function chooseUdpIo(requested: UdpIo, isClusterWorker: boolean, load: NativeUdpLoad, anyPortZero: boolean): { io: UdpIo; reason: string } {
  if (requested === 'dgram') return { io: 'dgram', reason: 'udp-io: dgram in the configuration' };
  if (!load.ok) return { io: 'dgram', reason: load.reason };
  if (isClusterWorker && anyPortZero) return { io: 'dgram', reason: 'a node:cluster worker listening on port 0 shares the primary\'s socket' };
  return { io: 'native', reason: 'native batched endpoint (recvmmsg/sendmmsg)' };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup hooks for IP literals only: no dns.lookup and no extra tick. */
function literalLookup4(address: string, _options: unknown, callback: LookupCallback): void {
  callback(null, address, 4);
}
function literalLookup6(address: string, _options: unknown, callback: LookupCallback): void {
  callback(null, address, 6);
}

/** One native endpoint with its views of the batch memory. */
class NativePort {
  readonly ep: NativeUdpEndpoint;
  readonly payload: Uint8Array;
  readonly out: Uint8Array;
  constructor(ep: NativeUdpEndpoint) {
    this.ep = ep;
    this.payload = new Uint8Array(ep.payload);
    this.out = new Uint8Array(ep.out);
  }
}

export class UdpListener {
  private readonly counts: UdpListenerStats = {
    received: 0,
    answered: 0,
    dropped: 0,
    handlerErrors: 0,
    discardedClosing: 0,
    inFlight: 0,
    oversize: 0,
    batches: 0,
    sendErrors: 0,
  };
  /** The path taken (chooseUdpIo), and why when it is not native. */
  readonly io: UdpIo;
  readonly ioReason: string;
  private readonly listen: readonly HostPort[];
  private readonly handler: DatagramHandler;
  private readonly onError: ErrorLogger;
  private readonly options: UdpListenerOptions;
  private readonly sockets: Socket[] = [];
  private readonly natives: NativePort[] = [];
  private readonly openNative: ((o: Parameters<Extract<NativeUdpLoad, { ok: true }>['open']>[0]) => NativeUdpEndpoint) | undefined;
  private bound: BoundAddress[] = [];
  private state: 'new' | 'starting' | 'open' | 'closing' | 'closed' = 'new';
  private drained: (() => void) | undefined;
  /**
   * Where a handler that returned REPLY_LATER finishes (handler.ts DatagramReply): `via` is the
   * Socket or NativePort the request came through, `from` its RemoteInfo or NativeSender.
   */
  private readonly reply: DatagramReply = {
    answer: (via, from, answer) => {
      this.finishAsync(via as Socket | NativePort, answer, from as RemoteInfo | NativeSender);
    },
    fail: (via, from, e) => {
      this.finishAsync(via as Socket | NativePort, undefined, from as RemoteInfo | NativeSender);
      this.handlerFailed(e, from);
    },
  };

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
    const requested = options.io ?? 'native';
    const load = requested === 'native' ? loadNativeUdp() : ({ ok: false, reason: 'not asked' } as const);
    const choice = chooseUdpIo(requested, cluster.isWorker, load, this.listen.some((hp) => hp.port === 0));
    this.io = choice.io;
    this.ioReason = choice.reason;
    this.openNative = choice.io === 'native' && load.ok ? load.open : undefined;
  }

  /** Counters; the native endpoints' oversize and send-error counts are read now. */
  get stats(): UdpListenerStats {
    const c = this.counts;
    if (this.natives.length > 0) {
      let oversize = 0;
      let batches = 0;
      let sendErrors = 0;
      for (const p of this.natives) {
        const k = p.ep.counters;
        oversize += k[NATIVE_COUNTER.oversize]!;
        batches += k[NATIVE_COUNTER.batches]!;
        sendErrors += k[NATIVE_COUNTER.sendFull]! + k[NATIVE_COUNTER.sendError]!;
      }
      c.oversize = oversize;
      c.batches = batches;
      c.sendErrors = sendErrors;
    }
    return c;
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
      for (const hp of this.listen) {
        if (this.openNative !== undefined) this.bindNative(hp, this.openNative);
        else await this.bindOne(hp);
      }
    } catch (e) {
      for (const s of this.sockets) s.close();
      for (const p of this.natives) p.ep.close();
      this.sockets.length = 0;
      this.natives.length = 0;
      this.bound = [];
      this.state = 'closed';
      throw e;
    }
    this.state = 'open';
  }

  private bindNative(hp: HostPort, open: NonNullable<UdpListener['openNative']>): void {
    // The endpoint's batch callback needs the port made from the endpoint udpOpen returns.
    const made: { port?: NativePort } = {};
    let ep: NativeUdpEndpoint;
    try {
      ep = open({
        address: hp.address,
        port: hp.port,
        // Each node:cluster worker binds its own socket into one SO_REUSEPORT group (module comment).
        reusePort: this.options.reusePort ?? cluster.isWorker,
        receiveBufferSize: this.options.receiveBufferSize ?? 0,
        sendBufferSize: this.options.sendBufferSize ?? 0,
        batch: BATCH,
        slot: SLOT,
        sendSlot: SEND_SLOT,
        onBatch: (count) => {
          this.onBatch(made.port!, count);
        },
      });
    } catch (e) {
      throw new AnchordError(ErrorCode.Config, `cannot listen on udp ${formatHostPort(hp)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const port = (made.port = new NativePort(ep));
    this.natives.push(port);
    this.bound.push({ address: hp.address, port: ep.port, transport: 'udp' });
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

  /**
   * A batch from a native endpoint: datagram j is meta[4j..4j+3] (length, port, family, IPv4) and
   * payload[j * SLOT ...]. A synchronous answer is copied to out[j * SEND_SLOT ...] with its length
   * in outLen[j], and the endpoint sends them all when this returns.
   */
  private onBatch(p: NativePort, count: number): void {
    const stats = this.counts;
    if (this.state !== 'open' && this.state !== 'starting') {
      stats.discardedClosing += count;
      return;
    }
    const { meta, addr, outLen } = p.ep;
    const payload = p.payload;
    const out = p.out;
    for (let j = 0; j < count; j++) {
      const m = j * 4;
      const start = j * SLOT;
      // A copy: the handler may keep the request past this call, and the slot is reused.
      const request = payload.slice(start, start + meta[m]!);
      const from = meta[m + 2] === 4 ? new NativeSender(meta[m + 3]! >>> 0, undefined, meta[m + 1]!) : new NativeSender(-1, addr.slice(j * 16, j * 16 + 16), meta[m + 1]!);
      stats.received++;
      let result: ReturnType<DatagramHandler>;
      try {
        result = this.handler(request, from, this.reply, p);
      } catch (e) {
        this.handlerFailed(e, from);
        continue;
      }
      if (result === undefined) {
        stats.dropped++;
      } else if (result instanceof Uint8Array) {
        stats.answered++;
        if (result.length > 0 && result.length <= SEND_SLOT) {
          out.set(result, j * SEND_SLOT);
          outLen[j] = result.length;
        } else {
          sendNative(p, result, from);
        }
      } else if (result === REPLY_LATER) {
        stats.inFlight++;
      } else {
        stats.inFlight++;
        result.then(
          (answer) => {
            this.finishAsync(p, answer, from);
          },
          (e: unknown) => {
            this.finishAsync(p, undefined, from);
            this.handlerFailed(e, from);
          },
        );
      }
    }
  }

  private onMessage(socket: Socket, msg: Buffer, rinfo: RemoteInfo): void {
    const stats = this.counts;
    if (this.state !== 'open' && this.state !== 'starting') {
      stats.discardedClosing++;
      return;
    }
    stats.received++;
    let result: ReturnType<DatagramHandler>;
    try {
      result = this.handler(msg, rinfo, this.reply, socket);
    } catch (e) {
      this.handlerFailed(e, rinfo);
      return;
    }
    if (result === undefined) {
      stats.dropped++;
    } else if (result instanceof Uint8Array) {
      stats.answered++;
      socket.send(result, rinfo.port, rinfo.address);
    } else if (result === REPLY_LATER) {
      stats.inFlight++;
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

  private finishAsync(via: Socket | NativePort, answer: Uint8Array | undefined, from: RemoteInfo | NativeSender): void {
    const stats = this.counts;
    stats.inFlight--;
    if (answer !== undefined) {
      if (this.state === 'closed') {
        stats.discardedClosing++;
      } else {
        stats.answered++;
        if (!(via instanceof NativePort)) via.send(answer, from.port, from.address);
        else if (from instanceof NativeSender) sendNative(via, answer, from);
      }
    } else {
      stats.dropped++;
    }
    if (stats.inFlight === 0 && this.drained !== undefined) this.drained();
  }

  private handlerFailed(e: unknown, from: DatagramSender): void {
    this.counts.handlerErrors++;
    this.log(e, `udp handler, client ${formatHostPort(from)}`);
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
    if (this.counts.inFlight > 0) {
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
    for (const p of this.natives) p.ep.close();
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => s.close(() => { resolve(); }))));
    this.sockets.length = 0;
  }
}

/** An answer to `to` now, through the native endpoint (a failed send is counted there, never thrown). */
function sendNative(p: NativePort, answer: Uint8Array, to: NativeSender): void {
  p.ep.sendTo(answer, to.port, to.ip6 === undefined ? 4 : 6, to.ip4 | 0, to.ip6 ?? null);
}
