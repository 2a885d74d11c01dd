/**
 * The policy in force while cloudmaster.yml writes no rules: everyone may
 * read; changes run on simulator accounts (nothing real is touched) and for
 * the Slack users in `settings.admins`; anything else is refused with one
 * sentence saying how to allow it. These are ordinary rules, decided by the
 * same code as written ones, so denials and the audit name them and
 * `whoami`, `can-i` and `help` show them.
 */
import { isMutatingVerb } from '../grammar/command.ts';
import { isSlackUser, type RuleConfig } from './schema.ts';
import type { PolicyVerb } from './verbs.ts';

export const DEFAULT_RULES = {
  admins: 'default: admins change',
  reads: 'default: everyone reads',
  simulator: 'default: simulator changes',
  /** What no default rule allows. */
  others: 'default: changes need an admin',
} as const;

/** The provider type whose accounts anyone may change under the default: it touches nothing real. */
export const SIMULATOR_TYPE = 'simulator';

export interface BuiltInRule {
  readonly config: RuleConfig & { readonly name: string };
  /**
   * Provider types, matched exactly. A written rule's `providers` matches an
   * account's id or type alike, so an account named "simulator" of another
   * type would slip into a rule written that way.
   */
  readonly providerTypes?: readonly string[];
}

export function defaultRules(admins: readonly string[]): BuiltInRule[] {
  return [
    ...(admins.length > 0
      ? [
          {
            config: {
              name: DEFAULT_RULES.admins,
              users: [...admins],
              verbs: ['*'],
              effect: 'allow' as const,
            },
          },
        ]
      : []),
    { config: { name: DEFAULT_RULES.reads, verbs: ['read'], effect: 'allow' } },
    {
      config: { name: DEFAULT_RULES.simulator, verbs: ['mutate'], effect: 'allow' },
      providerTypes: [SIMULATOR_TYPE],
    },
  ];
}

/** The one sentence a refused user reads: how to get it allowed. */
export function defaultDenial(user: string, verb: PolicyVerb): string {
  const what = isMutatingVerb(verb) ? 'changes are' : `${verb} is`;
  const how = isSlackUser(user)
    ? `add your Slack id (${user}) to settings.admins`
    : 'map your OS user to an admin’s Slack id under policy.cli';
  return `${what} limited to admins until a policy is written — ${how}, or write a policy: section (docs/safety.md)`;
}

/** The start-up log's word on the policy in force. */
export function defaultSummary(admins: number): string {
  return `default (no policy rules): everyone reads; changes only on simulator accounts and by settings.admins (${admins} admin${admins === 1 ? '' : 's'})`;
}
