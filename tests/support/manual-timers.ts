/** Timers whose time passes only when a test says so; due callbacks run in order. */
import type { Timers } from '../../src/timers.ts';

interface Pending {
  readonly id: number;
  readonly at: number;
  readonly callback: () => void;
}

export class ManualTimers implements Timers {
  private current: number;
  private nextId = 1;
  private queue: Pending[] = [];

  constructor(start = Date.parse('2025-03-18T14:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.queue.push({ id, at: this.current + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((pending) => pending.id !== handle);
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.firstDue(target);
      if (!due) break;
      this.queue = this.queue.filter((pending) => pending !== due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }

  /**
   * Moves time forward by `ms` one due timer at a time, letting the work each
   * one starts finish (`settle`) before time moves on — polls that answer
   * promptly, as opposed to `advance`, where all the time passes at once.
   */
  async advanceSettling(ms: number, settle: () => Promise<void>): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const due = this.firstDue(target);
      if (!due) break;
      this.advance(due.at - this.current);
      await settle();
    }
    this.current = target;
  }

  private firstDue(by: number): Pending | undefined {
    return this.queue.filter((pending) => pending.at <= by).sort((a, b) => a.at - b.at || a.id - b.id)[0];
  }

  /** How long until each pending timer fires, soonest first. */
  pendingDelays(): number[] {
    return this.queue.map((pending) => pending.at - this.current).sort((a, b) => a - b);
  }
}
