/**
 * Slack's status API v2.0.0, `/api/v2.0.0/current`: `status` is "ok" with no
 * active incidents, else each active incident, outage or notice with its
 * notes. Slack lists only what is active, so an incident that leaves the list
 * is resolved (the tracker's rule); one listed as "resolved" is resolved now.
 */
import { z } from 'zod';
import type { IncidentImpact, ParseResult, SourceType } from '../incident.ts';
import { readJson } from './body.ts';
import { newestFirst, optionalTime, plainText, requiredTime } from './text.ts';

const noteSchema = z.object({ date_created: requiredTime, body: z.string() });

const slackIncidentSchema = z.object({
  // The documentation's sample has a string; Slack's own Java SDK reads a number. Both are taken.
  id: z.union([z.string().min(1), z.number()]).transform(String),
  date_created: requiredTime,
  date_updated: optionalTime,
  title: z.string(),
  type: z.string(),
  status: z.string(),
  url: z.string(),
  services: z.array(z.string()).default([]),
  notes: z.array(noteSchema).default([]),
});

const currentSchema = z.object({
  status: z.string(),
  active_incidents: z.array(slackIncidentSchema).default([]),
});

/** Slack says how bad by the kind of event. */
const IMPACT_BY_TYPE: Readonly<Record<string, IncidentImpact>> = {
  outage: 'major',
  incident: 'minor',
  notice: 'none',
  maintenance: 'maintenance',
};

const CLOSED = new Set(['resolved', 'completed']);

export const slackStatusType: SourceType = {
  type: 'slack-status',
  accept: 'application/json',
  parse(body, { contentType }): ParseResult {
    const read = readJson(body, contentType, currentSchema, "Slack's current status");
    if (!read.ok) return read;
    return {
      ok: true,
      incidents: read.data.active_incidents.map((incident) => {
        const latest = newestFirst(incident.notes, (note) => note.date_created)[0];
        const closed = CLOSED.has(incident.status);
        return {
          id: incident.id,
          title: incident.title,
          status: closed ? 'resolved' : incident.type === 'maintenance' ? 'maintenance' : 'ongoing',
          sourceStatus: incident.status,
          impact: IMPACT_BY_TYPE[incident.type] ?? 'unknown',
          startedAt: incident.date_created,
          ...(incident.date_updated ? { updatedAt: incident.date_updated } : {}),
          ...(closed && incident.date_updated ? { resolvedAt: incident.date_updated } : {}),
          url: incident.url,
          ...(latest ? { latestUpdate: plainText(latest.body) } : {}),
          components: incident.services,
        };
      }),
    };
  },
};
