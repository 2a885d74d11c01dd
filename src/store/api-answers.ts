/**
 * Idempotency-Key for the bridge's POSTs: the first request with a key
 * claims it (one INSERT, so of two replicas one wins), and its answer is
 * kept for a day; a repeat gets that answer again. A repeat while the first
 * is still running, or with another body, is told so rather than run.
 */
import { type SqlDriver, toOptionalNumber, toOptionalString } from './sql.ts';

export const ANSWER_TTL_MS = 24 * 3_600_000;

export type KeyClaim =
  | { readonly kind: 'first' }
  | { readonly kind: 'answered'; readonly status: number; readonly body: string }
  | { readonly kind: 'in-progress' }
  /** The key was used with another request. */
  | { readonly kind: 'mismatch' };

export class ApiAnswers {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  async claim(client: string, key: string, requestHash: string, now: number): Promise<KeyClaim> {
    const inserted = await this.db.run(
      `INSERT INTO api_answers (client, idempotency_key, request_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (client, idempotency_key) DO UPDATE SET request_hash = excluded.request_hash,
         status = NULL, body = NULL, created_at = excluded.created_at, expires_at = excluded.expires_at
       WHERE api_answers.expires_at <= $4`,
      [client, key, requestHash, now, now + ANSWER_TTL_MS],
    );
    if (inserted > 0) return { kind: 'first' };
    const [row] = await this.db.all(
      'SELECT request_hash, status, body FROM api_answers WHERE client = $1 AND idempotency_key = $2',
      [client, key],
    );
    if (!row) return { kind: 'in-progress' };
    if (String(row.request_hash) !== requestHash) return { kind: 'mismatch' };
    const status = toOptionalNumber(row.status);
    const body = toOptionalString(row.body);
    return status === undefined || body === undefined
      ? { kind: 'in-progress' }
      : { kind: 'answered', status, body };
  }

  async answer(client: string, key: string, status: number, body: string): Promise<void> {
    await this.db.run(
      'UPDATE api_answers SET status = $3, body = $4 WHERE client = $1 AND idempotency_key = $2',
      [client, key, status, body],
    );
  }

  /** The request failed before it had an answer: a repeat may run it. */
  async release(client: string, key: string): Promise<void> {
    await this.db.run(
      'DELETE FROM api_answers WHERE client = $1 AND idempotency_key = $2 AND status IS NULL',
      [client, key],
    );
  }

  prune(now: number): Promise<number> {
    return this.db.run('DELETE FROM api_answers WHERE expires_at <= $1', [now]);
  }
}
