/**
 * Secret redaction for logs and replies. Known secret values (from the
 * config) are replaced wherever they appear, and token-shaped strings are
 * replaced even when nobody told us about them.
 */

const REDACTED = '[redacted]';
/** Shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;
const TOKEN_PATTERNS: readonly [RegExp, string][] = [
  [/\bxox[abprs]-[A-Za-z0-9-]+/g, REDACTED], // Slack bot and user tokens
  [/\bxapp-[A-Za-z0-9-]+/g, REDACTED], // Slack app-level tokens
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // An Authorization header of any scheme, as a header line or a JSON field.
  [/\b(authorization["']?\s*[:=]\s*["']?)(?!Bearer |Basic )[^"'\r\n,}]+/gi, `$1${REDACTED}`],
  // The Socket Mode URL carries a ticket; signed URLs carry signatures and credentials.
  [
    /([?&](?:ticket|token|access_token|sig|signature|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|client_secret|password)=)[^&\s"']+/gi,
    `$1${REDACTED}`,
  ],
  // user:password@ in a URL (database URLs, proxies).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s"']+:)[^@/\s"']+@/gi, `$1${REDACTED}@`],
  // password=… / "password": "…" / client_secret: … in text and JSON.
  [
    /(\b(?:password|passwd|client_secret|secret_access_key|api_key)["']?\s*[:=]\s*["']?)[^"'\s,&}]+/gi,
    `$1${REDACTED}`,
  ],
  // PEM private keys, whole.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, `[redacted private key]`],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
];

/** A cheap first look: a string without any of these cannot match TOKEN_PATTERNS. */
const MIGHT_HOLD_TOKEN =
  /xox[abprs]-|xapp-|bearer|basic|authorization|ticket=|token=|sig=|signature=|credential=|secret|password|passwd|api_key|:\/\/[^/\s]*:[^/\s]*@|PRIVATE KEY|AKIA|ASIA/i;

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  add(values: Iterable<string>): void {
    const next = new Set(this.secrets);
    for (const value of values) if (value.length >= MIN_SECRET_LENGTH) next.add(value);
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...next].sort((a, b) => b.length - a.length);
  }

  text(input: string): string {
    // Most strings hold nothing to redact: answer them without running every pattern.
    if (!MIGHT_HOLD_TOKEN.test(input) && !this.secrets.some((secret) => input.includes(secret))) return input;
    let output = input;
    for (const secret of this.secrets) {
      if (output.includes(secret)) output = output.split(secret).join(REDACTED);
    }
    for (const [pattern, replacement] of TOKEN_PATTERNS) output = output.replace(pattern, replacement);
    return output;
  }

  /** Redacts every string inside a JSON-like value (objects, arrays). */
  deep<T>(value: T, seen = new WeakSet<object>()): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => this.deep(item, seen)) as T;
    if (value instanceof Error) return value;
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = this.deep(item, seen);
    return copy as T;
  }
}
