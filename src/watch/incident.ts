/**
 * The one shape every status source is read into: an incident as a platform
 * reports it right now, whatever its status page speaks (Statuspage JSON,
 * Slack's status API, RSS/Atom, Google Cloud's incidents.json, Vultr's
 * alerts). The tracker compares these from poll to poll.
 */

/** Where an incident stands, in one vocabulary; the source's own word travels beside it. */
export const INCIDENT_STATUSES = [
  'investigating',
  'identified',
  'monitoring',
  /** Open, but the source says no more than that (Slack's "active", a feed item). */
  'ongoing',
  /** Planned work in progress. */
  'maintenance',
  'resolved',
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_IMPACTS = ['none', 'minor', 'major', 'critical', 'maintenance', 'unknown'] as const;
export type IncidentImpact = (typeof INCIDENT_IMPACTS)[number];

export interface ObservedIncident {
  /** The source's own id (Statuspage's "mgp99sn4ynd4", a feed item's guid). */
  readonly id: string;
  readonly title: string;
  readonly status: IncidentStatus;
  /** The word the source used ("identified", "active", "SERVICE_OUTAGE"). */
  readonly sourceStatus: string;
  readonly impact: IncidentImpact;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly updatedAt?: string;
  /** Set when the source itself gives the time it ended. */
  readonly resolvedAt?: string;
  /** Where a person reads about it. */
  readonly url: string;
  /** The newest update's text, plain (markup removed). */
  readonly latestUpdate?: string;
  /** Affected components, products or services, by name. */
  readonly components: readonly string[];
}

/** What one body of a status source says: its incidents, or why it could not be read. */
export type ParseResult =
  | { readonly ok: true; readonly incidents: readonly ObservedIncident[] }
  | { readonly ok: false; readonly reason: string };

export interface ParseContext {
  /** The response's Content-Type, when the source sent one. */
  readonly contentType?: string;
  /** The URL the body came from: relative links are resolved against it. */
  readonly url: string;
  /** When the body arrived: the start of an incident whose source gives no time. */
  readonly receivedAt: Date;
}

/**
 * A kind of status source. Parsing never throws: a body that is not what the
 * type expects (garbage, empty, an HTML error page, a changed shape) is a
 * failed result with one line saying why.
 */
export interface SourceType {
  readonly type: string;
  /** What the fetcher asks for in `Accept`. */
  readonly accept: string;
  parse(body: string, context: ParseContext): ParseResult;
}

export function isOpen(incident: Pick<ObservedIncident, 'status' | 'resolvedAt'>): boolean {
  return incident.status !== 'resolved' && incident.resolvedAt === undefined;
}
