/**
 * The bot in a forked process for the benchmarks that talk to it over IPC
 * (bench/store-lock.ts, bench/huge-input.ts): "rss", "cpu" (user + system,
 * ms), "gc" (with --expose-gc), "stop". The Socket Mode case starts it as
 * `npm start` does instead (bench/socket-load.ts).
 */
import { createBot } from '../src/bot.ts';

const env = process.env;
const slack = {
  botToken: env.SLACK_BOT_TOKEN ?? '',
  appToken: env.SLACK_APP_TOKEN ?? '',
  apiUrl: env.SLACK_API_URL ?? '',
};

async function startBot(): Promise<() => Promise<unknown>> {
  const bot = await createBot({ env, slack });
  await bot.start();
  return () => bot.stop({ graceMs: 1_000, abortMs: 500 });
}

const stop = await startBot();
process.on('message', (message) => {
  if (message === 'rss') process.send?.({ rss: process.memoryUsage().rss });
  if (message === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ done: true });
  }
  if (message === 'cpu') {
    const used = process.cpuUsage();
    process.send?.({ cpuMs: (used.user + used.system) / 1000 });
  }
  if (message === 'stop') {
    void stop().then(() => process.exit(0));
  }
});
process.send?.({ ready: true });
