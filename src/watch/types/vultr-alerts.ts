/**
 * Vultr's status page is its own, not Statuspage: `alerts.json` lists
 * `service_alerts`, each with a region, a subject, a status and its entries.
 * Vultr publishes no schema for it; this reads the fields every public
 * consumer of it relies on and nothing more. "ongoing" is open; an alert
 * still "scheduled" is not news yet; any other word (resolved, completed)
 * ends it, as does its leaving the list (the tracker's rule).
 */
import { z } from 'zod';
import type { ParseResult, SourceType } from '../incident.ts';
import { readJson } from './body.ts';
import { newestFirst, optionalTime, plainText, requiredTime } from './text.ts';

const entrySchema = z.object({ message: z.string().default(''), updated_at: optionalTime });

const alertSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  region: z.string().optional(),
  subject: z.string(),
  start_date: requiredTime,
  updated_at: optionalTime,
  status: z.string(),
  entries: z.array(entrySchema).default([]),
});

const alertsSchema = z.object({ service_alerts: z.array(alertSchema) });

const STATUS_PAGE = 'https://status.vultr.com/';

export const vultrAlertsType: SourceType = {
  type: 'vultr-alerts',
  accept: 'application/json',
  parse(body, { contentType }): ParseResult {
    const read = readJson(body, contentType, alertsSchema, "Vultr's alerts.json");
    if (!read.ok) return read;
    return {
      ok: true,
      incidents: read.data.service_alerts
        .filter((alert) => alert.status !== 'scheduled')
        .map((alert) => {
          const open = alert.status === 'ongoing';
          const latest = newestFirst(alert.entries, (entry) => entry.updated_at)[0];
          const updatedAt = alert.updated_at ?? latest?.updated_at;
          return {
            id: alert.id,
            title: alert.subject,
            status: open ? 'ongoing' : 'resolved',
            sourceStatus: alert.status,
            impact: 'unknown',
            startedAt: alert.start_date,
            ...(updatedAt ? { updatedAt } : {}),
            ...(!open && updatedAt ? { resolvedAt: updatedAt } : {}),
            url: STATUS_PAGE,
            ...(latest?.message ? { latestUpdate: plainText(latest.message) } : {}),
            components: alert.region ? [alert.region] : [],
          };
        }),
    };
  },
};
