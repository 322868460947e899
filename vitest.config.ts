import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['checks/**/*.test.ts', 'tests/**/*.test.ts', 'calibration/**/*.test.ts'],
    pool: 'forks',
    // Builds of real git repositories, a real Astro build and a real browser take seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './tests/summary-reporter.ts'],
    // No test may reach a live package registry: registry clients refuse every non-loopback host.
    env: { SEAWORTHY_LOOPBACK_ONLY: '1' },
  },
});
