/** Faults a provider double injects on demand: a status (with Retry-After), or silence. */
import type { ServerResponse } from 'node:http';
import { json, type RecordedRequest } from '../http-server.ts';

export interface Fault {
  readonly status?: number;
  /** Seconds, sent as Retry-After. */
  readonly retryAfter?: number;
  /** Never answer this request. */
  readonly hang?: boolean;
  /** Only requests whose "METHOD path" matches. */
  readonly matching?: RegExp;
}

export class Faults {
  private readonly queue: Fault[] = [];
  private readonly errorBody: (status: number) => unknown;

  constructor(errorBody: (status: number) => unknown) {
    this.errorBody = errorBody;
  }

  /** The next matching request fails this way (`times` requests in a row). */
  add(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(fault);
  }

  /** Answers the request with a pending fault; true when it did. */
  apply(request: RecordedRequest, response: ServerResponse): boolean {
    const route = `${request.method} ${request.url.pathname}`;
    const index = this.queue.findIndex((fault) => !fault.matching || fault.matching.test(route));
    if (index === -1) return false;
    const [fault] = this.queue.splice(index, 1);
    if (fault?.hang) return true;
    const status = fault?.status ?? 500;
    const headers: Record<string, string> =
      fault?.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
    json(response, status, this.errorBody(status), headers);
    return true;
  }
}

export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
