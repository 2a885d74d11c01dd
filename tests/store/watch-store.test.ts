/**
 * The outage watch's tables on both backends, with two connections standing
 * for two replicas: a snapshot saved by compare-and-set, events claimed
 * once, an acknowledgement and a ticket recorded once, test mode shared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { type TestLocation, testDatabases } from '../support/databases.ts';

const T0 = Date.UTC(2025, 2, 18, 14, 3, 0);
const MINUTE = 60_000;
const snapshot = (title: string) => ({ source: 'github', incidents: [{ key: 'abc#1', title }] });

for (const database of testDatabases()) {
  describe.skipIf(!database.available)(`outage watch store on ${database.name}`, () => {
    let where: TestLocation | undefined;
    const opened: Store[] = [];
    /** Two connections to one database: two replicas. */
    async function replicas(): Promise<[Store, Store]> {
      where = await database.create();
      const a = await where.open(T0);
      const b = await where.open(T0);
      opened.push(a, b);
      return [a, b];
    }
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
      await where?.drop();
      where = undefined;
    });

    it('saves a source’s snapshot by compare-and-set: of two replicas saving the same version, one wins', async () => {
      const [a, b] = await replicas();
      expect(await a.watch.sources.load('github')).toEqual({ data: undefined, version: 0 });
      const first = await Promise.all([
        a.watch.sources.save('github', snapshot('from a'), 0, T0),
        b.watch.sources.save('github', snapshot('from b'), 0, T0),
      ]);
      expect(first.filter(Boolean)).toHaveLength(1);
      const saved = await b.watch.sources.load('github');
      expect(saved.version).toBe(1);
      expect(saved.data).toEqual(snapshot(first[0] ? 'from a' : 'from b'));

      const second = await Promise.all([
        a.watch.sources.save('github', snapshot('a again'), 1, T0 + MINUTE),
        b.watch.sources.save('github', snapshot('b again'), 1, T0 + MINUTE),
      ]);
      expect(second.filter(Boolean)).toHaveLength(1);
      // A save from a stale read changes nothing.
      expect(await a.watch.sources.save('github', snapshot('stale'), 1, T0 + 2 * MINUTE)).toBe(false);
      expect((await a.watch.sources.load('github')).version).toBe(2);
      expect((await a.watch.sources.load('gcp')).version).toBe(0);
    });

    it('claims an event key once across replicas; a released claim may be taken again, by its owner only', async () => {
      const [a, b] = await replicas();
      const key = 'watch-event:github/abc#1/opened';
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? a : b).keys.claim(key, `replica-${i}`, T0, 30 * 86_400_000),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const owner = `replica-${claims.indexOf(true)}`;
      await a.keys.release(key, 'someone-else');
      expect(await b.keys.claim(key, 'late', T0 + 1, 86_400_000)).toBe(false);
      await a.keys.release(key, owner);
      expect(await b.keys.claim(key, 'late', T0 + 1, 86_400_000)).toBe(true);
    });

    it('keeps an incident’s notice, and records one acknowledgement whoever clicks on whichever replica', async () => {
      const [a, b] = await replicas();
      const notice = { channel: 'C0OUTAGES', ts: '1700000000.000100' };
      await a.watch.incidents.opened('github', 'abc#1', { title: 'Disruption' }, notice, T0);
      const results = await Promise.all(
        ['U0ALICE', 'U0BOB', 'U0ALICE', 'U0CAROL'].map((user, i) =>
          (i % 2 ? a : b).watch.incidents.acknowledge('github', 'abc#1', user, T0 + i),
        ),
      );
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const acknowledged = winners[0]?.record?.acknowledged;
      for (const result of results) expect(result.record?.acknowledged).toEqual(acknowledged);
      expect(await b.watch.incidents.get('github', 'abc#1')).toMatchObject({
        notice,
        incident: { title: 'Disruption' },
        openedAt: T0,
      });
      expect((await a.watch.incidents.acknowledge('github', 'nope#1', 'U0ALICE', T0)).record).toBeUndefined();

      await b.watch.incidents.update(
        'github',
        'abc#1',
        { title: 'Disruption', status: 'resolved' },
        T0 + MINUTE,
      );
      expect(await a.watch.incidents.get('github', 'abc#1')).toMatchObject({
        incident: { status: 'resolved' },
        resolvedAt: T0 + MINUTE,
      });
      // The key named again, for an outage long after the first was forgotten: it starts over.
      await a.watch.incidents.opened('github', 'abc#1', { title: 'Again' }, notice, T0 + 90 * 86_400_000);
      const again = await b.watch.incidents.get('github', 'abc#1');
      expect(again).not.toHaveProperty('acknowledged');
      expect(again).not.toHaveProperty('resolvedAt');
    });

    it('lets one replica claim an incident’s ticket; the other finds the claim, then the ticket', async () => {
      const [a, b] = await replicas();
      const incident = 'github/abc#1';
      const claims = await Promise.all([
        a.watch.tickets.claim(incident, 'claim-a', 'U0ALICE', T0, 2 * MINUTE),
        b.watch.tickets.claim(incident, 'claim-b', 'U0BOB', T0, 2 * MINUTE),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
      const [winner, claim] = claims[0] ? [a, 'claim-a'] : [b, 'claim-b'];
      expect(await b.watch.tickets.find(incident)).not.toHaveProperty('ticket');
      await winner.watch.tickets.record(
        incident,
        claim,
        { system: 'github', id: '#128', url: 'https://github.com/acme/ops/issues/128' },
        T0 + 1_000,
      );
      expect(await a.watch.tickets.find(incident)).toMatchObject({
        claimedBy: claims[0] ? 'U0ALICE' : 'U0BOB',
        ticket: { id: '#128' },
        openedAt: T0 + 1_000,
      });
      // A ticket once opened is never claimed again, stale or not.
      expect(await b.watch.tickets.claim(incident, 'claim-c', 'U0CAROL', T0 + 60 * MINUTE, 2 * MINUTE)).toBe(
        false,
      );
    });

    it('takes over a stale ticket claim that opened nothing, and frees a released one at once', async () => {
      const [a, b] = await replicas();
      expect(await a.watch.tickets.claim('gcp/x#1', 'claim-1', 'U0ALICE', T0, 2 * MINUTE)).toBe(true);
      expect(await b.watch.tickets.claim('gcp/x#1', 'claim-2', 'U0BOB', T0 + MINUTE, 2 * MINUTE)).toBe(false);
      expect(await b.watch.tickets.claim('gcp/x#1', 'claim-2', 'U0BOB', T0 + 2 * MINUTE, 2 * MINUTE)).toBe(
        true,
      );
      await a.watch.tickets.release('gcp/x#1', 'claim-1');
      expect(await a.watch.tickets.find('gcp/x#1')).toMatchObject({ claimedBy: 'U0BOB' });
      await b.watch.tickets.release('gcp/x#1', 'claim-2');
      expect(await a.watch.tickets.find('gcp/x#1')).toBeUndefined();
      expect(await a.watch.tickets.claim('gcp/x#1', 'claim-3', 'U0ALICE', T0 + 2 * MINUTE, 2 * MINUTE)).toBe(
        true,
      );
    });

    it('shares flags and each source’s last health between replicas', async () => {
      const [a, b] = await replicas();
      expect(await a.flags.get('testmode')).toBeUndefined();
      expect(await a.flags.set('testmode', 'on', 'U0ADMIN', T0)).toBe(true);
      expect(await b.flags.set('testmode', 'on', 'U0OTHER', T0 + 1)).toBe(false);
      expect(await b.flags.get('testmode')).toEqual({ value: 'on', setBy: 'U0ADMIN', setAt: T0 });
      expect(await b.flags.set('testmode', 'off', 'U0OTHER', T0 + 2)).toBe(true);
      expect((await a.flags.get('testmode'))?.value).toBe('off');

      await a.watch.sources.saveHealth('github', { state: 'healthy' }, T0);
      await b.watch.sources.saveHealth('github', { state: 'unhealthy' }, T0 + 1);
      expect(await a.watch.sources.health()).toEqual(new Map([['github', { state: 'unhealthy' }]]));
    });
  });
}
