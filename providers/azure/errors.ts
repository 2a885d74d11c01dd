/** Azure Resource Manager and Entra ID failures as errors that say what to do. */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { outcomeUnknownError } from '../http/errors.ts';

interface AzureFailure {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly errorResponse?: { readonly errorDescription?: string; readonly error?: string };
}

export function azureError(
  error: unknown,
  where: {
    readonly provider: string;
    readonly action: string;
    readonly secretVariable?: string;
    /** The call changes something: an answer lost after Azure took it in leaves its outcome unknown. */
    readonly change?: boolean;
  },
): unknown {
  if (error instanceof CloudmasterError) return error;
  const failure = (error ?? {}) as AzureFailure;
  if (failure.name === 'AbortError' || failure.name === 'TimeoutError') return error;
  const options = { provider: where.provider, cause: error };
  const message = (failure.message ?? String(error)).split('\n')[0] ?? '';
  // PARSE_ERROR: an answer came (a 2xx, or a status the pipeline never kept) but its body could not be read.
  const answered =
    failure.statusCode === undefined || (failure.statusCode >= 200 && failure.statusCode < 300);
  if (where.change && failure.code === 'PARSE_ERROR' && answered) {
    const problem = /^Error reading response as text/.test(message)
      ? `the connection broke off (${message.replace(/^.*: /, '')})`
      : 'it is not the JSON Azure sends';
    return outcomeUnknownError(
      { id: where.provider, label: 'Azure' },
      where.action,
      failure.statusCode,
      problem,
    );
  }
  if (failure.name === 'CredentialUnavailableError' || failure.name === 'AggregateAuthenticationError') {
    return new CloudmasterError(
      ErrorCode.ProviderAuth,
      `No Azure credential was found for provider \`${where.provider}\`.`,
      {
        ...options,
        hint: 'Give it tenantId, clientId and clientSecret, or give the bot a managed identity or AZURE_* variables.',
      },
    );
  }
  if (failure.name === 'AuthenticationError' || failure.name === 'AuthenticationRequiredError') {
    // Entra ID's own sentence ("AADSTS7000215: Invalid client secret provided."), wherever the SDK put it.
    const text = failure.errorResponse?.errorDescription ?? failure.message ?? '';
    const said = /AADSTS\d+: [^.]*\./.exec(text)?.[0] ?? message;
    return new CloudmasterError(
      ErrorCode.ProviderAuth,
      `Entra ID refused the credentials of provider \`${where.provider}\`: ${said}`,
      {
        ...options,
        hint: where.secretVariable
          ? `Check ${where.secretVariable}, the tenantId and the clientId.`
          : 'Check the tenantId, clientId and clientSecret.',
      },
    );
  }
  const status = failure.statusCode ?? 0;
  const code = failure.code ?? '';
  if (status === 401) {
    return new CloudmasterError(
      ErrorCode.ProviderAuth,
      `Azure rejected the token of provider \`${where.provider}\` (${code || 'HTTP 401'}).`,
      options,
    );
  }
  if (status === 403) {
    return new CloudmasterError(
      ErrorCode.ProviderAuth,
      `The identity of provider \`${where.provider}\` may not ${where.action}: ${message}`,
      {
        ...options,
        hint: 'Give it a role that allows this (Virtual Machine Contributor covers every verb).',
      },
    );
  }
  if (status === 404)
    return new CloudmasterError(ErrorCode.NotFound, `Azure found no such resource: ${message}`, options);
  if (status === 409)
    return new CloudmasterError(ErrorCode.InvalidState, `Azure refused: ${message}`, options);
  if (status === 429) {
    return new CloudmasterError(
      ErrorCode.ProviderUnavailable,
      `Azure is throttling provider \`${where.provider}\`: ${message}`,
      {
        ...options,
        hint: 'Wait a minute and try again.',
      },
    );
  }
  if (status >= 400 && status < 500)
    return new CloudmasterError(
      ErrorCode.ProviderRejected,
      `Azure refused (${code || status}): ${message}`,
      options,
    );
  return new CloudmasterError(
    ErrorCode.ProviderUnavailable,
    `Azure could not ${where.action}: ${message}`,
    options,
  );
}
