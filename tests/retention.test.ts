import fc from 'fast-check';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { isoWeek, pruneFindings, runsToPrune } from '../data/retention.ts';
import { Store, type RepoResult } from '../data/store.ts';
import { tempDir } from './helpers.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-15T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();

describe('isoWeek', () => {
  it('follows ISO 8601 across year boundaries', () => {
    expect(isoWeek(new Date('2026-01-01T00:00:00Z'))).toBe('2026-W01');
    expect(isoWeek(new Date('2024-12-30T10:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(new Date('2027-01-01T23:59:00Z'))).toBe('2026-W53');
    expect(isoWeek(new Date('2026-11-15T12:00:00Z'))).toBe('2026-W46');
    expect(isoWeek(new Date('2026-11-16T00:00:00Z'))).toBe('2026-W47');
  });
});

describe('retention settings', () => {
  const config = (retention: string) => parseConfig(`sources:\n  - {type: local, paths: [x]}\nretention: ${retention}\n`, 'seaworthy.config.yaml');

  it('refuses weekly detail that would end before the daily detail does', () => {
    expect(config('{dailyDays: 90, weeklyDays: 730}').retention).toEqual({ enabled: true, dailyDays: 90, weeklyDays: 730 });
    expect(config('{dailyDays: 90}').retention.weeklyDays).toBe(0);
    expect(() => config('{dailyDays: 90, weeklyDays: 60}')).toThrow(/seaworthy\.config\.yaml:3: retention\.weeklyDays: .*0 \(weekly detail for ever\) or more than dailyDays/);
    expect(() => config('{dailyDays: 90, weeklyDays: 90}')).toThrow(/more than dailyDays/);
  });
});

describe('which runs lose their findings', () => {
  const run = fc.record({ ageDays: fc.integer({ min: 0, max: 800 }), minutes: fc.integer({ min: 0, max: 1439 }), status: fc.constantFrom('ok', 'partial', 'failed', 'running') });

  it('keeps every run for dailyDays, one good run per older week, and never a running one', () => {
    fc.assert(
      fc.property(fc.array(run, { maxLength: 120 }), fc.integer({ min: 1, max: 200 }), fc.constantFrom(0, 365), (specs, dailyDays, weeklyDays) => {
        const runs = specs.map((s, i) => ({ id: i + 1, date: new Date(NOW.getTime() - s.ageDays * DAY - s.minutes * 60_000).toISOString(), status: s.status }));
        const { prune } = runsToPrune(runs, { dailyDays, weeklyDays }, NOW);
        const pruned = new Set(prune);
        for (const r of runs) {
          const age = (NOW.getTime() - Date.parse(r.date)) / DAY;
          if (age <= dailyDays || r.status === 'running') expect(pruned.has(r.id)).toBe(false);
        }
        // Each older week keeps exactly its latest good run (while weekly detail lasts), and nothing else.
        const kept = new Map<string, number[]>();
        for (const r of runs) {
          const age = (NOW.getTime() - Date.parse(r.date)) / DAY;
          if (age <= dailyDays || r.status === 'running' || pruned.has(r.id)) continue;
          expect(['ok', 'partial']).toContain(r.status);
          if (weeklyDays > 0) expect(age).toBeLessThanOrEqual(weeklyDays);
          kept.set(isoWeek(new Date(r.date)), [...(kept.get(isoWeek(new Date(r.date))) ?? []), r.id]);
        }
        for (const ids of kept.values()) expect(ids).toHaveLength(1);
        // The same choice whatever order the database lists the runs in.
        expect(new Set(runsToPrune([...runs].reverse(), { dailyDays, weeklyDays }, NOW).prune)).toEqual(pruned);
      }),
    );
  });
});

function result(name: string, score: number, status: 'ok' | 'error' = 'ok'): RepoResult {
  return {
    repo: { key: `local/acme/${name}`, host: 'local', owner: 'acme', name },
    status,
    ...(status === 'error' ? { error: 'the repository has no commits' } : {}),
    problems: [],
    score: status === 'ok' ? score : null,
    durationMs: 5,
    head: { oid: 'a'.repeat(40), date: '2026-01-01T00:00:00Z' },
    results: [
      { checkId: 'runbooks', checkVersion: 1, status: status === 'ok' ? 'warn' : 'error', score: status === 'ok' ? score : null, weight: 3, summary: 's', durationMs: 1, findings: status === 'ok' ? [{ rule: 'runbooks/no-runbook', severity: 'high', message: `${name} finding`, path: 'RUNBOOK.md', line: 3 }, { rule: 'runbooks/runbook-incomplete', severity: 'low', message: 'second', path: 'a.yaml', line: 1 }] : [] },
    ],
  };
}

describe('pruning a database of 200 nightly runs', () => {
  const tmp = tempDir('sw-retention-');
  afterAll(tmp.cleanup);

  function build(file: string) {
    const store = new Store(file);
    const runIds: number[] = [];
    // Day 200 ago to today, one run a day. "steady" is judged every night; "flaky" could not be read
    // for the last 120 days; "carried" was judged 150 days ago and carried forward since.
    for (let age = 200; age >= 0; age--) {
      const runId = store.startRun({ startedAt: daysAgo(age), toolVersion: 't', config: {} });
      runIds.push(runId);
      store.writeRepoResult(runId, result('steady', age % 10), daysAgo(age));
      store.writeRepoResult(runId, age > 120 ? result('flaky', 5) : result('flaky', 0, 'error'), daysAgo(age));
      if (age >= 150) store.writeRepoResult(runId, result('carried', 7), daysAgo(age));
      else store.carryForward(runId, 'local/acme/carried', store.previousResult(runId, 'local/acme/carried')!, { checkIds: ['runbooks'], crawledAt: daysAgo(age) });
      store.finishRun(runId, { finishedAt: daysAgo(age), status: 'partial', repoCount: 3, errorCount: age > 120 ? 0 : 1 });
    }
    return { store, runIds };
  }

  const findingsOf = (store: Store, runId: number, repo: string) =>
    store.db.prepare('SELECT COUNT(*) FROM findings f JOIN check_results cr ON cr.id = f.result_id JOIN repositories r ON r.id = cr.repo_id WHERE cr.run_id = ? AND r.name = ?').pluck().get(runId, repo) as number;
  const runAt = (runIds: number[], age: number) => runIds[200 - age]!;

  it('deletes old findings but keeps scores, weekly detail, latest good results and carried origins', () => {
    const { store, runIds } = build(path.join(tmp.dir, 'r.db'));
    const db = store.db;
    const counts = () => db.prepare('SELECT (SELECT COUNT(*) FROM runs), (SELECT COUNT(*) FROM repo_runs), (SELECT COUNT(*) FROM check_results), (SELECT SUM(score) FROM check_results), (SELECT SUM(score) FROM repo_runs)').raw().get();
    const before = counts();
    const dry = pruneFindings(db, { dailyDays: 90, weeklyDays: 0 }, { now: NOW, dryRun: true });
    expect(db.prepare('SELECT COUNT(*) FROM findings').pluck().get()).toBe(2 * (201 + 80 + 201));
    const report = pruneFindings(db, { dailyDays: 90, weeklyDays: 0 }, { now: NOW });
    expect(report).toEqual(dry);
    expect(counts()).toEqual(before);

    for (let age = 0; age <= 90; age++) expect(findingsOf(store, runAt(runIds, age), 'steady'), `day -${age}`).toBe(2);
    const weeks = new Map<string, number[]>();
    for (let age = 91; age <= 200; age++) {
      const week = isoWeek(new Date(daysAgo(age)));
      weeks.set(week, [...(weeks.get(week) ?? []), age]);
    }
    for (const [week, ages] of weeks) {
      const youngest = Math.min(...ages);
      for (const age of ages) expect(findingsOf(store, runAt(runIds, age), 'steady'), `${week} day -${age}`).toBe(age === youngest ? 2 : 0);
    }
    expect(report.weeklyKept).toBe(weeks.size);
    // flaky's last good result (121 days ago) stays whole: a later crawl copies it as a stale stand-in.
    expect(findingsOf(store, runAt(runIds, 121), 'flaky')).toBe(2);
    expect(store.previousResult(runAt(runIds, 0) + 1, 'local/acme/flaky')?.runId).toBe(runAt(runIds, 121));
    // carried: the run that judged it (150 days ago) is named by carried_from_run and stays whole.
    expect(findingsOf(store, runAt(runIds, 150), 'carried')).toBe(2);
    expect(findingsOf(store, runAt(runIds, 0), 'carried')).toBe(2);
    expect(db.prepare('SELECT COUNT(*) FROM runs WHERE findings_pruned_at IS NOT NULL').pluck().get()).toBe(110 - weeks.size);

    const again = pruneFindings(db, { dailyDays: 90, weeklyDays: 0 }, { now: NOW });
    expect(again.findingsDeleted).toBe(0);
    store.close();
  });

  it('drops weekly detail after weeklyDays, still never the protected results', () => {
    const { store, runIds } = build(path.join(tmp.dir, 'w.db'));
    pruneFindings(store.db, { dailyDays: 30, weeklyDays: 100 }, { now: NOW });
    for (let age = 101; age <= 200; age++) expect(findingsOf(store, runAt(runIds, age), 'steady'), `day -${age}`).toBe(0);
    expect(findingsOf(store, runAt(runIds, 121), 'flaky')).toBe(2);
    expect(findingsOf(store, runAt(runIds, 150), 'carried')).toBe(2);
    expect(findingsOf(store, runAt(runIds, 30), 'steady')).toBe(2);
    store.close();
  });

  it('keeps what the site shows when the nightly stopped long ago, and prunes nothing more when run again', () => {
    const { store, runIds } = build(path.join(tmp.dir, 'stopped.db'));
    const later = new Date(NOW.getTime() + 400 * DAY);
    const first = pruneFindings(store.db, { dailyDays: 30, weeklyDays: 100 }, { now: later });
    expect(first.findingsDeleted).toBeGreaterThan(0);
    // The newest run is what the site shows: every repository of it keeps its detail.
    for (const repo of ['steady', 'carried']) expect(findingsOf(store, runAt(runIds, 0), repo), repo).toBe(2);
    expect(findingsOf(store, runAt(runIds, 1), 'steady')).toBe(0);
    expect(findingsOf(store, runAt(runIds, 121), 'flaky')).toBe(2);
    expect(findingsOf(store, runAt(runIds, 150), 'carried')).toBe(2);
    const again = pruneFindings(store.db, { dailyDays: 30, weeklyDays: 100 }, { now: later });
    expect(again.findingsDeleted).toBe(0);
    store.close();
  });
});
