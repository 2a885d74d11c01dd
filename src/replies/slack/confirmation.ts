/**
 * The prompt a mutation waits behind: what will happen (provider, target,
 * id, current state, options), who may decide, until when, and the buttons.
 * Once decided, the same message becomes the operation's message.
 */
import type { KnownBlock } from '@slack/types';
import type { OperationPlan } from '../../dispatch/outcome.ts';
import type { MutationCommand } from '../../dispatch/request.ts';
import type { Gate, Pending } from '../../safety/gatekeeper.ts';
import type { AuditOutcome } from '../../store/audit-log.ts';
import { planDetails, statusWords, targetPhrase } from '../wording.ts';
import { actions, button, context, message, type SlackMessage, section } from './message.ts';
import { code, joinMd, type Mrkdwn, md, mention, mrkdwnText, withMentions } from './mrkdwn.ts';
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

/** Who may approve, as the gatekeeper names them (approverList), with users and groups as mentions. */
function approverWords(approvers: readonly string[]): Mrkdwn {
  const shown = approvers.map((ref) => (/^[UWS][A-Z0-9]+$/.test(ref) ? mention(ref) : md`the ${ref} group`));
  const last = shown.at(-1);
  if (!last) return md`nobody`;
  return shown.length === 1 ? last : md`${joinMd(shown.slice(0, -1), ', ')} or ${last}`;
}

export function renderPrompt(plan: OperationPlan, request: Pending, gate: Gate): SlackMessage {
  const requester = mention(request.requester);
  const approvers = approverWords(gate.kind === 'approve' ? gate.approvers : []);
  const details = planDetails(plan);
  const warning =
    plan.options.force === true ? 'It is powered off at once, without a shutdown.' : WARNING[plan.verb];
  const lines = [
    md`${plan.verb === 'destroy' ? ':rotating_light:' : ':raised_hand:'} *${question(plan)}*${warning ? ` ${warning}` : ''}`,
    md`${currentState(plan)}`,
  ];
  if (details.length > 0) lines.push(joinMd(details, ' · '));
  const who =
    gate.kind === 'approve'
      ? md`needs approval by ${approvers} (rule ${code(request.rule ?? '')}); ${requester} cannot approve their own request`
      : md`only ${requester} can confirm`;
  const facts = [
    md`requested by ${requester}`,
    ...(plan.target.id ? [md`id ${code(plan.target.id)}`] : []),
    who,
    md`expires ${slackTime(request.expiresAt)}`,
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
    section(joinMd(lines, '\n')),
    context([joinMd(facts, ' · ')]),
    actions(`request:${request.id}`, buttons),
  ];
  const until = utcTime(request.expiresAt);
  const text = md`${question(plan)} ${currentState(plan)}. ${
    gate.kind === 'approve'
      ? md`Requested by ${requester}; needs approval by ${approvers}, until ${until}.`
      : md`Requested by ${requester}; only they can confirm, until ${until}.`
  }`;
  return message(text, blocks);
}

const ENDED: Partial<Record<AuditOutcome, { emoji: string; words: string }>> = {
  cancelled: { emoji: ':no_entry_sign:', words: 'Cancelled' },
  rejected: { emoji: ':no_entry:', words: 'Rejected' },
  expired: { emoji: ':hourglass:', words: 'Expired' },
  failed: { emoji: ':no_entry:', words: 'Ended' },
};

/** The prompt once it ended without running: who ended it, when, and that nothing was done. */
export function renderEndedPrompt(
  plan: OperationPlan,
  request: Pending,
  outcome: AuditOutcome,
): SlackMessage {
  const ended = ENDED[outcome] ?? { emoji: ':grey_question:', words: outcome };
  const at = request.decidedAt ?? request.expiresAt;
  const line =
    outcome === 'expired'
      ? md`nobody ${request.kind === 'approve' ? 'approved' : 'confirmed'} it in time`
      : outcome === 'failed'
        ? md`(${request.endReason ?? 'it could not go on'})`
        : md`by ${mention(request.decidedBy ?? 'someone')}`;
  const requested = md`requested by ${mention(request.requester)}`;
  const blocks: KnownBlock[] = [
    section(
      md`${ended.emoji} ~${question(plan)}~ ${ended.words} ${line} ${slackTime(at)}; nothing was done.`,
    ),
    context([plan.target.id ? md`${requested} · id ${code(plan.target.id)}` : requested]),
  ];
  const text = md`${question(plan)} ${ended.words} ${line} at ${utcTime(at)}; nothing was done.`;
  return message(text, blocks);
}

/** Said only to someone whose click did nothing (mrkdwn: a notice names users). */
export function clickNotice(kind: 'refused' | 'lost', request: Pending | undefined, reason?: string): string {
  return mrkdwnText(clickNoticeWords(kind, request, reason));
}

function clickNoticeWords(kind: 'refused' | 'lost', request: Pending | undefined, reason?: string): Mrkdwn {
  // The gatekeeper's reasons name users as mentions; the rest of them is escaped.
  if (kind === 'refused') return reason ? withMentions(reason) : md`You cannot do that.`;
  if (!request)
    return md`This request is no longer known; nothing was done. Ask again if it is still needed.`;
  const at = request.decidedAt ? ` at ${utcTime(request.decidedAt)}` : '';
  const by = request.decidedBy ? mention(request.decidedBy) : 'someone';
  switch (request.state) {
    case 'confirmed':
      return md`Already confirmed by ${by}${at}; it runs once.`;
    case 'approved':
      return md`Already approved by ${by}${at}; it runs once.`;
    case 'cancelled':
      return md`Already cancelled by ${by}${at}; nothing was done.`;
    case 'rejected':
      return md`Already rejected by ${by}${at}; nothing was done.`;
    case 'expired':
      return md`This request expired${at}; nothing was done. Ask again if it is still needed.`;
    case 'failed':
      return md`This request ended${at}: ${request.endReason ?? 'it could not be shown'}; nothing was done.`;
    case 'pending':
      return md`This request is still waiting; try again.`;
  }
}

/** A mutation the policy refused, said only to the requester. */
export function renderDenied(reason: string, what: string): SlackMessage {
  const text = md`You may not ${what}: ${reason}.`;
  return message(text, [
    section(md`:no_entry: ${text}`),
    context([md`\`whoami\` shows what you may run; the policy is in cloudmaster.yml.`]),
  ]);
}

/** "reboot web-1 on demo" for denials: from the plan when the target was resolved, else as asked. */
export function commandPhrase(plan: OperationPlan | undefined, command: MutationCommand): string {
  if (plan) return `${plan.verb} ${targetPhrase(plan)}`;
  const target = command.verb === 'deploy' || command.verb === 'cancel' ? command.stack : command.name;
  return `${command.verb} ${target}${command.provider ? ` on ${command.provider}` : ''}`;
}
