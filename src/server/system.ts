// The real clock and randomness, injected into the pure modules from here (DESIGN.md convention 1).
// Query IDs and source-port choices must be unpredictable (RFC 5452 §9.2), so randomness comes
// from the operating system's CSPRNG, drawn in blocks to keep the per-query cost low.

import { randomFillSync } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';

export const systemClock: Clock = { now: () => Date.now() };

/** CSPRNG-backed Random, refilled 4 KiB at a time. */
export class CryptoRandom implements Random {
  private readonly pool = new Uint8Array(4096);
  private view = new DataView(this.pool.buffer);
  private pos = this.pool.length;

  private take4(): number {
    if (this.pos + 4 > this.pool.length) {
      randomFillSync(this.pool);
      this.view = new DataView(this.pool.buffer);
      this.pos = 0;
    }
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  u16(): number {
    return this.take4() & 0xffff;
  }

  below(n: number): number {
    if (n <= 0) return 0;
    // Rejection sampling keeps the result unbiased.
    const limit = Math.floor(0x100000000 / n) * n;
    let v = this.take4();
    while (v >= limit) v = this.take4();
    return v % n;
  }

  fill(bytes: Uint8Array): Uint8Array {
    return randomFillSync(bytes);
  }
}
