// A small bounded map for imported public keys. Importing a key costs more than a
// verify (DESIGN.md "Toolchain facts": ~2x for P-256 SPKI, ~30x JWK vs DER for RSA), and a
// resolver verifies with the same few thousand DNSKEYs all day. Size is the only bound.

interface Slot<V> {
  readonly value: V;
  used: boolean;
}

/**
 * Bounded map with second-chance (CLOCK) eviction: a hit only sets a flag, so the hot path is one
 * Map lookup; when full, the oldest entry is evicted unless it was used since it last came round,
 * in which case it moves to the back once. This approximates LRU closely enough for key caching.
 */
export class KeyCache<V> {
  private readonly map = new Map<string, Slot<V>>();
  readonly capacity: number;
  hits = 0;
  misses = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`cache capacity must be >= 1, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    slot.used = true;
    return slot.value;
  }

  set(key: string, value: V): void {
    if (this.map.has(key)) this.map.delete(key);
    else if (this.map.size >= this.capacity) this.evictOne();
    this.map.set(key, { value, used: false });
  }

  clear(): void {
    this.map.clear();
  }

  private evictOne(): void {
    // Map iteration is in insertion order and also visits entries re-inserted during the walk;
    // each pass clears a flag, so the walk ends within two rounds.
    for (const [key, slot] of this.map) {
      this.map.delete(key);
      if (!slot.used) return;
      slot.used = false;
      this.map.set(key, slot);
    }
  }
}

/** Cache key for (algorithm, public key bytes): one char for the algorithm, then the bytes as latin1. */
export function keyCacheKey(algorithm: number, publicKey: Uint8Array): string {
  return String.fromCharCode(algorithm) + Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
}
