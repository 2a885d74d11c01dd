/**
 * Secret redaction for logs, replies and what the store keeps. Known secret
 * values (from the config) are replaced wherever they appear — as written,
 * and URL-, XML- and JSON-escaped — and token-shaped strings are replaced
 * even when nobody told us about them (src/log/secret-patterns.ts).
 */
import { MIGHT_HOLD_TOKEN, REDACTED, TOKEN_PATTERNS } from './secret-patterns.ts';
import { serializeError } from './serialize-error.ts';

/** Shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** How a value may appear once it has passed through a URL, an XML document or a JSON string. */
function encodedForms(value: string): string[] {
  const url = encodeURIComponent(value);
  const xml = value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
  return [
    value,
    url,
    url.replaceAll('%20', '+'),
    xml,
    xml.replaceAll('&apos;', '&#39;'),
    JSON.stringify(value).slice(1, -1),
  ];
}

export interface DeepOptions {
  /** Keep an Error's stack trace (debug logs). */
  readonly errorStacks?: boolean;
}

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: Iterable<string> = []) {
    this.add(secrets);
  }

  add(values: Iterable<string>): void {
    const next = new Set(this.secrets);
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      for (const form of encodedForms(value)) next.add(form);
    }
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...next].sort((a, b) => b.length - a.length);
  }

  /** Whether `input` holds a configured secret (in any of its encoded forms). */
  holdsSecret(input: string): boolean {
    return this.secrets.some((secret) => input.includes(secret));
  }

  text(input: string): string {
    // Most strings hold nothing to redact: answer them without running every pattern.
    if (!MIGHT_HOLD_TOKEN.test(input) && !this.holdsSecret(input)) return input;
    let output = input;
    for (const secret of this.secrets) output = output.split(secret).join(REDACTED);
    for (const [pattern, replacement] of TOKEN_PATTERNS)
      output = output.replace(pattern, replacement as (match: string, ...groups: string[]) => string);
    return output;
  }

  /**
   * Redacts every string inside a JSON-like value (objects, arrays). An
   * Error becomes its type, code, message and cause (serialize-error.ts);
   * a reference back up the tree becomes "[Circular]".
   */
  deep<T>(value: T, options: DeepOptions = {}): T {
    return this.walk(value, options, new WeakSet<object>()) as T;
  }

  private walk(value: unknown, options: DeepOptions, seen: WeakSet<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object') return value;
    if (seen.has(value)) return '[Circular]';
    if (value instanceof Error)
      return this.walk(serializeError(value, options.errorStacks ?? false), options, seen);
    // What JSON would turn into {} (or a byte dump) is shown as what it holds.
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof URL) return this.text(value.href);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item) => this.walk(item, options, seen));
      if (value instanceof Set) return [...value].map((item) => this.walk(item, options, seen));
      if (value instanceof Map)
        return Object.fromEntries(
          [...value].map(([key, item]) => [this.text(String(key)), this.walk(item, options, seen)]),
        );
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) copy[key] = this.walk(item, options, seen);
      return copy;
    } finally {
      // Only ancestors count: the same object twice side by side is no cycle.
      seen.delete(value);
    }
  }
}
