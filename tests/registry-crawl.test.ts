// End to end: crawl() gathers what a check `wants` from the (fake) registries through the shared
// cache, and hands it to the check. The check here is test-local: it asks for the direct
// dependencies of package.json and requirements.txt and reports what it was given.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { defineCheck, type Finding, type PackageRef, type RepoSnapshot } from '../checks/contract.ts';
import { createLogger } from '../crawler/log.ts';
import { crawl } from '../crawler/run.ts';
import { createRepo } from '../fixtures/factory.ts';
import { FakeRegistry } from '../fixtures/fake-registry.ts';
import { CLI, runCli, tempDir, writeConfig } from './helpers.ts';
import { PACKAGES, configWith } from './registry-helpers.ts';

function directDependencies(snapshot: RepoSnapshot): PackageRef[] {
  const refs: PackageRef[] = [];
  const manifest = snapshot.read('package.json');
  if (manifest.ok) {
    const json = JSON.parse(manifest.text) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(json.dependencies ?? {})) refs.push({ ecosystem: 'npm', name });
  }
  const requirements = snapshot.read('requirements.txt');
  if (requirements.ok) for (const line of requirements.text.split('\n')) if (/^[\w.-]+==/.test(line)) refs.push({ ecosystem: 'pypi', name: line.split('==')[0]! });
  return refs;
}

const factsProbe = defineCheck({
  id: 'facts-probe',
  meta: { title: 'Facts probe', description: 'test-local', category: 'maintenance', weight: 1, version: 1, reads: ['package.json', 'requirements.txt'], options: z.object({}) },
  wants: (snapshot) => ({ packages: directDependencies(snapshot), renovateSchema: true }),
  run(snapshot, ctx) {
    const findings: Finding[] = [];
    for (const ref of directDependencies(snapshot)) {
      const lookup = ctx.facts.packages.get(`${ref.ecosystem}:${ref.name}`);
      const message = lookup?.status === 'found' ? `${ref.name}: ${lookup.releases.length} releases, newest ${lookup.releases.at(-1)?.version}` : `${ref.name}: undated (${lookup?.status === 'undated' ? lookup.reason : 'missing'})`;
      findings.push({ severity: 'info', message });
    }
    const schema = ctx.facts.renovateSchema;
    findings.push({ severity: 'info', message: `renovate schema: ${schema?.status === 'available' ? 'available' : `skipped (${schema?.reason})`}` });
    return { status: 'pass', score: 10, summary: `${findings.length - 1} packages`, findings };
  },
});

function findingsOf(dbPath: string, runId: number, repo: string): string[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT f.message FROM findings f JOIN check_results c ON c.id = f.result_id JOIN repositories r ON r.id = c.repo_id
         WHERE c.run_id = ? AND r.name = ? AND c.check_id = 'facts-probe' ORDER BY f.id`,
      )
      .pluck()
      .all(runId, repo) as string[];
  } finally {
    db.close();
  }
}

describe('crawl with registry facts', () => {
  const tmp = tempDir('sw-regcrawl-');
  let fake: FakeRegistry;
  const quiet = createLogger({ quiet: true });

  beforeAll(async () => {
    fake = await FakeRegistry.start({ packages: PACKAGES });
    const repos = path.join(tmp.dir, 'repos');
    const manifest = (deps: string[]) => JSON.stringify({ name: 'x', version: '1.0.0', dependencies: Object.fromEntries(deps.map((d) => [d, '*'])) });
    createRepo(repos, { name: 'alpha', commits: [{ date: '2026-01-05T10:00:00Z', message: 'init', files: { 'package.json': manifest(['@acme/widgets', 'left-pad']), 'requirements.txt': 'Flask_Utils==1.0.0\n' } }] });
    createRepo(repos, { name: 'beta', commits: [{ date: '2026-01-06T10:00:00Z', message: 'init', files: { 'package.json': manifest(['@acme/widgets', 'left-pad', 'not-on-the-registry']), 'requirements.txt': 'flask-utils==1.0.0\n' } }] });
  });
  afterAll(async () => {
    await fake.stop();
    tmp.cleanup();
  });

  const config = (extra: Record<string, unknown> = {}, concurrency = 1) => {
    const c = configWith({ ...fake.registries(), ...extra }, tmp.dir);
    return { ...c, crawl: { ...c.crawl, concurrency } };
  };

  it('asks each registry once per package across repositories, and not at all on the next run', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'shared.db');
    const first = await crawl(config(), { dbPath, logger: quiet, checks: [factsProbe] });
    expect(first.status).toBe('ok');
    // Four distinct packages: two shared npm packages, the missing one, and one PyPI project under two spellings.
    expect(fake.count('/npm/@acme%2Fwidgets')).toBe(1);
    expect(fake.count('/npm/left-pad')).toBe(1);
    expect(fake.count('/npm/not-on-the-registry')).toBe(1);
    expect(fake.count('/pypi/')).toBe(1);
    expect(first.registries).toMatchObject({ lookups: 7, fetched: 4, cacheHits: 3 });
    expect(findingsOf(dbPath, first.runId, 'beta')).toEqual([
      '@acme/widgets: 5 releases, newest 2.0.0',
      'left-pad: 1 releases, newest 1.3.0',
      expect.stringMatching(/^not-on-the-registry: undated \(not found in registry \(127\.0\.0\.1:\d+ answered HTTP 404\)\)$/),
      'flask-utils: 5 releases, newest 1.1.0',
      expect.stringMatching(/^renovate schema: (available|skipped \(.+\))$/),
    ]);
    // Renovate's schema is asked again while it cannot be had (no cached copy on a fresh machine): count packages only.
    const packageRequests = () => fake.count() - fake.count('/npm/renovate');
    const requests = packageRequests();
    const renovateBefore = fake.count('/npm/renovate');
    // Carry-forward would skip the unchanged repositories altogether; this asks about the cache.
    const again = config();
    const second = await crawl({ ...again, crawl: { ...again.crawl, carryForwardDays: 0 } }, { dbPath, logger: quiet, checks: [factsProbe] });
    expect(second.status).toBe('ok');
    expect(packageRequests()).toBe(requests);
    expect(second.registries).toMatchObject({ lookups: 7, fetched: 0, cacheHits: 7 });
    expect(second.registries!.requests).toBe(fake.count('/npm/renovate') - renovateBefore);
  });

  it('joins repositories crawled in parallel onto one request per package', async () => {
    fake.reset();
    fake.rule({ match: /^\/npm\//, delayMs: 150 });
    const summary = await crawl(config({}, 2), { dbPath: path.join(tmp.dir, 'parallel.db'), logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    expect(fake.count('/npm/@acme%2Fwidgets')).toBe(1);
    expect(fake.count('/npm/left-pad')).toBe(1);
    expect((summary.registries?.joined ?? 0) + (summary.registries?.cacheHits ?? 0)).toBe(3);
  });

  it('keeps the crawl going when a registry fails: its packages are undated with the reason', async () => {
    fake.reset();
    fake.rule({ match: /^\/pypi\//, status: 503 });
    const summary = await crawl(config({ retries: 1, totalBudgetMs: 3000 }), { dbPath: path.join(tmp.dir, 'failing.db'), logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    const alpha = findingsOf(path.join(tmp.dir, 'failing.db'), summary.runId, 'alpha');
    expect(alpha[0]).toBe('@acme/widgets: 5 releases, newest 2.0.0');
    expect(alpha[2]).toMatch(/^Flask_Utils: undated \(127\.0\.0\.1:\d+ answered HTTP 503 \(gave up after 2 attempts\)\)$/);
    // The failure is remembered for the crawl: the second repository does not ask again.
    expect(fake.count('/pypi/')).toBe(2);
  });

  it('crawls offline from the cache alone and names the packages it could not date', async () => {
    fake.reset();
    const dbPath = path.join(tmp.dir, 'offline.db');
    const summary = await crawl(config({ offline: true }), { dbPath, logger: quiet, checks: [factsProbe] });
    expect(summary.status).toBe('ok');
    expect(fake.count()).toBe(0);
    expect(findingsOf(dbPath, summary.runId, 'alpha').slice(0, 3)).toEqual(['@acme/widgets: undated (not in the offline cache)', 'left-pad: undated (not in the offline cache)', 'Flask_Utils: undated (not in the offline cache)']);
  });

  it('takes --offline on the command line', () => {
    const file = writeConfig(tmp.dir, `database: cli.db\nsources: [{type: local, paths: ['repos/*']}]\nregistries: ${JSON.stringify(fake.registries())}\n`, 'cli.yaml');
    const result = runCli(['crawl', '-c', file, '--offline', '--json', '-q']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', repositories: 2 });
    expect(runCli(['crawl', '--help']).stdout).toContain('--offline');
    expect(CLI).toMatch(/seaworthy\.mjs$/);
  });
});
