// npm run bench:hostile: times each check on inputs built to trigger super-linear behaviour
// (long lines, deep nesting, huge heredocs). Prints JSON; a case over 1 s is a regression to look at.
import { performance } from 'node:perf_hooks';
import type { CheckDefinition, ReadResult, RepoKindVerdict } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { runCheck } from '../crawler/run.ts';
import { buildSnapshot } from '../crawler/sources/snapshot.ts';
import { costTagsCases } from './hostile-cost-tags.ts';
import { dependencyFreshnessCases } from './hostile-dependency-freshness.ts';
import { rollbackPlanCases } from './hostile-rollback-plan.ts';
import { staleFlagsCases } from './hostile-stale-flags.ts';
import { separatedMigrationsCases } from './hostile-separated-migrations.ts';

const SERVICE: RepoKindVerdict = { kind: 'service', source: 'detected', evidence: [] };

function snapshotOf(files: Record<string, string>) {
  const entries = Object.entries(files).map(([path, text]) => ({ path, size: Buffer.byteLength(text), oid: path, kind: 'file' as const }));
  const contents = new Map<string, ReadResult>(Object.entries(files).map(([path, text]) => [path, { ok: true, text, truncated: false, encoding: 'utf-8', invalidBytes: false }]));
  return buildSnapshot({ identity: { host: 'bench', owner: 'bench', name: 'hostile', defaultBranch: 'main' }, head: { oid: '0'.repeat(40), date: '2026-11-01T00:00:00Z' }, files: entries, contents, historyComplete: true, commits: [], problems: [] });
}

const cases = [...rollbackPlanCases(), ...costTagsCases(), ...staleFlagsCases(), ...separatedMigrationsCases(), ...dependencyFreshnessCases()];
const results = [];
for (const testCase of cases) {
  const snapshot = snapshotOf(testCase.files);
  const timings: Record<string, number> = {};
  const statuses: Record<string, string> = {};
  for (const check of CHECKS as readonly CheckDefinition<unknown>[]) {
    const started = performance.now();
    const { outcome } = runCheck(check, snapshot, SERVICE, check.meta.options.parse({}), new Date('2026-11-15T00:00:00Z'));
    timings[check.id] = Math.round(performance.now() - started);
    statuses[check.id] = outcome.status;
  }
  results.push({ case: testCase.name, bytes: Object.values(testCase.files).reduce((n, t) => n + Buffer.byteLength(t), 0), ms: timings, status: statuses });
}
const slowest = Math.max(...results.flatMap((r) => Object.values(r.ms)));
process.stdout.write(JSON.stringify({ node: process.version, cases: results.length, slowestMs: slowest, results }, null, 2) + '\n');
