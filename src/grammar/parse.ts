/**
 * The grammar: text (or shell words) in, a typed command or a typed usage
 * error out. Pure: no I/O, no configuration; provider ids are checked later
 * by the dispatcher, which knows what is configured.
 */

import type { Command, CommandBase, ParseResult, UsageErrorCode, Verb } from './command.ts';
import { unsafeCharacter } from './name-characters.ts';
import {
  OPTIONS,
  type OptionName,
  type OptionSpec,
  optionByForm,
  optionByKey,
  UNIVERSAL_OPTIONS,
} from './options.ts';
import { DEFAULT_JOBS_LIMIT, parseAudit, parseCanI, parseLimit, parseWebhooks } from './parse-bot.ts';
import { failure, parseBoolean } from './parse-failure.ts';
import { buildWatch } from './parse-watch.ts';
import { suggest } from './suggest.ts';
import { type Token, tokenize } from './tokenize.ts';
import { type VerbSpec, verbByWord, verbSpec, verbWords } from './verbs.ts';

/** Verbs for which `on` is a word of their own, not `on PROVIDER`: `help on`, `testmode on`. */
const ON_IS_A_WORD: ReadonlySet<Verb> = new Set(['help', 'testmode']);

/**
 * The longest command read, in characters. Slack truncates a message at
 * 40,000 and asks clients to keep what they send to 4,000; no command of
 * this grammar comes near it. Anything longer is refused before any work.
 */
export const MAX_COMMAND_LENGTH = 4_000;

function tooLong(length: number): ParseResult | undefined {
  if (length <= MAX_COMMAND_LENGTH) return undefined;
  // Grouped by hand: the first toLocaleString of a process loads ICU data (~100 ms).
  const grouped = (count: number): string => String(count).replace(/\B(?=(\d{3})+$)/g, ',');
  return failure(
    'too-long',
    `That command is ${grouped(length)} characters long; I read commands of up to ${grouped(MAX_COMMAND_LENGTH)}. Nothing was done.`,
  );
}

/** Parse a line typed in Slack (mention prefix, links, curly quotes…). */
export function parse(text: string): ParseResult {
  const refused = tooLong(text.length);
  if (refused) return refused;
  const result = tokenize(text);
  if (!result.ok) return failure('unbalanced-quote', `I could not read that: ${result.message}.`);
  return parseTokens(result.tokens, result.normalized);
}

/** Parse words already split by a shell (the CLI's argv). */
export function parseWords(words: readonly string[]): ParseResult {
  const refused = tooLong(words.reduce((sum, word) => sum + word.length + 1, -1));
  if (refused) return refused;
  const tokens = words.map((text) => ({ text, quoted: false }));
  const raw = words.map((word) => (/[\s"']/.test(word) ? JSON.stringify(word) : word)).join(' ');
  return parseTokens(tokens, raw);
}

interface Collected {
  readonly values: Partial<Record<OptionName, string | boolean>>;
  readonly params: Record<string, string>;
  readonly positionals: string[];
  provider?: string;
}

class UsageFailure {
  readonly result: ParseResult;
  constructor(result: ParseResult) {
    this.result = result;
  }
}

function allowedOptions(spec: VerbSpec): Set<OptionName> {
  return new Set([...UNIVERSAL_OPTIONS, ...spec.options]);
}

function looksLikeOption(token: Token | undefined): boolean {
  return token !== undefined && !token.quoted && /^--?[a-z?]/i.test(token.text);
}

/** Walks the words after the verb, collecting options, params and positionals. */
class ArgumentReader {
  private readonly tokens: readonly Token[];
  private readonly spec: VerbSpec;
  private readonly allowed: Set<OptionName>;
  private index = 0;
  readonly collected: Collected = { values: {}, params: {}, positionals: [] };

  constructor(tokens: readonly Token[], spec: VerbSpec) {
    this.tokens = tokens;
    this.spec = spec;
    this.allowed = allowedOptions(spec);
  }

  private fail(code: UsageErrorCode, message: string, suggestions: string[] = []): never {
    throw new UsageFailure(failure(code, message, this.spec.verb, suggestions));
  }

  read(): Collected {
    let optionsEnded = false;
    while (this.index < this.tokens.length) {
      const token = this.tokens[this.index++] as Token;
      if (optionsEnded || token.quoted) {
        this.collected.positionals.push(token.text);
      } else if (token.text === '--') {
        optionsEnded = true;
      } else if (token.text.toLowerCase() === 'on' && !ON_IS_A_WORD.has(this.spec.verb)) {
        this.setProvider(this.takeValue('`on`', 'the id or type of a configured provider'));
      } else if (looksLikeOption(token)) {
        this.readDashed(token.text);
      } else if (/^[a-z][\w.-]*=/i.test(token.text)) {
        const eq = token.text.indexOf('=');
        this.readKeyValue(token.text.slice(0, eq), token.text.slice(eq + 1));
      } else {
        this.collected.positionals.push(token.text);
      }
    }
    return this.collected;
  }

  private takeValue(what: string, expected: string): string {
    const next = this.tokens[this.index];
    if (next === undefined || looksLikeOption(next))
      this.fail('missing-value', `${what} needs a value: ${expected}.`);
    this.index++;
    return next.text;
  }

  private setProvider(provider: string): void {
    const previous = this.collected.provider;
    if (previous !== undefined && previous.toLowerCase() !== provider.toLowerCase()) {
      this.fail('bad-value', `Two providers were given (${previous} and ${provider}); name one.`);
    }
    this.collected.provider = provider;
  }

  private readDashed(text: string): void {
    const eq = text.indexOf('=');
    const form = eq === -1 ? text : text.slice(0, eq);
    const inline = eq === -1 ? undefined : text.slice(eq + 1);
    const name = optionByForm(form);
    if (name && this.allowed.has(name)) {
      this.setOption(name, form, inline);
      return;
    }
    const key = form.replace(/^--?/, '').toLowerCase();
    if (this.spec.params && form.startsWith('--')) {
      this.setParam(key, inline ?? this.takeValue(form, `a value for ${key}`));
      return;
    }
    if (name) {
      this.fail('unknown-option', `${this.spec.verb} does not take ${form}.`);
    }
    const forms = [...this.allowed].flatMap((option) => {
      const spec: OptionSpec = OPTIONS[option];
      return spec.short ? [`--${spec.long}`, `-${spec.short}`] : [`--${spec.long}`];
    });
    this.fail('unknown-option', `${form} is not an option of ${this.spec.verb}.`, suggest(form, forms));
  }

  private readKeyValue(key: string, value: string): void {
    const name = optionByKey(key);
    if (name && this.allowed.has(name) && name !== 'help') {
      this.setOption(name, `${key}=`, value);
      return;
    }
    if (this.spec.params) {
      this.setParam(key.toLowerCase(), value);
      return;
    }
    this.fail('unknown-option', `${this.spec.verb} takes no parameter \`${key}\`.`);
  }

  private setParam(key: string, value: string): void {
    if (value === '') this.fail('missing-value', `${key}= needs a value.`);
    if (key === 'provider') {
      this.setProvider(value);
      return;
    }
    const previous = this.collected.params[key];
    if (previous !== undefined && previous !== value) {
      this.fail('bad-value', `${key} was given twice (${previous} and ${value}); give it once.`);
    }
    this.collected.params[key] = value;
  }

  private setOption(name: OptionName, form: string, inline: string | undefined): void {
    const spec: OptionSpec = OPTIONS[name];
    let value: string | boolean;
    if (spec.kind === 'flag') {
      const flag = inline === undefined ? true : parseBoolean(inline);
      if (flag === undefined) this.fail('bad-value', `${form} is a flag; it takes no value.`);
      value = flag;
    } else if (spec.kind === 'boolean') {
      const next = this.tokens[this.index];
      const fromNext = inline === undefined && next && !next.quoted ? parseBoolean(next.text) : undefined;
      if (fromNext !== undefined) this.index++;
      const parsed = inline === undefined ? (fromNext ?? true) : parseBoolean(inline);
      if (parsed === undefined) this.fail('bad-value', `${form} takes true or false, not "${inline}".`);
      value = parsed;
    } else {
      value = inline ?? this.takeValue(form, spec.description);
      if (value === '') this.fail('missing-value', `${form} needs a value: ${spec.description}.`);
    }
    if (name === 'provider' && typeof value === 'string') {
      this.setProvider(value);
      return;
    }
    const previous = this.collected.values[name];
    if (previous !== undefined && previous !== value) {
      this.fail(
        'bad-value',
        `${form} was given twice (${String(previous)} and ${String(value)}); give it once.`,
      );
    }
    this.collected.values[name] = value;
  }
}

function stringValue(collected: Collected, name: OptionName): string | undefined {
  const value = collected.values[name];
  return typeof value === 'string' ? value : undefined;
}

function flagValue(collected: Collected, name: OptionName): boolean {
  return collected.values[name] === true;
}

/** Builds the typed command once the words are read. */
function build(spec: VerbSpec, collected: Collected, raw: string): ParseResult {
  const base: CommandBase = {
    raw,
    fresh: flagValue(collected, 'fresh'),
    json: flagValue(collected, 'json'),
    yes: flagValue(collected, 'yes'),
    ...(collected.provider === undefined ? {} : { provider: collected.provider }),
  };
  const stack = stringValue(collected, 'stack');
  const environment = stringValue(collected, 'environment');
  const service = stringValue(collected, 'service');
  const [first, ...extra] = collected.positionals;

  if (flagValue(collected, 'help')) return { ok: true, command: { ...base, verb: 'help', topic: spec.verb } };
  if (spec.noProvider && collected.provider !== undefined) {
    return failure(
      'unexpected-argument',
      `${spec.verb} is about cloudmaster itself; it takes no provider.`,
      spec.verb,
    );
  }

  // Igor's `stop -s STACK` cancels a deployment.
  if (spec.verb === 'stop' && stack !== undefined) {
    if (first !== undefined) {
      return failure(
        'unexpected-argument',
        `stop -s ${stack} cancels a deployment; it takes no machine name.`,
        'cancel',
      );
    }
    return parseCancel(base, stack, environment, service);
  }
  if (extra.length > 0 || (first !== undefined && !spec.positional)) {
    const words = spec.positional ? extra : collected.positionals;
    const hint = spec.requiredOptions?.includes('stack') ? ` (name the stack with -s ${words[0]})` : '';
    return failure(
      'unexpected-argument',
      `${spec.verb} does not take "${words.join(' ')}"${hint}.`,
      spec.verb,
    );
  }
  const missingName = (what: string): ParseResult =>
    failure('missing-argument', `${spec.verb} needs ${what}.`, spec.verb);

  switch (spec.verb) {
    case 'help': {
      if (first === undefined) return { ok: true, command: { ...base, verb: 'help' } };
      const topic = verbByWord(first);
      if (!topic) {
        return failure('unknown-verb', `There is no verb "${first}".`, 'help', suggest(first, verbWords()));
      }
      return { ok: true, command: { ...base, verb: 'help', topic: topic.verb } };
    }
    case 'providers':
      return { ok: true, command: { ...base, verb: 'providers' } };
    case 'list': {
      const region = stringValue(collected, 'region');
      const command: Command = {
        ...base,
        verb: 'list',
        ...(first === undefined ? {} : { filter: first }),
        ...(region === undefined ? {} : { region }),
        ...(stack === undefined ? {} : { stack }),
      };
      return { ok: true, command };
    }
    case 'status': {
      const name = first ?? stack;
      if (name === undefined) return missingName('the name or id of a machine (or -s STACK)');
      if (first !== undefined && stack !== undefined) {
        return failure('unexpected-argument', `Give a machine name or -s STACK, not both.`, 'status');
      }
      const command: Command = {
        ...base,
        verb: 'status',
        name,
        stackOnly: first === undefined,
        ...(environment === undefined ? {} : { environment }),
      };
      return { ok: true, command };
    }
    case 'reboot':
    case 'start':
    case 'destroy':
      if (first === undefined) return missingName('the name or id of a machine');
      return { ok: true, command: { ...base, verb: spec.verb, name: first } };
    case 'stop':
      if (first === undefined)
        return missingName('the name or id of a machine (or -s STACK to cancel a deployment)');
      return {
        ok: true,
        command: {
          ...base,
          verb: 'stop',
          name: first,
          force: flagValue(collected, 'force'),
          deallocate: flagValue(collected, 'deallocate'),
        },
      };
    case 'create': {
      if (first === undefined) return missingName('a name for the new machine');
      if (collected.provider === undefined) {
        return failure('missing-argument', `create needs a provider: add \`on PROVIDER\`.`, 'create');
      }
      const named = Object.entries(collected.params).map(([key, value]) => [`${key}=`, value] as const);
      for (const [what, text] of [['The name', first] as const, ...named]) {
        const unsafe = unsafeCharacter(text);
        if (unsafe) {
          return failure(
            'bad-value',
            `${what} cannot hold control, line-separator or text-direction characters; it has ${unsafe}.`,
            'create',
          );
        }
      }
      return { ok: true, command: { ...base, verb: 'create', name: first, params: { ...collected.params } } };
    }
    case 'deploy': {
      if (stack === undefined) return missingName('a stack: -s STACK');
      const wait = collected.values.wait;
      const command: Command = {
        ...base,
        verb: 'deploy',
        stack,
        wait: wait !== false,
        ...(environment === undefined ? {} : { environment }),
        ...(service === undefined ? {} : { service }),
      };
      return { ok: true, command };
    }
    case 'cancel':
      if (stack === undefined) return missingName('a stack: -s STACK');
      return parseCancel(base, stack, environment, service);
    case 'jobs': {
      const limit = parseLimit(stringValue(collected, 'limit'), DEFAULT_JOBS_LIMIT, 'jobs');
      return typeof limit === 'number' ? { ok: true, command: { ...base, verb: 'jobs', limit } } : limit;
    }
    case 'job':
      if (first === undefined) return missingName('a job id, e.g. `job 4F7K2Q`');
      return { ok: true, command: { ...base, verb: 'job', id: first.toUpperCase(), action: 'show' } };
    case 'audit':
      return parseAudit(base, {
        user: stringValue(collected, 'user'),
        since: stringValue(collected, 'since'),
        verb: stringValue(collected, 'verb'),
        limit: stringValue(collected, 'limit'),
      });
    case 'whoami':
      return { ok: true, command: { ...base, verb: 'whoami' } };
    case 'webhooks':
      // Read before build: `webhooks retry ID` (see parseTokens).
      return { ok: true, command: { ...base, verb: 'webhooks' } };
    case 'can-i':
      // Read before build: can-i takes a whole command (see parseTokens).
      return missingName('a command to ask about, e.g. `can-i reboot web-1`');
    case 'outages':
    case 'health':
    case 'check':
    case 'resolve':
    case 'acknowledge':
    case 'ticket':
    case 'testmode':
      return buildWatch(spec.verb, base, first);
  }
}

function parseCancel(base: CommandBase, stack: string, environment?: string, service?: string): ParseResult {
  const command: Command = {
    ...base,
    verb: 'cancel',
    stack,
    ...(environment === undefined ? {} : { environment }),
    ...(service === undefined ? {} : { service }),
  };
  return { ok: true, command };
}

export function parseTokens(tokens: readonly Token[], raw: string): ParseResult {
  const [first, ...rest] = tokens;
  if (first === undefined)
    return { ok: true, command: { raw, verb: 'help', fresh: false, json: false, yes: false } };
  const spec = first.quoted ? undefined : verbByWord(first.text);
  if (!spec) {
    return failure(
      'unknown-verb',
      `"${first.text}" is not a verb I know.`,
      undefined,
      suggest(first.text, verbWords()),
    );
  }
  if (spec.verb === 'can-i') return parseCanI(rest, raw, parseTokens);
  if (spec.verb === 'webhooks') return parseWebhooks(rest, raw);
  // `cancel job ID`: a job, not a deployment.
  if (spec.verb === 'cancel' && rest[0] && !rest[0].quoted && rest[0].text.toLowerCase() === 'job') {
    const parsed = parseTokens([{ text: 'job', quoted: false }, ...rest.slice(1)], raw);
    if (!parsed.ok || parsed.command.verb !== 'job') return parsed;
    return { ok: true, command: { ...parsed.command, action: 'cancel' } };
  }
  // `stop -s STACK` reads stack options, so stop accepts them for that form.
  const readerSpec =
    spec.verb === 'stop' ? { ...spec, options: [...spec.options, ...verbSpec('cancel').options] } : spec;
  try {
    const collected = new ArgumentReader(rest, readerSpec).read();
    if (spec.verb === 'stop' && collected.values.stack === undefined) {
      for (const name of ['environment', 'service'] as const) {
        if (collected.values[name] !== undefined) {
          return failure('unknown-option', `stop takes --${name} only with -s STACK.`, 'stop');
        }
      }
    }
    return build(spec, collected, raw);
  } catch (error) {
    if (error instanceof UsageFailure) return error.result;
    throw error;
  }
}
