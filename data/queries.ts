// Reads for the site, at build time. Everything returned here is plain data; pages escape it.
import type { Status } from '../checks/contract.ts';
import type { Statement } from 'better-sqlite3';
import { openDb, type Db } from './db.ts';
import { History, type RepoCheckPoint, type RepoRunRow, type RepoTimeline, type StatusFlip } from './history.ts';
import type { LevelDefinition } from './levels.ts';
import { loadSnapshots } from './snapshots.ts';

export type { RepoCheckPoint, RepoRunRow, RepoTimeline, StatusFlip } from './history.ts';

export interface RunRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  asOf: string | null;
  repoCount: number;
  errorCount: number;
  /** API points the run spent; null for sources that use no API (local git). */
  apiPoints: number | null;
  /** JSON of RunGitStats (data/store.ts); null when the run used no git over the network. */
  gitStats: string | null;
  /** Repositories whose results were carried forward from an earlier run (unchanged or unreadable). */
  carriedForwardCount: number;
  toolVersion: string;
}

export interface RepoCheck {
  status: Status;
  score: number | null;
  summary: string;
  weight: number;
  underlyingStatus: Status | null;
  /** With status waived: the active waiver. With any other status: a waiver that has expired. */
  waiverReason: string | null;
  waiverExpires: string | null;
}

export interface RepoSummary {
  repoId: number;
  slug: string;
  name: string;
  owner: string;
  host: string;
  webUrl: string | null;
  team: string | null;
  status: 'ok' | 'error';
  error: string | null;
  score: number | null;
  kind: string | null;
  kindSource: string | null;
  kindEvidence: string[];
  lifecycle: string | null;
  headOid: string | null;
  headDate: string | null;
  defaultBranch: string | null;
  problems: string[];
  crawledAt: string;
  /** Set when this run kept the results of that earlier run (unchanged, or unreadable: see staleReason). */
  carriedFromRun: number | null;
  /** Why the repository could not be read this run; its last good result is shown, marked stale. */
  staleReason: string | null;
  /** Where the owning team came from: config, github-team, codeowners, catalog-info. */
  ownerSource: string | null;
  checks: Record<string, RepoCheck>;
}

export interface TeamSummary {
  name: string;
  displayName: string;
  contact: string | null;
  score: number | null;
  repoCount: number;
  failing: number;
  warning: number;
  errors: number;
}

export interface FindingRow {
  /** `<check-id>/<rule-name>`; null for findings stored before checks declared rules (migration 0009). */
  rule: string | null;
  severity: 'info' | 'low' | 'medium' | 'high';
  message: string;
  path: string | null;
  line: number | null;
}

export interface CheckResultDetail {
  checkId: string;
  checkVersion: number;
  status: Status;
  underlyingStatus: Status | null;
  score: number | null;
  weight: number;
  summary: string;
  waiverReason: string | null;
  waiverExpires: string | null;
  findings: FindingRow[];
}

export interface TrendPoint {
  runId: number;
  date: string;
  score: number | null;
}

export interface CommitRow {
  oid: string;
  date: string;
  author: string;
  title: string;
  prNumber: number | null;
  prTitle: string | null;
  prUrl: string | null;
}

const COMMIT_SELECT = `SELECT run_id AS runId, repo_id AS repoId, oid, committed_at AS date, author, title, pr_number AS prNumber, pr_title AS prTitle, pr_url AS prUrl
  FROM repo_run_commits`;

function groupCommits(rows: (CommitRow & { runId: number; repoId: number })[], key: 'runId' | 'repoId'): Map<number, CommitRow[]> {
  const out = new Map<number, CommitRow[]>();
  for (const { runId, repoId, ...commit } of rows) {
    const k = key === 'runId' ? runId : repoId;
    (out.get(k) ?? out.set(k, []).get(k)!).push(commit);
  }
  return out;
}

function mean(values: (number | null)[]): number | null {
  const scored = values.filter((v): v is number => v !== null);
  return scored.length === 0 ? null : Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) / 10;
}

export class Queries {
  private readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, { readonly: true });
    // One read transaction for the reader's life: every page of a build sees the same runs while a
    // crawl, merge or prune writes (WAL readers never wait). Under a rollback journal it would block
    // writers instead, so only in WAL mode, which every writer of Seaworthy sets.
    if (this.db.pragma('journal_mode', { simple: true }) === 'wal') {
      this.db.exec('BEGIN');
      this.db.prepare('SELECT COUNT(*) FROM runs').get();
    }
  }

  private readonly statements = new Map<string, Statement>();

  /** Pages call the same few queries thousands of times: prepare each once. */
  private stmt(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private runOrder: Map<number, number> | undefined;

  /** Position of each finished run in time order; runs not in it (running, failed) are left out of histories. */
  private runPositions(): Map<number, number> {
    return (this.runOrder ??= new Map(this.runs().map((r, i) => [r.id, i])));
  }

  private byRunOrder<T extends { runId: number }>(rows: T[]): T[] {
    const order = this.runPositions();
    return rows.filter((r) => order.has(r.runId)).sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }

  private runList: RunRow[] | undefined;

  /** Every run that finished with results (ok or partial), oldest first (memoised). */
  runs(): RunRow[] {
    return (this.runList ??= this.loadRuns());
  }

  private loadRuns(): RunRow[] {
    return this.db
      .prepare(
        `SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, as_of AS asOf, repo_count AS repoCount, error_count AS errorCount,
                api_points AS apiPoints, carried_forward_count AS carriedForwardCount, tool_version AS toolVersion, git_stats AS gitStats
         FROM runs WHERE status IN ('ok', 'partial') ORDER BY started_at, id`,
      )
      .all() as RunRow[];
  }

  /** The newest run that ended, good or not: the site says when it is not the one shown. */
  latestEndedRun(): RunRow | undefined {
    return this.db
      .prepare(
        `SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, as_of AS asOf, repo_count AS repoCount, error_count AS errorCount,
                api_points AS apiPoints, carried_forward_count AS carriedForwardCount, tool_version AS toolVersion, git_stats AS gitStats
         FROM runs WHERE status != 'running' ORDER BY started_at DESC, id DESC LIMIT 1`,
      )
      .get() as RunRow | undefined;
  }

  latestRun(): RunRow | undefined {
    return this.runs().at(-1);
  }

  private readonly repositoriesByRun = new Map<number, RepoSummary[]>();

  /** Every repository's result in a run, with its checks' statuses and scores (memoised: pages ask often). */
  repositories(runId: number): RepoSummary[] {
    let cached = this.repositoriesByRun.get(runId);
    if (!cached) {
      cached = this.loadRepositories(runId);
      this.repositoriesByRun.set(runId, cached);
    }
    return cached;
  }

  private loadRepositories(runId: number): RepoSummary[] {
    const rows = this.db
      .prepare(
        `SELECT r.id AS repoId, r.slug, r.name, r.owner, r.host, r.web_url AS webUrl, t.name AS team, rr.status, rr.error, rr.score,
                rr.kind, rr.kind_source AS kindSource, rr.kind_evidence AS kindEvidence, rr.lifecycle, rr.head_oid AS headOid,
                rr.head_date AS headDate, rr.default_branch AS defaultBranch, rr.problems, rr.crawled_at AS crawledAt,
                rr.carried_from_run AS carriedFromRun, rr.stale_reason AS staleReason, rr.owner_source AS ownerSource
         FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id
         WHERE rr.run_id = ? ORDER BY r.name COLLATE NOCASE, r.id`,
      )
      .all(runId) as (Omit<RepoSummary, 'kindEvidence' | 'problems' | 'checks'> & { kindEvidence: string; problems: string })[];
    const results = this.db
      .prepare(
        `SELECT repo_id AS repoId, check_id AS checkId, status, score, summary, weight, underlying_status AS underlyingStatus,
                waiver_reason AS waiverReason, waiver_expires AS waiverExpires
         FROM check_results WHERE run_id = ?`,
      )
      .all(runId) as (RepoCheck & { repoId: number; checkId: string })[];
    const checksByRepo = new Map<number, RepoSummary['checks']>();
    for (const { repoId, checkId, ...check } of results) {
      const checks = checksByRepo.get(repoId) ?? {};
      checks[checkId] = check;
      checksByRepo.set(repoId, checks);
    }
    return rows.map((row) => ({
      ...row,
      kindEvidence: JSON.parse(row.kindEvidence) as string[],
      problems: JSON.parse(row.problems) as string[],
      checks: checksByRepo.get(row.repoId) ?? {},
    }));
  }

  teams(runId: number): TeamSummary[] {
    const teams = this.db
      .prepare(
        `SELECT t.name, t.display_name AS displayName, t.contact_url AS contact FROM teams t JOIN run_teams rt ON rt.team_id = t.id
         WHERE rt.run_id = ? ORDER BY t.display_name COLLATE NOCASE`,
      )
      .all(runId) as Pick<TeamSummary, 'name' | 'displayName' | 'contact'>[];
    const repos = this.repositories(runId);
    return teams.map((team) => {
      const own = repos.filter((r) => r.team === team.name);
      const statuses = own.flatMap((r) => Object.values(r.checks).map((c) => c.status));
      return {
        ...team,
        score: mean(own.map((r) => r.score)),
        repoCount: own.length,
        failing: statuses.filter((s) => s === 'fail').length,
        warning: statuses.filter((s) => s === 'warn').length,
        errors: statuses.filter((s) => s === 'error').length,
      };
    });
  }

  /** A team's score in every run: the mean of its repositories' scores in that run. */
  teamTrend(team: string): TrendPoint[] {
    const rows = this.db
      .prepare(
        `SELECT ru.id AS runId, ru.started_at AS date, rr.score
         FROM runs ru JOIN repo_runs rr ON rr.run_id = ru.id JOIN teams t ON t.id = rr.team_id
         WHERE t.name = ? AND ru.status IN ('ok', 'partial') ORDER BY ru.started_at, ru.id`,
      )
      .all(team) as { runId: number; date: string; score: number | null }[];
    const byRun = new Map<number, { date: string; scores: (number | null)[] }>();
    for (const row of rows) {
      const entry = byRun.get(row.runId) ?? { date: row.date, scores: [] };
      entry.scores.push(row.score);
      byRun.set(row.runId, entry);
    }
    return [...byRun].map(([runId, v]) => ({ runId, date: v.date, score: mean(v.scores) }));
  }

  repoTrend(repoId: number): TrendPoint[] {
    return this.db
      .prepare(
        `SELECT ru.id AS runId, ru.started_at AS date, rr.score FROM runs ru JOIN repo_runs rr ON rr.run_id = ru.id
         WHERE rr.repo_id = ? AND ru.status IN ('ok', 'partial') ORDER BY ru.started_at, ru.id`,
      )
      .all(repoId) as TrendPoint[];
  }

  private preloaded: { runId: number; byRepo: Map<number, CheckResultDetail[]> } | undefined;

  /** Loads every result and finding of a run at once: repository pages and exports of that run then read memory. */
  preloadResults(runId: number): void {
    if (this.preloaded?.runId === runId) return;
    const results = this.db
      .prepare(
        `SELECT id, repo_id AS repoId, check_id AS checkId, check_version AS checkVersion, status, underlying_status AS underlyingStatus, score, weight, summary,
                waiver_reason AS waiverReason, waiver_expires AS waiverExpires
         FROM check_results WHERE run_id = ? ORDER BY repo_id, check_id`,
      )
      .all(runId) as (Omit<CheckResultDetail, 'findings'> & { id: number; repoId: number })[];
    const findings = this.db
      .prepare(
        `SELECT result_id AS resultId, rule, severity, message, path, line FROM findings WHERE result_id IN (SELECT id FROM check_results WHERE run_id = ?)
         ORDER BY result_id, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, path, line, id`,
      )
      .all(runId) as (FindingRow & { resultId: number })[];
    const byResult = new Map<number, FindingRow[]>();
    for (const { resultId, ...finding } of findings) (byResult.get(resultId) ?? byResult.set(resultId, []).get(resultId)!).push(finding);
    const byRepo = new Map<number, CheckResultDetail[]>();
    for (const { id, repoId, ...rest } of results) (byRepo.get(repoId) ?? byRepo.set(repoId, []).get(repoId)!).push({ ...rest, findings: byResult.get(id) ?? [] });
    this.preloaded = { runId, byRepo };
  }

  checkResults(runId: number, repoId: number): CheckResultDetail[] {
    if (this.preloaded?.runId === runId) return this.preloaded.byRepo.get(repoId) ?? [];
    const results = this.stmt(
      `SELECT id, check_id AS checkId, check_version AS checkVersion, status, underlying_status AS underlyingStatus, score, weight, summary,
              waiver_reason AS waiverReason, waiver_expires AS waiverExpires
       FROM check_results WHERE run_id = ? AND repo_id = ? ORDER BY check_id`,
    ).all(runId, repoId) as (Omit<CheckResultDetail, 'findings'> & { id: number })[];
    if (results.length === 0) return [];
    // A repository's results of one run are written in one transaction, so their ids are a short
    // range: the findings index answers it directly; ids in the range from elsewhere are dropped below.
    const ids = results.map((r) => r.id);
    const findings = this.stmt(
      `SELECT result_id AS resultId, rule, severity, message, path, line FROM findings WHERE result_id BETWEEN ? AND ?
       ORDER BY result_id, CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, path, line, id`,
    ).all(Math.min(...ids), Math.max(...ids)) as (FindingRow & { resultId: number })[];
    const byResult = new Map<number, FindingRow[]>();
    for (const { resultId, ...finding } of findings) (byResult.get(resultId) ?? byResult.set(resultId, []).get(resultId)!).push(finding);
    return results.map(({ id, ...rest }) => ({ ...rest, findings: byResult.get(id) ?? [] }));
  }

  private historyMemo: { levels: readonly LevelDefinition[]; history: History } | undefined;
  /** Runs whose snapshot was computed by this build (missing or no longer matching), for the build log. */
  computedSnapshots: number[] = [];

  /**
   * Everything the site needs from the results of every run, from one snapshot row per run
   * (data/snapshots.ts), computed once per build and shared by every page (data/history.ts).
   */
  history(levels: readonly LevelDefinition[]): History {
    if (this.historyMemo?.levels === levels) return this.historyMemo.history;
    const runs = this.runs();
    const { snapshots, computed } = loadSnapshots(this.db, runs.map((r) => r.id));
    this.computedSnapshots = computed;
    const teams = new Map((this.db.prepare('SELECT id, name FROM teams').raw().all() as [number, string][]).map(([id, name]) => [id, name]));
    const repos = new Map(
      (this.db.prepare('SELECT id, slug, name, web_url FROM repositories').raw().all() as [number, string, string, string | null][]).map(([id, slug, name, webUrl]) => [id, { slug, name, webUrl }]),
    );
    const history = new History({ runs, snapshots, teams, repos, levels });
    this.historyMemo = { levels, history };
    return history;
  }

  private repoNameMemo: Map<number, { name: string; owner: string; slug: string }> | undefined;

  /** Every repository ever crawled, by id. */
  repoNames(): Map<number, { name: string; owner: string; slug: string }> {
    return (this.repoNameMemo ??= new Map(
      (this.db.prepare('SELECT id, name, owner, slug FROM repositories').raw().all() as [number, string, string, string][]).map(([id, name, owner, slug]) => [id, { name, owner, slug }]),
    ));
  }

  /** Kind and catalog lifecycle of each repository in the given runs (run id → repository id → facts). */
  repoAttributes(runIds: readonly number[]): Map<number, Map<number, { kind: string | null; lifecycle: string | null }>> {
    const out = new Map<number, Map<number, { kind: string | null; lifecycle: string | null }>>();
    const statement = this.stmt('SELECT repo_id, kind, lifecycle FROM repo_runs WHERE run_id = ?');
    for (const runId of runIds) {
      const rows = statement.raw().all(runId) as [number, string | null, string | null][];
      out.set(runId, new Map(rows.map(([repoId, kind, lifecycle]) => [repoId, { kind, lifecycle }])));
    }
    return out;
  }

  /** Runs whose findings were deleted by retention: what a rule was found in cannot be told for them. */
  prunedRuns(): Set<number> {
    return new Set(this.db.prepare('SELECT id FROM runs WHERE findings_pruned_at IS NOT NULL').pluck().all() as number[]);
  }

  /** How many findings of each of the given rules each repository had in each run (run → repository → rule → count). */
  ruleFindingCounts(runIds: readonly number[], rules: readonly string[]): Map<number, Map<number, Map<string, number>>> {
    const out = new Map<number, Map<number, Map<string, number>>>();
    const checks = [...new Set(rules.map((r) => r.slice(0, r.indexOf('/'))))];
    const wanted = new Set(rules);
    const statement = this.stmt(
      `SELECT cr.repo_id, f.rule, COUNT(*) FROM check_results cr JOIN findings f ON f.result_id = cr.id
       WHERE cr.run_id = ? AND cr.check_id = ? GROUP BY cr.repo_id, f.rule`,
    );
    for (const runId of runIds) {
      const byRepo = new Map<number, Map<string, number>>();
      for (const checkId of checks) {
        for (const [repoId, rule, count] of statement.raw().all(runId, checkId) as [number, string | null, number][]) {
          if (rule === null || !wanted.has(rule)) continue;
          (byRepo.get(repoId) ?? byRepo.set(repoId, new Map()).get(repoId)!).set(rule, count);
        }
      }
      out.set(runId, byRepo);
    }
    return out;
  }

  /** Repositories of a run that could not be read, or kept an earlier result. */
  /** Folders the run could not crawl, with the reason. */
  skippedFolders(runId: number): { location: string; reason: string }[] {
    return this.stmt('SELECT location, reason FROM run_skipped_folders WHERE run_id = ? ORDER BY location').all(runId) as { location: string; reason: string }[];
  }

  runExceptions(runId: number): { slug: string; name: string; team: string | null; status: 'ok' | 'error'; error: string | null; carriedFromRun: number | null; staleReason: string | null }[] {
    return this.db
      .prepare(
        `SELECT r.slug, r.name, t.name AS team, rr.status, rr.error, rr.carried_from_run AS carriedFromRun, rr.stale_reason AS staleReason
         FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id
         WHERE rr.run_id = ? AND (rr.status = 'error' OR rr.stale_reason IS NOT NULL) ORDER BY r.name COLLATE NOCASE`,
      )
      .all(runId) as ReturnType<Queries['runExceptions']>;
  }

  private reposWithCommits: Set<number> | undefined;

  /** Commits that landed before each run of a repository (run id → newest first), where the crawl knew. */
  repoCommits(repoId: number): Map<number, CommitRow[]> {
    // One query per build tells which repositories have any: most pages then need no query at all.
    this.reposWithCommits ??= new Set(this.db.prepare('SELECT DISTINCT repo_id FROM repo_run_commits').pluck().all() as number[]);
    if (!this.reposWithCommits.has(repoId)) return new Map();
    return groupCommits(this.stmt(`${COMMIT_SELECT} WHERE repo_id = ? ORDER BY run_id, position`).all(repoId) as (CommitRow & { runId: number; repoId: number })[], 'runId');
  }

  /** Commits that landed before a run, per repository (repository id → newest first). */
  runCommits(runId: number): Map<number, CommitRow[]> {
    return groupCommits(this.stmt(`${COMMIT_SELECT} WHERE run_id = ? ORDER BY repo_id, position`).all(runId) as (CommitRow & { runId: number; repoId: number })[], 'repoId');
  }

  /** How many commits landed before a run, per repository, where known. */
  runCommitCounts(runId: number): Map<number, number> {
    const rows = this.stmt('SELECT repo_id AS repoId, commits_since_previous AS total FROM repo_runs WHERE run_id = ? AND commits_since_previous IS NOT NULL').all(runId) as { repoId: number; total: number }[];
    return new Map(rows.map((r) => [r.repoId, r.total]));
  }

  /** One repository's history in columns (data/history.ts repoTimeline), from the build's history or the live tables. */
  repoTimeline(repoId: number): RepoTimeline {
    if (this.historyMemo) return this.historyMemo.history.repoTimeline(repoId);
    const runs = this.repoRuns(repoId);
    const position = new Map(runs.map((r, i) => [r.runId, i]));
    const checks: RepoTimeline['checks'] = new Map();
    for (const h of this.repoCheckHistory(repoId)) {
      const i = position.get(h.runId);
      if (i === undefined) continue;
      let column = checks.get(h.checkId);
      if (!column) checks.set(h.checkId, (column = { status: Array<Status | null>(runs.length).fill(null), score: Array<number | null>(runs.length).fill(null) }));
      column.status[i] = h.status;
      column.score[i] = h.score;
    }
    return { runs, checks };
  }

  /** One repository's results per check in every run it was judged in, oldest first. */
  repoCheckHistory(repoId: number): RepoCheckPoint[] {
    if (this.historyMemo) return this.historyMemo.history.repoChecks(repoId);
    return this.byRunOrder(this.stmt('SELECT run_id AS runId, check_id AS checkId, status, score FROM check_results WHERE repo_id = ?').all(repoId) as RepoCheckPoint[]);
  }

  /** The repository's crawled head, score and accounting in every run, oldest first. */
  repoRuns(repoId: number): RepoRunRow[] {
    if (this.historyMemo) return this.historyMemo.history.repoRuns(repoId);
    const dates = new Map(this.runs().map((r) => [r.id, r.startedAt]));
    const rows = this.stmt(
      `SELECT run_id AS runId, score, status, head_oid AS headOid, head_date AS headDate, carried_from_run AS carriedFromRun, stale_reason AS staleReason,
              commits_since_previous AS commitsSincePrevious
       FROM repo_runs WHERE repo_id = ?`,
    ).all(repoId) as Omit<RepoRunRow, 'date'>[];
    return this.byRunOrder(rows).map((r) => ({ ...r, date: dates.get(r.runId)! }));
  }
}

/** Link to a file at the crawled commit, where the repository has a web URL. */
export function fileUrl(webUrl: string | null, oid: string | null, filePath: string | null, line: number | null): string | undefined {
  if (!webUrl || !oid || !filePath || !/^https?:\/\//.test(webUrl)) return undefined;
  const encoded = filePath.split('/').map(encodeURIComponent).join('/');
  return `${webUrl.replace(/\/+$/, '')}/blob/${oid}/${encoded}${line ? `#L${line}` : ''}`;
}

/** Link to the host's comparison of two crawled heads, where the repository has a web URL. */
export function compareUrl(webUrl: string | null, from: string | null, to: string | null): string | undefined {
  if (!webUrl || !from || !to || from === to || !/^https?:\/\//.test(webUrl) || !/^[0-9a-f]{7,64}$/i.test(from) || !/^[0-9a-f]{7,64}$/i.test(to)) return undefined;
  return `${webUrl.replace(/\/+$/, '')}/compare/${from}...${to}`;
}

/** Link to a commit on the host, where the repository has a web URL. */
export function commitUrl(webUrl: string | null, oid: string): string | undefined {
  if (!webUrl || !/^https?:\/\//.test(webUrl) || !/^[0-9a-f]{7,64}$/i.test(oid)) return undefined;
  return `${webUrl.replace(/\/+$/, '')}/commit/${oid}`;
}

/** A link from stored data (a repository's or pull request's address), only when it is a plain http(s) URL. */
export function safeUrl(url: string | null | undefined): string | undefined {
  return url && /^https?:\/\/[^\s]+$/i.test(url) ? url : undefined;
}

/** A team's contact link: http(s) or mailto, nothing that could run script. */
export function safeContactUrl(url: string | null | undefined): string | undefined {
  return safeUrl(url) ?? (url && /^mailto:[^\s]+$/i.test(url) ? url : undefined);
}
