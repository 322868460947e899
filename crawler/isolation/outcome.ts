// Running one check in the thread that calls it: the contract's validation of what `run` returns.
// The worker threads (./worker.ts) call this; so do tests and benchmarks that want no thread.
import { performance } from 'node:perf_hooks';
import { SEVERITIES, STATUSES, ruleId, type CheckDefinition, type CheckOutcome, type ExternalFacts, type RepoKindVerdict, type RepoSnapshot } from '../../checks/contract.ts';
import { inWarningScope } from '../warnings.ts';

type AnyCheck = CheckDefinition<unknown>;

/** Rejects outcomes that break the contract, so a buggy check shows as `error`, never as a score. */
export function validateOutcome(outcome: CheckOutcome, rules: Readonly<Record<string, unknown>>): string | undefined {
  if (!outcome || typeof outcome !== 'object') return 'returned no outcome';
  if (!STATUSES.includes(outcome.status) || (outcome.status as string) === 'waived') return `returned unknown status ${JSON.stringify(outcome.status)}`;
  if (outcome.score !== null && !(typeof outcome.score === 'number' && outcome.score >= 0 && outcome.score <= 10)) return `returned score ${String(outcome.score)} outside 0–10`;
  if ((outcome.status === 'not-applicable' || outcome.status === 'error') && outcome.score !== null) return `returned a score with status ${outcome.status}`;
  if (typeof outcome.summary !== 'string') return 'returned no summary';
  if (!Array.isArray(outcome.findings)) return 'returned findings that are not a list';
  for (const f of outcome.findings) {
    if (!f || !SEVERITIES.includes(f.severity) || typeof f.message !== 'string') return 'returned a malformed finding';
    if (typeof f.rule !== 'string' || !Object.hasOwn(rules, f.rule)) return `returned a finding with ${typeof f.rule === 'string' ? `the undeclared rule ${JSON.stringify(f.rule)}` : 'no rule'} (declared: ${Object.keys(rules).join(', ') || 'none'})`;
    if (f.path !== undefined && typeof f.path !== 'string') return 'returned a finding whose path is not a string';
    if (f.line !== undefined && !(Number.isInteger(f.line) && f.line > 0)) return 'returned a finding whose line is not a positive integer';
  }
  return undefined;
}

export const NO_FACTS: ExternalFacts = { packages: new Map() };

/** Runs a check and validates its outcome; the findings come back with their rule ids (`<check-id>/<rule>`). */
export function runCheck(check: AnyCheck, snapshot: RepoSnapshot, kind: RepoKindVerdict, options: unknown, now: Date, facts: ExternalFacts = NO_FACTS): { outcome: CheckOutcome; durationMs: number } {
  const started = performance.now();
  let outcome: CheckOutcome;
  try {
    outcome = inWarningScope({ check: check.id }, () => check.run(snapshot, { options, kind, now, facts }));
    const problem = validateOutcome(outcome, check.meta.rules);
    if (problem) outcome = { status: 'error', score: null, summary: `check ${check.id} ${problem}`, findings: [] };
    // Only the contract's fields travel on: a check cannot smuggle anything else into the store.
    else outcome = { status: outcome.status, score: outcome.score, summary: outcome.summary, findings: outcome.findings.map((f) => ({ rule: ruleId(check.id, f.rule), severity: f.severity, message: f.message, ...(f.path !== undefined ? { path: f.path } : {}), ...(f.line !== undefined ? { line: f.line } : {}) })) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    outcome = { status: 'error', score: null, summary: `check ${check.id} crashed: ${message}`, findings: [] };
  }
  return { outcome, durationMs: performance.now() - started };
}
