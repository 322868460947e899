import { CHECKS } from '../../checks/registry.ts';
import { Queries } from '../../data/queries.ts';

let queries: Queries | undefined;

export function db(): Queries {
  const file = process.env.SEAWORTHY_DB;
  if (!file) throw new Error('SEAWORTHY_DB is not set: build the site with "seaworthy build"');
  queries ??= new Queries(file);
  return queries;
}

export const siteTitle = (): string => process.env.SEAWORTHY_TITLE ?? 'Seaworthy';

/** A site path under the configured base. */
export function href(path: string): string {
  const base = import.meta.env.BASE_URL.replace(/\/+$/, '');
  return `${base}${path.startsWith('/') ? path : `/${path}`}`;
}

export const checks = CHECKS.map((c) => ({ id: c.id, title: c.meta.title, description: c.meta.description, weight: c.meta.weight, docsPath: c.docsPath }));

export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? '—' : score.toFixed(1);
}

export function scoreBand(score: number | null | undefined): 'good' | 'fair' | 'poor' | 'none' {
  if (score === null || score === undefined) return 'none';
  return score >= 8 ? 'good' : score >= 5 ? 'fair' : 'poor';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '—';
}

export const STATUS_LABEL: Record<string, string> = {
  pass: 'Pass',
  warn: 'Warn',
  fail: 'Fail',
  'not-applicable': 'N/A',
  error: 'Error',
  waived: 'Waived',
};
