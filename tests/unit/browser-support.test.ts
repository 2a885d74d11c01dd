/**
 * The browser tests' own switch: outside CI a machine without Chromium skips
 * them saying how to enable them; under CI=true they run, and fail without
 * a Chromium rather than pass by skipping.
 */
import { describe, expect, it, vi } from 'vitest';
import { browserTestsRun, chromiumPath, HOW_TO_ENABLE, launchBrowser } from '../support/browser.ts';

const nothing = () => false;

describe('the browser tests’ switch', () => {
  it('outside CI, without a Chromium: skipped, saying how to enable them', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(browserTestsRun({ env: {}, exists: nothing })).toBe(false);
      expect(warn).toHaveBeenCalledWith(HOW_TO_ENABLE);
      expect(HOW_TO_ENABLE).toContain('apt-get install -y chromium');
    } finally {
      warn.mockRestore();
    }
  });

  it('under CI=true, without a Chromium: they run, and launching fails naming what to install', async () => {
    const machine = { env: { CI: 'true' }, exists: nothing };
    expect(browserTestsRun(machine)).toBe(true);
    await expect(launchBrowser(machine)).rejects.toThrow(
      /CI=true wants the browser tests.*apt-get install -y chromium/,
    );
  });

  it('finds Debian’s /usr/bin/chromium, or the one CLOUDMASTER_CHROMIUM names', () => {
    expect(chromiumPath({ env: {}, exists: (path) => path === '/usr/bin/chromium' })).toBe(
      '/usr/bin/chromium',
    );
    expect(chromiumPath({ env: { CLOUDMASTER_CHROMIUM: '/opt/c/chrome' }, exists: nothing })).toBe(
      '/opt/c/chrome',
    );
    expect(browserTestsRun({ env: {}, exists: (path) => path === '/usr/bin/chromium' })).toBe(true);
  });
});
