/**
 * `npm run bench:bridge`: the bridge under load, in-process against the fake
 * Slack. 1,000 `POST /v1/messages` into 10 channels (concurrency 4): how
 * fast the API answers (p50, p99), that every message reaches Slack, and at
 * what pace per channel; meanwhile each call's `audit.succeeded` event goes
 * to a webhook receiver that answers in 50 ms: the delivery lag (receipt
 * minus the event's time) p50 and p99. Prints a Markdown section for
 * BENCHMARKS.md.
 */
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfig } from '../tests/support/dispatcher.ts';
import { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { ms, percentile } from './stats.ts';

const MESSAGES = Number(process.env.BENCH_BRIDGE_MESSAGES ?? 1_000);
const CHANNELS = 10;
const CONCURRENCY = Number(process.env.BENCH_BRIDGE_CONCURRENCY ?? 4);
const TOKEN = 'bench-token-0123456789abcdefghijkl';
const SECRET = 'bench-secret-0123456789';

async function receiver(lags: number[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { occurred_at: string };
      lags.push(Date.now() - Date.parse(event.occurred_at));
      setTimeout(() => response.writeHead(200).end(), 50);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const lags: number[] = [];
  const sink = await receiver(lags);
  const channels = Array.from({ length: CHANNELS }, (_, i) => `C0BENCH${i}`);
  const port = await freePort();
  const yaml = `
settings: { http: { port: ${port} } }
bridge:
  clients:
    - { name: bench, token: "\${BENCH_TOKEN}", channels: [${channels.join(', ')}] }
  webhooks:
    - { name: sink, url: "${sink.url}", secret: "\${BENCH_SECRET}", events: ['audit.succeeded'] }
`;
  // The bot in a process of its own, as in production: the fake Slack and the receiver stay in this one.
  const fake = await FakeSlack.start();
  const bot = fork(new URL('../src/main.ts', import.meta.url).pathname, [], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: writeConfig(yaml),
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-bench-bridge-')),
      BENCH_TOKEN: TOKEN,
      BENCH_SECRET: SECRET,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await fake.waitForConnection(30_000);
  const base = `http://127.0.0.1:${port}/v1/messages`;
  const harness = { fake };
  const answers: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const sent = performance.now();
      const response = await fetch(base, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: channels[i % CHANNELS], text: `line ${i}` }),
      });
      await response.text();
      answers.push(performance.now() - sent);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const posted = () => harness.fake.callsOf('chat.postMessage').filter((call) => call.status === 200).length;
  await harness.fake.waitFor(() => posted() >= MESSAGES, {
    timeoutMs: (MESSAGES / CHANNELS) * 1_500 + 30_000,
  });
  const deliveredAfter = (performance.now() - started) / 1000;
  while (lags.length < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 100));
  let minGap = Number.POSITIVE_INFINITY;
  for (const channel of channels) {
    const times = harness.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === channel)
      .map((c) => c.at);
    for (let i = 1; i < times.length; i++)
      minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
  }
  bot.kill('SIGTERM');
  await new Promise((resolve) => bot.once('exit', resolve));
  await fake.stop();
  await sink.close();
  const rows = [
    ['API answer p50', ms(percentile(answers, 50)), '—'],
    ['API answer p99', ms(percentile(answers, 99)), '≤ 20 ms'],
    [
      'messages delivered',
      `${posted()} of ${MESSAGES} in ${deliveredAfter.toFixed(1)} s`,
      'all, at Slack’s pace',
    ],
    ['shortest gap between two posts in one channel', ms(minGap), '≥ ~1,000 ms'],
    ['webhook delivery lag p50', ms(percentile(lags, 50)), '—'],
    ['webhook delivery lag p99', ms(percentile(lags, 99)), '≤ 1 s'],
  ];
  process.stdout.write(
    [
      `Bridge (\`npm run bench:bridge\`, bench/bridge.ts): ${MESSAGES} \`POST /v1/messages\` into ${CHANNELS} channels at concurrency ${CONCURRENCY}, SQLite store; answers ${[...statuses].map(([s, n]) => `${n}× ${s}`).join(', ')}; each call's \`audit.succeeded\` event to a receiver answering in 50 ms.`,
      '',
      '| measure | value | target |',
      '|---|---|---|',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
