// Everything the site derives from the results of every run, computed once per build from the run
// snapshots (data/snapshots.ts) in one pass over typed arrays: status counts and mean scores per run,
// team and check; each repository's level and each team's level per run; team and organisation
// scores per run; every status flip. A repository's own history is read from the snapshots when its
// page asks, so no per-repository copy of a million results is kept.
import type { Status } from '../checks/contract.ts';
import { EMPTY_COUNTS, mean, type StatusCounts } from './insights.ts';
import { teamLevel, type LevelDefinition } from './levels.ts';
import { ERROR_CODE, NA_CODE, STATUS_OF, WAIVED_CODE, type RunSnapshot } from './snapshots.ts';

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

export interface RepoRunRow {
  runId: number;
  date: string;
  score: number | null;
  status: 'ok' | 'error';
  headOid: string | null;
  headDate: string | null;
  carriedFromRun: number | null;
  staleReason: string | null;
  /** Commits between the previously crawled head and this one; null when the crawl could not tell. */
  commitsSincePrevious: number | null;
}

export interface RepoCheckPoint {
  runId: number;
  checkId: string;
  status: Status;
  score: number | null;
}

export interface RepoTimeline {
  runs: RepoRunRow[];
  /** Per check id: status and score in each of `runs` (null where the check had no result). */
  checks: Map<string, { status: (Status | null)[]; score: (number | null)[] }>;
}

export interface RepoRef {
  slug: string;
  name: string;
  webUrl: string | null;
}

/** Counts per slot: pass, warn, fail, not-applicable, error, waived (status code − 1). */
const STATUS_KEYS = ['pass', 'warn', 'fail', 'notApplicable', 'error', 'waived'] as const;
/** More rows than any run holds (a million repositories). */
const ROW_SPAN = 1 << 20;

function num(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

interface RunAggregate {
  /** teams × checks × 6 status counts. */
  counts: Uint32Array;
  /** teams × checks: sum and number of scores. */
  scoreSum: Float64Array;
  scored: Uint32Array;
  /** Level index per snapshot row: -2 unrated, -1 no level, else the index. */
  levels: Int16Array;
}

export class History {
  /** Finished runs, oldest first. */
  readonly runIds: readonly number[];
  readonly dates: ReadonlyMap<number, string>;
  /** Every check judged in any run, sorted. */
  readonly checkIds: readonly string[];
  /** Team names with a slot; slot `teamNames.length` is "without a team". */
  readonly teamNames: readonly string[];
  private readonly snapshots: ReadonlyMap<number, RunSnapshot>;
  private readonly teamSlotById = new Map<number, number>();
  private readonly teamNameById: ReadonlyMap<number, string>;
  private readonly checkSlot: Map<string, number>;
  private readonly aggregates = new Map<number, RunAggregate>();
  readonly flips: StatusFlip[] = [];

  constructor(options: {
    runs: readonly { id: number; startedAt: string }[];
    snapshots: ReadonlyMap<number, RunSnapshot>;
    teams: ReadonlyMap<number, string>;
    repos: ReadonlyMap<number, RepoRef>;
    levels: readonly LevelDefinition[];
  }) {
    const { runs, snapshots, levels } = options;
    this.runIds = runs.map((r) => r.id);
    this.dates = new Map(runs.map((r) => [r.id, r.startedAt]));
    this.snapshots = snapshots;
    this.teamNameById = options.teams;
    const names = [...new Set(options.teams.values())].sort();
    this.teamNames = names;
    const slotOfName = new Map(names.map((n, i) => [n, i]));
    for (const [id, name] of options.teams) this.teamSlotById.set(id, slotOfName.get(name)!);
    const checks = new Set<string>();
    for (const id of this.runIds) for (const c of snapshots.get(id)?.checks ?? []) checks.add(c);
    this.checkIds = [...checks].sort();
    this.checkSlot = new Map(this.checkIds.map((c, i) => [c, i]));
    this.compute(options.repos, levels);
  }

  private teamSlot(teamId: number): number {
    return teamId < 0 ? this.teamNames.length : (this.teamSlotById.get(teamId) ?? this.teamNames.length);
  }

  teamName(teamId: number): string | null {
    return teamId < 0 ? null : (this.teamNameById.get(teamId) ?? null);
  }

  snapshot(runId: number): RunSnapshot | undefined {
    return this.snapshots.get(runId);
  }

  private compute(repos: ReadonlyMap<number, RepoRef>, levels: readonly LevelDefinition[]): void {
    const T = this.teamNames.length + 1;
    const C = this.checkIds.length;
    // Minimum per level and check (NaN: not required), from the level definitions.
    const minimums = levels.map((level) => Float64Array.from(this.checkIds, (id) => level.checks?.[id] ?? level.everyCheck ?? NaN));
    // A repository's place in the flip order: by name (case-insensitive), then id.
    const order = [...repos.entries()].sort(([a, x], [b, y]) => {
      const p = x.name.toLowerCase();
      const q = y.name.toLowerCase();
      return p < q ? -1 : p > q ? 1 : a - b;
    });
    const slotOfRepo = new Map(order.map(([id], i) => [id, i]));
    // The last judged status of each repository × check, and the run (position) it came from.
    const lastCode = new Uint8Array(order.length * C);
    const lastScore = new Float64Array(order.length * C);
    const lastRun = new Int32Array(order.length * C).fill(-1);
    // Rows of the run visited in repository-name order, for flips in a stable order.
    for (let position = 0; position < this.runIds.length; position++) {
      const runId = this.runIds[position]!;
      const snap = this.snapshots.get(runId);
      if (!snap) continue;
      const width = snap.checks.length;
      const columns = Int32Array.from(snap.checks, (c) => this.checkSlot.get(c)!);
      const counts = new Uint32Array(T * C * 6);
      const scoreSum = new Float64Array(T * C);
      const scored = new Uint32Array(T * C);
      const rowLevels = new Int16Array(snap.repoCount);
      // Rows in repository-name order (slot · 2^20 + row, sorted as numbers), so flips come out sorted.
      const keys = Float64Array.from(snap.repos, (repoId, row) => (slotOfRepo.get(repoId) ?? order.length) * ROW_SPAN + row).sort();
      for (const key of keys) {
        const row = key % ROW_SPAN;
        const slot = (key - row) / ROW_SPAN;
        const team = this.teamSlot(snap.teams[row]!);
        const base = row * width;
        let rated = false;
        for (let k = 0; k < width; k++) {
          const code = snap.statuses[base + k]!;
          if (code === 0) continue;
          const check = columns[k]!;
          const cell = team * C + check;
          counts[cell * 6 + code - 1]!++;
          const score = snap.scores[base + k]!;
          if (!Number.isNaN(score)) {
            scoreSum[cell]! += score;
            scored[cell]!++;
          }
          if (code !== NA_CODE) rated = true;
          if (slot >= order.length) continue;
          const state = slot * C + check;
          const before = lastCode[state]!;
          if (before !== 0 && before !== code) {
            const repoId = snap.repos[row]!;
            const repo = repos.get(repoId)!;
            const fromRunId = this.runIds[lastRun[state]!]!;
            const fromSnap = this.snapshots.get(fromRunId)!;
            this.flips.push({
              runId,
              fromRunId,
              repoId,
              slug: repo.slug,
              name: repo.name,
              team: this.teamName(snap.teams[row]!),
              checkId: this.checkIds[check]!,
              fromStatus: STATUS_OF[before]!,
              toStatus: STATUS_OF[code]!,
              fromScore: num(lastScore[state]!),
              toScore: num(score),
              fromHead: fromSnap.info.heads[fromSnap.row(repoId)] ?? null,
              toHead: snap.info.heads[row] ?? null,
              webUrl: repo.webUrl,
            });
          }
          lastCode[state] = code;
          lastScore[state] = score;
          lastRun[state] = position;
        }
        rowLevels[row] = rated ? levelOf(minimums, snap, base, width, columns) : -2;
      }
      this.aggregates.set(runId, { counts, scoreSum, scored, levels: rowLevels });
    }
  }

  /** Status counts of a run, for one team (null: repositories without a team; undefined: all) and one check (undefined: all). */
  counts(runId: number, team?: string | null, checkId?: string): StatusCounts {
    const agg = this.aggregates.get(runId);
    if (!agg) return EMPTY_COUNTS;
    const C = this.checkIds.length;
    const teams = team === undefined ? range(this.teamNames.length + 1) : [this.slotOfTeamName(team)];
    const checks = checkId === undefined ? range(C) : [this.checkSlot.get(checkId) ?? -1];
    const out = { ...EMPTY_COUNTS };
    for (const t of teams) {
      if (t < 0) continue;
      for (const c of checks) {
        if (c < 0) continue;
        const at = (t * C + c) * 6;
        for (let k = 0; k < 6; k++) out[STATUS_KEYS[k]!] += agg.counts[at + k]!;
      }
    }
    return out;
  }

  /** Mean score of a check over a team's repositories in a run (null: none scored). */
  meanScore(runId: number, team: string | null, checkId: string): number | null {
    const agg = this.aggregates.get(runId);
    const t = this.slotOfTeamName(team);
    const c = this.checkSlot.get(checkId);
    if (!agg || t < 0 || c === undefined) return null;
    const cell = t * this.checkIds.length + c;
    return agg.scored[cell] === 0 ? null : agg.scoreSum[cell]! / agg.scored[cell]!;
  }

  private teamSlotMemo: Map<string, number> | undefined;

  /** -1 for a team that has no slot (never in any run). */
  private slotOfTeamName(team: string | null): number {
    if (team === null) return this.teamNames.length;
    this.teamSlotMemo ??= new Map(this.teamNames.map((n, i) => [n, i]));
    return this.teamSlotMemo.get(team) ?? -1;
  }

  /** Whether any repository of the team was in the run. */
  teamInRun(runId: number, team: string | null): boolean {
    const snap = this.snapshots.get(runId);
    if (!snap) return false;
    for (let row = 0; row < snap.repoCount; row++) if (this.teamName(snap.teams[row]!) === team) return true;
    return false;
  }

  private teamScoreMemo: Map<number, Map<string | null, number | null>> | undefined;

  /** Mean repository score per team (null key: without a team) in every run where the team had repositories. */
  teamScores(): Map<number, Map<string | null, number | null>> {
    if (this.teamScoreMemo) return this.teamScoreMemo;
    const out = new Map<number, Map<string | null, number | null>>();
    for (const runId of this.runIds) {
      const snap = this.snapshots.get(runId);
      if (!snap) continue;
      const scores = new Map<string | null, (number | null)[]>();
      for (let row = 0; row < snap.repoCount; row++) {
        const team = this.teamName(snap.teams[row]!);
        (scores.get(team) ?? scores.set(team, []).get(team)!).push(num(snap.repoScores[row]!));
      }
      out.set(runId, new Map([...scores].map(([team, list]) => [team, mean(list)])));
    }
    return (this.teamScoreMemo = out);
  }

  /** Mean repository score of the organisation in every run. */
  orgScores(): { runId: number; date: string; score: number | null }[] {
    return this.runIds.flatMap((runId) => {
      const snap = this.snapshots.get(runId);
      return snap ? [{ runId, date: this.dates.get(runId)!, score: mean(Array.from(snap.repoScores, num)) }] : [];
    });
  }

  private teamLevelMemo: Map<number, Map<string, number | null>> | undefined;

  /** Each team's level in every run (the rule of levels.ts teamLevel over its repositories' levels). */
  teamLevels(): Map<number, Map<string, number | null>> {
    if (this.teamLevelMemo) return this.teamLevelMemo;
    const out = new Map<number, Map<string, number | null>>();
    for (const runId of this.runIds) {
      const snap = this.snapshots.get(runId);
      const agg = this.aggregates.get(runId);
      if (!snap || !agg) continue;
      const byTeam = new Map<string, (number | null)[]>();
      for (let row = 0; row < snap.repoCount; row++) {
        const team = this.teamName(snap.teams[row]!);
        if (team === null) continue;
        const level = agg.levels[row]!;
        (byTeam.get(team) ?? byTeam.set(team, []).get(team)!).push(level === -2 ? null : level);
      }
      out.set(runId, new Map([...byTeam].map(([team, list]) => [team, teamLevel(list)])));
    }
    return (this.teamLevelMemo = out);
  }

  /** Repository scores of a run by repository id. */
  repoScores(runId: number): Map<number, number | null> {
    const snap = this.snapshots.get(runId);
    return snap ? new Map(Array.from(snap.repos, (id, row) => [id, num(snap.repoScores[row]!)])) : new Map();
  }

  /**
   * A repository's history in columns, oldest run first: what its page and its export read. Each
   * check's column is aligned with the runs (null: no result for that check in that run).
   */
  repoTimeline(repoId: number): RepoTimeline {
    const runs = this.repoRuns(repoId);
    const checks = new Map<string, { status: (Status | null)[]; score: (number | null)[] }>();
    runs.forEach((run, i) => {
      const snap = this.snapshots.get(run.runId)!;
      const row = snap.row(repoId);
      const base = row * snap.checks.length;
      for (let k = 0; k < snap.checks.length; k++) {
        const code = snap.statuses[base + k]!;
        if (code === 0) continue;
        const id = snap.checks[k]!;
        let column = checks.get(id);
        if (!column) checks.set(id, (column = { status: Array<Status | null>(runs.length).fill(null), score: Array<number | null>(runs.length).fill(null) }));
        column.status[i] = STATUS_OF[code]!;
        column.score[i] = num(snap.scores[base + k]!);
      }
    });
    return { runs, checks };
  }

  /** A repository's crawled head, score and accounting in every run it was in, oldest first. */
  repoRuns(repoId: number): RepoRunRow[] {
    const out: RepoRunRow[] = [];
    for (const runId of this.runIds) {
      const snap = this.snapshots.get(runId);
      const row = snap ? snap.row(repoId) : -1;
      if (!snap || row < 0) continue;
      out.push({
        runId,
        date: this.dates.get(runId)!,
        score: num(snap.repoScores[row]!),
        status: snap.repoOk[row] === 1 ? 'ok' : 'error',
        headOid: snap.info.heads[row] ?? null,
        headDate: snap.info.headDates[row] ?? null,
        carriedFromRun: snap.info.carriedFrom[row] ?? null,
        staleReason: snap.info.stale[row] ?? null,
        commitsSincePrevious: snap.info.commits[row] ?? null,
      });
    }
    return out;
  }

  /** A repository's status and score per check in every run it was judged in, oldest first. */
  repoChecks(repoId: number): RepoCheckPoint[] {
    const out: RepoCheckPoint[] = [];
    for (const runId of this.runIds) {
      const snap = this.snapshots.get(runId);
      const row = snap ? snap.row(repoId) : -1;
      if (!snap || row < 0) continue;
      const base = row * snap.checks.length;
      for (let k = 0; k < snap.checks.length; k++) {
        const code = snap.statuses[base + k]!;
        if (code !== 0) out.push({ runId, checkId: snap.checks[k]!, status: STATUS_OF[code]!, score: num(snap.scores[base + k]!) });
      }
    }
    return out;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * levels.ts repoLevel over one snapshot row, without building a results object per row: levels are
 * cumulative, a not-applicable result meets any minimum, waived, error and unscored never do, and a
 * check without a result is not required.
 */
function levelOf(minimums: readonly Float64Array[], snap: RunSnapshot, base: number, width: number, columns: Int32Array): number {
  let index = -1;
  for (const minimum of minimums) {
    for (let k = 0; k < width; k++) {
      const code = snap.statuses[base + k]!;
      if (code === 0 || code === NA_CODE) continue;
      const required = minimum[columns[k]!]!;
      if (Number.isNaN(required)) continue;
      const score = snap.scores[base + k]!;
      if (code === WAIVED_CODE || code === ERROR_CODE || Number.isNaN(score) || score < required) return index;
    }
    index++;
  }
  return index;
}
