/** Bot-wide settings: the `settings:` section of cloudmaster.yml. */
import { z } from 'zod';
import { MUTATING_VERBS } from '../grammar/command.ts';
import { DEFAULT_LOCAL_SETTINGS, localSettingsSchema } from '../local-slack/settings.ts';
import { slackUserIdSchema } from '../policy/schema.ts';
import { auditRetentionSchema, durationSchema } from './duration.ts';
import { portSchema } from './port.ts';

/** The operations listener (/healthz, /readyz, /metrics): off unless a port is given (here or `PORT`). */
const httpSchema = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: portSchema.optional(),
  })
  .default({ host: '127.0.0.1' });

export const settingsSchema = z
  .strictObject({
    /** How long one provider may take to answer a read before its error is shown inline. */
    timeout: durationSchema.default(10_000),
    /** How long a mutation is followed before its job ends timed out (verbs not in timeLimits). */
    operationTimeout: durationSchema.default(15 * 60_000),
    /** Per-verb time limits of jobs: `create: 30m`, `deploy: 1h`… */
    timeLimits: z
      .partialRecord(z.enum(MUTATING_VERBS), durationSchema)
      .default({ create: 30 * 60_000, deploy: 60 * 60_000 }),
    /** How often a running operation is polled. */
    pollInterval: durationSchema.default(2_000),
    /** Machines per Slack message; more are behind a Next button. */
    pageSize: z.number().int().min(5).max(200).default(50),
    /** At SIGTERM, how long work in flight may take to finish before it is interrupted. */
    shutdownGrace: durationSchema.default(20_000),
    /** How long list/status answers are reused (a provider's `cacheTtl` overrides; 0 disables). */
    cacheTtl: durationSchema.default(30_000),
    /** How long a Confirm or Approve button stays valid. */
    confirmTimeout: durationSchema.default(10 * 60_000),
    /** How long audit records are kept (with a unit, at least 1d); older ones are removed once a day. */
    auditRetention: auditRetentionSchema.default(365 * 86_400_000),
    /** How long a job stays with a process that stopped renewing it, before another takes it over. */
    jobLease: durationSchema.refine((ms) => ms >= 1_000, 'a job lease must be at least 1s').default(30_000),
    http: httpSchema,
    /** The local workspace (`npm start` without Slack tokens): its listener and its people. */
    local: localSettingsSchema,
    /**
     * Slack user ids (U… or W…) who may run changes while there is no
     * policy rule; once rules are written, the rules alone decide.
     */
    admins: z
      .array(slackUserIdSchema)
      .max(1_000)
      .refine((ids) => new Set(ids).size === ids.length, { message: 'lists a user twice' })
      .default([]),
  })
  .default({
    timeout: 10_000,
    operationTimeout: 15 * 60_000,
    timeLimits: { create: 30 * 60_000, deploy: 60 * 60_000 },
    pollInterval: 2_000,
    pageSize: 50,
    shutdownGrace: 20_000,
    cacheTtl: 30_000,
    confirmTimeout: 10 * 60_000,
    auditRetention: 365 * 86_400_000,
    jobLease: 30_000,
    http: { host: '127.0.0.1' },
    local: DEFAULT_LOCAL_SETTINGS,
    admins: [],
  });

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse(undefined);

/**
 * The operations listener's settings: `PORT` turns it on where the config
 * gives no port (platforms that assign one set it); `settings.http.port`
 * wins when both are set. A malformed `PORT` is a problem, not ignored.
 */
export function httpListenerSettings(
  settings: Settings,
  env: Readonly<Record<string, string | undefined>>,
): { readonly http: Settings['http']; readonly problem?: string } {
  const raw = env.PORT;
  if (settings.http.port !== undefined || raw === undefined || raw === '') return { http: settings.http };
  const port = portSchema.safeParse(raw);
  if (!port.success)
    return {
      http: settings.http,
      problem: `environment: PORT: "${raw.slice(0, 20)}" is not a port number (0-65535)`,
    };
  return { http: { ...settings.http, port: port.data } };
}
