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
import { clip, LIMITS } from './limits.ts';
import { actions, button, context, fields, message, type SlackMessage, section } from './message.ts';
import { code, joinMd, link, type Mrkdwn, md, mention } from './mrkdwn.ts';
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

function headline(state: NoticeState): Mrkdwn {
  const { incident, platform } = state;
  const emoji = state.resolution ? ':white_check_mark:' : IMPACT_EMOJI[incident.impact];
  const lead = state.resolution ? 'Resolved' : 'Outage';
  return md`${emoji} *${lead} — ${platform.label}:* ${incident.title}`;
}

/** Who acknowledged it, its ticket, its ref: the facts below the notice; `slack` for blocks, else for the fallback text. */
export function footnotes(state: NoticeState, slack: boolean): Mrkdwn[] {
  const user = (id: string) => (slack ? mention(id) : md`${id}`);
  const at = (ms: number) => (slack ? slackTime(ms) : md`${utcTime(ms)}`);
  const { acknowledged, ticket } = state;
  return [
    ...(acknowledged ? [md`acknowledged by ${user(acknowledged.by)} at ${at(acknowledged.at)}`] : []),
    ...(ticket
      ? [
          slack
            ? md`ticket ${link(ticket.url, ticketName(ticket))}`
            : md`ticket ${ticketName(ticket)} ${ticket.url}`,
        ]
      : []),
    slack ? md`ref ${code(state.ref)}` : md`ref ${state.ref}`,
  ];
}

/** What the notice's buttons carry: the incident's path, or its ref when the source's key is too long for a button. */
export function buttonValue(state: Pick<NoticeState, 'path' | 'ref'>): string {
  return state.path.length <= LIMITS.buttonValue ? state.path : state.ref;
}

/** An incident's newest update as a quote: one paragraph, never the whole history. */
function quote(update: string): Mrkdwn {
  return md`> ${clip(update, LIMITS.echoed)}`;
}

export function renderNotice(state: NoticeState): SlackMessage {
  const { incident, platform, resolution } = state;
  const started = Date.parse(incident.startedAt);
  const facts: [string, Mrkdwn][] = [
    ['Platform', md`${platform.label}`],
    ['Impact', md`${incident.impact}`],
    ['Status', md`${incidentStatus(incident)}`],
    ['Started', slackTime(started)],
  ];
  if (resolution) facts.push(['Resolved', md`${resolution.summary.replace(/^resolved /, '')}`]);
  if (incident.components.length > 0)
    facts.push(['Affected', md`${incident.components.slice(0, 12).join(', ')}`]);
  const notes = footnotes(state, true);
  if (incident.url) notes.unshift(link(incident.url, 'status page'));
  const blocks: KnownBlock[] = [section(headline(state)), ...fields(facts)];
  if (incident.latestUpdate && !resolution) blocks.push(section(quote(incident.latestUpdate)));
  blocks.push(context([joinMd(notes, ' · ')]));
  if (!resolution) {
    const value = buttonValue(state);
    blocks.push(
      actions(`outage:${state.ref}`, [
        button('Create ticket', OUTAGE_ACTIONS.ticket, value),
        button('Acknowledge', OUTAGE_ACTIONS.acknowledge, value, 'primary'),
      ]),
    );
  }
  const text = md`${resolution ? 'Resolved' : 'Outage'} — ${platform.label}: ${incident.title}. Impact ${incident.impact}, status ${incidentStatus(incident)}, started ${utcTime(started)}${resolution ? `, ${resolution.summary}` : ''}.${incident.url ? md` ${incident.url}` : ''} (${joinMd(footnotes(state, false), '; ')})`;
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
  const lead = md`${state.platform.label}: ${changes.length > 0 ? joinMd(changes, ', ') : 'a new update'}`;
  const blocks: KnownBlock[] = [section(md`:arrows_counterclockwise: *${lead}*`)];
  if (said) blocks.push(section(quote(said)));
  return message(said ? md`${lead}. ${clip(said, LIMITS.echoed)}` : md`${lead}.`, blocks);
}

/** "GitHub: resolved after 1 h 12 min." */
export function renderResolution(event: ResolvedEvent, state: NoticeState): SlackMessage {
  const by = event.by === 'hand' ? state.resolution?.by : undefined;
  const how = by
    ? md` — marked resolved by ${mention(by)}`
    : event.by === 'absence'
      ? md` — it left the status page`
      : md``;
  const lead = md`${state.platform.label}: ${event.summary}`;
  return message(md`${lead}${how}.`, [section(md`:white_check_mark: *${lead}*${how}`)]);
}

/** The link of a ticket just opened, in the thread. */
export function renderTicketOpened(state: NoticeState & { readonly ticket: NoticeTicket }): SlackMessage {
  const { ticket } = state;
  const by = mention(ticket.by);
  return message(md`Ticket opened by ${by}: ${ticketName(ticket)} ${ticket.url}`, [
    section(md`:ticket: Ticket opened by ${by}: ${link(ticket.url, ticketName(ticket))}`),
  ]);
}
