/**
 * An Error as a log line may show it: type, code, message, provider and its
 * cause — never its enumerable fields (an SDK error's `config.headers`
 * carries the Authorization header), and a stack trace only when asked.
 */
import { isCloudmasterError } from '../errors.ts';

const MAX_CAUSES = 5;

export function serializeError(error: unknown, withStack: boolean, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const serialized: Record<string, unknown> = { type: error.name, message: error.message };
  if (isCloudmasterError(error)) {
    serialized.code = error.code;
    if (error.provider) serialized.provider = error.provider;
  } else if ('code' in error && typeof error.code === 'string') {
    serialized.code = error.code;
  }
  if (error.cause !== undefined && depth < MAX_CAUSES)
    serialized.cause = serializeError(error.cause, withStack, depth + 1);
  if (withStack && error.stack) serialized.stack = error.stack;
  return serialized;
}
