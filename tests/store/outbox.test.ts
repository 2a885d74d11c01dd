/** The outbox on both backends: an event exists exactly when the change it reports committed. */
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../src/store/outbox.ts';
import type { Store } from '../../src/store/store.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';

for (const database of testDatabases()) {
  describe.runIf(database.available)(`the outbox on ${database.name}`, () => {
    let where: TestLocation | undefined;
    let store: Store | undefined;
    afterEach(async () => {
      await store?.close();
      await where?.drop();
    });

    async function open(): Promise<Store> {
      where = await database.create();
      store = await where.open();
      return store;
    }

    it('writes no event when the change’s transaction rolls back, and one when it commits', async () => {
      const { sql } = await open();
      const outbox = new Outbox(sql, [{ name: 'sink', events: ['job.*'] }]);
      const event = { type: 'job.failed', data: { job: { id: 'X' } } };
      await expect(
        outbox.withEvent(
          async (tx) => {
            await tx.run('INSERT INTO bot_flags (name, value, set_at) VALUES ($1, $2, $3)', ['f', 'v', 1]);
            throw new Error('the change failed');
          },
          () => event,
          1,
        ),
      ).rejects.toThrow('the change failed');
      expect(await sql.all('SELECT * FROM outbox_events')).toEqual([]);
      expect(await outbox.depth()).toBe(0);
      await outbox.withEvent(
        (tx) => tx.run('INSERT INTO bot_flags (name, value, set_at) VALUES ($1, $2, $3)', ['f', 'v', 1]),
        () => event,
        1,
      );
      expect(await outbox.depth()).toBe(1);
    });

    it('writes a job’s events only for the changes that happened (not for a lease already lost)', async () => {
      const opened = await open();
      const outbox = new Outbox(opened.sql, [{ name: 'sink', events: ['job.*'] }]);
      const { JobStore } = await import('../../src/store/jobs.ts');
      const jobs = new JobStore(opened.sql, undefined, outbox);
      const job = await jobs.create(
        {
          verb: 'reboot',
          provider: 'do',
          targetName: 'web-1',
          requester: 'U1',
          entry: 'cli',
          rawText: 'reboot web-1',
          payload: {},
          deadlineAt: 10_000,
        },
        'me',
        1,
        1_000,
      );
      expect(await jobs.finish(job.id, 'someone-else', 'failed', 'x', 2, 1_000)).toBe(false);
      expect(await jobs.finish(job.id, 'me', 'succeeded', undefined, 2, 1_000)).toBe(true);
      const types = (await opened.sql.all('SELECT type FROM outbox_events ORDER BY occurred_at')).map(
        (row) => row.type,
      );
      expect(types).toEqual(['job.queued', 'job.succeeded']);
    });

    it('hands each due delivery to one of two claimers', async () => {
      const opened = await open();
      const outbox = new Outbox(opened.sql, [{ name: 'sink', events: ['audit.*'] }]);
      for (let i = 0; i < 20; i++) await outbox.publish({ type: 'audit.succeeded', data: { i } }, 1);
      const [a, b] = await Promise.all([
        outbox.claimDue('a', 10, 1_000, 20),
        outbox.claimDue('b', 10, 1_000, 20),
      ]);
      const ids = [...(a ?? []), ...(b ?? [])].map((delivery) => delivery.id);
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(20);
    });
  });
}
