/**
 * The store: the bot's durable state (audit log, pending requests,
 * idempotency keys, jobs, tracked outages, flags) behind one interface,
 * on embedded SQLite by default or PostgreSQL when DATABASE_URL says so.
 */
import { join } from 'node:path';
import { CloudmasterError, ErrorCode } from '../errors.ts';
import type { Redactor } from '../log/redact.ts';
import { ApiAnswers } from './api-answers.ts';
import { AuditLog } from './audit-log.ts';
import { BotFlags } from './bot-flags.ts';
import { BridgeApprovals } from './bridge-approvals.ts';
import { BridgeMessages } from './bridge-messages.ts';
import { checkStore } from './check.ts';
import { IdempotencyKeys } from './idempotency.ts';
import { JobStore } from './jobs.ts';
import { migrate } from './migrations.ts';
import { Outbox, type OutboxRoute } from './outbox.ts';
import { PendingRequests } from './pending-requests.ts';
import type { Dialect, SqlDriver } from './sql.ts';
import { openSqlite } from './sqlite-driver.ts';
import { WatchIncidents } from './watch-incidents.ts';
import { WatchSources } from './watch-sources.ts';
import { WatchTickets } from './watch-tickets.ts';

export interface Store {
  readonly dialect: Dialect;
  /** Where it lives, for logs and `health`: a file path, or the database URL without its password. */
  readonly location: string;
  readonly audit: AuditLog;
  readonly pending: PendingRequests;
  readonly keys: IdempotencyKeys;
  readonly jobs: JobStore;
  /** The outage watch: snapshots per source, incidents and their notices, tickets. */
  readonly watch: {
    readonly sources: WatchSources;
    readonly incidents: WatchIncidents;
    readonly tickets: WatchTickets;
  };
  /** Events for webhooks, written with the changes they report. */
  readonly outbox: Outbox;
  /** The HTTP bridge: clients' messages and approvals, and answers kept for Idempotency-Key. */
  readonly bridge: {
    readonly messages: BridgeMessages;
    readonly approvals: BridgeApprovals;
    readonly answers: ApiAnswers;
  };
  /** Switches every replica reads alike (test mode). */
  readonly flags: BotFlags;
  /** The SQL underneath, for modules that keep their own tables. */
  readonly sql: SqlDriver;
  /** A cheap query, for `health`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

export const DEFAULT_DATA_DIR = 'data';
export const DATABASE_FILE = 'cloudmaster.db';

/** DATABASE_URL (postgres://) wins; else the SQLite file in CLOUDMASTER_DATA_DIR (default ./data). */
export function storeLocation(env: Readonly<Record<string, string | undefined>>): StoreLocation {
  const url = env.DATABASE_URL?.trim();
  if (url) {
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new CloudmasterError(
        ErrorCode.ConfigInvalid,
        'DATABASE_URL must be a postgres:// URL (leave it unset for the embedded SQLite database).',
      );
    }
    return { kind: 'postgres', url };
  }
  const dir = env.CLOUDMASTER_DATA_DIR?.trim() || DEFAULT_DATA_DIR;
  return { kind: 'sqlite', path: join(dir, DATABASE_FILE) };
}

/** A database URL fit to be shown: no password. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** The password in a database URL, so the redactor can hide it wherever it turns up. */
export function urlSecrets(location: StoreLocation): string[] {
  if (location.kind !== 'postgres') return [];
  try {
    const password = decodeURIComponent(new URL(location.url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}

export interface OpenStoreOptions {
  readonly now: number;
  /** Redacts what the jobs and pending requests keep, and knows the secrets they must not. */
  readonly redactor?: Redactor;
  readonly onIdleError?: (error: Error) => void;
  /** SQLite: checkpoint on a worker thread, off the event loop (a long-running bot). */
  readonly backgroundCheckpoints?: boolean;
  /** The webhooks (`bridge.webhooks`): which events the outbox keeps, for whom. */
  readonly webhooks?: readonly OutboxRoute[];
}

/** Opens (creating a SQLite file on first start) and migrates. Errors say where and what. */
export async function openStore(location: StoreLocation, options: OpenStoreOptions): Promise<Store> {
  const shown = location.kind === 'sqlite' ? location.path : displayUrl(location.url);
  let sql: SqlDriver;
  try {
    sql =
      location.kind === 'sqlite'
        ? openSqlite(location.path, { backgroundCheckpoints: options.backgroundCheckpoints ?? false })
        : // Loaded only for PostgreSQL: a bot on SQLite never holds the driver in memory.
          await (await import('./postgres-driver.ts')).openPostgres({
            url: location.url,
            ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
          });
  } catch (error) {
    throw new CloudmasterError(
      ErrorCode.ConfigInvalid,
      `The store at ${shown} cannot be opened: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    await migrate(sql, options.now);
    await checkStore(sql);
  } catch (error) {
    await sql.close().catch(() => undefined);
    throw new CloudmasterError(
      ErrorCode.ConfigInvalid,
      `The store at ${shown} cannot be prepared: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const outbox = new Outbox(sql, options.webhooks);
  return {
    dialect: sql.dialect,
    location: shown,
    audit: new AuditLog(sql, outbox),
    pending: new PendingRequests(sql, options.redactor),
    keys: new IdempotencyKeys(sql, outbox),
    jobs: new JobStore(sql, options.redactor, outbox),
    outbox,
    bridge: {
      messages: new BridgeMessages(sql),
      approvals: new BridgeApprovals(sql, outbox),
      answers: new ApiAnswers(sql),
    },
    watch: {
      sources: new WatchSources(sql),
      incidents: new WatchIncidents(sql),
      tickets: new WatchTickets(sql),
    },
    flags: new BotFlags(sql),
    sql,
    async ping() {
      await sql.all('SELECT 1 AS ok');
    },
    close: () => sql.close(),
  };
}
