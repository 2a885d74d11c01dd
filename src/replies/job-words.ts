/** Jobs in words, shared by Slack and the CLI. */
import { formatDuration } from '../config/duration.ts';
import type { StoredJob } from '../jobs/runner.ts';
import type { JobState } from '../store/jobs.ts';
import { targetPhrase } from './wording.ts';
import type { Writer } from './writer.ts';

export const JOB_STATE_EMOJI: Record<JobState, string> = {
  queued: ':hourglass_flowing_sand:',
  sending: ':hourglass_flowing_sand:',
  running: ':arrows_counterclockwise:',
  succeeded: ':white_check_mark:',
  failed: ':x:',
  cancelled: ':no_entry_sign:',
  timed_out: ':warning:',
  unknown: ':grey_question:',
};

/** "reboot web-1 on demo". */
export function jobPhrase(job: StoredJob): string {
  return `${job.verb} ${targetPhrase(job.payload.prepared.plan)}`;
}

/** "running 42 s", "succeeded after 1 min 3 s". */
export function jobStateWords(job: StoredJob, now: number): string {
  const state = job.state === 'unknown' ? 'outcome unknown' : job.state.replace('_', ' ');
  const from = job.startedAt ?? job.createdAt;
  if (job.endedAt !== undefined) return `${state} after ${formatDuration(job.endedAt - from)}`;
  return `${state} for ${formatDuration(now - from)}`;
}

/** Facts of one job: who asked and confirmed, the provider's operation, the deadline. */
export function jobFacts<T>(job: StoredJob, w: Writer<T>): T[] {
  const { attempt } = job.payload;
  return [
    w`requested by ${w.user(job.requester)}`,
    ...(attempt.confirmed ? [w`confirmed by ${w.user(attempt.confirmed.user)}`] : []),
    ...(attempt.approved ? [w`approved by ${w.user(attempt.approved.user)}`] : []),
    ...(job.operation?.operationId ? [w`operation ${job.operation.operationId}`] : []),
    ...(job.cancelRequestedBy ? [w`cancel asked by ${w.user(job.cancelRequestedBy)}`] : []),
    ...(job.endedAt === undefined
      ? [w`time limit ${new Date(job.deadlineAt).toISOString().slice(11, 16)} UTC`]
      : []),
  ];
}
