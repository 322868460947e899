// prepare and calibrate as real processes, on repositories built with the fixture factory: one
// labelled as Seaworthy judges it, one deliberately not, one with no clone anywhere, one whose
// pinned commit the default branch never reaches.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { openDb } from '../data/db.ts';
import { createRepo } from '../fixtures/factory.ts';
import { ROOT, git, tempDir } from '../tests/helpers.ts';
import { reportSchema, type CalibrationReport } from './compare.ts';
import { LABELLED_CHECKS, type LabelStatus, type LabelledCheck } from './labels.ts';

type Entry = { status: LabelStatus; score: number | null };

function run(script: 'prepare' | 'calibrate', args: string[]) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'calibration', `${script}.ts`), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeLabel(dir: string, repo: string, commit: string, commitDate: string, kind: string, entries: Partial<Record<LabelledCheck, Entry>>): void {
  const checks = Object.fromEntries(
    LABELLED_CHECKS.map((id) => {
      const e = entries[id] ?? { status: 'not-applicable', score: null };
      return [id, { status: e.status, score: e.score, evidence: [`evidence for ${id}`], notes: `notes on ${id}` }];
    }),
  );
  const label = { repo, commit, commit_date: commitDate, default_branch: 'main', kind, kind_notes: 'fixture', checks, traps: [], labelled_by: 'end-to-end test' };
  writeFileSync(path.join(dir, `${repo.replace('/', '__')}.yaml`), stringifyYaml(label));
}

const LOCK = JSON.stringify({
  name: 'alpha',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'alpha', dependencies: { 'left-pad': '1.3.0' } },
    'node_modules/left-pad': { version: '1.3.0', resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz', integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEMhUb3xG9GxDeqNcE+qAfZ43uvYHdQd9AtIdahUCzHGUnuA==' },
  },
});

describe('npm run calibrate:prepare and npm run calibrate, end to end', () => {
  const tmp = tempDir('sw-calibrate-e2e-');
  afterAll(tmp.cleanup);
  const from = path.join(tmp.dir, 'from');
  const mirrors = path.join(tmp.dir, 'mirrors');
  const labels = path.join(tmp.dir, 'labels');
  const prepared = path.join(tmp.dir, 'prepared');
  const pins: Record<string, string> = {};
  let deltaMain = '';

  beforeAll(() => {
    mkdirSync(labels);
    // alpha: a clone named owner__name whose branch went on after the pinned commit, adding what would make it a service.
    const alpha = createRepo(from, {
      name: 'acme__alpha',
      commits: [
        { date: '2026-03-01T10:00:00Z', message: 'start', files: { 'README.md': '# Alpha\n', 'package.json': JSON.stringify({ name: 'alpha', private: true, dependencies: { 'left-pad': '1.3.0' } }), 'package-lock.json': LOCK } },
        { date: '2026-04-01T10:00:00Z', message: 'code', files: { 'src/index.js': 'export const pad = 1;\n' } },
        { date: '2026-05-01T10:00:00Z', message: 'deploy it', files: { Dockerfile: 'FROM node:24\n', 'RUNBOOK.md': '# Runbook\n\n## Mitigation\nRestart it.\n' } },
      ],
    });
    pins.alpha = git(alpha, 'rev-parse', 'main~1').trim();
    // beta: only a bare mirror, in the /work/.mirror layout (owner+name/repo).
    const beta = createRepo(path.join(tmp.dir, 'build'), {
      name: 'beta',
      commits: [
        { date: '2026-02-01T10:00:00Z', message: 'service', files: { Dockerfile: 'FROM node:24\nCMD ["node", "server.js"]\n', 'server.js': 'console.log(1);\n' } },
        { date: '2026-03-01T10:00:00Z', message: 'readme', files: { 'README.md': '# Beta\n' } },
      ],
    });
    pins.beta = git(beta, 'rev-parse', 'main').trim();
    mkdirSync(path.join(mirrors, 'acme+beta'), { recursive: true });
    git(tmp.dir, 'clone', '-q', '--bare', beta, path.join(mirrors, 'acme+beta', 'repo'));
    // delta: pinned to a commit on a side branch, which the default branch never reaches.
    const delta = createRepo(from, {
      name: 'acme__delta',
      commits: [{ date: '2026-02-01T10:00:00Z', message: 'docs', files: { 'README.md': '# Delta\n' } }],
      branches: { feature: [{ date: '2026-03-15T10:00:00Z', message: 'more docs', files: { 'docs/guide.md': '# Guide\n' } }] },
    });
    deltaMain = git(delta, 'rev-parse', 'main').trim();
    pins.delta = git(delta, 'rev-parse', 'feature').trim();

    // alpha as Seaworthy judges it; its freshness the crawler cannot date offline.
    writeLabel(labels, 'acme/alpha', pins.alpha, '2026-04-01T10:00:00+00:00', 'other', { 'dependency-freshness': { status: 'warn', score: 5 } });
    // beta deliberately not: a runbook pass where there is none, flags where there are none, another kind.
    writeLabel(labels, 'acme/beta', pins.beta, '2026-03-01T10:00:00+00:00', 'infrastructure', {
      runbooks: { status: 'pass', score: 9 },
      'rollback-plan': { status: 'fail', score: 1 },
      'stale-flags': { status: 'warn', score: 6 },
    });
    writeLabel(labels, 'acme/gamma', 'c'.repeat(40), '2026-03-01T10:00:00+00:00', 'service', {});
    writeLabel(labels, 'acme/delta', pins.delta, '2026-03-15T10:00:00+00:00', 'other', {});
  });

  it('prepare clones each label at its pin from clones and mirrors, and says which it could not', () => {
    const result = run('prepare', ['--labels', labels, '--from', from, '--from', mirrors, '--to', prepared, '--offline', '--json', '-q']);
    expect(result.code, result.stderr).toBe(1);
    const outcomes = (JSON.parse(result.stdout) as { outcomes: { repo: string; ready: boolean; via?: string; from?: string; reason?: string }[] }).outcomes;
    expect(outcomes.map((o) => [o.repo, o.ready, o.via])).toEqual([
      ['acme/alpha', true, 'local'],
      ['acme/beta', true, 'local'],
      ['acme/delta', true, 'local'],
      ['acme/gamma', false, undefined],
    ]);
    expect(outcomes[1]!.from).toBe(path.join(mirrors, 'acme+beta', 'repo'));
    expect(outcomes[3]!.reason).toMatch(/no local copy under .*--offline: GitHub not asked/);
    for (const name of ['alpha', 'beta', 'delta']) {
      const dir = path.join(prepared, `acme__${name}`);
      expect(git(dir, 'rev-parse', 'HEAD', 'main', 'refs/remotes/origin/HEAD').trim().split('\n')).toEqual([pins[name], pins[name], pins[name]]);
      expect(git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD').trim()).toBe('refs/remotes/origin/main');
      expect(git(dir, 'rev-parse', '--is-bare-repository').trim()).toBe('false');
    }
  });

  it('prepare re-pins a clone already there without running its hooks or fsmonitor', () => {
    const dir = path.join(prepared, 'acme__alpha');
    git(dir, 'checkout', '-q', '--detach', 'HEAD~1');
    const marker = path.join(tmp.dir, 'ran');
    const script = `#!/bin/sh\necho "$0" >> '${marker}'\n`;
    writeFileSync(path.join(dir, '.git', 'hooks', 'post-checkout'), script);
    chmodSync(path.join(dir, '.git', 'hooks', 'post-checkout'), 0o755);
    writeFileSync(path.join(tmp.dir, 'fsmonitor.sh'), script);
    chmodSync(path.join(tmp.dir, 'fsmonitor.sh'), 0o755);
    git(dir, 'config', 'core.fsmonitor', path.join(tmp.dir, 'fsmonitor.sh'));
    const result = run('prepare', ['--labels', labels, '--from', from, '--to', prepared, '--offline', '--repo', 'acme/alpha', '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`ready   acme/alpha  ${dir}\n`);
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(pins.alpha);
    expect(existsSync(marker)).toBe(false);
  });

  it('calibrate crawls each prepared clone at its pin and measures agreement', () => {
    const out = path.join(tmp.dir, 'out');
    const result = run('calibrate', ['--repos', prepared, '--labels', labels, '--out', out, '--log-format', 'json']);
    expect(result.code, result.stderr).toBe(1); // gamma has no clone
    const progress = result.stderr.split('\n').filter((l) => l.includes('"msg":"repository calibrated"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(progress.map((p) => [p.n, p.repo, p.agree])).toEqual([['1/4', 'acme/alpha', '5/5'], ['2/4', 'acme/beta', '3/5'], ['3/4', 'acme/delta', '6/6']]);

    const report: CalibrationReport = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'calibration.json'), 'utf8')));
    const repo = (name: string) => report.repositories.find((r) => r.repo === name)!;
    expect(repo('acme/alpha')).toMatchObject({ judgedCommit: pins.alpha, headAtPinnedCommit: true, harnessError: null, commitDate: '2026-04-01T10:00:00+00:00', kind: { label: 'other', seaworthy: 'other', agrees: true }, crawl: { exitCode: 0 } });
    expect(repo('acme/alpha').crawl.repositoryMs).toBeGreaterThan(0);
    expect(repo('acme/alpha').crawl.processMs).toBeGreaterThan(repo('acme/alpha').crawl.repositoryMs!);
    expect(repo('acme/beta')).toMatchObject({ judgedCommit: pins.beta, kind: { label: 'infrastructure', seaworthy: 'service', agrees: false } });
    expect(repo('acme/delta')).toMatchObject({ judgedCommit: pins.delta, harnessError: null });
    expect(repo('acme/gamma').harnessError).toMatch(/^no clone under .*run "npm run calibrate:prepare"$/);

    const { overall, perCheck, kind, repositories } = report.summary;
    expect(overall).toMatchObject({ cells: 24, compared: 16, notJudgedRegistries: 2, harnessErrors: 6, errors: 0 });
    expect(overall.statusAgreement).toEqual({ count: 14, of: 16, percent: 87.5 });
    expect(overall.scoreWithinTolerance).toEqual({ count: 1, of: 2, percent: 50 });
    expect(overall.meanScoreDifference).toBe(-5);
    expect(overall.notApplicable).toEqual({ both: 13, labelOnly: 0, seaworthyOnly: 1 });
    expect(perCheck.runbooks).toMatchObject({ compared: 3, statusAgreement: { count: 2, of: 3 }, meanScoreDifference: -9 });
    // beta pins nothing datable and has no bot: dependency-freshness 3 says "not judged" (warn, no score), counted apart.
    expect(perCheck['dependency-freshness']).toMatchObject({ compared: 1, notJudgedRegistries: 2, statusAgreement: { count: 1, of: 1 } });
    expect(kind).toEqual({ count: 2, of: 3, percent: 66.7 });
    expect(repositories).toMatchObject({ total: 4, compared: 3, harnessErrors: 1 });
    expect(report.registries).toBe('offline');
    expect(report.checkVersions).toHaveProperty('runbooks');

    const freshness = report.cells.find((c) => c.repo === 'acme/alpha' && c.check === 'dependency-freshness')!;
    expect(freshness).toMatchObject({ bucket: 'not-judged-registries', label: { status: 'warn', score: 5 }, seaworthy: { status: 'warn', score: null } });
    const runbooks = report.cells.find((c) => c.repo === 'acme/beta' && c.check === 'runbooks')!;
    expect(runbooks).toMatchObject({ statusAgrees: false, scoreDifference: -9, label: { status: 'pass', notes: 'notes on runbooks', evidence: ['evidence for runbooks'] }, seaworthy: { status: 'fail', score: 0 } });
    expect(runbooks.seaworthy!.findings.length).toBeGreaterThan(0);

    const md = readFileSync(path.join(out, 'calibration.md'), 'utf8');
    expect(md).toContain('### runbooks · acme/beta: label pass 9, Seaworthy fail 0 (−9), status differs');
    expect(md).toContain('### stale-flags · acme/beta: label warn 6, Seaworthy not-applicable –, status differs');
    expect(md).toContain('- acme/gamma: not compared: no clone under');
    expect(readFileSync(path.join(out, 'logs', 'acme__alpha.log'), 'utf8')).toContain('"msg":"crawl finished"');
  });

  it('calibrate reads labellers’ clones directly, and refuses to compare a commit other than the pinned one', () => {
    const out = path.join(tmp.dir, 'out-direct');
    const result = run('calibrate', ['--repos', from, '--labels', labels, '--out', out, '--repo', 'acme/alpha', '--repo', 'acme/delta', '--check', 'runbooks', '-q']);
    expect(result.code, result.stderr).toBe(1);
    const report = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'calibration.json'), 'utf8')));
    expect(report.checks).toEqual(['runbooks']);
    const alpha = report.repositories.find((r) => r.repo === 'acme/alpha')!;
    // HEAD is two commits on, but the default branch as of the pinned commit's date is the pinned commit.
    expect(alpha).toMatchObject({ headAtPinnedCommit: false, judgedCommit: pins.alpha, harnessError: null });
    expect(alpha.warnings.join(' ')).toContain('not the pinned commit');
    const delta = report.repositories.find((r) => r.repo === 'acme/delta')!;
    expect(delta.judgedCommit).toBe(deltaMain);
    expect(delta.harnessError).toContain(`the crawler judged ${deltaMain}`);
    expect(delta.harnessError).toContain(`not the pinned ${pins.delta}`);
    expect(report.cells.filter((c) => c.repo === 'acme/delta').map((c) => c.bucket)).toEqual(['harness-error']);
    expect(result.stderr).toContain('"repository not compared"');
  });

  it('calibrate judges freshness offline from a shared registry cache, and keeps it', () => {
    const cachePath = path.join(tmp.dir, 'registry-cache.db');
    const cache = openDb(cachePath);
    cache
      .prepare('INSERT INTO registry_cache (ecosystem, name, status, releases, reason, fetched_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run('npm', 'left-pad', 'found', JSON.stringify([{ version: '1.3.0', publishedAt: '2018-04-09T01:05:58.000Z', yanked: false, deprecated: false }]), null, '2026-12-01T00:00:00.000Z');
    cache.close();
    const out = path.join(tmp.dir, 'out-cache');
    const result = run('calibrate', ['--repos', prepared, '--labels', labels, '--out', out, '--repo', 'acme/alpha', '--check', 'dependency-freshness', '--registry-cache', cachePath, '-q']);
    expect(result.code, result.stderr).toBe(0);
    const report = reportSchema.parse(JSON.parse(readFileSync(path.join(out, 'calibration.json'), 'utf8')));
    expect(report.registryCache).toBe(cachePath);
    expect(report.repositories[0]!.crawl.registries).toEqual({ lookups: 1, undated: 0 });
    const [cell] = report.cells;
    expect(cell).toMatchObject({ check: 'dependency-freshness', bucket: 'compared', label: { status: 'warn', score: 5 } });
    expect(cell!.seaworthy!.score).not.toBeNull();
    const kept = openDb(cachePath, { readonly: true });
    expect(kept.prepare('SELECT COUNT(*) FROM registry_cache').pluck().get()).toBe(1);
    kept.close();
  });

  it('calibrate refuses bad usage with exit 2', () => {
    const result = run('calibrate', ['--labels', labels]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--repos <dir> is required');
  });
});
