/**
 * The prompt a mutation waits behind: what will happen (provider, target,
 * id, current state, options), who may decide, until when, and the buttons.
 * Once decided, the same message becomes the operation's message.
 */
import type { KnownBlock } from '@slack/types';
import type { OperationPlan } from '../../dispatch/outcome.ts';
import type { MutationCommand } from '../../dispatch/request.ts';
import { approverList, type Gate, type Pending } from '../../safety/gatekeeper.ts';
import type { AuditOutcome } from '../../store/audit-log.ts';
import { planDetails, statusWords, targetPhrase } from '../wording.ts';
import {
  actions,
  button,
  code,
  context,
  message,
  mrkdwnEscape,
  type SlackMessage,
  section,
} from './message.ts';
import { slackTime, utcTime } from './time.ts';

export const REQUEST_ACTIONS = {
  confirm: 'request_confirm',
  cancel: 'request_cancel',
  approve: 'request_approve',
  reject: 'request_reject',
} as const;

const QUESTION: Record<OperationPlan['verb'], string> = {
  reboot: 'Reboot',
  start: 'Start',
  stop: 'Stop',
  create: 'Create',
  destroy: 'Destroy',
  deploy: 'Deploy',
  cancel: 'Cancel the deployment of',
};

/** "Reboot web-1 on demo?", "Power off web-1 on demo?" */
export function question(plan: OperationPlan): string {
  const verb =
    plan.verb === 'stop' && plan.options.force === true
      ? 'Power off'
      : plan.verb === 'stop' && plan.options.deallocate === true
        ? 'Stop and deallocate'
        : QUESTION[plan.verb];
  return `${verb} ${targetPhrase(plan)}?`;
}

/** What the target is now, as the prompt states it. */
export function currentState(plan: OperationPlan): string {
  const resource = plan.resource;
  if (!resource) return `${plan.target.name} will be a new machine on ${plan.provider.id}`;
  const facts = [`${resource.name} is ${statusWords(resource.status, resource.providerStatus)}`];
  if (resource.kind === 'machine') {
    if (resource.publicIpv4) facts.push(resource.publicIpv4);
    if (resource.region) facts.push(resource.region);
    if (resource.size) facts.push(resource.size);
  } else if (resource.lastDeployment?.outcome) {
    facts.push(`last deployment ${resource.lastDeployment.outcome}`);
  }
  return facts.join(', ');
}

const WARNING: Partial<Record<OperationPlan['verb'], string>> = {
  destroy: 'This deletes it for good.',
  stop: 'Whatever runs on it stops.',
  reboot: 'It will be unavailable while it reboots.',
};

export function renderPrompt(plan: OperationPlan, request: Pending, gate: Gate): SlackMessage {
  const requester = `<@${request.requester}>`;
  const details = planDetails(plan);
  const warning =
    plan.options.force === true ? 'It is powered off at once, without a shutdown.' : WARNING[plan.verb];
  const lines = [
    `${plan.verb === 'destroy' ? ':rotating_light:' : ':raised_hand:'} *${mrkdwnEscape(question(plan))}*${warning ? ` ${warning}` : ''}`,
    mrkdwnEscape(currentState(plan)),
  ];
  if (details.length > 0) lines.push(details.map((detail) => mrkdwnEscape(detail)).join(' · '));
  const who =
    gate.kind === 'approve'
      ? `needs approval by ${approverList(gate.approvers)} (rule ${code(request.rule ?? '')}); ${requester} cannot approve their own request`
      : `only ${requester} can confirm`;
  const facts = [
    `requested by ${requester}`,
    ...(plan.target.id ? [`id ${code(plan.target.id)}`] : []),
    who,
    `expires ${slackTime(request.expiresAt)}`,
  ];
  const buttons =
    gate.kind === 'approve'
      ? [
          button('Approve', REQUEST_ACTIONS.approve, request.id, 'primary'),
          button('Reject', REQUEST_ACTIONS.reject, request.id, 'danger'),
          button('Cancel', REQUEST_ACTIONS.cancel, request.id),
        ]
      : [
          button(
            'Confirm',
            REQUEST_ACTIONS.confirm,
            request.id,
            plan.verb === 'destroy' ? 'danger' : 'primary',
          ),
          button('Cancel', REQUEST_ACTIONS.cancel, request.id),
        ];
  const blocks: KnownBlock[] = [
    section(lines.join('\n')),
    context([facts.join(' · ')]),
    actions(`request:${request.id}`, buttons),
  ];
  const text = [
    question(plan),
    `${currentState(plan)}.`,
    gate.kind === 'approve'
      ? `Requested by ${requester}; needs approval by ${approverList(gate.approvers)}, until ${utcTime(request.expiresAt)}.`
      : `Requested by ${requester}; only they can confirm, until ${utcTime(request.expiresAt)}.`,
  ].join(' ');
  return message(text, blocks);
}

const ENDED: Partial<Record<AuditOutcome, { emoji: string; words: string }>> = {
  cancelled: { emoji: ':no_entry_sign:', words: 'Cancelled' },
  rejected: { emoji: ':no_entry:', words: 'Rejected' },
  expired: { emoji: ':hourglass:', words: 'Expired' },
};

/** The prompt once it ended without running: who ended it, when, and that nothing was done. */
export function renderEndedPrompt(
  plan: OperationPlan,
  request: Pending,
  outcome: AuditOutcome,
): SlackMessage {
  const ended = ENDED[outcome] ?? { emoji: ':grey_question:', words: outcome };
  const at = request.decidedAt ?? request.expiresAt;
  const by = outcome === 'expired' ? undefined : request.decidedBy;
  const line =
    outcome === 'expired'
      ? `nobody ${request.kind === 'approve' ? 'approved' : 'confirmed'} it in time`
      : `by <@${by}>`;
  const blocks: KnownBlock[] = [
    section(
      `${ended.emoji} ~${mrkdwnEscape(question(plan))}~ ${ended.words} ${line} ${slackTime(at)}; nothing was done.`,
    ),
    context([`requested by <@${request.requester}>${plan.target.id ? ` · id ${code(plan.target.id)}` : ''}`]),
  ];
  const text = `${question(plan)} ${ended.words} ${outcome === 'expired' ? line : `by <@${by}>`} at ${utcTime(at)}; nothing was done.`;
  return message(text, blocks);
}

/** Said only to someone whose click did nothing. */
export function clickNotice(kind: 'refused' | 'lost', request: Pending | undefined, reason?: string): string {
  if (kind === 'refused') return reason ?? 'You cannot do that.';
  if (!request) return 'This request is no longer known; nothing was done. Ask again if it is still needed.';
  const at = request.decidedAt ? ` at ${utcTime(request.decidedAt)}` : '';
  const by = request.decidedBy ? `<@${request.decidedBy}>` : 'someone';
  switch (request.state) {
    case 'confirmed':
      return `Already confirmed by ${by}${at}; it runs once.`;
    case 'approved':
      return `Already approved by ${by}${at}; it runs once.`;
    case 'cancelled':
      return `Already cancelled by ${by}${at}; nothing was done.`;
    case 'rejected':
      return `Already rejected by ${by}${at}; nothing was done.`;
    case 'expired':
      return `This request expired${at}; nothing was done. Ask again if it is still needed.`;
    case 'pending':
      return 'This request is still waiting; try again.';
  }
}

/** A mutation the policy refused, said only to the requester. */
export function renderDenied(reason: string, what: string): SlackMessage {
  const text = `You may not ${what}: ${reason}.`;
  return message(text, [
    section(`:no_entry: ${mrkdwnEscape(text)}`),
    context(['`whoami` shows what you may run; the policy is in cloudmaster.yml.']),
  ]);
}

/** "reboot web-1 on demo" for denials: from the plan when the target was resolved, else as asked. */
export function commandPhrase(plan: OperationPlan | undefined, command: MutationCommand): string {
  if (plan) return `${plan.verb} ${targetPhrase(plan)}`;
  const target = command.verb === 'deploy' || command.verb === 'cancel' ? command.stack : command.name;
  return `${command.verb} ${target}${command.provider ? ` on ${command.provider}` : ''}`;
}
