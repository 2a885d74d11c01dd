/** The bot's own verbs once their words are read: `audit`'s filters, `jobs`' limit, `can-i`'s question. */
import { parseDuration } from '../config/duration.ts';
import type { Command, CommandBase, ParseResult, Verb } from './command.ts';
import { failure } from './parse-failure.ts';
import { suggest } from './suggest.ts';
import type { Token } from './tokenize.ts';
import { verbByWord, verbWords } from './verbs.ts';

export const DEFAULT_AUDIT_LIMIT = 20;
export const DEFAULT_JOBS_LIMIT = 15;
const MAX_LIMIT = 500;
const USER_MENTION = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/i;

/** `--limit N`: a whole number from 1 to 500, or the usage failure saying so. */
export function parseLimit(text: string | undefined, fallback: number, verb: Verb): number | ParseResult {
  const limit = text === undefined ? fallback : Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return failure('bad-value', `--limit takes a whole number from 1 to ${MAX_LIMIT}, not "${text}".`, verb);
  }
  return limit;
}

export interface AuditWords {
  readonly user: string | undefined;
  readonly since: string | undefined;
  readonly verb: string | undefined;
  readonly limit: string | undefined;
}

export function parseAudit(base: CommandBase, words: AuditWords): ParseResult {
  const { user, since, verb: verbWord } = words;
  let userId: string | undefined;
  if (user !== undefined) {
    userId = USER_MENTION.exec(user)?.[1] ?? (/^[UW][A-Z0-9]{2,}$/.test(user) ? user : undefined);
    if (userId === undefined) {
      return failure('bad-value', `--user takes a Slack user (@name or a U… id), not "${user}".`, 'audit');
    }
  }
  const sinceMs = since === undefined ? undefined : parseDuration(since);
  if (since !== undefined && (sinceMs === undefined || sinceMs <= 0)) {
    return failure('bad-value', `--since takes an age such as 30m, 24h or 7d, not "${since}".`, 'audit');
  }
  const verbFilter = verbWord === undefined ? undefined : verbByWord(verbWord)?.verb;
  if (verbWord !== undefined && verbFilter === undefined) {
    return failure(
      'bad-value',
      `--verb: there is no verb "${verbWord}".`,
      'audit',
      suggest(verbWord, verbWords()),
    );
  }
  const limit = parseLimit(words.limit, DEFAULT_AUDIT_LIMIT, 'audit');
  if (typeof limit !== 'number') return limit;
  const command: Command = {
    ...base,
    verb: 'audit',
    limit,
    ...(userId === undefined ? {} : { user: userId.toUpperCase() }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(verbFilter === undefined ? {} : { verbFilter }),
  };
  return { ok: true, command };
}

/** `can-i VERB …`: the rest is a command of its own, read by the same grammar (`parseTokens`). */
export function parseCanI(
  rest: readonly Token[],
  raw: string,
  parseTokens: (tokens: readonly Token[], raw: string) => ParseResult,
): ParseResult {
  const inner = raw.replace(/^\s*\S+\s*/, '');
  if (rest.length === 0) {
    return failure(
      'missing-argument',
      'can-i needs a command to ask about, e.g. `can-i reboot web-1`.',
      'can-i',
    );
  }
  const question = parseTokens(rest, inner);
  if (!question.ok)
    return { ok: false, error: { ...question.error, message: `can-i ${question.error.message}` } };
  const asked = question.command;
  if (asked.verb === 'help' || asked.verb === 'whoami' || asked.verb === 'can-i') {
    return failure(
      'bad-value',
      `can-i asks about commands that read or change something, not ${asked.verb}.`,
      'can-i',
    );
  }
  return {
    ok: true,
    command: { raw, verb: 'can-i', question: asked, fresh: false, json: asked.json, yes: false },
  };
}

/** `webhooks` shows the endpoints; `webhooks retry ID` sends an event again. */
export function parseWebhooks(rest: readonly Token[], raw: string): ParseResult {
  const base = {
    raw,
    fresh: false,
    json: rest.some((token) => !token.quoted && token.text === '--json'),
    yes: false,
  };
  const words = rest.filter((token) => token.quoted || token.text !== '--json').map((token) => token.text);
  if (words.length === 0) return { ok: true, command: { ...base, verb: 'webhooks' } };
  if (words[0]?.toLowerCase() !== 'retry')
    return failure(
      'unexpected-argument',
      `webhooks takes nothing, or \`retry ID\`; not "${words.join(' ')}".`,
      'webhooks',
    );
  const id = words[1];
  if (id === undefined || words.length > 2 || !/^[\w.-]{1,100}$/.test(id))
    return failure(
      'missing-argument',
      'webhooks retry needs one event id, e.g. `webhooks retry evt_m1x2y3`.',
      'webhooks',
    );
  return { ok: true, command: { ...base, verb: 'webhooks', retry: id } };
}
