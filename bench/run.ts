/**
 * `npm run bench`: cloudmaster's Socket Mode path against the fake Slack
 * and the simulator, beside a bare Bolt app answering from memory on the
 * same fake (the floor), then the other cases. Writes BENCHMARKS.md.
 * `node bench/run.ts socket` runs the first case alone; BENCH_PROFILE=DIR
 * profiles the bot (--cpu-prof) and writes a summary of the load beside it.
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parse } from '../src/grammar/parse.ts';
import { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { testTls } from '../tests/support/tls.ts';
import { benchHugeInput, hugeInputSection } from './huge-input.ts';
import { benchLocalWorkspace, localWorkspaceSection } from './local-workspace.ts';
import { benchRestList, restListSummary } from './rest-list.ts';
import type { SdkListResult } from './sdk-list.ts';
import { SOCKET_MODE_FINDINGS } from './socket-findings.ts';
import { benchSocketMode, type SocketModeResult, socketModeSection } from './socket-load.ts';
import { ms } from './stats.ts';
import { benchStoreLock, storeLockSection } from './store-lock.ts';

/** Floor and cloudmaster take turns, in alternating order, so drift on a shared machine hits both. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** `node bench/run.ts socket`: only the Socket Mode case, written over the first section of BENCHMARKS.md. */
const ONLY_SOCKET_MODE = process.argv[2] === 'socket';
/** How the Socket Mode figures were produced, written beside them. */
const SOCKET_MODE_COMMAND = `${process.env.BENCH_ROUNDS ? `BENCH_ROUNDS=${ROUNDS} ` : ''}${ONLY_SOCKET_MODE ? 'node bench/run.ts socket' : 'npm run bench'}`;

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

function firstSection(socketMode: SocketModeResult): string {
  const wellFormedPerSecond = parserThroughput(WELL_FORMED);
  const mistypedPerSecond = parserThroughput(MISTYPED);
  return `# Benchmarks

Produced by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}).

## Slash commands over Socket Mode, against a bare Bolt app

This section: \`${SOCKET_MODE_COMMAND}\` on ${new Date().toISOString().slice(0, 10)}.

${socketModeSection(socketMode)}

${SOCKET_MODE_FINDINGS}

Parser throughput (src/grammar/parse.ts, one core): **${Math.round(wellFormedPerSecond).toLocaleString('en-US')} commands/s**
for well-formed commands (${WELL_FORMED.length} real inputs, Slack's rewrites included), and
**${Math.round(mistypedPerSecond).toLocaleString('en-US')} commands/s** for mistyped ones, which also compute
"did you mean" suggestions (${MISTYPED.length} inputs).
`;
}

const REPORT = new URL('../BENCHMARKS.md', import.meta.url);
const fake = await FakeSlack.start();
try {
  const socketMode = await benchSocketMode(fake, ROUNDS);
  if (ONLY_SOCKET_MODE) {
    const rest = readFileSync(REPORT, 'utf8');
    const report = `${firstSection(socketMode)}${rest.slice(rest.indexOf('\n## A REST provider'))}`;
    writeFileSync(REPORT, report);
    process.stdout.write(firstSection(socketMode));
  } else {
    await benchEverythingElse(socketMode);
  }
} finally {
  await fake.stop();
}

async function benchEverythingElse(socketMode: SocketModeResult): Promise<void> {
  const restList = await benchRestList();
  const sdkList = await benchSdkList();
  const storeLock = await benchStoreLock(fake);
  const hugeInput = await benchHugeInput(fake);
  const localWorkspace = await benchLocalWorkspace();
  const slowest = Math.max(...Object.values(sdkList.alone));
  const rest = restListSummary(restList);
  const report = `${firstSection(socketMode)}
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

${storeLockSection(storeLock)}

${hugeInputSection(hugeInput)}

${localWorkspaceSection(localWorkspace)}`;
  writeFileSync(REPORT, withSectionsKept(report, readFileSync(REPORT, 'utf8')));
  process.stdout.write(report);
}

/** Sections this run does not write (the bridge's, from `npm run bench:bridge`) stay as they were. */
function withSectionsKept(report: string, previous: string): string {
  const headings = new Set(report.match(/^## .+$/gm) ?? []);
  const kept = previous
    .split(/^(?=## )/m)
    .filter((section) => section.startsWith('## ') && !headings.has(section.split('\n', 1)[0] ?? ''));
  return kept.length === 0 ? report : `${report.trimEnd()}\n\n${kept.join('').trimEnd()}\n`;
}
