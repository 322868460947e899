// The site's history (data/history.ts over data/snapshots.ts) against a plain computation from the
// live tables, on random organisations written through the real store: runs out of id order (as a
// backfill records them), repositories that come and go, teams that change, checks added later.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STATUSES, type Status } from '../checks/contract.ts';
import { repoLevel, teamLevel, type LevelDefinition } from '../data/levels.ts';
import { Queries, type StatusFlip } from '../data/queries.ts';
import { loadSnapshots } from '../data/snapshots.ts';
import { Store, type RepoResult } from '../data/store.ts';
import { tempDir } from './helpers.ts';

const LEVELS: LevelDefinition[] = [
  { name: 'Base', everyCheck: 3 },
  { name: 'High', everyCheck: 6, checks: { c2: 8 } },
];
const CHECK_IDS = ['c1', 'c2', 'c3'];
const TEAMS = ['red', 'blue'];
const REPOS = ['api', 'Web', 'lib', 'zed'];

const cell = fc.oneof(
  fc.constant(undefined),
  fc.record({ status: fc.constantFrom<Status>(...STATUSES), score: fc.integer({ min: 0, max: 100 }).map((n) => n / 10) }),
);
const repoRun = fc.option(fc.record({ team: fc.constantFrom<string | undefined>(undefined, ...TEAMS), checks: fc.tuple(cell, cell, cell) }), { nil: undefined });
const organisation = fc.array(fc.record({ day: fc.integer({ min: 1, max: 28 }), repos: fc.tuple(repoRun, repoRun, repoRun, repoRun) }), { minLength: 1, maxLength: 5 });

type Org = typeof organisation extends fc.Arbitrary<infer T> ? T : never;

function write(file: string, org: Org): void {
  const store = new Store(file);
  store.syncTeams(TEAMS.map((name) => ({ name, displayName: name.toUpperCase() })));
  org.forEach((run, i) => {
    // Days are not in id order: later runs may be older, as a backfill records them.
    const at = `2026-10-${String(run.day).padStart(2, '0')}T0${i}:00:00.000Z`;
    const runId = store.startRun({ startedAt: at, toolVersion: 't', config: {} });
    run.repos.forEach((repo, r) => {
      if (!repo) return;
      const results = repo.checks.flatMap((c, k) => {
        if (!c) return [];
        const scored = c.status !== 'not-applicable' && c.status !== 'waived' && c.status !== 'error';
        return [{ checkId: CHECK_IDS[k]!, checkVersion: 1, status: c.status, score: scored ? c.score : null, weight: 1, summary: 's', findings: [], durationMs: 0 }];
      });
      const scores = results.flatMap((x) => (x.score === null ? [] : [x.score]));
      const result: RepoResult = {
        repo: { key: `local/acme/${REPOS[r]}`, host: 'local', owner: 'acme', name: REPOS[r]!, webUrl: `https://example.com/acme/${REPOS[r]}` },
        team: repo.team,
        status: 'ok',
        head: { oid: `${i}${r}`.padEnd(40, '0'), date: at },
        problems: [],
        score: scores.length === 0 ? null : Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10,
        durationMs: 0,
        results,
      };
      store.writeRepoResult(runId, result, at);
    });
    store.finishRun(runId, { finishedAt: at, status: 'ok', repoCount: run.repos.filter(Boolean).length, errorCount: 0 });
  });
  store.close();
}

interface Row {
  runId: number;
  repoId: number;
  name: string;
  team: string | null;
  head: string | null;
  checks: Record<string, { status: Status; score: number | null }>;
}

/** The figures computed the plain way, one row at a time from the live tables. */
function naive(file: string, runOrder: number[]) {
  const db = new Database(file, { readonly: true });
  const rows = new Map<string, Row>();
  for (const r of db.prepare('SELECT rr.run_id AS runId, rr.repo_id AS repoId, r.name, t.name AS team, rr.head_oid AS head FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id').all() as Omit<Row, 'checks'>[]) {
    rows.set(`${r.runId}/${r.repoId}`, { ...r, checks: {} });
  }
  for (const c of db.prepare('SELECT run_id AS runId, repo_id AS repoId, check_id AS checkId, status, score FROM check_results').all() as { runId: number; repoId: number; checkId: string; status: Status; score: number | null }[]) {
    rows.get(`${c.runId}/${c.repoId}`)!.checks[c.checkId] = { status: c.status, score: c.score };
  }
  db.close();
  const ordered = [...rows.values()].sort((a, b) => runOrder.indexOf(a.runId) - runOrder.indexOf(b.runId));
  const flips: Omit<StatusFlip, 'slug' | 'webUrl'>[] = [];
  const last = new Map<string, { runId: number; status: Status; score: number | null; head: string | null }>();
  for (const row of ordered) {
    for (const [checkId, now] of Object.entries(row.checks)) {
      const key = `${row.repoId}/${checkId}`;
      const before = last.get(key);
      if (before && before.status !== now.status) {
        flips.push({ runId: row.runId, fromRunId: before.runId, repoId: row.repoId, name: row.name, team: row.team, checkId, fromStatus: before.status, toStatus: now.status, fromScore: before.score, toScore: now.score, fromHead: before.head, toHead: row.head });
      }
      last.set(key, { runId: row.runId, ...now, head: row.head });
    }
  }
  const key = (f: (typeof flips)[number]) => [runOrder.indexOf(f.runId), f.name.toLowerCase(), f.repoId, f.checkId] as const;
  flips.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  return { rows: [...rows.values()], flips };
}

describe('history from run snapshots', () => {
  const tmp = tempDir('sw-history-');
  afterAll(tmp.cleanup);
  let n = 0;

  it('gives the same counts, levels, scores and flips as a row-by-row computation', () => {
    fc.assert(
      fc.property(organisation, (org) => {
        const file = path.join(tmp.dir, `h${n++}.db`);
        write(file, org);
        const q = new Queries(file);
        try {
          const runs = q.runs().map((r) => r.id);
          const history = q.history(LEVELS);
          expect(q.computedSnapshots).toEqual([]);
          const plain = naive(file, runs);
          expect(history.flips.map(({ slug, webUrl, ...f }) => f)).toEqual(plain.flips);
          for (const runId of runs) {
            const inRun = plain.rows.filter((r) => r.runId === runId);
            for (const team of [...TEAMS, null]) {
              const own = inRun.filter((r) => r.team === team);
              for (const checkId of CHECK_IDS) {
                const statuses = own.flatMap((r) => (r.checks[checkId] ? [r.checks[checkId].status] : []));
                const counts = history.counts(runId, team, checkId);
                expect([counts.pass, counts.warn, counts.fail, counts.notApplicable, counts.error, counts.waived]).toEqual(STATUSES.map((s) => statuses.filter((x) => x === s).length));
                const scores = own.flatMap((r) => (r.checks[checkId]?.score != null ? [r.checks[checkId].score] : []));
                const mean = history.meanScore(runId, team, checkId);
                if (scores.length === 0) expect(mean).toBeNull();
                else expect(mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 9);
              }
              if (team !== null && own.length > 0) expect(history.teamLevels().get(runId)?.get(team)).toBe(teamLevel(own.map((r) => repoLevel(LEVELS, r.checks).index)));
            }
          }
          // A repository's own history matches the plain read of the live tables (a Queries without history).
          const plainQueries = new Queries(file);
          try {
            for (const repo of plainQueries.repositories(runs.at(-1)!)) {
              expect(history.repoRuns(repo.repoId)).toEqual(plainQueries.repoRuns(repo.repoId));
              expect(history.repoChecks(repo.repoId)).toEqual(plainQueries.repoCheckHistory(repo.repoId).map((c) => ({ ...c })));
            }
          } finally {
            plainQueries.close();
          }
        } finally {
          q.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('recomputes a snapshot that no longer matches its run, and fills missing ones when a run finishes', () => {
    const file = path.join(tmp.dir, 'stale.db');
    write(file, [
      { day: 1, repos: [{ team: 'red', checks: [{ status: 'fail', score: 2 }, undefined, undefined] }, undefined, undefined, undefined] },
      { day: 2, repos: [{ team: 'red', checks: [{ status: 'pass', score: 9 }, undefined, undefined] }, undefined, undefined, undefined] },
    ]);
    const store = new Store(file);
    // The first run written again after it finished (as a resumed or merged run might be): new result ids.
    store.writeRepoResult(1, { repo: { key: 'local/acme/api', host: 'local', owner: 'acme', name: 'api' }, team: 'red', status: 'ok', problems: [], score: 9, durationMs: 0, results: [{ checkId: 'c1', checkVersion: 1, status: 'pass', score: 9, weight: 1, summary: 's', findings: [], durationMs: 0 }] }, '2026-10-01T00:00:00Z');
    const loaded = loadSnapshots(store.db, [1, 2]);
    expect(loaded.computed).toEqual([1]);
    expect(loaded.snapshots.get(1)!.statuses[0]).toBe(STATUSES.indexOf('pass') + 1);
    const q = new Queries(file);
    expect(q.history(LEVELS).flips).toEqual([]);
    q.close();

    store.db.prepare('DELETE FROM run_snapshots').run();
    const runId = store.startRun({ startedAt: '2026-10-03T00:00:00Z', toolVersion: 't', config: {} });
    store.finishRun(runId, { finishedAt: '2026-10-03T00:00:00Z', status: 'ok', repoCount: 0, errorCount: 0 });
    expect(store.db.prepare('SELECT run_id FROM run_snapshots ORDER BY run_id').pluck().all()).toEqual([1, 2, 3]);
    expect(loadSnapshots(store.db, [1, 2, 3]).computed).toEqual([]);
    store.close();
  });
});
