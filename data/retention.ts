// Retention: findings (the per-line detail) of old runs are deleted, scores and statuses never.
// Every run keeps its findings for `dailyDays`; after that the last good run of each ISO week keeps
// them (for `weeklyDays`, 0 = for ever) and the others lose them. Whatever a reader or a later crawl
// still needs is never pruned: each repository's latest good result, its row in the latest finished
// run, and the rows that kept results (carried or stale copies) name in carried_from_run.
import type { Db } from './db.ts';

export interface RetentionPolicy {
  dailyDays: number;
  /** 0: weekly detail is kept for ever. */
  weeklyDays: number;
}

export interface PruneReport {
  /** Runs that lost findings in this pass. */
  runsPruned: number;
  findingsDeleted: number;
  /** Runs past dailyDays kept whole as their week's detail. */
  weeklyKept: number;
  /** Repository results kept whole in runs that were otherwise pruned. */
  protectedKept: number;
}

const DAY_MS = 86_400_000;

/** "2026-W46": the ISO week of a UTC date. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

interface RunDate {
  id: number;
  date: string;
  status: string;
}

/** Runs whose findings may go under `policy` at `now` (running runs are never candidates: they may be resumed). */
export function runsToPrune(runs: RunDate[], policy: RetentionPolicy, now: Date): { prune: number[]; weeklyKept: number } {
  const weekly = new Map<string, RunDate>();
  for (const run of runs) {
    if (run.status !== 'ok' && run.status !== 'partial') continue;
    const week = isoWeek(new Date(run.date));
    const best = weekly.get(week);
    if (!best || run.date > best.date || (run.date === best.date && run.id > best.id)) weekly.set(week, run);
  }
  const representatives = new Set([...weekly.values()].map((r) => r.id));
  const prune: number[] = [];
  let weeklyKept = 0;
  for (const run of runs) {
    if (run.status === 'running') continue;
    const ageDays = (now.getTime() - Date.parse(run.date)) / DAY_MS;
    if (ageDays <= policy.dailyDays) continue;
    if (representatives.has(run.id) && (policy.weeklyDays === 0 || ageDays <= policy.weeklyDays)) {
      weeklyKept++;
      continue;
    }
    prune.push(run.id);
  }
  return { prune, weeklyKept };
}

export function pruneFindings(db: Db, policy: RetentionPolicy, options: { now?: Date; dryRun?: boolean } = {}): PruneReport {
  const now = options.now ?? new Date();
  return db
    .transaction((): PruneReport => {
      const runs = db.prepare('SELECT id, COALESCE(as_of, started_at) AS date, status FROM runs').all() as RunDate[];
      const { prune, weeklyKept } = runsToPrune(runs, policy, now);
      db.exec('CREATE TEMP TABLE IF NOT EXISTS protected_results (run_id INTEGER NOT NULL, repo_id INTEGER NOT NULL, PRIMARY KEY (run_id, repo_id)) WITHOUT ROWID');
      db.exec('DELETE FROM temp.protected_results');
      db.exec(`
        INSERT OR IGNORE INTO temp.protected_results (run_id, repo_id)
          -- the latest good result of each repository, as carry-forward and stale marks look for it
          SELECT MAX(rr.run_id), rr.repo_id FROM repo_runs rr JOIN runs ru ON ru.id = rr.run_id
          WHERE rr.status = 'ok' AND rr.stale_reason IS NULL AND ru.as_of IS NULL GROUP BY rr.repo_id
          UNION
          -- the same among finished runs, and among every run (a fleet only ever backfilled)
          SELECT MAX(rr.run_id), rr.repo_id FROM repo_runs rr JOIN runs ru ON ru.id = rr.run_id
          WHERE rr.status = 'ok' AND rr.stale_reason IS NULL AND ru.status IN ('ok', 'partial') AND ru.as_of IS NULL GROUP BY rr.repo_id
          UNION
          SELECT MAX(rr.run_id), rr.repo_id FROM repo_runs rr WHERE rr.status = 'ok' AND rr.stale_reason IS NULL GROUP BY rr.repo_id
          UNION
          -- what the site shows now
          SELECT rr.run_id, rr.repo_id FROM repo_runs rr
          WHERE rr.run_id = (SELECT id FROM runs WHERE status IN ('ok', 'partial') ORDER BY started_at DESC, id DESC LIMIT 1)
      `);
      // The run that really judged a carried or stale result that is itself kept: origins of results
      // that lose their own detail may go too, or one carried night would pin its origin for ever.
      db.exec('CREATE TEMP TABLE IF NOT EXISTS pruned_runs (id INTEGER PRIMARY KEY)');
      db.exec('DELETE FROM temp.pruned_runs');
      const addPruned = db.prepare('INSERT INTO temp.pruned_runs (id) VALUES (?)');
      for (const id of prune) addPruned.run(id);
      db.exec(`
        INSERT OR IGNORE INTO temp.protected_results (run_id, repo_id)
          SELECT rr.carried_from_run, rr.repo_id FROM repo_runs rr
          WHERE rr.carried_from_run IS NOT NULL
            AND (rr.run_id NOT IN (SELECT id FROM temp.pruned_runs)
              OR EXISTS (SELECT 1 FROM temp.protected_results p WHERE p.run_id = rr.run_id AND p.repo_id = rr.repo_id))
      `);
      const count = db.prepare(
        `SELECT COUNT(*) FROM findings WHERE result_id IN (SELECT cr.id FROM check_results cr WHERE cr.run_id = @runId
           AND NOT EXISTS (SELECT 1 FROM temp.protected_results p WHERE p.run_id = cr.run_id AND p.repo_id = cr.repo_id))`,
      );
      const remove = db.prepare(
        `DELETE FROM findings WHERE result_id IN (SELECT cr.id FROM check_results cr WHERE cr.run_id = @runId
           AND NOT EXISTS (SELECT 1 FROM temp.protected_results p WHERE p.run_id = cr.run_id AND p.repo_id = cr.repo_id))`,
      );
      const protectedIn = db.prepare('SELECT COUNT(*) FROM temp.protected_results WHERE run_id = ?').pluck();
      const mark = db.prepare('UPDATE runs SET findings_pruned_at = COALESCE(findings_pruned_at, ?) WHERE id = ?');
      let runsPruned = 0;
      let findingsDeleted = 0;
      let protectedKept = 0;
      for (const runId of prune) {
        const deleted = options.dryRun ? (count.pluck().get({ runId }) as number) : remove.run({ runId }).changes;
        if (deleted > 0) runsPruned++;
        findingsDeleted += deleted;
        protectedKept += protectedIn.get(runId) as number;
        if (!options.dryRun) mark.run(now.toISOString(), runId);
      }
      db.exec('DELETE FROM temp.protected_results');
      db.exec('DELETE FROM temp.pruned_runs');
      return { runsPruned, findingsDeleted, weeklyKept, protectedKept };
    })
    .immediate();
}
