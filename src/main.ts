/**
 * `npm start` / `cloudmaster serve [--slack] [--port N] [--host H]`: run the
 * bot until SIGTERM or SIGINT. Without Slack tokens it
 * opens the local workspace (src/local-slack) unless `--slack` or
 * CLOUDMASTER_REQUIRE_SLACK=1 asks for Slack; wrong tokens or a bad config
 * stop it here with a plain explanation, never a stack trace.
 */
import { PROVIDER_MODULES } from '../providers/modules.ts';
import { createBot, slackCredentials } from './bot.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { noSlackTokens, runLocalWorkspace } from './local-slack/run.ts';
import { Redactor } from './log/redact.ts';
import { serveOptions } from './serve-options.ts';
import { stopOnSignals } from './signals.ts';

function fail(paragraph: string): never {
  process.stderr.write(`${paragraph}\n`);
  process.exit(1);
}

/** `args`: what follows `serve` on the command line. */
export async function serve(args: readonly string[]): Promise<void> {
  try {
    await startServing(args);
  } catch (error) {
    if (error instanceof ConfigError) fail(`cloudmaster cannot start: ${error.message}`);
    // Start-up failed before the logger existed (Slack refused the tokens, say): one redacted line.
    const message = error instanceof Error ? error.message : String(error);
    const redactor = new Redactor([process.env.SLACK_BOT_TOKEN ?? '', process.env.SLACK_APP_TOKEN ?? '']);
    // The store's URL may carry a password; the redactor's patterns also catch user:password@.
    fail(redactor.text(`cloudmaster stopped: ${message}`));
  }
}

async function startServing(args: readonly string[]): Promise<void> {
  const env = process.env;
  const options = serveOptions(args, env);
  if ('problem' in options) {
    // A usage mistake, as the other entry points exit on one.
    process.stderr.write(`cloudmaster serve: ${options.problem}\n`);
    process.exit(2);
  }
  const slack = slackCredentials(env);
  if ('problems' in slack) {
    if (!options.requireSlack && noSlackTokens(env)) return runLocalWorkspace(env, options);
    fail(
      `cloudmaster cannot connect to Slack: ${slack.problems.join('; ')}. ` +
        'Create the Slack app from manifest.yml, then set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (README.md, "Slack set-up"). ' +
        'Without Slack you can use the same commands from a terminal: npx cloudmaster help' +
        (options.requireSlack
          ? ', or try the bot in a local workspace: start it without --slack and CLOUDMASTER_REQUIRE_SLACK.'
          : '.'),
    );
  }
  const config = loadConfig({ env, modules: PROVIDER_MODULES });
  const bot = await createBot({ env, slack, config });
  stopOnSignals(bot.log, () => bot.stop());
  await bot.start();
}

// Run directly (`node src/main.ts …`), the arguments are all serve's.
if (import.meta.main) await serve(process.argv.slice(2));
