/**
 * Structured logs (pino), level from LOG_LEVEL, every string redacted.
 * Errors are logged by type, code and message; stack traces only at debug
 * level, so a bad request never puts a trace in the operators' logs.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import { isCloudmasterError } from '../errors.ts';
import type { Redactor } from './redact.ts';

export type { Logger } from 'pino';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function logLevelFrom(env: Readonly<Record<string, string | undefined>>): string {
  const level = env.LOG_LEVEL?.toLowerCase();
  return level && LEVELS.has(level) ? level : 'info';
}

function serializeError(error: unknown, withStack: boolean): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const serialized: Record<string, unknown> = { type: error.name, message: error.message };
  if (isCloudmasterError(error)) {
    serialized.code = error.code;
    if (error.provider) serialized.provider = error.provider;
  } else if ('code' in error && typeof error.code === 'string') {
    serialized.code = error.code;
  }
  if (error.cause !== undefined) serialized.cause = serializeError(error.cause, withStack);
  if (withStack && error.stack) serialized.stack = error.stack;
  return serialized;
}

export interface LoggerOptions {
  readonly level: string;
  readonly redactor: Redactor;
  readonly destination?: DestinationStream;
}

export function createLogger({ level, redactor, destination }: LoggerOptions): Logger {
  const withStack = level === 'debug' || level === 'trace';
  return pino(
    {
      level,
      base: { app: 'cloudmaster' },
      // Serializers run after formatters.log has seen the raw Error, so they redact too.
      serializers: {
        err: (error: unknown) => redactor.deep(serializeError(error, withStack)),
        error: (error: unknown) => redactor.deep(serializeError(error, withStack)),
      },
      formatters: { log: (object) => redactor.deep(object) },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((arg) => (typeof arg === 'string' ? redactor.text(arg) : arg));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
