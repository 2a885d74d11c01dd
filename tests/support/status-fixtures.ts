/**
 * Status pages on loopback: each path serves a fixture from
 * tests/fixtures/watch/ the way a status site would — its content type, an
 * ETag honoured with 304s, and on demand an error status, an empty body or
 * an answer that comes too late.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { type RecordedRequest, TestServer } from './http-server.ts';

const FIXTURES = new URL('../fixtures/watch/', import.meta.url);

export interface FixtureRoute {
  /** A file below tests/fixtures/watch/ ("statuspage/open.json"). */
  readonly file?: string;
  /** A literal body instead of a file ("" for an empty answer). */
  readonly body?: string;
  readonly status?: number;
  readonly contentType?: string;
  /** Wait this long before answering at all (a slow status page). */
  readonly delayMs?: number;
  /** Send an ETag and answer 304 to a matching If-None-Match (default true). */
  readonly etag?: boolean;
}

const CONTENT_TYPES: readonly [RegExp, string][] = [
  [/\.json$/, 'application/json; charset=utf-8'],
  [/\.rss$/, 'application/rss+xml; charset=utf-8'],
  [/\.atom$/, 'application/atom+xml; charset=utf-8'],
  [/\.html$/, 'text/html; charset=utf-8'],
];

export function fixture(file: string): string {
  return readFileSync(new URL(file, FIXTURES), 'utf8');
}

export class StatusFixtureServer {
  private readonly routes = new Map<string, FixtureRoute>();
  private server: TestServer | undefined;

  static async start(): Promise<StatusFixtureServer> {
    const fixtures = new StatusFixtureServer();
    fixtures.server = await TestServer.start((request, response) => fixtures.answer(request, response));
    return fixtures;
  }

  /** What `path` answers from now on: a fixture file, or a route. */
  serve(path: string, route: string | FixtureRoute): void {
    this.routes.set(path, typeof route === 'string' ? { file: route } : route);
  }

  url(path: string): string {
    if (!this.server) throw new Error('the fixture server is not listening');
    return `${this.server.url}${path}`;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server?.requests ?? [];
  }

  requestsTo(path: string): readonly RecordedRequest[] {
    return this.requests.filter((request) => request.url.pathname === path);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async answer(request: RecordedRequest, response: ServerResponse): Promise<void> {
    const route = this.routes.get(request.url.pathname);
    if (!route) {
      response
        .writeHead(404, { 'Content-Type': 'text/html' })
        .end('<html><body><h1>Not Found</h1></body></html>');
      return;
    }
    if (route.delayMs) await new Promise((resolve) => setTimeout(resolve, route.delayMs));
    if (response.destroyed) return;
    const body = route.body ?? (route.file ? fixture(route.file) : '');
    const type =
      route.contentType ??
      CONTENT_TYPES.find(([pattern]) => pattern.test(route.file ?? ''))?.[1] ??
      'application/octet-stream';
    const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': 'max-age=0' };
    const status = route.status ?? 200;
    if (route.etag !== false && status === 200) {
      const etag = `W/"${createHash('sha1').update(body).digest('hex').slice(0, 20)}"`;
      headers.ETag = etag;
      if (request.headers['if-none-match'] === etag) {
        response.writeHead(304, { ETag: etag }).end();
        return;
      }
    }
    response.writeHead(status, headers).end(body);
  }
}
