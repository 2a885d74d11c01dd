import { afterEach, describe, expect, it } from 'vitest';
import type { OperationRef } from '../../providers/types.ts';
import type { NewJob } from '../../src/store/jobs.ts';
import type { Store } from '../../src/store/store.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);
const LEASE = 30_000;

const job: NewJob<{ note: string }> = {
  verb: 'reboot',
  provider: 'demo',
  targetName: 'web-1',
  targetId: 'sim-1',
  requester: 'U0ALICE',
  channel: 'C0OPS',
  entry: '/cloudmaster',
  rawText: 'reboot web-1',
  payload: { note: 'kept whole' },
  deadlineAt: T0 + 600_000,
  message: { channel: 'C0OPS', ts: '1700000000.000100' },
};

const ref: OperationRef = {
  verb: 'reboot',
  provider: 'demo',
  target: { kind: 'machine', id: 'sim-1', name: 'web-1' },
  operationId: 'sim-op-1',
  startedAt: new Date(T0).toISOString(),
};

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`jobs on ${database.name}`, () => {
    let where: TestLocation | undefined;
    const opened: Store[] = [];
    async function open(): Promise<Store> {
      where ??= await database.create();
      const store = await where.open(T0);
      opened.push(store);
      return store;
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await where?.drop();
      where = undefined;
    });

    it('are created queued and leased to their creator, with a short id people can type', async () => {
      const store = await open();
      const created = await store.jobs.create(job, 'a', T0, LEASE);
      expect(created.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
      expect(created).toMatchObject({
        ...job,
        state: 'queued',
        leaseOwner: 'a',
        leaseUntil: T0 + LEASE,
        createdAt: T0,
      });
      expect(await store.jobs.get(created.id.toLowerCase())).toEqual(created);
    });

    it('name the request they were started from, and one request starts one job', async () => {
      const store = await open();
      const other = await store.jobs.create(job, 'a', T0, LEASE);
      const created = await store.jobs.create({ ...job, requestId: 'req-1' }, 'a', T0 + 1, LEASE);
      expect(created.requestId).toBe('req-1');
      expect((await store.jobs.fromRequest('req-1'))?.id).toBe(created.id);
      expect(await store.jobs.fromRequest('req-2')).toBeUndefined();
      expect(other.requestId).toBeUndefined();
      await expect(store.jobs.create({ ...job, requestId: 'req-1' }, 'b', T0 + 2, LEASE)).rejects.toThrow();
      expect((await store.jobs.recent(10)).map((j) => j.id).sort()).toEqual([created.id, other.id].sort());
    });

    it('are sent at most once: only the lease holder moves queued → sending, once', async () => {
      const a = await open();
      const b = await open();
      const created = await a.jobs.create(job, 'a', T0, LEASE);
      expect(await b.jobs.beginSending(created.id, 'b', T0, LEASE)).toBe(false);
      const tries = await Promise.all(
        [a, b, a, b].map((store) => store.jobs.beginSending(created.id, 'a', T0, LEASE)),
      );
      expect(tries.filter(Boolean)).toHaveLength(1);
      expect(await a.jobs.accepted(created.id, 'a', ref, T0 + 5, LEASE)).toBe(true);
      expect(await a.jobs.get(created.id)).toMatchObject({
        state: 'running',
        operation: ref,
        startedAt: T0 + 5,
      });
    });

    it('are taken over by exactly one process once the lease lapses, and the old holder can no longer touch them', async () => {
      const a = await open();
      const b = await open();
      const created = await a.jobs.create(job, 'a', T0, LEASE);
      await a.jobs.beginSending(created.id, 'a', T0, LEASE);
      await a.jobs.accepted(created.id, 'a', ref, T0, LEASE);
      expect(await b.jobs.orphans(T0 + LEASE - 1)).toEqual([]);
      expect((await b.jobs.orphans(T0 + LEASE)).map((j) => j.id)).toEqual([created.id]);
      const takers = await Promise.all(
        ['b', 'c'].map((owner) => b.jobs.takeOver(created.id, owner, T0 + LEASE, LEASE)),
      );
      expect(takers.filter(Boolean)).toHaveLength(1);
      const owner = takers.find(Boolean)?.leaseOwner as string;
      expect(
        await a.jobs.progressed(created.id, 'a', { state: 'running', step: 'x' }, T0 + LEASE, LEASE),
      ).toBe(false);
      expect(await a.jobs.finish(created.id, 'a', 'succeeded', undefined, T0 + LEASE, LEASE)).toBe(false);
      expect(
        await b.jobs.progressed(
          created.id,
          owner,
          { state: 'running', step: 'rebooting' },
          T0 + LEASE,
          LEASE,
        ),
      ).toBe(true);
      expect(
        await b.jobs.finish(created.id, owner, 'succeeded', 'running again', T0 + LEASE + 9, LEASE),
      ).toBe(true);
      expect(await b.jobs.finish(created.id, owner, 'failed', 'twice', T0 + LEASE + 10, LEASE)).toBe(false);
      expect(await b.jobs.get(created.id)).toMatchObject({
        state: 'succeeded',
        detail: 'running again',
        endedAt: T0 + LEASE + 9,
        lastProgress: { state: 'running', step: 'rebooting' },
      });
      await b.jobs.told(created.id, T0 + LEASE + 11);
      expect(await b.jobs.orphans(T0 + 10 * LEASE)).toEqual([]);
    });

    it('stay open after their end until it is told: held meanwhile, then taken over by one process if the holder stops', async () => {
      const a = await open();
      const b = await open();
      const created = await a.jobs.create(job, 'a', T0, LEASE);
      await a.jobs.beginSending(created.id, 'a', T0, LEASE);
      await a.jobs.accepted(created.id, 'a', ref, T0, LEASE);
      expect(await a.jobs.finish(created.id, 'a', 'succeeded', 'running again', T0 + 5, LEASE)).toBe(true);
      expect(await a.jobs.hold(created.id, 'a', T0 + LEASE, LEASE)).toBe(true);
      expect(await b.jobs.orphans(T0 + 2 * LEASE - 1)).toEqual([]);
      // The holder stopped before telling the end: the job is someone's work again.
      expect((await b.jobs.orphans(T0 + 2 * LEASE)).map((j) => [j.id, j.state, j.toldAt])).toEqual([
        [created.id, 'succeeded', undefined],
      ]);
      const takers = await Promise.all(
        ['b', 'c'].map((owner) => b.jobs.takeOver(created.id, owner, T0 + 2 * LEASE, LEASE)),
      );
      expect(takers.filter(Boolean)).toHaveLength(1);
      expect(await a.jobs.hold(created.id, 'a', T0 + 2 * LEASE, LEASE)).toBe(false);
      await b.audit.append(
        {
          requestedAt: T0,
          endedAt: T0 + 5,
          userId: 'U0ALICE',
          entry: '/cloudmaster',
          rawText: 'reboot web-1',
          decision: 'allow',
          outcome: 'succeeded',
        },
        { id: created.id, at: T0 + 2 * LEASE + 1 },
      );
      // Whoever finishes it again (a replica that took it over too late) writes no second record.
      await a.audit.append(
        {
          requestedAt: T0,
          endedAt: T0 + 5,
          userId: 'U0ALICE',
          entry: '/cloudmaster',
          rawText: 'reboot web-1',
          decision: 'allow',
          outcome: 'succeeded',
        },
        { id: created.id, at: T0 + 2 * LEASE + 9 },
      );
      expect(await b.audit.count()).toBe(1);
      await b.jobs.told(created.id, T0 + 2 * LEASE + 2);
      expect(await b.jobs.get(created.id)).toMatchObject({
        state: 'succeeded',
        auditedAt: T0 + 2 * LEASE + 1,
        toldAt: T0 + 2 * LEASE + 2,
        leaseUntil: 0,
      });
      expect(await b.jobs.orphans(T0 + 10 * LEASE)).toEqual([]);
    });

    it('are given up at once on a graceful shutdown', async () => {
      const store = await open();
      const created = await store.jobs.create(job, 'a', T0, LEASE);
      expect(await store.jobs.release(created.id, 'b')).toBe(false);
      expect(await store.jobs.release(created.id, 'a')).toBe(true);
      expect((await store.jobs.orphans(T0)).map((j) => j.id)).toEqual([created.id]);
    });

    it('keep their steps in order, each once', async () => {
      const store = await open();
      const created = await store.jobs.create(job, 'a', T0, LEASE);
      await store.jobs.addStep(created.id, { seq: 2, at: T0 + 2, text: 'rebooting' });
      await store.jobs.addStep(created.id, { seq: 1, at: T0 + 1, text: 'request accepted' });
      await store.jobs.addStep(created.id, { seq: 1, at: T0 + 1, text: 'request accepted' });
      expect((await store.jobs.steps(created.id)).map((s) => s.text)).toEqual([
        'request accepted',
        'rebooting',
      ]);
    });

    it('list running ones first, then the newest; take one cancel request', async () => {
      const store = await open();
      const done = await store.jobs.create(job, 'a', T0 + 2, LEASE);
      await store.jobs.finish(done.id, 'a', 'succeeded', undefined, T0 + 3, LEASE);
      const running = await store.jobs.create(job, 'a', T0 + 1, LEASE);
      const older = await store.jobs.create(job, 'a', T0, LEASE);
      await store.jobs.finish(older.id, 'a', 'failed', 'no', T0 + 4, LEASE);
      expect((await store.jobs.recent(10)).map((j) => j.id)).toEqual([running.id, done.id, older.id]);
      expect(await store.jobs.renew(running.id, 'a', T0 + 5, LEASE)).toEqual({});
      expect(await store.jobs.renew(running.id, 'b', T0 + 5, LEASE)).toBeUndefined();
      expect(await store.jobs.requestCancel(running.id, 'U0BOB', T0 + 5)).toBe(true);
      expect(await store.jobs.renew(running.id, 'a', T0 + 6, LEASE)).toEqual({ cancelRequestedBy: 'U0BOB' });
      expect(await store.jobs.requestCancel(running.id, 'U0CAROL', T0 + 6)).toBe(false);
      expect(await store.jobs.requestCancel(done.id, 'U0BOB', T0 + 6)).toBe(false);
      expect(await store.jobs.get(running.id)).toMatchObject({
        cancelRequestedBy: 'U0BOB',
        cancelRequestedAt: T0 + 5,
      });
    });
  });
}
