// Infrastructure cache: what the resolver has learnt about each upstream server address, after
// Unbound's infra cache (rtt.c, infra.c, iter_utils.c):
// - smoothed round-trip time and its variance, Jacobson/Karels as in TCP (RFC 6298 §2: gains 1/8
//   and 1/4, RTO = SRTT + 4·RTTVAR), clamped to [50 ms, 120 s]; an unknown server starts at
//   RTO 376 ms (SRTT 0, RTTVAR 94: Unbound's UNKNOWN_SERVER_NICENESS);
// - timeouts with exponential backoff: the RTO the lost query was sent with is doubled (RFC 6298
//   §5.5), not the current one, so a burst of simultaneous timeouts counts once;
// - EDNS support (RFC 6891 §7): a FORMERR/NOTIMP to an EDNS query marks the server no-EDNS for
//   `noEdnsTtl`, unless the server has already been seen answering EDNS (a spoofed FORMERR must
//   not downgrade a server known to support it);
// - lame (server, zone) pairs (RFC 1034 §4.2.2 lame delegations) with their own expiry;
// - server selection: the lowest RTO wins, but every server within `rttBand` (400 ms, Unbound's
//   RTT_BAND) of the best is equally likely, chosen with the injected Random; a server whose RTO
//   reached `blockedRto` is skipped except for an occasional probe once its probe time passed.
// Everything about a host is forgotten after `hostTtl` without news (Unbound's infra-host-ttl).
// Hosts and lame marks are bounded in bytes, with CLOCK eviction (clock-map.ts).
// Pure: clock and randomness are injected.

import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import type { Name } from '../wire/name.js';
import { ClockMap } from './clock-map.js';

export const RTT_MIN_TIMEOUT = 50;
export const RTT_MAX_TIMEOUT = 120000;
/** RTO of a server never heard from (ms). */
export const UNKNOWN_SERVER_RTO = 376;

export const EdnsStatus = {
  unknown: 'unknown',
  /** Seen answering EDNS queries. */
  edns: 'edns',
  /** Answered FORMERR/NOTIMP to EDNS: query it without OPT for a while. */
  noEdns: 'no-edns',
} as const;
export type EdnsStatus = (typeof EdnsStatus)[keyof typeof EdnsStatus];

export interface InfraCacheOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Size bound in bytes (a fixed estimate per host and per lame pair). Default 4 MiB. */
  readonly maxBytes?: number;
  /** Seconds a host's data is kept without news. Default 900. */
  readonly hostTtl?: number;
  /** Seconds a (server, zone) pair stays lame. Default 900. */
  readonly lameTtl?: number;
  /** Seconds a server stays marked no-EDNS. Default 900. */
  readonly noEdnsTtl?: number;
  /** Servers within this many ms of the best RTO are chosen at random. Default 400. */
  readonly rttBand?: number;
  /** RTO (ms) from which a server is only probed. Default 120000. */
  readonly blockedRto?: number;
  /** A due probe is sent with probability 1/probeOneIn per selection. Default 10. */
  readonly probeOneIn?: number;
}

export const INFRA_CACHE_DEFAULTS = {
  maxBytes: 4 * 1024 * 1024,
  hostTtl: 900,
  lameTtl: 900,
  noEdnsTtl: 900,
  rttBand: 400,
  blockedRto: RTT_MAX_TIMEOUT,
  probeOneIn: 10,
} as const;

/** A snapshot of one server's state. */
export interface ServerInfo {
  readonly srtt: number;
  readonly rttvar: number;
  readonly rto: number;
  /** Consecutive timeouts since the last answer. */
  readonly timeouts: number;
  readonly edns: EdnsStatus;
  /** When a backed-off server may next be probed (ms). */
  readonly probeAt: number;
}

export interface ServerChoice {
  readonly address: string;
  /** The timeout to use for this query (ms): pass it back to `recordTimeout` if it expires. */
  readonly rto: number;
  /** True when this is a probe of a server in backoff. */
  readonly probe: boolean;
}

interface Host {
  srtt: number;
  rttvar: number;
  rto: number;
  timeouts: number;
  edns: EdnsStatus;
  noEdnsUntil: number;
  probeAt: number;
  expiresAt: number;
}

const HOST_BYTES = 200;
const LAME_BYTES = 160;

function calcRto(srtt: number, rttvar: number): number {
  const rto = srtt + 4 * rttvar;
  return rto < RTT_MIN_TIMEOUT ? RTT_MIN_TIMEOUT : rto > RTT_MAX_TIMEOUT ? RTT_MAX_TIMEOUT : rto;
}

export class InfraCache {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly hostTtl: number;
  private readonly lameTtl: number;
  private readonly noEdnsTtl: number;
  private readonly rttBand: number;
  private readonly blockedRto: number;
  private readonly probeOneIn: number;
  private readonly hosts: ClockMap<Host>;
  private readonly lame: ClockMap<number>;
  /**
   * selectServer's working arrays (usable candidates and their RTOs), reused: filled by index up
   * to a count and never emptied (setting a JS array's length to 0 drops its backing store, so
   * every call would grow both again).
   */
  private readonly usableScratch: string[] = [];
  private readonly rtoScratch: number[] = [];

  constructor(options: InfraCacheOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.hostTtl = options.hostTtl ?? INFRA_CACHE_DEFAULTS.hostTtl;
    this.lameTtl = options.lameTtl ?? INFRA_CACHE_DEFAULTS.lameTtl;
    this.noEdnsTtl = options.noEdnsTtl ?? INFRA_CACHE_DEFAULTS.noEdnsTtl;
    this.rttBand = options.rttBand ?? INFRA_CACHE_DEFAULTS.rttBand;
    this.blockedRto = options.blockedRto ?? INFRA_CACHE_DEFAULTS.blockedRto;
    this.probeOneIn = options.probeOneIn ?? INFRA_CACHE_DEFAULTS.probeOneIn;
    const maxBytes = options.maxBytes ?? INFRA_CACHE_DEFAULTS.maxBytes;
    // Hosts and lame pairs share the budget: three quarters for hosts.
    this.hosts = new ClockMap<Host>(Math.max(HOST_BYTES, Math.floor(maxBytes * 0.75)), () => HOST_BYTES);
    this.lame = new ClockMap<number>(Math.max(LAME_BYTES, Math.floor(maxBytes * 0.25)), () => LAME_BYTES);
  }

  /** Live state of a server, undefined when never heard of (or forgotten). */
  info(address: string): ServerInfo | undefined {
    const h = this.host(address, this.clock.now(), false);
    if (h === undefined) return undefined;
    return { srtt: h.srtt, rttvar: h.rttvar, rto: h.rto, timeouts: h.timeouts, edns: this.ednsOf(h), probeAt: h.probeAt };
  }

  /** The timeout to use for a query to `address` (ms). */
  rto(address: string): number {
    return this.host(address, this.clock.now(), false)?.rto ?? UNKNOWN_SERVER_RTO;
  }

  /** An answer arrived after `rttMs`: update SRTT/RTTVAR (RFC 6298 §2.3) and end any backoff. */
  recordRtt(address: string, rttMs: number): void {
    const now = this.clock.now();
    const h = this.host(address, now, true)!;
    const ms = Math.max(0, Math.round(rttMs));
    let delta = ms - h.srtt;
    h.srtt += Math.trunc(delta / 8);
    if (delta < 0) delta = -delta;
    h.rttvar += Math.trunc((delta - h.rttvar) / 4);
    h.rto = calcRto(h.srtt, h.rttvar);
    h.timeouts = 0;
    h.probeAt = 0;
    h.expiresAt = now + this.hostTtl * 1000;
  }

  /**
   * A query sent with timeout `sentRto` timed out: double that RTO (RFC 6298 §5.5), unless an
   * answer has brought the RTO below it meanwhile. The next probe is due one new RTO from now.
   */
  recordTimeout(address: string, sentRto: number): void {
    const now = this.clock.now();
    const h = this.host(address, now, true)!;
    h.timeouts++;
    if (h.rto >= sentRto) {
      const doubled = sentRto * 2;
      if (h.rto <= doubled) h.rto = doubled > RTT_MAX_TIMEOUT ? RTT_MAX_TIMEOUT : doubled;
    }
    h.probeAt = now + h.rto;
    h.expiresAt = now + this.hostTtl * 1000;
  }

  /** The server answered an EDNS query properly. */
  recordEdnsOk(address: string): void {
    const now = this.clock.now();
    const h = this.host(address, now, true)!;
    h.edns = EdnsStatus.edns;
    h.noEdnsUntil = 0;
    h.expiresAt = now + this.hostTtl * 1000;
  }

  /**
   * The server answered FORMERR/NOTIMP to an EDNS query (RFC 6891 §7). Returns false, changing
   * nothing, when the server is known to speak EDNS.
   */
  recordEdnsFailure(address: string): boolean {
    const now = this.clock.now();
    const h = this.host(address, now, true)!;
    if (h.edns === EdnsStatus.edns) return false;
    h.edns = EdnsStatus.noEdns;
    h.noEdnsUntil = now + this.noEdnsTtl * 1000;
    h.expiresAt = Math.max(h.expiresAt, h.noEdnsUntil);
    return true;
  }

  ednsStatus(address: string): EdnsStatus {
    const h = this.host(address, this.clock.now(), false);
    return h === undefined ? EdnsStatus.unknown : this.ednsOf(h);
  }

  markLame(address: string, zone: Name, ttl: number = this.lameTtl): void {
    this.lame.set(lameKey(address, zone), this.clock.now() + ttl * 1000);
  }

  isLame(address: string, zone: Name): boolean {
    const key = lameKey(address, zone);
    const until = this.lame.get(key);
    if (until === undefined) return false;
    if (until <= this.clock.now()) {
      this.lame.delete(key);
      return false;
    }
    return true;
  }

  /**
   * Picks the server to query among `candidates` (addresses; the first `count` of them),
   * skipping those lame for `zone`. Undefined only when every candidate is lame (or there are none).
   */
  selectServer(candidates: readonly string[], zone?: Name, count: number = candidates.length): ServerChoice | undefined {
    // One pass, no allocation but the result: this runs for every upstream query. The usable
    // candidates and their RTOs go to two arrays kept between calls, the first `n` of each.
    const now = this.clock.now();
    const checkLame = zone !== undefined && this.lame.size > 0;
    const usable = this.usableScratch;
    const rtos = this.rtoScratch;
    let n = 0;
    let best = Infinity;
    let dueProbe: Host | undefined;
    let dueAddress = '';
    let leastBad: Host | undefined;
    let leastBadAddress = '';
    const end = Math.min(count, candidates.length);
    for (let c = 0; c < end; c++) {
      const address = candidates[c]!;
      if (checkLame && this.isLame(address, zone)) continue;
      const h = this.host(address, now, false);
      const rto = h?.rto ?? UNKNOWN_SERVER_RTO;
      if (h !== undefined) {
        const blocked = rto >= this.blockedRto;
        if ((blocked || h.timeouts > 0) && h.probeAt <= now && (dueProbe === undefined || h.probeAt < dueProbe.probeAt)) {
          dueProbe = h;
          dueAddress = address;
        }
        if (blocked) {
          if (leastBad === undefined || h.probeAt < leastBad.probeAt) {
            leastBad = h;
            leastBadAddress = address;
          }
          continue;
        }
      }
      usable[n] = address;
      rtos[n] = rto;
      n++;
      if (rto < best) best = rto;
    }
    if (n === 0) {
      // Everyone is blocked: probe the one due first (or the least bad), rather than give up.
      const pick = dueProbe ?? leastBad;
      if (pick === undefined) return undefined;
      pick.probeAt = now + pick.rto;
      return { address: dueProbe !== undefined ? dueAddress : leastBadAddress, rto: pick.rto, probe: true };
    }
    if (dueProbe !== undefined && this.random.below(this.probeOneIn) === 0) {
      dueProbe.probeAt = now + dueProbe.rto;
      return { address: dueAddress, rto: dueProbe.rto, probe: true };
    }
    // Every usable server within rttBand of the best is equally likely, in candidate order.
    const limit = best + this.rttBand;
    let inBand = 0;
    for (let i = 0; i < n; i++) if (rtos[i]! <= limit) inBand++;
    let k = inBand === 1 ? 0 : this.random.below(inBand);
    for (let i = 0; i < n; i++) {
      if (rtos[i]! <= limit && k-- === 0) return { address: usable[i]!, rto: rtos[i]!, probe: false };
    }
    return undefined;
  }

  clear(): void {
    this.hosts.clear();
    this.lame.clear();
  }

  private ednsOf(h: Host): EdnsStatus {
    if (h.edns === EdnsStatus.noEdns && h.noEdnsUntil <= this.clock.now()) return EdnsStatus.unknown;
    return h.edns;
  }

  private host(address: string, now: number, create: boolean): Host | undefined {
    const h = this.hosts.get(address);
    if (h !== undefined && h.expiresAt > now) return h;
    if (h !== undefined) this.hosts.delete(address);
    if (!create) return undefined;
    const fresh: Host = {
      srtt: 0,
      rttvar: UNKNOWN_SERVER_RTO / 4,
      rto: UNKNOWN_SERVER_RTO,
      timeouts: 0,
      edns: EdnsStatus.unknown,
      noEdnsUntil: 0,
      probeAt: 0,
      expiresAt: now + this.hostTtl * 1000,
    };
    this.hosts.set(address, fresh);
    return fresh;
  }
}

function lameKey(address: string, zone: Name): string {
  return address + '|' + zone.key;
}
