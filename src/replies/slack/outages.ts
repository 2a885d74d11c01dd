/**
 * Replies to the outage watch's commands: the open incidents (`outages`),
 * what a poll found (`check`), and what `resolve`, `acknowledge` and
 * `ticket` (typed or clicked) did. Each carries the same facts in `text`.
 */
import type {
  AcknowledgedAnswer,
  CheckAnswer,
  OutagesAnswer,
  ResolvedAnswer,
  TicketAnswer,
} from '../../safety/watch-answers.ts';
import { isOpen } from '../../watch/incident.ts';
import { plural } from '../wording.ts';
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
import { footnotes, IMPACT_EMOJI, incidentStatus, link, ticketName } from './outage-notice.ts';
import { slackTime, utcTime } from './time.ts';

const NOT_WATCHING =
  'No status pages are watched: add a watch: section to cloudmaster.yml (docs/outage-watch.md).';

export function renderOutages(answer: OutagesAnswer): SlackMessage {
  if (answer.watched === 0) return message(NOT_WATCHING, [section(`:information_source: ${NOT_WATCHING}`)]);
  const pages = plural(answer.watched, 'watched status page');
  if (answer.incidents.length === 0) {
    const text = `No incidents are open on the ${pages}.`;
    return message(text, [section(`:white_check_mark: ${text}`)]);
  }
  const title = `${plural(answer.incidents.length, 'incident')} open on the ${pages}`;
  const lines = answer.incidents.map(({ state }) => {
    const { incident, platform } = state;
    const since = slackTime(Date.parse(incident.startedAt));
    const facts = [
      incident.impact,
      mrkdwnEscape(incidentStatus(incident)),
      `since ${since}`,
      ...footnotes(state, true),
    ];
    return `${IMPACT_EMOJI[incident.impact]} *${mrkdwnEscape(platform.label)}* — ${link(incident.url, incident.title)}\n      ${facts.join(' · ')}`;
  });
  const textLines = answer.incidents.map(({ state }) => {
    const { incident, platform } = state;
    const facts = [
      incident.impact,
      incidentStatus(incident),
      `since ${utcTime(Date.parse(incident.startedAt))}`,
      ...footnotes(state, false),
    ];
    return `${platform.label}: ${incident.title} (${facts.join('; ')})`;
  });
  return message([`${title}:`, ...textLines].join('\n'), [
    header(title),
    ...packLines(lines),
    context([`${code('resolve REF')} marks one resolved; ${code('ack REF')} says you are on it.`]),
  ]);
}

export function renderCheck(answer: CheckAnswer): SlackMessage {
  const lines: string[] = [];
  const textLines: string[] = [];
  for (const { label, reading } of answer.results) {
    if (!reading.ok) {
      lines.push(`:x: *${mrkdwnEscape(label)}*: ${mrkdwnEscape(reading.reason)}`);
      textLines.push(`${label}: ${reading.reason}`);
      continue;
    }
    const open = reading.incidents.filter((incident) => isOpen(incident));
    const said = open.length === 0 ? 'no open incidents' : `${plural(open.length, 'open incident')}`;
    const latency = `${Math.round(reading.latencyMs)} ms`;
    lines.push(
      [
        `:white_check_mark: *${mrkdwnEscape(label)}* answered in ${latency}: ${said}`,
        ...open
          .slice(0, 10)
          .map(
            (incident) =>
              `      • ${mrkdwnEscape(incident.title)} (${mrkdwnEscape(incidentStatus(incident))})`,
          ),
      ].join('\n'),
    );
    textLines.push(
      `${label}: answered in ${latency}, ${said}${open.length > 0 ? `: ${open.map((incident) => incident.title).join('; ')}` : ''}`,
    );
  }
  const title = `Checked ${plural(answer.results.length, 'status page')}`;
  return message([`${title}.`, ...textLines].join('\n'), [
    section(`*${title}*`),
    ...packLines(lines),
    context(['New incidents and changes are posted in their channels, as at every poll.']),
  ]);
}

export function renderResolved(answer: ResolvedAnswer): SlackMessage {
  const text = `Resolved ${answer.ref} (${answer.label}: ${answer.title}); the resolution is in its notice’s thread.`;
  return message(text, [section(`:white_check_mark: ${mrkdwnEscape(text)}`)]);
}

export function renderAcknowledged(answer: AcknowledgedAnswer): SlackMessage {
  const { found, won, acknowledged } = answer;
  const what = `${found.ref} (${found.platform.label}: ${found.incident.title})`;
  if (won) {
    const text = `You acknowledged ${what}; its notice says so.`;
    return message(text, [section(`:eyes: ${mrkdwnEscape(text)}`)]);
  }
  return message(
    `${what} was already acknowledged by <@${acknowledged.by}> at ${utcTime(acknowledged.at)}.`,
    [
      section(
        `:eyes: ${mrkdwnEscape(what)} was already acknowledged by <@${acknowledged.by}> at ${slackTime(acknowledged.at)}.`,
      ),
    ],
  );
}

export function renderTicket(answer: TicketAnswer): SlackMessage {
  const { found, opened } = answer;
  const name = ticketName(opened.ticket);
  if (opened.created) {
    return message(`Opened ${name} for ${found.ref}: ${opened.ticket.url} (the link is in its thread).`, [
      section(
        `:ticket: Opened ${link(opened.ticket.url, name)} for ${code(found.ref)}; the link is in its notice’s thread.`,
      ),
    ]);
  }
  return message(
    `${found.ref} already has a ticket: ${name} ${opened.ticket.url} (opened by <@${opened.by}> at ${utcTime(opened.at)}).`,
    [
      section(
        `:ticket: ${code(found.ref)} already has a ticket: ${link(opened.ticket.url, name)} (opened by <@${opened.by}> at ${slackTime(opened.at)}).`,
      ),
    ],
  );
}
