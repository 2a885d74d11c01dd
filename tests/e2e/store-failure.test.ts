/**
 * When the store fails under the bot (here: a table gone), people are told —
 * with a reference to the log — and nothing runs: never silence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { eventually } from '../support/eventually.ts';
import { latest } from '../support/fake-slack/index.ts';
import { click, noticeTo, prompt, until } from '../support/prompts.ts';

let harness: Harness;
beforeEach(async () => {
  harness = await startBot('providers:\n  demo: { type: simulator }\n');
});
afterEach(async () => {
  await harness?.stop();
});

describe('a store that fails mid-use', () => {
  it('answers the click and the next command with an error and a reference, and runs nothing', async () => {
    const { fake, bot } = harness;
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    await bot.store.sql.run('DROP TABLE pending_requests');
    const clicked = await click(fake, message, 'confirm');
    expect(await noticeTo(fake, clicked)).toMatch(
      /^Something went wrong inside cloudmaster \(reference [0-9a-f]{8}\)\. Nothing was changed by this reply\./,
    );
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-2' });
    const answer = await fake.waitFor(
      () => fake.messages.find((m) => m.responseUrl === delivery.responseUrl),
      {
        description: 'the answer to the second reboot',
      },
    );
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toMatch(/^Something went wrong inside cloudmaster \(reference [0-9a-f]{8}\)\./);
    const reference = /reference ([0-9a-f]{8})/.exec(answer.text)?.[1];
    expect(harness.logs.some((line) => line.includes(`"reference":"${reference}"`))).toBe(true);
    expect(await bot.store.jobs.recent(10)).toEqual([]);
    expect(harness.logs.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('warns in the message of a change that ran but whose audit record cannot be written, with a reference', async () => {
    const { fake, bot } = harness;
    // Writable when the change starts; the record at its end is refused (the disk filled up meanwhile).
    await bot.store.sql.run(
      `CREATE TRIGGER audit_refuses BEFORE INSERT ON audit WHEN NEW.verb = 'reboot' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /rebooted/);
    const reference = /under reference ([0-9a-f]{8})\./.exec(final.text)?.[1];
    expect(final.text).toMatch(
      /^<@U0ALICE> web-1 on demo rebooted: .* This change is not in the audit log: its record could not be written\. The record is in the bot’s log under reference [0-9a-f]{8}\.$/,
    );
    expect(JSON.stringify(final.blocks)).toContain(':warning: This change is not in the audit log');
    expect(harness.logs.some((line) => line.includes(`"reference":"${reference}"`))).toBe(true);
    expect(await bot.store.audit.count()).toBe(0);
    await bot.store.sql.run('DROP TRIGGER audit_refuses');
  });

  it('runs no confirmed change while its audit record could not be written, and says so in its message', async () => {
    const { fake, bot } = harness;
    await fake.slashCommand({ command: '/cloudmaster', text: 'stop web-2' });
    const message = await prompt(fake, 'Stop web-2 on demo?');
    await bot.store.sql.run(
      `CREATE TRIGGER audit_refuses_all BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    const jobsBefore = (await bot.store.jobs.recent(100)).length;
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /failed/);
    expect(final.text).toMatch(
      /This change was not run: cloudmaster cannot write its audit log now \(reference [0-9a-f]{8}\)\. Nothing was sent to the provider\./,
    );
    expect((await bot.store.jobs.recent(100)).length).toBe(jobsBefore);
    await bot.store.sql.run('DROP TRIGGER audit_refuses_all');
    const status = await fake.slashCommand({ command: '/cloudmaster', text: 'status web-2' });
    const answer = await fake.waitFor(() => fake.messageFor(status.responseUrl), { description: 'status' });
    expect(answer.text).toMatch(/^web-2 on demo: status running/);
  });

  it('ends a confirmed change whose job cannot be recorded as failed, in its own message, sending nothing', async () => {
    const { fake, bot } = harness;
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    await bot.store.sql.run('DROP TABLE jobs');
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /failed/);
    expect(final.text).toMatch(
      /^<@U0ALICE> The reboot of web-1 on demo failed: Something went wrong inside cloudmaster \(reference [0-9a-f]{8}\)\./,
    );
    await eventually(async () => (await bot.store.audit.count()) === 1, 'the attempt to be recorded');
    const [record] = await bot.store.audit.query({ limit: 1 });
    expect(record).toMatchObject({ verb: 'reboot', outcome: 'failed', confirmedBy: 'U0ALICE' });
  });
});

describe('delivery claims when the idempotency table is gone', () => {
  it('does not run a change that needs no confirmation, nor its redelivery, and says why; reads still answer', async () => {
    await harness.stop();
    harness = await startBot(`
providers:
  demo: { type: simulator }
policy:
  rules:
    - { name: quick-reboots, verbs: [reboot], effect: allow, confirm: false }
    - { name: reads, verbs: [read], effect: allow }
`);
    const { fake, bot } = harness;
    await bot.store.sql.run('DROP TABLE idempotency_keys');
    const mention = await fake.mention({ text: 'reboot web-1' });
    // Slack thought it went unanswered and delivers the same event again.
    await fake.event(
      {
        type: 'app_mention',
        user: 'U0ALICE',
        text: `<@${fake.botUserId}> reboot web-1`,
        ts: mention.ts,
        channel: mention.channel,
        event_ts: mention.ts,
      },
      { eventId: mention.eventId, retryAttempt: 1 },
    );
    const refusals = await fake.waitFor(
      () => {
        const found = fake.messages.filter((m) => /^This change was not run/.test(latest(m).text));
        return found.length === 2 ? found : undefined;
      },
      { description: 'both deliveries to be refused' },
    );
    for (const refusal of refusals) {
      expect(refusal.threadTs).toBe(mention.ts);
      expect(latest(refusal).text).toMatch(
        /^This change was not run: cloudmaster could not record that it received your message, so a redelivery of it could run the change twice \(reference [0-9a-f]{8}\)\.\nNothing was changed\./,
      );
      const reference = /reference ([0-9a-f]{8})/.exec(latest(refusal).text)?.[1];
      expect(
        harness.logs.some(
          (line) =>
            line.includes(`"reference":"${reference}"`) && line.includes('could not claim a delivery'),
        ),
      ).toBe(true);
    }
    expect(await bot.store.jobs.recent(10)).toEqual([]);
    const listed = await fake.mention({ text: 'list on demo' });
    await fake.waitFor(
      () => fake.messages.find((m) => m.threadTs === listed.ts && / on 1 provider: /.test(latest(m).text)),
      { description: 'the list to be answered' },
    );
    expect(harness.logs.join('\n')).not.toMatch(/\n\s+at /);
  });
});
