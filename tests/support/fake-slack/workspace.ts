/**
 * The workspace side of the fake Slack: what the Web API and response_urls
 * answer, the messages as Slack would now show them, what was called, the
 * faults a test asked for, and `waitFor`. The server (index.ts) feeds it
 * requests; nothing here knows about sockets.
 */
import { refusal } from './block-kit.ts';
import type { Identity } from './payloads.ts';
import {
  type ApiCall,
  type EnvelopeRecord,
  type Fault,
  type MessageRecord,
  type MessageVersion,
  type PostedVia,
  type ResponseRecord,
  SlackMessage,
  versionOf,
} from './records.ts';
import { Waiters, type WaitOptions } from './waiters.ts';

/** Where a response_url posts: the conversation, and the message it may replace or delete. */
interface ResponseUrlBinding {
  readonly channel: string;
  /** Who invoked it: the default audience of its ephemeral posts. */
  readonly userId: string;
  /** The clicked message for an interaction; for a slash command, its first post. */
  original: SlackMessage | undefined;
  uses: number;
}

export class FakeWorkspace {
  readonly botToken = 'xoxb-fake-bot-token';
  readonly appToken = 'xapp-fake-app-token';
  readonly identity: Identity;
  /** Every Web API call, oldest first (faults and errors included). */
  readonly calls: ApiCall[] = [];
  /** Every post to a response_url, oldest first. */
  readonly responses: ResponseRecord[] = [];
  /** Every message the app made appear (deleted ones stay, flagged), oldest first. */
  readonly messages: MessageRecord[] = [];
  /** Every envelope sent over Socket Mode, oldest first, with its ack once it came. */
  readonly envelopes: EnvelopeRecord[] = [];

  /** How many posts one response_url takes before answering `used_url` (Slack: 5 in 30 min). */
  responseUrlMaxUses = 5;

  protected readonly faults = new Map<string, Fault[]>();
  private readonly messagesByKey = new Map<string, SlackMessage>();
  private readonly bindings = new Map<string, ResponseUrlBinding>();
  private readonly firstResponses = new Map<string, ResponseRecord>();
  private readonly responseWaiters = new Map<string, ((record: ResponseRecord) => void)[]>();
  private readonly channelsWithoutBot = new Set<string>();
  private readonly userGroups = new Map<string, string[]>();
  private readonly waiters = new Waiters(() => this.recentActivity());
  private idSequence = 0;
  private tsSequence = 100;
  /** Set once the server listens; URLs handed out carry it. */
  protected port = 0;

  /** `bot`: the bot user as this workspace has it; by default as manifest.yml makes it (igor). */
  constructor(bot: { readonly userId?: string; readonly name?: string } = {}) {
    this.identity = {
      teamId: 'T0FAKE',
      teamDomain: 'fake',
      appId: 'A0CLOUDMASTER',
      botUserId: bot.userId ?? 'U0BOT',
      botName: bot.name ?? 'igor',
      botId: 'B0BOT',
    };
  }

  get teamId(): string {
    return this.identity.teamId;
  }

  get appId(): string {
    return this.identity.appId;
  }

  get botUserId(): string {
    return this.identity.botUserId;
  }

  get botId(): string {
    return this.identity.botId;
  }

  // ── Reading what happened ─────────────────────────────────────────────

  message(channel: string, ts: string): MessageRecord | undefined {
    return this.messagesByKey.get(messageKey(channel, ts));
  }

  /** Messages still shown (not deleted). */
  visibleMessages(): MessageRecord[] {
    return this.messages.filter((m) => !m.deleted);
  }

  get ephemerals(): MessageRecord[] {
    return this.messages.filter((m) => m.ephemeral);
  }

  /** The message a response_url produced or replaced (a slash command's reply), once it exists. */
  messageFor(responseUrl: string): MessageRecord | undefined {
    return this.bindings.get(responseUrl)?.original;
  }

  /** Replies posted in the thread under `threadTs`. */
  repliesTo(threadTs: string): MessageRecord[] {
    return this.messages.filter((m) => m.threadTs === threadTs);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /**
   * Resolves with the first post to a response_url. O(1) per post, for
   * benchmarks that wait on hundreds of commands at once.
   */
  firstResponse(responseUrl: string): Promise<ResponseRecord> {
    const seen = this.firstResponses.get(responseUrl);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      this.responseWaiters.set(responseUrl, [...(this.responseWaiters.get(responseUrl) ?? []), resolve]);
    });
  }

  /**
   * Resolves with the predicate's first truthy result. The predicate runs
   * now and again whenever anything is recorded (a call, a post, an ack, a
   * connection), not on a timer; after the timeout it rejects, naming the
   * description and showing the most recent calls.
   */
  waitFor<T>(predicate: () => T | undefined | false | null | 0 | '', options: WaitOptions = {}): Promise<T> {
    return this.waiters.waitFor(predicate, options);
  }

  /** Waits for a message matching the predicate (newest wins if several match). */
  waitForMessage(
    predicate: (message: MessageRecord) => boolean,
    options: WaitOptions = {},
  ): Promise<MessageRecord> {
    return this.waitFor(() => this.messages.findLast(predicate), {
      description: 'a matching message',
      ...options,
    });
  }

  /** The last calls and posts, for failure messages. */
  recentActivity(count = 10): string {
    const calls = this.calls
      .slice(-count)
      .map((call) => `  ${call.method} → ${describeAnswer(call.response)} ${abbreviate(call.args)}`);
    const responses = this.responses
      .slice(-Math.ceil(count / 2))
      .map((record) => `  ${record.responseUrl} ← ${abbreviate(record.body)}`);
    return [
      `recent Web API calls (${this.calls.length} in all):`,
      ...(calls.length > 0 ? calls : ['  none']),
      `recent response_url posts (${this.responses.length} in all):`,
      ...(responses.length > 0 ? responses : ['  none']),
    ].join('\n');
  }

  // ── Faults ────────────────────────────────────────────────────────────

  /** The next call(s) of `method` fail this way, e.g. `{ status: 429, retryAfter: 1 }`. */
  failNext(method: string, fault: Fault = {}): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < (fault.times ?? 1); i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  /** Forgets the faults still waiting for `method`. */
  clearFaults(method: string): void {
    this.faults.delete(method);
  }

  /** As if someone deleted it in Slack: chat.update then answers `message_not_found`. */
  deleteMessage(channel: string, ts: string): void {
    const message = this.messagesByKey.get(messageKey(channel, ts));
    if (!message) throw new Error(`no message ${ts} in ${channel} to delete`);
    message.deleted = true;
    this.changed();
  }

  /** A Slack user group and its members, as `usergroups.users.list` answers them. */
  setUserGroup(id: string, members: readonly string[]): void {
    this.userGroups.set(id, [...members]);
  }

  /** The bot is not a member: chat.postMessage, chat.postEphemeral and chat.update there answer `not_in_channel`. */
  notInChannel(channelId: string): void {
    this.channelsWithoutBot.add(channelId);
  }

  // ── For the server ────────────────────────────────────────────────────

  protected nextId(prefix: string): string {
    this.idSequence += 1;
    return `${prefix}${this.idSequence.toString().padStart(6, '0')}`;
  }

  /** Message timestamps as Slack writes them: seconds.micros, unique and increasing. */
  protected nextTs(): string {
    this.tsSequence += 100;
    const seconds = 1_700_000_000 + Math.floor(this.tsSequence / 1_000_000);
    return `${seconds}.${(this.tsSequence % 1_000_000).toString().padStart(6, '0')}`;
  }

  /** Wakes every `waitFor`; called after anything is recorded. */
  protected changed(): void {
    this.waiters.wake();
  }

  protected cancelWaiters(reason: Error): void {
    this.waiters.cancelAll(reason);
  }

  protected takeFault(method: string): Fault | undefined {
    return this.faults.get(method)?.shift();
  }

  /** A response_url for one delivery; `original` is the message it may replace. */
  createResponseUrl(channel: string, userId: string, original?: MessageRecord): string {
    const url = `http://127.0.0.1:${this.port}/respond/${this.nextId('R')}`;
    const known = original ? this.messagesByKey.get(messageKey(original.channel, original.ts)) : undefined;
    this.bindings.set(url, { channel, userId, original: known, uses: 0 });
    return url;
  }

  protected answer(
    method: string,
    args: Record<string, unknown>,
    token: string | undefined,
  ): Record<string, unknown> {
    const tokenError = this.checkToken(method, token);
    if (tokenError) return { ok: false, error: tokenError };
    switch (method) {
      case 'apps.connections.open':
        return { ok: true, url: `ws://127.0.0.1:${this.port}/socket?ticket=${this.nextId('ticket-')}` };
      case 'auth.test':
        return {
          ok: true,
          url: `https://${this.identity.teamDomain}.slack.test/`,
          team: 'Fake Team',
          user: this.identity.botName,
          team_id: this.identity.teamId,
          user_id: this.identity.botUserId,
          bot_id: this.identity.botId,
          is_enterprise_install: false,
        };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.postEphemeral':
        return this.postEphemeral(args);
      case 'chat.update':
        return this.update(args);
      case 'usergroups.users.list': {
        const members = this.userGroups.get(stringArg(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private checkToken(method: string, token: string | undefined): string | undefined {
    if (token === undefined || token === '') return 'not_authed';
    const wanted = method === 'apps.connections.open' ? this.appToken : this.botToken;
    if (token === wanted) return undefined;
    // Slack tells a token of the wrong kind apart from an unknown one.
    return token === this.appToken || token === this.botToken ? 'not_allowed_token_type' : 'invalid_auth';
  }

  private postMessage(args: Record<string, unknown>): Record<string, unknown> {
    const channel = stringArg(args.channel);
    if (channel === '') return { ok: false, error: 'channel_not_found' };
    if (this.channelsWithoutBot.has(channel)) return { ok: false, error: 'not_in_channel' };
    const refused = refusedAnswer(args);
    if (refused) return refused;
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    const threadTs = stringArg(args.thread_ts) || undefined;
    const message = this.addMessage({ channel, via: 'chat.postMessage', threadTs }, versionOf(args));
    return {
      ok: true,
      channel,
      ts: message.ts,
      message: this.asSlackShowsIt(message),
    };
  }

  private postEphemeral(args: Record<string, unknown>): Record<string, unknown> {
    const channel = stringArg(args.channel);
    const user = stringArg(args.user);
    if (channel === '') return { ok: false, error: 'channel_not_found' };
    if (user === '') return { ok: false, error: 'user_not_found' };
    if (this.channelsWithoutBot.has(channel)) return { ok: false, error: 'not_in_channel' };
    const refused = refusedAnswer(args);
    if (refused) return refused;
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    const message = this.addMessage(
      {
        channel,
        via: 'chat.postEphemeral',
        threadTs: stringArg(args.thread_ts) || undefined,
        ephemeral: true,
        visibleTo: user,
      },
      versionOf(args),
    );
    return { ok: true, message_ts: message.ts };
  }

  private update(args: Record<string, unknown>): Record<string, unknown> {
    const message = this.messagesByKey.get(messageKey(stringArg(args.channel), stringArg(args.ts)));
    // Ephemeral messages have no server-side copy to update.
    if (!message || message.deleted || message.ephemeral) return { ok: false, error: 'message_not_found' };
    // The bot can only edit where it is a member; a message it posted through a response_url stays out of reach.
    if (this.channelsWithoutBot.has(message.channel)) return { ok: false, error: 'not_in_channel' };
    const refused = refusedAnswer(args);
    if (refused) return refused;
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    message.versions.push(versionOf(args));
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      message: this.asSlackShowsIt(message),
    };
  }

  /** A post to one of our response_urls; answers the HTTP status and body Slack would. */
  protected onResponseUrl(
    responseUrl: string,
    body: Record<string, unknown>,
  ): { status: number; body: string } {
    const binding = this.bindings.get(responseUrl);
    const outcome = binding
      ? this.applyResponse(binding, responseUrl, body)
      : { status: 404, body: 'no_such_url' };
    const record: ResponseRecord = { responseUrl, body, at: Date.now(), status: outcome.status };
    this.responses.push(record);
    if (!this.firstResponses.has(responseUrl)) {
      this.firstResponses.set(responseUrl, record);
      const waiting = this.responseWaiters.get(responseUrl);
      this.responseWaiters.delete(responseUrl);
      for (const resolve of waiting ?? []) resolve(record);
    }
    this.changed();
    return outcome;
  }

  private applyResponse(
    binding: ResponseUrlBinding,
    responseUrl: string,
    body: Record<string, unknown>,
  ): { status: number; body: string } {
    binding.uses += 1;
    if (binding.uses > this.responseUrlMaxUses) return { status: 404, body: 'used_url' };
    const original = binding.original;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) original.deleted = true;
      return { status: 200, body: 'ok' };
    }
    // A response_url answers a refused message with a 400 and the error in plain text.
    const refused = refusal(body);
    if (refused) return { status: 400, body: refused.error };
    if (!hasContent(body)) return { status: 400, body: 'no_text' };
    const replace = body.replace_original === true || body.replace_original === 'true';
    if (replace && original && !original.deleted) {
      original.versions.push(versionOf(body));
      return { status: 200, body: 'ok' };
    }
    // A new message: ephemeral to the invoker unless the app asks for the channel.
    const inChannel = body.response_type === 'in_channel';
    const message = this.addMessage(
      {
        channel: binding.channel,
        via: 'response_url',
        responseUrl,
        threadTs: stringArg(body.thread_ts) || undefined,
        ephemeral: !inChannel,
        visibleTo: inChannel ? undefined : binding.userId,
      },
      versionOf(body),
    );
    if (!original) binding.original = message;
    return { status: 200, body: 'ok' };
  }

  private addMessage(
    fields: {
      channel: string;
      via: PostedVia;
      threadTs?: string | undefined;
      ephemeral?: boolean;
      visibleTo?: string | undefined;
      responseUrl?: string;
    },
    first: MessageVersion,
  ): SlackMessage {
    const message = new SlackMessage(
      {
        channel: fields.channel,
        ts: this.nextTs(),
        threadTs: fields.threadTs,
        ephemeral: fields.ephemeral ?? false,
        visibleTo: fields.visibleTo,
        via: fields.via,
        responseUrl: fields.responseUrl,
      },
      first,
    );
    this.messages.push(message);
    this.messagesByKey.set(messageKey(message.channel, message.ts), message);
    return message;
  }

  /** The message object Slack returns and puts in interaction payloads. */
  asSlackShowsIt(message: MessageRecord): Record<string, unknown> {
    return {
      type: 'message',
      ts: message.ts,
      text: message.text,
      ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      user: this.identity.botUserId,
      bot_id: this.identity.botId,
      app_id: this.identity.appId,
      team: this.identity.teamId,
      ...(message.versions.length > 1 ? { edited: { user: this.identity.botUserId, ts: message.ts } } : {}),
    };
  }

  protected recordEnvelope(record: EnvelopeRecord): void {
    this.envelopes.push(record);
  }
}

function messageKey(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

function stringArg(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Slack's answer to a message it refuses (invalid_blocks, msg_too_long), or undefined. */
function refusedAnswer(args: Record<string, unknown>): Record<string, unknown> | undefined {
  const refused = refusal(args);
  if (!refused) return undefined;
  return {
    ok: false,
    error: refused.error,
    errors: refused.problems,
    response_metadata: { messages: refused.problems.map((problem) => `[ERROR] ${problem}`) },
  };
}

function hasContent(args: Record<string, unknown>): boolean {
  const filled = (value: unknown): boolean =>
    (typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0);
  return filled(args.text) || filled(args.blocks) || filled(args.attachments);
}

function describeAnswer(response: Record<string, unknown>): string {
  return response.ok === true ? 'ok' : String(response.error ?? 'error');
}

function abbreviate(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
