// Reads for the site, at build time. Everything returned here is plain data; pages escape it.
import type { Status } from '../checks/contract.ts';
import { openDb, type Db } from './db.ts';
import { repoLevel, type LevelDefinition } from './levels.ts';

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

export interface TeamScorePoint {
  runId: number;
  team: string | null;
  score: number | null;
  repos: number;
}

export interface CheckStat {
  runId: number;
  team: string | null;
  checkId: string;
  pass: number;
  warn: number;
  fail: number;
  notApplicable: number;
  error: number;
  waived: number;
  meanScore: number | null;
}

export interface StatusFlip {
  runId: number;
  fromRunId: number;
  repoId: number;
  slug: string;
  name: string;
  team: string | null;
  checkId: string;
  fromStatus: Status;
  toStatus: Status;
  fromScore: number | null;
  toScore: number | null;
  fromHead: string | null;
  toHead: string | null;
  webUrl: string | null;
}

export interface RepoLevelPoint {
  team: string | null;
  level: number | null;
}

export interface RepoRunRow {
  runId: number;
  date: string;
  score: number | null;
  status: 'ok' | 'error';
  headOid: string | null;
  headDate: string | null;
  carriedFromRun: number | null;
  staleReason: string | null;
}

function mean(values: (number | null)[]): number | null {
  const scored = values.filter((v): v is number => v !== null);
  return scored.length === 0 ? null : Math.round((scored.reduce((a, b) => a + b, 0) / scored.length) * 10) / 10;
}

export class Queries {
  private readonly db: Db;

  constructor(file: string) {
    this.db = openDb(file, { readonly: true });
  }

  close(): void {
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
                api_points AS apiPoints, carried_forward_count AS carriedForwardCount, tool_version AS toolVersion
         FROM runs WHERE status IN ('ok', 'partial') ORDER BY started_at, id`,
      )
      .all() as RunRow[];
  }

  /** The newest run that ended, good or not: the site says when it is not the one shown. */
  latestEndedRun(): RunRow | undefined {
    return this.db
      .prepare(
        `SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, as_of AS asOf, repo_count AS repoCount, error_count AS errorCount,
                api_points AS apiPoints, carried_forward_count AS carriedForwardCount, tool_version AS toolVersion
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

  /** Mean repository score of every finished run, for the organisation trend. */
  orgTrend(): TrendPoint[] {
    return this.db
      .prepare(
        `SELECT ru.id AS runId, ru.started_at AS date, ROUND(AVG(rr.score), 1) AS score FROM runs ru JOIN repo_runs rr ON rr.run_id = ru.id
         WHERE ru.status IN ('ok', 'partial') GROUP BY ru.id ORDER BY ru.started_at, ru.id`,
      )
      .all() as TrendPoint[];
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

  checkResults(runId: number, repoId: number): CheckResultDetail[] {
    const results = this.db
      .prepare(
        `SELECT id, check_id AS checkId, check_version AS checkVersion, status, underlying_status AS underlyingStatus, score, weight, summary,
                waiver_reason AS waiverReason, waiver_expires AS waiverExpires
         FROM check_results WHERE run_id = ? AND repo_id = ? ORDER BY check_id`,
      )
      .all(runId, repoId) as (Omit<CheckResultDetail, 'findings'> & { id: number })[];
    const findings = this.db.prepare(
      `SELECT severity, message, path, line FROM findings WHERE result_id = ?
       ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, path, line, id`,
    );
    return results.map(({ id, ...rest }) => ({ ...rest, findings: findings.all(id) as FindingRow[] }));
  }

  // History for the site: each reads what every page of a kind needs in one query, memoised.

  private teamScoreRows: TeamScorePoint[] | undefined;

  /** Mean repository score per team (null: without a team) in every run. */
  teamScoreHistory(): TeamScorePoint[] {
    return (this.teamScoreRows ??= this.db
      .prepare(
        `SELECT rr.run_id AS runId, t.name AS team, ROUND(AVG(rr.score), 1) AS score, COUNT(*) AS repos
         FROM repo_runs rr JOIN runs ru ON ru.id = rr.run_id LEFT JOIN teams t ON t.id = rr.team_id
         WHERE ru.status IN ('ok', 'partial') GROUP BY rr.run_id, t.name`,
      )
      .all() as TeamScorePoint[]);
  }

  private checkStatRows: CheckStat[] | undefined;

  /** Per run, team (null: without a team) and check: how many results had each status, and the mean score. */
  checkStats(): CheckStat[] {
    return (this.checkStatRows ??= this.db
      .prepare(
        `SELECT cr.run_id AS runId, t.name AS team, cr.check_id AS checkId,
                SUM(cr.status = 'pass') AS pass, SUM(cr.status = 'warn') AS warn, SUM(cr.status = 'fail') AS fail,
                SUM(cr.status = 'not-applicable') AS notApplicable, SUM(cr.status = 'error') AS error, SUM(cr.status = 'waived') AS waived,
                AVG(cr.score) AS meanScore
         FROM check_results cr JOIN runs ru ON ru.id = cr.run_id JOIN repo_runs rr ON rr.run_id = cr.run_id AND rr.repo_id = cr.repo_id
         LEFT JOIN teams t ON t.id = rr.team_id
         WHERE ru.status IN ('ok', 'partial') GROUP BY cr.run_id, t.name, cr.check_id`,
      )
      .all() as CheckStat[]);
  }

  private levelRows: Map<number, Map<number, RepoLevelPoint>> | undefined;

  /** Every repository's level and team in every run (run id → repository id → level index, null: unrated). */
  levelHistory(levels: readonly LevelDefinition[]): Map<number, Map<number, RepoLevelPoint>> {
    if (this.levelRows) return this.levelRows;
    const byRun = new Map<number, Map<number, RepoLevelPoint>>();
    // Streamed in (run, repository) order, so only one repository's results are held at a time.
    const rows = this.db
      .prepare(
        `SELECT cr.run_id, cr.repo_id, t.name, cr.check_id, cr.status, cr.score
         FROM check_results cr JOIN runs ru ON ru.id = cr.run_id JOIN repo_runs rr ON rr.run_id = cr.run_id AND rr.repo_id = cr.repo_id
         LEFT JOIN teams t ON t.id = rr.team_id
         WHERE ru.status IN ('ok', 'partial') ORDER BY cr.run_id, cr.repo_id`,
      )
      .raw()
      .iterate() as IterableIterator<[number, number, string | null, string, Status, number | null]>;
    let current: { runId: number; repoId: number; team: string | null; results: Record<string, { status: Status; score: number | null }> } | undefined;
    const flush = () => {
      if (!current) return;
      let runLevels = byRun.get(current.runId);
      if (!runLevels) byRun.set(current.runId, (runLevels = new Map()));
      runLevels.set(current.repoId, { team: current.team, level: repoLevel(levels, current.results).index });
    };
    for (const [runId, repoId, team, checkId, status, score] of rows) {
      if (!current || current.runId !== runId || current.repoId !== repoId) {
        flush();
        current = { runId, repoId, team, results: {} };
      }
      current.results[checkId] = { status, score };
    }
    flush();
    return (this.levelRows = byRun);
  }

  /** Repositories of a run that could not be read, or kept an earlier result. */
  runExceptions(runId: number): { slug: string; name: string; team: string | null; status: 'ok' | 'error'; error: string | null; carriedFromRun: number | null; staleReason: string | null }[] {
    return this.db
      .prepare(
        `SELECT r.slug, r.name, t.name AS team, rr.status, rr.error, rr.carried_from_run AS carriedFromRun, rr.stale_reason AS staleReason
         FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id LEFT JOIN teams t ON t.id = rr.team_id
         WHERE rr.run_id = ? AND (rr.status = 'error' OR rr.stale_reason IS NOT NULL) ORDER BY r.name COLLATE NOCASE`,
      )
      .all(runId) as ReturnType<Queries['runExceptions']>;
  }

  private flipRows: StatusFlip[] | undefined;

  /** Every change of status of a repository's check between two consecutive runs that judged it, oldest first. */
  statusFlips(): StatusFlip[] {
    return (this.flipRows ??= this.db
      .prepare(
        `WITH ordered AS (
           SELECT cr.run_id AS runId, cr.repo_id AS repoId, cr.check_id AS checkId, cr.status, cr.score, ru.started_at AS startedAt,
                  LAG(cr.status) OVER w AS fromStatus, LAG(cr.score) OVER w AS fromScore, LAG(cr.run_id) OVER w AS fromRunId
           FROM check_results cr JOIN runs ru ON ru.id = cr.run_id
           WHERE ru.status IN ('ok', 'partial')
           WINDOW w AS (PARTITION BY cr.repo_id, cr.check_id ORDER BY ru.started_at, cr.run_id)
         )
         SELECT o.runId, o.fromRunId, o.repoId, r.slug, r.name, t.name AS team, o.checkId, o.fromStatus, o.status AS toStatus,
                o.fromScore, o.score AS toScore, prev.head_oid AS fromHead, cur.head_oid AS toHead, r.web_url AS webUrl
         FROM ordered o JOIN repositories r ON r.id = o.repoId
         JOIN repo_runs cur ON cur.run_id = o.runId AND cur.repo_id = o.repoId
         LEFT JOIN repo_runs prev ON prev.run_id = o.fromRunId AND prev.repo_id = o.repoId
         LEFT JOIN teams t ON t.id = cur.team_id
         WHERE o.fromStatus IS NOT NULL AND o.fromStatus != o.status
         ORDER BY o.startedAt, o.runId, r.name COLLATE NOCASE, o.checkId`,
      )
      .all() as StatusFlip[]);
  }

  /** One repository's results per check in every run it was judged in, oldest first. */
  repoCheckHistory(repoId: number): { runId: number; checkId: string; status: Status; score: number | null }[] {
    return this.db
      .prepare(
        `SELECT cr.run_id AS runId, cr.check_id AS checkId, cr.status, cr.score FROM check_results cr JOIN runs ru ON ru.id = cr.run_id
         WHERE cr.repo_id = ? AND ru.status IN ('ok', 'partial') ORDER BY ru.started_at, cr.run_id, cr.check_id`,
      )
      .all(repoId) as { runId: number; checkId: string; status: Status; score: number | null }[];
  }

  /** The repository's crawled head, score and accounting in every run, oldest first. */
  repoRuns(repoId: number): RepoRunRow[] {
    return this.db
      .prepare(
        `SELECT ru.id AS runId, ru.started_at AS date, rr.score, rr.status, rr.head_oid AS headOid, rr.head_date AS headDate,
                rr.carried_from_run AS carriedFromRun, rr.stale_reason AS staleReason
         FROM runs ru JOIN repo_runs rr ON rr.run_id = ru.id
         WHERE rr.repo_id = ? AND ru.status IN ('ok', 'partial') ORDER BY ru.started_at, ru.id`,
      )
      .all(repoId) as RepoRunRow[];
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
