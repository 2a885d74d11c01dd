/** What every provider API double shares: a loopback server, its request log, faults on demand. */
import type { ServerResponse } from 'node:http';
import { type RecordedRequest, TestServer } from '../http-server.ts';
import { delay, type Fault, type Faults, truncating } from './faults.ts';

export abstract class ProviderDouble {
  protected abstract readonly faults: Faults;
  private server: TestServer | undefined;
  /**
   * List requests are answered as if they asked for no filter (a proxy or an
   * older API that drops the query): shows whether a module trusts the filter.
   */
  ignoreFilters = false;

  /** With `tls`, the double serves HTTPS (SDKs that refuse plain HTTP). */
  protected async listen(tls?: { cert: string; key: string }): Promise<void> {
    this.server = await TestServer.start(async (request, response) => {
      const fault = this.faults.take(request);
      if (fault && this.faults.answer(fault, response)) return;
      if (fault?.delayMs) await delay(fault.delayMs);
      if (fault?.truncate) truncating(response);
      await this.handle(request, response);
    }, tls);
  }

  protected abstract handle(request: RecordedRequest, response: ServerResponse): void | Promise<void>;

  /** The server's root URL; modules' endpoints add their API prefix. */
  protected get root(): string {
    if (!this.server) throw new Error('the double is not listening');
    return this.server.url;
  }

  get requests(): readonly RecordedRequest[] {
    return this.server?.requests ?? [];
  }

  /** The next matching request fails this way (`times` requests in a row). */
  failNext(fault: Fault, times = 1): void {
    this.faults.add(fault, times);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
