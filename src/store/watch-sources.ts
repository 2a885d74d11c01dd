/**
 * What the outage watch keeps per status source: the tracker's snapshot
 * (whole, as JSON) under a version that every save compares and sets, so of
 * two replicas that read the same snapshot only one saves what it made of
 * it; and how the source's polls went, for `health` from any process.
 * The store keeps the JSON as it is given; the watch validates it.
 */
import { type SqlDriver, toNumber } from './sql.ts';

export interface StoredSnapshot {
  /** The snapshot as saved (undefined: never saved). */
  readonly data: unknown;
  /** 0 when nothing is saved yet; every save adds one. */
  readonly version: number;
}

export class WatchSources {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  async load(source: string): Promise<StoredSnapshot> {
    const [row] = await this.db.all('SELECT snapshot, version FROM watch_sources WHERE source = $1', [
      source,
    ]);
    if (!row) return { data: undefined, version: 0 };
    return { data: JSON.parse(String(row.snapshot)), version: toNumber(row.version) };
  }

  /**
   * Saves `data` if the stored version is still `expected`; false when
   * someone saved in between (then load again and redo the work).
   */
  async save(source: string, data: unknown, expected: number, now: number): Promise<boolean> {
    const json = JSON.stringify(data);
    const changed =
      expected === 0
        ? await this.db.run(
            `INSERT INTO watch_sources (source, snapshot, version, updated_at) VALUES ($1, $2, 1, $3)
             ON CONFLICT (source) DO NOTHING`,
            [source, json, now],
          )
        : await this.db.run(
            `UPDATE watch_sources SET snapshot = $2, version = version + 1, updated_at = $3
             WHERE source = $1 AND version = $4`,
            [source, json, now, expected],
          );
    return changed > 0;
  }

  /** The newest health of a source; last writer wins (every replica polls). */
  async saveHealth(source: string, health: unknown, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO watch_health (source, health, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (source) DO UPDATE SET health = excluded.health, updated_at = excluded.updated_at`,
      [source, JSON.stringify(health), now],
    );
  }

  /** Every source's last recorded health, by source name. */
  async health(): Promise<Map<string, unknown>> {
    const rows = await this.db.all('SELECT source, health FROM watch_health');
    return new Map(rows.map((row) => [String(row.source), JSON.parse(String(row.health))]));
  }
}
