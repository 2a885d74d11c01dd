/** `whoami` and `can-i`, only for the person who asked. */
import type { CanIAnswer, Rights } from '../../safety/rights.ts';
import { canILines, DEFAULT_POLICY_WORDS, rightLines } from '../rights-words.ts';
import {
  code,
  context,
  header,
  message,
  mrkdwnEscape,
  packLines,
  type SlackMessage,
  section,
} from './message.ts';

export function renderRights(rights: Rights): SlackMessage {
  const who = `You are <@${rights.subject.user}>${rights.groups.length > 0 ? `, in ${rights.groups.map((g) => code(g)).join(', ')}` : ''}; here is ${rights.subject.channel === 'cli' ? 'the terminal' : `<#${rights.subject.channel}>`}.`;
  const intro = rights.configured
    ? 'What the policy in cloudmaster.yml lets you run here (first matching rule wins; what no rule allows is denied):'
    : DEFAULT_POLICY_WORDS;
  const lines = rightLines(rights);
  return message([who.replace(/<[@#]([A-Z0-9]+)>/g, '$1'), intro, ...lines].join('\n'), [
    header('whoami'),
    section(`${who}\n${intro}`),
    ...packLines(lines.map((line) => `• ${mrkdwnEscape(line)}`)),
    context(['`can-i VERB NAME [on PROVIDER]` answers for one command.']),
  ]);
}

export function renderCanI(answer: CanIAnswer): SlackMessage {
  const asked = answer.command.raw;
  const lines = canILines(answer);
  return message(`can-i ${asked}\n${lines.join('\n')}`, [
    section(`*can-i* ${code(asked)}`),
    ...packLines(lines.map((line) => `• ${mrkdwnEscape(line)}`)),
    context(['Nothing was run. `whoami` shows all your rights.']),
  ]);
}
