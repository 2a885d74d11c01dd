/**
 * A fake Slack for end-to-end tests and benchmarks: the Web API and
 * response_urls over HTTP on loopback, and Socket Mode over a WebSocket on
 * the same port, so the real Bolt App connects to it unchanged through
 * `clientOptions.slackApiUrl`. It records every call, keeps each message's
 * latest state, and misbehaves on demand.
 *
 * Stop the Bolt app before the fake: a client that loses the fake reconnects
 * into a refused connection, and @slack/socket-mode throws that from a timer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
import {
  type EnvelopeRecord,
  type EnvelopeType,
  type MessageRecord,
  parseApiBody,
  parseForm,
} from './records.ts';
import { type Delivery, type DisconnectReason, SocketModeServer } from './socket-mode.ts';
import { FakeWorkspace } from './workspace.ts';

export type { SlashCommandInput } from './payloads.ts';
export type {
  ApiCall,
  EnvelopeRecord,
  Fault,
  MessageRecord,
  MessageVersion,
  ResponseRecord,
} from './records.ts';
export { latest } from './records.ts';
export type { Ack, Delivery, DisconnectReason } from './socket-mode.ts';
export type { WaitOptions } from './waiters.ts';

export interface FakeSlackOptions {
  /** How often the server pings each socket (default 2 s; the client gives up after 30 s without). */
  readonly pingIntervalMs?: number;
  /** Delay before answering each Web API call and response_url post (default 0), for benchmarks. */
  readonly apiLatencyMs?: number;
  /** How long a delivery waits for the app's ack before rejecting (default 5 s; Slack allows 3). */
  readonly ackTimeoutMs?: number;
  /** How long a delivery waits for an open connection, e.g. while the app reconnects (default 15 s). */
  readonly connectionWaitMs?: number;
  /** Posts one response_url takes (default 5, as Slack). */
  readonly responseUrlMaxUses?: number;
  /** Listen on this port (default: any free one), e.g. to come up where a bot is already retrying. */
  readonly port?: number;
  /** The bot user as this workspace has it (default U0BOT, named igor as manifest.yml makes it). */
  readonly bot?: { readonly userId?: string; readonly name?: string };
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

/** A user's message the fake sent as an event: its ts is what a threaded reply carries. */
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
}

export interface DirectMessageInput {
  readonly text: string;
  readonly userId?: string;
  /** Default: the user's DM with the bot ("D" + the user id's tail). */
  readonly channelId?: string;
  /** Imitates a message from the bot itself (bot_id, subtype bot_message), which apps must ignore. */
  readonly botMessage?: boolean;
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

export class FakeSlack extends FakeWorkspace {
  /** Delay before answering each HTTP request; may be changed between phases of a benchmark. */
  apiLatencyMs: number;

  private readonly server: Server;
  private readonly socketMode: SocketModeServer;
  private readonly ackTimeoutMs: number;
  private readonly connectionWaitMs: number;
  private stopped = false;

  private constructor(options: FakeSlackOptions) {
    super(options.bot);
    this.apiLatencyMs = options.apiLatencyMs ?? 0;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.connectionWaitMs = options.connectionWaitMs ?? 15_000;
    if (options.responseUrlMaxUses !== undefined) this.responseUrlMaxUses = options.responseUrlMaxUses;
    this.socketMode = new SocketModeServer({
      appId: this.identity.appId,
      pingIntervalMs: options.pingIntervalMs ?? 2_000,
      ackTimeoutMs: this.ackTimeoutMs,
      onChange: () => this.changed(),
    });
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
    this.server.on('upgrade', (request, socket, head) => {
      if (new URL(request.url ?? '/', 'http://fake').pathname !== '/socket') {
        socket.destroy();
        return;
      }
      this.socketMode.upgrade(request, socket, head);
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** Base URL of the Web API, for `clientOptions.slackApiUrl` / `SLACK_API_URL`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** Socket Mode connections opened so far (a reconnect adds one). */
  get connectionsOpened(): number {
    return this.socketMode.connectionsOpened;
  }

  /** Connections open now and not told to disconnect. */
  get openConnections(): number {
    return this.socketMode.openConnections;
  }

  /** Closes sockets, timers and the server; pending deliveries and waits reject. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.socketMode.close();
    this.cancelWaiters(new Error('the fake Slack stopped'));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── Socket Mode ────────────────────────────────────────────────────────

  /** Resolves once a connection is open and has been sent its hello. */
  async waitForConnection(timeoutMs = this.connectionWaitMs): Promise<void> {
    await this.waitFor(() => this.openConnections > 0, {
      timeoutMs,
      description: `an open Socket Mode connection (${this.connectionsOpened} opened so far)`,
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

  /** A slash command, with every field Slack sends; resolves when the app acks it. */
  async slashCommand(input: SlashCommandInput): Promise<SlashDelivery> {
    const userId = input.userId ?? DEFAULT_USER;
    const responseUrl = this.createResponseUrl(input.channelId ?? DEFAULT_CHANNEL, userId);
    const triggerId = this.nextId('trigger-');
    const payload = slashCommandPayload(this.identity, { ...input, userId }, responseUrl, triggerId);
    const delivery = await this.deliver('slash_commands', payload);
    return { ...delivery, responseUrl, triggerId };
  }

  /** An `app_mention` event from a user; its `ts` is what a threaded reply should carry. */
  async mention(input: MentionInput): Promise<MessageEventDelivery> {
    const ts = this.nextTs();
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
    const ts = this.nextTs();
    const userId = input.userId ?? DEFAULT_USER;
    const channel = input.channelId ?? `D${userId.slice(1)}`;
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

  // ── HTTP ──────────────────────────────────────────────────────────────

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${this.port}`);
    if (this.apiLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.apiLatencyMs));
    if (url.pathname.startsWith('/respond/')) {
      this.respondUrl(`http://127.0.0.1:${this.port}${url.pathname}`, raw, response);
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      sendJson(response, 404, { ok: false, error: 'not_found' });
      return;
    }
    this.webApi(url.pathname.slice('/api/'.length), url, raw, request, response);
  }

  private respondUrl(responseUrl: string, raw: string, response: ServerResponse): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw || '{}') as Record<string, unknown>;
    } catch {
      sendText(response, 400, 'invalid_payload');
      return;
    }
    const outcome = this.onResponseUrl(responseUrl, body);
    sendText(response, outcome.status, outcome.body);
  }

  private webApi(
    method: string,
    url: URL,
    raw: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const { token: tokenField, ...args } = {
      ...parseForm(url.searchParams),
      ...parseApiBody(raw, request.headers['content-type']),
    };
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length)
      : typeof tokenField === 'string'
        ? tokenField
        : undefined;
    const fault = this.takeFault(method);
    if (fault?.hang) {
      this.calls.push({ method, args, token, at: Date.now(), status: 0, response: {}, fault });
      this.changed();
      return;
    }
    if (fault) {
      const status = fault.status ?? 200;
      const retryAfter = fault.retryAfter ?? (status === 429 ? 1 : undefined);
      const body = { ok: false, error: fault.error ?? (status === 429 ? 'ratelimited' : 'fatal_error') };
      this.calls.push({ method, args, token, at: Date.now(), status, response: body, fault });
      sendJson(response, status, body, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) });
      this.changed();
      return;
    }
    const body = this.answer(method, args, token);
    this.calls.push({ method, args, token, at: Date.now(), status: 200, response: body });
    sendJson(response, 200, body);
    this.changed();
  }
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

/** response_urls answer in plain text ("ok", "used_url", …) as Slack does. */
function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
