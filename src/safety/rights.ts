/**
 * `whoami` and `can-i`: what the policy lets someone do, worked out from
 * the rules alone — nothing is looked up at a provider and nothing runs.
 */
import type { ConnectedProvider } from '../../providers/registry.ts';
import { providerRef } from '../dispatch/dispatcher.ts';
import { sourcesOf } from '../dispatch/mutation-options.ts';
import type { ProviderRef } from '../dispatch/outcome.ts';
import { capabilityOf, type ProviderSet } from '../dispatch/provider-set.ts';
import { type Command, PROVIDER_VERBS, type ProviderVerb } from '../grammar/command.ts';
import type { Decision, Outlook, Policy, PolicySubject } from '../policy/policy.ts';
import { POLICY_VERBS, type PolicyVerb } from '../policy/verbs.ts';
import { decideWithSources } from './sources.ts';

export type RightState = 'allowed' | 'approval' | 'some' | 'denied';

export interface VerbRight {
  readonly verb: PolicyVerb;
  /** Per provider for provider verbs; one entry without a provider for the bot's own verbs. */
  readonly where: readonly {
    readonly provider?: ProviderRef;
    readonly state: RightState;
    readonly rule: string;
  }[];
}

export interface Rights {
  readonly subject: PolicySubject;
  /** False: no rule is written and the default rules decide (src/policy/default.ts). */
  readonly configured: boolean;
  readonly groups: readonly string[];
  readonly verbs: readonly VerbRight[];
}

function stateOf(outlook: Outlook): RightState {
  if (!outlook.possible) return 'denied';
  if (outlook.approval) return 'approval';
  return outlook.depends ? 'some' : 'allowed';
}

function isProviderVerb(verb: PolicyVerb): verb is ProviderVerb {
  return (PROVIDER_VERBS as readonly string[]).includes(verb);
}

export async function rightsOf(
  policy: Policy,
  providers: ProviderSet,
  subject: PolicySubject,
): Promise<Rights> {
  const verbs: VerbRight[] = [];
  for (const verb of POLICY_VERBS) {
    if (!isProviderVerb(verb)) {
      const outlook = await policy.outlook({ ...subject, verb });
      verbs.push({ verb, where: [{ state: stateOf(outlook), rule: outlook.rule }] });
      continue;
    }
    const able = providers.entries.filter((entry) => capabilityOf(entry, verb));
    const where = [];
    for (const entry of able) {
      const outlook = await policy.outlook({ ...subject, verb, provider: providerOf(entry) });
      where.push({ provider: providerRef(entry), state: stateOf(outlook), rule: outlook.rule });
    }
    if (where.length > 0) verbs.push({ verb, where });
  }
  return { subject, configured: policy.configured, groups: await policy.groupsOf(subject.user), verbs };
}

export interface CanIAnswer {
  readonly command: Command;
  /** One per provider the question could mean; one without a provider for the bot's own verbs. */
  readonly answers: readonly {
    readonly provider?: ProviderRef;
    readonly decision: Decision;
    readonly some: boolean;
  }[];
}

/** The policy's answer to a command, per provider it could run on; names are taken as typed. */
export async function canI(
  policy: Policy,
  providers: ProviderSet,
  subject: PolicySubject,
  command: Command,
): Promise<CanIAnswer> {
  const verb = command.verb as PolicyVerb;
  const target = 'name' in command ? command.name : 'stack' in command ? command.stack : undefined;
  const environment = 'environment' in command ? command.environment : undefined;
  if (!isProviderVerb(verb)) {
    return { command, answers: [{ decision: await policy.decide({ ...subject, verb }), some: false }] };
  }
  const scope = command.provider === undefined ? providers.entries : providers.resolve(command.provider);
  const answers = [];
  for (const entry of scope.filter((candidate) => capabilityOf(candidate, verb))) {
    const question = {
      ...subject,
      verb,
      provider: providerOf(entry),
      ...(target === undefined ? {} : { target }),
      ...(environment === undefined ? {} : { environment }),
    };
    if (target === undefined) {
      // A listing or a deploy without a name: what holds for some names is a "yes, for some".
      const outlook = await policy.outlook(question);
      const decision = await policy.decide(question);
      answers.push({
        provider: providerRef(entry),
        decision,
        some: decision.effect === 'deny' && outlook.possible,
      });
    } else {
      const decision = await decideWithSources(policy, question, sourcesOf(entry, command));
      answers.push({ provider: providerRef(entry), decision, some: false });
    }
  }
  return { command, answers };
}

function providerOf(entry: ConnectedProvider): { id: string; type: string } {
  return { id: entry.account.id, type: entry.account.module.type };
}
