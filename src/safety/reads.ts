/**
 * What the policy changes in read answers: help lists only what the caller
 * may run (and on which providers), a listing only the machines and stacks
 * the caller may list, saying how many it leaves out, and a lookup's near
 * names and ambiguity lists only what the caller may see.
 */
import type { MaySee } from '../dispatch/lookup.ts';
import type { HelpOutcome, ListOutcome, ListSection } from '../dispatch/outcome.ts';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Verb } from '../grammar/command.ts';
import type { Policy, PolicySubject } from '../policy/policy.ts';
import { isGoverned } from '../policy/verbs.ts';

export async function filterHelp(
  policy: Policy,
  subject: PolicySubject,
  outcome: HelpOutcome,
): Promise<HelpOutcome> {
  const hidden: Verb[] = [];
  const availability = await Promise.all(
    outcome.availability.map(async (entry) => {
      if (!isGoverned(entry.verb)) return entry;
      if (entry.providers.length === 0) {
        if (!(await policy.outlook({ ...subject, verb: entry.verb })).possible) hidden.push(entry.verb);
        return entry;
      }
      const providers = [];
      for (const candidate of entry.providers) {
        const outlook = await policy.outlook({
          ...subject,
          verb: entry.verb,
          provider: { id: candidate.provider.id, type: candidate.provider.type },
        });
        if (outlook.possible) providers.push(candidate);
      }
      if (providers.length === 0) hidden.push(entry.verb);
      return { ...entry, providers };
    }),
  );
  return { ...outcome, availability, hidden };
}

export async function filterListing(
  policy: Policy,
  subject: PolicySubject,
  outcome: ListOutcome,
): Promise<ListOutcome> {
  const sections = await Promise.all(
    outcome.sections.map(async (section): Promise<ListSection> => {
      const provider = { id: section.provider.id, type: section.provider.type };
      const outlook = await policy.outlook({ ...subject, verb: 'list', provider });
      if (!outlook.possible) {
        const { listing: _, ...rest } = section;
        return {
          ...rest,
          error: new CloudmasterError(
            ErrorCode.Unsupported,
            `You may not list ${section.provider.id}: ${outlook.reason}.`,
            { provider: section.provider.id },
          ),
        };
      }
      if (!section.listing || !outlook.depends) return section;
      const allowed = async (name: string): Promise<boolean> =>
        (await policy.decide({ ...subject, verb: 'list', provider, target: name })).effect === 'allow';
      const machines = [];
      for (const machine of section.listing.machines) if (await allowed(machine.name)) machines.push(machine);
      const stacks = [];
      for (const stack of section.listing.stacks) if (await allowed(stack.name)) stacks.push(stack);
      const left =
        section.listing.machines.length + section.listing.stacks.length - machines.length - stacks.length;
      const warnings =
        left > 0
          ? [...section.listing.warnings, `${left} not shown: the policy does not let you list them`]
          : section.listing.warnings;
      return { ...section, listing: { machines, stacks, warnings } };
    }),
  );
  return { ...outcome, sections };
}

/** What `subject` may see of a resource: what the policy lets them `status` or `list`. */
export function maySee(policy: Policy, subject: PolicySubject): MaySee {
  return async ({ provider, name, environment }) => {
    for (const verb of ['status', 'list'] as const) {
      const question = { ...subject, verb, provider, target: name };
      const decision = await policy.decide(
        environment === undefined ? question : { ...question, environment },
      );
      if (decision.effect === 'allow') return true;
    }
    return false;
  };
}
