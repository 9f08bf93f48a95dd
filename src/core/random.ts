// Randomness is injected (DESIGN.md convention 1). The production source (node:crypto) is wired in
// src/server; tests and replays use a seeded generator so runs repeat exactly.

export interface Random {
  /** A uniformly distributed integer in [0, 2^16). */
  u16(): number;
  /** A uniformly distributed integer in [0, n), n <= 2^32. */
  below(n: number): number;
  /** Fills the array with random bytes and returns it. */
  fill(bytes: Uint8Array): Uint8Array;
}

/** Deterministic xorshift128+ generator for tests and replays. Not for production query IDs. */
export class SeededRandom implements Random {
  private s0: bigint;
  private s1: bigint;
  constructor(seed: number) {
    const mask = (1n << 64n) - 1n;
    this.s0 = (BigInt(seed >>> 0) * 0x9e3779b97f4a7c15n + 1n) & mask;
    this.s1 = (this.s0 ^ 0xbf58476d1ce4e5b9n) & mask;
  }
  private next32(): number {
    const mask = (1n << 64n) - 1n;
    let x = this.s0;
    const y = this.s1;
    this.s0 = y;
    x ^= (x << 23n) & mask;
    this.s1 = x ^ y ^ (x >> 17n) ^ (y >> 26n);
    return Number(((this.s1 + y) & mask) >> 32n);
  }
  u16(): number {
    return this.next32() & 0xffff;
  }
  below(n: number): number {
    return Math.floor((this.next32() / 0x100000000) * n);
  }
  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.next32() & 0xff;
    return bytes;
  }
}
