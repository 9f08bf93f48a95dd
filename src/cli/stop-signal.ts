// The one way anchord's long-running commands wait to be stopped: the first SIGINT or SIGTERM
// resolves the promise, and both listeners are removed so a second signal gets node's default.

/** Resolves on the first SIGINT or SIGTERM the process receives. */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
