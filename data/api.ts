// The versioned exports under /api/v1/: one zod schema per document (published as JSON Schema next to
// the data, and used by the tests to parse what the site serves), a CSV per team and SVG badges.
import { z } from 'zod';
import { SEVERITIES, STATUSES, type Status } from '../checks/contract.ts';
import { FORECAST_METHOD } from './initiatives.ts';
import { fixPath, worstRule } from './present.ts';
import { fileUrl, type RunRow } from './queries.ts';
import type { RepoView, Scorecard } from './scorecard.ts';

export const API_VERSION = 1;
export const API_BASE = `/api/v${API_VERSION}`;

const status = z.enum(STATUSES);
const score = z.number().min(0).max(10).nullable();
const level = z.object({ index: z.int().nullable().describe('Index in "levels", lowest first; -1: no level reached; null: unrated (nothing judged).'), name: z.string() });
const change = z.number().nullable().describe('Score change; null when either side has no score or there is no earlier run.');
const path = z.string().startsWith('/').describe('Path on this site, including its base.');

const run = z
  .object({
    id: z.int(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(['ok', 'partial']),
    repositories: z.int(),
    failedRepositories: z.int(),
    carriedForward: z.int(),
    apiPoints: z.int().nullable().describe('API points spent; null for sources that use no API.'),
    page: path,
  })
  .nullable();

const checkSummary = z.object({ status, score, summary: z.string(), weight: z.number() });

const repoSummary = z.object({
  slug: z.string(),
  name: z.string(),
  owner: z.string(),
  host: z.string(),
  team: z.string().nullable(),
  score,
  level,
  kind: z.string().nullable(),
  webUrl: z.string().nullable(),
  headOid: z.string().nullable(),
  stale: z.string().nullable().describe('Why the repository could not be read this run; its last good result is kept.'),
  carriedFromRun: z.int().nullable(),
  checks: z.record(z.string(), checkSummary),
  page: path,
  json: path,
  badge: path,
});

const document = <K extends string, S extends z.ZodRawShape>(kind: K, shape: S) => z.object({ apiVersion: z.literal(API_VERSION), kind: z.literal(kind), run, ...shape }).strict();

export const apiSchemas = {
  organisation: document('organisation', {
    score,
    changeSincePreviousRun: change,
    changeOver30Days: z.object({ since: z.string().nullable(), change }),
    levels: z.array(z.object({ name: z.string(), description: z.string(), repositories: z.int() })),
    repositoriesWithoutLevel: z.int(),
    repositoriesUnrated: z.int(),
    repositoriesWithoutTeam: z.int(),
    teams: z.array(
      z.object({ name: z.string(), displayName: z.string(), score, level, repositories: z.int(), changeSincePreviousRun: change, changeOver30Days: change, page: path, json: path, csv: path, badge: path }),
    ),
    checks: z.array(z.object({ id: z.string(), title: z.string(), weights: z.array(z.number()), pass: z.int(), warn: z.int(), fail: z.int(), notApplicable: z.int(), error: z.int(), waived: z.int(), page: path, json: path })),
  }),
  team: document('team', {
    team: z.object({ name: z.string(), displayName: z.string(), contact: z.string().nullable(), score, level, changeSincePreviousRun: change, changeOver30Days: change }),
    repositories: z.array(repoSummary),
    nextActions: z.array(
      z.object({
        checkId: z.string(),
        gain: z.number(),
        repositories: z.array(z.string()),
        rule: z.string().nullable().describe('The most severe rule the repositories break ("<check-id>/<rule-name>"); null when their findings name none.'),
        remediation: path.describe('"How to fix" of that rule, else the whole section.'),
      }),
    ),
    waivers: z.array(z.object({ repository: z.string(), checkId: z.string(), reason: z.string(), expires: z.string(), expired: z.boolean() })),
    history: z.array(z.object({ runId: z.int(), date: z.string(), score, level })),
  }),
  repository: document('repository', {
    repository: repoSummary.extend({ ownerSource: z.string().nullable(), defaultBranch: z.string().nullable(), problems: z.array(z.string()) }),
    results: z.array(
      z.object({
        checkId: z.string(),
        status,
        underlyingStatus: status.nullable(),
        score,
        weight: z.number(),
        summary: z.string(),
        waiver: z.object({ reason: z.string(), expires: z.string(), expired: z.boolean() }).nullable(),
        remediation: path.describe('"How to fix" on the check\'s page: the subsection of the most severe rule broken, else the whole section.'),
        findings: z.array(
          z.object({
            rule: z
              .string()
              .regex(/^[a-z][a-z0-9-]*\/[a-z][a-z0-9-]*$/)
              .nullable()
              .describe('The rule broken, "<check-id>/<rule-name>" (e.g. "runbooks/alert-without-runbook"); null for findings stored before rules existed.'),
            severity: z.enum(SEVERITIES),
            message: z.string(),
            path: z.string().nullable(),
            line: z.int().nullable(),
            url: z.string().nullable(),
            remediation: path.describe('The rule\'s "How to fix" subsection on the check\'s page (the whole section when the finding has no rule).'),
          }),
        ),
      }),
    ),
    history: z
      .object({
        runs: z.array(
          z.object({
            runId: z.int(),
            date: z.string(),
            score,
            headOid: z.string().nullable(),
            commitsSincePrevious: z.int().nullable().describe('Commits between the previous crawled head and this one; null when unknown.'),
            commits: z.array(z.object({ oid: z.string(), date: z.string(), author: z.string(), title: z.string(), pullRequest: z.object({ number: z.int(), title: z.string().nullable(), url: z.string().nullable() }).nullable() })),
          }),
        ),
        checks: z
          .record(z.string(), z.array(z.object({ runId: z.int(), status: status.nullable().describe('null: no result for the check in that run'), score })))
          .describe("Per check, the runs where its result differs from the repository's run before (the first run included): a result holds until the next entry."),
      })
      .describe('Every run of the repository, oldest first, and each check\'s results as changes.'),
  }),
  check: document('check', {
    check: z.object({ id: z.string(), title: z.string(), description: z.string(), category: z.string(), defaultWeight: z.number(), weights: z.array(z.number()), page: path }),
    results: z.array(z.object({ repository: z.string(), team: z.string().nullable(), status, score, summary: z.string() })),
    distribution: z.array(z.object({ runId: z.int(), date: z.string(), pass: z.int(), warn: z.int(), fail: z.int(), notApplicable: z.int(), error: z.int(), waived: z.int() })),
  }),
  repositories: document('repositories', { repositories: z.array(repoSummary) }),
  initiative: document('initiative', {
    initiative: z.object({
      id: z.string(),
      title: z.string(),
      description: z.string().nullable(),
      owner: z.string().nullable(),
      start: z.string(),
      due: z.string(),
      goal: z.object({ level: z.string().optional(), check: z.string().optional(), status: z.enum(['pass', 'warn']).optional(), score: z.number().optional(), rules: z.array(z.string()).optional() }),
      goalText: z.string(),
      scope: z.object({ teams: z.array(z.string()).optional(), repos: z.array(z.string()).optional(), kinds: z.array(z.string()).optional(), lifecycle: z.array(z.string()).optional() }),
      page: path,
    }),
    progress: z.object({ inScope: z.int(), done: z.int() }),
    forecast: z.object({
      state: z.enum(['done', 'on-track', 'at-risk', 'overdue', 'not-started']),
      method: z.string(),
      daysLeft: z.int().describe('Days from the latest run to the due date; negative when past.'),
      pacePerDay: z.number().nullable().describe('Repositories done per day since the baseline run; null with nothing to measure yet.'),
      projectedAtDue: z.number().nullable(),
      projectedFinish: z.string().nullable(),
      baselineRunId: z.int().nullable(),
    }),
    burnup: z.array(z.object({ runId: z.int(), date: z.string(), inScope: z.int(), done: z.int() })),
    teams: z.array(z.object({ team: z.string().nullable(), displayName: z.string(), inScope: z.int(), done: z.int(), state: z.enum(['done', 'on-track', 'at-risk', 'overdue', 'not-started']) })),
    todo: z.array(
      z.object({
        repository: z.string(),
        team: z.string().nullable(),
        checkId: z.string(),
        status: status.nullable(),
        score,
        rule: z.string().nullable(),
        nextStep: z.string(),
        remediation: path.describe('"How to fix" on the check\'s page, at the rule\'s subsection where one is known.'),
        page: path,
      }),
    ),
  }),
};

export type ApiKind = keyof typeof apiSchemas;
export type ApiDocument<K extends ApiKind> = z.output<(typeof apiSchemas)[K]>;

export function apiJsonSchema(kind: ApiKind): unknown {
  return { $id: `seaworthy-api-v${API_VERSION}-${kind}`, ...(z.toJSONSchema(apiSchemas[kind], { io: 'output' }) as object) };
}

type Href = (path: string) => string;

export const apiPaths = {
  organisation: () => `${API_BASE}/organisation.json`,
  repositories: () => `${API_BASE}/repositories.json`,
  team: (name: string) => `${API_BASE}/teams/${name}.json`,
  teamCsv: (name: string) => `${API_BASE}/teams/${name}.csv`,
  repo: (slug: string) => `${API_BASE}/repositories/${slug}.json`,
  check: (id: string) => `${API_BASE}/checks/${id}.json`,
  schema: (kind: ApiKind) => `${API_BASE}/schema/${kind}.json`,
  repoBadge: (slug: string) => `/badges/repositories/${slug}.svg`,
  teamBadge: (name: string) => `/badges/teams/${name}.svg`,
  initiative: (id: string) => `${API_BASE}/initiatives/${id}.json`,
  teamFeed: (name: string) => `/feeds/${name}.atom`,
  organisationFeed: () => '/feeds/organisation.atom',
};

function runOf(r: RunRow | undefined, href: Href): z.output<typeof run> {
  if (!r) return null;
  return {
    id: r.id,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    status: r.status === 'partial' ? 'partial' : 'ok',
    repositories: r.repoCount,
    failedRepositories: r.errorCount,
    carriedForward: r.carriedForwardCount,
    apiPoints: r.apiPoints,
    page: href(`/runs/${r.id}/`),
  };
}

function repoOf(r: RepoView, href: Href): z.output<typeof repoSummary> {
  return {
    slug: r.slug,
    name: r.name,
    owner: r.owner,
    host: r.host,
    team: r.team,
    score: r.score,
    level: { index: r.level, name: r.levelName },
    kind: r.kind,
    webUrl: r.webUrl,
    headOid: r.headOid,
    stale: r.staleReason,
    carriedFromRun: r.carriedFromRun,
    checks: Object.fromEntries(Object.entries(r.checks).map(([id, c]) => [id, { status: c.status, score: c.score, summary: c.summary, weight: c.weight }])),
    page: href(`/repos/${r.slug}/`),
    json: href(apiPaths.repo(r.slug)),
    badge: href(apiPaths.repoBadge(r.slug)),
  };
}

export function organisationDocument(s: Scorecard, href: Href): ApiDocument<'organisation'> {
  const org = s.organisation();
  const latestStats = s.checkCounts();
  return {
    apiVersion: API_VERSION,
    kind: 'organisation',
    run: runOf(s.latest, href),
    score: org.score,
    changeSincePreviousRun: org.changeSincePrevious,
    changeOver30Days: { since: s.baseline?.startedAt ?? null, change: org.changeSinceBaseline },
    levels: s.levels.map((l, index) => ({ name: l.name, description: l.description ?? '', repositories: s.repos().filter((r) => r.level === index).length })),
    repositoriesWithoutLevel: s.repos().filter((r) => r.level === -1).length,
    repositoriesUnrated: s.repos().filter((r) => r.level === null).length,
    repositoriesWithoutTeam: org.unowned.length,
    teams: s.teams().map((t) => ({
      name: t.name,
      displayName: t.displayName,
      score: t.score,
      level: { index: t.level, name: t.levelName },
      repositories: t.repoCount,
      changeSincePreviousRun: t.changeSincePrevious,
      changeOver30Days: t.changeSinceBaseline,
      page: href(`/teams/${t.name}/`),
      json: href(apiPaths.team(t.name)),
      csv: href(apiPaths.teamCsv(t.name)),
      badge: href(apiPaths.teamBadge(t.name)),
    })),
    checks: latestStats.map(({ check, counts }) => ({ id: check.id, title: check.title, weights: s.checkWeights(check.id), ...counts, page: href(check.docsPath), json: href(apiPaths.check(check.id)) })),
  };
}

export function teamDocument(s: Scorecard, name: string, href: Href): ApiDocument<'team'> {
  const team = s.team(name)!;
  const active = s.waivers(undefined, name).map((w) => ({ repository: w.repo.slug, checkId: w.checkId, reason: w.reason, expires: w.expires, expired: false }));
  const expired = s.expiredWaivers(name).map((w) => ({ repository: w.repo.slug, checkId: w.checkId, reason: w.reason, expires: w.expires, expired: true }));
  return {
    apiVersion: API_VERSION,
    kind: 'team',
    run: runOf(s.latest, href),
    team: { name: team.name, displayName: team.displayName, contact: team.contact, score: team.score, level: { index: team.level, name: team.levelName }, changeSincePreviousRun: team.changeSincePrevious, changeOver30Days: team.changeSinceBaseline },
    repositories: s.teamRepos(name).map((r) => repoOf(r, href)),
    nextActions: s.nextActions(name).map((a) => ({ checkId: a.checkId, gain: Math.round(a.gain * 100) / 100, repositories: a.repos.map((r) => r.key), rule: a.rule ?? null, remediation: href(a.remediation) })),
    waivers: [...active, ...expired],
    history: s.teamHistory(name).runs.map((r) => ({ runId: r.runId, date: r.date, score: r.score, level: { index: r.level, name: s.levelName(r.level) } })),
  };
}

export function repositoryDocument(s: Scorecard, slug: string, href: Href): ApiDocument<'repository'> {
  const repo = s.repo(slug)!;
  const results = s.q.checkResults(s.latest!.id, repo.repoId);
  const docsPath = (checkId: string) => s.checkInfo(checkId)?.docsPath ?? `/checks/${checkId}/`;
  const commits = s.q.repoCommits(repo.repoId);
  const { runs, checks: columns } = s.q.repoTimeline(repo.repoId);
  // Each check's results only where they differ from the run before.
  const checks: ApiDocument<'repository'>['history']['checks'] = {};
  for (const id of [...columns.keys()].sort()) {
    const { status, score } = columns.get(id)!;
    const changes: { runId: number; status: Status | null; score: number | null }[] = [];
    runs.forEach((r, i) => {
      if (i === 0 || status[i] !== status[i - 1] || score[i] !== score[i - 1]) changes.push({ runId: r.runId, status: status[i]!, score: score[i]! });
    });
    checks[id] = changes;
  }
  const history: ApiDocument<'repository'>['history'] = {
    runs: runs.map((r) => ({
      runId: r.runId,
      date: r.date,
      score: r.score,
      headOid: r.headOid,
      commitsSincePrevious: r.commitsSincePrevious,
      commits: (commits.get(r.runId) ?? []).map((c) => ({ oid: c.oid, date: c.date, author: c.author, title: c.title, pullRequest: c.prNumber === null ? null : { number: c.prNumber, title: c.prTitle, url: c.prUrl } })),
    })),
    checks,
  };
  return {
    apiVersion: API_VERSION,
    kind: 'repository',
    run: runOf(s.latest, href),
    repository: { ...repoOf(repo, href), ownerSource: repo.ownerSource, defaultBranch: repo.defaultBranch, problems: repo.problems },
    results: results.map((r) => ({
      checkId: r.checkId,
      status: r.status,
      underlyingStatus: r.underlyingStatus,
      score: r.score,
      weight: r.weight,
      summary: r.summary,
      waiver: r.waiverReason && r.waiverExpires ? { reason: r.waiverReason, expires: r.waiverExpires, expired: r.status !== 'waived' } : null,
      remediation: href(fixPath(docsPath(r.checkId), worstRule(r.findings))),
      findings: r.findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, path: f.path, line: f.line, url: fileUrl(repo.webUrl, repo.headOid, f.path, f.line) ?? null, remediation: href(fixPath(docsPath(r.checkId), f.rule)) })),
    })),
    history,
  };
}

export function checkDocument(s: Scorecard, checkId: string, href: Href): ApiDocument<'check'> {
  const info = s.checkInfo(checkId)!;
  return {
    apiVersion: API_VERSION,
    kind: 'check',
    run: runOf(s.latest, href),
    check: { id: info.id, title: info.title, description: info.description, category: info.category, defaultWeight: info.defaultWeight, weights: s.checkWeights(checkId), page: href(info.docsPath) },
    results: s.repos().flatMap((r) => {
      const c = r.checks[checkId];
      return c ? [{ repository: r.slug, team: r.team, status: c.status, score: c.score, summary: c.summary }] : [];
    }),
    distribution: s.checkDistribution(checkId).map((d) => ({ runId: d.runId, date: d.date, ...d.counts })),
  };
}

export function repositoriesDocument(s: Scorecard, href: Href): ApiDocument<'repositories'> {
  return { apiVersion: API_VERSION, kind: 'repositories', run: runOf(s.latest, href), repositories: s.repos().map((r) => repoOf(r, href)) };
}

/** One CSV field: always quoted; a leading = + - @ (formula in spreadsheets) is neutralised with a quote mark. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '""';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replaceAll('"', '""')}"`;
}

/** A team's repositories, one row each: score, level, and status and score per check. */
export function teamCsv(s: Scorecard, name: string): string {
  const checks = s.checks();
  const header = ['repository', 'owner', 'team', 'score', 'level', ...checks.flatMap((c) => [`${c.id} status`, `${c.id} score`])];
  const rows = s.teamRepos(name).map((r) => [r.name, r.owner, r.team, r.score, r.levelName, ...checks.flatMap((c) => [r.checks[c.id]?.status ?? null, r.checks[c.id]?.score ?? null])]);
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function initiativeDocument(s: Scorecard, id: string, href: Href): ApiDocument<'initiative'> {
  const p = s.initiative(id)!;
  const d = p.definition;
  return {
    apiVersion: API_VERSION,
    kind: 'initiative',
    run: runOf(s.latest, href),
    initiative: { id: d.id, title: d.title, description: d.description ?? null, owner: d.owner ?? null, start: d.start, due: d.due, goal: d.goal, goalText: p.goalText, scope: d.scope, page: href(`/initiatives/${d.id}/`) },
    progress: { inScope: p.inScope, done: p.done },
    forecast: { ...p.forecast, method: FORECAST_METHOD },
    burnup: p.burnup,
    teams: p.teams.map((t) => ({ team: t.team, displayName: t.displayName, inScope: t.inScope, done: t.done, state: t.forecast.state })),
    todo: p.todo.map((t) => ({
      repository: t.repo.slug,
      team: t.repo.team,
      checkId: t.next.checkId,
      status: t.status,
      score: t.score,
      rule: t.next.rule ?? null,
      nextStep: t.next.text,
      remediation: href(t.next.fix),
      page: href(`/repos/${t.repo.slug}/`),
    })),
  };
}
