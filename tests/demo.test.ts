// The demo fleet is what a newcomer sees first: four teams, twelve repositories, real results.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../crawler/config.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { RUNNER_RULES } from '../checks/contract.ts';
import { CHECKS } from '../checks/registry.ts';
import { Queries } from '../data/queries.ts';
import { demoFleetSpecs, generateDemoFleet } from '../fixtures/demo-fleet.ts';
import { git, tempDir } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { DEMO_CONFIG, withDemoRegistry } from '../crawler/demo.ts';

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
    const logger = createLogger({ quiet: true });
    const summary = await withDemoRegistry(config, logger, (facts) => crawl(config, { dbPath: path.join(tmp.dir, 'demo.db'), logger, now: new Date('2026-11-21T00:00:00Z'), facts }));
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
    for (const checkId of ['runbooks', 'rollback-plan', 'cost-tags', 'separated-migrations', 'stale-flags', 'dependency-freshness']) {
      const statuses = new Set(results.map((r) => r.checks[checkId]?.status));
      for (const status of ['pass', 'warn', 'fail', 'not-applicable']) expect(statuses, `${checkId}: ${status}`).toContain(status);
      expect(statuses, checkId).not.toContain('error');
    }
    const byName = new Map(results.map((r) => [r.name, r]));
    // Metric-gated canary, a written procedure and a template: the model answer.
    expect(byName.get('payments-api')?.checks['rollback-plan']).toMatchObject({ status: 'pass', score: 10 });
    // Its Rollout takes over the labelled Deployment, so cost attribution still passes.
    expect(byName.get('payments-api')?.checks['cost-tags']?.status).toBe('pass');
    // Migrations: payments-api ships them apart and lints them; ledger-service ships them with its views.
    expect(byName.get('payments-api')?.checks['separated-migrations']?.status).toBe('pass');
    expect(byName.get('growth-api')?.checks['separated-migrations']?.status).toBe('warn');
    expect(byName.get('ledger-service')?.checks['separated-migrations']?.status).toBe('fail');
    expect(byName.get('checkout-web')?.checks['separated-migrations']?.status).toBe('not-applicable');
  });

  it('shows fresh, stale and bot-less repositories on dependency freshness, dated by the demo registry', () => {
    const byName = new Map(queries.repositories(queries.latestRun()!.id).map((r) => [r.name, r.checks['dependency-freshness']]));
    // Fresh and covered by a bot.
    for (const name of ['payments-api', 'experiments-sdk', 'notifications-worker']) expect(byName.get(name)?.status, name).toBe('pass');
    expect(byName.get('payments-api')?.summary).toContain('Renovate covers docker, github-actions, npm; lockfiles committed');
    // A bot that runs does not make years of drift go away.
    expect(byName.get('data-pipeline')).toMatchObject({ status: 'warn', summary: expect.stringContaining('Dependabot covers docker, github-actions, pypi') });
    expect(byName.get('ledger-service')?.status).toBe('warn');
    // No bot, or a bot switched off: stale and failing.
    expect(byName.get('checkout-web')).toMatchObject({ status: 'fail', summary: expect.stringContaining('no update bot') });
    expect(byName.get('data-docs')).toMatchObject({ status: 'fail', summary: expect.stringContaining('Renovate switched off') });
    // Workflows pin actions: a bot is judged there too, even with nothing to date.
    expect(byName.get('ci-templates')).toMatchObject({ status: 'warn', summary: expect.stringContaining('no update bot') });
    expect(byName.get('k8s-monitoring')).toMatchObject({ status: 'warn', summary: expect.stringContaining('Dependabot covers github-actions') });
    expect(byName.get('analytics-dashboards')?.status).toBe('not-applicable');
    // Every demo package is dated by the loopback registry: nothing is left undated.
    for (const [name, result] of byName) expect(result?.summary ?? '', name).not.toMatch(/undated|release dates unavailable/);
  });

  it('judges the demo material as its authors intended', () => {
    const run = queries.latestRun()!;
    const byName = new Map(queries.repositories(run.id).map((r) => [r.name, r]));
    expect(byName.get('experiments-sdk')).toMatchObject({ kind: 'library', checks: { runbooks: { status: 'not-applicable' } } });
    expect(byName.get('data-docs')).toMatchObject({ kind: 'other', checks: { runbooks: { status: 'not-applicable' } } });
    expect(byName.get('analytics-dashboards')?.checks.runbooks?.status).toBe('waived');
    const runbooksOf = (name: string) => queries.checkResults(run.id, byName.get(name)!.repoId).find((r) => r.checkId === 'runbooks')!;
    const ledger = runbooksOf('ledger-service');
    expect(ledger.findings.some((f) => f.rule === 'runbooks/broken-runbook-link' && /does not exist in this repository/.test(f.message))).toBe(true);
    expect(ledger.findings.some((f) => f.rule === 'runbooks/runbook-stub' && /runbook is a stub/.test(f.message) && f.path === 'RUNBOOK.md')).toBe(true);
    // The expired waiver shows the real result, with a finding saying so.
    const checkout = runbooksOf('checkout-web');
    expect(checkout.status).not.toBe('waived');
    expect(checkout.findings.some((f) => f.rule === 'runbooks/waiver-expired' && /^waiver expired on 2026-10-01/.test(f.message))).toBe(true);
  });

  it('stores every finding with the id of a rule its check declares', () => {
    const run = queries.latestRun()!;
    const declared = new Map(CHECKS.map((c) => [c.id, new Set([...Object.keys(c.meta.rules), ...Object.keys(RUNNER_RULES)])]));
    const seen = new Set<string>();
    for (const repo of queries.repositories(run.id)) {
      for (const result of queries.checkResults(run.id, repo.repoId)) {
        for (const f of result.findings) {
          const [checkId, name] = (f.rule ?? '').split('/');
          expect(checkId, `${repo.name}: ${f.message}`).toBe(result.checkId);
          expect(declared.get(result.checkId)?.has(name ?? ''), `${repo.name}: ${f.rule}`).toBe(true);
          seen.add(f.rule!);
        }
      }
    }
    // The demo fleet breaks rules of every check.
    expect(new Set([...seen].map((r) => r.split('/')[0]))).toEqual(new Set(CHECKS.map((c) => c.id)));
  });

  it('shows stale feature flags passing, partial and failing, each finding with its references', () => {
    const run = queries.latestRun()!;
    const byName = new Map(queries.repositories(run.id).map((r) => [r.name, r]));
    const status = (name: string) => byName.get(name)?.checks['stale-flags']?.status;
    // flagd definitions in the repository: one operational flag with a type and an owner.
    expect(status('notifications-worker')).toBe('pass');
    // flags.yaml lists the Unleash flags: beta-search expired, weekly-digest-email is three weeks old.
    expect(status('growth-api')).toBe('warn');
    // Remote flags months old with no declared type: a warning, not a failure.
    for (const name of ['payments-api', 'checkout-web', 'data-pipeline']) expect(status(name), name).toBe('warn');
    // A registry of flags, two of them read by nothing any more.
    expect(status('ledger-service')).toBe('fail');
    for (const name of ['platform-terraform', 'k8s-monitoring', 'ci-templates', 'experiments-sdk', 'analytics-dashboards', 'data-docs']) expect(status(name), name).toBe('not-applicable');
    const growth = queries.checkResults(run.id, byName.get('growth-api')!.repoId).find((r) => r.checkId === 'stale-flags')!;
    expect(growth.findings.some((f) => f.rule === 'stale-flags/expired-flag' && f.path === 'flags.yaml' && /"beta-search".* expired on \d{4}-\d{2}-\d{2}/.test(f.message) && /internal\/search\/search\.go:\d+$/.test(f.message))).toBe(true);
  });
});
