/**
 * The fake Slack speaks Slack's wire protocol: a bare Bolt app in Socket
 * Mode, built here and pointed at it only through `slackApiUrl`, connects,
 * answers commands, events and clicks, and sees the faults the fake injects.
 */
import { App, type BlockAction, LogLevel, type SlashCommand } from '@slack/bolt';
import { ErrorCode, WebClient, WebClientEvent } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FakeSlack, latest } from '../support/fake-slack.ts';

const ACK_TIMEOUT_MS = 1_500;

let fake: FakeSlack;
let app: App;
/** What the app's listeners received, to check the payloads the fake built. */
const received = {
  commands: [] as SlashCommand[],
  mentions: [] as { body: Record<string, unknown>; retryNum: number | undefined }[],
  clicks: [] as BlockAction[],
};

function buttons(value: string) {
  return [
    { type: 'section', block_id: 'question', text: { type: 'mrkdwn', text: 'Approve?' } },
    {
      type: 'actions',
      block_id: 'decide',
      elements: [
        { type: 'button', action_id: 'approve', value, text: { type: 'plain_text', text: 'Approve' } },
        { type: 'button', action_id: 'dismiss', value, text: { type: 'plain_text', text: 'Dismiss' } },
      ],
    },
  ];
}

beforeAll(async () => {
  fake = await FakeSlack.start({ pingIntervalMs: 500, ackTimeoutMs: ACK_TIMEOUT_MS });
  app = new App({
    token: fake.botToken,
    appToken: fake.appToken,
    socketMode: true,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
    logLevel: LogLevel.ERROR,
  });
  app.command('/echo', async ({ command, ack, respond }) => {
    received.commands.push(command);
    await ack();
    await respond({
      response_type: 'in_channel',
      text: `echo: ${command.text}`,
      blocks: buttons(command.text),
    });
  });
  app.command('/inline', async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: 'answered in the ack' });
  });
  app.command('/whisper', async ({ ack, respond }) => {
    await ack();
    await respond('only you can see this');
  });
  app.command('/progress', async ({ command, ack, client }) => {
    await ack();
    const posted = await client.chat.postMessage({
      channel: command.channel_id,
      text: 'Working…',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Working…*' } }],
    });
    await client.chat.update({ channel: command.channel_id, ts: posted.ts ?? '', text: 'Working… step 1' });
    await client.chat.update({
      channel: command.channel_id,
      ts: posted.ts ?? '',
      text: `Done: ${command.text}`,
    });
  });
  app.event('app_mention', async ({ event, body, context, say }) => {
    received.mentions.push({ body: body as unknown as Record<string, unknown>, retryNum: context.retryNum });
    await say({ text: `pong to <@${event.user}>`, thread_ts: event.thread_ts ?? event.ts });
  });
  app.message(async ({ message, say }) => {
    if (message.channel_type !== 'im' || message.subtype !== undefined) return;
    await say(`dm: ${message.text}`);
  });
  app.action<BlockAction>('approve', async ({ ack, body, respond }) => {
    await ack();
    received.clicks.push(body);
    await respond({ replace_original: true, text: `approved by <@${body.user.id}>` });
  });
  app.action<BlockAction>('dismiss', async ({ ack, respond }) => {
    await ack();
    await respond({ delete_original: true });
  });
  await app.start();
  await fake.waitForConnection();
});

afterAll(async () => {
  // The app first: a client that loses the fake keeps reconnecting into a refused port.
  await app?.stop();
  await fake?.waitFor(() => fake.openConnections === 0, { timeoutMs: 5_000 }).catch(() => undefined);
  await fake?.stop();
});

describe('the handshake', () => {
  it('opens one Socket Mode connection with the app token, after auth.test with the bot token', () => {
    expect(fake.connectionsOpened).toBe(1);
    expect(fake.openConnections).toBe(1);
    const open = fake.callsOf('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe(fake.appToken);
    expect(open[0]?.response.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/socket\?/);
    expect(fake.callsOf('auth.test')[0]?.token).toBe(fake.botToken);
    expect(fake.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
  });

  it('greets a raw WebSocket with hello and pings it', async () => {
    const opened = (await (
      await fetch(`${fake.apiUrl}apps.connections.open`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${fake.appToken}` },
      })
    ).json()) as { ok: boolean; url: string };
    expect(opened.ok).toBe(true);
    const socket = new WebSocket(opened.url);
    const hello = await new Promise<Record<string, unknown>>((resolve) =>
      socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)),
    );
    await new Promise<void>((resolve) => socket.once('ping', () => resolve()));
    socket.close();
    await fake.waitFor(() => fake.openConnections === 1, { description: 'the raw socket to close' });
    expect(hello).toEqual({
      type: 'hello',
      num_connections: 2,
      connection_info: { app_id: fake.appId },
      debug_info: { host: 'local-slack', approximate_connection_time: 3600 },
    });
  });

  it('answers invalid_auth, the wrong kind of token and unknown methods as Slack does', async () => {
    const call = async (method: string, token: string) =>
      (await (
        await fetch(`${fake.apiUrl}${method}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token }),
        })
      ).json()) as Record<string, unknown>;
    expect(await call('auth.test', 'xoxb-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('apps.connections.open', fake.botToken)).toEqual({
      ok: false,
      error: 'not_allowed_token_type',
    });
    expect(await call('conversations.join', fake.botToken)).toEqual({ ok: false, error: 'unknown_method' });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'conversations.join', token: fake.botToken });
  });
});

describe('slash commands', () => {
  it('delivers every field of a slash command, gets a bare ack, and tracks the respond() post', async () => {
    const delivery = await fake.slashCommand({
      command: '/echo',
      text: 'hello world',
      channelId: 'C0DEPLOYS',
    });
    expect(delivery.ack).toEqual({});
    expect(delivery.ackMs).toBeGreaterThan(0);
    expect(delivery.responseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/respond\/\w+$/);
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
      description: 'the reply to /echo',
    });
    expect(received.commands.at(-1)).toEqual({
      token: expect.any(String),
      team_id: fake.teamId,
      team_domain: 'fake',
      channel_id: 'C0DEPLOYS',
      channel_name: 'deploys',
      user_id: 'U0ALICE',
      user_name: 'alice',
      command: '/echo',
      text: 'hello world',
      api_app_id: fake.appId,
      is_enterprise_install: 'false',
      response_url: delivery.responseUrl,
      trigger_id: delivery.triggerId,
    });
    expect(message).toMatchObject({ channel: 'C0DEPLOYS', via: 'response_url', ephemeral: false });
    expect(message.text).toBe('echo: hello world');
    expect(fake.responses.find((r) => r.responseUrl === delivery.responseUrl)?.body).toMatchObject({
      response_type: 'in_channel',
      text: 'echo: hello world',
    });
  });

  it('passes on what the app puts in its ack', async () => {
    const delivery = await fake.slashCommand({ command: '/inline', text: '' });
    expect(delivery.ack).toEqual({ payload: { response_type: 'ephemeral', text: 'answered in the ack' } });
  });

  it('makes a respond() without response_type an ephemeral for the invoker', async () => {
    const delivery = await fake.slashCommand({ command: '/whisper', text: '', userId: 'U0BOB' });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl));
    expect(message).toMatchObject({ ephemeral: true, visibleTo: 'U0BOB', text: 'only you can see this' });
    expect(fake.ephemerals).toContain(message);
  });

  it('rejects, naming the envelope, when the app never acks', async () => {
    await expect(fake.slashCommand({ command: '/nobody-listens', text: '' })).rejects.toThrow(
      new RegExp(`did not ack envelope \\S+ \\(slash_commands\\) within ${ACK_TIMEOUT_MS} ms`),
    );
  });

  it('takes five posts per response_url, then answers used_url', async () => {
    const delivery = await fake.slashCommand({ command: '/echo', text: 'again' });
    await fake.firstResponse(delivery.responseUrl);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const answer = await fetch(delivery.responseUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: `extra ${i}` }),
      });
      statuses.push(answer.status);
      if (i === 4) expect(await answer.text()).toBe('used_url');
    }
    expect(statuses).toEqual([200, 200, 200, 200, 404]);
  });
});

describe('Web API messages', () => {
  it('tracks chat.postMessage and each chat.update, blocks parsed back from the form', async () => {
    await fake.slashCommand({ command: '/progress', text: 'deploy' });
    const message = await fake.waitForMessage((m) => m.text === 'Done: deploy', {
      description: 'the progress message in its final state',
    });
    expect(message.via).toBe('chat.postMessage');
    expect(message.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(message.versions.map((v) => v.text)).toEqual(['Working…', 'Working… step 1', 'Done: deploy']);
    expect(message.versions[0]?.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: '*Working…*' } },
    ]);
    expect(fake.message(message.channel, message.ts)).toBe(message);
    const post = fake.callsOf('chat.postMessage').at(-1);
    expect(post?.response).toMatchObject({ ok: true, channel: 'C0OPS', ts: message.ts });
  });

  it('gives each message a unique, increasing ts', async () => {
    const first = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'one' });
    const second = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'two' });
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
  });

  it('answers message_not_found for an unknown, deleted or ephemeral message', async () => {
    const posted = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'short-lived' });
    fake.deleteMessage('C0OPS', posted.ts ?? '');
    const ephemeral = await app.client.chat.postEphemeral({
      channel: 'C0OPS',
      user: 'U0ALICE',
      text: 'psst',
    });
    for (const ts of ['1600000000.000001', posted.ts, ephemeral.message_ts]) {
      await expect(
        app.client.chat.update({ channel: 'C0OPS', ts: ts ?? '', text: 'x' }),
      ).rejects.toMatchObject({
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'message_not_found' },
      });
    }
    expect(fake.message('C0OPS', posted.ts ?? '')?.deleted).toBe(true);
  });

  it('answers not_in_channel where the bot is not a member', async () => {
    fake.notInChannel('C0SECRET');
    await expect(app.client.chat.postMessage({ channel: 'C0SECRET', text: 'hi' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    expect(fake.messages.some((m) => m.channel === 'C0SECRET')).toBe(false);
  });
});

describe('Block Kit limits, refused as Slack refuses them', () => {
  const section = (text: string, extra: Record<string, unknown> = {}) => ({
    type: 'section',
    text: { type: 'mrkdwn', text },
    ...extra,
  });
  const button = (actionId: string, extra: Record<string, unknown> = {}) => ({
    type: 'button',
    action_id: actionId,
    text: { type: 'plain_text', text: 'Go' },
    ...extra,
  });
  const field = (text: string) => ({ type: 'mrkdwn', text });
  const refused: [string, unknown[]][] = [
    ['51 blocks', Array.from({ length: 51 }, () => section('x'))],
    ['a section text of 3,001 characters', [section('a'.repeat(3001))]],
    ['an empty section text', [section('')]],
    ['11 fields', [{ type: 'section', fields: Array.from({ length: 11 }, () => field('f')) }]],
    ['a field of 2,001 characters', [{ type: 'section', fields: [field('f'.repeat(2001))] }]],
    ['a header of 151 characters', [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }]],
    ['a mrkdwn header', [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }]],
    ['11 context elements', [{ type: 'context', elements: Array.from({ length: 11 }, () => field('c')) }]],
    ['26 buttons', [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) }]],
    [
      'a button text of 76 characters',
      [{ type: 'actions', elements: [button('b', { text: { type: 'plain_text', text: 't'.repeat(76) } })] }],
    ],
    [
      'a button value of 2,001 characters',
      [{ type: 'actions', elements: [button('b', { value: 'v'.repeat(2001) })] }],
    ],
    ['an action_id of 256 characters', [{ type: 'actions', elements: [button('a'.repeat(256))] }]],
    ['an action_id used twice', [{ type: 'actions', elements: [button('same'), button('same')] }]],
    ['a block_id used twice', [section('one', { block_id: 'b' }), section('two', { block_id: 'b' })]],
    ['an unknown block property', [section('x', { colour: 'red' })]],
    ['an unknown text property', [{ type: 'section', text: { type: 'mrkdwn', text: 'x', bold: true } }]],
    ['an unknown block type', [{ type: 'marquee', text: 'x' }]],
  ];

  it.each(refused)(
    'refuses %s in chat.postMessage, chat.postEphemeral and chat.update',
    async (_what, blocks) => {
      const before = fake.messages.length;
      await expect(
        app.client.chat.postMessage({ channel: 'C0OPS', text: 'x', blocks: blocks as never }),
      ).rejects.toMatchObject({
        data: { ok: false, error: 'invalid_blocks' },
      });
      await expect(
        app.client.chat.postEphemeral({
          channel: 'C0OPS',
          user: 'U0ALICE',
          text: 'x',
          blocks: blocks as never,
        }),
      ).rejects.toMatchObject({ data: { ok: false, error: 'invalid_blocks' } });
      const posted = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'fine' });
      await expect(
        app.client.chat.update({ channel: 'C0OPS', ts: posted.ts ?? '', text: 'x', blocks: blocks as never }),
      ).rejects.toMatchObject({ data: { ok: false, error: 'invalid_blocks' } });
      expect(fake.messages.length).toBe(before + 1);
      expect(fake.message('C0OPS', posted.ts ?? '')?.versions).toHaveLength(1);
    },
  );

  it.each(refused)('answers %s posted to a response_url with HTTP 400', async (_what, blocks) => {
    const url = fake.createResponseUrl('C0OPS', 'U0ALICE');
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ response_type: 'in_channel', text: 'x', blocks }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toBe('invalid_blocks');
    expect(fake.messageFor(url)).toBeUndefined();
  });

  it('refuses a text over 40,000 characters as msg_too_long', async () => {
    await expect(
      app.client.chat.postMessage({ channel: 'C0OPS', text: 't'.repeat(40_001) }),
    ).rejects.toMatchObject({
      data: { ok: false, error: 'msg_too_long' },
    });
  });

  it('takes a message at every limit', async () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150), emoji: true } },
      section('s'.repeat(3000), { block_id: 'b'.repeat(255) }),
      { type: 'section', fields: Array.from({ length: 10 }, () => field('f'.repeat(2000))) },
      { type: 'context', elements: Array.from({ length: 10 }, () => field('c'.repeat(3000))) },
      {
        type: 'actions',
        block_id: 'buttons',
        elements: Array.from({ length: 25 }, (_, i) =>
          button(`${i}`.padEnd(255, 'a'), {
            value: 'v'.repeat(2000),
            text: { type: 'plain_text', text: 't'.repeat(75) },
            style: 'primary',
          }),
        ),
      },
      { type: 'divider' },
      ...Array.from({ length: 44 }, () => section('x')),
    ];
    expect(blocks).toHaveLength(50);
    const posted = await app.client.chat.postMessage({
      channel: 'C0OPS',
      text: 't'.repeat(40_000),
      blocks: blocks as never,
    });
    expect(posted.ok).toBe(true);
  });
});

describe('events', () => {
  it('delivers an app_mention in an event_callback; the reply lands in its thread', async () => {
    const { ts, eventId } = await fake.mention({ text: 'ping', userId: 'U0BOB' });
    const reply = await fake.waitForMessage((m) => m.threadTs === ts, { description: 'a threaded reply' });
    expect(reply).toMatchObject({ channel: 'C0OPS', via: 'chat.postMessage', text: 'pong to <@U0BOB>' });
    expect(received.mentions.at(-1)?.body).toMatchObject({
      type: 'event_callback',
      event_id: eventId,
      team_id: fake.teamId,
      api_app_id: fake.appId,
      authorizations: [{ user_id: fake.botUserId, is_bot: true }],
      event: { type: 'app_mention', user: 'U0BOB', text: `<@${fake.botUserId}> ping`, ts, channel: 'C0OPS' },
    });
  });

  it('passes on the retry attempt of a redelivered event', async () => {
    const event = { type: 'app_mention', user: 'U0ALICE', text: '<@U0BOT> again', ts: '1700000999.000001' };
    await fake.event(
      { ...event, channel: 'C0RETRY', event_ts: event.ts },
      { eventId: 'Ev0SAME', retryAttempt: 2 },
    );
    await fake.waitForMessage((m) => m.channel === 'C0RETRY');
    expect(received.mentions.at(-1)).toMatchObject({ body: { event_id: 'Ev0SAME' }, retryNum: 2 });
  });

  it('answers a DM and the app ignores the bot’s own message', async () => {
    await fake.directMessage({ text: 'from myself', botMessage: true });
    const { channel } = await fake.directMessage({ text: 'hello' });
    const reply = await fake.waitForMessage((m) => m.channel === channel, { description: 'a DM reply' });
    expect(channel).toBe('D0ALICE');
    expect(reply.text).toBe('dm: hello');
    // A later round trip gives any reply to the bot's own message time to show up.
    await fake.slashCommand({ command: '/inline', text: '' });
    expect(fake.messages.filter((m) => m.channel === channel).map((m) => m.text)).toEqual(['dm: hello']);
  });
});

describe('buttons', () => {
  it('builds a real block_actions payload; respond() replaces the clicked message', async () => {
    const delivery = await fake.slashCommand({ command: '/echo', text: 'ship it' });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl));
    const click = await fake.clickButton({ message, actionId: 'approve', userId: 'U0BOB' });
    expect(click.ack).toEqual({});
    await fake.waitFor(() => message.versions.length === 2, { description: 'the clicked message replaced' });
    expect(message.text).toBe('approved by <@U0BOB>');
    expect(latest(message).blocks).toEqual([]);
    expect(received.clicks.at(-1)).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB', username: 'bob', team_id: fake.teamId },
      team: { id: fake.teamId },
      api_app_id: fake.appId,
      container: { type: 'message', message_ts: message.ts, channel_id: 'C0OPS', is_ephemeral: false },
      channel: { id: 'C0OPS', name: 'ops' },
      message: { ts: message.ts, text: 'echo: ship it' },
      response_url: click.responseUrl,
      trigger_id: expect.any(String),
      actions: [{ type: 'button', action_id: 'approve', block_id: 'decide', value: 'ship it' }],
    });
  });

  it('deletes the clicked message on delete_original', async () => {
    const delivery = await fake.slashCommand({ command: '/echo', text: 'never mind' });
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl));
    await fake.clickButton(message, 'dismiss');
    await fake.waitFor(() => message.deleted, { description: 'the message deleted' });
    expect(fake.visibleMessages()).not.toContain(message);
  });

  it('refuses to click a button the message does not have', async () => {
    const message = await fake.waitForMessage((m) => m.text === 'echo: hello world');
    await expect(fake.clickButton({ message, actionId: 'launch' })).rejects.toThrow(
      /has no button launch \(buttons: approve, dismiss\)/,
    );
  });
});

describe('faults', () => {
  it('a 429 with Retry-After reaches the WebClient as a rate limit', async () => {
    const posted = await app.client.chat.postMessage({ channel: 'C0OPS', text: 'v1' });
    const ts = posted.ts ?? '';
    const limits: number[] = [];
    app.client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => limits.push(seconds));

    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    const started = Date.now();
    // With retries: 0 the client waits Retry-After, then gives up with a request error.
    await expect(app.client.chat.update({ channel: 'C0OPS', ts, text: 'v2' })).rejects.toMatchObject({
      code: ErrorCode.RequestError,
      message: expect.stringContaining('A rate limit was exceeded'),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(limits).toEqual([1]);
    expect(fake.callsOf('chat.update').at(-1)).toMatchObject({
      status: 429,
      response: { ok: false, error: 'ratelimited' },
    });

    fake.failNext('chat.update', { status: 429, retryAfter: 7 });
    const strict = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
    await expect(strict.chat.update({ channel: 'C0OPS', ts, text: 'v2' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 7,
    });

    fake.failNext('chat.update', { status: 429, retryAfter: 1 });
    const patient = new WebClient(fake.botToken, {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 1 },
      logLevel: LogLevel.ERROR,
    });
    await patient.chat.update({ channel: 'C0OPS', ts, text: 'v2' });
    const [limited, retried] = fake.callsOf('chat.update').slice(-2);
    expect(limited?.status).toBe(429);
    expect(retried?.response.ok).toBe(true);
    expect((retried?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(fake.message('C0OPS', ts)?.text).toBe('v2');
  });

  it('fails a method with a chosen error, then answers normally again', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(app.client.chat.postMessage({ channel: 'C0OPS', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(app.client.chat.postMessage({ channel: 'C0OPS', text: 'x' })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('adds latency to each call', async () => {
    fake.apiLatencyMs = 150;
    const started = performance.now();
    await app.client.auth.test();
    fake.apiLatencyMs = 0;
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('waitFor rejects with its description and the recent calls', async () => {
    await expect(fake.waitFor(() => false, { timeoutMs: 20, description: 'a miracle' })).rejects.toThrow(
      /waiting for a miracle\nrecent Web API calls \(\d+ in all\):\n[\s\S]* {2}auth\.test → ok \{\}\nrecent response_url posts/,
    );
  });
});

describe('the connection', () => {
  it('after dropConnections, the client reconnects and the next command still works', async () => {
    const before = fake.connectionsOpened;
    const opensBefore = fake.callsOf('apps.connections.open').length;
    fake.dropConnections();
    expect(fake.openConnections).toBe(0);
    // The delivery waits for the reconnect (@slack/socket-mode waits 5 s before it).
    const delivery = await fake.slashCommand({ command: '/echo', text: 'after the drop' });
    expect(fake.connectionsOpened).toBe(before + 1);
    expect(fake.callsOf('apps.connections.open')).toHaveLength(opensBefore + 1);
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl));
    expect(message.text).toBe('echo: after the drop');
  });

  it('after a disconnect message, the client closes, reconnects and keeps answering', async () => {
    const before = fake.connectionsOpened;
    fake.sendDisconnect('refresh_requested');
    expect(fake.openConnections).toBe(0);
    const delivery = await fake.slashCommand({ command: '/echo', text: 'after the refresh' });
    expect(fake.connectionsOpened).toBe(before + 1);
    const message = await fake.waitFor(() => fake.messageFor(delivery.responseUrl));
    expect(message.text).toBe('echo: after the refresh');
  });
});
