// The CLOCK (second-chance) eviction both byte-bounded caches use: walk the map in insertion order;
// an entry referenced since the last pass and not expired loses its flag and goes to the back, any
// other entry is removed, until the cache is within its bound again.

/** An entry a CLOCK sweep can judge: its reference flag and its expiry (seconds, the cache's clock). */
export interface ClockEntry {
  hot: boolean;
  readonly expiresAt: number;
}

/**
 * Sweeps `map` until `withinBound()` holds: expired or unreferenced entries go to `remove` (which
 * deletes them from the map and frees their storage); referenced live ones get a second chance.
 */
export function clockSweep<E extends ClockEntry>(
  map: Map<string, E>,
  now: number,
  withinBound: () => boolean,
  remove: (key: string, e: E) => void,
): void {
  for (const [key, e] of map) {
    if (withinBound()) return;
    if (e.hot && e.expiresAt > now) {
      e.hot = false;
      map.delete(key);
      map.set(key, e);
    } else {
      remove(key, e);
    }
  }
}
