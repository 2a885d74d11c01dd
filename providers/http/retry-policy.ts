/**
 * When to try an HTTP request again, and how long to wait first. Pure
 * functions, so the rules are tested on their own.
 */

/**
 * Statuses worth another try: rate limited, a gateway that failed in
 * passing, or (for requests safe to repeat) a transient internal error.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Network failures where the request certainly never reached the server. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

export function isIdempotentMethod(method: string): boolean {
  return (
    method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE' || method === 'OPTIONS'
  );
}

/**
 * Whether a failed attempt may be repeated. A POST that may have been
 * processed (a reset connection, a 503) is never repeated unless the caller
 * says the provider makes it safe: a reboot must not happen twice. A 429
 * was refused before any work, so it may always be repeated.
 */
export function mayRetry(
  method: string,
  idempotent: boolean,
  failure: { status?: number; networkCode?: string },
): boolean {
  const safe = idempotent || isIdempotentMethod(method);
  if (failure.status !== undefined) {
    if (failure.status === 429) return true;
    return safe && RETRYABLE_STATUSES.has(failure.status);
  }
  if (failure.networkCode !== undefined && NEVER_SENT_CODES.has(failure.networkCode)) return true;
  return safe;
}

/** Exponential backoff with full jitter: a random wait in [0, base·2^attempt], capped. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(random() * ceiling);
}

type HeaderGetter = { get(name: string): string | null };

/**
 * The wait the provider asks for, if any: `Retry-After` (seconds or an
 * HTTP date), else an exhausted rate limit's reset time (`ratelimit-reset`,
 * `X-RateLimit-Reset`: epoch seconds, or seconds from now when small).
 */
export function requestedDelayMs(headers: HeaderGetter, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null && retryAfter.trim() !== '') {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  for (const prefix of ['ratelimit', 'x-ratelimit']) {
    const remaining = headers.get(`${prefix}-remaining`);
    const reset = headers.get(`${prefix}-reset`);
    if (remaining === null || reset === null || Number(remaining) > 0) continue;
    const value = Number(reset);
    if (!Number.isFinite(value)) continue;
    // Large values are epoch seconds; small ones count seconds from now.
    return Math.max(0, value > 1_000_000_000 ? value * 1000 - now : value * 1000);
  }
  return undefined;
}
