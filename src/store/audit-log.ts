/**
 * The audit log: one record per attempt, appended once its fate is known
 * (denied, cancelled, rejected, expired, failed, succeeded…). Records are
 * never updated; retention removes those older than its cutoff, and the
 * database itself refuses anything else (see the migrations' triggers).
 */
import { randomBytes } from 'node:crypto';
import { DATABASE_NOW_MS, MIN_RETENTION_MS } from './audit-retention-clock.ts';
import { Outbox } from './outbox.ts';
import {
  type Row,
  type SqlDriver,
  type SqlRunner,
  toNumber,
  toOptionalNumber,
  toOptionalString,
} from './sql.ts';

export const AUDIT_OUTCOMES = [
  'denied',
  'cancelled',
  'rejected',
  'expired',
  'failed',
  'succeeded',
  'timed_out',
  'interrupted',
  'dry_run',
  /** A change sent whose answer was lost or unreadable: it may or may not have started. */
  'unknown',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type AuditDecision = 'allow' | 'deny' | 'approve';

export interface AuditRecord {
  readonly id: string;
  /** When the request arrived (ms since the epoch). */
  readonly requestedAt: number;
  /** When its fate was known and this record written. */
  readonly endedAt: number;
  readonly userId: string;
  readonly channel?: string;
  /** "/cloudmaster", "/dostat", "mention", "dm", "cli". */
  readonly entry: string;
  /** What the user typed, redacted. */
  readonly rawText: string;
  readonly verb?: string;
  /** The parsed command, as JSON. */
  readonly command?: unknown;
  readonly decision: AuditDecision;
  /** The policy rule that decided, or how the default policy did. */
  readonly rule?: string;
  readonly confirmedBy?: string;
  readonly approvedBy?: string;
  readonly provider?: string;
  readonly target?: string;
  readonly targetId?: string;
  /** The provider's own id for the operation (action, task, deployment…). */
  readonly requestId?: string;
  readonly outcome: AuditOutcome;
  /** Why it ended so: the denial, the provider's reason, the error. */
  readonly detail?: string;
  readonly durationMs?: number;
}

export type NewAuditRecord = Omit<AuditRecord, 'id'>;

export interface AuditQuery {
  readonly userId?: string;
  /** Only records requested at or after this time. */
  readonly since?: number;
  readonly verb?: string;
  readonly limit: number;
}

/** Every column the audit log reads and writes. */
export const AUDIT_COLUMNS = [
  'id',
  'requested_at',
  'ended_at',
  'user_id',
  'channel',
  'entry',
  'raw_text',
  'verb',
  'command',
  'decision',
  'rule',
  'confirmed_by',
  'approved_by',
  'provider',
  'target',
  'target_id',
  'request_id',
  'outcome',
  'detail',
  'duration_ms',
] as const;

/** Sorts by time as text too, so ids order like the records. */
function auditId(at: number): string {
  return `${at.toString(36).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
}

function fromRow(row: Row): AuditRecord {
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, V>);
  const command = toOptionalString(row.command);
  return {
    id: String(row.id),
    requestedAt: toNumber(row.requested_at),
    endedAt: toNumber(row.ended_at),
    userId: String(row.user_id),
    ...optional('channel', toOptionalString(row.channel)),
    entry: String(row.entry),
    rawText: String(row.raw_text),
    ...optional('verb', toOptionalString(row.verb)),
    ...optional('command', command === undefined ? undefined : (JSON.parse(command) as unknown)),
    decision: String(row.decision) as AuditDecision,
    ...optional('rule', toOptionalString(row.rule)),
    ...optional('confirmedBy', toOptionalString(row.confirmed_by)),
    ...optional('approvedBy', toOptionalString(row.approved_by)),
    ...optional('provider', toOptionalString(row.provider)),
    ...optional('target', toOptionalString(row.target)),
    ...optional('targetId', toOptionalString(row.target_id)),
    ...optional('requestId', toOptionalString(row.request_id)),
    outcome: String(row.outcome) as AuditOutcome,
    ...optional('detail', toOptionalString(row.detail)),
    ...optional('durationMs', toOptionalNumber(row.duration_ms)),
  };
}

/** The columns a probe record must fill (the rest may be null). */
const PROBE_VALUES: Readonly<Record<string, string | number>> = {
  user_id: 'probe',
  entry: 'probe',
  raw_text: '',
  decision: 'allow',
  outcome: 'dry_run',
};

/** What a webhook hears of an audit record (`audit.OUTCOME`): who, what, how it ended; not the raw command. */
function auditEventData(record: AuditRecord): Record<string, unknown> {
  return {
    record: {
      id: record.id,
      requested_at: new Date(record.requestedAt).toISOString(),
      ended_at: new Date(record.endedAt).toISOString(),
      user: record.userId,
      channel: record.channel ?? null,
      entry: record.entry,
      text: record.rawText,
      verb: record.verb ?? null,
      decision: record.decision,
      rule: record.rule ?? null,
      confirmed_by: record.confirmedBy ?? null,
      approved_by: record.approvedBy ?? null,
      provider: record.provider ?? null,
      target: record.target ?? null,
      outcome: record.outcome,
      detail: record.detail ?? null,
    },
  };
}

export class AuditLog {
  private readonly db: SqlDriver;
  private readonly outbox: Outbox;

  constructor(db: SqlDriver, outbox = new Outbox(db)) {
    this.db = db;
    this.outbox = outbox;
  }

  /**
   * Throws unless a record could be appended now: one is written and rolled
   * back. A change is run only when its end can be recorded (the record
   * itself is written when its fate is known).
   */
  async probe(): Promise<void> {
    const rolledBack = new Error('audit probe rolled back');
    const now = Date.now();
    const stamped: Record<string, string | number> = {
      ...PROBE_VALUES,
      id: auditId(now),
      requested_at: now,
      ended_at: now,
    };
    const values = AUDIT_COLUMNS.map((column) => stamped[column] ?? null);
    const placeholders = AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    try {
      await this.db.transaction(async (tx) => {
        await tx.run(`INSERT INTO audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${placeholders})`, values);
        throw rolledBack;
      });
    } catch (error) {
      if (error !== rolledBack) throw error;
    }
  }

  /**
   * Appends a record. For the end of a job (`jobEnd`), the record and the
   * job's mark that it is audited are one transaction, and the record is
   * written only by whoever sets the mark: a process that dies between them
   * leaves neither, and a replica finishing the job after it writes no second.
   */
  async append(
    record: NewAuditRecord,
    jobEnd?: { readonly id: string; readonly at: number },
  ): Promise<AuditRecord> {
    const stored: AuditRecord = { id: auditId(record.requestedAt), ...record };
    const values = [
      stored.id,
      stored.requestedAt,
      stored.endedAt,
      stored.userId,
      stored.channel ?? null,
      stored.entry,
      stored.rawText,
      stored.verb ?? null,
      stored.command === undefined ? null : JSON.stringify(stored.command),
      stored.decision,
      stored.rule ?? null,
      stored.confirmedBy ?? null,
      stored.approvedBy ?? null,
      stored.provider ?? null,
      stored.target ?? null,
      stored.targetId ?? null,
      stored.requestId ?? null,
      stored.outcome,
      stored.detail ?? null,
      stored.durationMs === undefined ? null : Math.round(stored.durationMs),
    ];
    const placeholders = AUDIT_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    const insert = `INSERT INTO audit (${AUDIT_COLUMNS.join(', ')}) VALUES (${placeholders})`;
    const write = async (tx: SqlRunner): Promise<boolean> => {
      if (jobEnd) {
        const marked = await tx.run('UPDATE jobs SET audited_at = $2 WHERE id = $1 AND audited_at IS NULL', [
          jobEnd.id,
          jobEnd.at,
        ]);
        if (marked === 0) return false;
      }
      await tx.run(insert, values);
      return true;
    };
    const type = `audit.${stored.outcome}`;
    if (!this.outbox.wants(type)) {
      await (jobEnd ? this.db.transaction(write) : write(this.db));
      return stored;
    }
    await this.outbox.withEvent(
      write,
      (written) => (written ? { type, data: auditEventData(stored) } : undefined),
      stored.endedAt,
    );
    return stored;
  }

  /** Newest first. */
  async query(query: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    const add = (clause: string, value: string | number): void => {
      params.push(value);
      where.push(clause.replace('?', `$${params.length}`));
    };
    if (query.userId !== undefined) add('user_id = ?', query.userId);
    if (query.since !== undefined) add('requested_at >= ?', query.since);
    if (query.verb !== undefined) add('verb = ?', query.verb);
    params.push(query.limit);
    const rows = await this.db.all(
      `SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY requested_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }

  async count(): Promise<number> {
    const [row] = await this.db.all('SELECT COUNT(*) AS n FROM audit');
    return toNumber(row?.n ?? 0);
  }

  /**
   * Retention: moves the cutoff forward to `now` less `retentionMs` — `now`
   * being this host's clock or the database's, whichever is earlier, so a
   * replica whose clock runs ahead cannot empty the log (the triggers refuse
   * a cutoff within the database's last day in any case) — and removes the
   * records requested before it. Returns how many were removed.
   */
  async prune(now: number, retentionMs: number): Promise<number> {
    const dbNow = DATABASE_NOW_MS[this.db.dialect];
    const earlier = this.db.dialect === 'sqlite' ? `MIN($2, ${dbNow})` : `LEAST($2::bigint, ${dbNow})`;
    const keep = Math.max(MIN_RETENTION_MS, Math.round(retentionMs));
    return this.db.transaction(async (tx) => {
      await tx.run(
        `UPDATE audit_retention SET cutoff = ${earlier} - $1 WHERE id = 1 AND cutoff < ${earlier} - $1`,
        [keep, Math.round(now)],
      );
      return tx.run(
        `DELETE FROM audit WHERE requested_at < (SELECT cutoff FROM audit_retention WHERE id = 1)
           AND requested_at < ${dbNow} - $1`,
        [MIN_RETENTION_MS],
      );
    });
  }
}
