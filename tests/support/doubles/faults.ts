/** Faults a provider double injects on demand: a status (with Retry-After), or silence. */
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

  /** Answers the request with a pending fault; true when it did. */
  apply(request: RecordedRequest, response: ServerResponse): boolean {
    const route = this.route(request);
    const index = this.queue.findIndex((fault) => !fault.matching || fault.matching.test(route));
    if (index === -1) return false;
    const [fault] = this.queue.splice(index, 1);
    if (!fault || fault.hang) return true;
    const headers: Record<string, string> =
      fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
    this.write(response, { ...fault, status: fault.status ?? 500 }, headers);
    return true;
  }
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
