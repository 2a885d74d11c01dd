/** Payloads shaped as Slack sends them (slash command, events, block actions). */

export interface Identity {
  readonly teamId: string;
  readonly appId: string;
  readonly botUserId: string;
}

export interface SlashCommandInput {
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
): Record<string, string> {
  return {
    token: 'verification-token-unused-in-socket-mode',
    team_id: identity.teamId,
    team_domain: 'fake',
    channel_id: input.channelId ?? 'C0OPS',
    channel_name: 'ops',
    user_id: input.userId ?? 'U0ALICE',
    user_name: 'alice',
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
    token: 'verification-token-unused-in-socket-mode',
    team_id: identity.teamId,
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

export interface ButtonClickInput {
  readonly channelId: string;
  readonly messageTs: string;
  readonly message: Record<string, unknown>;
  readonly actionId: string;
  readonly blockId: string;
  readonly value: string;
  readonly userId?: string;
  readonly ephemeral?: boolean;
}

export function blockActionsPayload(
  identity: Identity,
  input: ButtonClickInput,
  responseUrl: string,
  triggerId: string,
): Record<string, unknown> {
  const userId = input.userId ?? 'U0ALICE';
  return {
    type: 'block_actions',
    user: { id: userId, username: 'alice', name: 'alice', team_id: identity.teamId },
    api_app_id: identity.appId,
    token: 'verification-token-unused-in-socket-mode',
    container: {
      type: 'message',
      message_ts: input.messageTs,
      channel_id: input.channelId,
      is_ephemeral: input.ephemeral ?? false,
    },
    trigger_id: triggerId,
    team: { id: identity.teamId, domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: 'ops' },
    message: input.message,
    state: { values: {} },
    response_url: responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId,
        value: input.value,
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}
