/**
 * Approvals clients ask for (`POST /v1/approvals`): a table of its own
 * rather than a kind of pending request, since one may need several
 * approvers' votes and has no command behind it. Each vote is a row (one
 * per person); a vote locks its approval's row first (a no-op UPDATE), so
 * concurrent votes on any replica are counted one after another and the
 * approval is decided exactly once — with its `approval.decided` event in
 * that same transaction.
 */
import { randomBytes } from 'node:crypto';
import type { NewOutboxEvent, Outbox } from './outbox.ts';
import {
  type Row,
  type SqlDriver,
  type SqlRunner,
  toNumber,
  toOptionalNumber,
  toOptionalString,
} from './sql.ts';

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired';
export type Vote = 'approve' | 'reject';

export interface ApprovalVote {
  readonly user: string;
  readonly vote: Vote;
  readonly at: number;
}

export interface BridgeApproval {
  readonly id: string;
  readonly client: string;
  readonly channel: string;
  readonly title: string;
  readonly details?: string;
  readonly approvers: readonly string[];
  readonly minApprovals: number;
  readonly state: ApprovalState;
  readonly decidedBy?: string;
  readonly decidedAt?: number;
  readonly callbackUrl?: string;
  readonly message?: { readonly channel: string; readonly ts: string };
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly votes: readonly ApprovalVote[];
}

export type NewApproval = Pick<
  BridgeApproval,
  | 'client'
  | 'channel'
  | 'title'
  | 'details'
  | 'approvers'
  | 'minApprovals'
  | 'callbackUrl'
  | 'createdAt'
  | 'expiresAt'
>;

export type VoteResult =
  /** Counted; more approvals are needed. */
  | { readonly kind: 'counted'; readonly approval: BridgeApproval }
  | { readonly kind: 'decided'; readonly approval: BridgeApproval }
  | { readonly kind: 'already-voted'; readonly approval: BridgeApproval }
  /** Decided or expired before this vote; undefined when unknown. */
  | { readonly kind: 'closed'; readonly approval: BridgeApproval | undefined };

const COLUMNS = `id, client, channel, title, details, approvers, min_approvals, state, decided_by, decided_at,
  callback_url, message_channel, message_ts, created_at, expires_at`;

function fromRow(row: Row, votes: readonly ApprovalVote[]): BridgeApproval {
  const optional = <V>(key: string, value: V | undefined) => (value === undefined ? {} : { [key]: value });
  const channel = toOptionalString(row.message_channel);
  const ts = toOptionalString(row.message_ts);
  return {
    id: String(row.id),
    client: String(row.client),
    channel: String(row.channel),
    title: String(row.title),
    ...optional('details', toOptionalString(row.details)),
    approvers: JSON.parse(String(row.approvers)) as string[],
    minApprovals: toNumber(row.min_approvals),
    state: String(row.state) as ApprovalState,
    ...optional('decidedBy', toOptionalString(row.decided_by)),
    ...optional('decidedAt', toOptionalNumber(row.decided_at)),
    ...optional('callbackUrl', toOptionalString(row.callback_url)),
    ...(channel && ts ? { message: { channel, ts } } : {}),
    createdAt: toNumber(row.created_at),
    expiresAt: toNumber(row.expires_at),
    votes,
  };
}

/** What a webhook (and the callback) hears of a decided approval. */
export function approvalEvent(approval: BridgeApproval): NewOutboxEvent {
  const who = (vote: Vote) => approval.votes.filter((v) => v.vote === vote).map((v) => v.user);
  return {
    type: 'approval.decided',
    data: {
      approval: {
        id: approval.id,
        client: approval.client,
        title: approval.title,
        state: approval.state,
        decided_by: approval.decidedBy ?? null,
        decided_at: approval.decidedAt === undefined ? null : new Date(approval.decidedAt).toISOString(),
        approved_by: who('approve'),
        rejected_by: who('reject'),
      },
    },
    ...(approval.callbackUrl
      ? { callback: { endpoint: `client:${approval.client}`, url: approval.callbackUrl } }
      : {}),
  };
}

export class BridgeApprovals {
  private readonly db: SqlDriver;
  private readonly outbox: Outbox;

  constructor(db: SqlDriver, outbox: Outbox) {
    this.db = db;
    this.outbox = outbox;
  }

  async create(asked: NewApproval): Promise<BridgeApproval> {
    const id = `apr_${asked.createdAt.toString(36)}${randomBytes(6).toString('hex')}`;
    await this.db.run(
      `INSERT INTO bridge_approvals (id, client, channel, title, details, approvers, min_approvals, state,
         callback_url, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10)`,
      [
        id,
        asked.client,
        asked.channel,
        asked.title,
        asked.details ?? null,
        JSON.stringify(asked.approvers),
        asked.minApprovals,
        asked.callbackUrl ?? null,
        asked.createdAt,
        asked.expiresAt,
      ],
    );
    return (await this.get(id)) as BridgeApproval;
  }

  async get(id: string, runner: SqlRunner = this.db): Promise<BridgeApproval | undefined> {
    const [row] = await runner.all(`SELECT ${COLUMNS} FROM bridge_approvals WHERE id = $1`, [id]);
    if (!row) return undefined;
    const votes = await runner.all(
      'SELECT user_id, vote, at FROM bridge_approval_votes WHERE approval_id = $1 ORDER BY at, user_id',
      [id],
    );
    return fromRow(
      row,
      votes.map((vote) => ({
        user: String(vote.user_id),
        vote: String(vote.vote) as Vote,
        at: toNumber(vote.at),
      })),
    );
  }

  async setMessage(id: string, message: { readonly channel: string; readonly ts: string }): Promise<void> {
    await this.db.run('UPDATE bridge_approvals SET message_channel = $2, message_ts = $3 WHERE id = $1', [
      id,
      message.channel,
      message.ts,
    ]);
  }

  /** One person's vote (the caller checked they may): a reject decides; enough approvals decide. */
  async vote(id: string, user: string, vote: Vote, now: number): Promise<VoteResult> {
    const result = await this.db.transaction(async (tx): Promise<VoteResult> => {
      // Takes the row's lock: votes on this approval are counted one at a time, on every replica.
      const open = await tx.run(
        `UPDATE bridge_approvals SET state = state WHERE id = $1 AND state = 'pending' AND expires_at > $2`,
        [id, now],
      );
      if (open === 0) return { kind: 'closed', approval: await this.get(id, tx) };
      const counted = await tx.run(
        `INSERT INTO bridge_approval_votes (approval_id, user_id, vote, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (approval_id, user_id) DO NOTHING`,
        [id, user, vote, now],
      );
      const approval = (await this.get(id, tx)) as BridgeApproval;
      if (counted === 0) return { kind: 'already-voted', approval };
      const approvals = approval.votes.filter((v) => v.vote === 'approve').length;
      if (vote === 'approve' && approvals < approval.minApprovals) return { kind: 'counted', approval };
      const state: ApprovalState = vote === 'reject' ? 'rejected' : 'approved';
      await tx.run('UPDATE bridge_approvals SET state = $2, decided_by = $3, decided_at = $4 WHERE id = $1', [
        id,
        state,
        user,
        now,
      ]);
      const decided: BridgeApproval = { ...approval, state, decidedBy: user, decidedAt: now };
      await this.outbox.add(tx, approvalEvent(decided), now);
      return { kind: 'decided', approval: decided };
    });
    if (result.kind === 'decided') this.outbox.committed();
    return result;
  }

  /** Expires what nobody decided in time; each is returned (and its event written) once. */
  async expire(now: number): Promise<BridgeApproval[]> {
    const expired = await this.db.transaction(async (tx) => {
      const rows = await tx.all(
        `UPDATE bridge_approvals SET state = 'expired', decided_at = $1
         WHERE state = 'pending' AND expires_at <= $1 RETURNING id`,
        [now],
      );
      const approvals: BridgeApproval[] = [];
      for (const row of rows) {
        const approval = (await this.get(String(row.id), tx)) as BridgeApproval;
        await this.outbox.add(tx, approvalEvent(approval), now);
        approvals.push(approval);
      }
      return approvals;
    });
    if (expired.length > 0) this.outbox.committed();
    return expired;
  }
}
