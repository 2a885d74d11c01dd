/**
 * Requests waiting for a click: a confirmation by the requester, or an
 * approval by a second person. Every change of state is one conditional
 * UPDATE (`… WHERE state = 'pending'`), so a request is decided once —
 * whatever the number of clicks, replicas or redeliveries.
 */
import { randomUUID } from 'node:crypto';
import { Redactor } from '../log/redact.ts';
import { type Row, type SqlDriver, toNumber, toOptionalNumber, toOptionalString } from './sql.ts';
import { storableRequest } from './storable-request.ts';

export type PendingKind = 'confirm' | 'approve';
export type PendingState =
  | 'pending'
  | 'confirmed'
  | 'approved'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  /** Ended undecided: its prompt could not be posted, so nobody could click it (`endReason` says why). */
  | 'failed';

/** Where the prompt was posted, so any replica can update it. */
export interface PromptMessage {
  readonly channel: string;
  readonly ts: string;
}

export interface PendingRequest<Payload = unknown> {
  readonly id: string;
  readonly kind: PendingKind;
  readonly state: PendingState;
  readonly requester: string;
  readonly channel?: string;
  readonly entry: string;
  readonly rawText: string;
  /** What the safety layer needs to run it later: command, plan, entry context. */
  readonly payload: Payload;
  readonly decision: string;
  readonly rule?: string;
  /** Who may approve (user ids), for approvals. */
  readonly approvers: readonly string[];
  readonly message?: PromptMessage;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  /** Why a failed request ended. */
  readonly endReason?: string;
}

export type NewPendingRequest<Payload> = Omit<
  PendingRequest<Payload>,
  'id' | 'state' | 'message' | 'decidedBy' | 'decidedAt' | 'endReason'
>;

export type DecideResult<Payload> =
  | { readonly won: true; readonly request: PendingRequest<Payload> }
  /** Someone (or the clock) decided first; `request` says who and how, undefined if unknown. */
  | { readonly won: false; readonly request: PendingRequest<Payload> | undefined };

const SELECT = `SELECT id, kind, state, requester, channel, entry, raw_text, payload, decision, rule, approvers,
  message_channel, message_ts, created_at, expires_at, decided_by, decided_at, end_reason FROM pending_requests`;
const RETURNING = `RETURNING id, kind, state, requester, channel, entry, raw_text, payload, decision, rule,
  approvers, message_channel, message_ts, created_at, expires_at, decided_by, decided_at, end_reason`;

function fromRow<Payload>(row: Row): PendingRequest<Payload> {
  const channel = toOptionalString(row.channel);
  const rule = toOptionalString(row.rule);
  const messageChannel = toOptionalString(row.message_channel);
  const messageTs = toOptionalString(row.message_ts);
  const decidedBy = toOptionalString(row.decided_by);
  const decidedAt = toOptionalNumber(row.decided_at);
  const endReason = toOptionalString(row.end_reason);
  return {
    id: String(row.id),
    kind: String(row.kind) as PendingKind,
    state: String(row.state) as PendingState,
    requester: String(row.requester),
    ...(channel === undefined ? {} : { channel }),
    entry: String(row.entry),
    rawText: String(row.raw_text),
    payload: JSON.parse(String(row.payload)) as Payload,
    decision: String(row.decision),
    ...(rule === undefined ? {} : { rule }),
    approvers: JSON.parse(toOptionalString(row.approvers) ?? '[]') as string[],
    ...(messageChannel && messageTs ? { message: { channel: messageChannel, ts: messageTs } } : {}),
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
    ...(decidedBy === undefined ? {} : { decidedBy }),
    ...(decidedAt === undefined ? {} : { decidedAt }),
    ...(endReason === undefined ? {} : { endReason }),
  };
}

export class PendingRequests {
  private readonly db: SqlDriver;
  private readonly redactor: Redactor;

  constructor(db: SqlDriver, redactor = new Redactor()) {
    this.db = db;
    this.redactor = redactor;
  }

  /** Stores the request with its text redacted; one holding a configured secret is refused (storable-request.ts). */
  async create<Payload>(asked: NewPendingRequest<Payload>): Promise<PendingRequest<Payload>> {
    const request = { ...asked, ...storableRequest(this.redactor, asked.rawText, asked.payload) };
    const id = randomUUID();
    await this.db.run(
      `INSERT INTO pending_requests (id, kind, state, requester, channel, entry, raw_text, payload,
         decision, rule, approvers, created_at, expires_at)
       VALUES ($1, $2, 'pending', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        id,
        request.kind,
        request.requester,
        request.channel ?? null,
        request.entry,
        request.rawText,
        JSON.stringify(request.payload),
        request.decision,
        request.rule ?? null,
        JSON.stringify(request.approvers),
        request.createdAt,
        request.expiresAt,
      ],
    );
    return { ...request, id, state: 'pending' };
  }

  async get<Payload>(id: string): Promise<PendingRequest<Payload> | undefined> {
    const [row] = await this.db.all(`${SELECT} WHERE id = $1`, [id]);
    return row ? fromRow<Payload>(row) : undefined;
  }

  async setMessage(id: string, message: PromptMessage): Promise<void> {
    await this.db.run('UPDATE pending_requests SET message_channel = $2, message_ts = $3 WHERE id = $1', [
      id,
      message.channel,
      message.ts,
    ]);
  }

  /** Moves a pending, unexpired request to `state`; exactly one caller wins. */
  async decide<Payload>(
    id: string,
    state: Exclude<PendingState, 'pending' | 'expired' | 'failed'>,
    by: string,
    now: number,
  ): Promise<DecideResult<Payload>> {
    const [row] = await this.db.all(
      `UPDATE pending_requests SET state = $2, decided_by = $3, decided_at = $4
       WHERE id = $1 AND state = 'pending' AND expires_at > $4 ${RETURNING}`,
      [id, state, by, now],
    );
    if (row) return { won: true, request: fromRow<Payload>(row) };
    return { won: false, request: await this.get<Payload>(id) };
  }

  /** Expires what is past its time; each request is returned to exactly one caller. */
  async expire<Payload>(now: number, id?: string): Promise<PendingRequest<Payload>[]> {
    const rows = await this.db.all(
      `UPDATE pending_requests SET state = 'expired', decided_at = $1
       WHERE state = 'pending' AND expires_at <= $1 ${id === undefined ? '' : 'AND id = $2'} ${RETURNING}`,
      id === undefined ? [now] : [now, id],
    );
    return rows.map((row) => fromRow<Payload>(row));
  }

  /** Ends a pending request nobody can decide, with why; undefined when it was not pending any more. */
  async fail<Payload>(id: string, reason: string, now: number): Promise<PendingRequest<Payload> | undefined> {
    const [row] = await this.db.all(
      `UPDATE pending_requests SET state = 'failed', end_reason = $2, decided_at = $3
       WHERE id = $1 AND state = 'pending' ${RETURNING}`,
      [id, reason, now],
    );
    return row ? fromRow<Payload>(row) : undefined;
  }
}
