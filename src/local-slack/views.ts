/**
 * What one person sees of the local workspace: the channels they are in,
 * and each message as their Slack client would show it — ephemeral ones
 * only to their person, DMs only to their owner.
 */
import type { LocalSlack } from './local-slack.ts';
import type { MessageRecord } from './messages.ts';
import type { Channel, LocalWorkspace, Person } from './workspace.ts';

export interface MessageView {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
  /** A person's id, or the bot's. */
  readonly author: string;
  readonly bot: boolean;
  readonly text: string;
  readonly blocks: unknown[];
  readonly ephemeral: boolean;
  readonly edited: boolean;
  /** When it was first posted (ms since the epoch). */
  readonly at: number;
}

export interface SlashCommandView {
  readonly command: string;
  readonly description: string;
  readonly usageHint: string;
}

export interface PageState {
  readonly team: string;
  readonly bot: { readonly id: string; readonly name: string; readonly app: string; readonly handle: string };
  readonly me: Person;
  readonly people: readonly Person[];
  readonly channels: readonly Channel[];
  readonly commands: readonly SlashCommandView[];
  readonly connected: boolean;
  readonly messages: readonly MessageView[];
}

/** The newest messages of each channel a page starts with; older ones are not sent. */
export const MESSAGES_PER_CHANNEL = 2_000;

export function canSeeChannel(channel: Channel | undefined, viewer: string): boolean {
  if (!channel) return false;
  return channel.kind === 'channel' || channel.user === viewer;
}

export function viewOf(
  workspace: LocalWorkspace,
  message: MessageRecord,
  viewer: string,
): MessageView | undefined {
  if (message.deleted) return undefined;
  if (message.visibleTo !== undefined && message.visibleTo !== viewer) return undefined;
  if (!canSeeChannel(workspace.channel(message.channel), viewer)) return undefined;
  const first = message.versions[0];
  return {
    channel: message.channel,
    ts: message.ts,
    ...(message.threadTs ? { threadTs: message.threadTs } : {}),
    author: message.author ?? workspace.botUserId,
    bot: message.author === undefined,
    text: message.text,
    blocks: message.blocks,
    ephemeral: message.ephemeral,
    edited: message.versions.length > 1,
    at: first?.at ?? Date.now(),
  };
}

export function pageState(
  workspace: LocalSlack,
  viewer: Person,
  extra: { readonly commands: readonly SlashCommandView[]; readonly botDisplayName: string },
): PageState {
  const { people, channels } = workspace.directory();
  const visible = channels.filter((channel) => canSeeChannel(channel, viewer.id));
  const perChannel = new Map<string, MessageView[]>();
  for (let index = workspace.messages.length - 1; index >= 0; index -= 1) {
    const message = workspace.messages[index] as MessageRecord;
    const shown = perChannel.get(message.channel) ?? [];
    if (shown.length >= MESSAGES_PER_CHANNEL) continue;
    const view = viewOf(workspace, message, viewer.id);
    if (!view) continue;
    shown.push(view);
    perChannel.set(message.channel, shown);
  }
  return {
    team: workspace.teamName,
    bot: {
      id: workspace.botUserId,
      name: extra.botDisplayName,
      app: 'cloudmaster',
      handle: workspace.botName,
    },
    me: viewer,
    people,
    channels: visible,
    commands: extra.commands,
    connected: workspace.openConnections > 0,
    messages: [...perChannel.values()].flatMap((views) => views.reverse()),
  };
}
