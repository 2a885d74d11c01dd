import { z } from 'zod';
import { MIN_RETENTION_MS } from '../store/audit-retention-clock.ts';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d{1,15}(?:\.\d{1,15})?)\s*(ms|s|m|h|d)$/;
const DAY_MS = UNIT_MS.d;

/** The longest delay a Node timer holds; a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** "500ms", "10s", "2m", "1h", "7d" → milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
}

/** "10 s", "250 ms", "1 min 12 s", "1 h 12 min" — how replies state durations. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds} s`;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

const NOT_A_DURATION = (value: string): string =>
  `"${value}" is not a duration (write e.g. 500ms, 10s, 2m, 1h, 30d)`;

/**
 * A length of time compared with timestamps, never handed to a timer: a
 * number of milliseconds or a string such as "2d".
 */
export const ageSchema = z.union([z.number().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: NOT_A_DURATION(value) });
    return z.NEVER;
  }
  return ms;
});

/**
 * A config duration that becomes a timer's delay (a deadline, an interval):
 * a number of milliseconds or a string such as "10s", at most what a Node
 * timer holds (24.8 days), since a longer one would fire at once.
 */
export const durationSchema = ageSchema.superRefine((ms, ctx) => {
  if (ms <= MAX_TIMER_MS) return;
  const asWritten = ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${ms} ms`;
  ctx.addIssue({
    code: 'custom',
    message: `${asWritten} is longer than a timer can hold (at most ${Math.floor(MAX_TIMER_MS / DAY_MS)}d)`,
  });
});

/**
 * How long audit records are kept: a string with its unit, at least a day.
 * A bare number is refused: `365` read as milliseconds once removed almost
 * the whole log.
 */
export const auditRetentionSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    ctx.addIssue({
      code: 'custom',
      message: `${value} has no unit: write the retention with one, e.g. ${value}d`,
    });
    return z.NEVER;
  }
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: NOT_A_DURATION(value) });
    return z.NEVER;
  }
  if (ms < MIN_RETENTION_MS) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is shorter than the minimum retention of 1d` });
    return z.NEVER;
  }
  return ms;
});
