/**
 * Setup for mutation runs only (vitest.mutation.config.ts). Stryker tells
 * the test process which mutant is active through a global that a spawned
 * process does not share; its instrumented code also reads the environment
 * variable set here, which run-process.ts passes on to the processes it
 * starts. Stryker's own setup runs first and sets the global.
 */
import { beforeAll } from 'vitest';

const ENV = '__STRYKER_ACTIVE_MUTANT__';

beforeAll(() => {
  const mutant = (globalThis as { __stryker__?: { activeMutant?: string | number } }).__stryker__
    ?.activeMutant;
  if (mutant === undefined) delete process.env[ENV];
  else process.env[ENV] = String(mutant);
});
