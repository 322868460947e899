// What this check's tests share: the check run on generated repositories (fixtures/factory.ts) as
// of a fixed date, with history given as [days before the anchor, message, files] steps.
import { afterAll } from 'vitest';
import { daysBefore, type FixtureCommit, type FixtureFile } from '../../fixtures/factory.ts';
import { fixtureSnapshots } from '../../tests/fixture-snapshots.ts';
import type { CheckOutcome, Finding, PullRequest, RepoSnapshot } from '../contract.ts';
import check, { type SeparatedMigrationsOptions } from './index.ts';

export const NOW = new Date('2026-11-15T00:00:00Z');
export const ANCHOR = '2026-11-01T12:00:00Z';

export type Files = Record<string, FixtureFile>;
/** [days before the anchor, message, files]; oldest first. */
export type Step = [number, string, Files];

export const history = (steps: Step[]): FixtureCommit[] => steps.map(([days, message, files]) => ({ date: daysBefore(ANCHOR, days), message, files }));

export function run(snapshot: RepoSnapshot, options: Partial<SeparatedMigrationsOptions> = {}): CheckOutcome {
  return check.run(snapshot, { options: check.meta.options.parse(options), kind: { kind: 'service', source: 'detected', evidence: [] }, now: NOW, facts: { packages: new Map() } });
}

export const part = (o: CheckOutcome, index: number) => o.summary.split('; ')[index] ?? '';
export const about = (o: CheckOutcome, re: RegExp): Finding[] => o.findings.filter((f) => re.test(f.message));

/** Generated repositories for one test file (removed after it), and the check run on them. */
export function migrationRepos(namePrefix: string) {
  const repos = fixtureSnapshots({ namePrefix });
  afterAll(repos.cleanup);
  return {
    repos,
    async withHistory(steps: Step[], options: Partial<SeparatedMigrationsOptions> = {}, pullRequests?: PullRequest[]): Promise<CheckOutcome & { snapshot: RepoSnapshot }> {
      const real = await repos.snapshot(check.meta.reads, {}, { commits: history(steps) });
      const snapshot = pullRequests ? { ...real, pullRequests } : real;
      return { ...run(snapshot, options), snapshot };
    },
    async atHead(files: Files, options: Partial<SeparatedMigrationsOptions> = {}): Promise<CheckOutcome> {
      return run(await repos.snapshot(check.meta.reads, files), options);
    },
  };
}
