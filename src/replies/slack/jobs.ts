/** `jobs`, `job ID` and `cancel job ID` in Slack. */
import type { KnownBlock } from '@slack/types';
import type { CancelAnswer, StoredJob } from '../../jobs/runner.ts';
import type { JobStep } from '../../store/jobs.ts';
import { JOB_STATE_EMOJI, jobFacts, jobPhrase, jobStateWords } from '../job-words.ts';
import { plural } from '../wording.ts';
import {
  code,
  context,
  header,
  message,
  mrkdwnEscape,
  packLines,
  type SlackMessage,
  section,
} from './message.ts';
import { slackTime } from './time.ts';

/** A link to the message a job owns, when the workspace's address is known. */
export function jobLink(job: StoredJob, workspaceUrl: string | undefined): string | undefined {
  if (!workspaceUrl || !job.message) return undefined;
  return `${workspaceUrl.replace(/\/$/, '')}/archives/${job.message.channel}/p${job.message.ts.replace('.', '')}`;
}

export function renderJobs(
  jobs: readonly StoredJob[],
  hidden: number,
  now: number,
  workspaceUrl?: string,
): SlackMessage {
  const running = jobs.filter((job) => job.endedAt === undefined).length;
  const title = `Jobs: ${running} running, ${plural(jobs.length - running, 'recent one', 'recent ones')}`;
  const lines = jobs.map((job) => {
    const link = jobLink(job, workspaceUrl);
    return `${JOB_STATE_EMOJI[job.state]} ${code(job.id)} ${mrkdwnEscape(jobPhrase(job))} — ${mrkdwnEscape(jobStateWords(job, now))} — <@${job.requester}> ${slackTime(job.createdAt)}${link ? ` — <${link}|message>` : ''}`;
  });
  const notes = ['`job ID` shows one job’s steps; `cancel job ID` cancels one where its provider can.'];
  if (hidden > 0)
    notes.unshift(`${plural(hidden, 'job')} not shown: the policy does not let you see their targets.`);
  const blocks: KnownBlock[] = [
    header(title),
    ...packLines(lines.length > 0 ? lines : ['_No jobs yet._']),
    context(notes),
  ];
  const text = [title, ...jobs.map((job) => `${job.id} ${jobPhrase(job)}: ${jobStateWords(job, now)}`)].join(
    '\n',
  );
  return message(text, blocks);
}

export function renderJob(
  job: StoredJob,
  steps: readonly JobStep[],
  now: number,
  workspaceUrl?: string,
): SlackMessage {
  const link = jobLink(job, workspaceUrl);
  const title = `job ${job.id}: ${jobPhrase(job)}`;
  const facts = jobFacts(job, (id) => `<@${id}>`).map((fact) =>
    fact.startsWith('requested') || fact.includes(' by ') ? fact : mrkdwnEscape(fact),
  );
  const stepLines = steps.map((step) => `${slackTime(step.at)} ${mrkdwnEscape(step.text)}`);
  const blocks: KnownBlock[] = [
    header(title),
    section(
      `${JOB_STATE_EMOJI[job.state]} *${mrkdwnEscape(jobStateWords(job, now))}*${job.detail ? ` — ${mrkdwnEscape(job.detail)}` : ''}${link ? `\n<${link}|Its message>` : ''}`,
    ),
    context([facts.join(' · ')]),
    ...packLines(stepLines.length > 0 ? stepLines : ['_No steps yet._']),
  ];
  const text = [
    `${title}: ${jobStateWords(job, now)}${job.detail ? ` (${job.detail})` : ''}`,
    ...steps.map((step) => step.text),
  ].join('\n');
  return message(text, blocks.slice(0, 50));
}

/** What a `cancel job ID` came to; `user` names users, `safe` escapes the rest (job phrases hold names). */
export function jobCancelWords(
  answer: CancelAnswer,
  user: (id: string) => string = (id) => id,
  safe: (text: string) => string = (text) => text,
): string {
  switch (answer.kind) {
    case 'requested':
      return `Cancelling job ${answer.job.id} (${safe(jobPhrase(answer.job))}); its message will say when it has stopped.`;
    case 'unknown':
      return 'There is no such job; `jobs` lists them.';
    case 'ended':
      return `Job ${answer.job.id} (${safe(jobPhrase(answer.job))}) has already ended: ${answer.job.state.replace('_', ' ')}.`;
    case 'already':
      return `Job ${answer.job.id} is already being cancelled (asked by ${answer.job.cancelRequestedBy ? user(answer.job.cancelRequestedBy) : 'someone'}).`;
    case 'not_cancellable':
      return `Job ${answer.job.id} (${safe(jobPhrase(answer.job))}) cannot be cancelled: ${safe(answer.reason)}.`;
  }
}

export function renderJobCancel(answer: CancelAnswer): SlackMessage {
  const emoji = answer.kind === 'requested' ? ':no_entry_sign:' : ':information_source:';
  return message(
    jobCancelWords(answer, (id) => `<@${id}>`),
    [section(`${emoji} ${jobCancelWords(answer, (id) => `<@${id}>`, mrkdwnEscape)}`)],
  );
}
