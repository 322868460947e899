// Finished runs packed one row each (0008_run_snapshots.sql): every repository's status and score per
// check, with its team, score and crawled head, as typed arrays. A site build over 90 runs of 2,000
// repositories reads 90 rows instead of a million results. Finished runs never change; a snapshot
// also records what it was made from (row counts, last result id), so one that no longer matches its
// run (a run resumed or merged by other means) is recomputed from the live tables, never trusted.
import os from 'node:os';
import { STATUSES, type Status } from '../checks/contract.ts';
import type { Db } from './db.ts';

export const SNAPSHOT_FORMAT = 1;

/** Status code c > 0 stands for STATUS_OF[c]; 0: the repository has no result for that check in the run. */
export const STATUS_OF: readonly (Status | undefined)[] = [undefined, ...STATUSES];
const CODE = new Map<string, number>(STATUSES.map((s, i) => [s, i + 1]));

export function statusCode(status: string): number {
  const code = CODE.get(status);
  if (code === undefined) throw new Error(`unknown status ${JSON.stringify(status)}`);
  return code;
}

export const NA_CODE = statusCode('not-applicable');
export const WAIVED_CODE = statusCode('waived');
export const ERROR_CODE = statusCode('error');

interface RepoInfo {
  heads: (string | null)[];
  headDates: (string | null)[];
  carriedFrom: (number | null)[];
  stale: (string | null)[];
  commits: (number | null)[];
}

export class RunSnapshot {
  readonly runId: number;
  /** Check ids, the columns of `statuses` and `scores`, sorted. */
  readonly checks: string[];
  /** Repository ids, ascending: the rows. */
  readonly repos: Int32Array;
  /** Team id per row; -1 without a team. */
  readonly teams: Int32Array;
  /** Repository score per row; NaN without one. */
  readonly repoScores: Float64Array;
  /** 1 when the repository was read, 0 when its row records an error. */
  readonly repoOk: Uint8Array;
  /** Status code per row × check (row * checks.length + column). */
  readonly statuses: Uint8Array;
  /** Score per row × check; NaN without one. */
  readonly scores: Float64Array;
  readonly info: RepoInfo;
  readonly resultCount: number;
  readonly lastResultId: number;

  constructor(fields: Omit<RunSnapshot, 'row' | 'repoCount'>) {
    this.runId = fields.runId;
    this.checks = fields.checks;
    this.repos = fields.repos;
    this.teams = fields.teams;
    this.repoScores = fields.repoScores;
    this.repoOk = fields.repoOk;
    this.statuses = fields.statuses;
    this.scores = fields.scores;
    this.info = fields.info;
    this.resultCount = fields.resultCount;
    this.lastResultId = fields.lastResultId;
  }

  get repoCount(): number {
    return this.repos.length;
  }

  /** The row of a repository, or -1 when it was not in the run. */
  row(repoId: number): number {
    let low = 0;
    let high = this.repos.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.repos[mid]!;
      if (value === repoId) return mid;
      if (value < repoId) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }
}

/** Packs a run from the live tables. */
export function buildSnapshot(db: Db, runId: number): RunSnapshot {
  const rows = db
    .prepare(
      `SELECT repo_id, team_id, score, status, head_oid, head_date, carried_from_run, stale_reason, commits_since_previous
       FROM repo_runs WHERE run_id = ? ORDER BY repo_id`,
    )
    .raw()
    .all(runId) as [number, number | null, number | null, string, string | null, string | null, number | null, string | null, number | null][];
  const results = db.prepare('SELECT id, repo_id, check_id, status, score FROM check_results WHERE run_id = ?').raw().all(runId) as [number, number, string, string, number | null][];
  const checks = [...new Set(results.map((r) => r[2]))].sort();
  const column = new Map(checks.map((c, i) => [c, i]));
  const repos = Int32Array.from(rows, (r) => r[0]);
  const rowOf = new Map(rows.map((r, i) => [r[0], i]));
  const statuses = new Uint8Array(rows.length * checks.length);
  const scores = new Float64Array(rows.length * checks.length).fill(NaN);
  let lastResultId = 0;
  for (const [id, repoId, checkId, status, score] of results) {
    const row = rowOf.get(repoId);
    // A result always has its repository row (foreign key); the guard keeps a damaged database from crashing the build.
    if (row === undefined) continue;
    const cell = row * checks.length + column.get(checkId)!;
    statuses[cell] = statusCode(status);
    scores[cell] = score ?? NaN;
    if (id > lastResultId) lastResultId = id;
  }
  return new RunSnapshot({
    runId,
    checks,
    repos,
    teams: Int32Array.from(rows, (r) => r[1] ?? -1),
    repoScores: Float64Array.from(rows, (r) => r[2] ?? NaN),
    repoOk: Uint8Array.from(rows, (r) => (r[3] === 'ok' ? 1 : 0)),
    statuses,
    scores,
    info: {
      heads: rows.map((r) => r[4]),
      headDates: rows.map((r) => r[5]),
      carriedFrom: rows.map((r) => r[6]),
      stale: rows.map((r) => r[7]),
      commits: rows.map((r) => r[8]),
    },
    resultCount: results.length,
    lastResultId,
  });
}

// Typed arrays are stored as the machine lays them out; every supported platform is little-endian,
// and on another one snapshots are simply not used (the build computes them).
const USABLE = os.endianness() === 'LE';

function bytes(array: ArrayBufferView): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

/** Stores the snapshot of a finished run (replacing an older one). */
export function writeSnapshot(db: Db, snapshot: RunSnapshot): void {
  if (!USABLE) return;
  db.prepare(
    `INSERT OR REPLACE INTO run_snapshots (run_id, format, result_count, last_result_id, repo_count, checks, repos, teams, repo_scores, repo_ok, statuses, scores, repo_info)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    snapshot.runId,
    SNAPSHOT_FORMAT,
    snapshot.resultCount,
    snapshot.lastResultId,
    snapshot.repoCount,
    JSON.stringify(snapshot.checks),
    bytes(snapshot.repos),
    bytes(snapshot.teams),
    bytes(snapshot.repoScores),
    bytes(snapshot.repoOk),
    bytes(snapshot.statuses),
    bytes(snapshot.scores),
    JSON.stringify(snapshot.info),
  );
}

/** Snapshots every finished run that has none (runs finished before snapshots existed, or by other means). */
export function fillMissingSnapshots(db: Db): number {
  if (!USABLE) return 0;
  const missing = db
    .prepare(`SELECT id FROM runs r WHERE status IN ('ok', 'partial') AND NOT EXISTS (SELECT 1 FROM run_snapshots s WHERE s.run_id = r.id) ORDER BY id`)
    .pluck()
    .all() as number[];
  for (const runId of missing) db.transaction(() => writeSnapshot(db, buildSnapshot(db, runId)))();
  return missing.length;
}

// Views on a copy when SQLite hands back a buffer that is not aligned for the element size.
function view<T>(buffer: Buffer, size: number, make: (b: ArrayBuffer, offset: number, length: number) => T): T {
  if (buffer.byteOffset % size === 0) return make(buffer.buffer as ArrayBuffer, buffer.byteOffset, buffer.byteLength / size);
  const copy = new Uint8Array(buffer);
  return make(copy.buffer, 0, copy.byteLength / size);
}

/**
 * The snapshots of the given runs: stored ones that still match their run (row counts and last
 * result id), and for the rest, computed from the live tables (not written: builds only read).
 */
export function loadSnapshots(db: Db, runIds: readonly number[]): { snapshots: Map<number, RunSnapshot>; computed: number[] } {
  const wanted = new Set(runIds);
  const live = new Map<number, { results: number; lastId: number; repos: number }>();
  for (const [runId, results, lastId] of db.prepare('SELECT run_id, COUNT(*), MAX(id) FROM check_results GROUP BY run_id').raw().iterate() as IterableIterator<[number, number, number]>) {
    if (wanted.has(runId)) live.set(runId, { results, lastId, repos: 0 });
  }
  for (const [runId, repos] of db.prepare('SELECT run_id, COUNT(*) FROM repo_runs GROUP BY run_id').raw().iterate() as IterableIterator<[number, number]>) {
    const entry = live.get(runId) ?? (wanted.has(runId) ? live.set(runId, { results: 0, lastId: 0, repos: 0 }).get(runId)! : undefined);
    if (entry) entry.repos = repos;
  }
  const snapshots = new Map<number, RunSnapshot>();
  if (USABLE) {
    const rows = db
      .prepare(`SELECT run_id, format, result_count, last_result_id, repo_count, checks, repos, teams, repo_scores, repo_ok, statuses, scores, repo_info FROM run_snapshots`)
      .raw()
      .iterate() as IterableIterator<[number, number, number, number, number, string, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, string]>;
    for (const [runId, format, resultCount, lastResultId, repoCount, checks, repos, teams, repoScores, repoOk, statuses, scores, info] of rows) {
      const now = live.get(runId) ?? { results: 0, lastId: 0, repos: 0 };
      if (!wanted.has(runId) || format !== SNAPSHOT_FORMAT || now.results !== resultCount || (now.lastId ?? 0) !== lastResultId || now.repos !== repoCount) continue;
      snapshots.set(
        runId,
        new RunSnapshot({
          runId,
          checks: JSON.parse(checks) as string[],
          repos: view(repos, 4, (b, o, n) => new Int32Array(b, o, n)),
          teams: view(teams, 4, (b, o, n) => new Int32Array(b, o, n)),
          repoScores: view(repoScores, 8, (b, o, n) => new Float64Array(b, o, n)),
          repoOk: new Uint8Array(repoOk.buffer, repoOk.byteOffset, repoOk.byteLength),
          statuses: new Uint8Array(statuses.buffer, statuses.byteOffset, statuses.byteLength),
          scores: view(scores, 8, (b, o, n) => new Float64Array(b, o, n)),
          info: JSON.parse(info) as RepoInfo,
          resultCount,
          lastResultId,
        }),
      );
    }
  }
  const computed: number[] = [];
  for (const runId of runIds) {
    if (snapshots.has(runId)) continue;
    snapshots.set(runId, buildSnapshot(db, runId));
    computed.push(runId);
  }
  return { snapshots, computed };
}
