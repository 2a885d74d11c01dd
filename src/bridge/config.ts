/**
 * The `bridge:` section of cloudmaster.yml: the clients that may call the
 * HTTP API (`/v1`) and the webhooks that hear events. Tokens and secrets
 * are written as `${ENV_NAME}` (checked here, and handed to the redactor);
 * the bridge needs the HTTP listener, so a section without a port is refused.
 *
 *     bridge:
 *       channel: C0OPS            # approvals of clients' changes, and their jobs' messages
 *       clients:
 *         - name: ci
 *           token: ${BRIDGE_CI_TOKEN}
 *           channels: ['#deploys', C0LOGS]
 *           approvals: { approvers: [U0LEAD, sre] }
 *           commands: [read, reboot]
 *       webhooks:
 *         - name: audit-sink
 *           url: https://hooks.internal/cloudmaster
 *           secret: ${WEBHOOK_SECRET}
 *           events: ['job.*', 'approval.decided']
 */
import { z } from 'zod';
import { durationSchema } from '../config/duration.ts';
import type { InterpolationResult } from '../config/interpolate.ts';
import { formatIssues } from '../config/issues.ts';
import { expandVerbs, type PolicyVerb } from '../policy/verbs.ts';

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const CHANNEL = /^(#[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,})$/;
const APPROVER = /^([UW][A-Z0-9]{2,}|S[A-Z0-9]{2,}|[a-z][\w-]*)$/i;

/** The event types a webhook may ask for; `*` after a dot takes every type below it. */
export const EVENT_TYPES = [
  'job.queued',
  'job.running',
  'job.succeeded',
  'job.failed',
  'job.cancelled',
  'job.timed_out',
  'job.unknown',
  'audit.denied',
  'audit.cancelled',
  'audit.rejected',
  'audit.expired',
  'audit.failed',
  'audit.succeeded',
  'audit.timed_out',
  'audit.interrupted',
  'audit.dry_run',
  'audit.unknown',
  'outage.opened',
  'outage.updated',
  'outage.resolved',
  'approval.decided',
  'slack.message',
] as const;

const channelSchema = z
  .string()
  .regex(CHANNEL, 'must be a channel id (C…, G…) or a #name')
  .transform((channel) => (channel.toLowerCase().startsWith('#') ? channel.toLowerCase() : channel));

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

const clientSchema = z.strictObject({
  /** Its policy subject is `client:NAME`; audit records and jobs name it. */
  name: z.string().regex(NAME, 'client names are lower-case words: ci, deploy-bot'),
  token: z.string().min(24, 'a client token must be at least 24 characters'),
  /** Where it may post (`POST /v1/messages`) and ask for approvals. */
  channels: z.array(channelSchema).default([]),
  /** May use broadcast mentions (<!channel>, <!here>, <!everyone>) and user-group pings. */
  broadcast: z.boolean().default(false),
  approvals: z
    .strictObject({
      /** Whom it may ask: Slack users (U…), Slack user groups (S…), policy group names. */
      approvers: z.array(z.string().regex(APPROVER, 'must be a U… or S… id or a policy group name')).min(1),
      /** Where its decisions may be POSTed (`callback_url`): URL prefixes. */
      callbacks: z.array(httpUrl).default([]),
    })
    .optional(),
  /** Verbs it may run through `POST /v1/commands` (verb names, read, mutate, *); the policy decides the rest. */
  commands: z.array(z.string().min(1)).default([]),
  /** The Slack user who stands behind it (its owner): never counted as an approver of its requests. */
  user: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,}$/, 'must be a Slack user id')
    .optional(),
});

const webhookSchema = z.strictObject({
  name: z.string().regex(NAME, 'webhook names are lower-case words: audit-sink'),
  url: httpUrl,
  secret: z.string().min(16, 'a webhook secret must be at least 16 characters'),
  events: z.array(z.string().min(1)).min(1),
  /** For `slack.message`: the channels whose messages are forwarded (ids). */
  channels: z.array(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id (C… or G…)')).default([]),
});

export const bridgeSectionSchema = z
  .strictObject({
    /** Where changes clients ask for are shown: approval prompts (`effect: approve`) and job messages. */
    channel: z
      .string()
      .regex(/^[CG][A-Z0-9]{2,}$/, 'must be a channel id (C… or G…)')
      .optional(),
    clients: z.array(clientSchema).default([]),
    webhooks: z.array(webhookSchema).default([]),
    /** How long a webhook delivery is retried before it is marked dead. */
    retryFor: durationSchema.default(24 * 3_600_000),
    /** How long one delivery may take. */
    webhookTimeout: durationSchema.default(10_000),
  })
  .superRefine((section, ctx) => {
    const unique = (names: string[], path: string) => {
      const seen = new Set<string>();
      names.forEach((name, index) => {
        if (seen.has(name))
          ctx.addIssue({
            code: 'custom',
            path: [path, index, 'name'],
            message: `"${name}" names two ${path}`,
          });
        seen.add(name);
      });
    };
    unique(
      section.clients.map((client) => client.name),
      'clients',
    );
    unique(
      section.webhooks.map((hook) => hook.name),
      'webhooks',
    );
    const tokens = new Set<string>();
    section.clients.forEach((client, index) => {
      if (tokens.has(client.token))
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, 'token'],
          message: 'two clients share a token',
        });
      tokens.add(client.token);
      const { unknown } = expandVerbs(client.commands);
      for (const word of unknown)
        ctx.addIssue({
          code: 'custom',
          path: ['clients', index, 'commands'],
          message: `"${word}" is not a verb (use verb names, read, mutate or *)`,
        });
    });
    section.webhooks.forEach((hook, index) => {
      for (const pattern of hook.events)
        if (!EVENT_TYPES.some((type) => eventMatches(pattern, type)))
          ctx.addIssue({
            code: 'custom',
            path: ['webhooks', index, 'events'],
            message: `"${pattern}" matches no event (events: job.*, audit.*, outage.*, approval.decided, slack.message)`,
          });
      if (hook.events.some((pattern) => eventMatches(pattern, 'slack.message')) && hook.channels.length === 0)
        ctx.addIssue({
          code: 'custom',
          path: ['webhooks', index, 'channels'],
          message: 'slack.message needs the channels whose messages to forward',
        });
    });
  });

export type BridgeSection = z.infer<typeof bridgeSectionSchema>;
export type ClientConfig = z.infer<typeof clientSchema>;
export type WebhookConfig = z.infer<typeof webhookSchema>;

export interface BridgeClient extends Omit<ClientConfig, 'commands'> {
  /** The verbs named by `commands`, sets expanded. */
  readonly commands: ReadonlySet<PolicyVerb>;
}

export interface BridgeSettings extends Omit<BridgeSection, 'clients'> {
  readonly clients: readonly BridgeClient[];
}

/** `job.*` matches `job.failed`; anything else matches itself. */
export function eventMatches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** The config keys whose values are secrets, as paths below `bridge`. */
function secretPaths(data: unknown): string[] {
  const section = data as { clients?: unknown; webhooks?: unknown } | null;
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  return [
    ...Array.from({ length: count(section?.clients) }, (_, i) => `clients.${i}.token`),
    ...Array.from({ length: count(section?.webhooks) }, (_, i) => `webhooks.${i}.secret`),
  ];
}

function valueAt(data: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | null)?.[key], data);
}

export interface LoadedBridge {
  readonly bridge?: BridgeSettings;
  readonly secrets: readonly string[];
  readonly problems: readonly string[];
}

/** Validates `bridge:`; `hasPort` says whether the HTTP listener will be on (settings.http.port or PORT). */
export function loadBridgeSection(
  data: unknown,
  interpolated: Pick<InterpolationResult, 'unresolved' | 'fromEnvironment'>,
  where: string,
  hasPort: boolean,
): LoadedBridge {
  if (data === undefined) return { secrets: [], problems: [] };
  const problems: string[] = [];
  const secrets: string[] = [];
  for (const path of secretPaths(data)) {
    const value = valueAt(data, path);
    if (typeof value !== 'string' || value === '') continue;
    secrets.push(value);
    if (!interpolated.fromEnvironment.has(`bridge.${path}`))
      problems.push(
        `${where}: bridge.${path}: write the secret as \${ENV_NAME}; secrets are not kept in the config file`,
      );
  }
  if (interpolated.unresolved.some((path) => path.startsWith('bridge.'))) return { secrets, problems };
  if (!hasPort)
    problems.push(
      `${where}: bridge: needs the HTTP listener: set settings.http.port (or PORT); the bridge's API is served on it`,
    );
  const parsed = bridgeSectionSchema.safeParse(data);
  if (!parsed.success) {
    problems.push(...formatIssues(parsed.error.issues, where, ['bridge'], bridgeSectionSchema));
    return { secrets, problems };
  }
  const bridge: BridgeSettings = {
    ...parsed.data,
    clients: parsed.data.clients.map((client) => ({
      ...client,
      commands: expandVerbs(client.commands).verbs,
    })),
  };
  return { ...(problems.length === 0 ? { bridge } : {}), secrets, problems };
}
