// The life of a run across processes: a crawl resumes the run an earlier one left unfinished
// (killed, interrupted, machine lost) when it can stand for the same crawl, and closes it otherwise.
import type { Db } from './db.ts';
import { configHash, type Store } from './store.ts';

export interface RunTotals {
  repoCount: number;
  errorCount: number;
  carriedForward: number;
  stale: number;
  statusCounts: Record<string, number>;
  errors: { repo: string; error: string }[];
}

/** What a run holds so far, counted from its rows (the same counts a crawl keeps while it writes). */
export function runTotals(db: Db, runId: number): RunTotals {
  const rows = db
    .prepare(
      `SELECT r.name, rr.status, rr.error, rr.carried_from_run AS carriedFrom, rr.stale_reason AS staleReason
       FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ? ORDER BY r.name`,
    )
    .all(runId) as { name: string; status: string; error: string | null; carriedFrom: number | null; staleReason: string | null }[];
  const errors: RunTotals['errors'] = [];
  let carriedForward = 0;
  let stale = 0;
  for (const row of rows) {
    if (row.staleReason !== null) {
      stale++;
      errors.push({ repo: row.name, error: `${row.staleReason} (kept its last good result from run ${row.carriedFrom}, marked stale)` });
    } else if (row.status === 'error') errors.push({ repo: row.name, error: row.error ?? 'unknown error' });
    else if (row.carriedFrom !== null) carriedForward++;
  }
  const statusCounts: Record<string, number> = {};
  for (const { status, count } of db.prepare('SELECT status, COUNT(*) AS count FROM check_results WHERE run_id = ? GROUP BY status').all(runId) as { status: string; count: number }[]) statusCounts[status] = count;
  return { repoCount: rows.length, errorCount: errors.length, carriedForward, stale, statusCounts, errors };
}

export interface OpenedRun {
  runId: number;
  startedAt: string;
  /** 1 for a new run; more when an interrupted run was resumed. */
  attempt: number;
  resumed: boolean;
  /** Repositories the run already holds: not crawled again. */
  done: Set<string>;
  /** GitHub points earlier attempts spent. */
  priorApiPoints: number;
  /** Runs found unfinished that could not be resumed, closed as failed. */
  abandoned: { runId: number; reason: string }[];
}

interface UnfinishedRun {
  id: number;
  started_at: string;
  tool_version: string;
  config_hash: string;
  as_of: string | null;
  shard: string | null;
  shard_group: string | null;
  api_points: number | null;
  attempts: number;
  last_written: string | null;
}

export interface OpenRunOptions {
  config: unknown;
  toolVersion: string;
  startedAt: Date;
  asOf?: Date;
  shard?: string;
  shardGroup?: string;
  /** Start afresh even when the last run could be resumed. */
  restart?: boolean;
  resumeWithinHours: number;
  now?: Date;
}

/** Why `run` cannot be resumed by a crawl with these options, or undefined when it can. */
function resumeBlocker(run: UnfinishedRun, options: OpenRunOptions, hash: string): string | undefined {
  if (options.restart) return '--restart';
  if (run.shard === null && run.shard_group !== null) return 'it is an unfinished merge';
  if (run.config_hash !== hash) return 'the configuration changed';
  if (run.tool_version !== options.toolVersion) return 'Seaworthy was upgraded';
  if ((run.as_of ?? null) !== (options.asOf?.toISOString() ?? null)) return 'it judged another date (--as-of)';
  if ((run.shard ?? null) !== (options.shard ?? null) || (run.shard_group ?? null) !== (options.shardGroup ?? null)) return 'it crawled another shard';
  // As-of runs start at the date they judge, so their age is that of their last written repository.
  const lastActivity = run.last_written ?? (run.as_of ? null : run.started_at);
  const now = (options.now ?? new Date()).getTime();
  if (lastActivity && now - Date.parse(lastActivity) > options.resumeWithinHours * 3_600_000) return `it was last written more than ${options.resumeWithinHours} hours ago`;
  return undefined;
}

/**
 * Resumes the newest unfinished run when it stands for the same crawl, else starts a new one; every
 * other unfinished run is closed as failed with the reason. Call it holding the writer lock: then
 * no unfinished run is being written by anyone.
 */
export function openRun(store: Store, options: OpenRunOptions): OpenedRun {
  const db = store.db;
  const hash = configHash(options.config);
  return db
    .transaction((): OpenedRun => {
      const unfinished = db
        .prepare(
          `SELECT ru.id, ru.started_at, ru.tool_version, ru.config_hash, ru.as_of, ru.shard, ru.shard_group, ru.api_points, ru.attempts,
             (SELECT MAX(crawled_at) FROM repo_runs WHERE run_id = ru.id) AS last_written
           FROM runs ru WHERE ru.status = 'running' ORDER BY ru.id DESC`,
        )
        .all() as UnfinishedRun[];
      const abandoned: OpenedRun['abandoned'] = [];
      let resume: UnfinishedRun | undefined;
      for (const [index, run] of unfinished.entries()) {
        const blocker = index === 0 ? resumeBlocker(run, options, hash) : 'a newer run was started after it';
        if (!blocker) {
          resume = run;
          continue;
        }
        const reason = `abandoned: ${blocker}`;
        db.prepare("UPDATE runs SET status = 'failed', finished_at = ?, end_reason = ? WHERE id = ?").run(new Date().toISOString(), reason, run.id);
        abandoned.push({ runId: run.id, reason });
      }
      if (resume) {
        db.prepare('UPDATE runs SET attempts = attempts + 1, interrupted_at = NULL, end_reason = NULL WHERE id = ?').run(resume.id);
        const done = new Set(db.prepare('SELECT r.repo_key FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ?').pluck().all(resume.id) as string[]);
        return { runId: resume.id, startedAt: resume.started_at, attempt: resume.attempts + 1, resumed: true, done, priorApiPoints: resume.api_points ?? 0, abandoned };
      }
      const startedAt = options.startedAt.toISOString();
      const runId = store.startRun({ startedAt, toolVersion: options.toolVersion, config: options.config, asOf: options.asOf?.toISOString() });
      db.prepare('UPDATE runs SET shard = ?, shard_group = ? WHERE id = ?').run(options.shard ?? null, options.shardGroup ?? null, runId);
      return { runId, startedAt, attempt: 1, resumed: false, done: new Set(), priorApiPoints: 0, abandoned };
    })
    .immediate();
}

/** Leaves the run resumable after SIGINT/SIGTERM, with what it holds so far. */
export function markInterrupted(db: Db, runId: number, info: { reason: string; apiPoints: number | undefined }): void {
  const totals = runTotals(db, runId);
  db.prepare('UPDATE runs SET interrupted_at = ?, end_reason = ?, repo_count = ?, error_count = ?, api_points = ?, carried_forward_count = ? WHERE id = ?').run(
    new Date().toISOString(),
    info.reason,
    totals.repoCount,
    totals.errorCount,
    info.apiPoints ?? null,
    totals.carriedForward,
    runId,
  );
}
