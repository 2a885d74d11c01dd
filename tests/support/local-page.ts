/**
 * The local workspace as a person meets it: `startLocalWorkspace` in this
 * process (port 0, a store of its own), and its page in a real browser.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { type LocalWorkspace, startLocalWorkspace } from '../../src/local-slack/start.ts';

export interface WorkspaceOptions {
  /** When the demo status page shows its incident (default: not during a test). */
  readonly demoIncidentAfterMs?: number;
  readonly env?: Record<string, string>;
  readonly host?: string;
}

export async function startWorkspace(
  options: WorkspaceOptions = {},
): Promise<LocalWorkspace & { logs: string[] }> {
  const logs: string[] = [];
  const local = await startLocalWorkspace({
    env: {
      CLOUDMASTER_DATA_DIR: mkdtempSync(join(tmpdir(), 'cloudmaster-local-')),
      CLOUDMASTER_CONFIG: '',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    port: 0,
    ...(options.host ? { host: options.host } : {}),
    demoIncidentAfterMs: options.demoIncidentAfterMs ?? 3_600_000,
    // The first poll of each source at once, not spread over its interval.
    watch: { random: () => 0 },
    retryConfig: { retries: 0 },
    logDestination: { write: (line: string) => logs.push(line) },
  });
  return Object.assign(local, { logs });
}

/** A person's tab: the page opened as `as` (a user id), in `channel`, with the bot connected. */
export async function openPage(browser: Browser, url: string, as: string, channel = 'C0OPS'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${url}/?as=${as}#${channel}`);
  await page.locator('#presence[data-connected="true"]').waitFor();
  await page.locator('#title', { hasText: /\S/ }).waitFor();
  Object.assign(page, { scriptErrors: errors });
  return page;
}

/** Types into the composer and sends with Enter, as a person would. */
export async function say(page: Page, text: string): Promise<void> {
  const composer = page.locator('#composer');
  await composer.fill(text);
  // Close the command suggestions first, as a person would with Escape after typing a full command.
  if (text.startsWith('/')) await composer.press('End');
  await composer.press('Escape');
  await composer.press('Enter');
  // Cleared once the server took it.
  for (let tries = 0; (await composer.inputValue()) !== ''; tries += 1) {
    if (tries > 200)
      throw new Error(`the page did not take "${text}": ${await page.locator('#notice').textContent()}`);
    await page.waitForTimeout(50);
  }
}

export async function actAs(page: Page, name: string): Promise<void> {
  await page.locator('#person').selectOption({ label: name });
  await page.locator('#person option:checked', { hasText: name }).waitFor({ state: 'attached' });
}

export async function openChannel(page: Page, name: string): Promise<void> {
  await page.locator('.sidebar a', { hasText: name }).click();
  await page.locator('#title', { hasText: name }).waitFor();
}

/** The newest message holding `text`, in the open conversation. */
export function messageWith(page: Page, text: string | RegExp): Locator {
  return page.locator('#messages .message', { hasText: text }).last();
}

/** The same message, by its timestamp (an edit keeps it). */
export function messageAt(page: Page, ts: string): Locator {
  return page.locator(`#messages .message[data-ts="${ts}"]`);
}
