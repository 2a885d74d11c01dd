/** Slash commands: ack at once, answer after. A redelivered envelope (same trigger) is answered once. */
import type { App } from '@slack/bolt';
import { answer, unclaimed } from '../../conversation/handle-text.ts';
import { slashCommandReplier } from '../../conversation/replier.ts';
import { SLASH_COMMANDS } from '../../entry-points.ts';
import type { ListenerDeps } from '../deps.ts';

export function register(app: App, deps: ListenerDeps): void {
  for (const spec of SLASH_COMMANDS) {
    app.command(spec.command, async ({ ack, command, respond, client }) => {
      await ack();
      void deps.work.run(async () => {
        const claimed = await deps.claimDelivery(`slash:${command.trigger_id}`);
        if (claimed.kind === 'repeat') return;
        await answer(
          {
            ...unclaimed(claimed),
            text: command.text,
            userId: command.user_id,
            channelId: command.channel_id,
            surface: spec.command,
            prefix: `${spec.command} `,
            entry: spec.command,
            ...(spec.fixed ? { fixed: spec.fixed } : {}),
            replier: slashCommandReplier({
              client,
              respond,
              channelId: command.channel_id,
              redactor: deps.redactor,
              log: deps.log,
            }),
          },
          deps,
        );
      });
    });
  }
}
