/**
 * What a ticket about an outage says, built once from the tracked incident:
 * a title, a Markdown body (GitHub) and the same facts as HTML (Azure DevOps
 * fields are HTML). The incident's key is written into both, so a person or
 * a later search can find the ticket of an incident.
 */
import { formatDuration } from '../../config/duration.ts';
import type { TrackedIncident } from '../tracked.ts';

export interface TicketContent {
  readonly title: string;
  readonly markdown: string;
  readonly html: string;
  /** "cloudmaster:github/9yk7qwd5x3zl#1": names the incident for good. */
  readonly marker: string;
}

export interface TicketContext {
  /** The platform, as notices name it ("GitHub"). */
  readonly platform: string;
  /** The watched source's name ("github"). */
  readonly source: string;
  /** A link to the notice in Slack, when the bot has one. */
  readonly noticeLink?: string;
}

const TITLE_MAX = 250;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Markdown that cannot open a link, a mention or a heading of its own. */
function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>#|@])/g, '\\$1');
}

function facts(incident: TrackedIncident, context: TicketContext): [string, string][] {
  const rows: [string, string][] = [
    ['Platform', context.platform],
    [
      'Status',
      incident.sourceStatus === incident.status
        ? incident.status
        : `${incident.status} (${incident.sourceStatus})`,
    ],
    ['Impact', incident.impact],
    ['Started', incident.startedAt],
  ];
  if (incident.resolvedAt) {
    const ms = Date.parse(incident.resolvedAt) - Date.parse(incident.startedAt);
    rows.push(['Resolved', `${incident.resolvedAt} (after ${formatDuration(Math.max(0, ms))})`]);
  }
  if (incident.components.length > 0) rows.push(['Affected', incident.components.join(', ')]);
  return rows;
}

export function ticketFromIncident(incident: TrackedIncident, context: TicketContext): TicketContent {
  const marker = `cloudmaster:${context.source}/${incident.key}`;
  const title = clip(`[Outage] ${context.platform}: ${incident.title}`, TITLE_MAX);
  const rows = facts(incident, context);
  const markdown = [
    `**${escapeMarkdown(context.platform)} reports an incident:** ${escapeMarkdown(incident.title)}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([name, value]) => `| ${name} | ${escapeMarkdown(value)} |`),
    '',
    `Status page: ${incident.url}`,
    ...(context.noticeLink ? [`Slack thread: ${context.noticeLink}`] : []),
    ...(incident.latestUpdate
      ? ['', '**Latest update**', '', `> ${escapeMarkdown(incident.latestUpdate)}`]
      : []),
    '',
    `<sub>Opened from Slack by cloudmaster · ${marker}</sub>`,
  ].join('\n');
  const html = [
    `<p><b>${escapeHtml(context.platform)} reports an incident:</b> ${escapeHtml(incident.title)}</p>`,
    `<table>${rows.map(([name, value]) => `<tr><td>${name}</td><td>${escapeHtml(value)}</td></tr>`).join('')}</table>`,
    `<p>Status page: <a href="${escapeHtml(incident.url)}">${escapeHtml(incident.url)}</a></p>`,
    ...(context.noticeLink
      ? [
          `<p>Slack thread: <a href="${escapeHtml(context.noticeLink)}">${escapeHtml(context.noticeLink)}</a></p>`,
        ]
      : []),
    ...(incident.latestUpdate
      ? [`<p><b>Latest update</b></p><blockquote>${escapeHtml(incident.latestUpdate)}</blockquote>`]
      : []),
    `<p><small>Opened from Slack by cloudmaster · ${escapeHtml(marker)}</small></p>`,
  ].join('');
  return { title, markdown, html, marker };
}
