/**
 * Long polls (`GET …?wait=30s`): the answer is held until what the client
 * waits for happens or the wait ends. A change made in this process wakes
 * the poll at once (an event named by the id); one made on another replica
 * is seen by looking at the store again every half second.
 */
import type { EventEmitter } from 'node:events';
import { parseDuration } from '../config/duration.ts';
import { ApiProblem } from './problem.ts';

export const MAX_WAIT_MS = 60_000;
/** How often a long poll looks at the store for a change made on another replica. */
const POLL_MS = 500;

/** "30m", "45s", or a number of seconds. */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value * 1000 : undefined;
  return /^\d+$/.test(value) ? Number(value) * 1000 : parseDuration(value);
}

/** The `wait` query parameter in ms (0 without one); a 400 beyond 60 s or unreadable. */
export function waitParam(query: Readonly<Record<string, string | undefined>>): number {
  const waitMs = query.wait === undefined ? 0 : durationMs(query.wait);
  if (waitMs === undefined || waitMs < 0 || waitMs > MAX_WAIT_MS)
    throw new ApiProblem(400, 'invalid_request', 'wait takes a duration up to 60s, e.g. ?wait=30s.', {
      path: 'wait',
    });
  return waitMs;
}

/** `found` when it is the client's own, else the 404 that names it (another client's is not shown either). */
export function clientsOwn<T extends { readonly client: string }>(
  client: string,
  what: string,
  id: string,
  found: T | undefined,
): T {
  if (!found || found.client !== client)
    throw new ApiProblem(404, 'not_found', `The client ${client} has no ${what} ${id}.`);
  return found;
}

/**
 * Reads `id` until `done` says so, the wait ends or the caller goes away;
 * between reads it sleeps until `events` emits `id` (at most POLL_MS).
 */
export async function longPoll<T>(options: {
  readonly id: string;
  readonly read: () => Promise<T>;
  readonly done: (value: T) => boolean;
  readonly waitMs: number;
  readonly events: EventEmitter;
  readonly signal: AbortSignal;
  readonly now: () => number;
}): Promise<T> {
  const { id, read, done, events, signal, now } = options;
  let value = await read();
  const deadline = now() + options.waitMs;
  while (!done(value) && now() < deadline && !signal.aborted) {
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        events.off(id, wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.min(POLL_MS, deadline - now()));
      events.on(id, wake);
      signal.addEventListener('abort', wake);
    });
    value = await read();
  }
  return value;
}
