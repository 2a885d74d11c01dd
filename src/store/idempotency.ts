/**
 * Idempotency keys: a Slack delivery (event id, envelope, button on a
 * message) is claimed here before anything it asks for runs. The claim is a
 * single INSERT, so of two replicas — or a delivery and its redelivery —
 * exactly one wins, and the key outlives a restart.
 */
import type { SqlDriver } from './sql.ts';

export class IdempotencyKeys {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  /** True for the first claim of `key` (or the first after it expired); false for every later one. */
  async claim(key: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO idempotency_keys (key, owner, claimed_at, expires_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, claimed_at = excluded.claimed_at,
         expires_at = excluded.expires_at
       WHERE idempotency_keys.expires_at <= $3`,
      [key, owner, now, now + ttlMs],
    );
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
