// One exchange with one authoritative server (RFC 1034 §5.3.3 step 3, "send them queries"),
// with what it takes to get a usable reply:
// - a query ID from the injected Random (RFC 5452 §9.2: unpredictable IDs), RD clear, EDNS0 with
//   the configured UDP size (1232 by default) and DO set (RFC 3225 §3, RFC 4035 §4.1), plus the
//   options the resolver adds for the question (`ednsOptions`: RFC 8145 §4 key tags on a trust
//   anchor's DNSKEY query);
// - 0x20 when enabled: the letters of QNAME in random case, and a reply whose question does not
//   echo them exactly is refused (draft-vixie-dnsext-dns0x20; the transport checks it too);
// - a reply is decoded and checked again here (ID, QR, opcode, one question equal to ours):
//   transports match replies, but a scripted one need not;
// - TC set over UDP: the same question over TCP (RFC 7766 §5), with a timeout of its own
//   (`tcpTimeoutMs`): the UDP timeout comes from the server's RTO, one datagram's round trip, while
//   a TCP exchange needs the handshake, the query and a reply that may span many segments
//   (RFC 7766 §6.2.2); a TCP timeout counts against the server with that timeout (so it does not
//   double a healthy server's UDP RTO), and the TCP round trip (handshake included) is not taken
//   as an RTT sample;
// - FORMERR or NOTIMP (or BADVERS) without an OPT to an EDNS query: the server is marked no-EDNS in
//   the infra cache and asked again without OPT (RFC 6891 §7); a server seen answering EDNS is not
//   downgraded by one such reply (infra-cache.ts);
// - the RTT of each reply and each timeout go to the infra cache (smoothed RTT and backoff).
// - RD clear for an authoritative server; RD set when the server is a forwarder of a forward zone
//   (options.ts ForwardZone), which recurses for us (RFC 1035 §4.3.1); its timeouts are the
//   iterator's choice (iterator.ts).
// Identical exchanges in flight (same server, name, type, RD) share one upstream query.
//
// Pure module: network, clock and randomness come in through the deps.

import { EdnsStatus, type InfraCache } from '../cache/infra-cache.js';
import type { Random } from '../core/random.js';
import { Channel, hasSubscribers, publish } from '../core/diagnostics.js';
import { Opcode, Rcode } from '../wire/constants.js';
import type { EdnsOptionData } from '../wire/edns.js';
import { decodeMessage, encodeQuery, type DecodeOptions, type Message } from '../wire/message.js';
import { Name } from '../wire/name.js';
import { Joinable } from './joinable.js';
import type { QueryContext, ResolverStats } from './query-context.js';
import { parseServerKey, type ResolverOptions } from './options.js';
import type { Transport, TransportReply, UpstreamServer } from './transport.js';

export type ExchangeResult =
  | { readonly kind: 'reply'; readonly msg: Message; readonly rttMs: number; readonly tcp: boolean; readonly edns: boolean }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'error'; readonly reason: string };

export interface ExchangeDeps {
  readonly transport: Transport;
  readonly random: Random;
  readonly infra: InfraCache;
  readonly options: ResolverOptions;
  readonly stats: ResolverStats;
  /** EDNS options to add to a query for (qname, qtype) sent with EDNS (RFC 8145 §4 key tags). */
  readonly ednsOptions?: ((qname: Name, qtype: number) => readonly EdnsOptionData[] | undefined) | undefined;
}

/** The letters of `name` in random case (0x20), from the injected Random. */
export function randomCase(name: Name, random: Random): Name {
  const wire = name.wire.slice();
  const bits = random.fill(new Uint8Array(Math.ceil(wire.length / 8)));
  let i = 0;
  while (i < wire.length) {
    const len = wire[i]!;
    if (len === 0) break;
    for (let j = i + 1; j <= i + len; j++) {
      const c = wire[j]! | 0x20;
      if (c >= 0x61 && c <= 0x7a) wire[j] = (bits[j >>> 3]! >>> (j & 7)) & 1 ? c : c & ~0x20;
    }
    i += len + 1;
  }
  return Name.fromWire(wire);
}

function sameWire(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Why a decoded reply does not answer our query, or undefined when it does. */
function mismatch(msg: Message, id: number, qname: Name, qtype: number, exactCase: boolean): string | undefined {
  if (msg.id !== id) return 'id';
  if (!msg.flags.qr) return 'qr';
  if (msg.flags.opcode !== Opcode.QUERY) return 'opcode';
  const q = msg.question[0];
  // RFC 1035 §4.1.1: FORMERR/NOTIMP replies may come without the question.
  if (q === undefined) return msg.rcode === Rcode.FORMERR || msg.rcode === Rcode.NOTIMP ? undefined : 'question';
  if (msg.question.length !== 1 || q.type !== qtype || q.class !== 1) return 'question';
  if (exactCase ? !sameWire(q.name.wire, qname.wire) : !q.name.equals(qname)) return 'question name';
  return undefined;
}

const BADVERS = 16;
/** Address texts whose parsed server is kept (the memo starts over when full). */
const SERVER_MEMO_MAX = 4096;
/** Replies are decoded with RDATAs as views into the reply's octets (one options object for all). */
const DECODE_VIEWS: DecodeOptions = { rdataViews: true };

export class Exchanger {
  private readonly deps: ExchangeDeps;
  private readonly inflight = new Map<string, Joinable<ExchangeResult>>();
  /** Servers by address text (server): no object parsed per exchange. */
  private readonly servers = new Map<string, UpstreamServer>();

  constructor(deps: ExchangeDeps) {
    this.deps = deps;
  }

  /**
   * The server of a delegation's address text (parseServerKey with the options' port, which never
   * changes for an exchanger), made once per text while the memo holds it.
   */
  private server(address: string, port: number): UpstreamServer {
    let s = this.servers.get(address);
    if (s === undefined) {
      s = parseServerKey(address, port);
      if (this.servers.size >= SERVER_MEMO_MAX) this.servers.clear();
      this.servers.set(address, s);
    }
    return s;
  }

  /**
   * Asks `address` for (qname, qtype) with the timeout `rto` (ms, from the infra cache's choice).
   * Spends upstream queries from `ctx`; returns an error outcome when the budget is gone.
   */
  async exchange(ctx: QueryContext, address: string, qname: Name, qtype: number, rto: number, rd = false): Promise<ExchangeResult> {
    let s = this.start(ctx, address, qname, qtype, rto, rd);
    while (s instanceof ExchangeSend) {
      let r: TransportReply;
      try {
        r = await s.pending;
      } catch (e) {
        this.abandon(s, e);
        throw e;
      }
      s = this.next(s, r);
    }
    return s;
  }

  /**
   * exchange without a promise of its own, for a caller that waits itself (runIteration): the
   * outcome, the promise of an identical exchange in flight (joined), or a send to wait for,
   * whose reply (`pending`) goes to `next`, or its rejection (a transport that broke its word) to
   * `abandon`. The exchange's `inflight` entry goes when it ends.
   */
  start(ctx: QueryContext, address: string, qname: Name, qtype: number, rto: number, rd = false): ExchangeResult | Promise<ExchangeResult> | ExchangeSend {
    const key = `${address}|${qname.key}|${qtype}|${rd ? 1 : 0}`;
    const cur = this.inflight.get(key);
    if (cur !== undefined) {
      this.deps.stats.coalescedExchanges++;
      return cur.promise();
    }
    const { infra, options } = this.deps;
    const udpTimeoutMs = Math.min(options.maxTimeoutMs, Math.max(options.minTimeoutMs, Math.round(rto)));
    // A stub server may name its own port (`address@port`, options.ts serverKey).
    const x = new ExchangeSend(ctx, address, this.server(address, options.port), qname, qtype, rd, infra.ednsStatus(address) !== EdnsStatus.noEdns, udpTimeoutMs, key);
    this.inflight.set(key, x.joinable);
    return this.attempt(x);
  }

  /** The exchange `x` on from its send's reply `r`: its outcome, or `x` with the next send. */
  next(x: ExchangeSend, r: TransportReply): ExchangeResult | ExchangeSend {
    try {
      const out = this.take(r, x.address, x.sentName, x.qtype, x.id, x.edns, x.tcp, x.timeoutMs);
      if (out === AGAIN_OVER_TCP) x.tcp = true;
      else if (out === AGAIN_WITHOUT_EDNS) x.edns = false;
      else return this.done(x, out);
      return this.attempt(x);
    } catch (e) {
      this.abandon(x, e);
      throw e;
    }
  }

  /**
   * The next send of `x`, or its end: at most UDP, TCP after TC, and the same again without EDNS;
   * an error outcome when the budget is gone.
   */
  private attempt(x: ExchangeSend): ExchangeResult | ExchangeSend {
    try {
      if (x.attempts >= 4) return this.done(x, { kind: 'error', reason: 'no usable reply' });
      x.attempts++;
      if (!x.ctx.spendUpstream()) return this.done(x, { kind: 'error', reason: 'budget' });
      const { transport, random, options } = this.deps;
      const id = random.u16();
      const name = options.use0x20 ? randomCase(x.qname, random) : x.qname;
      const bytes = this.query(x.address, x.qname, name, x.qtype, id, x.rd, x.edns, x.tcp);
      const timeoutMs = x.tcp ? Math.max(options.tcpTimeoutMs, x.udpTimeoutMs) : x.udpTimeoutMs;
      x.id = id;
      x.sentName = name;
      x.timeoutMs = timeoutMs;
      x.pending = transport.query(x.server, bytes, { tcp: x.tcp, timeoutMs, exactCase: options.use0x20, tcpOnTruncation: false });
      return x;
    } catch (e) {
      this.abandon(x, e);
      throw e;
    }
  }

  /** `x` ended with `out`: its entry goes, and the exchanges that joined it get `out`. */
  private done(x: ExchangeSend, out: ExchangeResult): ExchangeResult {
    this.inflight.delete(x.key);
    x.joinable.settle(out);
    return out;
  }

  /** `x` ended with a throw: its entry goes, and the exchanges that joined it get the throw. */
  abandon(x: ExchangeSend, e: unknown): void {
    if (this.inflight.get(x.key) === x.joinable) this.inflight.delete(x.key);
    x.joinable.fail(e);
  }

  /** The octets of one send: (`name` as sent, with its 0x20 case, `qtype`) with ID `id`. */
  private query(address: string, qname: Name, name: Name, qtype: number, id: number, rd: boolean, edns: boolean, tcp: boolean): Uint8Array {
    const extra = edns ? this.deps.ednsOptions?.(qname, qtype) : undefined;
    const udpSize = this.deps.options.ednsBufferSize;
    const bytes = encodeQuery(name, qtype, extra === undefined ? { id, rd, edns, do: edns, udpSize } : { id, rd, edns, do: edns, udpSize, options: extra });
    if (hasSubscribers(Channel.upstreamQuery)) publish(Channel.upstreamQuery, { server: address, qname: qname.toString(), qtype, tcp });
    return bytes;
  }

  /**
   * The exchange's outcome from the transport's reply `r` to the send of (`name`, `qtype`) with ID
   * `id`, or a sign to send again: over TCP after TC, or without EDNS.
   */
  private take(
    r: TransportReply,
    address: string,
    name: Name,
    qtype: number,
    id: number,
    edns: boolean,
    tcp: boolean,
    timeoutMs: number,
  ): ExchangeResult | typeof AGAIN_OVER_TCP | typeof AGAIN_WITHOUT_EDNS {
    const { infra, options } = this.deps;
    if (tcp) this.deps.stats.upstreamTcp++;
    if (r.kind === 'timeout') {
      this.deps.stats.upstreamTimeouts++;
      infra.recordTimeout(address, timeoutMs);
      if (hasSubscribers(Channel.upstreamResult)) publish(Channel.upstreamResult, { server: address, outcome: 'timeout' });
      return r;
    }
    if (r.kind === 'error') {
      this.deps.stats.upstreamErrors++;
      if (hasSubscribers(Channel.upstreamResult)) publish(Channel.upstreamResult, { server: address, outcome: 'error' });
      return r;
    }
    if (!r.tcp) infra.recordRtt(address, r.rttMs);
    if (hasSubscribers(Channel.upstreamResult)) publish(Channel.upstreamResult, { server: address, outcome: 'reply', rttMs: r.rttMs });
    let msg: Message;
    try {
      msg = decodeMessage(r.bytes, DECODE_VIEWS);
    } catch {
      this.deps.stats.upstreamErrors++;
      return { kind: 'error', reason: 'malformed reply' };
    }
    const bad = mismatch(msg, id, name, qtype, options.use0x20);
    if (bad !== undefined) {
      this.deps.stats.upstreamErrors++;
      return { kind: 'error', reason: `reply does not match the query (${bad})` };
    }
    if (msg.flags.tc && !r.tcp) return AGAIN_OVER_TCP;
    if (edns && msg.edns === undefined && (msg.rcode === Rcode.FORMERR || msg.rcode === Rcode.NOTIMP || msg.rcode === BADVERS)) {
      if (infra.recordEdnsFailure(address)) return AGAIN_WITHOUT_EDNS;
      return { kind: 'reply', msg, rttMs: r.rttMs, tcp: r.tcp, edns };
    }
    if (edns && msg.edns !== undefined) infra.recordEdnsOk(address);
    return { kind: 'reply', msg, rttMs: r.rttMs, tcp: r.tcp, edns };
  }
}

/**
 * One exchange in progress (Exchanger.start): what its sends share and the state of the current
 * one, whose transport promise is `pending`.
 */
export class ExchangeSend {
  readonly joinable = new Joinable<ExchangeResult>();
  /** Sends made (Exchanger.attempt). */
  attempts = 0;
  tcp = false;
  /** The current send: its ID, QNAME as sent (0x20 case), timeout and the transport's promise. */
  id = 0;
  sentName: Name;
  timeoutMs = 0;
  pending: Promise<TransportReply> = NOT_SENT;

  readonly ctx: QueryContext;
  readonly address: string;
  readonly server: UpstreamServer;
  readonly qname: Name;
  readonly qtype: number;
  readonly rd: boolean;
  edns: boolean;
  readonly udpTimeoutMs: number;
  /** Its key in Exchanger.inflight. */
  readonly key: string;

  constructor(ctx: QueryContext, address: string, server: UpstreamServer, qname: Name, qtype: number, rd: boolean, edns: boolean, udpTimeoutMs: number, key: string) {
    this.ctx = ctx;
    this.address = address;
    this.server = server;
    this.qname = qname;
    this.sentName = qname;
    this.qtype = qtype;
    this.rd = rd;
    this.edns = edns;
    this.udpTimeoutMs = udpTimeoutMs;
    this.key = key;
  }
}

/** ExchangeSend.pending before the first send (never waited for: start sends or ends at once). */
const NOT_SENT: Promise<TransportReply> = Promise.resolve({ kind: 'error', reason: 'not sent' });

/** take's signs to send again (over TCP after TC; without EDNS after a FORMERR/NOTIMP/BADVERS). */
const AGAIN_OVER_TCP = 1;
const AGAIN_WITHOUT_EDNS = 2;
