/**
 * Slack's Block Kit limits, and the one place text is clipped to them.
 * Slack refuses a whole message that breaks one (`invalid_blocks`; a
 * response_url answers 400), so the reader would get nothing at all:
 * builders clip instead, ending what they cut with "…".
 */

export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  /** block_id and action_id. */
  id: 255,
  /** Slack truncates longer fallback texts; stay well below. */
  fallbackText: 38_000,
  /**
   * One outside string (a name, a provider's error, a status update) as a
   * message echoes it: more than any real one needs, and short enough that
   * a few still fit in one section.
   */
  echoed: 1000,
} as const;

const ELLIPSIS = '…';
/** How much of the end a middle cut keeps: the rest of the sentence the long value sat in. */
const KEPT_END = 200;

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Where text may end at or before `at` without splitting a character, an
 * entity (`&amp;`) or a token of our own (`<@U123>`, `<url|label>`); in
 * escaped mrkdwn every `&` and `<` is one of ours.
 */
function endBefore(text: string, at: number, mrkdwn: boolean): number {
  let end = at;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  if (!mrkdwn) return end;
  const amp = text.lastIndexOf('&', end - 1);
  if (amp !== -1 && end - amp < 6 && !text.slice(amp, end).includes(';')) end = amp;
  const open = text.lastIndexOf('<', end - 1);
  if (open !== -1 && text.lastIndexOf('>', end - 1) < open) end = open;
  return end;
}

/** Where text may start at or after `at`, by the same rules. */
function startAfter(text: string, at: number, mrkdwn: boolean): number {
  let start = at;
  if (start < text.length && isLowSurrogate(text.charCodeAt(start))) start += 1;
  if (!mrkdwn) return start;
  const amp = text.lastIndexOf('&', start - 1);
  if (amp !== -1 && start - amp < 6 && !text.slice(amp, start).includes(';')) {
    const semi = text.indexOf(';', amp);
    start = semi === -1 ? text.length : semi + 1;
  }
  const open = text.lastIndexOf('<', start - 1);
  if (open !== -1 && text.lastIndexOf('>', start - 1) < open) {
    const close = text.indexOf('>', open);
    start = close === -1 ? text.length : close + 1;
  }
  return start;
}

export interface ClipOptions {
  /** The text is escaped mrkdwn: never cut inside an entity or a `<…>` token. */
  readonly mrkdwn?: boolean;
  /** Keep the end too, cutting in the middle ("No machine named aaa…aaa on demo."). */
  readonly middle?: boolean;
}

/** `text` in at most `limit` characters: as is when it fits, else cut with "…". */
export function clip(text: string, limit: number, options: ClipOptions = {}): string {
  if (text.length <= limit) return text;
  const mrkdwn = options.mrkdwn ?? false;
  if (options.middle) {
    const kept = Math.min(KEPT_END, Math.floor(limit / 3));
    const head = endBefore(text, limit - kept - ELLIPSIS.length, mrkdwn);
    const tail = startAfter(text, text.length - kept, mrkdwn);
    return `${text.slice(0, head)}${ELLIPSIS}${text.slice(tail)}`;
  }
  return `${text.slice(0, endBefore(text, limit - ELLIPSIS.length, mrkdwn))}${ELLIPSIS}`;
}
