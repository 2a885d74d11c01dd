/**
 * HTTP(S) POSTs to the vim25 endpoint: one keep-alive agent per account,
 * certificates verified unless the account says otherwise, a deadline per
 * request, and network or TLS failures worded for the person who has to
 * fix them. A request that may have been processed is never repeated; a
 * read that failed on a connection the server had closed is tried once more.
 * Answers are read up to a size cap; a change whose answer began (a status)
 * but cannot be read whole may or may not have been carried out.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { CloudmasterError, ErrorCode } from '../../../src/errors.ts';
import { BodyTooLargeError, formatBytes } from '../../http/capped-body.ts';
import {
  type HttpProvider,
  networkError,
  outcomeUnknownError,
  timeoutError,
  tooLargeError,
} from '../../http/errors.ts';
import { mayRetry } from '../../http/retry-policy.ts';

/** A property collector page of 10 000 VMs stays well under this; a larger answer is a fault. */
export const MAX_SOAP_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface TransportOptions {
  /** The SDK endpoint, e.g. https://vcenter.example.com/sdk. */
  readonly url: URL;
  /** PEM certificates to trust instead of the system's (a private CA). */
  readonly ca?: string;
  /** Accept any certificate. */
  readonly insecure: boolean;
  /** How long one request may take. */
  readonly timeoutMs: number;
  /** The largest answer read (default MAX_SOAP_RESPONSE_BYTES). */
  readonly maxBodyBytes?: number;
  readonly provider: HttpProvider;
  /** The account's logger (it already names the provider). */
  readonly log: Logger;
}

export interface SoapRequest {
  readonly body: string;
  readonly soapAction: string;
  readonly cookie: string | undefined;
  readonly signal: AbortSignal;
  /** For the log: the vim25 method. */
  readonly method: string;
  /** Safe to repeat (reads): may be tried again after a dropped connection. */
  readonly idempotent: boolean;
}

export interface SoapResponse {
  readonly status: number;
  readonly setCookies: readonly string[];
  readonly body: string;
}

/** Node's codes for a certificate it would not trust. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The answer began (its status came) but could not be read whole. */
class BrokenAnswer extends Error {
  readonly status: number;
  constructor(status: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : 'the answer was cut short', { cause });
    this.name = 'BrokenAnswer';
    this.status = status;
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed handshake: Node's certificate codes, or OpenSSL's own words ("EE certificate key too weak"). */
function isTlsFailure(code: string | undefined, reason: string): boolean {
  if (code && TLS_CODES.has(code)) return true;
  const openssl = code === undefined || code === 'UNSPECIFIED' || /^ERR_(SSL|TLS)_/.test(code);
  return openssl && /certificate|handshake/i.test(reason);
}

function tlsError(
  provider: HttpProvider,
  url: URL,
  code: string | undefined,
  reason: string,
): CloudmasterError {
  // Node appends advice about its own flags ("; if the root CA is installed locally, …"): caFile is ours.
  const said = reason.split(';')[0]?.trim() ?? reason;
  const why = code && code !== 'UNSPECIFIED' ? `${code}: ${said}` : said;
  return new CloudmasterError(
    ErrorCode.ProviderUnavailable,
    `The TLS certificate of ${url.host} is not trusted by provider \`${provider.id}\` (${why}).`,
    {
      provider: provider.id,
      hint: 'Give the certificate of the CA that signed it as `caFile`; only on a network you trust, `insecure: true` skips the check.',
    },
  );
}

export class SoapTransport {
  private readonly options: TransportOptions;
  private readonly agent: HttpAgent | HttpsAgent;
  private readonly send: typeof httpRequest;

  constructor(options: TransportOptions) {
    this.options = options;
    const https = options.url.protocol === 'https:';
    this.agent = https
      ? new HttpsAgent({
          keepAlive: true,
          maxSockets: 8,
          rejectUnauthorized: !options.insecure,
          ...(options.ca ? { ca: options.ca } : {}),
        })
      : new HttpAgent({ keepAlive: true, maxSockets: 8 });
    this.send = https ? httpsRequest : httpRequest;
  }

  async post(request: SoapRequest): Promise<SoapResponse> {
    const { provider, log, url, timeoutMs } = this.options;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const response = await this.once(request);
        log.debug(
          {
            method: request.method,
            status: response.status,
            attempt,
            ms: elapsed(started),
          },
          'vim25 call',
        );
        return response;
      } catch (error) {
        if (error instanceof BrokenAnswer) this.brokenAnswer(request, error);
        if (request.signal.aborted) throw request.signal.reason;
        const code = errorCode(error);
        if (code === 'TIMEOUT') throw timeoutError(provider, timeoutMs);
        const reason = error instanceof Error ? error.message : String(error);
        if (isTlsFailure(code, reason)) throw tlsError(provider, url, code, reason);
        log.debug({ method: request.method, attempt, network: code }, 'vim25 call failed');
        if (attempt >= 2 || !mayRetry('POST', request.idempotent, code ? { networkCode: code } : {}))
          throw networkError(provider, code ?? reason);
      }
    }
  }

  /**
   * An answer cut short or too large: a read is refused (or tried again as a
   * dropped connection); a change whose status said it was taken in is
   * reported as one that may or may not have started.
   */
  private brokenAnswer(request: SoapRequest, error: BrokenAnswer): void {
    const { provider, log } = this.options;
    const { cause } = error;
    const problem =
      cause instanceof BodyTooLargeError
        ? `it is larger than ${formatBytes(cause.maxBytes)}`
        : `the connection broke off (${errorCode(cause) ?? error.message})`;
    log.warn({ method: request.method, status: error.status, problem }, 'vim25 answer unread');
    if (!request.idempotent && error.status >= 200 && error.status < 300)
      throw outcomeUnknownError(provider, request.method, error.status, problem);
    if (cause instanceof BodyTooLargeError) throw tooLargeError(provider, request.method, cause);
  }

  private once(request: SoapRequest): Promise<SoapResponse> {
    const { url, timeoutMs } = this.options;
    const maxBytes = this.options.maxBodyBytes ?? MAX_SOAP_RESPONSE_BYTES;
    const body = Buffer.from(request.body, 'utf8');
    const headers: Record<string, string | number> = {
      'Content-Type': 'text/xml; charset=utf-8',
      SOAPAction: request.soapAction,
      'Content-Length': body.length,
      'User-Agent': 'cloudmaster',
    };
    if (request.cookie) headers.Cookie = request.cookie;
    return new Promise<SoapResponse>((resolve, reject) => {
      const outgoing = this.send(url, { method: 'POST', agent: this.agent, headers, signal: request.signal });
      const timer = setTimeout(() => {
        outgoing.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: 'TIMEOUT' }));
      }, timeoutMs);
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.on('response', (incoming) => {
        const status = incoming.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const broken = (error: unknown): void => {
          clearTimeout(timer);
          reject(new BrokenAnswer(status, error));
        };
        incoming.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) {
            chunks.push(chunk);
            return;
          }
          broken(new BodyTooLargeError(maxBytes));
          outgoing.destroy();
        });
        incoming.on('error', broken);
        incoming.on('close', () => {
          if (!incoming.complete) broken(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
        });
        incoming.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: incoming.statusCode ?? 0,
            setCookies: setCookies(incoming.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function setCookies(headers: IncomingHttpHeaders): string[] {
  const value = headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
