/**
 * Starts the real bot (config file → providers → Bolt app in Socket Mode)
 * against a fake Slack, and captures its log lines for assertions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../providers/types.ts';
import { type Bot, type BotOptions, createBot } from '../../src/bot.ts';
import { writeConfig } from './dispatcher.ts';
import { FakeSlack, type FakeSlackOptions } from './fake-slack/index.ts';

export interface Harness {
  readonly fake: FakeSlack;
  readonly bot: Bot;
  /** Every log line the bot wrote, as text. */
  readonly logs: string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly fake?: FakeSlackOptions;
  /** Connect to this fake Slack (another replica of the app); `stop()` then leaves it running. */
  readonly slack?: FakeSlack;
  readonly env?: Record<string, string>;
  /** The bot's clock (a test clock, for the outage watch's times). */
  readonly clock?: Clock;
  /** The outage watch's timers and jitter. */
  readonly watch?: BotOptions['watch'];
  /** Runs between creating the bot and starting it (routes to mount on its HTTP server, say). */
  readonly beforeStart?: (bot: Bot) => void;
}

export async function startBot(yaml: string, options: StartOptions = {}): Promise<Harness> {
  const fake = options.slack ?? (await FakeSlack.start(options.fake));
  const connectionsBefore = fake.connectionsOpened;
  const logs: string[] = [];
  // A store of its own unless the test shares one (restarts, replicas).
  const dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-bot-'));
  const bot = await createBot({
    env: {
      CLOUDMASTER_CONFIG: writeConfig(yaml),
      CLOUDMASTER_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    slack: { botToken: fake.botToken, appToken: fake.appToken, apiUrl: fake.apiUrl },
    retryConfig: { retries: 0 },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.watch ? { watch: options.watch } : {}),
    logDestination: { write: (line: string) => logs.push(line) },
  });
  options.beforeStart?.(bot);
  await bot.start();
  await fake.waitFor(() => fake.connectionsOpened > connectionsBefore, {
    description: 'the bot’s connection',
  });
  await fake.waitForConnection();
  return {
    fake,
    bot,
    logs,
    async stop() {
      await bot.stop({ graceMs: 2_000, abortMs: 1_000 });
      if (!options.slack) await fake.stop();
    },
  };
}
