/** `audit`, `whoami` and `can-i`: answered from the store and the policy, only to the person asking. */
import type { AuditCommand, CanICommand, WhoamiCommand } from '../grammar/command.ts';
import { renderAudit } from '../replies/slack/audit.ts';
import { renderDenied } from '../replies/slack/confirmation.ts';
import { renderCanI, renderRights } from '../replies/slack/rights.ts';
import type { Origin } from '../safety/attempt.ts';
import { canI, rightsOf } from '../safety/rights.ts';
import type { ConversationDeps } from './handle-text.ts';
import type { Replier } from './replier.ts';

export async function answerBotVerb(
  command: AuditCommand | WhoamiCommand | CanICommand,
  origin: Origin,
  replier: Replier,
  deps: ConversationDeps,
): Promise<void> {
  const { gatekeeper, dispatcher } = deps;
  const subject = { user: origin.user, channel: origin.channel };
  switch (command.verb) {
    case 'whoami':
      return replier.ephemeral(
        renderRights(await rightsOf(gatekeeper.policy, dispatcher.providers, subject)),
      );
    case 'can-i':
      return replier.ephemeral(
        renderCanI(await canI(gatekeeper.policy, dispatcher.providers, subject, command.question)),
      );
    case 'audit': {
      const decision = await gatekeeper.authorise(origin, command);
      if (decision.effect === 'deny')
        return replier.ephemeral(renderDenied(decision.reason, 'read the audit log'));
      const records = await gatekeeper.auditRecords(command);
      return replier.ephemeral(renderAudit(command, records));
    }
  }
}
