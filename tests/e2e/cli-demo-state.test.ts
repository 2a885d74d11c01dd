import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../support/dispatcher.ts';
import { run } from '../support/run-process.ts';

const DEMO = { CLOUDMASTER_DEMO: '1' };
const cli = (data: string, args: string[], env: Record<string, string> = {}) =>
  run('bin/cloudmaster.js', args, { ...DEMO, CLOUDMASTER_DATA_DIR: data, ...env });

interface Listed {
  readonly providers: readonly { readonly machines: readonly { readonly name: string }[] }[];
}
const names = (stdout: string) =>
  (JSON.parse(stdout) as Listed).providers.flatMap((listed) => listed.machines.map((m) => m.name));

// Several CLI runs each: generous on a loaded machine.
describe('the demo cloud across CLI runs', { timeout: 60_000 }, () => {
  it('keeps a destroyed machine gone in the next run, in its data folder', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cloudmaster-demo-'));
    const before = await cli(data, ['list', 'on', 'demo', '--json']);
    expect(before.code).toBe(0);
    expect(names(before.stdout)).toContain('worker-1');

    const destroyed = await cli(data, ['destroy', 'worker-1', 'on', 'demo', '--yes']);
    expect(destroyed.code).toBe(0);
    expect(existsSync(join(data, 'demo-cloud.json'))).toBe(true);

    const after = await cli(data, ['list', 'on', 'demo', '--json']);
    expect(after.code).toBe(0);
    expect(names(after.stdout)).not.toContain('worker-1');
    expect(names(after.stdout)).toContain('web-1');

    // Another data folder is another demo cloud, as it is another store.
    const elsewhere = await cli(mkdtempSync(join(tmpdir(), 'cloudmaster-demo-')), [
      'list',
      'on',
      'demo',
      '--json',
    ]);
    expect(names(elsewhere.stdout)).toContain('worker-1');
  });

  it('starts from the seed again when the kept file is unreadable', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cloudmaster-demo-'));
    writeFileSync(join(data, 'demo-cloud.json'), '{ half a file');
    const result = await cli(data, ['list', 'on', 'demo', '--json']);
    expect(result.code).toBe(0);
    expect(names(result.stdout)).toContain('worker-1');
  });

  it('makes the change when the file cannot be written, and says once that the next run will not see it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cloudmaster-demo-'));
    mkdirSync(join(data, 'demo-cloud.json'));
    const result = await cli(data, ['reboot', 'web-2', 'on', 'demo', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/web-2 on demo rebooted/);
    const warnings = result.stderr.trim().split('\n');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^warning: could not keep the simulated cloud in its file: the next process starts from the seed: EISDIR/,
    );
    expect(readdirSync(data).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('warns that CLOUDMASTER_DEMO is ignored when a config file is read', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cloudmaster-demo-'));
    const config = writeConfig('providers:\n  lab: { type: simulator }\n');
    const result = await cli(data, ['list', 'on', 'lab'], { CLOUDMASTER_CONFIG: config });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('warning: CLOUDMASTER_DEMO is ignored:');
    expect(result.stderr).toContain('its providers alone are used');
  });
});
