/** Payloads shaped as Slack sends them over Socket Mode (slash command, events, block actions). */

export interface Identity {
  readonly teamId: string;
  readonly teamDomain: string;
  readonly appId: string;
  readonly botUserId: string;
  readonly botId: string;
}

/** Socket Mode apps never check it, but Slack still sends one. */
const VERIFICATION_TOKEN = 'verification-token-unused-in-socket-mode';

export const DEFAULT_USER = 'U0ALICE';
export const DEFAULT_CHANNEL = 'C0OPS';

/** A stable readable name for an id the workspace does not know ("U0BOB" → "bob", "C0DEPLOYS" → "deploys"). */
export function nameOf(id: string): string {
  return id.replace(/^[A-Z]0?/, '').toLowerCase();
}

/** Names people and channels by id (the workspace's directory, else `nameOf`). */
export type Names = (id: string) => string;

export interface SlashCommandInput {
  /** With its slash: "/cloudmaster". */
  readonly command: string;
  readonly text: string;
  readonly userId?: string;
  readonly channelId?: string;
}

export function slashCommandPayload(
  identity: Identity,
  input: SlashCommandInput,
  responseUrl: string,
  triggerId: string,
  names: Names = nameOf,
): Record<string, string> {
  const userId = input.userId ?? DEFAULT_USER;
  const channelId = input.channelId ?? DEFAULT_CHANNEL;
  return {
    token: VERIFICATION_TOKEN,
    team_id: identity.teamId,
    team_domain: identity.teamDomain,
    channel_id: channelId,
    channel_name: channelId.startsWith('D') ? 'directmessage' : names(channelId),
    user_id: userId,
    user_name: names(userId),
    command: input.command,
    text: input.text,
    api_app_id: identity.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

export function eventCallback(
  identity: Identity,
  event: Record<string, unknown>,
  eventId: string,
): Record<string, unknown> {
  return {
    token: VERIFICATION_TOKEN,
    team_id: identity.teamId,
    context_team_id: identity.teamId,
    context_enterprise_id: null,
    api_app_id: identity.appId,
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        enterprise_id: null,
        team_id: identity.teamId,
        user_id: identity.botUserId,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: `4-${eventId}`,
  };
}

export interface BlockActionInput {
  readonly channelId: string;
  readonly messageTs: string;
  /** The message as Slack shows it to the clicking user. */
  readonly message: Record<string, unknown>;
  readonly ephemeral: boolean;
  readonly userId: string;
  readonly actionId: string;
  readonly blockId: string;
  readonly value: string | undefined;
  readonly buttonText: unknown;
  /** Unique per click, as Slack's are (two clicks in one millisecond still differ). */
  readonly actionTs: string;
}

export function blockActionsPayload(
  identity: Identity,
  input: BlockActionInput,
  responseUrl: string,
  triggerId: string,
  names: Names = nameOf,
): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: {
      id: input.userId,
      username: names(input.userId),
      name: names(input.userId),
      team_id: identity.teamId,
    },
    api_app_id: identity.appId,
    token: VERIFICATION_TOKEN,
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: input.ephemeral,
    },
    trigger_id: triggerId,
    team: { id: identity.teamId, domain: identity.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: {
      id: input.channelId,
      name: input.channelId.startsWith('D') ? 'directmessage' : names(input.channelId),
    },
    message: input.message,
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId,
        text: input.buttonText ?? { type: 'plain_text', text: input.actionId, emoji: true },
        ...(input.value === undefined ? {} : { value: input.value }),
        action_ts: input.actionTs,
      },
    ],
  };
}

export interface FoundButton {
  readonly blockId: string;
  readonly value: string | undefined;
  readonly text: unknown;
}

/** Finds a button by action id in `actions` blocks and `section` accessories. */
export function findButton(blocks: unknown[], actionId: string, value?: string): FoundButton | undefined {
  for (const block of blocks as {
    block_id?: string;
    elements?: ButtonElement[];
    accessory?: ButtonElement;
  }[]) {
    const candidates = [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])];
    const element = candidates.find(
      (candidate) =>
        candidate.type === 'button' &&
        candidate.action_id === actionId &&
        (value === undefined || candidate.value === value),
    );
    if (element) return { blockId: block.block_id ?? '', value: element.value, text: element.text };
  }
  return undefined;
}

/** Every button's action id, to say what could have been clicked. */
export function buttonIds(blocks: unknown[]): string[] {
  return (blocks as { elements?: ButtonElement[]; accessory?: ButtonElement }[])
    .flatMap((block) => [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])])
    .filter((element) => element.type === 'button')
    .map((element) => String(element.action_id));
}

interface ButtonElement {
  readonly type?: string;
  readonly action_id?: string;
  readonly value?: string;
  readonly text?: unknown;
}
