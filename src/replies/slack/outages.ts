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
import { context, header, message, packLines, type SlackMessage, section } from './message.ts';
import { code, joinMd, link, type Mrkdwn, md, mention } from './mrkdwn.ts';
import { footnotes, IMPACT_EMOJI, incidentStatus, ticketName } from './outage-notice.ts';
import { slackTime, utcTime } from './time.ts';

const NOT_WATCHING = md`No status pages are watched: add a watch: section to cloudmaster.yml (docs/outage-watch.md).`;

export function renderOutages(answer: OutagesAnswer): SlackMessage {
  if (answer.watched === 0) return message(NOT_WATCHING, [section(md`:information_source: ${NOT_WATCHING}`)]);
  const pages = plural(answer.watched, 'watched status page');
  if (answer.incidents.length === 0) {
    const text = md`No incidents are open on the ${pages}.`;
    return message(text, [section(md`:white_check_mark: ${text}`)]);
  }
  const title = `${plural(answer.incidents.length, 'incident')} open on the ${pages}`;
  const lines = answer.incidents.map(({ state }) => {
    const { incident, platform } = state;
    const facts = [
      md`${incident.impact}`,
      md`${incidentStatus(incident)}`,
      md`since ${slackTime(Date.parse(incident.startedAt))}`,
      ...footnotes(state, true),
    ];
    return md`${IMPACT_EMOJI[incident.impact]} *${platform.label}* — ${link(incident.url, incident.title)}\n      ${joinMd(facts, ' · ')}`;
  });
  const textLines = answer.incidents.map(({ state }) => {
    const { incident, platform } = state;
    const facts = [
      md`${incident.impact}`,
      md`${incidentStatus(incident)}`,
      md`since ${utcTime(Date.parse(incident.startedAt))}`,
      ...footnotes(state, false),
    ];
    return md`${platform.label}: ${incident.title} (${joinMd(facts, '; ')})`;
  });
  return message(joinMd([md`${title}:`, ...textLines], '\n'), [
    header(title),
    ...packLines(lines),
    context([md`${code('resolve REF')} marks one resolved; ${code('ack REF')} says you are on it.`]),
  ]);
}

export function renderCheck(answer: CheckAnswer): SlackMessage {
  const lines: Mrkdwn[] = [];
  const textLines: Mrkdwn[] = [];
  for (const { label, reading } of answer.results) {
    if (!reading.ok) {
      lines.push(md`:x: *${label}*: ${reading.reason}`);
      textLines.push(md`${label}: ${reading.reason}`);
      continue;
    }
    const open = reading.incidents.filter((incident) => isOpen(incident));
    const said = open.length === 0 ? 'no open incidents' : `${plural(open.length, 'open incident')}`;
    const latency = `${Math.round(reading.latencyMs)} ms`;
    lines.push(
      joinMd(
        [
          md`:white_check_mark: *${label}* answered in ${latency}: ${said}`,
          ...open.slice(0, 10).map((incident) => md`      • ${incident.title} (${incidentStatus(incident)})`),
        ],
        '\n',
      ),
    );
    textLines.push(
      open.length > 0
        ? md`${label}: answered in ${latency}, ${said}: ${joinMd(
            open.map((incident) => incident.title),
            '; ',
          )}`
        : md`${label}: answered in ${latency}, ${said}`,
    );
  }
  const title = `Checked ${plural(answer.results.length, 'status page')}`;
  return message(joinMd([md`${title}.`, ...textLines], '\n'), [
    section(md`*${title}*`),
    ...packLines(lines),
    context([md`New incidents and changes are posted in their channels, as at every poll.`]),
  ]);
}

export function renderResolved(answer: ResolvedAnswer): SlackMessage {
  const text = md`Resolved ${answer.ref} (${answer.label}: ${answer.title}); the resolution is in its notice’s thread.`;
  return message(text, [section(md`:white_check_mark: ${text}`)]);
}

export function renderAcknowledged(answer: AcknowledgedAnswer): SlackMessage {
  const { found, won, acknowledged } = answer;
  const what = md`${found.ref} (${found.platform.label}: ${found.incident.title})`;
  if (won) {
    const text = md`You acknowledged ${what}; its notice says so.`;
    return message(text, [section(md`:eyes: ${text}`)]);
  }
  const by = mention(acknowledged.by);
  return message(md`${what} was already acknowledged by ${by} at ${utcTime(acknowledged.at)}.`, [
    section(md`:eyes: ${what} was already acknowledged by ${by} at ${slackTime(acknowledged.at)}.`),
  ]);
}

export function renderTicket(answer: TicketAnswer): SlackMessage {
  const { found, opened } = answer;
  const name = ticketName(opened.ticket);
  if (opened.created) {
    return message(md`Opened ${name} for ${found.ref}: ${opened.ticket.url} (the link is in its thread).`, [
      section(
        md`:ticket: Opened ${link(opened.ticket.url, name)} for ${code(found.ref)}; the link is in its notice’s thread.`,
      ),
    ]);
  }
  const by = mention(opened.by);
  return message(
    md`${found.ref} already has a ticket: ${name} ${opened.ticket.url} (opened by ${by} at ${utcTime(opened.at)}).`,
    [
      section(
        md`:ticket: ${code(found.ref)} already has a ticket: ${link(opened.ticket.url, name)} (opened by ${by} at ${slackTime(opened.at)}).`,
      ),
    ],
  );
}
