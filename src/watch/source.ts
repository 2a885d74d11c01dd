/** One status source to watch, as the config resolves it, and what one poll of it gives. */
import type { ObservedIncident } from './incident.ts';

export interface WatchSource {
  /** The name people type (`check github`) and the store keys incidents by. */
  readonly name: string;
  /** What notices call the platform ("GitHub"). */
  readonly label: string;
  /** A source type (statuspage, slack-status, feed, gcp-incidents, vultr-alerts). */
  readonly type: string;
  readonly url: string;
  readonly intervalMs: number;
  /** How long one poll may take, retries included. */
  readonly timeoutMs: number;
  /** A first sighting whose last activity is older than this is history, not news (feeds). */
  readonly ignoreOlderThanMs?: number;
  /** The largest answer read (DEFAULT_MAX_BODY_BYTES when unset); a larger one fails the poll. */
  readonly maxBodyBytes?: number;
}

/** 4 MB: many times any status page's answer, and still cheap to parse. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

interface ReadingBase {
  readonly source: string;
  /** When the poll ended, ISO 8601. */
  readonly at: string;
  readonly latencyMs: number;
}

/**
 * A successful poll lists every incident the source shows; a failed one says
 * why in one line and must never be read as "no incidents".
 */
export type SourceReading =
  | (ReadingBase & {
      readonly ok: true;
      readonly incidents: readonly ObservedIncident[];
      /** The source answered 304: the incidents are those of the last body. */
      readonly notModified: boolean;
    })
  | (ReadingBase & { readonly ok: false; readonly reason: string });
