/**
 * Keeping a job's lease through a long step — a request being sent (bounded
 * by the provider's own timeout, which may outlast a lease), the end being
 * shown (Slack's waits) — so that no other process takes the job over while
 * this one is still at work on it.
 */
import type { Logger } from 'pino';
import type { Timers } from '../timers.ts';

export interface LeaseKeeping {
  readonly timers: Timers;
  readonly log: Logger;
  readonly leaseMs: number;
  /** Renews the lease; false when it was lost. */
  renew(): Promise<boolean>;
}

/** Runs `work`, renewing the lease every third of it until `work` settles. */
export async function keepingLease<T>(
  keeping: LeaseKeeping,
  job: string,
  work: () => Promise<T>,
): Promise<T> {
  const { timers, log, leaseMs } = keeping;
  let timer: unknown;
  let done = false;
  const beat = (): void => {
    timer = timers.setTimeout(
      () => {
        keeping
          .renew()
          .then((held) => {
            if (!held) log.warn({ job }, 'lost the lease of a job while it was busy');
          })
          .catch((error: unknown) => log.warn({ err: error, job }, 'could not renew a job’s lease'))
          .finally(() => {
            if (!done) beat();
          });
      },
      Math.max(1, Math.floor(leaseMs / 3)),
    );
  };
  beat();
  try {
    return await work();
  } finally {
    done = true;
    timers.clearTimeout(timer);
  }
}

/** Whether `work` settled within `ms` (on `timers`); it is not stopped when it did not. */
export async function settlesWithin(
  timers: Timers,
  ms: number,
  work: void | Promise<void>,
): Promise<boolean> {
  let timer: unknown;
  const late = new Promise<false>((resolve) => {
    timer = timers.setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.resolve(work).then(() => true), late]);
  } finally {
    timers.clearTimeout(timer);
  }
}
