/**
 * Two replicas of the bot on one Slack app and one PostgreSQL store, both
 * watching the same status page and polling it at the same moments: each
 * notice, threaded update and resolution is posted once, and of clicks on
 * Acknowledge spread over both replicas one is recorded. (SQLite serves one
 * bot process; replicas share PostgreSQL, so this runs where PostgreSQL is.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import {
  clickNotice,
  noticesIn,
  OUTAGE_CHANNEL,
  privateAnswer,
  STATUS_PATH,
  threadOf,
  watchConfig,
} from '../support/outages.ts';
import { StatusFixtureServer } from '../support/status-fixtures.ts';

const postgres = testDatabases().find((database) => database.name === 'postgres');

describe.runIf(postgres?.available)('two replicas watching one status page, sharing PostgreSQL', () => {
  let fake: FakeSlack;
  let pages: StatusFixtureServer;
  let where: TestLocation;
  const replicas: Harness[] = [];
  const timers = new ManualTimers(Date.parse('2025-03-18T14:03:00.000Z'));

  /** Both replicas poll at every due moment; time moves on once both are done. */
  async function pageSays(fixture: string, minutes: number): Promise<void> {
    pages.serve(STATUS_PATH, fixture);
    await timers.advanceSettling(minutes * 60_000, async () => {
      await Promise.all(replicas.map((replica) => replica.bot.watch.whenIdle()));
    });
  }

  beforeAll(async () => {
    fake = await FakeSlack.start();
    pages = await StatusFixtureServer.start();
    where = await (postgres as NonNullable<typeof postgres>).create();
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startBot(watchConfig(pages), {
          slack: fake,
          env: where.env,
          clock: timers,
          watch: { timers, random: () => 0, fetchDelayMs: 5 },
        }),
      );
    }
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await fake?.stop();
    await pages?.stop();
    await where?.drop();
  });

  it('posts one notice, one update and one resolution though both replicas read each change', async () => {
    await pageSays('statuspage/open.json', 3);
    await pageSays('statuspage/updated.json', 3);
    await pageSays('statuspage/empty.json', 3);
    // Both polled every minute: the page was read by each of them.
    expect(pages.requestsTo(STATUS_PATH).length).toBeGreaterThanOrEqual(2 * 9);
    const notices = noticesIn(fake, OUTAGE_CHANNEL);
    expect(notices).toHaveLength(1);
    const notice = notices[0] as MessageRecord;
    expect(threadOf(fake, notice)).toEqual([
      expect.stringMatching(/^GitHub: status investigating → identified, impact minor → major\./),
      'GitHub: resolved after 7 min 6 s — it left the status page.',
    ]);
    expect(latest(notice).text).toMatch(/^Resolved — GitHub: /);
  });

  it('records one acknowledgement of many clicks, whichever replica each reaches', async () => {
    await pageSays('statuspage/reopened.json', 2);
    const notice = noticesIn(fake, OUTAGE_CHANNEL)[1] as MessageRecord;
    const clicks = await Promise.all(
      ['U0ALICE', 'U0BOB', 'U0CAROL', 'U0DAVE'].map((user) => clickNotice(fake, notice, 'acknowledge', user)),
    );
    const answers = await Promise.all(clicks.map((click) => privateAnswer(fake, click)));
    expect(answers.filter((text) => text.startsWith('You acknowledged'))).toHaveLength(1);
    expect(answers.filter((text) => text.includes('was already acknowledged by'))).toHaveLength(3);
    const answeredBy = replicas.filter((replica) =>
      replica.logs.some((line) => line.includes('outage button clicked')),
    );
    expect(answeredBy).toHaveLength(2);
  });
});
