/** What every part of the parser answers with when words do not fit, and how it reads yes and no. */
import type { ParseResult, UsageError, UsageErrorCode, Verb } from './command.ts';

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function failure(
  code: UsageErrorCode,
  message: string,
  verb?: Verb,
  suggestions: string[] = [],
): ParseResult {
  const error: UsageError =
    verb === undefined ? { code, message, suggestions } : { code, message, verb, suggestions };
  return { ok: false, error };
}

/** `true`/`yes`/`on`/`1` and their opposites; undefined for anything else. */
export function parseBoolean(text: string): boolean | undefined {
  const lower = text.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  return undefined;
}
