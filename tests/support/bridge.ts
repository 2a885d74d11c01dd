/**
 * Calls the bridge API as a client would (fetch, a bearer token), checking
 * every request and answer against the OpenAPI document the bot serves and
 * the repo keeps (src/bridge/openapi.json): Ajv's JSON Schema 2020-12
 * dialect, which OpenAPI 3.1 schemas are; the document itself is checked
 * against the OpenAPI 3.1 schema by @seriousme/openapi-schema-validator.
 */

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';

const DOCUMENT = JSON.parse(readFileSync(new URL('../../src/bridge/openapi.json', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
ajv.addSchema(DOCUMENT, 'openapi');

const pointer = (...parts: string[]) =>
  parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/** `/messages/msg_1` → `/messages/{id}` (the document's path template). */
function template(path: string): string {
  const bare = path.split('?')[0] as string;
  for (const candidate of Object.keys(DOCUMENT.paths)) {
    const pattern = new RegExp(`^${candidate.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(bare)) return candidate;
  }
  throw new Error(`the OpenAPI document has no path for ${bare}`);
}

function check(ref: string, value: unknown, what: string): void {
  const validate = ajv.getSchema(ref);
  if (!validate) throw new Error(`no schema at ${ref}`);
  if (!validate(value))
    throw new Error(`${what} breaks the OpenAPI document: ${ajv.errorsText(validate.errors)}`);
}

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field in the tests, after the OpenAPI check
  readonly body: any;
  readonly headers: Headers;
}

export class BridgeClient {
  readonly base: string;
  readonly token: string;

  constructor(address: string, token: string) {
    this.base = `${address}/v1`;
    this.token = token;
  }

  async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: {
      readonly headers?: Record<string, string>;
      readonly raw?: string;
      readonly token?: string;
    } = {},
  ): Promise<Answer> {
    const route = template(path);
    const operation = pointer(route, method.toLowerCase());
    if (body !== undefined && options.raw === undefined)
      check(
        `openapi#/paths/${operation}/requestBody/content/application~1json/schema`,
        body,
        `${method} ${path}'s body`,
      );
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.token ?? this.token}`,
        ...(body !== undefined || options.raw !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.raw !== undefined
        ? { body: options.raw }
        : body !== undefined
          ? { body: JSON.stringify(body) }
          : {}),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : JSON.parse(text);
    const responses = DOCUMENT.paths[route][method.toLowerCase()].responses;
    expect(Object.keys(responses), `${method} ${route} documents status ${response.status}`).toContain(
      String(response.status),
    );
    const documented = responses[String(response.status)];
    const schemaRef = documented.$ref
      ? `openapi#/components/schemas/Problem`
      : `openapi#/paths/${operation}/responses/${response.status}/content/application~1json/schema`;
    check(schemaRef, parsed, `${method} ${path} → ${response.status}`);
    return { status: response.status, body: parsed, headers: response.headers };
  }

  post(path: string, body: unknown, options?: Parameters<BridgeClient['call']>[3]): Promise<Answer> {
    return this.call('POST', path, body, options);
  }

  get(path: string, options?: Parameters<BridgeClient['call']>[3]): Promise<Answer> {
    return this.call('GET', path, undefined, options);
  }
}

export interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
  /** What it was answered (0: never). */
  status?: number;
}

/** A webhook receiver on loopback: `answer` picks each request's status (and may delay it). */
export class Receiver {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => number | Promise<number> = () => 200;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const got: Received = {
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.received.push(got);
        const status = await this.answer(got, this.received.length - 1);
        got.status = status;
        if (status === 0) return; // never answers
        response.writeHead(status).end();
      });
    });
  }

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The events answered 2xx, in order. */
  // biome-ignore lint/suspicious/noExplicitAny: an event's data differs by type
  delivered(): { id: string; type: string; data: any }[] {
    return this.received
      .filter((request) => request.status !== undefined && request.status >= 200 && request.status < 300)
      .map((request) => JSON.parse(request.body));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
