/**
 * What a person does in the page, turned into what Slack would send the
 * app: a `/command` becomes a slash command (its echo seen by its person
 * until the app answers in the channel), a message in the DM with the bot a
 * `message.im` event, an `@igor` in a channel an `app_mention`, a click a
 * `block_actions` from whoever clicked. Every input is checked first and
 * refused with a sentence; nothing is half done.
 */
import type { LocalSlack } from './local-slack.ts';
import type { MessageRecord } from './messages.ts';
import { findButton } from './payloads.ts';
import { canSeeChannel } from './views.ts';

/** Slack's own limit for a message a person writes. */
export const MAX_MESSAGE_LENGTH = 4_000;

export type PageOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface SendInput {
  readonly as: string;
  readonly channel: string;
  readonly text: string;
  readonly threadTs?: string | undefined;
}

export interface ClickInput {
  readonly as: string;
  readonly channel: string;
  readonly ts: string;
  readonly actionId: string;
  readonly value?: string | undefined;
}

export class Composer {
  private readonly slack: LocalSlack;
  private readonly commands: readonly string[];

  constructor(slack: LocalSlack, commands: readonly string[]) {
    this.slack = slack;
    this.commands = commands;
  }

  async send(input: SendInput): Promise<PageOutcome> {
    const person = this.slack.person(input.as);
    if (!person) return refused(`${input.as} is not one of this workspace’s people`);
    const channel = this.slack.channel(input.channel);
    if (!channel || !canSeeChannel(channel, person.id)) return refused('there is no such conversation');
    const text = input.text.trim();
    if (text === '') return refused('write something first');
    if (text.length > MAX_MESSAGE_LENGTH)
      return refused(`a message holds at most ${MAX_MESSAGE_LENGTH} characters (this one ${text.length})`);
    if (text.startsWith('/')) return this.command(person.id, channel.id, text);
    const threadTs =
      input.threadTs && this.slack.message(channel.id, input.threadTs) ? input.threadTs : undefined;
    const written = this.linkNames(text);
    const message = this.slack.addPersonMessage({
      channel: channel.id,
      author: person.id,
      text: written,
      threadTs,
    });
    if (channel.kind === 'im') {
      return delivered(
        this.slack.directMessage({ text: written, userId: person.id, channelId: channel.id, ts: message.ts }),
      );
    }
    if (!written.includes(`<@${this.slack.botUserId}>`)) return { ok: true };
    return delivered(
      this.slack.mention({
        text: written,
        userId: person.id,
        channelId: channel.id,
        ts: message.ts,
        ...(threadTs ? { threadTs } : {}),
      }),
    );
  }

  async click(input: ClickInput): Promise<PageOutcome> {
    const person = this.slack.person(input.as);
    if (!person) return refused(`${input.as} is not one of this workspace’s people`);
    const message = this.slack.message(input.channel, input.ts);
    if (!message || !this.canSee(message, person.id)) return refused('that message is gone');
    if (!findButton(message.blocks, input.actionId, input.value))
      return refused('that button is no longer on the message');
    return delivered(
      this.slack.clickButton({
        message,
        actionId: input.actionId,
        userId: person.id,
        ...(input.value === undefined ? {} : { value: input.value }),
      }),
    );
  }

  private canSee(message: MessageRecord, viewer: string): boolean {
    if (message.deleted) return false;
    if (message.visibleTo !== undefined && message.visibleTo !== viewer) return false;
    return canSeeChannel(this.slack.channel(message.channel), viewer);
  }

  private async command(userId: string, channelId: string, text: string): Promise<PageOutcome> {
    const command = text.split(/\s+/)[0] ?? '';
    if (!this.commands.includes(command))
      return refused(`${command} is not a command here; try ${this.commands.join(', ')}`);
    const echo = this.slack.addPersonMessage({ channel: channelId, author: userId, text, visibleTo: userId });
    const argumentText = text.slice(command.length).trim();
    try {
      const delivery = await this.slack.slashCommand({
        command,
        text: argumentText,
        userId,
        channelId,
        echo,
      });
      // An app may answer in its ack; Slack shows that as it shows a response_url post.
      const answer = delivery.ack.payload;
      if (answer && (typeof answer.text === 'string' || Array.isArray(answer.blocks)))
        this.slack.onResponseUrl(delivery.responseUrl, answer);
      return { ok: true };
    } catch (error) {
      return refused(notDelivered(error));
    }
  }

  /** `@name` and `#channel` as a Slack client writes them: `<@U…>`, `<#C…|name>`. */
  private linkNames(text: string): string {
    const { people, channels } = this.slack.directory();
    return text
      .replace(/(^|\s)@([a-z0-9][a-z0-9._-]*)/gi, (whole, space: string, name: string) => {
        const lower = name.toLowerCase();
        if (lower === this.slack.botName) return `${space}<@${this.slack.botUserId}>`;
        const person = people.find((candidate) => candidate.name === lower);
        return person ? `${space}<@${person.id}>` : whole;
      })
      .replace(/(^|\s)#([a-z0-9][a-z0-9._-]*)/gi, (whole, space: string, name: string) => {
        const channel = channels.find((candidate) => candidate.kind === 'channel' && candidate.name === name);
        return channel ? `${space}<#${channel.id}|${channel.name}>` : whole;
      });
  }
}

function refused(error: string): PageOutcome {
  return { ok: false, error };
}

async function delivered(delivery: Promise<unknown>): Promise<PageOutcome> {
  try {
    await delivery;
    return { ok: true };
  } catch (error) {
    return refused(notDelivered(error));
  }
}

function notDelivered(error: unknown): string {
  const why = error instanceof Error ? error.message : String(error);
  return `the bot did not take it: ${why}`;
}
