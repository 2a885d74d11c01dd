/**
 * **Create ticket** and **Acknowledge** on an outage notice: each click is
 * the command `ticket INCIDENT` or `acknowledge INCIDENT` run as the person
 * who clicked — the same policy, audit and answers as typing it. The
 * click's own `action_ts` is claimed first, so a redelivered click does
 * nothing; a second, real click is told what the first one did.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import { renderWatchAnswer } from '../../conversation/watch-replies.ts';
import type { IncidentCommand } from '../../grammar/command.ts';
import { OUTAGE_ACTIONS } from '../../replies/slack/outage-notice.ts';
import { answerWatchCommand } from '../../safety/watch-answers.ts';
import type { ListenerDeps } from '../deps.ts';

const VERB_OF: Record<string, IncidentCommand['verb']> = {
  [OUTAGE_ACTIONS.ticket]: 'ticket',
  [OUTAGE_ACTIONS.acknowledge]: 'acknowledge',
};

export function registerOutageButtons(app: App, deps: ListenerDeps): void {
  for (const [actionId, verb] of Object.entries(VERB_OF)) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action: button, body, respond }) => {
      await ack();
      const incident = button.value ?? '';
      const channel = body.container?.channel_id ?? body.channel?.id ?? 'unknown';
      const ts = body.container?.message_ts ?? body.message?.ts ?? '';
      const raw = `${verb} ${incident}`;
      const log = deps.log.child({ user: body.user.id });
      void deps.work.run(async () => {
        try {
          // Unclaimed (no store) it goes on: a ticket is claimed per incident, an acknowledgement is idempotent.
          const claimed = await deps.claimDelivery(`click:${actionId}:${button.action_ts}:${ts}`);
          if (claimed.kind === 'repeat') return;
          const command: IncidentCommand = { verb, incident, raw, fresh: false, json: false, yes: false };
          const answered = await answerWatchCommand(
            deps.watch,
            { user: body.user.id, channel, entry: 'button', rawText: raw },
            command,
          );
          log.info({ verb, incident, outcome: answered.kind }, 'outage button clicked');
          const { message } = renderWatchAnswer(answered, log);
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            ...deps.redactor.deep(message),
          });
        } catch (error) {
          log.error({ err: error, verb, incident }, 'could not handle an outage button');
        }
      });
    });
  }
}
