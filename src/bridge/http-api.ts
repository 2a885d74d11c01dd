/**
 * The bridge's HTTP API, mounted under `/v1` on the bot's listener: the
 * plumbing every route shares. A call is authenticated by its bearer token
 * (401 otherwise), its JSON body read within 64 KB (413 beyond, 400 naming
 * where JSON breaks, 415 for another content type), a POST with an
 * `Idempotency-Key` answered once and replayed after (from the store, so on
 * any replica), and every call — refused ones too — is audited and counted.
 * The routes themselves (messages, approvals, commands) answer `ApiAnswer`s.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Redactor } from '../log/redact.ts';
import type { BotMetrics } from '../ops/metrics.ts';
import type { Store } from '../store/store.ts';
import type { ClientDirectory } from './clients.ts';
import type { BridgeClient } from './config.ts';
import { ApiProblem } from './problem.ts';

export const BODY_LIMIT = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The OpenAPI 3.1 description of every route (kept beside this file; served at /v1/openapi.json). */
export const OPENAPI_PATH = new URL('./openapi.json', import.meta.url);

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  /** What the audit record says of the call beyond its route ("#deploys key=deploy-42"). */
  readonly summary?: string;
}

export interface ApiCall {
  readonly client: BridgeClient;
  readonly body: unknown;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Aborted when the caller goes away (a long poll stops waiting). */
  readonly signal: AbortSignal;
}

export type Route = (call: ApiCall) => Promise<ApiAnswer>;

export interface BridgeApiDeps {
  readonly clients: ClientDirectory;
  readonly store: Store;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly metrics?: BotMetrics;
  readonly now: () => number;
  readonly routes: {
    readonly postMessage: Route;
    readonly getMessage: Route;
    readonly postApproval: Route;
    readonly getApproval: Route;
    readonly postCommand: Route;
    readonly getJob: Route;
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    bridgeClient?: BridgeClient;
    /** When the call arrived: the wall clock (the audit) and the monotonic one (its duration). */
    bridgeArrived?: { readonly at: number; readonly mark: number };
  }
}

function problemOf(error: unknown): ApiProblem | undefined {
  if (error instanceof ApiProblem) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiProblem(413, 'too_large', `The body is larger than ${BODY_LIMIT / 1024} KB.`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiProblem(415, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiProblem(400, 'invalid_json', 'The body is empty; send a JSON object.', { path: '$' });
    default:
      return undefined;
  }
}

/** The route's template ("/v1/messages/:id"), for metrics and the audit: never the caller's text. */
function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unknown';
}

export function bridgeApi(deps: BridgeApiDeps) {
  const openapi = readFileSync(OPENAPI_PATH, 'utf8');

  const audit = async (
    request: FastifyRequest,
    status: number,
    summary: string | undefined,
    why?: string,
  ) => {
    const client = request.bridgeClient?.name;
    const now = deps.now();
    const rawText = deps.redactor.text(
      `${request.method} ${routeOf(request)}${summary ? ` ${summary}` : ''}`,
    );
    try {
      await deps.store.audit.append({
        requestedAt: request.bridgeArrived?.at ?? now,
        endedAt: now,
        userId: client ? `client:${client}` : 'client:unknown',
        channel: 'api',
        entry: 'api',
        rawText: rawText.slice(0, 500),
        decision: status === 401 || status === 403 ? 'deny' : 'allow',
        rule: client ? `bridge.clients.${client}` : 'no client has this token',
        outcome: status < 400 ? 'succeeded' : status === 401 || status === 403 ? 'denied' : 'failed',
        ...(why ? { detail: deps.redactor.text(why).slice(0, 500) } : {}),
        ...(status >= 400 ? {} : { detail: `HTTP ${status}` }),
      });
    } catch (error) {
      deps.log.error({ err: error, route: routeOf(request), status }, 'could not audit a bridge API call');
    }
  };

  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    answer: ApiAnswer,
    why?: string,
  ): Promise<FastifyReply> => {
    await audit(request, answer.status, answer.summary, why);
    const mark = request.bridgeArrived?.mark ?? performance.now();
    deps.metrics?.bridgeRequest(routeOf(request), answer.status, (performance.now() - mark) / 1000);
    return reply.code(answer.status).type('application/json').send(JSON.stringify(answer.body));
  };

  const problemAnswer = (problem: ApiProblem): ApiAnswer => ({ status: problem.status, body: problem.body });

  /** Runs a route: with an Idempotency-Key, once per key; a repeat gets the first answer. */
  const run = (route: Route) => async (request: FastifyRequest, reply: FastifyReply) => {
    const client = request.bridgeClient as BridgeClient;
    const controller = new AbortController();
    request.raw.once('close', () => controller.abort());
    const call: ApiCall = {
      client,
      body: request.body,
      params: (request.params ?? {}) as Record<string, string>,
      query: (request.query ?? {}) as Record<string, string | undefined>,
      signal: controller.signal,
    };
    const key = request.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    if (typeof key !== 'string') return answerWith(request, reply, () => route(call));
    if (!IDEMPOTENCY_KEY.test(key))
      return finish(
        request,
        reply,
        problemAnswer(
          new ApiProblem(
            400,
            'invalid_idempotency_key',
            'Idempotency-Key takes 1 to 255 printable ASCII characters.',
          ),
        ),
      );
    const answers = deps.store.bridge.answers;
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const claim = await answers.claim(client.name, key, hash, deps.now());
    switch (claim.kind) {
      case 'answered':
        reply.header('idempotent-replayed', 'true');
        return finish(request, reply, {
          status: claim.status,
          body: JSON.parse(claim.body),
          summary: 'replayed',
        });
      case 'in-progress':
        return finish(
          request,
          reply,
          problemAnswer(
            new ApiProblem(
              409,
              'in_progress',
              'A request with this Idempotency-Key is still being answered; repeat it in a moment.',
            ),
          ),
        );
      case 'mismatch':
        return finish(
          request,
          reply,
          problemAnswer(
            new ApiProblem(
              422,
              'idempotency_key_reused',
              'This Idempotency-Key was used with another request; use a new key.',
            ),
          ),
        );
      case 'first':
        return answerWith(request, reply, () => route(call), {
          keep: (answer) => answers.answer(client.name, key, answer.status, JSON.stringify(answer.body)),
          release: () => answers.release(client.name, key),
        });
    }
  };

  const answerWith = async (
    request: FastifyRequest,
    reply: FastifyReply,
    work: () => Promise<ApiAnswer>,
    idempotency?: { keep(answer: ApiAnswer): Promise<void>; release(): Promise<void> },
  ): Promise<FastifyReply> => {
    let answer: ApiAnswer;
    let why: string | undefined;
    try {
      answer = await work();
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) {
        await idempotency?.release().catch(() => undefined);
        throw error;
      }
      answer = problemAnswer(problem);
      why = problem.message;
    }
    // A server error is not kept: a repeat may succeed.
    if (answer.status < 500) await idempotency?.keep(answer);
    else await idempotency?.release();
    return finish(request, reply, answer, why);
  };

  return async (api: FastifyInstance): Promise<void> => {
    api.addHook('onRequest', async (request, reply) => {
      request.bridgeArrived = { at: deps.now(), mark: performance.now() };
      if (routeOf(request).endsWith('/openapi.json')) return;
      const client = deps.clients.authenticate(request.headers.authorization);
      if (!client) {
        reply.header('www-authenticate', 'Bearer');
        await finish(
          request,
          reply,
          problemAnswer(
            new ApiProblem(
              401,
              'unauthorized',
              'No client has this token: send Authorization: Bearer TOKEN (bridge.clients).',
            ),
          ),
          'unknown token',
        );
        return reply;
      }
      request.bridgeClient = client;
    });
    api.removeContentTypeParser(['application/json', 'text/plain']);
    api.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: BODY_LIMIT },
      (_request, text: string | Buffer, done) => {
        const body = String(text);
        if (body.trim() === '') {
          done(new ApiProblem(400, 'invalid_json', 'The body is empty; send a JSON object.', { path: '$' }));
          return;
        }
        try {
          done(null, JSON.parse(body));
        } catch (error) {
          const where = /position (\d+)/.exec((error as Error).message)?.[1];
          done(
            new ApiProblem(
              400,
              'invalid_json',
              `The body is not JSON${where === undefined ? '' : ` (at character ${where})`}.`,
              { path: '$', ...(where === undefined ? {} : { position: Number(where) }) },
            ),
          );
        }
      },
    );
    api.setErrorHandler(async (error, request, reply) => {
      const problem = problemOf(error);
      if (problem) return finish(request, reply, problemAnswer(problem), problem.message);
      const reference = createHash('sha256')
        .update(`${Date.now()}${Math.random()}`)
        .digest('hex')
        .slice(0, 8);
      request.log.error({ err: error, reference, route: routeOf(request) }, 'bridge API call failed');
      return finish(
        request,
        reply,
        problemAnswer(
          new ApiProblem(500, 'internal', `Something failed on cloudmaster's side (reference ${reference}).`),
        ),
        `internal error ${reference}`,
      );
    });
    api.setNotFoundHandler(async (request, reply) =>
      reply.code(404).send({
        error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.` },
      }),
    );
    api.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(openapi));
    api.post('/messages', run(deps.routes.postMessage));
    api.get('/messages/:id', run(deps.routes.getMessage));
    api.post('/approvals', run(deps.routes.postApproval));
    api.get('/approvals/:id', run(deps.routes.getApproval));
    api.post('/commands', run(deps.routes.postCommand));
    api.get('/jobs/:id', run(deps.routes.getJob));
  };
}
