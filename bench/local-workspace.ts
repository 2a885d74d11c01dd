/**
 * The local workspace: how long `npm start` (no Slack tokens, no config:
 * the demo) takes until its page answers and the bot is connected, and how
 * long the page takes to draw a channel of 1,000 messages in Chromium.
 *
 * `npm run bench` includes it; `node bench/local-workspace.ts` runs it alone
 * and rewrites only its section of BENCHMARKS.md.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { launchBrowser } from '../tests/support/browser.ts';
import { openPage, startWorkspace } from '../tests/support/local-page.ts';
import { start } from '../tests/support/run-process.ts';
import { writeBenchmarkSection } from './sections.ts';
import { ms, percentile } from './stats.ts';

/** The page's globals, as the functions run in the browser see them. */
declare const document: {
  querySelectorAll(selector: string): { length: number };
  querySelector(selector: string): unknown;
};
declare const requestAnimationFrame: (callback: () => void) => void;

const HEADING = '## The local workspace';
const STARTS = Number(process.env.BENCH_LOCAL_STARTS ?? 5);
const RENDERS = Number(process.env.BENCH_LOCAL_RENDERS ?? 5);
const MESSAGES = 1_000;
const START_TARGET_MS = 2_000;
const RENDER_TARGET_MS = 1_000;

export interface LocalWorkspaceResult {
  /** Per start: from spawning `node bin/cloudmaster.js serve` (what `npm start` runs) until the page answered and /readyz said connected. */
  readonly startMs: number[];
  /** Per start: spawning `node -e 0` until it exited, at the same time: what the machine's load costs any start. */
  readonly bareNodeMs: number[];
  /** Per run: from clicking the channel until its 1,000 messages were drawn and painted. */
  readonly switchMs: number[];
  /** Per run: from navigating to the page until the channel's 1,000 messages were drawn. */
  readonly loadMs: number[];
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function answers(url: string, check: (response: Response) => Promise<boolean>): Promise<boolean> {
  try {
    return await check(await fetch(url));
  } catch {
    return false;
  }
}

async function timeStart(): Promise<number> {
  const began = performance.now();
  const running = start('bin/cloudmaster.js', ['serve', '--port', '0']);
  try {
    const url = await until(
      () =>
        running.stdout().match(/open (http:\/\/[^\s]+)\n/)?.[1] ??
        (running.child.exitCode === null ? undefined : 'exited'),
    );
    if (url === 'exited') throw new Error(`npm start exited: ${running.stderr()}`);
    await until(async () =>
      (await answers(`${url}/`, async (r) => r.status === 200)) &&
      (await answers(`${url}/readyz`, async (r) => ((await r.json()) as { ready?: boolean }).ready === true))
        ? true
        : undefined,
    );
    return performance.now() - began;
  } finally {
    running.child.kill('SIGTERM');
    await running.done;
  }
}

async function timeBareNode(): Promise<number> {
  const began = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  return performance.now() - began;
}

async function timeRendering(): Promise<{ switchMs: number[]; loadMs: number[] }> {
  const workspace = await startWorkspace();
  const browser = await launchBrowser();
  try {
    // Job messages as the bot writes them: a section with mrkdwn and mentions, a context line.
    for (let index = 0; index < MESSAGES; index += 1) {
      const answer = workspace.slack.answer(
        'chat.postMessage',
        {
          channel: 'C0GENERAL',
          text: `web-${index} on dev rebooted`,
          blocks: [
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `:white_check_mark: <@U0ALICE> *web-${index}* on dev rebooted: running again after 3 s.`,
              },
            },
            {
              type: 'context',
              elements: [
                { type: 'mrkdwn', text: `requested by <@U0ALICE> · job \`J${index}\` · id \`sim-${index}\`` },
              ],
            },
          ],
        },
        workspace.slack.botToken,
      );
      if (answer.ok !== true) throw new Error(`could not post: ${JSON.stringify(answer)}`);
    }
    const switchMs: number[] = [];
    const loadMs: number[] = [];
    for (let run = 0; run < RENDERS; run += 1) {
      const page = await openPage(browser, workspace.url, 'U0ALICE', 'C0OPS');
      switchMs.push(
        await page.evaluate(async (count) => {
          const began = performance.now();
          (document.querySelector('.sidebar a[data-channel="C0GENERAL"]') as { click(): void }).click();
          if (document.querySelectorAll('#messages > .message').length < count) throw new Error('not drawn');
          // Two frames: laid out and painted.
          await new Promise<void>((resolve) =>
            requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
          );
          return performance.now() - began;
        }, MESSAGES),
      );
      await page.goto('about:blank');
      await page.goto(`${workspace.url}/?as=U0ALICE#C0GENERAL`);
      await page.waitForFunction(
        (count) => document.querySelectorAll('#messages > .message').length >= count,
        MESSAGES,
        { polling: 'raf' },
      );
      loadMs.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    return { switchMs, loadMs };
  } finally {
    await browser.close();
    await workspace.stop({ graceMs: 1_000, abortMs: 500 });
  }
}

export async function benchLocalWorkspace(): Promise<LocalWorkspaceResult> {
  await timeStart(); // warm the file system cache: a first start after a checkout reads every module once
  const startMs: number[] = [];
  const bareNodeMs: number[] = [];
  for (let run = 0; run < STARTS; run += 1) {
    bareNodeMs.push(await timeBareNode());
    startMs.push(await timeStart());
  }
  return { startMs, bareNodeMs, ...(await timeRendering()) };
}

export function localWorkspaceSection(result: LocalWorkspaceResult): string {
  const row = (name: string, samples: number[], target?: number): string => {
    const p50 = percentile(samples, 50);
    const max = Math.max(...samples);
    if (target === undefined) return `| ${name} | ${ms(p50)} | ${ms(max)} | — | |`;
    return `| ${name} | ${ms(p50)} | ${ms(max)} | ≤ ${ms(target)} | ${max <= target ? 'met' : p50 <= target ? 'met at the median' : '**missed**'} |`;
  };
  return `${HEADING}

\`npm start\` without Slack tokens or a config (the demo): \`node bin/cloudmaster.js serve --port 0\`
spawned ${result.startMs.length} times (after one warm-up start, which fills Node's module compile cache: the
very first start of a checkout strips and compiles every module and takes about 1.5× as long), each timed until \`GET /\` answers 200 and
\`/readyz\` says the bot is connected to the embedded Slack. Then a channel of
${MESSAGES.toLocaleString('en-US')} bot messages (a mrkdwn section with mentions and a context line each)
drawn by the page in Chromium (playwright-core), ${result.switchMs.length} runs.

| measure | median | max | target | |
|---|---|---|---|---|
${row('`npm start` → page answers and bot connected', result.startMs, START_TARGET_MS)}
${row('for scale: `node -e 0`, spawned just before each start', result.bareNodeMs)}
${row(`click on a channel of ${MESSAGES.toLocaleString('en-US')} messages → drawn and painted`, result.switchMs, RENDER_TARGET_MS)}
${row(`page load → ${MESSAGES.toLocaleString('en-US')} messages drawn (state fetched, live channel open)`, result.loadMs, RENDER_TARGET_MS)}
`;
}

if (import.meta.main) {
  const result = await benchLocalWorkspace();
  const section = `${localWorkspaceSection(result)}
Produced by \`node bench/local-workspace.ts\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${availableParallelism()} cores,
load average ${loadavg()[0]?.toFixed(1)} at the end (the machine is shared: start-up times scale with it).
`;
  writeBenchmarkSection(HEADING, section);
  process.stdout.write(section);
}
