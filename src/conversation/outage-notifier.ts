/**
 * The outage watch's notices, said in Slack: posted with chat.postMessage
 * in the source's channel (a #name or an id; Slack answers with the id,
 * which is what is stored), replies in the notice's thread, the notice
 * redrawn with chat.update. Everything passes the redactor, as every
 * message to Slack does.
 */
import type { WebClient } from '@slack/web-api';
import type { Redactor } from '../log/redact.ts';
import type { SlackMessage } from '../replies/slack/message.ts';
import {
  renderNotice,
  renderResolution,
  renderTicketOpened,
  renderUpdate,
} from '../replies/slack/outage-notice.ts';
import type { NoticeLocation, OutageNotifier } from '../watch/notifier.ts';

export function slackOutageNotifier(deps: {
  readonly client: WebClient;
  readonly redactor: Redactor;
}): OutageNotifier {
  const { client, redactor } = deps;
  const post = async (channel: string, message: SlackMessage, threadTs?: string): Promise<NoticeLocation> => {
    const posted = await client.chat.postMessage({
      channel,
      ...redactor.deep(message),
      ...(threadTs ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
    });
    return { channel: (posted.channel as string | undefined) ?? channel, ts: posted.ts as string };
  };
  const reply = async (at: NoticeLocation, message: SlackMessage): Promise<void> => {
    await post(at.channel, message, at.ts);
  };
  return {
    postNotice: (channel, state) => post(channel, renderNotice(state)),
    redrawNotice: async (at, state) => {
      await client.chat.update({ ...at, ...redactor.deep(renderNotice(state)) });
    },
    postUpdate: (at, event, state) => reply(at, renderUpdate(event, state)),
    postResolution: (at, event, state) => reply(at, renderResolution(event, state)),
    postTicket: (at, state) => reply(at, renderTicketOpened(state)),
  };
}
