/**
 * The running version: package.json's "version", read once (health, metrics,
 * the start-up line, `cloudmaster --version`). package.json is ../ from src/
 * in a checkout and ../../ from dist/src/ in an installed package.
 */
import { readFileSync } from 'node:fs';

const CANDIDATES = ['../package.json', '../../package.json'];

function readVersion(): string {
  for (const candidate of CANDIDATES) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'cloudmaster' && typeof manifest.version === 'string' && manifest.version !== '')
        return manifest.version;
    } catch {
      // Not here (a copy without its package.json still runs; it just cannot say which version it is).
    }
  }
  return 'unknown';
}

export const VERSION: string = readVersion();
