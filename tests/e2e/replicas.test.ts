/**
 * Two replicas of the bot on one Slack app and one store: Socket Mode hands
 * each envelope to one of their connections, so a double click can reach
 * both. The store decides once. (SQLite serves one bot process; replicas
 * share PostgreSQL, so this runs where PostgreSQL is.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { FakeSlack } from '../support/fake-slack/index.ts';
import { click, noticeTo, prompt, until } from '../support/prompts.ts';

const TOKEN = 'do-replica-token-0123456789';
const postgres = testDatabases().find((database) => database.name === 'postgres');

describe.runIf(postgres?.available)('two replicas sharing PostgreSQL', () => {
  let fake: FakeSlack;
  let digitalocean: DigitalOceanDouble;
  let where: TestLocation;
  const replicas: Harness[] = [];

  beforeAll(async () => {
    fake = await FakeSlack.start();
    digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 100 });
    where = await (postgres as NonNullable<typeof postgres>).create();
    const yaml = `settings: { pollInterval: 30ms, admins: [U0ALICE] }\nproviders:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }\n`;
    for (let i = 0; i < 2; i++) {
      replicas.push(await startBot(yaml, { slack: fake, env: { DO_TOKEN: TOKEN, ...where.env } }));
    }
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await fake?.stop();
    await digitalocean?.stop();
    await where?.drop();
  });

  const reboots = () =>
    digitalocean.requests.filter(
      (r) => r.method === 'POST' && (r.body as { type?: string }).type === 'reboot',
    ).length;

  it('runs a reboot once when Confirm is clicked on both replicas, and once when a click is redelivered', async () => {
    expect(fake.openConnections).toBe(2);
    const since = fake.messages.length;
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1 on do' });
    const message = await prompt(fake, 'Reboot web-1 on do?', since);
    const clicks = await Promise.all([1, 2, 3, 4].map(() => click(fake, message, 'confirm')));
    await until(fake, message, /rebooted/);
    // Each replica answered some of the clicks: Socket Mode spreads envelopes over connections.
    const answeredBy = new Set(
      replicas.map((replica, index) =>
        replica.logs.some((line) => line.includes('request clicked')) ? index : -1,
      ),
    );
    expect(answeredBy).toEqual(new Set([0, 1]));
    const notices = await Promise.all(
      clicks.slice(1).map((delivery) => noticeTo(fake, delivery).catch(() => '')),
    );
    expect(
      notices.filter((text) => text.startsWith('Already confirmed by <@U0ALICE>')).length,
    ).toBeGreaterThanOrEqual(2);
    // The same envelope again (a reconnect, a retry): nothing happens at all.
    const first = fake.envelopes.find((envelope) => envelope.type === 'interactive');
    const messagesBefore = fake.messages.length;
    const updatesBefore = fake.callsOf('chat.update').length;
    await fake.interaction((first as NonNullable<typeof first>).payload);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.messages.length).toBe(messagesBefore);
    expect(fake.callsOf('chat.update').length).toBe(updatesBefore);
    expect(reboots()).toBe(1);
    const records = await replicas[0]?.bot.store.audit.query({ limit: 10 });
    expect(records?.map((r) => [r.verb, r.outcome, r.confirmedBy])).toEqual([
      ['reboot', 'succeeded', 'U0ALICE'],
    ]);
  });
});
