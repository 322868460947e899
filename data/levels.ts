// Levels (Bronze, Silver, Gold by default): pure rules over a repository's check results, shared by
// the site and the exports. Every rule here is monotone: raising a score never lowers a level.
import type { Status } from '../checks/contract.ts';

export interface LevelDefinition {
  name: string;
  description?: string;
  /** Minimum score for every check judged for the repository. */
  everyCheck?: number;
  /** Minimum score per check id; overrides everyCheck for that check. */
  checks?: Record<string, number | undefined>;
}

export interface LevelResult {
  status: Status;
  score: number | null;
}

/** Why a requirement is not met, for the "what blocks the next level" lists. */
export interface Shortfall {
  level: string;
  checkId: string;
  minimum: number;
  status: Status;
  score: number | null;
}

export interface RepoLevel {
  /** Index into the level list of the highest level reached; -1 when none. null when unrated. */
  index: number | null;
  /** What keeps the repository from the next level (empty at the top, or when unrated). */
  blocking: Shortfall[];
}

/**
 * Met: not-applicable (nothing to judge), or a score at or above the minimum.
 * Never met: waived (a waiver is not a pass), error (could not judge), a score below the minimum.
 * A check without a result for the repository (disabled, or added after that crawl) is not required.
 */
export function meetsMinimum(result: LevelResult, minimum: number): boolean {
  if (result.status === 'not-applicable') return true;
  if (result.status === 'waived' || result.status === 'error' || result.score === null) return false;
  return result.score >= minimum;
}

/** The minimum each judged check must reach for a level. */
export function requirements(level: LevelDefinition, checkIds: Iterable<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const id of checkIds) {
    const minimum = level.checks?.[id] ?? level.everyCheck;
    if (minimum !== undefined) out.set(id, minimum);
  }
  return out;
}

function shortfalls(level: LevelDefinition, results: Readonly<Record<string, LevelResult | undefined>>): Shortfall[] {
  const out: Shortfall[] = [];
  for (const [checkId, minimum] of requirements(level, Object.keys(results))) {
    const result = results[checkId];
    if (result && !meetsMinimum(result, minimum)) out.push({ level: level.name, checkId, minimum, status: result.status, score: result.score });
  }
  return out;
}

/** A repository with nothing judged (every result not-applicable, or none) has no level: it is unrated. */
export function isRated(results: Readonly<Record<string, LevelResult | undefined>>): boolean {
  return Object.values(results).some((r) => r !== undefined && r.status !== 'not-applicable');
}

/**
 * Levels are cumulative, listed lowest first: a repository reaches a level when it meets that level's
 * requirements and those of every level below it.
 */
export function repoLevel(levels: readonly LevelDefinition[], results: Readonly<Record<string, LevelResult | undefined>>): RepoLevel {
  if (!isRated(results)) return { index: null, blocking: [] };
  let index = -1;
  for (const level of levels) {
    const missing = shortfalls(level, results);
    if (missing.length > 0) return { index, blocking: missing };
    index++;
  }
  return { index, blocking: [] };
}

/**
 * A team's level: the highest level that most (more than half) of its rated repositories reach.
 * Unrated repositories do not vote; a team without a rated repository is unrated (null).
 */
export function teamLevel(repoLevels: readonly (number | null)[]): number | null {
  const rated = repoLevels.filter((l): l is number => l !== null).sort((a, b) => b - a);
  if (rated.length === 0) return null;
  // Counting from the top, the repository just past the halfway mark: more than half are at or above its level.
  return rated[Math.floor(rated.length / 2)]!;
}

export function levelName(levels: readonly LevelDefinition[], index: number | null): string {
  if (index === null) return 'Unrated';
  if (index < 0) return 'No level';
  return levels[index]?.name ?? 'No level';
}

export const DEFAULT_LEVELS: LevelDefinition[] = [
  { name: 'Bronze', description: 'No check scores below 4: the basics exist everywhere.', everyCheck: 4 },
  { name: 'Silver', description: 'Every check scores 6 or more.', everyCheck: 6 },
  { name: 'Gold', description: 'Every check scores 8 or more: production-ready throughout.', everyCheck: 8 },
];
