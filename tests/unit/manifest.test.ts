import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SLASH_COMMANDS } from '../../src/entry-points.ts';

interface Manifest {
  display_information: { name: string };
  features: {
    app_home: { messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; description: string; usage_hint: string; url?: string }[];
  };
  oauth_config: { scopes: { bot: string[]; user?: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[]; request_url?: string };
    interactivity: { is_enabled: boolean; request_url?: string };
    socket_mode_enabled: boolean;
  };
}

const manifest = parse(readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8')) as Manifest;

describe('manifest.yml', () => {
  it('declares every slash command the app answers, with the same words', () => {
    expect(
      manifest.features.slash_commands.map(({ command, description, usage_hint }) => ({
        command,
        description,
        usage_hint,
      })),
    ).toEqual(
      SLASH_COMMANDS.map(({ command, description, usageHint }) => ({
        command,
        description,
        usage_hint: usageHint,
      })),
    );
  });

  it('names the bot user igor (shown as Igor) while the app and its command stay cloudmaster', () => {
    expect(manifest.features.bot_user.display_name).toBe('Igor');
    expect(manifest.display_information.name).toBe('cloudmaster');
    expect(manifest.features.slash_commands[0]?.command).toBe('/cloudmaster');
  });

  it('subscribes to mentions and direct messages only', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual(['app_mention', 'message.im']);
  });

  it('uses Socket Mode with interactivity and no public URLs', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toBeUndefined();
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    for (const command of manifest.features.slash_commands) expect(command.url).toBeUndefined();
  });

  it('asks for only the bot scopes these surfaces need', () => {
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'app_mentions:read',
      'chat:write',
      'commands',
      'im:history',
      'usergroups:read',
    ]);
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('lets people write to the bot in its Messages tab', () => {
    expect(manifest.features.app_home.messages_tab_enabled).toBe(true);
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(false);
  });
});
