/** `jobs`, `job ID` and `cancel job ID` in Slack. */
import type { KnownBlock } from '@slack/types';
import type { CancelAnswer, StoredJob } from '../../jobs/runner.ts';
import type { JobStep } from '../../store/jobs.ts';
import { JOB_STATE_EMOJI, jobFacts, jobPhrase, jobStateWords } from '../job-words.ts';
import { plural } from '../wording.ts';
import { slackWriter, type Writer } from '../writer.ts';
import { context, header, message, packLines, type SlackMessage, section } from './message.ts';
import { code, joinMd, link, md, mention } from './mrkdwn.ts';
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
    const url = jobLink(job, workspaceUrl);
    return md`${JOB_STATE_EMOJI[job.state]} ${code(job.id)} ${jobPhrase(job)} — ${jobStateWords(job, now)} — ${mention(job.requester)} ${slackTime(job.createdAt)}${url ? md` — ${link(url, 'message')}` : ''}`;
  });
  const notes = [md`\`job ID\` shows one job’s steps; \`cancel job ID\` cancels one where its provider can.`];
  if (hidden > 0)
    notes.unshift(md`${plural(hidden, 'job')} not shown: the policy does not let you see their targets.`);
  const blocks: KnownBlock[] = [
    header(title),
    ...packLines(lines.length > 0 ? lines : [md`_No jobs yet._`]),
    context(notes),
  ];
  const text = joinMd(
    [md`${title}`, ...jobs.map((job) => md`${job.id} ${jobPhrase(job)}: ${jobStateWords(job, now)}`)],
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
  const url = jobLink(job, workspaceUrl);
  const title = `job ${job.id}: ${jobPhrase(job)}`;
  const stepLines = steps.map((step) => md`${slackTime(step.at)} ${step.text}`);
  const state = md`${JOB_STATE_EMOJI[job.state]} *${jobStateWords(job, now)}*${job.detail ? md` — ${job.detail}` : ''}`;
  const blocks: KnownBlock[] = [
    header(title),
    section(url ? md`${state}\n${link(url, 'Its message')}` : state),
    context([joinMd(jobFacts(job, slackWriter), ' · ')]),
    ...packLines(stepLines.length > 0 ? stepLines : [md`_No steps yet._`]),
  ];
  const text = joinMd(
    [
      md`${title}: ${jobStateWords(job, now)}${job.detail ? ` (${job.detail})` : ''}`,
      ...steps.map((step) => md`${step.text}`),
    ],
    '\n',
  );
  return message(text, blocks);
}

/** What a `cancel job ID` came to, for Slack or the terminal. */
export function jobCancelWords<T>(answer: CancelAnswer, w: Writer<T>): T {
  switch (answer.kind) {
    case 'requested':
      return w`Cancelling job ${answer.job.id} (${jobPhrase(answer.job)}); its message will say when it has stopped.`;
    case 'unknown':
      return w`There is no such job; \`jobs\` lists them.`;
    case 'ended':
      return w`Job ${answer.job.id} (${jobPhrase(answer.job)}) has already ended: ${answer.job.state.replace('_', ' ')}.`;
    case 'already':
      return w`Job ${answer.job.id} is already being cancelled (asked by ${answer.job.cancelRequestedBy ? w.user(answer.job.cancelRequestedBy) : 'someone'}).`;
    case 'not_cancellable':
      return w`Job ${answer.job.id} (${jobPhrase(answer.job)}) cannot be cancelled: ${answer.reason}.`;
  }
}

export function renderJobCancel(answer: CancelAnswer): SlackMessage {
  const emoji = answer.kind === 'requested' ? ':no_entry_sign:' : ':information_source:';
  const words = jobCancelWords(answer, slackWriter);
  return message(words, [section(md`${emoji} ${words}`)]);
}
