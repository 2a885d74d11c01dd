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
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfig } from '../tests/support/dispatcher.ts';
import { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { type LoopReport, type Stall, watchLoop } from './loop-watch.ts';
import { ms, percentile } from './stats.ts';

const MESSAGES = Number(process.env.BENCH_BRIDGE_MESSAGES ?? 1_000);
const CHANNELS = 10;
const CONCURRENCY = Number(process.env.BENCH_BRIDGE_CONCURRENCY ?? 4);
const TOKEN = 'bench-token-0123456789abcdefghijkl';
const SECRET = 'bench-secret-0123456789';

/** The node flags `npm start` runs the bot with (package.json), so that it is measured as it runs. */
const NODE_FLAGS_OF_NPM_START = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: { start: string };
  }
).scripts.start
  .split(' ')
  .filter((word) => word.startsWith('--'));

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

/**
 * A client's POST over a kept-alive connection with node:http: `fetch`'s web
 * streams cost this process (which also plays Slack and the receiver)
 * several times the CPU, and that wait would be counted as the API's.
 */
const agent = new Agent({ keepAlive: true });
function post(url: string, body: unknown): Promise<number> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const call = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'content-length': String(payload.length),
        },
      },
      (response) => {
        response.on('end', () => resolve(response.statusCode ?? 0)).resume();
      },
    );
    call.on('error', reject);
    call.end(payload);
  });
}

/** A process's CPU time so far (user + system), in ms, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, the 14th and 15th fields, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * The bot's own measure of its answers (from arrival to reply, its
 * histogram on /metrics): the bucket bound under which 99% of them fall.
 */
async function serverP99(port: number): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const buckets = [
    ...text.matchAll(
      /cloudmaster_bridge_request_duration_seconds_bucket\{le="([^"]+)",route="\/v1\/messages"\} (\d+)/g,
    ),
  ].map((match) => ({ le: match[1] as string, count: Number(match[2]) }));
  const total = buckets.at(-1)?.count ?? 0;
  const bound = buckets.find((bucket) => bucket.count >= total * 0.99)?.le;
  return bound === undefined || bound === '+Inf' ? 'over 5 s' : `≤ ${Number(bound) * 1000} ms`;
}

/** The bot's event-loop stalls during the calls: how many of 15 ms or more, the longest, the longest GC pause. */
function stallSummary(report: LoopReport, startedMark: number): string {
  const t0 = performance.timeOrigin + startedMark;
  const stalls = report.stalls.filter((stall) => stall.at >= t0).map((stall) => stall.ms);
  const gc = report.gcPauses.filter((pause) => pause.at >= t0).map((pause) => pause.ms);
  return `${stalls.filter((length) => length >= 15).length}× / ${ms(Math.max(0, ...stalls))} / ${ms(Math.max(0, ...gc))}`;
}

function overlaps(call: { at: number; ms: number }, stalls: readonly Stall[]): number {
  let total = 0;
  for (const stall of stalls) {
    const from = Math.max(call.at, stall.at);
    const to = Math.min(call.at + call.ms, stall.at + stall.ms);
    if (to > from) total += to - from;
  }
  return total;
}

function diagnose(
  slow: readonly { at: number; ms: number }[],
  bot: LoopReport,
  driver: LoopReport,
  startedMark: number,
): void {
  const t0 = performance.timeOrigin + startedMark;
  const describe = (name: string, report: LoopReport) => {
    const during = report.stalls.filter((s) => s.at >= t0);
    const lengths = during.map((s) => s.ms);
    const gc = report.gcPauses.filter((g) => g.at >= t0).map((g) => g.ms);
    process.stderr.write(
      `${name}: ${during.length} stalls ≥5 ms during the run, total ${lengths.reduce((a, b) => a + b, 0).toFixed(0)} ms, ` +
        `max ${Math.max(0, ...lengths).toFixed(1)} ms, over 15 ms: ${lengths.filter((l) => l > 15).length}; ` +
        `GC pauses during the run ${gc.length}, total ${gc.reduce((a, b) => a + b, 0).toFixed(0)} ms, max ${Math.max(0, ...gc).toFixed(1)} ms\n`,
    );
  };
  describe('bot loop', bot);
  describe('driver loop', driver);
  let inBot = 0;
  let inDriver = 0;
  let neither = 0;
  for (const call of slow) {
    const b = overlaps(call, bot.stalls);
    const d = overlaps(call, driver.stalls);
    if (b >= call.ms / 2) inBot++;
    else if (d >= call.ms / 2) inDriver++;
    else neither++;
    if (process.env.BENCH_BRIDGE_VERBOSE)
      process.stderr.write(
        `slow ${call.ms.toFixed(1)} ms at +${(call.at - t0).toFixed(0)}: bot stalled ${b.toFixed(1)}, driver ${d.toFixed(1)}\n`,
      );
  }
  process.stderr.write(
    `answers over 20 ms: ${slow.length}; half or more of it a bot stall: ${inBot}, a driver stall: ${inDriver}, neither: ${neither}\n`,
  );
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
    // BENCH_BOT_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bot.
    execArgv: [
      ...NODE_FLAGS_OF_NPM_START,
      '--import',
      new URL('./bot-probe.ts', import.meta.url).pathname,
      ...(process.env.BENCH_BOT_ARGS ?? '').split(' ').filter(Boolean),
    ],
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
  const slow: { at: number; ms: number }[] = [];
  const calls: { at: number; ms: number }[] = [];
  const driverLoop = watchLoop();
  const statuses = new Map<number, number>();
  let next = 0;
  const loadBefore = loadavg()[0] as number;
  const cpuBefore = cpuMs(bot.pid);
  const started = performance.now();
  const worker = async () => {
    while (next < MESSAGES) {
      const i = next++;
      const sent = performance.now();
      const status = await post(base, {
        channel: channels[i % CHANNELS],
        text: `line ${i}`,
      });
      const took = performance.now() - sent;
      answers.push(took);
      calls.push({ at: performance.timeOrigin + sent, ms: took });
      if (took > 20) slow.push({ at: performance.timeOrigin + sent, ms: took });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const postedIn = (performance.now() - started) / 1000;
  const inBot = await serverP99(port);
  const botLoop = await new Promise<LoopReport>((resolve) => {
    bot.once('message', (message) => resolve((message as { loopReport: LoopReport }).loopReport));
    bot.send('loop-report');
  });
  const ownLoop = driverLoop.report();
  diagnose(slow, botLoop, ownLoop, started);
  if (process.env.BENCH_BRIDGE_LOOP_FILE)
    writeFileSync(
      process.env.BENCH_BRIDGE_LOOP_FILE,
      JSON.stringify({ bot: botLoop, driver: ownLoop, slow, calls }),
    );
  const loadAfter = loadavg()[0] as number;
  const posted = () => harness.fake.callsOf('chat.postMessage').filter((call) => call.status === 200).length;
  await harness.fake.waitFor(() => posted() >= MESSAGES, {
    timeoutMs: (MESSAGES / CHANNELS) * 1_500 + 30_000,
  });
  const deliveredAfter = (performance.now() - started) / 1000;
  while (lags.length < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 100));
  const botCpuPerMessage = (cpuMs(bot.pid) - cpuBefore) / MESSAGES;
  let minGap = Number.POSITIVE_INFINITY;
  for (const channel of channels) {
    const times = harness.fake
      .callsOf('chat.postMessage')
      .filter((c) => c.args.channel === channel)
      .map((c) => c.at);
    for (let i = 1; i < times.length; i++)
      minGap = Math.min(minGap, (times[i] as number) - (times[i - 1] as number));
  }
  agent.destroy();
  bot.kill('SIGTERM');
  await new Promise((resolve) => bot.once('exit', resolve));
  await fake.stop();
  await sink.close();
  const rows = [
    ['API answer p50', ms(percentile(answers, 50)), '—'],
    ['API answer p99', ms(percentile(answers, 99)), '≤ 20 ms'],
    [
      'API answer p99 without the run’s first 20 answers (the bot’s code still cold)',
      ms(percentile(answers.slice(20), 99)),
      '—',
    ],
    ['API answer p99 as the bot measures it (arrival to reply)', inBot, '—'],
    [
      'the bot’s event loop during the calls: held ≥ 15 ms / longest / longest GC pause',
      stallSummary(botLoop, started),
      '—',
    ],
    [
      'the bot’s CPU per message, first call to last webhook (its call, its post, its webhook)',
      ms(botCpuPerMessage),
      '—',
    ],
    ['calls answered in', `${postedIn.toFixed(1)} s`, '—'],
    [
      'machine load (1-min average, 2 cores) before → after the calls',
      `${loadBefore.toFixed(1)} → ${loadAfter.toFixed(1)}`,
      '—',
    ],
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
