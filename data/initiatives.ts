// Initiatives: a goal for every repository in a scope, due by a day (configuration "initiatives").
// Progress is judged from the stored runs (the run snapshots, plus rule findings and catalog facts
// where the goal or scope needs them), so the burn-up covers every run since the start, not only tonight.
import picomatch from 'picomatch';
import type { Status } from '../checks/contract.ts';
import { daysBetween } from './insights.ts';
import type { LevelDefinition } from './levels.ts';
import { fixPath, worstRule } from './present.ts';
import type { RepoView, Scorecard } from './scorecard.ts';
import { ERROR_CODE, NA_CODE, STATUS_OF, WAIVED_CODE, type RunSnapshot } from './snapshots.ts';

export type InitiativeGoal = { level: string } | { check: string; status?: 'pass' | 'warn'; score?: number } | { rules: string[] };

export interface InitiativeDefinition {
  id: string;
  title: string;
  description?: string;
  owner?: string;
  start: string;
  due: string;
  goal: InitiativeGoal;
  scope: { teams?: string[]; repos?: string[]; kinds?: string[]; lifecycle?: string[] };
}

export type InitiativeState = 'done' | 'on-track' | 'at-risk' | 'overdue' | 'not-started';

export const STATE_LABEL: Record<InitiativeState, string> = {
  done: 'Done',
  'on-track': 'On track',
  'at-risk': 'At risk',
  overdue: 'Overdue',
  'not-started': 'Not started',
};

/** How the state is decided, in words: shown on the pages and in the JSON export. */
export const FORECAST_METHOD =
  'Linear forecast: the pace is the repositories done since the last run on or before the start date (or the first run after it), divided by the days between that run and the latest one. ' +
  'At that pace, the repositories done by the due date are projected; the initiative is on track when the projection covers every repository now in scope, at risk when it does not (or when no progress can be measured yet), overdue when the due date has passed with work left, done when every repository in scope meets the goal. ' +
  'Days are counted from the date of the latest run.';

export interface BurnupPoint {
  runId: number;
  date: string;
  inScope: number;
  done: number;
}

export interface Forecast {
  state: InitiativeState;
  /** Repositories done per day over the measured span; null with fewer than two runs to measure. */
  pacePerDay: number | null;
  /** Repositories projected done by the due date at that pace (capped at the scope); null without a pace. */
  projectedAtDue: number | null;
  /** The day the work would be finished at that pace; null without a positive pace or when done. */
  projectedFinish: string | null;
  /** Days from the latest run to the due date (negative when past). */
  daysLeft: number;
  baselineRunId: number | null;
}

export interface NextStep {
  text: string;
  /** Site path (without base) of the check's How-to-fix, at the rule's subsection where one is known. */
  fix: string;
  checkId: string;
  rule: string | undefined;
}

export interface TodoRepo {
  repo: RepoView;
  /** Why it is not done: the result that falls short. */
  status: Status | null;
  score: number | null;
  next: NextStep;
}

export interface TeamProgress {
  team: string | null;
  displayName: string;
  inScope: number;
  done: number;
  forecast: Forecast;
}

export interface InitiativeProgress {
  definition: InitiativeDefinition;
  goalText: string;
  burnup: BurnupPoint[];
  inScope: number;
  done: number;
  forecast: Forecast;
  teams: TeamProgress[];
  todo: TodoRepo[];
  /** Runs left out of the burn-up because their findings were pruned (rule goals only). */
  prunedRuns: number;
}

interface RowVerdict {
  done: boolean;
  /** The check that falls short, for the next step (the first by gap for levels). */
  checkId?: string;
  status?: Status | null;
  score?: number | null;
  minimum?: number;
  rule?: string;
  /** The status the goal asks for, in words. */
  wanted?: string;
}

const STATUS_RANK: Partial<Record<Status, number>> = { pass: 2, warn: 1, fail: 0 };

export function goalText(goal: InitiativeGoal, title: (checkId: string) => string): string {
  if ('level' in goal) return `every repository in scope reaches ${goal.level}`;
  if ('rules' in goal) return `no finding of ${goal.rules.join(', ')}`;
  const parts = [goal.status ? `${goal.status === 'pass' ? 'passes' : 'passes or warns'}` : '', goal.score !== undefined ? `scores at least ${goal.score}` : ''].filter(Boolean);
  return `${title(goal.check)} ${parts.join(' and ')}`;
}

/** Judges one snapshot row against the goal. Waived and not-applicable count as done; error never does. */
function judgeRow(goal: InitiativeGoal, levels: readonly LevelDefinition[], snap: RunSnapshot, row: number, brokenRules: ReadonlyMap<string, number> | undefined): RowVerdict {
  const width = snap.checks.length;
  const codeOf = (checkId: string) => {
    const k = snap.checks.indexOf(checkId);
    return k < 0 ? { code: 0, score: NaN } : { code: snap.statuses[row * width + k]!, score: snap.scores[row * width + k]! };
  };
  if ('check' in goal) {
    const { code, score } = codeOf(goal.check);
    const status = STATUS_OF[code] ?? null;
    if (code === NA_CODE || code === WAIVED_CODE) return { done: true };
    const verdict = { done: false, checkId: goal.check, status, score: Number.isNaN(score) ? null : score, minimum: goal.score, wanted: goal.status === 'warn' ? 'warn or pass' : 'pass' };
    if (code === 0 || code === ERROR_CODE) return verdict;
    const statusOk = goal.status === undefined || (STATUS_RANK[status!] ?? -1) >= STATUS_RANK[goal.status]!;
    const scoreOk = goal.score === undefined || (!Number.isNaN(score) && score >= goal.score);
    return statusOk && scoreOk ? { done: true } : verdict;
  }
  if ('rules' in goal) {
    for (const rule of goal.rules) {
      const checkId = rule.slice(0, rule.indexOf('/'));
      const { code, score } = codeOf(checkId);
      if (code === NA_CODE || code === WAIVED_CODE) continue;
      const status = STATUS_OF[code] ?? null;
      if (code === 0 || code === ERROR_CODE) return { done: false, checkId, status, score: Number.isNaN(score) ? null : score, rule };
      if ((brokenRules?.get(rule) ?? 0) > 0) return { done: false, checkId, status, score: Number.isNaN(score) ? null : score, rule };
    }
    return { done: true };
  }
  const target = levels.findIndex((l) => l.name.toLowerCase() === goal.level.toLowerCase());
  // The largest gap first: the check furthest below what the level asks is the next step.
  let worst: RowVerdict | undefined;
  let worstGap = -1;
  for (let index = 0; index <= target; index++) {
    const level = levels[index]!;
    for (let k = 0; k < width; k++) {
      const code = snap.statuses[row * width + k]!;
      if (code === 0 || code === NA_CODE || code === WAIVED_CODE) continue;
      const checkId = snap.checks[k]!;
      const minimum = level.checks?.[checkId] ?? level.everyCheck;
      if (minimum === undefined) continue;
      const score = snap.scores[row * width + k]!;
      const unscored = code === ERROR_CODE || Number.isNaN(score);
      if (!unscored && score >= minimum) continue;
      const gap = unscored ? minimum : minimum - score;
      if (gap > worstGap) {
        worstGap = gap;
        worst = { done: false, checkId, status: STATUS_OF[code] ?? null, score: unscored ? null : score, minimum };
      }
    }
  }
  return worst ?? { done: true };
}

export function forecast(burnup: readonly BurnupPoint[], start: string, due: string, today: string): Forecast {
  const daysLeft = daysBetween(today, due);
  const latest = burnup.at(-1);
  const base = [...burnup].reverse().find((p) => p.date.slice(0, 10) <= start) ?? burnup[0];
  const span = latest && base ? daysBetween(base.date, latest.date) : 0;
  const pace = latest && base && span > 0 ? Math.max(0, latest.done - base.done) / span : null;
  const remaining = latest ? latest.inScope - latest.done : 0;
  const projectedAtDue = latest && pace !== null ? Math.min(latest.inScope, latest.done + pace * Math.max(0, daysLeft)) : null;
  const projectedFinish = latest && pace && remaining > 0 ? new Date(Date.parse(today.slice(0, 10)) + Math.ceil(remaining / pace) * 86_400_000).toISOString().slice(0, 10) : null;
  let state: InitiativeState;
  if (latest && latest.inScope > 0 && remaining === 0) state = 'done';
  else if (today.slice(0, 10) > due) state = 'overdue';
  else if (today.slice(0, 10) < start) state = 'not-started';
  else if (latest && latest.inScope === 0) state = 'done';
  else state = projectedAtDue !== null && latest && projectedAtDue >= latest.inScope ? 'on-track' : 'at-risk';
  return { state, pacePerDay: pace, projectedAtDue, projectedFinish, daysLeft, baselineRunId: base?.runId ?? null };
}

/** Every initiative's progress, from the scorecard's runs. */
export function initiativeProgress(s: Scorecard, definitions: readonly InitiativeDefinition[]): InitiativeProgress[] {
  const latest = s.latest;
  if (!latest || definitions.length === 0) return [];
  const history = s.history();
  const today = latest.startedAt;
  const names = s.q.repoNames();
  const teamDisplay = new Map(s.teams().map((t) => [t.name, t.displayName]));
  return definitions.map((definition) => {
    const { scope, goal } = definition;
    const nameMatch = scope.repos ? picomatch(scope.repos, { nocase: true, dot: true }) : undefined;
    // The burn-up: the last run on or before the start (the baseline), then every run after it.
    const before = s.runs.filter((r) => r.startedAt.slice(0, 10) <= definition.start);
    const runs = [...before.slice(-1), ...s.runs.filter((r) => r.startedAt.slice(0, 10) > definition.start)];
    const runIds = runs.map((r) => r.id);
    const attributes = scope.kinds || scope.lifecycle ? s.q.repoAttributes(runIds) : undefined;
    const rules = 'rules' in goal ? goal.rules : undefined;
    const pruned = rules ? s.q.prunedRuns() : new Set<number>();
    const broken = rules ? s.q.ruleFindingCounts(runIds.filter((id) => !pruned.has(id)), rules) : undefined;
    const burnup: BurnupPoint[] = [];
    const byTeam = new Map<string | null, BurnupPoint[]>();
    let latestVerdicts = new Map<number, RowVerdict>();
    let prunedRuns = 0;
    for (const run of runs) {
      const snap = history.snapshot(run.id);
      if (!snap) continue;
      if (rules && pruned.has(run.id) && run.id !== latest.id) {
        prunedRuns++;
        continue;
      }
      const point: BurnupPoint = { runId: run.id, date: run.startedAt, inScope: 0, done: 0 };
      const teamPoints = new Map<string | null, BurnupPoint>();
      const verdicts = new Map<number, RowVerdict>();
      for (let row = 0; row < snap.repoCount; row++) {
        const repoId = snap.repos[row]!;
        const team = history.teamName(snap.teams[row]!);
        if (scope.teams && (team === null || !scope.teams.includes(team))) continue;
        if (nameMatch) {
          const ref = names.get(repoId);
          if (!ref || !(nameMatch(ref.name) || nameMatch(`${ref.owner}/${ref.name}`))) continue;
        }
        if (attributes) {
          const attr = attributes.get(run.id)?.get(repoId);
          if (scope.kinds && !(attr?.kind && scope.kinds.includes(attr.kind))) continue;
          if (scope.lifecycle && !(attr?.lifecycle && scope.lifecycle.includes(attr.lifecycle))) continue;
        }
        const verdict = judgeRow(goal, s.levels, snap, row, broken?.get(run.id)?.get(repoId));
        verdicts.set(repoId, verdict);
        point.inScope++;
        if (verdict.done) point.done++;
        const tp = teamPoints.get(team) ?? teamPoints.set(team, { runId: run.id, date: run.startedAt, inScope: 0, done: 0 }).get(team)!;
        tp.inScope++;
        if (verdict.done) tp.done++;
      }
      burnup.push(point);
      for (const [team, tp] of teamPoints) (byTeam.get(team) ?? byTeam.set(team, []).get(team)!).push(tp);
      if (run.id === latest.id) latestVerdicts = verdicts;
    }
    const latestPoint = burnup.at(-1);
    const teams: TeamProgress[] = [...byTeam]
      .filter(([, points]) => points.at(-1)?.runId === latest.id)
      .map(([team, points]) => {
        const last = points.at(-1)!;
        return { team, displayName: team === null ? 'Without a team' : (teamDisplay.get(team) ?? team), inScope: last.inScope, done: last.done, forecast: forecast(points, definition.start, definition.due, today) };
      })
      .sort((a, b) => a.done / a.inScope - b.done / b.inScope || a.displayName.localeCompare(b.displayName));
    const todo: TodoRepo[] = [];
    s.q.preloadResults(latest.id);
    for (const repo of s.repos()) {
      const verdict = latestVerdicts.get(repo.repoId);
      if (!verdict || verdict.done || !verdict.checkId) continue;
      todo.push({ repo, status: verdict.status ?? null, score: verdict.score ?? null, next: nextStep(s, repo, verdict) });
    }
    todo.sort((a, b) => (a.repo.team ?? '~').localeCompare(b.repo.team ?? '~') || a.repo.name.localeCompare(b.repo.name));
    return {
      definition,
      goalText: goalText(goal, (id) => s.checkInfo(id)?.title ?? id),
      burnup,
      inScope: latestPoint?.runId === latest.id ? latestPoint.inScope : 0,
      done: latestPoint?.runId === latest.id ? latestPoint.done : 0,
      forecast: forecast(burnup, definition.start, definition.due, today),
      teams,
      todo,
      prunedRuns,
    };
  });
}

function nextStep(s: Scorecard, repo: RepoView, verdict: RowVerdict): NextStep {
  const checkId = verdict.checkId!;
  const check = s.checkInfo(checkId);
  const docsPath = check?.docsPath ?? `/checks/${checkId}/`;
  const title = check?.title ?? checkId;
  const findings = s.q.checkResults(s.latest!.id, repo.repoId).find((r) => r.checkId === checkId)?.findings ?? [];
  const rule = verdict.rule ?? worstRule(findings);
  const score = verdict.score === null || verdict.score === undefined ? null : verdict.score.toFixed(1);
  let text: string;
  if (verdict.status === 'error') text = `${title} could not be judged: make it readable, then fix what it finds`;
  else if (verdict.status === null) text = `${title} has no result for this repository yet`;
  else if (verdict.rule) text = `Fix ${verdict.rule} (${title})`;
  else if (verdict.minimum !== undefined) text = `Raise ${title} from ${score ?? '—'} to ${verdict.minimum}${rule ? `: start with ${rule}` : ''}`;
  else text = `Bring ${title} to ${verdict.wanted ?? 'pass'} (now ${verdict.status}${score ? `, ${score}` : ''})${rule ? `: start with ${rule}` : ''}`;
  return { text, fix: fixPath(docsPath, rule), checkId, rule };
}

/** Open initiatives (not done) whose scope takes in any of a team's repositories, soonest due first. */
export function teamInitiatives(all: readonly InitiativeProgress[], team: string): { progress: InitiativeProgress; team: TeamProgress }[] {
  return all
    .flatMap((p) => {
      const own = p.teams.find((t) => t.team === team);
      return own && p.forecast.state !== 'done' ? [{ progress: p, team: own }] : [];
    })
    .sort((a, b) => a.progress.definition.due.localeCompare(b.progress.definition.due) || a.progress.definition.id.localeCompare(b.progress.definition.id));
}
