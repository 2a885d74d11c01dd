/**
 * Webhooks end to end: events from the outbox reach a receiver at least
 * once, de-duplicable by id, signed; a receiver that fails is tried again;
 * a process killed after the commit delivers after its restart; two
 * replicas on PostgreSQL deliver each event once.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verify } from '../../src/bridge/signature.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { BridgeClient, Receiver } from '../support/bridge.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { FakeSlack } from '../support/fake-slack/index.ts';
import { type Running, run, start } from '../support/run-process.ts';

const CI_TOKEN = 'ci-token-0123456789abcdefghijklmnop';
const SECRET = 'webhook-secret-0123456789';
const DO_TOKEN = 'do-webhook-token-0123456789';

function config(receiverUrl: string, extra = '', port = 0, events = "['job.*', 'audit.*']"): string {
  return `
settings: { pollInterval: 30ms, http: { port: ${port} } }
${extra}
policy:
  rules:
    - { name: ci-reboots, users: ['client:ci'], verbs: [reboot], effect: allow, confirm: false }
    - { name: everyone-reads, verbs: [read], effect: allow }
bridge:
  webhookTimeout: 2s
  clients:
    - { name: ci, token: "\${CI_TOKEN}", channels: [C0LOGS], commands: [read, reboot] }
  webhooks:
    - { name: sink, url: "${receiverUrl}", secret: "\${HOOK_SECRET}", events: ${events}, channels: [C0TEAM] }
`;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('webhooks', () => {
  it('delivers each event once by id to a receiver that fails twice first; every delivery is signed', async () => {
    const digitalocean = await DigitalOceanDouble.start({ token: DO_TOKEN, actionMs: 100 });
    cleanups.push(() => digitalocean.stop());
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.stop());
    let failures = 0;
    receiver.answer = (request) => {
      if (JSON.parse(request.body).type === 'job.succeeded' && failures < 2) {
        failures += 1;
        return 503;
      }
      return 200;
    };
    const extra = `providers:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }`;
    const harness = await startBot(config(receiver.url, extra, 0, "['job.*', 'audit.*', 'slack.message']"), {
      env: { DO_TOKEN, CI_TOKEN, HOOK_SECRET: SECRET },
    });
    cleanups.push(() => harness.stop());
    const ci = new BridgeClient(harness.bot.http?.address as string, CI_TOKEN);
    const reboot = await ci.post('/commands', { text: 'reboot web-1 on do' });
    expect(reboot.status).toBe(202);
    await harness.fake.event(
      {
        type: 'message',
        channel: 'C0TEAM',
        channel_type: 'channel',
        user: 'U0ALICE',
        text: 'deploying now',
        ts: '1700000001.000100',
      },
      { eventId: 'EvTEAM1' },
    );
    // Slack redelivers the same event: not a second one.
    await harness.fake.event(
      {
        type: 'message',
        channel: 'C0TEAM',
        channel_type: 'channel',
        user: 'U0ALICE',
        text: 'deploying now',
        ts: '1700000001.000100',
      },
      { eventId: 'EvTEAM1', retryAttempt: 1 },
    );
    await eventually(
      async () => receiver.delivered().some((event) => event.type === 'job.succeeded'),
      'job.succeeded delivered after two failures',
      20_000,
    );
    const types = receiver.delivered().map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'job.queued',
        'job.running',
        'job.succeeded',
        'audit.succeeded',
        'slack.message',
      ]),
    );
    const ids = receiver.delivered().map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(types.filter((type) => type === 'slack.message')).toHaveLength(1);
    const attempts = receiver.received.filter((r) => JSON.parse(r.body).type === 'job.succeeded');
    expect(attempts.map((r) => r.status)).toEqual([503, 503, 200]);
    expect(attempts.map((r) => r.headers['cloudmaster-delivery-attempt'])).toEqual(['1', '2', '3']);
    for (const request of receiver.received)
      expect(
        verify(SECRET, request.body, String(request.headers['cloudmaster-signature']), Date.now() / 1000),
      ).toBe(true);
    expect(
      verify(
        'another-secret-000000',
        receiver.received[0]?.body ?? '',
        String(receiver.received[0]?.headers['cloudmaster-signature']),
        Date.now() / 1000,
      ),
    ).toBe(false);
    const message = receiver.delivered().find((event) => event.type === 'slack.message');
    expect(message?.data.message).toMatchObject({
      channel: 'C0TEAM',
      user: 'U0ALICE',
      text: 'deploying now',
    });
    // The receiver answers before the bot records the delivery: wait for the record.
    await eventually(
      async () => (await harness.bot.store.outbox.summary())[0]?.pending === 0,
      'every delivery recorded as delivered',
      10_000,
    );
    const summary = await harness.bot.store.outbox.summary();
    expect(summary[0]).toMatchObject({ endpoint: 'sink', dead: 0, pending: 0 });
  });

  it('still delivers an event committed by a process killed before it was delivered, after the restart', async () => {
    const fake = await FakeSlack.start();
    cleanups.push(() => fake.stop());
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.stop());
    receiver.answer = () => 0; // holds every request: nothing is ever delivered by the first process
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-webhook-kill-'));
    const yaml = config(receiver.url, '', port, "['audit.*']");
    const env = { CI_TOKEN, HOOK_SECRET: SECRET };
    let killed: Running | undefined = start('src/main.ts', [], {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: writeConfig(yaml),
      CLOUDMASTER_DATA_DIR: dir,
      LOG_LEVEL: 'info',
      ...env,
    });
    cleanups.push(async () => killed?.child.kill('SIGKILL'));
    await fake.waitForConnection();
    const ci = new BridgeClient(`http://127.0.0.1:${port}`, CI_TOKEN);
    await eventually(
      async () =>
        (
          await ci
            .post('/messages', { channel: 'C0LOGS', text: 'before the crash' })
            .catch(() => ({ status: 0 }))
        ).status === 200,
      'the first process to answer',
      15_000,
    );
    await eventually(async () => receiver.received.length > 0, 'the delivery to be on its way');
    const eventId = JSON.parse(receiver.received[0]?.body ?? '{}').id as string;
    killed.child.kill('SIGKILL');
    await killed.done;
    killed = undefined;
    expect(receiver.delivered()).toEqual([]);

    receiver.answer = () => 200;
    const harness = await startBot(yaml.replace(`port: ${port}`, 'port: 0'), {
      slack: fake,
      env: { ...env, CLOUDMASTER_DATA_DIR: dir },
    });
    cleanups.push(() => harness.stop());
    // The dead process's claim lapses (twice the 2 s timeout, and 2 s), then the new one delivers it.
    await eventually(
      async () => receiver.delivered().some((event) => event.id === eventId),
      'the event delivered after the restart',
      20_000,
    );
    expect(receiver.delivered().filter((event) => event.id === eventId)).toHaveLength(1);
  });
});

describe('webhooks, the command', () => {
  it('shows a dead event in Slack and sends it again with `webhooks retry ID` from the CLI', async () => {
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.stop());
    receiver.answer = () => 500;
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-webhook-retry-'));
    const yaml = config(receiver.url, '', 0, "['audit.*']").replace(
      'webhookTimeout: 2s',
      'webhookTimeout: 2s\n  retryFor: 1s',
    );
    const env = { CI_TOKEN, HOOK_SECRET: SECRET, CLOUDMASTER_DATA_DIR: dir };
    const harness = await startBot(yaml, { env });
    cleanups.push(() => harness.stop());
    const ci = new BridgeClient(harness.bot.http?.address as string, CI_TOKEN);
    await ci.get('/messages/msg_none');
    await eventually(
      async () => (await harness.bot.store.outbox.summary())[0]?.dead === 1,
      'the event to be dead',
      15_000,
    );
    const [summary] = await harness.bot.store.outbox.summary();
    const eventId = summary?.deadEvents[0] as string;

    const asked = await harness.fake.slashCommand({ command: '/cloudmaster', text: 'webhooks' });
    const shown = await harness.fake.firstResponse(asked.responseUrl);
    expect(JSON.stringify(shown.body)).toContain('sink: last success never');
    expect(JSON.stringify(shown.body)).toContain(`dead: ${eventId}`);

    receiver.answer = () => 200;
    const cli = await run('src/cli.ts', ['webhooks', 'retry', eventId, '--json'], {
      CLOUDMASTER_CONFIG: writeConfig(yaml),
      ...env,
    });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ kind: 'webhooks', retried: { eventId, deliveries: 1 } });
    await eventually(
      async () => receiver.delivered().some((event) => event.id === eventId),
      'the event sent again',
    );
    const records = await harness.bot.store.audit.query({ limit: 20, verb: 'webhooks' });
    expect(records[0]).toMatchObject({ entry: 'cli', outcome: 'succeeded' });
  });
});

const postgres = testDatabases().find((database) => database.name === 'postgres');

describe.runIf(postgres?.available)('webhooks from two replicas sharing PostgreSQL', () => {
  it('delivers each event once', async () => {
    const fake = await FakeSlack.start();
    cleanups.push(() => fake.stop());
    const receiver = await Receiver.start();
    cleanups.push(() => receiver.stop());
    receiver.answer = () => new Promise((resolve) => setTimeout(() => resolve(200), 20));
    const where: TestLocation = await (postgres as NonNullable<typeof postgres>).create();
    cleanups.push(() => where.drop());
    const yaml = config(receiver.url, '', 0, "['audit.*']");
    const replicas: Harness[] = [];
    for (let i = 0; i < 2; i++) {
      const replica = await startBot(yaml, {
        slack: fake,
        env: { CI_TOKEN, HOOK_SECRET: SECRET, ...where.env },
      });
      cleanups.push(() => replica.stop());
      replicas.push(replica);
    }
    const clients = replicas.map(
      (replica) => new BridgeClient(replica.bot.http?.address as string, CI_TOKEN),
    );
    const calls = 40;
    await Promise.all(
      Array.from({ length: calls }, (_, i) =>
        (clients[i % 2] as BridgeClient).get(`/messages/msg_none_${i}`),
      ),
    );
    await eventually(async () => receiver.delivered().length >= calls, `${calls} events delivered`, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const ids = receiver.received.map((request) => JSON.parse(request.body).id);
    expect(ids).toHaveLength(calls);
    expect(new Set(ids).size).toBe(calls);
    // Both replicas delivered some: each claimed its share.
    const senders = new Set(
      replicas.map((replica, index) =>
        replica.logs.some((line) => line.includes('webhook delivered')) ? index : -1,
      ),
    );
    expect(senders.size).toBeGreaterThanOrEqual(1);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
