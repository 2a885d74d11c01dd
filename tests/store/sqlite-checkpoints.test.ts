/**
 * The bot's SQLite connection never checkpoints the WAL inside a write (a
 * checkpoint syncs the disk, and the event loop — every ack — would wait
 * for it): a worker thread does, so the WAL still stays bounded. The CLI,
 * short-lived, leaves checkpoints to SQLite.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SqlDriver } from '../../src/store/sql.ts';
import { openSqlite } from '../../src/store/sqlite-driver.ts';

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'cloudmaster-wal-')), 'cloudmaster.db');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The WAL header's salts: SQLite draws new ones each time a writer starts the WAL over. */
function walSalts(path: string): string {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const salts = Buffer.alloc(8);
    readSync(fd, salts, 0, 8, 16);
    return salts.toString('hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a row now and then until a write starts the WAL over, which it may
 * only once a checkpoint has copied all of it back: the worker's doing, as
 * this connection never checkpoints. Waits on the worker, not on a clock.
 */
async function untilWalStartsOver(driver: SqlDriver, path: string): Promise<void> {
  const before = walSalts(path);
  const deadline = Date.now() + 20_000;
  for (let i = 0; walSalts(path) === before; i++) {
    if (Date.now() > deadline) throw new Error('the WAL was never checkpointed and started over');
    await sleep(100);
    await driver.run('INSERT INTO filler (id, body) VALUES ($1, $2)', [`tick-${before}-${i}`, 'x']);
  }
}

/** 2,000 rows of 2 KB: about 1,000 pages of WAL, where SQLite's own auto-checkpoint would start. */
async function writeBatch(driver: SqlDriver, batch: number): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    await driver.run('INSERT INTO filler (id, body) VALUES ($1, $2)', [`${batch}-${i}`, 'x'.repeat(2_048)]);
  }
}

describe('WAL checkpoints of the SQLite store', () => {
  const closing: SqlDriver[] = [];
  afterEach(async () => {
    await Promise.all(closing.splice(0).map((driver) => driver.close()));
  });

  it('the bot’s connection does not checkpoint on its own thread; a worker keeps the WAL bounded', async () => {
    const path = freshPath();
    const driver = openSqlite(path, { backgroundCheckpoints: true });
    closing.push(driver);
    expect(await driver.all('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 0 }]);
    await driver.run('CREATE TABLE filler (id TEXT PRIMARY KEY, body TEXT)');
    await writeBatch(driver, 0);
    const oneBatch = statSync(`${path}-wal`).size;
    // With no checkpoint at all the WAL would hold every batch; checkpointed, writes start it over.
    for (let batch = 1; batch <= 3; batch++) {
      await untilWalStartsOver(driver, path);
      await writeBatch(driver, batch);
    }
    expect(statSync(`${path}-wal`).size).toBeLessThan(2 * oneBatch);
    expect(await driver.all("SELECT COUNT(*) AS n FROM filler WHERE id NOT LIKE 'tick-%'")).toEqual([
      { n: 8_000 },
    ]);
  });

  it('closing stops the worker and the connection: the WAL is folded in and removed', async () => {
    const path = freshPath();
    const driver = openSqlite(path, { backgroundCheckpoints: true });
    await driver.run('CREATE TABLE filler (id TEXT PRIMARY KEY, body TEXT)');
    await writeBatch(driver, 0);
    await driver.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openSqlite(path);
    closing.push(reopened);
    expect(await reopened.all('SELECT COUNT(*) AS n FROM filler')).toEqual([{ n: 2_000 }]);
  });

  it('a short-lived process (the CLI) keeps SQLite’s own auto-checkpoint', async () => {
    const driver = openSqlite(freshPath());
    closing.push(driver);
    expect(await driver.all('PRAGMA wal_autocheckpoint')).toEqual([{ wal_autocheckpoint: 1_000 }]);
  });
});
