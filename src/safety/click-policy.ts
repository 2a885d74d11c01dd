/**
 * A Confirm or Approve click asks the policy again: what was allowed when
 * it was asked may not be now (the bot restarted with another policy, a
 * group lost a member). The gatekeeper refuses what this finds.
 */
import type { Decision, Policy } from '../policy/policy.ts';
import type { Pending } from './gatekeeper.ts';

export interface ClickRefusal {
  /** Told to the clicker. */
  readonly reason: string;
  /** The audit's detail, when the refusal is recorded. */
  readonly detail: string;
  /** A changed decision is an attempt refused by the policy, and recorded; a clicker without the right is not. */
  readonly recorded: boolean;
}

/**
 * Why a Confirm or Approve may not go on under the `current` decision:
 * denied now, or needing an approval the prompt never asked for (both
 * recorded), or the approver no longer among those the rule names.
 */
export async function policyRefusal(
  policy: Policy,
  user: string,
  request: Pending,
  current: Decision,
): Promise<ClickRefusal | undefined> {
  const clicked = `${request.kind === 'confirm' ? 'confirmed' : 'approved'} by ${user}`;
  if (current.effect === 'deny') {
    return {
      reason: `The policy no longer allows this: ${current.reason}. Nothing was done.`,
      detail: `${clicked}, but the policy no longer allows it: ${current.reason}; nothing was done`,
      recorded: true,
    };
  }
  if (current.effect === 'approve' && request.kind === 'confirm') {
    const why = `it now needs an approver’s Approve (rule “${current.rule}”)`;
    return {
      reason: `The policy has changed: ${why}. Nothing was done; ask again to request the approval.`,
      detail: `${clicked}, but ${why}; nothing was done`,
      recorded: true,
    };
  }
  if (
    current.effect === 'approve' &&
    !(await policy.mayApprove(user, request.requester, current.approvers))
  ) {
    return {
      reason: `Only ${approverList(current.approvers)} can approve this request now (rule “${current.rule}”).`,
      detail: '',
      recorded: false,
    };
  }
  return undefined;
}

/** "@ann, the sre group or @leads": who a rule lets approve. */
export function approverList(approvers: readonly string[]): string {
  const shown = approvers.map((ref) =>
    /^[UW][A-Z0-9]+$/.test(ref)
      ? `<@${ref}>`
      : /^S[A-Z0-9]+$/.test(ref)
        ? `<!subteam^${ref}>`
        : `the ${ref} group`,
  );
  return shown.length <= 1 ? (shown[0] ?? 'nobody') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}
