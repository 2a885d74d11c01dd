/**
 * A fake Slack for end-to-end tests and benchmarks: the product's local
 * Slack (src/local-slack: Web API, response_urls and Socket Mode, with
 * Slack's refusals) served on its own loopback port, plus what only tests
 * need — every call, post and envelope recorded, `waitFor`, latency and
 * faults on demand. The real Bolt App connects to it unchanged through
 * `clientOptions.slackApiUrl`.
 *
 * Stop the Bolt app before the fake: a client that loses the fake reconnects
 * into a refused connection, and @slack/socket-mode throws that from a timer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalSlack } from '../../../src/local-slack/local-slack.ts';
import { apiRequest } from '../../../src/local-slack/messages.ts';
import type { ApiCall, EnvelopeRecord, Fault, MessageRecord, ResponseRecord } from './records.ts';
import { Waiters, type WaitOptions } from './waiters.ts';

export type {
  ClickButtonInput,
  DirectMessageInput,
  EventDelivery,
  EventOptions,
  InteractionDelivery,
  MentionInput,
  MessageEventDelivery,
  SlashDelivery,
} from '../../../src/local-slack/local-slack.ts';
export type { SlashCommandInput } from '../../../src/local-slack/payloads.ts';
export type { Ack, Delivery, DisconnectReason } from '../../../src/local-slack/socket-mode.ts';
export type {
  ApiCall,
  EnvelopeRecord,
  Fault,
  MessageRecord,
  MessageVersion,
  ResponseRecord,
} from './records.ts';
export { latest } from './records.ts';
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

export class FakeSlack extends LocalSlack {
  /** Delay before answering each HTTP request; may be changed between phases of a benchmark. */
  apiLatencyMs: number;
  /** Every Web API call, oldest first (faults and errors included). */
  readonly calls: ApiCall[] = [];
  /** Every post to a response_url, oldest first. */
  readonly responses: ResponseRecord[] = [];
  /** Every envelope sent over Socket Mode, oldest first, with its ack once it came. */
  readonly envelopes: EnvelopeRecord[] = [];

  private readonly server: Server;
  private readonly faults = new Map<string, Fault[]>();
  private readonly firstResponses = new Map<string, ResponseRecord>();
  private readonly responseWaiters = new Map<string, ((record: ResponseRecord) => void)[]>();
  private readonly waiters = new Waiters(() => this.recentActivity());
  private listeningPort = 0;
  private stopped = false;

  private constructor(options: FakeSlackOptions) {
    super({
      identity: {
        teamId: 'T0FAKE',
        teamDomain: 'fake',
        appId: 'A0CLOUDMASTER',
        botUserId: options.bot?.userId ?? 'U0BOT',
        botId: 'B0BOT',
      },
      botName: options.bot?.name ?? 'igor',
      teamName: 'Fake Team',
      botToken: 'xoxb-fake-bot-token',
      appToken: 'xapp-fake-app-token',
      maxMessages: Number.POSITIVE_INFINITY,
      ...(options.pingIntervalMs === undefined ? {} : { pingIntervalMs: options.pingIntervalMs }),
      ...(options.ackTimeoutMs === undefined ? {} : { ackTimeoutMs: options.ackTimeoutMs }),
      ...(options.connectionWaitMs === undefined ? {} : { connectionWaitMs: options.connectionWaitMs }),
    });
    this.apiLatencyMs = options.apiLatencyMs ?? 0;
    if (options.responseUrlMaxUses !== undefined) this.responseUrlMaxUses = options.responseUrlMaxUses;
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
      this.upgrade(request, socket, head);
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    fake.listeningPort = (fake.server.address() as AddressInfo).port;
    fake.setBaseUrl(`http://127.0.0.1:${fake.listeningPort}`);
    return fake;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Closes sockets, timers and the server; pending deliveries and waits reject. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.close();
    this.waiters.cancelAll(new Error('the fake Slack stopped'));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── Reading what happened ─────────────────────────────────────────────

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

  // ── Recording ─────────────────────────────────────────────────────────

  protected override changed(message?: MessageRecord): void {
    super.changed(message);
    this.waiters.wake();
  }

  protected override recordEnvelope(record: EnvelopeRecord): void {
    this.envelopes.push(record);
  }

  protected override recordResponse(record: ResponseRecord): void {
    this.responses.push(record);
    if (!this.firstResponses.has(record.responseUrl)) {
      this.firstResponses.set(record.responseUrl, record);
      const waiting = this.responseWaiters.get(record.responseUrl);
      this.responseWaiters.delete(record.responseUrl);
      for (const resolve of waiting ?? []) resolve(record);
    }
    this.changed();
  }

  // ── HTTP ──────────────────────────────────────────────────────────────

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', this.baseUrl);
    if (this.apiLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.apiLatencyMs));
    if (url.pathname.startsWith('/respond/')) {
      const outcome = this.respondUrl(`${this.baseUrl}${url.pathname}`, raw);
      sendText(response, outcome.status, outcome.body);
      return;
    }
    if (!url.pathname.startsWith('/api/')) {
      sendJson(response, 404, { ok: false, error: 'not_found' });
      return;
    }
    this.webApi(url.pathname.slice('/api/'.length), url, raw, request, response);
  }

  private webApi(
    method: string,
    url: URL,
    raw: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): void {
    const { args, token } = apiRequest(
      url.searchParams,
      raw,
      request.headers['content-type'],
      request.headers.authorization,
    );
    const fault = this.faults.get(method)?.shift();
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

function describeAnswer(response: Record<string, unknown>): string {
  return response.ok === true ? 'ok' : String(response.error ?? 'error');
}

function abbreviate(value: unknown): string {
  const text = JSON.stringify(value) ?? '';
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
