/**
 * The HTTP client every REST provider module uses: one deadline for the
 * whole call, retries with backoff and jitter where they are safe, the
 * provider's own wait honoured, answers validated with zod, and failures
 * turned into errors that say what to do.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { BodyTooLargeError, readCappedText } from './capped-body.ts';
import { type HttpProvider, networkError, statusError, timeoutError, unexpectedError } from './errors.ts';
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
  /** Stop reading an answer larger than this: the call fails with BodyTooLargeError. */
  readonly maxBodyBytes?: number;
}

export interface HttpResponse<T> {
  readonly data: T;
  readonly status: number;
  readonly headers: Headers;
}

const MAX_DELAY_MS = 20_000;

function networkCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

async function readBody(response: Response, asText: boolean, maxBytes: number | undefined): Promise<unknown> {
  const text = maxBytes === undefined ? await response.text() : await readCappedText(response, maxBytes);
  if (asText) return text;
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

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

      const body = await readBody(response, request.asText ?? false, request.maxBodyBytes).catch((error) => {
        if (error instanceof BodyTooLargeError) throw error;
        return undefined;
      });
      log.debug(
        {
          provider: provider.id,
          request: what,
          status: response.status,
          attempt,
          ms: Math.round(performance.now() - started),
        },
        'request',
      );
      if (response.ok) {
        const parsed = request.schema.safeParse(body);
        if (parsed.success) return { data: parsed.data, status: response.status, headers: response.headers };
        const issues = parsed.error.issues
          .slice(0, 2)
          .map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`)
          .join('; ');
        log.warn(
          { provider: provider.id, request: what, issues: parsed.error.issues.slice(0, 5) },
          'unexpected answer',
        );
        throw unexpectedError(provider, what, issues);
      }

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
