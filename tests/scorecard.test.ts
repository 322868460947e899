// The site's figures and exports computed from a database written through the real store.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Status } from '../checks/contract.ts';
import { worstRule, fixPath } from '../data/present.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { apiJsonSchema, apiSchemas, checkDocument, organisationDocument, repositoriesDocument, repositoryDocument, teamCsv, teamDocument } from '../data/api.ts';
import { DEFAULT_LEVELS } from '../data/levels.ts';
import { Queries } from '../data/queries.ts';
import { Scorecard, type CheckInfo } from '../data/scorecard.ts';
import { Store, type RepoResult } from '../data/store.ts';
import { tempDir } from './helpers.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';
const CATALOG: CheckInfo[] = [
  { id: 'c1', title: 'Check one', description: '', category: 'operability', defaultWeight: 1, docsPath: '/checks/c1/' },
  { id: 'c2', title: 'Check two', description: '', category: 'delivery', defaultWeight: 1, docsPath: '/checks/c2/' },
];

type Spec = Record<string, [Status, number | null, { reason: string; expires: string }?]>;

function repo(name: string, team: string | undefined, checks: Spec, extra: Partial<RepoResult> = {}): RepoResult {
  const results = Object.entries(checks).map(([checkId, [status, score, waiver]]) => ({
    checkId,
    checkVersion: 1,
    status,
    score,
    weight: checkId === 'c1' ? 3 : 1,
    summary: `${checkId} ${status} ${HOSTILE}`,
    // A passing result notes only what it found; the others break a severe and a minor rule.
    findings: [
      ...(status === 'pass'
        ? []
        : [
            { rule: `${checkId}/broken-rule`, severity: 'high' as const, message: `bad ${HOSTILE}`, path: `src/${HOSTILE}.ts`, line: 3 },
            { rule: `${checkId}/minor-rule`, severity: 'low' as const, message: 'minor' },
          ]),
      { rule: `${checkId}/evidence-found`, severity: 'info' as const, message: 'found' },
    ],
    waiver,
    durationMs: 1,
  }));
  const scored = results.filter((r) => r.score !== null && r.status !== 'waived');
  const weight = scored.reduce((s, r) => s + r.weight, 0);
  return {
    repo: { key: `local/acme/${name}`, host: 'local', owner: 'acme', name, webUrl: `https://git.example.com/acme/${encodeURIComponent(name)}` },
    team,
    status: 'ok',
    head: { oid: `${name.length.toString(16).padStart(2, '0')}${'a'.repeat(38)}`, date: '2026-10-01T00:00:00Z' },
    problems: [],
    score: weight === 0 ? null : Math.round((scored.reduce((s, r) => s + r.score! * r.weight, 0) / weight) * 10) / 10,
    durationMs: 1,
    results,
    ...extra,
  };
}

describe('the rule to fix first', () => {
  const f = (rule: string | null, severity: 'info' | 'low' | 'medium' | 'high') => ({ rule, severity });
  it('is the most severe rule broken, then the one broken most often, the runner\'s expired waiver last', () => {
    expect(worstRule([f('c/a', 'low'), f('c/b', 'high'), f('c/a', 'medium')])).toBe('c/b');
    expect(worstRule([f('c/a', 'medium'), f('c/b', 'medium'), f('c/b', 'medium'), f('c/a', 'low')])).toBe('c/b');
    expect(worstRule([f('c/waiver-expired', 'medium'), f('c/z', 'medium')])).toBe('c/z');
    expect(worstRule([f('c/waiver-expired', 'medium'), f('c/z', 'low')])).toBe('c/waiver-expired');
    // A rule counts at its most severe finding: one high beats two mediums of another rule.
    expect(worstRule([f('c/a', 'medium'), f('c/a', 'medium'), f('c/b', 'high'), f('c/b', 'low')])).toBe('c/b');
  });
  it('ignores information and findings stored before rules existed', () => {
    expect(worstRule([f(null, 'high'), f('c/a', 'info')])).toBeUndefined();
    expect(fixPath('/checks/c/', undefined)).toBe('/checks/c/#how-to-fix');
    expect(fixPath('/checks/runbooks/', 'runbooks/alert-without-runbook')).toBe('/checks/runbooks/#rule-alert-without-runbook');
  });
});

describe('scorecard figures and exports', () => {
  const tmp = tempDir('sw-card-');
  const dbPath = path.join(tmp.dir, 'card.db');
  let q: Queries;
  let s: Scorecard;
  const href = (p: string) => `/base${p}`;

  beforeAll(() => {
    const store = new Store(dbPath);
    store.syncTeams([{ name: 'alpha', displayName: 'Alpha' }, { name: 'beta', displayName: HOSTILE }]);
    const runs: [string, RepoResult[]][] = [
      ['2026-10-01', [repo('api', 'alpha', { c1: ['fail', 2], c2: ['pass', 9] }), repo('web', 'alpha', { c1: ['fail', 1], c2: ['pass', 8] })]],
      ['2026-10-25', [repo('api', 'alpha', { c1: ['warn', 6], c2: ['pass', 9] }), repo('web', 'alpha', { c1: ['fail', 1], c2: ['pass', 8] })]],
      [
        '2026-11-01',
        [
          repo('api', 'alpha', { c1: ['pass', 9], c2: ['pass', 9] }),
          repo('web', 'alpha', { c1: ['fail', 1], c2: ['waived', null, { reason: 'Moving to the new pipeline', expires: '2026-11-20' }] }),
          repo(HOSTILE, 'beta', { c1: ['not-applicable', null], c2: ['fail', 3, { reason: 'Expired waiver reason', expires: '2026-10-15' }] }),
          repo('lib', 'beta', { c1: ['not-applicable', null], c2: ['not-applicable', null] }),
          repo('gone', 'beta', { c1: ['pass', 8], c2: ['pass', 8] }, { carriedFromRun: 2, staleReason: 'the repository could not be cloned' }),
        ],
      ],
    ];
    for (const [day, results] of runs) {
      const runId = store.startRun({ startedAt: `${day}T02:00:00.000Z`, toolVersion: 'test', config: {} });
      store.recordRunTeams(runId, ['alpha', 'beta']);
      for (const r of results) store.writeRepoResult(runId, r, `${day}T02:00:01.000Z`);
      store.finishRun(runId, { finishedAt: `${day}T02:05:00.000Z`, status: 'ok', repoCount: results.length, errorCount: 0, apiPoints: day === '2026-11-01' ? 42 : undefined, carriedForward: day === '2026-11-01' ? 1 : 0 });
    }
    store.close();
    q = new Queries(dbPath);
    s = new Scorecard(q, DEFAULT_LEVELS, CATALOG);
  });

  afterAll(() => {
    q?.close();
    tmp.cleanup();
  });

  it('finds every status flip between consecutive runs of a repository, with both heads', () => {
    const flips = s.flips().filter((f) => f.name === 'api');
    expect(flips.map((f) => [f.runId, f.checkId, f.fromStatus, f.toStatus])).toEqual([
      [2, 'c1', 'fail', 'warn'],
      [3, 'c1', 'warn', 'pass'],
    ]);
    expect(Scorecard.flipDirection(flips[1]!)).toBe('better');
    expect(s.flipsOfRun(3).map((f) => `${f.name}:${f.checkId}`)).toEqual(['api:c1', 'web:c2']);
    expect(flips[0]!.fromHead).toMatch(/^[0-9a-f]{40}$/);
  });

  it('compares with the previous run and the newest run at least 30 days older', () => {
    expect(s.previous?.id).toBe(2);
    expect(s.baseline?.id).toBe(1);
    const api = s.repo('api')!;
    // Weighted 3:1 — run 1: (2·3 + 9)/4 = 3.8, run 2: (6·3 + 9)/4 = 6.8, run 3: 9.
    expect(api.changeSincePrevious).toBe(2.2);
    expect(api.changeSinceBaseline).toBe(5.2);
    expect(s.movers().sincePrevious.improved.map((m) => m.key.name)).toEqual(['api']);
  });

  it('rates repositories and teams with the default levels; a waiver never meets a minimum', () => {
    expect(s.repo('api')).toMatchObject({ level: 2, levelName: 'Gold' });
    expect(s.repo('web')).toMatchObject({ level: -1, levelName: 'No level' });
    expect(s.repo('lib')).toMatchObject({ level: null, levelName: 'Unrated' });
    // api Gold and web none: half is not most.
    expect(s.team('alpha')).toMatchObject({ level: -1 });
    const counts = Object.fromEntries(s.organisation().levelCounts.map((l) => [l.name, l.repositories]));
    expect(counts).toMatchObject({ Gold: 2, 'No level': 2, Unrated: 1 });
  });

  it('lists waivers expiring soon and expired ones apart', () => {
    expect(s.waivers(30).map((w) => [w.repo.name, w.checkId, w.daysLeft])).toEqual([['web', 'c2', 19]]);
    expect(s.waivers(10)).toEqual([]);
    expect(s.expiredWaivers().map((w) => [w.repo.name, w.checkId, w.underlyingStatus])).toEqual([[HOSTILE, 'c2', 'fail']]);
  });

  it('ranks next best actions by the team score they would add', () => {
    const actions = s.nextActions('alpha');
    // web scores 1 (c2 is waived); fixing c1 makes it 10: the team mean of two repositories rises by 4.5.
    expect(actions.map((a) => [a.checkId, a.gain])).toEqual([['c1', 4.5]]);
    expect(actions[0]!.repoViews.map((r) => r.repo.name)).toEqual(['web']);
    // "How to fix" goes to the most severe rule the team's failing repositories break.
    expect(actions[0]!.remediation).toBe('/checks/c1/#rule-broken-rule');
    expect(teamDocument(s, 'alpha', href).nextActions.map((a) => [a.rule, a.remediation])).toEqual([['c1/broken-rule', '/base/checks/c1/#rule-broken-rule']]);
  });

  it('links each finding, and each result, to the subsection of its rule', () => {
    const hostile = repositoryDocument(s, s.repos().find((r) => r.name === HOSTILE)!.slug, href);
    const c2 = hostile.results.find((r) => r.checkId === 'c2')!;
    expect(c2.findings.map((f) => [f.rule, f.severity, f.remediation])).toEqual([
      ['c2/broken-rule', 'high', '/base/checks/c2/#rule-broken-rule'],
      ['c2/minor-rule', 'low', '/base/checks/c2/#rule-minor-rule'],
      ['c2/evidence-found', 'info', '/base/checks/c2/#rule-evidence-found'],
    ]);
    expect(c2.remediation).toBe('/base/checks/c2/#rule-broken-rule');
    // The published JSON Schema requires the rule on every finding, and accepts these documents.
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(apiJsonSchema('repository') as object);
    for (const doc of [hostile, repositoryDocument(s, 'web', href)]) expect(validate(JSON.parse(JSON.stringify(doc))), JSON.stringify(validate.errors)).toBe(true);
    const { rule: _rule, ...withoutRule } = c2.findings[0]!;
    expect(validate({ ...hostile, results: [{ ...c2, findings: [withoutRule] }] })).toBe(false);
    expect(validate({ ...hostile, results: [{ ...c2, findings: [{ ...c2.findings[0]!, rule: 'not a rule id' }] }] })).toBe(false);
    const team = new Ajv2020({ strict: false }).compile(apiJsonSchema('team') as object);
    expect(team(JSON.parse(JSON.stringify(teamDocument(s, 'alpha', href))))).toBe(true);
    // Nothing broken (only what was found): the whole "How to fix".
    const api = repositoryDocument(s, 'api', href);
    expect(api.results.map((r) => [r.checkId, r.remediation])).toEqual([
      ['c1', '/base/checks/c1/#how-to-fix'],
      ['c2', '/base/checks/c2/#how-to-fix'],
    ]);
  });

  it('keeps the heatmap share honest: waived and not-applicable are not passes', () => {
    const alpha = s.heatmap().find((row) => row.team.name === 'alpha')!;
    expect(alpha.cells.map((c) => [c.check.id, c.passing, c.applicable])).toEqual([
      ['c1', 1, 2],
      ['c2', 1, 2],
    ]);
    expect(s.mostFailing().map((m) => m.check.id)).toEqual(['c1', 'c2']);
  });

  it('draws team history with levels per run', () => {
    const history = s.teamHistory('alpha').runs;
    expect(history.map((h) => [h.runId, h.score, h.level])).toEqual([
      [1, 3.3, -1],
      [2, 4.8, -1],
      [3, 5, -1],
    ]);
    expect(history[2]!.checks).toEqual({ c1: 5, c2: 9 });
  });

  it('exports documents that match their published schemas', () => {
    const docs = [
      apiSchemas.organisation.parse(organisationDocument(s, href)),
      apiSchemas.team.parse(teamDocument(s, 'beta', href)),
      apiSchemas.repository.parse(repositoryDocument(s, s.repos().find((r) => r.name === HOSTILE)!.slug, href)),
      apiSchemas.check.parse(checkDocument(s, 'c2', href)),
      apiSchemas.repositories.parse(repositoriesDocument(s, href)),
    ];
    const org = docs[0] as ReturnType<typeof organisationDocument>;
    expect(org.run).toMatchObject({ id: 3, apiPoints: 42, carriedForward: 1, page: '/base/runs/3/' });
    expect(org.teams.map((t) => t.displayName)).toContain(HOSTILE);
    const repoDoc = docs[2] as ReturnType<typeof repositoryDocument>;
    expect(repoDoc.results.find((r) => r.checkId === 'c2')?.waiver).toEqual({ reason: 'Expired waiver reason', expires: '2026-10-15', expired: true });
    expect(repoDoc.results[0]!.findings[0]!.url).toMatch(/^https:\/\/git\.example\.com\/acme\/.+\/blob\/[0-9a-f]{40}\/src\/%3Cimg%20src%3Dx%20onerror%3Dalert\(1\)%3E\.ts#L3$/);
    const gone = (docs[4] as ReturnType<typeof repositoriesDocument>).repositories.find((r) => r.name === 'gone');
    expect(gone).toMatchObject({ stale: 'the repository could not be cloned', carriedFromRun: 2 });
  });

  it('writes one CSV row per repository of the team, text kept as text', () => {
    const lines = teamCsv(s, 'beta').trimEnd().split('\r\n');
    expect(lines[0]).toBe('"repository","owner","team","score","level","c1 status","c1 score","c2 status","c2 score"');
    expect(lines).toHaveLength(4);
    expect(lines.some((l) => l.startsWith(`"${HOSTILE}","acme","beta","3","No level","not-applicable","","fail","3"`))).toBe(true);
  });
});
