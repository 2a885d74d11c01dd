/**
 * The bot's Prometheus metrics, in a registry of its own (not prom-client's
 * global one, so several bots in one process never share counters). Every
 * label value comes from a table or the config — a verb the grammar does
 * not know is `unknown`, anything else outside its table `other` — so no
 * user text can grow the number of series. docs/operations.md lists each
 * metric; tests/unit/operations-docs.test.ts keeps that list in step.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { SLASH_COMMANDS } from '../entry-points.ts';
import { PROVIDER_VERBS, VERBS } from '../grammar/command.ts';
import type { ClickAction, ClickOutcome } from '../safety/gatekeeper.ts';
import type { SlackConnectionState, SlackSocketState } from '../slack-connection.ts';
import { JOB_STATES, type JobState } from '../store/jobs.ts';
import type { SourceStatus } from '../watch/service.ts';
import { within } from './within.ts';

export const COMMAND_OUTCOMES = ['ok', 'usage', 'denied', 'error', 'restarting'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

export const CONFIRMATION_OUTCOMES = [
  'confirmed',
  'approved',
  'cancelled',
  'rejected',
  'expired',
  'refused',
  'lost',
  'failed',
] as const;
export type ConfirmationOutcome = (typeof CONFIRMATION_OUTCOMES)[number];

/** What a click on a prompt came to. */
export function confirmationOutcome(action: ClickAction, result: ClickOutcome): ConfirmationOutcome {
  switch (result.kind) {
    case 'run':
      return action === 'approve' ? 'approved' : 'confirmed';
    case 'ended':
      return result.outcome === 'rejected' || result.outcome === 'expired' ? result.outcome : 'cancelled';
    default:
      return result.kind;
  }
}

/** The bridge's routes (their templates): the only values the route label takes. */
export const BRIDGE_ROUTES = [
  '/v1/messages',
  '/v1/messages/:id',
  '/v1/approvals',
  '/v1/approvals/:id',
  '/v1/commands',
  '/v1/jobs/:id',
] as const;

export const WEBHOOK_OUTCOMES = ['delivered', 'failed', 'dead'] as const;

export const PROVIDER_CALL_OUTCOMES = ['ok', 'error', 'timeout'] as const;
export type ProviderCallOutcome = (typeof PROVIDER_CALL_OUTCOMES)[number];

/** The provider methods a call may run (providers/types.ts): one per provider verb, and these. */
export const PROVIDER_OPERATIONS: readonly string[] = [...PROVIDER_VERBS, 'cancelOperation', 'poll', 'ping'];

/** Socket Mode envelopes that are acked. */
const ENVELOPE_TYPES = ['slash_commands', 'events_api', 'interactive'] as const;

const SOCKET_STATES: readonly SlackSocketState[] = [
  'connecting',
  'connected',
  'reconnecting',
  'disconnected',
];

/** How the other parts of the bot report a provider call (src/dispatch/call.ts). */
export interface ProviderCallMeter {
  providerCall(provider: string, operation: string, outcome: ProviderCallOutcome, seconds: number): void;
}

/** What the gauges read at each scrape. */
export interface MetricReadings {
  slack(): SlackConnectionState;
  jobsByState(): Promise<ReadonlyMap<string, number>>;
  sources(): Promise<readonly SourceStatus[]>;
  /** Webhook deliveries not delivered yet (absent without a bridge). */
  outboxDepth?(): Promise<number>;
}

export interface BotMetricsOptions {
  readonly version: string;
  /** The configured provider ids: the only values the provider label takes. */
  readonly providers: readonly string[];
  /** Process and Node.js metrics (CPU, memory, event loop, GC); only worth their cost when scraped. */
  readonly processMetrics?: boolean;
  /** How long a gauge's reading (the store, the watch) may take before a scrape goes on without it. */
  readonly readingTimeoutMs?: number;
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  otherwise: T | 'other' = 'other',
): string {
  return (allowed as readonly string[]).includes(value) ? value : otherwise;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];

export class BotMetrics implements ProviderCallMeter {
  readonly registry = new Registry();
  private readonly providers: readonly string[];
  private readonly surfaces: readonly string[];
  private readonly readingTimeoutMs: number;
  private readings: MetricReadings | undefined;
  private reconnectsCounted = 0;

  private readonly commands: Counter<'surface' | 'verb' | 'outcome'>;
  private readonly firstReplySeconds: Histogram<'surface'>;
  private readonly ackSeconds: Histogram<'type'>;
  private readonly providerCalls: Counter<'provider' | 'operation' | 'outcome'>;
  private readonly providerCallSeconds: Histogram<'provider' | 'operation'>;
  private readonly confirmations: Counter<'outcome'>;
  private readonly bridgeRequests: Counter<'route' | 'status'>;
  private readonly bridgeSeconds: Histogram<'route'>;
  private readonly webhookDeliveries: Counter<'outcome'>;

  constructor(options: BotMetricsOptions) {
    this.providers = options.providers;
    this.surfaces = [...SLASH_COMMANDS.map((spec) => spec.command), 'mention', 'dm'];
    this.readingTimeoutMs = options.readingTimeoutMs ?? 2_000;
    const registers = [this.registry];
    new Gauge({
      name: 'cloudmaster_build_info',
      help: 'Always 1; the version running is its label.',
      labelNames: ['version'],
      registers,
    }).set({ version: options.version }, 1);
    this.commands = new Counter({
      name: 'cloudmaster_commands_total',
      help: 'Commands answered, by surface (slash command, mention, dm), verb and outcome.',
      labelNames: ['surface', 'verb', 'outcome'],
      registers,
    });
    this.firstReplySeconds = new Histogram({
      name: 'cloudmaster_command_first_reply_seconds',
      help: 'From a command reaching the bot to its first reply delivered to Slack.',
      labelNames: ['surface'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.ackSeconds = new Histogram({
      name: 'cloudmaster_ack_latency_seconds',
      help: 'From a Socket Mode envelope arriving to its ack being sent (Slack allows 3 s), by envelope type.',
      labelNames: ['type'],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.providerCalls = new Counter({
      name: 'cloudmaster_provider_calls_total',
      help: 'Calls to provider modules, by provider id, operation and outcome (ok, error, timeout).',
      labelNames: ['provider', 'operation', 'outcome'],
      registers,
    });
    this.providerCallSeconds = new Histogram({
      name: 'cloudmaster_provider_call_duration_seconds',
      help: 'How long provider calls took, by provider id and operation.',
      labelNames: ['provider', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.confirmations = new Counter({
      name: 'cloudmaster_confirmations_total',
      help: 'Clicks on confirmation and approval prompts, and prompts expired, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.bridgeRequests = new Counter({
      name: 'cloudmaster_bridge_requests_total',
      help: 'Calls to the bridge API (/v1), by route and HTTP status.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.bridgeSeconds = new Histogram({
      name: 'cloudmaster_bridge_request_duration_seconds',
      help: 'How long the bridge API took to answer, by route.',
      labelNames: ['route'],
      buckets: ACK_BUCKETS,
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'cloudmaster_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered, failed and to be retried, dead).',
      labelNames: ['outcome'],
      registers,
    });
    this.defineGauges(registers);
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the gauges read the Slack socket, the jobs and the status sources (set once the bot is assembled). */
  read(readings: MetricReadings): void {
    this.readings = readings;
  }

  commandAnswered(surface: string, verb: string, outcome: CommandOutcome): void {
    this.commands.inc({
      surface: oneOf(surface, this.surfaces),
      verb: oneOf(verb, VERBS, 'unknown'),
      outcome,
    });
  }

  firstReply(surface: string, seconds: number): void {
    this.firstReplySeconds.observe({ surface: oneOf(surface, this.surfaces) }, seconds);
  }

  acked(envelopeType: string, seconds: number): void {
    this.ackSeconds.observe({ type: oneOf(envelopeType, ENVELOPE_TYPES) }, seconds);
  }

  providerCall(provider: string, operation: string, outcome: ProviderCallOutcome, seconds: number): void {
    const labels = {
      provider: oneOf(provider, this.providers),
      operation: oneOf(operation, PROVIDER_OPERATIONS),
    };
    this.providerCalls.inc({ ...labels, outcome });
    this.providerCallSeconds.observe(labels, seconds);
  }

  confirmation(outcome: ConfirmationOutcome): void {
    this.confirmations.inc({ outcome });
  }

  bridgeRequest(route: string, status: number, seconds: number): void {
    const known = oneOf(route, BRIDGE_ROUTES);
    this.bridgeRequests.inc({ route: known, status: String(status >= 100 && status < 600 ? status : 0) });
    this.bridgeSeconds.observe({ route: known }, seconds);
  }

  webhookDelivery(outcome: (typeof WEBHOOK_OUTCOMES)[number]): void {
    this.webhookDeliveries.inc({ outcome });
  }

  /** The Prometheus text format of every metric. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private defineGauges(registers: Registry[]): void {
    const metrics = this;
    new Gauge({
      name: 'cloudmaster_jobs',
      help: 'Jobs in the store by state (shared by every replica on the same store).',
      labelNames: ['state'],
      registers,
      async collect() {
        this.reset();
        const counts = await metrics.reading((readings) => readings.jobsByState());
        if (!counts) return;
        for (const state of JOB_STATES) this.set({ state }, counts.get(state as JobState) ?? 0);
      },
    });
    const sourceGauge = (name: string, help: string, value: (status: SourceStatus) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ['source'],
        registers,
        async collect() {
          this.reset();
          for (const status of (await metrics.reading((r) => r.sources())) ?? []) {
            const measured = value(status);
            if (measured !== undefined) this.set({ source: status.source.name }, measured);
          }
        },
      });
    sourceGauge(
      'cloudmaster_outage_source_up',
      'Each watched status page: 1 while its polls succeed, 0 while they fail (absent before the first poll).',
      ({ health }) => (health.state === 'unknown' ? undefined : health.state === 'healthy' ? 1 : 0),
    );
    sourceGauge(
      'cloudmaster_outage_source_last_success_timestamp_seconds',
      'When each watched status page was last polled successfully (Unix time).',
      ({ health }) => (health.lastSuccessAt ? Date.parse(health.lastSuccessAt) / 1000 : undefined),
    );
    new Gauge({
      name: 'cloudmaster_webhook_outbox_depth',
      help: 'Webhook deliveries not delivered yet (pending, in the store shared by every replica).',
      registers,
      async collect() {
        const depth = await metrics.reading((readings) => readings.outboxDepth?.() ?? Promise.resolve(0));
        this.set(depth ?? 0);
      },
    });
    new Gauge({
      name: 'cloudmaster_slack_socket_state',
      help: 'The Socket Mode connection: 1 for its current state, 0 for the others.',
      labelNames: ['state'],
      registers,
      collect() {
        const current = metrics.readings?.slack().state;
        for (const state of SOCKET_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Counter({
      name: 'cloudmaster_slack_socket_reconnects_total',
      help: 'Socket Mode connections opened after the first.',
      registers,
      collect() {
        const reconnects = Math.max(0, (metrics.readings?.slack().connections ?? 0) - 1);
        if (reconnects > metrics.reconnectsCounted) this.inc(reconnects - metrics.reconnectsCounted);
        metrics.reconnectsCounted = Math.max(metrics.reconnectsCounted, reconnects);
      },
    });
  }

  /** A gauge's reading, or undefined when it failed or took too long: a scrape never hangs on the store. */
  private async reading<T>(read: (readings: MetricReadings) => Promise<T>): Promise<T | undefined> {
    if (!this.readings) return undefined;
    try {
      return await within(read(this.readings), this.readingTimeoutMs);
    } catch {
      return undefined;
    }
  }
}
