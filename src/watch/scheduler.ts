/**
 * Polls every status source at its interval and hands each reading to the
 * bot. Plain timers on an injected clock rather than croner: intervals here
 * are durations ("every 2 min", jittered), not calendar expressions, and a
 * test must decide exactly when time passes while the polls themselves go
 * over real sockets to loopback fixtures.
 *
 * - The next poll of a source is timed from the end of the previous one (and
 *   of its callback), so polls of one source never overlap and the callback
 *   sees one source's readings in order.
 * - Each interval is jittered (±`jitter` of it), and first polls are spread
 *   over the first `jitter` of each interval, so sources do not fire together.
 * - A poll has the source's timeout (enforced by the fetcher) and, as a last
 *   guard, is abandoned a little after it.
 * - Health changes are logged once per change; nothing a poll or a callback
 *   does escapes as an exception or an unhandled rejection.
 */
import type { Logger } from 'pino';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { suggest } from '../grammar/suggest.ts';
import { backgroundTimers, type Timers } from '../timers.ts';
import type { SourceReading, WatchSource } from './source.ts';
import { initialHealth, nextHealth, type SourceHealth } from './source-health.ts';

export interface WatchSchedulerOptions {
  readonly sources: readonly WatchSource[];
  /** One poll of a source (a SourceFetcher's `read`); must not reject, but is guarded as if it might. */
  readonly read: (source: WatchSource, signal: AbortSignal) => Promise<SourceReading>;
  /** Every reading, successful or not, in order per source; awaited before that source is polled again. */
  readonly onReading: (reading: SourceReading, source: WatchSource) => void | Promise<void>;
  /** Told when a source turns healthy or unhealthy (not on every failure). */
  readonly onHealthChange?: (health: SourceHealth, previous: SourceHealth) => void;
  readonly log: Logger;
  readonly timers?: Timers;
  /** Fraction of the interval each poll may move by (default 0.1). */
  readonly jitter?: number;
  readonly random?: () => number;
  /** Failed polls in a row before a source counts as unhealthy (default 1). */
  readonly failuresToUnhealthy?: number;
  /** How long past its timeout a poll is given before it is abandoned (default 5 s). */
  readonly graceMs?: number;
}

interface SourceState {
  readonly source: WatchSource;
  health: SourceHealth;
  timer?: unknown;
  nextPollAt?: number;
  inFlight?: Promise<SourceReading>;
}

export class WatchScheduler {
  private readonly options: WatchSchedulerOptions;
  private readonly timers: Timers;
  private readonly states = new Map<string, SourceState>();
  private readonly stopping = new AbortController();
  private running = false;

  constructor(options: WatchSchedulerOptions) {
    this.options = options;
    this.timers = options.timers ?? backgroundTimers;
    for (const source of options.sources) {
      this.states.set(source.name, { source, health: initialHealth(source.name) });
    }
  }

  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = true;
    for (const state of this.states.values()) {
      this.schedule(state, this.random() * this.jitter() * state.source.intervalMs);
    }
  }

  /** Stops the timers, abandons polls in flight and waits for them to settle. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    for (const state of this.states.values()) this.unschedule(state);
    await this.whenIdle();
  }

  /**
   * Polls now (`check`): one source by name, or all. A source already being
   * polled is not polled twice; its poll in flight is awaited instead. An
   * unknown name rejects with a NotFound CloudmasterError naming near ones.
   */
  async checkNow(name?: string): Promise<SourceReading[]> {
    const chosen = name === undefined ? [...this.states.values()] : [this.stateOf(name)];
    return Promise.all(chosen.map((state) => this.poll(state)));
  }

  health(): SourceHealth[] {
    return [...this.states.values()].map((state) => state.health);
  }

  /** When each source is polled next (epoch ms), for the `health` reply. */
  nextPolls(): ReadonlyMap<string, number | undefined> {
    return new Map([...this.states.values()].map((state) => [state.source.name, state.nextPollAt]));
  }

  /** Settles once no poll is in flight (tests, shutdown). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const pending = [...this.states.values()].flatMap((state) => (state.inFlight ? [state.inFlight] : []));
      if (pending.length === 0) return;
      await Promise.allSettled(pending);
    }
  }

  private stateOf(name: string): SourceState {
    const state = this.states.get(name);
    if (state) return state;
    const known = [...this.states.keys()];
    throw new CloudmasterError(ErrorCode.NotFound, `No watched status source is named "${name}".`, {
      candidates: suggest(name, known),
      hint:
        known.length > 0
          ? `Watched: ${known.join(', ')}.`
          : 'No status sources are configured (watch: in cloudmaster.yml).',
    });
  }

  private jitter(): number {
    return Math.min(Math.max(this.options.jitter ?? 0.1, 0), 0.5);
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  private schedule(state: SourceState, delayMs: number): void {
    this.unschedule(state);
    if (!this.running) return;
    const delay = Math.max(0, Math.round(delayMs));
    state.nextPollAt = this.timers.now() + delay;
    state.timer = this.timers.setTimeout(() => {
      state.timer = undefined;
      // pollOnce catches everything it calls; this is the last line, should that ever change.
      this.poll(state).catch((error: unknown) =>
        this.options.log.error({ err: error, source: state.source.name }, 'status poll failed unexpectedly'),
      );
    }, delay);
  }

  private unschedule(state: SourceState): void {
    if (state.timer !== undefined) this.timers.clearTimeout(state.timer);
    state.timer = undefined;
    state.nextPollAt = undefined;
  }

  private nextDelay(state: SourceState): number {
    const spread = this.jitter() * state.source.intervalMs;
    return state.source.intervalMs + (this.random() * 2 - 1) * spread;
  }

  private poll(state: SourceState): Promise<SourceReading> {
    if (state.inFlight) return state.inFlight;
    this.unschedule(state);
    const run = this.pollOnce(state).finally(() => {
      state.inFlight = undefined;
      this.schedule(state, this.nextDelay(state));
    });
    state.inFlight = run;
    return run;
  }

  private async pollOnce(state: SourceState): Promise<SourceReading> {
    const { source } = state;
    const reading = await this.guardedRead(source);
    this.recordHealth(state, reading);
    try {
      await this.options.onReading(reading, source);
    } catch (error) {
      this.options.log.error({ err: error, source: source.name }, 'handling a status reading failed');
    }
    return reading;
  }

  /** The fetcher's read, with a last-resort deadline and no way for it to throw. */
  private async guardedRead(source: WatchSource): Promise<SourceReading> {
    const abandon = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, abandon.signal]);
    const started = this.timers.now();
    const failed = (reason: string): SourceReading => ({
      ok: false,
      source: source.name,
      at: new Date(this.timers.now()).toISOString(),
      latencyMs: this.timers.now() - started,
      reason,
    });
    let deadline: unknown;
    const late = new Promise<SourceReading>((resolve) => {
      deadline = this.timers.setTimeout(
        () => {
          abandon.abort();
          resolve(
            failed(`the poll was abandoned after ${source.timeoutMs + (this.options.graceMs ?? 5_000)} ms`),
          );
        },
        source.timeoutMs + (this.options.graceMs ?? 5_000),
      );
    });
    try {
      return await Promise.race([
        this.options.read(source, signal).catch((error: unknown) => {
          this.options.log.error({ err: error, source: source.name }, 'status poll failed unexpectedly');
          return failed('the poll failed inside cloudmaster (details in the log)');
        }),
        late,
      ]);
    } finally {
      this.timers.clearTimeout(deadline);
    }
  }

  private recordHealth(state: SourceState, reading: SourceReading): void {
    const previous = state.health;
    const next = nextHealth(previous, reading, this.options.failuresToUnhealthy ?? 1);
    state.health = next;
    if (next.state === previous.state) return;
    const { log } = this.options;
    const fields = { source: state.source.name, latencyMs: reading.latencyMs };
    if (next.state === 'unhealthy')
      log.warn({ ...fields, reason: next.lastError }, 'status source unhealthy');
    else if (previous.state === 'unhealthy') log.info(fields, 'status source healthy again');
    else log.debug(fields, 'status source healthy');
    try {
      this.options.onHealthChange?.(next, previous);
    } catch (error) {
      log.error({ err: error, source: state.source.name }, 'handling a health change failed');
    }
  }
}
