/**
 * The bot's one HTTP server (Fastify), off unless `settings.http.port` or
 * `PORT` is set, bound to `settings.http.host` (127.0.0.1 by default). It
 * serves the operations endpoints — `GET /healthz`, `GET /readyz`,
 * `GET /metrics` — and is where the bot's other HTTP surfaces go:
 *
 *   // before bot.start(): a Fastify plugin, under its own prefix
 *   bot.http?.mount(async (api) => {
 *     api.get('/jobs', async () => ...);
 *   }, { prefix: '/v1' });
 *
 * A plugin gets its own encapsulated Fastify instance (hooks, decorators and
 * error handlers stay inside it); this server's logger (redacted, like every
 * log line) is `request.log`. Mounting is refused once the server listens,
 * as Fastify requires.
 */
import { randomBytes } from 'node:crypto';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { BotMetrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

/** `slack`: connected to Slack; `local`: to the embedded local workspace (`npm start` without tokens). */
export type BotMode = 'slack' | 'local';

export interface OperationsServerOptions {
  readonly host: string;
  /** Said by /healthz. */
  readonly mode?: BotMode;
  /** 0: any free port (`address` says which). */
  readonly port: number;
  readonly log: Logger;
  readonly metrics: BotMetrics;
  readonly readiness: () => Promise<Readiness>;
}

/** Probes and scrapes come every few seconds: their lines only at debug level. */
class QuietRequests extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, 'http request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return;
    request.log.debug(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'http response',
    );
  }
}

export class OperationsServer {
  private readonly app: FastifyInstance;
  private readonly options: OperationsServerOptions;
  private listening: string | undefined;

  constructor(options: OperationsServerOptions) {
    this.options = options;
    const logger: FastifyBaseLogger = options.log.child({ component: 'http' });
    this.app = Fastify({ loggerInstance: logger, logController: new QuietRequests() });
    this.app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
      if (status < 500) return reply.code(status).send({ error: error.message });
      // Details stay in the log; the answer carries only a reference to find them.
      const reference = randomBytes(4).toString('hex');
      request.log.error({ err: error, reference, url: request.url }, 'http handler failed');
      return reply.code(status).send({ error: `internal error (reference ${reference})` });
    });
    this.app.get('/healthz', async () => ({ status: 'ok', mode: options.mode ?? 'slack' }));
    this.app.get('/readyz', async (_request, reply) => {
      const answer = await options.readiness();
      return reply.code(answer.ready ? 200 : 503).send(answer);
    });
    this.app.get('/metrics', async (_request, reply) => {
      const text = await options.metrics.text();
      return reply.type(options.metrics.contentType).send(text);
    });
  }

  /** Adds routes: a Fastify plugin, usually under a prefix ('/v1'). Only before `start()`. */
  mount(plugin: FastifyPluginAsync, options: { readonly prefix?: string } = {}): void {
    if (this.listening) throw new Error('routes must be mounted before the HTTP server starts');
    this.app.register(plugin, options);
  }

  /** Where it listens, e.g. "http://127.0.0.1:9464"; undefined before `start()`. */
  get address(): string | undefined {
    return this.listening;
  }

  async start(): Promise<string> {
    const { host, port } = this.options;
    try {
      await this.app.listen({ host, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' ? 'the port is in use' : (error as Error).message;
      throw new Error(`the operations HTTP listener cannot listen on ${host}:${port}: ${why}`, {
        cause: error,
      });
    }
    const bound = this.app.server.address();
    const actualPort = bound && typeof bound === 'object' ? bound.port : port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    this.listening = `http://${shownHost}:${actualPort}`;
    return this.listening;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
