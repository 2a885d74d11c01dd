/**
 * The package as users get it: `npm pack` (which builds dist/), installed
 * with `npm install -g` into a temporary prefix, then run from there — from
 * node_modules, where Node will not strip types, so only the build can run.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { FakeSlack, latest } from '../support/fake-slack/index.ts';
import { ROOT, type Running, startExecutable } from '../support/run-process.ts';

const execFileAsync = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

/**
 * npm with this test's Node first on PATH, none of the npm_* settings of an enclosing `npm test`,
 * and the machine's own extra CA (vitest.config.ts put the test CA in its place): a global install
 * resolves dependency ranges afresh, so it may reach the registry.
 */
async function npm(args: readonly string[], cwd: string): Promise<string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.toLowerCase().startsWith('npm_')) env[key] = value;
  env.PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
  delete env.NODE_EXTRA_CA_CERTS;
  const machineCa = process.env.CLOUDMASTER_MACHINE_EXTRA_CA_CERTS;
  if (machineCa) env.NODE_EXTRA_CA_CERTS = machineCa;
  const { stdout } = await execFileAsync('npm', [...args], { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

let work: string;
let prefix: string;
let packed: string[];
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cloudmaster-package-'));
  prefix = join(work, 'prefix');
  const [pack] = JSON.parse(await npm(['pack', '--json', '--pack-destination', work], ROOT)) as {
    filename: string;
    files: { path: string }[];
  }[];
  if (!pack) throw new Error('npm pack made no tarball');
  packed = pack.files.map((file) => file.path);
  await npm(
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      join(work, pack.filename),
    ],
    work,
  );
}, 900_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 300_000);

/** The installed `cloudmaster`, run by its own shebang with this test's Node first on PATH. */
function cloudmaster(args: readonly string[], env: Record<string, string> = {}): Running {
  return startExecutable(join(prefix, 'bin', 'cloudmaster'), args, {
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    ...env,
  });
}

describe('the npm package', () => {
  it('holds the build, the entry point, the licence and the Slack manifest, and no sources or tests', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/cloudmaster.js',
        'bin/node-support.js',
        'CHANGELOG.md',
        'dist/src/entry.js',
        'dist/src/main.js',
        'dist/src/local-slack/page/index.html',
        'dist/src/local-slack/page/app.js',
        'dist/src/local-slack/page/blocks.js',
        'dist/src/local-slack/page/style.css',
        'dist/providers/simulator/provider.js',
        'LICENSE',
        'manifest.yml',
        'package.json',
      ]),
    );
    expect(packed.filter((path) => /^(src|tests|providers|bench|\.ci)\/|\.test\.|\.ts$/.test(path))).toEqual(
      [],
    );
    const installed = join(prefix, 'lib', 'node_modules', 'cloudmaster');
    expect(existsSync(join(installed, 'dist', 'src', 'entry.js'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    // Production dependencies only: the compiler and the test runner stay behind.
    expect(existsSync(join(installed, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', 'vitest'))).toBe(false);
  });

  it('cloudmaster --version and version print the package version', async () => {
    for (const word of ['--version', 'version']) {
      const result = await cloudmaster([word]).done;
      expect(result).toMatchObject({ code: 0, stdout: `cloudmaster ${version}\n`, stderr: '' });
    }
  });

  it('cloudmaster help lists the verbs', async () => {
    const result = await cloudmaster(['help']).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reboot NAME [on PROVIDER]: reboot a machine');
    expect(result.stderr).toBe('');
  });

  it('cloudmaster list shows the demo cloud from the embedded store', async () => {
    const data = mkdtempSync(join(work, 'data-'));
    const result = await cloudmaster(['list'], { CLOUDMASTER_DEMO: '1', CLOUDMASTER_DATA_DIR: data }).done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^12 machines and 3 stacks on 1 provider: /);
    expect(result.stdout).toMatch(/^demo +web-1 +running/m);
    expect(existsSync(join(data, 'cloudmaster.db'))).toBe(true);
  });

  it('cloudmaster serve --slack without Slack tokens says what is missing in one line', async () => {
    const result = await cloudmaster(['serve', '--slack']).done;
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^cloudmaster cannot connect to Slack: SLACK_BOT_TOKEN .*SLACK_APP_TOKEN .* are not set/,
    );
  });

  it('cloudmaster serve without Slack tokens opens the local workspace from the build: the page, its files and the manifest’s commands', async () => {
    const local = cloudmaster(['serve', '--port', '0'], {
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(work, 'data-')),
    });
    try {
      let address = '';
      await eventually(
        async () => {
          address = /open (http:\/\/127\.0\.0\.1:\d+)\n/.exec(local.stdout())?.[1] ?? '';
          return address !== '';
        },
        'the local workspace line',
        60_000,
      );
      const page = await fetch(`${address}/`);
      expect(page.status).toBe(200);
      for (const file of ['app.js', 'blocks.js', 'style.css'])
        expect((await fetch(`${address}/local/page/${file}`)).status, file).toBe(200);
      const state = (await (await fetch(`${address}/local/state`)).json()) as {
        commands: { command: string; usageHint: string }[];
      };
      // As manifest.yml installs them, usage hints and all (the installed package carries the manifest).
      expect(state.commands.map((entry) => entry.command)).toEqual(['/cloudmaster', '/dostat', '/vustat']);
      expect(state.commands[0]?.usageHint).not.toBe('');
      local.child.kill('SIGTERM');
      const result = await local.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    } finally {
      local.child.kill('SIGKILL');
    }
  });

  it('cloudmaster serve connects to Slack, logs its version, answers a command and stops on SIGTERM', async () => {
    const fake = await FakeSlack.start();
    const bot = cloudmaster(['serve'], {
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_APP_TOKEN: fake.appToken,
      SLACK_API_URL: fake.apiUrl,
      CLOUDMASTER_DEMO: '1',
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(work, 'data-')),
      LOG_LEVEL: 'info',
    });
    try {
      await fake.waitForConnection(60_000);
      await eventually(
        async () => bot.stdout().includes('cloudmaster is connected to Slack'),
        'the start-up log line',
        30_000,
      );
      const started = bot
        .stdout()
        .split('\n')
        .find((line) => line.includes('cloudmaster is connected to Slack'));
      expect(JSON.parse(started ?? '{}')).toMatchObject({ version, node: process.versions.node });
      const delivery = await fake.slashCommand({ command: '/cloudmaster', text: 'list' });
      const reply = await fake.waitFor(() => fake.messageFor(delivery.responseUrl), {
        timeoutMs: 30_000,
        description: 'the reply to /cloudmaster list',
      });
      expect(latest(reply).text).toMatch(/^12 machines and 3 stacks on 1 provider: /);
      bot.child.kill('SIGTERM');
      const result = await bot.done;
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    } finally {
      bot.child.kill('SIGKILL');
      await fake.stop();
    }
  });
});
