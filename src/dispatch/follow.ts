/**
 * Following an accepted operation to its end by polling the provider: each
 * new step is reported once; a few failed polls in a row end it as failed
 * with the reason (a job never hangs on a provider that cannot answer); the
 * deadline — absolute, so a resumed job keeps the one it had — ends it as
 * timed out, saying what state the target was last seen in.
 */
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { OperationProgress, OperationRef } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { realTimers, sleep, type Timers } from '../timers.ts';
import { type CallOptions, callProvider } from './call.ts';
import type { OperationEnd } from './outcome.ts';

/** Polls that may fail in a row before the operation is reported as lost. */
const MAX_FAILED_POLLS = 5;

export interface FollowOptions {
  readonly call: CallOptions;
  readonly pollIntervalMs: number;
  /** When it ends as timed out (ms since the epoch, on `timers`). */
  readonly deadlineAt: number;
  readonly timers?: Timers;
  /** The last progress already seen (a resumed job): not reported again. */
  readonly last?: OperationProgress;
  readonly onProgress: (progress: OperationProgress) => Promise<void> | void;
  /** Before each poll: the job runner renews its lease and sends a cancellation here. */
  readonly beforePoll?: () => Promise<void>;
}

export interface FollowResult {
  readonly end: OperationEnd;
  readonly last?: OperationProgress;
  readonly error?: unknown;
}

function sameProgress(a: OperationProgress | undefined, b: OperationProgress): boolean {
  return a !== undefined && a.state === b.state && a.step === b.step;
}

export async function followOperation(
  entry: ConnectedProvider,
  ref: OperationRef,
  options: FollowOptions,
): Promise<FollowResult> {
  const timers = options.timers ?? realTimers;
  let last = options.last;
  let failedPolls = 0;
  const signal = options.call.signal;
  const interrupted = (): FollowResult => ({ end: 'interrupted', ...(last ? { last } : {}) });

  while (true) {
    if (signal?.aborted) return interrupted();
    if (timers.now() >= options.deadlineAt) return { end: 'timed_out', ...(last ? { last } : {}) };
    try {
      await options.beforePoll?.();
      const progress = await callProvider(entry, options.call, (provider, ctx) => {
        if (!provider.poll) throw new Error(`${entry.account.id} cannot follow operations`);
        return provider.poll(ref, ctx);
      });
      failedPolls = 0;
      if (!sameProgress(last, progress)) await options.onProgress(progress);
      last = progress;
      if (progress.state !== 'running') {
        return progress.state === 'failed'
          ? {
              end: 'failed',
              last,
              error: new CloudmasterError(ErrorCode.ProviderRejected, progress.reason ?? progress.step, {
                provider: entry.account.id,
              }),
            }
          : { end: progress.state, last };
      }
    } catch (error) {
      if (signal?.aborted) return interrupted();
      failedPolls += 1;
      options.call.log.warn(
        { err: error, provider: entry.account.id, failedPolls },
        'polling an operation failed',
      );
      if (failedPolls >= MAX_FAILED_POLLS) {
        return {
          end: 'failed',
          ...(last ? { last } : {}),
          error: new CloudmasterError(
            ErrorCode.ProviderUnavailable,
            `The state of ${ref.target.name} could not be read from ${entry.account.id} ${MAX_FAILED_POLLS} times in a row: ${error instanceof Error ? error.message : String(error)}`,
            {
              provider: entry.account.id,
              hint: `Check with \`status ${ref.target.name} on ${entry.account.id}\`.`,
            },
          ),
        };
      }
    }
    try {
      const left = options.deadlineAt - timers.now();
      await sleep(timers, Math.max(0, Math.min(options.pollIntervalMs, left)), signal);
    } catch {
      return interrupted();
    }
  }
}
