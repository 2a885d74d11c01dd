/**
 * `npm run screenshots`: PNGs of the local workspace's page, taken with the
 * browser the tests use (Debian's Chromium through playwright-core), into
 * docs/images/ (or the folder given): a list, a Confirm prompt, a job in
 * progress and done, an approval, an outage notice.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../tests/support/browser.ts';
import { actAs, messageAt, messageWith, openPage, say, startWorkspace } from '../tests/support/local-page.ts';

export const SCREENSHOTS = [
  'local-list.png',
  'local-confirm.png',
  'local-job-progress.png',
  'local-job-done.png',
  'local-approval.png',
  'local-outage.png',
] as const;

const WAIT = { timeout: 30_000 };

async function until(page: Page, ts: string, text: RegExp): Promise<void> {
  await messageAt(page, ts).filter({ hasText: text }).waitFor(WAIT);
}

/** Writes every file of SCREENSHOTS into `folder`; returns their paths. */
export async function takeScreenshots(folder: string): Promise<string[]> {
  mkdirSync(folder, { recursive: true });
  const workspace = await startWorkspace({ demoIncidentAfterMs: 0 });
  const browser = await launchBrowser();
  try {
    const shot = async (page: Page, name: (typeof SCREENSHOTS)[number]) => {
      await page.mouse.move(0, 0);
      await page.screenshot({ path: join(folder, name) });
    };
    const alice = await openPage(browser, workspace.url, 'U0ALICE');
    await say(alice, '/cloudmaster list');
    await messageWith(alice, 'page 1 of 3').waitFor(WAIT);
    await shot(alice, 'local-list.png');

    await say(alice, '/cloudmaster reboot web-1');
    const prompt = messageWith(alice, 'Reboot web-1 on dev?');
    await prompt.getByRole('button', { name: 'Confirm' }).waitFor(WAIT);
    await shot(alice, 'local-confirm.png');
    const ts = (await prompt.getAttribute('data-ts')) as string;
    await prompt.getByRole('button', { name: 'Confirm' }).click();
    await until(alice, ts, /Rebooting web-1 on dev…/);
    await shot(alice, 'local-job-progress.png');
    await until(alice, ts, /rebooted/);
    await shot(alice, 'local-job-done.png');

    await say(alice, '/cloudmaster deploy -s shop -e production');
    const request = messageWith(alice, /needs approval/);
    await request.getByRole('button', { name: 'Approve' }).waitFor(WAIT);
    const requestTs = (await request.getAttribute('data-ts')) as string;
    await actAs(alice, 'bob');
    await messageAt(alice, requestTs).getByRole('button', { name: 'Approve' }).waitFor(WAIT);
    await shot(alice, 'local-approval.png');

    await alice.locator('.sidebar a', { hasText: 'outages' }).click();
    await alice.locator('#messages .message', { hasText: 'Elevated error rates' }).first().waitFor(WAIT);
    await shot(alice, 'local-outage.png');
    return SCREENSHOTS.map((name) => join(folder, name));
  } finally {
    await browser.close();
    await workspace.stop({ graceMs: 1_000, abortMs: 500 });
  }
}

if (import.meta.main) {
  const folder = resolve(process.argv[2] ?? 'docs/images');
  const written = await takeScreenshots(folder);
  for (const path of written) process.stdout.write(`${path}\n`);
}
