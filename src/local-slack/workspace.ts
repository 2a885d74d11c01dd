/**
 * The workspace side of the local Slack: who is in it, its channels, the
 * messages as Slack would now show them, and what the Web API and
 * response_urls answer — with Slack's own refusals (Block Kit limits,
 * tokens of the wrong kind, ephemeral messages that cannot be edited).
 * The server (local-slack.ts) feeds it requests; nothing here knows about
 * sockets. It keeps at most `maxMessages` messages (the oldest go first).
 */
import { refusal } from '../replies/slack/block-kit.ts';
import {
  type MessageRecord,
  type MessageVersion,
  type PostedVia,
  type ResponseRecord,
  SlackMessage,
  versionOf,
} from './messages.ts';
import { type Identity, nameOf } from './payloads.ts';

export interface Person {
  readonly id: string;
  readonly name: string;
}

export interface Channel {
  readonly id: string;
  readonly name: string;
  /** `im`: a person's direct messages with the bot. */
  readonly kind: 'channel' | 'im';
  /** Whose DM it is. */
  readonly user?: string;
}

export interface WorkspaceOptions {
  readonly identity?: Identity;
  /** The bot user's name, as `auth.test` answers it (people mention `@NAME`). */
  readonly botName?: string;
  readonly teamName?: string;
  /** Default: random per workspace, so nothing else on the machine can act as the bot. */
  readonly botToken?: string;
  readonly appToken?: string;
  readonly people?: readonly Person[];
  /** Public channels; one is also made for a `#name` the app posts to. */
  readonly channels?: readonly { readonly id: string; readonly name: string }[];
  /** Messages kept; past it the oldest are forgotten (default 20,000). */
  readonly maxMessages?: number;
  /** Where response_urls point: the server's own address (set later with `setBaseUrl`). */
  readonly baseUrl?: string;
}

/** Where a response_url posts: the conversation, and the message it may replace or delete. */
interface ResponseUrlBinding {
  readonly channel: string;
  /** Who invoked it: the default audience of its ephemeral posts. */
  readonly userId: string;
  /** The clicked message for an interaction; for a slash command, its first post. */
  original: SlackMessage | undefined;
  /** The command as its person typed it: public once the app answers in the channel, as in Slack. */
  readonly echo: SlackMessage | undefined;
  uses: number;
}

/** Slack's response_urls live 30 minutes; here the newest ones are kept, at most this many. */
const MAX_RESPONSE_URLS = 10_000;

export class LocalWorkspace {
  readonly botToken: string;
  readonly appToken: string;
  readonly identity: Identity;
  readonly botName: string;
  readonly teamName: string;
  /** Every message the app (or a person, through the page) made appear, oldest first; deleted ones stay, flagged. */
  readonly messages: MessageRecord[] = [];

  /** How many posts one response_url takes before answering `used_url` (Slack: 5 in 30 min). */
  responseUrlMaxUses = 5;

  private readonly people = new Map<string, Person>();
  private readonly channels = new Map<string, Channel>();
  private readonly messagesByKey = new Map<string, SlackMessage>();
  private readonly bindings = new Map<string, ResponseUrlBinding>();
  private readonly channelsWithoutBot = new Set<string>();
  private readonly userGroups = new Map<string, string[]>();
  private readonly maxMessages: number;
  private readonly listeners = new Set<(message: MessageRecord | undefined) => void>();
  private idSequence = 0;
  private lastMicros = 0;
  private base: string;

  constructor(options: WorkspaceOptions = {}) {
    this.identity = options.identity ?? {
      teamId: 'T0LOCAL',
      teamDomain: 'local',
      appId: 'A0CLOUDMASTER',
      botUserId: 'U0IGOR',
      botId: 'B0IGOR',
    };
    this.botName = options.botName ?? 'igor';
    this.teamName = options.teamName ?? 'Local workspace';
    this.botToken = options.botToken ?? `xoxb-local-${randomPart()}`;
    this.appToken = options.appToken ?? `xapp-local-${randomPart()}`;
    this.maxMessages = options.maxMessages ?? 20_000;
    this.base = options.baseUrl ?? 'http://127.0.0.1';
    for (const person of options.people ?? []) {
      this.people.set(person.id, person);
      this.channels.set(dmOf(person.id), {
        id: dmOf(person.id),
        name: person.name,
        kind: 'im',
        user: person.id,
      });
    }
    for (const channel of options.channels ?? [])
      this.channels.set(channel.id, { ...channel, kind: 'channel' });
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

  /** The server's address, e.g. "http://127.0.0.1:3000": response_urls and the socket URL carry it. */
  get baseUrl(): string {
    return this.base;
  }

  setBaseUrl(url: string): void {
    this.base = url.replace(/\/$/, '');
  }

  // ── Who and where ─────────────────────────────────────────────────────

  /** The people one can act as. */
  directory(): { readonly people: readonly Person[]; readonly channels: readonly Channel[] } {
    return { people: [...this.people.values()], channels: [...this.channels.values()] };
  }

  person(id: string): Person | undefined {
    return this.people.get(id);
  }

  channel(id: string): Channel | undefined {
    return this.channels.get(id);
  }

  /** A person's DM with the bot. */
  dmOf(userId: string): string {
    return dmOf(userId);
  }

  /** The name of a person or channel, as Slack puts it in payloads. */
  readonly nameOf = (id: string): string =>
    this.people.get(id)?.name ?? this.channels.get(id)?.name ?? nameOf(id);

  // ── Reading ───────────────────────────────────────────────────────────

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

  /** Called with each message that appeared or changed (undefined: something else changed). */
  onChange(listener: (message: MessageRecord | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ── Changing ──────────────────────────────────────────────────────────

  /** As if someone deleted it in Slack: chat.update then answers `message_not_found`. */
  deleteMessage(channel: string, ts: string): void {
    const message = this.messagesByKey.get(messageKey(channel, ts));
    if (!message) throw new Error(`no message ${ts} in ${channel} to delete`);
    message.deleted = true;
    this.changed(message);
  }

  /** A Slack user group and its members, as `usergroups.users.list` answers them. */
  setUserGroup(id: string, members: readonly string[]): void {
    this.userGroups.set(id, [...members]);
  }

  /** The bot is not a member: chat.postMessage, chat.postEphemeral and chat.update there answer `not_in_channel`. */
  notInChannel(channelId: string): void {
    this.channelsWithoutBot.add(channelId);
  }

  /** What a person wrote in a channel or DM (the page's composer). */
  addPersonMessage(fields: {
    readonly channel: string;
    readonly author: string;
    readonly text: string;
    readonly threadTs?: string | undefined;
    /** Only this person sees it (a slash command until the app answers in the channel). */
    readonly visibleTo?: string | undefined;
  }): MessageRecord {
    return this.addMessage(
      {
        channel: fields.channel,
        via: 'person',
        author: fields.author,
        threadTs: fields.threadTs,
        visibleTo: fields.visibleTo,
      },
      { text: fields.text, blocks: [], at: Date.now() },
    );
  }

  // ── For the server ────────────────────────────────────────────────────

  protected nextId(prefix: string): string {
    this.idSequence += 1;
    return `${prefix}${this.idSequence.toString().padStart(6, '0')}`;
  }

  /** Message timestamps as Slack writes them: seconds.micros of now, unique and increasing. */
  protected nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    return `${seconds}.${(this.lastMicros % 1_000_000).toString().padStart(6, '0')}`;
  }

  /** Tells listeners; called after anything is recorded. */
  protected changed(message?: MessageRecord): void {
    for (const listener of this.listeners) listener(message);
  }

  /** A response_url for one delivery; `original` is the message it may replace. */
  createResponseUrl(channel: string, userId: string, original?: MessageRecord, echo?: MessageRecord): string {
    // Unguessable, as Slack's: another page in the browser must not be able to post as the app.
    const url = `${this.base}/respond/${this.nextId('R')}${randomPart().slice(0, 16)}`;
    const known = original ? this.messagesByKey.get(messageKey(original.channel, original.ts)) : undefined;
    const echoed = echo ? this.messagesByKey.get(messageKey(echo.channel, echo.ts)) : undefined;
    this.bindings.set(url, { channel, userId, original: known, echo: echoed, uses: 0 });
    if (this.bindings.size > MAX_RESPONSE_URLS) {
      const oldest = this.bindings.keys().next().value;
      if (oldest !== undefined) this.bindings.delete(oldest);
    }
    return url;
  }

  /** The JSON body Slack's Web API answers `method` with. */
  answer(method: string, args: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
    const tokenError = this.checkToken(method, token);
    if (tokenError) return { ok: false, error: tokenError };
    switch (method) {
      case 'apps.connections.open':
        return {
          ok: true,
          url: `${this.base.replace(/^http/, 'ws')}/socket?ticket=${this.nextId('ticket-')}`,
        };
      case 'auth.test':
        return {
          ok: true,
          url: `${this.base}/`,
          team: this.teamName,
          user: this.botName,
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

  /** A channel id, or a `#name` (a channel of that name is made if there is none, as one the bot was invited to). */
  ensureChannel(given: string): string {
    if (!given.startsWith('#')) {
      if (/^[CG][A-Z0-9]{2,}$/.test(given) && !this.channels.has(given))
        this.channels.set(given, { id: given, name: nameOf(given), kind: 'channel' });
      return given;
    }
    const name = given.slice(1);
    for (const channel of this.channels.values())
      if (channel.kind === 'channel' && channel.name === name) return channel.id;
    const id = `C0${name.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
    this.channels.set(id, { id, name, kind: 'channel' });
    this.changed();
    return id;
  }

  private channelOf(value: unknown): string {
    return this.ensureChannel(stringArg(value));
  }

  private postMessage(args: Record<string, unknown>): Record<string, unknown> {
    const channel = this.channelOf(args.channel);
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
    const channel = this.channelOf(args.channel);
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
    const message = this.messagesByKey.get(messageKey(this.channelOf(args.channel), stringArg(args.ts)));
    // Ephemeral messages have no server-side copy to update; nor have a person's own.
    if (!message || message.deleted || message.ephemeral || message.author !== undefined)
      return { ok: false, error: 'message_not_found' };
    // The bot can only edit where it is a member; a message it posted through a response_url stays out of reach.
    if (this.channelsWithoutBot.has(message.channel)) return { ok: false, error: 'not_in_channel' };
    const refused = refusedAnswer(args);
    if (refused) return refused;
    if (!hasContent(args)) return { ok: false, error: 'no_text' };
    message.versions.push(versionOf(args));
    this.changed(message);
    return {
      ok: true,
      channel: message.channel,
      ts: message.ts,
      text: message.text,
      message: this.asSlackShowsIt(message),
    };
  }

  /** A post to one of our response_urls; answers the HTTP status and body Slack would. */
  onResponseUrl(responseUrl: string, body: Record<string, unknown>): { status: number; body: string } {
    const binding = this.bindings.get(responseUrl);
    const outcome = binding
      ? this.applyResponse(binding, responseUrl, body)
      : { status: 404, body: 'no_such_url' };
    this.recordResponse({ responseUrl, body, at: Date.now(), status: outcome.status });
    return outcome;
  }

  /** Told of every post to a response_url (the test fake keeps them). */
  protected recordResponse(_record: ResponseRecord): void {}

  private applyResponse(
    binding: ResponseUrlBinding,
    responseUrl: string,
    body: Record<string, unknown>,
  ): { status: number; body: string } {
    binding.uses += 1;
    if (binding.uses > this.responseUrlMaxUses) return { status: 404, body: 'used_url' };
    const original = binding.original;
    if (body.delete_original === true || body.delete_original === 'true') {
      if (original) {
        original.deleted = true;
        this.changed(original);
      }
      return { status: 200, body: 'ok' };
    }
    // A response_url answers a refused message with a 400 and the error in plain text.
    const refused = refusal(body);
    if (refused) return { status: 400, body: refused.error };
    if (!hasContent(body)) return { status: 400, body: 'no_text' };
    const replace = body.replace_original === true || body.replace_original === 'true';
    if (replace && original && !original.deleted) {
      original.versions.push(versionOf(body));
      this.changed(original);
      return { status: 200, body: 'ok' };
    }
    // A new message: ephemeral to the invoker unless the app asks for the channel.
    const inChannel = body.response_type === 'in_channel';
    if (inChannel && binding.echo && binding.echo.visibleTo !== undefined) {
      binding.echo.visibleTo = undefined;
      this.changed(binding.echo);
    }
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
      author?: string;
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
        author: fields.author,
        responseUrl: fields.responseUrl,
      },
      first,
    );
    this.messages.push(message);
    this.messagesByKey.set(messageKey(message.channel, message.ts), message);
    if (this.messages.length > this.maxMessages) this.forgetOldest();
    this.changed(message);
    return message;
  }

  /** Drops the oldest tenth at once, so that keeping the bound costs little per message. */
  private forgetOldest(): void {
    const dropped = this.messages.splice(0, Math.max(1, Math.ceil(this.maxMessages / 10)));
    for (const message of dropped) this.messagesByKey.delete(messageKey(message.channel, message.ts));
  }

  /** The message object Slack returns and puts in interaction payloads. */
  asSlackShowsIt(message: MessageRecord): Record<string, unknown> {
    const author = message.author ?? this.identity.botUserId;
    return {
      type: 'message',
      ts: message.ts,
      text: message.text,
      ...(message.blocks.length > 0 ? { blocks: message.blocks } : {}),
      ...(message.threadTs ? { thread_ts: message.threadTs } : {}),
      user: author,
      ...(message.author === undefined ? { bot_id: this.identity.botId, app_id: this.identity.appId } : {}),
      team: this.identity.teamId,
      ...(message.versions.length > 1 ? { edited: { user: author, ts: message.ts } } : {}),
    };
  }
}

function dmOf(userId: string): string {
  return `D${userId.slice(1)}`;
}

function randomPart(): string {
  return crypto.randomUUID().replaceAll('-', '');
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
