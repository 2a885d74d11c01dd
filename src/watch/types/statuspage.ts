/**
 * Atlassian Statuspage's public v2 JSON, as DigitalOcean, GitHub, Cloudflare
 * and many others serve it: `/api/v2/incidents/unresolved.json` (open
 * incidents only), `/api/v2/summary.json` (the same incidents plus scheduled
 * maintenances) or `/api/v2/incidents.json` (the 50 latest, resolved
 * included). An incident is resolved when its status says so, or — on the
 * first two — when it is no longer listed (the tracker's rule).
 */
import { z } from 'zod';
import type {
  IncidentImpact,
  IncidentStatus,
  ObservedIncident,
  ParseResult,
  SourceType,
} from '../incident.ts';
import { readJson } from './body.ts';
import { newestFirst, optionalTime, plainText, requiredTime, trimEnd } from './text.ts';

const namedSchema = z.object({ name: z.string() });

const updateSchema = z.object({
  status: z.string(),
  body: z.string(),
  created_at: requiredTime,
  affected_components: z.array(namedSchema).nullish(),
});

const incidentSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  status: z.string(),
  impact: z.string(),
  created_at: requiredTime,
  updated_at: optionalTime,
  started_at: optionalTime,
  resolved_at: optionalTime,
  shortlink: z.string().nullish(),
  incident_updates: z.array(updateSchema).default([]),
  components: z.array(namedSchema).nullish(),
});
type StatuspageIncident = z.infer<typeof incidentSchema>;

const maintenanceSchema = incidentSchema.extend({ scheduled_for: optionalTime });

const answerSchema = z.object({
  page: z.object({ url: z.string() }).optional(),
  incidents: z.array(incidentSchema),
  scheduled_maintenances: z.array(maintenanceSchema).optional(),
});

const STATUS: Readonly<Record<string, IncidentStatus>> = {
  investigating: 'investigating',
  identified: 'identified',
  monitoring: 'monitoring',
  resolved: 'resolved',
  postmortem: 'resolved',
  in_progress: 'maintenance',
  verifying: 'maintenance',
  completed: 'resolved',
};

const IMPACTS = new Set<string>(['none', 'minor', 'major', 'critical', 'maintenance']);

function pageUrl(answer: z.infer<typeof answerSchema>, sourceUrl: string): string {
  if (answer.page?.url) return trimEnd(answer.page.url, '/');
  try {
    return new URL(sourceUrl).origin;
  } catch {
    return sourceUrl;
  }
}

function observed(incident: StatuspageIncident, page: string): ObservedIncident {
  const updates = newestFirst(incident.incident_updates, (update) => update.created_at);
  const latest = updates[0];
  const named = incident.components?.map((component) => component.name);
  const affected = updates.flatMap((update) => update.affected_components?.map((c) => c.name) ?? []);
  const status = STATUS[incident.status] ?? 'ongoing';
  return {
    id: incident.id,
    title: incident.name,
    status,
    sourceStatus: incident.status,
    impact: IMPACTS.has(incident.impact) ? (incident.impact as IncidentImpact) : 'unknown',
    startedAt: incident.started_at ?? incident.created_at,
    ...(incident.updated_at ? { updatedAt: incident.updated_at } : {}),
    ...(incident.resolved_at && status === 'resolved' ? { resolvedAt: incident.resolved_at } : {}),
    url: incident.shortlink || `${page}/incidents/${incident.id}`,
    ...(latest ? { latestUpdate: plainText(latest.body) } : {}),
    components: [...new Set(named && named.length > 0 ? named : affected)],
  };
}

export const statuspageType: SourceType = {
  type: 'statuspage',
  accept: 'application/json',
  parse(body, { contentType, url }): ParseResult {
    const read = readJson(body, contentType, answerSchema, 'a Statuspage v2 answer');
    if (!read.ok) return read;
    const page = pageUrl(read.data, url);
    // Maintenance counts once it is under way; a window still ahead is not news yet.
    const underWay = (read.data.scheduled_maintenances ?? []).filter((m) => m.status !== 'scheduled');
    return { ok: true, incidents: [...read.data.incidents, ...underWay].map((i) => observed(i, page)) };
  },
};
