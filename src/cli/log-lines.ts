/**
 * The CLI's own log lines on a person's stderr: one readable line each —
 * `warning: provider call failed: Simulated outage… (provider=down, verb=list)`
 * — rather than pino's JSON, which `--json` keeps for scripts. The lines
 * arrive redacted (the logger redacts before it serialises); text from
 * outside is shown with its control characters escaped.
 */
import type { DestinationStream } from 'pino';

const LABELS: Readonly<Record<number, string>> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

/** pino's own fields, and those shown otherwise than as key=value. */
const SHOWN_APART = new Set(['level', 'time', 'app', 'pid', 'hostname', 'msg', 'err', 'error']);

/** Terminal control characters (escape sequences, carriage returns) as visible `\uXXXX`. */
function visible(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    shown += control ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return shown;
}

function valueWords(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

interface LoggedError {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly stack?: unknown;
}

export function readableLogLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return visible(json.trimEnd());
  }
  const label = LABELS[Number(entry.level)] ?? String(entry.level);
  const error = (entry.err ?? entry.error) as LoggedError | undefined;
  const facts = Object.entries(entry)
    .filter(([key, value]) => !SHOWN_APART.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${valueWords(value)}`);
  if (error && typeof error === 'object' && error.code !== undefined)
    facts.push(`code=${valueWords(error.code)}`);
  let line = `${label}: ${valueWords(entry.msg ?? '')}`;
  if (error && typeof error === 'object' && error.message !== undefined)
    line += `: ${valueWords(error.message)}`;
  if (facts.length > 0) line += ` (${facts.join(', ')})`;
  const lines = [visible(line)];
  // Stacks are logged only when LOG_LEVEL=debug or trace asked for them.
  if (error && typeof error === 'object' && typeof error.stack === 'string')
    lines.push(
      ...error.stack
        .split('\n')
        .slice(1)
        .map((frame) => `  ${visible(frame.trim())}`),
    );
  return lines.join('\n');
}

/** A pino destination writing readable lines through `write`. */
export function readableLogDestination(write: (text: string) => void): DestinationStream {
  return { write: (line: string) => write(`${readableLogLine(line)}\n`) };
}
