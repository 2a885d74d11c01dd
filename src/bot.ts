/**
 * The whole bot, assembled: config → logger → store → providers →
 * dispatcher → policy and gatekeeper → outage watch → Bolt app with its listeners. `main.ts` runs it under signals; the
 * end-to-end tests run the same thing against a fake Slack.
 */
import type { App } from '@slack/bolt';
import { type RetryOptions, WebClient } from '@slack/web-api';
import type { DestinationStream, Logger } from 'pino';
import { PROVIDER_MODULES } from '../providers/modules.ts';
import type { AnyProviderModule } from '../providers/registry.ts';
import type { Clock } from '../providers/types.ts';
import { buildApp } from './app.ts';
import { type Bridge, createBridge } from './bridge/bridge.ts';
import { ConfigError, type LoadedConfig, loadConfig } from './config/load.ts';
import { httpListenerSettings } from './config/settings.ts';
import { type JobMessagesDeps, slackJobReporter } from './conversation/job-reporter.ts';
import { slackOutageNotifier } from './conversation/outage-notifier.ts';
import { WorkTracker } from './conversation/work-tracker.ts';
import { openCore } from './core.ts';
import type { Dispatcher } from './dispatch/dispatcher.ts';
import type { JobRunner } from './jobs/runner.ts';
import * as actions from './listeners/actions/index.ts';
import * as commands from './listeners/commands/index.ts';
import type { ListenerDeps } from './listeners/deps.ts';
import * as events from './listeners/events/index.ts';
import { boltLogger } from './log/bolt-logger.ts';
import { createLogger, logLevelFrom } from './log/logger.ts';
import { Redactor } from './log/redact.ts';
import type { BotMode, OperationsServer } from './ops/http-server.ts';
import { BotMetrics } from './ops/metrics.ts';
import { readiness } from './ops/readiness.ts';
import { SlackReachability } from './ops/slack-reachability.ts';
import { defaultSummary } from './policy/default.ts';
import { SlackGroupDirectory } from './policy/directory.ts';
import { logReference } from './replies/describe-error.ts';
import { renderEndedPrompt } from './replies/slack/confirmation.ts';
import type { Gatekeeper } from './safety/gatekeeper.ts';
import { startHousekeeping } from './safety/housekeeping.ts';
import type { WatchDeps } from './safety/watch-answers.ts';
import { SlackConnection } from './slack-connection.ts';
import { slackTokenProblems } from './slack-tokens.ts';
import type { Store } from './store/store.ts';
import { realTimers, type Timers } from './timers.ts';
import { VERSION } from './version.ts';
import { IncidentDesk } from './watch/incident-desk.ts';
import { WatchService } from './watch/service.ts';

/** Where the Web API is when SLACK_API_URL does not say (the Slack clients' own default). */
const SLACK_API_URL = 'https://slack.com/api/';

export interface SlackCredentials {
  readonly botToken: string;
  readonly appToken: string;
  readonly apiUrl?: string;
  /** The bot's ids when known beforehand (the local workspace): Bolt then asks no auth.test before it listens. */
  readonly botIds?: { readonly botId: string; readonly botUserId: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** The Slack settings from the environment, or what is wrong with them (unset, swapped…). */
export function slackCredentials(env: Env): SlackCredentials | { readonly problems: string[] } {
  const problems = slackTokenProblems(env);
  if (problems.length > 0) return { problems };
  const botToken = env.SLACK_BOT_TOKEN ?? '';
  const appToken = env.SLACK_APP_TOKEN ?? '';
  return { botToken, appToken, ...(env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {}) };
}

export interface BotOptions {
  readonly env: Env;
  readonly slack: SlackCredentials;
  /** Already loaded (main.ts reports its errors itself); loaded from env otherwise. */
  readonly config?: LoadedConfig;
  readonly modules?: readonly AnyProviderModule[];
  readonly clock?: Clock;
  /** Timers jobs and their messages wait on (tests pass fake ones). */
  readonly timers?: Timers;
  readonly logDestination?: DestinationStream;
  readonly retryConfig?: RetryOptions;
  /** `local`: connected to the embedded local workspace, whose listener is given here (health says which). */
  readonly mode?: BotMode;
  /** The HTTP listener, instead of settings.http / PORT (the local workspace's). */
  readonly listener?: { readonly host: string; readonly port: number };
  /** The outage watch's clock and timers (tests drive them), its jitter, its fetcher's retry wait. */
  readonly watch?: {
    readonly timers?: Timers;
    readonly random?: () => number;
    readonly fetchDelayMs?: number;
  };
}

export interface Bot {
  readonly app: App;
  readonly dispatcher: Dispatcher;
  readonly gatekeeper: Gatekeeper;
  readonly store: Store;
  readonly jobs: JobRunner;
  readonly watch: WatchService;
  readonly work: WorkTracker;
  readonly log: Logger;
  /** This bot's metrics (its own registry). */
  readonly metrics: BotMetrics;
  /** The HTTP server (settings.http): mount other routes on it before `start()`; absent when off. */
  readonly http: OperationsServer | undefined;
  /** The HTTP bridge (`bridge:`): its API, message sender and webhook dispatcher; absent without one. */
  readonly bridge: Bridge | undefined;
  start(): Promise<void>;
  /** Stop taking work, let in-flight work finish (or record itself), close the socket. */
  stop(options?: { readonly graceMs?: number; readonly abortMs?: number }): Promise<void>;
}

export async function createBot(options: BotOptions): Promise<Bot> {
  const modules = options.modules ?? PROVIDER_MODULES;
  const config = options.config ?? loadConfig({ env: options.env, modules });
  const redactor = new Redactor([...config.secrets, options.slack.botToken, options.slack.appToken]);
  const log = createLogger({
    level: logLevelFrom(options.env),
    redactor,
    ...(options.logDestination ? { destination: options.logDestination } : {}),
  });
  for (const notice of config.notices) log.warn(notice);
  const listener: ReturnType<typeof httpListenerSettings> = options.listener
    ? { http: options.listener }
    : httpListenerSettings(config.settings, options.env);
  if (listener.problem) throw new ConfigError([listener.problem]);
  const clock = options.clock ?? Date;
  const work = new WorkTracker();
  const connection = new SlackConnection(() => clock.now());
  const metrics = new BotMetrics({
    version: VERSION,
    providers: config.accounts.map((account) => account.id),
    processMetrics: listener.http.port !== undefined,
  });
  const reachability = new SlackReachability({ log });
  const app = buildApp({
    connection,
    botToken: options.slack.botToken,
    appToken: options.slack.appToken,
    ...(options.slack.apiUrl ? { slackApiUrl: options.slack.apiUrl } : {}),
    ...(options.slack.botIds ? { botIds: options.slack.botIds } : {}),
    log,
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    fetch: reachability.fetch,
    metrics,
  });
  const timers = options.timers ?? realTimers;
  // Job messages are paced by cloudmaster itself: a 429 must reach it, not be retried with a stale state.
  const jobClient = new WebClient(options.slack.botToken, {
    ...(options.slack.apiUrl ? { slackApiUrl: options.slack.apiUrl } : {}),
    rejectRateLimitedCalls: true,
    retryConfig: options.retryConfig ?? { retries: 2 },
    logger: boltLogger(log),
    fetch: reachability.fetch,
  });
  let jobMessages: JobMessagesDeps | undefined;
  const core = await openCore({
    env: options.env,
    config,
    log,
    redactor,
    clock,
    groups: new SlackGroupDirectory(app.client, log, clock),
    signal: work.signal,
    timers,
    reporterFor: (job) => (jobMessages ? slackJobReporter(jobMessages, job) : {}),
    adopt: (driven) => work.adopt(driven),
    meter: metrics,
    backgroundCheckpoints: true,
  });
  const { dispatcher, gatekeeper, store, policy, connected, jobs, testmode } = core;
  jobMessages = { client: jobClient, redactor, store, timers, log };
  const watch = new WatchService({
    ...(config.watch ? { settings: config.watch } : {}),
    store,
    notifier: slackOutageNotifier({ client: app.client, redactor }),
    log,
    ...(options.watch?.timers ? { timers: options.watch.timers } : {}),
    ...(options.watch?.random ? { random: options.watch.random } : {}),
    ...(options.watch?.fetchDelayMs === undefined ? {} : { fetchDelayMs: options.watch.fetchDelayMs }),
  });
  metrics.read({
    slack: () => connection.snapshot(),
    jobsByState: () => store.jobs.countByState(),
    sources: () => watch.health(),
    outboxDepth: () => store.outbox.depth(),
  });
  const { host, port } = listener.http;
  // Fastify is loaded only when the listener is on: off, the bot does not carry it.
  const http =
    port === undefined
      ? undefined
      : new (await import('./ops/http-server.ts')).OperationsServer({
          host,
          port,
          mode: options.mode ?? 'slack',
          log,
          metrics,
          readiness: () =>
            readiness({
              slack: () => connection.snapshot(),
              slackProblem: () => reachability.problem(),
              store,
              accepting: () => work.accepting,
              redactor,
            }),
        });
  const watchDeps: WatchDeps = {
    gatekeeper,
    dispatcher,
    testmode,
    watch,
    desk: new IncidentDesk({ watch, store, ...(config.tickets ? { tickets: config.tickets } : {}), log }),
    store,
    clock,
    slack: () => connection.snapshot(),
    listener: () => (http ? (http.address ?? 'starting') : 'off'),
  };
  const deps: ListenerDeps = {
    dispatcher,
    gatekeeper,
    jobs,
    jobMessages,
    testmode,
    watch: watchDeps,
    settings: config.settings,
    log,
    work,
    redactor,
    metrics,
    // The bot user manifest.yml creates; replaced by the workspace's own name once auth.test answers.
    mentionPrefix: '@igor ',
    claimDelivery: async (key) => {
      try {
        return (await gatekeeper.claim(key)) ? { kind: 'first' } : { kind: 'repeat' };
      } catch (error) {
        // Not silence: reads are still answered; a change is refused with this reference.
        const reference = logReference();
        log.error({ err: error, key, reference }, 'could not claim a delivery in the store');
        return { kind: 'unclaimed', reference };
      }
    },
  };
  commands.register(app, deps);
  events.register(app, deps);
  actions.register(app, deps);
  // The config loader refuses a bridge without the listener; `http` is there when `bridge` is.
  const bridge =
    config.bridge && http
      ? createBridge({
          settings: config.bridge,
          http,
          app,
          pacedClient: jobClient,
          store,
          policy,
          conversation: deps,
          redactor,
          log,
          metrics,
          claimDelivery: deps.claimDelivery,
          now: () => clock.now(),
        })
      : undefined;
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a listener');
  });
  let housekeeping: { stop(): void } | undefined;
  let orphanSweep: ReturnType<typeof setInterval> | undefined;
  const resumeOrphans = (): void => {
    jobs
      .resumeOrphans()
      .catch((error: unknown) => log.error({ err: error }, 'could not look for jobs to resume'));
  };

  return {
    app,
    dispatcher,
    gatekeeper,
    store,
    jobs,
    watch,
    work,
    log,
    metrics,
    http,
    bridge,
    async start() {
      const address = await http?.start();
      const slackApi = options.slack.apiUrl ?? SLACK_API_URL;
      const providers = connected.map((entry) => entry.account.id);
      const mode = options.mode ?? 'slack';
      log.info(
        {
          version: VERSION,
          mode,
          slackApi,
          store: { kind: store.dialect, location: store.location },
          providers,
          http: address ?? 'off',
        },
        `cloudmaster ${VERSION} is connecting to ${mode === 'local' ? 'the local workspace' : 'Slack'} at ${slackApi}; store: ${store.dialect} at ${store.location}; ` +
          `providers: ${providers.join(', ') || 'none'}; operations listener: ${address ?? 'off'}`,
      );
      try {
        await app.start();
      } catch (error) {
        await http?.stop();
        throw error;
      }
      watch.start();
      bridge?.start();
      housekeeping = startHousekeeping({
        gatekeeper,
        store,
        settings: config.settings,
        clock,
        log,
        onExpired: async (request) => {
          metrics.confirmation('expired');
          if (!request.message) return;
          await app.client.chat.update({
            ...request.message,
            ...redactor.deep(renderEndedPrompt(request.payload.plan, request, 'expired')),
          });
        },
      });
      // People address the bot by its Slack name; help and usage should show it.
      try {
        const identity = await app.client.auth.test();
        if (typeof identity.user === 'string' && identity.user !== '')
          deps.mentionPrefix = `@${identity.user} `;
        if (typeof identity.url === 'string' && identity.url !== '') deps.workspaceUrl = identity.url;
      } catch (error) {
        log.warn({ err: error }, 'could not read the bot’s own name');
      }
      // Jobs a stopped process (or a replica that died) left behind go on here, from their recorded operations.
      resumeOrphans();
      orphanSweep = setInterval(
        resumeOrphans,
        Math.min(15_000, Math.max(1_000, config.settings.jobLease / 2)),
      );
      orphanSweep.unref();
      log.info(
        {
          version: VERSION,
          node: process.versions.node,
          providers: connected.map((entry) => entry.account.id),
          source: config.source.kind,
          store: store.location,
          watching: watch.sources.map((source) => source.name),
          policy: policy.configured ? 'configured' : defaultSummary(policy.admins.length),
        },
        `cloudmaster is connected to Slack at ${slackApi}`,
      );
      if (policy.configured && policy.admins.length > 0)
        log.warn('settings.admins grants nothing while policy rules are written: the rules alone decide');
    },
    async stop({ graceMs = config.settings.shutdownGrace, abortMs = 5_000 } = {}) {
      // Polls in flight end (and post what they found) before the rest winds down.
      await watch.stop();
      const left = await work.drain(graceMs, abortMs);
      if (left > 0)
        log.warn(
          { interrupted: left },
          'stopped while work was in flight; see the interrupted operations above',
        );
      housekeeping?.stop();
      clearInterval(orphanSweep);
      await bridge?.stop();
      await app.stop();
      await core.close();
      // Last: until here /readyz says it is shutting down.
      await http?.stop();
      log.info('cloudmaster stopped');
    },
  };
}
