// The writer-lock wait options, shared by crawl and the nightly commands; kept apart so that the
// crawl command's argument parsing needs nothing heavy.
export class NightlyUsageError extends Error {}

/** --wait waits this long for another writer unless --wait-minutes says otherwise: a nightly never hangs for ever. */
export const DEFAULT_WAIT_MINUTES = 60;

/** The writer-lock wait of --wait / --wait-minutes: false (refuse at once) or a bound in ms. */
export function waitOption(values: { wait?: boolean; 'wait-minutes'?: string }): number | false {
  const text = values['wait-minutes'];
  if (text === undefined) return values.wait ? DEFAULT_WAIT_MINUTES * 60_000 : false;
  const minutes = Number(text);
  if (!(Number.isFinite(minutes) && minutes > 0 && minutes <= 24 * 60)) throw new NightlyUsageError(`--wait-minutes must be a number of minutes above 0 and at most 1440, got "${text}"`);
  return minutes * 60_000;
}

export const WAIT_OPTIONS = { wait: { type: 'boolean', default: false }, 'wait-minutes': { type: 'string' } } as const;
