// Initiatives and news from a database written through the real store: configuration, burn-up and
// forecast, the repositories still to do with their next step, the JSON export, and the Atom feeds.
import path from 'node:path';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, configJsonSchema, parseConfig } from '../crawler/config.ts';
import { apiSchemas, initiativeDocument } from '../data/api.ts';
import { forecast, type BurnupPoint, type InitiativeDefinition } from '../data/initiatives.ts';
import { DEFAULT_LEVELS } from '../data/levels.ts';
import { atomFeed, entriesFor, newsEntries, stableId } from '../data/news.ts';
import { Queries } from '../data/queries.ts';
import { Scorecard } from '../data/scorecard.ts';
import { tempDir } from './helpers.ts';
import { CATALOG, repo, writeRuns } from './store-fixtures.ts';

const HOSTILE = '<img src=x onerror=alert(1)>\u0007';

const minimal = `sources:\n  - type: local\n    paths: ['repos/*']\nteams:\n  - name: payments\n    displayName: Payments\n    repos: ['pay-*']\n`;

function errorOf(yaml: string): string {
  try {
    parseConfig(yaml, '/tmp/seaworthy.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const initiativeYaml = (goal: string, extra = '') =>
  `${minimal}initiatives:\n  - id: rollback\n    title: Rollback plans\n    start: '2027-01-05'\n    due: '2027-03-31'\n    goal:\n${goal}\n${extra}`;

describe('initiatives in the configuration', () => {
  it('accepts each kind of goal and scope, and defaults the scope to every repository', () => {
    const level = parseConfig(initiativeYaml('      level: silver'), '/tmp/seaworthy.config.yaml');
    expect(level.initiatives[0]).toMatchObject({ id: 'rollback', goal: { level: 'silver' }, scope: {} });
    const check = parseConfig(initiativeYaml('      check: rollback-plan\n      status: pass', '    scope:\n      teams: [payments]\n      kinds: [service]\n      lifecycle: [production]\n      repos: [\'pay-*\']\n'), '/tmp/seaworthy.config.yaml');
    expect(check.initiatives[0]!.scope).toEqual({ teams: ['payments'], kinds: ['service'], lifecycle: ['production'], repos: ['pay-*'] });
    const rules = parseConfig(initiativeYaml('      rules: [runbooks/alert-without-runbook]'), '/tmp/seaworthy.config.yaml');
    expect(rules.initiatives[0]!.goal).toEqual({ rules: ['runbooks/alert-without-runbook'] });
  });

  it('says what is wrong, where, and how to fix it', () => {
    expect(errorOf(initiativeYaml('      level: Platinum'))).toMatch(/seaworthy\.config\.yaml:\d+: initiatives\[0\]\.goal\.level: no level "Platinum"; levels are "Bronze", "Silver", "Gold"/);
    expect(errorOf(initiativeYaml('      rules: [runbooks/no-such-rule]'))).toContain('initiatives[0].goal.rules[0]: check runbooks has no rule "no-such-rule"; its rules: runbooks/');
    expect(errorOf(initiativeYaml('      rules: [nocheck/x]'))).toContain('initiatives[0].goal.rules[0]: no check "nocheck"');
    expect(errorOf(initiativeYaml('      check: rollback-plan'))).toContain('give "status" (pass or warn) or "score"');
    expect(errorOf(initiativeYaml('      check: rollback-plan\n      status: pass', '    scope:\n      teams: [payment]\n'))).toContain('initiatives[0].scope.teams[0]: no team "payment" under "teams"; known teams: payments');
    expect(errorOf(initiativeYaml('      level: Silver').replace("due: '2027-03-31'", "due: '2026-12-31'"))).toContain('initiatives[0].due: due must be after start');
    const twice = initiativeYaml('      level: Silver') + `  - id: rollback\n    title: Again\n    start: '2027-01-05'\n    due: '2027-03-31'\n    goal:\n      level: Gold\n`;
    expect(errorOf(twice)).toContain('initiatives[1].id: initiative "rollback" is defined twice');
    expect(errorOf(`${minimal}  - name: organisation\n    displayName: Everyone\n    repos: ['*']\n`)).toContain('"organisation" names the organisation\'s feed');
    expect(errorOf(`${minimal}digest:\n  webhooks:\n    - urlEnv: https://hooks.example.com/x\n`)).toContain('must be the name of an environment variable, not the URL itself');
    expect(errorOf(`${minimal}digest:\n  webhooks:\n    - urlEnv: HOOK\n      teams: [nobody]\n`)).toContain('digest.webhooks[0].teams[0]: no team "nobody"');
  });

  it('is in the JSON Schema, with examples', () => {
    const schema = JSON.stringify(configJsonSchema());
    const props = (configJsonSchema() as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['initiatives', 'digest']));
    expect(schema).toContain('rollback-plans');
    expect(schema).toContain('SEAWORTHY_SLACK_PAYMENTS');
  });
});

describe('the forecast', () => {
  const point = (runId: number, date: string, done: number, inScope = 10): BurnupPoint => ({ runId, date: `${date}T02:00:00Z`, inScope, done });

  it('projects the pace since the baseline to the due date', () => {
    // 4 done in 40 days: 0.1 a day; 60 days left → 10 by the due date: on track.
    const onTrack = forecast([point(1, '2027-01-01', 2), point(2, '2027-01-21', 4), point(3, '2027-02-10', 6)], '2027-01-05', '2027-04-11', '2027-02-10T02:00:00Z');
    expect(onTrack).toMatchObject({ state: 'on-track', baselineRunId: 1, daysLeft: 60, projectedAtDue: 10, projectedFinish: '2027-03-22' });
    expect(onTrack.pacePerDay).toBeCloseTo(0.1);
    // The same pace with 30 days left: 9 of 10, at risk.
    expect(forecast([point(1, '2027-01-01', 2), point(3, '2027-02-10', 6)], '2027-01-05', '2027-03-12', '2027-02-10').state).toBe('at-risk');
    // One run: no pace yet, at risk; past the due date with work left: overdue; all done: done.
    expect(forecast([point(1, '2027-01-06', 2)], '2027-01-05', '2027-03-12', '2027-01-06')).toMatchObject({ state: 'at-risk', pacePerDay: null });
    expect(forecast([point(1, '2027-01-01', 2), point(2, '2027-04-01', 9)], '2027-01-05', '2027-03-12', '2027-04-01').state).toBe('overdue');
    expect(forecast([point(1, '2027-01-01', 2), point(2, '2027-04-01', 10)], '2027-01-05', '2027-03-12', '2027-04-01').state).toBe('done');
    expect(forecast([point(1, '2026-12-01', 2)], '2027-01-05', '2027-03-12', '2026-12-01').state).toBe('not-started');
  });

  it('never projects more than the scope, and calls on track only what the projection covers', () => {
    const burnup = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 20 })), { minLength: 1, maxLength: 12 })
      .map((pairs) => pairs.map(([done, scope], i) => point(i + 1, new Date(Date.UTC(2027, 0, 1 + i * 7)).toISOString().slice(0, 10), Math.min(done, scope), scope)));
    fc.assert(
      fc.property(burnup, fc.integer({ min: 0, max: 120 }), (points, dueIn) => {
        const today = points.at(-1)!.date;
        const due = new Date(Date.parse('2027-01-02') + dueIn * 86_400_000).toISOString().slice(0, 10);
        const f = forecast(points, '2027-01-01', due, today);
        const last = points.at(-1)!;
        if (f.projectedAtDue !== null) expect(f.projectedAtDue).toBeLessThanOrEqual(last.inScope);
        expect(f.state === 'done').toBe(last.done === last.inScope);
        if (f.state === 'on-track') expect(f.projectedAtDue).toBeGreaterThanOrEqual(last.inScope);
        if (f.state === 'overdue') expect(today.slice(0, 10) > due).toBe(true);
      }),
    );
  });
});

describe('initiative progress, the JSON export and the feeds', () => {
  const tmp = tempDir('sw-initiatives-');
  const dbPath = path.join(tmp.dir, 'card.db');
  let q: Queries;
  let s: Scorecard;
  const definitions: InitiativeDefinition[] = [
    { id: 'c1-pass', title: 'Check one passes', start: '2026-10-05', due: '2026-12-31', goal: { check: 'c1', status: 'pass' }, scope: { teams: ['alpha'] } },
    { id: 'bronze', title: 'Services reach Bronze', start: '2026-10-05', due: '2026-11-10', goal: { level: 'Bronze' }, scope: { kinds: ['service'], lifecycle: ['production'] } },
    { id: 'no-broken', title: 'No broken rule', start: '2026-09-01', due: '2026-11-05', goal: { rules: ['c2/broken-rule'] }, scope: { repos: ['api', 'w*'] } },
  ];
  const production = { kind: 'service' as const, source: 'catalog-info' as const, evidence: [], lifecycle: 'production' };

  beforeAll(() => {
    writeRuns(dbPath, [
      ['2026-10-01', [repo('api', 'alpha', { c1: ['fail', 2], c2: ['pass', 9] }, { kind: production }), repo('web', 'alpha', { c1: ['fail', 1], c2: ['fail', 2] }), repo('db', 'beta', { c1: ['pass', 9], c2: ['pass', 9] }, { kind: production })]],
      ['2026-10-15', [repo('api', 'alpha', { c1: ['pass', 9], c2: ['pass', 9] }, { kind: production }), repo('web', 'alpha', { c1: ['fail', 1], c2: ['warn', 6] }), repo('db', 'beta', { c1: ['pass', 9], c2: ['pass', 9] }, { kind: production })]],
      [
        '2026-11-01',
        [
          repo('api', 'alpha', { c1: ['pass', 9], c2: ['warn', 6] }, { kind: production, minor: true }),
          repo('web', 'alpha', { c1: ['waived', null, { reason: 'Replaced next month by the new front end', expires: '2026-11-10' }], c2: ['warn', 6] }, { minor: true }),
          repo('db', 'beta', { c1: ['fail', 2], c2: ['not-applicable', null] }, { kind: production }),
          repo('tool', 'alpha', { c1: ['error', null], c2: ['pass', 9] }, { kind: { kind: 'other', source: 'detected', evidence: [] } }),
        ],
      ],
    ]);
    q = new Queries(dbPath);
    s = new Scorecard(q, DEFAULT_LEVELS, CATALOG, { initiatives: definitions });
  });
  afterAll(() => {
    q.close();
    tmp.cleanup();
  });

  it('draws the burn-up from the last run before the start, counting waived and not-applicable as done and errors as not', () => {
    const c1 = s.initiative('c1-pass')!;
    expect(c1.burnup.map((p) => [p.date.slice(0, 10), p.done, p.inScope])).toEqual([
      ['2026-10-01', 0, 2],
      ['2026-10-15', 1, 2],
      // api passes, web is waived (done), tool could not be judged (not done).
      ['2026-11-01', 2, 3],
    ]);
    expect(c1.teams).toEqual([expect.objectContaining({ team: 'alpha', done: 2, inScope: 3 })]);
    expect(c1.todo.map((t) => [t.repo.name, t.status, t.next.text])).toEqual([['tool', 'error', 'Check one could not be judged: make it readable, then fix what it finds']]);
  });

  it('scopes by kind and catalog lifecycle, and names the check furthest below the level as the next step', () => {
    const bronze = s.initiative('bronze')!;
    // db met Bronze until its Check one failed on 11-01; api met it from 10-15.
    expect(bronze.burnup.map((p) => [p.done, p.inScope])).toEqual([[1, 2], [2, 2], [1, 2]]);
    expect(bronze.todo.map((t) => t.repo.name)).toEqual(['db']);
    expect(bronze.todo[0]!.next).toEqual({ text: 'Raise Check one from 2.0 to 4: start with c1/broken-rule', fix: '/checks/c1/#rule-broken-rule', checkId: 'c1', rule: 'c1/broken-rule' });
    // Due 2026-11-10, nine days after the latest run, one of two left and no net progress since the start: at risk.
    expect(bronze.forecast).toMatchObject({ state: 'at-risk', daysLeft: 9 });
  });

  it('judges a rule goal from the findings of each run, by repository name globs', () => {
    const rules = s.initiative('no-broken')!;
    // web broke c2/broken-rule on 10-01 only; api warns on 11-01 with the minor rule alone.
    expect(rules.burnup.map((p) => [p.date.slice(0, 10), p.done, p.inScope])).toEqual([
      ['2026-10-01', 1, 2],
      ['2026-10-15', 1, 2],
      ['2026-11-01', 2, 2],
    ]);
    expect(rules.forecast.state).toBe('done');
    expect(rules.todo).toEqual([]);
  });

  it('exports each initiative as JSON that its published schema accepts', () => {
    const doc = initiativeDocument(s, 'bronze', (p) => `/base${p}`);
    expect(apiSchemas.initiative.parse(doc)).toEqual(doc);
    expect(doc.todo[0]).toMatchObject({ repository: 'db', remediation: '/base/checks/c1/#rule-broken-rule', page: expect.stringMatching(/^\/base\/repos\/[^/]+\/$/) });
    expect(doc.forecast.method).toContain('Linear forecast');
  });

  it('tells each team its regressions, new failures, expiring waivers and initiatives due, with stable ids', () => {
    const entries = newsEntries(s, 'https://scorecards.example.com/');
    const own = (team: string) => entriesFor(entries, team).map((e) => [e.kind, e.title]);
    expect(own('beta')).toEqual([
      ['regression', 'db: Check one went from pass to fail'],
      ['initiative-due', 'Initiative due 2026-11-10: Services reach Bronze'],
    ]);
    expect(own('alpha')).toEqual([
      ['regression', 'api: Check two went from pass to warn'],
      ['waiver-expiring', 'web: waiver of Check one expires 2026-11-10'],
    ]);
    // web's c2 improved (fail → warn): never news. tool is new with an error: not a failure.
    expect(own('alpha').some(([, title]) => title!.startsWith('web: Check two'))).toBe(false);
    expect(own('alpha').some(([, title]) => title!.startsWith('tool'))).toBe(false);
    // The same subject keeps its id from build to build; another installation's ids differ.
    const again = newsEntries(new Scorecard(q, DEFAULT_LEVELS, CATALOG, { initiatives: definitions }), 'https://scorecards.example.com/');
    expect(again.map((e) => e.id)).toEqual(entries.map((e) => e.id));
    expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
    expect(newsEntries(s, 'https://other.example.com/')[0]!.id).not.toBe(entries[0]!.id);
    expect(stableId('a', 'b')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('reports a score drop of at least one point with the same status, and a check failing once its waiver is gone', () => {
    const local = tempDir('sw-news-');
    const file = path.join(local.dir, 'news.db');
    writeRuns(file, [
      ['2026-10-01', [repo('api', 'alpha', { c1: ['warn', 7], c2: ['waived', null, { reason: 'Migration in progress', expires: '2026-10-10' }] })]],
      ['2026-10-15', [repo('api', 'alpha', { c1: ['warn', 5.5], c2: ['fail', 2] })]],
    ]);
    const lq = new Queries(file);
    try {
      const titles = newsEntries(new Scorecard(lq, DEFAULT_LEVELS, CATALOG), 'ns').map((e) => [e.kind, e.title]);
      expect(titles).toEqual([
        ['regression', 'api: Check one score down 7.0 → 5.5'],
        ['new-failure', 'api: Check two fails'],
      ]);
    } finally {
      lq.close();
      local.cleanup();
    }
  });

  it('writes valid Atom: required elements present, hostile text escaped, relative links without a site address', () => {
    const entries = newsEntries(s, 'ns').map((e, i) => (i === 0 ? { ...e, title: `${e.title} ${HOSTILE}`, summary: `${HOSTILE} & more` } : e));
    const xml = atomFeed({ namespace: 'ns', siteTitle: `Acme ${HOSTILE}`, link: (p) => `/base${p}`, updated: s.latest!.finishedAt!, feedPath: '/feeds/alpha.atom', pagePath: '/teams/alpha/', name: 'Alpha', entries: entriesFor(entries, 'alpha') });
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toContain('<img');
    expect(xml).not.toContain('\u0007');
    const feed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(xml).feed;
    expect(feed['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    // RFC 4287 4.1.1: a feed has exactly one id, title and updated, and an author unless every entry has one.
    for (const key of ['id', 'title', 'updated', 'author']) expect(feed[key], key).toBeDefined();
    expect(feed.updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const list = Array.isArray(feed.entry) ? feed.entry : [feed.entry];
    expect(list.length).toBeGreaterThan(0);
    for (const entry of list) {
      // 4.1.2: each entry has id, title, updated; without content, an alternate link; a summary here.
      expect(entry.id).toMatch(/^urn:uuid:/);
      expect(typeof entry.title).toBe('string');
      expect(entry.updated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(entry.link['@rel']).toBe('alternate');
      expect(entry.link['@href']).toMatch(/^\/base\//);
      expect(entry.summary['#text']).toBeTruthy();
    }
    expect(list[0].title).toContain('<img src=x onerror=alert(1)>');
  });

  it('keeps any text a feed carries well-formed and intact, control characters aside', () => {
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', trimValues: false, parseTagValue: false });
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii' }).map((t) => t.replace(/\r/g, '')), fc.string({ unit: 'grapheme' }), (title, summary) => {
        const entry = { id: stableId('ns', title), kind: 'regression' as const, teams: ['alpha'], title: `x${title}`, summary: `y${summary}`, path: `/repos/${encodeURIComponent(title)}/`, updated: '2026-11-01T02:00:00.000Z' };
        const xml = atomFeed({ namespace: 'ns', siteTitle: title, link: (p) => p, updated: entry.updated, feedPath: '/feeds/alpha.atom', pagePath: '/', name: 'Alpha', entries: [entry] });
        expect(XMLValidator.validate(xml)).toBe(true);
        const parsed = parser.parse(xml).feed.entry;
        // eslint-disable-next-line no-control-regex
        expect(parsed.title).toBe(`x${title}`.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, ''));
        expect(parsed.summary['#text']).toBe(`y${summary}`);
      }),
    );
  });
});
