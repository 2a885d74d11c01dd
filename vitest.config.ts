import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'providers/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // The end-to-end suites each start a fake Slack and a real Bolt app;
    // running files in parallel on two cores is fine, but keep it bounded.
    maxWorkers: 2,
  },
});
