/**
 * Whether the store can do its work, checked once at start after the
 * migrations: every table the bot uses answers with the columns it reads,
 * and the driver runs the statement forms the store relies on (RETURNING).
 * A store that fails here stops the bot at start, rather than let a change
 * run that could then not be recorded.
 */
import { AUDIT_COLUMNS } from './audit-log.ts';
import { JOB_COLUMNS } from './jobs.ts';
import type { SqlDriver } from './sql.ts';

const PROBES: readonly (readonly [what: string, sql: string])[] = [
  ['the audit log', `SELECT ${AUDIT_COLUMNS.join(', ')} FROM audit WHERE 1 = 0`],
  ['the audit retention', 'SELECT cutoff FROM audit_retention WHERE 1 = 0'],
  ['pending requests', 'SELECT * FROM pending_requests WHERE 1 = 0'],
  ['idempotency keys', 'SELECT * FROM idempotency_keys WHERE 1 = 0'],
  ['jobs', `SELECT ${JOB_COLUMNS} FROM jobs WHERE 1 = 0`],
  ['job steps', 'SELECT * FROM job_steps WHERE 1 = 0'],
  ['the outage watch', 'SELECT * FROM watch_sources WHERE 1 = 0'],
  ['the outage watch', 'SELECT * FROM watch_health WHERE 1 = 0'],
  ['the outage watch', 'SELECT * FROM watch_incidents WHERE 1 = 0'],
  ['the outage watch', 'SELECT * FROM watch_tickets WHERE 1 = 0'],
  ['the bot’s flags', 'SELECT * FROM bot_flags WHERE 1 = 0'],
  ['the outbox', 'SELECT * FROM outbox_events WHERE 1 = 0'],
  ['the outbox', 'SELECT * FROM webhook_deliveries WHERE 1 = 0'],
  ['the bridge', 'SELECT * FROM bridge_messages WHERE 1 = 0'],
  ['the bridge', 'SELECT * FROM bridge_threads WHERE 1 = 0'],
  ['the bridge', 'SELECT * FROM bridge_approvals WHERE 1 = 0'],
  ['the bridge', 'SELECT * FROM bridge_approval_votes WHERE 1 = 0'],
  ['the bridge', 'SELECT * FROM api_answers WHERE 1 = 0'],
  ['a job’s lease', 'UPDATE jobs SET lease_until = lease_until WHERE 1 = 0 RETURNING cancel_requested_by'],
];

/** Throws, naming what cannot be used and the database's words, at the first probe that fails. */
export async function checkStore(sql: SqlDriver): Promise<void> {
  for (const [what, probe] of PROBES) {
    try {
      await sql.all(probe);
    } catch (error) {
      throw new Error(`${what} cannot be used (${error instanceof Error ? error.message : String(error)})`);
    }
  }
}
