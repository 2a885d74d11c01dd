/**
 * A fake Slack for end-to-end tests and benchmarks: the Web API on
 * loopback and a WebSocket server speaking Socket Mode, so the real Bolt
 * App connects to it unchanged through `SLACK_API_URL`. It records every
 * call, keeps each message's latest state, and can misbehave on demand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type ButtonClickInput,
  blockActionsPayload,
  eventCallback,
  type SlashCommandInput,
  slashCommandPayload,
} from './payloads.ts';
import { latest, type MessageRecord, parseApiBody } from './records.ts';
import { FakeWorkspace } from './workspace.ts';

export type { ApiCall, MessageRecord, ResponseRecord } from './records.ts';
export { latest } from './records.ts';

export interface FakeSlackOptions {
  /** How often the server pings each socket (the client drops a socket without pings). */
  readonly pingIntervalMs?: number;
  /** Delay before answering each Web API call, for benchmarks. */
  readonly apiLatencyMs?: number;
  /** How long a delivery waits for the app's ack. */
  readonly ackTimeoutMs?: number;
}

export interface Delivery {
  readonly envelopeId: string;
  readonly ack: { readonly payload?: Record<string, unknown> };
  /** From sending the envelope to receiving its ack. */
  readonly ackMs: number;
}

export interface SlashDelivery extends Delivery {
  readonly responseUrl: string;
}

interface PendingAck {
  readonly sentAt: number;
  readonly resolve: (delivery: Delivery) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class FakeSlack extends FakeWorkspace {
  /** Socket Mode connections opened so far (a reconnect adds one). */
  connectionsOpened = 0;

  private readonly server: Server;
  private readonly sockets: WebSocketServer;
  private readonly open = new Set<WebSocket>();
  private readonly pending = new Map<string, PendingAck>();
  private readonly options: Required<FakeSlackOptions>;
  private pingTimer: NodeJS.Timeout | undefined;

  private constructor(options: FakeSlackOptions) {
    super();
    this.options = { pingIntervalMs: 2_000, apiLatencyMs: 0, ackTimeoutMs: 5_000, ...options };
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500).end(String(error));
      });
    });
    this.sockets = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (request, socket, head) => {
      if (!request.url?.startsWith('/socket')) {
        socket.destroy();
        return;
      }
      this.sockets.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    fake.pingTimer = setInterval(() => {
      for (const ws of fake.open) ws.ping();
    }, fake.options.pingIntervalMs);
    return fake;
  }

  /** Base URL for `SLACK_API_URL` / `clientOptions.slackApiUrl`. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  get openConnections(): number {
    return this.open.size;
  }

  async stop(): Promise<void> {
    clearInterval(this.pingTimer);
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    for (const ws of this.open) ws.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── Socket Mode ────────────────────────────────────────────────────────

  private accept(ws: WebSocket): void {
    this.connectionsOpened += 1;
    this.open.add(ws);
    ws.on('close', () => {
      this.open.delete(ws);
      this.changed();
    });
    ws.on('message', (data) => this.onAck(String(data)));
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: this.open.size,
        connection_info: { app_id: this.identity.appId },
        debug_info: { host: 'fake-slack', approximate_connection_time: 3600 },
      }),
    );
    this.changed();
  }

  private onAck(text: string): void {
    let message: { envelope_id?: unknown; payload?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.envelope_id !== 'string') return;
    const pending = this.pending.get(message.envelope_id);
    if (!pending) return;
    this.pending.delete(message.envelope_id);
    clearTimeout(pending.timer);
    const payload = message.payload as Record<string, unknown> | undefined;
    pending.resolve({
      envelopeId: message.envelope_id,
      ack: payload && Object.keys(payload).length > 0 ? { payload } : {},
      ackMs: performance.now() - pending.sentAt,
    });
  }

  /** Resolves once a socket is open and has been greeted. */
  async waitForConnection(timeoutMs = 15_000): Promise<void> {
    await this.waitFor(() => this.open.size > 0, { timeoutMs, description: 'a Socket Mode connection' });
  }

  /** Sends an envelope to one open connection and resolves with the app's ack. */
  async deliver(
    type: 'slash_commands' | 'events_api' | 'interactive',
    payload: unknown,
    extra: Record<string, unknown> = {},
  ): Promise<Delivery> {
    if (this.open.size === 0) await this.waitForConnection();
    const sockets = [...this.open];
    const ws = sockets[this.counter % sockets.length] as WebSocket;
    const envelopeId = this.nextId('env-');
    return new Promise<Delivery>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(
          new Error(
            `the app did not ack envelope ${envelopeId} (${type}) within ${this.options.ackTimeoutMs} ms`,
          ),
        );
      }, this.options.ackTimeoutMs);
      this.pending.set(envelopeId, { sentAt: performance.now(), resolve, reject, timer });
      ws.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
          ...extra,
        }),
      );
    });
  }

  private responseUrl(): string {
    return `http://127.0.0.1:${this.port}/respond/${this.nextId('r')}`;
  }

  async slashCommand(input: SlashCommandInput): Promise<SlashDelivery> {
    const responseUrl = this.responseUrl();
    const payload = slashCommandPayload(this.identity, input, responseUrl, this.nextId('trigger-'));
    this.responseMessages.set(
      responseUrl,
      this.newMessage(payload.channel_id as string, 'response_url', responseUrl),
    );
    const delivery = await this.deliver('slash_commands', payload);
    return { ...delivery, responseUrl };
  }

  /** An `app_mention` event; `text` should start with the bot's mention as Slack sends it. */
  async mention(input: {
    text: string;
    userId?: string;
    channelId?: string;
    threadTs?: string;
  }): Promise<Delivery & { ts: string }> {
    const ts = this.nextTs();
    const event = {
      type: 'app_mention',
      user: input.userId ?? 'U0ALICE',
      text: input.text,
      ts,
      channel: input.channelId ?? 'C0OPS',
      event_ts: ts,
      ...(input.threadTs ? { thread_ts: input.threadTs } : {}),
    };
    return { ...(await this.event(event)), ts };
  }

  /** A direct message to the bot (`message.im`); `botMessage` imitates a bot's own post. */
  async directMessage(input: {
    text: string;
    userId?: string;
    channelId?: string;
    botMessage?: boolean;
  }): Promise<Delivery & { ts: string }> {
    const ts = this.nextTs();
    const event = {
      type: 'message',
      channel_type: 'im',
      channel: input.channelId ?? 'D0ALICE',
      user: input.userId ?? 'U0ALICE',
      text: input.text,
      ts,
      event_ts: ts,
      ...(input.botMessage ? { bot_id: this.botId, subtype: 'bot_message' } : {}),
    };
    return { ...(await this.event(event)), ts };
  }

  /** Any event; pass the same `eventId` with `retryAttempt` to imitate Slack's redelivery. */
  event(
    event: Record<string, unknown>,
    options: { eventId?: string; retryAttempt?: number } = {},
  ): Promise<Delivery> {
    const eventId = options.eventId ?? this.nextId('Ev');
    return this.deliver('events_api', eventCallback(this.identity, event, eventId), {
      retry_attempt: options.retryAttempt ?? 0,
      retry_reason: options.retryAttempt ? 'timeout' : '',
    });
  }

  /** Clicks a button of a message the app posted; its response_url replaces that message. */
  async clickButton(
    message: MessageRecord,
    actionId: string,
    userId?: string,
  ): Promise<Delivery & { responseUrl: string }> {
    const version = latest(message);
    const found = findButton(version.blocks, actionId);
    if (!found) throw new Error(`message ${message.ts} has no button ${actionId}`);
    const input: ButtonClickInput = {
      channelId: message.channel,
      messageTs: message.ts,
      message: {
        type: 'message',
        ts: message.ts,
        text: version.text,
        blocks: version.blocks,
        bot_id: this.botId,
      },
      actionId,
      blockId: found.blockId,
      value: found.value,
      ephemeral: message.ephemeral,
      ...(userId ? { userId } : {}),
    };
    const responseUrl = this.responseUrl();
    this.responseMessages.set(responseUrl, message);
    const delivery = await this.deliver(
      'interactive',
      blockActionsPayload(this.identity, input, responseUrl, this.nextId('trigger-')),
    );
    return { ...delivery, responseUrl };
  }

  /** Closes every socket abruptly, without a disconnect message. */
  dropConnections(): void {
    for (const ws of this.open) ws.terminate();
  }

  /** Sends the protocol's disconnect message (the client reconnects). */
  sendDisconnect(
    reason: 'warning' | 'refresh_requested' | 'link_disabled' | 'too_many_websockets' = 'refresh_requested',
  ): void {
    for (const ws of this.open)
      ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
  }

  // ── HTTP ──────────────────────────────────────────────────────────────

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = request.url ?? '/';
    if (this.options.apiLatencyMs > 0)
      await new Promise((resolve) => setTimeout(resolve, this.options.apiLatencyMs));
    if (url.startsWith('/respond/')) {
      this.onResponseUrl(
        `http://127.0.0.1:${this.port}${url}`,
        JSON.parse(raw || '{}') as Record<string, unknown>,
      );
      send(response, 200, { ok: true });
      return;
    }
    if (!url.startsWith('/api/')) {
      send(response, 404, { ok: false, error: 'not_found' });
      return;
    }
    const method = url.slice('/api/'.length).split('?')[0] ?? '';
    const args = parseApiBody(raw, request.headers['content-type']);
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ')
      ? header.slice('Bearer '.length)
      : (args.token as string | undefined);
    this.calls.push({ method, args, token, at: Date.now() });
    const fault = this.faults.get(method)?.shift();
    if (fault) {
      const headers: Record<string, string> =
        fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
      send(
        response,
        fault.status ?? 200,
        { ok: false, error: fault.error ?? (fault.status === 429 ? 'ratelimited' : 'fatal_error') },
        headers,
      );
      this.changed();
      return;
    }
    send(response, 200, this.answer(method, args, token));
    this.changed();
  }
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function findButton(blocks: unknown[], actionId: string): { blockId: string; value: string } | undefined {
  for (const block of blocks as {
    type?: string;
    block_id?: string;
    elements?: { action_id?: string; value?: string }[];
  }[]) {
    if (block.type !== 'actions') continue;
    const element = block.elements?.find((candidate) => candidate.action_id === actionId);
    if (element) return { blockId: block.block_id ?? '', value: element.value ?? '' };
  }
  return undefined;
}
