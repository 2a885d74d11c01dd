/**
 * `npm start` without Slack tokens: the bot in its local workspace, until
 * SIGTERM or SIGINT. Prints one line, where to open the page.
 */
import type { ServeOptions } from '../serve-options.ts';
import { stopOnSignals } from '../signals.ts';
import { startLocalWorkspace } from './start.ts';

export async function runLocalWorkspace(
  env: Readonly<Record<string, string | undefined>>,
  options: ServeOptions,
): Promise<void> {
  const local = await startLocalWorkspace({
    env,
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.host === undefined ? {} : { host: options.host }),
  });
  stopOnSignals(local.bot.log, () => local.stop());
  process.stdout.write(`cloudmaster is running in a local workspace: open ${local.url}\n`);
}

/** Neither Slack token is set: what `npm start` takes as "try it locally". */
export function noSlackTokens(env: Readonly<Record<string, string | undefined>>): boolean {
  return !env.SLACK_BOT_TOKEN && !env.SLACK_APP_TOKEN;
}
