// Writes of the crawler. Each repository's results go in one transaction, so a crash between
// repositories keeps everything written before it.
import { createHash } from 'node:crypto';
import type { CheckOutcome, Finding, RepoKindVerdict, Status } from '../checks/contract.ts';
import { openDb, type Db } from './db.ts';
import { buildSnapshot, fillMissingSnapshots, writeSnapshot } from './snapshots.ts';


/** runs.git_stats: what git cost the run (hosted sources), shown on its run page. */
export interface RunGitStats {
  clones: number;
  fetches: number;
  cached: number;
  reclones: number;
  blobs: number;
  bytes: number;
  ms: number;
  cacheBytes: number;
  slowest: { repo: string; ms: number; bytes: number }[];
}

export interface TeamRow {
  name: string;
  displayName: string;
  contact?: string;
}

/** A finding as stored: its rule is the full id, `<check-id>/<rule-name>` (the runner qualifies what checks return). */
export type StoredFinding = Finding;

export interface StoredCheckResult {
  checkId: string;
  checkVersion: number;
  status: Status;
  underlyingStatus?: CheckOutcome['status'];
  score: number | null;
  weight: number;
  summary: string;
  findings: StoredFinding[];
  /** The exemption that applied: active when status is waived, expired otherwise. */
  waiver?: { reason: string; expires: string };
  durationMs: number;
}

export interface LandedCommit {
  oid: string;
  date: string;
  author: string;
  /** First line of the commit message. */
  title: string;
  pullRequest?: { number: number; title: string; url?: string };
}

export interface Changes {
  /** Commits between the previously crawled head and this one, all of them counted. */
  total: number;
  /** The newest of them (a bounded number). */
  commits: LandedCommit[];
}

export interface RepoResult {
  repo: { key: string; host: string; owner: string; name: string; webUrl?: string };
  team?: string;
  status: 'ok' | 'error';
  error?: string;
  defaultBranch?: string;
  head?: { oid: string; date: string };
  kind?: RepoKindVerdict;
  problems: string[];
  score: number | null;
  durationMs: number;
  results: StoredCheckResult[];
  /** Set when the repository was unchanged and its results were copied from this earlier run. */
  carriedFromRun?: number;
  /** With carriedFromRun: the repository could not be read this run, so its last good result stands, marked stale. */
  staleReason?: string;
  /** Where `team` came from. */
  ownerSource?: 'config' | 'github-team' | 'codeowners' | 'catalog-info';
  /** Commits since the previously crawled head, where the crawl could tell. */
  changes?: Changes;
}

/** A repository's latest good result, and what it was judged with. */
export interface PreviousResult {
  /** The run whose rows hold it (itself possibly a copy). */
  runId: number;
  /** The run that really judged it: carried_from_run of a copy, else runId. */
  originRunId: number;
  originStartedAt: string;
  originConfigHash: string;
  originToolVersion: string;
  headOid: string | null;
  team?: string;
  ownerSource?: RepoResult['ownerSource'];
  checks: { checkId: string; checkVersion: number; status: string; waiverExpires: string | null }[];
}

/** What runs record of the configuration they judged with: equal hashes, same judgement. */
export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 16);
}

function slugBase(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '').slice(0, 80) || 'repo';
}

export class Store {
  readonly db: Db;
  private readonly statements;

  constructor(file: string) {
    this.db = openDb(file);
    const db = this.db;
    this.statements = {
      upsertTeam: db.prepare(
        `INSERT INTO teams (name, display_name, contact_url) VALUES (@name, @displayName, @contact)
         ON CONFLICT (name) DO UPDATE SET display_name = excluded.display_name, contact_url = excluded.contact_url`,
      ),
      teamId: db.prepare('SELECT id FROM teams WHERE name = ?').pluck(),
      insertRunTeam: db.prepare('INSERT OR IGNORE INTO run_teams (run_id, team_id) SELECT ?, id FROM teams WHERE name = ?'),
      startRun: db.prepare(`INSERT INTO runs (started_at, status, tool_version, config_hash, as_of) VALUES (?, 'running', ?, ?, ?)`),
      finishRun: db.prepare('UPDATE runs SET finished_at = ?, status = ?, repo_count = ?, error_count = ?, api_points = ?, carried_forward_count = ?, git_stats = ? WHERE id = ?'),
      repoByKey: db.prepare('SELECT id, slug FROM repositories WHERE repo_key = ?'),
      // Case-insensitive: pages are files, and macOS and Windows runners fold case.
      slugTaken: db.prepare('SELECT 1 FROM repositories WHERE slug = ? COLLATE NOCASE').pluck(),
      insertSkippedFolder: db.prepare('INSERT OR REPLACE INTO run_skipped_folders (run_id, location, reason) VALUES (?, ?, ?)'),
      insertRepo: db.prepare('INSERT INTO repositories (repo_key, host, owner, name, slug, web_url) VALUES (?, ?, ?, ?, ?, ?)'),
      updateRepo: db.prepare('UPDATE repositories SET web_url = ? WHERE id = ?'),
      deleteRepoRun: db.prepare('DELETE FROM repo_runs WHERE run_id = ? AND repo_id = ?'),
      insertRepoRun: db.prepare(
        `INSERT INTO repo_runs (run_id, repo_id, team_id, status, error, default_branch, head_oid, head_date, kind, kind_source,
           kind_evidence, lifecycle, problems, score, duration_ms, crawled_at, carried_from_run, stale_reason, owner_source)
         VALUES (@runId, @repoId, @teamId, @status, @error, @defaultBranch, @headOid, @headDate, @kind, @kindSource,
           @kindEvidence, @lifecycle, @problems, @score, @durationMs, @crawledAt, @carriedFromRun, @staleReason, @ownerSource)`,
      ),
      insertResult: db.prepare(
        `INSERT INTO check_results (run_id, repo_id, check_id, check_version, status, underlying_status, score, weight, summary,
           waiver_reason, waiver_expires, duration_ms)
         VALUES (@runId, @repoId, @checkId, @checkVersion, @status, @underlyingStatus, @score, @weight, @summary,
           @waiverReason, @waiverExpires, @durationMs)`,
      ),
      insertFinding: db.prepare('INSERT INTO findings (result_id, rule, severity, message, path, line) VALUES (?, ?, ?, ?, ?, ?)'),
      runConfig: db.prepare('SELECT config_hash AS configHash, tool_version AS toolVersion FROM runs WHERE id = ?'),
      previous: db.prepare(
        `SELECT rr.run_id AS runId, COALESCE(rr.carried_from_run, rr.run_id) AS originRunId, origin.started_at AS originStartedAt,
           origin.config_hash AS originConfigHash, origin.tool_version AS originToolVersion, rr.head_oid AS headOid,
           t.name AS team, rr.owner_source AS ownerSource
         FROM repo_runs rr
         JOIN repositories r ON r.id = rr.repo_id
         JOIN runs run ON run.id = rr.run_id
         JOIN runs origin ON origin.id = COALESCE(rr.carried_from_run, rr.run_id)
         LEFT JOIN teams t ON t.id = rr.team_id
         WHERE r.repo_key = ? AND rr.run_id < ? AND rr.status = 'ok' AND rr.stale_reason IS NULL AND run.as_of IS NULL
         ORDER BY rr.run_id DESC LIMIT 1`,
      ),
      previousChecks: db.prepare(
        `SELECT check_id AS checkId, check_version AS checkVersion, status, waiver_expires AS waiverExpires
         FROM check_results cr JOIN repositories r ON r.id = cr.repo_id WHERE cr.run_id = ? AND r.repo_key = ?`,
      ),
      copyRepoRun: db.prepare(
        `INSERT INTO repo_runs (run_id, repo_id, team_id, status, error, default_branch, head_oid, head_date, kind, kind_source,
           kind_evidence, lifecycle, problems, score, duration_ms, crawled_at, carried_from_run, stale_reason, owner_source)
         SELECT @runId, repo_id, @teamId, status, error, default_branch, head_oid, head_date, kind, kind_source,
           kind_evidence, lifecycle, problems, score, 0, @crawledAt, @originRunId, @staleReason, @ownerSource
         FROM repo_runs WHERE run_id = @fromRunId AND repo_id = @repoId`,
      ),
      copyResults: db.prepare(
        `INSERT INTO check_results (run_id, repo_id, check_id, check_version, status, underlying_status, score, weight, summary,
           waiver_reason, waiver_expires, duration_ms)
         SELECT @runId, repo_id, check_id, check_version, status, underlying_status, score, weight, summary,
           waiver_reason, waiver_expires, 0
         FROM check_results WHERE run_id = @fromRunId AND repo_id = @repoId AND check_id IN (SELECT value FROM json_each(@checkIds))`,
      ),
      copyFindings: db.prepare(
        `INSERT INTO findings (result_id, rule, severity, message, path, line)
         SELECT fresh.id, f.rule, f.severity, f.message, f.path, f.line
         FROM findings f
         JOIN check_results old ON old.id = f.result_id
         JOIN check_results fresh ON fresh.run_id = @runId AND fresh.repo_id = old.repo_id AND fresh.check_id = old.check_id
         WHERE old.run_id = @fromRunId AND old.repo_id = @repoId
         ORDER BY f.id`,
      ),
      setCommitCount: db.prepare('UPDATE repo_runs SET commits_since_previous = ? WHERE run_id = ? AND repo_id = ?'),
      insertCommit: db.prepare(
        `INSERT INTO repo_run_commits (run_id, repo_id, position, oid, committed_at, author, title, pr_number, pr_title, pr_url)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      previousHead: db.prepare(
        `SELECT rr.head_oid FROM repo_runs rr JOIN repositories r ON r.id = rr.repo_id JOIN runs ru ON ru.id = rr.run_id
         WHERE r.repo_key = ? AND ru.status IN ('ok', 'partial') AND ru.started_at < ? AND rr.status = 'ok' AND rr.head_oid IS NOT NULL
         ORDER BY ru.started_at DESC, ru.id DESC LIMIT 1`,
      ).pluck(),
    };
  }

  syncTeams(teams: TeamRow[]): void {
    this.db.transaction(() => {
      for (const team of teams) this.statements.upsertTeam.run({ name: team.name, displayName: team.displayName, contact: team.contact ?? null });
    })();
  }

  /** Folders this run could not crawl; recording them again (a resumed run) replaces them. */
  recordSkippedFolders(runId: number, folders: readonly { location: string; reason: string }[]): void {
    this.db.transaction(() => {
      for (const folder of folders) this.statements.insertSkippedFolder.run(runId, folder.location, folder.reason);
    })();
  }

  recordRunTeams(runId: number, teams: string[]): void {
    this.db.transaction(() => {
      for (const team of teams) this.statements.insertRunTeam.run(runId, team);
    })();
  }

  startRun(info: { startedAt: string; toolVersion: string; config: unknown; asOf?: string }): number {
    return Number(this.statements.startRun.run(info.startedAt, info.toolVersion, configHash(info.config), info.asOf ?? null).lastInsertRowid);
  }

  finishRun(runId: number, outcome: { finishedAt: string; status: 'ok' | 'partial' | 'failed'; repoCount: number; errorCount: number; apiPoints?: number; carriedForward?: number; git?: RunGitStats }): void {
    this.statements.finishRun.run(outcome.finishedAt, outcome.status, outcome.repoCount, outcome.errorCount, outcome.apiPoints ?? null, outcome.carriedForward ?? 0, outcome.git ? JSON.stringify(outcome.git) : null, runId);
    // The run is final: pack it for the site (and any finished run still without a snapshot).
    if (outcome.status !== 'failed') this.db.transaction(() => writeSnapshot(this.db, buildSnapshot(this.db, runId)))();
    fillMissingSnapshots(this.db);
  }

  /** The id of a repository by its stable key, added (with a unique slug) when new. */
  repositoryId(repo: RepoResult['repo']): number {
    const existing = this.statements.repoByKey.get(repo.key) as { id: number } | undefined;
    if (existing) {
      this.statements.updateRepo.run(repo.webUrl ?? null, existing.id);
      return existing.id;
    }
    const base = slugBase(repo.name);
    // Names that needed cleaning, or that collide, get a short hash of the unique key.
    const slug = base === repo.name && !this.statements.slugTaken.get(base) ? base : `${base}-${createHash('sha256').update(repo.key).digest('hex').slice(0, 6)}`;
    return Number(this.statements.insertRepo.run(repo.key, repo.host, repo.owner, repo.name, slug, repo.webUrl ?? null).lastInsertRowid);
  }

  /** Writes one repository's outcome for a run; writing it again replaces it (idempotent). */
  writeRepoResult(runId: number, result: RepoResult, crawledAt: string): void {
    this.db.transaction(() => {
      const repoId = this.repositoryId(result.repo);
      const teamId = result.team ? ((this.statements.teamId.get(result.team) as number | undefined) ?? null) : null;
      this.statements.deleteRepoRun.run(runId, repoId);
      this.statements.insertRepoRun.run({
        runId,
        repoId,
        teamId,
        status: result.status,
        error: result.error ?? null,
        defaultBranch: result.defaultBranch ?? null,
        headOid: result.head?.oid ?? null,
        headDate: result.head?.date ?? null,
        kind: result.kind?.kind ?? null,
        kindSource: result.kind?.source ?? null,
        kindEvidence: JSON.stringify(result.kind?.evidence ?? []),
        lifecycle: result.kind?.lifecycle ?? null,
        problems: JSON.stringify(result.problems),
        score: result.score,
        durationMs: Math.round(result.durationMs),
        crawledAt,
        carriedFromRun: result.carriedFromRun ?? null,
        staleReason: result.staleReason ?? null,
        ownerSource: result.ownerSource ?? (teamId !== null ? 'config' : null),
      });
      for (const check of result.results) this.insertCheckResult(runId, repoId, check);
      if (result.changes) {
        this.statements.setCommitCount.run(result.changes.total, runId, repoId);
        result.changes.commits.forEach((c, position) =>
          this.statements.insertCommit.run(runId, repoId, position, c.oid, c.date, c.author, c.title, c.pullRequest?.number ?? null, c.pullRequest?.title ?? null, c.pullRequest?.url ?? null),
        );
      }
    })();
  }

  private insertCheckResult(runId: number, repoId: number, check: StoredCheckResult): void {
    const resultId = Number(
      this.statements.insertResult.run({
        runId,
        repoId,
        checkId: check.checkId,
        checkVersion: check.checkVersion,
        status: check.status,
        underlyingStatus: check.underlyingStatus ?? null,
        score: check.score,
        weight: check.weight,
        summary: check.summary,
        waiverReason: check.waiver?.reason ?? null,
        waiverExpires: check.waiver?.expires ?? null,
        durationMs: check.durationMs,
      }).lastInsertRowid,
    );
    for (const f of check.findings) this.statements.insertFinding.run(resultId, f.rule, f.severity, f.message, f.path ?? null, f.line ?? null);
  }

  /** The latest good (not stale) result of a repository before `runId`, from runs that judged today's state (no --as-of). */
  previousResult(runId: number, repoKey: string): PreviousResult | undefined {
    const row = this.statements.previous.get(repoKey, runId) as (Omit<PreviousResult, 'checks' | 'team' | 'ownerSource'> & { team: string | null; ownerSource: RepoResult['ownerSource'] | null }) | undefined;
    if (!row) return undefined;
    const checks = this.statements.previousChecks.all(row.runId, repoKey) as PreviousResult['checks'];
    return { ...row, team: row.team ?? undefined, ownerSource: row.ownerSource ?? undefined, checks };
  }

  runConfig(runId: number): { configHash: string; toolVersion: string } | undefined {
    return this.statements.runConfig.get(runId) as { configHash: string; toolVersion: string } | undefined;
  }

  /**
   * Copies a repository's results (only `checkIds`) from `previous` into `runId` in one transaction,
   * marked as carried from the run that judged them; with `staleReason`, as a stale stand-in for a
   * repository that could not be read.
   */
  carryForward(
    runId: number,
    repoKey: string,
    previous: PreviousResult,
    options: { checkIds: string[]; crawledAt: string; staleReason?: string; team?: string | null; ownerSource?: RepoResult['ownerSource'] | null; extraResults?: StoredCheckResult[] },
  ): void {
    this.db.transaction(() => {
      const repo = this.statements.repoByKey.get(repoKey) as { id: number } | undefined;
      if (!repo) throw new Error(`no stored repository ${repoKey} to carry forward`);
      const team = options.team === undefined ? previous.team : (options.team ?? undefined);
      const teamId = team ? ((this.statements.teamId.get(team) as number | undefined) ?? null) : null;
      const ownerSource = options.ownerSource === undefined ? previous.ownerSource : (options.ownerSource ?? undefined);
      const params = { runId, repoId: repo.id, fromRunId: previous.runId };
      this.statements.deleteRepoRun.run(runId, repo.id);
      this.statements.copyRepoRun.run({ ...params, teamId, crawledAt: options.crawledAt, originRunId: previous.originRunId, staleReason: options.staleReason ?? null, ownerSource: teamId !== null ? (ownerSource ?? null) : null });
      this.statements.copyResults.run({ ...params, checkIds: JSON.stringify(options.checkIds) });
      this.statements.copyFindings.run(params);
      for (const check of options.extraResults ?? []) this.insertCheckResult(runId, repo.id, check);
    })();
  }

  /** The head crawled for a repository in the latest good run that started before `before`. */
  previousHead(repoKey: string, before: string): string | undefined {
    return (this.statements.previousHead.get(repoKey, before) as string | null | undefined) ?? undefined;
  }

  close(): void {
    this.db.close();
  }
}
