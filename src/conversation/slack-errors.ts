/** Slack's errors, read in one place: the WebClient's code, Slack's own error word, a 429's wait. */
import type { SlackMessage } from '../replies/slack/message.ts';

export interface SlackFailure {
  /** The WebClient's code, e.g. `slack_webapi_rate_limited_error`. */
  readonly code?: string;
  /** Slack's word: `not_in_channel`, `message_not_found`… */
  readonly error?: string;
  /** Seconds a 429 asks to wait. */
  readonly retryAfter?: number;
}

export function slackFailure(error: unknown): SlackFailure {
  const failure = error as { code?: unknown; data?: { error?: unknown }; retryAfter?: unknown } | undefined;
  return {
    ...(typeof failure?.code === 'string' ? { code: failure.code } : {}),
    ...(typeof failure?.data?.error === 'string' ? { error: failure.data.error } : {}),
    ...(typeof failure?.retryAfter === 'number' ? { retryAfter: failure.retryAfter } : {}),
  };
}

/** The bot cannot post or edit there (not a member; a DM with someone else): a response_url still can. */
const OUT_OF_REACH = new Set(['not_in_channel', 'channel_not_found', 'cant_update_message']);

export function isOutOfReach(error: unknown): boolean {
  const word = slackFailure(error).error;
  return word !== undefined && OUT_OF_REACH.has(word);
}

type Send = (message: SlackMessage) => Promise<void>;

/**
 * Sends with `primary` until Slack says the bot cannot reach the message,
 * then with `fallback` (the response_url) from then on.
 */
export function fallingBack(primary: Send, fallback: Send | undefined): Send {
  let reachable = true;
  return async (message) => {
    if (reachable || !fallback) {
      try {
        await primary(message);
        return;
      } catch (error) {
        if (!fallback || !isOutOfReach(error)) throw error;
        reachable = false;
      }
    }
    await fallback(message);
  };
}
