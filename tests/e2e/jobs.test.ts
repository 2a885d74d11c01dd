/**
 * Jobs end to end: the real bot on the fake Slack, every change a job whose
 * message is updated in place to its final state; `jobs`, `job ID` and
 * `cancel job ID`; a 429 on chat.update and a deleted message on the way;
 * and a restart in the middle of a reboot, after which the job finishes
 * without the reboot being sent again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { FakeSlack, latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { click, jobIdOf, jobOf, prompt, until } from '../support/prompts.ts';

const TOKEN = 'do-jobs-token-0123456789';

function config(endpoint: string): string {
  return `
settings: { pollInterval: 50ms, admins: [U0ALICE] }
providers:
  demo: { type: simulator, delays: { reboot: 200ms, create: 300ms, start: 20s, deploy: 20s, cancel: 300ms } }
  quick: { type: simulator, delays: { deploy: 300ms } }
  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${endpoint}" }
`;
}

let fake: FakeSlack;
let digitalocean: DigitalOceanDouble;
let dataDir: string;
let harness: Harness;
let yaml: string;

beforeAll(async () => {
  fake = await FakeSlack.start();
  digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 200 });
  dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-jobs-'));
  yaml = config(digitalocean.url);
  harness = await startBot(yaml, { slack: fake, env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dataDir } });
});
afterAll(async () => {
  await harness?.stop();
  await fake?.stop();
  await digitalocean?.stop();
});

/** Sends a command, confirms its prompt, and returns the prompt (which becomes the job's message). */
async function confirmed(text: string, question: string): Promise<MessageRecord> {
  const since = fake.messages.length;
  await fake.slashCommand({ command: '/cloudmaster', text });
  const message = await prompt(fake, question, since);
  await click(fake, message, 'confirm');
  return message;
}

async function reply(text: string): Promise<MessageRecord> {
  const delivery = await fake.slashCommand({ command: '/cloudmaster', text });
  return fake.waitFor(() => fake.messages.find((m) => m.responseUrl === delivery.responseUrl), {
    description: `the answer to ${text}`,
  });
}

describe('jobs through Slack', () => {
  it('reboot, create and deploy each end with their message updated in place to the final state; jobs lists them', async () => {
    const reboot = await confirmed('reboot web-1 on demo', 'Reboot web-1 on demo?');
    const create = await confirmed('create vmtest01 on demo size=sim-small', 'Create vmtest01 on demo?');
    const deploy = await confirmed('deploy -s shop -e staging on quick', 'Deploy shop (staging) on quick?');
    await until(fake, reboot, /^<@U0ALICE> web-1 on demo rebooted/);
    await until(fake, create, /^<@U0ALICE> vmtest01 on demo created/);
    await until(fake, deploy, /^<@U0ALICE> shop \(staging\) on quick deployed/);
    const jobs = await reply('jobs');
    expect(jobs.ephemeral).toBe(false);
    const ids = [jobIdOf(reboot), jobIdOf(create), jobIdOf(deploy)];
    for (const id of ids) expect(latest(jobs).text).toMatch(new RegExp(`^${id} .* succeeded after`, 'm'));
    // Links go to the messages the jobs own.
    expect(JSON.stringify(latest(jobs).blocks)).toContain(
      `/archives/${reboot.channel}/p${reboot.ts.replace('.', '')}|message>`,
    );
    const one = await reply(`job ${ids[0]}`);
    expect(latest(one).text.split('\n')).toEqual([
      `job ${ids[0]}: reboot web-1 on demo: succeeded after ${/succeeded after ([^(\n]+?)( \(|$)/m.exec(latest(one).text)?.[1]} (running again after 200 ms)`,
      'reboot requested',
      'rebooting',
      'running again after 200 ms',
    ]);
  });

  it('cancels a running deployment on request, and says what cannot be cancelled', async () => {
    const deploy = await confirmed(
      'deploy -s shop -e production on demo',
      'Deploy shop (production) on demo?',
    );
    const id = await jobOf(fake, deploy);
    const asked = await reply(`cancel job ${id}`);
    expect(asked.ephemeral).toBe(true);
    expect(latest(asked).text).toBe(
      `Cancelling job ${id} (deploy shop (production) on demo); its message will say when it has stopped.`,
    );
    const final = await until(fake, deploy, /was cancelled/);
    expect(final.text).toMatch(/^<@U0ALICE> The deployment of shop \(production\) on demo was cancelled/);
    expect(latest(await reply(`cancel job ${id}`)).text).toMatch(/has already ended: cancelled\.$/);
    const start = await confirmed('start worker-1 on demo', 'Start worker-1 on demo?');
    const startId = await jobOf(fake, start);
    const refused = await reply(`cancel job ${startId}`);
    expect(latest(refused).text).toBe(
      `Job ${startId} (start worker-1 on demo) cannot be cancelled: Simulated cloud cannot cancel a start once it has started.`,
    );
    expect(latest(await reply('job NOSUCH')).text).toMatch(/^There is no job NOSUCH\./);
  });

  it('waits out a 429 on chat.update and still ends in the final state', async () => {
    const message = await confirmed('reboot web-1 on do', 'Reboot web-1 on do?');
    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    await until(fake, message, /^<@U0ALICE> web-1 on do rebooted/);
    const updates = fake.callsOf('chat.update').filter((call) => call.args.ts === message.ts);
    expect(updates.some((call) => call.status === 429)).toBe(true);
    const after = updates.slice(updates.findIndex((call) => call.status === 429) + 1);
    expect(after.length).toBeGreaterThan(0);
    // Nothing was sent to Slack before the second it asked for had passed.
    const limited = updates.find((call) => call.status === 429);
    expect((after[0]?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it('posts its message again when someone deletes it, and ends there', async () => {
    const message = await confirmed('reboot web-2 on do', 'Reboot web-2 on do?');
    const id = await jobOf(fake, message);
    fake.deleteMessage(message.channel, message.ts);
    const reposted = await fake.waitFor(
      () =>
        fake.messages.find(
          (m) =>
            m.via === 'chat.postMessage' &&
            m.ts !== message.ts &&
            m.text.includes(`web-2 on do`) &&
            JSON.stringify(m.blocks).includes(id),
        ),
      { description: 'the job message posted again' },
    );
    await until(fake, reposted, /^<@U0ALICE> web-2 on do rebooted/);
    // The job keeps its new message, for `jobs` links and for a process that takes it over.
    await eventually(
      async () => (await harness.bot.store.jobs.get(id))?.message?.ts === reposted.ts,
      'the job to keep its new message',
    );
  });

  it('survives a restart mid-way: the new process finishes the job without sending the reboot again', async () => {
    const before = digitalocean.actionRequests('web-1', 'reboot');
    const slow = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 2_500 });
    const slowYaml = config(slow.url);
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-restart-'));
    const first = await startBot(slowYaml, {
      slack: fake,
      env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dir },
    });
    try {
      await harness.stop();
      const message = await confirmed('reboot web-1 on do', 'Reboot web-1 on do?');
      const id = await jobOf(fake, message);
      await first.stop();
      expect(latest(message).text).toMatch(
        /^cloudmaster is restarting: it will go on following the reboot of web-1 on do when it is back/,
      );
      const second = await startBot(slowYaml, {
        slack: fake,
        env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dir },
      });
      try {
        const final = await until(fake, message, /^<@U0ALICE> web-1 on do rebooted/);
        expect(final.text).toMatch(/rebooted/);
        expect(slow.actionRequests('web-1', 'reboot')).toBe(1);
        expect(await second.bot.store.jobs.get(id)).toMatchObject({ state: 'succeeded' });
      } finally {
        await second.stop();
      }
    } finally {
      await slow.stop();
      harness = await startBot(yaml, {
        slack: fake,
        env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dataDir },
      });
    }
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(before);
  });
});
