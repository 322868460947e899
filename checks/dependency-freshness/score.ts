// The score, apart from how evidence is found, so that its properties can be tested on their own.
import { roundScore } from '../contract.ts';

export const POINTS = { median: 3, tail: 2, majors: 1, bot: 3, lockfiles: 1 } as const;

export interface ScoreThresholds {
  medianGoodYears: number;
  medianBadYears: number;
  p90GoodYears: number;
  p90BadYears: number;
  majorsBehindShareBad: number;
}

export interface ScoreParts {
  /** Median and p90 libyears of the dated direct dependencies. */
  medianYears: number;
  p90Years: number;
  /** Share (0–1) of dated direct dependencies more than one major version behind. */
  majorsBehindShare: number;
  /** Share (0–1) of dependency files an active update bot covers; a bot whose configuration fails its schema counts half. */
  botCoverage: number;
  /** Share (0–1) of manifests with a committed lockfile. */
  lockfileShare: number;
}

/** 1 at or below `good`, 0 at or above `bad`, linear in between. */
export function linear(value: number, good: number, bad: number): number {
  if (!Number.isFinite(value) || value <= good) return 1;
  if (value >= bad) return 0;
  return (bad - value) / (bad - good);
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

export function pointsOf(parts: ScoreParts, t: ScoreThresholds): Record<keyof typeof POINTS, number> {
  return {
    median: POINTS.median * linear(parts.medianYears, t.medianGoodYears, t.medianBadYears),
    tail: POINTS.tail * linear(parts.p90Years, t.p90GoodYears, t.p90BadYears),
    majors: POINTS.majors * (1 - Math.min(1, clamp01(parts.majorsBehindShare) / t.majorsBehindShareBad)),
    bot: POINTS.bot * clamp01(parts.botCoverage),
    lockfiles: POINTS.lockfiles * clamp01(parts.lockfileShare),
  };
}

export function scoreOf(parts: ScoreParts, t: ScoreThresholds): number {
  const p = pointsOf(parts, t);
  return roundScore(p.median + p.tail + p.majors + p.bot + p.lockfiles);
}
