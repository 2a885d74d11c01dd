import type { ServerResponse } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpClient } from '../../providers/http/client.ts';
import { HttpError } from '../../providers/http/errors.ts';
import { collectCursorPages, collectNumberedPages } from '../../providers/http/paginate.ts';
import { backoffMs, mayRetry, requestedDelayMs } from '../../providers/http/retry-policy.ts';
import { ErrorCode } from '../../src/errors.ts';
import { json, type RecordedRequest, TestServer } from '../support/http-server.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const provider = { id: 'do', label: 'DigitalOcean', tokenVariable: 'DIGITALOCEAN_TOKEN' };
const okSchema = z.object({ ok: z.literal(true) });

async function clientFor(
  handler: (request: RecordedRequest, response: ServerResponse, attempt: number) => void,
  budgetMs = 5_000,
  maxBodyBytes?: number,
): Promise<HttpClient> {
  let attempt = 0;
  server = await TestServer.start((request, response) => handler(request, response, ++attempt));
  return new HttpClient({
    baseUrl: server.url,
    headers: { Authorization: 'Bearer secret-token-value' },
    provider,
    budgetMs,
    baseDelayMs: 5,
    errorMessage: (body) => (body as { message?: string } | undefined)?.message,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    log: pino({ level: 'silent' }),
  });
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

const signal = () => new AbortController().signal;

describe('HTTP client', () => {
  it('retries a GET through 503s and succeeds', async () => {
    const client = await clientFor((_r, res, attempt) =>
      attempt < 3 ? json(res, 503, {}) : json(res, 200, { ok: true }),
    );
    const answer = await client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() });
    expect(answer.data).toEqual({ ok: true });
    expect(server?.requests).toHaveLength(3);
    expect(server?.requests[0]?.headers.authorization).toBe('Bearer secret-token-value');
  });

  it('waits as a 429 asks (Retry-After) and retries even a POST, which was refused unprocessed', async () => {
    const client = await clientFor((_r, res, attempt) =>
      attempt === 1
        ? json(res, 429, { message: 'slow down' }, { 'Retry-After': '1' })
        : json(res, 201, { ok: true }),
    );
    const started = Date.now();
    await client.request({
      method: 'POST',
      path: '/v2/droplets/1/actions',
      body: { type: 'reboot' },
      schema: okSchema,
      signal: signal(),
    });
    expect(server?.requests.map((r) => r.body)).toEqual([{ type: 'reboot' }, { type: 'reboot' }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('never repeats a POST that may have been processed', async () => {
    const client = await clientFor((_r, res) => json(res, 503, { message: 'maintenance' }));
    const error = await failure(
      client.request({
        method: 'POST',
        path: '/v2/droplets/1/actions',
        body: { type: 'reboot' },
        schema: okSchema,
        signal: signal(),
      }),
    );
    expect(server?.requests).toHaveLength(1);
    expect(error.code).toBe(ErrorCode.ProviderUnavailable);
    expect(error.message).toBe('DigitalOcean failed with HTTP 503: maintenance (1 attempt).');
  });

  it('gives up at once when the provider asks to wait past the deadline', async () => {
    const client = await clientFor((_r, res) => json(res, 429, {}, { 'Retry-After': '120' }), 2_000);
    const error = await failure(
      client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() }),
    );
    expect(server?.requests).toHaveLength(1);
    expect(error.message).toBe('DigitalOcean is rate-limiting provider `do` (1 attempt).');
  });

  it('names the token variable, never the token, when the token is refused', async () => {
    const client = await clientFor((_r, res) =>
      json(res, 401, { id: 'unauthorized', message: 'Unable to authenticate you' }),
    );
    const error = await failure(
      client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() }),
    );
    expect(error.code).toBe(ErrorCode.ProviderAuth);
    expect(error.message).toBe(
      'DigitalOcean rejected the token of provider `do` (check DIGITALOCEAN_TOKEN).',
    );
    expect(JSON.stringify(error)).not.toContain('secret-token-value');
    expect(server?.requests).toHaveLength(1);
  });

  it('passes the provider’s own words for a refused request', async () => {
    const client = await clientFor((_r, res) =>
      json(res, 422, {
        id: 'unprocessable_entity',
        message: 'You specified an invalid size for Droplet creation.',
      }),
    );
    const error = await failure(
      client.request({ method: 'POST', path: '/v2/droplets', body: {}, schema: okSchema, signal: signal() }),
    );
    expect(error.code).toBe(ErrorCode.ProviderRejected);
    expect(error.status).toBe(422);
    expect(error.message).toBe('DigitalOcean refused: You specified an invalid size for Droplet creation.');
  });

  it('turns an answer of the wrong shape into a clear error', async () => {
    const client = await clientFor((_r, res) => json(res, 200, { ok: 'yes' }));
    const error = await failure(
      client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() }),
    );
    expect(error.code).toBe(ErrorCode.ProviderUnexpected);
    expect(error.message).toMatch(/^DigitalOcean answered something unexpected to GET \/v2\/x: ok: /);
  });

  it('says a change it sent may or may not have started when a 2xx answer is of the wrong shape, broken off or too large', async () => {
    const client = await clientFor(
      (_r, res, attempt) => {
        if (attempt === 1) return json(res, 202, { ok: 'yes' });
        if (attempt === 2) {
          res.writeHead(201, { 'Content-Length': '100' });
          res.write('{"ok":', () => res.socket?.destroy());
          return;
        }
        res.writeHead(200).end(`{"ok":true,"pad":"${'x'.repeat(2_000)}"}`);
      },
      5_000,
      1_024,
    );
    const errors = [];
    for (const method of ['POST', 'DELETE', 'PUT'] as const)
      errors.push(
        await failure(
          client.request({ method, path: '/v2/x', body: {}, schema: okSchema, signal: signal() }),
        ),
      );
    expect(errors.map((error) => error.code)).toEqual([
      ErrorCode.OutcomeUnknown,
      ErrorCode.OutcomeUnknown,
      ErrorCode.OutcomeUnknown,
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      'DigitalOcean accepted POST /v2/x (HTTP 202), but its answer could not be read: ok: Invalid input: expected true.',
      expect.stringMatching(
        /^DigitalOcean accepted DELETE \/v2\/x \(HTTP 201\), but its answer could not be read: the connection broke off/,
      ),
      'DigitalOcean accepted PUT /v2/x (HTTP 200), but its answer could not be read: it is larger than 1 KB.',
    ]);
    expect(errors.every((error) => !/Nothing was changed/.test(`${error.message} ${error.hint}`))).toBe(true);
    expect(server?.requests).toHaveLength(3);
  });

  it('refuses an answer larger than its cap, declared or streamed, naming the provider', async () => {
    const client = await clientFor(
      (_r, res, attempt) => {
        if (attempt === 1) res.writeHead(200, { 'Content-Length': '5000' }).end(' '.repeat(5_000));
        else res.writeHead(200).end(`{"ok":true,"pad":"${'x'.repeat(5_000)}"}`);
      },
      5_000,
      4_096,
    );
    for (let i = 0; i < 2; i++) {
      const error = await failure(
        client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() }),
      );
      expect(error.code).toBe(ErrorCode.ProviderUnexpected);
      expect(error.message).toBe(
        'DigitalOcean (provider `do`) answered GET /v2/x with more than 4 KB; cloudmaster refused to read it.',
      );
    }
    expect(server?.requests).toHaveLength(2);
  });

  it('sends a request’s own headers and body type, and hands a body over as text when asked', async () => {
    const client = await clientFor((request, res) => {
      if (request.method === 'POST') return json(res, 200, { ok: true });
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end('<rss>{"ok":true}</rss>');
    });
    await client.request({
      method: 'POST',
      path: '/patch',
      body: [{ op: 'add', path: '/x', value: 1 }],
      contentType: 'application/json-patch+json',
      schema: okSchema,
      signal: signal(),
    });
    const feed = await client.request({
      method: 'GET',
      path: '/feed',
      headers: { Accept: 'application/rss+xml', 'If-None-Match': '"abc"' },
      schema: z.string(),
      asText: true,
      signal: signal(),
    });
    expect(feed.data).toBe('<rss>{"ok":true}</rss>');
    const [patch, get] = server?.requests ?? [];
    expect(patch?.headers['content-type']).toBe('application/json-patch+json');
    expect(patch?.body).toEqual([{ op: 'add', path: '/x', value: 1 }]);
    expect(get?.headers.accept).toBe('application/rss+xml');
    expect(get?.headers['if-none-match']).toBe('"abc"');
    expect(get?.headers.authorization).toBe('Bearer secret-token-value');
  });

  it('ends a call that does not answer at its deadline', async () => {
    const client = await clientFor(() => {
      // Never answers.
    }, 300);
    const error = await failure(
      client.request({ method: 'GET', path: '/v2/x', schema: okSchema, signal: signal() }),
    );
    expect(error.code).toBe(ErrorCode.ProviderTimeout);
    expect(error.message).toBe('DigitalOcean did not answer in 300 ms.');
  });

  it('reports an unreachable endpoint after retrying a request that was never sent', async () => {
    const client = await clientFor((_r, res) => json(res, 200, { ok: true }));
    await server?.stop();
    server = undefined;
    const error = await failure(
      client.request({ method: 'POST', path: '/v2/x', body: {}, schema: okSchema, signal: signal() }),
    );
    expect(error.code).toBe(ErrorCode.ProviderUnavailable);
    expect(error.message).toBe('DigitalOcean could not be reached (ECONNREFUSED).');
  });

  it('stops at once when the caller aborts', async () => {
    const client = await clientFor(() => {});
    const controller = new AbortController();
    const call = client.request({
      method: 'GET',
      path: '/v2/x',
      schema: okSchema,
      signal: controller.signal,
    });
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});

describe('retry policy', () => {
  it('retries what is safe to retry', () => {
    expect(mayRetry('GET', false, { status: 503 })).toBe(true);
    expect(mayRetry('POST', false, { status: 503 })).toBe(false);
    expect(mayRetry('POST', true, { status: 503 })).toBe(true);
    expect(mayRetry('POST', false, { status: 429 })).toBe(true);
    expect(mayRetry('GET', false, { status: 500 })).toBe(true);
    expect(mayRetry('POST', false, { status: 500 })).toBe(false);
    expect(mayRetry('GET', false, { status: 501 })).toBe(false);
    expect(mayRetry('POST', false, { networkCode: 'ECONNRESET' })).toBe(false);
    expect(mayRetry('POST', false, { networkCode: 'ECONNREFUSED' })).toBe(true);
    expect(mayRetry('DELETE', false, { networkCode: 'ECONNRESET' })).toBe(true);
  });

  it('reads the wait the provider asks for', () => {
    const headers = (entries: Record<string, string>) => new Headers(entries);
    const now = Date.UTC(2026, 0, 1);
    expect(requestedDelayMs(headers({ 'Retry-After': '3' }), now)).toBe(3000);
    expect(requestedDelayMs(headers({ 'Retry-After': new Date(now + 5000).toUTCString() }), now)).toBe(5000);
    expect(
      requestedDelayMs(
        headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(now / 1000 + 7) }),
        now,
      ),
    ).toBe(7000);
    expect(requestedDelayMs(headers({ 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '2' }), now)).toBe(
      2000,
    );
    expect(
      requestedDelayMs(headers({ 'ratelimit-remaining': '10', 'ratelimit-reset': '2' }), now),
    ).toBeUndefined();
  });

  it('backs off exponentially with jitter, within a cap', () => {
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(200);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(3, 100, 10_000, () => 0.5)).toBe(400);
  });
});

describe('paginators', () => {
  it('reads numbered pages concurrently once the last page is known', async () => {
    let inFlight = 0;
    let most = 0;
    const result = await collectNumberedPages({
      fetchPage: async (page) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight -= 1;
        return { items: [page * 10, page * 10 + 1], lastPage: 6 };
      },
      maxPages: 50,
      concurrency: 3,
      what: 'droplets',
    });
    expect(result.items).toEqual([10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61]);
    expect(result.warnings).toEqual([]);
    expect(most).toBe(3);
  });

  it('stops at the page cap and says so', async () => {
    const result = await collectNumberedPages({
      fetchPage: async (page) => ({ items: [page], lastPage: 9 }),
      maxPages: 4,
      concurrency: 2,
      what: 'droplets',
    });
    expect(result.items).toEqual([1, 2, 3, 4]);
    expect(result.warnings).toEqual([
      'Only the first 4 of 9 pages of droplets were read; narrow the list with a filter.',
    ]);
  });

  it('follows cursors and never loops on a repeated one', async () => {
    const cursors: (string | undefined)[] = [];
    const looping = await collectCursorPages({
      fetchPage: async (cursor) => {
        cursors.push(cursor);
        return { items: [cursor ?? 'first'], next: cursor === 'b' ? 'a' : cursor === 'a' ? 'b' : 'a' };
      },
      maxPages: 100,
      what: 'instances',
    });
    expect(cursors).toEqual([undefined, 'a', 'b']);
    expect(looping.warnings).toEqual(['The provider repeated a page of instances; stopped after 3 pages.']);
    const capped = await collectCursorPages({
      fetchPage: async (c) => ({ items: [c], next: `${c ?? ''}x` }),
      maxPages: 3,
      what: 'stacks',
    });
    expect(capped.items).toHaveLength(3);
    expect(capped.warnings[0]).toMatch(/^Only the first 3 pages of stacks were read/);
  });
});
