/**
 * How long a process's event loop was held: a timer every few ms notes how
 * late it fires (a late tick is time nothing else could run: a synchronous
 * call, a GC pause, or the process waiting for a core), and GC pauses are
 * counted apart. The bench watches its own loop and, through
 * bot-probe.ts, the bot's, to tell whose stall a slow answer waited for.
 */
import { PerformanceObserver } from 'node:perf_hooks';

const TICK_MS = 2;
/** A tick this much later than due counts as a stall. */
const STALL_MS = 5;

export interface Stall {
  /** Wall clock (ms since the epoch) of its start, and its length in ms. */
  readonly at: number;
  readonly ms: number;
  /** Its start on the monotonic clock in µs (as --cpu-prof's timestamps): to find its samples. */
  readonly monoUs: number;
}

/** A garbage collection: when (wall clock), how long, and of which kind (perf_hooks' constants: 1 minor, 4 major, 8 incremental, 16 weak callbacks). */
export interface GcPause {
  readonly at: number;
  readonly ms: number;
  readonly kind: number;
}

export interface LoopReport {
  readonly stalls: Stall[];
  readonly gcPauses: GcPause[];
}

export function watchLoop(): { report(): LoopReport; stop(): void } {
  const stalls: Stall[] = [];
  const gcPauses: GcPause[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - TICK_MS;
    if (late >= STALL_MS)
      stalls.push({
        at: performance.timeOrigin + last + TICK_MS,
        ms: late,
        monoUs: Number(process.hrtime.bigint() / 1000n) - late * 1000,
      });
    last = now;
  }, TICK_MS);
  timer.unref();
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      gcPauses.push({
        at: performance.timeOrigin + entry.startTime,
        ms: entry.duration,
        kind: (entry as { detail?: { kind?: number } }).detail?.kind ?? 0,
      });
  });
  gc.observe({ entryTypes: ['gc'] });
  return {
    report: () => ({ stalls: [...stalls], gcPauses: [...gcPauses] }),
    stop() {
      clearInterval(timer);
      gc.disconnect();
    },
  };
}
