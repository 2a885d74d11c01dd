/**
 * Holds the SQLite store's write lock from another process (as the CLI does
 * while it writes), for tests and benchmarks of what the bot does meanwhile.
 */
import { spawn } from 'node:child_process';

export type ReleasedBy = 'request' | 'timer';

export interface HeldLock {
  /** Settles when the holder has committed, asked to or at its time; `at` is `performance.now()` here. */
  readonly released: Promise<{ readonly by: ReleasedBy; readonly at: number }>;
  /** Asks the holder to commit: 'request' if it still held the lock when asked, 'timer' if it had let go. */
  release(): Promise<ReleasedBy>;
}

/** Resolves once another process holds `path`'s write lock; that process lets go by itself after `maxMs`. */
export async function holdWriteLock(path: string, maxMs: number): Promise<HeldLock> {
  const child = spawn(
    process.execPath,
    [new URL('./sqlite-lock-holder.ts', import.meta.url).pathname, path, String(maxMs)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let exited: number | null | undefined;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    notify();
  });
  // The holder closes its stdin once it has let go; a late "release" must not crash the caller.
  child.stdin.on('error', () => undefined);
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.once('close', (code) => {
    exited = code;
    notify();
  });
  const line = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(stdout);
        if (match) resolve(match);
        else if (exited !== undefined)
          reject(new Error(`the lock holder exited (${exited}) before "${pattern.source}": ${stderr}`));
        else return;
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  await line(/^locked$/m);
  const released = line(/^released by (request|timer)$/m).then((match) => ({
    by: match[1] as ReleasedBy,
    at: performance.now(),
  }));
  return {
    released,
    async release() {
      if (child.stdin.writable) child.stdin.write('release\n');
      return (await released).by;
    },
  };
}
