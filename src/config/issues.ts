/** Turns zod issues into the one-line-per-problem form config errors use. */
import type { z } from 'zod';
import { suggest } from '../grammar/suggest.ts';

function knownKeys(schema: z.ZodType | undefined): string[] {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType | undefined): string {
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(schema);
    return issue.keys
      .map((key) => {
        const near = suggest(key, known);
        const hint = near.length > 0 ? ` (did you mean "${near.join('" or "')}"?)` : '';
        return `unknown key "${key}"${hint}${known.length > 0 ? `; known keys: ${known.join(', ')}` : ''}`;
      })
      .join('; ');
  }
  // A record's key refused by its own schema: its message says why ("group names are words…").
  if (issue.code === 'invalid_key') return issue.issues.map((inner) => inner.message).join('; ');
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `is required (${issue.expected})`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * `where: prefix.path: what is wrong`, one line per issue. `schema` (when it
 * is an object schema) lets an unknown key be matched to the known ones.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  where: string,
  prefix: readonly string[],
  schema?: z.ZodType,
): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)].join('.');
    return `${where}: ${path || '(top level)'}: ${describeIssue(issue, issue.path.length === 0 ? schema : undefined)}`;
  });
}
