// Time is injected (DESIGN.md convention 1): pure code receives a Clock and never reads the wall
// clock itself, which is what makes scenario replay and accelerated RFC 5011 tests possible.

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Seconds since the epoch, as DNSSEC timestamps count (RFC 4034 §3.1.5). */
export function nowSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}

/** A clock that only moves when told to: for tests, replays and simulations. */
export class ManualClock implements Clock {
  private ms: number;
  constructor(startMs: number) {
    this.ms = startMs;
  }
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
