/**
 * Work in flight, so shutdown can stop taking new work, wait for what is
 * running, then tell the rest to stop (they record where they were).
 */

export class WorkTracker {
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private readonly draining = new AbortController();

  /** Aborted when shutdown stops waiting: followers end as "interrupted". */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get accepting(): boolean {
    return !this.draining.signal.aborted;
  }

  /** Aborted when shutdown begins: waits held for clients (long polls) end then. */
  get stopping(): AbortSignal {
    return this.draining.signal;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Runs `work` in the background; its failure is the caller's to handle
   * inside `work`. It starts on the next turn of the event loop, after
   * pending I/O: envelopes already waiting on the socket get their acks
   * before this command's work takes the CPU.
   */
  run(work: () => Promise<unknown>): Promise<unknown> {
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
    return promise;
  }

  /** Counts work started elsewhere (a job taken over from a stopped process) as in flight. */
  adopt(work: Promise<unknown>): void {
    const promise = work.then(
      () => undefined,
      () => undefined,
    );
    const tracked = promise.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /**
   * Stops accepting work, waits up to `graceMs` for it to finish, then
   * aborts the rest and waits up to `abortMs` for it to record itself.
   * Returns how many were still running when aborted.
   */
  async drain(graceMs: number, abortMs: number): Promise<number> {
    this.draining.abort();
    const settle = (ms: number): Promise<void> =>
      Promise.race([
        Promise.allSettled([...this.inFlight]).then(() => undefined),
        new Promise<void>((resolve) => setTimeout(resolve, ms).unref()),
      ]);
    await settle(graceMs);
    const left = this.inFlight.size;
    if (left > 0) {
      this.controller.abort(new Error('shutting down'));
      await settle(abortMs);
    }
    return left;
  }
}
