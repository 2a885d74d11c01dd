/** A pino logger whose lines a test reads back as objects. */
import pino, { type Logger } from 'pino';

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
  /** The messages logged, in order, with their level names. */
  messages(): string[];
}

export function capturedLog(level = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level, base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { log, lines, messages: () => lines.map((line) => `${String(line.level)} ${String(line.msg)}`) };
}
