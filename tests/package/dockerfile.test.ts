/**
 * What the image promises without being built (scripts/image-test.sh builds
 * and runs it where buildah can): a deployment never silently becomes a
 * local workspace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveOptions } from '../../src/serve-options.ts';
import { ROOT } from '../support/run-process.ts';

/** The ENV settings of the Dockerfile's last stage (the image that runs), continuation lines joined. */
function runtimeEnv(): Record<string, string> {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages = text.split(/^FROM\s/m);
  const last = stages[stages.length - 1] ?? '';
  const env: Record<string, string> = {};
  for (const line of last.split('\n').filter((l) => /^ENV\s/.test(l)))
    for (const [, name, value] of line.matchAll(/([A-Z_][A-Z0-9_]*)=(\S*)/g))
      env[name as string] = value ?? '';
  return env;
}

describe('the container image', () => {
  it('sets CLOUDMASTER_REQUIRE_SLACK=1, so serve without tokens refuses instead of opening the local workspace', () => {
    const env = runtimeEnv();
    expect(env.CLOUDMASTER_REQUIRE_SLACK).toBe('1');
    expect(serveOptions([], env)).toMatchObject({ requireSlack: true });
  });
});
