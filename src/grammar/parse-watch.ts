/** The outage watch's commands, once their words are read: at most one positional each. */
import type { CommandBase, ParseResult, WatchVerb } from './command.ts';
import { failure, parseBoolean } from './parse-failure.ts';

export function buildWatch(verb: WatchVerb, base: CommandBase, first: string | undefined): ParseResult {
  switch (verb) {
    case 'outages':
    case 'health':
      return { ok: true, command: { ...base, verb } };
    case 'check':
      return { ok: true, command: { ...base, verb, ...(first === undefined ? {} : { source: first }) } };
    case 'resolve':
    case 'acknowledge':
    case 'ticket':
      if (first === undefined)
        return failure(
          'missing-argument',
          `${verb} needs an incident: the ref on its notice (e.g. github-3f9a2c), or SOURCE/KEY.`,
          verb,
        );
      return { ok: true, command: { ...base, verb, incident: first } };
    case 'testmode': {
      if (first === undefined) return { ok: true, command: { ...base, verb } };
      const on = parseBoolean(first);
      if (on === undefined) return failure('bad-value', `testmode takes on or off, not "${first}".`, verb);
      return { ok: true, command: { ...base, verb, on } };
    }
  }
}
