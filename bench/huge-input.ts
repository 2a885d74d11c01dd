/**
 * Bot CPU per command whatever its text: the real bot in its own process
 * (bench/subject.ts) with 5,000 simulated machines and a policy, sent
 * commands made to keep it busy — 40,000 characters, names just under the
 * 4,000-character limit, near misses among 5,000 names — by a user with no
 * rights, a reader who may see only `web-*`, and an operator. Each figure is
 * the bot process's user + system CPU from sending the command to its reply
 * (plus a short settle for work after the reply).
 *
 * Run alone with `node bench/huge-input.ts`: it rewrites its own section of
 * BENCHMARKS.md; `npm run bench` includes it too.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeConfig } from '../tests/support/dispatcher.ts';
import { FakeSlack } from '../tests/support/fake-slack/index.ts';
import { ms, percentile } from './stats.ts';

/** The target: any single command, whatever its text. */
export const CPU_TARGET_MS = 50;
const RUNS = Number(process.env.BENCH_INPUT_RUNS ?? 10);
const WARM_UP = 3;
/** Work a command leaves after its reply (audit writes, logs) is counted too. */
const SETTLE_MS = 30;

const NOBODY = 'U0NOBODY';
const READER = 'U0READER';
const OPERATOR = 'U0OPS';

const CONFIG = `
providers:
  big: { type: simulator, machines: 5000, stacks: false }
policy:
  rules:
    - { name: readers, users: [${READER}], verbs: [read], targets: ['web-*'], effect: allow }
    - { name: operators, users: [${OPERATOR}], verbs: ['*'], effect: allow }
`;

const JUST_UNDER = 'x'.repeat(3_990);

interface Case {
  readonly label: string;
  readonly text: string;
  readonly user: string;
  readonly surface: 'slash' | 'mention';
}

const CASES: readonly Case[] = [
  { label: 'no rights', text: `status ${'x'.repeat(40_000)}`, user: NOBODY, surface: 'slash' },
  { label: 'no rights', text: `status ${'x'.repeat(40_000)}`, user: NOBODY, surface: 'mention' },
  { label: 'no rights', text: `status ${JUST_UNDER}`, user: NOBODY, surface: 'slash' },
  { label: 'reader of web-*', text: `status ${JUST_UNDER}`, user: READER, surface: 'slash' },
  { label: 'reader of web-*', text: 'status db-4999x', user: READER, surface: 'slash' },
  { label: 'reader of web-*', text: 'status web', user: READER, surface: 'slash' },
  { label: 'operator', text: `reboot ${JUST_UNDER}`, user: OPERATOR, surface: 'slash' },
  { label: 'operator', text: `list ${JUST_UNDER}`, user: OPERATOR, surface: 'slash' },
  { label: 'operator', text: 'status web-1', user: OPERATOR, surface: 'slash' },
];

export interface HugeInputResult {
  readonly runs: number;
  readonly rows: readonly { readonly case: Case; readonly p50: number; readonly max: number }[];
}

function ask(child: ChildProcess, message: 'cpu' | 'gc'): Promise<{ cpuMs?: number }> {
  return new Promise((resolve) => {
    child.once('message', (reply) => resolve(reply as { cpuMs?: number }));
    child.send(message);
  });
}

/** The bot's CPU so far, after collecting what earlier commands left: each command pays for its own garbage. */
async function cpuOf(child: ChildProcess, collectFirst: boolean): Promise<number> {
  if (collectFirst) await ask(child, 'gc');
  return (await ask(child, 'cpu')).cpuMs ?? Number.NaN;
}

async function send(fake: FakeSlack, command: Case): Promise<void> {
  if (command.surface === 'slash') {
    const delivery = await fake.slashCommand({
      command: '/cloudmaster',
      text: command.text,
      userId: command.user,
    });
    await fake.firstResponse(delivery.responseUrl);
    return;
  }
  const { ts } = await fake.mention({ text: command.text, userId: command.user });
  await fake.waitFor(() => fake.messages.find((m) => m.threadTs === ts), { timeoutMs: 60_000 });
}

export async function benchHugeInput(fake: FakeSlack): Promise<HugeInputResult> {
  const before = fake.connectionsOpened;
  const child = fork(new URL('./subject.ts', import.meta.url).pathname, ['bot'], {
    env: {
      ...process.env,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: writeConfig(CONFIG),
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-bench-input-')),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: [
      '--expose-gc',
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE] : []),
    ],
  });
  await new Promise((resolve) => child.once('message', resolve));
  await fake.waitFor(() => fake.connectionsOpened > before && fake.openConnections > 0, {
    timeoutMs: 30_000,
  });
  const rows = [];
  try {
    for (const command of CASES) {
      const samples: number[] = [];
      for (let run = 0; run < WARM_UP + RUNS; run++) {
        const start = await cpuOf(child, true);
        await send(fake, command);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const used = (await cpuOf(child, false)) - start;
        if (run >= WARM_UP) samples.push(used);
      }
      rows.push({ case: command, p50: percentile(samples, 50), max: Math.max(...samples) });
    }
  } finally {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
    await fake.waitFor(() => fake.openConnections === 0, { timeoutMs: 10_000 });
  }
  return { runs: RUNS, rows };
}

function shown(text: string): string {
  const run = /x{100,}/.exec(text);
  if (!run) return `\`${text}\``;
  return `\`${text.slice(0, run.index)}\` + ${run[0].length.toLocaleString('en-US')} × \`x\``;
}

export const HUGE_INPUT_HEADING = '## Bot CPU per command, whatever its text';

export function hugeInputSection(result: HugeInputResult): string {
  const worst = Math.max(...result.rows.map((row) => row.max));
  return `${HUGE_INPUT_HEADING}

\`node bench/huge-input.ts\` (also part of \`npm run bench\`) on ${new Date().toISOString().slice(0, 10)}:
Node ${process.version}, ${availableParallelism()} cores. The real bot in its own
process with 5,000 simulated machines (\`machines: 5000\`) and a policy; each
command sent ${WARM_UP} times to warm up, then ${result.runs} times. A figure is the bot
process's CPU (user + system) from the command to its reply plus ${SETTLE_MS} ms,
each run starting from a collected heap (\`--expose-gc\`), so that it pays for
its own garbage and not for earlier commands'. Commands over 4,000
characters are refused before they are read; \`status\` asks the policy's
outlook before any lookup; near names skip candidates whose length is too
far off to be within the edit limit.

| command | who | via | CPU p50 | CPU max | target | |
|---|---|---|---|---|---|---|
${result.rows
  .map(
    (row) =>
      `| ${shown(row.case.text)} | ${row.case.label} | ${row.case.surface} | ${ms(row.p50)} | ${ms(row.max)} | ≤ ${CPU_TARGET_MS} ms | ${row.max <= CPU_TARGET_MS ? 'met' : '**missed**'} |`,
  )
  .join('\n')}

Worst single command: ${ms(worst)} of bot CPU.
`;
}

/** Replaces this benchmark's section of BENCHMARKS.md (or adds it at the end). */
function writeSection(section: string): void {
  const file = new URL('../BENCHMARKS.md', import.meta.url);
  const current = readFileSync(file, 'utf8');
  const start = current.indexOf(HUGE_INPUT_HEADING);
  if (start < 0) {
    writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + HUGE_INPUT_HEADING.length);
  writeFileSync(file, `${current.slice(0, start)}${section}${next < 0 ? '' : current.slice(next)}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fake = await FakeSlack.start();
  try {
    const section = hugeInputSection(await benchHugeInput(fake));
    writeSection(section);
    process.stdout.write(section);
  } finally {
    await fake.stop();
  }
}
