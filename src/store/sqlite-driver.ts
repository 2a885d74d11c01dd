/**
 * The embedded backend: Node's own `node:sqlite` (no native build to
 * compile). Its calls are synchronous, so statements go through one queue:
 * a transaction holds the process's one connection, and other statements
 * wait behind it rather than slip inside.
 *
 * Another process (the CLI) may hold the write lock. SQLite's busy_timeout
 * would wait for it inside the synchronous call — blocking the whole event
 * loop: every Socket Mode ack, ping and timer. So busy_timeout is 0 and a
 * locked database is retried here, on timers, for the same patience (5 s),
 * then refused with a clear error. Retrying is safe because SQLITE_BUSY
 * only surfaces where nothing was done yet: a single statement (its own
 * transaction, rolled back whole), BEGIN IMMEDIATE (which takes the write
 * lock up front, so the statements inside a transaction cannot meet it),
 * or COMMIT in rollback-journal mode (which SQLite lets one retry). This
 * rather than a worker thread: statements stay microsecond calls, with no
 * message per statement and no thread to manage at shutdown.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Row, SqlDriver, SqlRunner, SqlValue } from './sql.ts';
import { type Checkpointer, startCheckpointer } from './sqlite-checkpointer.ts';

export interface SqliteOptions {
  /** How long a statement waits for another process's lock before it is refused (default 5 s). */
  readonly lockPatienceMs?: number;
  /**
   * Checkpoint the WAL on a worker thread rather than inside writes (the
   * bot: sqlite-checkpointer.ts). Short-lived processes (the CLI) leave
   * it to SQLite.
   */
  readonly backgroundCheckpoints?: boolean;
}

/** SQLite's own default: a write that grows the WAL past this many pages checkpoints it. */
const AUTO_CHECKPOINT_PAGES = 1_000;

const LOCK_PATIENCE_MS = 5_000;
/** The wait between tries doubles from the first to the longest: a released lock is noticed within 50 ms. */
const FIRST_RETRY_MS = 2;
const LONGEST_RETRY_MS = 50;
const SQLITE_BUSY = 5;

/** `$1` → `?1`: SQLite's numbered parameters bind the same positions. */
function sqliteText(sql: string): string {
  return sql.replace(/\$(\d+)/g, '?$1');
}

/** SQLITE_BUSY or one of its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, …). */
function isBusy(error: unknown): boolean {
  const code = (error as { errcode?: unknown } | undefined)?.errcode;
  return typeof code === 'number' && (code & 0xff) === SQLITE_BUSY;
}

/** Runs `attempt` until the database is not locked by another process, waiting on timers, not the thread. */
async function whenUnlocked<T>(attempt: () => T, patienceMs: number): Promise<T> {
  const deadline = performance.now() + patienceMs;
  let wait = FIRST_RETRY_MS;
  for (;;) {
    try {
      return attempt();
    } catch (error) {
      if (!isBusy(error)) throw error;
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new CloudmasterError(
          ErrorCode.StoreBusy,
          `The store is locked by another process and stayed locked for ${patienceMs / 1000} s; nothing was written.`,
          {
            hint: 'Another cloudmaster process (the CLI, say) is writing to the same database file; try again in a moment.',
            cause: error,
          },
        );
      }
      await sleep(Math.min(wait, left));
      wait = Math.min(wait * 2, LONGEST_RETRY_MS);
    }
  }
}

export function openSqlite(path: string, options: SqliteOptions = {}): SqlDriver {
  const patienceMs = options.lockPatienceMs ?? LOCK_PATIENCE_MS;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path);
  // WAL lets a second process (the CLI) read while the bot writes.
  // synchronous=NORMAL is WAL's usual pairing: commits survive the process dying; only a crash of the
  // machine itself may lose the last ones — without an fsync on every command's delivery claim.
  // busy_timeout 0: a lock is waited for above, without blocking the thread (see the top of this file).
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 0; PRAGMA foreign_keys = ON;',
  );
  let checkpointer: Checkpointer | undefined;
  if (options.backgroundCheckpoints && path !== ':memory:') {
    db.exec('PRAGMA wal_autocheckpoint = 0');
    // Should the worker die, SQLite checkpoints inside writes again: slower, never unbounded.
    checkpointer = startCheckpointer(path, () => {
      if (db.isOpen) db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
    });
  }
  const statements = new Map<string, ReturnType<DatabaseSync['prepare']>>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sqliteText(sql));
      statements.set(sql, statement);
    }
    return statement;
  };
  const all = (sql: string, params: readonly SqlValue[] = []): Row[] =>
    prepare(sql).all(...(params as SQLInputValue[])) as Row[];
  const run = (sql: string, params: readonly SqlValue[] = []): number =>
    Number(prepare(sql).run(...(params as SQLInputValue[])).changes);
  // Inside a transaction the write lock is already held: no waiting there.
  const inTransaction: SqlRunner = {
    all: async (sql, params) => all(sql, params),
    run: async (sql, params) => run(sql, params),
  };
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    dialect: 'sqlite',
    all: (sql, params) => serial(() => whenUnlocked(() => all(sql, params), patienceMs)),
    run: (sql, params) => serial(() => whenUnlocked(() => run(sql, params), patienceMs)),
    transaction: (work) =>
      serial(async () => {
        await whenUnlocked(() => db.exec('BEGIN IMMEDIATE'), patienceMs);
        try {
          const result = await work(inTransaction);
          await whenUnlocked(() => db.exec('COMMIT'), patienceMs);
          return result;
        } catch (error) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    async close() {
      await checkpointer?.stop();
      await serial(async () => db.close());
    },
  };
}
