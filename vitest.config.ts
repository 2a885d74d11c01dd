import { defineConfig } from 'vitest/config';
import { testTls } from './tests/support/tls.ts';

// The Azure doubles serve HTTPS with a test CA; Node reads NODE_EXTRA_CA_CERTS
// only when a process starts, so it is set here, before the workers are forked.
// The machine's own value is kept for tests whose npm must reach the registry as the machine does.
process.env.CLOUDMASTER_MACHINE_EXTRA_CA_CERTS ??= process.env.NODE_EXTRA_CA_CERTS ?? '';
process.env.NODE_EXTRA_CA_CERTS = testTls().caFile;

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'providers/**/*.test.ts'],
    environment: 'node',
    // Child processes inherit NODE_EXTRA_CA_CERTS; worker threads would not.
    pool: 'forks',
    // Generous: a test that spawns CLI processes or loads a cloud SDK for the first time can take
    // seconds on a loaded two-core machine; a limit is a hang detector here, never a speed check.
    testTimeout: 45_000,
    hookTimeout: 60_000,
    // The end-to-end suites each start a fake Slack and a real Bolt app;
    // running files in parallel on two cores is fine, but keep it bounded.
    maxWorkers: 2,
  },
});
