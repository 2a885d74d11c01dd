/**
 * Slack mrkdwn that outside strings cannot turn against its readers. In
 * mrkdwn `&`, `<` and `>` are control characters: `<!channel>` pings a
 * whole channel and `<https://evil.example|web-1>` is a link dressed as a
 * machine. A message's `text` and its blocks take only `Mrkdwn`, and the
 * only ways to make one are `md` (which escapes every string it is given)
 * and the constructors here for what we format ourselves (mentions, dates,
 * links, code) — so a name, a provider's error or a status update reaches
 * Slack escaped, in the notification text and the blocks alike.
 */
import { clip, LIMITS } from './limits.ts';

let made: (text: string) => Mrkdwn;
let textOf: (value: Mrkdwn) => string;

/**
 * Text Slack may read as mrkdwn: every outside string in it is escaped.
 * Its constructor is private and its text a private field, so nothing but
 * the functions of this module can make one.
 */
export class Mrkdwn {
  readonly #text: string;

  private constructor(text: string) {
    this.#text = text;
  }

  static {
    made = (text) => new Mrkdwn(text);
    textOf = (value) => value.#text;
  }
}

export type MdValue = Mrkdwn | string | number;

/** The string to send. */
export function mrkdwnText(value: Mrkdwn): string {
  return textOf(value);
}

/** The one escape for Slack mrkdwn, used for `text` and blocks alike. */
export function escapeMrkdwn(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An outside string as a message shows it: escaped, and clipped in the middle when very long. */
function outside(text: string): string {
  return clip(escapeMrkdwn(text), LIMITS.echoed, { mrkdwn: true, middle: true });
}

function piece(value: MdValue): string {
  if (typeof value === 'string') return outside(value);
  return typeof value === 'number' ? String(value) : textOf(value);
}

/**
 * Mrkdwn from a template: its literal parts are ours (formatting, emoji),
 * every interpolated string is escaped, and Mrkdwn values are kept.
 * md`*${name}* on ${provider}` — whatever `name` holds, it stays a name.
 */
export function md(strings: TemplateStringsArray, ...values: readonly MdValue[]): Mrkdwn {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) {
    text += piece(values[index] as MdValue) + (strings[index + 1] ?? '');
  }
  return made(text);
}

/** Parts joined by a separator (escaped too, should it ever be someone else's). */
export function joinMd(parts: readonly MdValue[], separator: string): Mrkdwn {
  return made(parts.map(piece).join(escapeMrkdwn(separator)));
}

/** A user (or user group) as a mention when it is a Slack id; anything else (a CLI user) as text. */
export function mention(user: string): Mrkdwn {
  if (/^[UW][A-Z0-9]+$/.test(user)) return made(`<@${user}>`);
  return /^S[A-Z0-9]+$/.test(user) ? made(`<!subteam^${user}>`) : md`${user}`;
}

/** A channel as a link when it is a channel id (`C…`, `G…`), else the name as written. */
export function channelLink(channel: string): Mrkdwn {
  return /^[CG][A-Z0-9]+$/.test(channel) ? made(`<#${channel}>`) : md`${channel}`;
}

/** A moment each reader sees in their own time zone; `fallback` where the client cannot. */
export function slackDate(ms: number, fallback: string): Mrkdwn {
  return made(`<!date^${Math.floor(ms / 1000)}^{time}|${escapeMrkdwn(fallback)}>`);
}

/** A link with a label; only http(s) addresses become links, anything else leaves the label alone. */
export function link(url: string, label: MdValue): Mrkdwn {
  const shown = piece(label);
  if (!/^https?:\/\/[^\s]+$/i.test(url) || url.length > LIMITS.echoed) return made(shown);
  return made(`<${url.replace(/[<>|]/g, encodeURIComponent).replace(/&/g, '&amp;')}|${shown}>`);
}

/** Inline code, safe for any content (a backtick inside would end it). */
export function code(text: string): Mrkdwn {
  return made(`\`${outside(text.replace(/`/g, "'"))}\``);
}

/**
 * Text our own code wrote with mentions in it (the gatekeeper's "Only
 * <@U1> can approve"): well-formed user, group and channel mentions stay,
 * everything else is escaped.
 */
export function withMentions(text: string): Mrkdwn {
  const token = /<@[UW][A-Z0-9]+>|<!subteam\^S[A-Z0-9]+>|<#[CG][A-Z0-9]+>/g;
  let out = '';
  let from = 0;
  for (const found of text.matchAll(token)) {
    out += outside(text.slice(from, found.index)) + found[0];
    from = found.index + found[0].length;
  }
  return made(out + outside(text.slice(from)));
}

/** Clipped to `limit` without cutting an entity or a token of ours. */
export function clipMrkdwn(value: Mrkdwn, limit: number): Mrkdwn {
  return made(clip(textOf(value), limit, { mrkdwn: true }));
}

/**
 * Mrkdwn back to plain text for the terminal: mentions as ids, dates as
 * their fallback, links as label and address, entities decoded.
 */
export function plainText(value: Mrkdwn | string): string {
  const text = typeof value === 'string' ? value : textOf(value);
  return text
    .replace(/<([^<>]*)>/g, (_token, inner: string) => {
      const bar = inner.indexOf('|');
      const target = bar === -1 ? inner : inner.slice(0, bar);
      const label = bar === -1 ? undefined : inner.slice(bar + 1);
      if (target.startsWith('@') || target.startsWith('#')) return target.slice(1);
      if (target.startsWith('!subteam^')) return target.slice('!subteam^'.length);
      if (target.startsWith('!date^')) return label ?? '';
      return label === undefined ? target : `${label} (${target})`;
    })
    .replace(/&(amp|lt|gt);/g, (_entity, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}
