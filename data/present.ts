// Pure helpers that shape stored results for reading: long reference lists folded, unchanged runs
// merged into spans, checks ordered by what to fix first.
import { RUNNER_RULES, ruleAnchor, type Severity, type Status } from '../checks/contract.ts';

export interface Reference {
  path: string;
  line: number | null;
}

/** A file reference as findings write them: a path (with a directory or an extension), optionally :line. */
const REFERENCE = /^((?:[\w@.+~-]+\/)+[\w@.+~-]+|[\w@+~-][\w@.+~-]*\.[A-Za-z][\w-]*)(?::(\d+))?$/;
/** Lists shorter than this read well inline. */
export const FOLD_REFERENCES_FROM = 5;

/**
 * Splits a message that ends in a list of file references ("…: a.ts:2, b/c.py:4 and 3 more") into
 * its text and the references, when the list is long enough to be worth folding; otherwise
 * returns the message whole (references: []).
 */
export function splitReferences(message: string): { text: string; references: Reference[]; more: number } {
  const whole = { text: message, references: [], more: 0 };
  const colon = message.lastIndexOf(': ');
  if (colon < 0) return whole;
  let tail = message.slice(colon + 2);
  let more = 0;
  const andMore = / and (\d+) more\.?$/.exec(tail);
  if (andMore) {
    more = Number(andMore[1]);
    tail = tail.slice(0, andMore.index);
  }
  const parts = tail.replace(/\.$/, '').split(', ');
  const references: Reference[] = [];
  for (const part of parts) {
    const match = REFERENCE.exec(part);
    if (!match) return whole;
    references.push({ path: match[1]!, line: match[2] === undefined ? null : Number(match[2]) });
  }
  if (references.length + more < FOLD_REFERENCES_FROM) return whole;
  return { text: message.slice(0, colon + 1), references, more };
}

export interface Span<T> {
  /** Index of the first and last point the span covers. */
  first: number;
  last: number;
  values: T;
}

/** Consecutive points merged into spans while `sameAsBefore(i)` says point i equals point i − 1; oldest first. */
export function spans<T>(points: readonly T[], sameAsBefore: (index: number) => boolean): Span<T>[] {
  const out: Span<T>[] = [];
  points.forEach((point, i) => {
    const open = out.at(-1);
    if (open && sameAsBefore(i)) open.last = i;
    else out.push({ first: i, last: i, values: point });
  });
  return out;
}

const URGENCY: Record<Status, number> = { fail: 0, error: 1, warn: 2, waived: 3, pass: 4, 'not-applicable': 5 };

/**
 * What to read first on a repository page: failing, then unreadable, warning, waived, passing and
 * not-applicable results; within a status, the one whose fix would add most to the score (weight ×
 * points missing) first.
 */
export function byUrgency<R extends { checkId: string; status: Status; score: number | null; weight: number }>(results: readonly R[]): R[] {
  const missing = (r: R) => (r.score === null ? 0 : r.weight * (10 - r.score));
  return [...results].sort((a, b) => URGENCY[a.status] - URGENCY[b.status] || missing(b) - missing(a) || a.checkId.localeCompare(b.checkId));
}

const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

/**
 * The rule to fix first among a check's findings: the most severe one broken, then the one with
 * most findings at that severity, then the check's own rules before the runner's (an expired
 * waiver), then by id. Info findings break no rule; findings stored before rules existed have none.
 */
export function worstRule(findings: Iterable<{ rule: string | null; severity: Severity }>): string | undefined {
  const tally = new Map<string, { rank: number; count: number }>();
  for (const f of findings) {
    const rank = SEVERITY_RANK[f.severity];
    if (f.rule === null || rank === 0) continue;
    const seen = tally.get(f.rule);
    if (!seen || rank > seen.rank) tally.set(f.rule, { rank, count: 1 });
    else if (rank === seen.rank) seen.count++;
  }
  const runner = (rule: string) => (rule.slice(rule.lastIndexOf('/') + 1) in RUNNER_RULES ? 1 : 0);
  return [...tally].sort(([a, x], [b, y]) => y.rank - x.rank || y.count - x.count || runner(a) - runner(b) || a.localeCompare(b))[0]?.[0];
}

/** A check page's "How to fix" for a rule (its subsection), or the whole section without one. */
export function fixPath(docsPath: string, rule: string | null | undefined): string {
  return `${docsPath}#${rule ? ruleAnchor(rule) : 'how-to-fix'}`;
}
