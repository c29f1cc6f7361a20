import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end files start real processes; two at a time suits a 2-core machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The default report, then one plain closing line that CI log readers recognise.
    reporters: ['default', './test/support/closing-line-reporter.ts'],
  },
});
