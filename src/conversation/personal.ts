/** Answers that only the asker sees: denials, the audit, `whoami`, `can-i`. */

import { renderAudit } from '../replies/slack/audit.ts';
import { renderDenied } from '../replies/slack/confirmation.ts';
import { header, message, packLines, type SlackMessage } from '../replies/slack/message.ts';
import { md } from '../replies/slack/mrkdwn.ts';
import { renderCanI, renderRights } from '../replies/slack/rights.ts';
import { webhookLines } from '../replies/webhook-words.ts';
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
    case 'webhooks':
      return message(md`Webhooks`, [
        header('Webhooks'),
        ...packLines(webhookLines(answer).map((line) => md`${line}`)),
      ]);
    default:
      return undefined;
  }
}
