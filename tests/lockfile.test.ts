// `npm ci` refuses a lock that names optional platform packages without entries for them (see
// scripts/complete-lockfile.mjs); catch that here rather than on a fresh machine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript script without types
import { missingOptionalEntries } from '../scripts/complete-lockfile.mjs';
import { ROOT } from './helpers.ts';

describe('package-lock.json', () => {
  it('has an entry for every optional dependency it names', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as unknown;
    expect((missingOptionalEntries as (l: unknown) => { name: string }[])(lock).map((m) => m.name)).toEqual([]);
  });

  it('finds a missing entry', () => {
    const lock = { packages: { '': {}, 'node_modules/a': { optionalDependencies: { 'a-darwin-arm64': '1.0.0' } } } };
    expect((missingOptionalEntries as (l: unknown) => { name: string }[])(lock)).toEqual([{ name: 'a-darwin-arm64', version: '1.0.0', parent: 'node_modules/a' }]);
  });
});
