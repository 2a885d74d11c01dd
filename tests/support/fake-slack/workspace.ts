/**
 * The workspace side of the fake Slack: what the Web API and response_urls
 * answer, the messages as Slack would now show them, what was called, and
 * the faults a test asked for. The server (index.ts) feeds it requests.
 */
import { EventEmitter } from 'node:events';
import type { Identity } from './payloads.ts';
import type { ApiCall, Fault, MessageRecord, ResponseRecord } from './records.ts';

export class FakeWorkspace {
  readonly botToken = 'xoxb-fake-bot-token';
  readonly appToken = 'xapp-fake-app-token';
  readonly identity: Identity = { teamId: 'T0FAKE', appId: 'A0CLOUDMASTER', botUserId: 'U0BOT' };
  readonly botId = 'B0BOT';
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseRecord[] = [];
  readonly messages: MessageRecord[] = [];

  protected readonly changes = new EventEmitter();
  protected readonly faults = new Map<string, Fault[]>();
  protected readonly responseMessages = new Map<string, MessageRecord>();
  private readonly channelsWithoutBot = new Set<string>();
  private readonly responseWaiters = new Map<string, (record: ResponseRecord) => void>();
  protected counter = 0;
  /** Set once the server listens; URLs handed out carry it. */
  protected port = 0;

  constructor() {
    this.changes.setMaxListeners(0);
  }

  protected nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter.toString().padStart(6, '0')}`;
  }

  /** The next call of `method` fails this way (e.g. 429 with Retry-After). */
  failNext(method: string, fault: Fault): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), fault]);
  }

  deleteMessage(channel: string, ts: string): void {
    const message = this.message(channel, ts);
    if (message) message.deleted = true;
  }

  /** chat.postMessage into this channel answers `not_in_channel`. */
  notInChannel(channelId: string): void {
    this.channelsWithoutBot.add(channelId);
  }

  message(channel: string, ts: string): MessageRecord | undefined {
    return this.messages.find((m) => m.channel === channel && m.ts === ts);
  }

  /** Messages that have been shown (a response_url placeholder counts once something was posted to it). */
  visibleMessages(): MessageRecord[] {
    return this.messages.filter((m) => m.versions.length > 0 && !m.deleted);
  }

  /** The message a response_url produced (slash command reply), once it exists. */
  messageFor(responseUrl: string): MessageRecord | undefined {
    const message = this.responseMessages.get(responseUrl);
    return message && message.versions.length > 0 ? message : undefined;
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /**
   * Resolves with the predicate's first truthy result, re-checked whenever
   * anything is recorded; rejects after the timeout with what was seen.
   */
  waitFor<T>(
    predicate: () => T | undefined | false | null,
    options: { timeoutMs?: number; description?: string } = {},
  ): Promise<T> {
    const { timeoutMs = 10_000, description = 'a condition' } = options;
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const result = predicate();
        if (!result) return false;
        this.changes.off('change', onChange);
        clearTimeout(timer);
        resolve(result);
        return true;
      };
      const onChange = (): void => {
        check();
      };
      const timer = setTimeout(() => {
        this.changes.off('change', onChange);
        const recent = this.calls
          .slice(-8)
          .map((call) => `${call.method} ${JSON.stringify(call.args).slice(0, 200)}`);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${description}; recent calls:\n${recent.join('\n')}`,
          ),
        );
      }, timeoutMs);
      this.changes.on('change', onChange);
      check();
    });
  }

  protected changed(): void {
    this.changes.emit('change');
  }

  protected nextTs(): string {
    this.counter += 1;
    return `1700000000.${this.counter.toString().padStart(6, '0')}`;
  }

  protected newMessage(
    channel: string,
    via: MessageRecord['via'],
    responseUrl?: string,
    threadTs?: string,
    ephemeral = false,
  ): MessageRecord {
    const message: MessageRecord = {
      channel,
      ts: this.nextTs(),
      threadTs,
      ephemeral,
      via,
      responseUrl,
      versions: [],
      deleted: false,
    };
    this.messages.push(message);
    return message;
  }

  protected answer(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    const wanted = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (token !== wanted) return { ok: false, error: 'invalid_auth' };
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket?ticket=${this.nextId('t')}` };
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake Team',
          user: 'cloudmaster',
          team_id: this.identity.teamId,
          user_id: this.identity.botUserId,
          bot_id: this.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage': {
        const channel = String(args.channel ?? '');
        if (channel === '') return { ok: false, error: 'channel_not_found' };
        if (this.channelsWithoutBot.has(channel)) return { ok: false, error: 'not_in_channel' };
        const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
        const message = this.newMessage(channel, 'chat.postMessage', undefined, threadTs);
        message.versions.push(version(args));
        return {
          ok: true,
          channel,
          ts: message.ts,
          message: {
            type: 'message',
            ts: message.ts,
            text: args.text,
            bot_id: this.botId,
            user: this.identity.botUserId,
          },
        };
      }
      case 'chat.postEphemeral': {
        const message = this.newMessage(
          String(args.channel ?? ''),
          'chat.postEphemeral',
          undefined,
          undefined,
          true,
        );
        message.versions.push(version(args));
        return { ok: true, message_ts: message.ts };
      }
      case 'chat.update': {
        const message = this.message(String(args.channel ?? ''), String(args.ts ?? ''));
        if (!message || message.deleted) return { ok: false, error: 'message_not_found' };
        message.versions.push(version(args));
        return { ok: true, channel: message.channel, ts: message.ts, text: args.text };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * Resolves with the first post to a response_url (O(1) per post, for
   * benchmarks that wait on hundreds of commands at once).
   */
  firstResponse(responseUrl: string): Promise<ResponseRecord> {
    const seen = this.responses.find((record) => record.responseUrl === responseUrl);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.responseWaiters.set(responseUrl, resolve));
  }

  protected onResponseUrl(responseUrl: string, body: Record<string, unknown>): void {
    const record = { responseUrl, body, at: Date.now() };
    this.responses.push(record);
    const waiter = this.responseWaiters.get(responseUrl);
    if (waiter) {
      this.responseWaiters.delete(responseUrl);
      waiter(record);
    }
    const owned = this.responseMessages.get(responseUrl);
    if (owned && body.delete_original === true) {
      owned.deleted = true;
    } else if (owned && (body.replace_original === true || owned.versions.length === 0)) {
      if (owned.versions.length === 0 && body.response_type !== 'in_channel') {
        // The first post through a slash command's URL is ephemeral unless it says otherwise.
        (owned as { ephemeral: boolean }).ephemeral = true;
      }
      owned.versions.push(version(body));
    } else {
      // A further post through the same URL is a new message.
      const message = this.newMessage(
        owned?.channel ?? 'unknown',
        'response_url',
        responseUrl,
        undefined,
        body.response_type !== 'in_channel',
      );
      message.versions.push(version(body));
    }
    this.changed();
  }
}

function version(args: Record<string, unknown>): { text: string; blocks: unknown[]; at: number } {
  return {
    text: String(args.text ?? ''),
    blocks: Array.isArray(args.blocks) ? args.blocks : [],
    at: Date.now(),
  };
}
