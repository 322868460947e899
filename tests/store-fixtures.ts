// Databases for initiative, news and digest tests, written through the real store.
import type { Status } from '../checks/contract.ts';
import type { CheckInfo } from '../data/scorecard.ts';
import { Store, type RepoResult } from '../data/store.ts';

export const CATALOG: CheckInfo[] = [
  { id: 'c1', title: 'Check one', description: '', category: 'operability', defaultWeight: 1, docsPath: '/checks/c1/' },
  { id: 'c2', title: 'Check two', description: '', category: 'delivery', defaultWeight: 1, docsPath: '/checks/c2/' },
];

type Spec = Record<string, [Status, number | null, { reason: string; expires: string }?]>;

/** A repository's result; failing and warning results break c?/broken-rule, plus c?/minor-rule when marked. */
export function repo(name: string, team: string | undefined, checks: Spec, extra: Partial<RepoResult> & { minor?: boolean } = {}): RepoResult {
  const { minor, ...rest } = extra;
  const results = Object.entries(checks).map(([checkId, [status, score, waiver]]) => ({
    checkId,
    checkVersion: 1,
    status,
    score,
    weight: 1,
    summary: `${checkId} ${status}`,
    findings:
      status === 'fail' || status === 'warn'
        ? [
            ...(minor ? [] : [{ rule: `${checkId}/broken-rule`, severity: 'high' as const, message: 'bad' }]),
            { rule: `${checkId}/minor-rule`, severity: 'low' as const, message: 'minor' },
          ]
        : [],
    waiver,
    durationMs: 1,
  }));
  const scored = results.filter((r) => r.score !== null && r.status !== 'waived');
  return {
    repo: { key: `local/acme/${name}`, host: 'local', owner: 'acme', name },
    team,
    status: 'ok',
    head: { oid: 'a'.repeat(40), date: '2026-10-01T00:00:00Z' },
    kind: { kind: 'service', source: 'detected', evidence: [] },
    problems: [],
    score: scored.length === 0 ? null : Math.round((scored.reduce((s, r) => s + r.score!, 0) / scored.length) * 10) / 10,
    durationMs: 1,
    results,
    ...rest,
  };
}

export function writeRuns(dbPath: string, runs: [string, RepoResult[]][], teams = [{ name: 'alpha', displayName: 'Alpha' }, { name: 'beta', displayName: 'Beta' }]): void {
  const store = new Store(dbPath);
  store.syncTeams(teams);
  for (const [day, results] of runs) {
    const runId = store.startRun({ startedAt: `${day}T02:00:00.000Z`, toolVersion: 'test', config: {} });
    store.recordRunTeams(runId, teams.map((t) => t.name));
    for (const r of results) store.writeRepoResult(runId, r, `${day}T02:00:01.000Z`);
    store.finishRun(runId, { finishedAt: `${day}T02:05:00.000Z`, status: 'ok', repoCount: results.length, errorCount: 0 });
  }
  store.close();
}

