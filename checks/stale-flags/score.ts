// The score, apart from how flags are found, so that its properties can be tested on their own.
import { roundScore } from '../contract.ts';

export interface ScoreParts {
  /** Flags judged: those whose type has a lifetime, and permanent ones that are stale (unused, undefined). */
  judged: number;
  /** Stale flags, of any type: some evidence shows they served their purpose. */
  stale: number;
  /** Flags old without evidence that they are stale: a warning, weighed at AGING_WEIGHT of a stale one. */
  aging: number;
  /** Flags whose age could not be judged: weighed at UNKNOWN_WEIGHT, so that what was not judged never counts as fine. */
  unknown?: number;
  /** Commits in the history read that remove flags: the team's practice of removing them (REMOVAL_BONUS from two). */
  removals?: number;
  /** Flag definitions in the repository, and how many of them declare no type, no owner. */
  definitions: number;
  untyped: number;
  unowned: number;
  typePenalty: number;
  ownerPenalty: number;
  /**
   * The lowest score when no flag is stale: old flags and flags of unknown age alone are a warning,
   * never a failure (the check's `warnAt`). Staleness needs evidence.
   */
  floorWithoutStale?: number;
}

/** An aging flag counts for this much of a stale one. */
export const AGING_WEIGHT = 0.4;
/**
 * A flag of unknown age counts for this much of a stale one, three quarters of an aging one: on the
 * calibration corpus, flags whose age the history read could not reach were mostly old when experts
 * dated them, so what could not be judged weighs nearly as much as what is old.
 */
export const UNKNOWN_WEIGHT = 0.3;
/** Points for a team that is seen removing flags (two commits or more in the history read). */
export const REMOVAL_BONUS = 1;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/** The penalty for definitions without a type or an owner, proportional to their share. */
export function penaltyOf(p: Pick<ScoreParts, 'definitions' | 'untyped' | 'unowned' | 'typePenalty' | 'ownerPenalty'>): { type: number; owner: number } {
  if (p.definitions <= 0) return { type: 0, owner: 0 };
  return { type: p.typePenalty * clamp01(p.untyped / p.definitions), owner: p.ownerPenalty * clamp01(p.unowned / p.definitions) };
}

/**
 * The share of flags that are stale (aging ones weighed less), with one flag's worth of doubt added
 * to the denominator so that one stale flag of one is not the end of the scale.
 */
export function staleShare(p: Pick<ScoreParts, 'judged' | 'stale' | 'aging' | 'unknown'>): number {
  const unknown = Math.max(0, p.unknown ?? 0);
  const judged = Math.max(p.judged, p.stale + p.aging + unknown);
  return clamp01((p.stale + AGING_WEIGHT * Math.max(0, p.aging) + UNKNOWN_WEIGHT * unknown) / (judged + 1));
}

/**
 * 10 − 12 × share up to half the flags stale (4 at half), then 4 points over the other half, less
 * the penalties, plus a point for a team seen removing flags, within 0–10; never under
 * `floorWithoutStale` when no flag is stale. Experts give partial credit: half the flags stale is a 4, not a 5
 * minus nothing, and every flag stale is a 2, not a 0.
 */
export function scoreOf(p: ScoreParts): number {
  const share = staleShare(p);
  const base = share <= 0.5 ? 10 - 12 * share : 4 - 4 * (share - 0.5);
  const penalty = penaltyOf(p);
  const bonus = (p.removals ?? 0) >= 2 ? REMOVAL_BONUS : 0;
  const score = base - penalty.type - penalty.owner + bonus;
  return roundScore(p.stale <= 0 && p.floorWithoutStale !== undefined ? Math.max(score, Math.min(10, p.floorWithoutStale)) : score);
}
