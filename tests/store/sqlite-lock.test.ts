/**
 * The SQLite store while another process (the CLI, say) holds the write
 * lock: it waits without blocking this process — timers and sockets go on —
 * then does its work once; past its patience it fails with a clear error
 * and writes nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.ts';
import type { SqlDriver } from '../../src/store/sql.ts';
import { openSqlite } from '../../src/store/sqlite-driver.ts';
import { DATABASE_FILE, openStore, type Store } from '../../src/store/store.ts';
import { holdWriteLock } from '../support/sqlite-lock.ts';

/** Lets the event loop turn `times` times (timers included): impossible while the thread is blocked. */
async function turns(times: number): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return () => done;
}

describe('the SQLite store under another process’s write lock', () => {
  const closing: (Store | SqlDriver)[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((opened) => opened.close()));
  });

  async function open(): Promise<{ store: Store; path: string }> {
    const path = join(mkdtempSync(join(tmpdir(), 'cloudmaster-locked-')), DATABASE_FILE);
    const store = await openStore({ kind: 'sqlite', path }, { now: Date.now() });
    closing.push(store);
    return { store, path };
  }

  it('waits for the lock without blocking the event loop, then claims a key exactly once', async () => {
    const { store, path } = await open();
    const lock = await holdWriteLock(path, 3_000);
    const claim = store.keys.claim('slash:T1', 'bot', Date.now(), 60_000);
    const done = settled(claim);
    await turns(10);
    expect(done()).toBe(false);
    // Still held: the holder was asked to let go before its own 3 s ran out.
    expect(await lock.release()).toBe('request');
    expect(await claim).toBe(true);
    expect(await store.keys.claim('slash:T1', 'bot', Date.now(), 60_000)).toBe(false);
  });

  it('waits at BEGIN for a transaction, and commits it once the lock is released', async () => {
    const { store, path } = await open();
    const lock = await holdWriteLock(path, 3_000);
    let ran = 0;
    const transaction = store.sql.transaction(async (tx) => {
      ran += 1;
      return tx.run(
        'INSERT INTO idempotency_keys (key, owner, claimed_at, expires_at) VALUES ($1, $2, 0, 1)',
        ['tx:1', 'bot'],
      );
    });
    const done = settled(transaction);
    await turns(10);
    expect(done()).toBe(false);
    expect(ran).toBe(0);
    expect(await lock.release()).toBe('request');
    expect(await transaction).toBe(1);
    expect(ran).toBe(1);
  });

  it('gives up after its patience with a clear error, having written nothing', async () => {
    const { path } = await open();
    const driver = openSqlite(path, { lockPatienceMs: 300 });
    closing.push(driver);
    const lock = await holdWriteLock(path, 3_000);
    const insert =
      "INSERT INTO idempotency_keys (key, owner, claimed_at, expires_at) VALUES ('k', 'bot', 0, 1)";
    const started = performance.now();
    const failure = await driver.run(insert).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      code: ErrorCode.StoreBusy,
      message: expect.stringMatching(/^The store is locked by another process/),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    const transaction = await driver.transaction(async () => 'ran').catch((error: unknown) => error);
    expect(transaction).toMatchObject({ code: ErrorCode.StoreBusy });
    expect(await lock.release()).toBe('request');
    expect(await driver.all("SELECT key FROM idempotency_keys WHERE key = 'k'")).toEqual([]);
    expect(await driver.run(insert)).toBe(1);
  });
});
