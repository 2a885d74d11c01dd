/**
 * How each status source is doing as a source (not the platform it reports
 * on): healthy while its polls succeed, unhealthy after failures, with the
 * last reason and latency — what `/cloudmaster health` shows.
 */
import type { SourceReading } from './source.ts';

export type HealthState = 'unknown' | 'healthy' | 'unhealthy';

export interface SourceHealth {
  readonly source: string;
  /** `unknown` until the first poll ends. */
  readonly state: HealthState;
  /** When the current state began. */
  readonly since?: string;
  readonly lastPollAt?: string;
  readonly lastSuccessAt?: string;
  /** The reason of the last failed poll, one line. */
  readonly lastError?: string;
  readonly lastErrorAt?: string;
  /** How long the last poll took. */
  readonly latencyMs?: number;
  readonly consecutiveFailures: number;
}

export function initialHealth(source: string): SourceHealth {
  return { source, state: 'unknown', consecutiveFailures: 0 };
}

/** The health after one more poll; `failuresToUnhealthy` failures in a row make a source unhealthy. */
export function nextHealth(
  health: SourceHealth,
  reading: SourceReading,
  failuresToUnhealthy = 1,
): SourceHealth {
  const polled = { ...health, lastPollAt: reading.at, latencyMs: reading.latencyMs };
  if (reading.ok) {
    return {
      ...polled,
      state: 'healthy',
      since: health.state === 'healthy' ? health.since : reading.at,
      lastSuccessAt: reading.at,
      consecutiveFailures: 0,
    };
  }
  const failures = health.consecutiveFailures + 1;
  const unhealthy = failures >= failuresToUnhealthy;
  const state: HealthState = unhealthy ? 'unhealthy' : health.state;
  return {
    ...polled,
    state,
    since: state === health.state ? health.since : reading.at,
    lastError: reading.reason,
    lastErrorAt: reading.at,
    consecutiveFailures: failures,
  };
}
