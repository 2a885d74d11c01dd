/** Jobs in words, shared by Slack and the CLI. */
import { formatDuration } from '../config/duration.ts';
import type { StoredJob } from '../jobs/runner.ts';
import type { JobState } from '../store/jobs.ts';
import { targetPhrase } from './wording.ts';

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

/** Facts of one job: who asked and confirmed, the provider's operation, the deadline; `safe` escapes text that is not a user. */
export function jobFacts(
  job: StoredJob,
  user: (id: string) => string,
  safe: (text: string) => string = (text) => text,
): string[] {
  const { attempt } = job.payload;
  return [
    `requested by ${user(job.requester)}`,
    ...(attempt.confirmed ? [`confirmed by ${user(attempt.confirmed.user)}`] : []),
    ...(attempt.approved ? [`approved by ${user(attempt.approved.user)}`] : []),
    ...(job.operation?.operationId ? [safe(`operation ${job.operation.operationId}`)] : []),
    ...(job.cancelRequestedBy ? [`cancel asked by ${user(job.cancelRequestedBy)}`] : []),
    ...(job.endedAt === undefined
      ? [`time limit ${new Date(job.deadlineAt).toISOString().slice(11, 16)} UTC`]
      : []),
  ];
}
