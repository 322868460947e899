// `seaworthy merge`: folds the runs of shard databases (`crawl --shard I/N`) into the main database
// as one run. Each shard starts from a copy of the main database, so its carried results name runs
// by their local id: those are matched by run uid (shared by copies). Repositories are matched by
// their stable key, teams by name. Each shard is folded in one transaction and recorded by its run's
// uid, so merging a shard again changes nothing, a merge cut short is finished by running it again,
// and a shard that arrives late (a re-run job) replaces the stand-ins kept for it.
// Caches (registry release lists, GitHub blobs and trees) are merged too: they are keyed by content,
// so merging is safe, and the next night's shards start from the main database with them warm.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDb, type Db } from '../data/db.ts';
import { acquireWriterLock } from '../data/lock.ts';
import { pruneFindings, type PruneReport, type RetentionPolicy } from '../data/retention.ts';
import { runTotals } from '../data/runs.ts';
import { Store } from '../data/store.ts';
import type { Logger } from './log.ts';
import { shardOf } from './shard.ts';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

interface ShardRun {
  id: number;
  uid: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  tool_version: string;
  config_hash: string;
  as_of: string | null;
  shard: string;
  shard_group: string | null;
  api_points: number | null;
}

export interface ShardReport {
  file: string;
  shard: string | null;
  status: string | null;
  repositories: number;
  /** merged now; already (merged before: nothing to do); skipped (unfinished or unusable, with the reason). */
  outcome: 'merged' | 'already' | 'skipped';
  reason?: string;
}

export interface MergeSummary {
  runId: number | null;
  status: 'ok' | 'partial' | 'failed';
  group: string | null;
  shardCount: number | null;
  shards: ShardReport[];
  /** Shards that never arrived: their repositories keep their last good result, marked stale. */
  missing: string[];
  repositories: number;
  carriedForward: number;
  stale: number;
  errors: { repo: string; error: string }[];
  statusCounts: Record<string, number>;
  apiPoints: number | null;
  /** Carried results whose judging run was not found in the main database (shown as judged in the merged run). */
  unmappedOrigins: number;
  changed: boolean;
  pruned?: PruneReport;
  durationMs: number;
}

function readShardRun(file: string): { run?: ShardRun; reason?: string } {
  let db: Db;
  try {
    db = openDb(file, { readonly: true });
  } catch (error) {
    return { reason: (error as Error).message };
  }
  try {
    const run = db.prepare('SELECT id, uid, status, started_at, finished_at, tool_version, config_hash, as_of, shard, shard_group, api_points FROM runs WHERE shard IS NOT NULL ORDER BY id DESC LIMIT 1').get() as ShardRun | undefined;
    if (!run) return { reason: 'no shard run in it (was it written by "seaworthy crawl --shard I/N"?)' };
    return { run };
  } finally {
    db.close();
  }
}

function shardCountOf(label: string): number {
  return Number(label.split('/')[1]);
}

export async function mergeShards(options: { dbPath: string; shardFiles: string[]; expectShards?: number; logger: Logger; wait?: boolean | number; retention?: RetentionPolicy & { enabled: boolean } }): Promise<MergeSummary> {
  const started = performance.now();
  const { logger } = options;
  const reports: ShardReport[] = [];
  const usable: { file: string; run: ShardRun }[] = [];
  const mainFile = path.resolve(options.dbPath);
  for (const file of options.shardFiles) {
    if (path.resolve(file) === mainFile) throw new MergeError(`${file} is the main database itself; pass the shard databases`);
    const { run, reason } = readShardRun(file);
    if (!run) {
      reports.push({ file, shard: null, status: null, repositories: 0, outcome: 'skipped', reason });
      continue;
    }
    if (run.status === 'running') {
      reports.push({ file, shard: run.shard, status: run.status, repositories: 0, outcome: 'skipped', reason: 'its crawl did not finish (interrupted or killed): resume it with the same crawl command, then merge' });
      continue;
    }
    // A shard that failed as a whole may hold no repository at all: folding it would drop its slice
    // from the run, where a missing shard keeps its repositories' last good result, marked stale.
    if (run.status === 'failed') {
      reports.push({ file, shard: run.shard, status: run.status, repositories: 0, outcome: 'skipped', reason: 'its crawl failed as a whole: its repositories keep their last good result, marked stale' });
      continue;
    }
    usable.push({ file, run });
  }
  // Shards of one crawl agree on everything but their slice; anything else is a mix-up worth stopping for.
  const first = usable[0]?.run;
  for (const { file, run } of usable) {
    const differs =
      run.shard_group !== first!.shard_group ? `group "${run.shard_group}" (the first is "${first!.shard_group}")` :
      shardCountOf(run.shard) !== shardCountOf(first!.shard) ? `shard ${run.shard} of another split than ${first!.shard}` :
      run.config_hash !== first!.config_hash ? 'another configuration' :
      run.tool_version !== first!.tool_version ? `Seaworthy ${run.tool_version} (the first: ${first!.tool_version})` :
      (run.as_of ?? '') !== (first!.as_of ?? '') ? 'another --as-of date' : undefined;
    if (differs) throw new MergeError(`${file} does not belong with ${usable[0]!.file}: it was crawled with ${differs}. Merge the shards of one crawl together.`);
  }
  const shardCount = first ? shardCountOf(first.shard) : (options.expectShards ?? null);
  if (first && options.expectShards !== undefined && shardCount !== options.expectShards) throw new MergeError(`--shards ${options.expectShards} was given, but the shards were crawled as ${first.shard}`);
  const dupes = usable.map((u) => u.run.uid).filter((uid, i, all) => all.indexOf(uid) !== i);
  if (dupes.length > 0) throw new MergeError('the same shard database was given twice');

  const store = new Store(options.dbPath);
  const lock = await acquireWriterLock(store.db, { file: options.dbPath, command: 'merge', wait: options.wait, onWait: (h) => logger.warn('another process writes this database; waiting for it', { pid: h.pid, host: h.host, command: h.command }) });
  const db = store.db;
  try {
    const group = first?.shard_group ?? null;
    let runId = first ? ((db.prepare('SELECT id FROM runs WHERE shard IS NULL AND shard_group IS ? ORDER BY id DESC LIMIT 1').pluck().get(group) as number | undefined) ?? null) : null;
    const already = new Set(db.prepare('SELECT shard_uid FROM merged_shards').pluck().all() as string[]);
    const fresh = usable.filter((u) => !already.has(u.run.uid));
    for (const u of usable) if (already.has(u.run.uid)) reports.push({ file: u.file, shard: u.run.shard, status: u.run.status, repositories: 0, outcome: 'already' });
    let changed = false;
    let unmappedOrigins = 0;
    if (fresh.length > 0 && runId === null) {
      runId = Number(
        db
          .prepare(`INSERT INTO runs (started_at, status, tool_version, config_hash, as_of, shard, shard_group) VALUES (?, 'running', ?, ?, ?, NULL, ?)`)
          .run(fresh.map((f) => f.run.started_at).sort()[0], first!.tool_version, first!.config_hash, first!.as_of, group).lastInsertRowid,
      );
      changed = true;
    }
    for (const { file, run } of fresh) {
      const result = foldShard(store, runId!, file, run);
      unmappedOrigins += result.unmapped;
      changed = true;
      reports.push({ file, shard: run.shard, status: run.status, repositories: result.repositories, outcome: 'merged' });
      logger.info('shard merged', { file, shard: run.shard, repositories: result.repositories, run: runId });
    }
    if (runId === null) {
      // Nothing arrived: a failed run would only hide the last good scorecard.
      return { runId: null, status: 'failed', group, shardCount, shards: reports, missing: [], repositories: 0, carriedForward: 0, stale: 0, errors: [], statusCounts: {}, apiPoints: null, unmappedOrigins: 0, changed: false, durationMs: Math.round(performance.now() - started) };
    }
    const present = new Set((db.prepare('SELECT shard FROM merged_shards WHERE run_id = ?').pluck().all(runId) as string[]).map((s) => Number(s.split('/')[0])));
    const count = shardCount ?? shardCountOf((db.prepare('SELECT shard FROM merged_shards WHERE run_id = ? LIMIT 1').pluck().get(runId) as string | undefined) ?? '1/1');
    const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
    if (missing.length > 0) {
      const kept = keepMissingStale(store, runId, count, missing);
      if (kept > 0) changed = true;
      logger.warn('shards missing: their repositories keep their last good result, marked stale', { missing: missing.map((i) => `${i}/${count}`).join(','), repositories: kept });
    }
    const totals = runTotals(db, runId);
    const status = totals.repoCount === 0 || totals.errorCount === totals.repoCount ? 'failed' : totals.errorCount > 0 || missing.length > 0 ? 'partial' : 'ok';
    const points = db.prepare('SELECT SUM(api_points) FROM merged_shards WHERE run_id = ?').pluck().get(runId) as number | null;
    // A merge killed after its folds but before this update left the run 'running': finish it now.
    if (!changed && db.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) === 'running') changed = true;
    if (changed) {
      db.prepare('UPDATE runs SET status = ?, finished_at = ?, repo_count = ?, error_count = ?, api_points = ?, carried_forward_count = ?, started_at = (SELECT MIN(started_at) FROM merged_shards WHERE run_id = ?) WHERE id = ?').run(
        status,
        new Date().toISOString(),
        totals.repoCount,
        totals.errorCount,
        points,
        totals.carriedForward,
        runId,
        runId,
      );
    }
    let pruned: PruneReport | undefined;
    if (changed && options.retention?.enabled && (status === 'ok' || status === 'partial')) pruned = pruneFindings(db, options.retention);
    return {
      runId,
      status,
      group,
      shardCount: count,
      shards: reports,
      missing: missing.map((i) => `${i}/${count}`),
      repositories: totals.repoCount,
      carriedForward: totals.carriedForward,
      stale: totals.stale,
      errors: totals.errors,
      statusCounts: totals.statusCounts,
      apiPoints: points,
      unmappedOrigins,
      changed,
      ...(pruned ? { pruned } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    lock.release();
    store.close();
  }
}

interface ShardRepoRun {
  repo_id: number;
  repo_key: string;
  host: string;
  owner: string;
  name: string;
  web_url: string | null;
  team: string | null;
  carried_from_run: number | null;
  [column: string]: unknown;
}

const REPO_RUN_COLUMNS = ['status', 'error', 'default_branch', 'head_oid', 'head_date', 'kind', 'kind_source', 'kind_evidence', 'lifecycle', 'problems', 'score', 'duration_ms', 'crawled_at', 'stale_reason', 'owner_source', 'commits_since_previous'] as const;
const COMMIT_COLUMNS = ['position', 'oid', 'committed_at', 'author', 'title', 'pr_number', 'pr_title', 'pr_url'] as const;
const RESULT_COLUMNS = ['check_id', 'check_version', 'status', 'underlying_status', 'score', 'weight', 'summary', 'waiver_reason', 'waiver_expires', 'duration_ms'] as const;

/** Copies one shard run's rows into the merged run, in one transaction. */
function foldShard(store: Store, runId: number, file: string, run: ShardRun): { repositories: number; unmapped: number } {
  const db = store.db;
  db.prepare('ATTACH DATABASE ? AS shard').run(file);
  try {
    return db
      .transaction(() => {
        // Teams the shard knew, by name; the shards ran with the same configuration as each other.
        db.prepare(
          `INSERT INTO main.teams (name, display_name, contact_url) SELECT name, display_name, contact_url FROM shard.teams WHERE true
           ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name, contact_url = excluded.contact_url`,
        ).run();
        db.prepare(
          `INSERT OR IGNORE INTO main.run_teams (run_id, team_id)
           SELECT ?, mt.id FROM shard.run_teams rt JOIN shard.teams st ON st.id = rt.team_id JOIN main.teams mt ON mt.name = st.name WHERE rt.run_id = ?`,
        ).run(runId, run.id);
        db.prepare('INSERT OR IGNORE INTO main.run_skipped_folders (run_id, location, reason) SELECT ?, location, reason FROM shard.run_skipped_folders WHERE run_id = ?').run(runId, run.id);
        const origins = new Map<number, number | null>();
        const originOf = (shardRunId: number): number | null => {
          if (!origins.has(shardRunId)) {
            const origin = db.prepare('SELECT uid, started_at, config_hash FROM shard.runs WHERE id = ?').get(shardRunId) as { uid: string | null; started_at: string; config_hash: string } | undefined;
            const mapped = origin
              ? ((db.prepare('SELECT id FROM main.runs WHERE uid = ?').pluck().get(origin.uid) as number | undefined) ??
                (db.prepare('SELECT run_id FROM main.merged_shards WHERE shard_uid = ?').pluck().get(origin.uid) as number | undefined) ??
                (db.prepare('SELECT id FROM main.runs WHERE started_at = ? AND config_hash = ? ORDER BY id LIMIT 1').pluck().get(origin.started_at, origin.config_hash) as number | undefined))
              : undefined;
            origins.set(shardRunId, mapped ?? null);
          }
          return origins.get(shardRunId)!;
        };
        const rows = db
          .prepare(
            `SELECT rr.*, r.repo_key, r.host, r.owner, r.name, r.web_url, t.name AS team
             FROM shard.repo_runs rr JOIN shard.repositories r ON r.id = rr.repo_id LEFT JOIN shard.teams t ON t.id = rr.team_id
             WHERE rr.run_id = ?`,
          )
          .all(run.id) as ShardRepoRun[];
        const teamId = db.prepare('SELECT id FROM main.teams WHERE name = ?').pluck();
        const deleteRow = db.prepare('DELETE FROM main.repo_runs WHERE run_id = ? AND repo_id = ?');
        const insertRow = db.prepare(
          `INSERT INTO main.repo_runs (run_id, repo_id, team_id, carried_from_run, ${REPO_RUN_COLUMNS.join(', ')})
           VALUES (@runId, @repoId, @teamId, @carriedFromRun, ${REPO_RUN_COLUMNS.map((c) => `@${c}`).join(', ')})`,
        );
        const results = db.prepare(`SELECT id, ${RESULT_COLUMNS.join(', ')} FROM shard.check_results WHERE run_id = ? AND repo_id = ? ORDER BY id`);
        const insertResult = db.prepare(`INSERT INTO main.check_results (run_id, repo_id, ${RESULT_COLUMNS.join(', ')}) VALUES (@runId, @repoId, ${RESULT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
        const copyFindings = db.prepare('INSERT INTO main.findings (result_id, rule, severity, message, path, line) SELECT ?, rule, severity, message, path, line FROM shard.findings WHERE result_id = ? ORDER BY id');
        // What changed since the previous crawl (the site's "what changed"), as the single job writes it.
        const copyCommits = db.prepare(
          `INSERT INTO main.repo_run_commits (run_id, repo_id, ${COMMIT_COLUMNS.join(', ')})
           SELECT ?, ?, ${COMMIT_COLUMNS.join(', ')} FROM shard.repo_run_commits WHERE run_id = ? AND repo_id = ? ORDER BY position`,
        );
        let unmapped = 0;
        for (const row of rows) {
          const repoId = store.repositoryId({ key: row.repo_key, host: row.host, owner: row.owner, name: row.name, webUrl: row.web_url ?? undefined });
          let carriedFromRun: number | null = null;
          if (row.carried_from_run !== null) {
            carriedFromRun = originOf(row.carried_from_run);
            if (carriedFromRun === null) unmapped++;
          }
          deleteRow.run(runId, repoId);
          const values = Object.fromEntries(REPO_RUN_COLUMNS.map((c) => [c, row[c]]));
          insertRow.run({ ...values, runId, repoId, teamId: row.team ? ((teamId.get(row.team) as number | undefined) ?? null) : null, carriedFromRun });
          for (const result of results.all(run.id, row.repo_id) as ({ id: number } & Record<string, unknown>)[]) {
            const { id, ...columns } = result;
            const newId = Number(insertResult.run({ ...columns, runId, repoId }).lastInsertRowid);
            copyFindings.run(newId, id);
          }
          copyCommits.run(runId, repoId, run.id, row.repo_id);
        }
        db.prepare(
          `INSERT INTO main.registry_cache SELECT * FROM shard.registry_cache WHERE true
           ON CONFLICT (ecosystem, name) DO UPDATE SET status = excluded.status, releases = excluded.releases, reason = excluded.reason, fetched_at = excluded.fetched_at
           WHERE excluded.fetched_at > registry_cache.fetched_at`,
        ).run();
        db.prepare(
          `INSERT INTO main.github_blobs SELECT * FROM shard.github_blobs WHERE true
           ON CONFLICT (oid) DO UPDATE SET used_at = excluded.used_at WHERE excluded.used_at > github_blobs.used_at`,
        ).run();
        db.prepare(
          `INSERT INTO main.github_trees SELECT * FROM shard.github_trees WHERE true
           ON CONFLICT (commit_oid) DO UPDATE SET used_at = excluded.used_at WHERE excluded.used_at > github_trees.used_at`,
        ).run();
        db.prepare(
          `INSERT INTO main.merged_shards (shard_uid, run_id, shard, source, status, repo_count, api_points, started_at, finished_at, merged_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(run.uid, runId, run.shard, path.basename(file), run.status, rows.length, run.api_points, run.started_at, run.finished_at ?? run.started_at, new Date().toISOString());
        return { repositories: rows.length, unmapped };
      })
      .immediate();
  } finally {
    db.prepare('DETACH DATABASE shard').run();
  }
}

/** Repositories of shards that never arrived keep their last good result, marked stale; returns how many. */
function keepMissingStale(store: Store, runId: number, count: number, missing: number[]): number {
  const db = store.db;
  const lastRun = db.prepare("SELECT id FROM runs WHERE id != ? AND status IN ('ok', 'partial') AND as_of IS NULL AND shard IS NULL ORDER BY started_at DESC, id DESC LIMIT 1").pluck().get(runId) as number | undefined;
  if (lastRun === undefined) return 0;
  const keys = db
    .prepare('SELECT r.repo_key FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id WHERE rr.run_id = ? AND NOT EXISTS (SELECT 1 FROM repo_runs m WHERE m.run_id = ? AND m.repo_id = rr.repo_id)')
    .pluck()
    .all(lastRun, runId) as string[];
  const wanted = new Set(missing);
  let kept = 0;
  const crawledAt = new Date().toISOString();
  for (const key of keys) {
    const shard = shardOf(key, count);
    if (!wanted.has(shard)) continue;
    const previous = store.previousResult(runId, key);
    if (!previous) continue;
    store.carryForward(runId, key, previous, { checkIds: previous.checks.map((c) => c.checkId), crawledAt, staleReason: `shard ${shard}/${count} did not finish` });
    kept++;
  }
  return kept;
}
