import { defineConfig } from 'vitest/config';
import { scaled } from './tests/time-scale.ts';

export default defineConfig({
  test: {
    include: ['checks/**/*.test.ts', 'tests/**/*.test.ts', 'calibration/**/*.test.ts'],
    pool: 'forks',
    // Hang detectors, not expectations: builds of real git repositories, a real Astro build and a
    // real browser take seconds on a quiet machine and several times that on a loaded one, so both
    // are stretched by SEAWORTHY_TEST_TIME_SCALE (tests/time-scale.ts, default 4).
    testTimeout: scaled(120_000),
    hookTimeout: scaled(180_000),
    reporters: ['default', './tests/summary-reporter.ts'],
    // No test may reach a live package registry: registry clients refuse every non-loopback host.
    env: { SEAWORTHY_LOOPBACK_ONLY: '1' },
  },
});
