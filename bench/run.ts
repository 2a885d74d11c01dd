/**
 * `npm run bench`: cloudmaster's Socket Mode path against the fake Slack
 * and the simulator, beside a bare Bolt app answering from memory on the
 * same fake (the floor). Writes BENCHMARKS.md.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../src/grammar/parse.ts';
import { writeConfig } from '../tests/support/dispatcher.ts';
import { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { testTls } from '../tests/support/tls.ts';
import { benchHugeInput, hugeInputSection } from './huge-input.ts';
import { benchLocalWorkspace, localWorkspaceSection } from './local-workspace.ts';
import { benchRestList, restListSummary } from './rest-list.ts';
import type { SdkListResult } from './sdk-list.ts';
import { mib, ms, percentile, ratio } from './stats.ts';
import { benchStoreLock, storeLockSection } from './store-lock.ts';

const COMMANDS = 1_000;
const CONCURRENCY = 50;
const WARM_UP = 100;
/** Floor and cloudmaster take turns, in alternating order, so drift on a shared machine hits both. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BIG_LIST_RUNS = Number(process.env.BENCH_BIG_LIST_RUNS ?? 10);

const CONFIG = `
settings: { pageSize: 50 }
providers:
  demo: { type: simulator, machines: 12 }
  big: { type: simulator, machines: 5000, stacks: false }
`;

interface LoadResult {
  readonly ack: number[];
  readonly firstReply: number[];
}

interface SubjectResult extends LoadResult {
  readonly rssAfterStart: number;
  readonly rssAfterLoad: number;
  readonly bigList?: number[];
}

function ask(child: ChildProcess, message: string): Promise<Record<string, number | boolean>> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as Record<string, number | boolean>));
    child.send(message);
  });
}

/** Sends `count` slash commands, `concurrency` at a time; times each ack and each first reply. */
async function load(fake: FakeSlack, text: string, count: number, concurrency: number): Promise<LoadResult> {
  const ack: number[] = [];
  const firstReply: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const sent = performance.now();
      const delivery = await fake.slashCommand({ command: '/cloudmaster', text });
      ack.push(delivery.ackMs);
      await fake.firstResponse(delivery.responseUrl);
      firstReply.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ack, firstReply };
}

async function measure(fake: FakeSlack, kind: 'floor' | 'bot', configPath: string): Promise<SubjectResult> {
  const before = fake.connectionsOpened;
  const child = fork(new URL('./subject.ts', import.meta.url).pathname, [kind], {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: configPath,
      // The store (every command's delivery claim) on a file of its own, as in production.
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-bench-')),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : [],
  });
  await new Promise((resolve) => child.once('message', resolve));
  await fake.waitFor(() => fake.connectionsOpened > before && fake.openConnections > 0, {
    timeoutMs: 30_000,
  });
  const rssAfterStart = (await ask(child, 'rss')).rss as number;
  await load(fake, 'list on demo', WARM_UP, CONCURRENCY);
  const result = await load(fake, 'list on demo', COMMANDS, CONCURRENCY);
  const rssAfterLoad = (await ask(child, 'rss')).rss as number;
  let bigList: number[] | undefined;
  if (kind === 'bot') {
    bigList = [];
    for (let i = 0; i < BIG_LIST_RUNS; i++) {
      const sent = performance.now();
      const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'list on big' });
      await fake.firstResponse(delivery.responseUrl);
      bigList.push(performance.now() - sent);
    }
  }
  child.send('stop');
  await new Promise((resolve) => child.once('exit', resolve));
  await fake.waitFor(() => fake.openConnections === 0, { timeoutMs: 10_000 });
  return { ...result, rssAfterStart, rssAfterLoad, ...(bigList ? { bigList } : {}) };
}

/** The SDK providers' list, in a child process that trusts the Azure double's test CA from start-up. */
function benchSdkList(): Promise<SdkListResult> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL('./sdk-list.ts', import.meta.url).pathname, [], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: testTls().caFile },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', (result) => resolve(result as SdkListResult));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the SDK list benchmark exited with ${code}`));
    });
  });
}

/** Each statistic per round, then the median over the rounds. */
function summarize(results: readonly SubjectResult[]) {
  const across = (stat: (result: SubjectResult) => number): number => percentile(results.map(stat), 50);
  return {
    ackP50: across((r) => percentile(r.ack, 50)),
    ackP99: across((r) => percentile(r.ack, 99)),
    replyP50: across((r) => percentile(r.firstReply, 50)),
    replyP99: across((r) => percentile(r.firstReply, 99)),
    rssAfterStart: across((r) => r.rssAfterStart),
    rssAfterLoad: across((r) => r.rssAfterLoad),
  };
}

/** Commands parsed per second on one core. */
function parserThroughput(inputs: readonly string[]): number {
  for (let i = 0; i < 20_000; i++) parse(inputs[i % inputs.length] as string);
  const rounds = 300_000;
  const started = performance.now();
  for (let i = 0; i < rounds; i++) parse(inputs[i % inputs.length] as string);
  return rounds / ((performance.now() - started) / 1000);
}

const WELL_FORMED = [
  'list on aws',
  '<@U0BOT> reboot web-1 on do',
  'deploy -s shop -e production -v docker -w false',
  'create vmtest01 on gcp size=e2-small image="ubuntu 24" region=us-east1-b',
  'status \u201Cmy vm\u201D \u2014fresh',
];
const MISTYPED = ['rebot web-1', 'lsit on aws', 'frobnicate', 'deploy -s shop --enviroment prod'];

const fake = await FakeSlack.start();
const configPath = writeConfig(CONFIG);
try {
  const floors: SubjectResult[] = [];
  const bots: SubjectResult[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of round % 2 === 0 ? (['floor', 'bot'] as const) : (['bot', 'floor'] as const)) {
      const result = await measure(fake, kind, configPath);
      (kind === 'floor' ? floors : bots).push(result);
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${kind} done\n`);
    }
  }
  const floor = summarize(floors);
  const bot = summarize(bots);
  const big = bots.flatMap((r) => r.bigList ?? []);
  const restList = await benchRestList();
  const sdkList = await benchSdkList();
  const storeLock = await benchStoreLock(fake);
  const hugeInput = await benchHugeInput(fake);
  const localWorkspace = await benchLocalWorkspace();
  const slowest = Math.max(...Object.values(sdkList.alone));
  const rest = restListSummary(restList);
  const wellFormedPerSecond = parserThroughput(WELL_FORMED);
  const mistypedPerSecond = parserThroughput(MISTYPED);

  const row = (
    name: string,
    value: number,
    floorValue: number | undefined,
    target: string,
    pass: boolean,
    format = ms,
  ): string =>
    `| ${name} | ${format(value)} | ${floorValue === undefined ? '—' : format(floorValue)} | ${floorValue === undefined ? '—' : ratio(value, floorValue)} | ${target} | ${pass ? 'met' : '**missed**'} |`;
  const report = `# Benchmarks

Produced by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}).

Both subjects run in their own process against the same fake Slack (Web API
and Socket Mode on loopback, tests/support/fake-slack). The **floor** is a
bare Bolt app that acks \`/cloudmaster\` and answers with a list-sized
message from memory: what Bolt and the socket cost with no product logic.
**cloudmaster** is the real bot (src/bot.ts) with the simulator. Load:
${COMMANDS.toLocaleString('en-US')} \`/cloudmaster list on demo\` commands at concurrency ${CONCURRENCY}, after ${WARM_UP} warm-up
commands. The two take turns over ${ROUNDS} rounds (alternating which goes
first); each figure is the median of its per-round values. Absolute times
drift on shared machines; the ratios to the floor are what the targets are
about.

| measure | cloudmaster | floor | ratio | target | |
|---|---|---|---|---|---|
${row('ack latency p50', bot.ackP50, floor.ackP50, '—', true)}
${row('ack latency p99', bot.ackP99, floor.ackP99, '≤ 1.25× floor', bot.ackP99 <= 1.25 * floor.ackP99)}
${row('command → first reply p50 (`list`)', bot.replyP50, floor.replyP50, '≤ 2× floor', bot.replyP50 <= 2 * floor.replyP50)}
${row('command → first reply p99 (`list`)', bot.replyP99, floor.replyP99, '≤ 2× floor', bot.replyP99 <= 2 * floor.replyP99)}
${row(`command → final reply, \`list\` of 5,000 machines, p50 of ${big.length}`, percentile(big, 50), undefined, '≤ 300 ms', percentile(big, 50) <= 300)}
${row(`command → final reply, \`list\` of 5,000 machines, max of ${big.length}`, Math.max(...big), undefined, '≤ 300 ms', Math.max(...big) <= 300)}
${row('RSS after start', bot.rssAfterStart, floor.rssAfterStart, '—', true, mib)}
${row('RSS after the load', bot.rssAfterLoad, floor.rssAfterLoad, '≤ 1.3× floor', bot.rssAfterLoad <= 1.3 * floor.rssAfterLoad, mib)}

Parser throughput (src/grammar/parse.ts, one core): **${Math.round(wellFormedPerSecond).toLocaleString('en-US')} commands/s**
for well-formed commands (${WELL_FORMED.length} real inputs, Slack's rewrites included), and
**${Math.round(mistypedPerSecond).toLocaleString('en-US')} commands/s** for mistyped ones, which also compute
"did you mean" suggestions (${MISTYPED.length} inputs).

## A REST provider's list over many pages

${restList.droplets.toLocaleString('en-US')} droplets in ${restList.pages} pages of 100 from a DigitalOcean double
(tests/support/doubles/digitalocean.ts) that answers every request after
${restList.latencyMs} ms, listed through the dispatcher with \`list on do --fresh\`, ${restList.wallMs.length} runs.

| measure | value | target | |
|---|---|---|---|
| wall time, p50 | ${ms(rest.p50)} (${(rest.p50 / restList.latencyMs).toFixed(1)}× one request) | ≤ 3× one request (${ms(3 * restList.latencyMs)}) | ${rest.p50 <= 3 * restList.latencyMs ? 'met' : '**missed**'} |
| wall time, max | ${ms(rest.max)} (${(rest.max / restList.latencyMs).toFixed(1)}× one request) | ≤ 3× one request | ${rest.max <= 3 * restList.latencyMs ? 'met' : '**missed**'} |
| requests made by a second \`list\` inside the cache TTL | ${restList.cachedRequests} (answered in ${ms(restList.cachedWallMs)}) | 0 | ${restList.cachedRequests === 0 ? 'met' : '**missed**'} |

The first page says how many there are; the other nine are fetched together.

## The SDK providers' list, together

\`list --fresh\` across AWS EC2 (three regions), Azure and Compute Engine, each
double answering every request after ${sdkList.latencyMs} ms (tests/support/doubles: ec2, azure,
gce), through the real SDK clients; ${sdkList.machines} machines. Medians of 5 runs after warm-up.

| measure | value | target | |
|---|---|---|---|
${Object.entries(sdkList.alone)
  .map(([id, value]) => `| \`list on ${id}\` alone | ${ms(value)} | — | |`)
  .join('\n')}
| \`list\` of all three together | ${ms(sdkList.together)} (${(sdkList.together / slowest).toFixed(2)}× the slowest) | ≤ 1.2× the slowest (${ms(1.2 * slowest)}) | ${sdkList.together <= 1.2 * slowest ? 'met' : '**missed**'} |

The 5,000-machine list is answered with its first page (50 machines, totals
for all 5,000, a Next button): "final reply" is that message arriving.

${storeLockSection(storeLock)}

${hugeInputSection(hugeInput)}

${localWorkspaceSection(localWorkspace)}`;
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), report);
  process.stdout.write(report);
} finally {
  await fake.stop();
}
