// The score, apart from how the evidence is found, so that its properties can be tested on their own.
import { roundScore } from '../contract.ts';

// Separation weighs most: experts score a repository whose migrations mostly ship with application code
// 2–4 however reversible and careful its migrations are (calibrated on the corpus, see README).
export const SEPARATION_POINTS = 6.5;
export const REVERSIBILITY_POINTS = 1.5;
export const SAFETY_POINTS = 2;

export interface ScoreInput {
  /** Recent migration-bearing changes without / with application code; both 0 when separation is unknown. */
  separated: number;
  mixed: number;
  /** Judged migrations with and without a way back (frameworks without one are not counted). */
  reversible: number;
  irreversible: number;
  /** Judged migrations without / with an unguarded destructive operation. */
  safe: number;
  unsafe: number;
  linter: boolean;
  /** A CI job or Danger rule fails pull requests because of their migrations. */
  guard: boolean;
}

const share = (good: number, bad: number): number | null => (good + bad > 0 ? good / (good + bad) : null);

/** Points earned and possible; a part with nothing to judge is left out of both. */
export function pointsOf(input: ScoreInput): { earned: number; possible: number } {
  let earned = 0;
  let possible = 0;
  const parts: [number | null, number][] = [
    [share(input.separated, input.mixed), SEPARATION_POINTS],
    [share(input.reversible, input.irreversible), REVERSIBILITY_POINTS],
    [share(input.safe, input.unsafe), SAFETY_POINTS],
  ];
  for (const [s, points] of parts) {
    if (s === null) continue;
    earned += points * s;
    possible += points;
  }
  return { earned, possible };
}

/** 0–10, or null when nothing could be judged. */
export function scoreOf(input: ScoreInput, credits: { linterCredit: number; guardCredit: number }): number | null {
  const { earned, possible } = pointsOf(input);
  if (possible === 0) return null;
  return roundScore((earned / possible) * 10 + (input.linter ? credits.linterCredit : 0) + (input.guard ? credits.guardCredit : 0));
}
