// What each page and export shows, computed from the stored runs in a few memoised queries.
// Generic over checks: every list of checks comes from the catalog and the stored results.
import type { Status } from '../checks/contract.ts';
import {
  baselineRun,
  daysBetween,
  delta,
  mean,
  passingShare,
  previousRun,
  scoreChanges,
  scoreGains,
  type CheckGain,
  type ScoreChange,
  type StatusCounts,
} from './insights.ts';
import type { History } from './history.ts';
import { initiativeProgress, type InitiativeDefinition, type InitiativeProgress } from './initiatives.ts';
import { levelName, repoLevel, teamLevel, type LevelDefinition, type Shortfall } from './levels.ts';
import { fixPath, worstRule } from './present.ts';
import type { Queries, RepoSummary, RunRow, StatusFlip, TeamSummary } from './queries.ts';

export interface CheckInfo {
  id: string;
  title: string;
  description: string;
  category: string;
  /** Default weight from the check's metadata; the configured one is stored with each result. */
  defaultWeight: number;
  docsPath: string;
}

export interface RepoView extends RepoSummary {
  level: number | null;
  levelName: string;
  blocking: Shortfall[];
  changeSincePrevious: number | null;
  changeSinceBaseline: number | null;
}

export interface TeamView extends TeamSummary {
  level: number | null;
  levelName: string;
  changeSincePrevious: number | null;
  changeSinceBaseline: number | null;
  /** Team score in every run of the last 30 days (oldest first). */
  recent: { runId: number; date: string; score: number | null }[];
  /** Results failing or warning in the latest run. */
  failingChecks: number;
}

export interface WaiverView {
  repo: RepoSummary;
  checkId: string;
  reason: string;
  expires: string;
  daysLeft: number;
  underlyingStatus: Status | null;
}

export interface HistoryPoint {
  runId: number;
  date: string;
}

const SHORT_WINDOW_DAYS = 30;

/** Where `seaworthy build` leaves the scorecard it computed, for the pages inside Astro's bundle to reuse. */
export const SHARED_SCORECARD = Symbol.for('seaworthy.scorecard');

export class Scorecard {
  readonly q: Queries;
  readonly levels: readonly LevelDefinition[];
  readonly catalog: readonly CheckInfo[];
  readonly runs: RunRow[];
  readonly latest: RunRow | undefined;
  readonly previous: RunRow | undefined;
  /** The run "30-day change" compares with (its date is always shown). */
  readonly baseline: RunRow | undefined;

  /** Initiatives from the configuration (crawler/site.ts passes them). */
  readonly initiativeDefinitions: readonly InitiativeDefinition[];

  constructor(q: Queries, levels: readonly LevelDefinition[], catalog: readonly CheckInfo[], options: { initiatives?: readonly InitiativeDefinition[] } = {}) {
    this.q = q;
    this.initiativeDefinitions = options.initiatives ?? [];
    this.levels = levels;
    this.catalog = catalog;
    this.runs = q.runs();
    this.latest = this.runs.at(-1);
    this.previous = this.latest ? previousRun(this.runs, this.latest) : undefined;
    this.baseline = this.latest ? baselineRun(this.runs, this.latest, SHORT_WINDOW_DAYS) : undefined;
  }

  private initiativesMemo: InitiativeProgress[] | undefined;

  /** Every configured initiative with its burn-up, forecast, team progress and repositories to do. */
  initiatives(): InitiativeProgress[] {
    return (this.initiativesMemo ??= initiativeProgress(this, this.initiativeDefinitions));
  }

  initiative(id: string): InitiativeProgress | undefined {
    return this.initiatives().find((i) => i.definition.id === id);
  }

  levelName(index: number | null): string {
    return levelName(this.levels, index);
  }

  private checksMemo: CheckInfo[] | undefined;

  /** The checks with results in the latest run, in catalog order; a stored check no longer registered shows by id. */
  checks(): CheckInfo[] {
    if (this.checksMemo) return this.checksMemo;
    const judged = new Set(this.repos().flatMap((r) => Object.keys(r.checks)));
    const known = this.catalog.filter((c) => judged.has(c.id));
    const unknown = [...judged].filter((id) => !this.catalog.some((c) => c.id === id)).sort();
    return (this.checksMemo = [...known, ...unknown.map((id) => ({ id, title: id, description: '', category: 'other', defaultWeight: 1, docsPath: `/checks/${id}/` }))]);
  }

  checkInfo(id: string): CheckInfo | undefined {
    return this.catalog.find((c) => c.id === id) ?? this.checks().find((c) => c.id === id);
  }

  private reposMemo: RepoView[] | undefined;

  /** Every repository of the latest run, with level and score changes. */
  repos(): RepoView[] {
    if (this.reposMemo) return this.reposMemo;
    if (!this.latest) return (this.reposMemo = []);
    const before = this.previous ? this.history().repoScores(this.previous.id) : new Map<number, number | null>();
    const baseline = this.baseline ? this.history().repoScores(this.baseline.id) : new Map<number, number | null>();
    this.q.preloadResults(this.latest.id);
    return (this.reposMemo = this.q.repositories(this.latest.id).map((repo) => {
      const { index, blocking } = repoLevel(this.levels, repo.checks);
      return {
        ...repo,
        level: index,
        levelName: this.levelName(index),
        blocking,
        changeSincePrevious: delta(repo.score, before.get(repo.repoId)),
        changeSinceBaseline: delta(repo.score, baseline.get(repo.repoId)),
      };
    }));
  }

  private bySlug: Map<string, RepoView> | undefined;

  repo(slug: string): RepoView | undefined {
    return (this.bySlug ??= new Map(this.repos().map((r) => [r.slug, r]))).get(slug);
  }

  private teamScoreByRun(): Map<number, Map<string | null, number | null>> {
    return this.history().teamScores();
  }

  private teamsMemo: TeamView[] | undefined;

  teams(): TeamView[] {
    if (this.teamsMemo) return this.teamsMemo;
    const latest = this.latest;
    if (!latest) return (this.teamsMemo = []);
    const scores = this.teamScoreByRun();
    const repos = this.repos();
    const since = Date.parse(latest.startedAt) - SHORT_WINDOW_DAYS * 86_400_000;
    const recentRuns = this.runs.filter((r) => Date.parse(r.startedAt) >= since);
    return (this.teamsMemo = this.q.teams(latest.id).map((team) => {
      const own = repos.filter((r) => r.team === team.name);
      const level = teamLevel(own.map((r) => r.level));
      return {
        ...team,
        level,
        levelName: this.levelName(level),
        changeSincePrevious: this.previous ? delta(team.score, scores.get(this.previous.id)?.get(team.name)) : null,
        changeSinceBaseline: this.baseline ? delta(team.score, scores.get(this.baseline.id)?.get(team.name)) : null,
        recent: recentRuns.map((r) => ({ runId: r.id, date: r.startedAt, score: scores.get(r.id)?.get(team.name) ?? null })),
        failingChecks: team.failing + team.warning,
      };
    }));
  }

  team(name: string): TeamView | undefined {
    return this.teams().find((t) => t.name === name);
  }

  teamRepos(name: string): RepoView[] {
    return this.repos().filter((r) => r.team === name);
  }

  /** Organisation headline: score, changes, repositories per level. */
  organisation() {
    const repos = this.repos();
    const score = mean(repos.map((r) => r.score));
    const scoreOf = (runId: number | undefined) => (runId === undefined ? null : mean([...this.history().repoScores(runId).values()]));
    const levelCounts = [
      ...this.levels.map((l, index) => ({ name: l.name, description: l.description ?? '', index: index as number | null, repositories: repos.filter((r) => r.level === index).length })),
    ].reverse();
    levelCounts.push({ name: this.levelName(-1), description: `Does not meet ${this.levels[0]?.name ?? 'the first level'}.`, index: -1, repositories: repos.filter((r) => r.level === -1).length });
    levelCounts.push({ name: this.levelName(null), description: 'Nothing judged: every check is not applicable.', index: null, repositories: repos.filter((r) => r.level === null).length });
    return {
      score,
      changeSincePrevious: delta(score, scoreOf(this.previous?.id)),
      changeSinceBaseline: delta(score, scoreOf(this.baseline?.id)),
      levelCounts,
      repositories: repos.length,
      unowned: repos.filter((r) => !r.team),
    };
  }

  /** Every check's status counts over all repositories in the latest run. */
  checkCounts(): { check: CheckInfo; counts: StatusCounts; share: number | null }[] {
    if (!this.latest) return [];
    const latest = this.latest.id;
    return this.checks().map((check) => {
      const counts = this.history().counts(latest, undefined, check.id);
      return { check, counts, share: passingShare(counts).share };
    });
  }

  /** Checks ranked by how many repositories fail them (then warn) in the latest run. */
  mostFailing(): { check: CheckInfo; counts: StatusCounts; share: number | null }[] {
    return this.checkCounts()
      .filter((c) => c.counts.fail + c.counts.warn > 0)
      .sort((a, b) => b.counts.fail - a.counts.fail || b.counts.warn - a.counts.warn || a.check.id.localeCompare(b.check.id));
  }

  /** Teams × checks: share of applicable repositories passing, in the latest run. */
  heatmap(): { team: TeamView; cells: { check: CheckInfo; passing: number; applicable: number; share: number | null; counts: StatusCounts }[] }[] {
    if (!this.latest) return [];
    const latest = this.latest.id;
    return this.teams().map((team) => ({
      team,
      cells: this.checks().map((check) => {
        const counts = this.history().counts(latest, team.name, check.id);
        return { check, counts, ...passingShare(counts) };
      }),
    }));
  }

  /** Repositories whose score rose or fell most since the previous run and since the baseline. */
  movers(): { sincePrevious: { improved: ScoreChange<RepoView>[]; regressed: ScoreChange<RepoView>[] }; sinceBaseline: { improved: ScoreChange<RepoView>[]; regressed: ScoreChange<RepoView>[] } } {
    const repos = this.repos();
    const changes = (runId: number | undefined) => {
      if (runId === undefined) return { improved: [], regressed: [] };
      const before = this.history().repoScores(runId);
      const byId = new Map(repos.map((r) => [r.repoId, r]));
      const result = scoreChanges(new Map(repos.map((r) => [r.repoId, r.score])), before);
      const toView = (c: ScoreChange<number>) => ({ ...c, key: byId.get(c.key)! });
      return { improved: result.improved.map(toView), regressed: result.regressed.map(toView) };
    };
    return { sincePrevious: changes(this.previous?.id), sinceBaseline: changes(this.baseline?.id) };
  }

  /** Active waivers, soonest expiry first; `withinDays` keeps those expiring within that many days of the latest run. */
  waivers(withinDays?: number, team?: string): WaiverView[] {
    if (!this.latest) return [];
    const today = this.latest.startedAt.slice(0, 10);
    const out: WaiverView[] = [];
    for (const repo of this.repos()) {
      if (team !== undefined && repo.team !== team) continue;
      for (const [checkId, c] of Object.entries(repo.checks)) {
        if (c.status !== 'waived' || !c.waiverReason || !c.waiverExpires) continue;
        const daysLeft = daysBetween(today, c.waiverExpires);
        if (withinDays === undefined || daysLeft <= withinDays) out.push({ repo, checkId, reason: c.waiverReason, expires: c.waiverExpires, daysLeft, underlyingStatus: c.underlyingStatus });
      }
    }
    return out.sort((a, b) => a.expires.localeCompare(b.expires) || a.repo.name.localeCompare(b.repo.name));
  }

  /** Results whose waiver has expired: they count with their real status, marked so. */
  expiredWaivers(team?: string): WaiverView[] {
    if (!this.latest) return [];
    const today = this.latest.startedAt.slice(0, 10);
    return this.repos()
      .filter((r) => team === undefined || r.team === team)
      .flatMap((repo) =>
        Object.entries(repo.checks)
          .filter(([, c]) => c.status !== 'waived' && c.waiverReason && c.waiverExpires)
          .map(([checkId, c]) => ({ repo, checkId, reason: c.waiverReason!, expires: c.waiverExpires!, daysLeft: daysBetween(today, c.waiverExpires!), underlyingStatus: c.status })),
      );
  }

  /** Next best actions for a team: failing and warning checks ranked by the team score they would add. */
  /** Each action names the most severe rule its repositories break in the latest run, and links its "How to fix" (site path, without base). */
  nextActions(team: string): (CheckGain & { check: CheckInfo; rule: string | undefined; remediation: string; repoViews: (CheckGain['repos'][number] & { repo: RepoView })[] })[] {
    const repos = this.teamRepos(team);
    const bySlug = new Map(repos.map((r) => [r.slug, r]));
    return scoreGains(repos.map((r) => ({ key: r.slug, checks: r.checks }))).map((g) => {
      const check = this.checkInfo(g.checkId)!;
      const repoViews = g.repos.map((x) => ({ ...x, repo: bySlug.get(x.key)! }));
      const findings = repoViews.flatMap((x) => this.q.checkResults(this.latest!.id, x.repo.repoId).find((r) => r.checkId === g.checkId)?.findings ?? []);
      const rule = worstRule(findings);
      return { ...g, check, rule, remediation: fixPath(check.docsPath, rule), repoViews };
    });
  }

  /** Team score, level and each check's mean score in every run the team had repositories in. */
  teamHistory(team: string): { runs: (HistoryPoint & { score: number | null; level: number | null; checks: Record<string, number | null> })[] } {
    const history = this.history();
    const scores = history.teamScores();
    const levels = history.teamLevels();
    const runs = this.runs
      .filter((r) => scores.get(r.id)?.has(team))
      .map((r) => ({
        runId: r.id,
        date: r.startedAt,
        score: scores.get(r.id)?.get(team) ?? null,
        level: levels.get(r.id)?.get(team) ?? null,
        checks: Object.fromEntries(
          this.checks().map((c) => {
            const m = history.meanScore(r.id, team, c.id);
            return [c.id, m === null ? null : Math.round(m * 10) / 10];
          }),
        ),
      }));
    return { runs };
  }

  /** Organisation score per run, for the overview trend. */
  orgHistory(): (HistoryPoint & { score: number | null })[] {
    return this.history().orgScores();
  }

  /** Status counts of a check in every run (all repositories), oldest first. */
  checkDistribution(checkId: string): (HistoryPoint & { counts: StatusCounts })[] {
    const history = this.history();
    return this.runs.flatMap((r) => {
      const counts = history.counts(r.id, undefined, checkId);
      return Object.values(counts).some((n) => n > 0) ? [{ runId: r.id, date: r.startedAt, counts }] : [];
    });
  }

  /** Repositories failing or warning a check in the latest run, grouped by team (teams in display order, then repositories without a team). */
  failingByTeam(checkId: string): { team: TeamView | null; repos: RepoView[] }[] {
    const failing = this.repos().filter((r) => ['fail', 'warn'].includes(r.checks[checkId]?.status ?? ''));
    const groups = this.teams().map((team) => ({ team: team as TeamView | null, repos: failing.filter((r) => r.team === team.name) }));
    groups.push({ team: null, repos: failing.filter((r) => !r.team || !this.team(r.team)) });
    for (const g of groups) g.repos.sort((a, b) => (a.checks[checkId]?.score ?? 0) - (b.checks[checkId]?.score ?? 0) || a.name.localeCompare(b.name));
    return groups.filter((g) => g.repos.length > 0);
  }

  /** The weights a check carried in the latest run (normally one value, from the configuration). */
  checkWeights(checkId: string): number[] {
    return [...new Set(this.repos().flatMap((r) => (r.checks[checkId] ? [r.checks[checkId].weight] : [])))].sort((a, b) => a - b);
  }

  flips(): StatusFlip[] {
    return this.history().flips;
  }

  /** Results of every run, computed once per build (data/history.ts). */
  history(): History {
    return this.q.history(this.levels);
  }

  private flipIndex: { byRun: Map<number, StatusFlip[]>; byRepo: Map<number, StatusFlip[]> } | undefined;

  private indexFlips() {
    if (this.flipIndex) return this.flipIndex;
    const byRun = new Map<number, StatusFlip[]>();
    const byRepo = new Map<number, StatusFlip[]>();
    for (const f of this.flips()) {
      (byRun.get(f.runId) ?? byRun.set(f.runId, []).get(f.runId)!).push(f);
      (byRepo.get(f.repoId) ?? byRepo.set(f.repoId, []).get(f.repoId)!).push(f);
    }
    return (this.flipIndex = { byRun, byRepo });
  }

  flipsOfRun(runId: number): StatusFlip[] {
    return this.indexFlips().byRun.get(runId) ?? [];
  }

  flipsOfRepo(repoId: number): StatusFlip[] {
    return this.indexFlips().byRepo.get(repoId) ?? [];
  }

  run(id: number): RunRow | undefined {
    return this.runs.find((r) => r.id === id);
  }

  /** Flips that went the right way (towards pass) and the wrong way. */
  static flipDirection(flip: Pick<StatusFlip, 'fromStatus' | 'toStatus'>): 'better' | 'worse' | 'neutral' {
    const rank: Record<string, number> = { pass: 3, warn: 2, fail: 1 };
    const a = rank[flip.fromStatus];
    const b = rank[flip.toStatus];
    if (a === undefined || b === undefined) return 'neutral';
    return b > a ? 'better' : b < a ? 'worse' : 'neutral';
  }
}
