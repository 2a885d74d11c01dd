import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../support/dispatcher.ts';
import { run, terminalActsAs } from '../support/run-process.ts';

/** Each test file keeps its store (audit log) apart; a test may share one between runs. */
const DATA = mkdtempSync(join(tmpdir(), 'cloudmaster-cli-'));
const cli = (args: string[], env: Record<string, string> = {}) =>
  run('bin/cloudmaster.js', args, { CLOUDMASTER_DATA_DIR: DATA, ...env });
const DEMO = { CLOUDMASTER_DEMO: '1' };

describe('the CLI', () => {
  it('lists the simulated cloud as a table', async () => {
    const result = await cli(['list', 'on', 'demo'], DEMO);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^12 machines and 3 stacks on 1 provider: /);
    expect(result.stdout).toMatch(/^demo\s+web-1\s+running \(active\)\s+203\.0\.113\.\d+/m);
    expect(result.stderr).toBe('');
  });

  it('answers in JSON with --json', async () => {
    const result = await cli(['status', 'web-1', '--json'], DEMO);
    expect(result.code).toBe(0);
    const data = JSON.parse(result.stdout) as {
      kind: string;
      provider: { id: string };
      resource: { name: string; status: string };
    };
    expect(data).toMatchObject({
      kind: 'resource',
      provider: { id: 'demo' },
      resource: { name: 'web-1', status: 'running' },
    });
  });

  it('prints the steps of a mutation and its outcome', async () => {
    const config = writeConfig(
      'settings: { pollInterval: 50ms }\nproviders:\n  demo: { type: simulator, delays: { reboot: 200ms } }\n',
    );
    const result = await cli(['reboot', 'web-1', 'on', 'demo', '--yes'], { CLOUDMASTER_CONFIG: config });
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('Rebooting web-1 on demo…');
    expect(lines[1]).toBe('  reboot requested (operation sim-op-1)');
    expect(lines).toContain('  rebooting');
    expect(lines.at(-1)).toMatch(/^web-1 on demo rebooted: running again after 200 ms \(took \d+ ms\)\.$/);
  });

  it('names the known sizes when a create asks for one the provider does not have', async () => {
    const result = await cli(['create', 'vmtest01', 'on', 'demo', 'size=huge', '--yes'], {
      ...DEMO,
      LOG_LEVEL: 'error',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'The creation of vmtest01 on demo failed: "huge" is not a size here.\nKnown sizes: sim-small, sim-medium, sim-large, sim-xlarge.\n',
    );
  });

  it('exits 2 with a suggestion for a typo, on stderr', async () => {
    const result = await cli(['rebot', 'web-1'], DEMO);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('"rebot" is not a verb I know.\nDid you mean reboot?\n');
  });

  it('exits 1 for a name that is nowhere, with near names', async () => {
    const result = await cli(['status', 'web-7'], DEMO);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^No machine or stack named "web-7" on demo\.\nDid you mean `web-1` or `web-2`\?/,
    );
  });

  it('exits 3 when some providers answer and others do not, showing both', async () => {
    const config = writeConfig(
      'providers:\n  demo: { type: simulator }\n  down: { type: simulator, outage: true }\n',
    );
    const result = await cli(['list'], { CLOUDMASTER_CONFIG: config });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('! down: Simulated outage: down is not answering.');
    expect(result.stdout).toMatch(/^demo\s+web-1/m);
  });

  // Three runs of the CLI: generous on a loaded machine.
  it('writes its warnings to stderr as readable lines, and as JSON lines with --json', {
    timeout: 60_000,
  }, async () => {
    const config = writeConfig(
      'providers:\n  demo: { type: simulator }\n  down: { type: simulator, outage: true }\n',
    );
    const text = await cli(['list'], { CLOUDMASTER_CONFIG: config });
    expect(text.stderr).toBe(
      'warning: provider call failed: Simulated outage: down is not answering. (provider=down, verb=list, code=provider_unavailable)\n',
    );
    const json = await cli(['list', '--json'], { CLOUDMASTER_CONFIG: config });
    const lines = json.stderr.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ level: 40, msg: 'provider call failed', provider: 'down' }),
    ]);
    // Any case, as the bot reads it (pino itself knows only lowercase).
    const quiet = await cli(['list'], { CLOUDMASTER_CONFIG: config, LOG_LEVEL: 'ERROR' });
    expect(quiet.stderr).toBe('');
  });

  it('exits 2 on a bad config, one line per problem, no stack trace', async () => {
    const config = writeConfig(
      'providers:\n  demo: { type: simulatr }\n  lab: { type: simulator, seed: many }\n',
    );
    const result = await cli(['list'], { CLOUDMASTER_CONFIG: config });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('The configuration has 2 problem(s):');
    expect(lines[1]).toMatch(
      /providers\.demo\.type: unknown provider type "simulatr" \(did you mean simulator\?\)/,
    );
    expect(lines[2]).toMatch(/providers\.lab\.seed: expected number, received string/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says how to configure a provider when there is none', async () => {
    const result = await cli(['list']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^No providers are configured\.\nAdd them to cloudmaster\.yml or set their environment variables/,
    );
  });

  it('shows help without any provider', async () => {
    const result = await cli([]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reboot NAME [on PROVIDER]: reboot a machine (no configured provider)');
  });

  it('makes mutations dry runs while test mode is on, and says so in text and JSON', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cloudmaster-cli-testmode-'));
    // Test mode is the bot's own switch: only an admin turns it, so the terminal acts as one.
    const config = writeConfig(
      `settings: { admins: [U0OPS] }\nproviders:\n  demo: { type: simulator }\n${terminalActsAs('U0OPS')}`,
    );
    const env = { CLOUDMASTER_CONFIG: config, CLOUDMASTER_DATA_DIR: data };
    const on = await cli(['testmode', 'on'], env);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/No test incident was posted: the CLI does not post to Slack\./);
    const reboot = await cli(['reboot', 'web-1', 'on', 'demo', '--yes'], env);
    expect(reboot.code).toBe(0);
    expect(reboot.stdout).toMatch(
      /^Dry run — test mode is on\. Would now: Reboot web-1 on demo \(web-1 is running/,
    );
    expect(reboot.stdout).not.toContain('Rebooting web-1');
    const json = await cli(['stop', 'web-2', 'on', 'demo', '--yes', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'dry-run',
      verb: 'stop',
      target: { name: 'web-2' },
    });
    const audit = JSON.parse((await cli(['audit', '--json'], env)).stdout) as {
      records: { outcome: string }[];
    };
    expect(audit.records.map((record) => record.outcome)).toEqual(['dry_run', 'dry_run', 'succeeded']);
    const off = await cli(['testmode', 'off'], env);
    expect(off.stdout).toBe('Test mode is off: changes run again once confirmed.\n');
    // Six processes in a row: on a busy machine each takes seconds to start.
  }, 60_000);
});
