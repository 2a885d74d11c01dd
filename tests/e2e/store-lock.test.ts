/**
 * Another process (the CLI) holding the SQLite store's write lock must not
 * hold up Slack: every delivery is acked while the lock is held, and each is
 * answered once — exactly once — after it is released.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/store/store.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { latest } from '../support/fake-slack/index.ts';
import { click, noticeTo, prompt, until } from '../support/prompts.ts';
import { holdWriteLock } from '../support/sqlite-lock.ts';

const CONFIG = `
settings: { pollInterval: 50ms }
providers:
  demo: { type: simulator, machines: 12, delays: { reboot: 100ms } }
`;
const COMMANDS = 20;
const MENTIONS = 5;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('a SQLite store locked by another process', () => {
  it('acks every command, mention and click while the lock is held, then answers each once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-locked-'));
    harness = await startBot(CONFIG, { env: { CLOUDMASTER_DATA_DIR: dataDir } });
    const { fake, bot } = harness;
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');

    // The holder lets go by itself after 3 s, or earlier when asked.
    const lock = await holdWriteLock(join(dataDir, DATABASE_FILE), 3_000);
    const [commands, mentions, clicks] = await Promise.all([
      Promise.all(
        Array.from({ length: COMMANDS }, () =>
          fake.slashCommand({ command: '/cloudmaster', text: 'list on demo' }),
        ),
      ),
      Promise.all(
        Array.from({ length: MENTIONS }, (_, i) =>
          fake.mention({ text: 'status web-2', channelId: `C0LOCKED${i}` }),
        ),
      ),
      Promise.all([click(fake, message, 'confirm'), click(fake, message, 'confirm')]),
    ]);
    // Every ack came in while the lock was held: it is released only now, on request, not by the holder's timer.
    expect(await lock.release()).toBe('request');

    for (const delivery of commands) {
      const answer = await fake.firstResponse(delivery.responseUrl);
      expect(String(answer.body.text)).toMatch(/^12 machines and 3 stacks on 1 provider: /);
    }
    for (const delivery of mentions) {
      const reply = await fake.waitFor(() => fake.repliesTo(delivery.ts)[0], {
        description: `the reply in ${delivery.channel}`,
      });
      expect(latest(reply).text).toMatch(/^web-2 on demo: status running/);
    }
    const final = await until(fake, message, /rebooted/);
    expect(final.text).toMatch(/^<@U0ALICE> web-1 on demo rebooted/);
    const notice = await Promise.race(clicks.map((delivery) => noticeTo(fake, delivery)));
    expect(notice).toMatch(/^Already confirmed by <@U0ALICE> at \d\d:\d\d UTC; it runs once\.$/);

    // Exactly once: one claim per delivery, one reply per mention, one job for the two clicks.
    const [claims] = await bot.store.sql.all(
      "SELECT COUNT(*) AS n FROM idempotency_keys WHERE key LIKE 'slash:%' OR key LIKE 'event:%'",
    );
    expect(Number(claims?.n)).toBe(1 + COMMANDS + MENTIONS);
    for (const delivery of mentions) expect(fake.repliesTo(delivery.ts)).toHaveLength(1);
    expect((await bot.store.jobs.recent(10)).filter((job) => job.verb === 'reboot')).toHaveLength(1);
  });
});
