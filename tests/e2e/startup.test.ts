import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { FakeSlack, latest } from '../support/fake-slack/index.ts';
import { click, prompt, until } from '../support/prompts.ts';
import { type Running, run, start } from '../support/run-process.ts';

let fake: FakeSlack | undefined;
let bot: Running | undefined;
afterEach(async () => {
  bot?.child.kill('SIGKILL');
  await fake?.stop();
  fake = undefined;
  bot = undefined;
});

/** Waits for a value, polling: for a process's output. */
async function waitForOutput<T>(probe: () => T | null | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for the process');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startProcess(yaml: string): Promise<{ fake: FakeSlack; bot: Running }> {
  fake = await FakeSlack.start();
  bot = start('src/main.ts', [], {
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_APP_TOKEN: fake.appToken,
    SLACK_API_URL: fake.apiUrl,
    CLOUDMASTER_CONFIG: writeConfig(yaml),
    CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-process-')),
    LOG_LEVEL: 'info',
  });
  await fake.waitForConnection();
  return { fake, bot };
}

describe('npm start', () => {
  it('without Slack tokens, opens the local workspace: one line with its address, health says local, SIGTERM exits 0', async () => {
    const local = start('bin/cloudmaster.js', ['serve', '--port', '0']);
    bot = local;
    const line = await waitForOutput(() =>
      local
        .stdout()
        .match(/^cloudmaster is running in a local workspace: open (http:\/\/127\.0\.0\.1:\d+)\n$/),
    );
    const address = line[1] as string;
    const health = await fetch(`${address}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok', mode: 'local' });
    const page = await fetch(`${address}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('local workspace');
    local.child.kill('SIGTERM');
    const result = await local.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(line[0]);
    expect(result.stderr).toBe('');
  });

  it('with --slack or CLOUDMASTER_REQUIRE_SLACK=1 and no tokens, refuses with one paragraph naming what is missing', async () => {
    const [flag, variable] = await Promise.all([
      run('bin/cloudmaster.js', ['serve', '--slack']),
      run('bin/cloudmaster.js', ['serve'], { CLOUDMASTER_REQUIRE_SLACK: '1' }),
    ]);
    for (const result of [flag, variable]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const paragraph = result.stderr.trim();
      expect(paragraph.split('\n')).toHaveLength(1);
      expect(paragraph).toMatch(
        /SLACK_BOT_TOKEN \(a bot token, xoxb-…\) and SLACK_APP_TOKEN \(an app-level token with connections:write, xapp-…\) are not set/,
      );
      expect(paragraph).toContain('README.md');
      expect(paragraph).toContain('npx cloudmaster help');
      expect(paragraph).toContain('local workspace');
    }
  });

  it('with an option it does not know, exits naming it and the usage', async () => {
    const result = await run('bin/cloudmaster.js', ['serve', '--prot', '3000']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'cloudmaster serve: unknown option "--prot"; usage: cloudmaster serve [--slack] [--port N] [--host ADDRESS]\n',
    );
  });

  it('with the two Slack tokens swapped, says so in one line, naming prefixes and never the values', async () => {
    const [one, both] = await Promise.all([
      run('src/main.ts', [], { SLACK_BOT_TOKEN: 'xapp-1-secretvalue', SLACK_APP_TOKEN: 'xapp-2-othervalue' }),
      run('src/main.ts', [], { SLACK_BOT_TOKEN: 'xapp-1-secretvalue', SLACK_APP_TOKEN: 'xoxb-2-othervalue' }),
    ]);
    for (const result of [one, both]) {
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).not.toMatch(/secretvalue|othervalue|\s+at /);
      expect(result.stderr).not.toContain('not set');
    }
    expect(one.stderr).toContain(
      'cloudmaster cannot connect to Slack: SLACK_BOT_TOKEN holds an app-level token (xapp-…); it wants the bot token (xoxb-…) — are the two swapped?',
    );
    expect(both.stderr).toContain(
      'cloudmaster cannot connect to Slack: SLACK_BOT_TOKEN and SLACK_APP_TOKEN are swapped: SLACK_BOT_TOKEN holds the app-level token (xapp-…) and SLACK_APP_TOKEN the bot token (xoxb-…).',
    );
  });

  it('with PORT that is not a port, exits naming it, without a stack trace', async () => {
    const result = await run('src/main.ts', [], {
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1-2-3',
      CLOUDMASTER_CONFIG: writeConfig('providers:\n  demo: { type: simulator }\n'),
      PORT: 'eighty',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'cloudmaster cannot start: The configuration has 1 problem(s):\nenvironment: PORT: "eighty" is not a port number (0-65535)\n',
    );
  });

  it('with a bad config, exits naming each problem, without a stack trace', async () => {
    const result = await run('src/main.ts', [], {
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1-2-3',
      CLOUDMASTER_CONFIG: writeConfig(
        'providers:\n  demo:\n    type: simulator\n    delays: { reboot: soon }\n',
      ),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^cloudmaster cannot start: The configuration has 1 problem\(s\):\n.*providers\.demo\.delays\.reboot: "soon" is not a duration/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('with a store it cannot use, stops at start with one line naming the store and the problem; so does the CLI', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudmaster-unusable-'));
    const path = join(dataDir, 'cloudmaster.db');
    const store = await openStore({ kind: 'sqlite', path }, { now: Date.now() });
    // Migrated, then a table lost (a hand-edited file, a driver that cannot read it): nothing could be recorded.
    await store.sql.run('DROP TABLE audit');
    await store.close();
    fake = await FakeSlack.start();
    const config = writeConfig('providers:\n  demo: { type: simulator }\n');
    bot = start('src/main.ts', [], {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_CONFIG: config,
      CLOUDMASTER_DATA_DIR: dataDir,
    });
    const result = await bot.done;
    expect(fake.connectionsOpened).toBe(0);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `cloudmaster stopped: The store at ${path} cannot be prepared: the audit log cannot be used (no such table: audit)\n`,
    );
    const cli = await run('bin/cloudmaster.js', ['reboot', 'web-1', '--yes'], {
      CLOUDMASTER_CONFIG: config,
      CLOUDMASTER_DATA_DIR: dataDir,
    });
    expect(cli.code).toBe(2);
    expect(cli.stdout).toBe('');
    expect(cli.stderr).toBe(
      `The store at ${path} cannot be prepared: the audit log cannot be used (no such table: audit)\n`,
    );
  });

  it('on SIGTERM stops taking work, lets the operation in flight finish, closes the socket and exits 0', async () => {
    const { fake, bot } = await startProcess(
      'settings: { pollInterval: 50ms }\nproviders:\n  demo: { type: simulator, delays: { reboot: 3s } }\n',
    );
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    await click(fake, message, 'confirm');
    await until(fake, message, /^Rebooting web-1 on demo…/);
    bot.child.kill('SIGTERM');
    // Still connected while draining: a new command is told, and nothing is done.
    await fake.waitFor(() => bot.stdout().includes('shutting down'));
    const late = await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-2' });
    const refused = await fake.waitFor(() => fake.messageFor(late.responseUrl));
    expect(latest(refused).text).toMatch(
      /^cloudmaster is restarting and is not taking new commands; nothing was done/,
    );
    const result = await bot.done;
    expect(result.code).toBe(0);
    expect(latest(message).text).toMatch(/^<@U0ALICE> web-1 on demo rebooted: running again after 3 s/);
    expect(fake.openConnections).toBe(0);
    expect(result.stdout).toContain('cloudmaster stopped');
    expect(fake.messages.some((m) => m.versions[0]?.text.startsWith('Reboot web-2'))).toBe(false);
  });

  it('on SIGTERM past the grace period, records where an operation was and says so in its message', async () => {
    const { fake, bot } = await startProcess(
      'settings: { pollInterval: 50ms, shutdownGrace: 200ms }\nproviders:\n  demo: { type: simulator, delays: { reboot: 30s } }\n',
    );
    await fake.slashCommand({ command: '/cloudmaster', text: 'reboot web-1' });
    const message = await prompt(fake, 'Reboot web-1 on demo?');
    await click(fake, message, 'confirm');
    await fake.waitFor(() => (latest(message).text.endsWith('rebooting') ? true : undefined));
    bot.child.kill('SIGTERM');
    const result = await bot.done;
    expect(result.code).toBe(0);
    expect(latest(message).text).toMatch(
      /^cloudmaster is restarting: it will go on following the reboot of web-1 on demo when it is back \(job [0-9A-Z]{6}\); last seen: rebooting\.$/,
    );
    expect(result.stdout).toMatch(/"msg":"shutting down while an operation was being followed"/);
    expect(result.stdout).toMatch(/"operationId":"sim-op-1"/);
  });
});
