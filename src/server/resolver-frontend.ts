// The resolver's front door: one client request in, one response (or nothing) out.
//
// Order of checks, cheapest first:
// 1. The client ACL (most specific netblock wins): drop → no answer; refuse → REFUSED; allow →
//    a query with RD clear is REFUSED with EDE 20 Not Authoritative (RFC 8914 §4.21: the answer
//    a server gives a non-recursive query it is not authoritative for), so that the cache cannot
//    be snooped; allow_snoop → RD clear is answered from the caches alone, a cache miss with the
//    closest delegation they know (transport/acl.ts, Unbound's allow / allow_snoop).
// 2. The answer cache: a ready-to-send response with ID, flags and TTLs patched (src/cache).
//    Answers to RD-clear queries are not stored (a referral is no answer to a recursive query);
//    negative answers are stored with their zone as tag and dropped when the zone's newest SOA
//    changes (ResolverAnswer.soaZone), answers with authority/additional RRsets dropped when one of
//    them changes (ResolverAnswer.rrsetTags), and negative answers no longer than the negative entry lives (cacheTtl);
//    data cached under a delegation's expiry is stored with its TTLs capped to it (ttlCap).
// 3. Decoding. Unreadable header → no answer; a framing error → FORMERR (RFC 1035 §4.1.1); QR set
//    → no answer (never answer a response); OPCODE other than QUERY → NOTIMP; QDCOUNT ≠ 1 →
//    FORMERR; OPT misuse → FORMERR (RFC 6891 §6.1.1); EDNS version > 0 → BADVERS (§6.1.3);
//    zone transfers and other meta types → NOTIMP / REFUSED as a resolver does.
// 4. Resolution, with a bound on concurrent client queries (over it: SERVFAIL + EDE 14 Not Ready
//    would lie; we answer REFUSED + EDE 0 like Unbound's jostle-out, counted).
// 5. The response: RA set, AD per the resolver, EDE options (RFC 8914), truncated to the client's
//    UDP size (512 without EDNS, RFC 1035 §4.2.1; RFC 6891 §6.2.5) with TC set; stored in the answer
//    cache when it is cacheable.

import type { AnswerCache } from '../cache/answer-cache.js';
import { KeyFlag } from '../cache/query-key.js';
import type { Clock } from '../core/clock.js';
import { Channel, hasSubscribers, publish, publishLog } from '../core/diagnostics.js';
import { WireError } from '../core/errors.js';
import { sentinelDecision } from '../dnssec/trust-anchor-signal.js';
import type { ResolverAnswer } from '../resolver/answer.js';
import type { Resolver } from '../resolver/resolver.js';
import { aclDecide, aclDecideV4, aclDecideV6, type Acl, type AclDecision } from '../transport/acl.js';
import { REPLY_LATER, type ClientInfo, type DatagramReply, type DatagramSender } from '../transport/handler.js';
import { EdeCode, Opcode, Rcode, RRType } from '../wire/constants.js';
import { encodeEde, type EdnsOptionData } from '../wire/edns.js';
import { decodeMessage, encodeMessage, makeResponse, type Message, type MessageInit } from '../wire/message.js';
import type { Name } from '../wire/name.js';

export interface FrontendOptions {
  readonly acl: Acl;
  /** Client queries being resolved at once; beyond it new ones are refused. */
  readonly maxConcurrent: number;
  /** Our EDNS UDP payload size advertised in responses (RFC 6891 §6.2.5; 1232 per DNS Flag Day 2020). */
  readonly udpSize: number;
  /** Seconds a SERVFAIL answer stays in the answer cache (0: never). */
  readonly servfailTtl: number;
  /** Tags of the trusted root keys, for the RFC 8509 root key sentinel; absent: sentinel off. */
  readonly rootKeyTags?: (() => readonly number[]) | undefined;
  /**
   * Answer-cache hits read the clock once per event-loop turn (the first hit of a turn reads it,
   * a setImmediate forgets it): a busy listener reads a few dozen datagrams per turn, and a clock
   * read costs about as much as the rest of a hit's table work. Hits then see a time at most one
   * turn old. Default false (the clock is read per hit, as tests that move a manual clock between
   * two queries of one turn expect).
   */
  readonly clockPerTurn?: boolean | undefined;
}

export interface FrontendStats {
  queries: number;
  cacheHits: number;
  refused: number;
  dropped: number;
  formerr: number;
  notimp: number;
  overloaded: number;
  servfail: number;
  /**
   * Responses sent, by RCODE (index 0..23; 24: any other); plain increments on the hot path, read by
   * the metrics (src/telemetry/metrics.ts) at scrape time.
   */
  readonly rcodes: number[];
}

/** Slots of FrontendStats.rcodes: RCODEs 0..23 (BADCOOKIE is 23) and one for any other. */
export const RCODE_SLOTS = 25;

const EMPTY_FLAGS = { qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };

/** The answer-cache tag of the negative answers that show `zone`'s SOA. */
function soaTag(zone: Name): string {
  return `soa/${zone.key}`;
}

/** The answer-cache tag of the answers that carry the RRset with this key (rrset-cache.ts rrsetKey). */
function rrsetTag(key: string): string {
  return `rrset/${key}`;
}

/** The answer-cache tags of an answer: the zone whose SOA it shows, the RRsets beside its data (no list when none). */
function tagsOf(result: ResolverAnswer): string[] | undefined {
  const keys = result.rrsetTags;
  const n = keys === undefined ? 0 : keys.length;
  if (n === 0 && result.soaZone === undefined) return undefined;
  const tags: string[] = [];
  for (let i = 0; i < n; i++) tags.push(rrsetTag(keys![i]!));
  if (result.soaZone !== undefined) tags.push(soaTag(result.soaZone));
  return tags;
}

/** No EDNS options (shared, never written). */
const NO_OPTIONS: readonly EdnsOptionData[] = Object.freeze([]);

/** ResolverFrontend.handleDatagram: REPLY_LATER only when the caller gives a DatagramReply. */
export interface FrontendDatagramHandler {
  (request: Uint8Array, from: DatagramSender): Promise<Uint8Array | undefined> | Uint8Array | undefined;
  (request: Uint8Array, from: DatagramSender, reply: DatagramReply | undefined, via?: unknown): Promise<Uint8Array | undefined> | Uint8Array | undefined | typeof REPLY_LATER;
}

/** Builds the per-request handler the UDP and TCP listeners call. */
export class ResolverFrontend {
  readonly stats: FrontendStats = { queries: 0, cacheHits: 0, refused: 0, dropped: 0, formerr: 0, notimp: 0, overloaded: 0, servfail: 0, rcodes: new Array<number>(RCODE_SLOTS).fill(0) };
  private inFlight = 0;
  /** The ACL decision for the last client address seen: a stream of queries from one address skips the netblock walk. */
  private lastAddress = '';
  private lastDecision: AclDecision = 'drop';
  /** The same for the last IPv4 sender given as a number (a native endpoint's, DatagramSender.ip4); -1: none. */
  private lastIp4 = -1;
  private lastIp4Decision: AclDecision = 'drop';
  private readonly resolver: Resolver;
  private readonly answers: AnswerCache | undefined;
  private readonly clock: Clock;
  private readonly options: FrontendOptions;

  constructor(resolver: Resolver, answers: AnswerCache | undefined, clock: Clock, options: FrontendOptions) {
    this.resolver = resolver;
    this.answers = answers;
    this.clock = clock;
    this.options = options;
    if (answers !== undefined) {
      resolver.onZoneSoaChange((zone) => answers.invalidate(soaTag(zone)));
      resolver.onRRsetChange((key) => answers.invalidate(rrsetTag(key)));
    }
  }

  /** The listener callback: synchronous on cache hits, a promise otherwise. */
  readonly handle = (request: Uint8Array, client: ClientInfo): Promise<Uint8Array | undefined> | Uint8Array | undefined =>
    this.serve(request, client.address, client.transport === 'tcp', client, undefined, undefined, undefined) as Promise<Uint8Array | undefined> | Uint8Array | undefined;

  /**
   * The same for a UDP datagram (UdpListenerOptions.datagramHandler), with the sender as the
   * listener has it: node's RemoteInfo, or a native endpoint's sender whose address bytes decide the
   * ACL without its text, which is made only for the slow path and the logs. Given the listener's
   * `reply` and `via`, a query that goes to the resolver returns REPLY_LATER and its answer is
   * handed to `reply` when ready (resolveTo), with no promise returned to the listener.
   */
  readonly handleDatagram: FrontendDatagramHandler = ((request: Uint8Array, from: DatagramSender, reply?: DatagramReply, via?: unknown): Promise<Uint8Array | undefined> | Uint8Array | undefined | typeof REPLY_LATER => {
    const ip4 = from.ip4;
    if (ip4 === undefined) return this.serve(request, from.address, false, undefined, from, reply, via);
    let decision: AclDecision;
    if (ip4 >= 0) {
      decision = this.lastIp4Decision;
      if (ip4 !== this.lastIp4) {
        decision = this.lastIp4Decision = aclDecideV4(this.options.acl, ip4);
        this.lastIp4 = ip4;
      }
    } else {
      decision = from.ip6 === undefined ? 'drop' : aclDecideV6(this.options.acl, from.ip6);
    }
    return this.serveDecided(request, decision, from, reply, via);
  }) as FrontendDatagramHandler;

  /** The clock reading shared by the hits of this event-loop turn (FrontendOptions.clockPerTurn), when `turnValid`. */
  private turnNow = 0;
  private turnValid = false;
  private readonly endTurn = (): void => {
    this.turnValid = false;
  };

  private hitNow(): number {
    if (this.options.clockPerTurn !== true) return this.clock.now();
    if (!this.turnValid) {
      this.turnNow = this.clock.now();
      this.turnValid = true;
      setImmediate(this.endTurn);
    }
    return this.turnNow;
  }

  /** `client` is given by `handle`; for a datagram it is made here from `from` when the slow path needs it. */
  private serve(
    request: Uint8Array,
    address: string,
    tcp: boolean,
    client: ClientInfo | undefined,
    from: DatagramSender | undefined,
    reply: DatagramReply | undefined,
    via: unknown,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined | typeof REPLY_LATER {
    this.stats.queries++;
    let decision = this.lastDecision;
    if (address !== this.lastAddress) {
      decision = this.lastDecision = aclDecide(this.options.acl, address);
      this.lastAddress = address;
    }
    if (decision === 'drop') {
      this.stats.dropped++;
      publish(Channel.clientRefused, { address, action: 'drop' });
      return undefined;
    }
    const hit = this.cacheHit(request, decision, tcp);
    if (hit !== undefined) return hit;
    return this.slow(request, decision, client ?? { address, port: from!.port, transport: 'udp' }, this.missHash, reply, via, from);
  }

  /** serve() for a datagram whose ACL decision was made from its address bytes: the text is made only when needed. */
  private serveDecided(
    request: Uint8Array,
    decision: AclDecision,
    from: DatagramSender,
    reply: DatagramReply | undefined,
    via: unknown,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined | typeof REPLY_LATER {
    this.stats.queries++;
    if (decision === 'drop') {
      this.stats.dropped++;
      if (hasSubscribers(Channel.clientRefused)) publish(Channel.clientRefused, { address: from.address, action: 'drop' });
      return undefined;
    }
    const hit = this.cacheHit(request, decision, false);
    if (hit !== undefined) return hit;
    return this.slow(request, decision, { address: from.address, port: from.port, transport: 'udp' }, this.missHash, reply, via, from);
  }

  /**
   * Set by cacheHit: the answer cache's key hash of the query it just missed (AnswerCache.missHash),
   * handed to the store of its answer so the key is not hashed twice; 0 when not known.
   */
  private missHash = 0;

  /** The answer cache's ready response, if the client may have one (module comment, step 2). */
  private cacheHit(request: Uint8Array, decision: AclDecision, tcp: boolean): Uint8Array | undefined {
    this.missHash = 0;
    // RD (octet 2, bit 0; RFC 1035 §4.1.1) clear from a client that may not snoop: the slow path
    // refuses it.
    if (this.answers !== undefined && (decision === 'allow_snoop' || (decision === 'allow' && (request[2]! & 1) !== 0))) {
      const hit = this.answers.respond(request, this.hitNow(), tcp);
      if (hit !== undefined) {
        this.stats.cacheHits++;
        this.stats.rcodes[hit[3]! & 0x0f]!++;
        return hit;
      }
      this.missHash = this.answers.missHash;
    }
    return undefined;
  }

  /** Everything but a cache hit (module comment, steps 3-5). */
  /** `reply`, `via`, `from`: a datagram's listener target (handleDatagram); undefined for TCP and promise callers. */
  private slow(
    request: Uint8Array,
    decision: AclDecision,
    client: ClientInfo,
    keyHash: number,
    reply: DatagramReply | undefined,
    via: unknown,
    from: DatagramSender | undefined,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined | typeof REPLY_LATER {
    let query: Message;
    try {
      query = decodeMessage(request);
    } catch (e) {
      if (!(e instanceof WireError)) throw e;
      return this.formerrFromHeader(request);
    }
    if (query.flags.qr) {
      this.stats.dropped++;
      return undefined;
    }
    if (decision === 'refuse') {
      this.stats.refused++;
      publish(Channel.clientRefused, { address: client.address, action: 'refuse' });
      return this.encode(query, makeResponse(query, { rcode: Rcode.REFUSED }), client);
    }
    if (query.flags.opcode !== Opcode.QUERY) {
      this.stats.notimp++;
      return this.encode(query, makeResponse(query, { rcode: Rcode.NOTIMP }), client);
    }
    if (query.question.length !== 1 || query.formErr !== undefined) {
      this.stats.formerr++;
      return this.encode(query, makeResponse(query, { rcode: Rcode.FORMERR }), client);
    }
    if (query.edns !== undefined && query.edns.version > 0) {
      // RFC 6891 §6.1.3: BADVERS, with our highest version (0) in the OPT.
      return this.encode(query, makeResponse(query, { rcode: Rcode.BADVERS, udpSize: this.options.udpSize }), client);
    }
    const q = query.question[0]!;
    if (q.type === RRType.AXFR || q.type === RRType.IXFR) {
      this.stats.refused++;
      return this.encode(query, makeResponse(query, { rcode: Rcode.REFUSED, ra: true }), client);
    }
    if (q.type === RRType.OPT || q.type === RRType.MAILA || q.type === RRType.MAILB || q.type === RRType.TKEY || q.type === RRType.TSIG) {
      this.stats.notimp++;
      return this.encode(query, makeResponse(query, { rcode: Rcode.NOTIMP, ra: true }), client);
    }
    if (decision === 'allow' && !query.flags.rd) {
      this.stats.refused++;
      publish(Channel.clientRefused, { address: client.address, action: 'norecurse' });
      const ede = [encodeEde(EdeCode.NOT_AUTHORITATIVE, 'S-NORECURSE: recursion not desired and cache snooping not allowed for this client')];
      return this.encode(query, makeResponse(query, { rcode: Rcode.REFUSED, ra: true, options: ede }), client);
    }
    if (this.inFlight >= this.options.maxConcurrent) {
      this.stats.overloaded++;
      const ede = [encodeEde(EdeCode.OTHER, 'S-BUSY: too many client queries in progress')];
      return this.encode(query, makeResponse(query, { rcode: Rcode.REFUSED, ra: true, options: ede }), client);
    }
    if (reply === undefined || from === undefined) return this.resolve(query, client, keyHash);
    void this.resolveTo(query, client, keyHash, reply, via, from);
    return REPLY_LATER;
  }

  /**
   * `keyHash`: the answer cache's hash of the query's key, or 0 (AnswerCache.storeResponse). The
   * frame of an async function keeps every register of its code while it waits, so the answer is
   * made in plain methods (answer, failed) and this keeps few.
   */
  private async resolve(query: Message, client: ClientInfo, keyHash: number): Promise<Uint8Array | undefined> {
    this.inFlight++;
    const started = this.clock.now();
    try {
      let result: ResolverAnswer;
      try {
        const f = query.flags;
        result = await this.resolver.resolve(query.question[0]!, { rd: f.rd, cd: f.cd, do: query.edns?.dnssecOk ?? false, ad: f.ad });
      } catch (error) {
        return this.failed(query, client, error);
      }
      return this.answer(query, client, keyHash, started, result);
    } finally {
      this.inFlight--;
    }
  }

  /**
   * resolve() for a datagram whose listener gave a DatagramReply: the answer (or a throw out of
   * answer/failed, which resolve's promise would reject with) goes to `reply` itself, so that the
   * listener attaches no callbacks and this function's promise has nobody waiting on it. It never
   * rejects: every outcome goes to `reply`, once, after inFlight is taken down (as resolve's
   * `finally` does before its promise settles).
   */
  private async resolveTo(query: Message, client: ClientInfo, keyHash: number, reply: DatagramReply, via: unknown, from: DatagramSender): Promise<void> {
    this.inFlight++;
    const started = this.clock.now();
    let bytes: Uint8Array;
    try {
      let result: ResolverAnswer | undefined;
      let error: unknown;
      try {
        const f = query.flags;
        result = await this.resolver.resolve(query.question[0]!, { rd: f.rd, cd: f.cd, do: query.edns?.dnssecOk ?? false, ad: f.ad });
      } catch (e) {
        error = e;
      }
      bytes = result === undefined ? this.failed(query, client, error) : this.answer(query, client, keyHash, started, result);
    } catch (e) {
      this.inFlight--;
      reply.fail(via, from, e);
      return;
    }
    this.inFlight--;
    reply.answer(via, from, bytes);
  }

  /**
   * A throw out of the resolver: it answers DNS failures as values, so this is an edge failure (a
   * crypto worker died, the pool closed). SERVFAIL now, nothing cached, so the next query tries afresh.
   */
  private failed(query: Message, client: ClientInfo, error: unknown): Uint8Array {
    const q = query.question[0]!;
    this.stats.servfail++;
    publishLog({ level: 'error', msg: 'resolution failed', qname: q.name.toString(), qtype: q.type, error: error instanceof Error ? error.message : String(error) });
    const ede = [encodeEde(EdeCode.DNSSEC_INDETERMINATE, 'S-INTERNAL: resolution failed inside the server')];
    return this.encode(query, makeResponse(query, { rcode: Rcode.SERVFAIL, ra: true, udpSize: this.options.udpSize, options: ede }), client);
  }

  /** The client's answer from the resolver's `result` (resolve), stored in the answer cache when it may be. */
  private answer(query: Message, client: ClientInfo, keyHash: number, started: number, result: ResolverAnswer): Uint8Array {
    const q = query.question[0]!;
    // RFC 8509 §3.2: a root-key-sentinel-is-ta/not-ta label that disagrees with our root anchors.
    const tags = this.options.rootKeyTags?.();
    if (tags !== undefined && sentinelDecision(q.name, tags, { cd: query.flags.cd, secure: result.security === 'secure', qtype: q.type }) === 'servfail') {
      result = { ...result, rcode: Rcode.SERVFAIL, answer: [], authority: [], additional: [], ad: false, ede: [] };
    }
    const options = result.ede.length === 0 ? NO_OPTIONS : result.ede.map((e) => encodeEde(e.infoCode, e.extraText));
    const response = makeResponse(query, {
      rcode: result.rcode,
      ra: true,
      ad: result.ad,
      answer: result.answer,
      authority: result.authority,
      additional: result.additional,
      udpSize: this.options.udpSize,
      options,
    });
    if (result.rcode === Rcode.SERVFAIL) this.stats.servfail++;
    const bytes = this.encode(query, response, client);
    // A SERVFAIL (the sentinel's included) is never stored as secure: a hit would set AD on it.
    if (this.answers !== undefined && query.flags.rd) this.store(query, result, bytes, keyHash);
    if (hasSubscribers(Channel.clientAnswer)) {
      publish(Channel.clientAnswer, {
        transport: client.transport,
        rcode: result.rcode,
        cached: result.fromCache,
        durationMs: this.clock.now() - started,
        ede: result.ede[0]?.infoCode,
      });
    }
    return bytes;
  }

  private store(query: Message, result: ResolverAnswer, bytes: Uint8Array, keyHash: number): void {
    const answers = this.answers!;
    const rcode = result.rcode;
    const secure = rcode !== Rcode.SERVFAIL && result.security === 'secure';
    // Truncated answers are not stored: a later client with a larger buffer deserves the whole.
    if ((bytes[2]! & 0x02) !== 0) return;
    if (rcode !== Rcode.NOERROR && rcode !== Rcode.NXDOMAIN && !(rcode === Rcode.SERVFAIL && this.options.servfailTtl > 0)) return;
    // The key (query-key.ts): the response's question, which is the query's, and these flags.
    const edns = query.edns;
    const keyFlags = (edns === undefined ? 0 : KeyFlag.edns | (edns.dnssecOk ? KeyFlag.do : 0)) | (query.flags.cd ? KeyFlag.cd : 0);
    const options =
      rcode === Rcode.SERVFAIL
        ? { secure, ttl: this.options.servfailTtl }
        : { secure, ttl: result.cacheTtl, tags: tagsOf(result), recordTtlCap: result.ttlCap };
    answers.storeResponse(bytes, keyFlags, this.clock.now(), options, keyHash);
  }

  private encode(query: MessageInit, response: MessageInit, client: ClientInfo): Uint8Array {
    this.countRcode(response.rcode);
    // RFC 6891 §6.2.3-§6.2.5: the requestor's size, never below 512; TCP allows the full 64 KiB.
    const maxSize =
      client.transport === 'tcp' ? 65535 : query.edns === undefined ? 512 : Math.max(512, Math.min(query.edns.udpSize, 65535));
    return encodeMessage(response, { maxSize }).bytes;
  }

  private countRcode(rcode: number): void {
    const r = this.stats.rcodes;
    r[rcode >= 0 && rcode < RCODE_SLOTS - 1 ? rcode : RCODE_SLOTS - 1]!++;
  }

  /** FORMERR for a message whose header could be read but whose body could not (RFC 1035 §4.1.1). */
  private formerrFromHeader(request: Uint8Array): Uint8Array | undefined {
    if (request.length < 12 || (request[2]! & 0x80) !== 0) {
      this.stats.dropped++;
      return undefined;
    }
    this.stats.formerr++;
    this.countRcode(Rcode.FORMERR);
    const id = (request[0]! << 8) | request[1]!;
    const opcode = (request[2]! >> 3) & 0x0f;
    const reply: MessageInit = {
      id,
      flags: { ...EMPTY_FLAGS, qr: true, opcode, rd: (request[2]! & 1) !== 0 },
      rcode: Rcode.FORMERR,
      question: [],
      answer: [],
      authority: [],
      additional: [],
    };
    return encodeMessage(reply).bytes;
  }
}
