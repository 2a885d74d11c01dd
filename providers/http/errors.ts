/** HTTP failures as errors a user can act on; the status stays on the error for modules. */
import { formatDuration } from '../../src/config/duration.ts';
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { type BodyTooLargeError, formatBytes } from './capped-body.ts';

export interface HttpProvider {
  /** The configured id ("do"). */
  readonly id: string;
  /** "DigitalOcean". */
  readonly label: string;
  /** The environment variable holding the token, named (never shown) in auth errors. */
  readonly tokenVariable?: string;
}

export class HttpError extends CloudmasterError {
  /** The HTTP status, or undefined for a network failure or timeout. */
  readonly status: number | undefined;
  /** What the provider's error body said, for callers that word the error their own way. */
  readonly providerMessage: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    status: number | undefined,
    provider: HttpProvider,
    hint?: string,
    providerMessage?: string,
  ) {
    super(code, message, { provider: provider.id, ...(hint ? { hint } : {}) });
    this.name = 'HttpError';
    this.status = status;
    this.providerMessage = providerMessage;
  }
}

export function isHttpStatus(error: unknown, status: number): boolean {
  return error instanceof HttpError && error.status === status;
}

/** An answer with a failing status, after any retries. */
export function statusError(
  provider: HttpProvider,
  status: number,
  providerMessage: string | undefined,
  attempts: number,
): HttpError {
  const said = providerMessage ? `: ${providerMessage}` : '';
  if (status === 401) {
    const check = provider.tokenVariable ? ` (check ${provider.tokenVariable})` : '';
    return new HttpError(
      ErrorCode.ProviderAuth,
      `${provider.label} rejected the token of provider \`${provider.id}\`${check}.`,
      status,
      provider,
      undefined,
      providerMessage,
    );
  }
  if (status === 403) {
    return new HttpError(
      ErrorCode.ProviderAuth,
      `${provider.label} refused provider \`${provider.id}\` this request${said}.`,
      status,
      provider,
      'The token works but lacks the scope or permission for this; check its scopes.',
      providerMessage,
    );
  }
  if (status === 404)
    return new HttpError(
      ErrorCode.NotFound,
      `${provider.label} has no such resource${said}.`,
      status,
      provider,
      undefined,
      providerMessage,
    );
  if (status === 429) {
    return new HttpError(
      ErrorCode.ProviderUnavailable,
      `${provider.label} is rate-limiting provider \`${provider.id}\` (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
      status,
      provider,
      'Wait a minute and try again.',
      providerMessage,
    );
  }
  if (status >= 500) {
    return new HttpError(
      ErrorCode.ProviderUnavailable,
      `${provider.label} failed with HTTP ${status}${said} (${attempts} attempt${attempts === 1 ? '' : 's'}).`,
      status,
      provider,
      'This is on the provider’s side; try again shortly or check its status page.',
      providerMessage,
    );
  }
  return new HttpError(
    ErrorCode.ProviderRejected,
    `${provider.label} refused: ${providerMessage ?? `HTTP ${status}`}`,
    status,
    provider,
    undefined,
    providerMessage,
  );
}

export function timeoutError(provider: HttpProvider, budgetMs: number): HttpError {
  return new HttpError(
    ErrorCode.ProviderTimeout,
    `${provider.label} did not answer in ${formatDuration(budgetMs)}.`,
    undefined,
    provider,
  );
}

export function networkError(provider: HttpProvider, detail: string): HttpError {
  return new HttpError(
    ErrorCode.ProviderUnavailable,
    `${provider.label} could not be reached (${detail}).`,
    undefined,
    provider,
    'Check the network and the provider’s `endpoint` setting.',
  );
}

export function unexpectedError(provider: HttpProvider, what: string, detail: string): HttpError {
  return new HttpError(
    ErrorCode.ProviderUnexpected,
    `${provider.label} answered something unexpected to ${what}: ${detail}.`,
    undefined,
    provider,
    'Nothing was changed by cloudmaster; the provider’s API may have changed. The details are in the bot’s log.',
  );
}

/** "16 MB", "64 KB": a size cap in words. */
/** An answer larger than cloudmaster reads: refused, never buffered. */
export function tooLargeError(provider: HttpProvider, what: string, cause: BodyTooLargeError): HttpError {
  const error = new HttpError(
    ErrorCode.ProviderUnexpected,
    `${provider.label} (provider \`${provider.id}\`) answered ${what} with more than ${formatBytes(cause.maxBytes)}; cloudmaster refused to read it.`,
    undefined,
    provider,
    'Nothing was changed by cloudmaster. Check the provider’s `endpoint`: no answer cloudmaster reads is that large.',
  );
  // Callers that word it their own way (a status source's health) find the cap here.
  error.cause = cause;
  return error;
}

/**
 * A change the provider accepted (a 2xx) whose answer could not be read or
 * understood: it may or may not have started, so it must not be reported as
 * failed — nor be asked again blindly.
 */
export function outcomeUnknownError(
  provider: HttpProvider,
  what: string,
  status: number | undefined,
  problem: string,
): HttpError {
  const code = status === undefined ? '' : ` (HTTP ${status})`;
  return new HttpError(
    ErrorCode.OutcomeUnknown,
    `${provider.label} accepted ${what}${code}, but its answer could not be read: ${problem.replace(/\.$/, '')}.`,
    status,
    provider,
    'It may or may not have started: check its status before asking again.',
  );
}
