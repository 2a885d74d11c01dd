/** The safety layer's timers: prompts nobody clicked expire (and are shown so), retention is applied at start. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Core, openCore } from '../../src/core.ts';
import type { MutationCommand } from '../../src/dispatch/request.ts';
import { parse } from '../../src/grammar/parse.ts';
import { Redactor } from '../../src/log/redact.ts';
import { NO_SLACK_GROUPS } from '../../src/policy/directory.ts';
import type { Pending } from '../../src/safety/gatekeeper.ts';
import { startHousekeeping } from '../../src/safety/housekeeping.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { eventually } from '../support/eventually.ts';

const DAY = 86_400_000;
let core: Core | undefined;
let stop: (() => void) | undefined;
afterEach(async () => {
  stop?.();
  await core?.close();
});

describe('housekeeping', () => {
  it('applies the audit retention at start and expires a prompt nobody clicked, once, showing it', async () => {
    const env = {
      CLOUDMASTER_CONFIG: writeConfig(
        'settings: { confirmTimeout: 400ms, auditRetention: 30d }\nproviders:\n  demo: { type: simulator }\n',
      ),
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-housekeeping-')),
    };
    const config = loadConfig({ env, modules: PROVIDER_MODULES });
    const log = pino({ level: 'silent' });
    core = await openCore({
      env,
      config,
      log,
      redactor: new Redactor(),
      clock: Date,
      groups: NO_SLACK_GROUPS,
    });
    const origin = { user: 'U0ALICE', channel: 'C0OPS', entry: '/cloudmaster', rawText: 'reboot web-1' };
    const old = { requestedAt: Date.now() - 40 * DAY, endedAt: Date.now() - 40 * DAY, userId: 'U0ALICE' };
    await core.store.audit.append({
      ...old,
      entry: 'cli',
      rawText: 'list',
      decision: 'deny',
      outcome: 'denied',
    });
    const parsed = parse('reboot web-1');
    if (!parsed.ok) throw new Error('unparsed');
    const admission = await core.gatekeeper.admit(origin, parsed.command as MutationCommand);
    if (admission.kind !== 'ready') throw new Error(admission.kind);
    const request = await core.gatekeeper.hold(admission);
    const expired: Pending[] = [];
    const gatekeeper = core.gatekeeper;
    const store = core.store;
    stop = startHousekeeping({
      gatekeeper,
      store,
      settings: config.settings,
      clock: Date,
      log,
      onExpired: async (pending) => void expired.push(pending),
    }).stop;
    await eventually(async () => expired.length === 1, 'the prompt to expire');
    expect(expired[0]).toMatchObject({ id: request.id, state: 'expired' });
    const records = await store.audit.query({ limit: 10 });
    expect(records.map((r) => [r.verb, r.outcome])).toEqual([['reboot', 'expired']]);
    expect(records[0]?.detail).toBe('nobody confirmed in time; nothing was done');
  });
});
