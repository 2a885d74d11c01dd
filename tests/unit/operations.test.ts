/**
 * The operations listener's settings, the Slack tokens' problems in words,
 * and the Slack reachability warning: once per interval whatever the number
 * of retries, naming the URL and the network error (real fetches to a
 * closed loopback port and to a loopback server).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { DEFAULT_SETTINGS, httpListenerSettings } from '../../src/config/settings.ts';
import { createLogger } from '../../src/log/logger.ts';
import { Redactor } from '../../src/log/redact.ts';
import { SlackReachability } from '../../src/ops/slack-reachability.ts';
import { slackTokenProblems } from '../../src/slack-tokens.ts';

function settingsFrom(yaml: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-ops-'));
  writeFileSync(join(dir, 'cloudmaster.yml'), yaml);
  return loadConfig({
    env: { CLOUDMASTER_CONFIG: join(dir, 'cloudmaster.yml'), ...env },
    modules: PROVIDER_MODULES,
    cwd: '/',
  }).settings;
}

describe('settings.http', () => {
  it('is off and on loopback by default', () => {
    expect(DEFAULT_SETTINGS.http).toEqual({ host: '127.0.0.1' });
    expect(httpListenerSettings(DEFAULT_SETTINGS, {})).toEqual({ http: { host: '127.0.0.1' } });
  });

  it('takes PORT where the config gives no port; the config’s port wins', () => {
    expect(httpListenerSettings(DEFAULT_SETTINGS, { PORT: '8080' }).http).toEqual({
      host: '127.0.0.1',
      port: 8080,
    });
    const configured = settingsFrom('settings:\n  http: { host: 0.0.0.0, port: 9464 }\n');
    expect(httpListenerSettings(configured, { PORT: '8080' }).http).toEqual({ host: '0.0.0.0', port: 9464 });
  });

  it('reads a port interpolated from the environment as a number', () => {
    expect(
      settingsFrom(`settings:\n  http: { port: "\${METRICS_PORT}" }\n`, { METRICS_PORT: '9100' }).http,
    ).toEqual({
      host: '127.0.0.1',
      port: 9100,
    });
  });

  it('refuses a port that is not one, in the config or in PORT', () => {
    expect(() => settingsFrom('settings:\n  http: { port: 70000 }\n')).toThrow(ConfigError);
    expect(() => settingsFrom('settings:\n  http: { port: eighty }\n')).toThrow(/settings\.http\.port/);
    expect(() => settingsFrom('settings:\n  http: { hots: 0.0.0.0 }\n')).toThrow(/hots/);
    expect(httpListenerSettings(DEFAULT_SETTINGS, { PORT: '80a' }).problem).toBe(
      'environment: PORT: "80a" is not a port number (0-65535)',
    );
  });
});

describe('the Slack tokens', () => {
  it('names each problem by its variable and the prefixes, never the values', () => {
    expect(slackTokenProblems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toEqual([]);
    expect(slackTokenProblems({})).toEqual([
      'SLACK_BOT_TOKEN (a bot token, xoxb-…) and SLACK_APP_TOKEN (an app-level token with connections:write, xapp-…) are not set',
    ]);
    expect(slackTokenProblems({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xoxb-2' })).toEqual([
      'SLACK_APP_TOKEN holds a bot token (xoxb-…); it wants the app-level token with connections:write (xapp-…) — are the two swapped?',
    ]);
    expect(slackTokenProblems({ SLACK_BOT_TOKEN: 'xoxp-user', SLACK_APP_TOKEN: 'xapp-1' })).toEqual([
      'SLACK_BOT_TOKEN holds a user token (xoxp-…); it wants the bot token (xoxb-…)',
    ]);
    expect(slackTokenProblems({ SLACK_BOT_TOKEN: 'hunter2', SLACK_APP_TOKEN: '' })).toEqual([
      'SLACK_APP_TOKEN (an app-level token with connections:write, xapp-…) is not set',
      'SLACK_BOT_TOKEN does not hold a Slack token of a kind cloudmaster knows; it wants the bot token (xoxb-…)',
    ]);
  });
});

describe('Slack reachability', () => {
  let closedUrl: string;
  let server: Server;
  let openUrl: string;
  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/api/apps.connections.open`;
    await new Promise((resolve) => probe.close(resolve));
    server = createServer((_request, response) => response.end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    openUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/auth.test`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('warns once per interval however often it fails, naming the URL and the error, and says when it answers again', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      redactor: new Redactor([]),
      destination: { write: (l) => lines.push(l) },
    });
    let now = Date.parse('2025-03-18T14:00:00.000Z');
    const reachability = new SlackReachability({ log, now: () => now });
    const attempt = (url: string) =>
      reachability.fetch(url, { method: 'POST' }).then(
        () => 'answered',
        () => 'failed',
      );
    for (let i = 0; i < 30; i += 1) {
      expect(await attempt(closedUrl)).toBe('failed');
      now += 1_000;
    }
    const warnings = () =>
      lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.msg).toMatch(
      new RegExp(
        `^cannot reach Slack at ${closedUrl}: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+; retrying \\(this warning repeats every 1 min while it lasts\\)$`,
      ),
    );
    expect(reachability.problem()).toMatchObject({ url: closedUrl, attempts: 30 });

    now += 31_000;
    await attempt(closedUrl);
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]?.msg).toMatch(
      /^still cannot reach Slack at .+ \(31 failed attempts since 2025-03-18T14:00:00\.000Z\); retrying$/,
    );

    expect(await attempt(openUrl)).toBe('answered');
    expect(reachability.problem()).toBeUndefined();
    expect(lines.at(-1)).toContain(`Slack answers again at ${closedUrl} after 31 failed attempts`);
  });

  it('does not count a request the caller aborted', async () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      redactor: new Redactor([]),
      destination: { write: (l) => lines.push(l) },
    });
    const reachability = new SlackReachability({ log });
    await expect(reachability.fetch(openUrl, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(reachability.problem()).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
