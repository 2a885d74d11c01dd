// Mutation testing of the safety code: `npm run test:mutation` (not part of `npm test`;
// run before a release). What it covers, its last score and how spawned processes are
// handled: docs/development.md, "Mutation testing".
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false, pool: 'forks' },
  mutate: [
    'src/policy/**/*.ts',
    'src/safety/gatekeeper.ts',
    'src/safety/click-policy.ts',
    'src/log/redact.ts',
  ],
  coverageAnalysis: 'perTest',
  // Two shared cores: one mutant at a time per core at most.
  concurrency: 2,
  timeoutMS: 30_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Stryker rewrites the sandbox's tsconfig with TypeScript's JS API, which TypeScript 7 does not
  // have; ours has no extends or references to rewrite, so it is pointed at a file that is not there.
  tsconfigFile: 'no-tsconfig-to-rewrite.json',
  // The sandbox is a copy of the repository: leave out what the tests above never read.
  ignorePatterns: ['.cache', 'data', 'coverage', 'reports'],
  thresholds: { high: 95, low: 90, break: null },
};
