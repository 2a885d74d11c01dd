/**
 * The operations HTTP listener of a real bot on the fake Slack: /healthz,
 * /readyz and /metrics over real HTTP, the metrics counted exactly after
 * real traffic (slash commands, a mention, a confirmed reboot on the
 * simulator, a provider that fails), a route mounted beside them, and
 * `health` naming the version and the listener. Then a bot process whose
 * Slack cannot be reached: one warning naming the URL and the error, and
 * /readyz saying why until Slack comes up.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBot } from '../../src/bot.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { FakeSlack, latest } from '../support/fake-slack/index.ts';
import { ManualTimers } from '../support/manual-timers.ts';
import { metricTypes, parseMetrics, type Sample, total } from '../support/prometheus.ts';
import { click, prompt, until } from '../support/prompts.ts';
import { type Running, start } from '../support/run-process.ts';
import { StatusFixtureServer } from '../support/status-fixtures.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function config(pages: StatusFixtureServer): string {
  return `
settings:
  pollInterval: 50ms
  http: { port: 0 }
providers:
  demo: { type: simulator, delays: { reboot: 200ms } }
  down: { type: simulator, outage: true }
watch:
  channel: C0OUTAGES
  interval: 1m
  timeout: 2s
  sources:
    - { name: github, label: GitHub, type: statuspage, url: "${pages.url('/up/unresolved.json')}" }
    - { name: broken, label: Broken, type: statuspage, url: "${pages.url('/down/unresolved.json')}" }
`;
}

async function get(base: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`${base}${path}`);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
  };
}

describe('the operations listener of a bot on the fake Slack', () => {
  let harness: Harness;
  let pages: StatusFixtureServer;
  let base: string;
  const timers = new ManualTimers(Date.parse('2025-03-18T14:00:00.000Z'));

  async function scrape(): Promise<Sample[]> {
    const { status, body } = await get(base, '/metrics');
    expect(status).toBe(200);
    return parseMetrics(body);
  }

  beforeAll(async () => {
    pages = await StatusFixtureServer.start();
    pages.serve('/up/unresolved.json', 'statuspage/empty.json');
    pages.serve('/down/unresolved.json', { file: 'html-error.html', status: 503 });
    harness = await startBot(config(pages), {
      watch: { timers, random: () => 0, fetchDelayMs: 5 },
      beforeStart: (bot) =>
        bot.http?.mount(
          async (api) => {
            api.get('/hello', async () => ({ hello: 'from a mounted plugin' }));
          },
          { prefix: '/v1' },
        ),
    });
    base = harness.bot.http?.address ?? '';
  });
  afterAll(async () => {
    await harness?.stop();
    await pages?.stop();
  });

  it('listens on 127.0.0.1 by default and says where in the start-up line, with Slack, the store and the providers', () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const connecting = harness.logs.find((line) => line.includes('is connecting to Slack'));
    expect(connecting).toBeDefined();
    const line = JSON.parse(connecting as string) as Record<string, unknown>;
    expect(line.mode).toBe('slack');
    expect(line.msg).toBe(
      `cloudmaster ${VERSION} is connecting to Slack at ${harness.fake.apiUrl}; store: sqlite at ${(line.store as { location: string }).location}; providers: demo, down; operations listener: ${base}`,
    );
    expect(
      harness.logs.some((l) => l.includes(`cloudmaster is connected to Slack at ${harness.fake.apiUrl}`)),
    ).toBe(true);
  });

  it('answers /healthz, and /readyz 200 with the socket connected and the store answering', async () => {
    const health = await get(base, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok', mode: 'slack' });
    const ready = await get(base, '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ ready: true, reasons: [] });
  });

  it('serves a route mounted beside the operations endpoints', async () => {
    const mounted = await get(base, '/v1/hello');
    expect(mounted.status).toBe(200);
    expect(JSON.parse(mounted.body)).toEqual({ hello: 'from a mounted plugin' });
    expect(() => harness.bot.http?.mount(async () => {})).toThrow(/before the HTTP server starts/);
  });

  it('counts exactly the traffic sent: commands, acks, first replies, provider calls, a confirmation and the job', async () => {
    const { fake, bot } = harness;
    const before = await scrape();
    const delta = (after: Sample[], name: string, labels: Record<string, string> = {}) =>
      total(after, name, labels) - total(before, name, labels);

    // Three slash commands: one answered, one with a failing provider, one that is not a command.
    for (const text of ['help', 'list on down', 'frobnicate the servers']) {
      const delivery = await fake.slashCommand({ command: '/cloudmaster', text });
      await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
        description: `the answer to ${text}`,
      });
    }
    // One mention: a reboot, confirmed, run as a job on the simulator.
    await fake.mention({ text: 'reboot web-2 on demo' });
    const asked = await prompt(fake, 'Reboot web-2 on demo?');
    await click(fake, asked, 'confirm');
    await until(fake, asked, /web-2 on demo rebooted/);
    await eventually(async () => bot.work.size === 0, 'the work in flight to end');

    const after = await scrape();
    expect(delta(after, 'cloudmaster_commands_total')).toBe(4);
    expect(
      delta(after, 'cloudmaster_commands_total', { surface: '/cloudmaster', verb: 'help', outcome: 'ok' }),
    ).toBe(1);
    expect(
      delta(after, 'cloudmaster_commands_total', { surface: '/cloudmaster', verb: 'list', outcome: 'ok' }),
    ).toBe(1);
    expect(
      delta(after, 'cloudmaster_commands_total', {
        surface: '/cloudmaster',
        verb: 'unknown',
        outcome: 'usage',
      }),
    ).toBe(1);
    expect(
      delta(after, 'cloudmaster_commands_total', { surface: 'mention', verb: 'reboot', outcome: 'ok' }),
    ).toBe(1);

    expect(delta(after, 'cloudmaster_ack_latency_seconds_count', { type: 'slash_commands' })).toBe(3);
    expect(delta(after, 'cloudmaster_ack_latency_seconds_count', { type: 'events_api' })).toBe(1);
    expect(delta(after, 'cloudmaster_ack_latency_seconds_count', { type: 'interactive' })).toBe(1);
    expect(delta(after, 'cloudmaster_command_first_reply_seconds_count', { surface: '/cloudmaster' })).toBe(
      3,
    );
    expect(delta(after, 'cloudmaster_command_first_reply_seconds_count', { surface: 'mention' })).toBe(1);

    expect(delta(after, 'cloudmaster_provider_calls_total', { provider: 'down' })).toBe(1);
    expect(
      delta(after, 'cloudmaster_provider_calls_total', {
        provider: 'down',
        operation: 'list',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(
      delta(after, 'cloudmaster_provider_calls_total', {
        provider: 'demo',
        operation: 'reboot',
        outcome: 'ok',
      }),
    ).toBe(1);
    expect(
      delta(after, 'cloudmaster_provider_calls_total', {
        provider: 'demo',
        operation: 'poll',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(delta(after, 'cloudmaster_provider_calls_total', { outcome: 'timeout' })).toBe(0);
    expect(
      delta(after, 'cloudmaster_provider_call_duration_seconds_count', {
        provider: 'demo',
        operation: 'reboot',
      }),
    ).toBe(1);

    expect(delta(after, 'cloudmaster_confirmations_total')).toBe(1);
    expect(delta(after, 'cloudmaster_confirmations_total', { outcome: 'confirmed' })).toBe(1);
    expect(total(after, 'cloudmaster_jobs', { state: 'succeeded' })).toBe(1);
    expect(total(after, 'cloudmaster_jobs', { state: 'running' })).toBe(0);
  });

  it('reports the Slack socket, the build and the process', async () => {
    const text = (await get(base, '/metrics')).body;
    const samples = parseMetrics(text);
    expect(total(samples, 'cloudmaster_slack_socket_state', { state: 'connected' })).toBe(1);
    expect(total(samples, 'cloudmaster_slack_socket_state', { state: 'disconnected' })).toBe(0);
    expect(total(samples, 'cloudmaster_slack_socket_reconnects_total')).toBe(0);
    expect(total(samples, 'cloudmaster_build_info', { version: VERSION })).toBe(1);
    expect(total(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(metricTypes(text).get('nodejs_eventloop_lag_seconds')).toBe('gauge');
  });

  it('reports each outage source up or down, with its last success time', async () => {
    await timers.advanceSettling(60_000, () => harness.bot.watch.whenIdle());
    const samples = await scrape();
    expect(total(samples, 'cloudmaster_outage_source_up', { source: 'github' })).toBe(1);
    expect(total(samples, 'cloudmaster_outage_source_up', { source: 'broken' })).toBe(0);
    const lastSuccess = total(samples, 'cloudmaster_outage_source_last_success_timestamp_seconds', {
      source: 'github',
    });
    expect(lastSuccess).toBeGreaterThanOrEqual(Date.parse('2025-03-18T14:00:00.000Z') / 1000);
    expect(lastSuccess).toBeLessThanOrEqual(timers.now() / 1000);
    expect(
      samples.some(
        (sample) =>
          sample.name === 'cloudmaster_outage_source_last_success_timestamp_seconds' &&
          sample.labels.source === 'broken',
      ),
    ).toBe(false);
  });

  it('`health` names the version and the listener’s address', async () => {
    const { fake } = harness;
    const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'health' });
    const answer = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), { description: 'health' });
    const lines = latest(answer).text.split('\n');
    expect(lines).toContain(`Version: cloudmaster ${VERSION}`);
    expect(lines).toContain(`Operations listener: ${base} (/healthz, /readyz, /metrics)`);
  });

  it('answers /readyz 503 with the reason while the store does not answer', async () => {
    const own = await startBot('settings: { http: { port: 0 } }\nproviders:\n  demo: { type: simulator }\n');
    try {
      await own.bot.store.close();
      const ready = await get(own.bot.http?.address ?? '', '/readyz');
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toEqual({
        ready: false,
        reasons: [expect.stringMatching(/^store: sqlite at .+ did not answer: database is not open$/)],
      });
    } finally {
      // Its store is closed already, so stopping it fails there: close the rest by hand.
      await own.stop().catch(() => undefined);
      await own.bot.http?.stop();
      await own.fake.stop();
    }
  });
});

describe('an operations port already taken', () => {
  let fake: FakeSlack | undefined;
  afterAll(async () => {
    // Bolt asks auth.test as the app is built: let it be answered before the fake goes.
    await fake?.waitFor(() => fake?.callsOf('auth.test').length, { description: 'auth.test' });
    await fake?.stop();
  });

  it('stops start-up naming the address and why', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    fake = await FakeSlack.start();
    const bot = await createBot({
      env: {
        CLOUDMASTER_CONFIG: writeConfig(
          `settings: { http: { port: ${port} } }\nproviders:\n  demo: { type: simulator }\n`,
        ),
        CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-taken-')),
      },
      slack: { botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl },
      retryConfig: { retries: 0 },
      logDestination: { write: () => undefined },
    });
    try {
      await expect(bot.start()).rejects.toThrow(
        `the operations HTTP listener cannot listen on 127.0.0.1:${port}: the port is in use`,
      );
    } finally {
      await bot.store.close();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

/** A port nothing listens on (yet): bound, noted and closed. */
async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a bot process whose Slack cannot be reached', () => {
  let bot: Running | undefined;
  let fake: FakeSlack | undefined;
  afterAll(async () => {
    bot?.child.kill('SIGKILL');
    await fake?.stop();
  });

  it('warns once naming the URL and the error (not once per retry), /readyz says why, and it connects when Slack comes up', async () => {
    const slackPort = await freePort();
    const apiUrl = `http://127.0.0.1:${slackPort}/api/`;
    bot = start('src/main.ts', [], {
      // The fake Slack's own tokens: it comes up later and checks them.
      SLACK_BOT_TOKEN: 'xoxb-fake-bot-token',
      SLACK_APP_TOKEN: 'xapp-fake-app-token',
      SLACK_API_URL: apiUrl,
      CLOUDMASTER_CONFIG: writeConfig('providers:\n  demo: { type: simulator }\n'),
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-unreachable-')),
      PORT: '0',
      LOG_LEVEL: 'info',
    });
    const running = bot;
    const lines = () =>
      running
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; [key: string]: unknown });
    await eventually(
      async () => lines().some((line) => line.msg.includes('is connecting to Slack')),
      'the start-up line',
      60_000,
    );
    const connecting = lines().find((line) => line.msg.includes('is connecting to Slack'));
    const listener = /operations listener: (http:\/\/127\.0\.0\.1:\d+)$/.exec(
      connecting?.msg ?? '',
    )?.[1] as string;
    expect(listener).toBeDefined();
    expect(connecting?.msg).toContain(`is connecting to Slack at ${apiUrl}`);

    // The handshake is retried with backoff (about 1 s, 1.3 s, 1.7 s, 2.2 s…): four failures within ~7 s.
    const warnings = () => lines().filter((line) => line.level === 40);
    await eventually(async () => warnings().length > 0, 'the warning', 30_000);
    const ready = await get(listener, '/readyz');
    expect(ready.status).toBe(503);
    const reasons = (JSON.parse(ready.body) as { reasons: string[] }).reasons;
    expect(reasons).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Slack: not connected \\(Socket Mode disconnected since .+\\): cannot reach ${apiUrl}(auth\\.test|apps\\.connections\\.open): connect ECONNREFUSED 127\\.0\\.0\\.1:${slackPort} \\(\\d+ failed attempts? since .+\\)$`,
        ),
      ),
    ]);
    const failedAttempts = async () => {
      const { reasons: now } = JSON.parse((await get(listener, '/readyz')).body) as { reasons: string[] };
      return Number(/\((\d+) failed attempts? since/.exec(now[0] ?? '')?.[1] ?? 0);
    };
    await eventually(async () => (await failedAttempts()) >= 4, 'four failed attempts', 30_000);
    expect(warnings()).toHaveLength(1);
    const [warning] = warnings();
    // Whichever call failed first: Bolt's auth.test or the Socket Mode handshake.
    expect(warning?.msg).toMatch(
      new RegExp(
        `^cannot reach Slack at ${apiUrl}(auth\\.test|apps\\.connections\\.open): connect ECONNREFUSED 127\\.0\\.0\\.1:${slackPort}; retrying \\(this warning repeats every 1 min while it lasts\\)$`,
      ),
    );
    expect(running.stdout()).not.toContain('http request failed');

    // Slack comes up where the bot is looking: it connects, says so, and is ready.
    fake = await FakeSlack.start({ port: slackPort });
    await fake.waitForConnection(30_000);
    await eventually(
      async () => (await get(listener, '/readyz')).status === 200,
      '/readyz to answer 200',
      30_000,
    );
    await eventually(
      async () => lines().some((line) => line.msg === `cloudmaster is connected to Slack at ${apiUrl}`),
      'the connected line',
      30_000,
    );
    expect(lines().some((line) => line.msg.startsWith(`Slack answers again at ${apiUrl}`))).toBe(true);
  }, 120_000);
});
