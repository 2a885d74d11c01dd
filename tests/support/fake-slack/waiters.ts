/**
 * Waiting on the fake's records without polling: each wait re-runs its
 * predicate when the fake says something changed, so hundreds of concurrent
 * waits cost nothing between changes.
 */

export interface WaitOptions {
  /** Default 10 s. */
  readonly timeoutMs?: number;
  /** Named in the timeout error, e.g. "the reply to /cloudmaster list". */
  readonly description?: string;
}

type Falsy = undefined | false | null | 0 | '';

interface Waiter {
  /** Returns true once settled. */
  readonly check: () => boolean;
  readonly cancel: (reason: Error) => void;
}

export class Waiters {
  private readonly waiting = new Set<Waiter>();
  private readonly describeState: () => string;

  /** `describeState` is appended to timeout errors (recent calls, …). */
  constructor(describeState: () => string) {
    this.describeState = describeState;
  }

  waitFor<T>(predicate: () => T | Falsy, options: WaitOptions = {}): Promise<T> {
    const { timeoutMs = 10_000, description = 'a condition' } = options;
    return new Promise<T>((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        this.waiting.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          let result: T | Falsy;
          try {
            result = predicate();
          } catch (error) {
            settle();
            reject(error);
            return true;
          }
          if (!result) return false;
          settle();
          resolve(result);
          return true;
        },
        cancel: (reason) => {
          settle();
          reject(reason);
        },
      };
      const timer = setTimeout(() => {
        settle();
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${description}\n${this.describeState()}`),
        );
      }, timeoutMs);
      if (!waiter.check()) this.waiting.add(waiter);
    });
  }

  /** Re-runs every pending predicate. */
  wake(): void {
    for (const waiter of [...this.waiting]) waiter.check();
  }

  cancelAll(reason: Error): void {
    for (const waiter of [...this.waiting]) waiter.cancel(reason);
  }
}
