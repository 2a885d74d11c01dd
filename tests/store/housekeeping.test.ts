/** The safety layer's timers: prompts nobody clicked expire (and are shown so), retention is applied at start. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PROVIDER_MODULES } from '../../providers/modules.ts';
import type { Clock } from '../../providers/types.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Core, openCore } from '../../src/core.ts';
import type { MutationCommand } from '../../src/dispatch/request.ts';
import { parse } from '../../src/grammar/parse.ts';
import { Redactor } from '../../src/log/redact.ts';
import { NO_SLACK_GROUPS } from '../../src/policy/directory.ts';
import type { Pending } from '../../src/safety/gatekeeper.ts';
import { startHousekeeping } from '../../src/safety/housekeeping.ts';
import type { Store } from '../../src/store/store.ts';
import { testDatabases } from '../support/databases.ts';
import { writeConfig } from '../support/dispatcher.ts';
import { eventually } from '../support/eventually.ts';
import { capturedLog } from '../support/log-lines.ts';

const DAY = 86_400_000;
let core: Core | undefined;
let stop: (() => void) | undefined;
afterEach(async () => {
  stop?.();
  await core?.close();
});

/** A core on a SQLite store of its own (or the given environment's store), as the bot opens it. */
async function openTestCore(
  settings: string,
  options: { log?: Logger; clock?: Clock; env?: Record<string, string> } = {},
): Promise<{ core: Core; config: ReturnType<typeof loadConfig> }> {
  const env = {
    CLOUDMASTER_CONFIG: writeConfig(`settings: ${settings}\nproviders:\n  demo: { type: simulator }\n`),
    ...(options.env ?? { CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-housekeeping-')) }),
  };
  const config = loadConfig({ env, modules: PROVIDER_MODULES });
  const opened = await openCore({
    env,
    config,
    log: options.log ?? pino({ level: 'silent' }),
    redactor: new Redactor(),
    clock: options.clock ?? Date,
    groups: NO_SLACK_GROUPS,
  });
  return { core: opened, config };
}

/** Denied `list` records, each requested that long ago. */
async function appendDenials(store: Store, ages: readonly number[]): Promise<void> {
  for (const age of ages) {
    const at = Date.now() - age;
    await store.audit.append({
      requestedAt: at,
      endedAt: at,
      userId: 'U0ALICE',
      entry: 'cli',
      rawText: 'list',
      decision: 'deny',
      outcome: 'denied',
    });
  }
}

describe('housekeeping', () => {
  it('applies the audit retention at start and expires a prompt nobody clicked, once, showing it', async () => {
    const log = pino({ level: 'silent' });
    const opened = await openTestCore('{ confirmTimeout: 400ms, auditRetention: 30d }', { log });
    core = opened.core;
    const config = opened.config;
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

  it('takes the cutoff from the database clock: a replica whose clock runs a year ahead removes nothing recent', async () => {
    const ahead = { now: () => Date.now() + 365 * DAY };
    const captured = capturedLog('info');
    const opened = await openTestCore('{ auditRetention: 30d }', { log: captured.log, clock: ahead });
    core = opened.core;
    const config = opened.config;
    await appendDenials(core.store, [40 * DAY, 2 * DAY]);
    const store = core.store;
    stop = startHousekeeping({
      gatekeeper: core.gatekeeper,
      store,
      settings: config.settings,
      clock: ahead,
      log: captured.log,
      onExpired: async () => undefined,
    }).stop;
    await eventually(async () => captured.messages().includes('info retention applied'), 'retention to run');
    expect(captured.lines.find((line) => line.msg === 'retention applied')).toMatchObject({
      auditRecords: 1,
    });
    expect(await store.audit.count()).toBe(1);
  });
});

/** A fenced block of docs/safety.md, found by the comment before it. */
function docsBlock(marker: string): string {
  const text = readFileSync(new URL('../../docs/safety.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- ${marker} -->\\n\`\`\`sql\\n([\\s\\S]*?)\`\`\``).exec(text);
  if (!match?.[1]) throw new Error(`docs/safety.md has no block after <!-- ${marker} -->`);
  return match[1];
}

for (const database of testDatabases().filter((d) => d.name === 'postgres')) {
  describe.skipIf(!database.available)(
    'audit retention under a role of its own (PostgreSQL, as docs/safety.md sets it up)',
    () => {
      it('leaves the bot role unable to move the cutoff or delete records; the bot says so, the owner applies retention', async () => {
        const where = await database.create();
        const owner = await where.open();
        try {
          await appendDenials(owner, [40 * DAY, 2 * DAY]);
          // The test server grants no CREATEROLE: the grants fall on the test's own role, which owns the schema.
          const [row] = await owner.sql.all('SELECT current_schema() AS schema');
          const schema = `"${String(row?.schema)}"`;
          const grants = docsBlock('bot-grants')
            .replaceAll('SCHEMA cloudmaster', `SCHEMA ${schema}`)
            .replaceAll('cloudmaster_bot', 'CURRENT_USER');
          for (const statement of grants
            .split(';')
            .map((s) => s.trim())
            .filter(Boolean))
            await owner.sql.run(statement);

          const captured = capturedLog('info');
          const opened = await openTestCore('{ auditRetention: 30d }', { log: captured.log, env: where.env });
          core = opened.core;
          const config = opened.config;
          const bot = core.store;
          await expect(bot.sql.run('UPDATE audit_retention SET cutoff = 1')).rejects.toThrow(
            /permission denied/,
          );
          await expect(bot.sql.run('DELETE FROM audit')).rejects.toThrow(/permission denied/);
          stop = startHousekeeping({
            gatekeeper: core.gatekeeper,
            store: bot,
            settings: config.settings,
            clock: Date,
            log: captured.log,
            onExpired: async () => undefined,
          }).stop;
          await eventually(
            async () =>
              captured.messages().some((m) => m.includes('audit retention is left to another database role')),
            'the bot to notice it may not apply retention',
          );
          expect(captured.messages().filter((m) => m.startsWith('error'))).toEqual([]);
          expect(await bot.audit.count()).toBe(2);

          // The owner's daily retention, as the docs write it (365 days there; 30 here).
          await owner.sql.run(`GRANT UPDATE ON audit_retention TO CURRENT_USER`);
          await owner.sql.run(`GRANT DELETE ON audit TO CURRENT_USER`);
          await owner.sql.run(docsBlock('owner-retention').replaceAll("'365 days'", "'30 days'"));
          expect(await bot.audit.count()).toBe(1);
        } finally {
          await owner.close();
          stop?.();
          stop = undefined;
          await core?.close();
          core = undefined;
          await where.drop();
        }
      });
    },
  );
}
