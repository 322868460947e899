// The score, apart from how evidence is found, so that its properties can be tested on their own.
import { roundScore } from '../contract.ts';
import type { Tier } from './automation.ts';
import type { ProcedureQuality } from './documents.ts';

export const AUTOMATION_POINTS: Record<Tier | 'none', number> = {
  'metric-gated': 5,
  'health-gated': 3.5,
  scripted: 2,
  manual: 1.5,
  detection: 1,
  none: 0,
};

export const PROCEDURE_POINTS: Record<ProcedureQuality | 'none', number> = {
  procedure: 2.5,
  command: 1.5,
  stub: 0.5,
  none: 0,
};

export const TEMPLATE_POINTS = 2.5;
export const PRACTICE_POINTS = 2.5;

export interface ScoreParts {
  automation: Tier | 'none';
  procedure: ProcedureQuality | 'none';
  /** Share (0–1) of readable pull/merge request templates whose rollback section prompts; 0 without templates. */
  templateShare: number;
  /** Share (0–1) of recent merged pull requests with a filled rollback section; null when not judged. */
  practiceShare: number | null;
}

/** Points earned and points possible; without pull request data the practice part is left out. */
export function pointsOf(parts: ScoreParts): { earned: number; possible: number } {
  const clamp = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
  let earned = AUTOMATION_POINTS[parts.automation] + PROCEDURE_POINTS[parts.procedure] + TEMPLATE_POINTS * clamp(parts.templateShare);
  let possible = AUTOMATION_POINTS['metric-gated'] + PROCEDURE_POINTS.procedure + TEMPLATE_POINTS;
  if (parts.practiceShare !== null) {
    earned += PRACTICE_POINTS * clamp(parts.practiceShare);
    possible += PRACTICE_POINTS;
  }
  return { earned, possible };
}

export function scoreOf(parts: ScoreParts): number {
  const { earned, possible } = pointsOf(parts);
  return roundScore((earned / possible) * 10);
}
