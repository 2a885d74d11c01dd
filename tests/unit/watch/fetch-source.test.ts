import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_AGENT, SourceFetcher } from '../../../src/watch/fetch-source.ts';
import type { SourceReading, WatchSource } from '../../../src/watch/source.ts';
import { initialHealth, nextHealth } from '../../../src/watch/source-health.ts';
import { TestServer } from '../../support/http-server.ts';
import { fixture, StatusFixtureServer } from '../../support/status-fixtures.ts';

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

describe('the size of an answer', () => {
  /** Streams `total` bytes of JSON-ish filler in 64 KB chunks, without a Content-Length; counts what it sent. */
  async function endlessAnswer(total: number) {
    let sent = 0;
    let closedEarly = false;
    const server = await TestServer.start(async (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.on('close', () => {
        closedEarly = sent < total;
      });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      while (sent < total && !response.destroyed) {
        sent += chunk.length;
        if (!response.write(chunk)) await new Promise((resolve) => response.once('drain', resolve));
      }
      response.end();
    });
    return { server, sent: () => sent, closedEarly: () => closedEarly };
  }

  it('stops reading past the source’s maxBodySize and says so in its health', async () => {
    const answer = await endlessAnswer(64 * 1024 * 1024);
    try {
      const source: WatchSource = {
        name: 'big',
        label: 'Example',
        type: 'statuspage',
        url: `${answer.server.url}/api/v2/summary.json`,
        intervalMs: 60_000,
        timeoutMs: 10_000,
        maxBodyBytes: 256 * 1024,
      };
      const reading = await fetcher.read(source);
      expect(failure(reading)).toBe(
        "Example status answered more than 256 KB: not read past that (raise the source's maxBodySize if this is expected).",
      );
      expect(nextHealth(initialHealth('big'), reading)).toMatchObject({
        state: 'unhealthy',
        lastError: expect.stringContaining('answered more than 256 KB'),
      });
      // Far less than the 64 MB offered was sent: the read stopped and let the connection go.
      expect(answer.sent()).toBeLessThan(16 * 1024 * 1024);
    } finally {
      await answer.server.stop();
    }
  });

  it('refuses at once an answer whose Content-Length is over the cap, the default one without a setting', async () => {
    const source = sourceAt({ body: ' '.repeat(4 * 1024 * 1024 + 1), contentType: 'application/json' });
    expect(failure(await fetcher.read(source))).toMatch(/^Example status answered more than 4 MB:/);
    expect((await fetcher.read({ ...source, maxBodyBytes: 8 * 1024 * 1024 })).ok).toBe(false);
    expect(failure(await fetcher.read({ ...source, maxBodyBytes: 8 * 1024 * 1024 }))).toMatch(
      /not a Statuspage|empty|JSON/,
    );
  });
});

describe('parsers in linear time', () => {
  // Each of these took seconds before (quadratic patterns); linear they take milliseconds. The bound
  // is generous for a busy machine, and far below the quadratic time.
  const BOUND_MS = 1_500;

  it('reads a Statuspage answer whose page.url ends in 80 KB of slashes', async () => {
    const answer = JSON.parse(fixture('statuspage/open.json')) as { page: { url: string } };
    answer.page.url = `https://status.example.com${'/'.repeat(80 * 1024)}x${'/'.repeat(8)}`;
    const source = sourceAt({ body: JSON.stringify(answer), contentType: 'application/json' });
    const started = performance.now();
    const reading = await fetcher.read(source);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(reading.ok).toBe(true);
  });

  it.each([
    ['80 KB of <', `<![CDATA[${'<'.repeat(80 * 1024)}]]>`],
    ['80 KB of unclosed <p and <small>', `<![CDATA[${'<p <small>'.repeat(8 * 1024)}]]>`],
  ])('reads a feed item whose text is %s', async (_what, text) => {
    const rss = fixture('feed/history.rss').replaceAll(
      /<description>[^<]*<\/description>/g,
      `<description>${text}</description>`,
    );
    const source = sourceAt({ body: rss, contentType: 'application/rss+xml' }, { type: 'feed' });
    const started = performance.now();
    const reading = await fetcher.read(source);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
    expect(reading.ok).toBe(true);
  });
});
