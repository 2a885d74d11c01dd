/**
 * A job as Slack shows it: the message it owns, updated in place at each
 * step (throttled, 429-aware, reposted if deleted — see ThrottledMessage),
 * ending with the outcome and the requester's name. Where the bot could only
 * answer through a response_url, that handle is updated instead.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { JobReporter, StoredJob } from '../jobs/runner.ts';
import { type MessageTransport, ThrottledMessage } from '../jobs/throttled-message.ts';
import type { Redactor } from '../log/redact.ts';
import { type Attribution, renderOperation } from '../replies/slack/operation.ts';
import type { JobMessage } from '../store/jobs.ts';
import type { Store } from '../store/store.ts';
import type { Timers } from '../timers.ts';
import type { MessageHandle } from './replier.ts';
import { fallingBack } from './slack-errors.ts';

export interface JobMessagesDeps {
  /** A client that rejects rate-limited calls instead of retrying them, so the latest state is what is sent. */
  readonly client: WebClient;
  readonly redactor: Redactor;
  readonly store: Store;
  readonly timers: Timers;
  readonly log: Logger;
}

export function jobAttribution(job: StoredJob): Attribution {
  const { attempt } = job.payload;
  return {
    requester: attempt.origin.user,
    ...(attempt.confirmed ? { confirmed: attempt.confirmed } : {}),
    ...(attempt.approved ? { approved: attempt.approved } : {}),
    jobId: job.id,
  };
}

/**
 * Chat.update on the job's message — through the handle it was answered
 * with once Slack says the bot cannot reach it (a response_url) — and a
 * deleted one posted again, its new place stored.
 */
function messageTransport(
  deps: JobMessagesDeps,
  jobId: string,
  first: JobMessage,
  fallback: MessageHandle | undefined,
): MessageTransport {
  let where = first;
  return {
    update: fallingBack(
      async (message) => {
        await deps.client.chat.update({
          channel: where.channel,
          ts: where.ts,
          ...deps.redactor.deep(message),
        });
      },
      fallback ? (message) => fallback.update(message) : undefined,
    ),
    repost: async (message) => {
      const posted = await deps.client.chat.postMessage({
        channel: where.channel,
        ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
        ...deps.redactor.deep(message),
      });
      where = { ...where, ts: String(posted.ts) };
      await deps.store.jobs.setMessage(jobId, where);
    },
  };
}

export interface SlackJobReporter extends JobReporter {
  /** Resolves once the last state shown has reached Slack. */
  settle(): Promise<void>;
}

/** The reporter of one job: its own message where it has one, else the handle it was answered through. */
export function slackJobReporter(
  deps: JobMessagesDeps,
  job: StoredJob,
  fallback?: MessageHandle,
): SlackJobReporter {
  const transport: MessageTransport | undefined = job.message
    ? messageTransport(deps, job.id, job.message, fallback)
    : fallback
      ? { update: (message) => fallback.update(message) }
      : undefined;
  const message = transport
    ? new ThrottledMessage(transport, deps.timers, deps.log.child({ job: job.id }))
    : undefined;
  const plan = job.payload.prepared.plan;
  const attribution = jobAttribution(job);
  return {
    accepted: (_job, ref) => message?.show(renderOperation(plan, { stage: 'accepted', ref }, attribution)),
    progressed: (_job, progress) =>
      message?.show(renderOperation(plan, { stage: 'progress', progress }, attribution)),
    cancelling: () =>
      message?.show(
        renderOperation(
          plan,
          { stage: 'progress', progress: { state: 'running', step: 'cancelling' } },
          attribution,
        ),
      ),
    paused: (paused) =>
      message?.show(
        renderOperation(
          plan,
          { stage: 'paused', ...(paused.lastProgress ? { last: paused.lastProgress } : {}) },
          attribution,
        ),
      ),
    // The job stays open until its end has reached Slack (or been given up on).
    ended: async (_job, outcome) => {
      message?.show(renderOperation(plan, { stage: 'final', outcome }, attribution, deps.log));
      await message?.settle();
    },
    settle: () => message?.settle() ?? Promise.resolve(),
  };
}
