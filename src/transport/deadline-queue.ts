// Deadlines of the upstream client's queries (RFC 1035 §7.2: a resolver gives up on a server after
// a timeout and tries another) in one binary min-heap behind one Node timer, instead of a timer per
// query: adding and removing a deadline is a few array moves, and the timer is re-armed only when
// the earliest deadline moves.
//
// A deadline expires only once the event loop has polled for I/O after it: a query times out when
// no reply had arrived by then, never because the one thread was busy. libuv runs due timers
// before it polls in each loop iteration, and a loop iteration can run longer than a query's
// timeout (a burst of replies validated on the one thread); a timer callback would then expire
// queries whose replies already sit unread in their sockets' receive buffers. So the timer only
// notes the time (`cutoff`, in the timers phase) and schedules the sweep for the check phase
// (setImmediate), after the poll phase of the same iteration has delivered what had arrived; the
// sweep expires deadlines up to `cutoff`. A deadline that passed during that poll phase waits for
// the next iteration's timers phase and poll.
//
// Deadlines are monotonic milliseconds (performance.now): a timer that fires a little early only
// re-arms. With `unref` the timer does not keep the process alive by itself: for an owner whose
// every deadline belongs to something holding a referenced handle of its own (a socket waiting
// for a reply), so that idle things waiting to be closed never delay the process's exit.

import { performance } from 'node:perf_hooks';

/** Something with a deadline in the queue; `slot` is the queue's bookkeeping (-1: not queued). */
export interface Deadline {
  /** Monotonic ms (performance.now) at which it is due. */
  at: number;
  slot: number;
}

export class DeadlineQueue<T extends Deadline> {
  private readonly heap: T[] = [];
  /** Called once per deadline that comes due without being removed; it is out of the queue by then. */
  private readonly onExpire: (d: T) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the timer is armed for (Infinity: no timer). */
  private armedAt = Infinity;
  private sweepPending = false;
  /** When the timer fired: the sweep expires deadlines up to here, no later (module header). */
  private cutoff = 0;

  private readonly unref: boolean;

  constructor(onExpire: (d: T) => void, options: { readonly unref?: boolean } = {}) {
    this.onExpire = onExpire;
    this.unref = options.unref ?? false;
  }

  /** Deadlines waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Queues `d`, due `ms` from now. */
  add(d: T, ms: number): void {
    d.at = performance.now() + ms;
    const heap = this.heap;
    d.slot = heap.length;
    heap.push(d);
    this.up(d.slot);
    if (d.at < this.armedAt && !this.sweepPending) this.arm();
  }

  /** Takes `d` out of the queue (no-op when it is not queued). */
  remove(d: T): void {
    const i = d.slot;
    if (i < 0) return;
    d.slot = -1;
    const heap = this.heap;
    const last = heap.pop()!;
    if (last === d) return;
    heap[i] = last;
    last.slot = i;
    if (i > 0 && heap[(i - 1) >> 1]!.at > last.at) this.up(i);
    else this.down(i);
    // A timer armed for a deadline that went early stays: it fires, finds nothing due, re-arms.
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const first = this.heap[0];
    if (first === undefined) {
      this.timer = undefined;
      this.armedAt = Infinity;
      return;
    }
    this.armedAt = first.at;
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(first.at - performance.now())));
    if (this.unref) this.timer.unref();
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.armedAt = Infinity;
    if (this.sweepPending) return;
    this.sweepPending = true;
    this.cutoff = performance.now();
    setImmediate(this.sweep);
  };

  private readonly sweep = (): void => {
    const heap = this.heap;
    const cutoff = this.cutoff;
    try {
      // Deadlines added by onExpire (a retry) wait for the arm() below.
      while (heap.length > 0 && heap[0]!.at <= cutoff) {
        const d = heap[0]!;
        this.remove(d);
        this.onExpire(d);
      }
    } finally {
      this.sweepPending = false;
      this.arm();
    }
  };

  private up(i: number): void {
    const heap = this.heap;
    const d = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (parent.at <= d.at) break;
      heap[i] = parent;
      parent.slot = i;
      i = p;
    }
    heap[i] = d;
    d.slot = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const d = heap[i]!;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && heap[c + 1]!.at < heap[c]!.at) c++;
      const child = heap[c]!;
      if (child.at >= d.at) break;
      heap[i] = child;
      child.slot = i;
      i = c;
    }
    heap[i] = d;
    d.slot = i;
  }
}
