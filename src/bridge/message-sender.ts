/**
 * Sends clients' messages to Slack at Slack's pace: one call a second per
 * channel (a post or an update alike), in the order accepted; a 429 is
 * waited out for as long as Slack asks and the same message tried again; a
 * message someone deleted is posted anew when its key updates it. A refusal
 * for good (channel_not_found, not_in_channel, invalid_blocks…) fails that
 * message only. Waiting messages are claimed in the store (bridge-messages.ts):
 * after a crash another replica sends them.
 */
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { slackFailure } from '../conversation/slack-errors.ts';
import type { Redactor } from '../log/redact.ts';
import type { BridgeMessage, BridgeMessages } from '../store/bridge-messages.ts';

export const CHANNEL_PACE_MS = 1_000;
const LEASE_MS = 60_000;
const SWEEP_MS = 5_000;
/** Network errors and Slack's 5xx are tried this many times before the message fails. */
const TRIES = 5;

export type SendResult =
  | { readonly state: 'posted'; readonly message: BridgeMessage }
  | { readonly state: 'failed'; readonly error: string }
  /** Another process holds it, or it has nothing left to send. */
  | { readonly state: 'elsewhere' };

type Step =
  | SendResult
  | { readonly state: 'retry'; readonly afterMs: number }
  /** Slack could not be reached: tried again a few times, a little later each time. */
  | { readonly state: 'unreachable' };

interface ChannelQueue {
  readonly ids: string[];
  running: boolean;
  nextAt: number;
}

export interface MessageSenderOptions {
  readonly messages: BridgeMessages;
  /** A client that rejects rate-limited calls (the 429 comes here, to be waited out). */
  readonly client: WebClient;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly owner: string;
  readonly now?: () => number;
}

export class MessageSender {
  private readonly options: MessageSenderOptions;
  private readonly queues = new Map<string, ChannelQueue>();
  private readonly waiters = new Map<string, ((result: SendResult) => void)[]>();
  private readonly failures = new Map<string, number>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(options: MessageSenderOptions) {
    this.options = options;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  get leaseMs(): number {
    return LEASE_MS;
  }

  /** Nothing waits in `channel` and its pace allows a call now: a message put now goes out at once. */
  idle(channel: string): boolean {
    const queue = this.queues.get(channel);
    return !queue || (!queue.running && queue.ids.length === 0 && queue.nextAt <= this.now());
  }

  /** How many messages wait in `channel` here. */
  waiting(channel: string): number {
    return this.queues.get(channel)?.ids.length ?? 0;
  }

  /** Sends the message's newest version in its turn; resolves once it is out (or failed). */
  enqueue(channel: string, id: string): Promise<SendResult> {
    const result = new Promise<SendResult>((resolve) => {
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
    });
    let queue = this.queues.get(channel);
    if (!queue) {
      queue = { ids: [], running: false, nextAt: 0 };
      this.queues.set(channel, queue);
    }
    if (!queue.ids.includes(id)) queue.ids.push(id);
    if (!queue.running) void this.run(channel, queue);
    return result;
  }

  start(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweeper);
    await this.options.messages.release(this.options.owner).catch(() => undefined);
  }

  /** Renews this process's claims; takes over messages whose process died. */
  private async sweep(): Promise<void> {
    const { messages, owner, log } = this.options;
    try {
      const now = this.now();
      await messages.renew(owner, now, LEASE_MS);
      for (const orphan of await messages.orphans(now, 100)) void this.enqueue(orphan.channel, orphan.id);
    } catch (error) {
      log.warn({ err: error }, 'could not look for bridge messages left unsent');
    }
  }

  private async run(channel: string, queue: ChannelQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.ids.length > 0 && !this.stopped) {
        const wait = queue.nextAt - this.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const id = queue.ids.shift() as string;
        const step = await this.step(id);
        if (step.state === 'retry') {
          queue.ids.unshift(id);
          queue.nextAt = this.now() + step.afterMs;
          continue;
        }
        if (step.state !== 'elsewhere') queue.nextAt = this.now() + CHANNEL_PACE_MS;
        const resolve = this.waiters.get(id);
        this.waiters.delete(id);
        for (const done of resolve ?? []) done(step);
      }
    } finally {
      queue.running = false;
      if (queue.ids.length === 0 && queue.nextAt <= this.now()) this.queues.delete(channel);
    }
  }

  private async step(
    id: string,
  ): Promise<SendResult | { readonly state: 'retry'; readonly afterMs: number }> {
    const { messages, owner, log } = this.options;
    try {
      const message = await messages.claim(id, owner, this.now(), LEASE_MS);
      if (!message) return { state: 'elsewhere' };
      const step = await this.send(message);
      if (step.state === 'unreachable') {
        const tries = (this.failures.get(id) ?? 0) + 1;
        this.failures.set(id, tries);
        if (tries < TRIES) return { state: 'retry', afterMs: CHANNEL_PACE_MS * tries };
        this.failures.delete(id);
        await messages.failed(id, owner, 'slack_unreachable', this.now());
        return { state: 'failed', error: 'slack_unreachable' };
      }
      this.failures.delete(id);
      return step;
    } catch (error) {
      log.error({ err: error, message: id }, 'could not send a bridge message');
      return { state: 'retry', afterMs: CHANNEL_PACE_MS };
    }
  }

  private async send(message: BridgeMessage): Promise<Step> {
    const { client, redactor, messages, owner, log } = this.options;
    const content = redactor.deep({
      ...(message.content.text === undefined ? {} : { text: message.content.text }),
      ...(message.content.blocks === undefined ? {} : { blocks: message.content.blocks }),
    }) as { text: string };
    let parentTs: string | undefined;
    let channel = message.channelId ?? message.channel;
    if (message.threadOf && !message.ts) {
      const parent = await messages.get(message.threadOf);
      if (parent?.state === 'failed' || !parent) {
        await messages.failed(message.id, owner, 'thread_parent_failed', this.now());
        return { state: 'failed', error: 'thread_parent_failed' };
      }
      // The thread's first message is not out yet (it waits here, or on another replica).
      if (!parent.ts) return { state: 'retry', afterMs: CHANNEL_PACE_MS };
      parentTs = parent.ts;
      channel = parent.channelId ?? channel;
    }
    try {
      let ts = message.ts;
      let channelId = message.channelId ?? channel;
      if (ts) {
        try {
          await client.chat.update({ channel: channelId, ts, ...content });
        } catch (error) {
          if (slackFailure(error).error !== 'message_not_found') throw error;
          log.info({ message: message.id }, 'a bridge message was deleted; posting it again');
          ts = undefined;
        }
      }
      if (!ts) {
        const posted = await client.chat.postMessage({
          channel,
          ...content,
          ...(parentTs ? { thread_ts: parentTs } : {}),
        });
        ts = String(posted.ts);
        channelId = typeof posted.channel === 'string' ? posted.channel : channelId;
      }
      const newer = await messages.sent(message.id, owner, message.version, { ts, channelId }, this.now());
      if (newer) void this.enqueue(message.channel, message.id);
      return {
        state: 'posted',
        message: { ...message, ts, channelId, sentVersion: message.version, state: 'posted' },
      };
    } catch (error) {
      const failure = slackFailure(error);
      if (failure.code === 'slack_webapi_rate_limited_error') {
        log.info(
          { retryAfterS: failure.retryAfter, channel },
          'Slack rate-limited a bridge message; waiting',
        );
        return { state: 'retry', afterMs: (failure.retryAfter ?? 1) * 1_000 };
      }
      if (failure.error !== undefined && failure.code === 'slack_webapi_platform_error') {
        await messages.failed(message.id, owner, failure.error, this.now());
        log.warn({ message: message.id, slackError: failure.error }, 'Slack refused a bridge message');
        return { state: 'failed', error: failure.error };
      }
      log.warn({ err: error, message: message.id }, 'could not reach Slack with a bridge message');
      return { state: 'unreachable' };
    }
  }
}
