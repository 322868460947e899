// Pure figures the site and the exports derive from stored results: baselines, changes, shares, gains.
import type { Status } from '../checks/contract.ts';

export interface DatedRun {
  id: number;
  startedAt: string;
}

const DAY_MS = 86_400_000;

/** The run just before `latest`, if any. */
export function previousRun<R extends DatedRun>(runs: readonly R[], latest: R): R | undefined {
  const index = runs.findIndex((r) => r.id === latest.id);
  return index > 0 ? runs[index - 1] : undefined;
}

/**
 * The run to compare with for "change over N days": the newest run at least N days older than
 * `latest`; with a shorter history, the oldest run (pages show its date, so the span is never hidden).
 */
export function baselineRun<R extends DatedRun>(runs: readonly R[], latest: R, days = 30): R | undefined {
  const cutoff = Date.parse(latest.startedAt) - days * DAY_MS;
  const older = runs.filter((r) => r.id !== latest.id && Date.parse(r.startedAt) <= Date.parse(latest.startedAt));
  const before = older.filter((r) => Date.parse(r.startedAt) <= cutoff);
  return before.at(-1) ?? older[0];
}

export function mean(values: readonly (number | null | undefined)[]): number | null {
  const scored = values.filter((v): v is number => typeof v === 'number');
  return scored.length === 0 ? null : round1(scored.reduce((a, b) => a + b, 0) / scored.length);
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function delta(now: number | null | undefined, before: number | null | undefined): number | null {
  return typeof now === 'number' && typeof before === 'number' ? round1(now - before) : null;
}

export interface StatusCounts {
  pass: number;
  warn: number;
  fail: number;
  notApplicable: number;
  error: number;
  waived: number;
}

export const EMPTY_COUNTS: StatusCounts = { pass: 0, warn: 0, fail: 0, notApplicable: 0, error: 0, waived: 0 };

export function addCounts(a: StatusCounts, b: StatusCounts): StatusCounts {
  return { pass: a.pass + b.pass, warn: a.warn + b.warn, fail: a.fail + b.fail, notApplicable: a.notApplicable + b.notApplicable, error: a.error + b.error, waived: a.waived + b.waived };
}

export function countStatus(counts: StatusCounts, status: Status): StatusCounts {
  const key = status === 'not-applicable' ? 'notApplicable' : status;
  return { ...counts, [key]: counts[key] + 1 };
}

/**
 * Share of repositories passing among those the check applies to. Waived and errored results count
 * against the share: a waiver is never a pass, and a result that could not be judged is not one either.
 */
export function passingShare(counts: StatusCounts): { passing: number; applicable: number; share: number | null } {
  const applicable = counts.pass + counts.warn + counts.fail + counts.error + counts.waived;
  return { passing: counts.pass, applicable, share: applicable === 0 ? null : counts.pass / applicable };
}

export interface ScoredCheck {
  status: Status;
  score: number | null;
  weight: number;
}

/** The repository score exactly as the crawler computes it (crawler/run.ts repoScore): weighted mean of scored checks. */
export function weightedScore(checks: readonly ScoredCheck[]): number | null {
  const scored = checks.filter((c) => c.score !== null && c.status !== 'waived' && c.weight > 0);
  const weight = scored.reduce((sum, c) => sum + c.weight, 0);
  if (weight === 0) return null;
  return round1(scored.reduce((sum, c) => sum + (c.score as number) * c.weight, 0) / weight);
}

export interface GainRepo {
  key: string;
  checks: Readonly<Record<string, ScoredCheck>>;
}

export interface CheckGain {
  checkId: string;
  /** How much the group's mean score would rise if every listed repository scored 10 on this check. */
  gain: number;
  repos: { key: string; status: Status; score: number | null; gain: number }[];
}

/**
 * Next best actions: for each check that fails or warns somewhere in the group, the rise of the
 * group's score (the mean of its repositories' scores) if those results were fixed (scored 10),
 * largest first. Waived, not-applicable and errored results are not actions: fixing them changes no score.
 */
export function scoreGains(repos: readonly GainRepo[]): CheckGain[] {
  const scored = repos.filter((r) => weightedScore(Object.values(r.checks)) !== null);
  if (scored.length === 0) return [];
  const byCheck = new Map<string, CheckGain>();
  for (const repo of scored) {
    const before = unrounded(Object.values(repo.checks))!;
    for (const [checkId, check] of Object.entries(repo.checks)) {
      if ((check.status !== 'fail' && check.status !== 'warn') || check.score === null || check.weight <= 0) continue;
      const after = unrounded(Object.values({ ...repo.checks, [checkId]: { ...check, score: 10 } }))!;
      const gain = (after - before) / scored.length;
      const entry = byCheck.get(checkId) ?? { checkId, gain: 0, repos: [] };
      entry.gain += gain;
      entry.repos.push({ key: repo.key, status: check.status, score: check.score, gain });
      byCheck.set(checkId, entry);
    }
  }
  return [...byCheck.values()]
    .map((g) => ({ ...g, repos: g.repos.sort((a, b) => b.gain - a.gain) }))
    .filter((g) => g.gain > 0)
    .sort((a, b) => b.gain - a.gain || a.checkId.localeCompare(b.checkId));
}

function unrounded(checks: readonly ScoredCheck[]): number | null {
  const scored = checks.filter((c) => c.score !== null && c.status !== 'waived' && c.weight > 0);
  const weight = scored.reduce((sum, c) => sum + c.weight, 0);
  return weight === 0 ? null : scored.reduce((sum, c) => sum + (c.score as number) * c.weight, 0) / weight;
}

export interface ScoreChange<K> {
  key: K;
  before: number;
  after: number;
  change: number;
}

/** Biggest rises and falls between two score maps; keys missing or unscored on either side are left out. */
export function scoreChanges<K>(after: ReadonlyMap<K, number | null>, before: ReadonlyMap<K, number | null>, limit = 5): { improved: ScoreChange<K>[]; regressed: ScoreChange<K>[] } {
  const changes: ScoreChange<K>[] = [];
  for (const [key, now] of after) {
    const then = before.get(key);
    if (typeof now !== 'number' || typeof then !== 'number') continue;
    const change = round1(now - then);
    if (change !== 0) changes.push({ key, before: then, after: now, change });
  }
  return {
    improved: changes.filter((c) => c.change > 0).sort((a, b) => b.change - a.change).slice(0, limit),
    regressed: changes.filter((c) => c.change < 0).sort((a, b) => a.change - b.change).slice(0, limit),
  };
}

/** Days from `from` to `to` (YYYY-MM-DD or ISO), rounded down. */
export function daysBetween(from: string, to: string): number {
  return Math.floor((Date.parse(to.slice(0, 10)) - Date.parse(from.slice(0, 10))) / DAY_MS);
}
