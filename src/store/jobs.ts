/**
 * Jobs: every confirmed mutation, from the moment it is confirmed until its
 * end is told (audited, and shown in its message). A job is driven by one
 * process at a time — the holder of its lease — and every change of state is
 * conditional on that lease, so a replica or a restarted bot takes a job over
 * only once its lease has lapsed, and an operation is sent at most once
 * (queued → sending is one conditional UPDATE). A job that ended but whose
 * end was not told yet is still open: the next holder tells it.
 */
import { randomInt } from 'node:crypto';
import type { OperationProgress, OperationRef } from '../../providers/types.ts';
import { Redactor } from '../log/redact.ts';
import { type NewOutboxEvent, Outbox } from './outbox.ts';
import {
  type Row,
  type SqlDriver,
  type SqlValue,
  toNumber,
  toOptionalNumber,
  toOptionalString,
} from './sql.ts';
import { storableRequest } from './storable-request.ts';

export const JOB_STATES = [
  'queued',
  'sending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
  'unknown',
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const ACTIVE_JOB_STATES: readonly JobState[] = ['queued', 'sending', 'running'];
export type FinalJobState = Exclude<JobState, 'queued' | 'sending' | 'running'>;

export interface JobMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs?: string;
}

export interface JobStep {
  readonly seq: number;
  readonly at: number;
  readonly text: string;
}

export interface Job<Payload = unknown> {
  readonly id: string;
  readonly state: JobState;
  readonly verb: string;
  readonly provider: string;
  readonly targetName: string;
  readonly targetId?: string;
  readonly requester: string;
  readonly channel?: string;
  readonly entry: string;
  readonly rawText: string;
  /** The confirmation or approval request it was started from, if any (`GET /v1/jobs/{request id}`). */
  readonly requestId?: string;
  /** What the job runner needs to go on after a restart: command, plan, attempt. */
  readonly payload: Payload;
  /** The provider's operation, once it accepted the request: what a resumed job polls. */
  readonly operation?: OperationRef;
  readonly lastProgress?: OperationProgress;
  /** Why it ended so, in words. */
  readonly detail?: string;
  readonly message?: JobMessage;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly endedAt?: number;
  /** Past this it ends timed out, whoever drives it. */
  readonly deadlineAt: number;
  readonly leaseOwner?: string;
  readonly leaseUntil: number;
  readonly cancelRequestedBy?: string;
  readonly cancelRequestedAt?: number;
  /** When its end was written to the audit log. */
  readonly auditedAt?: number;
  /** When its end was shown (in its message, where it has one): from then on nobody's work. */
  readonly toldAt?: number;
}

export type NewJob<Payload> = Pick<
  Job<Payload>,
  | 'verb'
  | 'provider'
  | 'targetName'
  | 'targetId'
  | 'requester'
  | 'channel'
  | 'entry'
  | 'rawText'
  | 'requestId'
  | 'payload'
> & { readonly deadlineAt: number; readonly message?: JobMessage };

/** Every column a job is read with. */
export const JOB_COLUMNS = `id, state, verb, provider, target_name, target_id, requester, channel, entry, raw_text, payload,
  operation, last_progress, detail, message_channel, message_ts, message_thread, created_at, started_at,
  ended_at, deadline_at, lease_owner, lease_until, cancel_requested_by, cancel_requested_at, audited_at, told_at,
  request_id`;

const ACTIVE = `state IN ('queued', 'sending', 'running')`;
/** Running, or ended but not told yet: someone's work. */
const OPEN = 'told_at IS NULL';

/** Six characters people can read out and type: no I, L, O or U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export function newJobId(): string {
  return Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
}

function parsed<T>(value: unknown): T | undefined {
  const text = toOptionalString(value);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function fromRow<Payload>(row: Row): Job<Payload> {
  const fields: Record<string, unknown> = {
    id: String(row.id),
    state: String(row.state) as JobState,
    verb: String(row.verb),
    provider: String(row.provider),
    targetName: String(row.target_name),
    targetId: toOptionalString(row.target_id),
    requester: String(row.requester),
    channel: toOptionalString(row.channel),
    entry: String(row.entry),
    rawText: String(row.raw_text),
    requestId: toOptionalString(row.request_id),
    payload: parsed<Payload>(row.payload),
    operation: parsed<OperationRef>(row.operation),
    lastProgress: parsed<OperationProgress>(row.last_progress),
    detail: toOptionalString(row.detail),
    createdAt: toNumber(row.created_at),
    startedAt: toOptionalNumber(row.started_at),
    endedAt: toOptionalNumber(row.ended_at),
    deadlineAt: toNumber(row.deadline_at),
    leaseOwner: toOptionalString(row.lease_owner),
    leaseUntil: toNumber(row.lease_until),
    cancelRequestedBy: toOptionalString(row.cancel_requested_by),
    cancelRequestedAt: toOptionalNumber(row.cancel_requested_at),
    auditedAt: toOptionalNumber(row.audited_at),
    toldAt: toOptionalNumber(row.told_at),
  };
  const channel = toOptionalString(row.message_channel);
  const ts = toOptionalString(row.message_ts);
  const threadTs = toOptionalString(row.message_thread);
  if (channel && ts) fields.message = { channel, ts, ...(threadTs ? { threadTs } : {}) };
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as unknown as Job<Payload>;
}

/** What a webhook hears of a job (`job.STATE`): the job as the change left it, without its payload. */
export function jobEvent(job: Job, redactor: Redactor): NewOutboxEvent {
  const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    type: `job.${job.state}`,
    data: {
      job: {
        id: job.id,
        state: job.state,
        verb: job.verb,
        provider: job.provider,
        target: job.targetName,
        target_id: job.targetId ?? null,
        requester: job.requester,
        detail: job.detail === undefined ? null : redactor.text(job.detail),
        operation: job.operation?.operationId ?? null,
        created_at: at(job.createdAt),
        started_at: at(job.startedAt),
        ended_at: at(job.endedAt),
      },
    },
  };
}

export class JobStore {
  private readonly db: SqlDriver;
  private readonly redactor: Redactor;
  private readonly outbox: Outbox;

  constructor(db: SqlDriver, redactor = new Redactor(), outbox = new Outbox(db)) {
    this.db = db;
    this.redactor = redactor;
    this.outbox = outbox;
  }

  /**
   * A change of state, with its `job.STATE` event in the same transaction
   * when a webhook wants job events; true when the row changed.
   */
  private async transition(sql: string, params: readonly SqlValue[], now: number): Promise<boolean> {
    if (!this.outbox.wantsAny('job.')) return (await this.db.run(sql, params)) > 0;
    const row = await this.outbox.withEvent(
      async (tx) => (await tx.all(`${sql} RETURNING ${JOB_COLUMNS}`, params))[0],
      (changed) => (changed ? jobEvent(fromRow(changed), this.redactor) : undefined),
      now,
    );
    return row !== undefined;
  }

  /** A new job, queued and leased to `owner`; its text redacted, a configured secret refused (storable-request.ts). */
  async create<Payload>(
    asked: NewJob<Payload>,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<Job<Payload>> {
    const job = { ...asked, ...storableRequest(this.redactor, asked.rawText, asked.payload) };
    for (let attempt = 0; ; attempt++) {
      const id = newJobId();
      const changed = await this.transition(
        `INSERT INTO jobs (id, state, verb, provider, target_name, target_id, requester, channel, entry, raw_text,
           payload, message_channel, message_ts, message_thread, created_at, deadline_at, lease_owner, lease_until,
           request_id)
         VALUES ($1, 'queued', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (id) DO NOTHING`,
        [
          id,
          job.verb,
          job.provider,
          job.targetName,
          job.targetId ?? null,
          job.requester,
          job.channel ?? null,
          job.entry,
          job.rawText,
          JSON.stringify(job.payload),
          job.message?.channel ?? null,
          job.message?.ts ?? null,
          job.message?.threadTs ?? null,
          now,
          job.deadlineAt,
          owner,
          now + leaseMs,
          job.requestId ?? null,
        ],
        now,
      );
      if (changed) return (await this.get<Payload>(id)) as Job<Payload>;
      if (attempt > 5) throw new Error('could not find a free job id');
    }
  }

  async get<Payload>(id: string): Promise<Job<Payload> | undefined> {
    const [row] = await this.db.all(`SELECT ${JOB_COLUMNS} FROM jobs WHERE id = $1`, [id.toUpperCase()]);
    return row ? fromRow<Payload>(row) : undefined;
  }

  /** The job started from a confirmation or approval request (a client's approved change). */
  async fromRequest<Payload>(requestId: string): Promise<Job<Payload> | undefined> {
    const [row] = await this.db.all(`SELECT ${JOB_COLUMNS} FROM jobs WHERE request_id = $1`, [requestId]);
    return row ? fromRow<Payload>(row) : undefined;
  }

  /** Running ones first, then the newest; at most `limit`. */
  async recent<Payload>(limit: number): Promise<Job<Payload>[]> {
    const rows = await this.db.all(
      `SELECT ${JOB_COLUMNS} FROM jobs ORDER BY CASE WHEN ${ACTIVE} THEN 0 ELSE 1 END, created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => fromRow<Payload>(row));
  }

  async steps(id: string): Promise<JobStep[]> {
    const rows = await this.db.all('SELECT seq, at, text FROM job_steps WHERE job_id = $1 ORDER BY seq', [
      id,
    ]);
    return rows.map((row) => ({ seq: toNumber(row.seq), at: toNumber(row.at), text: String(row.text) }));
  }

  async addStep(id: string, step: JobStep): Promise<void> {
    await this.db.run(
      'INSERT INTO job_steps (job_id, seq, at, text) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [id, step.seq, step.at, step.text],
    );
  }

  /** queued → sending, by the lease holder only: the one moment an operation may be sent. */
  beginSending(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.changed(
      `UPDATE jobs SET state = 'sending', lease_until = $3 WHERE id = $1 AND state = 'queued' AND lease_owner = $2`,
      [id, owner, now + leaseMs],
    );
  }

  /** sending → running: the provider accepted; `operation` is what any later process polls. */
  accepted(
    id: string,
    owner: string,
    operation: OperationRef,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    return this.transition(
      `UPDATE jobs SET state = 'running', operation = $3, started_at = $4, lease_until = $5
       WHERE id = $1 AND state = 'sending' AND lease_owner = $2`,
      [id, owner, JSON.stringify(operation), now, now + leaseMs],
      now,
    );
  }

  /** The latest progress, renewing the lease; false when the lease was lost (stop driving it). */
  progressed(
    id: string,
    owner: string,
    last: OperationProgress | undefined,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    return this.changed(
      `UPDATE jobs SET last_progress = COALESCE($3, last_progress), lease_until = $4
       WHERE id = $1 AND ${ACTIVE} AND lease_owner = $2`,
      [id, owner, last ? JSON.stringify(last) : null, now + leaseMs],
    );
  }

  /**
   * Renews the lease before a poll, in one statement that also says whether
   * a cancellation was asked for; undefined when the lease was lost.
   */
  async renew(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<{ readonly cancelRequestedBy?: string } | undefined> {
    const [row] = await this.db.all(
      `UPDATE jobs SET lease_until = $3 WHERE id = $1 AND ${ACTIVE} AND lease_owner = $2
       RETURNING cancel_requested_by`,
      [id, owner, now + leaseMs],
    );
    if (!row) return undefined;
    const by = toOptionalString(row.cancel_requested_by);
    return by === undefined ? {} : { cancelRequestedBy: by };
  }

  /** The end, by the lease holder, who keeps the lease until the end is told. */
  finish(
    id: string,
    owner: string,
    state: FinalJobState,
    detail: string | undefined,
    now: number,
    leaseMs: number,
  ): Promise<boolean> {
    return this.transition(
      `UPDATE jobs SET state = $3, detail = $4, ended_at = $5, lease_until = $6
       WHERE id = $1 AND ${ACTIVE} AND lease_owner = $2`,
      [id, owner, state, detail ?? null, now, now + leaseMs],
      now,
    );
  }

  /** Keeps the lease while a long step goes on (a request being sent, the end being told); false when lost. */
  hold(id: string, owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.changed(`UPDATE jobs SET lease_until = $3 WHERE id = $1 AND ${OPEN} AND lease_owner = $2`, [
      id,
      owner,
      now + leaseMs,
    ]);
  }

  /** Its end was shown: nobody's work any more. */
  async told(id: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE jobs SET told_at = $2, lease_until = 0 WHERE id = $1 AND ${OPEN} AND state NOT IN ('queued', 'sending', 'running')`,
      [id, now],
    );
  }

  /** Gives the job up at once (a graceful shutdown), so the next process need not wait for the lease. */
  release(id: string, owner: string): Promise<boolean> {
    return this.changed(`UPDATE jobs SET lease_until = 0 WHERE id = $1 AND ${ACTIVE} AND lease_owner = $2`, [
      id,
      owner,
    ]);
  }

  /** Open jobs nobody holds: running ones, and ended ones whose end was not told. */
  async orphans<Payload>(now: number): Promise<Job<Payload>[]> {
    const rows = await this.db.all(
      `SELECT ${JOB_COLUMNS} FROM jobs WHERE ${OPEN} AND lease_until <= $1 ORDER BY created_at`,
      [now],
    );
    return rows.map((row) => fromRow<Payload>(row));
  }

  /** Takes over an orphan; of several takers exactly one gets it. */
  async takeOver<Payload>(
    id: string,
    owner: string,
    now: number,
    leaseMs: number,
  ): Promise<Job<Payload> | undefined> {
    const taken = await this.changed(
      `UPDATE jobs SET lease_owner = $2, lease_until = $4 WHERE id = $1 AND ${OPEN} AND lease_until <= $3`,
      [id, owner, now, now + leaseMs],
    );
    return taken ? this.get<Payload>(id) : undefined;
  }

  async setMessage(id: string, message: JobMessage): Promise<void> {
    await this.db.run(
      'UPDATE jobs SET message_channel = $2, message_ts = $3, message_thread = $4 WHERE id = $1',
      [id, message.channel, message.ts, message.threadTs ?? null],
    );
  }

  /** Asks the driver to cancel; only the first request counts. */
  requestCancel(id: string, user: string, now: number): Promise<boolean> {
    return this.changed(
      `UPDATE jobs SET cancel_requested_by = $2, cancel_requested_at = $3
       WHERE id = $1 AND ${ACTIVE} AND cancel_requested_by IS NULL`,
      [id, user, now],
    );
  }

  /** How many jobs are in each state (the metrics' jobs gauge). */
  async countByState(): Promise<Map<JobState, number>> {
    const rows = await this.db.all('SELECT state, COUNT(*) AS count FROM jobs GROUP BY state');
    return new Map(rows.map((row) => [String(row.state) as JobState, toNumber(row.count)]));
  }

  private async changed(sql: string, params: (string | number | null)[]): Promise<boolean> {
    return (await this.db.run(sql, params)) > 0;
  }
}
