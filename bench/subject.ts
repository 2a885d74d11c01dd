/**
 * One benchmark subject in its own process (so its memory is its own):
 * `floor` is a bare Bolt app answering /cloudmaster from memory; `bot` is
 * cloudmaster itself. The parent talks to it over IPC: "rss", "cpu" (user +
 * system, ms), "gc" (with --expose-gc), "stop".
 */
import { App, LogLevel } from '@slack/bolt';
import { createBot } from '../src/bot.ts';

const kind = process.argv[2];
const env = process.env;
const slack = {
  botToken: env.SLACK_BOT_TOKEN ?? '',
  appToken: env.SLACK_APP_TOKEN ?? '',
  apiUrl: env.SLACK_API_URL ?? '',
};

/** A list-sized reply, built once: the floor does no product work at all. */
const STATIC_REPLY = (() => {
  const lines = Array.from(
    { length: 12 },
    (_, i) => `:large_green_circle: *web-${i + 1}* · running · 203.0.113.${i + 1} · sim-nyc1 · sim-small`,
  );
  return {
    response_type: 'in_channel' as const,
    text: lines.join('\n'),
    blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: lines.join('\n') } }],
  };
})();

async function startFloor(): Promise<() => Promise<unknown>> {
  const app = new App({
    token: slack.botToken,
    appToken: slack.appToken,
    socketMode: true,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: slack.apiUrl },
  });
  app.command('/cloudmaster', async ({ ack, respond }) => {
    await ack();
    await respond(STATIC_REPLY);
  });
  await app.start();
  return () => app.stop();
}

async function startBot(): Promise<() => Promise<unknown>> {
  const bot = await createBot({ env, slack });
  await bot.start();
  return () => bot.stop({ graceMs: 1_000, abortMs: 500 });
}

const stop = kind === 'floor' ? await startFloor() : await startBot();
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
