/**
 * Mentions (answered in a thread) and direct messages. Slack redelivers an
 * event it thinks went unanswered (`retry_attempt`); its event id is claimed
 * in the store first, so a redelivery — here, after a restart, or on a
 * replica — is answered once.
 */
import type { App } from '@slack/bolt';
import { answer, type DeliveryClaim, unclaimed } from '../../conversation/handle-text.ts';
import { conversationReplier } from '../../conversation/replier.ts';
import type { ListenerDeps } from '../deps.ts';

function eventId(body: unknown): string | undefined {
  const id = (body as { event_id?: unknown }).event_id;
  return typeof id === 'string' ? id : undefined;
}

export function register(app: App, deps: ListenerDeps): void {
  const claim = async (body: unknown): Promise<DeliveryClaim> => {
    const id = eventId(body);
    return id === undefined ? { kind: 'first' } : deps.claimDelivery(`event:${id}`);
  };

  app.event('app_mention', async ({ event, body, client }) => {
    // A mention inside a DM also arrives as a message.im event, answered below.
    if (event.channel.startsWith('D') || event.user === undefined) return;
    const userId = event.user;
    void deps.work.run(async () => {
      const claimed = await claim(body);
      if (claimed.kind === 'repeat') return;
      await answer(
        {
          ...unclaimed(claimed),
          text: event.text,
          userId,
          channelId: event.channel,
          surface: 'mention',
          prefix: deps.mentionPrefix,
          replier: conversationReplier({
            client,
            channelId: event.channel,
            threadTs: event.thread_ts ?? event.ts,
            userId,
            redactor: deps.redactor,
            log: deps.log,
          }),
        },
        deps,
      );
    });
  });

  app.message(async ({ message, body, client }) => {
    if (message.channel_type !== 'im') return;
    // Only what a person typed: no bot messages (ours included), edits or joins.
    if (message.subtype !== undefined || 'bot_id' in message) return;
    const text = message.text ?? '';
    void deps.work.run(async () => {
      const claimed = await claim(body);
      if (claimed.kind === 'repeat') return;
      await answer(
        {
          ...unclaimed(claimed),
          text,
          userId: message.user,
          channelId: message.channel,
          surface: 'dm',
          prefix: '',
          replier: conversationReplier({
            client,
            channelId: message.channel,
            redactor: deps.redactor,
            log: deps.log,
          }),
        },
        deps,
      );
    });
  });
}
