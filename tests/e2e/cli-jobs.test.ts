/**
 * A job the CLI started and was stopped from following (Ctrl-C): it gives
 * the job up, and a bot on the same store takes it over and finishes it
 * without sending the reboot again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';
import { type Harness, startBot } from '../support/bot-harness.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { DigitalOceanDouble } from '../support/doubles/digitalocean.ts';
import { eventually } from '../support/eventually.ts';
import { start, terminalActsAs } from '../support/run-process.ts';

const TOKEN = 'do-cli-jobs-token-0123456789';
/** The Slack admin the terminal acts as. */
const OPS = 'U0OPS';
let digitalocean: DigitalOceanDouble | undefined;
let harness: Harness | undefined;
afterAll(async () => {
  await harness?.stop();
  await digitalocean?.stop();
});

describe('a CLI job interrupted', () => {
  it('is given up on Ctrl-C and finished by a bot on the same store, with one reboot sent', async () => {
    digitalocean = await DigitalOceanDouble.start({ token: TOKEN, actionMs: 2_500 });
    const yaml = `settings: { pollInterval: 50ms, admins: [${OPS}] }\nproviders:\n  do: { type: digitalocean, token: "\${DO_TOKEN}", endpoint: "${digitalocean.url}" }\n${terminalActsAs(OPS)}`;
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-cli-job-'));
    const env = { CLOUDMASTER_CONFIG: writeConfig(yaml), CLOUDMASTER_DATA_DIR: dir, DO_TOKEN: TOKEN };
    const cli = start('bin/cloudmaster.js', ['reboot', 'web-1', 'on', 'do', '--yes'], env);
    await eventually(async () => cli.stdout().includes('(operation '), 'the CLI to see the reboot accepted');
    cli.child.kill('SIGINT');
    const result = await cli.done;
    expect(result.code).toBe(1);
    const id = /Stopped following job ([0-9A-Z]{6}) before it ended/.exec(result.stderr)?.[1];
    expect(id, result.stderr).toBeDefined();
    expect(result.stdout).toContain(`stopped following it; job ${id} goes on where cloudmaster runs`);
    const store = await openStore({ kind: 'sqlite', path: join(dir, 'cloudmaster.db') }, { now: Date.now() });
    try {
      expect(await store.jobs.get(id as string)).toMatchObject({ state: 'running', leaseUntil: 0 });
    } finally {
      await store.close();
    }
    harness = await startBot(yaml, { env: { DO_TOKEN: TOKEN, CLOUDMASTER_DATA_DIR: dir } });
    const bot = harness.bot;
    await eventually(
      async () => (await bot.store.jobs.get(id as string))?.state === 'succeeded',
      'the bot to finish the job',
    );
    expect(digitalocean.actionRequests('web-1', 'reboot')).toBe(1);
    const [record] = await bot.store.audit.query({ limit: 1 });
    expect(record).toMatchObject({
      entry: 'cli',
      verb: 'reboot',
      outcome: 'succeeded',
      userId: OPS,
      confirmedBy: OPS,
    });
  });
});
