/**
 * A real browser for the page's tests and screenshots: Debian's Chromium
 * (`apt-get install -y chromium`; Playwright's own browser download cannot
 * work here) driven by playwright-core. CLOUDMASTER_CHROMIUM names another
 * executable. Outside CI, without a Chromium the browser tests are skipped
 * saying how to enable them; under CI=true they must run.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export const HOW_TO_ENABLE =
  'browser tests skipped: no Chromium found; run `apt-get install -y chromium` (or set CLOUDMASTER_CHROMIUM to a Chromium executable) to run them';

type Env = Readonly<Record<string, string | undefined>>;

/** Where the machine looks (`env` and `exists` are the machine's own but for this file's tests). */
interface Machine {
  readonly env?: Env;
  readonly exists?: (path: string) => boolean;
}

export function chromiumPath({ env = process.env, exists = existsSync }: Machine = {}): string | undefined {
  const named = env.CLOUDMASTER_CHROMIUM;
  if (named) return named;
  return CANDIDATES.find((path) => exists(path));
}

/** Whether the browser tests run here: a Chromium is found, or CI requires them (and they fail without one). */
export function browserTestsRun(machine: Machine = {}): boolean {
  const ci = (machine.env ?? process.env).CI === 'true';
  const found = chromiumPath(machine) !== undefined;
  if (!found && !ci) console.warn(HOW_TO_ENABLE);
  return found || ci;
}

export async function launchBrowser(machine: Machine = {}): Promise<Browser> {
  const executablePath = chromiumPath(machine);
  if (!executablePath)
    throw new Error(`CI=true wants the browser tests, and there is no Chromium: ${HOW_TO_ENABLE}`);
  return chromium.launch({
    executablePath,
    headless: true,
    // Root in a container: Chromium's sandbox needs namespaces it may not have.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
