/** A mutation kept from its provider by test mode: the prompt's message becomes this. */
import type { DryRunOutcome } from '../../safety/testmode.ts';
import { dryRunSentence } from '../dry-run-words.ts';
import { context, message, type SlackMessage, section } from './message.ts';
import { md } from './mrkdwn.ts';

export function renderDryRun(outcome: DryRunOutcome): SlackMessage {
  const { text, hint } = dryRunSentence(outcome.plan);
  return message(md`${text} ${hint.replace(/`/g, '')}`, [
    section(md`:test_tube: ${text}`),
    context([md`${hint}`]),
  ]);
}
