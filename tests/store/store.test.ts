import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Redactor } from '../../src/log/redact.ts';
import type { NewAuditRecord } from '../../src/store/audit-log.ts';
import { MIGRATIONS, migrate } from '../../src/store/migrations.ts';
import { openPostgres } from '../../src/store/postgres-driver.ts';
import { openSqlite } from '../../src/store/sqlite-driver.ts';
import { displayUrl, type Store, storeLocation, urlSecrets } from '../../src/store/store.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

function record(overrides: Partial<NewAuditRecord> = {}): NewAuditRecord {
  return {
    requestedAt: T0,
    endedAt: T0 + 1_000,
    userId: 'U0ALICE',
    channel: 'C0OPS',
    entry: '/cloudmaster',
    rawText: 'reboot web-1',
    verb: 'reboot',
    command: { verb: 'reboot', name: 'web-1' },
    decision: 'allow',
    rule: 'on-call',
    confirmedBy: 'U0ALICE',
    provider: 'demo',
    target: 'web-1',
    targetId: 'sim-1',
    requestId: 'action-1',
    outcome: 'succeeded',
    durationMs: 1_000,
    ...overrides,
  };
}

describe('store location', () => {
  it('is SQLite under ./data by default, under CLOUDMASTER_DATA_DIR when set, PostgreSQL for DATABASE_URL', () => {
    expect(storeLocation({})).toEqual({ kind: 'sqlite', path: 'data/cloudmaster.db' });
    expect(storeLocation({ CLOUDMASTER_DATA_DIR: '/var/lib/cm' })).toEqual({
      kind: 'sqlite',
      path: '/var/lib/cm/cloudmaster.db',
    });
    expect(storeLocation({ DATABASE_URL: 'postgres://u:p@db:5432/cm' })).toEqual({
      kind: 'postgres',
      url: 'postgres://u:p@db:5432/cm',
    });
    expect(() => storeLocation({ DATABASE_URL: 'mysql://u:p@db/cm' })).toThrow(/must be a postgres:\/\/ URL/);
  });

  it('never shows a database password, and hands it to the redactor', () => {
    expect(displayUrl('postgres://cm:s3cr3t-pw@db:5432/cm')).toBe('postgres://cm:***@db:5432/cm');
    expect(urlSecrets({ kind: 'postgres', url: 'postgres://cm:s3cr3t%40pw@db/cm' })).toEqual(['s3cr3t@pw']);
    expect(urlSecrets({ kind: 'sqlite', path: 'x.db' })).toEqual([]);
  });
});

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`store on ${database.name}`, () => {
    let where: TestLocation | undefined;
    const opened: Store[] = [];
    async function open(now = T0): Promise<Store> {
      where ??= await database.create();
      const store = await where.open(now);
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await where?.drop();
      where = undefined;
    });

    describe('migrations', () => {
      it('creates the schema on first start and applies nothing twice', async () => {
        const store = await open();
        if (where?.location.kind === 'sqlite') expect(existsSync(where.location.path)).toBe(true);
        expect(await migrate(store.sql, T0)).toEqual([]);
        const rows = await store.sql.all('SELECT version, name FROM schema_migrations ORDER BY version');
        expect(rows.map((row) => Number(row.version))).toEqual(MIGRATIONS.map((m) => m.version));
      });

      // Replicas share PostgreSQL; a SQLite file has one bot process (and now and then the CLI).
      it.runIf(database.name === 'postgres')(
        'lets replicas start together: each migration runs once',
        async () => {
          where = await database.create();
          const replicas = await Promise.all([open(), open(), open()]);
          const rows = await (replicas[0] as Store).sql.all('SELECT COUNT(*) AS n FROM schema_migrations');
          expect(Number(rows[0]?.n)).toBe(MIGRATIONS.length);
          expect(replicas).toHaveLength(3);
        },
      );

      it('refuses a database written by a newer cloudmaster, saying so', async () => {
        const store = await open();
        await store.sql.run(
          "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)",
        );
        await expect(where?.open()).rejects.toThrow(/schema version 999, newer than this cloudmaster knows/);
      });
    });

    describe('audit log', () => {
      it('appends and reads back every field, newest first, filtered by user, time and verb', async () => {
        const store = await open();
        const first = await store.audit.append(record());
        await store.audit.append(record({ requestedAt: T0 + HOUR, userId: 'U0BOB', verb: 'destroy' }));
        await store.audit.append(
          record({ requestedAt: T0 + 2 * HOUR, outcome: 'denied', decision: 'deny', confirmedBy: undefined }),
        );
        const all = await store.audit.query({ limit: 10 });
        expect(all.map((r) => r.requestedAt)).toEqual([T0 + 2 * HOUR, T0 + HOUR, T0]);
        expect(all[2]).toEqual(first);
        expect(all[2]).toMatchObject({ command: { verb: 'reboot', name: 'web-1' }, durationMs: 1_000 });
        expect(all[0]).not.toHaveProperty('confirmedBy');
        expect((await store.audit.query({ userId: 'U0BOB', limit: 10 })).map((r) => r.verb)).toEqual([
          'destroy',
        ]);
        expect((await store.audit.query({ since: T0 + HOUR, limit: 10 })).length).toBe(2);
        expect((await store.audit.query({ verb: 'reboot', limit: 10 })).length).toBe(2);
        expect((await store.audit.query({ limit: 1 })).map((r) => r.outcome)).toEqual(['denied']);
        expect(await store.audit.count()).toBe(3);
      });

      it('refuses to update or delete a record, even in plain SQL', async () => {
        const store = await open();
        await store.audit.append(record());
        await expect(store.sql.run("UPDATE audit SET outcome = 'succeeded'")).rejects.toThrow(/append-only/);
        await expect(store.sql.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
        if (store.dialect === 'postgres')
          await expect(store.sql.run('TRUNCATE audit')).rejects.toThrow(/append-only/);
        expect(await store.audit.count()).toBe(1);
      });

      it('removes only what retention has passed, and the cutoff never moves back', async () => {
        const store = await open();
        const now = Date.now();
        await store.audit.append(record({ requestedAt: now - 40 * DAY }));
        await store.audit.append(record({ requestedAt: now - 2 * HOUR }));
        expect(await store.audit.prune(now, 30 * DAY)).toBe(1);
        expect(await store.audit.count()).toBe(1);
        // An earlier clock or a longer retention later does not bring the cutoff back.
        expect(await store.audit.prune(now - 100 * DAY, 30 * DAY)).toBe(0);
        expect(await store.audit.prune(now, 100 * DAY)).toBe(0);
        await expect(store.sql.run('UPDATE audit_retention SET cutoff = 0')).rejects.toThrow(
          /only moves forward/,
        );
        await expect(store.sql.run('DELETE FROM audit_retention')).rejects.toThrow(/only moves forward/);
        await expect(store.sql.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
      });

      it('keeps the last day whatever the caller: the cutoff never passes the database clock less a day, even in plain SQL', async () => {
        const store = await open();
        const now = Date.now();
        await store.audit.append(record({ requestedAt: now - 2 * HOUR }));
        // Written by a replica whose clock runs ahead.
        await store.audit.append(record({ requestedAt: now + 30 * DAY }));
        for (const cutoff of [now + 365 * DAY, now, now - 20 * HOUR]) {
          await expect(store.sql.run(`UPDATE audit_retention SET cutoff = ${cutoff}`)).rejects.toThrow(
            /never past the database clock/,
          );
        }
        if (store.dialect === 'sqlite') {
          await expect(
            store.sql.run(`INSERT OR REPLACE INTO audit_retention (id, cutoff) VALUES (1, ${now + DAY})`),
          ).rejects.toThrow(/only moves forward/);
        } else {
          await expect(
            store.sql.run(
              `INSERT INTO audit_retention (id, cutoff) VALUES (1, ${now + DAY})
               ON CONFLICT (id) DO UPDATE SET cutoff = excluded.cutoff`,
            ),
          ).rejects.toThrow(/never past the database clock/);
          await expect(store.sql.run('TRUNCATE audit_retention')).rejects.toThrow(/only moves forward/);
        }
        // A clock a year ahead counts for no more than the database's; a retention under a day is read as a day.
        expect(await store.audit.prune(now + 365 * DAY, 0)).toBe(0);
        await expect(store.sql.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
        expect(await store.audit.count()).toBe(2);
        const [row] = await store.sql.all('SELECT cutoff FROM audit_retention');
        expect(Number(row?.cutoff)).toBeLessThanOrEqual(Date.now() - DAY);
      });

      it('keeps the last day of a database whose cutoff was set ahead before the clock bound', async () => {
        where = await database.create();
        const now = Date.now();
        const driver =
          where.location.kind === 'sqlite'
            ? openSqlite(where.location.path)
            : await openPostgres({ url: where.location.url });
        const bound = MIGRATIONS.findIndex((m) => m.name === 'audit retention bounded by the database clock');
        await migrate(driver, now, MIGRATIONS.slice(0, bound));
        await driver.run(`UPDATE audit_retention SET cutoff = ${now + 365 * DAY}`);
        await driver.close();
        const store = await open();
        await store.audit.append(record({ requestedAt: now - 40 * DAY }));
        await store.audit.append(record({ requestedAt: now - 2 * HOUR }));
        await expect(store.sql.run('DELETE FROM audit')).rejects.toThrow(/append-only/);
        expect(await store.audit.prune(now, 30 * DAY)).toBe(1);
        expect((await store.audit.query({ limit: 10 })).map((r) => r.requestedAt)).toEqual([now - 2 * HOUR]);
      });
    });

    describe('what a command leaves in the jobs and pending requests', () => {
      const SECRET = 'tc-secret-value-123';
      const pending = (rawText: string, note: string) => ({
        kind: 'confirm' as const,
        requester: 'U0ALICE',
        entry: '/cloudmaster',
        rawText,
        payload: { attempt: { origin: { rawText } }, command: { note } },
        decision: 'allow',
        approvers: [],
        createdAt: T0,
        expiresAt: T0 + HOUR,
      });
      const job = (rawText: string, note: string) => ({
        verb: 'reboot',
        provider: 'demo',
        targetName: 'web-1',
        requester: 'U0ALICE',
        entry: '/cloudmaster',
        rawText,
        payload: { attempt: { origin: { rawText } }, note },
        deadlineAt: T0 + HOUR,
      });
      const rows = async (store: Store) =>
        JSON.stringify([
          await store.sql.all('SELECT raw_text, payload FROM pending_requests'),
          await store.sql.all('SELECT raw_text, payload FROM jobs'),
        ]);

      it('never holds a configured secret a user pasted, in any of its encodings: the command is refused', async () => {
        where = await database.create();
        const store = await where.open(T0, new Redactor([SECRET, 'p@ss word!']));
        opened.push(store);
        for (const typed of [`reboot web-1 ${SECRET}`, `reboot ${encodeURIComponent('p@ss word!')}`]) {
          await expect(store.pending.create(pending(typed, typed))).rejects.toMatchObject({
            code: 'secret_in_command',
          });
          await expect(store.jobs.create(job(typed, typed), 'a', T0, HOUR)).rejects.toMatchObject({
            code: 'secret_in_command',
          });
        }
        await expect(store.pending.create(pending('reboot web-1', SECRET))).rejects.toThrow(
          /configured secrets/,
        );
        expect(await rows(store)).toBe('[[],[]]');
      });

      it('keeps the text typed redacted, in its row and where the payload repeats it; the rest of the payload whole', async () => {
        where = await database.create();
        const store = await where.open(T0, new Redactor([SECRET]));
        opened.push(store);
        const typed = 'reboot web-1 password=hunter2-typed';
        const held = await store.pending.create(pending(typed, 'needed to run'));
        const created = await store.jobs.create(job(typed, 'needed to run'), 'a', T0, HOUR);
        expect(await rows(store)).not.toContain('hunter2-typed');
        expect((await store.pending.get(held.id))?.rawText).toBe('reboot web-1 password=[redacted]');
        expect((await store.pending.get(held.id))?.payload).toEqual({
          attempt: { origin: { rawText: 'reboot web-1 password=[redacted]' } },
          command: { note: 'needed to run' },
        });
        expect((await store.jobs.get(created.id))?.payload).toEqual({
          attempt: { origin: { rawText: 'reboot web-1 password=[redacted]' } },
          note: 'needed to run',
        });
      });
    });

    describe('idempotency keys', () => {
      it('are claimed once, across replicas claiming at the same moment', async () => {
        const a = await open();
        const b = await open();
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).keys.claim('event:Ev1', `r${i}`, T0, HOUR)),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await a.keys.claim('event:Ev2', 'r0', T0, HOUR)).toBe(true);
      });

      it('hold across a restart, and may be claimed again once expired', async () => {
        const first = await open();
        expect(await first.keys.claim('action:confirm:1', 'r1', T0, HOUR)).toBe(true);
        await first.close();
        opened.splice(opened.indexOf(first), 1);
        const again = await open();
        expect(await again.keys.claim('action:confirm:1', 'r2', T0 + 1, HOUR)).toBe(false);
        expect(await again.keys.claim('action:confirm:1', 'r2', T0 + HOUR, HOUR)).toBe(true);
        expect(await again.keys.prune(T0 + 3 * HOUR)).toBe(1);
      });
    });

    describe('pending requests', () => {
      const request = {
        kind: 'confirm' as const,
        requester: 'U0ALICE',
        channel: 'C0OPS',
        entry: '/cloudmaster',
        rawText: 'reboot web-1',
        payload: { command: { verb: 'reboot', name: 'web-1' } },
        decision: 'allow',
        rule: 'on-call',
        approvers: ['U0BOB'],
        createdAt: T0,
        expiresAt: T0 + 10 * 60_000,
      };

      it('are stored whole, with the message that shows them', async () => {
        const store = await open();
        const created = await store.pending.create(request);
        await store.pending.setMessage(created.id, { channel: 'C0OPS', ts: '1700000000.000100' });
        expect(await store.pending.get(created.id)).toEqual({
          ...request,
          id: created.id,
          state: 'pending',
          message: { channel: 'C0OPS', ts: '1700000000.000100' },
        });
        expect(await store.pending.get('no-such-id')).toBeUndefined();
      });

      it('are decided exactly once, whoever clicks on whichever replica; the losers learn who won', async () => {
        const a = await open();
        const b = await open();
        const created = await a.pending.create(request);
        const results = await Promise.all(
          ['U0ALICE', 'U0ALICE', 'U0BOB', 'U0ALICE'].map((user, i) =>
            (i % 2 ? a : b).pending.decide(created.id, 'confirmed', user, T0 + 1_000 + i),
          ),
        );
        const winners = results.filter((r) => r.won);
        expect(winners).toHaveLength(1);
        const winner = winners[0]?.request;
        for (const lost of results.filter((r) => !r.won)) {
          expect(lost.request).toMatchObject({ state: 'confirmed', decidedBy: winner?.decidedBy });
        }
        expect((await a.pending.decide(created.id, 'cancelled', 'U0ALICE', T0 + 5_000)).won).toBe(false);
      });

      it('expire at their time: no decision after it, and each expiry is reported to one caller', async () => {
        const a = await open();
        const b = await open();
        const created = await a.pending.create(request);
        const late = await a.pending.decide(created.id, 'confirmed', 'U0ALICE', request.expiresAt);
        expect(late).toEqual({ won: false, request: expect.objectContaining({ state: 'pending' }) });
        expect(await a.pending.expire(request.expiresAt - 1)).toEqual([]);
        const [fromA, fromB] = await Promise.all([
          a.pending.expire(request.expiresAt),
          b.pending.expire(request.expiresAt, created.id),
        ]);
        expect([...(fromA ?? []), ...(fromB ?? [])].map((r) => [r.id, r.state])).toEqual([
          [created.id, 'expired'],
        ]);
      });
    });
  });
}
