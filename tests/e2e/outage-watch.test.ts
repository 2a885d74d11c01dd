/**
 * The outage watch end to end: the real bot on the fake Slack, a status
 * page served from loopback fixtures, the real store (SQLite, and
 * PostgreSQL where it is), and a test clock that moves only when the test
 * says — through open → update → resolved → reopened with restarts in
 * between, then the commands (outages, check, resolve, health), the buttons
 * without a ticket system, and the CLI reading the same store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentRef } from '../../src/watch/incident-ref.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import {
  clickNotice,
  hasButtons,
  noticesIn,
  OUTAGE_CHANNEL,
  pageSays,
  privateAnswer,
  STATUS_PATH,
  slash,
  threadOf,
  watchConfig,
} from '../support/outages.ts';
import { run } from '../support/run-process.ts';
import { StatusFixtureServer } from '../support/status-fixtures.ts';

const CHANNEL = OUTAGE_CHANNEL;
const PATH = STATUS_PATH;
const FIRST = incidentRef('github', '9yk7qwd5x3zl#1');
const SECOND = incidentRef('github', '9yk7qwd5x3zl#2');

const config = (pages: StatusFixtureServer) => watchConfig(pages);

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`the outage watch through Slack, stored on ${database.name}`, () => {
    let fake: FakeSlack;
    let pages: StatusFixtureServer;
    let where: TestLocation;
    let harness: Harness | undefined;
    // The fixture's incident began at 14:02; the watch's clock starts a minute later.
    const timers = new ManualTimers(Date.parse('2025-03-18T14:03:00.000Z'));

    /** A bot process on the shared Slack, store and clock; the one before it is stopped first. */
    async function restart(): Promise<Harness> {
      await harness?.stop();
      harness = await startBot(config(pages), {
        slack: fake,
        env: where.env,
        clock: timers,
        watch: { timers, random: () => 0, fetchDelayMs: 5 },
      });
      return harness;
    }
    const says = (route: Parameters<StatusFixtureServer['serve']>[1], minutes: number) =>
      pageSays(pages, PATH, route, minutes, timers, (harness as Harness).bot);

    beforeAll(async () => {
      fake = await FakeSlack.start();
      pages = await StatusFixtureServer.start();
      where = await database.create();
    });
    afterAll(async () => {
      await harness?.stop();
      await fake?.stop();
      await pages?.stop();
      await where?.drop();
    });

    let first: MessageRecord;

    it('posts one notice, one threaded update and one resolution per incident, across restarts, and a new notice when it reopens', async () => {
      await restart();
      await says('statuspage/open.json', 37);
      [first] = noticesIn(fake, CHANNEL) as [MessageRecord];
      expect(noticesIn(fake, CHANNEL)).toHaveLength(1);
      expect(latest(first).text).toBe(
        `Outage — GitHub: Disruption with some GitHub services. Impact minor, status investigating, started 14:02 UTC. https://stspg.io/pkw0rdnx5hgc (ref ${FIRST})`,
      );
      expect(hasButtons(first)).toBe(true);

      await says('statuspage/updated.json', 2);
      // The page is down for a while: nothing is resolved for it.
      await says({ file: 'html-error.html', status: 503 }, 3);
      // A restart: a new process on the same store; the page says again what it said.
      await restart();
      await says('statuspage/updated.json', 29);
      expect(threadOf(fake, first)).toHaveLength(1);
      // 15:14: the incident is no longer listed; two polls without it resolve it as of the first.
      await says('statuspage/empty.json', 5);
      await restart();
      await says('statuspage/empty.json', 136);
      await says('statuspage/reopened.json', 5);

      const notices = noticesIn(fake, CHANNEL);
      expect(notices).toHaveLength(2);
      // The text is mrkdwn too: the update's own `&` goes to Slack escaped, and reads `&` there.
      expect(threadOf(fake, first)).toEqual([
        'GitHub: status investigating → identified, impact minor → major. We have identified the cause: a configuration change to our job queue. Actions runs are delayed &amp; some Pull Request checks do not start. We are rolling the change back.',
        'GitHub: resolved after 1 h 12 min — it left the status page.',
      ]);
      expect(latest(first).text).toMatch(
        /^Resolved — GitHub: Disruption with some GitHub services\. Impact major, status resolved \(identified\), started 14:02 UTC, resolved after 1 h 12 min\./,
      );
      expect(hasButtons(first)).toBe(false);
      const second = notices[1] as MessageRecord;
      expect(latest(second).text).toContain(`Outage — GitHub: Disruption with some GitHub services.`);
      expect(latest(second).text).toContain(`(ref ${SECOND})`);
      expect(hasButtons(second)).toBe(true);
      expect(threadOf(fake, second)).toEqual([]);
      // Nothing was posted anywhere else, and every post went to the channel or a notice's thread.
      const posted = fake.callsOf('chat.postMessage');
      expect(posted.every((call) => call.args.channel === CHANNEL)).toBe(true);
      expect(posted).toHaveLength(4);
    });

    it('lists the open incident with its ref, and checks the page on demand', async () => {
      const listed = await slash(fake, 'outages');
      expect(listed.ephemeral).toBe(false);
      expect(latest(listed).text).toBe(
        `1 incident open on the 1 watched status page:\nGitHub: Disruption with some GitHub services (minor; investigating; since 17:30 UTC; ref ${SECOND})`,
      );
      const before = pages.requestsTo(PATH).length;
      const checked = await slash(fake, 'check github');
      expect(latest(checked).text).toMatch(
        /^Checked 1 status page\.\nGitHub: answered in \d+ ms, 1 open incident: Disruption with some GitHub services$/,
      );
      expect(pages.requestsTo(PATH).length).toBe(before + 1);
      const unknown = await slash(fake, 'check githb');
      expect(unknown.ephemeral).toBe(true);
      expect(latest(unknown).text).toBe(
        'No watched status source is named "githb".\nWatched: github.\ngithub',
      );
      // Nothing new on the page: no new post.
      expect(noticesIn(fake, CHANNEL)).toHaveLength(2);
    });

    it('says plainly that no ticket system is configured when Create ticket is clicked', async () => {
      const second = noticesIn(fake, CHANNEL)[1] as MessageRecord;
      const click = await clickNotice(fake, second, 'ticket');
      expect(await privateAnswer(fake, click)).toBe(
        'No ticket system is configured, so no ticket was opened.\nAdd a tickets: section (github or azureDevops) to cloudmaster.yml (docs/outage-watch.md).',
      );
      expect(threadOf(fake, second)).toEqual([]);
    });

    it('acknowledges once: the notice says who and when, a second click is told who did', async () => {
      const second = noticesIn(fake, CHANNEL)[1] as MessageRecord;
      const versions = second.versions.length;
      const mine = await clickNotice(fake, second, 'acknowledge', 'U0ALICE');
      expect(await privateAnswer(fake, mine)).toMatch(
        /^You acknowledged github-[0-9a-f]{6} \(GitHub: Disruption/,
      );
      await fake.waitFor(() => second.versions.length > versions, { description: 'the notice redrawn' });
      expect(latest(second).text).toContain(`(acknowledged by U0ALICE at 17:`);
      expect(JSON.stringify(latest(second).blocks)).toMatch(
        /acknowledged by <@U0ALICE> at <!date\^\d+\^\{time\}/,
      );
      const late = await clickNotice(fake, second, 'acknowledge', 'U0BOB');
      expect(await privateAnswer(fake, late)).toMatch(
        /was already acknowledged by <@U0ALICE> at \d\d:\d\d UTC\.$/,
      );
      expect(second.versions.length).toBe(versions + 1);
    });

    it('resolves by hand: the resolution goes to the notice’s thread once, and the notice shows it', async () => {
      const second = noticesIn(fake, CHANNEL)[1] as MessageRecord;
      const answer = await slash(fake, `resolve ${SECOND}`);
      expect(answer.ephemeral).toBe(true);
      expect(latest(answer).text).toBe(
        `Resolved ${SECOND} (GitHub: Disruption with some GitHub services); the resolution is in its notice’s thread.`,
      );
      expect(threadOf(fake, second)).toEqual([
        'GitHub: resolved after 9 min 15 s — marked resolved by <@U0ALICE>.',
      ]);
      await fake.waitFor(() => !hasButtons(second), { description: 'the notice without buttons' });
      const again = await slash(fake, `resolve ${SECOND}`);
      expect(latest(again).text).toBe('Disruption with some GitHub services is already resolved.');
      expect(threadOf(fake, second)).toHaveLength(1);
      expect(latest(await slash(fake, 'outages')).text).toBe(
        'No incidents are open on the 1 watched status page.',
      );
      const audit = await (harness as Harness).bot.store.audit.query({ verb: 'resolve', limit: 5 });
      // One clock tick for both (the test clock stands still): compare as sets.
      expect(audit.map((record) => record.outcome).sort()).toEqual(['failed', 'succeeded']);
    });

    it('reports its own health: Slack, the store, each provider and status page', async () => {
      const health = await slash(fake, 'health');
      const lines = latest(health).text.split('\n');
      expect(lines[0]).toBe('cloudmaster is healthy');
      expect(lines[1]).toMatch(/^Slack: connected since \d\d:\d\d UTC \(Socket Mode\)$/);
      expect(lines[2]).toMatch(new RegExp(`^Store: ${database.name} at .+, answered in \\d+ ms$`));
      expect(lines[3]).toMatch(/^Provider demo \(Simulated cloud\): answered in \d+ ms$/);
      expect(lines[4]).toMatch(
        /^Status page GitHub: healthy; last success 1\d:\d\d UTC; last poll took \d+ ms; every 1 min, next 1\d:\d\d UTC$/,
      );
      expect(lines[5]).toBe('Test mode: off');
    });

    it('logged no error and no stack trace along the way', () => {
      const logs = (harness as Harness).logs;
      expect(logs.filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
      expect(logs.filter((line) => /\\n\s+at /.test(line))).toEqual([]);
    });

    it('lets the CLI read the same store: outages, and health as JSON', async () => {
      const env = { CLOUDMASTER_CONFIG: writeConfig(config(pages)), ...where.env };
      const outages = await run('bin/cloudmaster.js', ['outages'], env);
      expect(outages.code).toBe(0);
      expect(outages.stdout).toBe('No incidents are open on the 1 watched status page.\n');
      const health = await run('bin/cloudmaster.js', ['health', '--json'], env);
      expect(health.code).toBe(0);
      const report = JSON.parse(health.stdout) as {
        slack: { state: string };
        store: { ok: boolean };
        sources: { name: string; state: string; lastSuccessAt: string }[];
      };
      expect(report.slack.state).toMatch(/the CLI does not connect to Slack/);
      expect(report.store.ok).toBe(true);
      expect(report.sources).toEqual([
        expect.objectContaining({
          name: 'github',
          state: 'healthy',
          lastSuccessAt: expect.stringMatching(/^2025-03-18T1/),
        }),
      ]);
    });
  });
}
