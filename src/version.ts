/** cloudmaster's own version, from its package.json: the start-up log line and `cloudmaster --version` tell it. */
import { readFileSync } from 'node:fs';

// ../ from src/ in a checkout, ../../ from dist/src/ in an installed package.
const CANDIDATES = ['../package.json', '../../package.json'];

function readVersion(): string {
  for (const candidate of CANDIDATES) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (manifest.name === 'cloudmaster' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // Not this one: try the next place.
    }
  }
  return 'unknown';
}

export const VERSION: string = readVersion();
