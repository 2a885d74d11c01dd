/** `npm run screenshots` writes every PNG the docs show, from the page in a real browser. */
import { mkdtempSync, openSync, readSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREENSHOTS, takeScreenshots } from '../../scripts/screenshots.ts';
import { browserTestsRun } from '../support/browser.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.runIf(browserTestsRun())('npm run screenshots', () => {
  it('writes the list, a Confirm prompt, a job in progress and done, an approval and an outage notice', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cloudmaster-screenshots-'));
    const written = await takeScreenshots(folder);
    expect(written).toEqual(SCREENSHOTS.map((name) => join(folder, name)));
    for (const path of written) {
      expect(statSync(path).size).toBeGreaterThan(10_000);
      const head = Buffer.alloc(8);
      readSync(openSync(path, 'r'), head, 0, 8, 0);
      expect(head.equals(PNG_SIGNATURE)).toBe(true);
    }
  }, 120_000);
});
