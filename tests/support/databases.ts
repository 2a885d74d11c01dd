/**
 * The store backends the tests run on: SQLite always, PostgreSQL when
 * CLOUDMASTER_TEST_DATABASE_URL names a server (`.ci/postgres.sh` starts
 * one). Under CI=true a missing server fails the suite instead of skipping.
 * Each opened store gets a database of its own: a temporary SQLite file, or
 * a fresh PostgreSQL schema dropped afterwards.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Redactor } from '../../src/log/redact.ts';
import { openStore, type Store, type StoreLocation } from '../../src/store/store.ts';

export const POSTGRES_URL = process.env.CLOUDMASTER_TEST_DATABASE_URL;
export const POSTGRES_MISSING = `PostgreSQL tests skipped: start a server with \`eval "$(.ci/postgres.sh)"\` (sets CLOUDMASTER_TEST_DATABASE_URL).`;

export interface TestDatabase {
  readonly name: 'sqlite' | 'postgres';
  /** False for PostgreSQL when no server is named: its suites are registered and counted as skipped. */
  readonly available: boolean;
  /** A new, empty database; `open` may be called on it several times (replicas, restarts). */
  create(): Promise<TestLocation>;
}

export interface TestLocation {
  readonly location: StoreLocation;
  /** The environment that selects it, for a bot or a CLI process. */
  readonly env: Record<string, string>;
  /** `redactor`: what the jobs and pending requests redact, and the configured secrets they refuse. */
  open(now?: number, redactor?: Redactor): Promise<Store>;
  drop(): Promise<void>;
}

const sqlite: TestDatabase = {
  name: 'sqlite',
  available: true,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'cloudmaster-store-'));
    const location: StoreLocation = { kind: 'sqlite', path: join(dir, 'cloudmaster.db') };
    return {
      location,
      env: { CLOUDMASTER_DATA_DIR: dir },
      open: (now = Date.now(), redactor?: Redactor) =>
        openStore(location, { now, ...(redactor ? { redactor } : {}) }),
      async drop() {},
    };
  },
};

function postgres(url: string): TestDatabase {
  return {
    name: 'postgres',
    available: true,
    async create() {
      const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const scoped = new URL(url);
      scoped.searchParams.set('options', `-c search_path=${schema}`);
      const location: StoreLocation = { kind: 'postgres', url: scoped.toString() };
      return {
        location,
        env: { DATABASE_URL: scoped.toString() },
        open: (now = Date.now(), redactor?: Redactor) =>
          openStore(location, { now, ...(redactor ? { redactor } : {}) }),
        async drop() {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  };
}

const postgresMissing: TestDatabase = {
  name: 'postgres',
  available: false,
  create() {
    return Promise.reject(new Error(POSTGRES_MISSING));
  },
};

/** The backends to run a suite on; fails under CI=true when PostgreSQL is not there. */
export function testDatabases(): TestDatabase[] {
  if (POSTGRES_URL) return [sqlite, postgres(POSTGRES_URL)];
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true but CLOUDMASTER_TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL with .ci/postgres.sh',
    );
  }
  console.warn(POSTGRES_MISSING);
  return [sqlite, postgresMissing];
}
