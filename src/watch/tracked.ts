/**
 * What the watch remembers about a source's incidents between polls — a
 * plain, JSON-safe snapshot the store keeps per source — and the events a
 * new reading turns into.
 *
 * Keys: an incident is `<source id>#<occurrence>`. The first outage under
 * an id is occurrence 1; the same id open again after it was resolved is a
 * new outage (#2, #3 …) with a notice of its own. Resolved incidents are
 * remembered for a while (the tracker's `keepResolvedMs`) so that a reopening
 * gets the next number; a reopening later than that starts again at #1.
 */
import { z } from 'zod';
import { formatDuration } from '../config/duration.ts';
import { INCIDENT_IMPACTS, INCIDENT_STATUSES } from './incident.ts';

const isoTime = z.iso.datetime({ offset: true });

export const trackedIncidentSchema = z.object({
  key: z.string().min(1),
  id: z.string().min(1),
  occurrence: z.number().int().min(1),
  title: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  sourceStatus: z.string(),
  impact: z.enum(INCIDENT_IMPACTS),
  url: z.string(),
  startedAt: isoTime,
  updatedAt: isoTime.optional(),
  latestUpdate: z.string().optional(),
  components: z.array(z.string()).readonly(),
  /** When the watch first saw it. */
  firstSeenAt: isoTime,
  /** Successful readings in a row that did not list it while open. */
  missedReadings: z.number().int().min(0),
  /** The time of the first of those readings. */
  missingSince: isoTime.optional(),
  /** Set once it ended: the source's own time, or when it left the source's list. */
  resolvedAt: isoTime.optional(),
});
export type TrackedIncident = z.infer<typeof trackedIncidentSchema>;

export const sourceSnapshotSchema = z.object({
  source: z.string().min(1),
  incidents: z.array(trackedIncidentSchema),
});
/** Everything the tracker needs to know about one source; the store loads and saves it whole. */
export type SourceSnapshot = z.infer<typeof sourceSnapshotSchema>;

export function emptySnapshot(source: string): SourceSnapshot {
  return { source, incidents: [] };
}

export type IncidentChange = 'status' | 'impact' | 'title' | 'latestUpdate';

interface EventBase {
  readonly source: string;
  /** The incident as it stands after the event. */
  readonly incident: TrackedIncident;
  /**
   * Names this event for good: the same snapshot and reading always give the
   * same key, so a store can refuse to post an event twice (restarts, replicas).
   */
  readonly eventKey: string;
}

export type IncidentEvent =
  | (EventBase & {
      readonly kind: 'opened';
      /** The id had an outage before that was resolved: this is a new one. */
      readonly reopened: boolean;
    })
  | (EventBase & {
      readonly kind: 'updated';
      readonly changes: readonly IncidentChange[];
      readonly previous: Pick<
        TrackedIncident,
        'status' | 'sourceStatus' | 'impact' | 'title' | 'latestUpdate'
      >;
    })
  | (EventBase & {
      readonly kind: 'resolved';
      readonly durationMs: number;
      /** "resolved after 1 h 12 min". */
      readonly summary: string;
      /** The source said so, the incident left the source's list, or a person resolved it. */
      readonly by: 'source' | 'absence' | 'hand';
    });

/** "resolved after 1 h 12 min": the one wording of an outage's length. */
export function resolvedAfter(durationMs: number): string {
  return `resolved after ${formatDuration(Math.max(0, durationMs))}`;
}
