/**
 * A Confirm or Approve click asks the policy again: what was allowed when
 * it was asked may not be now (the bot restarted with another policy).
 */
import type { CreateSource } from '../dispatch/mutation-options.ts';
import type { Decision, Policy, PolicyQuestion } from '../policy/policy.ts';
import type { Pending } from './gatekeeper.ts';
import { decideWithSources } from './sources.ts';

export interface ChangedDecision {
  /** Told to the clicker. */
  readonly reason: string;
  /** The audit's detail: the refusal is recorded, under the current rule. */
  readonly detail: string;
  /** Why the request ended, shown in its prompt and to later clicks. */
  readonly ended: string;
}

/**
 * The policy's word now on what `request` asks, for its requester: `question`
 * is the plan's (questionOf), `sources` what a create copies (read again too).
 */
export function decideAgain(
  policy: Policy,
  request: Pending,
  question: Omit<PolicyQuestion, 'user' | 'channel' | 'verb'>,
  sources: readonly CreateSource[],
): Promise<Decision> {
  return decideWithSources(
    policy,
    {
      user: request.requester,
      channel: request.channel ?? 'unknown',
      verb: request.payload.command.verb,
      ...question,
    },
    sources,
  );
}

/**
 * Why a Confirm or Approve may not go on under the `current` decision:
 * denied now, or needing an approval the prompt never asked for. Undefined
 * when it may (an approval that is no longer needed included).
 */
export function changedDecision(
  user: string,
  request: Pending,
  current: Decision,
): ChangedDecision | undefined {
  const clicked = `${request.kind === 'confirm' ? 'confirmed' : 'approved'} by ${user}`;
  if (current.effect === 'deny') {
    return {
      reason: `The policy no longer allows this: ${current.reason}. Nothing was done.`,
      detail: `${clicked}, but the policy no longer allows it: ${current.reason}; nothing was done`,
      ended: `the policy no longer allows it (${current.reason})`,
    };
  }
  if (current.effect === 'approve' && request.kind === 'confirm') {
    const why = `it now needs an approver’s Approve (rule “${current.rule}”)`;
    return {
      reason: `The policy has changed: ${why}. Nothing was done; ask again to request the approval.`,
      detail: `${clicked}, but ${why}; nothing was done`,
      ended: `the policy changed: ${why}`,
    };
  }
  return undefined;
}
