import { mkdirSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCheck, type CheckOutcome, type RepoKindVerdict } from '../checks/contract.ts';
import { detectKind } from '../crawler/kind.ts';
import { applyExemption, repoScore, runCheck } from '../crawler/run.ts';
import { buildSnapshot } from '../crawler/sources/snapshot.ts';
import { Queries } from '../data/queries.ts';
import { createRepo } from '../fixtures/factory.ts';
import { git, runCli, tempDir, writeConfig } from './helpers.ts';

function snapshotWith(files: Record<string, string>) {
  const entries = Object.keys(files).map((p) => ({ path: p, size: files[p]!.length, oid: p, kind: 'file' as const }));
  const contents = new Map(Object.entries(files).map(([p, text]) => [p, { ok: true as const, text, truncated: false as const, encoding: 'utf-8' as const, invalidBytes: false }]));
  return buildSnapshot({ identity: { host: 'local', owner: 'o', name: 'n', defaultBranch: 'main' }, head: { oid: 'abc', date: '2026-01-01T00:00:00Z' }, files: entries, contents, historyComplete: true, commits: [], problems: [] });
}

const service: RepoKindVerdict = { kind: 'service', source: 'detected', evidence: [] };
const meta = { title: 'T', description: 'd', category: 'operability' as const, weight: 1, version: 1, reads: ['**/*'], options: z.object({}), rules: { 'no-runbook': { title: 'No runbook' } } };

describe('running a check', () => {
  it('turns an exception into status error, never fail, and keeps the message', () => {
    const exploding = defineCheck({ id: 'exploding', meta, run: () => { throw new Error('boom at line 3'); } });
    const { outcome } = runCheck(exploding, snapshotWith({}), service, {}, new Date());
    expect(outcome).toEqual({ status: 'error', score: null, summary: 'check exploding crashed: boom at line 3', findings: [] });
  });

  it('rejects outcomes that break the contract', () => {
    const bad = (o: unknown) => runCheck(defineCheck({ id: 'bad', meta, run: () => o as CheckOutcome<'no-runbook'> }), snapshotWith({}), service, {}, new Date()).outcome;
    expect(bad({ status: 'pass', score: 11, summary: '', findings: [] }).summary).toContain('outside 0–10');
    expect(bad({ status: 'great', score: 5, summary: '', findings: [] }).summary).toContain('unknown status');
    expect(bad({ status: 'not-applicable', score: 0, summary: '', findings: [] }).status).toBe('error');
    expect(bad({ status: 'pass', score: 9, summary: 'ok', findings: [{ rule: 'no-runbook', severity: 'urgent', message: 'x' }] }).status).toBe('error');
    expect(bad({ status: 'pass', score: 9, findings: [] }).summary).toBe('check bad returned no summary');
    expect(bad({ status: 'pass', score: 9, summary: 'ok', findings: [{ rule: 'no-runbook', severity: 'low', message: 'x', line: 0 }] }).status).toBe('error');
    expect(bad({ status: 'pass', score: 9, summary: 'ok', findings: [{ rule: 'no-runbook', severity: 'low', message: 'x', path: ['a'] }] }).status).toBe('error');
    expect(bad({ status: 'pass', score: 9, summary: 'ok', findings: [] }).status).toBe('pass');
  });

  it('turns a finding with an undeclared rule, or none, into an error that names it, never a stored result', () => {
    const bad = (o: unknown) => runCheck(defineCheck({ id: 'bad', meta, run: () => o as CheckOutcome<'no-runbook'> }), snapshotWith({}), service, {}, new Date()).outcome;
    const undeclared = bad({ status: 'fail', score: 2, summary: 'no runbook', findings: [{ rule: 'no-runbook', severity: 'high', message: 'a' }, { rule: 'alert-without-runbook', severity: 'medium', message: 'b' }] });
    expect(undeclared).toEqual({ status: 'error', score: null, summary: 'check bad returned a finding with the undeclared rule "alert-without-runbook" (declared: no-runbook)', findings: [] });
    expect(bad({ status: 'fail', score: 2, summary: 's', findings: [{ severity: 'high', message: 'a' }] }).summary).toBe('check bad returned a finding with no rule (declared: no-runbook)');
    // The full id, or an inherited property name, is not a declared rule name either.
    expect(bad({ status: 'fail', score: 2, summary: 's', findings: [{ rule: 'bad/no-runbook', severity: 'high', message: 'a' }] }).status).toBe('error');
    expect(bad({ status: 'fail', score: 2, summary: 's', findings: [{ rule: 'toString', severity: 'high', message: 'a' }] }).status).toBe('error');
  });

  it('qualifies declared rules with the check id', () => {
    const check = defineCheck({ id: 'runbooks', meta, run: () => ({ status: 'fail', score: 2, summary: 's', findings: [{ rule: 'no-runbook', severity: 'high', message: 'a' }] }) });
    expect(runCheck(check, snapshotWith({}), service, {}, new Date()).outcome.findings).toEqual([{ rule: 'runbooks/no-runbook', severity: 'high', message: 'a' }]);
  });

  it('types findings by the declared rules, and refuses malformed or reserved rule names', () => {
    defineCheck({
      id: 'typed',
      meta,
      // @ts-expect-error: "alert-without-runbook" is not declared in meta.rules
      run: () => ({ status: 'fail', score: 2, summary: 's', findings: [{ rule: 'alert-without-runbook', severity: 'high', message: 'a' }] }),
    });
    expect(() => defineCheck({ id: 'x', meta: { ...meta, rules: { 'No Runbook': { title: 'x' } } }, run: () => ({ status: 'pass', score: 10, summary: '', findings: [] }) })).toThrow(/kebab-case/);
    expect(() => defineCheck({ id: 'x', meta: { ...meta, rules: { 'waiver-expired': { title: 'x' } } }, run: () => ({ status: 'pass', score: 10, summary: '', findings: [] }) })).toThrow(/reserved/);
  });

  it('derives the remediation path from the id and refuses bad ids', () => {
    expect(defineCheck({ id: 'rollback-plan', meta, run: () => ({ status: 'pass', score: 10, summary: '', findings: [] }) }).docsPath).toBe('/checks/rollback-plan/');
    expect(() => defineCheck({ id: 'Bad Id', meta, run: () => ({ status: 'pass', score: 10, summary: '', findings: [] }) })).toThrow(/kebab-case/);
  });
});

describe('exemptions', () => {
  const failing: CheckOutcome = { status: 'fail', score: 2, summary: 'bad', findings: [{ rule: 'runbooks/no-runbook', severity: 'high', message: 'no runbook' }] };
  const now = new Date('2026-11-21T12:00:00Z');

  it('waives until the expiry day inclusive, keeping the real status and findings', () => {
    const waived = applyExemption('runbooks', failing, { reason: 'Decommissioning in Q1', expires: '2026-11-21' }, now);
    expect(waived).toMatchObject({ status: 'waived', underlyingStatus: 'fail', score: null, summary: 'Waived until 2026-11-21: Decommissioning in Q1' });
    expect(waived.findings).toHaveLength(1);
  });

  it('stops waiving after expiry and says so in a finding', () => {
    const expired = applyExemption('runbooks', failing, { reason: 'Decommissioning in Q1', expires: '2026-11-20' }, now);
    expect(expired.status).toBe('fail');
    expect(expired.score).toBe(2);
    expect(expired.findings[0]!.message).toMatch(/^waiver expired on 2026-11-20/);
    expect(expired.findings.map((f) => f.rule)).toEqual(['runbooks/waiver-expired', 'runbooks/no-runbook']);
    // Kept beside the real status so the site can mark it, never counted as waived.
    expect(expired.waiver).toEqual({ reason: 'Decommissioning in Q1', expires: '2026-11-20' });
  });
});

describe('repository score', () => {
  it('ignores n/a, errors and waived results instead of counting them as zero', () => {
    expect(repoScore([{ score: 6, weight: 1, status: 'warn' }, { score: null, weight: 5, status: 'error' }, { score: 0, weight: 5, status: 'waived' }])).toBe(6);
    expect(repoScore([{ score: null, weight: 1, status: 'not-applicable' }])).toBeNull();
    expect(repoScore([{ score: 10, weight: 3, status: 'pass' }, { score: 2, weight: 1, status: 'fail' }])).toBe(8);
  });

  it('always lies between the lowest and highest counted score', () => {
    const result = fc.record({ score: fc.option(fc.double({ min: 0, max: 10, noNaN: true }), { nil: null }), weight: fc.double({ min: 0.1, max: 10, noNaN: true }), status: fc.constantFrom('pass', 'warn', 'fail', 'error', 'waived', 'not-applicable') });
    fc.assert(
      fc.property(fc.array(result, { maxLength: 8 }), (results) => {
        const counted = results.filter((r) => r.score !== null && r.status !== 'waived').map((r) => r.score as number);
        const score = repoScore(results);
        if (counted.length === 0) expect(score).toBeNull();
        else {
          expect(score).toBeGreaterThanOrEqual(Math.floor(Math.min(...counted) * 10) / 10 - 0.05);
          expect(score).toBeLessThanOrEqual(Math.ceil(Math.max(...counted) * 10) / 10 + 0.05);
        }
      }),
    );
  });
});

describe('repository kind', () => {
  it('prefers configuration, then catalog-info.yaml, then evidence', () => {
    const catalog = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec:\n  type: library\n  lifecycle: experimental\n';
    expect(detectKind(snapshotWith({ 'catalog-info.yaml': catalog, Dockerfile: 'FROM x' }), 'service')).toMatchObject({ kind: 'service', source: 'config' });
    expect(detectKind(snapshotWith({ 'catalog-info.yaml': catalog, Dockerfile: 'FROM x' }), undefined)).toEqual({ kind: 'library', source: 'catalog-info', evidence: ['catalog-info.yaml: spec.type library'], lifecycle: 'experimental' });
    expect(detectKind(snapshotWith({ 'deploy/Dockerfile': 'FROM x' }), undefined)).toMatchObject({ kind: 'service', evidence: ['container image (deploy/Dockerfile)'] });
    expect(detectKind(snapshotWith({ 'main.tf': 'resource "aws_s3_bucket" "b" {}' }), undefined)).toMatchObject({ kind: 'infrastructure' });
    expect(detectKind(snapshotWith({ 'package.json': '{"name":"@acme/sdk","main":"index.js"}' }), undefined)).toMatchObject({ kind: 'library', evidence: ['package.json publishes @acme/sdk'] });
    expect(detectKind(snapshotWith({ 'package.json': '{"name":"app","private":true,"main":"index.js"}' }), undefined).kind).toBe('other');
    expect(detectKind(snapshotWith({ 'mkdocs.yml': 'site_name: x' }), undefined)).toMatchObject({ kind: 'other', evidence: ['documentation site (mkdocs.yml)'] });
    expect(detectKind(snapshotWith({ 'examples/Dockerfile': 'FROM x', 'package.json': '{broken' }), undefined).kind).toBe('other');
    // Hostile catalog values are no evidence, and never reach the store as non-strings.
    const hostile = detectKind(snapshotWith({ 'catalog-info.yaml': 'kind: Component\nspec:\n  type: constructor\n', Dockerfile: 'FROM x' }), undefined);
    expect(hostile).toMatchObject({ kind: 'service', source: 'detected' });
    const listLifecycle = detectKind(snapshotWith({ 'catalog-info.yaml': 'kind: Component\nspec:\n  type: service\n  lifecycle: [production]\n' }), undefined);
    expect(listLifecycle).toEqual({ kind: 'service', source: 'catalog-info', evidence: ['catalog-info.yaml: spec.type service'], lifecycle: undefined });
  });
});

describe('a crawl that finds no repositories', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);

  it('is a failed run with exit 4, so it never replaces the last good scorecard', () => {
    const config = writeConfig(tmp.dir, `database: s.db\nsources:\n  - type: local\n    paths: ['nowhere/*']\n`);
    const run = runCli(['crawl', '-c', config, '--json']);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'failed', repositories: 0 });
    expect(run.stderr).toContain('a source path matches no directory');
    expect(new Queries(path.join(tmp.dir, 's.db')).latestRun()).toBeUndefined();
  });
});

describe('a crawl with an unreadable repository', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  beforeAll(() => {
    createRepo(path.join(tmp.dir, 'repos'), { name: 'good', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { Dockerfile: 'FROM scratch\n' } }] });
    // Commits exist, but HEAD names a branch that does not: git cannot say what to judge.
    const broken = createRepo(path.join(tmp.dir, 'repos'), { name: 'broken', commits: [{ date: '2026-09-01T00:00:00Z', message: 'init', files: { 'README.md': '# b\n' } }] });
    git(broken, 'symbolic-ref', 'HEAD', 'refs/heads/nowhere');
  });

  it('records an error result for every check of that repository, finishes as partial and exits 1', () => {
    const config = writeConfig(tmp.dir, `database: s.db\nsources:\n  - type: local\n    paths: ['repos/*']\n`);
    const run = runCli(['crawl', '-c', config, '--json']);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.stdout) as { status: string; errors: { repo: string; error: string }[] };
    expect(summary.status).toBe('partial');
    expect(summary.errors).toEqual([{ repo: 'broken', error: 'the repository has no commits on nowhere' }]);
    const q = new Queries(path.join(tmp.dir, 's.db'));
    const repos = q.repositories(q.latestRun()!.id);
    expect(repos.find((r) => r.name === 'broken')).toMatchObject({ status: 'error', checks: { runbooks: { status: 'error', score: null } } });
    expect(repos.find((r) => r.name === 'good')?.checks.runbooks?.status).toBe('fail');
    q.close();
  });
});
