/** The shared backend: PostgreSQL through `pg`, which several replicas of the bot use together. */
import pg from 'pg';
import type { Row, SqlDriver, SqlRunner, SqlValue } from './sql.ts';

export interface PostgresOptions {
  readonly url: string;
  /** Connections kept open (default 5). */
  readonly max?: number;
  /** Called for errors of idle connections, which would otherwise crash the process. */
  readonly onIdleError?: (error: Error) => void;
}

function runner(client: pg.Pool | pg.PoolClient): SqlRunner {
  return {
    async all(sql, params: readonly SqlValue[] = []) {
      return (await client.query(sql, params as unknown[])).rows as Row[];
    },
    async run(sql, params: readonly SqlValue[] = []) {
      return (await client.query(sql, params as unknown[])).rowCount ?? 0;
    },
  };
}

export async function openPostgres(options: PostgresOptions): Promise<SqlDriver> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 5,
    connectionTimeoutMillis: 10_000,
    application_name: 'cloudmaster',
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  // Fail at start-up, not at the first click, when the database cannot be reached.
  const probe = await pool.connect();
  probe.release();
  const direct = runner(pool);
  return {
    dialect: 'postgres',
    all: direct.all,
    run: direct.run,
    async transaction(work, lock) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (lock !== undefined) await client.query('SELECT pg_advisory_xact_lock($1)', [lock]);
        const result = await work(runner(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}
