// A size-bounded map with CLOCK (second chance) eviction, for the small caches read on every
// upstream query (key cache, infra cache). lru-cache gave the same bound with exact LRU order, but
// each get() walked its options (an options object allocated per call, status and staleness
// checks, a fetch check) and moved the entry in its recency list: measured, that was most of a
// key-cache lookup. Here a get is one Map lookup and one flag write.
//
// Each entry carries a size (from `sizeOf`, computed at set) and a reference flag, set by get and
// set (a new entry starts flagged). When the sizes add up past `maxSize`, the sweep walks the entries in Map order (oldest
// first): a flagged entry loses its flag and goes to the back, any other is dropped, until the
// total fits — close to LRU at one write per hit, as the RRset and answer caches (clock-sweep.ts).
// An entry larger than the whole bound is not stored (and removes what the key held), as lru-cache.

interface Slot<V> {
  value: V;
  size: number;
  hot: boolean;
}

export class ClockMap<V> {
  private readonly map = new Map<string, Slot<V>>();
  private readonly maxSize: number;
  private readonly sizeOf: (value: V, key: string) => number;
  private used = 0;

  constructor(maxSize: number, sizeOf: (value: V, key: string) => number) {
    if (!(maxSize > 0)) throw new RangeError(`ClockMap: maxSize must be positive, got ${maxSize}`);
    this.maxSize = maxSize;
    this.sizeOf = sizeOf;
  }

  /** Entries held. */
  get size(): number {
    return this.map.size;
  }

  /** Sum of the entries' sizes. */
  get calculatedSize(): number {
    return this.used;
  }

  /** The value under `key`, marked as used. */
  get(key: string): V | undefined {
    const s = this.map.get(key);
    if (s === undefined) return undefined;
    s.hot = true;
    return s.value;
  }

  /** The value under `key`, not marked as used. */
  peek(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** Stores `value` under `key` (replacing and marking as used what it held), then evicts to fit. */
  set(key: string, value: V): void {
    const size = this.sizeOf(value, key);
    if (!(size >= 0) || size > this.maxSize) {
      this.delete(key);
      return;
    }
    const old = this.map.get(key);
    if (old !== undefined) {
      this.used += size - old.size;
      old.value = value;
      old.size = size;
      old.hot = true;
    } else {
      // Flagged from the start: a sweep that ran into it straight away (every older entry flagged
      // and sent behind it) would otherwise drop the entry just stored.
      this.map.set(key, { value, size, hot: true });
      this.used += size;
    }
    if (this.used > this.maxSize) this.evict();
  }

  delete(key: string): boolean {
    const s = this.map.get(key);
    if (s === undefined) return false;
    this.map.delete(key);
    this.used -= s.size;
    return true;
  }

  clear(): void {
    this.map.clear();
    this.used = 0;
  }

  /** [key, value] pairs, oldest first; deleting the entry just met is allowed. */
  *entries(): Generator<[string, V]> {
    for (const [k, s] of this.map) yield [k, s.value];
  }

  private evict(): void {
    // Each pass either drops an entry or clears a flag, so this ends within two rounds.
    while (this.used > this.maxSize) {
      const first = this.map.entries().next();
      if (first.done === true) return;
      const [k, s] = first.value;
      this.map.delete(k);
      if (s.hot) {
        s.hot = false;
        this.map.set(k, s);
      } else {
        this.used -= s.size;
      }
    }
  }
}
