/**
 * The incidents the outage watch has told Slack about, by (source, incident
 * key): the incident as last posted (so any replica can redraw its notice),
 * where the notice is (its thread takes every later reply), and who
 * acknowledged it. Acknowledging is one conditional UPDATE: of many clicks,
 * on any replica, one records who and when; the others learn it.
 */
import { type Row, type SqlDriver, toNumber, toOptionalNumber, toOptionalString } from './sql.ts';

export interface NoticeLocation {
  readonly channel: string;
  readonly ts: string;
}

export interface Acknowledgement {
  readonly by: string;
  readonly at: number;
}

export interface IncidentRecord {
  readonly source: string;
  readonly key: string;
  /** The incident as last posted, as JSON the watch validates. */
  readonly incident: unknown;
  readonly notice?: NoticeLocation;
  readonly acknowledged?: Acknowledgement;
  readonly openedAt: number;
  readonly resolvedAt?: number;
}

const COLUMNS =
  'source, incident_key, incident, notice_channel, notice_ts, acknowledged_by, acknowledged_at, opened_at, resolved_at';

function fromRow(row: Row): IncidentRecord {
  const channel = toOptionalString(row.notice_channel);
  const ts = toOptionalString(row.notice_ts);
  const by = toOptionalString(row.acknowledged_by);
  const at = toOptionalNumber(row.acknowledged_at);
  const resolvedAt = toOptionalNumber(row.resolved_at);
  return {
    source: String(row.source),
    key: String(row.incident_key),
    incident: JSON.parse(String(row.incident)),
    ...(channel && ts ? { notice: { channel, ts } } : {}),
    ...(by !== undefined && at !== undefined ? { acknowledged: { by, at } } : {}),
    openedAt: toNumber(row.opened_at),
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
  };
}

export class WatchIncidents {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  /**
   * A new incident and its notice. The key may have been used by an outage
   * long forgotten (the tracker numbers again from #1 after a month): that
   * row starts over.
   */
  async opened(
    source: string,
    key: string,
    incident: unknown,
    notice: NoticeLocation | undefined,
    now: number,
  ): Promise<void> {
    await this.db.run(
      `INSERT INTO watch_incidents (source, incident_key, incident, notice_channel, notice_ts, opened_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (source, incident_key) DO UPDATE SET incident = excluded.incident,
         notice_channel = excluded.notice_channel, notice_ts = excluded.notice_ts,
         acknowledged_by = NULL, acknowledged_at = NULL, opened_at = excluded.opened_at, resolved_at = NULL`,
      [source, key, JSON.stringify(incident), notice?.channel ?? null, notice?.ts ?? null, now],
    );
  }

  /** Where the notice is, once posted (a notice posted late, for an update that found none). */
  async setNotice(source: string, key: string, incident: unknown, notice: NoticeLocation, now: number) {
    const changed = await this.db.run(
      `UPDATE watch_incidents SET notice_channel = $3, notice_ts = $4, incident = $5
       WHERE source = $1 AND incident_key = $2`,
      [source, key, notice.channel, notice.ts, JSON.stringify(incident)],
    );
    if (changed === 0) await this.opened(source, key, incident, notice, now);
  }

  /** The incident's newest facts (and, when it ended, when). */
  async update(source: string, key: string, incident: unknown, resolvedAt?: number): Promise<void> {
    await this.db.run(
      `UPDATE watch_incidents SET incident = $3, resolved_at = COALESCE($4, resolved_at)
       WHERE source = $1 AND incident_key = $2`,
      [source, key, JSON.stringify(incident), resolvedAt ?? null],
    );
  }

  async get(source: string, key: string): Promise<IncidentRecord | undefined> {
    const [row] = await this.db.all(
      `SELECT ${COLUMNS} FROM watch_incidents WHERE source = $1 AND incident_key = $2`,
      [source, key],
    );
    return row ? fromRow(row) : undefined;
  }

  /**
   * Records who acknowledged first. `won` is false when someone already
   * had (`record` then says who); `record` is undefined for an unknown incident.
   */
  async acknowledge(
    source: string,
    key: string,
    by: string,
    now: number,
  ): Promise<{ readonly won: boolean; readonly record: IncidentRecord | undefined }> {
    const changed = await this.db.run(
      `UPDATE watch_incidents SET acknowledged_by = $3, acknowledged_at = $4
       WHERE source = $1 AND incident_key = $2 AND acknowledged_by IS NULL`,
      [source, key, by, now],
    );
    return { won: changed > 0, record: await this.get(source, key) };
  }
}
