/**
 * The Socket Mode case of `npm run bench`: cloudmaster as `npm start` runs
 * it (`node bin/cloudmaster.js serve`) beside the floor, a bare Bolt app
 * (bench/floor.ts) started the same way; both log to a pipe this process
 * reads. Load and timing from outside, over the fake Slack's socket.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfig } from '../tests/support/dispatcher.ts';
import type { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { launch, monotonicMicros } from './launch.ts';
import { summarizeProfile } from './profile-summary.ts';
import { mib, ms, percentile, ratio } from './stats.ts';

const COMMANDS = 1_000;
const CONCURRENCY = 50;
const WARM_UP = 100;
const BIG_LIST_RUNS = Number(process.env.BENCH_BIG_LIST_RUNS ?? 10);

const CONFIG = `
settings: { pageSize: 50 }
providers:
  demo: { type: simulator, machines: 12 }
  big: { type: simulator, machines: 5000, stacks: false }
`;

/** How each subject is started: as its user would, from this checkout. */
const SUBJECTS = {
  floor: { args: ['bench/floor.ts'] },
  // Measured is the node process npm starts (bench/launch.ts finds it), not npm.
  bot: { command: 'npm', args: ['start'] },
} as const;

type Kind = keyof typeof SUBJECTS;

interface LoadResult {
  readonly ack: number[];
  readonly firstReply: number[];
  /** Commands answered per second of the load's wall time. */
  readonly perSecond: number;
}

interface SubjectResult extends LoadResult {
  readonly rssAfterStart: number;
  readonly rssAfterLoad: number;
  /** The subject's CPU (user + system) per command over the load. */
  readonly cpuMsPerCommand: number;
  /** What it wrote to its stdout per command over the load. */
  readonly logBytesPerCommand: number;
  readonly logLinesPerCommand: number;
  readonly bigList?: number[];
}

/**
 * Sends `count` slash commands over the socket, `concurrency` at a time;
 * times each ack (envelope sent → ack received) and each first reply
 * (→ its response_url post), and counts completed commands a second.
 */
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
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ack, firstReply, perSecond: count / ((performance.now() - started) / 1000) };
}

async function measure(fake: FakeSlack, kind: Kind, configPath: string): Promise<SubjectResult> {
  const profileDir = kind === 'bot' ? process.env.BENCH_PROFILE : undefined;
  const subject = await launch({
    fake,
    ...SUBJECTS[kind],
    env: {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: configPath,
      // The store (every command's delivery claim) on a file of its own, as in production.
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-bench-')),
    },
    nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [],
  });
  const rssAfterStart = subject.rss();
  await load(fake, 'list on demo', WARM_UP, CONCURRENCY);
  const before = { cpuMs: subject.cpuMs(), ...subject.output, at: monotonicMicros() };
  const result = await load(fake, 'list on demo', COMMANDS, CONCURRENCY);
  const window = { from: before.at, to: monotonicMicros() };
  const cpuMsPerCommand = (subject.cpuMs() - before.cpuMs) / COMMANDS;
  const logBytesPerCommand = (subject.output.bytes - before.bytes) / COMMANDS;
  const logLinesPerCommand = (subject.output.lines - before.lines) / COMMANDS;
  const rssAfterLoad = subject.rss();
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
  await subject.stop();
  if (profileDir) summarizeProfile(profileDir, subject.pid, window);
  return {
    ...result,
    rssAfterStart,
    rssAfterLoad,
    cpuMsPerCommand,
    logBytesPerCommand,
    logLinesPerCommand,
    ...(bigList ? { bigList } : {}),
  };
}

/** Each statistic per round, then the median over the rounds. */
function summarize(results: readonly SubjectResult[]) {
  const across = (stat: (result: SubjectResult) => number): number => percentile(results.map(stat), 50);
  return {
    ackP50: across((r) => percentile(r.ack, 50)),
    ackP99: across((r) => percentile(r.ack, 99)),
    replyP50: across((r) => percentile(r.firstReply, 50)),
    replyP99: across((r) => percentile(r.firstReply, 99)),
    perSecond: across((r) => r.perSecond),
    cpuMsPerCommand: across((r) => r.cpuMsPerCommand),
    logBytesPerCommand: across((r) => r.logBytesPerCommand),
    logLinesPerCommand: across((r) => r.logLinesPerCommand),
    rssAfterStart: across((r) => r.rssAfterStart),
    rssAfterLoad: across((r) => r.rssAfterLoad),
  };
}

export interface SocketModeResult {
  readonly rounds: number;
  readonly floor: ReturnType<typeof summarize>;
  readonly bot: ReturnType<typeof summarize>;
  /** Per round, for the record: the ratios bot / floor. */
  readonly perRound: { ackP99: number; perSecond: number; rssAfterLoad: number }[];
  readonly bigList: number[];
  /** The machine's 1-minute load average at the start and the end. */
  readonly loadAverage: readonly [number, number];
}

/** Floor and cloudmaster take turns, in alternating order, so drift on a shared machine hits both alike. */
export async function benchSocketMode(fake: FakeSlack, rounds: number): Promise<SocketModeResult> {
  const startLoad = loadavg()[0] ?? 0;
  const configPath = writeConfig(CONFIG);
  const floors: SubjectResult[] = [];
  const bots: SubjectResult[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const kind of round % 2 === 0 ? (['floor', 'bot'] as const) : (['bot', 'floor'] as const)) {
      const result = await measure(fake, kind, configPath);
      (kind === 'floor' ? floors : bots).push(result);
      process.stderr.write(
        `round ${round + 1}/${rounds}: ${kind}: ack p99 ${ms(percentile(result.ack, 99))}, ` +
          `${result.perSecond.toFixed(0)} commands/s, ${result.cpuMsPerCommand.toFixed(2)} ms CPU a command, ` +
          `RSS ${mib(result.rssAfterLoad)}\n`,
      );
    }
  }
  const perRound = bots.map((bot, i) => {
    const floor = floors[i] as SubjectResult;
    return {
      ackP99: percentile(bot.ack, 99) / percentile(floor.ack, 99),
      perSecond: bot.perSecond / floor.perSecond,
      rssAfterLoad: bot.rssAfterLoad / floor.rssAfterLoad,
    };
  });
  return {
    rounds,
    floor: summarize(floors),
    bot: summarize(bots),
    perRound,
    bigList: bots.flatMap((r) => r.bigList ?? []),
    loadAverage: [startLoad, loadavg()[0] ?? 0],
  };
}

const verdict = (pass: boolean): string => (pass ? 'met' : '**missed**');

export function socketModeSection(result: SocketModeResult): string {
  const { bot, floor, bigList: big } = result;
  const row = (
    name: string,
    value: number,
    floorValue: number | undefined,
    target: string,
    pass: boolean,
    format = ms,
  ): string =>
    `| ${name} | ${format(value)} | ${floorValue === undefined ? '—' : format(floorValue)} | ${floorValue === undefined || floorValue === 0 ? '—' : ratio(value, floorValue)} | ${target} | ${target === '—' ? '' : verdict(pass)} |`;
  const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`;
  const cpu = (value: number): string => `${value.toFixed(2)} ms`;
  const bytes = (value: number): string => `${Math.round(value)} B`;
  const lines = (value: number): string => value.toFixed(2);
  const roundRatios = (pick: (r: SocketModeResult['perRound'][number]) => number): string =>
    result.perRound.map((r) => `${pick(r).toFixed(2)}×`).join(', ');
  return `Both subjects run in their own process, started as their users start
them, against the same fake Slack (Web API and Socket Mode on loopback,
tests/support/fake-slack): **cloudmaster** started by \`npm start\` (from
this checkout's sources, logging at its default level; the figures are those
of the node process npm starts), with the simulator and its store in a SQLite file; the
**floor** is a bare Bolt app (bench/floor.ts, \`node bench/floor.ts\`) that
acks \`/cloudmaster\` and answers with a list-sized message from memory: what
Bolt and the socket cost with no product logic. Each one's stdout is a pipe
that the bench reads. Load, from outside: ${COMMANDS.toLocaleString('en-US')} \`/cloudmaster list on demo\`
envelopes at concurrency ${CONCURRENCY} over the socket, after ${WARM_UP} warm-up commands;
an ack is timed from the envelope sent to its ack received, a reply to the
response_url post; throughput is commands answered a second; CPU is the
process's user + system time and RSS its VmRSS, both from /proc. The two take
turns over ${result.rounds} rounds (alternating which goes first); each figure is the median of
its per-round values. Load average at the start and the end: ${result.loadAverage.map((v) => v.toFixed(2)).join(' and ')}.

| measure | cloudmaster | floor | ratio | target | |
|---|---|---|---|---|---|
${row('ack latency p50', bot.ackP50, floor.ackP50, '—', true)}
${row('ack latency p99', bot.ackP99, floor.ackP99, '≤ 1.25× floor', bot.ackP99 <= 1.25 * floor.ackP99)}
${row('throughput (commands answered a second)', bot.perSecond, floor.perSecond, '≥ 0.85× floor', bot.perSecond >= 0.85 * floor.perSecond, perSecond)}
${row('command → first reply p50 (`list`)', bot.replyP50, floor.replyP50, '≤ 2× floor', bot.replyP50 <= 2 * floor.replyP50)}
${row('command → first reply p99 (`list`)', bot.replyP99, floor.replyP99, '≤ 2× floor', bot.replyP99 <= 2 * floor.replyP99)}
${row('CPU per command', bot.cpuMsPerCommand, floor.cpuMsPerCommand, '—', true, cpu)}
${row('stdout per command', bot.logBytesPerCommand, floor.logBytesPerCommand, '—', true, bytes)}
${row('stdout lines per command', bot.logLinesPerCommand, floor.logLinesPerCommand, '—', true, lines)}
${row(`command → final reply, \`list\` of 5,000 machines, p50 of ${big.length}`, percentile(big, 50), undefined, '≤ 300 ms', percentile(big, 50) <= 300)}
${row(`command → final reply, \`list\` of 5,000 machines, max of ${big.length}`, Math.max(...big), undefined, '≤ 300 ms', Math.max(...big) <= 300)}
${row('RSS after start', bot.rssAfterStart, floor.rssAfterStart, '—', true, mib)}
${row('RSS after the load', bot.rssAfterLoad, floor.rssAfterLoad, '≤ 1.3× floor', bot.rssAfterLoad <= 1.3 * floor.rssAfterLoad, mib)}

Ratios round by round — ack p99: ${roundRatios((r) => r.ackP99)}; throughput: ${roundRatios((r) => r.perSecond)};
RSS after the load: ${roundRatios((r) => r.rssAfterLoad)}.

The 5,000-machine list is answered with its first page (50 machines, totals
for all 5,000, a Next button): "final reply" is that message arriving.`;
}
