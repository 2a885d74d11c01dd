/**
 * Whether Slack's Web API answers, seen from the `fetch` every Slack client
 * of the bot uses. While it cannot be reached the log gets one warning a
 * minute naming the URL and the network error — not one line per retry (the
 * clients retry with backoff, the Socket Mode handshake up to 100 times) —
 * and `/readyz` says why. An HTTP answer of any status counts as reachable:
 * the clients deal with those themselves.
 */
import type { FetchFunction } from '@slack/web-api';
import type { Logger } from 'pino';
import { formatDuration } from '../config/duration.ts';
import { innermostMessage } from './error-text.ts';

export interface SlackUnreachable {
  readonly url: string;
  /** The network error, e.g. "connect ECONNREFUSED 127.0.0.1:443". */
  readonly error: string;
  readonly since: number;
  readonly attempts: number;
}

export interface SlackReachabilityOptions {
  readonly log: Logger;
  /** How often the warning repeats while Slack stays unreachable (default one minute). */
  readonly warnIntervalMs?: number;
  readonly now?: () => number;
  /** The fetch underneath (default the global one). */
  readonly fetch?: FetchFunction;
}

export class SlackReachability {
  /** Hand this to every Slack client (`clientOptions.fetch`). */
  readonly fetch: FetchFunction;
  private readonly log: Logger;
  private readonly warnIntervalMs: number;
  private readonly now: () => number;
  private unreachable: SlackUnreachable | undefined;
  private warnedAt: number | undefined;

  constructor(options: SlackReachabilityOptions) {
    this.log = options.log;
    this.warnIntervalMs = options.warnIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
    const underlying = options.fetch ?? globalThis.fetch;
    this.fetch = async (input, init) => {
      try {
        const response = await underlying(input, init);
        this.reached();
        return response;
      } catch (error) {
        // Our own aborts (a client's timeout, shutdown) say nothing about Slack.
        if (!init?.signal?.aborted) this.failed(urlOf(input), error);
        throw error;
      }
    };
  }

  /** Why Slack cannot be reached now, or undefined while it answers. */
  problem(): SlackUnreachable | undefined {
    return this.unreachable;
  }

  private failed(url: string, error: unknown): void {
    const now = this.now();
    const previous = this.unreachable;
    this.unreachable = {
      url,
      error: innermostMessage(error),
      since: previous?.since ?? now,
      attempts: (previous?.attempts ?? 0) + 1,
    };
    if (this.warnedAt !== undefined && now - this.warnedAt < this.warnIntervalMs) return;
    this.warnedAt = now;
    const { attempts, since } = this.unreachable;
    // `reason`, not `error`: the logger serialises fields named error as Error objects.
    const fields = { url, reason: this.unreachable.error, attempts, since: new Date(since).toISOString() };
    this.log.warn(
      fields,
      attempts === 1
        ? `cannot reach Slack at ${url}: ${fields.reason}; retrying (this warning repeats every ${formatDuration(this.warnIntervalMs)} while it lasts)`
        : `still cannot reach Slack at ${url}: ${fields.reason} (${attempts} failed attempts since ${fields.since}); retrying`,
    );
  }

  private reached(): void {
    const was = this.unreachable;
    if (!was) return;
    this.unreachable = undefined;
    this.warnedAt = undefined;
    this.log.info(
      { url: was.url, attempts: was.attempts },
      `Slack answers again at ${was.url} after ${was.attempts} failed attempt${was.attempts === 1 ? '' : 's'}`,
    );
  }
}

function urlOf(input: string | URL): string {
  return typeof input === 'string' ? input : input.href;
}
