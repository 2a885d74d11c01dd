/**
 * An outage notice and the replies in its thread. The notice shows the
 * platform, title, impact, status, start and link, the incident's ref,
 * who acknowledged it and its ticket, with **Create ticket** and
 * **Acknowledge** while it is open; once resolved it says so, buttons gone.
 * Every message has a `text` fallback with the same facts.
 */
import type { KnownBlock } from '@slack/types';
import type { IncidentImpact } from '../../watch/incident.ts';
import type { NoticeState, NoticeTicket, ResolvedEvent, UpdatedEvent } from '../../watch/notifier.ts';
import type { TrackedIncident } from '../../watch/tracked.ts';
import {
  actions,
  button,
  code,
  context,
  fields,
  message,
  mrkdwnEscape,
  type SlackMessage,
  section,
} from './message.ts';
import { slackTime, utcTime } from './time.ts';

export const OUTAGE_ACTIONS = { ticket: 'outage_ticket', acknowledge: 'outage_acknowledge' } as const;

export const IMPACT_EMOJI: Record<IncidentImpact, string> = {
  critical: ':red_circle:',
  major: ':red_circle:',
  minor: ':large_orange_circle:',
  maintenance: ':wrench:',
  none: ':large_yellow_circle:',
  unknown: ':large_yellow_circle:',
};

const TICKET_SYSTEM: Record<NoticeTicket['system'], string> = {
  github: 'GitHub issue',
  'azure-devops': 'Azure DevOps work item',
};

/** "identified" or "identified (Identified)" when the source's word differs. */
export function incidentStatus(incident: Pick<TrackedIncident, 'status' | 'sourceStatus'>): string {
  return incident.sourceStatus && incident.sourceStatus.toLowerCase() !== incident.status
    ? `${incident.status} (${incident.sourceStatus})`
    : incident.status;
}

export function ticketName(ticket: Pick<NoticeTicket, 'system' | 'id'>): string {
  return `${TICKET_SYSTEM[ticket.system]} ${ticket.id}`;
}

export function link(url: string, label: string): string {
  return url ? `<${url.replace(/[<>|]/g, encodeURIComponent)}|${mrkdwnEscape(label)}>` : mrkdwnEscape(label);
}

function headline(state: NoticeState): string {
  const { incident, platform } = state;
  const emoji = state.resolution ? ':white_check_mark:' : IMPACT_EMOJI[incident.impact];
  const lead = state.resolution ? 'Resolved' : 'Outage';
  return `${emoji} *${lead} — ${mrkdwnEscape(platform.label)}:* ${mrkdwnEscape(incident.title)}`;
}

/** Who acknowledged it, its ticket, its ref: the facts below the notice. */
export function footnotes(state: NoticeState, slack: boolean): string[] {
  const user = (id: string) => (slack ? `<@${id}>` : id);
  const at = (ms: number) => (slack ? slackTime(ms) : utcTime(ms));
  return [
    ...(state.acknowledged
      ? [`acknowledged by ${user(state.acknowledged.by)} at ${at(state.acknowledged.at)}`]
      : []),
    ...(state.ticket
      ? [
          `ticket ${slack ? link(state.ticket.url, ticketName(state.ticket)) : `${ticketName(state.ticket)} ${state.ticket.url}`}`,
        ]
      : []),
    `ref ${slack ? code(state.ref) : state.ref}`,
  ];
}

export function renderNotice(state: NoticeState): SlackMessage {
  const { incident, platform, resolution } = state;
  const started = Date.parse(incident.startedAt);
  const facts: [string, string][] = [
    ['Platform', mrkdwnEscape(platform.label)],
    ['Impact', incident.impact],
    ['Status', mrkdwnEscape(incidentStatus(incident))],
    ['Started', slackTime(started)],
  ];
  if (resolution) facts.push(['Resolved', mrkdwnEscape(resolution.summary.replace(/^resolved /, ''))]);
  if (incident.components.length > 0)
    facts.push(['Affected', mrkdwnEscape(incident.components.slice(0, 12).join(', '))]);
  const notes = footnotes(state, true);
  if (incident.url) notes.unshift(link(incident.url, 'status page'));
  const blocks: KnownBlock[] = [section(headline(state)), ...fields(facts)];
  if (incident.latestUpdate && !resolution)
    blocks.push(section(`> ${mrkdwnEscape(clip(incident.latestUpdate))}`));
  blocks.push(context([notes.join(' · ')]));
  if (!resolution) {
    blocks.push(
      actions(`outage:${state.ref}`, [
        button('Create ticket', OUTAGE_ACTIONS.ticket, state.path),
        button('Acknowledge', OUTAGE_ACTIONS.acknowledge, state.path, 'primary'),
      ]),
    );
  }
  const text = [
    `${resolution ? 'Resolved' : 'Outage'} — ${platform.label}: ${incident.title}.`,
    `Impact ${incident.impact}, status ${incidentStatus(incident)}, started ${utcTime(started)}${resolution ? `, ${resolution.summary}` : ''}.`,
    ...(incident.url ? [incident.url] : []),
    `(${footnotes(state, false).join('; ')})`,
  ].join(' ');
  return message(text, blocks);
}

/** "status investigating → identified, impact minor → major", and the newest update. */
export function renderUpdate(event: UpdatedEvent, state: NoticeState): SlackMessage {
  const { incident, previous } = event;
  const changes = event.changes.flatMap((change) => {
    if (change === 'status') return [`status ${incidentStatus(previous)} → ${incidentStatus(incident)}`];
    if (change === 'impact') return [`impact ${previous.impact} → ${incident.impact}`];
    if (change === 'title') return [`now titled “${incident.title}”`];
    return [];
  });
  const said = event.changes.includes('latestUpdate') ? incident.latestUpdate : undefined;
  const lead = `${state.platform.label}: ${changes.length > 0 ? changes.join(', ') : 'a new update'}`;
  const blocks: KnownBlock[] = [section(`:arrows_counterclockwise: *${mrkdwnEscape(lead)}*`)];
  if (said) blocks.push(section(`> ${mrkdwnEscape(clip(said))}`));
  return message(`${lead}.${said ? ` ${said}` : ''}`, blocks);
}

/** "GitHub: resolved after 1 h 12 min." */
export function renderResolution(event: ResolvedEvent, state: NoticeState): SlackMessage {
  const by = event.by === 'hand' ? state.resolution?.by : undefined;
  const how = by
    ? ` — marked resolved by <@${by}>`
    : event.by === 'absence'
      ? ' — it left the status page'
      : '';
  const lead = `${state.platform.label}: ${event.summary}`;
  return message(`${lead}${how}.`, [section(`:white_check_mark: *${mrkdwnEscape(lead)}*${how}`)]);
}

/** The link of a ticket just opened, in the thread. */
export function renderTicketOpened(state: NoticeState & { readonly ticket: NoticeTicket }): SlackMessage {
  const { ticket } = state;
  return message(`Ticket opened by <@${ticket.by}>: ${ticketName(ticket)} ${ticket.url}`, [
    section(`:ticket: Ticket opened by <@${ticket.by}>: ${link(ticket.url, ticketName(ticket))}`),
  ]);
}

/** The newest update as a quote: one paragraph, never the whole history. */
function clip(text: string): string {
  return text.length > 1_500 ? `${text.slice(0, 1_499)}…` : text;
}
