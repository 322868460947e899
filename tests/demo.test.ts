// The demo fleet is what a newcomer sees first: four teams, twelve repositories, real results.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { Queries } from '../data/queries.ts';
import { demoFleetSpecs, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { git, tempDir } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { DEMO_CONFIG } from '../crawler/demo.ts';

describe('demo fleet', () => {
  const tmp = tempDir('sw-demo-');
  let queries: Queries;
  let repos: string[];
  afterAll(() => {
    queries?.close();
    tmp.cleanup();
  });

  beforeAll(async () => {
    repos = generateDemoFleet(path.join(tmp.dir, 'repos'));
    // The embedded demo configuration, pointed at this temporary fleet.
    const text = readFileSync(DEMO_CONFIG, 'utf8').replace("'../.seaworthy/demo/repos/*'", "'repos/*'").replace('../.seaworthy/demo/seaworthy.db', 'demo.db');
    const config = parseConfig(text, path.join(tmp.dir, 'seaworthy.config.yaml'));
    const summary = await crawl(config, { dbPath: path.join(tmp.dir, 'demo.db'), logger: createLogger({ quiet: true }), now: new Date('2026-11-21T00:00:00Z') });
    expect(summary.status).toBe('ok');
    queries = new Queries(path.join(tmp.dir, 'demo.db'));
  });

  it('is deterministic: the same specs give the same commits', () => {
    const again = tempDir('sw-demo2-');
    try {
      const second = generateDemoFleet(path.join(again.dir, 'repos'));
      expect(second.map((r) => git(r, 'rev-parse', 'HEAD').trim())).toEqual(repos.map((r) => git(r, 'rev-parse', 'HEAD').trim()));
    } finally {
      again.cleanup();
    }
  });

  it('has about six months of back-dated history in every repository', () => {
    for (const spec of demoFleetSpecs()) {
      const dates = spec.commits.map((c) => new Date(c.date).getTime());
      const spanDays = (Math.max(...dates) - Math.min(...dates)) / 86_400_000;
      expect(spec.commits.length, spec.name).toBeGreaterThanOrEqual(8);
      expect(spanDays, spec.name).toBeGreaterThan(90);
    }
  });

  it('gives four teams with three repositories each a real runbooks result', () => {
    const run = queries.latestRun()!;
    const teams = queries.teams(run.id);
    expect(teams.map((t) => [t.name, t.repoCount])).toEqual([['data', 3], ['growth', 3], ['payments', 3], ['platform', 3]]);
    const results = queries.repositories(run.id);
    expect(results).toHaveLength(12);
    for (const repo of results) {
      expect(repo.status, repo.name).toBe('ok');
      expect(repo.checks.runbooks?.summary.length, repo.name).toBeGreaterThan(10);
      expect(repo.checks.runbooks?.status, repo.name).not.toBe('error');
    }
    // A spread that makes the scorecard worth reading.
    const statuses = new Set(results.map((r) => r.checks.runbooks?.status));
    for (const status of ['pass', 'fail', 'not-applicable', 'waived']) expect(statuses, status).toContain(status);
  });

  it('shows passing, partial and failing repositories for every check', () => {
    const results = queries.repositories(queries.latestRun()!.id);
    for (const checkId of ['runbooks', 'rollback-plan', 'cost-tags']) {
      const statuses = new Set(results.map((r) => r.checks[checkId]?.status));
      for (const status of ['pass', 'warn', 'fail', 'not-applicable']) expect(statuses, `${checkId}: ${status}`).toContain(status);
      expect(statuses, checkId).not.toContain('error');
    }
    const byName = new Map(results.map((r) => [r.name, r]));
    // Metric-gated canary, a written procedure and a template: the model answer.
    expect(byName.get('payments-api')?.checks['rollback-plan']).toMatchObject({ status: 'pass', score: 10 });
    // Its Rollout takes over the labelled Deployment, so cost attribution still passes.
    expect(byName.get('payments-api')?.checks['cost-tags']?.status).toBe('pass');
  });

  it('judges dependency freshness without release dates honestly: no score, bot and lockfile still reported', () => {
    // The demo crawl has no package registry: every package is undated, so nothing may pass on freshness.
    const byName = new Map(queries.repositories(queries.latestRun()!.id).map((r) => [r.name, r.checks['dependency-freshness']]));
    const withDependencies = ['payments-api', 'ledger-service', 'checkout-web', 'platform-terraform', 'growth-api', 'notifications-worker', 'experiments-sdk', 'data-pipeline', 'data-docs'];
    for (const name of withDependencies) {
      expect(byName.get(name), name).toMatchObject({ status: 'warn', score: null, summary: expect.stringMatching(/^Freshness not judged: release dates unavailable for \d+ direct dependenc/) });
    }
    for (const name of ['analytics-dashboards', 'ci-templates', 'k8s-monitoring']) expect(byName.get(name)?.status, name).toBe('not-applicable');
    expect(byName.get('payments-api')?.summary).toContain('Renovate covers npm; lockfiles committed');
    expect(byName.get('payments-api')?.summary).toContain('Renovate schema validation skipped: no schema source is configured for this crawl');
    expect(byName.get('checkout-web')?.summary).toContain('no update bot');
    expect(byName.get('data-docs')?.summary).toContain('Renovate switched off');
    expect(byName.get('growth-api')?.summary).toContain('Dependabot covers go');
    expect(byName.get('platform-terraform')?.summary).toContain('release dates unavailable for 2 direct dependencies');
  });

  it('judges the demo material as its authors intended', () => {
    const run = queries.latestRun()!;
    const byName = new Map(queries.repositories(run.id).map((r) => [r.name, r]));
    expect(byName.get('experiments-sdk')).toMatchObject({ kind: 'library', checks: { runbooks: { status: 'not-applicable' } } });
    expect(byName.get('data-docs')).toMatchObject({ kind: 'other', checks: { runbooks: { status: 'not-applicable' } } });
    expect(byName.get('analytics-dashboards')?.checks.runbooks?.status).toBe('waived');
    const runbooksOf = (name: string) => queries.checkResults(run.id, byName.get(name)!.repoId).find((r) => r.checkId === 'runbooks')!;
    const ledger = runbooksOf('ledger-service');
    expect(ledger.findings.some((f) => /does not exist in this repository/.test(f.message))).toBe(true);
    expect(ledger.findings.some((f) => /runbook is a stub/.test(f.message) && f.path === 'RUNBOOK.md')).toBe(true);
    // The expired waiver shows the real result, with a finding saying so.
    const checkout = runbooksOf('checkout-web');
    expect(checkout.status).not.toBe('waived');
    expect(checkout.findings.some((f) => /^waiver expired on 2026-10-01/.test(f.message))).toBe(true);
  });
});
