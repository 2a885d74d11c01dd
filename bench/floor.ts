/**
 * The benchmark's floor: a bare Bolt Socket Mode app that answers
 * `/cloudmaster` with a list-sized reply built once, and nothing else.
 * Started as the bot is (`node bench/floor.ts`, its stdout a pipe the
 * bench reads), so the two differ only in what the product does.
 */
import { App } from '@slack/bolt';

const env = process.env;

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

// Bolt's own console logger at its default level: it too writes to the pipe.
const app = new App({
  token: env.SLACK_BOT_TOKEN ?? '',
  appToken: env.SLACK_APP_TOKEN ?? '',
  socketMode: true,
  ...(env.SLACK_API_URL ? { clientOptions: { slackApiUrl: env.SLACK_API_URL } } : {}),
});
app.command('/cloudmaster', async ({ ack, respond }) => {
  await ack();
  await respond(STATIC_REPLY);
});
await app.start();
process.once('SIGTERM', () => {
  void app.stop().then(() => process.exit(0));
});
