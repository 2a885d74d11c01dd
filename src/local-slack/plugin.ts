/**
 * The local workspace on the bot's HTTP listener (a Fastify plugin, mounted
 * with `bot.http.mount`): Slack's Web API under `/api/`, response_urls under
 * `/respond/`, Socket Mode at `/socket`, and the page — `/`, its files, its
 * state, its live channel (server-sent events) and what people do in it.
 *
 * The page has no login. What guards it: the listener binds loopback unless
 * told otherwise; page requests must name this server as their Host (no DNS
 * rebinding); the page's actions are JSON posts a page of another origin
 * cannot make without a CORS preflight, which is never answered; the Web API
 * wants the bot's random token; response_urls are unguessable.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { type ClickInput, Composer, type SendInput } from './composer.ts';
import type { DemoStatusPage } from './demo.ts';
import { DEMO_STATUS_PATH } from './demo.ts';
import type { LocalSlack } from './local-slack.ts';
import { apiRequest, type MessageRecord } from './messages.ts';
import { pageState, type SlashCommandView, viewOf } from './views.ts';

export interface LocalSlackPluginOptions {
  readonly slack: LocalSlack;
  readonly commands: readonly SlashCommandView[];
  /** How the bot is shown ("Igor"). */
  readonly botDisplayName: string;
  /** Host names page requests may carry (besides 127.0.0.1, localhost and [::1]); `any` when bound to every address. */
  readonly hosts?: readonly string[] | 'any';
  readonly demoStatus?: DemoStatusPage;
}

const PAGE_FILES: Readonly<Record<string, string>> = {
  'app.js': 'text/javascript; charset=utf-8',
  'blocks.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

const PAGE_DIR = new URL('./page/', import.meta.url);

/** Keeps idle proxies and browsers from closing the live channel. */
const KEEP_ALIVE_MS = 20_000;

interface Subscriber {
  readonly viewer: string;
  readonly reply: FastifyReply;
}

function readPage(name: string): string {
  return readFileSync(new URL(name, PAGE_DIR), 'utf8');
}

export function localSlackPlugin(options: LocalSlackPluginOptions): FastifyPluginAsync {
  const { slack } = options;
  const composer = new Composer(
    slack,
    options.commands.map((command) => command.command),
  );
  const page = {
    index: readPage('index.html'),
    files: Object.fromEntries(Object.keys(PAGE_FILES).map((name) => [name, readPage(name)])),
  };
  const anyHost = options.hosts === 'any';
  const allowedHosts = new Set([
    '127.0.0.1',
    'localhost',
    '[::1]',
    ...(anyHost ? [] : (options.hosts ?? [])),
  ]);

  return async (app: FastifyInstance) => {
    // Slack's Web API takes form bodies and JSON; both are read here as text, as Slack reads them.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    const subscribers = new Set<Subscriber>();
    let connected = slack.openConnections > 0;
    let channelCount = slack.directory().channels.length;
    const send = (subscriber: Subscriber, event: string, data: unknown): void => {
      subscriber.reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const stopListening = slack.onChange((message: MessageRecord | undefined) => {
      if (subscribers.size === 0) return;
      if (message) {
        for (const subscriber of subscribers) {
          const view = viewOf(slack, message, subscriber.viewer);
          if (view) send(subscriber, 'message', view);
          else send(subscriber, 'remove', { channel: message.channel, ts: message.ts });
        }
        return;
      }
      const nowConnected = slack.openConnections > 0;
      const channels = slack.directory().channels.length;
      if (nowConnected !== connected || channels !== channelCount) {
        connected = nowConnected;
        channelCount = channels;
        for (const subscriber of subscribers) send(subscriber, 'refresh', { connected });
      }
    });
    const keepAlive = setInterval(() => {
      for (const subscriber of subscribers) subscriber.reply.raw.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS);
    keepAlive.unref();

    const onUpgrade = (
      request: import('node:http').IncomingMessage,
      socket: import('node:stream').Duplex,
      head: Buffer,
    ) => {
      const path = new URL(request.url ?? '/', 'http://local').pathname;
      if (path === '/socket') slack.upgrade(request, socket, head);
      // Another mounted surface may take other paths; with none, nobody is waiting for this one.
      else if (app.server.listenerCount('upgrade') === 1) socket.destroy();
    };
    app.server.on('upgrade', onUpgrade);
    app.addHook('preClose', async () => {
      clearInterval(keepAlive);
      stopListening();
      app.server.off('upgrade', onUpgrade);
      for (const subscriber of subscribers) subscriber.reply.raw.end();
      subscribers.clear();
      await slack.connectionsClosed(2_000);
      slack.close();
    });

    // ── Slack's side ──────────────────────────────────────────────────────
    const webApi = async (request: FastifyRequest<{ Params: { method: string } }>, reply: FastifyReply) => {
      const query = new URL(request.url, 'http://local').searchParams;
      const raw = typeof request.body === 'string' ? request.body : '';
      let parsed: ReturnType<typeof apiRequest>;
      try {
        parsed = apiRequest(query, raw, request.headers['content-type'], request.headers.authorization);
      } catch {
        return reply.code(200).send({ ok: false, error: 'invalid_json' });
      }
      return reply.send(slack.answer(request.params.method, parsed.args, parsed.token));
    };
    app.post('/api/:method', webApi);
    app.get('/api/:method', webApi);
    app.post('/respond/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      const raw = typeof request.body === 'string' ? request.body : '';
      const outcome = slack.respondUrl(`${slack.baseUrl}/respond/${id}`, raw);
      return reply.code(outcome.status).type('text/plain; charset=utf-8').send(outcome.body);
    });
    if (options.demoStatus) {
      const status = options.demoStatus;
      app.get(DEMO_STATUS_PATH, async () => status.summary(slack.baseUrl));
      // The notice links to the status page: here, its answer.
      app.get('/local/status', async (_request, reply) => reply.redirect(DEMO_STATUS_PATH));
    }

    // ── The page ──────────────────────────────────────────────────────────
    const guard = async (request: FastifyRequest, reply: FastifyReply) => {
      const host = (request.headers.host ?? '').replace(/:\d+$/, '');
      if (!anyHost && !allowedHosts.has(host))
        return reply.code(421).send({ error: 'this page answers only to its own address' });
      if (request.method === 'POST') {
        if (!(request.headers['content-type'] ?? '').startsWith('application/json'))
          return reply.code(415).send({ error: 'send JSON' });
        const origin = request.headers.origin;
        if (origin !== undefined && new URL(origin).host !== request.headers.host)
          return reply.code(403).send({ error: 'not from this page' });
      }
      return undefined;
    };
    const viewer = (request: FastifyRequest): string => {
      const as = (request.query as { as?: unknown }).as;
      return typeof as === 'string' ? as : '';
    };

    app.get('/', { preHandler: guard }, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page.index),
    );
    app.get('/local/page/:file', { preHandler: guard }, async (request, reply) => {
      const { file } = request.params as { file: string };
      const type = PAGE_FILES[file];
      const body = page.files[file];
      if (!type || body === undefined) return reply.code(404).send({ error: 'no such file' });
      return reply.type(type).header('cache-control', 'no-store').send(body);
    });
    // Job links point into Slack's archives; here they open the page at the message.
    app.get('/archives/:channel/:p', { preHandler: guard }, async (request, reply) => {
      const { channel, p } = request.params as { channel: string; p: string };
      const digits = p.replace(/^p/, '');
      return reply.redirect(`/#${encodeURIComponent(channel)}/${digits.slice(0, -6)}.${digits.slice(-6)}`);
    });
    app.get('/local/state', { preHandler: guard }, async (request, reply) => {
      const person = slack.person(viewer(request)) ?? slack.directory().people[0];
      if (!person) return reply.code(404).send({ error: 'this workspace has nobody in it' });
      return pageState(slack, person, { commands: options.commands, botDisplayName: options.botDisplayName });
    });
    app.get('/local/events', { preHandler: guard }, async (request, reply) => {
      // A first visit names nobody: it is the first person's page.
      const person = slack.person(viewer(request)) ?? slack.directory().people[0];
      if (!person) return reply.code(404).send({ error: 'this workspace has nobody in it' });
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const subscriber: Subscriber = { viewer: person.id, reply };
      subscribers.add(subscriber);
      send(subscriber, 'hello', { connected: slack.openConnections > 0, as: person.id });
      request.raw.on('close', () => subscribers.delete(subscriber));
      return reply;
    });
    app.post('/local/send', { preHandler: guard }, async (request, reply) => {
      const body = jsonBody(request.body);
      const input: SendInput = {
        as: stringField(body.as),
        channel: stringField(body.channel),
        text: stringField(body.text),
        threadTs: stringField(body.threadTs) || undefined,
      };
      const outcome = await composer.send(input);
      return reply.code(outcome.ok ? 200 : 400).send(outcome);
    });
    app.post('/local/click', { preHandler: guard }, async (request, reply) => {
      const body = jsonBody(request.body);
      const input: ClickInput = {
        as: stringField(body.as),
        channel: stringField(body.channel),
        ts: stringField(body.ts),
        actionId: stringField(body.actionId),
        value: typeof body.value === 'string' ? body.value : undefined,
      };
      const outcome = await composer.click(input);
      return reply.code(outcome.ok ? 200 : 400).send(outcome);
    });
  };
}

function jsonBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function stringField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
