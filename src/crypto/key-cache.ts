// A small least-recently-used map for imported public keys. Importing a key costs more than a
// verify (DESIGN.md "Toolchain facts": ~2x for P-256 SPKI, ~30x JWK vs DER for RSA), and a
// resolver verifies with the same few thousand DNSKEYs all day. Size is the only bound.

export class KeyCache<V> {
  private readonly map = new Map<string, V>();
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
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Refresh recency: Map iterates in insertion order, so the first key is the least recent.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V): void {
    if (this.map.has(key)) {
      this.map.delete(key);
    } else if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  clear(): void {
    this.map.clear();
  }
}

/** Cache key for (algorithm, public key bytes): one char for the algorithm, then the bytes as latin1. */
export function keyCacheKey(algorithm: number, publicKey: Uint8Array): string {
  return String.fromCharCode(algorithm) + Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('latin1');
}
