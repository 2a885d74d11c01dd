/**
 * Where answers go, per Slack surface. Every message passes through the
 * redactor here — the one exit to Slack — so no reply can carry a secret.
 */
import type { RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Redactor } from '../log/redact.ts';
import type { SlackMessage } from '../replies/slack/message.ts';
import { isOutOfReach, slackFailure } from './slack-errors.ts';

export interface MessageLocation {
  readonly channel: string;
  readonly ts: string;
  /** The thread it is in (mentions), so a message posted again lands there too. */
  readonly threadTs?: string;
}

/** A posted message that is updated in place as an operation advances. */
export interface MessageHandle {
  update(message: SlackMessage): Promise<void>;
  /** Where it is, when it was posted as a message of the bot's (not through a response_url). */
  readonly location?: MessageLocation;
}

export interface Replier {
  /** Help, usage and errors: only the caller sees them where Slack allows (not in a DM: it is theirs). */
  private(message: SlackMessage): Promise<void>;
  /** Rights, denials and the audit: only the caller sees them, in a thread too. */
  ephemeral(message: SlackMessage): Promise<void>;
  /** Results: visible to the conversation. */
  public(message: SlackMessage): Promise<void>;
  /** A visible message that will be updated in place. */
  open(message: SlackMessage): Promise<MessageHandle>;
}

/**
 * Serialises updates of one message and keeps only the newest waiting one:
 * a slow chat.update never queues a backlog of stale states.
 */
export class CoalescingHandle implements MessageHandle {
  readonly location: MessageLocation | undefined;
  private running: Promise<void> = Promise.resolve();
  private pending: SlackMessage | undefined;
  private readonly send: (message: SlackMessage) => Promise<void>;
  private readonly log: Logger;

  constructor(send: (message: SlackMessage) => Promise<void>, log: Logger, location?: MessageLocation) {
    this.send = send;
    this.log = log;
    this.location = location;
  }

  update(message: SlackMessage): Promise<void> {
    const queued = this.pending !== undefined;
    this.pending = message;
    if (!queued) {
      this.running = this.running.then(async () => {
        const next = this.pending;
        this.pending = undefined;
        if (!next) return;
        try {
          await this.send(next);
        } catch (error) {
          this.log.warn({ err: error, slackError: slackFailure(error).error }, 'could not update a message');
        }
      });
    }
    return this.running;
  }
}

export interface ReplierDeps {
  readonly client: WebClient;
  readonly redactor: Redactor;
  readonly log: Logger;
}

/** A message in a channel or thread, posted with chat.postMessage and updated with chat.update. */
async function postUpdatable(
  deps: ReplierDeps,
  channel: string,
  message: SlackMessage,
  threadTs?: string,
): Promise<MessageHandle> {
  const posted = await deps.client.chat.postMessage({
    channel,
    ...deps.redactor.deep(message),
    ...(threadTs ? { thread_ts: threadTs } : {}),
  });
  const ts = posted.ts as string;
  const postedIn = (posted.channel as string | undefined) ?? channel;
  return messageHandle(deps, { channel: postedIn, ts, ...(threadTs ? { threadTs } : {}) });
}

/** A handle on a message the bot posted: updated with chat.update. */
export function messageHandle(deps: ReplierDeps, location: MessageLocation): MessageHandle {
  return new CoalescingHandle(
    async (next) => {
      await deps.client.chat.update({
        channel: location.channel,
        ts: location.ts,
        ...deps.redactor.deep(next),
      });
    },
    deps.log,
    location,
  );
}

/** Slash commands: ephemeral and in-channel replies through the response_url. */
export function slashCommandReplier(
  deps: ReplierDeps & { readonly respond: RespondFn; readonly channelId: string },
): Replier {
  const { respond, redactor } = deps;
  const ephemeral = async (message: SlackMessage): Promise<void> => {
    await respond({ response_type: 'ephemeral', ...redactor.deep(message) });
  };
  return {
    private: ephemeral,
    ephemeral,
    public: async (message) => {
      await respond({ response_type: 'in_channel', ...redactor.deep(message) });
    },
    open: async (message) => {
      try {
        return await postUpdatable(deps, deps.channelId, message);
      } catch (error) {
        // The bot may not be in the channel (or it is a DM with someone
        // else): the response_url still reaches it, and can replace its own message.
        if (!isOutOfReach(error)) throw error;
        deps.log.info({ slackError: slackFailure(error).error }, 'posting through the response_url instead');
        await respond({ response_type: 'in_channel', ...redactor.deep(message) });
        return new CoalescingHandle(async (next) => {
          await respond({ response_type: 'in_channel', replace_original: true, ...redactor.deep(next) });
        }, deps.log);
      }
    },
  };
}

/**
 * Mentions (threaded) and DMs: every reply is a message in that
 * conversation. In a channel's thread, what is meant for the caller alone
 * (help, usage, errors, denials) is ephemeral: others in the thread see
 * only results.
 */
export function conversationReplier(
  deps: ReplierDeps & {
    readonly channelId: string;
    readonly threadTs?: string;
    /** Set for mentions in channels: what only they should see goes to them alone. */
    readonly userId?: string;
  },
): Replier {
  const post = async (message: SlackMessage): Promise<void> => {
    await deps.client.chat.postMessage({
      channel: deps.channelId,
      ...deps.redactor.deep(message),
      ...(deps.threadTs ? { thread_ts: deps.threadTs } : {}),
    });
  };
  const ephemeral = async (message: SlackMessage): Promise<void> => {
    if (!deps.userId) return post(message);
    await deps.client.chat.postEphemeral({
      channel: deps.channelId,
      user: deps.userId,
      ...deps.redactor.deep(message),
      ...(deps.threadTs ? { thread_ts: deps.threadTs } : {}),
    });
  };
  return {
    private: ephemeral,
    ephemeral,
    public: post,
    open: (message) => postUpdatable(deps, deps.channelId, message, deps.threadTs),
  };
}
