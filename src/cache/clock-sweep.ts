// The CLOCK (second-chance) order of the RRset cache's numbered slots: a doubly linked list in two
// typed arrays (no object or Set entry per cached RRset). Entries join at the back; the sweep walks
// from the front, and an entry referenced since the last pass (and not expired) loses its flag and
// goes to the back, any other entry is removed, until the cache is within its bound again. An entry
// sent to the back is met again by the same sweep, as a re-added member of a Set is met by a
// running iteration: with nothing else left to drop it goes next.

const END = -1;

export class ClockOrder {
  /** Octets a slot costs in the order: its two links. */
  static readonly SLOT_BYTES = 2 * Int32Array.BYTES_PER_ELEMENT;

  private prev = new Int32Array(0);
  private next = new Int32Array(0);
  private head = END;
  private tail = END;
  /** Slots in the order. */
  size = 0;

  /** Makes room for slot numbers below `capacity`. */
  grow(capacity: number): void {
    if (capacity <= this.prev.length) return;
    const prev = new Int32Array(capacity);
    prev.set(this.prev);
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.prev = prev;
    this.next = next;
  }

  /** Adds slot `s` (not in the order) at the back. */
  append(s: number): void {
    this.prev[s] = this.tail;
    this.next[s] = END;
    if (this.tail === END) this.head = s;
    else this.next[this.tail] = s;
    this.tail = s;
    this.size++;
  }

  /** Takes slot `s` (in the order) out. */
  unlink(s: number): void {
    const p = this.prev[s]!;
    const n = this.next[s]!;
    if (p === END) this.head = n;
    else this.next[p] = n;
    if (n === END) this.tail = p;
    else this.prev[n] = p;
    this.size--;
  }

  clear(): void {
    this.head = this.tail = END;
    this.size = 0;
  }

  /** Calls `visit` on every slot front to back; `visit` may unlink the slot it is given. */
  forEach(visit: (s: number) => void): void {
    let s = this.head;
    while (s !== END) {
      const n = this.next[s]!;
      visit(s);
      s = n;
    }
  }

  /**
   * Sweeps from the front until `withinBound()` holds: `secondChance(s)` says whether a slot is
   * referenced and live (and clears its flag); such a slot goes to the back, any other goes to
   * `remove` (which must unlink it and free its storage).
   */
  sweep(withinBound: () => boolean, secondChance: (s: number) => boolean, remove: (s: number) => void): void {
    let s = this.head;
    while (s !== END) {
      if (withinBound()) return;
      let n = this.next[s]!;
      if (secondChance(s)) {
        this.unlink(s);
        this.append(s);
        // It was the last: the walk goes on to it again, now unflagged.
        if (n === END) n = s;
      } else {
        remove(s);
      }
      s = n;
    }
  }
}
