/**
 * Faults a provider double injects on demand: a status (with Retry-After),
 * silence, an answer too large to read — or the double's real answer, late
 * or broken off mid-body (the request took effect; its answer is lost).
 */
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';

export interface Fault {
  readonly status?: number;
  /** The provider's error code, for APIs that carry one (EC2's `RequestLimitExceeded`). */
  readonly code?: string;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter?: number;
  /** Never answer this request. */
  readonly hang?: boolean;
  /** The provider's own error message, for doubles whose error body carries one. */
  readonly message?: string;
  /** Only requests whose route ("METHOD /path", or what the double says) matches. */
  readonly matching?: RegExp;
  /** Answer with 200 and a body of this many bytes, streamed in chunks without a length. */
  readonly oversizeBytes?: number;
  /** Do what the request asks and answer it, this much later. */
  readonly delayMs?: number;
  /** Do what the request asks, send the status and half the body, then drop the connection. */
  readonly truncate?: boolean;
}

/** Writes the error answer in the provider's own format. */
export type ErrorWriter = (
  response: ServerResponse,
  fault: Fault & { status: number },
  headers: Record<string, string>,
) => void;

/** The common case: a JSON error body built from the status (and the fault's message). */
export function jsonErrors(body: (status: number, message?: string) => unknown): ErrorWriter {
  return (response, fault, headers) =>
    json(response, fault.status, body(fault.status, fault.message), headers);
}

export class Faults {
  private readonly queue: Fault[] = [];
  private readonly write: ErrorWriter;
  private readonly route: (request: RecordedRequest) => string;

  constructor(
    write: ErrorWriter,
    route: (request: RecordedRequest) => string = (r) => `${r.method} ${r.url.pathname}`,
  ) {
    this.write = write;
    this.route = route;
  }

  /** The next matching request fails this way (`times` requests in a row). */
  add(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(fault);
  }

  /** The pending fault the request meets, if any (taken off the queue). */
  take(request: RecordedRequest): Fault | undefined {
    const route = this.route(request);
    const index = this.queue.findIndex((fault) => !fault.matching || fault.matching.test(route));
    if (index === -1) return undefined;
    return this.queue.splice(index, 1)[0];
  }

  /** Answers in place of the double (a status, silence, an oversized body); false when the double answers. */
  answer(fault: Fault, response: ServerResponse): boolean {
    if (fault.hang) return true;
    if (fault.oversizeBytes !== undefined) {
      streamPadding(response, fault.oversizeBytes, 'application/json');
      return true;
    }
    if (fault.delayMs !== undefined || fault.truncate) return false;
    const headers: Record<string, string> =
      fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
    this.write(response, { ...fault, status: fault.status ?? 500 }, headers);
    return true;
  }
}

/** A 200 whose body is `bytes` of spaces, in chunks without a length, stopping when the client hangs up. */
export function streamPadding(response: ServerResponse, bytes: number, contentType: string): void {
  response.writeHead(200, { 'Content-Type': contentType });
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let sent = 0;
  const more = (): void => {
    while (sent < bytes && !response.destroyed) {
      sent += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', more);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  response.on('close', () => response.removeAllListeners('drain'));
  more();
}

/**
 * The answer the double writes goes out with its full Content-Length but
 * only half its body before the connection drops: the client saw a status
 * and cannot read the rest.
 */
export function truncating(response: ServerResponse): void {
  const writeHead = response.writeHead.bind(response);
  let head: [number, Record<string, string>] = [200, {}];
  response.writeHead = ((status: number, headers?: Record<string, string>) => {
    head = [status, headers ?? {}];
    return response;
  }) as typeof response.writeHead;
  response.end = ((chunk?: unknown) => {
    const body = Buffer.from(typeof chunk === 'string' ? chunk : '');
    writeHead(head[0], { ...head[1], 'Content-Length': String(Math.max(body.length, 2)) });
    response.write(body.subarray(0, Math.floor(body.length / 2)), () => response.socket?.destroy());
    return response;
  }) as typeof response.end;
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
