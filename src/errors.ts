/**
 * Errors that carry a code. Providers, the dispatcher and the config loader
 * throw these; `describeError` (src/replies/describe-error.ts) is the one
 * place that turns any error into words for a user.
 */

export const ErrorCode = {
  /** No machine or stack by that name or id. */
  NotFound: 'not_found',
  /** A name matched several resources and the verb will not guess. */
  Ambiguous: 'ambiguous',
  UnknownProvider: 'unknown_provider',
  /** The provider does not support the verb or option. */
  Unsupported: 'unsupported',
  /** A missing or wrong `key=value` parameter. */
  BadParameter: 'bad_parameter',
  /** The machine is not in a state that allows the verb. */
  InvalidState: 'invalid_state',
  /** The provider refused our credentials. */
  ProviderAuth: 'provider_auth',
  /** The provider refused the request and said why. */
  ProviderRejected: 'provider_rejected',
  ProviderTimeout: 'provider_timeout',
  ProviderUnavailable: 'provider_unavailable',
  /** The provider answered with a shape we do not understand. */
  ProviderUnexpected: 'provider_unexpected',
  /** A change reached the provider, but whether it started cannot be known (its answer was lost). */
  OutcomeUnknown: 'outcome_unknown',
  /** The store failed where safety depends on it (a delivery's claim, an audit record). */
  StoreUnavailable: 'store_unavailable',
  ConfigInvalid: 'config_invalid',
  /** A command held a configured secret: refused, not stored. */
  SecretInCommand: 'secret_in_command',
  NoProviders: 'no_providers',
  ShuttingDown: 'shutting_down',
  /** Another process held the store's lock longer than the store waits. */
  StoreBusy: 'store_busy',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface CloudmasterErrorOptions {
  /** The provider id the error concerns. */
  readonly provider?: string;
  /** What the user can do about it, one sentence. */
  readonly hint?: string;
  /** Near names, configured ids, supporting providers…: shown as a list. */
  readonly candidates?: readonly string[];
  readonly cause?: unknown;
}

export class CloudmasterError extends Error {
  readonly code: ErrorCode;
  readonly provider: string | undefined;
  readonly hint: string | undefined;
  readonly candidates: readonly string[];

  constructor(code: ErrorCode, message: string, options: CloudmasterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CloudmasterError';
    this.code = code;
    this.provider = options.provider;
    this.hint = options.hint;
    this.candidates = options.candidates ?? [];
  }
}

export function isCloudmasterError(error: unknown): error is CloudmasterError {
  return error instanceof CloudmasterError;
}

/** A change that may or may not have started: its request was sent, its answer never understood. */
export function mayHaveStarted(error: unknown): boolean {
  return (
    isCloudmasterError(error) &&
    (error.code === ErrorCode.OutcomeUnknown || error.code === ErrorCode.ProviderTimeout)
  );
}
