/** A mutation kept from its provider by test mode: the prompt's message becomes this. */
import type { DryRunOutcome } from '../../safety/testmode.ts';
import { dryRunSentence } from '../dry-run-words.ts';
import { context, message, mrkdwnEscape, type SlackMessage, section } from './message.ts';

export function renderDryRun(outcome: DryRunOutcome): SlackMessage {
  const { text, hint } = dryRunSentence(outcome.plan);
  return message(`${text} ${hint.replace(/`/g, '')}`, [
    section(`:test_tube: ${mrkdwnEscape(text)}`),
    context([hint]),
  ]);
}
