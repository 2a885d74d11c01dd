/**
 * Reading a status source's body before its type looks at it: one-line
 * reasons for what is not a status answer at all (nothing, an HTML error
 * page, text that is not JSON, JSON of another shape).
 */
import type { z } from 'zod';

export type BodyResult<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly reason: string };

const SHOWN_CHARS = 40;

/** The first characters of a body, on one line, for a reason that shows what came. */
export function opening(body: string): string {
  const flat = body.trim().replace(/\s+/g, ' ');
  return flat.length > SHOWN_CHARS ? `${flat.slice(0, SHOWN_CHARS)}…` : flat;
}

/** An HTML page where data was expected: a proxy's, a CDN's or a login error page. */
export function looksLikeHtml(body: string, contentType: string | undefined): boolean {
  if (contentType && /text\/html/i.test(contentType)) return true;
  return /^\s*(<!doctype html|<html[\s>])/i.test(body);
}

/** What is wrong with a body before any parsing, or undefined when it may be read. */
export function unreadable(body: string, contentType: string | undefined, what: string): string | undefined {
  if (body.trim() === '') return `the answer was empty, not ${what}`;
  if (looksLikeHtml(body, contentType)) return `the answer is an HTML page, not ${what}`;
  return undefined;
}

/** Zod's first issues as "path: message; path: message". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 2)
    .map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`)
    .join('; ');
}

/** JSON of the expected shape, or why the body is not that. */
export function readJson<T>(
  body: string,
  contentType: string | undefined,
  schema: z.ZodType<T>,
  what: string,
): BodyResult<T> {
  const problem = unreadable(body, contentType, what);
  if (problem) return { ok: false, reason: problem };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: `the answer is not JSON ("${opening(body)}"), not ${what}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not ${what}: ${describeIssues(parsed.error.issues)}` };
  return { ok: true, data: parsed.data };
}
