/**
 * Following an accepted operation to its end by polling the provider: each
 * new step is reported once; a few failed polls in a row end it as failed
 * with the reason; the time limit ends it as timed out, saying what state
 * the target was last seen in.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { OperationProgress, OperationRef } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { type CallOptions, callProvider } from './call.ts';
import type { OperationEnd } from './outcome.ts';

/** Polls that may fail in a row before the operation is reported as lost. */
const MAX_FAILED_POLLS = 5;

export interface FollowOptions {
  readonly call: CallOptions;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly onProgress: (progress: OperationProgress) => Promise<void> | void;
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
  const startedAt = Date.now();
  let last: OperationProgress | undefined;
  let failedPolls = 0;
  const signal = options.call.signal;

  while (true) {
    if (signal?.aborted) return { end: 'interrupted', ...(last ? { last } : {}) };
    if (Date.now() - startedAt > options.timeoutMs) return { end: 'timed_out', ...(last ? { last } : {}) };
    try {
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
      if (signal?.aborted) return { end: 'interrupted', ...(last ? { last } : {}) };
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
      await sleep(options.pollIntervalMs, undefined, signal ? { signal } : undefined);
    } catch {
      return { end: 'interrupted', ...(last ? { last } : {}) };
    }
  }
}
