/**
 * A job whose process dies (SIGKILL) after the job ended but before its
 * final message was shown: the end is still someone's work, and the next
 * process shows it — naming the requester — without asking the provider again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { FakeSlack, latest } from '../support/fake-slack/index.ts';
import { click, jobOf, prompt, until } from '../support/prompts.ts';
import { type Running, start } from '../support/run-process.ts';

const TOKEN = 'do-job-end-token-0123456789';
let fake: FakeSlack | undefined;
let digitalocean: DigitalOceanDouble | undefined;
let killed: Running | undefined;
let harness: Harness | undefined;
let store: Store | undefined;
afterEach(async () => {
  killed?.child.kill('SIGKILL');
  await harness?.stop();
  await store?.close();
  await fake?.stop();
  await digitalocean?.stop();
});

describe('a job whose process dies as it ends', () => {
  it('has its final message shown by the next process, once, naming the requester, with no second reboot', async () => {
    fake = await FakeSlack.start();
    digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 300 });
    const yaml = `settings: { pollInterval: 50ms, jobLease: 2s, admins: [U0ALICE] }\nproviders:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }\n`;
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-job-end-'));
    killed = start('src/main.ts', [], {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: writeConfig(yaml),
      CLOUDMASTER_DATA_DIR: dir,
      DO_TOKEN: TOKEN,
      LOG_LEVEL: 'info',
    });
    await fake.waitForConnection();
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1 on do' });
    const message = await prompt(fake, 'Reboot web-1 on do?');
    await click(fake, message, 'confirm');
    await until(fake, message, /^Rebooting web-1 on do…/);
    const id = await jobOf(fake, message);
    // From now on Slack takes the job's updates in and never answers: its end cannot be shown.
    fake.failNext('chat.update', { hang: true, times: 1_000 });
    store = await openStore({ kind: 'sqlite', path: join(dir, 'cloudmaster.db') }, { now: Date.now() });
    const jobs = store.jobs;
    await eventually(async () => (await jobs.get(id))?.state === 'succeeded', 'the job to end');
    killed.child.kill('SIGKILL');
    await killed.done;
    killed = undefined;
    expect(latest(message).text).not.toMatch(/rebooted/);
    const ended = await jobs.get(id);
    expect(ended?.state).toBe('succeeded');
    expect(ended?.toldAt).toBeUndefined();

    fake.clearFaults('chat.update');
    harness = await startBot(yaml, { slack: fake, env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dir } });
    const final = await until(fake, message, /^<@U0ALICE> web-1 on do rebooted/);
    expect(final.text).toMatch(/^<@U0ALICE> web-1 on do rebooted: .* \(took [^)]+\)\.$/);
    await eventually(async () => (await jobs.get(id))?.toldAt !== undefined, 'the end to be told');
    expect(harness.logs.some((line) => line.includes('"msg":"resuming a job"') && line.includes(id))).toBe(
      true,
    );
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    expect(await harness.bot.store.audit.query({ limit: 10, verb: 'reboot' })).toEqual([
      expect.objectContaining({ outcome: 'succeeded', confirmedBy: 'U0ALICE' }),
    ]);
  });
});
