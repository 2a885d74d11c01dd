/**
 * An approval a client asked for through the bridge: its title and details,
 * who asked (the client), who may decide and how many must, until when, and
 * Approve / Reject. Each vote redraws it with who approved so far; once
 * decided it shows who decided, and the buttons are gone.
 */
import type { KnownBlock } from '@slack/types';
import { approverList } from '../../safety/gatekeeper.ts';
import type { BridgeApproval } from '../../store/bridge-approvals.ts';
import { actions, button, context, header, message, type SlackMessage, section } from './message.ts';
import { joinMd, md, mention, withMentions } from './mrkdwn.ts';
import { slackTime } from './time.ts';

export const BRIDGE_APPROVAL_ACTIONS = { approve: 'bridge_approve', reject: 'bridge_reject' } as const;

const ENDED = {
  approved: ':white_check_mark: Approved',
  rejected: ':no_entry: Rejected',
  expired: ':hourglass: Expired: nobody decided in time',
} as const;

export function renderBridgeApproval(approval: BridgeApproval): SlackMessage {
  const approvedBy = approval.votes
    .filter((vote) => vote.vote === 'approve')
    .map((vote) => mention(vote.user));
  const rejectedBy = approval.votes
    .filter((vote) => vote.vote === 'reject')
    .map((vote) => mention(vote.user));
  const needs = approval.minApprovals > 1 ? md` (${approval.minApprovals} of them must approve)` : md``;
  const blocks: KnownBlock[] = [header(`Approval requested: ${approval.title}`)];
  // Details are the client's text: shown as text, never as mentions or links of theirs.
  if (approval.details) blocks.push(section(md`${approval.details}`));
  blocks.push(
    context([
      md`Asked by the client *${approval.client}* · may decide: ${withMentions(approverList(approval.approvers))}${needs}`,
    ]),
  );
  if (approval.state === 'pending') {
    if (approvedBy.length > 0)
      blocks.push(
        context([
          md`Approved so far by ${joinMd(approvedBy, ', ')} (${approvedBy.length} of ${approval.minApprovals})`,
        ]),
      );
    blocks.push(context([md`Expires ${slackTime(approval.expiresAt)}`]));
    blocks.push(
      actions(`bridge_approval_${approval.id}`, [
        button('Approve', BRIDGE_APPROVAL_ACTIONS.approve, approval.id, 'primary'),
        button('Reject', BRIDGE_APPROVAL_ACTIONS.reject, approval.id, 'danger'),
      ]),
    );
    return message(md`Approval requested by ${approval.client}: ${approval.title}`, blocks);
  }
  const by =
    approval.state === 'approved'
      ? md` by ${joinMd(approvedBy, ', ')}`
      : approval.state === 'rejected'
        ? md` by ${joinMd(rejectedBy, ', ')}`
        : md``;
  blocks.push(section(md`${ENDED[approval.state]}${by}.`));
  return message(md`${approval.title}: ${approval.state}`, blocks);
}
