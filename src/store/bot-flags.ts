/**
 * Switches the bot keeps in the store rather than in a process, so every
 * replica (and the CLI beside them) reads the same value: test mode is one.
 */
import { type SqlDriver, toNumber, toOptionalString } from './sql.ts';

export interface Flag {
  readonly value: string;
  readonly setBy?: string;
  readonly setAt: number;
}

export class BotFlags {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  async get(name: string): Promise<Flag | undefined> {
    const [row] = await this.db.all('SELECT value, set_by, set_at FROM bot_flags WHERE name = $1', [name]);
    if (!row) return undefined;
    const setBy = toOptionalString(row.set_by);
    return { value: String(row.value), ...(setBy ? { setBy } : {}), setAt: toNumber(row.set_at) };
  }

  /** Sets the flag; false when it already had that value (nothing changed). */
  async set(name: string, value: string, by: string, now: number): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO bot_flags (name, value, set_by, set_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, set_by = excluded.set_by, set_at = excluded.set_at
       WHERE bot_flags.value <> excluded.value`,
      [name, value, by, now],
    );
    return changed > 0;
  }
}
