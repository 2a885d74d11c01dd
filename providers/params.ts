/** Helpers for `key=value` parameters of `create`. */
import { CloudmasterError, ErrorCode } from '../src/errors.ts';

/** "a,b, c" → ["a", "b", "c"]. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * The parameter's value, else the config default, else a clear error
 * naming both ways to give it.
 */
export function required(
  params: Readonly<Record<string, string>>,
  key: string,
  fallback: string | undefined,
  where: { readonly provider: string; readonly configKey: string; readonly example: string },
): string {
  const value = params[key] ?? fallback;
  if (value !== undefined && value !== '') return value;
  throw new CloudmasterError(ErrorCode.BadParameter, `create on ${where.provider} needs ${key}=…`, {
    provider: where.provider,
    hint: `Add ${key}=${where.example}, or set \`${where.configKey}:\` for provider ${where.provider} in cloudmaster.yml.`,
  });
}
