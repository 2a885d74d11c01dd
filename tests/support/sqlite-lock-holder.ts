/**
 * Another process writing to the SQLite store, as the CLI does, that keeps
 * its write transaction open: `node sqlite-lock-holder.ts FILE MAX_MS`.
 * Prints "locked" once it holds the write lock; commits when a line
 * "release" comes on stdin or after MAX_MS, whichever is first, and prints
 * "released by request" or "released by timer" — so whoever asked knows
 * whether the lock was still held when it asked.
 */
import { DatabaseSync } from 'node:sqlite';

const [path, maxMs] = process.argv.slice(2);
if (!path || !maxMs) throw new Error('usage: sqlite-lock-holder.ts FILE MAX_MS');

const db = new DatabaseSync(path);
// This process may wait for the lock: it serves nothing else.
db.exec('PRAGMA busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
db.prepare('INSERT INTO idempotency_keys (key, owner, claimed_at, expires_at) VALUES (?, ?, 0, 0)').run(
  `lock-holder:${process.pid}`,
  `pid:${process.pid}`,
);
process.stdout.write('locked\n');

let released = false;
function release(how: 'request' | 'timer'): void {
  if (released) return;
  released = true;
  db.exec('COMMIT');
  db.close();
  clearTimeout(timer);
  process.stdin.destroy();
  process.stdout.write(`released by ${how}\n`);
}
const timer = setTimeout(() => release('timer'), Number(maxMs));
process.stdin.on('data', (chunk: Buffer) => {
  if (chunk.toString().includes('release')) release('request');
});
