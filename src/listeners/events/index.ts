/** Mentions (answered in a thread) and direct messages. */
import type { App } from '@slack/bolt';
import { answer } from '../../conversation/handle-text.ts';
import { conversationReplier } from '../../conversation/replier.ts';
import type { ListenerDeps } from '../deps.ts';
import { RecentIds } from './recent-ids.ts';

function eventId(body: unknown): string | undefined {
  const id = (body as { event_id?: unknown }).event_id;
  return typeof id === 'string' ? id : undefined;
}

export function register(app: App, deps: ListenerDeps): void {
  const recent = new RecentIds();

  app.event('app_mention', async ({ event, body, client }) => {
    // A mention inside a DM also arrives as a message.im event, answered below.
    if (event.channel.startsWith('D') || !recent.firstTime(eventId(body))) return;
    if (event.user === undefined) return;
    void deps.work.run(() =>
      answer(
        {
          text: event.text,
          userId: event.user as string,
          prefix: deps.mentionPrefix,
          replier: conversationReplier({
            client,
            channelId: event.channel,
            threadTs: event.thread_ts ?? event.ts,
            redactor: deps.redactor,
            log: deps.log,
          }),
        },
        deps,
      ),
    );
  });

  app.message(async ({ message, body, client }) => {
    if (message.channel_type !== 'im') return;
    // Only what a person typed: no bot messages (ours included), edits or joins.
    if (message.subtype !== undefined || 'bot_id' in message) return;
    if (!recent.firstTime(eventId(body))) return;
    const text = message.text ?? '';
    void deps.work.run(() =>
      answer(
        {
          text,
          userId: message.user,
          prefix: '',
          replier: conversationReplier({
            client,
            channelId: message.channel,
            redactor: deps.redactor,
            log: deps.log,
          }),
        },
        deps,
      ),
    );
  });
}
