/**
 * The embedded backend: Node's own `node:sqlite` (no native build to
 * compile). Its calls are synchronous, so a transaction holds the process's
 * one connection: other statements wait behind it rather than slip inside.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Row, SqlDriver, SqlRunner, SqlValue } from './sql.ts';

/** `$1` → `?1`: SQLite's numbered parameters bind the same positions. */
function sqliteText(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

export function openSqlite(path: string): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL lets a second process (the CLI) read while the bot writes; the timeout waits out its locks.
  // synchronous=NORMAL is WAL's usual pairing: commits survive the process dying; only a crash of the
  // machine itself may lose the last ones — without an fsync on every command's delivery claim.
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;',
  );
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sqliteText(sql));
      statements.set(sql, statement);
    }
    return statement;
  };
  const direct: SqlRunner = {
    async all(sql, params: readonly SqlValue[] = []) {
      return prepare(sql).all(...(params as SQLInputValue[])) as Row[];
    },
    async run(sql, params: readonly SqlValue[] = []) {
      return Number(prepare(sql).run(...(params as SQLInputValue[])).changes);
    },
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    dialect: 'sqlite',
    all: (sql, params) => serial(() => direct.all(sql, params)),
    run: (sql, params) => serial(() => direct.run(sql, params)),
    transaction: (work) =>
      serial(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(direct);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          db.exec('ROLLBACK');
          throw error;
        }
      }),
    async close() {
      await serial(async () => db.close());
    },
  };
}
