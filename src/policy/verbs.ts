/**
 * Which verbs the policy governs, and the words rules may use for sets of
 * them. `help`, `whoami` and `can-i` only tell people about their own
 * rights, so everyone may always run them.
 */
import { MUTATING_VERBS, VERBS, type Verb } from '../grammar/command.ts';

export const UNGOVERNED_VERBS = ['help', 'whoami', 'can-i'] as const satisfies readonly Verb[];

export type PolicyVerb = Exclude<Verb, (typeof UNGOVERNED_VERBS)[number]>;

export const POLICY_VERBS: readonly PolicyVerb[] = VERBS.filter(
  (verb): verb is PolicyVerb => !(UNGOVERNED_VERBS as readonly string[]).includes(verb),
);

/**
 * What `read` means in a rule: looking, never changing. `jobs` and `job`,
 * and the outage watch's `outages`, `check` (a poll of public status pages)
 * and `health` are reads;
 * `resolve`, `acknowledge`, `ticket` and `testmode` are not, and rules name them.
 */
export const READ_VERBS = [
  'list',
  'status',
  'providers',
  'jobs',
  'job',
  'outages',
  'check',
  'health',
  'webhooks',
] as const satisfies readonly PolicyVerb[];

/** Words a rule's `verbs:` may hold besides verb names. */
export const VERB_SETS: Readonly<Record<string, readonly PolicyVerb[]>> = {
  '*': POLICY_VERBS,
  read: READ_VERBS,
  mutate: MUTATING_VERBS,
};

export function isGoverned(verb: Verb): verb is PolicyVerb {
  return (POLICY_VERBS as readonly string[]).includes(verb);
}

export function isReadVerb(verb: Verb): boolean {
  return (READ_VERBS as readonly string[]).includes(verb);
}

/** `[read, destroy]` → the verbs named, sets expanded; unknown words are returned apart. */
export function expandVerbs(words: readonly string[]): { verbs: Set<PolicyVerb>; unknown: string[] } {
  const verbs = new Set<PolicyVerb>();
  const unknown: string[] = [];
  for (const word of words) {
    const lower = word.toLowerCase();
    const set = VERB_SETS[lower];
    if (set) for (const verb of set) verbs.add(verb);
    else if ((POLICY_VERBS as readonly string[]).includes(lower)) verbs.add(lower as PolicyVerb);
    else unknown.push(word);
  }
  return { verbs, unknown };
}
