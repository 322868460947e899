// The score, apart from how flags are found, so that its properties can be tested on their own.
import { roundScore } from '../contract.ts';

export interface ScoreParts {
  /** Flags whose type has a lifetime. */
  temporary: number;
  /** Stale flags, of any type (a permanent flag is stale when it is unused or undefined). */
  stale: number;
  /** Stale flags that are permanent: they join the denominator, so stale never exceeds it. */
  stalePermanent: number;
  /** Flag definitions in the repository, and how many of them declare no type, no owner. */
  definitions: number;
  untyped: number;
  unowned: number;
  typePenalty: number;
  ownerPenalty: number;
}

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The penalty for definitions without a type or an owner, proportional to their share. */
export function penaltyOf(p: Pick<ScoreParts, 'definitions' | 'untyped' | 'unowned' | 'typePenalty' | 'ownerPenalty'>): { type: number; owner: number } {
  if (p.definitions <= 0) return { type: 0, owner: 0 };
  return { type: p.typePenalty * clamp01(p.untyped / p.definitions), owner: p.ownerPenalty * clamp01(p.unowned / p.definitions) };
}

/** 10 × (1 − stale ÷ (temporary + stale permanent)), less the penalties, within 0–10. */
export function scoreOf(p: ScoreParts): number {
  const judged = p.temporary + p.stalePermanent;
  const base = judged > 0 ? 10 * (1 - clamp01(p.stale / judged)) : 10;
  const penalty = penaltyOf(p);
  return roundScore(base - penalty.type - penalty.owner);
}
