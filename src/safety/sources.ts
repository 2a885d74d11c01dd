/**
 * A `create` that copies something — a vSphere template, a snapshot, an
 * image — reads it: the copy holds what the source holds. So each source a
 * command names (the provider module's capability table says which
 * parameters are sources) is put to the policy as a `status` of that name on
 * the same provider, and a create whose source the requester may not read is
 * refused with the rule that says so.
 */
import type { CreateSource } from '../dispatch/mutation-options.ts';
import type { Decision, Policy, PolicyQuestion } from '../policy/policy.ts';

/** The policy's word on a mutation and, when it would go ahead, on each source it reads. */
export async function decideWithSources(
  policy: Policy,
  question: PolicyQuestion,
  sources: readonly CreateSource[],
): Promise<Decision> {
  const decision = await policy.decide(question);
  if (decision.effect === 'deny') return decision;
  for (const { param, name } of sources) {
    const read = await policy.decide({
      user: question.user,
      channel: question.channel,
      verb: 'status',
      ...(question.provider ? { provider: question.provider } : {}),
      target: name,
    });
    if (read.effect === 'allow') continue;
    const why = read.effect === 'deny' ? read.reason : `rule “${read.rule}” does not let you read it`;
    return {
      effect: 'deny',
      rule: read.rule,
      reason: `it copies ${name} (${param}=), which you may not read: ${why}`,
    };
  }
  return decision;
}
