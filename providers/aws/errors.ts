/** EC2 and credential failures as errors that say which account, which region, what to do. */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { outcomeUnknownError } from '../http/errors.ts';

interface ServiceFailure {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
  /** Set by the SDK when the answer came but could not be read (a deserialization error). */
  readonly $response?: { readonly statusCode?: number };
}

export interface AwsContext {
  readonly provider: string;
  readonly region: string;
  /** The EC2 action, e.g. "RebootInstances". */
  readonly action: string;
  /** The action changes something: an answer lost after EC2 took it in leaves its outcome unknown. */
  readonly change?: boolean;
}

export function awsError(error: unknown, where: AwsContext): unknown {
  if (error instanceof CloudmasterError) return error;
  const failure = (error ?? {}) as ServiceFailure;
  const code = failure.name ?? 'Error';
  const message = failure.message ?? String(error);
  const at = `provider \`${where.provider}\` in ${where.region}`;
  const options = { provider: where.provider, cause: error };
  const status = failure.$response?.statusCode ?? failure.$metadata?.httpStatusCode ?? 0;
  if (where.change && status >= 200 && status < 300) {
    // The SDK read a 2xx but not its body: EC2 took the call in.
    const first = message.split('\n')[0] ?? message;
    const problem = /^(aborted|socket hang up)$|ECONNRESET/.test(first)
      ? `the connection broke off (${first})`
      : first;
    return outcomeUnknownError(
      { id: where.provider, label: 'EC2' },
      `${where.action} in ${where.region}`,
      status,
      problem,
    );
  }
  switch (true) {
    case code === 'AbortError' || code === 'TimeoutError':
      return error;
    case code === 'CredentialsProviderError' || /could not load credentials/i.test(message):
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `No AWS credentials were found for provider \`${where.provider}\`.`,
        {
          ...options,
          hint: 'Give it a `profile`, a `roleArn`, or static keys read from the environment; or set AWS_PROFILE or AWS_ACCESS_KEY_ID for the bot.',
        },
      );
    case code === 'AuthFailure':
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `AWS rejected the credentials of ${at} (AuthFailure).`,
        {
          ...options,
          hint: 'Check the profile or keys of this account, and that the region is enabled for it.',
        },
      );
    case code === 'UnauthorizedOperation':
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `The credentials of ${at} may not call ec2:${where.action}.`,
        {
          ...options,
          hint: `Grant ec2:${where.action} to the user or role cloudmaster uses.`,
        },
      );
    case code.startsWith('InvalidInstanceID'):
      return new CloudmasterError(
        ErrorCode.NotFound,
        `No such instance in ${where.region}: ${message}`,
        options,
      );
    case code === 'IncorrectInstanceState':
      return new CloudmasterError(ErrorCode.InvalidState, `EC2 refused: ${message}`, options);
    case code === 'RequestLimitExceeded' || code === 'Throttling' || code === 'ThrottlingException':
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `AWS is throttling ${at} (${code}, ${failure.$metadata?.attempts ?? 1} attempts).`,
        { ...options, hint: 'Wait a minute and try again.' },
      );
    case (failure.$metadata?.httpStatusCode ?? 0) >= 500:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `EC2 failed in ${where.region} (${code}): ${message}`,
        {
          ...options,
          hint: 'This is on the provider’s side; try again shortly.',
        },
      );
    case (failure.$metadata?.httpStatusCode ?? 0) >= 400:
      return new CloudmasterError(ErrorCode.ProviderRejected, `EC2 refused (${code}): ${message}`, options);
    default:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `EC2 could not be reached in ${where.region}: ${message}`,
        options,
      );
  }
}
