/** The running version: package.json's "version", read once (health, metrics, the start-up line). */
import { readFileSync } from 'node:fs';

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === 'string' && version !== '' ? version : 'unknown';
  } catch {
    // A copy without its package.json still runs; it just cannot say which version it is.
    return 'unknown';
  }
}

export const VERSION: string = readVersion();
