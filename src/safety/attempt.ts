/**
 * One attempt: a person asked for something. What is known of it grows as
 * it goes (decision, plan, confirmer, the provider's operation id) and is
 * written to the audit log once, when its fate is known.
 */
import type { OperationOutcome, OperationPlan } from '../dispatch/outcome.ts';
import type { FixedProvider } from '../entry-points.ts';
import type { Command } from '../grammar/command.ts';
import type { Decision } from '../policy/policy.ts';
import type { AuditOutcome, NewAuditRecord } from '../store/audit-log.ts';

/** Who asked, from where, in which words. */
export interface Origin {
  /** A Slack user id; in the CLI the user the policy maps the OS user to, else `cli:NAME`. */
  readonly user: string;
  /** A channel id, or "cli". */
  readonly channel: string;
  /** "/cloudmaster", "/dostat", "mention", "dm", "cli". */
  readonly entry: string;
  readonly rawText: string;
  readonly fixed?: FixedProvider;
}

export interface Signoff {
  readonly user: string;
  readonly at: number;
}

export interface Attempt {
  readonly origin: Origin;
  readonly requestedAt: number;
  readonly command: Command;
  readonly decision: Decision;
  plan?: OperationPlan;
  confirmed?: Signoff;
  approved?: Signoff;
  /** The confirmation or approval request it went through, once clicked: its job names it. */
  requestId?: string;
}

const OUTCOME_OF_END: Record<OperationOutcome['end'], AuditOutcome> = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'succeeded',
  timed_out: 'timed_out',
  interrupted: 'interrupted',
  unknown: 'unknown',
};

/** A `cancel` that ends in "cancelled" did what was asked; any other verb ending so was stopped. */
export function auditOutcomeOf(outcome: OperationOutcome): AuditOutcome {
  if (outcome.end === 'cancelled' && outcome.plan.verb !== 'cancel') return 'cancelled';
  return OUTCOME_OF_END[outcome.end];
}

export function auditRecord(
  attempt: Attempt,
  end: {
    readonly outcome: AuditOutcome;
    readonly at: number;
    readonly detail?: string;
    readonly requestId?: string;
    readonly durationMs?: number;
  },
): NewAuditRecord {
  const { origin, decision, plan } = attempt;
  const command = plan?.target.name ?? targetOf(attempt.command);
  return {
    requestedAt: attempt.requestedAt,
    endedAt: end.at,
    userId: origin.user,
    channel: origin.channel,
    entry: origin.entry,
    rawText: origin.rawText,
    verb: attempt.command.verb,
    command: attempt.command,
    decision: decision.effect,
    rule: decision.rule,
    ...(attempt.confirmed ? { confirmedBy: attempt.confirmed.user } : {}),
    ...(attempt.approved ? { approvedBy: attempt.approved.user } : {}),
    ...(plan ? { provider: plan.provider.id } : providerOf(attempt.command)),
    ...(command === undefined ? {} : { target: command }),
    ...(plan?.target.id ? { targetId: plan.target.id } : {}),
    ...(end.requestId ? { requestId: end.requestId } : {}),
    outcome: end.outcome,
    ...(end.detail ? { detail: end.detail } : {}),
    durationMs: end.durationMs ?? end.at - attempt.requestedAt,
  };
}

function targetOf(command: Command): string | undefined {
  if ('name' in command && typeof command.name === 'string') return command.name;
  if ('stack' in command && typeof command.stack === 'string') return command.stack;
  if (command.verb === 'can-i') return targetOf(command.question);
  return undefined;
}

function providerOf(command: Command): { provider?: string } {
  return command.provider === undefined ? {} : { provider: command.provider };
}
