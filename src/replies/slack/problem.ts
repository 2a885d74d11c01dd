/** Usage errors and failures: what went wrong, what to do, and nothing else. */
import type { KnownBlock } from '@slack/types';
import type { ErrorOutcome, UsageOutcome } from '../../dispatch/outcome.ts';
import { usageLine, verbHelp } from '../../grammar/usage.ts';
import type { Logger } from '../../log/logger.ts';
import { describeError } from '../describe-error.ts';
import { code, context, message, mrkdwnEscape, packLines, type SlackMessage, section } from './message.ts';

export function renderUsage(outcome: UsageOutcome, prefix: string): SlackMessage {
  const { error } = outcome;
  const lines = [`:warning: ${mrkdwnEscape(error.message)}`];
  const textLines = [error.message];
  if (error.suggestions.length > 0) {
    const options = error.suggestions.map((s) => code(s)).join(' or ');
    lines.push(`Did you mean ${options}?`);
    textLines.push(`Did you mean ${error.suggestions.join(' or ')}?`);
  }
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  if (error.verb) {
    const help = verbHelp(error.verb);
    const usage = `${prefix}${usageLine(error.verb)}`;
    const example = help.examples[0];
    blocks.push(
      section(`*Usage:* ${code(usage)}${example ? `\n*Example:* ${code(`${prefix}${example}`)}` : ''}`),
    );
    textLines.push(`Usage: ${usage}`);
  }
  blocks.push(context([`${code(`${prefix}help`)} lists every command.`]));
  return message(textLines.join('\n'), blocks);
}

export function renderError(outcome: ErrorOutcome, log?: Logger): SlackMessage {
  const problem = describeError(outcome.error, log);
  const lines = [`:x: ${mrkdwnEscape(problem.message)}`];
  if (problem.hint) lines.push(mrkdwnEscape(problem.hint));
  const blocks: KnownBlock[] = [section(lines.join('\n'))];
  if (problem.candidates.length > 0) {
    const shown = problem.candidates.slice(0, 20);
    const more = problem.candidates.length - shown.length;
    const list = shown.map((candidate) => `• ${mrkdwnEscape(candidate)}`);
    if (more > 0) list.push(`…and ${more} more`);
    blocks.push(...packLines(list));
  }
  const text = [problem.message, problem.hint, ...problem.candidates].filter(Boolean).join('\n');
  return message(text, blocks);
}

/** A one-line notice that is not an error ("restarting, nothing was done"). */
export function renderNotice(emoji: string, text: string): SlackMessage {
  return message(text, [section(`${emoji} ${mrkdwnEscape(text)}`)]);
}
