/**
 * One Slack message a job owns, kept showing the job's latest state: at
 * most one update a second (Slack's own pace for chat.update), a 429 waited
 * out for as long as Slack asks before the *latest* state is sent (never a
 * stale one), and a message someone deleted posted again.
 */
import type { Logger } from 'pino';
import { slackFailure } from '../conversation/slack-errors.ts';
import type { SlackMessage } from '../replies/slack/message.ts';
import type { Timers } from '../timers.ts';

export interface MessageTransport {
  /** Updates the message; throws Slack's error. */
  update(message: SlackMessage): Promise<void>;
  /** Posts it anew (the old one is gone); absent where a new message cannot be posted. */
  repost?(message: SlackMessage): Promise<void>;
}

export const MIN_UPDATE_INTERVAL_MS = 1_000;

export class ThrottledMessage {
  private readonly transport: MessageTransport;
  private readonly timers: Timers;
  private readonly log: Logger;
  private latest: SlackMessage | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private notBefore = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private sending: Promise<void> | undefined;
  private waiters: (() => void)[] = [];

  constructor(transport: MessageTransport, timers: Timers, log: Logger) {
    this.transport = transport;
    this.timers = timers;
    this.log = log;
  }

  /** Shows `message` as soon as the pace allows; newer calls replace what is still waiting. */
  show(message: SlackMessage): void {
    this.latest = message;
    this.schedule();
  }

  /** Resolves once everything shown so far has been sent (or given up on). */
  settle(): Promise<void> {
    if (!this.latest && !this.sending && this.timer === undefined) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private schedule(): void {
    if (this.sending || this.timer !== undefined || !this.latest) return;
    const at = Math.max(this.lastSentAt + MIN_UPDATE_INTERVAL_MS, this.notBefore);
    const wait = at - this.timers.now();
    if (wait > 0) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
      return;
    }
    this.flush();
  }

  private flush(): void {
    const message = this.latest;
    if (!message) {
      this.wake();
      return;
    }
    this.latest = undefined;
    this.lastSentAt = this.timers.now();
    this.sending = this.send(message).finally(() => {
      this.sending = undefined;
      if (this.latest) this.schedule();
      else this.wake();
    });
  }

  private async send(message: SlackMessage): Promise<void> {
    try {
      await this.transport.update(message);
    } catch (error) {
      const failure = slackFailure(error);
      if (failure.code === 'slack_webapi_rate_limited_error') {
        // Wait as long as Slack asks, then send whatever is newest by then.
        this.notBefore = this.timers.now() + (failure.retryAfter ?? 1) * 1_000;
        this.latest ??= message;
        this.log.info({ retryAfterS: failure.retryAfter }, 'Slack rate-limited a job message; waiting');
        return;
      }
      if (failure.error === 'message_not_found' && this.transport.repost) {
        this.log.info('a job message was deleted; posting it again');
        try {
          await this.transport.repost(this.latest ?? message);
          this.latest = undefined;
        } catch (repostError) {
          this.log.warn({ err: repostError }, 'could not post a job message again');
        }
        return;
      }
      this.log.warn({ err: error, slackError: failure.error }, 'could not update a job message');
    }
  }

  private wake(): void {
    if (this.sending || this.timer !== undefined || this.latest) return;
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
