/**
 * The job runner: every confirmed mutation runs as a job in the store. It
 * sends the operation once (queued → sending under the lease), records the
 * provider's operation id, follows it to its end with each step recorded
 * and shown, and records the outcome in the audit log. The lease is kept
 * through every long step (the request being sent, the end being shown).
 * After a restart, or on another replica, a job whose lease lapsed is taken
 * over and followed from the recorded operation — never sent again — and
 * one that ended without its end being told has it told.
 */

import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { OperationProgress, OperationRef, Stack } from '../../providers/types.ts';
import { callProvider } from '../dispatch/call.ts';
import type { Dispatcher, PreparedMutation } from '../dispatch/dispatcher.ts';
import type { FollowResult } from '../dispatch/follow.ts';
import type { OperationOutcome } from '../dispatch/outcome.ts';
import { CloudmasterError, ErrorCode, mayHaveStarted } from '../errors.ts';
import { describeError, logReference } from '../replies/describe-error.ts';
import { acceptedWords } from '../replies/slack/operation.ts';
import type { Attempt } from '../safety/attempt.ts';
import type { Gatekeeper } from '../safety/gatekeeper.ts';
import {
  ACTIVE_JOB_STATES,
  type FinalJobState,
  type Job,
  type JobMessage,
  type JobStore,
} from '../store/jobs.ts';
import type { Store } from '../store/store.ts';
import type { Timers } from '../timers.ts';
import { keepingLease, settlesWithin } from './lease.ts';

/** What a job keeps so that any process can go on with it. */
export interface JobPayload {
  readonly prepared: Pick<PreparedMutation, 'command' | 'plan'>;
  readonly attempt: Attempt;
}

export type StoredJob = Job<JobPayload>;

/** How a job is shown while it runs: a Slack message, lines in a terminal. */
export interface JobReporter {
  accepted?(job: StoredJob, ref: OperationRef): void | Promise<void>;
  progressed?(job: StoredJob, progress: OperationProgress): void | Promise<void>;
  /** A cancellation was sent to the provider. */
  cancelling?(job: StoredJob, by: string): void | Promise<void>;
  /** The end; resolves once it is shown (the job stays open until then). */
  ended?(job: StoredJob, outcome: OperationOutcome): void | Promise<void>;
  /** This process stops following it (shutdown); another will go on. */
  paused?(job: StoredJob): void | Promise<void>;
}

export interface JobRunnerDeps {
  readonly store: Store;
  readonly dispatcher: Dispatcher;
  readonly gatekeeper: Gatekeeper;
  readonly timers: Timers;
  readonly log: Logger;
  /** Aborted at shutdown: followers pause and give their leases up. */
  readonly signal?: AbortSignal;
  /** How long a job stays this process's without a word from it (default 30 s). */
  readonly leaseMs?: number;
  /** The reporter for a job this process did not start (resumed after a restart). */
  readonly reporterFor?: (job: StoredJob) => JobReporter;
  /** Told of every job this process takes over, so shutdown waits for it as for any work. */
  readonly adopt?: (work: Promise<unknown>) => void;
}

export type CancelAnswer =
  | { readonly kind: 'requested'; readonly job: StoredJob }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'ended'; readonly job: StoredJob }
  | { readonly kind: 'not_cancellable'; readonly job: StoredJob; readonly reason: string }
  | { readonly kind: 'already'; readonly job: StoredJob };

class LeaseLost extends Error {}

/** How long the end of a job may take to be shown (Slack's waits included) before the job is left to a later try. */
const TELL_LIMIT_MS = 2 * 60_000;

export class JobRunner {
  /** This process's name on leases. */
  readonly owner = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly deps: JobRunnerDeps;
  private readonly leaseMs: number;
  private readonly driving = new Map<string, Promise<OperationOutcome | undefined>>();
  /** Steps recorded so far, per job driven here. */
  private readonly stepCounts = new Map<string, number>();

  constructor(deps: JobRunnerDeps) {
    this.deps = deps;
    this.leaseMs = deps.leaseMs ?? 30_000;
  }

  private now(): number {
    return this.deps.timers.now();
  }

  /** The jobs in the store, for `jobs` and `job ID`. */
  get store(): JobStore {
    return this.deps.store.jobs;
  }

  /** Records a confirmed mutation as a job and runs it; resolves when it ends (or pauses: undefined). */
  async run(
    prepared: PreparedMutation,
    attempt: Attempt,
    reporterFor: (job: StoredJob) => JobReporter,
    message?: JobMessage,
  ): Promise<{ job: StoredJob; done: Promise<OperationOutcome | undefined> }> {
    const { plan, command } = prepared;
    await this.auditable();
    const now = this.now();
    const job = await this.deps.store.jobs.create<JobPayload>(
      {
        verb: plan.verb,
        provider: plan.provider.id,
        targetName: plan.target.name,
        ...(plan.target.id ? { targetId: plan.target.id } : {}),
        requester: attempt.origin.user,
        channel: attempt.origin.channel,
        entry: attempt.origin.entry,
        rawText: attempt.origin.rawText,
        ...(attempt.requestId ? { requestId: attempt.requestId } : {}),
        payload: { prepared: { command, plan }, attempt },
        deadlineAt: now + this.deps.dispatcher.timeLimit(plan.verb),
        ...(message ? { message } : {}),
      },
      this.owner,
      now,
      this.leaseMs,
    );
    const done = this.track(job.id, this.start(job, prepared, reporterFor(job)));
    return { job, done };
  }

  /** A change runs only if its end can be audited: refused, nothing sent, when a record cannot be written now. */
  private async auditable(): Promise<void> {
    try {
      await this.deps.store.audit.probe();
    } catch (error) {
      const reference = logReference();
      this.deps.log.error({ err: error, reference }, 'the audit log cannot be written; a change was not run');
      throw new CloudmasterError(
        ErrorCode.StoreUnavailable,
        `This change was not run: cloudmaster cannot write its audit log now (reference ${reference}).`,
        { hint: 'Nothing was sent to the provider. The details are in the bot’s log under that reference.' },
      );
    }
  }

  /** Takes over every job nobody holds and follows it; returns how many. */
  async resumeOrphans(): Promise<number> {
    const orphans = await this.deps.store.jobs.orphans<JobPayload>(this.now());
    let taken = 0;
    for (const orphan of orphans) {
      if (this.driving.has(orphan.id)) continue;
      const job = await this.deps.store.jobs.takeOver<JobPayload>(
        orphan.id,
        this.owner,
        this.now(),
        this.leaseMs,
      );
      if (!job) continue;
      taken += 1;
      this.deps.log.info(
        { job: job.id, state: job.state, operation: job.operation?.operationId },
        'resuming a job',
      );
      const driven = this.track(job.id, this.resume(job, this.deps.reporterFor?.(job) ?? {}));
      this.deps.adopt?.(driven);
    }
    return taken;
  }

  /** Waits for the jobs this process drives (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.driving.values()]);
  }

  /** Asks for a job to be cancelled where its provider can; the job's driver sends it. */
  async cancel(id: string, user: string): Promise<CancelAnswer> {
    const job = await this.deps.store.jobs.get<JobPayload>(id);
    if (!job) return { kind: 'unknown' };
    if (!['queued', 'sending', 'running'].includes(job.state)) return { kind: 'ended', job };
    const reason = this.notCancellable(job);
    if (reason) return { kind: 'not_cancellable', job, reason };
    if (!(await this.deps.store.jobs.requestCancel(job.id, user, this.now())))
      return { kind: 'already', job };
    return { kind: 'requested', job: (await this.deps.store.jobs.get<JobPayload>(job.id)) ?? job };
  }

  /** Why a job cannot be cancelled, or undefined when it can. */
  notCancellable(job: StoredJob): string | undefined {
    const entry = this.deps.dispatcher.providers.byId(job.provider);
    const provider = entry?.instance;
    if (!provider) return `${job.provider} is not available`;
    if (provider.cancelOperation) return undefined;
    if (job.verb === 'deploy' && provider.cancel) return undefined;
    return `${entry.account.label} cannot cancel a ${job.verb} once it has started`;
  }

  private track(
    id: string,
    work: Promise<OperationOutcome | undefined>,
  ): Promise<OperationOutcome | undefined> {
    const tracked = work
      .catch((error: unknown) => {
        this.deps.log.error({ err: error, job: id }, 'a job stopped unexpectedly');
        return undefined;
      })
      .finally(() => {
        this.driving.delete(id);
        this.stepCounts.delete(id);
      });
    this.driving.set(id, tracked);
    return tracked;
  }

  private async start(
    job: StoredJob,
    prepared: PreparedMutation,
    reporter: JobReporter,
  ): Promise<OperationOutcome | undefined> {
    const jobs = this.deps.store.jobs;
    if (!(await jobs.beginSending(job.id, this.owner, this.now(), this.leaseMs))) {
      this.deps.log.warn({ job: job.id }, 'a new job was not this process’s to send');
      return undefined;
    }
    let ref: OperationRef;
    try {
      // Not cut short by a shutdown: a request abandoned half-way may or may not have reached the
      // provider. It is bounded by the provider's own timeout, which may outlast a lease: the lease is
      // kept while it goes on. The follow-up after it can pause.
      ref = await this.keepLease(job.id, () => this.deps.dispatcher.send(prepared));
    } catch (error) {
      return this.end(job, reporter, { end: mayHaveStarted(error) ? 'unknown' : 'failed', error });
    }
    if (!(await jobs.accepted(job.id, this.owner, ref, this.now(), this.leaseMs))) {
      this.deps.log.warn(
        { job: job.id, operation: ref.operationId },
        'the provider accepted a job another process had taken over meanwhile',
      );
      return undefined;
    }
    const running = { ...job, state: 'running' as const, operation: ref, startedAt: this.now() };
    await this.step(running, acceptedWords(ref));
    await reporter.accepted?.(running, ref);
    return this.follow(running, ref, reporter);
  }

  private async resume(job: StoredJob, reporter: JobReporter): Promise<OperationOutcome | undefined> {
    const { plan } = job.payload.prepared;
    const status = `status ${plan.target.name} on ${plan.provider.id}`;
    // It ended, but the process that ended it stopped before its end was told.
    if (!ACTIVE_JOB_STATES.includes(job.state))
      return this.tell(job, endedOutcome(job, this.now()), reporter);
    if (job.state === 'queued') {
      return this.end(job, reporter, {
        end: 'cancelled',
        error: new CloudmasterError(
          ErrorCode.ShuttingDown,
          'cloudmaster restarted before it could send the request; nothing was done.',
          { hint: 'Ask again if it is still needed.' },
        ),
      });
    }
    if (job.state === 'sending' || !job.operation) {
      return this.end(job, reporter, {
        end: 'unknown',
        error: new CloudmasterError(
          ErrorCode.OutcomeUnknown,
          'cloudmaster restarted while it was sending the request: it may or may not have reached the provider.',
          { hint: `Check with \`${status}\` before asking again.` },
        ),
      });
    }
    return this.follow(job, job.operation, reporter);
  }

  private async follow(
    job: StoredJob,
    ref: OperationRef,
    reporter: JobReporter,
  ): Promise<OperationOutcome | undefined> {
    const jobs = this.deps.store.jobs;
    let cancelSent = false;
    let last = job.lastProgress;
    let result: FollowResult;
    try {
      result = await this.deps.dispatcher.follow(ref, {
        deadlineAt: job.deadlineAt,
        timers: this.deps.timers,
        ...(last ? { last } : {}),
        ...(this.deps.signal ? { signal: this.deps.signal } : {}),
        beforePoll: async () => {
          const held = await jobs.renew(job.id, this.owner, this.now(), this.leaseMs);
          if (!held) throw new LeaseLost();
          const by = held.cancelRequestedBy;
          if (cancelSent || !by) return;
          cancelSent = true;
          const asked = { ...job, cancelRequestedBy: by };
          await this.step(job, `cancellation requested by <@${by}>`);
          await reporter.cancelling?.(asked, by);
          await this.sendCancel(asked, ref);
        },
        onProgress: async (progress) => {
          last = progress;
          if (!(await jobs.progressed(job.id, this.owner, progress, this.now(), this.leaseMs)))
            throw new LeaseLost();
          await this.step(job, progress.step);
          await reporter.progressed?.({ ...job, lastProgress: progress }, progress);
        },
      });
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      this.deps.log.warn({ job: job.id }, 'another process took this job over; leaving it to it');
      return undefined;
    }
    if (result.end === 'interrupted') {
      await jobs.release(job.id, this.owner);
      await reporter.paused?.({ ...job, ...(last ? { lastProgress: last } : {}) });
      return undefined;
    }
    return this.end({ ...job, ...(last ? { lastProgress: last } : {}) }, reporter, result, ref);
  }

  /** Sends the cancellation: the provider's own for operations, else a cancel of the stack deployed. */
  private async sendCancel(job: StoredJob, ref: OperationRef): Promise<void> {
    const entry = this.deps.dispatcher.providers.byId(job.provider);
    if (!entry) return;
    try {
      const call = { fresh: true, log: this.deps.log, meter: this.deps.dispatcher.meter };
      await callProvider(entry, call, async (provider, ctx) => {
        if (provider.cancelOperation) return provider.cancelOperation(ref, ctx);
        const stack = job.payload.prepared.plan.resource as Stack | undefined;
        if (job.verb === 'deploy' && provider.cancel && stack) {
          const command = job.payload.prepared.command;
          await provider.cancel(
            stack,
            'environment' in command && command.environment ? { environment: command.environment } : {},
            ctx,
          );
        }
      });
    } catch (error) {
      this.deps.log.warn({ err: error, job: job.id }, 'the provider refused to cancel');
      await this.step(job, `the provider refused to cancel: ${describeError(error).message}`);
    }
  }

  /**
   * The step an end adds, if any: the last progress is a step already, so
   * its words are not recorded twice; an end it does not show (a timeout, a
   * cancellation) is named by its state.
   */
  private endStep(
    result: FollowResult,
    state: FinalJobState,
    detail: string | undefined,
  ): string | undefined {
    if (detail !== undefined && detail !== result.last?.step) return detail;
    if (result.end === 'succeeded' && result.last) return undefined;
    return state.replace('_', ' ');
  }

  /** Records a step; the count is read once per job this process drives, then kept. */
  private async step(job: StoredJob, text: string): Promise<void> {
    const jobs = this.deps.store.jobs;
    const seq = (this.stepCounts.get(job.id) ?? (await jobs.steps(job.id)).length) + 1;
    this.stepCounts.set(job.id, seq);
    await jobs.addStep(job.id, { seq, at: this.now(), text });
  }

  private async end(
    job: StoredJob,
    reporter: JobReporter,
    result: FollowResult,
    ref?: OperationRef,
  ): Promise<OperationOutcome> {
    const { plan } = job.payload.prepared;
    const started = job.startedAt ?? job.createdAt;
    const outcome: OperationOutcome = {
      kind: 'operation',
      plan,
      ...(ref ? { ref } : {}),
      end: result.end,
      ...(result.last ? { last: result.last } : {}),
      ...(result.error === undefined ? {} : { error: result.error }),
      elapsedMs: this.now() - started,
    };
    const state: FinalJobState = result.end === 'interrupted' ? 'failed' : result.end;
    const detail =
      result.error === undefined ? result.last?.step : describeError(result.error, this.deps.log).message;
    const now = this.now();
    const finished = await this.deps.store.jobs.finish(job.id, this.owner, state, detail, now, this.leaseMs);
    if (!finished) {
      this.deps.log.warn({ job: job.id }, 'a job had already ended elsewhere');
      return outcome;
    }
    const endStep = this.endStep(result, state, detail);
    if (endStep !== undefined) await this.step(job, endStep);
    return this.tell({ ...job, state, ...(detail ? { detail } : {}), endedAt: now }, outcome, reporter);
  }

  /**
   * Tells a job's end: into the audit log (unless it is there already), then
   * shown. Until both are done the job stays open under this process's lease,
   * so a process that dies meanwhile leaves it to the next one.
   */
  private tell(job: StoredJob, outcome: OperationOutcome, reporter: JobReporter): Promise<OperationOutcome> {
    const jobs = this.deps.store.jobs;
    return this.keepLease(job.id, async () => {
      let told = outcome;
      if (job.auditedAt === undefined) {
        const unaudited = await this.deps.gatekeeper.finish(job.payload.attempt, outcome, job.id);
        if (unaudited) told = { ...outcome, unaudited };
      }
      if (!(await settlesWithin(this.deps.timers, TELL_LIMIT_MS, reporter.ended?.(job, told)))) {
        // Slack does not take it (down, or rate-limiting for long): the lease lapses and a later sweep tries again.
        this.deps.log.warn(
          { job: job.id },
          'could not show the end of a job in time; it will be tried again',
        );
        return told;
      }
      await jobs.told(job.id, this.now());
      return told;
    });
  }

  /** Runs `work` while this process keeps the job's lease. */
  private keepLease<T>(id: string, work: () => Promise<T>): Promise<T> {
    const { timers, store, log } = this.deps;
    const renew = () => store.jobs.hold(id, this.owner, this.now(), this.leaseMs);
    return keepingLease({ timers, log, leaseMs: this.leaseMs, renew }, id, work);
  }
}

/** The outcome a job that ended was told with, read back from the store (its hint is not kept). */
function endedOutcome(job: StoredJob, now: number): OperationOutcome {
  const end = job.state as FinalJobState;
  const failed = end === 'failed' || end === 'unknown';
  return {
    kind: 'operation',
    plan: job.payload.prepared.plan,
    ...(job.operation ? { ref: job.operation } : {}),
    end,
    ...(job.lastProgress ? { last: job.lastProgress } : {}),
    ...(failed
      ? {
          error: new CloudmasterError(
            end === 'unknown' ? ErrorCode.OutcomeUnknown : ErrorCode.ProviderRejected,
            job.detail ?? `the ${job.verb} ${end === 'unknown' ? 'may or may not have started' : 'failed'}`,
          ),
        }
      : {}),
    elapsedMs: (job.endedAt ?? now) - (job.startedAt ?? job.createdAt),
  };
}
