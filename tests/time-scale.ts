// The one factor every deadline in the test suite is multiplied by (README, "Tests").
//
// Tests wait for events, not for the clock: a child process prints a marker, a fake server logs a
// request. Where a deadline must exist (a hang detector, a request timeout a test is about, a
// time budget) it is written for a quiet machine and multiplied by SEAWORTHY_TEST_TIME_SCALE. The
// default, 4, is for the shared 2-core machine with a load average near 8: each process gets about
// a quarter of a core. Set 1 on a quiet machine for quicker failures, more on a slower one.
// No imports: vitest.config.ts reads this file too.

export const DEFAULT_TIME_SCALE = 4;

export function parseTimeScale(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_TIME_SCALE;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 1 || value > 100) {
    throw new Error(`SEAWORTHY_TEST_TIME_SCALE must be a number from 1 to 100, not ${JSON.stringify(text)}`);
  }
  return value;
}

export const TIME_SCALE = parseTimeScale(process.env.SEAWORTHY_TEST_TIME_SCALE);

/** A deadline written for a quiet machine, in ms, stretched for this one. */
export function scaled(ms: number): number {
  return Math.round(ms * TIME_SCALE);
}
