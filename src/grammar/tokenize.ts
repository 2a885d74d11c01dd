/**
 * Undo what Slack clients do to typed text, then split it into words.
 * Slack wraps links and mentions in angle brackets, escapes &, < and >,
 * curls quotes and turns `--` into a dash; people then copy that text back.
 */

export interface Token {
  readonly text: string;
  /** Quoted tokens are never read as options or keywords. */
  readonly quoted: boolean;
}

export type TokenizeResult =
  | { readonly ok: true; readonly tokens: Token[]; readonly normalized: string }
  | { readonly ok: false; readonly message: string; readonly normalized: string };

const LEADING_MENTION = /^\s*<@[A-Z0-9]+(?:\|[^>]*)?>[\s:,]*/i;
// <http://x|label>, <mailto:a@b|label>, <#C123|general>, <!here>, <@U123>
const SLACK_ESCAPE = /<([^<>]+)>/g;

function unwrapSlackEscape(_match: string, inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : inner.slice(bar + 1);
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (target.startsWith('!')) return `@${label ?? target.slice(1)}`;
  // User mentions stay in Slack's form: later verbs take `--user @x`.
  if (target.startsWith('@')) return `<${target}>`;
  if (label !== undefined) return label;
  return target.startsWith('mailto:') ? target.slice('mailto:'.length) : target;
}

/** Slack's rewrites undone, white space tidied; no splitting yet. */
export function normalizeSlackText(text: string): string {
  return (
    text
      .replace(LEADING_MENTION, '')
      .replace(SLACK_ESCAPE, unwrapSlackEscape)
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&')
      .replace(/[\u201C\u201D\u201E\u201F\u00AB\u00BB]/g, '"')
      .replace(/[\u2018\u2019\u201A\u201B]/g, "'")
      // An em or en dash (or a minus sign) opening a word was typed as `--`.
      .replace(/(^|\s)[\u2014\u2013\u2212]+(?=\S)/g, '$1--')
      .replace(/[\u00A0\u2007\u202F]/g, ' ')
      .replace(/[\u200B-\u200D\uFEFF]/g, '')
      .trim()
  );
}

/** Split on white space; single or double quotes group words. */
export function splitWords(text: string): TokenizeResult {
  const tokens: Token[] = [];
  let current = '';
  let inToken = false;
  let quoted = false;
  let quote: string | undefined;

  for (const char of text) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
      continue;
    }
    if (/\s/.test(char)) {
      if (inToken) tokens.push({ text: current, quoted });
      current = '';
      inToken = false;
      quoted = false;
      continue;
    }
    // A quote opens at the start of a word or right after `=`, so that
    // apostrophes inside words ("don't") stay literal.
    if ((char === '"' || char === "'") && (!inToken || current.endsWith('='))) {
      quote = char;
      // Only a word that opens with a quote is "quoted": `image="a b"` is still a key=value.
      if (!inToken) quoted = true;
      inToken = true;
      continue;
    }
    current += char;
    inToken = true;
  }
  if (quote) {
    return {
      ok: false,
      message: `a ${quote === '"' ? 'double' : 'single'} quote is not closed`,
      normalized: text,
    };
  }
  if (inToken) tokens.push({ text: current, quoted });
  return { ok: true, tokens, normalized: text };
}

export function tokenize(text: string): TokenizeResult {
  return splitWords(normalizeSlackText(text));
}
