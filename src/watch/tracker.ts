/**
 * The outage watch's decisions, as a pure function: given what is known
 * about a source's incidents and a new reading of it, which notices,
 * thread replies and resolutions are due, and what to remember next.
 *
 * - A failed reading changes nothing: a source that cannot be read is not a
 *   source without incidents.
 * - An open incident seen for the first time is `opened` — unless its last
 *   activity is older than `ignoreOlderThanMs` (a feed's history).
 * - A change of status, impact, title or newest update is `updated`; a
 *   reading older than what is known (a stale cache or replica) is ignored.
 * - The source saying it is over is `resolved` at once; an open incident
 *   missing from `absencesToResolve` successful readings in a row is
 *   `resolved` as of the first of them, so one glitchy answer that drops it
 *   (flapping) resolves nothing.
 * - An id open again after it was resolved is a new outage (see tracked.ts
 *   for keys) — if the sighting is newer than the resolution; an unchanged
 *   echo of a resolved incident stays quiet.
 */
import { createHash } from 'node:crypto';
import { isOpen, type ObservedIncident } from './incident.ts';
import type { SourceReading } from './source.ts';
import {
  type IncidentChange,
  type IncidentEvent,
  resolvedAfter,
  type SourceSnapshot,
  type TrackedIncident,
} from './tracked.ts';

export interface TrackOptions {
  /** The time of the decision (resolutions by absence, first sightings). */
  readonly now: Date;
  /** Successful readings an open incident may be missing from before it is resolved (default 2). */
  readonly absencesToResolve?: number;
  readonly ignoreOlderThanMs?: number;
  /** How long a resolved incident is remembered to number a reopening (default 30 days). */
  readonly keepResolvedMs?: number;
}

export interface TrackResult {
  readonly events: readonly IncidentEvent[];
  readonly snapshot: SourceSnapshot;
}

const DAY_MS = 86_400_000;
const DEFAULT_ABSENCES = 2;
const DEFAULT_KEEP_RESOLVED_MS = 30 * DAY_MS;

/** The newest time the source gave for an incident. */
function lastActivity(incident: Pick<ObservedIncident, 'startedAt' | 'updatedAt'>): string {
  return incident.updatedAt ?? incident.startedAt;
}

function changesBetween(known: TrackedIncident, seen: ObservedIncident): IncidentChange[] {
  const changes: IncidentChange[] = [];
  if (known.status !== seen.status || known.sourceStatus !== seen.sourceStatus) changes.push('status');
  if (known.impact !== seen.impact) changes.push('impact');
  if (known.title !== seen.title) changes.push('title');
  if ((seen.latestUpdate ?? '') !== (known.latestUpdate ?? '') && seen.latestUpdate !== undefined)
    changes.push('latestUpdate');
  return changes;
}

/** The observed facts laid over what is known (the bookkeeping stays). */
function refreshed(known: TrackedIncident, seen: ObservedIncident): TrackedIncident {
  const { resolvedAt: _source, id: _id, ...facts } = seen;
  return {
    ...known,
    ...facts,
    // A reopened outage began when it reopened, though the source keeps its first start.
    startedAt: known.occurrence > 1 && seen.startedAt < known.startedAt ? known.startedAt : seen.startedAt,
    latestUpdate: seen.latestUpdate ?? known.latestUpdate,
    missedReadings: 0,
    missingSince: undefined,
  };
}

function withoutUndefined(incident: TrackedIncident): TrackedIncident {
  return Object.fromEntries(
    Object.entries(incident).filter(([, value]) => value !== undefined),
  ) as TrackedIncident;
}

function fingerprint(incident: TrackedIncident): string {
  const facts = [
    incident.status,
    incident.sourceStatus,
    incident.impact,
    incident.title,
    incident.latestUpdate ?? '',
  ];
  return createHash('sha256').update(facts.join('\u0000')).digest('hex').slice(0, 16);
}

function resolution(
  source: string,
  incident: TrackedIncident,
  resolvedAt: string,
  by: 'source' | 'absence' | 'hand',
): { event: IncidentEvent; incident: TrackedIncident } {
  const ended = withoutUndefined({
    ...incident,
    status: 'resolved',
    resolvedAt,
    missedReadings: 0,
    missingSince: undefined,
  });
  const durationMs = Math.max(0, Date.parse(resolvedAt) - Date.parse(incident.startedAt));
  return {
    incident: ended,
    event: {
      kind: 'resolved',
      source,
      incident: ended,
      eventKey: `${source}/${incident.key}/resolved`,
      durationMs,
      summary: resolvedAfter(durationMs),
      by,
    },
  };
}

export function trackReading(
  snapshot: SourceSnapshot,
  reading: SourceReading,
  options: TrackOptions,
): TrackResult {
  if (!reading.ok) return { events: [], snapshot };
  const source = snapshot.source;
  const now = options.now.toISOString();
  const absences = Math.max(1, options.absencesToResolve ?? DEFAULT_ABSENCES);
  const events: IncidentEvent[] = [];
  const open = new Map<string, TrackedIncident>();
  const resolved: TrackedIncident[] = [];
  for (const incident of snapshot.incidents) {
    if (incident.resolvedAt === undefined) open.set(incident.id, incident);
    else resolved.push(incident);
  }
  const next = new Map<string, TrackedIncident>();
  const listed = new Set<string>();

  for (const seen of reading.incidents) {
    if (listed.has(seen.id)) continue;
    listed.add(seen.id);
    const known = open.get(seen.id);
    if (known) {
      if (known.updatedAt && seen.updatedAt && seen.updatedAt < known.updatedAt) {
        // An older answer than the one already read: keep what is known.
        next.set(known.key, withoutUndefined({ ...known, missedReadings: 0, missingSince: undefined }));
        continue;
      }
      const current = withoutUndefined(refreshed(known, seen));
      if (!isOpen(seen)) {
        const ended = resolution(source, current, seen.resolvedAt ?? seen.updatedAt ?? reading.at, 'source');
        next.set(known.key, ended.incident);
        events.push(ended.event);
        continue;
      }
      const changes = changesBetween(known, seen);
      next.set(known.key, current);
      if (changes.length > 0) {
        const { status, sourceStatus, impact, title, latestUpdate } = known;
        events.push({
          kind: 'updated',
          source,
          incident: current,
          eventKey: `${source}/${known.key}/updated/${fingerprint(current)}`,
          changes,
          previous: { status, sourceStatus, impact, title, ...(latestUpdate ? { latestUpdate } : {}) },
        });
      }
      continue;
    }
    if (!isOpen(seen)) continue;
    const before = resolved.filter((r) => r.id === seen.id).sort((a, b) => b.occurrence - a.occurrence)[0];
    if (before && lastActivity(seen) <= lastActivity(before) && seen.updatedAt !== undefined) continue;
    const age = options.now.getTime() - Date.parse(lastActivity(seen));
    if (!before && options.ignoreOlderThanMs !== undefined && age > options.ignoreOlderThanMs) continue;
    const occurrence = (before?.occurrence ?? 0) + 1;
    const { resolvedAt: _resolvedAt, ...facts } = seen;
    const incident = withoutUndefined({
      ...facts,
      // A reopened incident keeps its first start at the source; this outage began when it reopened.
      startedAt:
        before?.resolvedAt && seen.startedAt <= before.resolvedAt
          ? (seen.updatedAt ?? reading.at)
          : seen.startedAt,
      key: `${seen.id}#${occurrence}`,
      occurrence,
      firstSeenAt: now,
      missedReadings: 0,
    });
    next.set(incident.key, incident);
    events.push({
      kind: 'opened',
      source,
      incident,
      eventKey: `${source}/${incident.key}/opened`,
      reopened: before !== undefined,
    });
  }

  for (const known of open.values()) {
    if (listed.has(known.id)) continue;
    const missingSince = known.missingSince ?? reading.at;
    const missed = known.missedReadings + 1;
    if (missed < absences) {
      next.set(known.key, { ...known, missedReadings: missed, missingSince });
      continue;
    }
    const ended = resolution(source, known, missingSince, 'absence');
    next.set(known.key, ended.incident);
    events.push(ended.event);
  }

  const forgetBefore = options.now.getTime() - (options.keepResolvedMs ?? DEFAULT_KEEP_RESOLVED_MS);
  for (const incident of resolved) {
    if (next.has(incident.key)) continue;
    if (Date.parse(incident.resolvedAt ?? now) >= forgetBefore) next.set(incident.key, incident);
  }
  const incidents = [...next.values()].sort(
    (a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.key.localeCompare(b.key),
  );
  return { events, snapshot: { source, incidents } };
}

/**
 * A person resolves an open incident (`/cloudmaster resolve KEY`): by its key
 * ("abc#2") or, while only one occurrence is open, by its source id.
 */
export function resolveByHand(
  snapshot: SourceSnapshot,
  keyOrId: string,
  now: Date,
): { readonly ok: true; readonly result: TrackResult } | { readonly ok: false; readonly reason: string } {
  const target = snapshot.incidents.find(
    (incident) => incident.resolvedAt === undefined && (incident.key === keyOrId || incident.id === keyOrId),
  );
  if (!target) {
    const done = snapshot.incidents.some((i) => i.key === keyOrId || i.id === keyOrId);
    return {
      ok: false,
      reason: done
        ? `${keyOrId} on ${snapshot.source} is already resolved`
        : `no open incident ${keyOrId} on ${snapshot.source}`,
    };
  }
  const ended = resolution(snapshot.source, target, now.toISOString(), 'hand');
  const incidents = snapshot.incidents.map((incident) =>
    incident.key === target.key ? ended.incident : incident,
  );
  return { ok: true, result: { events: [ended.event], snapshot: { source: snapshot.source, incidents } } };
}
