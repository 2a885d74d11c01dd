/**
 * Finding the one machine or stack a verb is about. Without `on PROVIDER`
 * the name is looked up on every provider in scope at once: one match is
 * used, several are listed, none gets near-name suggestions. A mutating
 * verb never guesses: if any provider could not be asked, it refuses.
 */
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { Resource } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { isMutatingVerb, type ProviderVerb } from '../grammar/command.ts';
import { suggest } from '../grammar/suggest.ts';
import { plural } from '../replies/wording.ts';
import { type CallOptions, readProvider } from './call.ts';
import { supports } from './provider-set.ts';

export interface LookupRequest {
  readonly name: string;
  readonly verb: ProviderVerb;
  readonly kind?: Resource['kind'];
  /** Stacks only: the environment that must match. */
  readonly environment?: string;
  /** Providers to search: already narrowed to those that can run the verb. */
  readonly scope: readonly ConnectedProvider[];
}

export interface Unanswered {
  readonly entry: ConnectedProvider;
  readonly error: unknown;
}

export interface LookupResult {
  readonly entry: ConnectedProvider;
  readonly resource: Resource;
  readonly unanswered: readonly Unanswered[];
  /** Set when the match came from the read cache. */
  readonly cachedAgeMs?: number;
}

interface Match {
  readonly entry: ConnectedProvider;
  readonly resource: Resource;
  readonly cachedAgeMs?: number;
}

function describeMatch({ entry, resource }: Match): string {
  const where = resource.kind === 'stack' ? ` (${resource.environment})` : '';
  return `${resource.name}${where} on ${entry.account.id} — id ${resource.id}, ${resource.status}`;
}

const kindWord = (kind: Resource['kind'] | undefined): string =>
  kind === 'stack' ? 'stack' : kind === 'machine' ? 'machine' : 'machine or stack';

/** What several matches are: "2 stacks", "3 machines", "1 machine and 2 stacks". */
function matchWords(matches: readonly Match[]): string {
  const machines = matches.filter((match) => match.resource.kind === 'machine').length;
  const stacks = matches.length - machines;
  return [
    ...(machines > 0 ? [plural(machines, 'machine')] : []),
    ...(stacks > 0 ? [plural(stacks, 'stack')] : []),
  ].join(' and ');
}

export async function lookup(request: LookupRequest, options: CallOptions): Promise<LookupResult> {
  const { name, verb, kind, environment, scope } = request;
  const answers = await Promise.all(
    scope.map(async (entry) => {
      try {
        const answer = await readProvider(entry, options, `status:${name}`, (provider, ctx) => {
          if (!provider.status) throw new Error(`${entry.account.id} declares no status method`);
          return provider.status(name, ctx);
        });
        return { entry, found: answer.value, cachedAgeMs: answer.ageMs, error: undefined };
      } catch (error) {
        return { entry, found: [] as readonly Resource[], cachedAgeMs: undefined, error };
      }
    }),
  );
  const unanswered: Unanswered[] = answers.filter((answer) => answer.error !== undefined) as Unanswered[];
  const ofKind = answers.flatMap(({ entry, found }) =>
    found
      .filter((resource) => kind === undefined || resource.kind === kind)
      .map((resource) => ({ entry, resource })),
  );
  const matches = ofKind.filter(
    ({ resource }) =>
      environment === undefined ||
      (resource.kind === 'stack' && resource.environment.toLowerCase() === environment.toLowerCase()),
  );

  if (matches.length > 1) {
    const stacks = matches.every((match) => match.resource.kind === 'stack');
    const sameProvider = new Set(matches.map((match) => match.entry.account.id)).size === 1;
    const hint =
      stacks && environment === undefined
        ? 'Add `-e ENVIRONMENT` (or `on PROVIDER`) to pick one.'
        : sameProvider
          ? 'Use the id instead of the name.'
          : 'Add `on PROVIDER`, or use the id.';
    throw new CloudmasterError(ErrorCode.Ambiguous, `"${name}" matches ${matchWords(matches)}.`, {
      hint,
      candidates: matches.map(describeMatch),
    });
  }

  const [match] = matches;
  if (match) {
    if (isMutatingVerb(verb) && unanswered.length > 0) {
      const missing = unanswered.map(({ entry }) => entry.account.id).join(', ');
      throw new CloudmasterError(
        ErrorCode.Ambiguous,
        `"${name}" was found on ${match.entry.account.id}, but ${missing} could not be asked, so I cannot be sure it is the only one.`,
        {
          hint: `Say \`${verb} ${name} on ${match.entry.account.id}\` to go ahead.`,
          candidates: unanswered.map(({ entry, error }) => `${entry.account.id}: ${errorSummary(error)}`),
        },
      );
    }
    return { ...match, unanswered };
  }

  // Nothing matched: say why as precisely as we can.
  if (scope.length === 1 && unanswered.length === 1) throw unanswered[0]?.error;
  if (environment !== undefined && ofKind.length > 0) {
    const environments = [
      ...new Set(ofKind.map(({ resource }) => (resource.kind === 'stack' ? resource.environment : ''))),
    ];
    throw new CloudmasterError(ErrorCode.NotFound, `Stack "${name}" has no environment "${environment}".`, {
      hint: `It has: ${environments.join(', ')}.`,
    });
  }
  const near = await nearNames(name, kind, scope, options);
  const where = scope.length === 1 ? ` on ${scope[0]?.account.id}` : '';
  const notAsked =
    unanswered.length > 0
      ? ` (${unanswered.map(({ entry }) => entry.account.id).join(', ')} could not be asked)`
      : '';
  throw new CloudmasterError(ErrorCode.NotFound, `No ${kindWord(kind)} named "${name}"${where}${notAsked}.`, {
    hint: near.length > 0 ? `Did you mean ${near.map((word) => `\`${word}\``).join(' or ')}?` : undefined,
  });
}

function errorSummary(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Near names for a "not found" reply; a provider that fails here is just left out. */
async function nearNames(
  name: string,
  kind: Resource['kind'] | undefined,
  scope: readonly ConnectedProvider[],
  options: CallOptions,
): Promise<string[]> {
  const listings = await Promise.all(
    scope
      .filter((entry) => supports(entry, 'list'))
      .map((entry) =>
        readProvider(entry, options, `list:${JSON.stringify({})}`, (provider, ctx) => {
          if (!provider.list) throw new Error('no list');
          return provider.list({}, ctx);
        }).then(
          (answer) => answer.value,
          () => undefined,
        ),
      ),
  );
  const names = listings.flatMap((listing) => [
    ...(kind === 'stack' ? [] : (listing?.machines ?? []).map((machine) => machine.name)),
    ...(kind === 'machine' ? [] : (listing?.stacks ?? []).map((stack) => stack.name)),
  ]);
  return suggest(name, names);
}
