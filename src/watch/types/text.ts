/**
 * Small readings every source type shares: times into ISO 8601 UTC, status
 * page markup into plain text.
 */
import { z } from 'zod';

/** Any date the sources write (ISO 8601 with offsets, RFC 822 in RSS) as ISO 8601 UTC. */
export function isoTime(text: string | null | undefined): string | undefined {
  if (text === null || text === undefined || text.trim() === '') return undefined;
  const ms = Date.parse(text.trim());
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** A time the source must give: a string that is a date, or a clear issue. */
export const requiredTime = z.string().transform((text, ctx) => {
  const iso = isoTime(text);
  if (iso === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date` });
    return z.NEVER;
  }
  return iso;
});

/** A time the source may leave out, write as null or as "" (Google Cloud's open `end`). */
export const optionalTime = z
  .string()
  .nullish()
  .transform((text) => isoTime(text));

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]+);/gi, (whole, name: string) => {
    if (!name.startsWith('#')) return ENTITIES[name.toLowerCase()] ?? whole;
    const hex = name[1] === 'x' || name[1] === 'X';
    const code = Number.parseInt(name.slice(hex ? 2 : 1), hex ? 16 : 10);
    // A number past Unicode would make fromCodePoint throw: keep the text as written.
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

/**
 * Status page markup (HTML, Markdown emphasis) as one readable line. A tag
 * is `<` to the next `>` with no `<` between: a run of unclosed `<` would
 * otherwise be scanned to the end once per `<` (quadratic).
 */
export function plainText(markup: string): string {
  return decodeEntities(
    markup
      .replace(/<br\s{0,20}\/?>|<\/p>|<\/li>/gi, ' ')
      .replace(/<[^<>]*>/g, '')
      .replace(/\*\*/g, ''),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

/** Newest first by an ISO time (ISO 8601 UTC strings sort as times); undated ones last. */
export function newestFirst<T>(items: readonly T[], timeOf: (item: T) => string | undefined): T[] {
  return [...items].sort((a, b) => (timeOf(b) ?? '').localeCompare(timeOf(a) ?? ''));
}

/** `text` without the `char`s it ends with, in one pass (`/\/+$/` rescans a run for every start). */
export function trimEnd(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}

/**
 * `html` without every `<open>…<close>` element (ASCII case-insensitive), by
 * index: a lazy `<open>[\s\S]*?<close>` rescans the rest for every unclosed `<open>`.
 */
export function withoutElements(html: string, open: string, close: string): string {
  const lower = html.toLowerCase();
  let kept = '';
  let from = 0;
  for (;;) {
    const start = lower.indexOf(open, from);
    if (start === -1) break;
    const end = lower.indexOf(close, start + open.length);
    if (end === -1) break;
    kept += html.slice(from, start);
    from = end + close.length;
  }
  return kept + html.slice(from);
}
