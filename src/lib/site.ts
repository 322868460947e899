import { CHECKS } from '../../checks/registry.ts';
import { Queries } from '../../data/queries.ts';
import type { InitiativeDefinition } from '../../data/initiatives.ts';
import { DEFAULT_LEVELS, type LevelDefinition } from '../../data/levels.ts';
import { SHARED_SCORECARD, Scorecard, type CheckInfo } from '../../data/scorecard.ts';

let queries: Queries | undefined;
let card: Scorecard | undefined;

export function db(): Queries {
  const file = process.env.SEAWORTHY_DB;
  if (!file) throw new Error('SEAWORTHY_DB is not set: build the site with "seaworthy build"');
  queries ??= new Queries(file);
  return queries;
}

/** Levels come from the configuration (crawler/site.ts passes them); the defaults otherwise. */
function levels(): LevelDefinition[] {
  const raw = process.env.SEAWORTHY_LEVELS;
  return raw ? (JSON.parse(raw) as LevelDefinition[]) : DEFAULT_LEVELS;
}

/** Initiatives come from the configuration like levels; none otherwise. */
function initiatives(): InitiativeDefinition[] {
  const raw = process.env.SEAWORTHY_INITIATIVES;
  return raw ? (JSON.parse(raw) as InitiativeDefinition[]) : [];
}

export const catalog: CheckInfo[] = CHECKS.map((c) => ({ id: c.id, title: c.meta.title, description: c.meta.description, category: c.meta.category, defaultWeight: c.meta.weight, docsPath: c.docsPath }));

/** Everything pages show, memoised for the whole build: the one `seaworthy build` computed, else our own. */
export function scorecard(): Scorecard {
  return (card ??= ((globalThis as Record<symbol, unknown>)[SHARED_SCORECARD] as Scorecard | undefined) ?? new Scorecard(db(), levels(), catalog, { initiatives: initiatives() }));
}

export const siteTitle = (): string => process.env.SEAWORTHY_TITLE ?? 'Seaworthy';

/**
 * A site path under the configured base. The build passes the base explicitly: import.meta.env.BASE_URL
 * can be overridden by a BASE_URL variable inherited from the environment (test runners set one).
 */
export function href(path: string): string {
  const base = (process.env.SEAWORTHY_BASE ?? import.meta.env.BASE_URL).replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(1);
}

export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined) return '—';
  if (change === 0) return '±0.0';
  return `${change > 0 ? '+' : '−'}${Math.abs(change).toFixed(1)}`;
}

/** Text that says the direction in words, so colour is never the only signal. */
export function changeWords(change: number | null | undefined): string {
  if (change === null || change === undefined) return 'no earlier score';
  if (change === 0) return 'unchanged';
  return change > 0 ? 'up' : 'down';
}

export function changeClass(change: number | null | undefined): string {
  return change === null || change === undefined || change === 0 ? 'chg-flat' : change > 0 ? 'chg-up' : 'chg-down';
}

export function scoreBand(score: number | null | undefined): 'good' | 'fair' | 'poor' | 'none' {
  if (score === null || score === undefined) return 'none';
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

export function formatPercent(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

export const STATUS_LABEL: Record<string, string> = {
  pass: 'Pass',
  warn: 'Warn',
  fail: 'Fail',
  'not-applicable': 'N/A',
  error: 'Error',
  waived: 'Waived',
};

export const OWNER_SOURCE_LABEL: Record<string, string> = {
  config: 'the configuration (teams[].repos)',
  'github-team': 'the GitHub team with access',
  codeowners: 'CODEOWNERS',
  'catalog-info': 'catalog-info.yaml (spec.owner)',
};
