/** Bolt and the Socket Mode client log through ours, so their lines are redacted too. */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

function joinArgs(args: unknown[]): string {
  return args
    .map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? arg.message : JSON.stringify(arg)))
    .join(' ');
}

/**
 * The Web API client says this, without the URL, on every failed attempt it
 * retries; src/ops/slack-reachability.ts says it once a minute with the URL
 * and the cause, so here it is only debug.
 */
const RETRIED_REQUEST = 'http request failed';

export function boltLogger(base: Logger): SlackLogger {
  let log = base.child({ component: 'slack' });
  let level = LogLevel.INFO;
  return {
    debug: (...args) => log.debug(joinArgs(args)),
    info: (...args) => log.info(joinArgs(args)),
    warn: (...args) => (args[0] === RETRIED_REQUEST ? log.debug(joinArgs(args)) : log.warn(joinArgs(args))),
    error: (...args) => log.error(joinArgs(args)),
    // LOG_LEVEL governs; Bolt's own level setting only records what it asked for.
    setLevel(next) {
      level = next;
    },
    getLevel: () => level,
    setName(name) {
      log = base.child({ component: name });
    },
  };
}
