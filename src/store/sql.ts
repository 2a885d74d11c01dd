/**
 * The little SQL surface the store needs, so one set of queries serves both
 * backends. Queries use PostgreSQL's `$1` placeholders; the SQLite driver
 * rewrites them. Rows come back as plain objects with the column names.
 */

export type SqlValue = string | number | bigint | null;
export type Row = Readonly<Record<string, unknown>>;

export interface SqlRunner {
  /** Rows the statement returns (SELECT, or anything with RETURNING). */
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Rows changed (INSERT, UPDATE, DELETE without RETURNING). */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export type Dialect = 'sqlite' | 'postgres';

export interface SqlDriver extends SqlRunner {
  readonly dialect: Dialect;
  /**
   * Runs `work` in one transaction that no other writer interleaves with —
   * on PostgreSQL also across processes, under an advisory lock when `lock` is given.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>, lock?: number): Promise<T>;
  close(): Promise<void>;
}

/** BIGINT columns arrive from pg as strings; numbers from SQLite. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || typeof value === 'string') return Number(value);
  throw new TypeError(`expected a number, got ${typeof value}`);
}

export function toOptionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toNumber(value);
}

export function toOptionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
