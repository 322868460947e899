// Reads for the site, at build time. Everything returned here is plain data; pages escape it.
import type { Status } from '../checks/contract.ts';
import { openDb, type Db } from './db.ts';

export interface RunRow {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  asOf: string | null;
  repoCount: number;
  errorCount: number;
  /** GitHub points the run spent; null when it read no hosted source. */
  apiPoints: number | null;
  carriedForwardCount: number;
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
  /** The run that really judged these results, when they were carried forward or kept stale. */
  carriedFromRun: number | null;
  /** Why the repository could not be read in this run (its last good result is shown). */
  staleReason: string | null;
  ownerSource: 'config' | 'github-team' | 'codeowners' | 'catalog-info' | null;
  checks: Record<string, { status: Status; score: number | null; summary: string }>;
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

  runs(): RunRow[] {
    return this.db
      .prepare(
        `SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, as_of AS asOf, repo_count AS repoCount, error_count AS errorCount,
           api_points AS apiPoints, carried_forward_count AS carriedForwardCount
         FROM runs WHERE status IN ('ok', 'partial') ORDER BY started_at, id`,
      )
      .all() as RunRow[];
  }

  /** The newest run that ended, good or not: the site says when it is not the one shown. */
  latestEndedRun(): RunRow | undefined {
    return this.db
      .prepare(
        `SELECT id, started_at AS startedAt, finished_at AS finishedAt, status, as_of AS asOf, repo_count AS repoCount, error_count AS errorCount,
           api_points AS apiPoints, carried_forward_count AS carriedForwardCount
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
      .prepare('SELECT repo_id AS repoId, check_id AS checkId, status, score, summary FROM check_results WHERE run_id = ?')
      .all(runId) as { repoId: number; checkId: string; status: Status; score: number | null; summary: string }[];
    const checksByRepo = new Map<number, RepoSummary['checks']>();
    for (const r of results) {
      const checks = checksByRepo.get(r.repoId) ?? {};
      checks[r.checkId] = { status: r.status, score: r.score, summary: r.summary };
      checksByRepo.set(r.repoId, checks);
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
}

/** Link to a file at the crawled commit, where the repository has a web URL. */
export function fileUrl(webUrl: string | null, oid: string | null, filePath: string | null, line: number | null): string | undefined {
  if (!webUrl || !oid || !filePath || !/^https?:\/\//.test(webUrl)) return undefined;
  const encoded = filePath.split('/').map(encodeURIComponent).join('/');
  return `${webUrl.replace(/\/+$/, '')}/blob/${oid}/${encoded}${line ? `#L${line}` : ''}`;
}
