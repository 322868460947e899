// The score, apart from how evidence is found, so that its properties can be tested on their own.
//
// Points add up to at most 10, so that partial practice earns partial credit: an automated rollback
// (by its tier), safeguards that make a bad deploy less harmful or easier to undo (capped, so they
// never replace a rollback), a written procedure, and a team that plans the undo in its pull requests.
import { roundScore } from '../contract.ts';
import type { SafeguardKind, Tier } from './automation.ts';
import type { ProcedureQuality } from './documents.ts';

export const AUTOMATION_POINTS: Record<Tier | 'none', number> = {
  'metric-gated': 5,
  'health-gated': 4,
  scripted: 3.5,
  'stack-rollback': 3,
  manual: 2,
  none: 0,
};

export const SAFEGUARD_POINTS: Record<SafeguardKind, number> = {
  'gated-rollout': 2.5,
  redeploy: 2,
  detection: 1,
  'data-rollback': 1,
};
/**
 * A pipeline that redeploys a revert but deploys after failed checks too (a workflow_run trigger that
 * never tests the conclusion) is half a safeguard: the way out is also a way in for untested changes.
 */
export const REDEPLOY_AFTER_FAILED_CHECKS_POINTS = 1;
/** A way back for the data that CI exercises is worth more than one written down. */
export const TESTED_DATA_ROLLBACK_POINTS = 2;
/** Safeguards together never earn more than this: they make a rollback easier, they are not one. */
export const SAFEGUARDS_CAP = 5;

export const PROCEDURE_POINTS: Record<ProcedureQuality | 'none', number> = {
  procedure: 2.5,
  command: 1.5,
  stub: 0.5,
  none: 0,
};

export const TEMPLATE_POINTS = 1.5;
export const PRACTICE_POINTS = 1.5;

export type DataRollback = 'none' | 'documented' | 'tested';

export interface ScoreParts {
  automation: Tier | 'none';
  /** Safeguards found, by kind. */
  safeguards: { gated: boolean; redeploy: boolean; detection: boolean; data: DataRollback; redeployAfterFailedChecks?: boolean };
  procedure: ProcedureQuality | 'none';
  /** Share (0–1) of readable pull/merge request templates whose rollback section prompts; 0 without templates. */
  templateShare: number;
  /** Share (0–1) of recent merged pull requests with a filled rollback section; null when not judged. */
  practiceShare: number | null;
}

export const NO_SAFEGUARDS: ScoreParts['safeguards'] = { gated: false, redeploy: false, detection: false, data: 'none' };

export function safeguardPoints(s: ScoreParts['safeguards']): number {
  const sum =
    (s.gated ? SAFEGUARD_POINTS['gated-rollout'] : 0) +
    (s.redeploy ? (s.redeployAfterFailedChecks ? REDEPLOY_AFTER_FAILED_CHECKS_POINTS : SAFEGUARD_POINTS.redeploy) : 0) +
    (s.detection ? SAFEGUARD_POINTS.detection : 0) +
    (s.data === 'tested' ? TESTED_DATA_ROLLBACK_POINTS : s.data === 'documented' ? SAFEGUARD_POINTS['data-rollback'] : 0);
  return Math.min(SAFEGUARDS_CAP, sum);
}

export function pointsOf(parts: ScoreParts): number {
  const clamp = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
  let earned = AUTOMATION_POINTS[parts.automation] + safeguardPoints(parts.safeguards) + PROCEDURE_POINTS[parts.procedure] + TEMPLATE_POINTS * clamp(parts.templateShare);
  if (parts.practiceShare !== null) earned += PRACTICE_POINTS * clamp(parts.practiceShare);
  return Math.min(10, earned);
}

export function scoreOf(parts: ScoreParts): number {
  return roundScore(pointsOf(parts));
}
