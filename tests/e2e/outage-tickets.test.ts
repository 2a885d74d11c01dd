/**
 * Create ticket through the fake Slack, against loopback doubles of
 * GitHub's and Azure DevOps' APIs that check what a real client must send:
 * a double click opens one ticket (here, and after a restart on the same
 * store), its link goes to the notice's thread once, and the policy decides
 * who may click.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { AzureDevopsDouble } from '../support/doubles/azure-devops.ts';
import { GithubDouble } from '../support/doubles/github.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import {
  clickNotice,
  noticesIn,
  OUTAGE_CHANNEL,
  privateAnswer,
  STATUS_PATH,
  slash,
  threadOf,
  watchConfig,
} from '../support/outages.ts';
import { StatusFixtureServer } from '../support/status-fixtures.ts';

const CHANNEL = OUTAGE_CHANNEL;
const PATH = STATUS_PATH;
const ALICE = 'U0ALICE';
const SRE = 'U0SRE';
const BOB = 'U0BOB';

function config(pages: StatusFixtureServer, tickets: string): string {
  return watchConfig(
    pages,
    `tickets:
${tickets}
policy:
  groups: { sre: [${SRE}] }
  rules:
    - { name: sre-everything, groups: [sre], verbs: ['*'], effect: allow }
    - { name: on-call-handles-incidents, users: [${ALICE}], verbs: [acknowledge, ticket], effect: allow }
    - { name: everyone-reads, verbs: [read], effect: allow }
`,
  );
}

interface World {
  fake: FakeSlack;
  pages: StatusFixtureServer;
  where: TestLocation;
  harness?: Harness;
}

/** A bot on the world's Slack, store and test clock, with its notice posted by a `check`. */
async function startWatching(
  world: World,
  yaml: string,
  env: Record<string, string>,
): Promise<MessageRecord> {
  await world.harness?.stop();
  const timers = new ManualTimers(Date.parse('2025-03-18T14:03:00.000Z'));
  world.harness = await startBot(yaml, {
    slack: world.fake,
    env: { ...world.where.env, ...env },
    clock: timers,
    watch: { timers, random: () => 0, fetchDelayMs: 5 },
  });
  world.pages.serve(PATH, 'statuspage/open.json');
  await slash(world.fake, 'check github', SRE);
  // The notice of this store: the first one, or a new one on a new store.
  return world.fake.waitFor(() => noticesIn(world.fake, CHANNEL).at(-1), { description: 'the notice' });
}

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(
    `Create ticket and Acknowledge through Slack, stored on ${database.name}`,
    () => {
      const world = {} as World;
      let github: GithubDouble;
      let azure: AzureDevopsDouble;

      beforeAll(async () => {
        world.fake = await FakeSlack.start();
        world.pages = await StatusFixtureServer.start();
        github = await GithubDouble.start();
        azure = await AzureDevopsDouble.start();
      });
      afterAll(async () => {
        await world.harness?.stop();
        await world.fake?.stop();
        await Promise.all([world.pages?.stop(), github?.stop(), azure?.stop()]);
      });

      describe('GitHub', () => {
        let notice: MessageRecord;
        const yaml = () =>
          config(
            world.pages,
            `  github: { owner: acme, repo: ops, token: "\${GITHUB_TOKEN}", endpoint: "${github.url}" }`,
          );
        beforeAll(async () => {
          world.where = await database.create();
          notice = await startWatching(world, yaml(), { GITHUB_TOKEN: github.token });
        });
        afterAll(async () => {
          await world.harness?.stop();
          world.harness = undefined;
          await world.where?.drop();
        });

        it('opens one issue for a double click, posts its link in the thread once, and shows it on the notice', async () => {
          const { fake } = world;
          const clicks = await Promise.all([
            clickNotice(fake, notice, 'ticket', ALICE),
            clickNotice(fake, notice, 'ticket', SRE),
          ]);
          const answers = await Promise.all(clicks.map((click) => privateAnswer(fake, click)));
          expect(github.issues).toHaveLength(1);
          expect(
            answers.filter((text) => text.startsWith('Opened GitHub issue #128 for github-')),
          ).toHaveLength(1);
          expect(
            answers.filter((text) =>
              /already has a ticket: GitHub issue #128 https:\/\/github\.com\/acme\/ops\/issues\/128/.test(
                text,
              ),
            ),
          ).toHaveLength(1);
          await fake.waitFor(() => threadOf(fake, notice).length > 0, { description: 'the ticket link' });
          expect(threadOf(fake, notice)).toEqual([
            expect.stringMatching(
              /^Ticket opened by <@U0(ALICE|SRE)>: GitHub issue #128 https:\/\/github\.com\/acme\/ops\/issues\/128$/,
            ),
          ]);
          await fake.waitFor(() => latest(notice).text.includes('ticket GitHub issue #128'), {
            description: 'the notice showing its ticket',
          });
          // What GitHub was sent: the incident's facts, its marker, the configured label.
          const [issue] = github.issues;
          expect(issue).toMatchObject({
            owner: 'acme',
            repo: 'ops',
            title: '[Outage] GitHub: Disruption with some GitHub services',
            labels: ['outage'],
          });
          expect(issue?.body).toContain('Status page: https://stspg.io/pkw0rdnx5hgc');
          expect(issue?.body).toContain('cloudmaster:github/9yk7qwd5x3zl#1');
          expect(github.requests).toHaveLength(1);
        });

        it('shows the existing ticket after a restart, without asking GitHub again', async () => {
          const { fake } = world;
          await startWatching(world, yaml(), { GITHUB_TOKEN: github.token });
          const click = await clickNotice(fake, notice, 'ticket', SRE);
          expect(await privateAnswer(fake, click)).toMatch(
            /already has a ticket: GitHub issue #128 .*\(opened by <@U0(ALICE|SRE)> at \d\d:\d\d UTC\)\.$/,
          );
          expect(github.requests).toHaveLength(1);
          expect(threadOf(fake, notice)).toHaveLength(1);
          // The restart polled the same page: nothing was posted twice.
          expect(noticesIn(fake, CHANNEL)).toHaveLength(1);
        });

        it('asks the policy who may click: a denial is told to the clicker alone, and recorded', async () => {
          const { fake } = world;
          const denied = await clickNotice(fake, notice, 'acknowledge', BOB);
          expect(await privateAnswer(fake, denied)).toBe(
            'You may not acknowledge github/9yk7qwd5x3zl#1: no rule allows it (the policy denies what it does not allow).',
          );
          const allowed = await clickNotice(fake, notice, 'acknowledge', ALICE);
          expect(await privateAnswer(fake, allowed)).toMatch(/^You acknowledged github-/);
          const { audit } = (world.harness as Harness).bot.store;
          const acknowledged = await audit.query({ verb: 'acknowledge', limit: 5 });
          expect(acknowledged.map((record) => [record.userId, record.entry, record.outcome]).sort()).toEqual([
            [ALICE, 'button', 'succeeded'],
            [BOB, 'button', 'denied'],
          ]);
          // Three clicks on Create ticket: one opened it, two were shown it.
          const tickets = await audit.query({ verb: 'ticket', limit: 5 });
          expect(tickets.map((record) => `${record.outcome}: ${record.detail}`).sort()).toEqual([
            expect.stringMatching(/^succeeded: already had github ticket #128 for github-[0-9a-f]{6}$/),
            expect.stringMatching(/^succeeded: already had github ticket #128 for github-[0-9a-f]{6}$/),
            expect.stringMatching(/^succeeded: opened github ticket #128 for github-[0-9a-f]{6}$/),
          ]);
        });
      });

      describe('Azure DevOps', () => {
        beforeAll(async () => {
          world.where = await database.create();
        });
        afterAll(async () => {
          await world.harness?.stop();
          world.harness = undefined;
          await world.where?.drop();
        });

        it('opens one work item for a double click, with the incident in its fields', async () => {
          const yaml = config(
            world.pages,
            `  azureDevops: { organization: "${azure.url}", project: Operations, token: "\${AZDO_PAT}", tags: [outage, github] }`,
          );
          const notice = await startWatching(world, yaml, { AZDO_PAT: azure.pat });
          const { fake } = world;
          const clicks = await Promise.all([
            clickNotice(fake, notice, 'ticket', ALICE),
            clickNotice(fake, notice, 'ticket', ALICE),
          ]);
          const answers = await Promise.all(clicks.map((click) => privateAnswer(fake, click)));
          expect(azure.workItems).toHaveLength(1);
          expect(
            answers.filter((text) => text.startsWith('Opened Azure DevOps work item 4711 for github-')),
          ).toHaveLength(1);
          const [item] = azure.workItems;
          expect(item).toMatchObject({ project: 'Operations', type: 'Issue' });
          expect(item?.fields).toMatchObject({
            'System.Title': '[Outage] GitHub: Disruption with some GitHub services',
            'System.Tags': 'outage; github',
          });
          expect(item?.fields['System.Description']).toContain('cloudmaster:github/9yk7qwd5x3zl#1');
          await fake.waitFor(() => threadOf(fake, notice).length > 0, { description: 'the work item link' });
          expect(threadOf(fake, notice)).toEqual([
            expect.stringMatching(
              /^Ticket opened by <@U0ALICE>: Azure DevOps work item 4711 https:\/\/dev\.azure\.com\/acme\/[0-9a-f-]+\/_workitems\/edit\/4711$/,
            ),
          ]);
        });
      });
    },
  );
}
