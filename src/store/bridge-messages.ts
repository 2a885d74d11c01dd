/**
 * What clients post through the bridge: each message's wanted content
 * (`version`) beside what Slack shows (`sent_version`, `ts`). A `key` names
 * a message so that posting with it again updates it; a `thread_key`'s first
 * message is its thread's parent (the bridge_threads row is the claim).
 * Sending is claimed: the process that accepted a message holds it while it
 * waits for the channel's pace, renewing its claim; one whose claim lapsed
 * (its process died) is taken over by any replica.
 */
import { randomBytes } from 'node:crypto';
import { type Row, type SqlDriver, type SqlRunner, toNumber, toOptionalString } from './sql.ts';

export interface MessageContent {
  readonly text?: string;
  readonly blocks?: readonly unknown[];
}

export type BridgeMessageState = 'queued' | 'posted' | 'failed';

export interface BridgeMessage {
  readonly id: string;
  readonly client: string;
  readonly key?: string;
  /** As the client named it: an id, or a #name. */
  readonly channel: string;
  /** The id Slack answered with, once posted. */
  readonly channelId?: string;
  /** The message whose thread this one goes in. */
  readonly threadOf?: string;
  readonly content: MessageContent;
  readonly version: number;
  readonly sentVersion: number;
  readonly ts?: string;
  readonly state: BridgeMessageState;
  readonly error?: string;
  readonly claimedBy?: string;
}

export interface PutMessage {
  readonly client: string;
  readonly channel: string;
  readonly content: MessageContent;
  readonly key?: string;
  readonly threadKey?: string;
}

export type PutResult =
  | { readonly kind: 'put'; readonly message: BridgeMessage; readonly created: boolean }
  /** The key names a message in another channel. */
  | { readonly kind: 'other-channel'; readonly channel: string };

const COLUMNS = `id, client, message_key, channel, channel_id, thread_of, content, version, sent_version, ts, state,
  error, claimed_by`;
const UNSENT = `version > sent_version AND state <> 'failed'`;

function fromRow(row: Row): BridgeMessage {
  const optional = (key: string, value: string | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    id: String(row.id),
    client: String(row.client),
    ...optional('key', toOptionalString(row.message_key)),
    channel: String(row.channel),
    ...optional('channelId', toOptionalString(row.channel_id)),
    ...optional('threadOf', toOptionalString(row.thread_of)),
    content: JSON.parse(String(row.content)) as MessageContent,
    version: toNumber(row.version),
    sentVersion: toNumber(row.sent_version),
    ...optional('ts', toOptionalString(row.ts)),
    state: String(row.state) as BridgeMessageState,
    ...optional('error', toOptionalString(row.error)),
    ...optional('claimedBy', toOptionalString(row.claimed_by)),
  };
}

export class BridgeMessages {
  private readonly db: SqlDriver;

  constructor(db: SqlDriver) {
    this.db = db;
  }

  /**
   * A new message, or a new version of the one `key` names. The caller
   * holds its sending unless another process does and still may.
   */
  put(asked: PutMessage, owner: string, now: number, leaseMs: number): Promise<PutResult> {
    return this.db.transaction(async (tx) => {
      if (asked.key !== undefined) {
        const [row] = await tx.all(
          `UPDATE bridge_messages SET content = $3, version = version + 1, state = 'queued', error = NULL,
             updated_at = $4,
             claimed_by = CASE WHEN claimed_until > $4 AND ${UNSENT} THEN claimed_by ELSE $5 END,
             claimed_until = CASE WHEN claimed_until > $4 AND ${UNSENT} THEN claimed_until ELSE $6 END
           WHERE client = $1 AND message_key = $2 AND channel = $7 RETURNING ${COLUMNS}`,
          [asked.client, asked.key, JSON.stringify(asked.content), now, owner, now + leaseMs, asked.channel],
        );
        if (row) return { kind: 'put', message: fromRow(row), created: false };
        const [elsewhere] = await tx.all(
          'SELECT channel FROM bridge_messages WHERE client = $1 AND message_key = $2',
          [asked.client, asked.key],
        );
        if (elsewhere) return { kind: 'other-channel', channel: String(elsewhere.channel) };
      }
      const id = `msg_${now.toString(36)}${randomBytes(6).toString('hex')}`;
      const threadOf = asked.threadKey === undefined ? undefined : await this.thread(tx, asked, id, now);
      const [row] = await tx.all(
        `INSERT INTO bridge_messages (id, client, message_key, channel, thread_of, content, version, sent_version,
           state, claimed_by, claimed_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 1, 0, 'queued', $7, $8, $9, $9) RETURNING ${COLUMNS}`,
        [
          id,
          asked.client,
          asked.key ?? null,
          asked.channel,
          threadOf ?? null,
          JSON.stringify(asked.content),
          owner,
          now + leaseMs,
          now,
        ],
      );
      return { kind: 'put', message: fromRow(row as Row), created: true };
    });
  }

  /** The thread's parent, or undefined when this message is the first of its thread_key (its parent). */
  private async thread(
    tx: SqlRunner,
    asked: PutMessage,
    id: string,
    now: number,
  ): Promise<string | undefined> {
    const claimed = await tx.run(
      `INSERT INTO bridge_threads (client, channel, thread_key, message_id, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (client, channel, thread_key) DO NOTHING`,
      [asked.client, asked.channel, asked.threadKey ?? '', id, now],
    );
    if (claimed > 0) return undefined;
    const [row] = await tx.all(
      'SELECT message_id FROM bridge_threads WHERE client = $1 AND channel = $2 AND thread_key = $3',
      [asked.client, asked.channel, asked.threadKey ?? ''],
    );
    return toOptionalString(row?.message_id);
  }

  async get(id: string): Promise<BridgeMessage | undefined> {
    const [row] = await this.db.all(`SELECT ${COLUMNS} FROM bridge_messages WHERE id = $1`, [id]);
    return row ? fromRow(row) : undefined;
  }

  /** Takes the message to send its newest version; undefined when there is nothing to send or another holds it. */
  async claim(id: string, owner: string, now: number, leaseMs: number): Promise<BridgeMessage | undefined> {
    const [row] = await this.db.all(
      `UPDATE bridge_messages SET claimed_by = $2, claimed_until = $3
       WHERE id = $1 AND ${UNSENT} AND (claimed_by = $2 OR claimed_until <= $4) RETURNING ${COLUMNS}`,
      [id, owner, now + leaseMs, now],
    );
    return row ? fromRow(row) : undefined;
  }

  /** `version` is what Slack shows now; true when a newer one is waiting (send again). */
  async sent(
    id: string,
    owner: string,
    version: number,
    where: { readonly ts: string; readonly channelId: string },
    now: number,
  ): Promise<boolean> {
    const [row] = await this.db.all(
      `UPDATE bridge_messages SET sent_version = $3, ts = $4, channel_id = $5, state = 'posted', updated_at = $6
       WHERE id = $1 AND claimed_by = $2 RETURNING version`,
      [id, owner, version, where.ts, where.channelId, now],
    );
    return row !== undefined && toNumber(row.version) > version;
  }

  /** Slack refused it for good (a channel it cannot post in, blocks it rejects). */
  async failed(id: string, owner: string, error: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE bridge_messages SET state = 'failed', error = $3, claimed_until = 0, updated_at = $4
       WHERE id = $1 AND claimed_by = $2`,
      [id, owner, error.slice(0, 200), now],
    );
  }

  /** Keeps this process's claims on what it still has to send. */
  async renew(owner: string, now: number, leaseMs: number): Promise<void> {
    await this.db.run(
      `UPDATE bridge_messages SET claimed_until = $2 WHERE claimed_by = $1 AND ${UNSENT} AND claimed_until > $3`,
      [owner, now + leaseMs, now],
    );
  }

  /** Unsent messages nobody holds (their process died): oldest first. */
  async orphans(now: number, limit: number): Promise<{ id: string; channel: string }[]> {
    const rows = await this.db.all(
      `SELECT id, channel FROM bridge_messages WHERE ${UNSENT} AND claimed_until <= $1 ORDER BY created_at LIMIT $2`,
      [now, limit],
    );
    return rows.map((row) => ({ id: String(row.id), channel: String(row.channel) }));
  }

  /** Gives this process's claims up (a graceful stop), so another replica goes on at once. */
  async release(owner: string): Promise<void> {
    await this.db.run(`UPDATE bridge_messages SET claimed_until = 0 WHERE claimed_by = $1 AND ${UNSENT}`, [
      owner,
    ]);
  }
}
