/** Usage errors and failures: what went wrong, what to do, and nothing else. */
import type { KnownBlock } from '@slack/types';
import type { ErrorOutcome, UsageOutcome } from '../../dispatch/outcome.ts';
import { usageLine, verbHelp } from '../../grammar/usage.ts';
import type { Logger } from '../../log/logger.ts';
import { describeError } from '../describe-error.ts';
import { code, context, message, packLines, type SlackMessage, section } from './message.ts';
import { joinMd, type Mrkdwn, md } from './mrkdwn.ts';

export function renderUsage(outcome: UsageOutcome, prefix: string): SlackMessage {
  const { error } = outcome;
  const lines = [md`:warning: ${error.message}`];
  const textLines: Mrkdwn[] = [md`${error.message}`];
  if (error.suggestions.length > 0) {
    lines.push(md`Did you mean ${joinMd(error.suggestions.map(code), ' or ')}?`);
    textLines.push(md`Did you mean ${error.suggestions.join(' or ')}?`);
  }
  const blocks: KnownBlock[] = [section(joinMd(lines, '\n'))];
  if (error.verb) {
    const help = verbHelp(error.verb);
    const usage = `${prefix}${usageLine(error.verb)}`;
    const example = help.examples[0];
    blocks.push(
      section(
        example
          ? md`*Usage:* ${code(usage)}\n*Example:* ${code(`${prefix}${example}`)}`
          : md`*Usage:* ${code(usage)}`,
      ),
    );
    textLines.push(md`Usage: ${usage}`);
  }
  blocks.push(context([md`${code(`${prefix}help`)} lists every command.`]));
  return message(joinMd(textLines, '\n'), blocks);
}

export function renderError(outcome: ErrorOutcome, log?: Logger): SlackMessage {
  const problem = describeError(outcome.error, log);
  const lines = [md`:x: ${problem.message}`];
  if (problem.hint) lines.push(md`${problem.hint}`);
  const blocks: KnownBlock[] = [section(joinMd(lines, '\n'))];
  if (problem.candidates.length > 0) {
    const shown = problem.candidates.slice(0, 20);
    const more = problem.candidates.length - shown.length;
    const list = shown.map((candidate) => md`• ${candidate}`);
    if (more > 0) list.push(md`…and ${more} more`);
    blocks.push(...packLines(list));
  }
  const text = [problem.message, problem.hint, ...problem.candidates].filter((part): part is string =>
    Boolean(part),
  );
  return message(joinMd(text, '\n'), blocks);
}

/** A one-line notice that is not an error ("restarting, nothing was done"). */
export function renderNotice(emoji: string, text: string): SlackMessage {
  return message(md`${text}`, [section(md`${emoji} ${text}`)]);
}
