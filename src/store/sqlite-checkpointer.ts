/**
 * WAL checkpoints for a long-running process, on a thread of their own. A
 * checkpoint copies the WAL back into the database file and syncs both:
 * milliseconds to hundreds of them on a slow disk. Run by SQLite's own
 * auto-checkpoint, it happens inside whichever write crosses 1,000 pages,
 * on the bot's event loop — a command's delivery claim, say — and every ack
 * waits behind it. Here a worker thread with its own connection checkpoints
 * every 250 ms instead (PASSIVE: it never waits for, nor blocks, a writer),
 * and the bot's connection never checkpoints while the worker runs.
 */
import { Worker } from 'node:worker_threads';

/** Often enough that the WAL stays small (a few MB at a thousand commands a second). */
export const CHECKPOINT_INTERVAL_MS = 250;

const WORKER_SOURCE = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const db = new DatabaseSync(workerData.path);
db.exec('PRAGMA busy_timeout = 0');
const checkpoint = () => {
  // Busy (another process checkpointing, say) is fine: the next tick tries again.
  try { db.exec('PRAGMA wal_checkpoint(PASSIVE)'); } catch {}
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker after a last checkpoint, and closes its connection. */
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `path` on a worker thread. `onFailure` is told if the
 * worker dies (the caller turns SQLite's auto-checkpoint back on).
 */
export function startCheckpointer(
  path: string,
  onFailure: (error: Error) => void,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, intervalMs } });
  // It never keeps the process alive on its own.
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.once('error', (error) => {
    if (!stopping) onFailure(error);
  });
  return {
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const patience = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(patience);
    },
  };
}
