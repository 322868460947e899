import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compare, report, reportSchema, summarise, type Cell, type RepositoryOutcome, type ReportMeta, type SeaworthyCheck, type SeaworthyStatus } from './compare.ts';
import { LABELLED_CHECKS, type Label, type LabelStatus, type LabelledCheck } from './labels.ts';
import { cellText, renderMarkdown } from './markdown.ts';

type Entry = { status: LabelStatus; score: number | null; notes?: string; evidence?: string[] };

function labelled(repo: string, entries: Partial<Record<LabelledCheck, Entry>>, kind: Label['kind'] = 'service'): { file: string; label: Label } {
  const checks = Object.fromEntries(
    LABELLED_CHECKS.map((id) => {
      const e = entries[id] ?? { status: 'not-applicable', score: null };
      return [id, { status: e.status, score: e.score, notes: e.notes ?? `notes on ${id}`, evidence: e.evidence ?? [] }];
    }),
  ) as Label['checks'];
  return {
    file: `/labels/${repo.replace('/', '__')}.yaml`,
    label: { repo, commit: 'a'.repeat(40), commit_date: '2026-08-21T15:08:06+02:00', default_branch: 'main', kind, kind_notes: '', checks, traps: [], labelled_by: 'tester' },
  };
}

function said(status: SeaworthyStatus, score: number | null, summary = `${status} summary`, findings: SeaworthyCheck['findings'] = []): SeaworthyCheck {
  return { status, score, summary, checkVersion: 1, findings, findingCount: findings.length };
}

const NA = said('not-applicable', null);

function crawled(checks: Partial<Record<LabelledCheck, SeaworthyCheck>>, kind: 'service' | 'infrastructure' | 'library' | 'other' = 'service', repositoryMs = 100): RepositoryOutcome {
  const all = Object.fromEntries(LABELLED_CHECKS.map((id) => [id, checks[id] ?? NA]));
  return { ok: true, clone: '/clones/x', commitDate: '2026-08-21T15:08:06+02:00', headAtPinnedCommit: true, judgedCommit: 'a'.repeat(40), kind: { kind, source: 'detected', evidence: ['container image (Dockerfile)'] }, checks: all, crawl: { exitCode: 0, repositoryMs, processMs: repositoryMs + 900, registries: { lookups: 3, undated: 3 } }, warnings: [], problems: [] };
}

function notCrawled(reason: string): RepositoryOutcome {
  return { ok: false, reason, clone: null, commitDate: null, headAtPinnedCommit: null, judgedCommit: null, crawl: { exitCode: null, repositoryMs: null, processMs: null, registries: null }, warnings: [] };
}

function cellOf(cells: Cell[], check: LabelledCheck): Cell {
  return cells.find((c) => c.check === check)!;
}

describe('compare: one cell per repository and check', () => {
  it('agrees on the same status, and on scores within ±2', () => {
    const { cells } = compare(labelled('acme/a', { runbooks: { status: 'warn', score: 6 } }), crawled({ runbooks: said('warn', 7.2) }));
    expect(cellOf(cells, 'runbooks')).toMatchObject({ bucket: 'compared', statusAgrees: true, scoreWithinTolerance: true, scoreDifference: 1.2, error: false, notApplicable: 'neither', disagrees: false });
  });

  it('counts a difference of exactly 2 as within, 2.1 as not, and signs it Seaworthy minus label', () => {
    const exactly = compare(labelled('acme/a', { runbooks: { status: 'warn', score: 6.3 } }), crawled({ runbooks: said('pass', 8.3) })).cells;
    expect(cellOf(exactly, 'runbooks')).toMatchObject({ scoreDifference: 2, scoreWithinTolerance: true, statusAgrees: false, disagrees: true });
    const beyond = compare(labelled('acme/a', { runbooks: { status: 'warn', score: 7 } }), crawled({ runbooks: said('warn', 4.9) })).cells;
    expect(cellOf(beyond, 'runbooks')).toMatchObject({ scoreDifference: -2.1, scoreWithinTolerance: false, statusAgrees: true, disagrees: true });
  });

  it('leaves scores out where either side has none', () => {
    const { cells } = compare(labelled('acme/a', { 'cost-tags': { status: 'fail', score: 2 } }), crawled({ 'cost-tags': NA }));
    expect(cellOf(cells, 'cost-tags')).toMatchObject({ statusAgrees: false, scoreDifference: null, scoreWithinTolerance: null, notApplicable: 'seaworthy-only', disagrees: true });
  });

  it('tells who said not-applicable', () => {
    const { cells } = compare(
      labelled('acme/a', { runbooks: { status: 'not-applicable', score: null }, 'rollback-plan': { status: 'fail', score: 1 } }),
      crawled({ runbooks: said('fail', 0), 'rollback-plan': NA, 'stale-flags': NA }),
    );
    expect(cellOf(cells, 'runbooks').notApplicable).toBe('label-only');
    expect(cellOf(cells, 'rollback-plan').notApplicable).toBe('seaworthy-only');
    expect(cellOf(cells, 'stale-flags')).toMatchObject({ notApplicable: 'both', statusAgrees: true, disagrees: false });
  });

  it('puts freshness without release dates in its own bucket, from either side, never in agreement', () => {
    const undated = said('warn', null, 'Freshness not judged: release dates unavailable for 3 direct dependencies (not in the offline cache); no update bot');
    const seaworthyCould = compare(labelled('acme/a', { 'dependency-freshness': { status: 'warn', score: 5 } }), crawled({ 'dependency-freshness': undated })).cells;
    expect(cellOf(seaworthyCould, 'dependency-freshness')).toMatchObject({ bucket: 'not-judged-registries', statusAgrees: null, scoreDifference: null, disagrees: false, reason: 'Seaworthy could not date enough releases: release dates unavailable for 3 direct dependencies (not in the offline cache); no update bot' });
    // Dates a mirror rewrote are not judged either, even when the status happens to match the label.
    const rewritten = said('warn', null, 'Freshness not judged: release dates unavailable for 9 direct dependencies (release dates look rewritten by a mirror (registry.example: 5 of 9 packages looked up have implausible release dates))');
    expect(cellOf(compare(labelled('acme/a', { 'dependency-freshness': { status: 'warn', score: 5 } }), crawled({ 'dependency-freshness': rewritten })).cells, 'dependency-freshness')).toMatchObject({ bucket: 'not-judged-registries', statusAgrees: null, reason: expect.stringMatching(/rewritten by a mirror/) });
    const labelCould = compare(labelled('acme/a', { 'dependency-freshness': { status: 'unknown', score: null } }), crawled({ 'dependency-freshness': said('pass', 9) })).cells;
    expect(cellOf(labelCould, 'dependency-freshness')).toMatchObject({ bucket: 'not-judged-registries', reason: 'the label could not judge drift without registries' });
    const dated = compare(labelled('acme/a', { 'dependency-freshness': { status: 'warn', score: 5 } }), crawled({ 'dependency-freshness': said('warn', 6, 'median 1.2 libyears over 10 direct dependencies') })).cells;
    expect(cellOf(dated, 'dependency-freshness')).toMatchObject({ bucket: 'compared', statusAgrees: true, scoreDifference: 1 });
  });

  it('counts a Seaworthy error as a disagreement and as an error, even where the label could not judge', () => {
    const { cells } = compare(
      labelled('acme/a', { 'stale-flags': { status: 'not-applicable', score: null }, 'dependency-freshness': { status: 'unknown', score: null } }),
      crawled({ 'stale-flags': said('error', null, 'check stale-flags crashed: boom'), 'dependency-freshness': said('error', null) }),
    );
    expect(cellOf(cells, 'stale-flags')).toMatchObject({ bucket: 'compared', statusAgrees: false, error: true, notApplicable: null, disagrees: true });
    expect(cellOf(cells, 'dependency-freshness')).toMatchObject({ bucket: 'compared', error: true });
  });

  it('compares the repository kind', () => {
    expect(compare(labelled('acme/a', {}, 'infrastructure'), crawled({}, 'service')).repository.kind).toMatchObject({ label: 'infrastructure', seaworthy: 'service', agrees: false, source: 'detected' });
    expect(compare(labelled('acme/a', {}, 'library'), crawled({}, 'library')).repository.kind.agrees).toBe(true);
  });

  it('leaves every cell of a repository that was not crawled at its pin out of the comparison, with the reason', () => {
    const { repository, cells } = compare(labelled('acme/a', { runbooks: { status: 'pass', score: 9 } }), notCrawled('the crawler judged bbb, not the pinned aaa'));
    expect(repository).toMatchObject({ harnessError: 'the crawler judged bbb, not the pinned aaa', judgedCommit: null, kind: { agrees: null, seaworthy: null } });
    expect(cells).toHaveLength(6);
    expect(cells.every((c) => c.bucket === 'harness-error' && c.reason === 'the crawler judged bbb, not the pinned aaa' && c.seaworthy === null && !c.disagrees)).toBe(true);
  });

  it('compares only the checks asked for', () => {
    const { cells } = compare(labelled('acme/a', {}), crawled({}), ['runbooks', 'cost-tags']);
    expect(cells.map((c) => c.check)).toEqual(['runbooks', 'cost-tags']);
  });
});

describe('summarise', () => {
  it('counts agreement, scores, not-applicable confusion, errors and buckets', () => {
    const cells = [
      ...compare(
        labelled('acme/a', { runbooks: { status: 'pass', score: 9 }, 'rollback-plan': { status: 'fail', score: 1 }, 'dependency-freshness': { status: 'warn', score: 5 } }),
        crawled({ runbooks: said('fail', 0), 'rollback-plan': said('fail', 2), 'dependency-freshness': said('warn', null, 'Freshness not judged: no registries'), 'cost-tags': said('error', null) }),
      ).cells,
      ...compare(labelled('acme/b', {}), notCrawled('no clone')).cells,
    ];
    const s = summarise(cells);
    expect(s.cells).toBe(12);
    expect(s.compared).toBe(5);
    expect(s.notJudgedRegistries).toBe(1);
    expect(s.harnessErrors).toBe(6);
    // runbooks ✗, rollback ✓, migrations n/a ✓, flags n/a ✓, cost-tags error ✗
    expect(s.statusAgreement).toEqual({ count: 3, of: 5, percent: 60 });
    expect(s.scoreWithinTolerance).toEqual({ count: 1, of: 2, percent: 50 });
    expect(s.meanScoreDifference).toBe(-4); // (−9 + 1) / 2
    expect(s.notApplicable).toEqual({ both: 2, labelOnly: 0, seaworthyOnly: 0 });
    expect(s.errors).toBe(1);
    expect(s.confusion).toEqual({ pass: { fail: 1 }, fail: { fail: 1 }, 'not-applicable': { 'not-applicable': 2, error: 1 } });
  });

  it('has no percentages for nothing compared', () => {
    const s = summarise(compare(labelled('acme/b', {}), notCrawled('no clone')).cells);
    expect(s.statusAgreement).toEqual({ count: 0, of: 0, percent: null });
    expect(s.meanScoreDifference).toBeNull();
  });

  const labelEntry = fc.oneof(
    fc.record({ status: fc.constantFrom<LabelStatus>('pass', 'warn', 'fail'), score: fc.integer({ min: 0, max: 100 }).map((n) => n / 10) }),
    fc.record({ status: fc.constantFrom<LabelStatus>('not-applicable', 'unknown'), score: fc.constant(null) }),
  );
  const seaworthyEntry = fc.oneof(
    fc.record({ status: fc.constantFrom<SeaworthyStatus>('pass', 'warn', 'fail'), score: fc.integer({ min: 0, max: 100 }).map((n) => n / 10), undated: fc.constant(false) }),
    fc.record({ status: fc.constantFrom<SeaworthyStatus>('not-applicable', 'error'), score: fc.constant(null), undated: fc.constant(false) }),
    fc.record({ status: fc.constant<SeaworthyStatus>('warn'), score: fc.constant(null), undated: fc.constant(true) }),
  );
  const repository = fc.record({
    crawled: fc.boolean(),
    entries: fc.array(fc.tuple(labelEntry, seaworthyEntry), { minLength: 6, maxLength: 6 }),
  });

  it('keeps percentages within 0–100 and every count adding up (property)', () => {
    fc.assert(
      fc.property(fc.array(repository, { maxLength: 8 }), (repos) => {
        const comparisons = repos.map((r, i) => {
          // unknown is only a dependency-freshness status; elsewhere the label schema refuses it.
          const entries = Object.fromEntries(LABELLED_CHECKS.map((id, j) => [id, id !== 'dependency-freshness' && r.entries[j]![0].status === 'unknown' ? { status: 'not-applicable', score: null } : r.entries[j]![0]])) as Record<LabelledCheck, Entry>;
          const seen = Object.fromEntries(LABELLED_CHECKS.map((id, j) => {
            const s = r.entries[j]![1];
            return [id, said(s.status, s.score, s.undated ? 'Freshness not judged: offline' : 'judged')];
          }));
          return compare(labelled(`acme/r${i}`, entries), r.crawled ? crawled(seen) : notCrawled('no clone'));
        });
        const result = report(comparisons, META);
        const all = [result.summary.overall, ...Object.values(result.summary.perCheck)];
        for (const s of all) {
          expect(s.compared + s.notJudgedRegistries + s.harnessErrors).toBe(s.cells);
          expect(s.statusAgreement.of).toBe(s.compared);
          expect(s.statusAgreement.count).toBeLessThanOrEqual(s.compared);
          expect(s.scoreWithinTolerance.count).toBeLessThanOrEqual(s.scoreWithinTolerance.of);
          expect(s.scoreWithinTolerance.of).toBeLessThanOrEqual(s.compared);
          expect(s.errors).toBeLessThanOrEqual(s.compared - s.statusAgreement.count);
          expect(s.notApplicable.both + s.notApplicable.labelOnly + s.notApplicable.seaworthyOnly).toBeLessThanOrEqual(s.compared);
          expect(Object.values(s.confusion).flatMap((row) => Object.values(row)).reduce((a, b) => a + b, 0)).toBe(s.compared);
          for (const p of [s.statusAgreement.percent, s.scoreWithinTolerance.percent]) if (p !== null) expect(p >= 0 && p <= 100).toBe(true);
          if (s.meanScoreDifference !== null) expect(Math.abs(s.meanScoreDifference)).toBeLessThanOrEqual(10);
        }
        const sum = (key: 'cells' | 'compared' | 'notJudgedRegistries' | 'harnessErrors' | 'errors') => Object.values(result.summary.perCheck).reduce((a, s) => a + s[key], 0);
        for (const key of ['cells', 'compared', 'notJudgedRegistries', 'harnessErrors', 'errors'] as const) expect(sum(key)).toBe(result.summary.overall[key]);
        expect(result.summary.overall.cells).toBe(repos.length * 6);
        expect(result.summary.repositories.compared + result.summary.repositories.harnessErrors).toBe(repos.length);
      }),
      { numRuns: 200 },
    );
  });
});

const META: ReportMeta = {
  seaworthyVersion: '0.1.0 (abc)',
  checkVersions: Object.fromEntries(LABELLED_CHECKS.map((c) => [c, 1])),
  generatedAt: '2026-12-07T10:00:00.000Z',
  registries: 'offline',
  registryCache: '/out/registry-cache.db',
  checks: LABELLED_CHECKS,
  labelsDir: '/labels',
  reposDirs: ['/clones'],
  unreadableLabels: [],
};

describe('report', () => {
  const comparisons = [
    compare(
      labelled('acme/alpha', {
        runbooks: { status: 'pass', score: 9, notes: 'every alert links a runbook | with a pipe', evidence: ['monitoring/alerts.yaml:3-40 twelve alerts, each with runbook_url'] },
        'dependency-freshness': { status: 'warn', score: 5 },
      }),
      crawled(
        {
          runbooks: said('fail', 0, 'no runbooks; no alert rules', [
            { severity: 'high', message: 'no runbook found: add RUNBOOK.md', path: null, line: null },
            { severity: 'medium', message: 'alert <HighLatency> has no runbook', path: 'monitoring/alerts.yaml', line: 7 },
          ]),
          'dependency-freshness': said('warn', null, 'Freshness not judged: release dates unavailable'),
        },
        'infrastructure',
        1200,
      ),
    ),
    compare(labelled('acme/beta', { 'rollback-plan': { status: 'fail', score: 1 } }), crawled({ 'rollback-plan': said('fail', 0) }, 'service', 300)),
    compare(labelled('acme/gamma', {}), notCrawled('no clone under /clones')),
  ];
  const result = report(comparisons, { ...META, unreadableLabels: [{ file: '/labels/acme__bad.yaml', problems: ['acme__bad.yaml:5: kind: expected one of …'] }] });

  it('holds the figures per check and overall, and survives JSON and its schema', () => {
    expect(reportSchema.parse(JSON.parse(JSON.stringify(result)))).toEqual(result);
    expect(result.seaworthyVersion).toBe('0.1.0 (abc)');
    expect(result.cells).toHaveLength(18);
    expect(result.summary.perCheck.runbooks).toMatchObject({ cells: 3, compared: 2, harnessErrors: 1, statusAgreement: { count: 1, of: 2, percent: 50 }, scoreWithinTolerance: { count: 0, of: 1, percent: 0 }, meanScoreDifference: -9 });
    expect(result.summary.perCheck['rollback-plan']).toMatchObject({ compared: 2, statusAgreement: { count: 2, of: 2, percent: 100 }, scoreWithinTolerance: { count: 1, of: 1, percent: 100 }, meanScoreDifference: -1, notApplicable: { labelOnly: 0, seaworthyOnly: 0, both: 1 } });
    expect(result.summary.perCheck['dependency-freshness']).toMatchObject({ compared: 1, notJudgedRegistries: 1 });
    expect(result.summary.overall).toMatchObject({ cells: 18, compared: 11, notJudgedRegistries: 1, harnessErrors: 6, statusAgreement: { count: 10, of: 11, percent: 90.9 }, scoreWithinTolerance: { count: 1, of: 2, percent: 50 }, meanScoreDifference: -5 });
    expect(result.summary.kind).toEqual({ count: 1, of: 2, percent: 50 });
    expect(result.summary.repositories).toEqual({ total: 3, compared: 2, harnessErrors: 1, repositoryMs: { median: 750, max: 1200, total: 1500 }, processMs: { median: 1650, max: 2100, total: 3300 } });
    expect(result.unreadableLabels[0]!.file).toBe('/labels/acme__bad.yaml');
  });

  it('renders the table, the figures, the harness and every disagreement with both sides’ evidence', () => {
    const md = renderMarkdown(result);
    const lines = md.split('\n');
    expect(lines).toContain('| repository | kind | runbooks | rollback-plan | separated-migrations | dependency-freshness | stale-flags | cost-tags |');
    const alpha = lines.find((l) => l.startsWith('| acme/alpha |'))!;
    expect(alpha.split(' | ').slice(1, 5)).toEqual(['✗ **service/infrastructure**', '✗ **pass/fail**<br>9/0', 'not-applicable/not-applicable<br>–/–', 'not-applicable/not-applicable<br>–/–']);
    expect(alpha).toContain('⊘ warn/warn<br>5/–');
    expect(lines.find((l) => l.startsWith('| acme/gamma |'))).toBe('| acme/gamma | service/– | — | — | — | — | — | — |');
    expect(lines).toContain('| rollback-plan | 3 | 2 | 100 % (2/2) | 100 % (1/1) | −1 | 0 / 0 / 1 | 0 | 0 | 1 |');
    expect(lines).toContain('| **overall** | 18 | 11 | 90.9 % (10/11) | 50 % (1/2) | −5 | 0 / 0 / 9 | 0 | 1 | 6 |');
    expect(lines).toContain('Repository kind (label/Seaworthy): 50 % (1/2) agree.');
    expect(lines).toContain('- acme/gamma: not compared: no clone under /clones');
    expect(lines).toContain('- label `/labels/acme__bad.yaml` could not be read:');
    expect(lines).toContain('### kind · acme/alpha: label service, Seaworthy infrastructure (from detected)');
    expect(lines).toContain('### runbooks · acme/alpha: label pass 9, Seaworthy fail 0 (−9), status differs');
    expect(lines).toContain('- Label notes: every alert links a runbook \\| with a pipe');
    expect(lines).toContain('  - monitoring/alerts.yaml:3-40 twelve alerts, each with runbook_url');
    expect(lines).toContain('- Seaworthy (check version 1): no runbooks; no alert rules');
    expect(lines).toContain('  - `monitoring/alerts.yaml:7` alert &lt;HighLatency&gt; has no runbook (medium)');
    // Cells that agree, and cells not judged for want of registries, are not disagreements.
    expect(md).not.toContain('### rollback-plan · acme/beta');
    expect(md).not.toContain('### dependency-freshness');
    // Each cell left out says why, in its own section.
    expect(lines).toContain('- acme/alpha · dependency-freshness: label warn 5; Seaworthy could not date enough releases: release dates unavailable');
  });

  it('marks each kind of cell', () => {
    const [alpha, beta] = comparisons;
    expect(cellText(alpha!.cells[0]!)).toBe('✗ **pass/fail**<br>9/0');
    expect(cellText(beta!.cells[1]!)).toBe('fail/fail<br>1/0');
    const far = compare(labelled('acme/x', { runbooks: { status: 'warn', score: 7 } }), crawled({ runbooks: said('warn', 4.5) })).cells[0]!;
    expect(cellText(far)).toBe('≠ **warn/warn**<br>7/4.5');
    const crashed = compare(labelled('acme/x', {}), crawled({ runbooks: said('error', null) })).cells[0]!;
    expect(cellText(crashed)).toBe('⚠ **not-applicable/error**<br>–/–');
  });
});
