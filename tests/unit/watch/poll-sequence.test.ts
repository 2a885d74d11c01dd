/**
 * The watch's parts together, as the bot will wire them: status pages on
 * loopback, the fetcher, the scheduler on a test clock, the tracker, and a
 * snapshot saved as JSON between polls (the store's part) — across a
 * restart that starts every part afresh.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SourceFetcher } from '../../../src/watch/fetch-source.ts';
import { WatchScheduler } from '../../../src/watch/scheduler.ts';
import type { WatchSource } from '../../../src/watch/source.ts';
import { emptySnapshot, type IncidentEvent, sourceSnapshotSchema } from '../../../src/watch/tracked.ts';
import { trackReading } from '../../../src/watch/tracker.ts';
import { ManualTimers } from '../../support/manual-timers.ts';
import { StatusFixtureServer } from '../../support/status-fixtures.ts';

let server: StatusFixtureServer;
const running: WatchScheduler[] = [];
beforeEach(async () => {
  server = await StatusFixtureServer.start();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((scheduler) => scheduler.stop()));
  await server.stop();
});

/** What the bot would post, in words: a notice, or a reply in the notice's thread. */
function message(event: IncidentEvent): string {
  const { incident } = event;
  if (event.kind === 'opened')
    return `notice ${incident.key}: ${incident.title} (${incident.impact}, ${incident.status})`;
  if (event.kind === 'updated')
    return `thread ${incident.key}: ${event.changes.join(', ')} → ${incident.status}`;
  return `thread ${incident.key}: ${event.summary}`;
}

/** A bot: one process's scheduler and fetcher over a store that outlives it. */
function startBot(source: WatchSource, store: Map<string, string>, posted: string[], timers: ManualTimers) {
  const fetcher = new SourceFetcher({
    log: pino({ level: 'silent' }),
    baseDelayMs: 5,
    maxAttempts: 1,
    now: () => new Date(timers.now()),
  });
  const scheduler = new WatchScheduler({
    sources: [source],
    read: (watched, signal) => fetcher.read(watched, signal),
    onReading: (reading) => {
      const saved = store.get(reading.source);
      const snapshot = saved ? sourceSnapshotSchema.parse(JSON.parse(saved)) : emptySnapshot(reading.source);
      const { events, snapshot: next } = trackReading(snapshot, reading, {
        now: new Date(timers.now()),
        ...(source.ignoreOlderThanMs === undefined ? {} : { ignoreOlderThanMs: source.ignoreOlderThanMs }),
      });
      store.set(reading.source, JSON.stringify(next));
      posted.push(...events.map(message));
    },
    log: pino({ level: 'silent' }),
    timers,
    random: () => 0,
  });
  running.push(scheduler);
  scheduler.start();
  return scheduler;
}

/** A source polled every minute at a path of the fixture server. */
function watched(name: string, type: string, path: string): WatchSource {
  return { name, label: name, type, url: server.url(path), intervalMs: 60_000, timeoutMs: 2_000 };
}

describe('a poll sequence', () => {
  it('Statuspage: open → update → resolved → reopened posts one notice and one resolution per incident, and nothing twice across a restart', async () => {
    const path = '/api/v2/incidents/unresolved.json';
    const source = watched('github', 'statuspage', path);
    // The test clock starts where the fixture's incident began.
    const timers = new ManualTimers(Date.parse('2025-03-18T14:03:00.000Z'));
    const store = new Map<string, string>();
    const posted: string[] = [];
    /** The page answers `fixture` for the next `minutes`, polled about once a minute. */
    const pageSays = async (
      scheduler: WatchScheduler,
      fixture: Parameters<StatusFixtureServer['serve']>[1],
      minutes: number,
    ) => {
      server.serve(path, fixture);
      await timers.advanceSettling(minutes * 60_000, () => scheduler.whenIdle());
    };

    let bot = startBot(source, store, posted, timers);
    await pageSays(bot, 'statuspage/open.json', 37);
    expect(posted).toEqual([
      'notice 9yk7qwd5x3zl#1: Disruption with some GitHub services (minor, investigating)',
    ]);
    await pageSays(bot, 'statuspage/updated.json', 2);
    // The page is down for a while: nothing is resolved for it.
    await pageSays(bot, { file: 'html-error.html', status: 503 }, 3);

    // A restart: a new process, the same store. The page answers what it answered before.
    await bot.stop();
    bot = startBot(source, store, posted, timers);
    await pageSays(bot, 'statuspage/updated.json', 29);
    // 15:14: the incident is no longer listed.
    await pageSays(bot, 'statuspage/empty.json', 5);

    // Restart again after the resolution: the empty page, then the incident back, newer.
    await bot.stop();
    bot = startBot(source, store, posted, timers);
    await pageSays(bot, 'statuspage/empty.json', 136);
    await pageSays(bot, 'statuspage/reopened.json', 5);

    expect(posted).toEqual([
      'notice 9yk7qwd5x3zl#1: Disruption with some GitHub services (minor, investigating)',
      'thread 9yk7qwd5x3zl#1: status, impact, latestUpdate → identified',
      'thread 9yk7qwd5x3zl#1: resolved after 1 h 12 min',
      'notice 9yk7qwd5x3zl#2: Disruption with some GitHub services (minor, investigating)',
    ]);
    // Conditional requests carried on within a process; a fresh process asked in full.
    expect(
      server.requestsTo(path).filter((r) => r.headers['if-none-match'] !== undefined).length,
    ).toBeGreaterThan(0);
  });

  it('AWS feed: posts of one event become one notice, its update and its resolution', async () => {
    const path = '/rss/all.rss';
    const source = { ...watched('aws', 'feed', path), ignoreOlderThanMs: 86_400_000 };
    const timers = new ManualTimers(Date.parse('2025-07-08T16:13:00.000Z'));
    const store = new Map<string, string>();
    const posted: string[] = [];
    const bot = startBot(source, store, posted, timers);
    for (const [fixture, minutes] of [
      ['feed/aws-open.rss', 0],
      ['feed/aws-updated.rss', 46],
      ['feed/aws-resolved.rss', 26],
      ['feed/aws-resolved.rss', 1],
    ] as const) {
      server.serve(path, fixture);
      await timers.advanceSettling(minutes * 60_000, () => bot.whenIdle());
    }
    expect(posted).toEqual([
      'notice https://status.aws.amazon.com/#ec2-us-east-1|Increased API Error Rates#1: Increased API Error Rates (minor, ongoing)',
      'thread https://status.aws.amazon.com/#ec2-us-east-1|Increased API Error Rates#1: impact, latestUpdate → ongoing',
      'thread https://status.aws.amazon.com/#ec2-us-east-1|Increased API Error Rates#1: resolved after 1 h 12 min',
    ]);
  });
});
