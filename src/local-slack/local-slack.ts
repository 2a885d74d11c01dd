/**
 * A Slack-compatible server the bot connects to unchanged: the Web API and
 * response_urls (handled here, whatever serves the HTTP), and Socket Mode
 * over a WebSocket (`/socket`), so the real Bolt App and WebClient reach it
 * through `SLACK_API_URL`. People act on it through `slashCommand`,
 * `mention`, `directMessage` and `clickButton`, which send the envelopes
 * Slack sends. The page (plugin.ts) and the test fake are both built on it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type EnvelopeRecord, type EnvelopeType, type MessageRecord, parseApiBody } from './messages.ts';
import {
  blockActionsPayload,
  buttonIds,
  DEFAULT_CHANNEL,
  DEFAULT_USER,
  eventCallback,
  findButton,
  type SlashCommandInput,
  slashCommandPayload,
} from './payloads.ts';
import { type Delivery, type DisconnectReason, SocketModeServer } from './socket-mode.ts';
import { LocalWorkspace, type WorkspaceOptions } from './workspace.ts';

export interface LocalSlackOptions extends WorkspaceOptions {
  /** How often the server pings each socket (default 2 s; the client gives up after 30 s without). */
  readonly pingIntervalMs?: number;
  /** How long a delivery waits for the app's ack before rejecting (default 5 s; Slack allows 3). */
  readonly ackTimeoutMs?: number;
  /** How long a delivery waits for an open connection, e.g. while the app reconnects (default 15 s). */
  readonly connectionWaitMs?: number;
}

export interface SlashDelivery extends Delivery {
  readonly responseUrl: string;
  readonly triggerId: string;
}

export interface InteractionDelivery extends Delivery {
  readonly responseUrl: string;
}

export interface EventDelivery extends Delivery {
  readonly eventId: string;
}

/** A user's message sent as an event: its ts is what a threaded reply carries. */
export interface MessageEventDelivery extends EventDelivery {
  readonly ts: string;
  readonly channel: string;
}

export interface MentionInput {
  /** Gets "<@BOT> " in front unless it already mentions the bot, as Slack always does. */
  readonly text: string;
  readonly userId?: string;
  readonly channelId?: string;
  /** Mention inside this thread. */
  readonly threadTs?: string;
  /** The message's ts when it is already in the workspace (a person's post in the page). */
  readonly ts?: string;
}

export interface DirectMessageInput {
  readonly text: string;
  readonly userId?: string;
  /** Default: the user's DM with the bot ("D" + the user id's tail). */
  readonly channelId?: string;
  /** Imitates a message from the bot itself (bot_id, subtype bot_message), which apps must ignore. */
  readonly botMessage?: boolean;
  readonly ts?: string;
}

export interface EventOptions {
  /** Reuse an id with `retryAttempt` > 0 to imitate Slack redelivering the same event. */
  readonly eventId?: string;
  readonly retryAttempt?: number;
  /** Default "timeout" for a retry. */
  readonly retryReason?: string;
}

export interface ClickButtonInput {
  /** A message the app posted (from `messages`, `message()`, `messageFor()`…). */
  readonly message: Pick<MessageRecord, 'channel' | 'ts'>;
  readonly actionId: string;
  /** Picks among buttons sharing an action id; the payload carries the button's own value. */
  readonly value?: string;
  /** Default: who sees the message if ephemeral, else U0ALICE. */
  readonly userId?: string;
  /**
   * Click a button as an earlier version of the message showed it: a person
   * whose client had not shown the update yet (default: the latest version).
   */
  readonly version?: number;
}

export class LocalSlack extends LocalWorkspace {
  private readonly socketMode: SocketModeServer;
  protected readonly connectionWaitMs: number;
  private closed = false;

  constructor(options: LocalSlackOptions = {}) {
    super(options);
    this.connectionWaitMs = options.connectionWaitMs ?? 15_000;
    this.socketMode = new SocketModeServer({
      appId: this.identity.appId,
      pingIntervalMs: options.pingIntervalMs ?? 2_000,
      ackTimeoutMs: options.ackTimeoutMs ?? 5_000,
      onChange: () => this.changed(),
    });
  }

  /** Socket Mode connections opened so far (a reconnect adds one). */
  get connectionsOpened(): number {
    return this.socketMode.connectionsOpened;
  }

  /** Connections open now and not told to disconnect. */
  get openConnections(): number {
    return this.socketMode.openConnections;
  }

  /** Base URL of the Web API, for `SLACK_API_URL`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  // ── HTTP, whatever serves it ──────────────────────────────────────────

  /** A Socket Mode connection asking to open (the path `/socket`). */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.socketMode.upgrade(request, socket, head);
  }

  /** A post to a response_url: the status and plain-text body Slack answers. */
  respondUrl(responseUrl: string, raw: string): { status: number; body: string } {
    let body: Record<string, unknown>;
    try {
      body = parseApiBody(raw || '{}', 'application/json');
    } catch {
      return { status: 400, body: 'invalid_payload' };
    }
    return this.onResponseUrl(responseUrl, body);
  }

  /**
   * Waits (at most `timeoutMs`) for the app's connections to finish closing:
   * a client that asked to close wants the close handshake answered, not a
   * socket torn down under it.
   */
  async connectionsClosed(timeoutMs: number): Promise<void> {
    if (this.socketMode.connectionCount === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const stop = this.onChange(() => {
        if (this.socketMode.connectionCount === 0) done();
      });
      function done(): void {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }

  /** Closes sockets and timers; pending deliveries reject. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socketMode.close();
  }

  // ── Socket Mode ────────────────────────────────────────────────────────

  /** Resolves once a connection is open and has been sent its hello. */
  waitForConnection(timeoutMs = this.connectionWaitMs): Promise<void> {
    if (this.openConnections > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const stop = this.onChange(() => {
        if (this.openConnections === 0) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      const timer = setTimeout(() => {
        stop();
        reject(
          new Error(
            `no open Socket Mode connection after ${timeoutMs} ms (${this.connectionsOpened} opened so far)`,
          ),
        );
      }, timeoutMs);
    });
  }

  /** Sends any envelope to one open connection and resolves with the app's ack. */
  async deliver(
    type: EnvelopeType,
    payload: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<Delivery> {
    if (this.openConnections === 0) await this.waitForConnection();
    const record: EnvelopeRecord = {
      envelopeId: this.nextId('envelope-'),
      type,
      payload,
      sentAt: Date.now(),
    };
    this.recordEnvelope(record);
    return this.socketMode.send(record, extra);
  }

  /** Told of every envelope sent (the test fake keeps them). */
  protected recordEnvelope(_record: EnvelopeRecord): void {}

  /** A slash command, with every field Slack sends; resolves when the app acks it. */
  async slashCommand(input: SlashCommandInput & { readonly echo?: MessageRecord }): Promise<SlashDelivery> {
    const userId = input.userId ?? DEFAULT_USER;
    const channelId = input.channelId ?? DEFAULT_CHANNEL;
    const responseUrl = this.createResponseUrl(channelId, userId, undefined, input.echo);
    const triggerId = this.nextId('trigger-');
    const payload = slashCommandPayload(
      this.identity,
      { ...input, userId, channelId },
      responseUrl,
      triggerId,
      this.nameOf,
    );
    const delivery = await this.deliver('slash_commands', payload);
    return { ...delivery, responseUrl, triggerId };
  }

  /** An `app_mention` event from a user; its `ts` is what a threaded reply should carry. */
  async mention(input: MentionInput): Promise<MessageEventDelivery> {
    const ts = input.ts ?? this.nextTs();
    const channel = input.channelId ?? DEFAULT_CHANNEL;
    const mention = `<@${this.identity.botUserId}>`;
    // `<@ID|name>`, as older clients write it, mentions the bot too.
    const mentioned = input.text.includes(mention) || input.text.includes(`<@${this.identity.botUserId}|`);
    const event = {
      type: 'app_mention',
      user: input.userId ?? DEFAULT_USER,
      text: mentioned ? input.text : `${mention} ${input.text}`,
      ts,
      team: this.identity.teamId,
      channel,
      event_ts: ts,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    };
    return { ...(await this.event(event)), ts, channel };
  }

  /** A direct message to the bot (`message` event, `channel_type: "im"`). */
  async directMessage(input: DirectMessageInput): Promise<MessageEventDelivery> {
    const ts = input.ts ?? this.nextTs();
    const userId = input.userId ?? DEFAULT_USER;
    const channel = input.channelId ?? this.dmOf(userId);
    const event = {
      type: 'message',
      channel_type: 'im',
      channel,
      user: input.botMessage ? this.identity.botUserId : userId,
      text: input.text,
      ts,
      team: this.identity.teamId,
      event_ts: ts,
      ...(input.botMessage ? { bot_id: this.identity.botId, subtype: 'bot_message' } : {}),
    };
    return { ...(await this.event(event)), ts, channel };
  }

  /** Any event, wrapped in an `event_callback` as Slack sends it. */
  async event(event: Record<string, unknown>, options: EventOptions = {}): Promise<EventDelivery> {
    const eventId = options.eventId ?? this.nextId('Ev');
    const retryAttempt = options.retryAttempt ?? 0;
    const delivery = await this.deliver('events_api', eventCallback(this.identity, event, eventId), {
      retry_attempt: retryAttempt,
      retry_reason: retryAttempt > 0 ? (options.retryReason ?? 'timeout') : '',
    });
    return { ...delivery, eventId };
  }

  /** Any interactive payload (block_actions, view_submission, shortcut…) as given. */
  interaction(payload: Record<string, unknown>): Promise<Delivery> {
    return this.deliver('interactive', payload);
  }

  /**
   * Clicks a button of a message the app posted. The payload's response_url
   * belongs to that message: `replace_original` / `delete_original` act on it.
   */
  clickButton(input: ClickButtonInput): Promise<InteractionDelivery>;
  clickButton(
    message: Pick<MessageRecord, 'channel' | 'ts'>,
    actionId: string,
    userId?: string,
  ): Promise<InteractionDelivery>;
  async clickButton(
    first: ClickButtonInput | Pick<MessageRecord, 'channel' | 'ts'>,
    actionId?: string,
    userId?: string,
  ): Promise<InteractionDelivery> {
    const input: ClickButtonInput =
      'actionId' in first && 'message' in first
        ? first
        : { message: first, actionId: actionId ?? '', ...(userId ? { userId } : {}) };
    const message = this.message(input.message.channel, input.message.ts);
    if (!message) throw new Error(`no message ${input.message.ts} in ${input.message.channel} to click`);
    if (message.deleted) throw new Error(`message ${message.ts} in ${message.channel} was deleted`);
    const shown = input.version === undefined ? message.blocks : message.versions[input.version]?.blocks;
    if (!shown) throw new Error(`message ${message.ts} has no version ${input.version}`);
    const button = findButton(shown, input.actionId, input.value);
    if (!button) {
      throw new Error(
        `message ${message.ts} has no button ${input.actionId}${input.value === undefined ? '' : ` with value ${input.value}`} (buttons: ${buttonIds(message.blocks).join(', ') || 'none'})`,
      );
    }
    const clicker = input.userId ?? message.visibleTo ?? DEFAULT_USER;
    const responseUrl = this.createResponseUrl(message.channel, clicker, message);
    const payload = blockActionsPayload(
      this.identity,
      {
        channelId: message.channel,
        messageTs: message.ts,
        message: this.asSlackShowsIt(message),
        ephemeral: message.ephemeral,
        userId: clicker,
        actionId: input.actionId,
        blockId: button.blockId,
        value: button.value,
        buttonText: button.text,
        actionTs: this.nextTs(),
      },
      responseUrl,
      this.nextId('trigger-'),
      this.nameOf,
    );
    return { ...(await this.interaction(payload)), responseUrl };
  }

  /** Closes every socket abruptly, without a disconnect message (the client reconnects after ~5 s). */
  dropConnections(): void {
    this.socketMode.dropConnections();
  }

  /** Sends the protocol's disconnect message to every connection; nothing more is sent to them. */
  sendDisconnect(reason: DisconnectReason = 'refresh_requested'): void {
    this.socketMode.sendDisconnect(reason);
  }
}
