/**
 * One webhook POST over node:http(s) with kept-alive connections: a
 * delivery per API call would otherwise cost a connection (and `fetch`'s
 * web streams, several times the CPU) on the bot's one thread. A redirect is
 * not followed (the signed event goes only where it was configured to); the
 * answer's body is read and dropped.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export class WebhookPoster {
  private readonly http = new HttpAgent({ keepAlive: true });
  private readonly https = new HttpsAgent({ keepAlive: true });

  /** The answer's status; throws a TimeoutError (DOMException) after `timeoutMs`, or what the socket met. */
  post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const signal = AbortSignal.timeout(timeoutMs);
    const payload = Buffer.from(body, 'utf8');
    return new Promise<number>((resolve, reject) => {
      const failed = (error: unknown) => reject(signal.aborted ? signal.reason : error);
      const answered = (response: IncomingMessage) => {
        response.on('error', failed);
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.resume();
      };
      const options = {
        method: 'POST',
        headers: { ...headers, 'content-length': String(payload.length) },
        signal,
      };
      const call = secure
        ? httpsRequest(target, { ...options, agent: this.https }, answered)
        : httpRequest(target, { ...options, agent: this.http }, answered);
      call.on('error', failed);
      call.end(payload);
    });
  }

  /** Closes the kept connections (at shutdown). */
  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
