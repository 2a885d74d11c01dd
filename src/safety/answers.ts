/**
 * Answers that are the policy's and the store's rather than a provider's,
 * and reads as the policy lets someone see them. Slack and the CLI both
 * call these and render the same answers.
 */
import type { DispatchContext, Dispatcher } from '../dispatch/dispatcher.ts';
import type { Outcome } from '../dispatch/outcome.ts';
import type { AuditCommand, Command } from '../grammar/command.ts';
import type { AuditRecord } from '../store/audit-log.ts';
import type { Origin } from './attempt.ts';
import type { Gatekeeper } from './gatekeeper.ts';
import { filterHelp, filterListing } from './reads.ts';
import { type CanIAnswer, canI, type Rights, rightsOf } from './rights.ts';

/** The policy refused; the denial is recorded. */
export interface DeniedOutcome {
  readonly kind: 'denied';
  readonly reason: string;
  /** "reboot web-1 on demo", "read the audit log". */
  readonly what: string;
}

export interface AuditListing {
  readonly kind: 'audit';
  readonly command: AuditCommand;
  readonly records: readonly AuditRecord[];
}

export interface RightsOutcome {
  readonly kind: 'rights';
  readonly rights: Rights;
}

export interface CanIOutcome {
  readonly kind: 'can-i';
  readonly answer: CanIAnswer;
}

export type Answer = Outcome | DeniedOutcome | AuditListing | RightsOutcome | CanIOutcome;

function subjectOf(origin: Origin) {
  return { user: origin.user, channel: origin.channel };
}

/** `audit`, `whoami`, `can-i`. */
export async function answerBotCommand(
  gatekeeper: Gatekeeper,
  dispatcher: Dispatcher,
  origin: Origin,
  command: Extract<Command, { verb: 'audit' | 'whoami' | 'can-i' }>,
): Promise<Answer> {
  switch (command.verb) {
    case 'whoami':
      return {
        kind: 'rights',
        rights: await rightsOf(gatekeeper.policy, dispatcher.providers, subjectOf(origin)),
      };
    case 'can-i':
      try {
        return {
          kind: 'can-i',
          answer: await canI(gatekeeper.policy, dispatcher.providers, subjectOf(origin), command.question),
        };
      } catch (error) {
        return { kind: 'error', error, verb: 'can-i' };
      }
    case 'audit': {
      const decision = await gatekeeper.authorise(origin, command);
      if (decision.effect === 'deny')
        return { kind: 'denied', reason: decision.reason, what: 'read the audit log' };
      return { kind: 'audit', command, records: await gatekeeper.auditRecords(command) };
    }
  }
}

/** help, list, status, providers — as the policy lets `origin` see them. */
export async function governedRead(
  gatekeeper: Gatekeeper,
  dispatcher: Dispatcher,
  origin: Origin,
  command: Extract<Command, { verb: 'help' | 'list' | 'status' | 'providers' }>,
  ctx: DispatchContext,
): Promise<Answer> {
  const subject = subjectOf(origin);
  const { policy } = gatekeeper;
  if (command.verb === 'providers') {
    const decision = await gatekeeper.authorise(origin, command);
    if (decision.effect === 'deny')
      return { kind: 'denied', reason: decision.reason, what: 'list the providers' };
  }
  // Which machines may be listed is known once they are: only a verb denied everywhere stops here.
  if (command.verb === 'list' && !(await policy.outlook({ ...subject, verb: 'list' })).possible) {
    const decision = await gatekeeper.authorise(origin, command);
    if (decision.effect === 'deny') return { kind: 'denied', reason: decision.reason, what: 'list machines' };
  }
  const outcome = await dispatcher.run(command, ctx);
  switch (outcome.kind) {
    case 'help':
      return filterHelp(policy, subject, outcome);
    case 'listing':
      return filterListing(policy, subject, outcome);
    case 'resource': {
      // The name is known only now: the policy decides on what was found.
      const { resource } = outcome;
      const decision = await gatekeeper.authorise(origin, command, {
        provider: { id: outcome.provider.id, type: outcome.provider.type },
        target: resource.name,
        ...(resource.kind === 'stack' ? { environment: resource.environment } : {}),
      });
      return decision.effect === 'deny'
        ? { kind: 'denied', reason: decision.reason, what: `see ${resource.name}` }
        : outcome;
    }
    default:
      return outcome;
  }
}
