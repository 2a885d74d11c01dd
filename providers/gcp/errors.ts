/** Compute Engine (google-gax) failures as errors that say what to do. */
import { CloudmasterError, ErrorCode } from '../../src/errors.ts';
import { outcomeUnknownError } from '../http/errors.ts';

interface GaxFailure {
  readonly code?: number | string;
  readonly message?: unknown;
  readonly details?: unknown;
}

/** gRPC status codes google-gax uses, also over its REST transport. */
const GRPC = {
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  INVALID_ARGUMENT: 3,
  FAILED_PRECONDITION: 9,
  UNAUTHENTICATED: 16,
  UNAVAILABLE: 14,
  DEADLINE_EXCEEDED: 4,
} as const;

export function gcpError(
  error: unknown,
  where: {
    readonly provider: string;
    readonly project: string;
    readonly action: string;
    /** The call changes something: an answer lost after Google took it in leaves its outcome unknown. */
    readonly change?: boolean;
  },
): unknown {
  if (error instanceof CloudmasterError) return error;
  const failure = (error ?? {}) as GaxFailure;
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return error;
  const text = [failure.details, failure.message].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const message = (text ?? String(error)).replace(/^\d+ [A-Z_]+: /, '');
  const options = { provider: where.provider, cause: error };
  const unread = answerUnread(message);
  if (where.change && unread)
    return outcomeUnknownError(
      { id: where.provider, label: 'Compute Engine' },
      where.action,
      undefined,
      unread,
    );
  switch (failure.code) {
    case GRPC.UNAUTHENTICATED:
    case 401:
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `Google rejected the credentials of provider \`${where.provider}\`.`,
        {
          ...options,
          hint: 'Check its keyFilename, or the Application Default Credentials of the bot (GOOGLE_APPLICATION_CREDENTIALS).',
        },
      );
    case GRPC.PERMISSION_DENIED:
    case 403:
      return new CloudmasterError(
        ErrorCode.ProviderAuth,
        `The service account of provider \`${where.provider}\` may not ${where.action} in project ${where.project}: ${message}`,
        {
          ...options,
          hint: 'Grant it a role with that permission (roles/compute.instanceAdmin.v1 covers every verb).',
        },
      );
    case GRPC.NOT_FOUND:
    case 404:
      return new CloudmasterError(
        ErrorCode.NotFound,
        `Compute Engine found no such resource: ${message}`,
        options,
      );
    case GRPC.INVALID_ARGUMENT:
    case GRPC.FAILED_PRECONDITION:
    case 400:
      return new CloudmasterError(ErrorCode.ProviderRejected, `Compute Engine refused: ${message}`, options);
    case GRPC.RESOURCE_EXHAUSTED:
    case 429:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `Compute Engine is rate-limiting provider \`${where.provider}\`: ${message}`,
        {
          ...options,
          hint: 'Wait a minute and try again.',
        },
      );
    default:
      return new CloudmasterError(
        ErrorCode.ProviderUnavailable,
        `Compute Engine could not ${where.action}: ${message}`,
        options,
      );
  }
}

/**
 * google-gax's words when the answer's headers came but its body could not
 * be read (the stream broke), or a 2xx body was not JSON (it raises the
 * parser's own error then, and keeps no status).
 */
function answerUnread(message: string): string | undefined {
  if (/^Invalid response body while trying to fetch/.test(message))
    return `the connection broke off (${message.replace(/^.*: /, '')})`;
  if (/JSON|^Received null response from RPC/.test(message)) return 'it is not the JSON Google sends';
  return undefined;
}
