/**
 * The outage watch's answers as Slack messages, and who sees each: what a
 * channel should know (open incidents, a check, health, test mode switched)
 * is public; what only concerns the asker (an acknowledgement, a ticket, a
 * resolution — whose news is in the notice's thread — a denial) is theirs.
 */
import type { Logger } from 'pino';
import { renderDenied } from '../replies/slack/confirmation.ts';
import { renderHealth } from '../replies/slack/health.ts';
import type { SlackMessage } from '../replies/slack/message.ts';
import {
  renderAcknowledged,
  renderCheck,
  renderOutages,
  renderResolved,
  renderTicket,
} from '../replies/slack/outages.ts';
import { renderError } from '../replies/slack/problem.ts';
import { renderTestmode } from '../replies/slack/testmode.ts';
import type { WatchAnswer, WatchRefusal } from '../safety/watch-answers.ts';

export type Audience = 'public' | 'asker';

export function renderWatchAnswer(
  answer: WatchAnswer | WatchRefusal,
  log: Logger,
): { readonly message: SlackMessage; readonly audience: Audience } {
  switch (answer.kind) {
    case 'denied':
      return { message: renderDenied(answer.reason, answer.what), audience: 'asker' };
    case 'error':
      return { message: renderError(answer, log), audience: 'asker' };
    case 'outages':
      return { message: renderOutages(answer), audience: 'public' };
    case 'check':
      return { message: renderCheck(answer), audience: 'public' };
    case 'health':
      return { message: renderHealth(answer), audience: 'public' };
    case 'testmode':
      return { message: renderTestmode(answer), audience: answer.changed ? 'public' : 'asker' };
    case 'resolved':
      return { message: renderResolved(answer), audience: 'asker' };
    case 'acknowledged':
      return { message: renderAcknowledged(answer), audience: 'asker' };
    case 'ticket':
      return { message: renderTicket(answer), audience: 'asker' };
  }
}
