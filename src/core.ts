/**
 * What the bot and the CLI share once the config is loaded: the store, the
 * connected providers, the dispatcher, the policy, the gatekeeper and test mode.
 */
import type { Logger } from 'pino';
import { type AnyProviderModule, type ConnectedProvider, connectAccounts } from '../providers/registry.ts';
import type { Clock } from '../providers/types.ts';
import type { LoadedConfig } from './config/load.ts';
import { Dispatcher } from './dispatch/dispatcher.ts';
import { ProviderSet } from './dispatch/provider-set.ts';
import { type JobReporter, JobRunner, type StoredJob } from './jobs/runner.ts';
import type { Redactor } from './log/redact.ts';
import type { ProviderCallMeter } from './ops/metrics.ts';
import type { GroupDirectory } from './policy/directory.ts';
import { Policy } from './policy/policy.ts';
import { Gatekeeper } from './safety/gatekeeper.ts';
import { TestMode } from './safety/testmode.ts';
import { openStore, type Store, storeLocation, urlSecrets } from './store/store.ts';
import { realTimers, type Timers } from './timers.ts';

export interface Core {
  readonly store: Store;
  readonly connected: readonly ConnectedProvider[];
  readonly dispatcher: Dispatcher;
  readonly policy: Policy;
  readonly gatekeeper: Gatekeeper;
  readonly jobs: JobRunner;
  /** While on, mutations are dry runs (the switch is in the store). */
  readonly testmode: TestMode;
  /** Providers' sessions, then the store. */
  close(): Promise<void>;
}

export interface CoreOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly config: LoadedConfig;
  readonly log: Logger;
  readonly redactor: Redactor;
  readonly clock: Clock;
  readonly groups: GroupDirectory;
  readonly modules?: readonly AnyProviderModule[];
  /** Aborted at shutdown: jobs being followed pause and give their leases up. */
  readonly signal?: AbortSignal;
  readonly timers?: Timers;
  /** How a job this process did not start is shown when it takes it over. */
  readonly reporterFor?: (job: StoredJob) => JobReporter;
  /** Counts a job taken over as work in flight (shutdown waits for it). */
  readonly adopt?: (work: Promise<unknown>) => void;
  /** Told of every provider call (the bot's metrics). */
  readonly meter?: ProviderCallMeter;
  /** A long-running process: SQLite checkpoints on a worker thread (sqlite-checkpointer.ts). */
  readonly backgroundCheckpoints?: boolean;
}

export async function openCore(options: CoreOptions): Promise<Core> {
  const { config, log, redactor, clock } = options;
  const location = storeLocation(options.env);
  redactor.add(urlSecrets(location));
  const store = await openStore(location, {
    now: clock.now(),
    redactor,
    onIdleError: (error) => log.error({ err: error }, 'the database connection failed'),
    backgroundCheckpoints: options.backgroundCheckpoints ?? false,
    ...(config.bridge ? { webhooks: config.bridge.webhooks } : {}),
  });
  const connected = await connectAccounts(config.accounts, { log, clock });
  const dispatcher = new Dispatcher({
    providers: new ProviderSet(connected),
    settings: config.settings,
    log,
    meter: options.meter,
  });
  const policy = new Policy(config.policy, options.groups, {
    admins: config.settings.admins,
    owners: Object.fromEntries(
      (config.bridge?.clients ?? []).flatMap((client) =>
        client.user ? [[`client:${client.name}`, client.user] as const] : [],
      ),
    ),
  });
  const gatekeeper = new Gatekeeper({
    dispatcher,
    store,
    policy,
    settings: config.settings,
    clock,
    log,
    redactor,
  });
  const jobs = new JobRunner({
    store,
    dispatcher,
    gatekeeper,
    timers: options.timers ?? realTimers,
    log,
    leaseMs: config.settings.jobLease,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.reporterFor ? { reporterFor: options.reporterFor } : {}),
    ...(options.adopt ? { adopt: options.adopt } : {}),
  });
  return {
    store,
    connected,
    dispatcher,
    policy,
    gatekeeper,
    jobs,
    testmode: new TestMode({ flags: store.flags, gatekeeper, clock, log }),
    async close() {
      await jobs.idle();
      await Promise.allSettled(connected.map((entry) => entry.instance?.close?.()));
      await store.close();
    },
  };
}
