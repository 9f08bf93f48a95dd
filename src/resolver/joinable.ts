// The outcome of a piece of work in flight (a client question's resolution, an upstream exchange)
// for the identical ones that join it while it runs: one promise, made at the first join, so work
// nobody joins costs no promise of its own. The leader settles it with its outcome, or fails it
// with its throw, when it ends (after taking it out of its in-flight map, so none joins later).

export class Joinable<T> {
  private p: Promise<T> | undefined;
  private onValue: ((v: T) => void) | undefined;
  private onThrow: ((e: unknown) => void) | undefined;

  /** What a joining piece of work waits for: the leader's outcome, or its throw. */
  promise(): Promise<T> {
    return (this.p ??= new Promise<T>((resolve, reject) => {
      this.onValue = resolve;
      this.onThrow = reject;
    }));
  }

  settle(v: T): void {
    this.onValue?.(v);
  }

  fail(e: unknown): void {
    this.onThrow?.(e);
  }
}
