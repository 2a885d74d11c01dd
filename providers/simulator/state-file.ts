/**
 * The simulated cloud kept in a file, so that separate processes — one CLI
 * run after another, the CLI beside the bot — see the same machines:
 * `destroy worker-1` in one run is gone from `list` in the next. Read again
 * whenever another process has written it; written after every change
 * (whole, through a rename, so a reader never sees half a file).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { CloudSnapshot, SimulatedCloud } from './cloud.ts';

const FORMAT = 1;

interface StoredState {
  readonly format: number;
  readonly snapshot: CloudSnapshot;
}

export class CloudStateFile {
  private readonly path: string;
  /** What the file was when this process last read or wrote it. */
  private seen: string | undefined;
  private readonly log: Logger;
  private warned = false;

  constructor(path: string, log: Logger) {
    this.path = path;
    this.log = log;
  }

  /** Brings `cloud` up to the file when another process changed it (or first, when it exists). */
  refresh(cloud: SimulatedCloud): void {
    const stamp = this.stamp();
    if (stamp === undefined || stamp === this.seen) return;
    let stored: StoredState;
    try {
      stored = JSON.parse(readFileSync(this.path, 'utf8')) as StoredState;
    } catch {
      // Unreadable (a half-made file from an older format, hand edits): this process's cloud stands, and overwrites it.
      return;
    }
    if (stored.format !== FORMAT || stored.snapshot?.seed !== cloud.config.seed) return;
    cloud.restore(stored.snapshot);
    this.seen = stamp;
  }

  /**
   * Keeping the cloud is a convenience: a file that cannot be written leaves
   * the change made in this process, and says once that the next will not see it.
   */
  save(cloud: SimulatedCloud): void {
    const stored: StoredState = { format: FORMAT, snapshot: cloud.snapshot() };
    const temporary = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(temporary, JSON.stringify(stored));
      renameSync(temporary, this.path);
      this.seen = this.stamp();
    } catch (error) {
      rmSync(temporary, { force: true });
      if (this.warned) return;
      this.warned = true;
      this.log.warn(
        { err: error, file: this.path },
        'could not keep the simulated cloud in its file: the next process starts from the seed',
      );
    }
  }

  private stamp(): string | undefined {
    try {
      const stats = statSync(this.path);
      return `${stats.mtimeMs}:${stats.size}:${stats.ino}`;
    } catch {
      return undefined;
    }
  }
}
