/** Builds the Bolt App in Socket Mode. Listeners are registered elsewhere. */
import { App, LogLevel } from '@slack/bolt';
import type { RetryOptions } from '@slack/web-api';
import type { Logger } from 'pino';
import { boltLogger } from './log/bolt-logger.ts';

export interface AppOptions {
  readonly botToken: string;
  readonly appToken: string;
  /** Moves every Web API call and the Socket Mode handshake (tests point it at a fake Slack). */
  readonly slackApiUrl?: string;
  readonly log: Logger;
  /** Web API retries; tests lower them so a failure shows at once. */
  readonly retryConfig?: RetryOptions;
}

export function buildApp(options: AppOptions): App {
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    ...(options.retryConfig ? { retryConfig: options.retryConfig } : {}),
  };
  return new App({
    token: options.botToken,
    appToken: options.appToken,
    socketMode: true,
    logger: boltLogger(options.log),
    logLevel: options.log.isLevelEnabled('debug') ? LogLevel.DEBUG : LogLevel.INFO,
    clientOptions,
  });
}
