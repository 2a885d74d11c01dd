/**
 * Finding the one machine or stack a verb is about. Without `on PROVIDER`
 * the name is looked up on every provider in scope at once: one match is
 * used, several are listed, none gets near-name suggestions. A mutating
 * verb never guesses: if any provider could not be asked, it refuses.
 * Lists and suggestions name only what the caller may see (`maySee`).
 */
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { Resource } from '../../providers/types.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import { isMutatingVerb, type ProviderVerb } from '../grammar/command.ts';
import { type NearCandidate, nearCandidates, nearest } from '../grammar/suggest.ts';
import { plural } from '../replies/wording.ts';
import { type CallOptions, readProvider } from './call.ts';
import { supports } from './provider-set.ts';

/** A resource as the policy asks about it. */
export interface SeenTarget {
  readonly provider: { readonly id: string; readonly type: string };
  readonly name: string;
  readonly environment?: string;
}

/** Whether the caller may see a resource; the safety layer decides (src/safety/reads.ts). */
export type MaySee = (target: SeenTarget) => Promise<boolean>;

export interface LookupRequest {
  readonly name: string;
  readonly verb: ProviderVerb;
  readonly kind?: Resource['kind'];
  /** Stacks only: the environment that must match. */
  readonly environment?: string;
  /** Providers to search: already narrowed to those that can run the verb. */
  readonly scope: readonly ConnectedProvider[];
  /** Left out of ambiguity lists and near names when it says no; everything is seen without it. */
  readonly maySee?: MaySee;
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

function seenTarget(entry: ConnectedProvider, resource: Resource): SeenTarget {
  return {
    provider: { id: entry.account.id, type: entry.account.module.type },
    name: resource.name,
    ...(resource.kind === 'stack' ? { environment: resource.environment } : {}),
  };
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
  const { name, verb, kind, environment, scope, maySee } = request;
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
    const shown: Match[] = [];
    for (const match of matches) {
      if (!maySee || (await maySee(seenTarget(match.entry, match.resource)))) shown.push(match);
    }
    const hidden = matches.length - shown.length;
    throw new CloudmasterError(ErrorCode.Ambiguous, `"${name}" matches ${matchWords(matches)}.`, {
      hint,
      candidates: [
        ...shown.map(describeMatch),
        ...(hidden > 0 ? [`${hidden} more that the policy does not let you see`] : []),
      ],
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
  // Only environments the caller may see are named; seeing none, it is as if the stack were not there.
  const visibleOfKind: Match[] = [];
  for (const found of environment === undefined ? [] : ofKind) {
    if (!maySee || (await maySee(seenTarget(found.entry, found.resource)))) visibleOfKind.push(found);
  }
  if (visibleOfKind.length > 0) {
    const environments = [
      ...new Set(
        visibleOfKind.map(({ resource }) => (resource.kind === 'stack' ? resource.environment : '')),
      ),
    ];
    throw new CloudmasterError(ErrorCode.NotFound, `Stack "${name}" has no environment "${environment}".`, {
      hint: `It has: ${environments.join(', ')}.`,
    });
  }
  const near = await nearNames(name, kind, scope, options, maySee);
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

/**
 * Near names for a "not found" reply, among those the caller may see; a
 * provider that fails here is just left out.
 */
async function nearNames(
  name: string,
  kind: Resource['kind'] | undefined,
  scope: readonly ConnectedProvider[],
  options: CallOptions,
  maySee: MaySee | undefined,
): Promise<string[]> {
  const entries = scope.filter((entry) => supports(entry, 'list'));
  const listings = await Promise.all(
    entries.map((entry) =>
      readProvider(entry, options, `list:${JSON.stringify({})}`, (provider, ctx) => {
        if (!provider.list) throw new Error('no list');
        return provider.list({}, ctx);
      }).then(
        (answer) => answer.value,
        () => undefined,
      ),
    ),
  );
  const visit = (each: (entry: ConnectedProvider, resource: Resource) => void): void => {
    listings.forEach((listing, index) => {
      const entry = entries[index] as ConnectedProvider;
      if (kind !== 'stack') for (const machine of listing?.machines ?? []) each(entry, machine);
      if (kind !== 'machine') for (const stack of listing?.stacks ?? []) each(entry, stack);
    });
  };
  const names: string[] = [];
  visit((_, resource) => names.push(resource.name));
  const near = nearCandidates(name, names);
  if (!maySee || near.length === 0) return nearest(near);
  // Who owns each near name, to ask the policy about it; nearest first, only until the best visible are found.
  const owners = new Map<string, SeenTarget[]>(near.map((entry) => [entry.candidate, []]));
  visit((entry, resource) => owners.get(resource.name)?.push(seenTarget(entry, resource)));
  const visible: NearCandidate[] = [];
  for (const candidate of near) {
    if (visible.length >= 3 || (visible[0] !== undefined && candidate.score > visible[0].score)) break;
    for (const target of owners.get(candidate.candidate) ?? []) {
      if (await maySee(target)) {
        visible.push(candidate);
        break;
      }
    }
  }
  return nearest(visible);
}
