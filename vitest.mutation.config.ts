/**
 * The tests a mutation run (`npm run test:mutation`, stryker.config.mjs)
 * uses: those that reach the policy, the gatekeeper and the redactor in this
 * process, in the order listed, so that a mutant the fast unit tests kill
 * stops there (Stryker bails at the first failure). The rest of
 * vitest.config.ts holds (forks, timeouts, the test CA).
 */

import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import base from './vitest.config.ts';

const MUTATION_TESTS = [
  'tests/unit/glob.test.ts',
  'tests/unit/policy.test.ts',
  'tests/unit/policy-matching.test.ts',
  'tests/unit/policy-config.test.ts',
  'tests/unit/group-directory.test.ts',
  'tests/unit/redact.test.ts',
  'tests/unit/redact-api.test.ts',
  'tests/unit/config.test.ts',
  'tests/e2e/gatekeeper.test.ts',
  'tests/e2e/cli-safety.test.ts',
  'tests/e2e/safety-circumvention.test.ts',
  'tests/e2e/create-sources.test.ts',
];

class ListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) =>
      MUTATION_TESTS.findIndex((path) => file.moduleId.endsWith(path));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: MUTATION_TESTS,
    sequence: { sequencer: ListedOrder },
    setupFiles: ['tests/support/mutation-setup.ts'],
  },
});
