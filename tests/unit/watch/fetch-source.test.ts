import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, SourceFetcher } from '../../../src/watch/fetch-source.ts';
import type { SourceReading, WatchSource } from '../../../src/watch/source.ts';
import { TestServer } from '../../support/http-server.ts';
import { StatusFixtureServer } from '../../support/status-fixtures.ts';

let server: StatusFixtureServer;
beforeAll(async () => {
  server = await StatusFixtureServer.start();
});
afterAll(async () => {
  await server.stop();
});

let counter = 0;
/** A source at a path of its own, so each test reads its own requests. */
function sourceAt(
  route: Parameters<StatusFixtureServer['serve']>[1],
  facts: Partial<WatchSource> = {},
): WatchSource {
  const path = `/source-${++counter}`;
  server.serve(path, route);
  return {
    name: `source-${counter}`,
    label: 'Example',
    type: 'statuspage',
    url: server.url(path),
    intervalMs: 60_000,
    timeoutMs: 2_000,
    ...facts,
  };
}

const fetcher = new SourceFetcher({ log: pino({ level: 'silent' }), baseDelayMs: 5 });

function failure(reading: SourceReading): string {
  if (reading.ok) throw new Error('expected a failed reading');
  return reading.reason;
}

describe('reading a status source', () => {
  it('asks with its own User-Agent and the Accept of the source type, and times the poll', async () => {
    const feed = sourceAt('feed/aws-open.rss', { type: 'feed' });
    const reading = await fetcher.read(feed);
    expect(reading).toMatchObject({ ok: true, source: feed.name, notModified: false });
    expect(reading.latencyMs).toBeGreaterThanOrEqual(0);
    const [request] = server.requestsTo(new URL(feed.url).pathname);
    expect(request?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(request?.headers.accept).toMatch(/^application\/rss\+xml, application\/atom\+xml/);
  });

  it('asks again conditionally and reads a 304 as the last body', async () => {
    const source = sourceAt('statuspage/open.json');
    const first = await fetcher.read(source);
    const second = await fetcher.read(source);
    expect(second).toMatchObject({ ok: true, notModified: true });
    expect(second.ok && second.incidents).toEqual(first.ok && first.incidents);
    const [, again] = server.requestsTo(new URL(source.url).pathname);
    expect(again?.headers['if-none-match']).toMatch(/^W\/"[0-9a-f]+"$/);
  });

  it('forgets the last body once an answer does not parse, so a 304 cannot bring it back', async () => {
    const source = sourceAt('statuspage/open.json');
    await fetcher.read(source);
    server.serve(new URL(source.url).pathname, 'statuspage/malformed.json');
    expect(failure(await fetcher.read(source))).toMatch(/^the answer is not JSON/);
    server.serve(new URL(source.url).pathname, 'statuspage/open.json');
    await fetcher.read(source);
    const last = server.requestsTo(new URL(source.url).pathname).at(-1);
    expect(last?.headers['if-none-match']).toBeUndefined();
  });

  it('retries a 503 once, then says so in one line', async () => {
    const source = sourceAt({ file: 'html-error.html', status: 503 });
    expect(failure(await fetcher.read(source))).toBe('Example status failed with HTTP 503 (2 attempts).');
    expect(server.requestsTo(new URL(source.url).pathname)).toHaveLength(2);
  });

  it('names a client error without speaking of tokens', async () => {
    expect(failure(await fetcher.read(sourceAt({ file: 'html-error.html', status: 404 })))).toBe(
      'Example status answered HTTP 404: check the url.',
    );
    expect(failure(await fetcher.read(sourceAt({ file: 'html-error.html', status: 403 })))).toBe(
      'Example status answered HTTP 403.',
    );
  });

  it('fails a slow status page at its timeout', async () => {
    const source = sourceAt({ file: 'statuspage/open.json', delayMs: 1_500 }, { timeoutMs: 300 });
    const started = Date.now();
    expect(failure(await fetcher.read(source))).toBe('Example status did not answer in 300 ms.');
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  it('fails an HTML page, an empty answer, and an unknown type, each in one line', async () => {
    expect(failure(await fetcher.read(sourceAt('html-error.html')))).toBe(
      'the answer is an HTML page, not a Statuspage v2 answer',
    );
    expect(failure(await fetcher.read(sourceAt({ body: '', contentType: 'application/json' })))).toBe(
      'the answer was empty, not a Statuspage v2 answer',
    );
    expect(failure(await fetcher.read(sourceAt('statuspage/open.json', { type: 'statuspage2' })))).toBe(
      'unknown source type "statuspage2"',
    );
  });

  it('says when a status page cannot be reached', async () => {
    const gone = await TestServer.start(() => {});
    const url = `${gone.url}/api/v2/incidents/unresolved.json`;
    await gone.stop();
    const reading = await fetcher.read({ ...sourceAt('statuspage/open.json'), url });
    expect(failure(reading)).toBe('Example status could not be reached (ECONNREFUSED).');
  });

  it('stops when asked, without throwing', async () => {
    const source = sourceAt({ file: 'statuspage/open.json', delayMs: 1_000 });
    const controller = new AbortController();
    const reading = fetcher.read(source, controller.signal);
    setTimeout(() => controller.abort(new DOMException('stopping', 'AbortError')), 50);
    expect(failure(await reading)).toBe('the poll was stopped.');
  });
});
