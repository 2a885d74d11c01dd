/** The `status` reply: every known fact of one machine or stack. */
import type { KnownBlock } from '@slack/types';
import type { ResourceOutcome } from '../../dispatch/outcome.ts';
import { describeError } from '../describe-error.ts';
import { resourceFacts } from '../resource-facts.ts';
import { cachedNote, MACHINE_STATUS_EMOJI, STACK_STATUS_EMOJI } from '../wording.ts';
import { context, fields, header, message, type SlackMessage } from './message.ts';
import { joinMd, md } from './mrkdwn.ts';

export function renderResource(outcome: ResourceOutcome): SlackMessage {
  const { resource } = outcome;
  const emoji =
    resource.kind === 'machine' ? MACHINE_STATUS_EMOJI[resource.status] : STACK_STATUS_EMOJI[resource.status];
  const facts = resourceFacts(resource);
  const title = resource.kind === 'stack' ? `${resource.name} (${resource.environment})` : resource.name;
  const blocks: KnownBlock[] = [
    header(`${title} on ${outcome.provider.id}`),
    ...fields(
      facts.map(([label, value], index) => [label, index === 0 ? md`${emoji} ${value}` : md`${value}`]),
    ),
  ];
  const notes = outcome.unanswered.map(
    ({ provider, error }) => md`:warning: ${provider.id} could not be asked: ${describeError(error).message}`,
  );
  const cached = cachedNote(outcome.cachedAgeMs);
  if (cached) notes.push(md`${cached}; add \`--fresh\` to ask ${outcome.provider.id} now`);
  if (notes.length > 0) blocks.push(context(notes));
  const said = joinMd(
    facts.map(([label, value]) => md`${label.toLowerCase()} ${value}`),
    ', ',
  );
  const text = md`${title} on ${outcome.provider.id}: ${said}${cached ? ` (${cached})` : ''}`;
  return message(text, blocks);
}
