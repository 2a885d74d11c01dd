/**
 * What the jobs and pending-requests tables keep of a command: its text
 * redacted (in the row and wherever the payload repeats it), and never a
 * configured secret. A command holding one is refused rather than stored
 * with the secret blanked out, which would run something else than asked.
 */
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Redactor } from '../log/redact.ts';

function replaceText<T>(value: T, from: string, to: string): T {
  if (value === from) return to as T;
  if (Array.isArray(value)) return value.map((item) => replaceText(item, from, to)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, replaceText(item, from, to)]),
  ) as T;
}

export function storableRequest<Payload>(
  redactor: Redactor,
  rawText: string,
  payload: Payload,
): { rawText: string; payload: Payload } {
  if (redactor.holdsSecret(rawText) || redactor.holdsSecret(JSON.stringify(payload))) {
    throw new CloudmasterError(
      ErrorCode.SecretInCommand,
      'That command holds one of cloudmaster’s configured secrets (a token or password it uses), so it was refused: nothing was run or stored.',
      { hint: 'Rotate that secret if it was posted where others can read it.' },
    );
  }
  const kept = redactor.text(rawText);
  return { rawText: kept, payload: kept === rawText ? payload : replaceText(payload, rawText, kept) };
}
