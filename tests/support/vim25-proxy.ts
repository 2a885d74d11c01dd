/**
 * A recording proxy in front of vcsim, serving HTTPS with the test CA (so
 * the module verifies a certificate, as against a real vCenter). It keeps
 * every vim25 method called and every session cookie handed out, and can
 * add what vcsim 0.24 lacks and a real vCenter has:
 *
 * - property-collector paging: vcsim ignores `maxObjects` and sends every
 *   object at once; with `paging` on, the proxy honours `maxObjects` as
 *   vCenter does, handing out a `token` and answering
 *   `ContinueRetrievePropertiesEx` / `CancelRetrievePropertiesEx` itself;
 * - `RebootGuest`, which vCenter answers (empty) when VMware Tools run and
 *   vcsim faults with MethodNotFound: with `answerRebootGuest` on, the proxy
 *   answers it and vcsim never sees it;
 * - tasks that take time: vcsim finishes every task before it answers the
 *   call that started it; with `slowTasks` = n, the first n reads of a task's
 *   `info` show it running, with progress, as a vCenter's clone would;
 * - `CancelTask`, which vcsim lacks: the proxy answers it, and the task's
 *   `info` then shows it ended in `RequestCanceled`, as vCenter's does. (vcsim
 *   has already done the work by then; the tests check what the bot says.)
 * - answers lost on the way: `breakNext` forwards the next call of a method
 *   (vcsim does the work) and then drops the connection half-way through
 *   its answer, or answers it with an endless body of padding.
 *
 * Everything else is vcsim's own answer, untouched.
 */
import { randomUUID } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { child, parseXml } from '../../providers/vsphere/vim25/xml.ts';
import { streamPadding } from './doubles/faults.ts';
import { TestServer } from './http-server.ts';
import { testTls } from './tls.ts';

export interface ProxiedCall {
  readonly method: string;
  /** The session cookie the call carried. */
  readonly cookie: string | undefined;
  /** The request envelope. */
  readonly body: string;
}

const OBJECTS = /<objects>[\s\S]*?<\/objects>/g;
const ENVELOPE_HEAD =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_TAIL = '</soapenv:Body></soapenv:Envelope>';

function upstream(url: URL, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[]>; body: string }>(
    (resolve, reject) => {
      const outgoing = httpsRequest(
        url,
        { method: 'POST', headers, rejectUnauthorized: false },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('end', () =>
            resolve({
              status: incoming.statusCode ?? 502,
              headers: incoming.headers as Record<string, string | string[]>,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    },
  );
}

export class Vim25Proxy {
  readonly calls: ProxiedCall[] = [];
  /** `vmware_soap_session=…` pairs vcsim set, in order. */
  readonly sessions: string[] = [];
  /** Honour `maxObjects` with tokens, as vCenter does. */
  paging = false;
  /** Answer RebootGuest as a vCenter does when VMware Tools run. */
  answerRebootGuest = false;
  /** Forward no session cookie (a balancer that lost the session): every call is unauthenticated. */
  dropCookies = false;
  /** How many reads of each task's info show it still running. */
  slowTasks = 0;
  /** The next call of a method: its answer cut off half-way, or replaced by this many bytes of padding. */
  readonly breakNext = new Map<string, 'truncate' | number>();
  /** Tasks a CancelTask was sent for. */
  private readonly cancelled = new Set<string>();
  private readonly taskReads = new Map<string, number>();
  /** Objects not yet handed out, and the page size asked for, by token. */
  private readonly pending = new Map<string, { readonly objects: string[]; readonly pageSize: number }>();
  private readonly target: URL;
  private server: TestServer | undefined;

  private constructor(target: URL) {
    this.target = target;
  }

  static async start(target: string): Promise<Vim25Proxy> {
    const proxy = new Vim25Proxy(new URL(target));
    const { cert, key } = testTls();
    proxy.server = await TestServer.start(
      async (request, response) => {
        const body = String(request.body ?? '');
        const answer = await proxy.handle(body, request.headers);
        const method = child(parseXml(body), 'Body')?.children[0]?.name ?? '?';
        const broken = proxy.breakNext.get(method);
        proxy.breakNext.delete(method);
        if (broken === 'truncate') {
          const whole = Buffer.from(answer.body);
          response.writeHead(answer.status, { ...answer.headers, 'Content-Length': String(whole.length) });
          response.write(whole.subarray(0, whole.length >> 1), () => response.socket?.destroy());
        } else if (typeof broken === 'number') streamPadding(response, broken, 'text/xml; charset=utf-8');
        else response.writeHead(answer.status, answer.headers).end(answer.body);
      },
      { cert, key },
    );
    return proxy;
  }

  /** The proxy's SDK endpoint. */
  get url(): string {
    return `${this.server?.url ?? ''}/sdk`;
  }

  /** Forgets the calls and turns every emulation off. */
  reset(): void {
    this.calls.length = 0;
    this.paging = false;
    this.answerRebootGuest = false;
    this.dropCookies = false;
    this.slowTasks = 0;
    this.breakNext.clear();
    this.taskReads.clear();
    this.cancelled.clear();
  }

  /** How often each method was called. */
  count(method: string): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  private async handle(body: string, headers: Record<string, string | string[] | undefined>) {
    const call = child(parseXml(body), 'Body')?.children[0];
    const method = call?.name ?? '?';
    const cookie = typeof headers.cookie === 'string' ? headers.cookie : undefined;
    this.calls.push({ method, cookie, body });
    const xml = { 'Content-Type': 'text/xml; charset=utf-8' };
    // vcsim 0.24 has no CancelTask; a vCenter cancels a running task, which then ends in RequestCanceled.
    if (method === 'CancelTask') {
      const task = child(call, '_this')?.text ?? '';
      this.cancelled.add(task);
      return {
        status: 200,
        headers: xml,
        body: `${ENVELOPE_HEAD}<CancelTaskResponse xmlns="urn:vim25"/>${ENVELOPE_TAIL}`,
      };
    }
    if (method === 'RebootGuest' && this.answerRebootGuest)
      return {
        status: 200,
        headers: xml,
        body: `${ENVELOPE_HEAD}<RebootGuestResponse xmlns="urn:vim25"/>${ENVELOPE_TAIL}`,
      };
    if (
      this.paging &&
      (method === 'ContinueRetrievePropertiesEx' || method === 'CancelRetrievePropertiesEx')
    ) {
      const token = child(call, 'token')?.text ?? '';
      const rest = this.pending.get(token);
      this.pending.delete(token);
      if (method === 'CancelRetrievePropertiesEx')
        return {
          status: 200,
          headers: xml,
          body: `${ENVELOPE_HEAD}<CancelRetrievePropertiesExResponse xmlns="urn:vim25"/>${ENVELOPE_TAIL}`,
        };
      return {
        status: 200,
        headers: xml,
        body: this.page('ContinueRetrievePropertiesExResponse', rest?.objects ?? [], rest?.pageSize ?? 1),
      };
    }
    const forwarded = await upstream(this.target, body, {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: String(headers.soapaction ?? '"urn:vim25"'),
      ...(cookie && !this.dropCookies ? { Cookie: cookie } : {}),
    });
    const setCookie = forwarded.headers['set-cookie'];
    for (const header of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [])
      this.sessions.push(header.split(';')[0] ?? '');
    const passed = {
      ...xml,
      ...(setCookie ? { 'Set-Cookie': setCookie } : {}),
    };
    const maxObjects = Number(child(child(call, 'options'), 'maxObjects')?.text ?? 0);
    if (this.paging && method === 'RetrievePropertiesEx' && forwarded.status === 200 && maxObjects > 0) {
      const objects = forwarded.body.match(OBJECTS) ?? [];
      if (objects.length > maxObjects)
        return {
          status: 200,
          headers: passed,
          body: this.page('RetrievePropertiesExResponse', objects, maxObjects),
        };
    }
    const task = /<obj type="Task">([^<]+)<\/obj>/.exec(body)?.[1];
    if (
      (this.slowTasks > 0 || this.cancelled.size > 0) &&
      method === 'RetrievePropertiesEx' &&
      task &&
      forwarded.status === 200
    )
      return { status: 200, headers: passed, body: this.stillRunning(task, forwarded.body) };
    return { status: forwarded.status, headers: passed, body: forwarded.body };
  }

  /** A finished task's info, shown as running (with progress) for its first `slowTasks` reads — or as cancelled. */
  private stillRunning(task: string, answer: string): string {
    if (this.cancelled.has(task)) {
      return answer
        .replace(/<state>(success|running|queued)<\/state>/, '<state>error</state>')
        .replace(/<result[^>]*>[^<]*<\/result>/, '')
        .replace(
          /<reason/,
          '<error><fault xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="RequestCanceled"></fault><localizedMessage>The task was canceled by a user.</localizedMessage></error><reason',
        );
    }
    const reads = (this.taskReads.get(task) ?? 0) + 1;
    this.taskReads.set(task, reads);
    if (reads > this.slowTasks) return answer;
    const progress = Math.round((100 * reads) / (this.slowTasks + 1));
    return answer
      .replace(/<state>(success|error)<\/state>/, '<state>running</state>')
      .replace(/<error>[\s\S]*?<\/error>/, '')
      .replace(/<result[^>]*>[^<]*<\/result>/, '')
      .replace(/<completeTime>[^<]*<\/completeTime>/, '')
      .replace(/<reason/, `<progress>${progress}</progress><reason`);
  }

  /** One page of objects; the rest wait under a fresh token, as vCenter keeps them. */
  private page(element: string, objects: string[], maxObjects: number): string {
    const shown = objects.slice(0, maxObjects);
    const rest = objects.slice(maxObjects);
    let token = '';
    if (rest.length > 0) {
      const id = randomUUID();
      this.pending.set(id, { objects: rest, pageSize: maxObjects });
      token = `<token>${id}</token>`;
    }
    return `${ENVELOPE_HEAD}<${element} xmlns="urn:vim25"><returnval>${token}${shown.join('')}</returnval></${element}>${ENVELOPE_TAIL}`;
  }
}
