/**
 * When the store fails under the bot (here: a table gone), people are told —
 * with a reference to the log — and nothing runs: never silence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { eventually } from '../support/eventually.ts';
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
    await bot.store.sql.run(
      `CREATE TRIGGER audit_refuses BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
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
