/**
 * The message a mutation owns: posted when the target is resolved
 * ("Rebooting web-1 on demo…"), then updated in place at each step until
 * the outcome.
 */
import type { KnownBlock } from '@slack/types';
import type { OperationProgress, OperationRef } from '../../../providers/types.ts';
import { formatDuration } from '../../config/duration.ts';
import type { OperationOutcome, OperationPlan } from '../../dispatch/outcome.ts';
import type { Logger } from '../../log/logger.ts';
import type { Signoff } from '../../safety/attempt.ts';
import { describeError, hintWithCandidates } from '../describe-error.ts';
import { planDetails, targetPhrase, verbWords } from '../wording.ts';
import { context, message, type SlackMessage, section } from './message.ts';
import { code, joinMd, type Mrkdwn, md, mention } from './mrkdwn.ts';
import { slackTime } from './time.ts';

export type OperationStage =
  | { readonly stage: 'planned' }
  /** This process stopped following it (a restart); the next one goes on. */
  | { readonly stage: 'paused'; readonly last?: OperationProgress }
  | { readonly stage: 'accepted'; readonly ref: OperationRef }
  | { readonly stage: 'progress'; readonly progress: OperationProgress }
  | { readonly stage: 'final'; readonly outcome: OperationOutcome };

/** What the provider said on accepting ("queued behind deployment 107"), or a plain "request accepted". */
export function acceptedWords(ref: OperationRef): string {
  return ref.accepted ?? 'request accepted';
}

/** Words of the outcome line, shared with the CLI. */
export function outcomeSentence(
  outcome: OperationOutcome,
  log?: Logger,
): { emoji: string; text: string; hint?: string } {
  const { plan } = outcome;
  const words = verbWords(plan);
  const target = targetPhrase(plan);
  const last = outcome.last?.step;
  const took = formatDuration(outcome.elapsedMs);
  const status = `status ${plan.target.name} on ${plan.provider.id}`;
  switch (outcome.end) {
    case 'succeeded':
      return {
        emoji: ':white_check_mark:',
        text: `${target} ${words.done}${last ? `: ${last}` : ''} (took ${took}).`,
      };
    case 'cancelled':
      return {
        emoji: ':no_entry_sign:',
        text: `The ${words.noun} of ${target} was cancelled${last ? `: ${last}` : ''}.`,
      };
    case 'timed_out':
      return {
        emoji: ':warning:',
        text: `The ${words.noun} of ${target} is still not finished after ${took}${last ? `; last seen: ${last}` : ''}.`,
        hint: `Check with ${status}.`,
      };
    case 'interrupted':
      return {
        emoji: ':double_vertical_bar:',
        text: `cloudmaster stopped following the ${words.noun} of ${target} while shutting down${last ? `; last seen: ${last}` : ''}.`,
        hint: `The provider may still be working: check with ${status}.`,
      };
    case 'unknown': {
      const problem = describeError(outcome.error, log);
      return {
        emoji: ':grey_question:',
        text: `The ${words.noun} of ${target} may or may not have started: ${problem.message}`,
        hint: `Check with ${status} before asking again.`,
      };
    }
    case 'failed': {
      const problem = describeError(outcome.error, log);
      const hint = hintWithCandidates(problem);
      return {
        emoji: ':x:',
        text: `The ${words.noun} of ${target} failed: ${problem.message}`,
        ...(hint ? { hint } : {}),
      };
    }
  }
}

/** Said of a change that ran but is missing from the audit log; shared with the CLI. */
export function unauditedWarning(outcome: OperationOutcome): string | undefined {
  if (outcome.unaudited === undefined) return undefined;
  return `This change is not in the audit log: its record could not be written. The record is in the bot’s log under reference ${outcome.unaudited}.`;
}

/** Who asked, and who signed it off, shown on every version of the message. */
export interface Attribution {
  readonly requester: string;
  readonly confirmed?: Signoff;
  readonly approved?: Signoff;
  /** The job that runs it, for `job ID` and `cancel job ID`. */
  readonly jobId?: string;
}

export function attributionFacts(attribution: Attribution | undefined): Mrkdwn[] {
  if (!attribution) return [];
  const facts = [md`requested by ${mention(attribution.requester)}`];
  if (attribution.confirmed)
    facts.push(
      md`confirmed by ${mention(attribution.confirmed.user)} ${slackTime(attribution.confirmed.at)}`,
    );
  if (attribution.approved)
    facts.push(md`approved by ${mention(attribution.approved.user)} ${slackTime(attribution.approved.at)}`);
  if (attribution.jobId) facts.push(md`job ${code(attribution.jobId)}`);
  return facts;
}

export function renderOperation(
  plan: OperationPlan,
  stage: OperationStage,
  attribution?: Attribution,
  log?: Logger,
): SlackMessage {
  const words = verbWords(plan);
  const target = targetPhrase(plan);
  const bold =
    plan.resource?.kind === 'stack'
      ? md`*${plan.target.name}* (${plan.resource.environment}) on ${plan.provider.id}`
      : md`*${plan.target.name}* on ${plan.provider.id}`;
  let line: Mrkdwn;
  let text: Mrkdwn;
  switch (stage.stage) {
    case 'planned':
      line = md`:hourglass_flowing_sand: ${words.doing} ${bold}…`;
      text = md`${words.doing} ${target}…`;
      break;
    case 'accepted':
      line = md`:hourglass_flowing_sand: ${words.doing} ${bold}… ${acceptedWords(stage.ref)}`;
      text = md`${words.doing} ${target}… ${acceptedWords(stage.ref)}`;
      break;
    case 'progress':
      line = md`:arrows_counterclockwise: ${words.doing} ${bold}… ${stage.progress.step}`;
      text = md`${words.doing} ${target}… ${stage.progress.step}`;
      break;
    case 'paused': {
      const seen = stage.last ? md`; last seen: ${stage.last.step}` : md``;
      const job = attribution?.jobId ? md` (job ${attribution.jobId})` : md``;
      text = md`cloudmaster is restarting: it will go on following the ${words.noun} of ${target} when it is back${job}${seen}.`;
      line = md`:double_vertical_bar: ${text}`;
      break;
    }
    case 'final': {
      const sentence = outcomeSentence(stage.outcome, log);
      // The final state names the requester, so the outcome reaches them.
      const who = attribution ? md`${mention(attribution.requester)} ` : md``;
      const warning = unauditedWarning(stage.outcome);
      const tail: Mrkdwn[] = [];
      if (sentence.hint) tail.push(md`${sentence.hint}`);
      if (warning) tail.push(md`:warning: ${warning}`);
      line = md`${sentence.emoji} ${who}${sentence.text}${tail.length > 0 ? md`\n${joinMd(tail, '\n')}` : md``}`;
      const said: string[] = [sentence.text, sentence.hint, warning].filter((part): part is string =>
        Boolean(part),
      );
      text = md`${who}${joinMd(said, ' ')}`;
      break;
    }
  }
  const facts = [
    ...attributionFacts(attribution),
    ...(plan.target.id ? [md`id ${code(plan.target.id)}`] : []),
    ...planDetails(plan).map((detail) => md`${detail}`),
  ];
  const operationId =
    stage.stage === 'accepted'
      ? stage.ref.operationId
      : stage.stage === 'final'
        ? stage.outcome.ref?.operationId
        : undefined;
  if (operationId) facts.push(md`operation ${code(operationId)}`);
  const blocks: KnownBlock[] = [section(line)];
  if (facts.length > 0) blocks.push(context([joinMd(facts, ' · ')]));
  return message(text, blocks);
}
