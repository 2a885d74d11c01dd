/**
 * The schema, as numbered migrations applied in order and recorded in
 * `schema_migrations`. A migration is never edited once released: changes
 * are new migrations. Both backends run the same list; where their SQL
 * differs (triggers), a migration carries one text per dialect.
 */
import { AUDIT_RETENTION_CLOCK_MIGRATION } from './audit-retention-clock.ts';
import type { Dialect, SqlDriver } from './sql.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** A statement both backends run, or one per dialect (absent: that dialect skips it). */
  readonly statements: readonly (string | Partial<Readonly<Record<Dialect, string>>>)[];
}

/** Any PostgreSQL advisory lock number of ours: replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 0x636d6967; // "cmig"

const AUDIT_GUARD_MESSAGE = 'audit records are append-only; only retention removes old ones';

const AUDIT_TABLE = `CREATE TABLE audit (
  id TEXT PRIMARY KEY,
  requested_at BIGINT NOT NULL,
  ended_at BIGINT NOT NULL,
  user_id TEXT NOT NULL,
  channel TEXT,
  entry TEXT NOT NULL,
  raw_text TEXT NOT NULL,
  verb TEXT,
  command TEXT,
  decision TEXT NOT NULL,
  rule TEXT,
  confirmed_by TEXT,
  approved_by TEXT,
  provider TEXT,
  target TEXT,
  target_id TEXT,
  request_id TEXT,
  outcome TEXT NOT NULL,
  detail TEXT,
  duration_ms BIGINT
)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'audit log with retention',
    statements: [
      AUDIT_TABLE,
      'CREATE INDEX audit_by_time ON audit (requested_at)',
      'CREATE INDEX audit_by_user ON audit (user_id, requested_at)',
      'CREATE TABLE audit_retention (id INTEGER PRIMARY KEY CHECK (id = 1), cutoff BIGINT NOT NULL)',
      'INSERT INTO audit_retention (id, cutoff) VALUES (1, 0)',
      // No code path updates or deletes a record; the database refuses it too.
      {
        sqlite: `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
          BEGIN SELECT RAISE(ABORT, '${AUDIT_GUARD_MESSAGE}'); END`,
        postgres: `CREATE FUNCTION cloudmaster_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'DELETE' AND OLD.requested_at < (SELECT cutoff FROM audit_retention WHERE id = 1) THEN
              RETURN OLD;
            END IF;
            RAISE EXCEPTION '${AUDIT_GUARD_MESSAGE}';
          END $$`,
      },
      {
        sqlite: `CREATE TRIGGER audit_only_retention_deletes BEFORE DELETE ON audit
          WHEN OLD.requested_at >= (SELECT cutoff FROM audit_retention WHERE id = 1)
          BEGIN SELECT RAISE(ABORT, '${AUDIT_GUARD_MESSAGE}'); END`,
        postgres: `CREATE TRIGGER audit_guard BEFORE UPDATE OR DELETE ON audit
          FOR EACH ROW EXECUTE FUNCTION cloudmaster_audit_guard()`,
      },
      {
        sqlite: `CREATE TRIGGER audit_cutoff_moves_forward BEFORE UPDATE ON audit_retention
          WHEN NEW.cutoff < OLD.cutoff
          BEGIN SELECT RAISE(ABORT, 'the audit retention cutoff only moves forward'); END`,
        postgres: `CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
          FOR EACH STATEMENT EXECUTE FUNCTION cloudmaster_audit_guard()`,
      },
      {
        sqlite: `CREATE TRIGGER audit_cutoff_kept BEFORE DELETE ON audit_retention
          BEGIN SELECT RAISE(ABORT, 'the audit retention cutoff only moves forward'); END`,
        postgres: `CREATE FUNCTION cloudmaster_cutoff_guard() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF TG_OP = 'UPDATE' AND NEW.cutoff >= OLD.cutoff THEN RETURN NEW; END IF;
            RAISE EXCEPTION 'the audit retention cutoff only moves forward';
          END $$`,
      },
      {
        postgres: `CREATE TRIGGER audit_cutoff_guard BEFORE UPDATE OR DELETE ON audit_retention
          FOR EACH ROW EXECUTE FUNCTION cloudmaster_cutoff_guard()`,
      },
    ],
  },
  {
    version: 2,
    name: 'pending confirmations and approvals, idempotency keys',
    statements: [
      `CREATE TABLE pending_requests (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        requester TEXT NOT NULL,
        channel TEXT,
        entry TEXT NOT NULL,
        raw_text TEXT NOT NULL,
        payload TEXT NOT NULL,
        decision TEXT NOT NULL,
        rule TEXT,
        approvers TEXT,
        message_channel TEXT,
        message_ts TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        decided_by TEXT,
        decided_at BIGINT
      )`,
      'CREATE INDEX pending_by_state ON pending_requests (state, expires_at)',
      `CREATE TABLE idempotency_keys (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        claimed_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      'CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at)',
    ],
  },
  {
    version: 3,
    name: 'jobs and their steps',
    statements: [
      `CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        verb TEXT NOT NULL,
        provider TEXT NOT NULL,
        target_name TEXT NOT NULL,
        target_id TEXT,
        requester TEXT NOT NULL,
        channel TEXT,
        entry TEXT NOT NULL,
        raw_text TEXT NOT NULL,
        payload TEXT NOT NULL,
        operation TEXT,
        last_progress TEXT,
        detail TEXT,
        message_channel TEXT,
        message_ts TEXT,
        message_thread TEXT,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        ended_at BIGINT,
        deadline_at BIGINT NOT NULL,
        lease_owner TEXT,
        lease_until BIGINT NOT NULL,
        cancel_requested_by TEXT,
        cancel_requested_at BIGINT
      )`,
      'CREATE INDEX jobs_by_state ON jobs (state, lease_until)',
      'CREATE INDEX jobs_by_time ON jobs (created_at)',
      `CREATE TABLE job_steps (
        job_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        at BIGINT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (job_id, seq)
      )`,
    ],
  },
  {
    // Written beside version 3 (jobs): a database may have met them in either order.
    version: 4,
    name: 'outage watch: snapshots per source, incidents and their notices, tickets, flags',
    statements: [
      // The tracker's snapshot of one source; `version` makes every save a compare-and-set.
      `CREATE TABLE watch_sources (
        source TEXT PRIMARY KEY,
        snapshot TEXT NOT NULL,
        version BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      // How each source's polls went, as the last replica to poll it saw: for `health` from anywhere.
      `CREATE TABLE watch_health (
        source TEXT PRIMARY KEY,
        health TEXT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE TABLE watch_incidents (
        source TEXT NOT NULL,
        incident_key TEXT NOT NULL,
        incident TEXT NOT NULL,
        notice_channel TEXT,
        notice_ts TEXT,
        acknowledged_by TEXT,
        acknowledged_at BIGINT,
        opened_at BIGINT NOT NULL,
        resolved_at BIGINT,
        PRIMARY KEY (source, incident_key)
      )`,
      // One row per incident that has (or is getting) a ticket: the row is the claim.
      `CREATE TABLE watch_tickets (
        incident TEXT PRIMARY KEY,
        claim TEXT NOT NULL,
        claimed_by TEXT NOT NULL,
        claimed_at BIGINT NOT NULL,
        system TEXT,
        ticket_id TEXT,
        url TEXT,
        opened_at BIGINT
      )`,
      `CREATE TABLE bot_flags (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        set_by TEXT,
        set_at BIGINT NOT NULL
      )`,
    ],
  },
  AUDIT_RETENTION_CLOCK_MIGRATION,
  {
    version: 6,
    name: 'jobs: when their end was audited and told',
    statements: [
      // A job stays someone's work until its end is in the audit and its message (takeover sees it).
      'ALTER TABLE jobs ADD COLUMN audited_at BIGINT',
      'ALTER TABLE jobs ADD COLUMN told_at BIGINT',
      `UPDATE jobs SET audited_at = ended_at, told_at = ended_at
       WHERE state NOT IN ('queued', 'sending', 'running')`,
      'CREATE INDEX jobs_untold ON jobs (lease_until) WHERE told_at IS NULL',
    ],
  },
  {
    version: 7,
    name: 'bridge: an outbox of events and their webhook deliveries, clients’ messages and approvals, API answers',
    statements: [
      // An event is written in the transaction of the change it reports; its body is what is delivered.
      `CREATE TABLE outbox_events (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        occurred_at BIGINT NOT NULL,
        body TEXT NOT NULL
      )`,
      // One row per event and endpoint (a configured webhook, or a client's callback with its own url).
      `CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        url TEXT,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at BIGINT NOT NULL,
        claimed_by TEXT,
        claimed_until BIGINT NOT NULL,
        last_attempt_at BIGINT,
        last_status INTEGER,
        last_error TEXT,
        delivered_at BIGINT,
        created_at BIGINT NOT NULL
      )`,
      'CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at)',
      'CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint, state)',
      // What a client posted: the content wanted (version) and what Slack shows (sent_version, ts).
      `CREATE TABLE bridge_messages (
        id TEXT PRIMARY KEY,
        client TEXT NOT NULL,
        message_key TEXT,
        channel TEXT NOT NULL,
        channel_id TEXT,
        thread_of TEXT,
        content TEXT NOT NULL,
        version INTEGER NOT NULL,
        sent_version INTEGER NOT NULL,
        ts TEXT,
        state TEXT NOT NULL,
        error TEXT,
        claimed_by TEXT,
        claimed_until BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      'CREATE UNIQUE INDEX bridge_messages_by_key ON bridge_messages (client, message_key)',
      'CREATE INDEX bridge_messages_unsent ON bridge_messages (state, claimed_until)',
      // The first message of a thread_key is its thread's parent: the row is the claim.
      `CREATE TABLE bridge_threads (
        client TEXT NOT NULL,
        channel TEXT NOT NULL,
        thread_key TEXT NOT NULL,
        message_id TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (client, channel, thread_key)
      )`,
      `CREATE TABLE bridge_approvals (
        id TEXT PRIMARY KEY,
        client TEXT NOT NULL,
        channel TEXT NOT NULL,
        title TEXT NOT NULL,
        details TEXT,
        approvers TEXT NOT NULL,
        min_approvals INTEGER NOT NULL,
        state TEXT NOT NULL,
        decided_by TEXT,
        decided_at BIGINT,
        callback_url TEXT,
        message_channel TEXT,
        message_ts TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
      )`,
      'CREATE INDEX bridge_approvals_pending ON bridge_approvals (state, expires_at)',
      `CREATE TABLE bridge_approval_votes (
        approval_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        vote TEXT NOT NULL,
        at BIGINT NOT NULL,
        PRIMARY KEY (approval_id, user_id)
      )`,
      // Idempotency-Key: the first answer, given again to a repeat (any replica).
      `CREATE TABLE api_answers (
        client TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER,
        body TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (client, idempotency_key)
      )`,
      'CREATE INDEX api_answers_by_expiry ON api_answers (expires_at)',
    ],
  },
  {
    version: 8,
    name: 'approvals nobody can decide (their prompt could not be posted) end as failed, with why',
    statements: [
      'ALTER TABLE pending_requests ADD COLUMN end_reason TEXT',
      'ALTER TABLE bridge_approvals ADD COLUMN end_reason TEXT',
    ],
  },
  {
    version: 9,
    name: 'a job names the confirmation or approval request it was started from',
    statements: [
      'ALTER TABLE jobs ADD COLUMN request_id TEXT',
      'CREATE UNIQUE INDEX jobs_by_request ON jobs (request_id)',
    ],
  },
];

const TABLE_EXISTS: Readonly<Record<Dialect, string>> = {
  sqlite: "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = $1",
  postgres: 'SELECT 1 AS found WHERE to_regclass($1) IS NOT NULL',
};

function statementsFor(migration: Migration, dialect: Dialect): string[] {
  return migration.statements.flatMap((statement) => {
    const text = typeof statement === 'string' ? statement : statement[dialect];
    return text === undefined ? [] : [text];
  });
}

/** Applies the migrations not yet applied; returns the versions it applied. */
export async function migrate(
  driver: SqlDriver,
  now: number,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return driver.transaction(async (tx) => {
    // Inside the lock: replicas creating it at the same moment would collide. Looked up first, since
    // CREATE … IF NOT EXISTS needs the right to create, which a bot's role without ownership lacks.
    const [found] = await tx.all(TABLE_EXISTS[driver.dialect], ['schema_migrations']);
    if (!found)
      await tx.run(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
    const rows = await tx.all('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => Number(row.version)));
    const newest = Math.max(0, ...done);
    const known = Math.max(0, ...migrations.map((m) => m.version));
    if (newest > known) {
      throw new Error(
        `the database has schema version ${newest}, newer than this cloudmaster knows (${known}); upgrade cloudmaster`,
      );
    }
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      for (const statement of statementsFor(migration, driver.dialect)) await tx.run(statement);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now,
      ]);
      applied.push(migration.version);
    }
    return applied;
  }, MIGRATION_LOCK);
}
