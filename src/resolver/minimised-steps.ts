// Minimised questions a zone's servers answered without a referral (RFC 9156 §3 step 6: no zone
// cut at that name), remembered for the answer's TTL so that the next descent through the same
// name takes the step without asking again. Unbound does the same: before it sends a minimised
// query it looks the question up in its message cache and, when that holds a NOERROR answer, adds
// the next label without a query (iterator.c, "no need to send query if it is already cached as
// NOERROR"). The typical case is an empty non-terminal above many names: every wildcard name
// `x.wild.example.` is asked as `wild.example. A` first, and the NODATA to that is the same each
// time.
//
// Only the iterator's choice of what to ask reads this: nothing here is ever served to a client or
// judged by the validator, so an entry changes which questions go upstream, never an answer. A
// forged entry at worst makes the full name go to the zone's own servers one step early, which is
// what a resolver without minimisation does anyway; the reply to that is classified as always (a
// referral there is followed). The step is taken exactly as an answered one is (iterator.ts), so
// the walk asks the same names it would have asked, less the one remembered.
//
// Lifetime (RFC 2308 §5 for a NODATA, RFC 1035 §3.2.1 for data): the least TTL of the records in
// the answer and authority sections, and no more than the SOA MINIMUM; capped at MAX_TTL_S (the
// negative cache's default cap). A NOERROR without records, or a NODATA without an SOA (no negative
// TTL), is not remembered. Keyed by the zone asked, the name and the QTYPE. Bounded by size
// (CLOCK eviction, clock-map.ts).

import { ClockMap } from '../cache/clock-map.js';
import { soaMinimum } from '../cache/negative-cache.js';
import type { Clock } from '../core/clock.js';
import { Rcode, RRType } from '../wire/constants.js';
import type { Message } from '../wire/message.js';
import type { Name } from '../wire/name.js';

/** The longest an answered step is remembered, seconds (as the negative cache's default cap). */
export const MAX_TTL_S = 3600;
/** Default size bound in bytes. */
export const MINIMISED_STEPS_DEFAULT_BYTES = 1024 * 1024;
/** Bytes charged per entry besides its key (the Map slot, the slot object, the number). */
const ENTRY_BYTES = 64;

export class MinimisedSteps {
  private readonly clock: Clock;
  /** expiresAt (ms on the clock) per zone key + name key + QTYPE. */
  private readonly steps: ClockMap<number>;

  constructor(clock: Clock, maxBytes: number = MINIMISED_STEPS_DEFAULT_BYTES) {
    this.clock = clock;
    this.steps = new ClockMap<number>(maxBytes, (_v, key) => ENTRY_BYTES + key.length * 2);
  }

  /** Entries held (expired ones included until met or evicted). */
  get size(): number {
    return this.steps.size;
  }

  /**
   * Notes the reply `msg` of `zone`'s servers to the minimised question (name, type), which the
   * iterator took as no cut (not a referral, not NXDOMAIN): remembered when it is a NOERROR with a
   * TTL (module header).
   */
  note(zone: Name, name: Name, type: number, msg: Message): void {
    if (msg.rcode !== Rcode.NOERROR) return;
    const ttl = stepTtl(msg);
    if (ttl === undefined || ttl <= 0) return;
    this.steps.set(keyOf(zone, name, type), this.clock.now() + Math.min(ttl, MAX_TTL_S) * 1000);
  }

  /** True when `zone`'s servers answered the minimised question (name, type) and that still holds. */
  answered(zone: Name, name: Name, type: number): boolean {
    const key = keyOf(zone, name, type);
    const expiresAt = this.steps.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > this.clock.now()) return true;
    this.steps.delete(key);
    return false;
  }
}

function keyOf(zone: Name, name: Name, type: number): string {
  return `${zone.key}|${name.key}|${type}`;
}

/** The time a NOERROR reply holds (module header), or undefined when it gives none. */
function stepTtl(msg: Message): number | undefined {
  let ttl = Infinity;
  let soa = false;
  for (const r of msg.answer) if (r.ttl < ttl) ttl = r.ttl;
  for (const r of msg.authority) {
    if (r.ttl < ttl) ttl = r.ttl;
    if (r.type !== RRType.SOA) continue;
    soa = true;
    const min = soaMinimum(r.rdata);
    if (min !== undefined && min < ttl) ttl = min;
  }
  if (msg.answer.length === 0 && !soa) return undefined;
  return ttl === Infinity ? undefined : ttl;
}
