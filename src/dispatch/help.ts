/** What `help` answers from: every verb, and which configured providers declare each (with what). */
import type { FixedProvider } from '../entry-points.ts';
import { type CommandOf, PROVIDER_VERBS, type ProviderVerb, VERBS, type Verb } from '../grammar/command.ts';
import type { HelpOutcome } from './outcome.ts';
import { capabilityOf, type ProviderSet, providerRef } from './provider-set.ts';

export function helpOutcome(
  providers: ProviderSet,
  command: CommandOf<'help'>,
  fixed?: FixedProvider,
): HelpOutcome {
  const entries = fixed ? providers.ofType(fixed.type) : providers.entries;
  const availability = VERBS.map((verb) => ({
    verb,
    providers: entries.flatMap((entry) => {
      const capability = (PROVIDER_VERBS as readonly Verb[]).includes(verb)
        ? capabilityOf(entry, verb as ProviderVerb)
        : undefined;
      return capability ? [{ provider: providerRef(entry), capability }] : [];
    }),
  }));
  return {
    kind: 'help',
    ...(command.topic ? { topic: command.topic } : {}),
    configured: entries.map(providerRef),
    availability,
    ...(fixed ? { boundTo: fixed.label } : {}),
  };
}
