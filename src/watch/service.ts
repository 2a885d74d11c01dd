/**
 * The outage watch, running: the scheduler polls each source through the
 * fetcher, and each reading goes load snapshot → track → tell the events →
 * save. The save is a compare-and-set on the snapshot's version: a replica
 * that lost the race loads the winner's snapshot and tracks the reading
 * again, and whatever events that repeats are already claimed (notices.ts),
 * so every replica can poll and each notice, reply and resolution is
 * posted once. A snapshot is saved only after its events were told: a
 * post that failed leaves it unsaved, and the next poll meets the same
 * events again.
 *
 * Without a notifier (the CLI) the service only reads: `check` polls and
 * reports, nothing is tracked or posted.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Store } from '../store/store.ts';
import { backgroundTimers, type Timers } from '../timers.ts';
import type { WatchedSource, WatchSettings } from './config.ts';
import { SourceFetcher } from './fetch-source.ts';
import { type FoundIncident, findIncident } from './find-incident.ts';
import { IncidentNotices } from './notices.ts';
import type { NoticeState, OutageNotifier } from './notifier.ts';
import { WatchScheduler } from './scheduler.ts';
import type { SourceReading } from './source.ts';
import { initialHealth, type SourceHealth } from './source-health.ts';
import { emptySnapshot, type IncidentEvent, type SourceSnapshot, sourceSnapshotSchema } from './tracked.ts';
import { resolveByHand, type TrackResult, trackReading } from './tracker.ts';

/** Rounds of load → track → save a reading may take when replicas keep saving first. */
const SAVE_ROUNDS = 5;

export interface WatchServiceOptions {
  /** The `watch:` section; absent: nothing is polled (test mode's incident still has a path). */
  readonly settings?: WatchSettings;
  readonly store: Store;
  /** Where notices go; absent (the CLI): readings are reported, never tracked. */
  readonly notifier?: OutageNotifier;
  readonly log: Logger;
  readonly timers?: Timers;
  readonly random?: () => number;
  /** Fetcher retries: tests lower the wait between attempts. */
  readonly fetchDelayMs?: number;
}

export interface ActiveIncident {
  readonly state: NoticeState;
  readonly notice?: { readonly channel: string; readonly ts: string };
}

export interface SourceStatus {
  readonly source: WatchedSource;
  readonly health: SourceHealth;
  /** When it is polled next (epoch ms), where this process polls it. */
  readonly nextPollAt?: number;
}

export class WatchService {
  readonly sources: readonly WatchedSource[];
  readonly settings: WatchSettings | undefined;
  readonly notices: IncidentNotices;
  private readonly options: WatchServiceOptions;
  private readonly timers: Timers;
  private readonly scheduler: WatchScheduler;
  private running = false;

  constructor(options: WatchServiceOptions) {
    this.options = options;
    this.settings = options.settings;
    this.sources = options.settings?.sources ?? [];
    this.timers = options.timers ?? backgroundTimers;
    const now = () => this.timers.now();
    const log = options.log.child({ component: 'outage-watch' });
    const fetcher = new SourceFetcher({
      log,
      now: () => new Date(now()),
      ...(options.fetchDelayMs === undefined ? {} : { baseDelayMs: options.fetchDelayMs }),
    });
    this.notices = new IncidentNotices({
      store: options.store,
      ...(options.notifier ? { notifier: options.notifier } : {}),
      log,
      owner: `watch:${hostname()}:${process.pid}`,
      now,
    });
    this.scheduler = new WatchScheduler({
      sources: this.sources,
      read: (source, signal) => fetcher.read(source, signal),
      onReading: (reading, source) => this.onReading(reading, source as WatchedSource),
      log,
      timers: this.timers,
      ...(options.random ? { random: options.random } : {}),
    });
  }

  now(): number {
    return this.timers.now();
  }

  /** Starts polling (the bot; the CLI never does). */
  start(): void {
    if (this.sources.length === 0 || !this.options.notifier) return;
    this.running = true;
    this.scheduler.start();
  }

  /** Stops polling and waits for polls in flight (and what they post) to settle. */
  async stop(): Promise<void> {
    this.running = false;
    await this.scheduler.stop();
  }

  /** Settles once no poll is in flight. */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
  }

  /** Polls now: one source by name, or every one; what is new is posted before this resolves. */
  async checkNow(
    name?: string,
  ): Promise<{ readonly source: WatchedSource; readonly reading: SourceReading }[]> {
    if (this.sources.length === 0) {
      throw new CloudmasterError(ErrorCode.NotFound, 'No status pages are watched.', {
        hint: 'Add a watch: section to cloudmaster.yml (docs/outage-watch.md).',
      });
    }
    const readings = await this.scheduler.checkNow(name);
    return readings.map((reading) => ({ source: this.sourceNamed(reading.source), reading }));
  }

  /** Each source's health: this process's own where it polls, else the last one recorded. */
  async health(): Promise<SourceStatus[]> {
    const stored = this.running
      ? new Map<string, unknown>()
      : await this.options.store.watch.sources.health();
    const live = new Map(this.scheduler.health().map((health) => [health.source, health]));
    const next = this.scheduler.nextPolls();
    return this.sources.map((source) => {
      const own = live.get(source.name);
      const recorded = stored.get(source.name) as SourceHealth | undefined;
      const health = own && own.state !== 'unknown' ? own : (recorded ?? initialHealth(source.name));
      const nextPollAt = next.get(source.name);
      return { source, health, ...(nextPollAt === undefined ? {} : { nextPollAt }) };
    });
  }

  /** The incidents open now, oldest first, with their notices' state. */
  async activeIncidents(): Promise<ActiveIncident[]> {
    const { notices } = this;
    const active: ActiveIncident[] = [];
    for (const source of this.sources) {
      const { snapshot } = await this.load(source.name);
      for (const incident of snapshot.incidents.filter((candidate) => candidate.resolvedAt === undefined)) {
        const record = await notices.record(source.name, incident.key);
        active.push({
          state: await notices.state(source, incident),
          ...(record?.record.notice ? { notice: record.record.notice } : {}),
        });
      }
    }
    return active.sort((a, b) => a.state.incident.startedAt.localeCompare(b.state.incident.startedAt));
  }

  /** The tracked incident `words` names, on any watched source. */
  async find(words: string): Promise<FoundIncident & { readonly platform: WatchedSource }> {
    const snapshots = await Promise.all(
      this.sources.map(async (source) => (await this.load(source.name)).snapshot),
    );
    const found = findIncident(words, snapshots);
    return { ...found, platform: this.sourceNamed(found.source) };
  }

  /** Resolves an open incident by hand: the resolution goes to its thread, once. */
  async resolve(words: string, by: string): Promise<FoundIncident & { readonly platform: WatchedSource }> {
    this.requireNotices('resolve');
    const found = await this.find(words);
    if (found.incident.resolvedAt !== undefined) {
      throw new CloudmasterError(ErrorCode.InvalidState, `${found.incident.title} is already resolved.`);
    }
    await this.apply(
      found.platform,
      (snapshot) => {
        const ended = resolveByHand(snapshot, found.incident.key, new Date(this.now()));
        if (!ended.ok)
          throw new CloudmasterError(ErrorCode.InvalidState, `Nothing to resolve: ${ended.reason}.`);
        return ended.result;
      },
      by,
    );
    return found;
  }

  /**
   * The whole path of a notice, proven with an incident of cloudmaster's own:
   * tracked, posted with its buttons, resolved in its thread, stored like any.
   */
  async proveNotices(
    channel: string,
    by: string,
  ): Promise<{ readonly channel: string; readonly told: number }> {
    this.requireNotices('testmode');
    const now = this.now();
    const at = new Date(now).toISOString();
    const platform: WatchedSource = {
      name: 'cloudmaster-test',
      label: 'cloudmaster test',
      type: 'synthetic',
      url: '',
      intervalMs: 0,
      timeoutMs: 0,
      channel,
    };
    const reading: SourceReading = {
      ok: true,
      source: platform.name,
      at,
      latencyMs: 0,
      notModified: false,
      incidents: [
        {
          id: `test-${now.toString(36)}`,
          title: 'Test incident: test mode checks that outage notices reach this channel',
          status: 'investigating',
          sourceStatus: 'test',
          impact: 'none',
          startedAt: at,
          url: '',
          latestUpdate: `Posted by test mode, turned on by <@${by}>; it resolves itself at once.`,
          components: [],
        },
      ],
    };
    const opened = await this.apply(platform, (snapshot) =>
      trackReading(snapshot, reading, { now: new Date(now) }),
    );
    const key = opened.find((event) => event.kind === 'opened')?.incident.key;
    if (!key) return { channel, told: opened.length };
    // Resolved as of its own start: it lasted no time, whatever the posting took.
    const resolved = await this.apply(
      platform,
      (snapshot) => {
        const ended = resolveByHand(snapshot, key, new Date(now));
        return ended.ok ? ended.result : { events: [], snapshot };
      },
      by,
    );
    return { channel, told: opened.length + resolved.length };
  }

  /** Whether this process posts notices (the bot) or only reads them (the CLI). */
  get posts(): boolean {
    return this.options.notifier !== undefined;
  }

  requireNotices(verb: string): IncidentNotices {
    if (this.options.notifier) return this.notices;
    throw new CloudmasterError(ErrorCode.Unsupported, `${verb} works in Slack, where the notices are.`, {
      hint: `Type \`/cloudmaster ${verb} …\` in Slack.`,
    });
  }

  private sourceNamed(name: string): WatchedSource {
    const source = this.sources.find((candidate) => candidate.name === name);
    if (!source) throw new Error(`no watched source ${name}`);
    return source;
  }

  private async onReading(reading: SourceReading, source: WatchedSource): Promise<void> {
    const health = this.scheduler.health().find((candidate) => candidate.source === source.name);
    if (health) await this.options.store.watch.sources.saveHealth(source.name, health, this.now());
    if (!reading.ok || !this.posts) return;
    await this.apply(source, (snapshot) =>
      trackReading(snapshot, reading, {
        now: new Date(this.now()),
        ...(source.ignoreOlderThanMs === undefined ? {} : { ignoreOlderThanMs: source.ignoreOlderThanMs }),
      }),
    );
  }

  private async load(source: string): Promise<{ snapshot: SourceSnapshot; version: number }> {
    const stored = await this.options.store.watch.sources.load(source);
    if (stored.data === undefined) return { snapshot: emptySnapshot(source), version: stored.version };
    const parsed = sourceSnapshotSchema.safeParse(stored.data);
    if (parsed.success) return { snapshot: parsed.data, version: stored.version };
    // A snapshot this version cannot read starts over; the version still guards the save.
    this.options.log.warn({ source }, 'a stored outage snapshot could not be read; starting it afresh');
    return { snapshot: emptySnapshot(source), version: stored.version };
  }

  /** load → step → tell → save, again from the top while another replica saves first. */
  private async apply(
    source: WatchedSource,
    step: (snapshot: SourceSnapshot) => TrackResult,
    by?: string,
  ): Promise<IncidentEvent[]> {
    const notices = this.requireNotices('the outage watch');
    const told: IncidentEvent[] = [];
    for (let round = 1; round <= SAVE_ROUNDS; round++) {
      const stored = await this.load(source.name);
      const result = step(stored.snapshot);
      for (const event of result.events) if (await notices.publish(source, event, by)) told.push(event);
      if (JSON.stringify(result.snapshot) === JSON.stringify(stored.snapshot)) return told;
      if (
        await this.options.store.watch.sources.save(source.name, result.snapshot, stored.version, this.now())
      )
        return told;
      this.options.log.debug({ source: source.name, round }, 'another replica saved this source first');
    }
    this.options.log.warn(
      { source: source.name },
      'could not save an outage snapshot: replicas kept saving first',
    );
    return told;
  }
}
