// The CLOCK (second-chance) eviction of the RRset cache: walk the entries in insertion order; an
// entry referenced since the last pass and not expired loses its flag and goes to the back, any
// other entry is removed, until the cache is within its bound again.

/** An entry a CLOCK sweep can judge: its reference flag and its expiry (seconds, the cache's clock). */
export interface ClockEntry {
  hot: boolean;
  readonly expiresAt: number;
}

/**
 * Sweeps `order` (a Set in CLOCK order) until `withinBound()` holds: expired or unreferenced
 * entries go to `remove` (which deletes them from the set and frees their storage); referenced
 * live ones get a second chance.
 */
export function clockSweep<E extends ClockEntry>(
  order: Set<E>,
  now: number,
  withinBound: () => boolean,
  remove: (e: E) => void,
): void {
  for (const e of order) {
    if (withinBound()) return;
    if (e.hot && e.expiresAt > now) {
      e.hot = false;
      order.delete(e);
      order.add(e);
    } else {
      remove(e);
    }
  }
}
