/**
 * Structured logs (pino), level from LOG_LEVEL, every string redacted.
 * Errors, under whatever key, are logged by type, code and message; stack
 * traces only at debug level, so a bad request never puts a trace in the
 * operators' logs.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Redactor } from './redact.ts';
import { serializeError } from './serialize-error.ts';

export type { Logger } from 'pino';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export function logLevelFrom(env: Readonly<Record<string, string | undefined>>): string {
  const level = env.LOG_LEVEL?.toLowerCase();
  return level && LEVELS.has(level) ? level : 'info';
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
      // formatters.log runs first and turns an Error under any key into its safe form; the
      // serializers then see one only when pino itself put it there.
      serializers: {
        err: (error: unknown) =>
          error instanceof Error ? redactor.deep(serializeError(error, withStack)) : error,
        error: (error: unknown) =>
          error instanceof Error ? redactor.deep(serializeError(error, withStack)) : error,
      },
      formatters: { log: (object) => redactor.deep(object, { errorStacks: withStack }) },
      hooks: {
        logMethod(args, method) {
          // log.error(error) alone: pino would take the message raw from the Error.
          const [first, ...rest] = args as unknown[];
          if (first instanceof Error && typeof rest[0] !== 'string') args = [{ err: first }, first.message];
          const redacted = args.map((arg) => (typeof arg === 'string' ? redactor.text(arg) : arg));
          method.apply(this, redacted as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
