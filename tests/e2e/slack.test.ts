import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { latest, type MessageRecord } from '../support/fake-slack/index.ts';
import { click, jobIdOf, prompt, until } from '../support/prompts.ts';

const CONFIG = `
settings:
  pollInterval: 50ms
  pageSize: 50
providers:
  demo:
    type: simulator
    machines: 12
    delays: { reboot: 300ms }
`;

let harness: Harness;
beforeAll(async () => {
  harness = await startBot(CONFIG);
});
afterAll(async () => {
  await harness?.stop();
});

/** Sends a slash command and waits for the message its response_url produced. */
async function slash(
  text: string,
  command = '/cloudmaster',
): Promise<{ message: MessageRecord; ackMs: number }> {
  const { fake } = harness;
  const delivery = await fake.slashCommand({ command, text });
  expect(delivery.ack).toEqual({});
  const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
    description: `a reply to ${command} ${text}`,
  });
  return { message, ackMs: delivery.ackMs };
}

function blocksText(message: MessageRecord): string {
  return JSON.stringify(latest(message).blocks);
}

describe('slash commands', () => {
  it('answers `help` privately, generated from the verbs and providers', async () => {
    const { message } = await slash('help');
    expect(message.ephemeral).toBe(true);
    const text = latest(message).text;
    expect(text).toContain('reboot NAME [on PROVIDER]: reboot a machine (demo)');
    expect(text).toContain('deploy -s STACK');
    expect(blocksText(message)).toContain('/cloudmaster VERB');
  });

  it('lists machines in the channel, grouped per provider, with a total', async () => {
    const { message } = await slash('list');
    expect(message.ephemeral).toBe(false);
    const text = latest(message).text;
    expect(text.split('\n')[0]).toMatch(/^12 machines and 3 stacks on 1 provider: /);
    expect(text).toMatch(/^web-1 \(demo\): running \(active\), 203\.0\.113\.\d+, sim-\w+, sim-\w+$/m);
    expect(blocksText(message)).toContain('*demo* — Simulated cloud · 12 machines, 3 stacks');
  });

  it('shows every field of one machine for `status NAME`', async () => {
    const { message } = await slash('status web-1');
    expect(message.ephemeral).toBe(false);
    expect(latest(message).text).toMatch(
      /^web-1 on demo: status running \(active\), provider demo, id sim-[0-9a-f]{8}, public ipv4 /,
    );
    for (const label of ['Status', 'ID', 'Public IPv4', 'Private IPv4', 'Region', 'Size', 'Created']) {
      expect(blocksText(message)).toContain(`*${label}*`);
    }
  });

  it('reboots once confirmed: the prompt says what will happen, then becomes the operation, updated in place', async () => {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-2' });
    const message = await prompt(fake, 'Reboot web-2 on demo?');
    expect(message.channel).toBe('C0OPS');
    expect(latest(message).text).toMatch(
      /^Reboot web-2 on demo\? web-2 is running \(active\), 203\.0\.113\.\d+, sim-\w+, sim-\w+\. Requested by <@U0ALICE>; only they can confirm, until \d\d:\d\d UTC\.$/,
    );
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /rebooted/);
    expect(final.text).toMatch(
      /^<@U0ALICE> web-2 on demo rebooted: running again after 300 ms \(took \d+ (ms|s)\)\.$/,
    );
    // The message keeps a pace of one update a second; the job keeps every step.
    const steps = await harness.bot.store.jobs.steps(jobIdOf(message));
    expect(steps.map((step) => step.text)).toEqual([
      'reboot requested',
      'rebooting',
      'running again after 300 ms',
    ]);
    expect(fake.callsOf('chat.update').length).toBeGreaterThanOrEqual(2);
    // Nothing went to the slash command's own response_url: the message is the answer.
    expect(fake.messageFor(delivery.responseUrl)).toBeUndefined();
    expect(JSON.stringify(final.blocks)).toContain('requested by <@U0ALICE>');
    expect(JSON.stringify(final.blocks)).toMatch(
      /confirmed by <@U0ALICE> <!date\^\d+\^\{time\}\|\d\d:\d\d UTC>/,
    );
  });

  it('in a channel the bot is not in, posts and updates the operation through the response_url', async () => {
    const { fake } = harness;
    fake.notInChannel('C0PRIVATE');
    const delivery = await fake.slashCommand({
      command: '/cloudmaster',
      text: 'reboot web-1',
      channelId: 'C0PRIVATE',
    });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
      description: 'the fallback message',
    });
    expect(message.ephemeral).toBe(false);
    expect(message.versions[0]?.text).toMatch(/^Reboot web-1 on demo\?/);
    await click(fake, message, 'confirm');
    const final = await until(fake, message, /rebooted/);
    expect(final.text).toMatch(/^<@U0ALICE> web-1 on demo rebooted: running again after 300 ms/);
    expect(message.versions.map((v) => v.text)).toContain('Rebooting web-1 on demo…');
  });

  it('suggests the verb meant by a typo', async () => {
    const { message } = await slash('rebot web-1');
    expect(message.ephemeral).toBe(true);
    expect(latest(message).text).toBe('"rebot" is not a verb I know.\nDid you mean reboot?');
  });

  it('shows the usage of a verb missing an option', async () => {
    const { message } = await slash('deploy');
    expect(message.ephemeral).toBe(true);
    expect(latest(message).text).toBe(
      'deploy needs a stack: -s STACK.\nUsage: /cloudmaster deploy -s STACK [on PROVIDER] [-e ENVIRONMENT] [-v SERVICE] [-w true|false]',
    );
  });

  it('lists the configured providers for an unknown one', async () => {
    const { message } = await slash('list on nowhere');
    expect(message.ephemeral).toBe(true);
    expect(latest(message).text).toBe('There is no provider "nowhere".\ndemo (Simulated cloud)');
  });

  it('says clearly that /dostat has no DigitalOcean account to work on', async () => {
    const { message } = await slash('droplets', '/dostat');
    expect(message.ephemeral).toBe(true);
    expect(latest(message).text).toMatch(
      /^No DigitalOcean account is configured\.\nTo use it, add a provider with `type: digitalocean`/,
    );
  });

  it('pages a long list behind a Next button that any replica can serve', async () => {
    const big = await startBot(CONFIG.replace('machines: 12', 'machines: 120'));
    try {
      const delivery = await big.fake.slashCommand({ command: '/cloudmaster', text: 'list' });
      const message = await big.fake.waitFor(() => big.fake.messageFor(delivery.responseUrl));
      expect(latest(message).text.split('\n')[0]).toMatch(/page 1 of 3 \(1–50 of 123\)/);
      await big.fake.clickButton(message, 'list_page_next');
      const second = await big.fake.waitFor(() =>
        message.versions.length === 2 ? latest(message) : undefined,
      );
      expect(second.text.split('\n')[0]).toMatch(/page 2 of 3 \(51–100 of 123\)/);
      expect(second.text).not.toMatch(/^web-1 \(demo\)/m);
    } finally {
      await big.stop();
    }
  });
});

describe('mentions and direct messages', () => {
  it('answers a mention in a thread under it', async () => {
    const { fake } = harness;
    const { ts } = await fake.mention({ text: '<@U0BOT> list' });
    const reply = await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts), {
      description: 'a threaded reply',
    });
    expect(reply.channel).toBe('C0OPS');
    expect(latest(reply).text).toMatch(/^12 machines/);
  });

  it('answers usage errors in the thread too, with the bot’s name in the usage line', async () => {
    const { fake } = harness;
    const { ts } = await fake.mention({ text: '<@U0BOT> status' });
    const reply = await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts));
    expect(latest(reply).text).toContain('Usage: @igor status NAME [on PROVIDER]');
  });

  it('answers a direct message in the DM and ignores bot messages', async () => {
    const { fake } = harness;
    await fake.directMessage({ text: 'status web-1', channelId: 'D0BOB', botMessage: true });
    await fake.directMessage({ text: 'status web-1', channelId: 'D0BOB' });
    const reply = await fake.waitFor(() => fake.messages.find((m) => m.channel === 'D0BOB'), {
      description: 'a DM reply',
    });
    expect(reply.threadTs).toBeUndefined();
    expect(latest(reply).text).toMatch(/^web-1 on demo: status running/);
    // Let any second (wrong) reply arrive before counting.
    await fake.slashCommand({ command: '/cloudmaster', text: 'help' });
    expect(fake.messages.filter((m) => m.channel === 'D0BOB')).toHaveLength(1);
  });

  it('answers an event Slack delivers twice only once', async () => {
    const { fake } = harness;
    const event = {
      type: 'app_mention',
      user: 'U0ALICE',
      text: '<@U0BOT> providers',
      ts: '1700000999.000001',
      channel: 'C0DUP',
      event_ts: '1700000999.000001',
    };
    await fake.event(event, { eventId: 'Ev0REPEATED' });
    await fake.event(event, { eventId: 'Ev0REPEATED', retryAttempt: 1 });
    await fake.waitFor(() => fake.messages.find((m) => m.channel === 'C0DUP'));
    await fake.slashCommand({ command: '/cloudmaster', text: 'help' });
    expect(fake.messages.filter((m) => m.channel === 'C0DUP')).toHaveLength(1);
  });
});

describe('the connection', () => {
  it('reconnects after the server drops the socket, and keeps answering', async () => {
    const { fake } = harness;
    const before = fake.connectionsOpened;
    fake.dropConnections();
    await fake.waitFor(() => fake.connectionsOpened > before && fake.openConnections > 0, {
      timeoutMs: 15_000,
      description: 'a new Socket Mode connection',
    });
    const { message } = await slash('status web-1');
    expect(latest(message).text).toMatch(/^web-1 on demo: status running/);
  });

  it('reconnects when Slack asks it to refresh the connection', async () => {
    const { fake } = harness;
    const before = fake.connectionsOpened;
    fake.sendDisconnect('refresh_requested');
    await fake.waitFor(() => fake.connectionsOpened > before && fake.openConnections > 0, {
      timeoutMs: 15_000,
      description: 'a new Socket Mode connection after a disconnect message',
    });
    const { message } = await slash('help reboot');
    expect(latest(message).text).toMatch(/^reboot: reboot a machine/);
  });

  it('keeps Slack tokens out of the logs', () => {
    const all = harness.logs.join('\n');
    expect(all).toContain('cloudmaster is connected to Slack');
    expect(all).not.toContain(harness.fake.botToken);
    expect(all).not.toContain(harness.fake.appToken);
  });
});
