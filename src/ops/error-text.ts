/**
 * An error in an operator's words: the innermost cause's message. fetch
 * says only "fetch failed"; its cause says "connect ECONNREFUSED 127.0.0.1:443".
 * Callers redact it before it leaves the process.
 */
export function innermostMessage(error: unknown): string {
  let current = error;
  const seen = new Set<unknown>();
  while (current instanceof Error && current.cause !== undefined && !seen.has(current.cause)) {
    seen.add(current);
    current = current.cause;
  }
  if (current instanceof Error) return current.message || current.name;
  return String(current);
}
