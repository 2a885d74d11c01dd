/**
 * RSS 2.0 and Atom status feeds: AWS Health, Azure status, Cloud 66's
 * status.io feed, Statuspage `history.atom`/`history.rss` and the like.
 *
 * How items become incidents:
 * - An item is an incident, keyed by its guid/id (else its link, else its
 *   title). AWS writes one item per post, with guids such as
 *   `…#ec2-us-east-1_1642200240`: items whose guid ends in `_<epoch>` are
 *   grouped by the rest of the guid and their title without AWS's prefixes,
 *   so all the posts about one event make one incident.
 * - How it stands is read from the newest item of the group: resolved when
 *   its title says so ("[RESOLVED]", "Resolved: …", "Mitigated",
 *   "Service is operating normally: …") or when the first status label of
 *   its text is a closing one (Statuspage's "<strong>Resolved</strong> - …").
 * - A feed that lists only current problems (Azure's) resolves an incident by
 *   dropping its item: the tracker counts an open incident that is no longer
 *   in a successful reading as resolved.
 */
import type {
  IncidentImpact,
  IncidentStatus,
  ObservedIncident,
  ParseResult,
  SourceType,
} from '../incident.ts';
import { type FeedItem, readFeedItems } from './feed-items.ts';
import { newestFirst, plainText, withoutElements } from './text.ts';

/** AWS's title prefixes: how bad it is, and whether it is over. */
const AWS_PREFIXES: readonly [RegExp, IncidentImpact][] = [
  [/^service disruption:\s*/i, 'major'],
  [/^performance issues:\s*/i, 'minor'],
  // AWS posts most real events as "informational"; they are not nothing.
  [/^informational message:\s*/i, 'minor'],
  [/^service is operating normally:\s*/i, 'unknown'],
];
const CLOSED_MARKER = /\[\s*(resolved|completed|mitigated)\s*\]\s*/i;
const CLOSED_PREFIX = /^(resolved|completed|mitigated)\s*[:\-–—]\s*/i;
const CLOSED_SUFFIX = /\b(resolved|mitigated)\s*$/i;
const OPERATING_NORMALLY = /^service is operating normally:/i;
/** A per-post guid: the event's key, then `_` and a Unix time. */
const POST_GUID = /^(.*)_(\d{9,})$/;

/** Status labels Statuspage and status.io put before each update. */
const LABELS: Readonly<Record<string, IncidentStatus>> = {
  investigating: 'investigating',
  identified: 'identified',
  monitoring: 'monitoring',
  update: 'ongoing',
  resolved: 'resolved',
  completed: 'resolved',
  postmortem: 'resolved',
  mitigated: 'resolved',
  'in progress': 'maintenance',
  verifying: 'maintenance',
  scheduled: 'maintenance',
};

/** The newest update of an item's text: its first paragraph, without the date line. */
function firstUpdate(html: string): string {
  // By index, not a lazy regex: each unclosed <p would rescan the rest (quadratic).
  const start = html.search(/<p[\s>]/i);
  const end = start === -1 ? -1 : html.toLowerCase().indexOf('</p>', start);
  const paragraph = end === -1 ? html : html.slice(start, end + '</p>'.length);
  return plainText(withoutElements(paragraph, '<small>', '</small>'));
}

/** The first status label of an update ("Resolved - We have…", "<strong>Monitoring</strong>"). */
function labelOf(html: string): string | undefined {
  const strong = /<strong>\s*([^<]{1,40}?)\s*<\/strong>/i.exec(html.slice(0, 4000))?.[1];
  const word = (
    strong ?? /^([A-Za-z][A-Za-z ]{1,18}?)\s*[-–—:]\s/.exec(firstUpdate(html))?.[1]
  )?.toLowerCase();
  return word !== undefined && word in LABELS ? word : undefined;
}

interface ItemReading {
  readonly key: string;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly sourceStatus: string;
  readonly impact: IncidentImpact;
  readonly component?: string;
  readonly at?: string;
  readonly item: FeedItem;
}

function readItem(item: FeedItem): ItemReading {
  let title = plainText(item.title);
  let impact: IncidentImpact = 'unknown';
  const closedByTitle = [CLOSED_MARKER, CLOSED_PREFIX, CLOSED_SUFFIX, OPERATING_NORMALLY].some((closed) =>
    closed.test(title),
  );
  for (const [prefix, level] of AWS_PREFIXES) {
    if (prefix.test(title)) {
      impact = level;
      title = title.replace(prefix, '');
    }
  }
  title = title.replace(CLOSED_MARKER, '').replace(CLOSED_PREFIX, '').trim() || plainText(item.title);
  const label = labelOf(item.text);
  const status: IncidentStatus = closedByTitle
    ? 'resolved'
    : label
      ? (LABELS[label] ?? 'ongoing')
      : 'ongoing';
  const post = item.id ? POST_GUID.exec(item.id) : null;
  const event = post?.[1];
  const at = item.updated ?? item.published;
  return {
    key: event ? `${event}|${title}` : (item.id ?? item.link ?? title),
    title,
    status,
    sourceStatus: closedByTitle ? 'resolved' : (label ?? 'posted'),
    impact: status === 'maintenance' ? 'maintenance' : impact,
    ...(event?.includes('#') ? { component: event.slice(event.lastIndexOf('#') + 1) } : {}),
    ...(at ? { at } : {}),
    item,
  };
}

function absolute(link: string | undefined, base: string): string {
  if (!link) return base;
  try {
    return new URL(link, base).toString();
  } catch {
    return base;
  }
}

function incidentOf(readings: readonly ItemReading[], sourceUrl: string, receivedAt: Date): ObservedIncident {
  const byTime = newestFirst(readings, (reading) => reading.at);
  const newest = byTime[0] as ItemReading;
  const started = byTime.map((r) => r.item.published ?? r.at).filter((at): at is string => at !== undefined);
  const latest = firstUpdate(newest.item.text);
  const component = newest.component;
  return {
    id: newest.key,
    title: newest.title,
    status: newest.status,
    sourceStatus: newest.sourceStatus,
    impact: byTime.find((r) => r.impact !== 'unknown')?.impact ?? 'unknown',
    startedAt: started.sort()[0] ?? receivedAt.toISOString(),
    ...(newest.at ? { updatedAt: newest.at } : {}),
    ...(newest.status === 'resolved' && newest.at ? { resolvedAt: newest.at } : {}),
    url: absolute(newest.item.link, sourceUrl),
    ...(latest ? { latestUpdate: latest } : {}),
    components: component ? [component] : [],
  };
}

export const feedType: SourceType = {
  type: 'feed',
  accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8',
  parse(body, { contentType, url, receivedAt }): ParseResult {
    const read = readFeedItems(body, contentType);
    if (!read.ok) return read;
    const groups = new Map<string, ItemReading[]>();
    for (const reading of read.data.map(readItem)) {
      groups.set(reading.key, [...(groups.get(reading.key) ?? []), reading]);
    }
    return { ok: true, incidents: [...groups.values()].map((group) => incidentOf(group, url, receivedAt)) };
  },
};
