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
import type { KeyClaim } from '../store/api-answers.ts';
import type { NewAuditRecord } from '../store/audit-log.ts';
import type { SqlRunner } from '../store/sql.ts';
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

/** What a route whose whole effect is in the store will change, once its call is checked. */
export interface Change {
  /** Its writes, in the call's transaction; the answer. */
  write(tx: SqlRunner): Promise<ApiAnswer>;
  /** After the commit (a message goes to its channel's queue). */
  committed?(): void;
}

/** Checks the call (a problem is thrown) and says what it changes; it writes nothing itself. */
export type ChangeRoute = (call: ApiCall) => Promise<Change>;

interface IdempotencyKey {
  readonly client: string;
  readonly key: string;
  /** Of the method, URL and body: the same key with another request is refused. */
  readonly hash: string;
}

export interface BridgeApiDeps {
  readonly clients: ClientDirectory;
  readonly store: Store;
  readonly redactor: Redactor;
  readonly log: Logger;
  readonly metrics?: BotMetrics;
  readonly now: () => number;
  /**
   * The bot's work in flight: a call is counted in it (shutdown waits for
   * it before the store closes); once shutdown begins calls answer 503 and
   * long polls end.
   */
  readonly work: {
    readonly accepting: boolean;
    readonly stopping: AbortSignal;
    adopt(work: Promise<unknown>): void;
  };
  readonly routes: {
    readonly postMessage: ChangeRoute;
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

/** How long a client waits before repeating a call refused at shutdown (a restart, or another replica). */
const RETRY_AFTER_S = 5;
const SHUTTING_DOWN = new ApiProblem(
  503,
  'shutting_down',
  `cloudmaster is shutting down; repeat the call in ${RETRY_AFTER_S} s.`,
);

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
  const { store } = deps;

  const auditRecord = (
    request: FastifyRequest,
    status: number,
    summary: string | undefined,
    why?: string,
  ): NewAuditRecord => {
    const client = request.bridgeClient?.name;
    const now = deps.now();
    const rawText = deps.redactor.text(
      `${request.method} ${routeOf(request)}${summary ? ` ${summary}` : ''}`,
    );
    return {
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
    };
  };

  const respond = (request: FastifyRequest, reply: FastifyReply, answer: ApiAnswer): FastifyReply => {
    const mark = request.bridgeArrived?.mark ?? performance.now();
    deps.metrics?.bridgeRequest(routeOf(request), answer.status, (performance.now() - mark) / 1000);
    return reply.code(answer.status).type('application/json').send(JSON.stringify(answer.body));
  };

  /** Audits the call on its own (its effects, if any, are written already) and answers it. */
  const finish = async (
    request: FastifyRequest,
    reply: FastifyReply,
    answer: ApiAnswer,
    why?: string,
  ): Promise<FastifyReply> => {
    try {
      await store.audit.append(auditRecord(request, answer.status, answer.summary, why));
    } catch (error) {
      deps.log.error(
        { err: error, route: routeOf(request), status: answer.status },
        'could not audit a bridge API call',
      );
    }
    return respond(request, reply, answer);
  };

  const problemAnswer = (problem: ApiProblem): ApiAnswer => ({ status: problem.status, body: problem.body });

  /**
   * The call's signal is made when a route first asks for it (a long poll):
   * an AbortController aborted at every call's close (an AbortSignal.any
   * and a DOMException with its stack each time) cost each POST for nothing.
   */
  const callOf = (request: FastifyRequest): ApiCall => {
    let signal: AbortSignal | undefined;
    return {
      client: request.bridgeClient as BridgeClient,
      body: request.body,
      params: (request.params ?? {}) as Record<string, string>,
      query: (request.query ?? {}) as Record<string, string | undefined>,
      get signal() {
        if (!signal) {
          const controller = new AbortController();
          request.raw.once('close', () => controller.abort());
          signal = AbortSignal.any([controller.signal, deps.work.stopping]);
        }
        return signal;
      },
    };
  };

  /** The call's Idempotency-Key (POST only): undefined without one, a 400 when it is malformed. */
  const keyOf = (request: FastifyRequest): IdempotencyKey | ApiProblem | undefined => {
    const key = request.method === 'POST' ? request.headers['idempotency-key'] : undefined;
    if (typeof key !== 'string') return undefined;
    if (!IDEMPOTENCY_KEY.test(key))
      return new ApiProblem(
        400,
        'invalid_idempotency_key',
        'Idempotency-Key takes 1 to 255 printable ASCII characters.',
      );
    const hash = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    return { client: (request.bridgeClient as BridgeClient).name, key, hash };
  };

  /** What a key already used answers: the first answer again, or why it cannot be used now. */
  const repeatAnswer = (claim: Exclude<KeyClaim, { kind: 'first' }>, reply: FastifyReply): ApiAnswer => {
    switch (claim.kind) {
      case 'answered':
        reply.header('idempotent-replayed', 'true');
        return { status: claim.status, body: JSON.parse(claim.body), summary: 'replayed' };
      case 'in-progress':
        return problemAnswer(
          new ApiProblem(
            409,
            'in_progress',
            'A request with this Idempotency-Key is still being answered; repeat it in a moment.',
          ),
        );
      case 'mismatch':
        return problemAnswer(
          new ApiProblem(
            422,
            'idempotency_key_reused',
            'This Idempotency-Key was used with another request; use a new key.',
          ),
        );
    }
  };

  /** Runs a route: with an Idempotency-Key, once per key; a repeat gets the first answer. */
  const run = (route: Route) => async (request: FastifyRequest, reply: FastifyReply) => {
    const call = callOf(request);
    const key = keyOf(request);
    if (key instanceof ApiProblem) return finish(request, reply, problemAnswer(key));
    if (!key) return answerWith(request, reply, () => route(call));
    const answers = store.bridge.answers;
    const claim = await answers.claim(key.client, key.key, key.hash, deps.now());
    if (claim.kind !== 'first') return finish(request, reply, repeatAnswer(claim, reply));
    return answerWith(request, reply, () => route(call), {
      keep: (answer) => answers.answer(key.client, key.key, answer.status, JSON.stringify(answer.body)),
      release: () => answers.release(key.client, key.key),
    });
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

  /**
   * Runs a route whose whole effect is in the store: its change, the call's
   * audit record (with its webhook event) and the answer kept for its
   * Idempotency-Key are one transaction — one commit per call, and no change
   * without its record. A problem found while writing undoes the writes
   * and is answered (and audited) on its own.
   */
  const runChange = (route: ChangeRoute) => async (request: FastifyRequest, reply: FastifyReply) => {
    const key = keyOf(request);
    if (key instanceof ApiProblem) return finish(request, reply, problemAnswer(key));
    let change: Change | ApiProblem;
    try {
      change = await route(callOf(request));
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      change = problem;
    }
    try {
      return await settle(request, reply, change, key);
    } catch (error) {
      const problem = problemOf(error);
      if (!problem || change instanceof ApiProblem) throw error;
      return settle(request, reply, problem, key);
    }
  };

  const settle = async (
    request: FastifyRequest,
    reply: FastifyReply,
    change: Change | ApiProblem,
    key: IdempotencyKey | undefined,
  ): Promise<FastifyReply> => {
    const answers = store.bridge.answers;
    const settled = await store.sql.transaction(async (tx) => {
      const claim = key ? await answers.claim(key.client, key.key, key.hash, deps.now(), tx) : undefined;
      let answer: ApiAnswer;
      let why: string | undefined;
      if (claim && claim.kind !== 'first') answer = repeatAnswer(claim, reply);
      else if (change instanceof ApiProblem) {
        answer = problemAnswer(change);
        why = change.message;
      } else answer = await change.write(tx);
      if (key && claim?.kind === 'first') {
        // A server error is not kept: a repeat may succeed.
        if (answer.status < 500)
          await answers.answer(key.client, key.key, answer.status, JSON.stringify(answer.body), tx);
        else await answers.release(key.client, key.key, tx);
      }
      await store.audit.appendIn(tx, auditRecord(request, answer.status, answer.summary, why));
      return { answer, wrote: claim === undefined || claim.kind === 'first' };
    });
    store.outbox.committed();
    if (settled.wrote && !(change instanceof ApiProblem)) change.committed?.();
    return respond(request, reply, settled.answer);
  };

  return async (api: FastifyInstance): Promise<void> => {
    api.addHook('onRequest', async (request, reply) => {
      request.bridgeArrived = { at: deps.now(), mark: performance.now() };
      // Shutting down: answered without the store, which is about to close.
      if (!deps.work.accepting) {
        reply.header('retry-after', String(RETRY_AFTER_S));
        return respond(request, reply, problemAnswer(SHUTTING_DOWN));
      }
      deps.work.adopt(new Promise((resolve) => reply.raw.once('close', resolve)));
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
    api.post('/messages', runChange(deps.routes.postMessage));
    api.get('/messages/:id', run(deps.routes.getMessage));
    api.post('/approvals', run(deps.routes.postApproval));
    api.get('/approvals/:id', run(deps.routes.getApproval));
    api.post('/commands', run(deps.routes.postCommand));
    api.get('/jobs/:id', run(deps.routes.getJob));
  };
}
