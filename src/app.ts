/** Builds the Bolt App in Socket Mode. Listeners are registered elsewhere. */
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import type { FetchFunction, RetryOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { boltLogger } from './log/bolt-logger.ts';
import { timeAcks } from './ops/ack-timer.ts';
import type { BotMetrics } from './ops/metrics.ts';
import type { SlackConnection } from './slack-connection.ts';

export interface AppOptions {
  readonly botToken: string;
  readonly appToken: string;
  /** Moves every Web API call and the Socket Mode handshake (tests point it at a fake Slack). */
  readonly slackApiUrl?: string;
  /** Known bot ids spare Bolt its auth.test at construction. */
  readonly botIds?: { readonly botId: string; readonly botUserId: string };
  readonly log: Logger;
  /** Web API retries; tests lower them so a failure shows at once. */
  readonly retryConfig?: RetryOptions;
  /** Told of every change of the Socket Mode connection's state (for `health`). */
  readonly connection?: SlackConnection;
  /** Every Web API request goes through it (it notices when Slack cannot be reached). */
  readonly fetch?: FetchFunction;
  /** Times each envelope's ack. */
  readonly metrics?: BotMetrics;
}

export function buildApp(options: AppOptions): App {
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const logger = boltLogger(options.log);
  const logLevel = options.log.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO;
  // The receiver Bolt would make, made here so that its Socket Mode client can be followed.
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger,
    logLevel,
    installerOptions: { clientOptions },
  });
  options.connection?.follow(receiver.client);
  if (options.metrics) timeAcks(receiver.client, options.metrics);
  return new App({
    token: options.botToken,
    appToken: options.appToken,
    socketMode: true,
    receiver,
    ...(options.botIds ?? {}),
    logger,
    logLevel,
    clientOptions,
  });
}
