/**
 * `npm start`: run the bot until SIGTERM or SIGINT. Missing Slack tokens or
 * a bad config stop it here with a plain explanation, never a stack trace.
 */
import { PROVIDER_MODULES } from '../providers/modules.ts';
import { createBot, slackCredentials } from './bot.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { Redactor } from './log/redact.ts';

function fail(paragraph: string): never {
  process.stderr.write(`${paragraph}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const env = process.env;
  const slack = slackCredentials(env);
  if ('problems' in slack) {
    fail(
      `cloudmaster cannot connect to Slack: ${slack.problems.join('; ')}. ` +
        'Create the Slack app from manifest.yml, then set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (README.md, "Slack set-up"). ' +
        'Without Slack you can use the same commands from a terminal: npx cloudmaster help.',
    );
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env, modules: PROVIDER_MODULES });
  } catch (error) {
    if (error instanceof ConfigError) fail(`cloudmaster cannot start: ${error.message}`);
    throw error;
  }

  const bot = await createBot({ env, slack, config });
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    bot.log.info({ signal }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        bot.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => bot.log.error({ err: reason }, 'unhandled rejection'));
  await bot.start();
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) fail(`cloudmaster cannot start: ${error.message}`);
  // Start-up failed before the logger existed (Slack refused the tokens, say): one redacted line.
  const message = error instanceof Error ? error.message : String(error);
  const redactor = new Redactor([process.env.SLACK_BOT_TOKEN ?? '', process.env.SLACK_APP_TOKEN ?? '']);
  // The store's URL may carry a password; the redactor's patterns also catch user:password@.
  fail(redactor.text(`cloudmaster stopped: ${message}`));
});
