/** `whoami` and `can-i`, only for the person who asked. */
import type { CanIAnswer, Rights } from '../../safety/rights.ts';
import { canILines, DEFAULT_POLICY_WORDS, rightLines } from '../rights-words.ts';
import { context, header, message, packLines, type SlackMessage, section } from './message.ts';
import { channelLink, code, joinMd, md, mention } from './mrkdwn.ts';

export function renderRights(rights: Rights): SlackMessage {
  const { user, channel } = rights.subject;
  const groups = rights.groups;
  const here = channel === 'cli' ? md`the terminal` : channelLink(channel);
  const who =
    groups.length > 0
      ? md`You are ${mention(user)}, in ${joinMd(groups.map(code), ', ')}; here is ${here}.`
      : md`You are ${mention(user)}; here is ${here}.`;
  const whoText =
    groups.length > 0
      ? md`You are ${user}, in ${groups.join(', ')}; here is ${channel === 'cli' ? 'the terminal' : channel}.`
      : md`You are ${user}; here is ${channel === 'cli' ? 'the terminal' : channel}.`;
  const intro = rights.configured
    ? md`What the policy in cloudmaster.yml lets you run here (first matching rule wins; what no rule allows is denied):`
    : md`${DEFAULT_POLICY_WORDS}`;
  const lines = rightLines(rights);
  return message(joinMd([whoText, intro, ...lines], '\n'), [
    header('whoami'),
    section(md`${who}\n${intro}`),
    ...packLines(lines.map((line) => md`• ${line}`)),
    context([md`\`can-i VERB NAME [on PROVIDER]\` answers for one command.`]),
  ]);
}

export function renderCanI(answer: CanIAnswer): SlackMessage {
  const asked = answer.command.raw;
  const lines = canILines(answer);
  return message(joinMd([md`can-i ${asked}`, ...lines], '\n'), [
    section(md`*can-i* ${code(asked)}`),
    ...packLines(lines.map((line) => md`• ${line}`)),
    context([md`Nothing was run. \`whoami\` shows all your rights.`]),
  ]);
}
