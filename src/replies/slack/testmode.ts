/** `testmode`: whether it is on, and what turning it on or off means. */
import type { TestmodeAnswer } from '../../safety/watch-answers.ts';
import { context, message, type SlackMessage, section } from './message.ts';
import { channelLink, joinMd, md, mention } from './mrkdwn.ts';
import { slackTime, utcTime } from './time.ts';

export function renderTestmode(answer: TestmodeAnswer): SlackMessage {
  const { state, changed, proof } = answer;

  if (!state.on) {
    const lead = changed ? 'Test mode is off' : 'Test mode is off (it already was)';
    const text = md`${lead}: changes run again once confirmed.`;
    return message(text, [section(md`:white_check_mark: ${text}`)]);
  }
  const by = state.by ? md` by ${mention(state.by)}` : md``;
  const since = state.at === undefined ? md`` : md` (turned on${by} at ${utcTime(state.at)})`;
  const sinceSlack = state.at === undefined ? md`` : md` (turned on${by} at ${slackTime(state.at)})`;
  const lead = `Test mode is on${changed ? '' : ', as it already was'}`;
  const meaning =
    'Every change is a dry run: it is asked for and confirmed as always, then says what it would do, and nothing reaches a provider.';
  const proved = !proof
    ? undefined
    : proof.posted
      ? {
          slack: md`A test incident was posted in ${channelLink(proof.channel)} and resolved, to prove outage notices reach Slack.`,
          text: md`A test incident was posted in ${proof.channel} and resolved, to prove outage notices reach Slack.`,
        }
      : {
          slack: md`No test incident was posted: ${proof.reason}.`,
          text: md`No test incident was posted: ${proof.reason}.`,
        };
  const off = md`\`testmode off\` ends it.`;
  return message(joinMd([md`${lead}${since}.`, meaning, ...(proved ? [proved.text] : []), off], ' '), [
    section(
      proved
        ? md`:test_tube: *${lead}${sinceSlack}.* ${meaning}\n${proved.slack}`
        : md`:test_tube: *${lead}${sinceSlack}.* ${meaning}`,
    ),
    context([off]),
  ]);
}
