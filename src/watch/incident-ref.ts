/**
 * How people and buttons name a tracked incident. Its key (`<id>#<n>`) is
 * the source's own id, which may be long (AWS's are URLs with spaces), so
 * every notice also shows a short ref — the source's name and six hex
 * digits of a hash of source and key — which is the same on every replica
 * and after every restart, with nothing stored.
 */
import { createHash } from 'node:crypto';

/** "github-3f9a2c". */
export function incidentRef(source: string, key: string): string {
  return `${source}-${createHash('sha256').update(`${source}/${key}`).digest('hex').slice(0, 6)}`;
}

/** "github/9yk7qwd5x3zl#1": unique across sources; what buttons carry and tickets are filed under. */
export function incidentPath(source: string, key: string): string {
  return `${source}/${key}`;
}
