/**
 * The embedded local workspace without a browser: that it speaks what
 * `@slack/socket-mode` and `@slack/web-api` expect (hello, acks, pings,
 * reconnects, Slack's errors), that its page refuses what another site or
 * address could send, and which config it runs.
 */
import { writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebClient } from '@slack/web-api';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorkspace } from '../support/local-page.ts';

let workspace: Awaited<ReturnType<typeof startWorkspace>> | undefined;
afterEach(async () => {
  await workspace?.stop({ graceMs: 1_000, abortMs: 500 });
  workspace = undefined;
});

async function start(options: Parameters<typeof startWorkspace>[0] = {}) {
  workspace = await startWorkspace(options);
  return workspace;
}

async function listingAnswered(local: Awaited<ReturnType<typeof startWorkspace>>): Promise<string> {
  const delivery = await local.slack.slashCommand({
    command: '/cloudmaster',
    text: 'list on dev',
    userId: 'U0ALICE',
    channelId: 'C0OPS',
  });
  for (let tries = 0; tries < 400; tries += 1) {
    const answer = local.slack.messageFor(delivery.responseUrl);
    if (answer) return answer.text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no answer to the listing');
}

describe('the embedded Slack, as the Slack SDKs see it', () => {
  it('the bot connects over Socket Mode on the one HTTP listener, which says it is local, as does the start-up line', async () => {
    const local = await start();
    expect(local.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(local.slack.openConnections).toBe(1);
    expect(local.demo).toBe(true);
    const health = await fetch(`${local.url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', mode: 'local' });
    const connecting = local.logs.find((line) => line.includes('is connecting to'));
    expect(JSON.parse(connecting ?? '{}')).toMatchObject({
      mode: 'local',
      msg: expect.stringContaining(`is connecting to the local workspace at ${local.slack.apiUrl}`),
    });
    const ready = (await (await fetch(`${local.url}/readyz`)).json()) as { ready: boolean };
    expect(ready.ready).toBe(true);
  });

  it('sends hello, then pings, to a Socket Mode connection opened with apps.connections.open', async () => {
    const local = await start();
    const opened = (await new WebClient(local.slack.appToken, { slackApiUrl: local.slack.apiUrl }).apiCall(
      'apps.connections.open',
    )) as { ok: boolean; url: string };
    expect(opened.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?ticket=/);
    const socket = new WebSocket(opened.url);
    const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>));
      socket.once('error', reject);
    });
    expect(hello).toMatchObject({ type: 'hello', connection_info: { app_id: local.slack.appId } });
    // The client drops a connection that hears no ping for 30 s: the server pings every 2 s.
    await new Promise<void>((resolve) => socket.once('ping', () => resolve()));
    socket.close();
  });

  it('takes acks, and after a dropped socket the bot reconnects and is answered again', async () => {
    const local = await start();
    const first = await local.slack.slashCommand({
      command: '/cloudmaster',
      text: 'help',
      userId: 'U0ALICE',
    });
    expect(first.ack).toEqual({});
    expect(first.ackMs).toBeLessThan(3_000);
    const opened = local.slack.connectionsOpened;
    local.slack.dropConnections();
    expect(local.slack.openConnections).toBe(0);
    expect(await listingAnswered(local)).toMatch(/24 machines/);
    expect(local.slack.connectionsOpened).toBe(opened + 1);
  });

  it('a disconnect message makes the bot open a new connection', async () => {
    const local = await start();
    const opened = local.slack.connectionsOpened;
    local.slack.sendDisconnect('refresh_requested');
    expect(await listingAnswered(local)).toMatch(/24 machines/);
    expect(local.slack.connectionsOpened).toBe(opened + 1);
  });

  it('answers the Web API as Slack does: the bot token works, others are refused, bad blocks are refused', async () => {
    const local = await start();
    const bot = new WebClient(local.slack.botToken, {
      slackApiUrl: local.slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const posted = await bot.chat.postMessage({ channel: 'C0GENERAL', text: 'hello from the bot' });
    expect(posted.ok).toBe(true);
    expect(local.slack.message('C0GENERAL', posted.ts as string)?.text).toBe('hello from the bot');
    const identity = await bot.auth.test();
    expect(identity).toMatchObject({ user: 'igor', user_id: local.slack.botUserId });
    const stranger = new WebClient('xoxb-not-this-one', {
      slackApiUrl: local.slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(stranger.chat.postMessage({ channel: 'C0OPS', text: 'x' })).rejects.toThrow(/invalid_auth/);
    await expect(
      bot.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: [{ type: 'section' } as never] }),
    ).rejects.toThrow(/invalid_blocks/);
  });
});

describe('the page refuses what it should', () => {
  const send = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('refuses posts another site could make, and requests for another host name', async () => {
    const local = await start();
    const asText = await fetch(`${local.url}/local/send`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ as: 'U0ALICE', channel: 'C0OPS', text: '/cloudmaster reboot web-1' }),
    });
    expect(asText.status).toBe(415);
    const otherOrigin = await send(
      local.url,
      { as: 'U0ALICE', channel: 'C0OPS', text: '/cloudmaster list' },
      { origin: 'https://evil.example' },
    );
    expect(otherOrigin.status).toBe(403);
    // A name that resolves to 127.0.0.1 (DNS rebinding) reaches the listener with its own Host header.
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpGet(
        `${local.url}/local/state?as=U0ALICE`,
        { headers: { host: 'evil.example' } },
        (answer) => {
          answer.resume();
          resolve(answer.statusCode ?? 0);
        },
      );
      request.on('error', reject);
    });
    expect(rebound).toBe(421);
    expect(local.slack.messages).toHaveLength(0);
  });

  it('says what is wrong with what a person sent, and sends nothing', async () => {
    const local = await start();
    const cases: [unknown, RegExp][] = [
      [
        { as: 'U0ALICE', channel: 'C0OPS', text: '/deploy now' },
        /\/deploy is not a command here; try \/cloudmaster/,
      ],
      [{ as: 'U0NOBODY', channel: 'C0OPS', text: 'hi' }, /not one of this workspace’s people/],
      [{ as: 'U0BOB', channel: 'D0ALICE', text: 'list' }, /no such conversation/],
      [{ as: 'U0ALICE', channel: 'C0OPS', text: 'x'.repeat(4_001) }, /at most 4000 characters/],
      [{ as: 'U0ALICE', channel: 'C0OPS', text: '   ' }, /write something first/],
    ];
    for (const [body, words] of cases) {
      const answer = await send(local.url, body);
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(words);
    }
    expect(local.slack.messages).toHaveLength(0);
    expect(local.slack.connectionsOpened).toBe(1);
  });

  it('warns that a non-loopback address has no login', async () => {
    const local = await startWorkspace({ host: '0.0.0.0' });
    workspace = local;
    expect(local.logs.join('\n')).toMatch(
      /listens on 0\.0\.0\.0, not only on this machine: its page has no login/,
    );
    expect((await fetch(`${local.url}/healthz`)).status).toBe(200);
  });
});

describe('which config the local workspace runs', () => {
  it('with a cloudmaster.yml, its providers and its people; no demo', async () => {
    const path = join(tmpdir(), `cloudmaster-local-${process.pid}-${Date.now()}.yml`);
    writeFileSync(
      path,
      'settings:\n  local:\n    people: [{ id: U0DANA, name: dana }, { id: U0ERIK, name: erik }]\nproviders:\n  lab: { type: simulator, machines: 3, stacks: false }\n',
    );
    const local = await start({ env: { CLOUDMASTER_CONFIG: path } });
    expect(local.demo).toBe(false);
    const state = (await (await fetch(`${local.url}/local/state?as=U0DANA`)).json()) as {
      people: { name: string }[];
      channels: { name: string }[];
    };
    expect(state.people.map((person) => person.name)).toEqual(['dana', 'erik']);
    expect(state.channels.map((channel) => channel.name)).toEqual(['dana', 'general', 'ops']);
    expect((await fetch(`${local.url}/local/status/api/v2/summary.json`)).status).toBe(404);
    const delivery = await local.slack.slashCommand({
      command: '/cloudmaster',
      text: 'list',
      userId: 'U0DANA',
    });
    for (let tries = 0; tries < 400 && !local.slack.messageFor(delivery.responseUrl); tries += 1)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(local.slack.messageFor(delivery.responseUrl)?.text).toMatch(/^3 machines on 1 provider/);
  });
});
