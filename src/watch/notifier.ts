/**
 * What the outage watch tells people, and where: a notice per incident in
 * its source's channel, then replies in the notice's thread. The watch
 * decides what to say; a notifier (Slack's, src/conversation/outage-notifier.ts)
 * says it. Nothing here knows about Slack.
 */
import type { Acknowledgement, NoticeLocation } from '../store/watch-incidents.ts';
import type { CreatedTicket } from './tickets/ticket-system.ts';
import type { IncidentEvent, TrackedIncident } from './tracked.ts';

export type { NoticeLocation } from '../store/watch-incidents.ts';

/** The platform a notice is about. */
export interface NoticePlatform {
  /** The source's name ("github"). */
  readonly name: string;
  /** What people call it ("GitHub"). */
  readonly label: string;
}

export interface NoticeTicket extends CreatedTicket {
  /** Who asked for it. */
  readonly by: string;
  readonly at: number;
}

/** Everything a notice shows; redrawn whole whenever any of it changes. */
export interface NoticeState {
  readonly platform: NoticePlatform;
  readonly incident: TrackedIncident;
  /** The short name people type ("github-3f9a2c"). */
  readonly ref: string;
  /** What buttons carry: "github/9yk7qwd5x3zl#1". */
  readonly path: string;
  readonly acknowledged?: Acknowledgement;
  readonly ticket?: NoticeTicket;
  /** Set once it ended: "resolved after 1 h 12 min", and who resolved it by hand. */
  readonly resolution?: { readonly summary: string; readonly by?: string };
}

export type ResolvedEvent = Extract<IncidentEvent, { kind: 'resolved' }>;
export type UpdatedEvent = Extract<IncidentEvent, { kind: 'updated' }>;

export interface OutageNotifier {
  /** Posts a new incident's notice; returns where it is. */
  postNotice(channel: string, state: NoticeState): Promise<NoticeLocation>;
  /** Draws the notice again as `state` says (acknowledged, ticket, resolved). */
  redrawNotice(at: NoticeLocation, state: NoticeState): Promise<void>;
  /** A change of status, impact, title or newest update, in the notice's thread. */
  postUpdate(at: NoticeLocation, event: UpdatedEvent, state: NoticeState): Promise<void>;
  /** "resolved after 1 h 12 min", in the notice's thread. */
  postResolution(at: NoticeLocation, event: ResolvedEvent, state: NoticeState): Promise<void>;
  /** The link of a ticket just opened, in the notice's thread. */
  postTicket(at: NoticeLocation, state: NoticeState & { readonly ticket: NoticeTicket }): Promise<void>;
}
