/**
 * Reads one status source: a GET through the shared HTTP client (one
 * deadline for the poll, a retry on a blip, its wording of failures), then
 * the source type's parser. It never throws: every failure is a reading
 * with a one-line reason.
 *
 * Conditional requests: the last ETag / Last-Modified of each source is kept
 * in memory with its body, so a 304 re-reads that body instead of
 * downloading it again. A restart starts without them, which only costs one
 * full download.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { BodyTooLargeError, formatBytes } from '../../providers/http/capped-body.ts';
import { HttpClient } from '../../providers/http/client.ts';
import { HttpError, isHttpStatus } from '../../providers/http/errors.ts';
import type { ParseResult } from './incident.ts';
import { DEFAULT_MAX_BODY_BYTES, type SourceReading, type WatchSource } from './source.ts';
import { sourceType } from './types/index.ts';

export const DEFAULT_USER_AGENT = 'cloudmaster-outage-watch/0.1 (+status polling)';

interface Remembered {
  readonly etag?: string;
  readonly lastModified?: string;
  readonly body: string;
  readonly contentType?: string;
}

export interface SourceFetcherOptions {
  readonly log: Logger;
  readonly userAgent?: string;
  /** Attempts per poll: a second one rides out a blip; the next poll is the real retry. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly now?: () => Date;
}

/** One line for a failed GET; the shared client's words, except where they speak of tokens. */
function reasonOf(error: unknown, source: WatchSource): string {
  if (
    error instanceof HttpError &&
    error.status !== undefined &&
    error.status < 500 &&
    error.status !== 429
  ) {
    const hint = error.status === 404 ? ': check the url' : '';
    return `${source.label} status answered HTTP ${error.status}${hint}.`;
  }
  const tooLarge = error instanceof BodyTooLargeError ? error : (error as Error | undefined)?.cause;
  if (tooLarge instanceof BodyTooLargeError)
    return `${source.label} status answered more than ${formatBytes(tooLarge.maxBytes)}: not read past that (raise the source's maxBodySize if this is expected).`;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return 'the poll was stopped.';
  return error instanceof Error ? error.message : String(error);
}

export class SourceFetcher {
  private readonly remembered = new Map<string, Remembered>();
  private readonly options: SourceFetcherOptions;

  constructor(options: SourceFetcherOptions) {
    this.options = options;
  }

  /** One poll of `source`; `signal` stops it (shutdown). Never rejects. */
  async read(
    source: WatchSource,
    signal: AbortSignal = new AbortController().signal,
  ): Promise<SourceReading> {
    const now = this.options.now ?? (() => new Date());
    const started = performance.now();
    const done = (): { source: string; at: string; latencyMs: number } => ({
      source: source.name,
      at: now().toISOString(),
      latencyMs: Math.round(performance.now() - started),
    });
    const type = sourceType(source.type);
    if (!type) return { ok: false, ...done(), reason: `unknown source type "${source.type}"` };

    let body: string;
    let contentType: string | undefined;
    let notModified = false;
    try {
      const answer = await this.get(source, type.accept, signal);
      ({ body, contentType, notModified } = answer);
    } catch (error) {
      return { ok: false, ...done(), reason: reasonOf(error, source) };
    }

    let parsed: ParseResult;
    try {
      parsed = type.parse(body, {
        url: source.url,
        receivedAt: now(),
        ...(contentType ? { contentType } : {}),
      });
    } catch (error) {
      // A parser must not throw; if one does, the poll fails like any other bad answer.
      this.options.log.error({ err: error, source: source.name }, 'status parser failed');
      parsed = { ok: false, reason: 'the answer could not be read (parser error; details in the log)' };
    }
    if (!parsed.ok) {
      // A body that does not parse must not be answered from the cache on the next 304.
      this.remembered.delete(source.name);
      return { ok: false, ...done(), reason: parsed.reason };
    }
    return { ok: true, ...done(), incidents: parsed.incidents, notModified };
  }

  private async get(
    source: WatchSource,
    accept: string,
    signal: AbortSignal,
  ): Promise<{ body: string; contentType: string | undefined; notModified: boolean }> {
    const client = new HttpClient({
      baseUrl: source.url,
      headers: { 'User-Agent': this.options.userAgent ?? DEFAULT_USER_AGENT },
      provider: { id: source.name, label: `${source.label} status` },
      budgetMs: source.timeoutMs,
      maxAttempts: this.options.maxAttempts ?? 2,
      baseDelayMs: this.options.baseDelayMs ?? 250,
      log: this.options.log,
    });
    const known = this.remembered.get(source.name);
    const conditional: Record<string, string> = {};
    if (known?.etag) conditional['If-None-Match'] = known.etag;
    if (known?.lastModified) conditional['If-Modified-Since'] = known.lastModified;
    try {
      const answer = await client.request({
        method: 'GET',
        path: source.url,
        headers: { Accept: accept, ...conditional },
        schema: z.string(),
        asText: true,
        maxBodyBytes: source.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
        signal,
      });
      const contentType = answer.headers.get('content-type') ?? undefined;
      const etag = answer.headers.get('etag') ?? undefined;
      const lastModified = answer.headers.get('last-modified') ?? undefined;
      if (etag || lastModified) {
        this.remembered.set(source.name, {
          body: answer.data,
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
          ...(contentType ? { contentType } : {}),
        });
      } else {
        this.remembered.delete(source.name);
      }
      return { body: answer.data, contentType, notModified: false };
    } catch (error) {
      if (known && isHttpStatus(error, 304)) {
        return { body: known.body, contentType: known.contentType, notModified: true };
      }
      throw error;
    }
  }
}
