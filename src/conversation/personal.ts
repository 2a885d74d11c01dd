/** Answers that only the asker sees: denials, the audit, `whoami`, `can-i`. */

import { renderAudit } from '../replies/slack/audit.ts';
import { renderDenied } from '../replies/slack/confirmation.ts';
import type { SlackMessage } from '../replies/slack/message.ts';
import { renderCanI, renderRights } from '../replies/slack/rights.ts';
import type { Answer } from '../safety/answers.ts';

export function renderPersonal(answer: Answer): SlackMessage | undefined {
  switch (answer.kind) {
    case 'denied':
      return renderDenied(answer.reason, answer.what);
    case 'audit':
      return renderAudit(answer.command, answer.records);
    case 'rights':
      return renderRights(answer.rights);
    case 'can-i':
      return renderCanI(answer.answer);
    default:
      return undefined;
  }
}
