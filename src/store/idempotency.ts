/**
 * Idempotency keys: a Slack delivery (event id, envelope, button on a
 * message) is claimed here before anything it asks for runs. The claim is a
 * single INSERT, so of two replicas — or a delivery and its redelivery —
 * exactly one wins, and the key outlives a restart.
 */
import { type NewOutboxEvent, Outbox } from './outbox.ts';
import type { SqlDriver, SqlRunner } from './sql.ts';

export class IdempotencyKeys {
  private readonly db: SqlDriver;
  private readonly outbox: Outbox;

  constructor(db: SqlDriver, outbox = new Outbox(db)) {
    this.db = db;
    this.outbox = outbox;
  }

  /**
   * True for the first claim of `key` (or the first after it expired); false
   * for every later one. `event` (an outage told, a Slack message seen) is
   * written to the outbox with the first claim, in its transaction.
   */
  async claim(
    key: string,
    owner: string,
    now: number,
    ttlMs: number,
    event?: NewOutboxEvent,
  ): Promise<boolean> {
    const insert = (runner: SqlRunner) =>
      runner.run(
        `INSERT INTO idempotency_keys (key, owner, claimed_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
           expires_at = excluded.expires_at
         WHERE idempotency_keys.expires_at <= $3`,
        [key, owner, now, now + ttlMs],
      );
    if (!event || !this.outbox.wants(event.type, event.channel)) return (await insert(this.db)) > 0;
    const changed = await this.outbox.withEvent(insert, (n) => (n > 0 ? event : undefined), now);
    return changed > 0;
  }

  /**
   * Gives a key back (its holder could not do what it claimed it for), so
   * that a later attempt may claim it; only the owner's claim is removed.
   */
  async release(key: string, owner: string): Promise<void> {
    await this.db.run('DELETE FROM idempotency_keys WHERE key = $1 AND owner = $2', [key, owner]);
  }

  /** Removes expired keys; returns how many. */
  prune(now: number): Promise<number> {
    return this.db.run('DELETE FROM idempotency_keys WHERE expires_at <= $1', [now]);
  }
}
