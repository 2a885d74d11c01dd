/**
 * The CLI on a real pseudo-terminal, as a person runs it: a mutation asks
 * "Type yes", runs on "yes", and does nothing on anything else or on Ctrl-C.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/run.ts';
import { openStore } from '../../src/store/store.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { hasScriptCommand, startInTerminal } from '../support/run-process.ts';

const QUESTION = 'Type yes to go ahead: ';

let env: Record<string, string>;
beforeEach(() => {
  env = {
    CLOUDMASTER_CONFIG: writeConfig(
      'settings: { pollInterval: 20ms }\nproviders:\n  demo: { type: simulator, delays: { reboot: 50ms } }\n',
    ),
    CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-cli-tty-')),
  };
});

/** Runs `reboot web-1 on demo` on a terminal and answers the question with `keys`. */
async function rebootAnswering(keys: string) {
  const terminal = startInTerminal('bin/cloudmaster.js', ['reboot', 'web-1', 'on', 'demo'], env);
  let ended = false;
  void terminal.done.then(() => {
    ended = true;
  });
  await eventually(async () => ended || terminal.screen().includes(QUESTION), 'the question', 30_000);
  expect(terminal.screen()).toMatch(/^Reboot web-1 on demo\? web-1 is running \(active\), .*\n.*Type yes/);
  terminal.type(keys);
  return terminal.done;
}

/** Read from the store: reading the audit is for admins, and this terminal is none (a simulator needs none). */
async function auditOutcomes(): Promise<{ outcome: string; confirmedBy?: string }[]> {
  const path = join(env.CLOUDMASTER_DATA_DIR as string, 'cloudmaster.db');
  const store = await openStore({ kind: 'sqlite', path }, { now: Date.now() });
  try {
    return await store.audit.query({ limit: 10 });
  } finally {
    await store.close();
  }
}

describe.skipIf(!hasScriptCommand())('the CLI on a terminal', { timeout: 60_000 }, () => {
  it('asks "Type yes" and reboots on yes', async () => {
    const { code, screen } = await rebootAnswering('yes\n');
    expect(screen).toContain(`${QUESTION}yes\nRebooting web-1 on demo…\n`);
    expect(screen).toMatch(/web-1 on demo rebooted: running again after 50 ms/);
    expect(code).toBe(EXIT.ok);
    expect(await auditOutcomes()).toEqual([
      expect.objectContaining({ outcome: 'succeeded', confirmedBy: expect.stringMatching(/^cli:/) }),
    ]);
  });

  it.each([
    ['no', 'no\n', 'not confirmed.'],
    ['Ctrl-C at the question', '\x03', 'not confirmed: interrupted at the question.'],
  ])('does nothing on %s, and says so', async (_what, keys, why) => {
    const { code, screen } = await rebootAnswering(keys);
    expect(screen).toContain(`You may not reboot web-1 on demo: ${why}`);
    expect(screen).not.toContain('Rebooting');
    expect(code).toBe(EXIT.refused);
    expect(await auditOutcomes()).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
  });
});
