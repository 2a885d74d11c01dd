/**
 * Google Cloud's `incidents.json`: a JSON array of recent incidents, past
 * ones included. An incident is ongoing while it has no `end`; once `end` is
 * set it is resolved at that time. Google's words are how the service is
 * doing (SERVICE_OUTAGE, SERVICE_DISRUPTION, SERVICE_INFORMATION, AVAILABLE),
 * not a workflow stage, so an open one is "ongoing".
 */
import { z } from 'zod';
import type { IncidentImpact, ParseResult, SourceType } from '../incident.ts';
import { readJson } from './body.ts';
import { optionalTime, plainText, requiredTime } from './text.ts';

const STATUS_ORIGIN = 'https://status.cloud.google.com/';

const updateSchema = z.object({
  text: z.string().optional(),
  status: z.string().optional(),
  when: optionalTime,
  modified: optionalTime,
});

const gcpIncidentSchema = z.object({
  id: z.string().min(1),
  begin: requiredTime,
  end: optionalTime,
  modified: optionalTime,
  external_desc: z.string(),
  status_impact: z.string().optional(),
  severity: z.string().optional(),
  service_name: z.string().optional(),
  uri: z.string().optional(),
  most_recent_update: updateSchema.nullish(),
  affected_products: z.array(z.object({ title: z.string() })).default([]),
});
type GcpIncident = z.infer<typeof gcpIncidentSchema>;

/** How bad, from how the service is doing and Google's severity. */
function impactOf(incident: GcpIncident): IncidentImpact {
  switch (incident.status_impact) {
    case 'SERVICE_OUTAGE':
      return incident.severity === 'high' ? 'critical' : 'major';
    case 'SERVICE_DISRUPTION':
      return incident.severity === 'high' ? 'major' : 'minor';
    case 'SERVICE_INFORMATION':
      return 'none';
    default:
      return 'unknown';
  }
}

function linkOf(incident: GcpIncident, sourceUrl: string): string {
  const path = incident.uri ?? `incidents/${incident.id}`;
  try {
    // incidents.json sits at the site's root; its `uri` is relative to it.
    return new URL(path, sourceUrl).toString();
  } catch {
    return `${STATUS_ORIGIN}${path}`;
  }
}

export const gcpIncidentsType: SourceType = {
  type: 'gcp-incidents',
  accept: 'application/json',
  parse(body, { contentType, url }): ParseResult {
    const read = readJson(body, contentType, z.array(gcpIncidentSchema), "Google Cloud's incidents.json");
    if (!read.ok) return read;
    return {
      ok: true,
      incidents: read.data.map((incident) => {
        const update = incident.most_recent_update;
        const products = incident.affected_products.map((product) => product.title);
        const updatedAt = update?.when ?? update?.modified ?? incident.modified;
        return {
          id: incident.id,
          title: plainText(incident.external_desc),
          status: incident.end ? 'resolved' : 'ongoing',
          sourceStatus: update?.status ?? incident.status_impact ?? (incident.end ? 'AVAILABLE' : 'ongoing'),
          impact: impactOf(incident),
          startedAt: incident.begin,
          ...(updatedAt ? { updatedAt } : {}),
          ...(incident.end ? { resolvedAt: incident.end } : {}),
          url: linkOf(incident, url),
          ...(update?.text ? { latestUpdate: plainText(update.text) } : {}),
          components: products.length > 0 ? products : incident.service_name ? [incident.service_name] : [],
        };
      }),
    };
  },
};
