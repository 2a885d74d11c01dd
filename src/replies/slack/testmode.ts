/** `testmode`: whether it is on, and what turning it on or off means. */
import type { TestmodeAnswer } from '../../safety/watch-answers.ts';
import { context, message, mrkdwnEscape, type SlackMessage, section } from './message.ts';
import { slackTime, utcTime } from './time.ts';

/** `<#C0123>` for a channel id, the name as written otherwise. */
function channelName(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : mrkdwnEscape(channel);
}

export function renderTestmode(answer: TestmodeAnswer): SlackMessage {
  const { state, changed, proof } = answer;

  if (!state.on) {
    const lead = changed ? 'Test mode is off' : 'Test mode is off (it already was)';
    const text = `${lead}: changes run again once confirmed.`;
    return message(text, [section(`:white_check_mark: ${text}`)]);
  }
  const by = state.by ? ` by <@${state.by}>` : '';
  const since = state.at === undefined ? '' : ` (turned on${by} at ${utcTime(state.at)})`;
  const sinceSlack = state.at === undefined ? '' : ` (turned on${by} at ${slackTime(state.at)})`;
  const lead = `Test mode is on${changed ? '' : ', as it already was'}`;
  const meaning =
    'Every change is a dry run: it is asked for and confirmed as always, then says what it would do, and nothing reaches a provider.';
  const proved = !proof
    ? undefined
    : proof.posted
      ? {
          slack: `A test incident was posted in ${channelName(proof.channel)} and resolved, to prove outage notices reach Slack.`,
          text: `A test incident was posted in ${proof.channel} and resolved, to prove outage notices reach Slack.`,
        }
      : {
          slack: `No test incident was posted: ${mrkdwnEscape(proof.reason)}.`,
          text: `No test incident was posted: ${proof.reason}.`,
        };
  return message(
    [`${lead}${since}.`, meaning, proved?.text, '`testmode off` ends it.'].filter(Boolean).join(' '),
    [
      section([`:test_tube: *${lead}${sinceSlack}.* ${meaning}`, proved?.slack].filter(Boolean).join('\n')),
      context(['`testmode off` ends it.']),
    ],
  );
}
