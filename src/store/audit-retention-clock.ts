/**
 * Audit retention bounded by the database's own clock: the cutoff is never
 * later than that clock less the retention (a replica whose clock runs ahead
 * cannot move it further), and the database refuses a cutoff past its clock minus the minimum retention, or
 * a delete of a record younger than that, whoever asks — raw SQL included.
 */

import type { Migration } from './migrations.ts';
import type { Dialect } from './sql.ts';

/** The shortest retention there is (1 day), as the config and the triggers both hold it. */
export const MIN_RETENTION_MS = 86_400_000;

/** The database's clock in milliseconds since the epoch, as an SQL expression. */
export const DATABASE_NOW_MS: Readonly<Record<Dialect, string>> = {
  sqlite: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
  postgres: '(extract(epoch FROM now()) * 1000)::bigint',
};

const LATEST = (dialect: Dialect): string => `(${DATABASE_NOW_MS[dialect]} - ${MIN_RETENTION_MS})`;
const CUTOFF_MESSAGE =
  'the audit retention cutoff only moves forward, and never past the database clock minus one day';
const AUDIT_GUARD_MESSAGE = 'audit records are append-only; only retention removes old ones';

export const AUDIT_RETENTION_CLOCK_MIGRATION: Migration = {
  version: 5,
  name: 'audit retention bounded by the database clock',
  statements: [
    {
      sqlite: `CREATE TRIGGER audit_cutoff_before_clock BEFORE UPDATE ON audit_retention
        WHEN NEW.cutoff > ${LATEST('sqlite')}
        BEGIN SELECT RAISE(ABORT, '${CUTOFF_MESSAGE}'); END`,
      // Replaces the function version 1 made: the same rules, and the clock's bound.
      postgres: `CREATE OR REPLACE FUNCTION cloudmaster_cutoff_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' THEN
            IF NEW.cutoff >= OLD.cutoff AND NEW.cutoff <= ${LATEST('postgres')} THEN RETURN NEW; END IF;
          END IF;
          RAISE EXCEPTION '${CUTOFF_MESSAGE}';
        END $$`,
    },
    {
      // INSERT OR REPLACE would swap the row without an UPDATE: no insert after the first.
      sqlite: `CREATE TRIGGER audit_cutoff_not_replaced BEFORE INSERT ON audit_retention
        BEGIN SELECT RAISE(ABORT, '${CUTOFF_MESSAGE}'); END`,
      postgres: `CREATE TRIGGER audit_cutoff_not_inserted BEFORE INSERT ON audit_retention
        FOR EACH ROW EXECUTE FUNCTION cloudmaster_cutoff_guard()`,
    },
    {
      // A cutoff set ahead before this version still cannot remove the last day.
      sqlite: `CREATE TRIGGER audit_recent_kept BEFORE DELETE ON audit
        WHEN OLD.requested_at >= ${LATEST('sqlite')}
        BEGIN SELECT RAISE(ABORT, '${AUDIT_GUARD_MESSAGE}'); END`,
      postgres: `CREATE TRIGGER audit_cutoff_not_truncated BEFORE TRUNCATE ON audit_retention
        FOR EACH STATEMENT EXECUTE FUNCTION cloudmaster_cutoff_guard()`,
    },
    {
      postgres: `CREATE OR REPLACE FUNCTION cloudmaster_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.requested_at < (SELECT cutoff FROM audit_retention WHERE id = 1)
              AND OLD.requested_at < ${LATEST('postgres')} THEN
              RETURN OLD;
            END IF;
          END IF;
          RAISE EXCEPTION '${AUDIT_GUARD_MESSAGE}';
        END $$`,
    },
  ],
};
