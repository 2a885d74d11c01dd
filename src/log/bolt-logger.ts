/** Bolt and the Socket Mode client log through ours, so their lines are redacted too. */

import { inspect } from 'node:util';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';

/** Long enough for any SDK message; an object dumped whole (a response, a socket) is cut. */
const MAX_LINE = 4_000;

/** One argument as text; never throws (a cyclic object, a BigInt), whatever the SDK hands over. */
function argText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.message;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return inspect(arg, { depth: 2, breakLength: Number.POSITIVE_INFINITY });
  }
}

function joinArgs(args: unknown[]): string {
  const line = args.map(argText).join(' ');
  return line.length > MAX_LINE
    ? `${line.slice(0, MAX_LINE)}… (${line.length - MAX_LINE} more characters)`
    : line;
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
