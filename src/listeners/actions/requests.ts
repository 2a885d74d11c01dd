/**
 * Confirm, Cancel, Approve and Reject on a prompt. The click's own
 * `action_ts` is claimed first, so a redelivered click does nothing; a
 * second, real click reaches the gatekeeper and is told who decided first.
 */
import type { App, BlockButtonAction, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { onRequestClick } from '../../conversation/mutation.ts';
import { CoalescingHandle, type MessageHandle } from '../../conversation/replier.ts';
import { fallingBack } from '../../conversation/slack-errors.ts';
import { describeError } from '../../replies/describe-error.ts';
import { REQUEST_ACTIONS } from '../../replies/slack/confirmation.ts';
import type { SlackMessage } from '../../replies/slack/message.ts';
import { md, mrkdwnText } from '../../replies/slack/mrkdwn.ts';
import type { ClickAction } from '../../safety/gatekeeper.ts';
import type { ListenerDeps } from '../deps.ts';

/**
 * The prompt's message: chat.update where the bot posted it; through the
 * click's response_url where it could not (a channel the bot is not in).
 */
function promptHandle(
  deps: ListenerDeps,
  client: WebClient,
  respond: RespondFn,
  location: { channel: string; ts: string } | undefined,
): MessageHandle {
  const viaResponseUrl = async (message: SlackMessage): Promise<void> => {
    await respond({ response_type: 'in_channel', replace_original: true, ...deps.redactor.deep(message) });
  };
  if (!location) return new CoalescingHandle(viaResponseUrl, deps.log);
  const send = fallingBack(async (message) => {
    await client.chat.update({ ...location, ...deps.redactor.deep(message) });
  }, viaResponseUrl);
  return new CoalescingHandle(send, deps.log, location);
}

export function registerRequests(app: App, deps: ListenerDeps): void {
  for (const [action, actionId] of Object.entries(REQUEST_ACTIONS) as [ClickAction, string][]) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action: button, body, respond, client }) => {
      await ack();
      const requestId = button.value ?? '';
      const channel = body.container?.channel_id ?? body.channel?.id;
      const ts = body.container?.message_ts ?? body.message?.ts;
      const location = channel && ts ? { channel, ts } : undefined;
      void deps.work.run(async () => {
        try {
          // Unclaimed (no store) it goes on: the click's own decision is one conditional update in the store.
          const claimed = await deps.claimDelivery(`click:${actionId}:${button.action_ts}:${ts ?? ''}`);
          if (claimed.kind === 'repeat') return;
          await onRequestClick(
            {
              user: body.user.id,
              requestId,
              action,
              handle: promptHandle(deps, client, respond, location),
              notify: async (text) => {
                await respond({
                  response_type: 'ephemeral',
                  replace_original: false,
                  text: deps.redactor.text(text),
                });
              },
            },
            deps,
            deps.log.child({ user: body.user.id }),
          );
        } catch (error) {
          // Tell the clicker (a reference finds the details in the log) rather than leave the click unanswered.
          const problem = describeError(error, deps.log);
          await respond({
            response_type: 'ephemeral',
            replace_original: false,
            text: mrkdwnText(
              md`${deps.redactor.text([problem.message, problem.hint].filter(Boolean).join(' '))}`,
            ),
          }).catch((deliveryError: unknown) =>
            deps.log.error({ err: deliveryError, request: requestId, action }, 'could not handle a click'),
          );
        }
      });
    });
  }
}
