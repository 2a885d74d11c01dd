import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudmasterError, ErrorCode } from '../../../src/errors.ts';
import { SourceFetcher } from '../../../src/watch/fetch-source.ts';
import { WatchScheduler, type WatchSchedulerOptions } from '../../../src/watch/scheduler.ts';
import type { SourceReading, WatchSource } from '../../../src/watch/source.ts';
import type { SourceHealth } from '../../../src/watch/source-health.ts';
import { capturedLog } from '../../support/log-lines.ts';
import { ManualTimers } from '../../support/manual-timers.ts';
import { StatusFixtureServer } from '../../support/status-fixtures.ts';

let server: StatusFixtureServer;
let scheduler: WatchScheduler | undefined;
beforeEach(async () => {
  server = await StatusFixtureServer.start();
});
afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
  await server.stop();
});

function source(name: string, file: string, facts: Partial<WatchSource> = {}): WatchSource {
  server.serve(`/${name}`, file);
  return {
    name,
    label: name.toUpperCase(),
    type: 'statuspage',
    url: server.url(`/${name}`),
    intervalMs: 60_000,
    timeoutMs: 2_000,
    ...facts,
  };
}

interface Harness {
  readonly timers: ManualTimers;
  readonly readings: SourceReading[];
  readonly changes: [SourceHealth, SourceHealth][];
  readonly log: ReturnType<typeof capturedLog>;
  readonly scheduler: WatchScheduler;
  /** Moves time on and waits for the polls that started. */
  advance(ms: number): Promise<void>;
}

function harness(sources: readonly WatchSource[], options: Partial<WatchSchedulerOptions> = {}): Harness {
  const timers = new ManualTimers();
  const log = capturedLog();
  const readings: SourceReading[] = [];
  const changes: [SourceHealth, SourceHealth][] = [];
  const fetcher = new SourceFetcher({ log: log.log, baseDelayMs: 5, maxAttempts: 1 });
  const created = new WatchScheduler({
    sources,
    read: (watched, signal) => fetcher.read(watched, signal),
    onReading: (reading) => {
      readings.push(reading);
    },
    onHealthChange: (health, previous) => changes.push([health, previous]),
    log: log.log,
    timers,
    random: () => 0.5,
    ...options,
  });
  scheduler = created;
  return {
    timers,
    readings,
    changes,
    log,
    scheduler: created,
    async advance(ms) {
      timers.advance(ms);
      await created.whenIdle();
    },
  };
}

const polled = (path: string): number => server.requestsTo(path).length;

describe('polling status sources', () => {
  it('spreads first polls, then polls each source at its interval, jittered, one reading per poll', async () => {
    const a = source('a', 'statuspage/open.json', { intervalMs: 60_000 });
    const b = source('b', 'statuspage/empty.json', { intervalMs: 120_000 });
    const h = harness([a, b], { random: () => 1 });
    h.scheduler.start();
    // First polls within the first tenth of each interval: 6 s for a, 12 s for b.
    expect(h.timers.pendingDelays()).toEqual([6_000, 12_000]);
    await h.advance(6_000);
    expect([polled('/a'), polled('/b')]).toEqual([1, 0]);
    await h.advance(6_000);
    expect([polled('/a'), polled('/b')]).toEqual([1, 1]);
    // random() = 1 puts each next poll at the top of its jitter: interval + 10 %.
    expect(h.timers.pendingDelays()).toEqual([60_000, 132_000]);
    await h.advance(60_000);
    expect([polled('/a'), polled('/b')]).toEqual([2, 1]);
    expect(h.readings.map((r) => [r.source, r.ok])).toEqual([
      ['a', true],
      ['b', true],
      ['a', true],
    ]);
  });

  it('never overlaps polls of one source: a check during a poll joins it', async () => {
    const slow = source('slow', 'statuspage/open.json');
    server.serve('/slow', { file: 'statuspage/open.json', delayMs: 200 });
    const h = harness([slow]);
    h.scheduler.start();
    h.timers.advance(3_000);
    const [joined] = await h.scheduler.checkNow('slow');
    await h.scheduler.whenIdle();
    expect(polled('/slow')).toBe(1);
    expect(joined?.ok).toBe(true);
    expect(h.readings).toHaveLength(1);
    // The next poll is timed from the end of this one, not stacked behind it.
    expect(h.timers.pendingDelays()).toEqual([60_000]);
  });

  it('checks all sources now, or one, and refuses an unknown name with near ones', async () => {
    const h = harness([source('github', 'statuspage/open.json'), source('gitlab', 'statuspage/empty.json')]);
    expect((await h.scheduler.checkNow()).map((r) => r.source)).toEqual(['github', 'gitlab']);
    expect((await h.scheduler.checkNow('gitlab')).map((r) => r.source)).toEqual(['gitlab']);
    const refused = await h.scheduler.checkNow('githib').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CloudmasterError);
    expect(refused).toMatchObject({
      code: ErrorCode.NotFound,
      message: 'No watched status source is named "githib".',
      candidates: ['github'],
    });
  });

  it('marks a failing source unhealthy and logs it once, then once more when it recovers', async () => {
    const flaky = source('flaky', 'statuspage/open.json');
    const h = harness([flaky]);
    h.scheduler.start();
    await h.advance(6_000);
    expect(h.scheduler.health()[0]).toMatchObject({ state: 'healthy', consecutiveFailures: 0 });
    server.serve('/flaky', { file: 'html-error.html', status: 502 });
    for (let i = 0; i < 3; i++) await h.advance(60_000);
    server.serve('/flaky', 'statuspage/wrong-shape.json');
    await h.advance(60_000);
    server.serve('/flaky', 'statuspage/empty.json');
    await h.advance(60_000);
    await h.advance(60_000);

    const health = h.scheduler.health()[0];
    expect(health).toMatchObject({ state: 'healthy', consecutiveFailures: 0, lastError: expect.any(String) });
    expect(health?.lastSuccessAt).toBeDefined();
    expect(h.changes.map(([next, previous]) => `${previous.state} → ${next.state}`)).toEqual([
      'unknown → healthy',
      'healthy → unhealthy',
      'unhealthy → healthy',
    ]);
    const watchLines = h.log.messages().filter((line) => line.includes('status source'));
    expect(watchLines).toEqual([
      'debug status source healthy',
      'warn status source unhealthy',
      'info status source healthy again',
    ]);
    const unhealthy = h.log.lines.find((line) => line.msg === 'status source unhealthy');
    expect(unhealthy).toMatchObject({
      source: 'flaky',
      reason: 'FLAKY status failed with HTTP 502 (1 attempt).',
    });
    expect(h.readings.map((r) => r.ok)).toEqual([true, false, false, false, false, true, true]);
  });

  it('can wait for several failures before calling a source unhealthy', async () => {
    const h = harness([source('blip', 'html-error.html')], { failuresToUnhealthy: 3 });
    await h.scheduler.checkNow();
    await h.scheduler.checkNow();
    expect(h.scheduler.health()[0]).toMatchObject({ state: 'unknown', consecutiveFailures: 2 });
    await h.scheduler.checkNow();
    expect(h.scheduler.health()[0]).toMatchObject({
      state: 'unhealthy',
      consecutiveFailures: 3,
      lastError: 'the answer is an HTML page, not a Statuspage v2 answer',
    });
  });

  it('fails a poll that answers after its timeout, and goes on polling', async () => {
    const late = source('late', 'statuspage/open.json', { timeoutMs: 250 });
    server.serve('/late', { file: 'statuspage/open.json', delayMs: 1_000 });
    const h = harness([late]);
    h.scheduler.start();
    await h.advance(6_000);
    expect(h.readings[0]).toMatchObject({ ok: false, reason: 'LATE status did not answer in 250 ms.' });
    expect(h.timers.pendingDelays()).toEqual([60_000]);
  });

  it('abandons a poll that outlives its timeout and grace, whatever the fetcher does', async () => {
    const hung = source('hung', 'statuspage/open.json', { timeoutMs: 30_000 });
    server.serve('/hung', { file: 'statuspage/open.json', delayMs: 5_000 });
    const h = harness([hung], { graceMs: 1_000 });
    const check = h.scheduler.checkNow('hung');
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.timers.advance(31_000);
    const [reading] = await check;
    expect(reading).toMatchObject({ ok: false, reason: 'the poll was abandoned after 31000 ms' });
  });

  it('keeps polling when the reading callback throws, and logs the failure', async () => {
    const h = harness([source('a', 'statuspage/open.json')], {
      onReading: async () => {
        throw new Error('the store is down');
      },
    });
    h.scheduler.start();
    await h.advance(6_000);
    await h.advance(60_000);
    expect(polled('/a')).toBe(2);
    const failures = h.log.lines.filter((line) => line.msg === 'handling a status reading failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ source: 'a', err: { message: 'the store is down' } });
  });

  it('stops: no timers left, a poll in flight is stopped and settles', async () => {
    const a = source('a', 'statuspage/open.json');
    server.serve('/a', { file: 'statuspage/open.json', delayMs: 1_000 });
    const h = harness([a]);
    h.scheduler.start();
    h.timers.advance(6_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.scheduler.stop();
    expect(h.timers.pendingDelays()).toEqual([]);
    expect(h.readings).toEqual([expect.objectContaining({ ok: false, reason: 'the poll was stopped.' })]);
    h.scheduler.start();
    expect(h.timers.pendingDelays()).toEqual([]);
  });

  it('tells when each source is polled next', async () => {
    const h = harness([source('a', 'statuspage/open.json')]);
    expect(h.scheduler.nextPolls().get('a')).toBeUndefined();
    h.scheduler.start();
    expect(h.scheduler.nextPolls().get('a')).toBe(h.timers.now() + 3_000);
  });
});
