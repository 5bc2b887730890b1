import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Worker threads, not child processes: the decoder and the addon are loaded per thread anyway,
    // and threads start faster on this 2-core machine.
    pool: 'forks',
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
