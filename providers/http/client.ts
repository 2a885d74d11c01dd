/**
 * The HTTP client every REST provider module uses: one deadline for the
 * whole call, retries with backoff and jitter where they are safe, the
 * provider's own wait honoured, answers read up to a size cap and validated
 * with zod, and failures turned into errors that say what to do. A change
 * (POST, PUT, PATCH, DELETE) the provider accepted but whose answer cannot
 * be read or understood is reported as one that may or may not have started.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BodyTooLargeError, formatBytes, readCappedText } from './capped-body.ts';
import {
  type HttpProvider,
  networkError,
  outcomeUnknownError,
  statusError,
  timeoutError,
  tooLargeError,
  unexpectedError,
} from './errors.ts';
import { backoffMs, mayRetry, RETRYABLE_STATUSES, requestedDelayMs } from './retry-policy.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** Base URL, e.g. "https://api.digitalocean.com"; paths are appended. */
  readonly baseUrl: string;
  /** Sent with every request (authorization lives here, never in logs). */
  readonly headers: Readonly<Record<string, string>>;
  readonly provider: HttpProvider;
  /** The whole call, retries and waits included, ends by then. */
  readonly budgetMs: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  /** Reads the provider's own words out of an error body. */
  readonly errorMessage?: (body: unknown) => string | undefined;
  /** The largest answer body read (default MAX_RESPONSE_BYTES); a larger one is refused. */
  readonly maxBodyBytes?: number;
  readonly log: Logger;
}

export interface RequestOptions<T> {
  readonly method: HttpMethod;
  /** Path below the base URL ("/v2/droplets"), or an absolute URL the provider handed out. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: unknown;
  readonly schema: z.ZodType<T>;
  readonly signal: AbortSignal;
  /** The provider makes repeating this request safe (an idempotency key, say). */
  readonly idempotent?: boolean;
  /** Headers for this request only (conditional requests, another Accept); they win over the client's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body's media type when it is not plain JSON (JSON Patch, say). */
  readonly contentType?: string;
  /** Hand the answer's body to the schema as text, unparsed (XML feeds). */
  readonly asText?: boolean;
  /** The largest answer body read for this request, over the client's own cap. */
  readonly maxBodyBytes?: number;
}

export interface HttpResponse<T> {
  readonly data: T;
  readonly status: number;
  readonly headers: Headers;
}

const MAX_DELAY_MS = 20_000;

/** No provider answer a module reads comes near this; a larger one is a fault, not data. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function parseBody(text: string, asText: boolean): unknown {
  if (asText) return text;
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

type BodyRead =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly error: unknown };

export class HttpClient {
  private readonly options: HttpClientOptions;

  constructor(options: HttpClientOptions) {
    this.options = options;
  }

  url(path: string, query: RequestOptions<unknown>['query'] = {}): URL {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const url = new URL(
      /^https?:\/\//.test(path) ? path : `${base}${path.startsWith('/') ? '' : '/'}${path}`,
    );
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, String(value));
    return url;
  }

  async request<T>(request: RequestOptions<T>): Promise<HttpResponse<T>> {
    const { provider, budgetMs, log } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 4;
    const baseDelay = this.options.baseDelayMs ?? 250;
    const url = this.url(request.path, request.query);
    const what = `${request.method} ${url.pathname}`;
    const deadline = Date.now() + budgetMs;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      ...this.options.headers,
      ...request.headers,
    };
    if (request.body !== undefined) headers['Content-Type'] = request.contentType ?? 'application/json';

    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw timeoutError(provider, budgetMs);
      const attemptTimeout = AbortSignal.timeout(remaining);
      const started = performance.now();
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers,
          ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
          signal: AbortSignal.any([request.signal, attemptTimeout]),
        });
      } catch (error) {
        if (request.signal.aborted) throw request.signal.reason;
        if (attemptTimeout.aborted) throw timeoutError(provider, budgetMs);
        const code = networkCode(error);
        log.debug({ provider: provider.id, request: what, attempt, network: code }, 'request failed');
        if (
          attempt >= maxAttempts ||
          !mayRetry(request.method, request.idempotent ?? false, { ...(code ? { networkCode: code } : {}) })
        ) {
          throw networkError(provider, code ?? (error instanceof Error ? error.message : 'network error'));
        }
        await this.pause(backoffMs(attempt, baseDelay, MAX_DELAY_MS), deadline, request.signal, () =>
          timeoutError(provider, budgetMs),
        );
        continue;
      }

      const maxBytes = request.maxBodyBytes ?? this.options.maxBodyBytes ?? MAX_RESPONSE_BYTES;
      const read: BodyRead = await readCappedText(response, maxBytes).then(
        (text) => ({ ok: true, body: parseBody(text, request.asText ?? false) }),
        (error: unknown) => ({ ok: false, error }),
      );
      log.debug(
        {
          provider: provider.id,
          request: what,
          status: response.status,
          attempt,
          ms: Math.round(performance.now() - started),
          ...(read.ok ? {} : { body: 'unread' }),
        },
        'request',
      );
      if (response.ok) return this.accepted(request, response, read, what, maxBytes);

      const body = read.ok ? read.body : undefined;
      const retryable = RETRYABLE_STATUSES.has(response.status);
      if (
        retryable &&
        attempt < maxAttempts &&
        mayRetry(request.method, request.idempotent ?? false, { status: response.status })
      ) {
        const asked = requestedDelayMs(response.headers, Date.now());
        const wait = Math.max(asked ?? 0, backoffMs(attempt, baseDelay, MAX_DELAY_MS));
        // A wait past the deadline cannot help: answer now with the real reason.
        if (Date.now() + wait < deadline) {
          await this.pause(wait, deadline, request.signal, () => timeoutError(provider, budgetMs));
          continue;
        }
      }
      throw statusError(provider, response.status, this.options.errorMessage?.(body), attempt);
    }
  }

  /**
   * A 2xx: its body validated. A change whose answer cannot be read or
   * understood was still accepted — it may or may not have started.
   */
  private accepted<T>(
    request: RequestOptions<T>,
    response: Response,
    read: BodyRead,
    what: string,
    maxBytes: number,
  ): HttpResponse<T> {
    const { provider, log, budgetMs } = this.options;
    const change = request.method !== 'GET';
    let problem: string;
    if (read.ok) {
      const parsed = request.schema.safeParse(read.body);
      if (parsed.success) return { data: parsed.data, status: response.status, headers: response.headers };
      problem = parsed.error.issues
        .slice(0, 2)
        .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
        .join('; ');
      log.warn(
        { provider: provider.id, request: what, issues: parsed.error.issues.slice(0, 5) },
        'unexpected answer',
      );
    } else {
      const tooLarge = read.error instanceof BodyTooLargeError;
      problem = tooLarge
        ? `it is larger than ${formatBytes(maxBytes)}`
        : `the connection broke off (${networkCode(read.error) ?? (read.error instanceof Error ? read.error.message : 'unknown')})`;
      log.warn({ provider: provider.id, request: what, status: response.status, problem }, 'unread answer');
      if (!change) {
        if (tooLarge) throw tooLargeError(provider, what, read.error as BodyTooLargeError);
        if (request.signal.aborted) throw request.signal.reason;
        if (isAbort(read.error)) throw timeoutError(provider, budgetMs);
        throw networkError(provider, problem);
      }
    }
    if (change) throw outcomeUnknownError(provider, what, response.status, problem);
    throw unexpectedError(provider, what, problem);
  }

  private async pause(ms: number, deadline: number, signal: AbortSignal, late: () => Error): Promise<void> {
    if (Date.now() + ms >= deadline) throw late();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}
